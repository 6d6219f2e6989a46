//! What each command-line command does, so `main.rs` only parses arguments.

use chrono::NaiveDateTime;

use crate::config::Settings;
use crate::db::{Database, DbConnection};
use crate::error::{AppError, Result};
use crate::import::instrument;
use crate::store::instruments;
use crate::store::waves::{self, NewWave, Wave};
use crate::web::Application;

/// Opens the database the settings name and applies pending migrations.
pub fn open(settings: &Settings) -> Result<Database> {
    let db = Database::open(&settings.database_url, settings.pool_size)?;
    let applied = db.migrate()?;
    if !applied.is_empty() {
        tracing::info!(database = %db.url.redacted(), migrations = ?applied, "migrated");
    }
    Ok(db)
}

/// First start: a database without any instrument gets the shipped one.
pub fn first_start(conn: &mut DbConnection) -> Result<()> {
    if let Some(i) = instrument::ensure_default(conn)? {
        tracing::info!(instrument = %i.code, version = i.version, "imported the default instrument");
    }
    Ok(())
}

/// `rind wave create`.
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

/// `rind wave close`: no more answers and no more mail for the wave.
pub fn close_wave(conn: &mut DbConnection, code: &str) -> Result<Wave> {
    let wave = waves::by_code(conn, code)?;
    waves::close(conn, wave.id, crate::store::now())?;
    waves::get(conn, wave.id)
}

/// `rind serve`: the HTTP server and, unless `with_worker` is false, the outbox worker,
/// until stopped (Ctrl-C or SIGTERM). The worker finishes the messages in hand first.
pub async fn serve(settings: Settings, db: Database, with_worker: bool) -> Result<()> {
    let app = Application::build(settings.clone(), db.clone())?;
    let worker = if with_worker {
        Some(crate::delivery::Worker::start(&settings, db)?)
    } else {
        None
    };
    tracing::info!(port = app.port(), bind = %settings.bind, worker = with_worker, "rind is serving");
    let served = app.run().await;
    if let Some(worker) = worker {
        // Joining threads blocks: not on the async runtime.
        actix_web::rt::task::spawn_blocking(move || worker.stop())
            .await
            .map_err(|e| AppError::Internal(format!("stopping the outbox worker: {e}")))?;
    }
    served
}

/// `rind worker`: the outbox worker alone, until Ctrl-C or SIGTERM.
pub fn run_worker(settings: &Settings) -> Result<()> {
    let db = open(settings)?;
    let worker = crate::delivery::Worker::start(settings, db)?;
    let system = actix_web::rt::System::new();
    system.block_on(async {
        actix_web::rt::spawn(async {
            if actix_web::rt::signal::ctrl_c().await.is_ok() {
                actix_web::rt::System::current().stop();
            }
        });
        #[cfg(unix)]
        actix_web::rt::spawn(async {
            use actix_web::rt::signal::unix::{SignalKind, signal};
            if let Ok(mut terminate) = signal(SignalKind::terminate()) {
                terminate.recv().await;
                actix_web::rt::System::current().stop();
            }
        });
    });
    system
        .run()
        .map_err(|e| AppError::io("the worker's signal handling failed", e))?;
    tracing::info!("stopping the outbox worker");
    worker.stop();
    Ok(())
}

/// `rind report baseline|trend --format html|pdf|xlsx|csv`: builds the report for the whole
/// programme (or one agency's version) and renders it, with a progress bar on standard
/// error (drawn only when it is a terminal).
pub fn export_report(
    conn: &mut DbConnection,
    settings: &Settings,
    kind: crate::report::document::ReportKind,
    wave: &str,
    agency: Option<&str>,
    format: crate::report::document::ExportFormat,
) -> Result<Vec<u8>> {
    use crate::report::document;
    let bar = indicatif::ProgressBar::new(document::STEPS + 1);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>24} [{bar:30}] {pos}/{len} {elapsed}")
            .map_err(|e| AppError::Internal(format!("progress bar: {e}")))?
            .progress_chars("=> "),
    );
    bar.set_message(format!("{} {wave}", kind.code()));
    // The command line is the CIO office's own tool: it sees every agency.
    let access = crate::auth::access::Access::new(crate::domain::Role::Admin, Vec::new());
    let report = document::build(conn, settings, kind, wave, &access, agency, &mut |step| {
        bar.set_message(step.to_string());
        bar.inc(1);
    })?;
    bar.set_message(format!("writing {}", format.extension()));
    let bytes = document::render(&report, format)?;
    bar.inc(1);
    bar.finish_and_clear();
    Ok(bytes)
}

/// Writes a finished report to `path` (through a temporary file renamed into place, so a
/// failure leaves no half-written file) or to standard output.
pub fn write_output(path: Option<&std::path::Path>, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    match path {
        Some(path) => {
            let cannot = |e| AppError::io(format!("cannot write {}", path.display()), e);
            let mut part = path.as_os_str().to_owned();
            part.push(".part");
            let part = std::path::PathBuf::from(part);
            let written = std::fs::write(&part, bytes).and_then(|()| std::fs::rename(&part, path));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&part);
                return Err(cannot(e));
            }
            Ok(())
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(|e| AppError::io("cannot write the report", e))
        }
    }
}
