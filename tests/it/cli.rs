//! The administrative commands: `rind instrument import`, `rind wave create`,
//! `rind user add`, and how the binary treats database URLs it can't use.

use crate::common::{self, TestDb, rind_in};
use rind::domain::{Email, Scale};
use rind::store;

// --- instruments -----------------------------------------------------------------------

const SERVICES: &str = "code,name\nemail,Email\nnetwork,Network\n";

/// A small valid instrument; `{version}` and `{extra}` are filled in by `instrument`.
const INSTRUMENT: &str = r#"code = "pulse"
version = {version}
name = "Quarterly pulse"

[[items]]
code = "rel_1"
dimension = "reliability"
scale = "likert5"
customer = "The IT office delivers what it promises."
staff = "How do you think agencies rate our delivery on promises?"

[[items]]
code = "svc_email"
dimension = "service"
service = "email"
scale = "likert5"
customer = "How satisfied are you with email?"

[[items]]
code = "nps"
dimension = "loyalty"
scale = "nps11"
customer = "Would you recommend us?"
staff = "Would agencies recommend us?"

[[items]]
code = "comment"
dimension = "comments"
scale = "text"
customer = "Anything else?"
{extra}"#;

fn instrument(version: u32, extra: &str) -> String {
    INSTRUMENT
        .replace("{version}", &version.to_string())
        .replace("{extra}", extra)
}

/// A database with the two-service catalogue.
fn with_services() -> TestDb {
    let db = TestDb::new();
    db.import("services", SERVICES).assert_ok();
    db
}

#[test]
fn a_good_instrument_is_stored_with_its_items_in_order() {
    let db = with_services();
    db.import_instrument(&instrument(1, ""))
        .assert_ok()
        .assert_stdout_contains("imported instrument pulse version 1");

    let mut conn = db.conn();
    let stored = store::instruments::list(&mut conn).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].code.as_str(), stored[0].version), ("pulse", 1));
    assert_eq!(stored[0].name, "Quarterly pulse");
    let items = store::instruments::items(&mut conn, stored[0].id).unwrap();
    drop(conn);
    let email = db.service_id("email");
    let summary: Vec<_> = items
        .iter()
        .map(|i| {
            (
                i.position,
                i.code.as_str(),
                i.dimension.as_str(),
                i.scale,
                i.is_mirrored(),
                i.service_id,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (0, "rel_1", "reliability", Scale::Likert5, true, None),
            (
                1,
                "svc_email",
                "service",
                Scale::Likert5,
                false,
                Some(email)
            ),
            (2, "nps", "loyalty", Scale::Nps11, true, None),
            (3, "comment", "comments", Scale::Text, false, None),
        ]
    );
    assert_eq!(
        items[0].customer_wording,
        "The IT office delivers what it promises."
    );
    assert_eq!(
        items[0].staff_wording.as_deref(),
        Some("How do you think agencies rate our delivery on promises?")
    );
}

#[test]
fn reimporting_an_instrument_is_a_no_op_and_a_changed_version_is_a_conflict() {
    let db = with_services();
    db.import_instrument(&instrument(1, "")).assert_ok();
    let before = db.snapshot();

    db.import_instrument(&instrument(1, ""))
        .assert_ok()
        .assert_stdout_contains("already stored, unchanged");
    assert_eq!(db.snapshot(), before);

    let changed = instrument(1, "").replace("Anything else?", "Anything more?");
    db.import_instrument(&changed)
        .assert_failed()
        .assert_stderr_contains("instrument pulse version 1 already exists with different content");
    assert_eq!(db.snapshot(), before);
    let items = store::instruments::items(&mut db.conn(), db.instrument_id("pulse", 1)).unwrap();
    assert_eq!(items[3].customer_wording, "Anything else?");

    // A new version is stored beside the old one, and new waves use the latest.
    db.import_instrument(&changed.replace("version = 1", "version = 2"))
        .assert_ok()
        .assert_stdout_contains("imported instrument pulse version 2");
    assert_eq!(db.count("instruments"), 2);
    db.rind(&["wave", "create", "--code", "Q2", "--instrument", "pulse"])
        .assert_ok();
    assert_eq!(db.wave("Q2").instrument_id, db.instrument_id("pulse", 2));
}

/// Imports a bad instrument and checks it is refused with `line N: CODE: ...` and that
/// nothing is stored.
#[track_caller]
fn assert_instrument_refused(
    db: &TestDb,
    toml: &str,
    line: u64,
    code: &str,
    needle: &str,
) -> common::Run {
    let before = db.snapshot();
    let run = db.import_instrument(toml);
    run.assert_failed()
        .assert_stderr_contains("nothing was written")
        .assert_row_error(line, code, needle);
    assert_eq!(
        db.snapshot(),
        before,
        "a refused instrument changed the database"
    );
    run
}

