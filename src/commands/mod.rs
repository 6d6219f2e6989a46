//! What each command-line command does, so `main.rs` only parses arguments: one file per
//! command group. The top layer: it calls `programme`, `delivery`, `import`, `report`,
//! `auth` and `web`, and nothing below calls it.
//!
//! | file | commands |
//! | --- | --- |
//! | `serve` | `serve`, `worker` (until stopped) |
//! | `database` | `migrate`, `demo` |
//! | `imports` | `import KIND FILE`, `instrument import` |
//! | `waves` | `wave create`, `wave close`, `send`, `remind` |
//! | `mail` | `mail ls`, `worker --once` |
//! | `reports` | `report gap|trend|baseline` |
//! | `users` | `user add`, `token add` |

pub mod database;
pub mod imports;
pub mod mail;
pub mod reports;
pub mod serve;
pub mod users;
pub mod waves;

// The operations the admin pages share live in `programme`; they stay reachable here, where
// tests, benches and scripts have always called them.
pub use crate::programme::{
    close_wave, create_wave, first_start, open, open_wave, set_wave_delivery,
};
pub use reports::{export_report, write_output};
pub use serve::{run_worker, serve};

use crate::config::Settings;
use crate::db::{DatabaseUrl, DbConnection};
use crate::error::Result;

/// The one connection a command other than `serve` works on, migrated. No pool: a CLI
/// run then leaves no pool thread holding a libpq connection when the process exits,
/// which could crash libpq's TLS teardown.
pub fn connect(settings: &Settings) -> Result<DbConnection> {
    let url = DatabaseUrl::parse(&settings.database_url)?;
    let mut conn = url.connect()?;
    crate::db::run_migrations(&mut conn)?;
    Ok(conn)
}
