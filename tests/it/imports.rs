//! `rind import agencies|services|contacts|staff|sla`: good files land with the right
//! values; any bad row refuses the whole file, names each bad line, and writes nothing;
//! importing again updates rather than duplicates.

use crate::common::{self, TestDb};
use rind::store;

const AGENCIES: &str = "code,name\nDOT,Department of Transportation\nDOR,Department of Revenue\n";

/// A database with two agencies, DOT and DOR.
fn with_agencies() -> TestDb {
    let db = TestDb::new();
    db.import("agencies", AGENCIES).assert_ok();
    db
}

/// Imports `csv`, expects it refused with exactly `lines` reported, and nothing written.
#[track_caller]
fn assert_refused(db: &TestDb, kind: &str, csv: &str, lines: &[u64]) -> common::Run {
    let before = db.snapshot();
    let run = db.import(kind, csv);
    run.assert_failed()
        .assert_stderr_contains("nothing was written")
        .assert_error_lines(lines);
    assert_eq!(
        db.snapshot(),
        before,
        "a refused {kind} file changed the database"
    );
    run
}

#[track_caller]
fn assert_refused_for_wave(
    db: &TestDb,
    kind: &str,
    csv: &str,
    wave: &str,
    lines: &[u64],
) -> common::Run {
    let before = db.snapshot();
    let run = db.import_for_wave(kind, csv, wave);
    run.assert_failed()
        .assert_stderr_contains("nothing was written")
        .assert_error_lines(lines);
    assert_eq!(
        db.snapshot(),
        before,
        "a refused {kind} file changed the database"
    );
    run
}

// --- agencies --------------------------------------------------------------------------

#[test]
fn agencies_import_with_every_column_in_any_order() {
    let db = TestDb::new();
    let run = db.import(
        "agencies",
        "brm_owner_email,name,annual_it_spend,code,line_of_business\n\
         Maria.Lopez@CIO.state.example,Department of Transportation,\"$1,250,000\",DOT,Transportation\n\
         ,Department of Revenue,,DOR,\n",
    );
    run.assert_ok()
        .assert_stdout_contains("imported 2 agencies rows (2 new, 0 updated)");

    let agencies = store::agencies::list(&mut db.conn()).unwrap();
    assert_eq!(agencies.len(), 2);
    let dor = &agencies[0];
    assert_eq!(
        (dor.code.as_str(), dor.name.as_str()),
        ("DOR", "Department of Revenue")
    );
    assert_eq!(dor.line_of_business, None);
    assert_eq!(dor.annual_it_spend, None);
    assert_eq!(dor.brm_owner_email, None);
    let dot = &agencies[1];
    assert_eq!(dot.code, "DOT");
    assert_eq!(dot.name, "Department of Transportation");
    assert_eq!(dot.line_of_business.as_deref(), Some("Transportation"));
    assert_eq!(dot.annual_it_spend, Some(1_250_000.0));
    assert_eq!(
        dot.brm_owner_email.as_deref(),
        Some("maria.lopez@cio.state.example")
    );
}

#[test]
fn agencies_with_bad_rows_are_refused_whole() {
    let db = TestDb::new();
    let run = assert_refused(
        &db,
        "agencies",
        "code,name,annual_it_spend,brm_owner_email\n\
         DOT,Transportation,,\n\
         DOR,Revenue,,\n\
         DOT,Transportation again,,\n\
         bad code!,Bad,,\n\
         EDU,,,\n\
         DNR,Natural Resources,lots,\n\
         DOC,Corrections,,not-an-email\n\
         DPS,Public Safety,-5,\n\
         SOS,Secretary of State,,\n",
        &[4, 5, 6, 7, 8, 9],
    );
    run.assert_row_error(4, "code", "duplicate agency code `DOT` (also on line 2)")
        .assert_row_error(5, "code", "bad code!")
        .assert_row_error(6, "name", "empty")
        .assert_row_error(7, "annual_it_spend", "not a number")
        .assert_row_error(8, "brm_owner_email", "not an email address")
        .assert_row_error(9, "annual_it_spend", "negative");
    assert_eq!(db.count("agencies"), 0);
}

#[test]
fn agencies_header_problems_are_reported_on_line_1() {
    let db = TestDb::new();
    assert_refused(&db, "agencies", "code,title\nDOT,Transportation\n", &[1])
        .assert_row_error(1, "name", "missing column `name`")
        .assert_row_error(1, "title", "unknown column `title`");
    assert_refused(
        &db,
        "agencies",
        "code,name,code\nDOT,Transportation,DOT\n",
        &[1],
    )
    .assert_row_error(1, "code", "appears twice");
    // An empty file has no header at all.
    assert_refused(&db, "agencies", "", &[1]).assert_row_error(1, "code", "missing column");
    assert_eq!(db.count("agencies"), 0);
}