/// The 1-based line of the `n`th (1-based) `[[items]]` header in `toml`.
fn item_line(toml: &str, n: usize) -> u64 {
    toml.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[items]]")
        .nth(n - 1)
        .map(|(i, _)| i as u64 + 1)
        .unwrap()
}

const EXTRA_ITEM: &str = "\n[[items]]\n";

#[test]
fn instrument_validation_names_each_bad_item() {
    let db = with_services();

    let toml = instrument(
        1,
        &format!(
            "{EXTRA_ITEM}code = \"nps\"\ndimension = \"loyalty\"\nscale = \"nps11\"\ncustomer = \"Again?\"\n"
        ),
    );
    assert_instrument_refused(
        &db,
        &toml,
        item_line(&toml, 5),
        "nps",
        "duplicate item code",
    )
    .assert_error_lines(&[item_line(&toml, 5)]);

    let toml = instrument(
        1,
        &format!(
            "{EXTRA_ITEM}code = \"speed\"\ndimension = \"responsiveness\"\nscale = \"likert7\"\ncustomer = \"Fast?\"\n"
        ),
    );
    assert_instrument_refused(
        &db,
        &toml,
        item_line(&toml, 5),
        "speed",
        "unknown scale `likert7`",
    );

    let toml = instrument(1, "staff = \"What do you think they would add?\"\n");
    assert_instrument_refused(
        &db,
        &toml,
        item_line(&toml, 4),
        "comment",
        "`staff` wording is only allowed on rating items",
    );

    let toml = instrument(
        1,
        &format!(
            "{EXTRA_ITEM}code = \"svc_mainframe\"\ndimension = \"service\"\nservice = \"mainframe\"\nscale = \"likert5\"\ncustomer = \"Mainframe?\"\n"
        ),
    );
    assert_instrument_refused(
        &db,
        &toml,
        item_line(&toml, 5),
        "svc_mainframe",
        "service `mainframe` is not in the catalogue",
    );

    let toml = instrument(
        1,
        &format!("{EXTRA_ITEM}code = \"half\"\nscale = \"likert5\"\n"),
    );
    assert_instrument_refused(
        &db,
        &toml,
        item_line(&toml, 5),
        "half",
        "missing `dimension`",
    )
    .assert_row_error(item_line(&toml, 5), "half", "missing `customer` wording");

    // Several problems in one file are all listed.
    let toml = instrument(
        1,
        &format!(
            "{EXTRA_ITEM}code = \"rel_1\"\ndimension = \"reliability\"\nscale = \"likert5\"\ncustomer = \"Again\"\n\
         {EXTRA_ITEM}code = \"x\"\ndimension = \"d\"\nscale = \"stars\"\ncustomer = \"?\"\n"
        ),
    );
    assert_instrument_refused(
        &db,
        &toml,
        item_line(&toml, 5),
        "rel_1",
        "duplicate item code",
    )
    .assert_row_error(item_line(&toml, 6), "x", "unknown scale")
    .assert_error_lines(&[item_line(&toml, 5), item_line(&toml, 6)]);

    assert_eq!(db.count("instruments"), 0);
    assert_eq!(db.count("items"), 0);
}

#[test]
fn instrument_files_that_are_not_instruments_are_refused() {
    let db = with_services();
    let before = db.snapshot();

    // Bad TOML syntax: the line of the mistake.
    let run = db.import_instrument("code = \"pulse\"\nversion = 1\nname = \"Pulse\n\n[[items]]\n");
    run.assert_failed();
    assert_eq!(run.error_lines(), [3], "{run}");

    // Missing top-level fields.
    let toml = instrument(1, "")
        .replace("code = \"pulse\"\n", "")
        .replace("name = \"Quarterly pulse\"\n", "");
    assert_instrument_refused(&db, &toml, 1, "code", "missing")
        .assert_row_error(1, "name", "missing");

    // Unknown keys are typos, not silently ignored fields.
    let toml = instrument(1, "colour = \"red\"\n");
    let run = db.import_instrument(&toml);
    run.assert_failed().assert_stderr_contains("colour");

    // No items at all.
    assert_instrument_refused(
        &db,
        "code = \"pulse\"\nversion = 1\nname = \"Pulse\"\n",
        1,
        "items",
        "no [[items]]",
    );

    // A file that can't be read.
    let missing = db.dir().join("nope.toml");
    db.rind(&["instrument", "import", missing.to_str().unwrap()])
        .assert_failed()
        .assert_stderr_contains(&format!("cannot read {}", missing.display()));

    assert_eq!(db.snapshot(), before);
}

