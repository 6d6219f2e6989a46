//! Real-browser checks: headless Chromium (Debian's `chromium`) driven by playwright-core
//! through `tests/browser/check.mjs`, against the real app on a free port. Each test starts
//! the app, writes a plan of pages, runs `node tests/browser/check.mjs PLAN` once (one
//! browser for the whole test) and fails on what it reports: a wrong HTTP status, any
//! console error or failed request, an axe-core violation of impact `serious` or
//! `critical`, or (survey pages) content that scrolls sideways on a phone. Full-page
//! screenshots land in `target/browser-screenshots/<backend>/<test>/` as CI artifacts.
//!
//! A third test serves a deliberately broken page (an inline script the CSP refuses, a
//! missing stylesheet, an image without alt text, faint text, content wider than a phone)
//! and checks that the report names every one of those faults: the checks can fail.
//!
//! Runs on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set, like every test. It
//! never skips: without Chromium, Node or `tests/browser/node_modules` it fails and says
//! how to install them (`bash scripts/test` does).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test helper that fails should panic loudly, like the test itself"
)]

#[path = "it/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::{LINK_BASE, TestApp, TestDb, mail_files, test_settings};
use serde_json::{Value, json};

const DESKTOP: (&str, u32, u32) = ("desktop", 1280, 900);
const PHONE: (&str, u32, u32) = ("phone", 360, 740);

