//! Signing in to the dashboard: password check, a growing delay after each failure, a
//! temporary lock after repeated failures, and the session that a good sign-in opens.

use std::time::Duration;

use chrono::NaiveDateTime;

use super::password;
use super::token::Secret;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::domain::Email;
use crate::error::Result;
use crate::store::sessions;
use crate::store::users::{self, User};

/// Longest delay before a failed sign-in is answered.
const MAX_DELAY: Duration = Duration::from_secs(4);

/// A hash to verify against when the email is unknown, so that a wrong email takes as
/// long as a wrong password and the answer tells nothing about who has an account.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3kGM8J8zvyd5ZBNqu7yB0kDk9QlW7zjK9yJ8lWmUj3Q";

/// What a sign-in attempt came to.
#[derive(Debug)]
pub enum Outcome {
    /// Signed in: set `token` as the session cookie.
    SignedIn { token: Secret, user: User },
    /// Wrong email or password; answer only after `delay`.
    Refused { delay: Duration },
    /// Too many failures: the account is locked until then (even for the right password).
    Locked { until: NaiveDateTime },
}

/// The delay before answering the `failures`-th failure in a row: the base delay, doubled
/// for each earlier failure, at most [`MAX_DELAY`].
pub fn delay_after(failures: u32, settings: &Settings) -> Duration {
    let base = Duration::from_millis(settings.signin_delay_ms);
    let doubled = base.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
    doubled.min(MAX_DELAY)
}

/// Checks `email` and `password` at `now`, counting failures and opening a session on
/// success.
pub fn sign_in(
    conn: &mut DbConnection,
    settings: &Settings,
    email: &str,
    password: &str,
    now: NaiveDateTime,
) -> Result<Outcome> {
    let user = match Email::parse(email) {
        Ok(email) => users::find_by_email(conn, &email)?,
        Err(_) => None,
    };
    let Some(user) = user else {
        password::verify(password, DUMMY_HASH);
        return Ok(Outcome::Refused {
            delay: delay_after(1, settings),
        });
    };
    if let Some(until) = user.locked_until.filter(|until| *until > now) {
        return Ok(Outcome::Locked { until });
    }
    if !password::verify(password, &user.password_hash) {
        let lock_after = settings.signin_lock_after.max(1) as i32;
        let lock_for = chrono::Duration::minutes(i64::from(settings.signin_lock_minutes));
        let failures = users::record_failed_signin(conn, user.id, |failures| {
            (failures >= lock_after).then(|| now + lock_for)
        })?;
        if failures >= lock_after {
            return Ok(Outcome::Locked {
                until: now + lock_for,
            });
        }
        return Ok(Outcome::Refused {
            delay: delay_after(failures.max(1) as u32, settings),
        });
    }
    users::record_good_signin(conn, user.id)?;
    let token = Secret::generate();
    let expires = now + chrono::Duration::hours(i64::from(settings.session_hours.max(1)));
    sessions::create(
        conn,
        &token.hash(),
        user.id,
        Secret::generate().as_str(),
        expires,
    )?;
    Ok(Outcome::SignedIn { token, user })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_a_cap() {
        let settings = Settings::default();
        assert_eq!(delay_after(1, &settings), Duration::from_millis(250));
        assert_eq!(delay_after(2, &settings), Duration::from_millis(500));
        assert_eq!(delay_after(3, &settings), Duration::from_millis(1000));
        assert_eq!(delay_after(10, &settings), MAX_DELAY);
        assert_eq!(delay_after(u32::MAX, &settings), MAX_DELAY);
    }

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash() {
        // If it did not parse, an unknown email would be answered faster than a known one.
        assert!(
            argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH).is_ok(),
            "{DUMMY_HASH}"
        );
    }
}
