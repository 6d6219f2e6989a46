//! Dashboard benchmark (issue 5; see BENCHMARKS.md): the overview page `/` and the wave
//! page `/waves/{code}` of the release build (`rind serve --no-worker`, SQLite) with about
//! 100,000 responses: the demo programme scaled up (`demo::seed_scaled_if_empty`: its
//! agencies, services, SLA figures and three waves, with 111 times the contacts and staff).
//!
//! Each run starts the server afresh (the report cache lives in memory), signs in as the
//! CIO through the real sign-in form, and then measures with the load generator of
//! `common::load`:
//! - **cold**: the first `/` after the start, when the overview (trend over all waves, gap
//!   and watermelon reports of the latest wave) is computed from the database; then the
//!   first `/waves/{code}` (its gap and watermelon reports are cached under their own keys);
//! - **warm**: 200 requests one after another on one keep-alive connection (server time
//!   plus a loopback round trip), for each page; each still reads the data fingerprint
//!   (counts and highest ids) to know the cached report is current;
//! - **warm, 8 clients**: `/` for 5 s from 8 connections at once: throughput and latency.
//!
//! The server's own time for each request is in its log (`GET / 200 12.3ms`); the median
//! of those for the warm `/` requests is printed beside the client's figures.
//!
//! Run: `cargo bench --bench dashboard` (5 runs; `-- --quick` does one).

#![expect(
    clippy::expect_used,
    reason = "a benchmark aborts on any setup failure"
)]

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::load::{self, Client, Process, Stats, Until, form_encode};
use common::median;
use rind::db::Database;

/// Demo scale: 111 × the demo's contacts and staff gives about 100,000 responses.
const SCALE: usize = 111;
/// Headings that only the full pages carry (not the sign-in form or an error page).
const OVERVIEW: &str = "Largest blind spots";
const WAVE: &str = "How IT performs, per question";
const WARM_REQUESTS: usize = 200;
const CONCURRENT: usize = 8;
const CONCURRENT_FOR: Duration = Duration::from_secs(5);

/// A `Cookie` header value from the `Set-Cookie` headers of a reply.
fn cookie_named(reply: &load::Reply, name: &str) -> Option<String> {
    reply
        .headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

/// Signs in through the form, as a browser does; returns the session cookie.
fn sign_in(addr: &str, email: &str, password: &str) -> String {
    let mut client = Client::connect(addr).expect("connect");
    let form = client.get("/signin", &[]).expect("GET /signin");
    assert_eq!(form.status, 200);
    let csrf_cookie = cookie_named(&form, "rind_signin").expect("the sign-in cookie");
    let page = form.text();
    let marker = "name=\"csrf_token\" value=\"";
    let at = page.find(marker).expect("a CSRF token") + marker.len();
    let csrf = &page[at..at + page[at..].find('"').expect("quote")];
    let body = format!(
        "email={}&password={}&csrf_token={}&next=%2F",
        form_encode(email),
        form_encode(password),
        form_encode(csrf)
    );
    let reply = client
        .post_form("/signin", &[("Cookie", &csrf_cookie)], body.as_bytes())
        .expect("POST /signin");
    assert_eq!(reply.status, 303, "sign-in refused: {}", reply.text());
    cookie_named(&reply, "rind_session").expect("a session cookie")
}

/// Times one `GET path` on a fresh connection; checks the page is the full page.
fn timed_get(addr: &str, path: &str, cookie: &str, expect: &str) -> f64 {
    let mut client = Client::connect(addr).expect("connect");
    let start = Instant::now();
    let reply = client.get(path, &[("Cookie", cookie)]).expect("GET");
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(reply.status, 200, "GET {path}: {}", reply.text());
    assert!(reply.text().contains(expect), "GET {path} lacks {expect:?}");
    ms
}

/// One `GET path` with the session: a full page (200, the heading `expect`).
fn page_op(
    path: &'static str,
    cookie: String,
    expect: &'static str,
) -> impl Fn(&mut Client, usize) + Send + Sync + 'static {
    move |client: &mut Client, _| {
        let reply = client.get(path, &[("Cookie", &cookie)]).expect("GET");
        assert_eq!(reply.status, 200, "GET {path}");
        assert!(
            reply
                .body
                .windows(expect.len())
                .any(|w| w == expect.as_bytes()),
            "GET {path} lacks {expect:?}"
        );
    }
}

/// Server-side times (ms) of `GET {path} 200` requests in a `rind serve` log.
fn server_times(log: &Path, path: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let needle = format!("GET {path} 200 ");
    text.lines()
        .filter_map(|l| l.split_once(&needle).map(|(_, rest)| rest))
        .filter_map(|rest| rest.trim().strip_suffix("ms")?.parse().ok())
        .collect()
}

