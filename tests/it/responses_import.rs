//! `rind import responses FILE --wave C`: historical responses against the default
//! instrument land in the packed form the analysis loads (one byte per item position,
//! 255 = no answer), text answers become comments, and any bad row refuses the file.

use std::collections::HashMap;

use crate::common::{self, TestDb};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rind::analysis::ResponseSet;
use rind::db::schema::{comments, items, responses};
use rind::domain::NO_ANSWER;
use rind::store;

/// Agencies DOT and DOR, the default catalogue and instrument, and wave W1.
fn with_wave() -> TestDb {
    let db = TestDb::new();
    db.import("agencies", "code,name\nDOT,Transportation\nDOR,Revenue\n")
        .assert_ok();
    db.with_default_instrument();
    db.create_wave("W1", true);
    db
}

/// Item code → position in the wave's instrument, and the number of items.
fn positions(db: &TestDb, wave: &str) -> (HashMap<String, usize>, usize) {
    let wave = db.wave(wave);
    let items = store::instruments::items(&mut db.conn(), wave.instrument_id).unwrap();
    let n = items.len();
    (items.into_iter().map(|i| (i.code, i.position)).collect(), n)
}

/// The packed answers of the one respondent in `set` whose segment is `segment`.
fn respondent(set: &ResponseSet, segment: &str) -> (Option<i64>, Vec<u8>) {
    let matching: Vec<usize> = (0..set.len())
        .filter(|&r| set.segment[r].map(|s| set.segments[s as usize].as_str()) == Some(segment))
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "respondents in segment {segment}: {set:?}"
    );
    let r = matching[0];
    (
        set.agency[r],
        set.answers.iter().map(|column| column[r]).collect(),
    )
}

/// `NO_ANSWER` everywhere except the given (item, value) pairs.
fn expected(positions: &HashMap<String, usize>, n: usize, answers: &[(&str, u8)]) -> Vec<u8> {
    let mut packed = vec![NO_ANSWER; n];
    for (code, value) in answers {
        packed[positions[*code]] = *value;
    }
    packed
}

const GOOD: &str = "\
audience,agency,segment,submitted_at,rel_commitments,recommend,effort,svc_email,imp_value,comment_start,comment_stop,consent_contact
customer,DOT,executive,2026-03-02T09:15:00Z,4,9,6,5,5,\"Tell us about outages, before our callers do\",,yes
customer,DOR,end_user,2026-03-03T10:00:00-05:00,2,,3,,1,,Closing tickets early,no
staff,,service_desk,2026-03-04,5,0,7,1,,,,
";

#[test]
fn responses_land_in_their_item_positions() {
    let db = with_wave();
    db.import_for_wave("responses", GOOD, "W1")
        .assert_ok()
        .assert_stdout_contains("imported 3 responses rows (3 new, 0 updated)");

    let (pos, n) = positions(&db, "W1");
    let wave = db.wave("W1");
    let loaded = store::responses::load_wave(&mut db.conn(), wave.id, n).unwrap();
    assert_eq!(loaded.customers.len(), 2);
    assert_eq!(loaded.staff.len(), 1);

    let (agency, answers) = respondent(&loaded.customers, "executive");
    assert_eq!(agency, Some(db.agency_id("DOT")));
    assert_eq!(
        answers,
        expected(
            &pos,
            n,
            &[
                ("rel_commitments", 4),
                ("recommend", 9),
                ("effort", 6),
                ("svc_email", 5),
                ("imp_value", 5),
                ("consent_contact", 1),
            ]
        ),
        "text answers never take a numeric slot; unanswered items are {NO_ANSWER}"
    );

    let (agency, answers) = respondent(&loaded.customers, "end_user");
    assert_eq!(agency, Some(db.agency_id("DOR")));
    assert_eq!(
        answers,
        expected(
            &pos,
            n,
            &[
                ("rel_commitments", 2),
                ("effort", 3),
                ("imp_value", 1),
                ("consent_contact", 0)
            ]
        ),
        "an empty cell is no answer"
    );

    let (agency, answers) = respondent(&loaded.staff, "service_desk");
    assert_eq!(agency, None);
    assert_eq!(
        answers,
        expected(
            &pos,
            n,
            &[
                ("rel_commitments", 5),
                ("recommend", 0),
                ("effort", 7),
                ("svc_email", 1)
            ]
        ),
        "0 is a real answer on nps11, not a missing one"
    );

    let mut conn = db.conn();
    // Timestamps are stored as naive UTC.
    let mut times: Vec<NaiveDateTime> = responses::table
        .select(responses::submitted_at)
        .load(&mut *conn)
        .unwrap();
    times.sort();
    let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    assert_eq!(
        times,
        [
            t("2026-03-02 09:15:00"),
            t("2026-03-03 15:00:00"),
            t("2026-03-04 00:00:00")
        ]
    );

    // Text answers are comments on their item, kept verbatim (commas and all).
    let mut stored: Vec<(String, String)> = comments::table
        .inner_join(items::table)
        .select((items::code, comments::body))
        .load(&mut *conn)
        .unwrap();
    stored.sort();
    assert_eq!(
        stored,
        [
            (
                "comment_start".to_string(),
                "Tell us about outages, before our callers do".to_string()
            ),
            (
                "comment_stop".to_string(),
                "Closing tickets early".to_string()
            ),
        ]
    );
    drop(conn);

    let (customers, staff) = store::responses::counts(&mut db.conn(), wave.id).unwrap();
    assert_eq!((customers, staff), (2, 1));
}

