//! The mail outbox: messages written in the same transaction as what caused them, claimed
//! and delivered by the outbox worker (`delivery::outbox`).
//!
//! A row moves `pending` → `sending` (claimed, with a lease in `claimed_until`) → `sent`, or
//! back to `pending` with a later `next_attempt_at` after a passing failure, or to `failed`
//! with its error kept. A claim whose lease ran out (its worker died) may be claimed again.
//! Every update after the claim names the lease it was claimed with, so a worker whose
//! lease was taken over can't record anything over the new owner's work.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::outbox;
use crate::error::{AppError, Result};
use crate::with_backend;

/// What a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// The first email of an invitation, with its survey link.
    Invitation,
    /// A reminder to someone who has not answered yet.
    Reminder,
    /// Thanks, after a survey was submitted.
    ThankYou,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Invitation => "invitation",
            MailKind::Reminder => "reminder",
            MailKind::ThankYou => "thank_you",
        }
    }

    pub fn parse(s: &str) -> Result<MailKind> {
        [MailKind::Invitation, MailKind::Reminder, MailKind::ThankYou]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| AppError::Internal(format!("stored mail kind `{s}` is unknown")))
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailState {
    Pending,
    Sending,
    Sent,
    Failed,
}

impl MailState {
    pub fn as_str(self) -> &'static str {
        match self {
            MailState::Pending => "pending",
            MailState::Sending => "sending",
            MailState::Sent => "sent",
            MailState::Failed => "failed",
        }
    }
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub kind: MailKind,
    pub invitation_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// Our own Message-ID, without angle brackets; unique.
    pub message_id: String,
}

/// Queues messages, due at once. Call inside the transaction that caused them.
pub fn enqueue(conn: &mut DbConnection, messages: &[NewMessage]) -> Result<()> {
    let now = super::now();
    // 9 parameters a row; 100 rows stay far below SQLite's limit.
    for chunk in messages.chunks(100) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|m| {
                (
                    outbox::kind.eq(m.kind.as_str()),
                    outbox::invitation_id.eq(m.invitation_id),
                    outbox::recipient.eq(&m.recipient),
                    outbox::subject.eq(&m.subject),
                    outbox::body_text.eq(&m.body_text),
                    outbox::body_html.eq(&m.body_html),
                    outbox::message_id.eq(&m.message_id),
                    outbox::state.eq(MailState::Pending.as_str()),
                    outbox::attempts.eq(0),
                    outbox::next_attempt_at.eq(now),
                    outbox::created_at.eq(now),
                )
            })
            .collect();
        with_backend!(conn, |c| diesel::insert_into(outbox::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(())
}

/// A message claimed by a worker, which now holds it until `claimed_until`.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
#[diesel(table_name = outbox)]
pub struct ClaimedMessage {
    pub id: i64,
    pub kind: String,
    pub invitation_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    /// Including the attempt this claim starts.
    pub attempts: i32,
    /// The lease; later updates must name it.
    pub claimed_until: Option<NaiveDateTime>,
}

/// Claims up to `limit` messages that are due: pending ones whose time has come, and ones
/// whose previous claim ran out. Claiming counts an attempt, so a message that kills its
/// worker every time still reaches the attempt limit.
///
/// One statement does the choosing and the claiming. On PostgreSQL the rows are chosen
/// `FOR UPDATE SKIP LOCKED`: two instances claiming at once take different rows and never
/// wait on each other. SQLite has one writer at a time, so the statement alone is enough.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<ClaimedMessage>> {
    use diesel::sql_types::{BigInt, Timestamp};
    // Raw SQL: diesel's DSL can't put a subquery on `outbox` inside an UPDATE of `outbox`.
    // The two statements differ only in their placeholders and the locking clause.
    const RETURNING: &str = "RETURNING id, kind, invitation_id, recipient, subject, \
        body_text, body_html, message_id, attempts, claimed_until";
    Ok(match conn {
        DbConnection::Pg(c) => diesel::sql_query(format!(
            "UPDATE outbox SET state = 'sending', claimed_until = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox \
                 WHERE (state = 'pending' AND next_attempt_at <= $2) \
                    OR (state = 'sending' AND claimed_until < $2) \
                 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) {RETURNING}"
        ))
        .bind::<Timestamp, _>(lease_until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c)?,
        DbConnection::Sqlite(c) => diesel::sql_query(format!(
            "UPDATE outbox SET state = 'sending', claimed_until = ?1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox \
                 WHERE (state = 'pending' AND next_attempt_at <= ?2) \
                    OR (state = 'sending' AND claimed_until < ?2) \
                 ORDER BY next_attempt_at, id LIMIT ?3) {RETURNING}"
        ))
        .bind::<Timestamp, _>(lease_until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c)?,
    })
}

/// The row of a claimed message, as long as its claim (the lease it was claimed with) holds.
macro_rules! held {
    ($message:expr) => {
        outbox::table
            .find($message.id)
            .filter(outbox::state.eq(MailState::Sending.as_str()))
            .filter(outbox::claimed_until.eq($message.claimed_until))
    };
}

/// Records a delivered message. False when the claim was lost (another worker took over).
pub fn mark_sent(
    conn: &mut DbConnection,
    message: &ClaimedMessage,
    now: NaiveDateTime,
) -> Result<bool> {
    let n = diesel::update(held!(message))
        .set((
            outbox::state.eq(MailState::Sent.as_str()),
            outbox::sent_at.eq(Some(now)),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Puts a message back for another attempt at `next_attempt_at`, keeping the error.
pub fn retry_later(
    conn: &mut DbConnection,
    message: &ClaimedMessage,
    next_attempt_at: NaiveDateTime,
    error: &str,
) -> Result<bool> {
    let n = diesel::update(held!(message))
        .set((
            outbox::state.eq(MailState::Pending.as_str()),
            outbox::next_attempt_at.eq(next_attempt_at),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Gives a message up for good, keeping the reason.
pub fn mark_failed(conn: &mut DbConnection, message: &ClaimedMessage, error: &str) -> Result<bool> {
    let n = diesel::update(held!(message))
        .set((
            outbox::state.eq(MailState::Failed.as_str()),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Cancels the pending mail of an invitation whose recipient answered or opted out, so
/// that no reminder reaches them. The rows stay, `failed` with `reason`. A message already
/// claimed is checked again by its worker before it is sent.
pub fn cancel_pending(
    conn: &mut DbConnection,
    invitation_id: i64,
    kinds: &[MailKind],
    reason: &str,
) -> Result<usize> {
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    Ok(diesel::update(
        outbox::table
            .filter(outbox::invitation_id.eq(invitation_id))
            .filter(outbox::state.eq(MailState::Pending.as_str()))
            .filter(outbox::kind.eq_any(kinds)),
    )
    .set((
        outbox::state.eq(MailState::Failed.as_str()),
        outbox::last_error.eq(Some(reason)),
    ))
    .execute(conn)?)
}

/// One outbox row as stored, for listings and checks.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = outbox)]
pub struct MessageRow {
    pub id: i64,
    pub kind: String,
    pub invitation_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub message_id: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// Every message, oldest first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<MessageRow>> {
    Ok(outbox::table
        .order(outbox::id)
        .select(MessageRow::as_select())
        .load(conn)?)
}

/// Messages not yet sent nor given up: pending or being sent.
pub fn count_unfinished(conn: &mut DbConnection) -> Result<i64> {
    Ok(outbox::table
        .filter(outbox::state.eq_any([MailState::Pending.as_str(), MailState::Sending.as_str()]))
        .count()
        .get_result(conn)?)
}
