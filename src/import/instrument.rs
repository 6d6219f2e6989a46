//! Importing an instrument from its TOML text.

use std::collections::HashSet;
use std::path::Path;

use diesel::Connection;

use crate::db::DbConnection;
use crate::domain::InstrumentDef;
use crate::error::{AppError, Result};
use crate::store::instruments::{self, DEFAULT_INSTRUMENT, Imported};
use crate::store::services;

/// Validates and stores an instrument read from a file.
pub fn import_file(conn: &mut DbConnection, path: &Path) -> Result<Imported> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| AppError::io(format!("cannot read {}", path.display()), e))?;
    import(conn, &source).map_err(|e| match e {
        AppError::Rejected { rows, .. } => AppError::Rejected {
            what: format!("instrument {}", path.display()),
            rows,
        },
        other => other,
    })
}

/// Validates and stores an instrument, in one transaction.
pub fn import(conn: &mut DbConnection, source: &str) -> Result<Imported> {
    conn.transaction::<_, AppError, _>(|conn| {
        let service_ids = services::ids_by_code(conn)?;
        let known: HashSet<String> = service_ids.keys().cloned().collect();
        let def = InstrumentDef::parse(source, &known)?;
        instruments::insert(conn, &def, source, &service_ids)
    })
}

/// On a database with no instrument yet, adds the shipped service catalogue entries that
/// are missing and imports the default instrument. Returns it when it was imported.
pub fn ensure_default(conn: &mut DbConnection) -> Result<Option<instruments::Instrument>> {
    if instruments::count(conn)? > 0 {
        return Ok(None);
    }
    conn.transaction::<_, AppError, _>(|conn| {
        services::ensure_default_catalogue(conn)?;
        match import(conn, DEFAULT_INSTRUMENT)? {
            Imported::Created(i) | Imported::Unchanged(i) => Ok(Some(i)),
        }
    })
}
