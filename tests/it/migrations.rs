//! The two migration trees stay in step, and migrations go up, down and up again on the
//! backend under test, through the library and through `rind migrate`.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{self, TestDb, migrations_dir};
use rind::store;

/// Names of the migration folders of one tree, each checked to hold up.sql and down.sql.
fn migration_names(backend: &str) -> BTreeSet<String> {
    let dir = migrations_dir(backend);
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let entry = entry.unwrap();
        if !entry.file_type().unwrap().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        for file in ["up.sql", "down.sql"] {
            let path = entry.path().join(file);
            let sql = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{backend} migration {name} lacks {file}: {e}"));
            assert!(!sql.trim().is_empty(), "{} is empty", path.display());
        }
        names.insert(name);
    }
    names
}

#[test]
fn both_trees_hold_the_same_migration_names() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty(), "no SQLite migrations");
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres differ"
    );
}

/// table → column names, and the index names, of every `CREATE` in a tree's up.sql files.
fn declared_schema(backend: &str) -> (BTreeMap<String, Vec<String>>, BTreeSet<String>) {
    let mut tables = BTreeMap::new();
    let mut indexes = BTreeSet::new();
    for name in migration_names(backend) {
        let sql =
            std::fs::read_to_string(migrations_dir(backend).join(&name).join("up.sql")).unwrap();
        let mut current: Option<(String, Vec<String>)> = None;
        for line in sql.lines() {
            let line = line.split("--").next().unwrap_or_default().trim();
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some((table, columns)) = current.as_mut() {
                if line.starts_with(')') {
                    tables.insert(table.clone(), std::mem::take(columns));
                    current = None;
                } else if let Some(first) = words.first() {
                    let constraint = ["UNIQUE", "CHECK", "PRIMARY", "FOREIGN", "CONSTRAINT"]
                        .contains(&first.to_ascii_uppercase().as_str());
                    let continuation = first.starts_with('(') || !line.contains(' ');
                    if !constraint && !continuation {
                        columns.push(first.to_ascii_lowercase());
                    }
                }
            } else if line.to_ascii_uppercase().starts_with("CREATE TABLE") {
                current = Some((
                    words[2].trim_end_matches('(').to_ascii_lowercase(),
                    Vec::new(),
                ));
            } else if line.to_ascii_uppercase().starts_with("CREATE")
                && line.to_ascii_uppercase().contains(" INDEX ")
            {
                let at = words
                    .iter()
                    .position(|w| w.eq_ignore_ascii_case("INDEX"))
                    .unwrap();
                indexes.insert(words[at + 1].to_ascii_lowercase());
            }
        }
        assert!(
            current.is_none(),
            "{backend} {name}: unterminated CREATE TABLE"
        );
    }
    (tables, indexes)
}

#[test]
fn both_trees_declare_the_same_tables_columns_and_indexes() {
    let (sqlite_tables, sqlite_indexes) = declared_schema("sqlite");
    let (pg_tables, pg_indexes) = declared_schema("postgres");
    assert!(sqlite_tables.contains_key("responses"), "{sqlite_tables:?}");
    assert!(
        sqlite_tables["agencies"].contains(&"code".to_string()),
        "{sqlite_tables:?}"
    );
    assert_eq!(
        sqlite_tables, pg_tables,
        "the two schemas have different tables or columns"
    );
    assert_eq!(
        sqlite_indexes, pg_indexes,
        "the two schemas have different indexes"
    );
    for table in common::TABLES {
        assert!(sqlite_tables.contains_key(*table), "no table {table}");
    }
}

/// True when the `agencies` table can be queried.
fn schema_present(db: &TestDb) -> bool {
    let mut conn = db.connect_unmigrated();
    store::agencies::count(&mut conn).is_ok()
}

