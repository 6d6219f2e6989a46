//! Shared helpers for rind's black-box tests.
//!
//! Every test gets its own database: a temporary SQLite file by default, or, when
//! `TEST_DATABASE_URL` names a PostgreSQL server, a fresh database on it that is dropped
//! when the test ends. An unreachable PostgreSQL fails the test; it never skips.
//!
//! `TestDb` runs the real `rind` binary against that database (`db.rind(..)`,
//! `db.import(..)`) and reads back what was written through the library's store
//! functions (`db.conn()`, `db.snapshot()`). `TestApp` starts the real web application on a
//! free port and talks HTTP to it (optionally with its outbox worker, as `rind serve` runs
//! it); `smtp::SmtpServer` is a real SMTP server on loopback for it to send to.

#![allow(
    dead_code,
    reason = "each test file uses a different subset of the helpers"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test helper that fails should panic loudly, like the test itself"
)]

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::BigInt;
use rind::db::DbConnection;
use rind::store;

pub mod smtp;

/// The instrument shipped in the repository.
pub fn default_instrument_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("instruments/default.toml")
}

/// The repository's migration trees.
pub fn migrations_dir(backend: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend)
}

// ---------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------

/// A fresh, empty database for one test, and a scratch folder for its input files.
pub struct TestDb {
    /// What `--database-url` gets.
    pub url: String,
    /// Set once the migrations have been applied.
    migrated: OnceLock<()>,
    // Field order is drop order: the PostgreSQL database is dropped before the scratch
    // folder (which may hold the SQLite file).
    pg: Option<PgDatabase>,
    dir: tempfile::TempDir,
}

/// A PostgreSQL database created for one test; dropped with it.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // Never panic here: a drop during unwinding would abort the whole test binary.
        match diesel::PgConnection::establish(&self.admin_url) {
            Ok(mut admin) => {
                let drop = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
                if let Err(e) = sql_query(drop).execute(&mut admin) {
                    eprintln!("warning: could not drop test database {}: {e}", self.name);
                }
            }
            Err(e) => eprintln!("warning: could not drop test database {}: {e}", self.name),
        }
    }
}

/// A random-enough 64-bit number without pulling in a generator: the standard library
/// seeds every `RandomState` randomly; pid, time and a counter make clashes impossible in
/// practice even across parallel test binaries.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.finish()
}

/// `postgres://u@host:5432/postgres?x=y` with its database replaced by `name`.
fn with_database(admin_url: &str, name: &str) -> String {
    let (scheme, rest) = admin_url
        .split_once("://")
        .unwrap_or_else(|| panic!("TEST_DATABASE_URL `{admin_url}` is not a URL"));
    let (authority, path) = match rest.split_once('/') {
        Some((authority, path)) => (authority, path),
        None => (rest, ""),
    };
    let query = path
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{scheme}://{authority}/{name}{query}")
}

fn create_pg_database(admin_url: &str) -> (String, PgDatabase) {
    let mut admin = diesel::PgConnection::establish(admin_url).unwrap_or_else(|e| {
        panic!("TEST_DATABASE_URL is set, but PostgreSQL at {admin_url} is unreachable: {e}")
    });
    let name = format!("rind_test_{:016x}", random_u64());
    // Concurrent CREATE DATABASE can briefly collide on the template; try a few times.
    let mut attempt = 0;
    loop {
        match sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut admin) {
            Ok(_) => break,
            Err(e) if attempt < 5 => {
                attempt += 1;
                eprintln!("retrying CREATE DATABASE {name}: {e}");
                std::thread::sleep(Duration::from_millis(200 * attempt));
            }
            Err(e) => panic!("cannot create test database {name} on {admin_url}: {e}"),
        }
    }
    let url = with_database(admin_url, &name);
    (
        url,
        PgDatabase {
            admin_url: admin_url.to_string(),
            name,
        },
    )
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Tables whose row counts a snapshot records.
/// The password of users that tests add.
pub const PASSWORD: &str = "correct horse battery staple";

pub const TABLES: &[&str] = &[
    "users",
    "agencies",
    "services",
    "contacts",
    "staff",
    "instruments",
    "items",
    "waves",
    "invitations",
    "invitation_links",
    "responses",
    "comments",
    "sla_metrics",
    "follow_ups",
    "outbox",
    "sessions",
    "api_tokens",
];

