//! Crash safety of survey submission (issue 4): `rind serve` is killed with SIGKILL while
//! many clients submit surveys; after a restart, every submission that had been answered
//! with success is in the database, none is there twice, and submitting any link again
//! stores nothing.
//!
//! Everything is real: the `rind` binary on a SQLite file (or on PostgreSQL when
//! `TEST_DATABASE_URL` is set), HTTP over loopback, concurrent clients that open the form
//! (GET) and send it back complete with its form key (POST), and `Child::kill`, which is
//! SIGKILL on Unix: no shutdown code runs, open transactions die where they stand.
//!
//! **Which binary.** The issue asks for the release build. `scripts/test` builds it
//! (`cargo build --release`, a few minutes, within CI's budget) and names it in
//! `CRASH_TEST_BINARY`; this test then runs that binary and fails, saying so, if the file
//! is missing. Without the variable (a plain `cargo test`) it runs the binary `cargo test`
//! built (`CARGO_BIN_EXE_rind`: the same code with debug assertions and an unoptimised
//! `rind` crate), so the test needs no extra build locally. Durability does not depend on
//! the optimisation level, but the release build is faster, so more submissions are in
//! flight when the kill lands.
//!
//! Responses are not linked to invitations (the survey is confidential), so the test gives
//! every contact and staff member a segment or team of their own: a response's segment
//! then names the one invitation it came from, and "none twice" becomes "no segment
//! twice".

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that fails should panic loudly"
)]

#[path = "it/common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{TestDb, form_encode, form_key};
use diesel::prelude::*;
use rind::delivery::survey::questions;
use rind::delivery::tokens::{LinkToken, new_form_key};
use rind::domain::Audience;
use rind::store;

const CONTACTS: usize = 480;
const STAFF: usize = 120;
/// Clients submitting at once.
const CLIENTS: usize = 32;
/// The server is killed once this share of the links has been answered with success.
const KILL_AFTER: f64 = 0.4;
const WAIT: Duration = Duration::from_secs(60);

/// The binary under test: `CRASH_TEST_BINARY` (the release build, in CI) or the one
/// `cargo test` built.
fn binary() -> PathBuf {
    match std::env::var_os("CRASH_TEST_BINARY") {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            assert!(
                path.is_file(),
                "CRASH_TEST_BINARY names {}, which does not exist: build it first \
                 (`cargo build --release`, as scripts/test does) or unset the variable to test \
                 the debug binary",
                path.display()
            );
            path
        }
        _ => PathBuf::from(env!("CARGO_BIN_EXE_rind")),
    }
}

/// A running `rind serve --no-worker`; killed (SIGKILL) when dropped, so a failing test
/// leaves no server behind.
struct Server {
    child: Child,
    address: String,
    log: PathBuf,
}