// --- waves -----------------------------------------------------------------------------

#[test]
fn waves_are_created_with_their_schedule() {
    let db = TestDb::new();
    db.with_default_instrument();
    db.rind(&[
        "wave",
        "create",
        "--code",
        "FY26-Q1",
        "--instrument",
        "agency-cx",
        "--opens",
        "2026-01-05",
        "--closes",
        "2026-02-01T17:00:00-05:00",
        "--baseline",
    ])
    .assert_ok()
    .assert_stdout_contains("created wave FY26-Q1 (baseline)");
    db.rind(&[
        "wave",
        "create",
        "--code",
        "FY26-Q3",
        "--instrument",
        "agency-cx",
    ])
    .assert_ok()
    .assert_stdout_contains("created wave FY26-Q3");

    let q1 = db.wave("FY26-Q1");
    let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    assert_eq!(q1.opens_at, Some(t("2026-01-05 00:00:00")));
    assert_eq!(
        q1.closes_at,
        Some(t("2026-02-01 22:00:00")),
        "stored as UTC"
    );
    assert!(q1.is_baseline);
    assert_eq!(q1.status, "draft");
    let instrument = store::instruments::latest(&mut db.conn(), "agency-cx")
        .unwrap()
        .unwrap();
    assert_eq!(q1.instrument_id, instrument.id);
    let q3 = db.wave("FY26-Q3");
    assert!(!q3.is_baseline);
    assert_eq!((q3.opens_at, q3.closes_at), (None, None));
}

#[test]
fn bad_wave_requests_are_refused_and_write_nothing() {
    let db = TestDb::new();
    db.with_default_instrument();
    db.rind(&[
        "wave",
        "create",
        "--code",
        "FY26-Q1",
        "--instrument",
        "agency-cx",
        "--baseline",
    ])
    .assert_ok();
    let before = db.snapshot();
    let refused = |args: &[&str], needle: &str| {
        let mut full = vec!["wave", "create"];
        full.extend_from_slice(args);
        db.rind(&full)
            .assert_failed()
            .assert_stderr_contains(needle);
        assert_eq!(
            db.snapshot(),
            before,
            "`rind {}` changed the database",
            full.join(" ")
        );
    };

    refused(
        &["--code", "FY26-Q1", "--instrument", "agency-cx"],
        "wave FY26-Q1 already exists",
    );
    refused(
        &["--code", "FY26-Q3", "--instrument", "nope"],
        "instrument nope",
    );
    refused(
        &[
            "--code",
            "FY26-Q3",
            "--instrument",
            "agency-cx",
            "--baseline",
        ],
        "wave FY26-Q1 is already the baseline of instrument agency-cx",
    );
    refused(
        &[
            "--code",
            "FY26-Q3",
            "--instrument",
            "agency-cx",
            "--opens",
            "2026-03-01",
            "--closes",
            "2026-02-01",
        ],
        "before it opens",
    );
    refused(
        &[
            "--code",
            "FY26-Q3",
            "--instrument",
            "agency-cx",
            "--opens",
            "2026-03-01",
            "--closes",
            "2026-03-01",
        ],
        "before it opens",
    );
    refused(
        &[
            "--code",
            "FY26-Q3",
            "--instrument",
            "agency-cx",
            "--opens",
            "next tuesday",
        ],
        "`next tuesday` is not an RFC 3339 timestamp",
    );
    refused(
        &[
            "--code",
            "FY26-Q3",
            "--instrument",
            "agency-cx",
            "--closes",
            "2026-02-30",
        ],
        "not an RFC 3339 timestamp",
    );
    refused(
        &["--code", "FY 26", "--instrument", "agency-cx"],
        "wave code `FY 26`",
    );
    assert_eq!(db.count("waves"), 1);
}

// --- users -----------------------------------------------------------------------------

const PASSWORD: &str = "correct horse battery staple";

