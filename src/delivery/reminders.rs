//! Reminders: to people whose invitation went out and who have neither answered nor opted
//! out, never more than the wave's `max_reminders`. `rind remind` sends one now; the
//! worker follows each open wave's schedule (days after each person's invitation).

use chrono::{Duration, NaiveDateTime};
use diesel::Connection;

use super::email;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::domain::ReminderSchedule;
use crate::error::{AppError, Result};
use crate::store::invitations::{self, ReminderCandidate};
use crate::store::outbox::{self, MailKind};
use crate::store::waves::{self, Wave};

/// Queues a reminder now to everyone in the wave who may still get one.
pub fn remind_now(conn: &mut DbConnection, settings: &Settings, wave_code: &str) -> Result<usize> {
    let wave = waves::by_code(conn, wave_code)?;
    let now = crate::store::now();
    if wave.is_closed(now) {
        return Err(AppError::Conflict(format!(
            "wave {} is closed; no more reminders go out",
            wave.code
        )));
    }
    let candidates = invitations::reminder_candidates(conn, wave.id, wave.max_reminders)?;
    queue(conn, settings, &wave, &candidates, now)
}

/// Queues the reminders the open waves' schedules make due at `now`: reminder number k+1
/// goes `days[k]` days after the person's invitation was sent. Safe to run from several
/// instances at once (each reminder is counted on its invitation before it is queued).
pub fn enqueue_due(
    conn: &mut DbConnection,
    settings: &Settings,
    now: NaiveDateTime,
) -> Result<usize> {
    let mut queued = 0;
    for wave in waves::open_with_reminders(conn)? {
        if wave.is_closed(now) {
            continue;
        }
        let schedule = match ReminderSchedule::parse(&wave.reminder_days) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(wave = %wave.code, error = %e, "reminder schedule ignored");
                continue;
            }
        };
        let cap = wave
            .max_reminders
            .min(i32::try_from(schedule.days().len()).unwrap_or(i32::MAX));
        let due: Vec<ReminderCandidate> = invitations::reminder_candidates(conn, wave.id, cap)?
            .into_iter()
            .filter(|c| {
                let Some(sent_at) = c.sent_at else {
                    return false;
                };
                usize::try_from(c.reminders_sent)
                    .ok()
                    .and_then(|k| schedule.days().get(k))
                    .is_some_and(|days| sent_at + Duration::days(i64::from(*days)) <= now)
            })
            .collect();
        queued += queue(conn, settings, &wave, &due, now)?;
    }
    Ok(queued)
}

fn queue(
    conn: &mut DbConnection,
    settings: &Settings,
    wave: &Wave,
    candidates: &[ReminderCandidate],
    now: NaiveDateTime,
) -> Result<usize> {
    conn.transaction::<_, AppError, _>(|conn| {
        let mut messages = Vec::new();
        for c in candidates {
            if !invitations::count_reminder(conn, c.invitation_id, c.reminders_sent, now)? {
                continue;
            }
            messages.push(email::survey_message(
                settings,
                wave,
                MailKind::Reminder,
                c.audience,
                c.invitation_id,
                &c.name,
                &c.email,
            )?);
        }
        outbox::enqueue(conn, &messages)?;
        Ok(messages.len())
    })
}