#[test]
fn reimporting_agencies_updates_them() {
    let db = with_agencies();
    db.import("agencies", AGENCIES)
        .assert_ok()
        .assert_stdout_contains("(0 new, 2 updated)");
    assert_eq!(db.count("agencies"), 2);

    db.import(
        "agencies",
        "code,name,line_of_business\nDOT,Transportation Department,Roads\nEDU,Department of Education,\n",
    )
    .assert_ok()
    .assert_stdout_contains("(1 new, 1 updated)");
    let agencies = store::agencies::list(&mut db.conn()).unwrap();
    let summary: Vec<(&str, &str, Option<&str>)> = agencies
        .iter()
        .map(|a| {
            (
                a.code.as_str(),
                a.name.as_str(),
                a.line_of_business.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("DOR", "Department of Revenue", None),
            ("DOT", "Transportation Department", Some("Roads")),
            ("EDU", "Department of Education", None),
        ]
    );
}

// --- services --------------------------------------------------------------------------

#[test]
fn services_import_and_reimport() {
    let db = TestDb::new();
    db.import(
        "services",
        "code,name,description\nemail,Email and collaboration,Mail and calendars\nnetwork,Network,\n",
    )
    .assert_ok()
    .assert_stdout_contains("(2 new, 0 updated)");
    db.import("services", "name,code\nNetwork and internet,network\n")
        .assert_ok()
        .assert_stdout_contains("(0 new, 1 updated)");
    let services = store::services::list(&mut db.conn()).unwrap();
    let summary: Vec<(&str, &str, Option<&str>)> = services
        .iter()
        .map(|s| (s.code.as_str(), s.name.as_str(), s.description.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "email",
                "Email and collaboration",
                Some("Mail and calendars")
            ),
            ("network", "Network and internet", None),
        ]
    );
}

#[test]
fn services_with_bad_rows_are_refused_whole() {
    let db = TestDb::new();
    assert_refused(
        &db,
        "services",
        "code,name\nemail,Email\nnetwork,Network\nemail,Email again\nhosting,\nsvc desk,Service desk\n",
        &[4, 5, 6],
    )
    .assert_row_error(4, "code", "duplicate service code `email` (also on line 2)")
    .assert_row_error(5, "name", "empty")
    .assert_row_error(6, "code", "svc desk");
    assert_eq!(db.count("services"), 0);
}

// --- contacts --------------------------------------------------------------------------

#[test]
fn contacts_import_with_their_agency_and_segment() {
    let db = with_agencies();
    db.import(
        "contacts",
        "segment,agency,name,email\n\
         executive,DOT,Ann Lee,Ann.Lee@DOT.state.example\n\
         ,DOR,Bob Roy, bob.roy@dor.state.example \n",
    )
    .assert_ok()
    .assert_stdout_contains("imported 2 contacts rows (2 new, 0 updated)");

    let (dot, dor) = (db.agency_id("DOT"), db.agency_id("DOR"));
    let contacts = store::contacts::list(&mut db.conn()).unwrap();
    let summary: Vec<(&str, &str, i64, Option<&str>, bool)> = contacts
        .iter()
        .map(|c| {
            (
                c.email.as_str(),
                c.name.as_str(),
                c.agency_id,
                c.segment.as_deref(),
                c.active,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "ann.lee@dot.state.example",
                "Ann Lee",
                dot,
                Some("executive"),
                true
            ),
            ("bob.roy@dor.state.example", "Bob Roy", dor, None, true),
        ]
    );
}

#[test]
fn contacts_with_bad_rows_are_refused_whole() {
    let db = with_agencies();
    let run = assert_refused(
        &db,
        "contacts",
        "email,name,agency,segment\n\
         ann@dot.state.example,Ann,DOT,executive\n\
         bob@dot.state.example,Bob,DOT,end_user\n\
         cy@nowhere.example,Cy,NOPE,end_user\n\
         not-an-email,Dee,DOR,end_user\n\
         ANN@dot.state.example,Ann Again,DOR,executive\n\
         eve@dor.state.example,Eve,,end_user\n\
         fay@dor.state.example,Fay,DOR\n\
         gil@dor.state.example,,DOR,end_user\n\
         hal@dor.state.example,Hal,DOR,it_liaison\n",
        &[4, 5, 6, 7, 8, 9],
    );
    run.assert_row_error(4, "agency", "unknown agency `NOPE`")
        .assert_row_error(5, "email", "not-an-email")
        .assert_row_error(
            6,
            "email",
            "duplicate email ann@dot.state.example (also on line 2)",
        )
        .assert_row_error(7, "agency", "empty")
        .assert_line_error(8, "has 3 fields, the header has 4")
        .assert_row_error(9, "name", "empty");
    assert_eq!(db.count("contacts"), 0);
}

