//! Every query rind makes, one module per aggregate. No SQL lives anywhere else.
//!
//! Functions take `&mut DbConnection` and return `crate::Result`. Where the two backends
//! need different SQL (upserts, batch inserts, `RETURNING`), `with_backend!` runs the same
//! diesel code against each backend's own connection type.

pub mod agencies;
pub mod contacts;
pub mod fingerprint;
pub mod follow_ups;
pub mod instruments;
pub mod invitations;
pub mod outbox;
pub mod responses;
pub mod services;
pub mod sessions;
pub mod sla;
pub mod staff;
pub mod users;
pub mod waves;

use chrono::NaiveDateTime;

/// The current time as stored: naive UTC, to the microsecond (PostgreSQL's precision).
pub fn now() -> NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond_truncated()
}

trait TruncateNanos {
    fn with_nanosecond_truncated(self) -> Self;
}

impl TruncateNanos for NaiveDateTime {
    fn with_nanosecond_truncated(self) -> Self {
        use chrono::Timelike;
        let micros = self.nanosecond() / 1_000 * 1_000;
        self.with_nanosecond(micros).unwrap_or(self)
    }
}

/// Maps a unique-constraint violation to a `Conflict` with the caller's message.
pub(crate) fn conflict_on_unique(
    e: diesel::result::Error,
    message: impl FnOnce() -> String,
) -> crate::AppError {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            crate::AppError::Conflict(message())
        }
        other => crate::AppError::Database(other),
    }
}
