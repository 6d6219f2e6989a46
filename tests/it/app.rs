//! The web application on a free port: health and readiness checks, the waves API and
//! its OpenAPI document, through the library's `Application` and through `rind serve`.

use std::process::{Child, Stdio};
use std::time::Duration;

use crate::common::{self, TestApp, TestDb};
use serde_json::json;

#[test]
fn the_app_answers_health_readiness_and_waves_on_a_free_port() {
    let db = TestDb::new();
    let app = TestApp::spawn(&db).signed_in(&db, "admin");

    let health = app.get("/healthz");
    assert_eq!(health.status, 200, "{health:?}");
    assert_eq!(health.json(), json!({ "status": "ok" }));

    let ready = app.get_json("/readyz");
    assert_eq!(
        ready,
        json!({ "status": "ready", "database": db.backend() })
    );

    assert_eq!(app.get_json("/api/v1/waves"), json!({ "waves": [] }));

    let missing = app.get("/api/v1/no-such-thing");
    assert_eq!(missing.status, 404, "{missing:?}");

    // A second app on the same database gets a port of its own.
    let other = TestApp::spawn(&db).signed_in(&db, "admin");
    assert_ne!(app.address, other.address);
    assert_eq!(other.get("/healthz").status, 200);
}

#[test]
fn the_openapi_document_is_valid_json_describing_the_api() {
    let db = TestDb::new();
    let app = TestApp::spawn(&db).signed_in(&db, "admin");
    let doc = app.get_json("/api/v1/openapi.json");
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "not an OpenAPI 3 document: {doc}"
    );
    let paths = doc["paths"].as_object().expect("paths");
    for path in ["/healthz", "/readyz", "/api/v1/waves"] {
        assert!(
            paths[path]["get"].is_object(),
            "{path} is not described: {doc}"
        );
    }
    for path in ["/api/v1/waves/{code}/send", "/api/v1/waves/{code}/remind"] {
        assert!(
            paths[path]["post"].is_object(),
            "{path} is not described: {doc}"
        );
    }
}