/// Everything a test can see in the database, to assert that a refused command wrote
/// nothing: row counts of every table plus the full contents of the people and catalogue
/// tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub counts: BTreeMap<String, i64>,
    pub contents: BTreeMap<&'static str, String>,
}

impl Snapshot {
    pub fn count(&self, table: &str) -> i64 {
        *self
            .counts
            .get(table)
            .unwrap_or_else(|| panic!("no table {table} in the snapshot"))
    }
}

/// One open connection to a test database; use it as a `DbConnection`.
pub struct Conn(DbConnection);

impl std::ops::Deref for Conn {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.0
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.0
    }
}

/// Rows in one of `TABLES`.
fn count_rows(conn: &mut DbConnection, table: &str) -> i64 {
    assert!(TABLES.contains(&table), "unknown table {table}");
    let query = format!("SELECT COUNT(*) AS n FROM {table}");
    let row: Count = rind::with_backend!(conn, |c| sql_query(&query).get_result(c))
        .unwrap_or_else(|e| panic!("count {table}: {e}"));
    row.n
}

impl TestDb {
    /// A fresh database on the backend under test.
    pub fn new() -> TestDb {
        let dir = tempfile::Builder::new()
            .prefix("rind-test-")
            .tempdir()
            .expect("create a temporary folder");
        let (url, pg) = match std::env::var("TEST_DATABASE_URL") {
            Ok(admin) if !admin.trim().is_empty() => {
                let (url, pg) = create_pg_database(admin.trim());
                (url, Some(pg))
            }
            _ => (
                format!("sqlite://{}", dir.path().join("rind.db").display()),
                None,
            ),
        };
        TestDb {
            url,
            migrated: OnceLock::new(),
            pg,
            dir,
        }
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        if self.pg.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// The test's scratch folder (also the working directory of every `rind` run).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file into the scratch folder and returns its path.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write a test input file");
        path
    }

    /// A connection to the database, migrated on first use.
    ///
    /// One plain connection rather than a pool, as the CLI does: r2d2's background threads
    /// can still hold a PostgreSQL connection when the test process exits, and libpq may
    /// crash then.
    pub fn conn(&self) -> Conn {
        let mut conn = self.connect_unmigrated();
        self.migrated.get_or_init(|| {
            rind::db::run_migrations(&mut conn).expect("migrate the test database");
        });
        Conn(conn)
    }

    /// Opens a single connection without migrating (for migration tests).
    pub fn connect_unmigrated(&self) -> DbConnection {
        rind::db::DatabaseUrl::parse(&self.url)
            .expect("a valid URL")
            .connect()
            .expect("connect to the test database")
    }

    /// Runs the real `rind` binary with this database.
    pub fn rind(&self, args: &[&str]) -> Run {
        self.rind_with_env(args, &[])
    }

