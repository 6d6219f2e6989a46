//! Typed settings, read once at start from `rind.toml`, then `RIND_*` environment
//! variables, then `DATABASE_URL`, then the command line; passed in, never global.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, Result};

/// The smallest group size any setting may ask for: smaller groups identify people.
pub const MIN_REPORTING_THRESHOLD: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    Starttls,
    Tls,
    None,
}

/// A setting that must not appear in logs or debug output (the SMTP password).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://PATH`, a plain path, or `postgres://...`.
    pub database_url: String,
    /// Connections in the pool.
    pub pool_size: u32,
    /// Address `rind serve` listens on.
    pub bind: String,
    /// Base of the links put in emails, e.g. `https://survey.example.gov`.
    pub public_base_url: String,
    /// Smallest group whose scores are shown.
    pub reporting_threshold: u32,
    /// Smallest group whose comments are shown.
    pub comment_threshold: u32,
    /// A gap is a finding when its Benjamini–Hochberg q is below this.
    pub significance_level: f64,
    /// ... and it is at least this share of the item's scale range (0.125: 0.5 on 1–5).
    pub material_gap_share: f64,
    /// SLA attainment (share of metrics met) at or above which a service counts as green.
    pub sla_target: f64,
    /// CSAT below which a service is red: watermelon when its Wilson upper bound is below.
    pub csat_red_line: f64,
    /// CSAT above which a service is green: reverse watermelon when its lower bound is above.
    pub csat_green_line: f64,
    /// How long a dashboard sign-in lasts.
    pub session_hours: u32,
    /// Failed sign-ins in a row after which an account is locked for a while.
    pub signin_lock_after: u32,
    pub signin_lock_minutes: u32,
    /// Delay before answering the first failed sign-in; it doubles with each further one.
    pub signin_delay_ms: u64,
    /// Folder that receives `.eml` files when no SMTP host is set.
    pub mail_dir: PathBuf,
    /// Sender of survey mail, e.g. `IT Office Survey <survey@it.state.example>`.
    pub mail_from: String,
    /// SMTP server; unset means mail is written to `mail_dir` instead.
    pub smtp_host: Option<String>,
    /// Default: 587 with `starttls`, 465 with `tls`, 25 with `none`.
    pub smtp_port: Option<u16>,
    pub smtp_tls: SmtpTls,
    pub smtp_user: Option<String>,
    pub smtp_password: Option<Secret>,
    /// Seconds to wait for the SMTP server before counting an attempt as failed.
    pub smtp_timeout_secs: u64,
    /// Messages the outbox worker sends at once (and SMTP connections it keeps open).
    pub mail_concurrency: u32,
    /// Attempts before a message that keeps failing for a passing reason is given up.
    pub mail_max_attempts: u32,
    /// Wait before the first retry; it doubles with each further attempt (capped at 6 hours).
    pub mail_retry_base_ms: u64,
    /// How often an idle worker looks for mail that has become due.
    pub mail_poll_ms: u64,
    /// How long a worker may hold a claimed message before another worker may take it over
    /// (a worker that died mid-send); keep it well above `smtp_timeout_secs`.
    pub mail_lease_secs: u64,
    /// How often the worker checks the waves' reminder schedules.
    pub reminder_check_secs: u64,
    /// Email a thank-you to each person who submits a survey.
    pub thank_you_email: bool,
    /// Who runs the programme, on every report's cover and footer and in emails, e.g.
    /// "Office of the State Chief Information Officer".
    pub organisation_name: String,
    /// Where readers write with questions about the survey or a report (an email address).
    pub organisation_contact: String,
    /// A line at the foot of every report page (e.g. a classification or a notice); none
    /// when unset.
    pub report_footer: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://rind.db".into(),
            pool_size: 8,
            bind: "127.0.0.1:8080".into(),
            public_base_url: "http://127.0.0.1:8080".into(),
            reporting_threshold: 5,
            comment_threshold: 10,
            significance_level: 0.05,
            material_gap_share: 0.125,
            sla_target: 0.95,
            csat_red_line: 0.60,
            csat_green_line: 0.80,
            session_hours: 8,
            signin_lock_after: 5,
            signin_lock_minutes: 15,
            signin_delay_ms: 250,
            mail_dir: PathBuf::from("mail"),
            mail_from: "rind <survey@localhost>".into(),
            smtp_host: None,
            smtp_port: None,
            smtp_tls: SmtpTls::Starttls,
            smtp_user: None,
            smtp_password: None,
            smtp_timeout_secs: 30,
            mail_concurrency: 4,
            mail_max_attempts: 8,
            mail_retry_base_ms: 60_000,
            mail_poll_ms: 2_000,
            mail_lease_secs: 600,
            reminder_check_secs: 300,
            thank_you_email: false,
            organisation_name: "IT Office".into(),
            organisation_contact: "survey@localhost".into(),
            report_footer: None,
        }
    }
}