#[test]
fn contacts_missing_a_required_column_are_refused() {
    let db = with_agencies();
    assert_refused(
        &db,
        "contacts",
        "email,name\nann@dot.state.example,Ann\n",
        &[1],
    )
    .assert_row_error(1, "agency", "missing column `agency`");
    assert_eq!(db.count("contacts"), 0);
}

#[test]
fn reimporting_contacts_updates_and_never_duplicates() {
    let db = with_agencies();
    let file = "email,name,agency,segment\n\
                ann@dot.state.example,Ann Lee,DOT,executive\n\
                bob@dor.state.example,Bob Roy,DOR,end_user\n";
    db.import("contacts", file).assert_ok();
    let first = store::contacts::list(&mut db.conn()).unwrap();

    db.import("contacts", file)
        .assert_ok()
        .assert_stdout_contains("(0 new, 2 updated)");
    let second = store::contacts::list(&mut db.conn()).unwrap();
    assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "the same file changed the contacts"
    );

    // Bob moved agency and segment, Ann changed her name (and the address's case), Cy is new.
    db.import(
        "contacts",
        "email,name,agency,segment\n\
         ANN@dot.state.example,Ann Lee-Smith,DOT,executive\n\
         bob@dor.state.example,Bob Roy,DOT,it_liaison\n\
         cy@dor.state.example,Cy Young,DOR,\n",
    )
    .assert_ok()
    .assert_stdout_contains("(1 new, 2 updated)");
    let (dot, dor) = (db.agency_id("DOT"), db.agency_id("DOR"));
    let contacts = store::contacts::list(&mut db.conn()).unwrap();
    let summary: Vec<(i64, &str, &str, i64, Option<&str>)> = contacts
        .iter()
        .map(|c| {
            (
                c.id,
                c.email.as_str(),
                c.name.as_str(),
                c.agency_id,
                c.segment.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                first[0].id,
                "ann@dot.state.example",
                "Ann Lee-Smith",
                dot,
                Some("executive")
            ),
            (
                first[1].id,
                "bob@dor.state.example",
                "Bob Roy",
                dot,
                Some("it_liaison")
            ),
            (summary[2].0, "cy@dor.state.example", "Cy Young", dor, None),
        ]
    );
    assert_eq!(db.count("contacts"), 3);
}

// --- staff -----------------------------------------------------------------------------

#[test]
fn staff_import_and_reimport() {
    let db = TestDb::new();
    let file = "email,name,team\nkim@cio.state.example,Kim Park,service_desk\nlee@cio.state.example,Lee Chan,\n";
    db.import("staff", file)
        .assert_ok()
        .assert_stdout_contains("imported 2 staff rows (2 new, 0 updated)");
    db.import("staff", file)
        .assert_ok()
        .assert_stdout_contains("(0 new, 2 updated)");
    assert_eq!(db.count("staff"), 2);

    db.import(
        "staff",
        "name,email,team\nKim Park,KIM@cio.state.example,security\nMo Ali,mo@cio.state.example,applications\n",
    )
    .assert_ok()
    .assert_stdout_contains("(1 new, 1 updated)");
    let staff = store::staff::list(&mut db.conn()).unwrap();
    let summary: Vec<(&str, &str, Option<&str>)> = staff
        .iter()
        .map(|s| (s.email.as_str(), s.name.as_str(), s.team.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("kim@cio.state.example", "Kim Park", Some("security")),
            ("lee@cio.state.example", "Lee Chan", None),
            ("mo@cio.state.example", "Mo Ali", Some("applications")),
        ]
    );
}

#[test]
fn staff_with_bad_rows_are_refused_whole() {
    let db = TestDb::new();
    db.import("staff", "email,name\nold@cio.state.example,Old Timer\n")
        .assert_ok();
    assert_refused(
        &db,
        "staff",
        "email,name,team\n\
         kim@cio.state.example,Kim,service_desk\n\
         lee@cio.state.example,Lee,security\n\
         kim@cio.state.example,Kim Twice,security\n\
         mo@cio,Mo,applications\n\
         ,Nobody,applications\n\
         pat@cio.state.example,Pat,security,extra\n\
         quinn@cio.state.example,Quinn,architecture\n",
        &[4, 5, 6, 7],
    )
    .assert_row_error(
        4,
        "email",
        "duplicate email kim@cio.state.example (also on line 2)",
    )
    .assert_row_error(5, "email", "mo@cio")
    .assert_row_error(6, "email", "empty")
    .assert_line_error(7, "has 4 fields, the header has 3");
    let staff = store::staff::list(&mut db.conn()).unwrap();
    assert_eq!(staff.len(), 1);
    assert_eq!(staff[0].email, "old@cio.state.example");
}

