//! The outbox worker: claims due messages, sends them, and records what happened.
//!
//! It runs inside `rind serve` and alone as `rind worker`, on plain threads (diesel and
//! lettre's SMTP transport both block, so nothing here touches the async workers):
//! `mail_concurrency` sender threads, each claiming one message at a time, sharing one
//! pooled SMTP transport (connections are reused), plus one thread following the waves'
//! reminder schedules.
//!
//! Nothing is sent twice: a message is claimed in one statement (`store::outbox::claim_due`;
//! on PostgreSQL `FOR UPDATE SKIP LOCKED`, so several instances take different rows) and
//! every later update names the claim's lease. A worker that is stopped finishes the
//! message in hand and records it before it exits. Only a process killed between the SMTP
//! server's "250 OK" and the database update can leave a message that is sent again once
//! its lease (`mail_lease_secs`) runs out; it then carries the same Message-ID.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::Connection;

use super::email;
use super::mailer::Mailer;
use super::reminders;
use super::tokens::{LinkToken, new_form_key};
use crate::config::Settings;
use crate::db::{Database, DbConnection};
use crate::domain::Email;
use crate::error::{AppError, Result};
use crate::store::invitations::{self, InvitationState};
use crate::store::outbox::{self, ClaimedMessage, MailKind};
use crate::store::waves;

/// The longest wait between two attempts at one message.
const MAX_RETRY_DELAY_MS: u64 = 6 * 60 * 60 * 1000;

/// What happened to one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// A passing failure; it is tried again later.
    RetryLater,
    /// Given up: a permanent failure, or too many attempts.
    Failed,
    /// Not sent because it is no longer wanted (the person answered or opted out, the
    /// wave closed).
    Cancelled,
    /// Another worker took the message over (this one held it past its lease).
    ClaimLost,
}

/// Counts of outcomes, as `rind worker --once` reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub cancelled: usize,
}

impl DeliveryReport {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Sent => self.sent += 1,
            Outcome::RetryLater => self.retried += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Cancelled => self.cancelled += 1,
            Outcome::ClaimLost => {}
        }
    }
}

impl std::fmt::Display for DeliveryReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} sent, {} to retry later, {} failed, {} cancelled",
            self.sent, self.retried, self.failed, self.cancelled
        )
    }
}

/// The wait before the attempt after `attempts` failed ones: the base, doubled each time.
pub fn retry_delay(settings: &Settings, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    let ms = settings
        .mail_retry_base_ms
        .saturating_mul(1u64 << doublings)
        .min(MAX_RETRY_DELAY_MS);
    Duration::from_millis(ms)
}

fn masked(address: &str) -> String {
    Email::parse(address)
        .map(|e| e.masked())
        .unwrap_or_else(|_| "***".into())
}

fn after(now: NaiveDateTime, wait: Duration) -> NaiveDateTime {
    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6))
}

/// Why a claimed message should not go out any more, if it shouldn't.
fn no_longer_wanted(
    conn: &mut DbConnection,
    kind: MailKind,
    invitation_id: i64,
    now: NaiveDateTime,
) -> Result<Option<&'static str>> {
    let invitation = invitations::get(conn, invitation_id)?;
    let wave = waves::get(conn, invitation.wave_id)?;
    let state = InvitationState::parse(&invitation.state)?;
    Ok(match kind {
        MailKind::ThankYou => None,
        _ if wave.is_closed(now) => Some("the wave closed first"),
        _ if state == InvitationState::OptedOut => Some("the recipient opted out"),
        _ if state == InvitationState::Responded => Some("the recipient has responded"),
        MailKind::Reminder if state != InvitationState::Sent => {
            Some("the invitation was never delivered")
        }
        _ => None,
    })
}