/// The Chromium binary the checks drive (`RIND_CHROMIUM` overrides).
fn chromium() -> PathBuf {
    std::env::var_os("RIND_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Fails, never skips, when something the checks need is missing.
fn require_tools() {
    let how = "run `bash scripts/test`, or install them by hand: \
        `apt-get install chromium` and `cd tests/browser && npm ci`";
    let chromium = chromium();
    assert!(
        chromium.exists(),
        "the browser tests need Chromium at {} (or RIND_CHROMIUM): {how}",
        chromium.display()
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "the browser tests need Node.js (`node` on PATH, v20 or later): {how} ({node:?})"
    );
    for module in ["playwright-core", "axe-core"] {
        let dir = browser_dir().join("node_modules").join(module);
        assert!(
            dir.is_dir(),
            "the browser tests need {} installed: {how}",
            dir.display()
        );
    }
}

/// `target/browser-screenshots/<backend>/<name>`, in the target folder cargo builds into.
fn screenshot_dir(db: &TestDb, name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let target = if target.is_absolute() {
        target
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(target)
    };
    target
        .join("browser-screenshots")
        .join(db.backend())
        .join(name)
}

fn viewport((name, width, height): (&str, u32, u32), vars: Value) -> Value {
    json!({ "name": name, "width": width, "height": height, "vars": vars })
}

/// Runs `node tests/browser/check.mjs` on a plan; returns whether it passed and its report.
fn check(db: &TestDb, plan: &Value) -> (bool, String) {
    let path = db.file(
        "browser-plan.json",
        serde_json::to_vec_pretty(plan).unwrap(),
    );
    let output = Command::new("node")
        .arg(browser_dir().join("check.mjs"))
        .arg(&path)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run node tests/browser/check.mjs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "check.mjs could not run the checks ({}):\n{report}",
        output.status
    );
    (output.status.success(), report)
}

/// Runs the checks of a plan and fails the test with their report unless every page passed.
fn run_checks(db: &TestDb, plan: &Value) {
    let started = Instant::now();
    let (passed, report) = check(db, plan);
    assert!(
        passed,
        "the browser checks failed after {:.1} s:\n{report}",
        started.elapsed().as_secs_f64()
    );
    // A record of what passed (shown with `--nocapture`).
    println!("{report}");
}

/// A wave's invitations delivered to their own mail folder; returns each link's path.
fn links(db: &TestDb, settings: &rind::Settings, wave: &str) -> Vec<String> {
    let settings = rind::Settings {
        mail_dir: db.dir().join(format!("mail-{wave}")),
        ..settings.clone()
    };
    db.send(&settings, wave);
    db.deliver_to_folder(&settings);
    mail_files(&settings.mail_dir)
        .into_iter()
        .map(|(_, mail)| mail.survey_path(LINK_BASE))
        .collect()
}

#[test]
fn survey_pages_pass_axe_on_a_phone_and_a_desktop() {
    require_tools();
    let db = TestDb::new();
    db.programme(2, 0);
    let settings = test_settings(&db);
    // One link per viewport in the open wave W1 (each is answered in the end), and one in
    // a wave that has closed since it was sent.
    let open = links(&db, &settings, "W1");
    assert_eq!(open.len(), 2, "{open:?}");
    db.create_wave("W2", false);
    let closed = links(&db, &settings, "W2");
    rind::commands::close_wave(&mut db.conn(), "W2").expect("close W2");
    let app = TestApp::spawn_with(settings, false);

    let unknown = format!("/s/{}", "A".repeat(43));
    let plan = json!({
        "name": "survey",
        "base": app.address,
        "screenshots": screenshot_dir(&db, "survey"),
        "reflow": true,
        "viewports": [
            viewport(DESKTOP, json!({ "link": open[0], "closed": closed[0] })),
            viewport(PHONE, json!({ "link": open[1], "closed": closed[1] })),
        ],
        "pages": [
            // The customer form, with per-service items that offer N/A.
            { "name": "form", "steps": [{ "goto": "{{link}}" }],
              "text": "Don't know / not applicable" },
            // An out-of-scale answer (a tampered or outdated form) and an N/A where there is
            // none: the form again, 422, with its error summary and the fields marked.
            { "name": "form-errors", "status": 422, "text": "There is a problem",
              "steps": [
                { "set_value": "input[name=q_rel_commitments][value='5']", "value": "6" },
                { "check": "input[name=q_rel_commitments][value='6']" },
                { "set_value": "input[name=q_resp_timely][value='5']", "value": "na" },
                { "check": "input[name=q_resp_timely][value='na']" },
                { "click": "button[value=submit]" }
              ] },
            // Saved for later: the form with its notice.
            { "name": "saved", "text": "Your answers are saved",
              "steps": [
                { "goto": "{{link}}" },
                { "check": "input[name=q_rel_commitments][value='4']" },
                { "click": "button[value=save]" }
              ] },
            { "name": "unsubscribe", "steps": [{ "goto": "{{link}}/unsubscribe" }],
              "text": "Stop email about this survey?" },
            { "name": "thank-you", "text": "Thank you",
              "steps": [
                { "goto": "{{link}}" },
                { "check": "input[name=q_svc_erp][value=na]" },
                { "check": "input[name=q_overall_satisfaction][value='4']" },
                { "fill": "#q_comment_start", "value": "Tell us about outages earlier." },
                { "click": "button[value=submit]" }
              ] },
            { "name": "not-found", "status": 404, "steps": [{ "goto": unknown }],
              "text": "Survey link not found" },
            { "name": "closed", "status": 410, "steps": [{ "goto": "{{closed}}" }],
              "text": "This survey has closed" }
        ]
    });
    run_checks(&db, &plan);
    // Both forms were really submitted through the browser.
    assert_eq!(db.count("responses"), 2);
}

#[test]
fn dashboard_pages_sign_in_without_console_errors_and_pass_axe() {
    require_tools();
    let db = TestDb::new();
    db.with_default_instrument();
    rind::demo::seed_if_empty(&mut db.conn(), 7)
        .expect("seed the demo")
        .expect("an empty database");
    let app = TestApp::spawn(&db);

    let wave = "FY26-Q3";
    let plan = json!({
        "name": "dashboard",
        "base": app.address,
        "screenshots": screenshot_dir(&db, "dashboard"),
        "reflow": true,
        "viewports": [viewport(DESKTOP, json!({})), viewport(PHONE, json!({}))],
        "pages": [
            // Signed out, the overview sends the browser to the sign-in form ...
            { "name": "signin", "steps": [{ "goto": "/" }], "url": "/signin",
              "text": "Sign in" },
            // ... which signs in through the real form and comes back.
            { "name": "overview", "url": "/", "text": "What customers said",
              "steps": [
                { "fill": "#email", "value": "cio@cio.state.example" },
                { "fill": "#password", "value": rind::demo::DEMO_PASSWORD },
                { "click": "main button[type=submit]" }
              ] },
            { "name": "wave", "steps": [{ "goto": format!("/waves/{wave}") }],
              "text": "How IT performs, per question" },
            { "name": "service",
              "steps": [{ "goto": format!("/waves/{wave}/services/service_desk") }],
              "text": "What IT reported" },
            { "name": "agency", "steps": [{ "goto": format!("/agencies/DHHS?wave={wave}") }],
              "text": "What Department of Health and Human Services said" },
            { "name": "rates", "steps": [{ "goto": format!("/waves/{wave}/rates") }],
              "text": "Response rates" },
            { "name": "follow-ups", "steps": [{ "goto": "/follow-ups" }],
              "text": "Follow-ups" },
            { "name": "item",
              "steps": [{ "goto": format!("/waves/{wave}/items/rel_commitments") }],
              "text": "How people answered" },
            { "name": "dimension",
              "steps": [{ "goto": format!("/waves/{wave}/dimensions/reliability") }],
              "text": "By agency, segment and team" },
            // Signed out, and in again as the administrator, for the admin pages.
            { "name": "admin-waves", "url": "/admin/waves", "text": "Create a wave",
              "steps": [
                { "click": "form.signout button" },
                { "fill": "#email", "value": "admin@cio.state.example" },
                { "fill": "#password", "value": rind::demo::DEMO_PASSWORD },
                { "click": "main button[type=submit]" },
                { "goto": "/admin/waves" }
              ] },
            { "name": "admin-agencies", "steps": [{ "goto": "/admin/agencies" }],
              "text": "Upload" }
        ]
    });
    run_checks(&db, &plan);
}

/// A page with one of each fault the checks exist to catch, served with a CSP like rind's.
const BAD_PAGE: &str = "<!doctype html><html lang=\"en\"><head><title>Bad</title>\
    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
    <link rel=\"stylesheet\" href=\"/bad.css\"><link rel=\"stylesheet\" href=\"/missing.css\">\
    <script>console.log('inline')</script></head><body><main><h1>Bad page</h1>\
    <p class=\"faint\">Hard to read</p><img src=\"/missing.png\"><div class=\"wide\">wide</div>\
    </main></body></html>";

/// Serves `BAD_PAGE` at `/`, its stylesheet at `/bad.css` and 404 for anything else, on a
/// free loopback port, for as long as the test process lives.
fn serve_bad_page() -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request_line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Skip the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/");
            let (status, content_type, body) = match path {
                "/" => ("200 OK", "text/html; charset=utf-8", BAD_PAGE),
                "/bad.css" => (
                    "200 OK",
                    "text/css",
                    "body { background: #fff; } .faint { color: #b0b0b0; } .wide { width: 600px; }",
                ),
                _ => ("404 Not Found", "text/plain", "not found"),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
                 Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self'\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    address
}

#[test]
fn the_checks_catch_console_errors_failed_requests_axe_violations_and_sideways_scrolling() {
    require_tools();
    let db = TestDb::new();
    let plan = json!({
        "name": "self-test",
        "base": serve_bad_page(),
        "screenshots": db.dir().join("screenshots"),
        "reflow": true,
        "viewports": [viewport(PHONE, json!({}))],
        "pages": [{ "name": "bad", "steps": [{ "goto": "/" }], "text": "Bad page" }]
    });
    let (passed, report) = check(&db, &plan);
    assert!(!passed, "a bad page passed the checks:\n{report}");
    for needle in [
        // The inline script, refused by the CSP, is a console error.
        "console: ",
        "Content Security Policy",
        // A stylesheet that is not there.
        "/missing.css answered 404",
        // axe-core, at serious and critical.
        "axe [serious] color-contrast",
        "axe [critical] image-alt",
        "scrolls sideways",
    ] {
        assert!(
            report.contains(needle),
            "the report lacks {needle:?}:\n{report}"
        );
    }
    assert!(db.dir().join("screenshots/bad-phone.png").is_file());
}
