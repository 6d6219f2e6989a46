//! Survey-delivery benchmarks (issue 4; see BENCHMARKS.md), against the release build of
//! the `rind` binary (`cargo bench` builds it with the bench profile, which is release):
//!
//! 1. **Sending**: 10,000 invitations queued by `rind send`, then delivered by `rind worker`
//!    over SMTP to a sink on loopback (a minimal SMTP server in this file that accepts
//!    every message). Timed from the worker's start until the sink holds all 10,000;
//!    afterwards every outbox row must be `sent` and every recipient have exactly one
//!    message.
//! 2. **Submissions**: `rind serve --no-worker` on a SQLite file, 64 concurrent keep-alive
//!    clients on loopback (`common::load`), each submission a complete customer survey
//!    through its own link. In every run, in this order: `/healthz` for 5 s (the ceiling:
//!    what the server and load generator manage on the cheapest route), 20,000 submissions
//!    (`POST /s/{token}` with the form key, as a browser sends it after showing the form),
//!    and 5,000 full visits (`GET` the form, read its key, `POST`). Throughput, p50 and p99
//!    of each.
//!
//! Run: `cargo bench --bench delivery` (5 runs of each; `-- --quick` does one, and
//! `-- send` or `-- submit` runs one half). Setup (databases, contacts, invitations and
//! their links, through the library) is not timed.

#![expect(
    clippy::expect_used,
    reason = "a benchmark aborts on any setup failure"
)]

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::load::{self, Process, Stats, Until, form_encode};
use common::median;
use rind::db::Database;
use rind::delivery::tokens::{LinkToken, form_key_text, new_form_key};
use rind::domain::Audience;
use rind::import::{ImportKind, import_csv};
use rind::store;

const INVITATIONS: usize = 10_000;
const CLIENTS: usize = 64;
const SUBMISSIONS: usize = 20_000;
const VISITS: usize = 5_000;
const HEALTHZ_FOR: Duration = Duration::from_secs(5);
const WARMUP: usize = 1_000;

// ---------------------------------------------------------------------------------------
// An SMTP sink
// ---------------------------------------------------------------------------------------

/// Accepts every message on loopback and counts them, with their recipients.
struct Sink {
    port: u16,
    accepted: Arc<AtomicUsize>,
    recipients: Arc<Mutex<HashSet<String>>>,
    duplicates: Arc<AtomicUsize>,
}

impl Sink {
    fn start() -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the SMTP sink");
        let port = listener.local_addr().expect("address").port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let recipients = Arc::new(Mutex::new(HashSet::new()));
        let duplicates = Arc::new(AtomicUsize::new(0));
        {
            let (accepted, recipients, duplicates) =
                (accepted.clone(), recipients.clone(), duplicates.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let (accepted, recipients, duplicates) =
                        (accepted.clone(), recipients.clone(), duplicates.clone());
                    std::thread::spawn(move || {
                        // A client that hangs up mid-conversation is no error here.
                        let _ = serve_smtp(stream, &accepted, &recipients, &duplicates);
                    });
                }
            });
        }
        Sink {
            port,
            accepted,
            recipients,
            duplicates,
        }
    }

    fn reset(&self) {
        self.accepted.store(0, Ordering::SeqCst);
        self.duplicates.store(0, Ordering::SeqCst);
        self.recipients.lock().expect("lock").clear();
    }
}

