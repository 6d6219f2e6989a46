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

/// `rind serve`: the HTTP server, until stopped.
pub async fn serve(settings: Settings, db: Database) -> Result<()> {
    let app = Application::build(settings.clone(), db)?;
    tracing::info!(port = app.port(), bind = %settings.bind, "rind is serving");
    app.run().await
}