/// Environment variables that are `RIND_*` but not settings.
const NOT_SETTINGS: &[&str] = &["password", "config", "log"];

impl Settings {
    /// Reads the settings. `config_file` must exist when given; otherwise `rind.toml` in the
    /// working directory is read if it is there.
    pub fn load(config_file: Option<&Path>) -> Result<Settings> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match config_file {
            Some(path) => {
                if !path.is_file() {
                    return Err(AppError::invalid(format!(
                        "config file {} does not exist",
                        path.display()
                    )));
                }
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file("rind.toml")),
        }
        figment = figment
            // figment hands the filter the key as written (`PASSWORD`), not lower-cased.
            .merge(Env::prefixed("RIND_").filter(|key| {
                !NOT_SETTINGS
                    .iter()
                    .any(|n| key.as_str().eq_ignore_ascii_case(n))
            }))
            .merge(Env::raw().only(&["database_url"]));
        let settings: Settings = figment
            .extract()
            .map_err(|e| AppError::invalid(format!("bad setting: {e}")))?;
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> Result<()> {
        for (name, value) in [
            ("reporting_threshold", self.reporting_threshold),
            ("comment_threshold", self.comment_threshold),
        ] {
            if value < MIN_REPORTING_THRESHOLD {
                return Err(AppError::invalid(format!(
                    "{name} is {value}, but may not be below {MIN_REPORTING_THRESHOLD}: smaller groups can identify people"
                )));
            }
        }
        for (name, value) in [
            ("significance_level", self.significance_level),
            ("material_gap_share", self.material_gap_share),
            ("sla_target", self.sla_target),
            ("csat_red_line", self.csat_red_line),
            ("csat_green_line", self.csat_green_line),
        ] {
            if !(value > 0.0 && value < 1.0) {
                return Err(AppError::invalid(format!(
                    "{name} is {value}, but must lie strictly between 0 and 1"
                )));
            }
        }
        if self.csat_red_line > self.csat_green_line {
            return Err(AppError::invalid(format!(
                "csat_red_line ({}) may not be above csat_green_line ({})",
                self.csat_red_line, self.csat_green_line
            )));
        }
        if self.pool_size == 0 {
            return Err(AppError::invalid("pool_size must be at least 1"));
        }
        crate::db::DatabaseUrl::parse(&self.database_url)?;
        self.validate_organisation()?;
        self.validate_mail()
    }