impl Server {
    fn start(db: &TestDb, name: &str) -> Server {
        let bind = format!("127.0.0.1:{}", common::free_port());
        let log = db.dir().join(format!("{name}.log"));
        let mut cmd = Command::new(binary());
        cmd.args([
            "--database-url",
            db.url.as_str(),
            "serve",
            "--no-worker",
            "--bind",
            bind.as_str(),
        ])
        .current_dir(db.dir())
        .env_remove("DATABASE_URL");
        // A clean environment, as common::rind_command: nothing of the caller's leaks in.
        for (key, _) in std::env::vars() {
            if key.starts_with("RIND_") {
                cmd.env_remove(key);
            }
        }
        let child = cmd
            .env("NO_COLOR", "1")
            .env("RIND_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", binary().display()));
        let server = Server {
            child,
            address: format!("http://{bind}"),
            log,
        };
        assert!(
            common::wait_until_up(&format!("{}/healthz", server.address), WAIT),
            "rind serve did not come up:\n{}",
            server.log_text()
        );
        server
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL, then reap it.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One survey link: its token, whose it is, and what the clients saw.
struct Link {
    path: String,
    /// The segment (customers) or team (staff) of its recipient, unique per recipient.
    segment: String,
    audience: Audience,
    /// The form key from the last form page this link showed.
    form_key: Option<String>,
    outcome: Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// No submission was sent (or the form could not be fetched).
    NotSent,
    /// The POST got no answer: the server died first. It may or may not be stored.
    NoAnswer,
    /// 303 to the link: the server said it recorded the response.
    Recorded,
    /// 200 "Thank you" to a POST: already submitted, nothing stored.
    AlreadyAnswered,
}

/// A programme whose every contact and staff member has a segment or team of their own,
/// invited to W1, with one link per invitation issued through the library (as the
/// outbox worker does when it sends the email).
fn prepared(db: &TestDb) -> Vec<Link> {
    db.with_default_instrument();
    let mut conn = db.conn();
    let import = |conn: &mut rind::db::DbConnection, kind, csv: String| {
        rind::import::import_csv(conn, kind, csv.as_bytes(), None)
            .unwrap_or_else(|e| panic!("import {kind:?}: {e}"));
    };
    import(
        &mut conn,
        rind::import::ImportKind::Agencies,
        "code,name,brm_owner_email\nDOT,Transportation,brm@it.state.example\nDHHS,Health,\n".into(),
    );
    let mut csv = String::from("email,name,agency,segment\n");
    for i in 0..CONTACTS {
        let agency = if i % 2 == 0 { "DOT" } else { "DHHS" };
        csv.push_str(&format!(
            "{},Contact {i},{agency},c{i}\n",
            common::contact_email(i)
        ));
    }
    import(&mut conn, rind::import::ImportKind::Contacts, csv);
    let mut csv = String::from("email,name,team\n");
    for i in 0..STAFF {
        csv.push_str(&format!("{},Staff {i},t{i}\n", common::staff_email(i)));
    }
    import(&mut conn, rind::import::ImportKind::Staff, csv);
    rind::auth::add_user(&mut conn, "brm@it.state.example", "brm", "a long password")
        .expect("add the BRM user");
    drop(conn);
    db.create_wave("W1", false);
    let settings = common::test_settings(db);
    let sent = db.send(&settings, "W1");
    assert_eq!(sent.invited(), CONTACTS + STAFF, "{sent:?}");

    let mut conn = db.conn();
    let segment_of_contact: BTreeMap<i64, String> = store::contacts::list(&mut conn)
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.segment.expect("a segment")))
        .collect();
    let team_of_staff: BTreeMap<i64, String> = store::staff::list(&mut conn)
        .unwrap()
        .into_iter()
        .map(|s| (s.id, s.team.expect("a team")))
        .collect();
    let invitations = db.invitations("W1");
    let mut links = Vec::with_capacity(invitations.len());
    diesel::Connection::transaction::<_, rind::AppError, _>(&mut *conn, |conn| {
        for invitation in &invitations {
            let token = LinkToken::generate();
            store::invitations::add_link(conn, invitation.id, &token.hash(), &new_form_key())?;
            let (segment, audience) = match (invitation.contact_id, invitation.staff_id) {
                (Some(c), _) => (segment_of_contact[&c].clone(), Audience::Customer),
                (None, Some(s)) => (team_of_staff[&s].clone(), Audience::Staff),
                (None, None) => panic!("an invitation for no one"),
            };
            links.push(Link {
                path: format!("/s/{}", token.as_str()),
                segment,
                audience,
                form_key: None,
                outcome: Outcome::NotSent,
            });
        }
        Ok(())
    })
    .unwrap();
    // Interleave the audiences so both are in flight when the kill comes.
    links.sort_by(|a, b| a.path.cmp(&b.path));
    links
}

