//! `rind wave create`, `rind wave close`, `rind send` and `rind remind`.

use crate::config::Settings;
use crate::db::DbConnection;
use crate::error::{AppError, Result};

/// What `rind wave create` was given.
pub struct WaveOptions {
    pub code: String,
    pub instrument: String,
    /// RFC 3339 or a date, as typed.
    pub opens: Option<String>,
    pub closes: Option<String>,
    pub baseline: bool,
    pub reminders: Option<String>,
    pub max_reminders: Option<u32>,
    pub message: Option<String>,
}

/// `rind wave create`: the draft wave and, when asked, its delivery schedule.
pub fn create(conn: &mut DbConnection, options: WaveOptions) -> Result<()> {
    let parse = |t: &Option<String>| t.as_deref().map(crate::domain::parse_timestamp).transpose();
    let (opens, closes) = (parse(&options.opens)?, parse(&options.closes)?);
    let WaveOptions {
        code,
        instrument,
        baseline,
        reminders,
        max_reminders,
        message,
        ..
    } = options;
    // One transaction: a bad --reminders leaves no wave behind.
    let wave = diesel::Connection::transaction::<_, AppError, _>(conn, |conn| {
        let wave =
            crate::programme::create_wave(conn, &code, &instrument, opens, closes, baseline)?;
        if reminders.is_some() || max_reminders.is_some() || message.is_some() {
            return crate::programme::set_wave_delivery(
                conn,
                &wave.code,
                reminders.as_deref(),
                max_reminders,
                message.as_deref(),
            );
        }
        Ok(wave)
    })?;
    println!(
        "created wave {}{}{}",
        wave.code,
        if wave.is_baseline { " (baseline)" } else { "" },
        if wave.reminder_days.is_empty() {
            String::new()
        } else {
            format!(
                "; reminders on days {} (at most {})",
                wave.reminder_days, wave.max_reminders
            )
        }
    );
    Ok(())
}

/// `rind wave close --code C`.
pub fn close(conn: &mut DbConnection, code: &str) -> Result<()> {
    let wave = crate::programme::close_wave(conn, code)?;
    println!("closed wave {}", wave.code);
    Ok(())
}

/// `rind send --wave C [--audience customer|staff|both]`.
pub fn send(
    conn: &mut DbConnection,
    settings: &Settings,
    wave: &str,
    audience: &str,
) -> Result<()> {
    let audiences = crate::delivery::Audiences::parse(audience)?;
    let summary = crate::delivery::send_wave(conn, settings, wave, audiences)?;
    println!("{summary}");
    if summary.invited() > 0 {
        println!(
            "`rind serve` (or `rind worker`) delivers them to {}",
            crate::delivery::Mailer::from_settings(settings)?.describe()
        );
    }
    Ok(())
}

/// `rind remind --wave C`.
pub fn remind(conn: &mut DbConnection, settings: &Settings, wave: &str) -> Result<()> {
    let n = crate::delivery::reminders::remind_now(conn, settings, wave)?;
    println!("wave {wave}: {n} reminder(s) queued");
    Ok(())
}