/// Sends one claimed message and records the outcome.
pub fn deliver(
    conn: &mut DbConnection,
    settings: &Settings,
    mailer: &Mailer,
    message: &ClaimedMessage,
) -> Result<Outcome> {
    let now = crate::store::now();
    let kind = MailKind::parse(&message.kind)?;
    if let Some(invitation_id) = message.invitation_id
        && let Some(reason) = no_longer_wanted(conn, kind, invitation_id, now)?
    {
        tracing::info!(
            message = message.id,
            kind = kind.as_str(),
            reason,
            "mail cancelled"
        );
        return Ok(
            if outbox::mark_failed(conn, message, &format!("not sent: {reason}"))? {
                Outcome::Cancelled
            } else {
                Outcome::ClaimLost
            },
        );
    }

    // A fresh link for this message; stored (as a hash) before the mail leaves, so it
    // works the moment the recipient clicks it.
    let token = match (email::wants_link(message), message.invitation_id) {
        (true, Some(invitation_id)) => {
            let token = LinkToken::generate();
            invitations::add_link(conn, invitation_id, &token.hash(), &new_form_key())?;
            Some(token)
        }
        (true, None) => {
            return record_failure(
                conn,
                settings,
                message,
                kind,
                &AppError::Internal("a survey email without an invitation".into()),
            );
        }
        (false, _) => None,
    };
    let sent = email::build(settings, message, token.as_ref())
        .and_then(|built| mailer.send(&built, &message.message_id));
    match sent {
        Ok(()) => {
            let recorded = conn.transaction::<_, AppError, _>(|conn| {
                if !outbox::mark_sent(conn, message, crate::store::now())? {
                    return Ok(false);
                }
                if let (MailKind::Invitation, Some(invitation_id)) = (kind, message.invitation_id) {
                    invitations::mark_sent(conn, invitation_id, now)?;
                }
                Ok(true)
            })?;
            tracing::info!(
                message = message.id,
                kind = kind.as_str(),
                to = %masked(&message.recipient),
                attempt = message.attempts,
                "mail sent"
            );
            Ok(if recorded {
                Outcome::Sent
            } else {
                Outcome::ClaimLost
            })
        }
        Err(e) => record_failure(conn, settings, message, kind, &e),
    }
}

fn record_failure(
    conn: &mut DbConnection,
    settings: &Settings,
    message: &ClaimedMessage,
    kind: MailKind,
    error: &AppError,
) -> Result<Outcome> {
    let permanent = !matches!(
        error,
        AppError::Mail {
            permanent: false,
            ..
        }
    );
    let attempts = u32::try_from(message.attempts).unwrap_or(u32::MAX);
    let text = error.to_string();
    let to = masked(&message.recipient);
    if !permanent && attempts < settings.mail_max_attempts {
        let wait = retry_delay(settings, message.attempts);
        tracing::warn!(message = message.id, %to, attempt = attempts, error = %text, retry_in_ms = wait.as_millis() as u64, "mail not delivered; will retry");
        let next = after(crate::store::now(), wait);
        return Ok(if outbox::retry_later(conn, message, next, &text)? {
            Outcome::RetryLater
        } else {
            Outcome::ClaimLost
        });
    }
    let reason = if permanent {
        text
    } else {
        format!("gave up after {attempts} attempts: {text}")
    };
    tracing::error!(message = message.id, %to, error = %reason, "mail failed");
    let recorded = conn.transaction::<_, AppError, _>(|conn| {
        if !outbox::mark_failed(conn, message, &reason)? {
            return Ok(false);
        }
        if let (MailKind::Invitation, Some(invitation_id)) = (kind, message.invitation_id) {
            invitations::mark_failed(conn, invitation_id)?;
        }
        Ok(true)
    })?;
    Ok(if recorded {
        Outcome::Failed
    } else {
        Outcome::ClaimLost
    })
}

/// Claims one due message, if there is one.
fn claim_one(conn: &mut DbConnection, settings: &Settings) -> Result<Option<ClaimedMessage>> {
    let now = crate::store::now();
    let lease = after(now, Duration::from_secs(settings.mail_lease_secs));
    Ok(outbox::claim_due(conn, now, lease, 1)?.into_iter().next())
}

/// Delivers every message that is due, one after another, until none is left (messages
/// put back for a later attempt count once they are due again). For `rind worker --once`.
pub fn deliver_due(
    conn: &mut DbConnection,
    settings: &Settings,
    mailer: &Mailer,
) -> Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    while let Some(message) = claim_one(conn, settings)? {
        report.add(deliver(conn, settings, mailer, &message)?);
    }
    Ok(report)
}