// --- SLA metrics -----------------------------------------------------------------------

/// Agencies, the default catalogue and instrument, and a wave W1.
fn with_wave() -> TestDb {
    let db = with_agencies();
    db.with_default_instrument();
    db.create_wave("W1", true);
    db
}

const SLA: &str = "service,agency,metric,target,actual,higher_is_better\n\
                   email,,availability_pct,99.9,99.97,true\n\
                   network,DOT,availability_pct,99.9,99.71,yes\n\
                   network,,availability_pct,99.9,99.95,TRUE\n\
                   hosting,,provisioning_days,10,12.5,false\n";

/// (service code, agency code, metric, target, actual, higher is better, met).
type SlaRow = (String, Option<String>, String, f64, f64, bool, bool);

/// The SLA figures of a wave, by service, agency and metric.
fn sla_rows(db: &TestDb, wave: &str) -> Vec<SlaRow> {
    let wave = db.wave(wave);
    let mut conn = db.conn();
    let services: std::collections::HashMap<i64, String> = store::services::list(&mut conn)
        .unwrap()
        .into_iter()
        .map(|s| (s.id, s.code))
        .collect();
    let agencies: std::collections::HashMap<i64, String> = store::agencies::list(&mut conn)
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a.code))
        .collect();
    let mut rows: Vec<_> = store::sla::for_wave(&mut conn, wave.id)
        .unwrap()
        .into_iter()
        .map(|m| {
            (
                services[&m.service_id].clone(),
                m.agency_id.map(|a| agencies[&a].clone()),
                m.metric.clone(),
                m.target,
                m.actual,
                m.higher_is_better,
                m.is_met(),
            )
        })
        .collect();
    rows.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    rows
}

#[test]
fn sla_metrics_import_for_a_wave() {
    let db = with_wave();
    db.import_for_wave("sla", SLA, "W1")
        .assert_ok()
        .assert_stdout_contains("imported 4 sla rows (4 new, 0 updated)");
    let s = |v: &str| v.to_string();
    assert_eq!(
        sla_rows(&db, "W1"),
        [
            (
                s("email"),
                None,
                s("availability_pct"),
                99.9,
                99.97,
                true,
                true
            ),
            (
                s("hosting"),
                None,
                s("provisioning_days"),
                10.0,
                12.5,
                false,
                false
            ),
            (
                s("network"),
                None,
                s("availability_pct"),
                99.9,
                99.95,
                true,
                true
            ),
            (
                s("network"),
                Some(s("DOT")),
                s("availability_pct"),
                99.9,
                99.71,
                true,
                false
            ),
        ]
    );

    // Importing again replaces the figures of the same service, agency and metric,
    // including the all-agencies ones (a NULL agency).
    db.import_for_wave(
        "sla",
        "service,agency,metric,target,actual,higher_is_better\n\
         email,,availability_pct,99.9,99.5,true\n\
         network,DOT,availability_pct,99.9,99.95,true\n",
        "W1",
    )
    .assert_ok()
    .assert_stdout_contains("(0 new, 2 updated)");
    let rows = sla_rows(&db, "W1");
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!((rows[0].4, rows[0].6), (99.5, false));
    assert_eq!((rows[3].4, rows[3].6), (99.95, true));
}

