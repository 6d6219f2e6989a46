//! Sending surveys: `rind send` and its API, the outbox worker against a real SMTP server on
//! loopback (refusals, dropped connections, refused recipients, restarts, two workers on
//! one database), the `.eml` folder and `rind mail ls`, and reminders.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::common;
use crate::common::smtp::SmtpServer;
use crate::common::{LINK_BASE, TestApp, TestDb, mail_files, test_settings};
use rind::delivery::Worker;
use rind::delivery::outbox::deliver_due;
use rind::store;

const WAIT: Duration = Duration::from_secs(30);

/// Waits until no message is pending or being sent.
#[track_caller]
fn wait_until_outbox_done(db: &TestDb) {
    let start = Instant::now();
    loop {
        let open = store::outbox::count_unfinished(&mut db.conn()).unwrap();
        if open == 0 {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "{open} message(s) still unsent: {:?}",
            db.outbox()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Recipient → how many messages the server accepted for them.
fn tally(mails: &[common::smtp::Mail]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for m in mails {
        for to in &m.to {
            *counts.entry(to.clone()).or_insert(0) += 1;
        }
    }
    counts
}

/// Asserts every invitation of W1 was accepted by the server exactly once.
#[track_caller]
fn assert_each_exactly_once(db: &TestDb, smtp: &SmtpServer, expected: usize) {
    // Give a duplicate, if any were coming, the time to arrive.
    std::thread::sleep(Duration::from_millis(150));
    let mails = smtp.received();
    let counts = tally(&mails);
    assert_eq!(mails.len(), expected, "messages accepted: {counts:?}");
    assert_eq!(counts.len(), expected, "recipients: {counts:?}");
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    let mut ids: Vec<String> = mails
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), expected, "Message-IDs repeat");
    let outbox = db.outbox();
    assert_eq!(outbox.len(), expected);
    assert!(outbox.iter().all(|m| m.state == "sent"), "{outbox:?}");
    assert!(db.invitations("W1").iter().all(|i| i.state == "sent"));
}

#[test]
fn refusals_are_retried_and_a_restarted_worker_sends_no_duplicates() {
    let db = TestDb::new();
    db.programme(8, 2);
    let smtp = SmtpServer::start();
    // Refuse the first three messages; take a little time over each one, so that the
    // worker can be stopped with the campaign half done.
    smtp.refuse_next(3).delay_each(Duration::from_millis(30));
    let settings = smtp.settings(test_settings(&db));
    assert_eq!(db.send(&settings, "W1").invited(), 10);

    let database = rind::commands::open(&settings).unwrap();
    let worker = Worker::start(&settings, database.clone()).unwrap();
    smtp.wait_for(3, WAIT);
    worker.stop();
    let halfway = smtp.received().len();
    assert!(halfway < 10, "the campaign finished before the restart");
    // Nothing is left claimed by the stopped worker.
    assert!(
        db.outbox().iter().all(|m| m.state != "sending"),
        "{:?}",
        db.outbox()
    );

    let worker = Worker::start(&settings, database).unwrap();
    smtp.wait_for(10, WAIT);
    wait_until_outbox_done(&db);
    worker.stop();

    assert_eq!(smtp.refused(), 3);
    assert_each_exactly_once(&db, &smtp, 10);
    // The refused ones were tried again, and their error is gone once sent.
    let outbox = db.outbox();
    assert_eq!(
        outbox.iter().map(|m| m.attempts).sum::<i32>(),
        13,
        "{outbox:?}"
    );
    assert!(outbox.iter().all(|m| m.last_error.is_none()));
    // Connections are pooled and reused: at most one per sender thread of each of the two
    // workers, plus one reconnect per refusal (lettre drops a connection after an error
    // reply). Without reuse, 13 attempts would have opened 13.
    let most = 2 * settings.mail_concurrency as usize + smtp.refused();
    assert!(
        smtp.connections() <= most,
        "{} connections",
        smtp.connections()
    );
}

#[test]
fn a_dropped_connection_is_retried_and_the_message_arrives_once() {
    let db = TestDb::new();
    db.programme(3, 0);
    let smtp = SmtpServer::start();
    smtp.drop_next(2);
    let settings = smtp.settings(test_settings(&db));
    db.send(&settings, "W1");
    let mailer = rind::delivery::Mailer::from_settings(&settings).unwrap();
    let start = Instant::now();
    while store::outbox::count_unfinished(&mut db.conn()).unwrap() > 0 {
        deliver_due(&mut db.conn(), &settings, &mailer).unwrap();
        assert!(start.elapsed() < WAIT);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(smtp.dropped(), 2);
    assert_each_exactly_once(&db, &smtp, 3);
}

#[test]
fn a_refused_address_fails_at_once_and_keeps_the_servers_answer() {
    let db = TestDb::new();
    db.programme(3, 0);
    let smtp = SmtpServer::start();
    let refused = common::contact_email(1);
    smtp.reject_recipient(&refused);
    let settings = smtp.settings(test_settings(&db));
    db.send(&settings, "W1");
    let mailer = rind::delivery::Mailer::from_settings(&settings).unwrap();
    let report = deliver_due(&mut db.conn(), &settings, &mailer).unwrap();
    assert_eq!(
        (report.sent, report.failed, report.retried),
        (2, 1, 0),
        "{report:?}"
    );

    let failed = db
        .outbox()
        .into_iter()
        .find(|m| m.recipient == refused)
        .unwrap();
    assert_eq!(failed.state, "failed");
    assert_eq!(failed.attempts, 1, "a 5xx answer is not retried");
    let error = failed.last_error.unwrap();
    assert!(
        error.contains("550") && error.contains("no such user"),
        "{error}"
    );
    let states: Vec<String> = db.invitations("W1").into_iter().map(|i| i.state).collect();
    assert_eq!(states, ["sent", "failed", "sent"]);
    assert_eq!(smtp.received().len(), 2);
    // Nothing more to do.
    let again = deliver_due(&mut db.conn(), &settings, &mailer).unwrap();
    assert_eq!(again, Default::default());
}

#[test]
fn a_server_that_keeps_refusing_is_given_up_after_the_configured_attempts() {
    let db = TestDb::new();
    db.programme(1, 0);
    let smtp = SmtpServer::start();
    smtp.refuse_next(1_000);
    let settings = rind::Settings {
        mail_max_attempts: 3,
        ..smtp.settings(test_settings(&db))
    };
    db.send(&settings, "W1");
    let mailer = rind::delivery::Mailer::from_settings(&settings).unwrap();
    let start = Instant::now();
    while store::outbox::count_unfinished(&mut db.conn()).unwrap() > 0 {
        deliver_due(&mut db.conn(), &settings, &mailer).unwrap();
        assert!(start.elapsed() < WAIT);
        std::thread::sleep(Duration::from_millis(20));
    }
    let message = &db.outbox()[0];
    assert_eq!(message.state, "failed");
    assert_eq!(message.attempts, 3);
    assert_eq!(smtp.refused(), 3);
    let error = message.last_error.as_deref().unwrap();
    assert!(
        error.contains("gave up after 3 attempts") && error.contains("451"),
        "{error}"
    );
    assert_eq!(db.invitations("W1")[0].state, "failed");
    assert!(smtp.received().is_empty());
}

#[test]
fn an_unreachable_smtp_server_is_retried_then_given_up() {
    let db = TestDb::new();
    db.programme(1, 0);
    let settings = rind::Settings {
        smtp_host: Some("127.0.0.1".into()),
        // Nothing listens here.
        smtp_port: Some(common::free_port()),
        smtp_tls: rind::config::SmtpTls::None,
        smtp_timeout_secs: 2,
        mail_max_attempts: 2,
        ..test_settings(&db)
    };
    db.send(&settings, "W1");
    let mailer = rind::delivery::Mailer::from_settings(&settings).unwrap();
    let first = deliver_due(&mut db.conn(), &settings, &mailer).unwrap();
    assert!(first.retried >= 1, "{first:?}");
    std::thread::sleep(Duration::from_millis(50));
    deliver_due(&mut db.conn(), &settings, &mailer).unwrap();
    let message = &db.outbox()[0];
    assert_eq!(message.state, "failed", "{message:?}");
    assert!(
        message
            .last_error
            .as_deref()
            .unwrap()
            .contains("gave up after 2 attempts")
    );
}

#[test]
fn a_message_held_by_a_worker_that_died_is_sent_once_its_lease_runs_out() {
    let db = TestDb::new();
    db.programme(2, 0);
    let smtp = SmtpServer::start();
    let settings = smtp.settings(test_settings(&db));
    db.send(&settings, "W1");
    // A worker claims a message and dies before sending it: its lease runs out in 1 s
    // (long enough for the delivery below to finish first, even on a slow machine).
    let now = store::now();
    let claimed =
        store::outbox::claim_due(&mut db.conn(), now, now + chrono::Duration::seconds(1), 1)
            .unwrap();
    assert_eq!(claimed.len(), 1);

    let mailer = rind::delivery::Mailer::from_settings(&settings).unwrap();
    let report = deliver_due(&mut db.conn(), &settings, &mailer).unwrap();
    assert_eq!(report.sent, 1, "the claimed message waits for its lease");
    std::thread::sleep(Duration::from_millis(1_050));
    let report = deliver_due(&mut db.conn(), &settings, &mailer).unwrap();
    assert_eq!(report.sent, 1, "taken over after the lease");
    // The dead worker's claim can't record anything over the new one.
    assert!(!store::outbox::mark_sent(&mut db.conn(), &claimed[0], store::now()).unwrap());
    assert_each_exactly_once(&db, &smtp, 2);
    assert_eq!(db.outbox().iter().map(|m| m.attempts).sum::<i32>(), 3);
}

#[test]
fn two_workers_on_one_database_never_send_a_message_twice() {
    let db = TestDb::new();
    db.programme(30, 10);
    let smtp = SmtpServer::start();
    smtp.delay_each(Duration::from_millis(2));
    let settings = rind::Settings {
        mail_concurrency: 4,
        mail_poll_ms: 5,
        ..smtp.settings(test_settings(&db))
    };
    db.send(&settings, "W1");
    // Two instances: each its own pool and its own SMTP connections, one database.
    let one = Worker::start(&settings, rind::commands::open(&settings).unwrap()).unwrap();
    let two = Worker::start(&settings, rind::commands::open(&settings).unwrap()).unwrap();
    smtp.wait_for(40, WAIT);
    wait_until_outbox_done(&db);
    one.stop();
    two.stop();
    assert_each_exactly_once(&db, &smtp, 40);
    assert!(
        db.outbox().iter().all(|m| m.attempts == 1),
        "{:?}",
        db.outbox()
    );
}

#[test]
fn rind_send_is_idempotent_and_invites_people_added_later() {
    let db = TestDb::new();
    db.programme(3, 2);
    let env = [("RIND_PUBLIC_BASE_URL", LINK_BASE)];
    let first = db.rind_with_env(&["send", "--wave", "W1"], &env);
    first
        .assert_ok()
        .assert_stdout_contains("invited 3 customer(s) and 2 staff member(s); 5 email(s) queued")
        .assert_stdout_contains("mail");
    let wave = db.wave("W1");
    assert_eq!(wave.status, "open");
    assert!(wave.opens_at.is_some());

    let before = db.snapshot();
    db.rind_with_env(&["send", "--wave", "W1"], &env)
        .assert_ok()
        .assert_stdout_contains("everyone is already invited");
    assert_eq!(db.snapshot(), before, "a second send wrote something");

    db.import(
        "contacts",
        &format!(
            "email,name,agency\n{},Contact 0,DOT\nnew.person@agency0.state.example,New Person,DOT\n",
            common::contact_email(0)
        ),
    )
    .assert_ok();
    db.rind_with_env(&["send", "--wave", "W1", "--audience", "customer"], &env)
        .assert_ok()
        .assert_stdout_contains("invited 1 customer(s) and 0 staff member(s)");
    let outbox = db.outbox();
    assert_eq!(outbox.len(), 6);
    assert_eq!(outbox[5].recipient, "new.person@agency0.state.example");
    assert_eq!(db.invitations("W1").len(), 6);
    assert!(
        outbox
            .iter()
            .all(|m| m.kind == "invitation" && m.state == "pending")
    );

    // Bad requests write nothing.
    let before = db.snapshot();
    db.rind(&["send", "--wave", "NOPE"])
        .assert_failed()
        .assert_stderr_contains("wave NOPE not found");
    db.rind(&["send", "--wave", "W1", "--audience", "vendors"])
        .assert_failed()
        .assert_stderr_contains("customer, staff or both");
    db.rind(&["wave", "close", "--code", "W1"]).assert_ok();
    let closed = db.snapshot();
    db.rind(&["send", "--wave", "W1"])
        .assert_failed()
        .assert_stderr_contains("closed");
    assert_eq!(db.snapshot(), closed);
    assert_eq!(before.count("invitations"), closed.count("invitations"));
}

#[test]
fn the_send_api_invites_and_reports_bad_requests() {
    let db = TestDb::new();
    db.programme(2, 3);
    let anonymous = TestApp::spawn_with(test_settings(&db), false);
    let refused = anonymous.post_raw("/api/v1/waves/W1/send", "application/json", Vec::new());
    assert_eq!(refused.status, 401, "{refused:?}");
    let viewer = anonymous.signed_in(&db, "viewer");
    let refused = viewer.post_raw("/api/v1/waves/W1/send", "application/json", Vec::new());
    assert_eq!(refused.status, 403, "{refused:?}");
    assert_eq!(db.count("invitations"), 0);
    let app = TestApp::spawn_with(test_settings(&db), false).signed_in(&db, "brm");
    let staff_only = app.post_raw(
        "/api/v1/waves/W1/send",
        "application/json",
        br#"{"audience":"staff"}"#.to_vec(),
    );
    assert_eq!(staff_only.status, 200, "{staff_only:?}");
    assert_eq!(
        staff_only.json(),
        serde_json::json!({ "wave": "W1", "customers_invited": 0, "staff_invited": 3 })
    );
    let rest = app.post_raw("/api/v1/waves/W1/send", "application/json", Vec::new());
    assert_eq!(rest.status, 200);
    assert_eq!(rest.json()["customers_invited"], 2);
    assert_eq!(rest.json()["staff_invited"], 0);

    let before = db.snapshot();
    for (path, body, status) in [
        ("/api/v1/waves/NOPE/send", "{}", 404),
        ("/api/v1/waves/W1/send", r#"{"audience":"vendors"}"#, 400),
        ("/api/v1/waves/W1/send", "not json", 400),
        ("/api/v1/waves/NOPE/remind", "", 404),
    ] {
        let reply = app.post_raw(path, "application/json", body.as_bytes().to_vec());
        assert_eq!(reply.status, status, "{path} {body}: {reply:?}");
        assert!(reply.json()["error"].is_string());
    }
    assert_eq!(db.snapshot(), before);
    // Nothing delivered yet, so nobody can be reminded.
    let remind = app.post_raw("/api/v1/waves/W1/remind", "application/json", Vec::new());
    assert_eq!(
        remind.json(),
        serde_json::json!({ "wave": "W1", "reminded": 0 })
    );
    let get = app.get("/api/v1/waves/W1/send");
    assert_eq!(get.status, 405, "{get:?}");
}

#[test]
fn with_no_smtp_host_mail_goes_to_eml_files_that_rind_mail_ls_lists() {
    let db = TestDb::new();
    db.programme(2, 1);
    let env = [("RIND_PUBLIC_BASE_URL", LINK_BASE)];
    db.rind_with_env(&["send", "--wave", "W1"], &env)
        .assert_ok();
    db.rind(&["mail", "ls"])
        .assert_ok()
        .assert_stdout_contains("no mail in mail");

    db.rind_with_env(&["worker", "--once"], &env)
        .assert_ok()
        .assert_stdout_contains("3 sent, 0 to retry later, 0 failed, 0 cancelled")
        .assert_stdout_contains("the folder mail");
    let files = mail_files(&db.dir().join("mail"));
    assert_eq!(files.len(), 3);
    let outbox = db.outbox();
    for (file, mail) in &files {
        let message_id = mail.header("Message-ID").unwrap();
        let row = outbox
            .iter()
            .find(|m| format!("<{}>", m.message_id) == message_id)
            .unwrap_or_else(|| panic!("{file} has an unknown Message-ID {message_id}"));
        assert_eq!(row.state, "sent");
        assert!(mail.header("To").unwrap().contains(&row.recipient));
        assert!(
            mail.header("Content-Type")
                .unwrap()
                .starts_with("multipart/alternative")
        );
        let path = mail.survey_path(LINK_BASE);
        assert_eq!(
            mail.header("List-Unsubscribe").unwrap(),
            format!("<{LINK_BASE}{path}/unsubscribe>")
        );
        assert!(mail.html().contains("<!DOCTYPE html>"));
        assert!(file.ends_with(".eml"));
    }

    let listing = db.rind(&["mail", "ls"]);
    listing.assert_ok();
    let lines: Vec<&str> = listing.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{listing}");
    for i in 0..2 {
        listing.assert_stdout_contains(&common::contact_email(i));
    }
    listing
        .assert_stdout_contains(&common::staff_email(0))
        .assert_stdout_contains("How well does the IT office serve your agency? (survey W1)")
        .assert_stdout_contains("How do you think agencies see us? (survey W1)");

    // Nothing is due any more: no new files.
    db.rind(&["worker", "--once"])
        .assert_ok()
        .assert_stdout_contains("0 sent");
    assert_eq!(mail_files(&db.dir().join("mail")).len(), 3);
}

/// Submits a survey through the library, as the form does.
fn respond(db: &TestDb, settings: &rind::Settings, link_path: &str) {
    let token =
        rind::delivery::tokens::LinkToken::parse(link_path.trim_start_matches("/s/")).unwrap();
    let mut conn = db.conn();
    let opened = rind::delivery::survey::open(&mut conn, &token)
        .unwrap()
        .unwrap();
    let mut answers = BTreeMap::new();
    answers.insert(
        "rel_commitments".to_string(),
        rind::delivery::survey::Answered::Value(4),
    );
    let done = rind::delivery::survey::submit(
        &mut conn,
        settings,
        &opened.invitation,
        &opened.wave,
        &opened.questions,
        opened.item_count,
        &answers,
    )
    .unwrap();
    assert_eq!(done, rind::delivery::survey::Submitted::Recorded);
}

fn opt_out(db: &TestDb, link_path: &str) {
    let token =
        rind::delivery::tokens::LinkToken::parse(link_path.trim_start_matches("/s/")).unwrap();
    let mut conn = db.conn();
    let opened = rind::delivery::survey::open(&mut conn, &token)
        .unwrap()
        .unwrap();
    assert!(rind::delivery::survey::opt_out(&mut conn, &opened.invitation).unwrap());
}

/// Recipient → survey link path, from the mail folder.
fn links(settings: &rind::Settings) -> BTreeMap<String, String> {
    mail_files(&settings.mail_dir)
        .into_iter()
        .filter(|(_, m)| m.header("Subject").unwrap().starts_with("How"))
        .map(|(_, m)| (m.header("To").unwrap(), m.survey_path(LINK_BASE)))
        .collect()
}

fn reminded(settings: &rind::Settings) -> Vec<String> {
    let mut to: Vec<String> = mail_files(&settings.mail_dir)
        .into_iter()
        .filter(|(_, m)| m.header("Subject").unwrap().starts_with("Reminder:"))
        .map(|(_, m)| m.header("To").unwrap())
        .collect();
    to.sort();
    to
}

#[test]
fn rind_remind_reaches_only_those_who_have_not_answered_and_never_beyond_the_cap() {
    let db = TestDb::new();
    db.programme(4, 0);
    let settings = test_settings(&db);
    db.send(&settings, "W1");
    db.deliver_to_folder(&settings);
    let links = links(&settings);
    let link = |i: usize| {
        links
            .iter()
            .find(|(to, _)| to.contains(&common::contact_email(i)))
            .unwrap()
            .1
            .clone()
    };
    respond(&db, &settings, &link(0));
    opt_out(&db, &link(1));

    let mail_dir = settings.mail_dir.to_str().unwrap().to_string();
    let env = [
        ("RIND_PUBLIC_BASE_URL", LINK_BASE),
        ("RIND_MAIL_DIR", mail_dir.as_str()),
    ];
    for round in 1..=2 {
        db.rind_with_env(&["remind", "--wave", "W1"], &env)
            .assert_ok()
            .assert_stdout_contains("wave W1: 2 reminder(s) queued");
        db.rind_with_env(&["worker", "--once"], &env)
            .assert_ok()
            .assert_stdout_contains("2 sent");
        let to = reminded(&settings);
        assert_eq!(to.len(), 2 * round, "{to:?}");
        assert!(
            to.iter()
                .all(|t| t.contains(&common::contact_email(2))
                    || t.contains(&common::contact_email(3))),
            "{to:?}"
        );
    }
    // The wave's cap (2 by default) is reached.
    db.rind_with_env(&["remind", "--wave", "W1"], &env)
        .assert_ok()
        .assert_stdout_contains("0 reminder(s) queued");
    let counts: Vec<i32> = db
        .invitations("W1")
        .iter()
        .map(|i| i.reminders_sent)
        .collect();
    assert_eq!(counts, [0, 0, 2, 2]);

    // A reminder link works like the invitation's.
    let reminder = mail_files(&settings.mail_dir)
        .into_iter()
        .rev()
        .find(|(_, m)| m.header("Subject").unwrap().starts_with("Reminder:"))
        .unwrap()
        .1;
    assert!(reminder.text().contains("This is a reminder"));
    respond(&db, &settings, &reminder.survey_path(LINK_BASE));
    assert_eq!(db.count("responses"), 2);
}

#[test]
fn the_reminder_schedule_follows_each_invitation_and_its_cap() {
    let db = TestDb::new();
    db.programme(3, 1);
    db.rind(&[
        "wave",
        "create",
        "--code",
        "W2",
        "--instrument",
        "agency-cx",
        "--reminders",
        "7,14,21",
        "--max-reminders",
        "2",
    ])
    .assert_ok()
    .assert_stdout_contains("reminders on days 7,14,21 (at most 2)");
    let settings = test_settings(&db);
    rind::delivery::send_wave(
        &mut db.conn(),
        &settings,
        "W2",
        rind::delivery::Audiences::Both,
    )
    .unwrap();
    db.deliver_to_folder(&settings);
    let links = links(&settings);
    let first = links
        .iter()
        .find(|(to, _)| to.contains(&common::contact_email(0)))
        .unwrap()
        .1
        .clone();
    respond(&db, &settings, &first);

    let now = store::now();
    let due = |days: i64| {
        rind::delivery::reminders::enqueue_due(
            &mut db.conn(),
            &settings,
            now + chrono::Duration::days(days) + chrono::Duration::minutes(1),
        )
        .unwrap()
    };
    assert_eq!(due(0), 0, "nothing is due on the day of the invitation");
    assert_eq!(due(6), 0);
    assert_eq!(due(7), 3, "day 7: everyone who has not answered");
    assert_eq!(due(8), 0, "and only once");
    assert_eq!(due(14), 3);
    assert_eq!(due(21), 0, "the cap of 2 is reached before day 21");
    assert_eq!(due(60), 0);
    let report = db.deliver_to_folder(&settings);
    assert_eq!(report.sent, 6, "{report:?}");
    let to = reminded(&settings);
    assert!(
        !to.iter().any(|t| t.contains(&common::contact_email(0))),
        "{to:?}"
    );

    // A bad schedule is refused and creates no wave.
    let before = db.snapshot();
    db.rind(&[
        "wave",
        "create",
        "--code",
        "W3",
        "--instrument",
        "agency-cx",
        "--reminders",
        "14,7",
    ])
    .assert_failed()
    .assert_stderr_contains("must increase");
    assert_eq!(db.snapshot(), before);
}

#[test]
fn a_reminder_queued_before_an_answer_is_not_sent() {
    let db = TestDb::new();
    db.programme(2, 0);
    let settings = test_settings(&db);
    db.send(&settings, "W1");
    db.deliver_to_folder(&settings);
    let links = links(&settings);
    assert_eq!(
        rind::delivery::reminders::remind_now(&mut db.conn(), &settings, "W1").unwrap(),
        2
    );
    let first = links.values().next().unwrap().clone();
    respond(&db, &settings, &first);
    let report = db.deliver_to_folder(&settings);
    assert_eq!((report.sent, report.cancelled), (1, 0), "{report:?}");
    let cancelled: Vec<_> = db
        .outbox()
        .into_iter()
        .filter(|m| m.kind == "reminder" && m.state == "failed")
        .collect();
    assert_eq!(cancelled.len(), 1);
    assert!(
        cancelled[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("has responded")
    );
}

#[test]
fn mail_waits_for_a_closed_wave_no_more() {
    let db = TestDb::new();
    db.programme(2, 0);
    let settings = test_settings(&db);
    db.send(&settings, "W1");
    db.rind(&["wave", "close", "--code", "W1"]).assert_ok();
    let report = db.deliver_to_folder(&settings);
    assert_eq!((report.sent, report.cancelled), (0, 2), "{report:?}");
    assert!(mail_files(&settings.mail_dir).is_empty());
    assert!(
        db.outbox()
            .iter()
            .all(|m| m.last_error.as_deref() == Some("not sent: the wave closed first"))
    );
    db.rind(&["remind", "--wave", "W1"])
        .assert_failed()
        .assert_stderr_contains("closed");
}

#[test]
fn rind_serve_runs_the_worker_stops_cleanly_and_logs_no_tokens_or_addresses() {
    let db = TestDb::new();
    db.programme(2, 0);
    let env = [
        ("RIND_PUBLIC_BASE_URL", LINK_BASE),
        ("RIND_MAIL_POLL_MS", "20"),
        ("RIND_LOG", "info"),
    ];
    db.rind_with_env(&["send", "--wave", "W1"], &env)
        .assert_ok();
    let bind = format!("127.0.0.1:{}", common::free_port());
    let log_path = db.dir().join("serve.log");
    let mut child = common::rind_command(
        db.dir(),
        &[
            "--database-url",
            db.url.as_str(),
            "serve",
            "--bind",
            bind.as_str(),
        ],
        &env,
    )
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::null())
    .stderr(std::fs::File::create(&log_path).unwrap())
    .spawn()
    .expect("start rind serve");
    let address = format!("http://{bind}");
    assert!(common::wait_until_up(&format!("{address}/healthz"), WAIT));

    // The worker inside `rind serve` delivers both invitations to the mail folder.
    let start = Instant::now();
    while mail_files(&db.dir().join("mail")).len() < 2 {
        assert!(start.elapsed() < WAIT, "rind serve delivered no mail");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (_, mail) = mail_files(&db.dir().join("mail")).remove(0);
    let path = mail.survey_path(LINK_BASE);
    let client = reqwest::blocking::Client::new();
    assert_eq!(
        common::get(&client, &format!("{address}{path}")).status,
        200
    );
    assert_eq!(
        common::get(&client, &format!("{address}{path}/unsubscribe")).status,
        200
    );

    // SIGTERM: the server and the worker stop, and the process exits cleanly.
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > WAIT {
            let _ = child.kill();
            panic!("rind serve did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(status.success(), "rind serve exited with {status}:\n{log}");
    assert!(log.contains("GET /s/***"), "{log}");
    assert!(log.contains("GET /s/***/unsubscribe"), "{log}");
    assert!(log.contains("mail sent"), "{log}");
    let token = path.trim_start_matches("/s/");
    assert!(!log.contains(token), "a link token is in the log:\n{log}");
    for i in 0..2 {
        assert!(
            !log.contains(&common::contact_email(i)),
            "an address is in the log:\n{log}"
        );
    }
    assert!(log.contains("c***@agency0.state.example"), "{log}");
}