/// A complete answer to every question the audience is asked: a valid value for each
/// rating, a comment in each text box, and yes to "may we contact you?" (so customers'
/// submissions also write a follow-up, in the same transaction).
fn full_answers(db: &TestDb, audience: Audience) -> Vec<(String, String)> {
    let mut conn = db.conn();
    let wave = db.wave("W1");
    let items = store::instruments::items(&mut conn, wave.instrument_id).unwrap();
    let mut fields = vec![("action".to_string(), "submit".to_string())];
    for (i, q) in questions(&items, audience).iter().enumerate() {
        let value = if q.is_text() {
            format!("Comment {i}: keep the lights on.")
        } else if q.is_consent() {
            "1".to_string()
        } else {
            q.choices[i % q.choices.len()].value.clone()
        };
        fields.push((q.field(), value));
    }
    fields
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `GET` a link: the form's key, or `None` for the thank-you page; `Err` when the server
/// is gone.
fn open_form(
    client: &reqwest::blocking::Client,
    address: &str,
    path: &str,
) -> Result<Option<String>, reqwest::Error> {
    let reply = client.get(format!("{address}{path}")).send()?;
    let status = reply.status().as_u16();
    let body = reply.text()?;
    assert_eq!(status, 200, "GET {path}: {body}");
    if body.contains("name=\"form_key\"") {
        Ok(Some(form_key(&body)))
    } else {
        assert!(body.contains("Thank you"), "GET {path}: {body}");
        Ok(None)
    }
}

/// `POST` a complete form; `Err` when the server is gone.
fn submit(
    client: &reqwest::blocking::Client,
    address: &str,
    path: &str,
    key: &str,
    answers: &[(String, String)],
) -> Result<Outcome, reqwest::Error> {
    let body = std::iter::once(format!("form_key={}", form_encode(key)))
        .chain(
            answers
                .iter()
                .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v))),
        )
        .collect::<Vec<_>>()
        .join("&");
    let reply = client
        .post(format!("{address}{path}"))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()?;
    let status = reply.status().as_u16();
    let location = reply
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = reply.text()?;
    match status {
        303 => {
            assert_eq!(
                location.as_deref(),
                Some(path),
                "POST {path}: 303 elsewhere"
            );
            Ok(Outcome::Recorded)
        }
        200 if text.contains("Thank you") => Ok(Outcome::AlreadyAnswered),
        _ => panic!("POST {path}: unexpected {status}: {text}"),
    }
}