    /// Runs the real `rind` binary with this database and extra environment variables.
    pub fn rind_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut full = vec!["--database-url", self.url.as_str()];
        full.extend_from_slice(args);
        rind_in(self.dir(), &full, env)
    }

    /// `rind import KIND FILE`, with `csv` written to a file first.
    pub fn import(&self, kind: &str, csv: &str) -> Run {
        let path = self.file(&format!("{kind}-{:x}.csv", random_u64()), csv);
        self.rind(&["import", kind, path.to_str().expect("UTF-8 path")])
    }

    /// `rind import KIND FILE --wave WAVE`, with `csv` written to a file first.
    pub fn import_for_wave(&self, kind: &str, csv: &str, wave: &str) -> Run {
        let path = self.file(&format!("{kind}-{:x}.csv", random_u64()), csv);
        self.rind(&[
            "import",
            kind,
            path.to_str().expect("UTF-8 path"),
            "--wave",
            wave,
        ])
    }

    /// `rind instrument import FILE`, with `toml` written to a file first.
    pub fn import_instrument(&self, toml: &str) -> Run {
        let path = self.file(&format!("instrument-{:x}.toml", random_u64()), toml);
        self.rind(&["instrument", "import", path.to_str().expect("UTF-8 path")])
    }

    /// What `rind serve` does on first start: the default catalogue and instrument.
    pub fn with_default_instrument(&self) -> &Self {
        rind::commands::first_start(&mut self.conn()).expect("first start");
        self
    }

    /// Creates a wave of the default instrument through the library.
    pub fn create_wave(&self, code: &str, baseline: bool) -> store::waves::Wave {
        rind::commands::create_wave(&mut self.conn(), code, "agency-cx", None, None, baseline)
            .expect("create a wave")
    }

    /// Adds a user `{role}-{n}@rind.test` (password `PASSWORD`) with an API token, and
    /// returns the token.
    pub fn api_token(&self, role: &str) -> String {
        let email = format!("{role}-{:x}@rind.test", random_u64());
        rind::auth::add_user(&mut self.conn(), &email, role, PASSWORD).expect("add a user");
        self.api_token_for(&email)
    }

    /// A new API token of the existing user with this email.
    pub fn api_token_for(&self, email: &str) -> String {
        let mut conn = self.conn();
        let email = rind::domain::Email::parse(email).expect("an email");
        let user = store::users::find_by_email(&mut conn, &email)
            .expect("find the user")
            .expect("the user exists");
        let token = rind::auth::token::Secret::generate();
        store::sessions::create_api_token(&mut conn, &token.hash(), user.id, "test")
            .expect("create an API token");
        token.as_str().to_string()
    }

    /// The wave with this code.
    pub fn wave(&self, code: &str) -> store::waves::Wave {
        store::waves::by_code(&mut self.conn(), code).expect("the wave exists")
    }

    /// The id of a stored instrument version.
    pub fn instrument_id(&self, code: &str, version: i32) -> i64 {
        store::instruments::list(&mut self.conn())
            .expect("instruments")
            .into_iter()
            .find(|i| i.code == code && i.version == version)
            .unwrap_or_else(|| panic!("no instrument {code} version {version}"))
            .id
    }

    /// Rows in one table.
    pub fn count(&self, table: &str) -> i64 {
        count_rows(&mut self.conn(), table)
    }

    /// Row counts of every table and the contents of the people and catalogue tables.
    pub fn snapshot(&self) -> Snapshot {
        let mut conn = self.conn();
        let conn = &mut *conn;
        let counts = TABLES
            .iter()
            .map(|t| (t.to_string(), count_rows(conn, t)))
            .collect();
        let mut contents = BTreeMap::new();
        contents.insert(
            "agencies",
            format!("{:?}", store::agencies::list(conn).expect("agencies")),
        );
        contents.insert(
            "services",
            format!("{:?}", store::services::list(conn).expect("services")),
        );
        contents.insert(
            "contacts",
            format!("{:?}", store::contacts::list(conn).expect("contacts")),
        );
        contents.insert(
            "staff",
            format!("{:?}", store::staff::list(conn).expect("staff")),
        );
        contents.insert(
            "instruments",
            format!("{:?}", store::instruments::list(conn).expect("instruments")),
        );
        contents.insert(
            "waves",
            format!("{:?}", store::waves::list(conn).expect("waves")),
        );
        let waves = store::waves::list(conn).expect("waves");
        let mut sla = Vec::new();
        for w in &waves {
            let wave = store::waves::by_code(conn, &w.code).expect("wave");
            sla.push(store::sla::for_wave(conn, wave.id).expect("sla"));
        }
        contents.insert("sla_metrics", format!("{sla:?}"));
        Snapshot { counts, contents }
    }

    /// Agency code → id.
    pub fn agency_id(&self, code: &str) -> i64 {
        *store::agencies::ids_by_code(&mut self.conn())
            .expect("agencies")
            .get(code)
            .unwrap_or_else(|| panic!("no agency {code}"))
    }

    /// An agency's name, as pages and reports show it.
    pub fn agency_name(&self, code: &str) -> String {
        store::agencies::by_code(&mut self.conn(), code)
            .expect("agency")
            .name
    }

    /// Service code → id.
    pub fn service_id(&self, code: &str) -> i64 {
        *store::services::ids_by_code(&mut self.conn())
            .expect("services")
            .get(code)
            .unwrap_or_else(|| panic!("no service {code}"))
    }
}

// ---------------------------------------------------------------------------------------
// The binary
// ---------------------------------------------------------------------------------------

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// One `line N: ...` entry of a refused import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    /// Everything after `line N: `, e.g. `email: ... is not an email address`.
    pub text: String,
}

