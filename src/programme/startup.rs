//! Opening the database and a first start: what `rind serve`, `rind worker` and the tests
//! do before anything else.

use crate::config::Settings;
use crate::db::{Database, DbConnection};
use crate::error::Result;
use crate::import::instrument;

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
