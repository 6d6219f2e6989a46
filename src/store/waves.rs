//! Waves: survey rounds of one instrument, answered by both audiences.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::{instruments, invitations, responses, waves};
use crate::error::{AppError, Result};
use crate::with_backend;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = waves)]
pub struct Wave {
    pub id: i64,
    pub code: String,
    pub instrument_id: i64,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: Option<NaiveDateTime>,
    pub is_baseline: bool,
    pub status: String,
    pub reminder_days: String,
    pub max_reminders: i32,
    pub message: Option<String>,
}

impl Wave {
    /// Closed by hand, or past its closing time: no more answers, no more mail.
    pub fn is_closed(&self, now: NaiveDateTime) -> bool {
        self.status == "closed" || self.closes_at.is_some_and(|closes| closes <= now)
    }
}

#[derive(Debug, Clone)]
pub struct NewWave {
    pub code: String,
    pub instrument_id: i64,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: Option<NaiveDateTime>,
    pub is_baseline: bool,
    /// `draft`, `open` or `closed`.
    pub status: &'static str,
}

/// Creates a wave. Refuses a duplicate code, and a second baseline for the same
/// instrument code (trends are measured against one baseline).
pub fn create(conn: &mut DbConnection, wave: &NewWave) -> Result<Wave> {
    if find_by_code(conn, &wave.code)?.is_some() {
        return Err(AppError::Conflict(format!(
            "wave {} already exists",
            wave.code
        )));
    }
    if let (Some(opens), Some(closes)) = (wave.opens_at, wave.closes_at)
        && closes <= opens
    {
        return Err(AppError::invalid(format!(
            "wave {} would close ({closes}) before it opens ({opens})",
            wave.code
        )));
    }
    if wave.is_baseline {
        let instrument_code: String = instruments::table
            .find(wave.instrument_id)
            .select(instruments::code)
            .first(conn)?;
        let other: Option<String> = waves::table
            .inner_join(instruments::table)
            .filter(instruments::code.eq(&instrument_code))
            .filter(waves::is_baseline.eq(true))
            .select(waves::code)
            .first(conn)
            .optional()?;
        if let Some(other) = other {
            return Err(AppError::Conflict(format!(
                "wave {other} is already the baseline of instrument {instrument_code}"
            )));
        }
    }
    let id: i64 = with_backend!(conn, |c| diesel::insert_into(waves::table)
        .values((
            waves::code.eq(&wave.code),
            waves::instrument_id.eq(wave.instrument_id),
            waves::opens_at.eq(wave.opens_at),
            waves::closes_at.eq(wave.closes_at),
            waves::is_baseline.eq(wave.is_baseline),
            waves::status.eq(wave.status),
            waves::created_at.eq(super::now()),
        ))
        .returning(waves::id)
        .get_result(c))
    .map_err(|e| super::conflict_on_unique(e, || format!("wave {} already exists", wave.code)))?;
    get(conn, id)
}