/// The stop flag the worker's threads share, with a condition variable so that a stop
/// wakes them at once instead of after their poll interval.
struct StopSignal {
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl StopSignal {
    fn is_set(&self) -> bool {
        *self.stopped.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits up to `timeout`; true if stop was asked for.
    fn wait(&self, timeout: Duration) -> bool {
        let guard = self.stopped.lock().unwrap_or_else(PoisonError::into_inner);
        let (guard, _) = self
            .wake
            .wait_timeout_while(guard, timeout, |stopped| !*stopped)
            .unwrap_or_else(PoisonError::into_inner);
        *guard
    }

    fn set(&self) {
        *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.wake.notify_all();
    }
}

/// The running outbox worker. `stop` (or dropping it) finishes and records the messages in
/// hand, then ends its threads.
pub struct Worker {
    signal: Arc<StopSignal>,
    threads: Vec<JoinHandle<()>>,
}

impl Worker {
    /// Starts the sender threads and the reminder scheduler.
    pub fn start(settings: &Settings, db: Database) -> Result<Worker> {
        let mailer = Mailer::from_settings(settings)?;
        tracing::info!(to = %mailer.describe(), senders = settings.mail_concurrency, "outbox worker started");
        let signal = Arc::new(StopSignal {
            stopped: Mutex::new(false),
            wake: Condvar::new(),
        });
        let mut threads = Vec::new();
        for n in 0..settings.mail_concurrency {
            let (signal, settings, db, mailer) =
                (signal.clone(), settings.clone(), db.clone(), mailer.clone());
            threads.push(
                std::thread::Builder::new()
                    .name(format!("rind-mail-{n}"))
                    .spawn(move || send_loop(&signal, &settings, &db, &mailer))
                    .map_err(|e| AppError::io("cannot start the outbox worker", e))?,
            );
        }
        let (scheduler_signal, settings, db) = (signal.clone(), settings.clone(), db);
        threads.push(
            std::thread::Builder::new()
                .name("rind-reminders".into())
                .spawn(move || reminder_loop(&scheduler_signal, &settings, &db))
                .map_err(|e| AppError::io("cannot start the reminder scheduler", e))?,
        );
        Ok(Worker { signal, threads })
    }

    /// Asks the threads to stop and waits until they have.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.signal.set();
        for thread in self.threads.drain(..) {
            if thread.join().is_err() {
                tracing::error!("an outbox worker thread panicked");
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shut_down();
    }
}

fn send_loop(signal: &StopSignal, settings: &Settings, db: &Database, mailer: &Mailer) {
    let poll = Duration::from_millis(settings.mail_poll_ms);
    while !signal.is_set() {
        let step = db.conn().and_then(|mut conn| {
            let Some(message) = claim_one(&mut conn, settings)? else {
                return Ok(false);
            };
            deliver(&mut conn, settings, mailer, &message)?;
            Ok(true)
        });
        match step {
            // More may be due: go straight on.
            Ok(true) => {}
            Ok(false) => {
                signal.wait(poll);
            }
            Err(e) => {
                tracing::error!(error = %e, "outbox worker: database error; trying again");
                signal.wait(poll);
            }
        }
    }
}

fn reminder_loop(signal: &StopSignal, settings: &Settings, db: &Database) {
    let every = Duration::from_secs(settings.reminder_check_secs);
    loop {
        let queued = db
            .conn()
            .and_then(|mut conn| reminders::enqueue_due(&mut conn, settings, crate::store::now()));
        match queued {
            Ok(0) => {}
            Ok(n) => tracing::info!(reminders = n, "scheduled reminders queued"),
            Err(e) => tracing::error!(error = %e, "reminder scheduler: trying again later"),
        }
        if signal.wait(every) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_and_stop_at_six_hours() {
        let settings = Settings {
            mail_retry_base_ms: 1_000,
            ..Settings::default()
        };
        assert_eq!(retry_delay(&settings, 1), Duration::from_secs(1));
        assert_eq!(retry_delay(&settings, 2), Duration::from_secs(2));
        assert_eq!(retry_delay(&settings, 4), Duration::from_secs(8));
        assert_eq!(retry_delay(&settings, 100), Duration::from_secs(6 * 3600));
        assert_eq!(retry_delay(&settings, 0), Duration::from_secs(1));
    }
}
