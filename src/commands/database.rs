//! `rind migrate` and `rind demo`.

use crate::config::Settings;
use crate::db::{DatabaseUrl, DbConnection};
use crate::error::{AppError, Result};

/// `rind migrate [--revert-all]`: applies pending migrations, or reverts every one.
pub fn migrate(settings: &Settings, revert_all: bool) -> Result<()> {
    let url = DatabaseUrl::parse(&settings.database_url)?;
    let mut conn = url.connect()?;
    if revert_all {
        let reverted = crate::db::revert_all_migrations(&mut conn)?;
        println!("reverted {} migration(s)", reverted.len());
        return Ok(());
    }
    crate::db::run_migrations(&mut conn)?;
    println!("database is up to date ({})", url.redacted());
    Ok(())
}

/// `rind demo --seed N`: the demo programme, into an empty database only.
pub fn demo(conn: &mut DbConnection, seed: u64) -> Result<()> {
    // One transaction: a refused demo leaves no default instrument behind either.
    let summary = diesel::Connection::transaction::<_, AppError, _>(conn, |conn| {
        crate::programme::first_start(conn)?;
        crate::demo::seed_if_empty(conn, seed)?.ok_or_else(|| {
            AppError::Conflict(
                "the database already holds agencies or waves; the demo only fills an empty database".into(),
            )
        })
    })?;
    println!("{summary}");
    Ok(())
}