    fn validate_organisation(&self) -> Result<()> {
        let name = self.organisation_name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "organisation_name must be a name of 1 to 200 characters, such as \
                 \"Office of the State Chief Information Officer\"",
            ));
        }
        self.organisation_contact
            .parse::<lettre::Address>()
            .map_err(|e| {
                AppError::invalid(format!(
                    "organisation_contact `{}` is not an email address such as \
                     it-survey@state.example.gov: {e}",
                    self.organisation_contact
                ))
            })?;
        if let Some(footer) = &self.report_footer
            && (footer.chars().count() > 300 || footer.chars().any(char::is_control))
        {
            return Err(AppError::invalid(
                "report_footer must be one line of at most 300 characters",
            ));
        }
        Ok(())
    }

    fn validate_mail(&self) -> Result<()> {
        let base = self.public_base_url.trim();
        if !(base.starts_with("https://") || base.starts_with("http://"))
            || base.len() <= "https://".len()
            || base.contains(['?', '#', ' '])
        {
            return Err(AppError::invalid(format!(
                "public_base_url `{base}` must be an http:// or https:// address such as https://survey.example.gov"
            )));
        }
        self.mail_from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| {
                AppError::invalid(format!(
                    "mail_from `{}` is not an address such as `IT Survey <survey@example.gov>`: {e}",
                    self.mail_from
                ))
            })?;
        if let Some(host) = &self.smtp_host
            && host.trim().is_empty()
        {
            return Err(AppError::invalid(
                "smtp_host is empty: set a host name, or leave it unset to write mail to mail_dir",
            ));
        }
        if self.smtp_user.is_some() != self.smtp_password.is_some() {
            return Err(AppError::invalid(
                "smtp_user and smtp_password go together: set both or neither",
            ));
        }
        for (name, value) in [
            ("mail_concurrency", u64::from(self.mail_concurrency)),
            ("mail_max_attempts", u64::from(self.mail_max_attempts)),
            ("mail_poll_ms", self.mail_poll_ms),
            ("mail_lease_secs", self.mail_lease_secs),
            ("smtp_timeout_secs", self.smtp_timeout_secs),
            ("reminder_check_secs", self.reminder_check_secs),
        ] {
            if value == 0 {
                return Err(AppError::invalid(format!("{name} must be at least 1")));
            }
        }
        if self.mail_concurrency > 64 {
            return Err(AppError::invalid(format!(
                "mail_concurrency is {}; at most 64 SMTP connections are allowed",
                self.mail_concurrency
            )));
        }
        Ok(())
    }

    /// `public_base_url` without a trailing slash, ready to have `/s/TOKEN` appended.
    pub fn link_base(&self) -> &str {
        self.public_base_url.trim().trim_end_matches('/')
    }

    /// The SMTP port: the one set, or the usual one for the TLS mode.
    pub fn smtp_port_or_default(&self) -> u16 {
        self.smtp_port.unwrap_or(match self.smtp_tls {
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_local() {
        let s = Settings::default();
        s.validate().unwrap();
        assert_eq!(s.database_url, "sqlite://rind.db");
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.reporting_threshold, 5);
        assert_eq!(s.comment_threshold, 10);
    }

    #[test]
    fn threshold_below_three_is_refused() {
        let s = Settings {
            reporting_threshold: 2,
            ..Settings::default()
        };
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("reporting_threshold"), "{err}");
    }

    #[test]
    fn analysis_settings_must_be_shares() {
        for s in [
            Settings {
                significance_level: 0.0,
                ..Settings::default()
            },
            Settings {
                sla_target: 1.5,
                ..Settings::default()
            },
            Settings {
                csat_red_line: f64::NAN,
                ..Settings::default()
            },
            Settings {
                csat_red_line: 0.9,
                csat_green_line: 0.8,
                ..Settings::default()
            },
        ] {
            assert!(s.validate().is_err(), "{s:?}");
        }
    }

    #[test]
    fn mail_settings_are_checked() {
        for s in [
            Settings {
                public_base_url: "survey.example.gov".into(),
                ..Settings::default()
            },
            Settings {
                mail_from: "not an address".into(),
                ..Settings::default()
            },
            Settings {
                smtp_user: Some("rind".into()),
                ..Settings::default()
            },
            Settings {
                mail_concurrency: 0,
                ..Settings::default()
            },
        ] {
            assert!(s.validate().is_err(), "{s:?}");
        }
        let s = Settings {
            public_base_url: "https://survey.example.gov/".into(),
            smtp_user: Some("rind".into()),
            smtp_password: Some(Secret("hunter2".into())),
            ..Settings::default()
        };
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(s.link_base(), "https://survey.example.gov");
        assert_eq!(s.smtp_port_or_default(), 587);
    }

    #[test]
    fn toml_file_and_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rind.toml");
        std::fs::write(&path, "bind = \"0.0.0.0:9000\"\ncomment_threshold = 12\n").unwrap();
        let s = Settings::load(Some(&path)).unwrap();
        assert_eq!(s.bind, "0.0.0.0:9000");
        assert_eq!(s.comment_threshold, 12);

        std::fs::write(&path, "bnd = \"0.0.0.0:9000\"\n").unwrap();
        let err = Settings::load(Some(&path)).unwrap_err().to_string();
        assert!(err.contains("bnd"), "{err}");
    }
}
