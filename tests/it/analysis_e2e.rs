//! End to end through the CLI: an instrument, agencies, a service, responses and SLA
//! metrics imported from the files in `tests/fixtures/e2e/`, then `rind report gap` and
//! `rind report trend` checked against the values SciPy gives for the same answers
//! (`tests/fixtures/e2e/make_expected.py` wrote `expected.json`), and the report API
//! routes over HTTP. Runs on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set.

use std::path::PathBuf;

use crate::common::{TestApp, TestDb};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/e2e")
        .join(name)
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap()
}

/// A database with the fixture programme imported through the CLI, and waves W1
/// (baseline, with the fixture's responses and SLA) and W2 (the same answers shifted).
fn programme() -> TestDb {
    let db = TestDb::new();
    let path = |name: &str| fixture(name).to_str().unwrap().to_string();
    db.rind(&["import", "agencies", &path("agencies.csv")])
        .assert_ok();
    db.rind(&["import", "services", &path("services.csv")])
        .assert_ok();
    db.rind(&["instrument", "import", &path("instrument.toml")])
        .assert_ok();
    db.rind(&[
        "wave",
        "create",
        "--code",
        "W1",
        "--instrument",
        "e2e",
        "--opens",
        "2026-03-01T00:00:00Z",
        "--baseline",
    ])
    .assert_ok();
    db.rind(&[
        "import",
        "responses",
        &path("responses.csv"),
        "--wave",
        "W1",
    ])
    .assert_ok();
    db.rind(&["import", "sla", &path("sla.csv"), "--wave", "W1"])
        .assert_ok();
    db
}

/// Asserts `actual` equals `expected` within a relative tolerance.
#[track_caller]
fn close(actual: &Value, expected: &Value, tolerance: f64, what: &str) {
    let (a, e) = (
        actual
            .as_f64()
            .unwrap_or_else(|| panic!("{what}: {actual} is not a number")),
        expected.as_f64().unwrap(),
    );
    assert!(
        (a - e).abs() <= tolerance * e.abs().max(1e-300),
        "{what}: rind {a}, SciPy {e}"
    );
}

fn find<'a>(list: &'a Value, key: &str, name: &str) -> &'a Value {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .find(|row| row[key] == name)
        .unwrap_or_else(|| panic!("no {key} {name} in {list}"))
}

/// Checks one compared row against SciPy's figures.
fn check_row(row: &Value, reference: &Value, what: &str) {
    for side in ["customer", "staff"] {
        assert_eq!(row[side]["n"], reference[side]["n"], "{what} {side} n");
        for measure in ["mean", "sd"] {
            close(
                &row[side][measure],
                &reference[side][measure],
                1e-9,
                &format!("{what} {side} {measure}"),
            );
        }
        close(
            &row[side]["ci95"]["lower"],
            &reference[side]["ci95"][0],
            1e-9,
            &format!("{what} {side} ci95"),
        );
    }
    close(&row["gap"], &reference["gap"], 1e-9, &format!("{what} gap"));
    close(
        &row["gap_ci95"]["upper"],
        &reference["gap_ci95"][1],
        1e-9,
        &format!("{what} gap_ci95"),
    );
    close(&row["welch"]["t"], &reference["welch"]["t"], 1e-9, what);
    close(&row["welch"]["df"], &reference["welch"]["df"], 1e-9, what);
    close(&row["welch"]["p"], &reference["welch"]["p"], 1e-6, what);
    close(
        &row["mann_whitney"]["u"],
        &reference["mann_whitney"]["u"],
        1e-9,
        what,
    );
    close(
        &row["mann_whitney"]["p"],
        &reference["mann_whitney"]["p"],
        1e-6,
        what,
    );
}

