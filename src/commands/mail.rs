//! `rind mail ls` and `rind worker --once`.

use std::io::Write;

use crate::config::Settings;
use crate::db::DbConnection;
use crate::error::{AppError, Result};

/// `rind mail ls`: the `.eml` files of the mail folder, oldest first. Reads the folder
/// only; no database needed.
pub fn list(settings: &Settings) -> Result<()> {
    let files = crate::delivery::mailer::list_folder(&settings.mail_dir)?;
    let mut out = std::io::stdout().lock();
    let written = if files.is_empty() {
        writeln!(out, "no mail in {}", settings.mail_dir.display())
    } else {
        files
            .iter()
            .try_for_each(|f| writeln!(out, "{}\t{}\t{}\t{}", f.date, f.to, f.subject, f.file))
    };
    match written {
        // `rind mail ls | head`: the reader has seen enough.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| AppError::io("cannot write the listing", e)),
    }
}

/// `rind worker --once`: delivers what is due now, then returns.
pub fn deliver_due(conn: &mut DbConnection, settings: &Settings) -> Result<()> {
    let mailer = crate::delivery::Mailer::from_settings(settings)?;
    let report = crate::delivery::outbox::deliver_due(conn, settings, &mailer)?;
    println!("{report} (to {})", mailer.describe());
    Ok(())
}