#[test]
fn responses_with_bad_rows_are_refused_whole() {
    let db = with_wave();
    db.import_for_wave("responses", GOOD, "W1").assert_ok();
    let before = db.snapshot();

    let run = db.import_for_wave(
        "responses",
        "\
audience,agency,segment,submitted_at,rel_commitments,recommend,comment_start,consent_contact
customer,DOT,executive,2026-03-02T09:15:00Z,4,9,Good stuff,yes
customer,NOPE,executive,2026-03-02T09:15:00Z,4,9,,
customer,DOT,executive,yesterday,4,9,,
customer,DOT,executive,2026-03-02T09:15:00Z,6,9,,
customer,DOT,executive,2026-03-02T09:15:00Z,4,11,,
staff,DOT,service_desk,2026-03-02T09:15:00Z,4,9,,
staff,,service_desk,2026-03-02T09:15:00Z,4,9,,yes
vendor,DOT,executive,2026-03-02T09:15:00Z,4,9,,
customer,DOT,executive,2026-03-02T09:15:00Z,4
customer,,executive,2026-03-02T09:15:00Z,4,9,,
customer,DOT,executive,2026-03-02T09:15:00Z,4.5,9,,
customer,DOT,executive,2026-03-02T09:15:00Z,,,,
staff,,security,2026-03-02T09:15:00Z,3,,Should not be here,
customer,DOT,executive,2026-03-02T09:15:00Z,3,-1,,maybe
customer,DOR,end_user,2026-03-05T09:15:00Z,3,7,,no
",
        "W1",
    );
    run.assert_failed()
        .assert_stderr_contains("nothing was written")
        .assert_error_lines(&[3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
        .assert_row_error(3, "agency", "unknown agency `NOPE`")
        .assert_row_error(
            4,
            "submitted_at",
            "`yesterday` is not an RFC 3339 timestamp",
        )
        .assert_row_error(
            5,
            "rel_commitments",
            "6 is outside the likert5 scale (1..5)",
        )
        .assert_row_error(6, "recommend", "11 is outside the nps11 scale (0..10)")
        .assert_row_error(7, "agency", "staff responses have no agency")
        .assert_row_error(8, "consent_contact", "not asked of staff")
        .assert_row_error(9, "audience", "unknown audience `vendor`")
        .assert_line_error(10, "has 5 fields, the header has 8")
        .assert_row_error(11, "agency", "needs its agency code")
        .assert_row_error(12, "rel_commitments", "`4.5` is not a whole number")
        .assert_line_error(13, "answers no item")
        .assert_row_error(14, "comment_start", "not asked of staff")
        .assert_row_error(15, "recommend", "-1 is outside the nps11 scale")
        .assert_row_error(15, "consent_contact", "`maybe` is not yes or no");
    assert_eq!(
        db.snapshot(),
        before,
        "a refused responses file changed the database"
    );
    assert_eq!(db.count("responses"), 3);
    assert_eq!(db.count("comments"), 2);
}

#[test]
fn responses_header_problems_are_reported_on_line_1() {
    let db = with_wave();
    let before = db.snapshot();
    db.import_for_wave(
        "responses",
        "audience,agency,submitted_at,rel_commitments,rel_bogus\ncustomer,DOT,2026-03-02,4,4\n",
        "W1",
    )
    .assert_failed()
    .assert_error_lines(&[1])
    .assert_row_error(
        1,
        "rel_bogus",
        "unknown item code `rel_bogus` (not in instrument agency-cx version 2)",
    );
    db.import_for_wave(
        "responses",
        "audience,agency,rel_commitments\ncustomer,DOT,4\n",
        "W1",
    )
    .assert_failed()
    .assert_error_lines(&[1])
    .assert_row_error(1, "submitted_at", "missing column `submitted_at`");
    db.import_for_wave("responses", GOOD, "W9")
        .assert_failed()
        .assert_stderr_contains("wave W9 not found");
    db.import("responses", GOOD)
        .assert_failed()
        .assert_stderr_contains("needs --wave");
    assert_eq!(db.snapshot(), before);
    assert_eq!(db.count("responses"), 0);
}

#[test]
fn a_large_file_with_one_bad_row_at_the_end_writes_nothing() {
    // More rows than the importer buffers before writing, so some are flushed to the
    // database before the bad row is read: the transaction must still undo them.
    let db = with_wave();
    let mut csv =
        String::from("audience,agency,segment,submitted_at,rel_commitments,comment_start\n");
    for i in 0..4_500 {
        let comment = if i % 1_000 == 0 { "A comment" } else { "" };
        csv.push_str(&format!(
            "customer,DOT,end_user,2026-03-02T09:15:00Z,{},{comment}\n",
            1 + i % 5
        ));
    }
    csv.push_str("customer,DOT,end_user,2026-03-02T09:15:00Z,9,\n");
    db.import_for_wave("responses", &csv, "W1")
        .assert_failed()
        .assert_error_lines(&[4_502])
        .assert_row_error(4_502, "rel_commitments", "9 is outside the likert5 scale");
    assert_eq!(db.count("responses"), 0);
    assert_eq!(db.count("comments"), 0);

    // Without the bad row, every row lands.
    let good = csv.lines().take(4_501).collect::<Vec<_>>().join("\n");
    db.import_for_wave("responses", &good, "W1")
        .assert_ok()
        .assert_stdout_contains("imported 4500 responses rows (4500 new, 0 updated)");
    assert_eq!(db.count("responses"), 4_500);
    assert_eq!(db.count("comments"), 5);
    let (pos, n) = positions(&db, "W1");
    let loaded = store::responses::load_wave(&mut db.conn(), db.wave("W1").id, n).unwrap();
    let mut histogram = [0usize; 6];
    for v in loaded.customers.values(pos["rel_commitments"]) {
        histogram[usize::from(v)] += 1;
    }
    assert_eq!(histogram, [0, 900, 900, 900, 900, 900]);
}

#[test]
fn the_default_instrument_imports_through_the_cli_once_its_services_exist() {
    let db = TestDb::new();
    let default = common::default_instrument_path();
    let default = default.to_str().unwrap();

    // Without a catalogue, every per-service item is refused, and nothing is stored.
    let run = db.rind(&["instrument", "import", default]);
    run.assert_failed()
        .assert_stderr_contains("svc_email: service `email` is not in the catalogue");
    let refused_items: Vec<_> = run
        .row_errors()
        .into_iter()
        .filter(|e| e.text.contains("is not in the catalogue"))
        .collect();
    assert_eq!(refused_items.len(), 8, "{run}");
    assert_eq!(db.count("instruments"), 0);
    assert_eq!(db.count("items"), 0);

    db.import(
        "services",
        "code,name\nemail,Email\nnetwork,Network\nhosting,Hosting\nservice_desk,Service desk\n\
         identity,Identity\nsecurity,Security\nerp,Finance and HR\ndevices,Devices\n",
    )
    .assert_ok();
    db.rind(&["instrument", "import", default])
        .assert_ok()
        .assert_stdout_contains("imported instrument agency-cx version 2");
    db.import("agencies", "code,name\nDOT,Transportation\n")
        .assert_ok();
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
    db.import_for_wave(
        "responses",
        "audience,agency,segment,submitted_at,svc_service_desk,svc_devices,comment_continue\n\
         customer,DOT,executive,2026-03-02T09:15:00Z,2,,Keep the field technicians\n",
        "FY26-Q1",
    )
    .assert_ok();

    let (pos, n) = positions(&db, "FY26-Q1");
    assert_eq!(n, 39, "the default instrument's items");
    let loaded = store::responses::load_wave(&mut db.conn(), db.wave("FY26-Q1").id, n).unwrap();
    let (_, answers) = respondent(&loaded.customers, "executive");
    assert_eq!(answers, expected(&pos, n, &[("svc_service_desk", 2)]));
    let service_desk = db.service_id("service_desk");
    let items =
        store::instruments::items(&mut db.conn(), db.wave("FY26-Q1").instrument_id).unwrap();
    let item = items.iter().find(|i| i.code == "svc_service_desk").unwrap();
    assert_eq!(item.service_id, Some(service_desk));
    assert!(item.is_mirrored());
}
