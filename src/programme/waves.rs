//! A wave's life: created as a draft of an instrument's latest version, given its
//! delivery schedule, opened, closed. Sending and reminding are `delivery`'s.

use chrono::NaiveDateTime;

use crate::db::DbConnection;
use crate::error::{AppError, Result};
use crate::store::instruments;
use crate::store::waves::{self, NewWave, Wave};

/// `rind wave create` and the admin waves form: a draft wave of the latest version of
/// `instrument_code`.
pub fn create_wave(
    conn: &mut DbConnection,
    code: &str,
    instrument_code: &str,
    opens_at: Option<NaiveDateTime>,
    closes_at: Option<NaiveDateTime>,
    baseline: bool,
) -> Result<Wave> {
    let code = crate::domain::parse_code("wave", code)?;
    let instrument = instruments::latest(conn, instrument_code)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "instrument {instrument_code} (import it first with `rind instrument import FILE`)"
        ))
    })?;
    waves::create(
        conn,
        &NewWave {
            code,
            instrument_id: instrument.id,
            opens_at,
            closes_at,
            is_baseline: baseline,
            status: "draft",
        },
    )
}

/// `rind wave create --reminders 7,14 --max-reminders N --message TEXT`: how the wave's
/// invitations and reminders go out. Unset options keep the stored values.
pub fn set_wave_delivery(
    conn: &mut DbConnection,
    code: &str,
    reminders: Option<&str>,
    max_reminders: Option<u32>,
    message: Option<&str>,
) -> Result<Wave> {
    let wave = waves::by_code(conn, code)?;
    let schedule = match reminders {
        Some(days) => crate::domain::ReminderSchedule::parse(days)?.to_string(),
        None => wave.reminder_days.clone(),
    };
    let max_reminders = match max_reminders {
        Some(n) if n > crate::domain::reminders::MAX_SCHEDULED_REMINDERS as u32 => {
            return Err(AppError::invalid(format!(
                "--max-reminders {n}: at most {} reminders are allowed",
                crate::domain::reminders::MAX_SCHEDULED_REMINDERS
            )));
        }
        Some(n) => n as i32,
        None => wave.max_reminders,
    };
    let message = match message.map(str::trim) {
        Some("") => None,
        Some(text) => Some(text.to_string()),
        None => wave.message.clone(),
    };
    waves::set_delivery(conn, wave.id, &schedule, max_reminders, message.as_deref())?;
    waves::get(conn, wave.id)
}

/// Opens a draft wave now (as the first send does), without inviting anyone yet. A
/// closed wave stays closed.
pub fn open_wave(conn: &mut DbConnection, code: &str) -> Result<Wave> {
    let wave = waves::by_code(conn, code)?;
    if wave.is_closed(crate::store::now()) {
        return Err(AppError::Gone(format!("wave {code} is closed")));
    }
    waves::open_for_sending(conn, wave.id, crate::store::now())?;
    waves::get(conn, wave.id)
}

/// `rind wave close` and the admin close button: no more answers and no more mail for
/// the wave.
pub fn close_wave(conn: &mut DbConnection, code: &str) -> Result<Wave> {
    let wave = waves::by_code(conn, code)?;
    waves::close(conn, wave.id, crate::store::now())?;
    waves::get(conn, wave.id)
}
