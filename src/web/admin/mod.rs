//! The administration pages under `/admin/`, for admins only: agencies, services, contacts
//! and staff (listed, and replaced or extended by a CSV upload through the same import as
//! `rind import`), instruments (TOML upload, as `rind instrument import`), waves (create,
//! open, send, remind, close, as the CLI and the JSON API do), users and API tokens, and
//! the dev mailbox when mail goes to files. Every form carries the session's CSRF token.
//!
//! One file per page group (`people`, `instruments`, `waves`, `users`, `mailbox`); this one
//! holds the routes, the one page template they all fill (`AdminPage`) and the checks every
//! form shares. Handlers are thin: parse, call `import`, `programme`, `delivery` or `auth`,
//! render.

mod instruments;
mod mailbox;
mod people;
mod users;
mod waves;

use actix_multipart::MultipartError;
use actix_multipart::form::{MultipartForm, MultipartFormConfig, bytes::Bytes, text::Text};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use super::auth::SignedIn;
use super::dashboard::{Nav, PageError, error_response, page};
use crate::delivery::mailer::MailText;
use crate::domain::Role;
use crate::error::AppError;

/// Largest file accepted by an upload form.
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // `people` last: its `/{kind}` would otherwise take the other pages' paths.
    cfg.service(
        web::scope("/admin")
            .app_data(
                MultipartFormConfig::default()
                    .total_limit(MAX_UPLOAD)
                    .memory_limit(MAX_UPLOAD)
                    .error_handler(upload_error),
            )
            .service(index)
            .service(instruments::list_instruments)
            .service(instruments::upload_instrument)
            .service(waves::list_waves)
            .service(waves::create_wave)
            .service(waves::wave_action)
            .service(users::list_users)
            .service(users::add_user)
            .service(users::create_token)
            .service(users::revoke_token)
            .service(mailbox::mailbox)
            .service(mailbox::mail_message)
            .service(people::people)
            .service(people::upload_people),
    );
}

/// A refused upload, answered as a page: 413 when the file is over the limit.
fn upload_error(e: MultipartError, _: &HttpRequest) -> actix_web::Error {
    let too_large = matches!(
        e,
        MultipartError::Payload(actix_web::error::PayloadError::Overflow)
    );
    let response = if too_large {
        error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The file is too large",
            format!(
                "Uploads may be at most {} MB. Split the file and upload the parts one by one.",
                MAX_UPLOAD / (1024 * 1024)
            ),
        )
    } else {
        error_response(
            StatusCode::BAD_REQUEST,
            "That did not work",
            "The upload could not be read: send the form from the page, with a file chosen.".into(),
        )
    };
    actix_web::error::InternalError::from_response(e, response).into()
}

/// One table cell, optionally a link.
pub struct Cell {
    text: String,
    link: Option<String>,
}

fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        link: None,
    }
}

fn link(text: impl Into<String>, to: String) -> Cell {
    Cell {
        text: text.into(),
        link: Some(to),
    }
}

/// A button that posts the session's CSRF token to `url`.
pub struct Action {
    url: String,
    label: String,
}

pub struct Row {
    cells: Vec<Cell>,
    actions: Vec<Action>,
}

impl Row {
    /// A row without action buttons.
    fn plain(cells: Vec<Cell>) -> Row {
        Row {
            cells,
            actions: Vec::new(),
        }
    }
}

/// What an upload form asks for.
pub struct Upload {
    action: String,
    label: String,
    accept: &'static str,
    help: &'static str,
}

#[derive(Template)]
#[template(path = "dashboard/admin.html")]
struct AdminPage {
    nav: Nav,
    title: String,
    intro: String,
    notice: Option<String>,
    /// A secret shown this once (a new API token).
    secret: Option<String>,
    problem: Option<String>,
    problems: Vec<String>,
    upload: Option<Upload>,
    caption: String,
    headers: Vec<&'static str>,
    rows: Vec<Row>,
    /// Whether any row has action buttons.
    actions_column: bool,
    /// Which create form the page has: "", "wave", "user".
    form: &'static str,
    instruments: Vec<String>,
    users: Vec<String>,
    mail: Option<MailText>,
}