#[test]
fn sla_metrics_with_bad_rows_are_refused_whole() {
    let db = with_wave();
    assert_refused_for_wave(
        &db,
        "sla",
        "service,agency,metric,target,actual,higher_is_better\n\
         email,,availability_pct,99.9,99.97,true\n\
         network,DOT,availability_pct,99.9,99.71,true\n\
         mainframe,,availability_pct,99.9,99.9,true\n\
         email,NOPE,availability_pct,99.9,99.9,true\n\
         hosting,,availability_pct,high,99.9,true\n\
         hosting,,provisioning_days,10,12,maybe\n\
         email,,availability_pct,99.0,99.1,true\n\
         network,DOT,availability_pct,99.0,99.1,true\n\
         hosting,,,10,12,false\n\
         identity,,availability_pct,99.9,,true\n\
         erp,,availability_pct,99.5,99.9\n\
         devices,,repair_days,3,2,false\n",
        "W1",
        &[4, 5, 6, 7, 8, 9, 10, 11, 12],
    )
    .assert_row_error(4, "service", "unknown service `mainframe`")
    .assert_row_error(5, "agency", "unknown agency `NOPE`")
    .assert_row_error(6, "target", "`high` is not a number")
    .assert_row_error(7, "higher_is_better", "`maybe` is not true or false")
    .assert_row_error(
        8,
        "metric",
        "duplicate metric `availability_pct` for this service and agency (also on line 2)",
    )
    .assert_row_error(
        9,
        "metric",
        "duplicate metric `availability_pct` for this service and agency (also on line 3)",
    )
    .assert_row_error(10, "metric", "empty")
    .assert_row_error(11, "actual", "empty")
    .assert_line_error(12, "has 5 fields, the header has 6");
    assert_eq!(db.count("sla_metrics"), 0);
}

#[test]
fn sla_metrics_need_an_existing_wave_and_their_columns() {
    let db = with_wave();
    let before = db.snapshot();
    db.import("sla", SLA)
        .assert_failed()
        .assert_stderr_contains("needs --wave");
    db.import_for_wave("sla", SLA, "NOPE")
        .assert_failed()
        .assert_stderr_contains("wave NOPE not found");
    assert_refused_for_wave(
        &db,
        "sla",
        "service,metric,target,actual\nemail,availability_pct,99.9,99.97\n",
        "W1",
        &[1],
    )
    .assert_row_error(1, "higher_is_better", "missing column");
    db.import_for_wave("agencies", AGENCIES, "W1")
        .assert_failed()
        .assert_stderr_contains("takes no --wave");
    assert_eq!(db.snapshot(), before);
}

// --- files that can't be read ----------------------------------------------------------

#[test]
fn a_missing_or_unreadable_file_is_a_clear_error() {
    let db = with_agencies();
    let before = db.snapshot();
    let missing = db.dir().join("no-such-file.csv");
    db.rind(&["import", "contacts", missing.to_str().unwrap()])
        .assert_failed()
        .assert_stderr_contains(&format!("cannot read {}", missing.display()));
    // A folder is not a file either.
    db.rind(&["import", "contacts", db.dir().to_str().unwrap()])
        .assert_failed();
    // Bytes that are not UTF-8 are reported on their line.
    let mut bytes = b"email,name,agency\nann@dot.state.example,Ann,DOT\n".to_vec();
    bytes.extend_from_slice(b"b\xffb@dot.state.example,B\xe9atrice,DOT\n");
    let path = db.file("latin1.csv", bytes);
    db.rind(&["import", "contacts", path.to_str().unwrap()])
        .assert_failed()
        .assert_error_lines(&[3])
        .assert_line_error(3, "UTF-8");
    assert_eq!(db.snapshot(), before);
}

// --- line numbers as an editor shows them ----------------------------------------------

/// Imports contacts with one bad email and one unknown agency, and checks the lines.
#[track_caller]
fn assert_contacts_errors_on_lines(csv: &str, bad_email: u64, unknown_agency: u64) {
    let db = with_agencies();
    assert_refused(&db, "contacts", csv, &[bad_email, unknown_agency])
        .assert_row_error(bad_email, "email", "`bad` is not an email address")
        .assert_row_error(unknown_agency, "agency", "unknown agency `NOPE`");
}

#[test]
fn line_numbers_count_a_quoted_field_that_spans_lines() {
    assert_contacts_errors_on_lines(
        "email,name,agency\n\
         ann@dot.state.example,\"Ann\nLee\",DOT\n\
         bad,Bob,DOT\n\
         cy@dot.state.example,Cy,NOPE\n",
        4,
        5,
    );
}

#[test]
fn line_numbers_are_right_in_a_file_with_windows_line_endings() {
    // Excel and most Windows tools write CRLF; RFC 4180 prescribes it.
    assert_contacts_errors_on_lines(
        "email,name,agency\r\n\
         ann@dot.state.example,Ann,DOT\r\n\
         bad,Bob,DOT\r\n\
         cy@dot.state.example,Cy,NOPE\r\n",
        3,
        4,
    );
}

#[test]
fn line_numbers_count_blank_lines() {
    assert_contacts_errors_on_lines(
        "email,name,agency\n\
         ann@dot.state.example,Ann,DOT\n\
         \n\
         bad,Bob,DOT\n\
         \n\
         \n\
         cy@dot.state.example,Cy,NOPE\n",
        4,
        7,
    );
}