/// Sets how a wave is delivered: its reminder schedule (days after the invitation, e.g.
/// `7,14`), the most reminders anyone gets, and the wave's own message for its emails.
pub fn set_delivery(
    conn: &mut DbConnection,
    id: i64,
    reminder_days: &str,
    max_reminders: i32,
    message: Option<&str>,
) -> Result<()> {
    diesel::update(waves::table.find(id))
        .set((
            waves::reminder_days.eq(reminder_days),
            waves::max_reminders.eq(max_reminders),
            waves::message.eq(message),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sending opens a draft wave; a wave with no opening time opens now.
pub fn open_for_sending(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> Result<()> {
    diesel::update(waves::table.find(id).filter(waves::status.eq("draft")))
        .set(waves::status.eq("open"))
        .execute(conn)?;
    diesel::update(waves::table.find(id).filter(waves::opens_at.is_null()))
        .set(waves::opens_at.eq(Some(now)))
        .execute(conn)?;
    Ok(())
}

/// Closes a wave now: its links stop working and no more mail goes out for it.
pub fn close(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> Result<()> {
    diesel::update(waves::table.find(id))
        .set(waves::status.eq("closed"))
        .execute(conn)?;
    // Keep an earlier closing time; a later one (or none) becomes now.
    diesel::update(
        waves::table
            .find(id)
            .filter(waves::closes_at.is_null().or(waves::closes_at.gt(now))),
    )
    .set(waves::closes_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}

/// Open waves that have a reminder schedule.
pub fn open_with_reminders(conn: &mut DbConnection) -> Result<Vec<Wave>> {
    Ok(waves::table
        .filter(waves::status.eq("open"))
        .filter(waves::reminder_days.ne(""))
        .order(waves::id)
        .select(Wave::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConnection, id: i64) -> Result<Wave> {
    waves::table
        .find(id)
        .select(Wave::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("wave #{id}")))
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<Wave>> {
    Ok(waves::table
        .filter(waves::code.eq(code))
        .select(Wave::as_select())
        .first(conn)
        .optional()?)
}

/// The wave with this code, or a `NotFound` naming it.
pub fn by_code(conn: &mut DbConnection, code: &str) -> Result<Wave> {
    find_by_code(conn, code)?.ok_or_else(|| AppError::NotFound(format!("wave {code}")))
}

/// A wave as the API lists it.
#[derive(Debug, Clone, Serialize)]
pub struct WaveSummary {
    pub code: String,
    pub instrument: String,
    pub instrument_version: i32,
    pub baseline: bool,
    pub status: String,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub invited: i64,
    pub customer_responses: i64,
    pub staff_responses: i64,
}

/// Every wave, oldest first, with its counts.
pub fn list(conn: &mut DbConnection) -> Result<Vec<WaveSummary>> {
    let rows: Vec<(Wave, String, i32)> = waves::table
        .inner_join(instruments::table)
        // Unscheduled waves last on both backends (SQLite sorts NULL first, PostgreSQL last).
        .order((
            waves::opens_at.is_null().asc(),
            waves::opens_at.asc(),
            waves::id.asc(),
        ))
        .select((Wave::as_select(), instruments::code, instruments::version))
        .load(conn)?;
    let counts: Vec<(i64, String, i64)> = responses::table
        .group_by((responses::wave_id, responses::audience))
        .select((
            responses::wave_id,
            responses::audience,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let invited: Vec<(i64, i64)> = invitations::table
        .group_by(invitations::wave_id)
        .select((invitations::wave_id, diesel::dsl::count_star()))
        .load(conn)?;
    let count_of = |wave: i64, audience: &str| {
        counts
            .iter()
            .find(|(w, a, _)| *w == wave && a == audience)
            .map_or(0, |(_, _, n)| *n)
    };
    Ok(rows
        .into_iter()
        .map(|(w, instrument, instrument_version)| WaveSummary {
            customer_responses: count_of(w.id, "customer"),
            staff_responses: count_of(w.id, "staff"),
            invited: invited
                .iter()
                .find(|(id, _)| *id == w.id)
                .map_or(0, |(_, n)| *n),
            code: w.code,
            instrument,
            instrument_version,
            baseline: w.is_baseline,
            status: w.status,
            opens_at: w.opens_at.map(|t| t.and_utc()),
            closes_at: w.closes_at.map(|t| t.and_utc()),
        })
        .collect())
}

/// The series a wave belongs to: every wave of the same instrument code (any version),
/// oldest first, up to and including `wave`.
pub fn series_until(conn: &mut DbConnection, wave: &Wave) -> Result<Vec<Wave>> {
    let code: String = instruments::table
        .find(wave.instrument_id)
        .select(instruments::code)
        .first(conn)?;
    let all: Vec<Wave> = waves::table
        .inner_join(instruments::table)
        .filter(instruments::code.eq(code))
        // Unscheduled waves last on both backends, as in `list`.
        .order((
            waves::opens_at.is_null().asc(),
            waves::opens_at.asc(),
            waves::id.asc(),
        ))
        .select(Wave::as_select())
        .load(conn)?;
    let end = all
        .iter()
        .position(|w| w.id == wave.id)
        .map_or(all.len(), |i| i + 1);
    Ok(all.into_iter().take(end).collect())
}