#[test]
fn gap_report_from_imported_files_matches_scipy() {
    let db = programme();
    let run = db.rind(&["report", "gap", "--wave", "W1", "--format", "json"]);
    run.assert_ok();
    let report: Value = serde_json::from_str(&run.stdout).expect("the report is JSON");
    let expected = expected();

    assert_eq!(report["wave"], "W1");
    assert_eq!(report["customer_respondents"], 25);
    assert_eq!(report["staff_respondents"], 8);
    for item in ["q1", "q2", "overall", "svc_email", "imp_reliability"] {
        let row = find(&report["items"], "item", item);
        let reference = &expected["items"][item];
        check_row(row, reference, item);
        close(&row["q"], &reference["q"], 1e-6, &format!("{item} q"));
    }
    let verdict = |item: &str| find(&report["items"], "item", item)["verdict"].clone();
    assert_eq!(verdict("q1"), "blind_spot");
    assert_eq!(verdict("q2"), "aligned");
    assert_eq!(verdict("overall"), "blind_spot");
    assert_eq!(verdict("svc_email"), "blind_spot");
    // An importance item says what matters, not how IT performs: its significant,
    // material negative gap (it matters more to customers than staff think) is a priority
    // IT underestimates, never a hidden strength.
    assert_eq!(verdict("imp_reliability"), "underestimated_priority");
    // Each row names its question for people, beside the code.
    let q1 = find(&report["items"], "item", "q1");
    assert!(
        q1["label"]
            .as_str()
            .is_some_and(|l| !l.is_empty() && l != "q1"),
        "{q1}"
    );
    assert!(
        q1["wording"].as_str().is_some_and(|w| !w.is_empty()),
        "{q1}"
    );
    let reliability = find(&report["dimensions"], "dimension", "reliability");
    check_row(
        reliability,
        &expected["dimensions"]["reliability"],
        "reliability",
    );
    // Only q1 and q2 are scored: the overall item is a dimension of one and is not shown.
    assert_eq!(report["dimensions"].as_array().unwrap().len(), 1);

    // By agency: A3 (3 respondents) is hidden, and A2, the smallest shown, with it, so
    // that A3 can't be recovered as "overall minus A1 minus A2".
    let agencies = find(&report["breakdowns"], "by", "agency");
    let group = |code: &str| find(&agencies["groups"], "group", code).clone();
    assert_eq!(group("A3")["suppressed"], "below_threshold");
    assert_eq!(group("A2")["suppressed"], "complementary");
    assert!(group("A3")["table"].is_null() && group("A3")["respondents"].is_null());
    assert_eq!(group("A1")["respondents"], 12);
    assert_eq!(agencies["suppressed"]["below_threshold"], 1);
    assert_eq!(agencies["suppressed"]["complementary"], 1);
    assert!(
        !run.stdout.contains("Agency Three"),
        "no name of a hidden group"
    );

    // CSAT on overall satisfaction: 5 of 25 answered 4 or 5.
    let csat = &report["measures"]["customers"]["csat"];
    assert_eq!(csat["successes"], expected["csat"]["successes"]);
    assert_eq!(csat["n"], expected["csat"]["n"]);
    close(&csat["share"], &Value::from(0.2), 1e-12, "CSAT");

    // The CSV holds the same numbers in long form.
    let out = db.dir().join("gap.csv");
    db.rind(&[
        "report",
        "gap",
        "--wave",
        "W1",
        "--format",
        "csv",
        "-o",
        out.to_str().unwrap(),
    ])
    .assert_ok();
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let cell = |breakdown: &str, group: &str, key: &str, measure: &str| {
        rows.iter()
            .find(|r| &r[1] == breakdown && &r[2] == group && &r[4] == key && &r[6] == measure)
            .map(|r| r[7].to_string())
    };
    let p: f64 = cell("overall", "", "q1", "welch_p")
        .unwrap()
        .parse()
        .unwrap();
    close(
        &Value::from(p),
        &expected["items"]["q1"]["welch"]["p"],
        1e-6,
        "CSV q1 p",
    );
    assert_eq!(
        cell("agency", "A3", "", "suppressed").as_deref(),
        Some("below_threshold")
    );
    assert_eq!(cell("agency", "A3", "q1", "customer_mean"), None);
}