impl Run {
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// Panics (showing the output) unless the command succeeded.
    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert!(self.success(), "expected success: {self}");
        self
    }

    /// Panics unless the command failed with a non-zero exit code (not a crash).
    #[track_caller]
    pub fn assert_failed(&self) -> &Self {
        assert!(!self.success(), "expected failure: {self}");
        assert_eq!(self.status.code(), Some(1), "expected exit code 1: {self}");
        assert!(
            !self.stderr.contains("panicked"),
            "the binary panicked instead of reporting an error: {self}"
        );
        assert!(self.stderr.contains("error: "), "no error message: {self}");
        self
    }

    /// Panics unless stderr contains `needle`.
    #[track_caller]
    pub fn assert_stderr_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}: {self}"
        );
        self
    }

    /// Panics unless stdout contains `needle`.
    #[track_caller]
    pub fn assert_stdout_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}: {self}"
        );
        self
    }

    /// Every `line N: ...` entry in stderr, in order.
    pub fn row_errors(&self) -> Vec<RowError> {
        self.stderr
            .lines()
            .filter_map(|l| {
                let rest = l.trim().strip_prefix("line ")?;
                let (n, text) = rest.split_once(": ")?;
                Some(RowError {
                    line: n.parse().ok()?,
                    text: text.to_string(),
                })
            })
            .collect()
    }

    /// The distinct line numbers reported, ascending.
    pub fn error_lines(&self) -> Vec<u64> {
        let mut lines: Vec<u64> = self.row_errors().iter().map(|e| e.line).collect();
        lines.sort_unstable();
        lines.dedup();
        lines
    }

    /// Panics unless stderr has `line LINE: FIELD: ...NEEDLE...`.
    #[track_caller]
    pub fn assert_row_error(&self, line: u64, field: &str, needle: &str) -> &Self {
        let prefix = format!("{field}: ");
        assert!(
            self.row_errors()
                .iter()
                .any(|e| e.line == line && e.text.starts_with(&prefix) && e.text.contains(needle)),
            "no `line {line}: {field}: ...{needle}...` in stderr: {self}"
        );
        self
    }

    /// Panics unless stderr has `line LINE: ...NEEDLE...` (any field, or none).
    #[track_caller]
    pub fn assert_line_error(&self, line: u64, needle: &str) -> &Self {
        assert!(
            self.row_errors()
                .iter()
                .any(|e| e.line == line && e.text.contains(needle)),
            "no `line {line}: ...{needle}...` in stderr: {self}"
        );
        self
    }

    /// Panics unless exactly these lines are reported.
    #[track_caller]
    pub fn assert_error_lines(&self, expected: &[u64]) -> &Self {
        assert_eq!(
            self.error_lines(),
            expected,
            "reported lines differ: {self}"
        );
        self
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`rind {}` exited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args.join(" "),
            self.status,
            self.stdout,
            self.stderr
        )
    }
}

/// A `rind` command in `dir` with a clean environment: no inherited `DATABASE_URL`,
/// `RIND_*` setting or `rind.toml` can leak into a test.
pub fn rind_command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rind"));
    cmd.args(args).current_dir(dir);
    cmd.env_remove("DATABASE_URL");
    for (key, _) in std::env::vars() {
        if key.starts_with("RIND_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1");
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd
}

/// Runs `rind ARGS` in `dir` and collects what it did.
pub fn rind_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = rind_command(dir, args, env)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the rind binary");
    Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// The web app
// ---------------------------------------------------------------------------------------

/// The real application, bound to a free port on 127.0.0.1, serving a test database.
pub struct TestApp {
    pub address: String,
    client: reqwest::blocking::Client,
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    /// A response header, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON; panics (showing it) if it is not.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Settings for an app or worker under test: the test database, a free port, mail to the
/// test's folder, and a worker that polls and retries in milliseconds.
pub fn test_settings(db: &TestDb) -> rind::Settings {
    rind::Settings {
        database_url: db.url.clone(),
        bind: "127.0.0.1:0".into(),
        pool_size: 8,
        public_base_url: "https://survey.example.gov".into(),
        mail_from: "IT Office Survey <survey@it.state.example>".into(),
        mail_dir: db.dir().join("mail"),
        mail_concurrency: 2,
        mail_poll_ms: 20,
        mail_retry_base_ms: 10,
        mail_max_attempts: 5,
        mail_lease_secs: 60,
        signin_delay_ms: 1,
        reminder_check_secs: 3600,
        ..rind::Settings::default()
    }
}

impl TestApp {
    /// Starts `rind::web::Application` the way `rind serve` does (open, migrate, build),
    /// on port 0, in a background thread with its own actix runtime.
    pub fn spawn(db: &TestDb) -> TestApp {
        let settings = rind::Settings {
            database_url: db.url.clone(),
            bind: "127.0.0.1:0".into(),
            pool_size: 2,
            // Failed sign-ins are answered at once: the delays are checked in unit tests.
            signin_delay_ms: 1,
            ..rind::Settings::default()
        };
        TestApp::spawn_with(settings, false)
    }