struct Run {
    cold_overview: f64,
    cold_wave: f64,
    warm_overview: Stats,
    warm_wave: Stats,
    concurrent: Stats,
    server_warm_overview_p50: f64,
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 1 } else { 5 };
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("dashboard.db").display());

    let setup = Instant::now();
    let (summary, wave) = {
        let db = Database::open(&url, 1).expect("open");
        db.migrate().expect("migrate");
        let mut conn = db.conn().expect("conn");
        rind::commands::first_start(&mut conn).expect("first start");
        let summary = rind::demo::seed_scaled_if_empty(&mut conn, 2026, SCALE)
            .expect("seed")
            .expect("an empty database");
        let waves = rind::store::waves::list(&mut conn).expect("waves");
        // The wave the overview shows by default: the latest with responses.
        let wave = waves
            .iter()
            .rev()
            .find(|w| w.customer_responses + w.staff_responses > 0)
            .expect("a wave with responses")
            .code
            .clone();
        (summary, wave)
    };
    let responses = summary.customer_responses + summary.staff_responses;
    eprintln!(
        "{summary} (not timed: {:.0} s)",
        setup.elapsed().as_secs_f64()
    );
    let wave_path: &'static str = Box::leak(format!("/waves/{wave}").into_boxed_str());

    let mut results = Vec::new();
    for run in 0..runs {
        let addr = format!("127.0.0.1:{}", load::free_port());
        let log = dir.path().join(format!("serve{run}.log"));
        let server = Process(
            load::rind(
                dir.path(),
                &[
                    "--database-url",
                    &url,
                    "serve",
                    "--no-worker",
                    "--bind",
                    &addr,
                ],
                &[],
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log"))
            .spawn()
            .expect("start rind serve"),
        );
        load::wait_until_up(&addr, Duration::from_secs(30));
        let cookie = sign_in(&addr, "cio@cio.state.example", rind::demo::DEMO_PASSWORD);

        let cold_overview = timed_get(&addr, "/", &cookie, OVERVIEW);
        let cold_wave = timed_get(&addr, wave_path, &cookie, WAVE);
        let warm_overview = load::run(
            &addr,
            1,
            Until::Count(WARM_REQUESTS),
            page_op("/", cookie.clone(), OVERVIEW),
        );
        let warm_wave = load::run(
            &addr,
            1,
            Until::Count(WARM_REQUESTS),
            page_op(wave_path, cookie.clone(), WAVE),
        );
        let concurrent = load::run(
            &addr,
            CONCURRENT,
            Until::Elapsed(CONCURRENT_FOR),
            page_op("/", cookie.clone(), OVERVIEW),
        );
        server.terminate();
        // The log's `GET / 200` lines: the cold one, the warm ones, the concurrent ones.
        let times = server_times(&log, "/");
        let server_warm_overview_p50 = if times.len() > WARM_REQUESTS {
            median(times[1..=WARM_REQUESTS].to_vec())
        } else {
            f64::NAN
        };
        eprintln!(
            "run {run}: cold / {cold_overview:.1} ms (server {:.1} ms), cold {wave_path} {cold_wave:.1} ms",
            times.first().copied().unwrap_or(f64::NAN)
        );
        eprintln!(
            "run {run}: warm / {} (server p50 {server_warm_overview_p50:.2} ms)",
            warm_overview.summary()
        );
        eprintln!("run {run}: warm {wave_path} {}", warm_wave.summary());
        eprintln!(
            "run {run}: warm / with {CONCURRENT} clients {}",
            concurrent.summary()
        );
        results.push(Run {
            cold_overview,
            cold_wave,
            warm_overview,
            warm_wave,
            concurrent,
            server_warm_overview_p50,
        });
    }

    let med = |f: &dyn Fn(&Run) -> f64| median(results.iter().map(f).collect());
    println!("{responses} responses over 3 waves (demo x {SCALE}); median of {runs} runs:");
    println!(
        "GET / cold (first request after start): {:.1} ms",
        med(&|r| r.cold_overview)
    );
    println!(
        "GET / warm, 1 client: p50 {:.2} ms, p99 {:.2} ms (server p50 {:.2} ms) (target p50 < 150 ms)",
        med(&|r| r.warm_overview.percentile(50.0)),
        med(&|r| r.warm_overview.percentile(99.0)),
        med(&|r| r.server_warm_overview_p50),
    );
    println!(
        "GET {wave_path} cold: {:.1} ms; warm, 1 client: p50 {:.2} ms, p99 {:.2} ms",
        med(&|r| r.cold_wave),
        med(&|r| r.warm_wave.percentile(50.0)),
        med(&|r| r.warm_wave.percentile(99.0)),
    );
    println!(
        "GET / warm, {CONCURRENT} clients: {:.0} pages/s, p50 {:.2} ms, p99 {:.2} ms",
        med(&|r| r.concurrent.per_second()),
        med(&|r| r.concurrent.percentile(50.0)),
        med(&|r| r.concurrent.percentile(99.0)),
    );
}