impl AdminPage {
    fn new(who: &SignedIn, title: impl Into<String>, intro: impl Into<String>) -> AdminPage {
        AdminPage {
            nav: Nav::of(who, None),
            title: title.into(),
            intro: intro.into(),
            notice: None,
            secret: None,
            problem: None,
            problems: Vec::new(),
            upload: None,
            caption: String::new(),
            headers: Vec::new(),
            rows: Vec::new(),
            actions_column: false,
            form: "",
            instruments: Vec::new(),
            users: Vec::new(),
            mail: None,
        }
    }

    /// Shows a refused change on the page: every bad row of a rejected file, or the
    /// message. Server faults stay opaque.
    fn refused(&mut self, e: AppError) -> Result<StatusCode, PageError> {
        let status = actix_web::ResponseError::status_code(&e);
        if status.is_server_error() {
            return Err(e.into());
        }
        match e {
            AppError::Rejected { what, rows } => {
                self.problem = Some(format!("The {what} was rejected; nothing was written."));
                self.problems = rows.iter().map(ToString::to_string).collect();
            }
            other => self.problem = Some(other.to_string()),
        }
        Ok(status)
    }
}

fn admin_only(who: &SignedIn) -> Result<(), AppError> {
    who.require(&[Role::Admin])
}

fn rendered(status: StatusCode, mut body: AdminPage) -> Result<HttpResponse, PageError> {
    body.actions_column = body.rows.iter().any(|r| !r.actions.is_empty());
    Ok(page(status, &body)?)
}

/// Renders `page` with the outcome of a change: a notice, or the refusal on the page.
fn outcome_page(
    mut body: AdminPage,
    outcome: crate::error::Result<String>,
) -> Result<HttpResponse, PageError> {
    let status = match outcome {
        Ok(notice) => {
            body.notice = Some(notice);
            StatusCode::OK
        }
        Err(e) => body.refused(e)?,
    };
    rendered(status, body)
}

/// Marks an answer that must not be kept by a cache or shown again from history (a new
/// API token, a mail holding survey links).
fn no_store(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    response
}

/// A posted form carrying only the session's CSRF token (the buttons).
#[derive(Deserialize)]
struct CsrfForm {
    csrf_token: Option<String>,
}

/// The role and CSRF checks of a posted form.
fn checked_form(who: &SignedIn, csrf_token: Option<&str>) -> Result<(), AppError> {
    admin_only(who)?;
    who.check_csrf(csrf_token)
}

/// An upload form: the session's CSRF token and one file.
#[derive(MultipartForm)]
struct UploadForm {
    csrf_token: Option<Text<String>>,
    file: Option<Bytes>,
}

/// The uploaded file's bytes, after the role and CSRF checks.
fn checked_upload(who: &SignedIn, form: UploadForm) -> Result<Vec<u8>, AppError> {
    admin_only(who)?;
    who.check_csrf(form.csrf_token.as_ref().map(|t| t.as_str()))?;
    match form.file {
        Some(file) if !file.data.is_empty() => Ok(file.data.to_vec()),
        _ => Err(AppError::invalid("choose a file to upload")),
    }
}

/// The index's table: path segment, page name, what it holds.
const PAGES: [(&str, &str, &str); 8] = [
    ("agencies", "Agencies", "customer organisations; CSV upload"),
    (
        "services",
        "Services",
        "the IT service catalogue; CSV upload",
    ),
    (
        "contacts",
        "Contacts",
        "agency people who get surveys; CSV upload",
    ),
    (
        "staff",
        "Staff",
        "IT staff who get the perception survey; CSV upload",
    ),
    ("instruments", "Instruments", "questionnaires; TOML upload"),
    ("waves", "Waves", "create, open, send, remind, close"),
    (
        "users",
        "Users and API tokens",
        "who may sign in, and tokens for scripts",
    ),
    ("mail", "Mailbox", "mail written to the mail folder"),
];

#[get("")]
async fn index(who: SignedIn) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    let mut body = AdminPage::new(
        &who,
        "Administration",
        "Manage the programme's data, waves and sign-ins.",
    );
    body.caption = "Administration pages".into();
    body.headers = vec!["Page", "What it holds"];
    body.rows = PAGES
        .into_iter()
        .map(|(path, name, what)| {
            Row::plain(vec![link(name, format!("/admin/{path}")), cell(what)])
        })
        .collect();
    rendered(StatusCode::OK, body)
}