    /// Starts the app with these settings, and its outbox worker too when `worker` is
    /// true (as `rind serve` does). The worker is stopped before the server.
    pub fn spawn_with(settings: rind::Settings, worker: bool) -> TestApp {
        settings.validate().expect("valid test settings");
        let (ready_tx, ready_rx) = mpsc::channel::<Result<u16, String>>();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            actix_rt::System::new().block_on(async move {
                let started = rind::commands::open(&settings).and_then(|database| {
                    let outbox = if worker {
                        Some(rind::delivery::Worker::start(&settings, database.clone())?)
                    } else {
                        None
                    };
                    Ok((rind::web::Application::build(settings, database)?, outbox))
                });
                let (app, outbox) = match started {
                    Ok(started) => started,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(app.port()));
                let server = actix_rt::spawn(app.run());
                // Serve until the test lets go of the app; dropping the server closes
                // its listener and stops its workers.
                let _ = actix_rt::task::spawn_blocking(move || stop_rx.recv()).await;
                if let Some(outbox) = outbox {
                    let _ = actix_rt::task::spawn_blocking(move || outbox.stop()).await;
                }
                server.abort();
                let _ = server.await;
            });
        });
        let port = match ready_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(port)) => port,
            Ok(Err(e)) => panic!("the app did not start: {e}"),
            Err(e) => panic!("the app did not report its port: {e}"),
        };
        assert_ne!(port, 0, "the app must report the port it actually bound");
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client: client_with_token(None),
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// The same app, calling with an API token of a new user of `role` (see
    /// [`TestDb::api_token`]).
    pub fn signed_in(mut self, db: &TestDb, role: &str) -> TestApp {
        self.client = client_with_token(Some(&db.api_token(role)));
        self
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Reply {
        get(&self.client, &format!("{}{path}", self.address))
    }

    /// `POST path` with a form body (`application/x-www-form-urlencoded`).
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let url = format!("{}{path}", self.address);
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .client
            .post(&url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        reply(response, &url)
    }

    /// `POST path` with a raw body and content type.
    pub fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let url = format!("{}{path}", self.address);
        let response = self
            .client
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        reply(response, &url)
    }

    /// `GET path`, asserting 200 and a JSON body.
    #[track_caller]
    pub fn get_json(&self, path: &str) -> serde_json::Value {
        let reply = self.get(path);
        assert_eq!(reply.status, 200, "GET {path}: {reply:?}");
        assert!(
            reply.content_type.starts_with("application/json"),
            "GET {path} is not JSON: {reply:?}"
        );
        reply.json()
    }

    /// The waves `/api/v1/waves` lists.
    #[track_caller]
    pub fn waves(&self) -> Vec<serde_json::Value> {
        let body = self.get_json("/api/v1/waves");
        body["waves"]
            .as_array()
            .unwrap_or_else(|| panic!("no `waves` array: {body}"))
            .clone()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An HTTP client that sends `token` as `Authorization: Bearer` when given, and never
/// follows redirects (tests check where they point).
pub fn client_with_token(token: Option<&str>) -> reqwest::blocking::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("a header value"),
        );
    }
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("an HTTP client")
}

/// `application/x-www-form-urlencoded` encoding of one key or value.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A blocking GET that returns whatever came back.
pub fn get(client: &reqwest::blocking::Client, url: &str) -> Reply {
    let response = client
        .get(url)
        .send()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    reply(response, url)
}

fn reply(response: reqwest::blocking::Response, url: &str) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response
        .text()
        .unwrap_or_else(|e| panic!("{url}: body: {e}"));
    Reply {
        status,
        content_type,
        headers,
        body,
    }
}