#[test]
fn the_waves_api_lists_waves_oldest_first_with_their_counts() {
    let db = TestDb::new();
    db.with_default_instrument();
    db.import("agencies", "code,name\nDOT,Transportation\n")
        .assert_ok();
    for args in [
        [
            "--code",
            "FY26-Q3",
            "--instrument",
            "agency-cx",
            "--opens",
            "2026-07-01T08:30:00-04:00",
        ],
        [
            "--code",
            "FY26-Q1",
            "--instrument",
            "agency-cx",
            "--opens",
            "2026-01-05",
        ],
    ] {
        let mut full = vec!["wave", "create"];
        full.extend_from_slice(&args);
        if args[1] == "FY26-Q1" {
            full.push("--baseline");
        }
        db.rind(&full).assert_ok();
    }
    // A wave not yet scheduled comes after the scheduled ones, on either backend.
    db.rind(&[
        "wave",
        "create",
        "--code",
        "FY27-Q1",
        "--instrument",
        "agency-cx",
    ])
    .assert_ok();
    db.import_for_wave(
        "responses",
        "audience,agency,segment,submitted_at,rel_commitments\n\
         customer,DOT,executive,2026-01-06T10:00:00Z,4\n\
         customer,DOT,end_user,2026-01-07T10:00:00Z,2\n\
         staff,,security,2026-01-08T10:00:00Z,5\n",
        "FY26-Q1",
    )
    .assert_ok();

    let app = TestApp::spawn(&db).signed_in(&db, "admin");
    let waves = app.waves();
    let codes: Vec<&str> = waves.iter().map(|w| w["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["FY26-Q1", "FY26-Q3", "FY27-Q1"], "{waves:?}");
    assert_eq!(
        waves[0],
        json!({
            "code": "FY26-Q1",
            "instrument": "agency-cx",
            "instrument_version": 2,
            "baseline": true,
            "status": "draft",
            "opens_at": "2026-01-05T00:00:00Z",
            "closes_at": null,
            "invited": 0,
            "customer_responses": 2,
            "staff_responses": 1,
        })
    );
    assert_eq!(waves[1]["opens_at"], "2026-07-01T12:30:00Z");
    assert_eq!(waves[1]["baseline"], false);
    assert_eq!(waves[1]["customer_responses"], 0);
    assert_eq!(waves[2]["opens_at"], serde_json::Value::Null);
}

#[test]
fn the_demo_programme_is_served() {
    let db = TestDb::new();
    db.with_default_instrument();
    let summary = rind::demo::seed_if_empty(&mut db.conn(), 2026)
        .unwrap()
        .expect("an empty database takes the demo");
    let app = TestApp::spawn(&db).signed_in(&db, "admin");

    let waves = app.waves();
    assert_eq!(waves.len(), 3, "{waves:?}");
    let codes: Vec<&str> = waves.iter().map(|w| w["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["FY26-Q1", "FY26-Q3", "FY27-Q1"]);
    let baselines: Vec<&str> = waves
        .iter()
        .filter(|w| w["baseline"] == true)
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(baselines, ["FY26-Q1"]);
    let statuses: Vec<&str> = waves
        .iter()
        .map(|w| w["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["closed", "closed", "open"]);
    let mut customers = 0;
    let mut staff = 0;
    for w in &waves {
        assert!(w["invited"].as_i64().unwrap() >= 600, "{w}");
        assert!(w["customer_responses"].as_i64().unwrap() > 100, "{w}");
        assert!(w["staff_responses"].as_i64().unwrap() > 10, "{w}");
        customers += w["customer_responses"].as_i64().unwrap();
        staff += w["staff_responses"].as_i64().unwrap();
    }
    assert_eq!(customers as usize, summary.customer_responses);
    assert_eq!(staff as usize, summary.staff_responses);
}

/// A `rind serve` process, stopped when dropped.
struct Served {
    child: Child,
    address: String,
    /// An API token to call with.
    token: Option<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn start(db: &TestDb, extra: &[&str]) -> Served {
        let port = common::free_port();
        let bind = format!("127.0.0.1:{port}");
        let mut args = vec![
            "--database-url",
            db.url.as_str(),
            "serve",
            "--bind",
            bind.as_str(),
        ];
        args.extend_from_slice(extra);
        let child = common::rind_command(db.dir(), &args, &[("RIND_LOG", "warn")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start rind serve");
        let served = Served {
            child,
            address: format!("http://{bind}"),
            token: None,
        };
        assert!(
            common::wait_until_up(
                &format!("{}/healthz", served.address),
                Duration::from_secs(90)
            ),
            "`rind serve` did not answer on {bind}"
        );
        served
    }

    fn get_json(&self, path: &str) -> serde_json::Value {
        let client = common::client_with_token(self.token.as_deref());
        let reply = common::get(&client, &format!("{}{path}", self.address));
        assert_eq!(reply.status, 200, "GET {path}: {reply:?}");
        reply.json()
    }
}

#[test]
fn rind_serve_demo_migrates_seeds_and_serves() {
    let db = TestDb::new();
    let mut served = Served::start(&db, &["--demo"]);
    // The API needs a signed-in caller: an admin's API token.
    served.token = Some(db.api_token("admin"));
    assert_eq!(
        served.get_json("/readyz"),
        json!({ "status": "ready", "database": db.backend() })
    );
    let waves = served.get_json("/api/v1/waves");
    let waves = waves["waves"].as_array().expect("waves");
    assert_eq!(waves.len(), 3, "{waves:?}");
    assert_eq!(waves.iter().filter(|w| w["baseline"] == true).count(), 1);
    let token = served.token.clone();
    drop(served);

    // Serving again with --demo leaves the programme as it is.
    let before = db.snapshot();
    let mut served = Served::start(&db, &["--demo"]);
    served.token = token;
    assert_eq!(
        served.get_json("/api/v1/waves")["waves"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    drop(served);
    assert_eq!(db.snapshot(), before);
}
