//! Email addresses, checked and normalised once at the edge.

use std::fmt;

use crate::error::{AppError, Result};

/// A plausible, normalised (trimmed, lower-case) email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Email> {
        let s = s.trim().to_lowercase();
        let bad = |why: &str| {
            Err(AppError::invalid(format!(
                "`{s}` is not an email address: {why}"
            )))
        };
        if s.is_empty() {
            return Err(AppError::invalid("email address is empty"));
        }
        if s.len() > 254 {
            return bad("longer than 254 characters");
        }
        if s.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
        }) {
            return bad("it contains spaces or characters not allowed in an address");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return bad("no @");
        };
        if local.is_empty() || local.contains('@') {
            return bad("the part before @ is empty or has another @");
        }
        if domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || domain.starts_with('-')
        {
            return bad("the domain is not valid");
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `j***@agency.gov`: enough to recognise in logs, not enough to harvest.
    pub fn masked(&self) -> String {
        match self.0.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".into(),
        }
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn good_addresses_are_normalised() {
        assert_eq!(
            Email::parse(" Jo.Smith@DOT.State.gov ").unwrap().as_str(),
            "jo.smith@dot.state.gov"
        );
        assert_eq!(Email::parse("a+b@x.io").unwrap().masked(), "a***@x.io");
    }

    #[test]
    fn bad_addresses_are_refused() {
        for bad in [
            "",
            "plain",
            "@x.gov",
            "a@",
            "a@b",
            "a@.gov",
            "a@gov.",
            "a b@x.gov",
            "a@@x.gov",
            "a@x..gov",
            "<a@x.gov>",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_is_idempotent(s in "\\PC{0,40}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e);
            }
        }
    }
}
