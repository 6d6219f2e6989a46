//! `rind import KIND FILE` and `rind instrument import FILE`: all-or-nothing imports.

use std::path::Path;

use crate::db::DbConnection;
use crate::error::Result;
use crate::import::ImportKind;
use crate::store::instruments::Imported;

/// `rind import {agencies,services,contacts,staff,sla,responses} FILE [--wave C]`.
pub fn import(
    conn: &mut DbConnection,
    kind: ImportKind,
    file: &Path,
    wave: Option<&str>,
) -> Result<()> {
    let summary = crate::import::import_file(conn, kind, file, wave)?;
    println!("{summary}");
    Ok(())
}

/// `rind instrument import FILE`.
pub fn instrument(conn: &mut DbConnection, file: &Path) -> Result<()> {
    match crate::import::instrument::import_file(conn, file)? {
        Imported::Created(i) => println!("imported instrument {} version {}", i.code, i.version),
        Imported::Unchanged(i) => println!(
            "instrument {} version {} is already stored, unchanged",
            i.code, i.version
        ),
    }
    Ok(())
}