/// Polls `url` until it answers 200 or `timeout` passes.
pub fn wait_until_up(url: &str, timeout: Duration) -> bool {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("an HTTP client");
    let start = Instant::now();
    while start.elapsed() < timeout {
        if let Ok(r) = client.get(url).send()
            && r.status().as_u16() == 200
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// A port that was free a moment ago, for the binary's `--bind`.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

// ---------------------------------------------------------------------------------------
// Survey delivery
// ---------------------------------------------------------------------------------------

/// The base of survey links in the tests' emails.
pub const LINK_BASE: &str = "https://survey.example.gov";

/// The email of agency contact number `i` (DOT for even i, DHHS for odd).
pub fn contact_email(i: usize) -> String {
    format!("contact{i}@agency{}.state.example", i % 2)
}

/// The email of staff member number `i`.
pub fn staff_email(i: usize) -> String {
    format!("staff{i}@it.state.example")
}

impl TestDb {
    /// A programme ready to send: the default instrument, agencies DOT (whose relationship
    /// manager `brm@it.state.example` is a user) and DHHS, `contacts` contacts, `staff`
    /// staff members, and a draft wave `W1`.
    pub fn programme(&self, contacts: usize, staff: usize) -> &Self {
        self.with_default_instrument();
        let mut conn = self.conn();
        let import = |conn: &mut DbConnection, kind, csv: String| {
            rind::import::import_csv(conn, kind, csv.as_bytes(), None)
                .unwrap_or_else(|e| panic!("import {kind:?}: {e}"));
        };
        import(
            &mut conn,
            rind::import::ImportKind::Agencies,
            "code,name,brm_owner_email\nDOT,Transportation,brm@it.state.example\nDHHS,Health,\n"
                .into(),
        );
        let mut csv = String::from("email,name,agency,segment\n");
        for i in 0..contacts {
            let agency = if i % 2 == 0 { "DOT" } else { "DHHS" };
            csv.push_str(&format!(
                "{},Contact {i},{agency},executive\n",
                contact_email(i)
            ));
        }
        if contacts > 0 {
            import(&mut conn, rind::import::ImportKind::Contacts, csv);
        }
        let mut csv = String::from("email,name,team\n");
        for i in 0..staff {
            csv.push_str(&format!("{},Staff {i},service_desk\n", staff_email(i)));
        }
        if staff > 0 {
            import(&mut conn, rind::import::ImportKind::Staff, csv);
        }
        rind::auth::add_user(
            &mut conn,
            "brm@it.state.example",
            "brm",
            "a long test password",
        )
        .expect("add the BRM user");
        drop(conn);
        self.create_wave("W1", false);
        self
    }

    /// Invites everyone to `wave` through the library, as `rind send` does.
    pub fn send(&self, settings: &rind::Settings, wave: &str) -> rind::delivery::SendSummary {
        rind::delivery::send_wave(
            &mut self.conn(),
            settings,
            wave,
            rind::delivery::Audiences::Both,
        )
        .expect("send the wave")
    }

    /// Delivers every due message to the settings' mail folder, as `rind worker --once`.
    pub fn deliver_to_folder(
        &self,
        settings: &rind::Settings,
    ) -> rind::delivery::outbox::DeliveryReport {
        let mailer = rind::delivery::Mailer::Folder(settings.mail_dir.clone());
        rind::delivery::outbox::deliver_due(&mut self.conn(), settings, &mailer)
            .expect("deliver the due mail")
    }

    /// The outbox, oldest first.
    pub fn outbox(&self) -> Vec<store::outbox::MessageRow> {
        store::outbox::list(&mut self.conn()).expect("the outbox")
    }

    /// The invitations of a wave.
    pub fn invitations(&self, wave: &str) -> Vec<store::invitations::InvitationRow> {
        let wave = self.wave(wave);
        store::invitations::list_for_wave(&mut self.conn(), wave.id).expect("invitations")
    }
}

/// Every `.eml` file in a folder, oldest first, with its file name.
pub fn mail_files(dir: &Path) -> Vec<(String, smtp::Mail)> {
    rind::delivery::mailer::list_folder(dir)
        .expect("list the mail folder")
        .into_iter()
        .map(|f| {
            let mail = smtp::Mail::from_file(&dir.join(&f.file));
            (f.file, mail)
        })
        .collect()
}

/// The value of the hidden `form_key` field in a survey page.
#[track_caller]
pub fn form_key(page: &str) -> String {
    let at = page
        .find("name=\"form_key\" value=\"")
        .unwrap_or_else(|| panic!("no form_key field in the page:\n{page}"));
    let rest = &page[at + "name=\"form_key\" value=\"".len()..];
    rest[..rest.find('"').expect("closing quote")].to_string()
}
