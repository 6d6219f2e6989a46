//! Plain domain types that parse on construction: once a value exists, it is valid.

pub mod anchors;
pub mod email;
pub mod instrument;
pub mod reminders;
pub mod scale;

pub use anchors::{Anchors, MAX_LABEL_CHARS, label_from_wording};
pub use email::Email;
pub use instrument::{InstrumentDef, ItemDef};
pub use reminders::ReminderSchedule;
pub use scale::{Answer, NO_ANSWER, Scale};

use serde::Serialize;

use crate::error::{AppError, Result};

/// Who answered: an agency customer, or IT staff predicting the customers' answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Customer,
    Staff,
}

impl Audience {
    pub fn parse(s: &str) -> Result<Audience> {
        match s.trim().to_ascii_lowercase().as_str() {
            "customer" => Ok(Audience::Customer),
            "staff" => Ok(Audience::Staff),
            other => Err(AppError::invalid(format!(
                "unknown audience `{other}`: use customer or staff"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Customer => "customer",
            Audience::Staff => "staff",
        }
    }
}

/// What a signed-in user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including users, settings and the catalogue.
    Admin,
    /// Every dashboard and export.
    Cio,
    /// Dashboards, exports and follow-ups for the agencies they own; aggregates elsewhere.
    Brm,
    /// Aggregate dashboards only.
    Viewer,
}

impl Role {
    pub fn parse(s: &str) -> Result<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "cio" => Ok(Role::Cio),
            "brm" => Ok(Role::Brm),
            "viewer" => Ok(Role::Viewer),
            other => Err(AppError::invalid(format!(
                "unknown role `{other}`: use admin, cio, brm or viewer"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Cio => "cio",
            Role::Brm => "brm",
            Role::Viewer => "viewer",
        }
    }
}

/// Parses a timestamp given on the command line or in a file: RFC 3339
/// (`2026-03-01T09:00:00Z`, `2026-03-01T09:00:00-05:00`) or a bare date (midnight UTC).
/// Returns naive UTC, as stored.
pub fn parse_timestamp(s: &str) -> Result<chrono::NaiveDateTime> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.naive_utc());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_time(chrono::NaiveTime::MIN));
    }
    Err(AppError::invalid(format!(
        "`{s}` is not an RFC 3339 timestamp (e.g. 2026-03-01T09:00:00Z) or a date (2026-03-01)"
    )))
}

/// A short code (agency, service, item, wave, instrument): letters, digits, `_`, `-`, `.`.
pub fn parse_code(what: &str, s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AppError::invalid(format!("{what} code is empty")));
    }
    if s.len() > 64 {
        return Err(AppError::invalid(format!(
            "{what} code `{s}` is longer than 64 characters"
        )));
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(AppError::invalid(format!(
            "{what} code `{s}` may only hold letters, digits, `_`, `-` and `.`"
        )));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_rfc3339_and_dates() {
        let t = parse_timestamp("2026-03-01T09:00:00-05:00").unwrap();
        assert_eq!(t.to_string(), "2026-03-01 14:00:00");
        let d = parse_timestamp("2026-03-01").unwrap();
        assert_eq!(d.to_string(), "2026-03-01 00:00:00");
        assert!(parse_timestamp("01/03/2026").is_err());
        assert!(parse_timestamp("2026-02-30").is_err());
    }

    #[test]
    fn codes() {
        assert_eq!(parse_code("agency", " DOT ").unwrap(), "DOT");
        assert!(parse_code("agency", "").is_err());
        assert!(parse_code("agency", "a b").is_err());
        assert!(parse_code("agency", "=cmd").is_err());
    }

    #[test]
    fn roles_and_audiences() {
        assert_eq!(Role::parse("CIO").unwrap(), Role::Cio);
        assert!(
            Role::parse("root")
                .unwrap_err()
                .to_string()
                .contains("admin, cio, brm or viewer")
        );
        assert_eq!(Audience::parse("staff").unwrap(), Audience::Staff);
        assert!(Audience::parse("vendor").is_err());
    }
}