/// Runs `CLIENTS` clients over the links (by index, each link once) against `address`,
/// each opening the form and submitting it. A client stops at its first transport error
/// (the server is gone). `on_recorded` counts the successes as they come.
fn run_clients(
    links: &Arc<Mutex<Vec<Link>>>,
    todo: Vec<usize>,
    address: &str,
    answers: &Arc<BTreeMap<&'static str, Vec<(String, String)>>>,
    recorded: &Arc<AtomicUsize>,
    server_gone: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<()>> {
    let todo = Arc::new(todo);
    let next = Arc::new(AtomicUsize::new(0));
    (0..CLIENTS)
        .map(|_| {
            let (links, todo, next, answers, recorded, server_gone) = (
                links.clone(),
                todo.clone(),
                next.clone(),
                answers.clone(),
                recorded.clone(),
                server_gone.clone(),
            );
            let address = address.to_string();
            std::thread::spawn(move || {
                let client = client();
                loop {
                    let Some(&i) = todo.get(next.fetch_add(1, Ordering::SeqCst)) else {
                        return;
                    };
                    let (path, audience, known_key) = {
                        let links = links.lock().unwrap();
                        (
                            links[i].path.clone(),
                            links[i].audience,
                            links[i].form_key.clone(),
                        )
                    };
                    let key = match open_form(&client, &address, &path) {
                        Ok(Some(key)) => key,
                        // Answered already: send the form again with the key it had.
                        Ok(None) => known_key.expect("a thank-you page for a link never opened"),
                        Err(_) => {
                            server_gone.store(true, Ordering::SeqCst);
                            return;
                        }
                    };
                    links.lock().unwrap()[i].form_key = Some(key.clone());
                    let answers = &answers[match audience {
                        Audience::Customer => "customer",
                        Audience::Staff => "staff",
                    }];
                    let outcome =
                        submit(&client, &address, &path, &key, answers).unwrap_or_else(|_| {
                            server_gone.store(true, Ordering::SeqCst);
                            Outcome::NoAnswer
                        });
                    if outcome == Outcome::Recorded {
                        recorded.fetch_add(1, Ordering::SeqCst);
                    }
                    links.lock().unwrap()[i].outcome = outcome;
                    if outcome == Outcome::NoAnswer {
                        return;
                    }
                }
            })
        })
        .collect()
}

/// What the database holds: segment → responses with it, invitations responded, follow-ups,
/// comments.
struct Stored {
    responses_by_segment: BTreeMap<String, usize>,
    responses: i64,
    customer_responses: i64,
    responded: BTreeSet<String>,
    follow_ups: i64,
    comments: i64,
    outbox: i64,
}

fn stored(db: &TestDb) -> Stored {
    use rind::db::schema::{contacts, invitations, responses, staff};
    let mut conn = db.conn();
    let segments: Vec<(String, Option<String>)> = responses::table
        .select((responses::audience, responses::segment))
        .load(&mut *conn)
        .unwrap();
    let mut responses_by_segment = BTreeMap::new();
    for (_, segment) in &segments {
        *responses_by_segment
            .entry(segment.clone().expect("a response with its segment"))
            .or_insert(0) += 1;
    }
    let customer: Vec<Option<String>> = invitations::table
        .inner_join(contacts::table)
        .filter(invitations::state.eq("responded"))
        .select(contacts::segment)
        .load(&mut *conn)
        .unwrap();
    let team: Vec<Option<String>> = invitations::table
        .inner_join(staff::table)
        .filter(invitations::state.eq("responded"))
        .select(staff::team)
        .load(&mut *conn)
        .unwrap();
    drop(conn);
    Stored {
        responses: segments.len() as i64,
        customer_responses: segments.iter().filter(|(a, _)| a == "customer").count() as i64,
        responses_by_segment,
        responded: customer.into_iter().chain(team).flatten().collect(),
        follow_ups: db.count("follow_ups"),
        comments: db.count("comments"),
        outbox: db.count("outbox"),
    }
}

/// Everything that must hold after any crash: each stored response belongs to exactly one
/// responded invitation and the other way round, and each customer response came with its
/// follow-up and comments (one transaction: all or nothing).
#[track_caller]
fn assert_consistent(s: &Stored, comments_per_customer: i64) {
    let twice: Vec<_> = s
        .responses_by_segment
        .iter()
        .filter(|(_, n)| **n > 1)
        .collect();
    assert!(
        twice.is_empty(),
        "invitations with more than one response: {twice:?}"
    );
    let with_response: BTreeSet<String> = s.responses_by_segment.keys().cloned().collect();
    assert_eq!(
        with_response, s.responded,
        "responses and responded invitations differ"
    );
    assert_eq!(
        s.follow_ups, s.customer_responses,
        "one follow-up per customer response"
    );
    assert_eq!(
        s.comments,
        s.customer_responses * comments_per_customer,
        "comments of every customer response, and no others"
    );
}

#[test]
fn submissions_answered_with_success_survive_a_sigkill_and_are_never_stored_twice() {
    let db = TestDb::new();
    let all = prepared(&db);
    let n = all.len();
    let answers: Arc<BTreeMap<&'static str, Vec<(String, String)>>> = Arc::new(
        [
            ("customer", full_answers(&db, Audience::Customer)),
            ("staff", full_answers(&db, Audience::Staff)),
        ]
        .into_iter()
        .collect(),
    );
    let comments_per_customer = answers["customer"]
        .iter()
        .filter(|(k, _)| k.starts_with("q_comment_"))
        .count() as i64;
    assert_eq!(comments_per_customer, 3);
    let outbox_before = db.count("outbox");
    let links = Arc::new(Mutex::new(all));

    // 1. Clients submit; once enough have been told "recorded", SIGKILL.
    let mut first = Server::start(&db, "first");
    let recorded = Arc::new(AtomicUsize::new(0));
    let server_gone = Arc::new(AtomicBool::new(false));
    let clients = run_clients(
        &links,
        (0..n).collect(),
        &first.address,
        &answers,
        &recorded,
        &server_gone,
    );
    let kill_at = (n as f64 * KILL_AFTER) as usize;
    let start = Instant::now();
    while recorded.load(Ordering::SeqCst) < kill_at {
        assert!(
            start.elapsed() < WAIT,
            "only {} of {n} submissions recorded in {WAIT:?}:\n{}",
            recorded.load(Ordering::SeqCst),
            first.log_text()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    first.kill();
    for client in clients {
        client.join().expect("a client panicked");
    }
    assert!(
        server_gone.load(Ordering::SeqCst),
        "every submission finished before the kill: it proved nothing"
    );
    let (acknowledged, unanswered, unsent) = {
        let links = links.lock().unwrap();
        let count = |o: Outcome| links.iter().filter(|l| l.outcome == o).count();
        assert_eq!(
            count(Outcome::AlreadyAnswered),
            0,
            "a first submission was answered as a repeat"
        );
        (
            count(Outcome::Recorded),
            count(Outcome::NoAnswer),
            count(Outcome::NotSent),
        )
    };
    eprintln!(
        "{} binary on {}: killed with {acknowledged} submissions acknowledged, {unanswered} in flight, {unsent} not sent",
        if std::env::var_os("CRASH_TEST_BINARY").is_some_and(|v| !v.is_empty()) {
            "release"
        } else {
            "test"
        },
        db.backend()
    );
    assert!(
        acknowledged >= kill_at && unsent > 0,
        "the kill came too late"
    );

    // 2. Restart: every acknowledged submission is there, once; nothing is half-stored.
    let second = Server::start(&db, "second");
    if db.backend() == "sqlite" {
        use diesel::sql_types::Text;
        #[derive(QueryableByName)]
        struct Check {
            #[diesel(sql_type = Text)]
            integrity_check: String,
        }
        let check: Check = rind::with_backend!(&mut *db.conn(), |c| diesel::sql_query(
            "PRAGMA integrity_check"
        )
        .get_result(c))
        .unwrap();
        assert_eq!(check.integrity_check, "ok");
    }
    let after_crash = stored(&db);
    assert_consistent(&after_crash, comments_per_customer);
    {
        let links = links.lock().unwrap();
        for link in links.iter().filter(|l| l.outcome == Outcome::Recorded) {
            assert_eq!(
                after_crash.responses_by_segment.get(&link.segment),
                Some(&1),
                "a submission answered with success is missing after the crash ({})",
                link.segment
            );
        }
        let in_flight_stored = links
            .iter()
            .filter(|l| l.outcome == Outcome::NoAnswer)
            .filter(|l| after_crash.responded.contains(&l.segment))
            .count();
        eprintln!(
            "after the restart: {} responses ({acknowledged} acknowledged, {in_flight_stored} of the {unanswered} in flight committed)",
            after_crash.responses
        );
        assert_eq!(
            after_crash.responses as usize,
            acknowledged + in_flight_stored
        );
    }

    // 3. The rest submit against the restarted server: links in flight at the kill either
    // were stored (a repeat, nothing more) or are stored now.
    let todo: Vec<usize> = {
        let links = links.lock().unwrap();
        (0..n)
            .filter(|&i| links[i].outcome != Outcome::Recorded)
            .collect()
    };
    let gone = Arc::new(AtomicBool::new(false));
    for client in run_clients(
        &links,
        todo,
        &second.address,
        &answers,
        &Arc::new(AtomicUsize::new(0)),
        &gone,
    ) {
        client.join().expect("a client panicked");
    }
    assert!(
        !gone.load(Ordering::SeqCst),
        "the restarted server stopped answering:\n{}",
        second.log_text()
    );
    let complete = stored(&db);
    assert_consistent(&complete, comments_per_customer);
    assert_eq!(complete.responses as usize, n, "every link answered once");
    assert_eq!(
        complete.customer_responses as usize, CONTACTS,
        "every customer answered once"
    );
    assert_eq!(complete.outbox, outbox_before, "no mail queued");

    // 4. Submitting every link once more stores nothing.
    let again: Vec<usize> = (0..n).collect();
    for client in run_clients(
        &links,
        again,
        &second.address,
        &answers,
        &Arc::new(AtomicUsize::new(0)),
        &gone,
    ) {
        client.join().expect("a client panicked");
    }
    assert!(!gone.load(Ordering::SeqCst));
    {
        let links = links.lock().unwrap();
        let repeats = links
            .iter()
            .filter(|l| l.outcome == Outcome::AlreadyAnswered)
            .count();
        assert_eq!(repeats, n, "every repeat is answered with the thank-you");
    }
    let repeated = stored(&db);
    assert_eq!(repeated.responses_by_segment, complete.responses_by_segment);
    assert_eq!(repeated.follow_ups, complete.follow_ups);
    assert_eq!(repeated.comments, complete.comments);
    assert_eq!(repeated.outbox, complete.outbox);
    drop(second);
}