#[test]
fn users_are_added_with_an_argon2id_hash() {
    let db = TestDb::new();
    db.rind_with_env(
        &[
            "user",
            "add",
            "--email",
            "CIO@State.example",
            "--role",
            "cio",
        ],
        &[("RIND_PASSWORD", PASSWORD)],
    )
    .assert_ok()
    .assert_stdout_contains("added cio cio@state.example");

    let email = Email::parse("cio@state.example").unwrap();
    let user = store::users::find_by_email(&mut db.conn(), &email)
        .unwrap()
        .expect("the user");
    assert_eq!(user.role, "cio");
    assert!(
        user.password_hash.starts_with("$argon2id$"),
        "{}",
        user.password_hash
    );
    assert!(!user.password_hash.contains(PASSWORD));
    assert!(rind::auth::password::verify(PASSWORD, &user.password_hash));

    // The same address again, in another case, is refused.
    let before = db.snapshot();
    db.rind_with_env(
        &[
            "user",
            "add",
            "--email",
            "cio@state.example",
            "--role",
            "admin",
        ],
        &[("RIND_PASSWORD", PASSWORD)],
    )
    .assert_failed()
    .assert_stderr_contains("a user with email cio@state.example already exists");
    assert_eq!(db.snapshot(), before);
}

#[test]
fn bad_user_requests_are_refused_and_write_nothing() {
    let db = TestDb::new();
    db.rind(&["migrate"]).assert_ok();
    let before = db.snapshot();

    db.rind_with_env(
        &[
            "user",
            "add",
            "--email",
            "root@state.example",
            "--role",
            "root",
        ],
        &[("RIND_PASSWORD", PASSWORD)],
    )
    .assert_failed()
    .assert_stderr_contains("unknown role `root`")
    .assert_stderr_contains("admin, cio, brm or viewer");

    db.rind_with_env(
        &[
            "user",
            "add",
            "--email",
            "brm@state.example",
            "--role",
            "brm",
        ],
        &[("RIND_PASSWORD", "short")],
    )
    .assert_failed()
    .assert_stderr_contains("at least 12 characters");

    db.rind_with_env(
        &["user", "add", "--email", "not an email", "--role", "viewer"],
        &[("RIND_PASSWORD", PASSWORD)],
    )
    .assert_failed()
    .assert_stderr_contains("is not an email address");

    assert_eq!(db.snapshot(), before);
    assert_eq!(db.count("users"), 0);
}

// --- database URLs ---------------------------------------------------------------------

#[test]
fn unknown_database_url_schemes_are_refused_without_creating_files() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "mysql://x",
        "mysql://root@localhost/rind",
        "postgress://x/rind",
    ] {
        for args in [
            vec!["--database-url", url, "migrate"],
            vec!["--database-url", url, "import", "agencies", "agencies.csv"],
            vec!["--database-url", url, "serve", "--bind", "127.0.0.1:0"],
        ] {
            let run = rind_in(dir.path(), &args, &[]);
            run.assert_failed()
                .assert_stderr_contains("unsupported database URL scheme")
                .assert_stderr_contains("sqlite://")
                .assert_stderr_contains("postgres://");
        }
        // The same through the environment.
        rind_in(dir.path(), &["migrate"], &[("DATABASE_URL", url)])
            .assert_failed()
            .assert_stderr_contains("unsupported database URL scheme");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "files were created: {left:?}");

    rind_in(dir.path(), &["--database-url", "", "migrate"], &[])
        .assert_failed()
        .assert_stderr_contains("database URL is empty");
}

#[test]
fn without_a_database_url_rind_uses_rind_db_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    rind_in(dir.path(), &["migrate"], &[])
        .assert_ok()
        .assert_stdout_contains("sqlite://rind.db");
    assert!(dir.path().join("rind.db").is_file());
}

#[test]
fn an_unreachable_postgresql_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on the loopback: nothing listens there.
    let run = rind_in(
        dir.path(),
        &[
            "--database-url",
            "postgres://rind:secret@127.0.0.1:1/rind",
            "migrate",
        ],
        &[],
    );
    run.assert_failed()
        .assert_stderr_contains("database unavailable")
        .assert_stderr_contains("rind:***@127.0.0.1:1");
    assert!(!run.stderr.contains("secret"), "the password leaked: {run}");
}

#[test]
fn rind_environment_variables_that_are_not_settings_are_accepted() {
    let db = TestDb::new();
    let config = db.file("custom.toml", "comment_threshold = 12\n");
    db.rind_with_env(
        &["migrate"],
        &[
            ("RIND_LOG", "warn"),
            ("RIND_CONFIG", config.to_str().unwrap()),
            ("RIND_PASSWORD", PASSWORD),
        ],
    )
    .assert_ok();
    // Real settings from the environment are read, and checked.
    db.rind_with_env(&["migrate"], &[("RIND_REPORTING_THRESHOLD", "2")])
        .assert_failed()
        .assert_stderr_contains("reporting_threshold is 2");
    db.rind_with_env(&["migrate"], &[("RIND_BND", "0.0.0.0:1")])
        .assert_failed()
        .assert_stderr_contains("bnd");
}
