//! The database: which backend a URL names, the connection pool, per-connection
//! SQLite settings, and the embedded migrations of both trees.

pub mod schema;

use std::path::PathBuf;
use std::time::Duration;

use diesel::PgConnection;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{AppError, Result};

/// One connection type over both backends. Queries that the two backends spell alike
/// run on it directly; `store` matches on it where the SQL differs (see `with_backend!`).
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// Runs `$body` with `$c` bound to the backend's own connection, so store code can use
/// backend-specific features (batch inserts, upserts, `RETURNING`) without repeating itself.
#[macro_export]
macro_rules! with_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Pg($c) => $body,
        }
    };
}

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A database location, parsed from its URL. We pick the backend from the scheme
/// ourselves: diesel's own `establish` would try each backend and could silently
/// create an empty SQLite file named after a mistyped URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl> {
        let url = url.trim();
        if url.is_empty() {
            return Err(AppError::invalid(
                "the database URL is empty: use sqlite://PATH, a file path, or postgres://...",
            ));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(AppError::invalid(
                    "sqlite:// needs a file path, e.g. sqlite://rind.db",
                ));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(AppError::invalid(format!(
                "unsupported database URL scheme `{scheme}://`: use sqlite://PATH, a plain file path, postgres:// or postgresql://"
            )));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(url)))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }

    /// The URL with any password masked, for logs.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => redact_password(url),
        }
    }

    /// Opens one connection, with rind's per-connection settings applied.
    pub fn connect(&self) -> Result<DbConnection> {
        match self {
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| {
                    AppError::invalid(format!("SQLite path {} is not UTF-8", path.display()))
                })?;
                let mut conn = SqliteConnection::establish(path)
                    .map_err(|e| AppError::Unavailable(format!("cannot open {path}: {e}")))?;
                // WAL lets readers run while the importer writes; busy_timeout makes a writer
                // wait for the lock instead of failing at once; NORMAL is safe under WAL.
                // busy_timeout comes first: switching to WAL itself needs the lock, and
                // the pool opens several connections at once. Memory-mapped reads and a
                // 32 MiB page cache speed up the full-wave scans of the analysis.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000;
                     PRAGMA journal_mode = WAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA mmap_size = 268435456;
                     PRAGMA cache_size = -32768;",
                )
                .map_err(AppError::Database)?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Pg)
                .map_err(|e| {
                    AppError::Unavailable(format!(
                        "cannot connect to {}: {e}",
                        redact_password(url)
                    ))
                }),
        }
    }
}

fn redact_password(url: &str) -> String {
    // postgres://user:secret@host/db -> postgres://user:***@host/db
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// r2d2 manager that opens connections of the backend the URL names.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> std::result::Result<DbConnection, r2d2::Error> {
        self.url.connect().map_err(|e| match e {
            AppError::Database(q) => r2d2::Error::QueryError(q),
            other => r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(
                other.to_string(),
            )),
        })
    }

    fn is_valid(&self, conn: &mut DbConnection) -> std::result::Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub type DbPool = Pool<Manager>;
pub type PooledDb = PooledConnection<Manager>;

/// The pool and what it points at.
#[derive(Clone)]
pub struct Database {
    pub url: DatabaseUrl,
    pub pool: DbPool,
}

impl Database {
    /// Opens a pool. Fails fast when the database can't be reached.
    pub fn open(url: &str, pool_size: u32) -> Result<Database> {
        let url = DatabaseUrl::parse(url)?;
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(Manager { url: url.clone() })
            .map_err(|e| AppError::Unavailable(format!("{}: {e}", url.redacted())))?;
        Ok(Database { url, pool })
    }

    pub fn conn(&self) -> Result<PooledDb> {
        Ok(self.pool.get()?)
    }

    /// Applies every pending migration; returns the names applied.
    pub fn migrate(&self) -> Result<Vec<String>> {
        run_migrations(&mut *self.conn()?)
    }
}

fn migration_error(e: Box<dyn std::error::Error + Send + Sync>) -> AppError {
    AppError::Internal(format!("migration failed: {e}"))
}

/// Applies pending migrations of the connection's backend.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>> {
    fn names(
        r: diesel::migration::Result<Vec<diesel::migration::MigrationVersion<'_>>>,
    ) -> Result<Vec<String>> {
        Ok(r.map_err(migration_error)?
            .iter()
            .map(|v| v.to_string())
            .collect())
    }
    match conn {
        DbConnection::Sqlite(c) => names(c.run_pending_migrations(SQLITE_MIGRATIONS)),
        DbConnection::Pg(c) => {
            // Several instances may start at once against one PostgreSQL: let one migrate.
            c.batch_execute("SELECT pg_advisory_lock(7384629101)")
                .map_err(AppError::Database)?;
            let applied = names(c.run_pending_migrations(PG_MIGRATIONS));
            c.batch_execute("SELECT pg_advisory_unlock(7384629101)")
                .map_err(AppError::Database)?;
            applied
        }
    }
}

/// Reverts every applied migration (used by `rind migrate --revert-all` and the tests).
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<Vec<String>> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
        DbConnection::Pg(c) => c.revert_all_migrations(PG_MIGRATIONS),
    };
    Ok(reverted
        .map_err(migration_error)?
        .iter()
        .map(|v| v.to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_picks_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://rind.db").unwrap(),
            DatabaseUrl::Sqlite("rind.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/rind.db").unwrap(),
            DatabaseUrl::Sqlite("/var/lib/rind.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("data/rind.db").unwrap(),
            DatabaseUrl::Sqlite("data/rind.db".into())
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@localhost/rind").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u@localhost/rind").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
    }

    #[test]
    fn other_schemes_are_refused_with_the_accepted_ones_named() {
        for url in ["mysql://root@localhost/rind", "postgress://x", "http://x"] {
            let err = DatabaseUrl::parse(url).unwrap_err().to_string();
            assert!(err.contains("unsupported database URL scheme"), "{err}");
            assert!(
                err.contains("sqlite://") && err.contains("postgres://"),
                "{err}"
            );
        }
        assert!(DatabaseUrl::parse("").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn passwords_are_masked_in_logs() {
        let url = DatabaseUrl::parse("postgres://rind:s3cret@db.example/rind").unwrap();
        assert_eq!(url.redacted(), "postgres://rind:***@db.example/rind");
    }
}