#[test]
fn trend_and_report_routes() {
    let db = programme();
    // A second wave: the same people answer one point higher on q1 (capped at 5).
    db.rind(&[
        "wave",
        "create",
        "--code",
        "W2",
        "--instrument",
        "e2e",
        "--opens",
        "2026-09-01T00:00:00Z",
    ])
    .assert_ok();
    let original = std::fs::read_to_string(fixture("responses.csv")).unwrap();
    let mut shifted = String::new();
    for (i, line) in original.lines().enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        if i > 0 && cells[0] == "customer" {
            let q1: u8 = cells[4].parse().unwrap();
            cells[4] = (q1 + 1).min(5).to_string();
        }
        shifted.push_str(&cells.join(","));
        shifted.push('\n');
    }
    db.import_for_wave("responses", &shifted, "W2").assert_ok();

    let run = db.rind(&["report", "trend", "--wave", "W2", "--format", "json"]);
    run.assert_ok();
    let trend: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(trend["baseline"], "W1");
    assert_eq!(trend["waves"].as_array().unwrap().len(), 2);
    let q1 = find(&trend["items"], "name", "q1");
    let w2 = &q1["waves"][1];
    assert_eq!(w2["wave"], "W2");
    // Customers' q1 rose by the mean of the shift: 22 answers went up by one, three 5s
    // stayed (A3 answered 5, 4, 5), so (22 + 1)/25 = 0.92.
    close(
        &w2["customer_change"]["difference"],
        &Value::from(0.92),
        1e-9,
        "q1 change",
    );
    assert!(w2["customer_change"]["p"].as_f64().unwrap() < 0.05);
    assert!(q1["waves"][0]["customer_change"].is_null());
    // Staff answers did not change.
    close(
        &w2["staff_change"]["difference"],
        &Value::from(0.0),
        1e-12,
        "staff",
    );
    // The trend up to W1 has only the baseline.
    let early = db.rind(&["report", "trend", "--wave", "W1", "--format", "csv"]);
    early.assert_ok();
    assert!(
        early
            .stdout
            .starts_with("wave,breakdown,group,table,key,label,measure,value")
    );
    assert!(!early.stdout.contains("\nW2,"));

    let app = TestApp::spawn(&db).signed_in(&db, "admin");
    // Every report route answers JSON for a known wave and 404 for an unknown one.
    for route in ["gap", "trend", "watermelon", "ipa", "calibration", "rates"] {
        let body = app.get_json(&format!("/api/v1/waves/W1/{route}"));
        assert_eq!(body["wave"], "W1", "{route}");
        let missing = app.get(&format!("/api/v1/waves/NOPE/{route}"));
        assert_eq!(missing.status, 404, "{route}: {missing:?}");
        assert!(missing.json()["error"].as_str().unwrap().contains("NOPE"));
    }
    // Email: both SLA metrics met, 2 of 23 customers satisfied: a watermelon.
    let watermelon = app.get_json("/api/v1/waves/W1/watermelon");
    let email = find(&watermelon["services"], "service", "email");
    assert_eq!(email["sla"]["attainment"], 1.0);
    assert_eq!(email["customers"]["n"], 23);
    assert_eq!(email["class"], "watermelon");
    // Per agency: A3 answered once, A2's cell hidden with it.
    let cell = |code: &str| find(&email["agencies"], "agency", code).clone();
    assert_eq!(cell("A3")["suppressed"], "below_threshold");
    assert!(cell("A3")["customers"]["csat"].is_null());
    assert_eq!(cell("A2")["suppressed"], "complementary");
    assert_eq!(cell("A1")["class"], "watermelon");

    // Calibration: q1, q2, overall and svc_email are likert5 and shown on both sides.
    let calibration = app.get_json("/api/v1/waves/W1/calibration");
    assert_eq!(calibration["items"], 4);
    let expected = expected();
    let gaps: Vec<f64> = ["q1", "q2", "overall", "svc_email"]
        .iter()
        .map(|i| expected["items"][i]["gap"].as_f64().unwrap())
        .collect();
    close(
        &calibration["bias"],
        &Value::from(gaps.iter().sum::<f64>() / 4.0),
        1e-9,
        "bias",
    );

    // Importance–performance: reliability has importance and a dimension score.
    let ipa = app.get_json("/api/v1/waves/W1/ipa");
    let point = find(&ipa["points"], "dimension", "reliability");
    close(
        &point["customers"]["performance"],
        &expected["dimensions"]["reliability"]["customer"]["mean"],
        1e-9,
        "performance",
    );
    assert!(point["staff"]["importance"].as_f64().unwrap() < 4.0);

    // Rates: responses were imported without invitations, so no rate can be stated,
    // and A3's three responses are hidden.
    let rates = app.get_json("/api/v1/waves/W1/rates");
    assert_eq!(rates["customers"]["responses"], 25);
    assert!(rates["customers"]["rate"].is_null());
    let a3 = find(&rates["agencies"], "agency", "A3");
    assert_eq!(a3["suppressed"], "below_threshold");
    assert!(a3["responses"].is_null());

    // The OpenAPI document describes the routes.
    let openapi = app.get_json("/api/v1/openapi.json");
    for route in ["gap", "trend", "watermelon", "ipa", "calibration", "rates"] {
        assert!(
            openapi["paths"][format!("/api/v1/waves/{{code}}/{route}")]["get"].is_object(),
            "{route}"
        );
    }
}

#[test]
fn reports_of_an_unknown_wave_fail_clearly() {
    let db = TestDb::new();
    for kind in ["gap", "trend"] {
        db.rind(&["report", kind, "--wave", "FY99-Q9", "--format", "json"])
            .assert_failed()
            .assert_stderr_contains("FY99-Q9");
    }
}