#[test]
fn up_down_up_through_the_library_then_write_and_read() {
    let db = TestDb::new();
    let expected = migration_names(db.backend()).len();

    let mut conn = db.connect_unmigrated();
    let applied = rind::db::run_migrations(&mut conn).expect("first up");
    assert_eq!(applied.len(), expected, "applied {applied:?}");
    assert!(
        rind::db::run_migrations(&mut conn)
            .expect("up again")
            .is_empty(),
        "nothing left to apply"
    );
    assert!(schema_present(&db));

    // Some data, so that the down migration has something to drop.
    rind::commands::first_start(&mut conn).expect("first start");
    assert!(store::instruments::count(&mut conn).unwrap() >= 1);

    let reverted = rind::db::revert_all_migrations(&mut conn).expect("down");
    assert_eq!(reverted.len(), expected, "reverted {reverted:?}");
    assert!(
        !schema_present(&db),
        "tables are still there after reverting every migration"
    );

    let applied = rind::db::run_migrations(&mut conn).expect("second up");
    assert_eq!(applied.len(), expected);
    assert_eq!(
        store::instruments::count(&mut conn).unwrap(),
        0,
        "the schema comes back empty"
    );

    // Write and read back every column type: text, double, bool, timestamp, binary.
    rind::commands::first_start(&mut conn).expect("first start again");
    store::agencies::upsert(
        &mut conn,
        &store::agencies::NewAgency {
            code: "DOT".into(),
            name: "Department of Transportation".into(),
            line_of_business: Some(Some("Transportation".into())),
            annual_it_spend: Some(Some(1_250_000.5)),
            brm_owner_email: Some(None),
        },
    )
    .unwrap();
    let agencies = store::agencies::list(&mut conn).unwrap();
    assert_eq!(agencies.len(), 1);
    assert_eq!(agencies[0].code, "DOT");
    assert_eq!(agencies[0].annual_it_spend, Some(1_250_000.5));
    assert_eq!(agencies[0].brm_owner_email, None);

    let opens = rind::domain::parse_timestamp("2026-03-01T09:00:00Z").unwrap();
    let wave =
        rind::commands::create_wave(&mut conn, "W1", "agency-cx", Some(opens), None, true).unwrap();
    let summary = rind::import::import_csv(
        &mut conn,
        rind::import::ImportKind::Responses,
        "audience,agency,submitted_at,rel_commitments\ncustomer,DOT,2026-03-02T10:00:00Z,4\n"
            .as_bytes(),
        Some("W1"),
    )
    .unwrap();
    assert_eq!(summary.created, 1);
    let stored = store::waves::get(&mut conn, wave.id).unwrap();
    assert!(stored.is_baseline);
    assert_eq!(stored.opens_at, Some(opens));
    let n_items = store::instruments::items(&mut conn, wave.instrument_id)
        .unwrap()
        .len();
    let loaded = store::responses::load_wave(&mut conn, wave.id, n_items).unwrap();
    assert_eq!(loaded.customers.len(), 1);
    assert_eq!(loaded.customers.answers[0], vec![4]);
}

#[test]
fn rind_migrate_up_down_up() {
    let db = TestDb::new();

    let up = db.rind(&["migrate"]);
    up.assert_ok()
        .assert_stdout_contains("database is up to date");
    assert!(schema_present(&db));
    // Running it again is harmless.
    db.rind(&["migrate"]).assert_ok();

    db.import("agencies", "code,name\nDOT,Transportation\n")
        .assert_ok();
    assert!(schema_present(&db));

    let down = db.rind(&["migrate", "--revert-all"]);
    let expected = format!(
        "reverted {} migration(s)",
        migration_names(db.backend()).len()
    );
    down.assert_ok().assert_stdout_contains(&expected);
    assert!(
        !schema_present(&db),
        "tables are still there after `rind migrate --revert-all`"
    );

    db.rind(&["migrate"]).assert_ok();
    let mut conn = db.connect_unmigrated();
    assert_eq!(
        store::agencies::count(&mut conn).unwrap(),
        0,
        "the schema comes back empty"
    );
    drop(conn);

    // The database works again after the round trip.
    db.import("agencies", "code,name\nDOR,Revenue\n")
        .assert_ok();
    let mut conn = db.connect_unmigrated();
    let codes: Vec<String> = store::agencies::list(&mut conn)
        .unwrap()
        .into_iter()
        .map(|a| a.code)
        .collect();
    assert_eq!(codes, ["DOR"]);
}