fn serve_smtp(
    stream: TcpStream,
    accepted: &AtomicUsize,
    recipients: &Mutex<HashSet<String>>,
    duplicates: &AtomicUsize,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    writer.write_all(b"220 sink ESMTP\r\n")?;
    let mut line = String::new();
    let mut to: Vec<String> = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let upper = line.trim_end().to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            writer.write_all(b"250-sink\r\n250 8BITMIME\r\n")?;
        } else if let Some(address) = upper.strip_prefix("RCPT TO:") {
            to.push(address.trim().to_string());
            writer.write_all(b"250 ok\r\n")?;
        } else if upper == "DATA" {
            writer.write_all(b"354 go on\r\n")?;
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
            }
            {
                let mut seen = recipients.lock().expect("lock");
                for r in to.drain(..) {
                    if !seen.insert(r) {
                        duplicates.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
            accepted.fetch_add(1, Ordering::SeqCst);
            writer.write_all(b"250 queued\r\n")?;
        } else if upper == "QUIT" {
            writer.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else if upper == "RSET" {
            to.clear();
            writer.write_all(b"250 ok\r\n")?;
        } else {
            // MAIL FROM, NOOP, HELO.
            writer.write_all(b"250 ok\r\n")?;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Setup
// ---------------------------------------------------------------------------------------

const AGENCIES: usize = 20;
const SEGMENTS: [&str; 3] = ["executive", "it_liaison", "end_user"];

/// A SQLite database with the default instrument, 20 agencies, `contacts` contacts and a
/// draft wave `W1`.
fn programme(dir: &Path, name: &str, contacts: usize) -> String {
    let url = format!("sqlite://{}", dir.join(name).display());
    let db = Database::open(&url, 1).expect("open");
    db.migrate().expect("migrate");
    let mut conn = db.conn().expect("conn");
    rind::commands::first_start(&mut conn).expect("first start");
    let agencies: String = std::iter::once("code,name,brm_owner_email\n".to_string())
        .chain((0..AGENCIES).map(|a| format!("A{a:02},Agency {a},brm{}@it.example\n", a % 4)))
        .collect();
    import_csv(&mut conn, ImportKind::Agencies, agencies.as_bytes(), None).expect("agencies");
    let mut csv = String::from("email,name,agency,segment\n");
    for i in 0..contacts {
        csv.push_str(&format!(
            "person{i}@agency{}.example,Person {i},A{:02},{}\n",
            i % AGENCIES,
            i % AGENCIES,
            SEGMENTS[i % SEGMENTS.len()]
        ));
    }
    import_csv(&mut conn, ImportKind::Contacts, csv.as_bytes(), None).expect("contacts");
    for b in 0..4 {
        rind::auth::add_user(
            &mut conn,
            &format!("brm{b}@it.example"),
            "brm",
            "a long bench password",
        )
        .expect("user");
    }
    rind::commands::create_wave(&mut conn, "W1", "agency-cx", None, None, true).expect("wave");
    url
}

// ---------------------------------------------------------------------------------------
// 1. Sending
// ---------------------------------------------------------------------------------------

/// The worker's `mail_concurrency`: rind's default (4), or `BENCH_MAIL_CONCURRENCY`.
fn mail_concurrency() -> usize {
    std::env::var("BENCH_MAIL_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

struct SendRun {
    queue_secs: f64,
    deliver_secs: f64,
}

fn send_run(dir: &Path, run: usize, sink: &Sink) -> SendRun {
    let url = programme(dir, &format!("send{run}.db"), INVITATIONS);
    let env = [
        ("RIND_PUBLIC_BASE_URL", "https://survey.example.gov"),
        ("RIND_SMTP_HOST", "127.0.0.1"),
        ("RIND_SMTP_TLS", "none"),
        ("RIND_MAIL_POLL_MS", "50"),
    ];
    let port = sink.port.to_string();
    let concurrency = mail_concurrency().to_string();
    let mut env = env.to_vec();
    env.push(("RIND_SMTP_PORT", port.as_str()));
    env.push(("RIND_MAIL_CONCURRENCY", concurrency.as_str()));

    let start = Instant::now();
    let out = load::rind(dir, &["--database-url", &url, "send", "--wave", "W1"], &env)
        .output()
        .expect("run rind send");
    let queue_secs = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "rind send failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    sink.reset();
    let log = std::fs::File::create(dir.join(format!("worker{run}.log"))).expect("log");
    let start = Instant::now();
    let worker = Process(
        load::rind(dir, &["--database-url", &url, "worker"], &env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start rind worker"),
    );
    while sink.accepted.load(Ordering::SeqCst) < INVITATIONS {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "the worker delivered only {} messages in 10 minutes",
            sink.accepted.load(Ordering::SeqCst)
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let deliver_secs = start.elapsed().as_secs_f64();
    worker.terminate();

    // Every message went once, and the outbox says so.
    assert_eq!(sink.accepted.load(Ordering::SeqCst), INVITATIONS);
    assert_eq!(sink.duplicates.load(Ordering::SeqCst), 0);
    assert_eq!(sink.recipients.lock().expect("lock").len(), INVITATIONS);
    let db = Database::open(&url, 1).expect("open");
    let rows = store::outbox::list(&mut db.conn().expect("conn")).expect("outbox");
    assert_eq!(rows.len(), INVITATIONS);
    assert!(rows.iter().all(|m| m.state == "sent"), "unsent outbox rows");
    SendRun {
        queue_secs,
        deliver_secs,
    }
}

// ---------------------------------------------------------------------------------------
// 2. Submissions
// ---------------------------------------------------------------------------------------

/// One survey link and its form key.
struct Link {
    path: String,
    form_key: String,
}

/// `contacts` invitations to the open wave W1, delivered (state `sent`), each with one
/// link issued through the library as the worker issues it when it sends the email.
fn invited(dir: &Path, contacts: usize) -> (String, Vec<Link>) {
    let url = programme(dir, "submit.db", contacts);
    let db = Database::open(&url, 1).expect("open");
    let mut conn = db.conn().expect("conn");
    let wave = store::waves::by_code(&mut conn, "W1").expect("wave");
    let now = rind::store::now();
    store::waves::open_for_sending(&mut conn, wave.id, now).expect("open the wave");
    let people = store::contacts::list(&mut conn).expect("contacts");
    let rows: Vec<store::invitations::NewInvitation> = people
        .iter()
        .map(|c| store::invitations::NewInvitation {
            wave_id: wave.id,
            audience: Audience::Customer,
            contact_id: Some(c.id),
            staff_id: None,
            token_hash: rind::delivery::tokens::unused_hash(),
            state: store::invitations::InvitationState::Sent,
            created_at: now,
            sent_at: Some(now),
            responded_at: None,
            expires_at: None,
        })
        .collect();
    let links = diesel::Connection::transaction::<_, rind::AppError, _>(&mut *conn, |conn| {
        store::invitations::insert_many(conn, &rows)?;
        let mut links = Vec::with_capacity(rows.len());
        for invitation in store::invitations::list_for_wave(conn, wave.id)? {
            let token = LinkToken::generate();
            let key = new_form_key();
            store::invitations::add_link(conn, invitation.id, &token.hash(), &key)?;
            links.push(Link {
                path: format!("/s/{}", token.as_str()),
                form_key: form_key_text(&key),
            });
        }
        Ok(links)
    })
    .expect("invite");
    (url, links)
}

/// Every question of the customer survey answered (the form body without its key):
/// a value on each scale, a sentence in each comment box; `consent` answers "may we
/// contact you?".
fn answers(url: &str, consent: bool) -> String {
    let db = Database::open(url, 1).expect("open");
    let mut conn = db.conn().expect("conn");
    let wave = store::waves::by_code(&mut conn, "W1").expect("wave");
    let items = store::instruments::items(&mut conn, wave.instrument_id).expect("items");
    let mut fields = vec!["action=submit".to_string()];
    for (i, q) in rind::delivery::survey::questions(&items, Audience::Customer)
        .iter()
        .enumerate()
    {
        let value = if q.is_text() {
            format!("Comment {i}: tell us about outages earlier, please.")
        } else if q.is_consent() {
            if consent { "1" } else { "0" }.to_string()
        } else {
            q.choices[(i * 7 + 3) % q.choices.len()].value.clone()
        };
        fields.push(format!(
            "{}={}",
            form_encode(&q.field()),
            form_encode(&value)
        ));
    }
    fields.join("&")
}

fn form_key_in(page: &str) -> &str {
    let marker = "name=\"form_key\" value=\"";
    let at = page.find(marker).expect("a form key in the page") + marker.len();
    let rest = &page[at..];
    &rest[..rest.find('"').expect("closing quote")]
}

struct SubmitRun {
    healthz: Stats,
    submit: Stats,
    visit: Stats,
}

fn submit_runs(dir: &Path, runs: usize) -> Vec<SubmitRun> {
    let total = WARMUP + runs * (SUBMISSIONS + VISITS);
    let setup = Instant::now();
    let (url, links) = invited(dir, total);
    // One respondent in five agrees to be contacted: their submission writes a follow-up.
    let bodies = Arc::new([answers(&url, true), answers(&url, false)]);
    eprintln!(
        "{total} invitations with links ready in {:.1} s (not timed)",
        setup.elapsed().as_secs_f64()
    );
    let links = Arc::new(links);
    let addr = format!("127.0.0.1:{}", load::free_port());
    let log = std::fs::File::create(dir.join("serve.log")).expect("log");
    let server = Process(
        load::rind(
            dir,
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
        .stderr(log)
        .spawn()
        .expect("start rind serve"),
    );
    load::wait_until_up(&addr, Duration::from_secs(30));

    let submit_op = |offset: usize| {
        let (links, bodies) = (links.clone(), bodies.clone());
        move |client: &mut load::Client, i: usize| {
            let n = offset + i;
            let link = &links[n];
            let body = format!(
                "form_key={}&{}",
                link.form_key,
                bodies[usize::from(!n.is_multiple_of(5))]
            );
            let reply = client
                .post_form(&link.path, &[], body.as_bytes())
                .expect("POST a survey");
            assert_eq!(reply.status, 303, "submit: {}", reply.text());
        }
    };
    let visit_op = |offset: usize| {
        let (links, bodies) = (links.clone(), bodies.clone());
        move |client: &mut load::Client, i: usize| {
            let n = offset + i;
            let link = &links[n];
            let page = client.get(&link.path, &[]).expect("GET a survey");
            assert_eq!(page.status, 200);
            let page = page.text();
            let key = form_key_in(&page);
            let body = format!(
                "form_key={key}&{}",
                bodies[usize::from(!n.is_multiple_of(5))]
            );
            let reply = client
                .post_form(&link.path, &[], body.as_bytes())
                .expect("POST a survey");
            assert_eq!(reply.status, 303, "submit: {}", reply.text());
        }
    };

    // Warm-up: connections, SQLite's page cache, the allocator.
    load::run(&addr, CLIENTS, Until::Count(WARMUP), submit_op(0));
    let mut offset = WARMUP;
    let mut results = Vec::new();
    for run in 0..runs {
        let healthz = load::run(&addr, CLIENTS, Until::Elapsed(HEALTHZ_FOR), |c, _| {
            let r = c.get("/healthz", &[]).expect("GET /healthz");
            assert_eq!(r.status, 200);
        });
        let submit = load::run(&addr, CLIENTS, Until::Count(SUBMISSIONS), submit_op(offset));
        offset += SUBMISSIONS;
        let visit = load::run(&addr, CLIENTS, Until::Count(VISITS), visit_op(offset));
        offset += VISITS;
        eprintln!("run {run}: healthz  {}", healthz.summary());
        eprintln!("run {run}: submit   {}", submit.summary());
        eprintln!("run {run}: GET+POST {}", visit.summary());
        results.push(SubmitRun {
            healthz,
            submit,
            visit,
        });
    }
    server.terminate();

    // Every submission is stored, once.
    let db = Database::open(&url, 1).expect("open");
    let mut conn = db.conn().expect("conn");
    let wave = store::waves::by_code(&mut conn, "W1").expect("wave");
    let (customers, staff) = store::responses::counts(&mut conn, wave.id).expect("counts");
    assert_eq!((customers as usize, staff), (offset, 0));
    results
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let only = |name: &str| {
        let named: Vec<&String> = args
            .iter()
            .filter(|a| *a == "send" || *a == "submit")
            .collect();
        named.is_empty() || named.iter().any(|a| *a == name)
    };
    let runs = if quick { 1 } else { 5 };
    let dir = tempfile::tempdir().expect("tempdir");

    if only("send") {
        let sink = Sink::start();
        let mut queue = Vec::new();
        let mut rate = Vec::new();
        for run in 0..runs {
            let r = send_run(dir.path(), run, &sink);
            eprintln!(
                "send run {run}: rind send {:.2} s; worker delivered {INVITATIONS} in {:.2} s = {:.0} messages/s",
                r.queue_secs,
                r.deliver_secs,
                INVITATIONS as f64 / r.deliver_secs
            );
            queue.push(r.queue_secs);
            rate.push(INVITATIONS as f64 / r.deliver_secs);
        }
        println!(
            "queue {INVITATIONS} invitations (rind send): median {:.2} s of {runs} runs",
            median(queue)
        );
        println!(
            "deliver {INVITATIONS} invitations over SMTP (rind worker, mail_concurrency {}): median {:.0} messages/s of {runs} runs (target >= 500)",
            mail_concurrency(),
            median(rate)
        );
    }

    if only("submit") {
        let results = submit_runs(dir.path(), runs);
        let med = |f: &dyn Fn(&SubmitRun) -> f64| median(results.iter().map(f).collect());
        println!(
            "GET /healthz, {CLIENTS} clients, {} s: median {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms of {runs} runs",
            HEALTHZ_FOR.as_secs(),
            med(&|r| r.healthz.per_second()),
            med(&|r| r.healthz.percentile(50.0)),
            med(&|r| r.healthz.percentile(99.0)),
        );
        println!(
            "submit (POST /s/{{token}}), {CLIENTS} clients, {SUBMISSIONS} each run: median {:.0} submissions/s, p50 {:.2} ms, p99 {:.2} ms of {runs} runs (target >= 2000/s, p99 < 50 ms); {:.2} of the /healthz rate",
            med(&|r| r.submit.per_second()),
            med(&|r| r.submit.percentile(50.0)),
            med(&|r| r.submit.percentile(99.0)),
            med(&|r| r.submit.per_second() / r.healthz.per_second()),
        );
        println!(
            "visit (GET form + POST), {CLIENTS} clients, {VISITS} each run: median {:.0} visits/s, p50 {:.2} ms, p99 {:.2} ms of {runs} runs",
            med(&|r| r.visit.per_second()),
            med(&|r| r.visit.percentile(50.0)),
            med(&|r| r.visit.percentile(99.0)),
        );
    }
}
