//! rind's one error type, `AppError`, and how each kind maps to an HTTP status.
//!
//! Every layer returns `AppError`: `domain` parsers return `Invalid`, `store` returns
//! `Database`/`NotFound`/`Conflict`, imports return `Rejected` with every bad row,
//! `delivery` returns `Mail` for a message that could not be delivered and `Gone` for a
//! closed wave. The web layer turns it into a status and a short message (the survey pages
//! into an HTML page); the cause chain is logged, never sent.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// One bad row (or the header, line 1) of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// 1-based line in the file; the header is line 1.
    pub line: u64,
    /// The column or item code the problem is in, when there is one.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}: {}: {}", self.line, field, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that does not make sense (a bad setting, a bad argument, a bad form field).
    #[error("{0}")]
    Invalid(String),
    /// A file was refused as a whole; nothing of it was written.
    #[error("{what} rejected, nothing was written:\n{}", list_rows(.rows))]
    Rejected { what: String, rows: Vec<RowError> },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// It existed but is no longer available: a closed wave, an expired survey link.
    #[error("{0}")]
    Gone(String),
    /// Not allowed: e.g. a survey form posted without its anti-forgery token.
    #[error("{0}")]
    Forbidden(String),
    /// A message was not delivered. `permanent` when trying again can't help (a 5xx reply,
    /// an address the server refuses); otherwise the outbox retries it later.
    #[error("mail not delivered: {message}")]
    Mail { permanent: bool, message: String },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Internal(String),
}

fn list_rows(rows: &[RowError]) -> String {
    rows.iter()
        .map(|r| format!("  {r}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Invalid(message.into())
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        AppError::Io {
            context: context.into(),
            source,
        }
    }

    /// A delivery failure that a later attempt may get past (4xx, a dropped connection).
    pub fn mail_transient(message: impl Into<String>) -> Self {
        AppError::Mail {
            permanent: false,
            message: message.into(),
        }
    }

    /// A delivery failure that retrying can't fix (5xx, a refused address).
    pub fn mail_permanent(message: impl Into<String>) -> Self {
        AppError::Mail {
            permanent: true,
            message: message.into(),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(format!("background task failed: {e}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Rejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Mail { .. } => StatusCode::BAD_GATEWAY,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Io { .. } | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        // Server faults are logged in full and answered with an opaque message.
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
            match status {
                StatusCode::SERVICE_UNAVAILABLE => "the database is unavailable".to_string(),
                _ => "internal error".to_string(),
            }
        } else {
            self.to_string()
        };
        let mut body = serde_json::json!({ "error": message });
        if let AppError::Rejected { rows, .. } = self {
            body["rows"] = serde_json::json!(rows);
        }
        HttpResponse::build(status).json(body)
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
