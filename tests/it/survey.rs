//! Answering a survey through its emailed link, over real HTTP against the running app:
//! the invitation arrives over SMTP, the form saves a draft, resumes and submits once;
//! and every bad input gets its own clear answer and leaves the database as it was.

use std::time::Duration;

use crate::common;
use crate::common::smtp::{Mail, SmtpServer};
use crate::common::{LINK_BASE, Reply, TestApp, TestDb, form_key, mail_files, test_settings};
use rind::store;

const WAIT: Duration = Duration::from_secs(20);

/// Every survey page carries the security headers.
#[track_caller]
fn assert_secure(reply: &Reply) {
    let csp = reply
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("no CSP: {reply:?}"));
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    assert!(
        reply.content_type.starts_with("text/html"),
        "not an HTML page: {reply:?}"
    );
    for leak in ["panicked", "stack backtrace", "AppError", "diesel"] {
        assert!(
            !reply.body.contains(leak),
            "the page leaks `{leak}`: {}",
            reply.body
        );
    }
}

/// A programme of `contacts` contacts and `staff` staff, invited, with their emails
/// written to the mail folder; returns the settings and each recipient's link path.
fn invited(db: &TestDb, contacts: usize, staff: usize) -> (rind::Settings, Vec<(String, String)>) {
    db.programme(contacts, staff);
    let settings = test_settings(db);
    db.send(&settings, "W1");
    let report = db.deliver_to_folder(&settings);
    assert_eq!(report.sent, contacts + staff, "{report:?}");
    let links = mail_files(&settings.mail_dir)
        .into_iter()
        .map(|(_, mail)| {
            let to = mail.header("To").unwrap();
            (to, mail.survey_path(LINK_BASE))
        })
        .collect();
    (settings, links)
}

fn link_of(links: &[(String, String)], email: &str) -> String {
    links
        .iter()
        .find(|(to, _)| to.contains(email))
        .unwrap_or_else(|| panic!("no mail to {email} in {links:?}"))
        .1
        .clone()
}

/// Every answer of the default instrument a customer might give: all middling, with
/// consent to be contacted and one low overall score.
fn full_customer_answers() -> Vec<(&'static str, &'static str)> {
    let mut answers = vec![
        ("action", "submit"),
        ("q_rel_commitments", "4"),
        ("q_rel_right_first_time", "3"),
        ("q_resp_timely", "4"),
        ("q_overall_satisfaction", "2"),
        ("q_recommend", "6"),
        ("q_effort", "5"),
        ("q_svc_email", "4"),
        ("q_svc_erp", "na"),
        ("q_imp_reliability", "5"),
        ("q_comment_start", "Tell us about outages earlier."),
        ("q_comment_continue", "The service desk is friendly."),
        ("q_consent_contact", "1"),
    ];
    answers.sort();
    answers
}

#[test]
fn an_invitation_arrives_over_smtp_and_its_link_saves_resumes_and_submits_once() {
    let db = TestDb::new();
    db.programme(1, 0);
    let smtp = SmtpServer::start();
    let settings = smtp.settings(rind::Settings {
        thank_you_email: true,
        ..test_settings(&db)
    });
    {
        let mut conn = db.conn();
        let wave = db.wave("W1");
        store::waves::set_delivery(
            &mut conn,
            wave.id,
            "",
            2,
            Some("Dear colleague, the CIO asks for ten minutes of your time."),
        )
        .unwrap();
    }
    let app = TestApp::spawn_with(settings.clone(), true).signed_in(&db, "admin");

    // Send through the API; the worker in the app delivers over SMTP.
    let sent = app.post_raw(
        "/api/v1/waves/W1/send",
        "application/json",
        br#"{"audience":"both"}"#.to_vec(),
    );
    assert_eq!(sent.status, 200, "{sent:?}");
    assert_eq!(sent.json()["customers_invited"], 1);
    let mail = smtp.wait_for(1, WAIT).remove(0);

    // The email: to the contact, multipart, our Message-ID, List-Unsubscribe, the wave's text.
    assert_eq!(mail.to, vec![common::contact_email(0)]);
    assert!(
        mail.from.contains("survey@it.state.example"),
        "{}",
        mail.from
    );
    let content_type = mail.header("Content-Type").unwrap();
    assert!(
        content_type.starts_with("multipart/alternative"),
        "{content_type}"
    );
    let outbox = db.outbox();
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        mail.header("Message-ID").unwrap(),
        format!("<{}>", outbox[0].message_id)
    );
    let path = mail.survey_path(LINK_BASE);
    assert_eq!(
        mail.header("List-Unsubscribe").unwrap(),
        format!("<{LINK_BASE}{path}/unsubscribe>")
    );
    assert!(
        mail.text().contains("the CIO asks for ten minutes"),
        "{}",
        mail.text()
    );
    assert!(mail.html().contains(&format!("href=\"{LINK_BASE}{path}\"")));
    // The token is in the email only: no stored text holds it.
    {
        use diesel::prelude::*;
        use rind::db::schema::outbox;
        let like = format!("%{}%", path.trim_start_matches("/s/"));
        let holding: i64 = outbox::table
            .filter(
                outbox::body_text
                    .like(&like)
                    .or(outbox::body_html.like(&like)),
            )
            .count()
            .get_result(&mut *db.conn())
            .unwrap();
        assert_eq!(holding, 0, "the outbox stores the link token");
    }
    let invitation = &db.invitations("W1")[0];
    assert_eq!(invitation.state, "sent");

    // The form: one fieldset and legend per rating question, labelled radios, N/A on
    // per-service items, a labelled text box per comment question.
    let page = app.get(&path);
    assert_eq!(page.status, 200, "{page:?}");
    assert_secure(&page);
    assert!(page.body.contains(
        "<legend>The IT office delivers what it commits to, when it said it would.</legend>"
    ));
    assert!(page.body.contains(
        "<input type=\"radio\" id=\"q_rel_commitments\" name=\"q_rel_commitments\" value=\"1\">"
    ));
    assert!(
        page.body
            .contains("<label for=\"q_rel_commitments\">Strongly disagree</label>")
    );
    assert!(page.body.contains("value=\"na\""));
    assert!(
        page.body
            .contains("<label class=\"question-label\" for=\"q_comment_start\">")
    );
    assert!(page.body.contains("/static/rind.css"));
    let key = form_key(&page.body);

    // Save part of it.
    let saved = app.post_form(
        &path,
        &[
            ("form_key", &key),
            ("action", "save"),
            ("q_rel_commitments", "4"),
            ("q_svc_erp", "na"),
            ("q_comment_start", "Tell us about outages earlier."),
        ],
    );
    assert_eq!(saved.status, 303, "{saved:?}");
    assert_eq!(
        saved.header("location"),
        Some(format!("{path}?saved=1").as_str())
    );
    assert_eq!(db.count("responses"), 0);

    // Resume through the same link: the saved answers are shown.
    let resumed = app.get(&format!("{path}?saved=1"));
    assert_eq!(resumed.status, 200);
    assert!(resumed.body.contains("Your answers are saved"));
    assert!(
        resumed
            .body
            .contains("id=\"q_rel_commitments-4\" name=\"q_rel_commitments\" value=\"4\" checked"),
        "{}",
        resumed.body
    );
    assert!(
        resumed
            .body
            .contains("name=\"q_svc_erp\" value=\"na\" checked")
    );
    assert!(
        resumed
            .body
            .contains(">Tell us about outages earlier.</textarea>")
    );
    let plain = app.get(&path);
    assert!(plain.body.contains("value=\"4\" checked"));

    // Submit everything.
    let mut answers = full_customer_answers();
    answers.push(("form_key", &key));
    let submitted = app.post_form(&path, &answers);
    assert_eq!(submitted.status, 303, "{submitted:?}");
    assert_eq!(submitted.header("location"), Some(path.as_str()));
    let thanks = app.get(&path);
    assert_eq!(thanks.status, 200);
    assert!(thanks.body.contains("Thank you"), "{}", thanks.body);
    assert_secure(&thanks);

    // One response, not linked to the person: audience, agency, segment, minute.
    let wave = db.wave("W1");
    let mut conn = db.conn();
    let items = store::instruments::items(&mut conn, wave.instrument_id).unwrap();
    let loaded = store::responses::load_wave(&mut conn, wave.id, items.len()).unwrap();
    assert_eq!(loaded.customers.len(), 1);
    assert_eq!(loaded.staff.len(), 0);
    let at = |code: &str| items.iter().find(|i| i.code == code).unwrap().position;
    assert_eq!(loaded.customers.answers[at("rel_commitments")], vec![4]);
    assert_eq!(
        loaded.customers.answers[at("overall_satisfaction")],
        vec![2]
    );
    assert_eq!(
        loaded.customers.answers[at("svc_erp")],
        vec![rind::domain::NO_ANSWER]
    );
    assert_eq!(
        loaded.customers.answers[at("asr_trust")],
        vec![rind::domain::NO_ANSWER]
    );
    assert_eq!(db.count("comments"), 2);
    let invitation = store::invitations::get(&mut conn, invitation.id).unwrap();
    assert_eq!(invitation.state, "responded");
    assert_eq!(
        store::invitations::draft(&mut conn, invitation.id).unwrap(),
        None,
        "the draft is dropped on submit"
    );
    let responded_at = invitation.responded_at.unwrap();
    assert_eq!(
        responded_at.time(),
        chrono::NaiveTime::MIN,
        "dated to the day only"
    );

    // Consent with a low score: an urgent follow-up naming the person for the BRM owner.
    let follow_ups = store::follow_ups::for_wave(&mut conn, wave.id).unwrap();
    assert_eq!(follow_ups.len(), 1, "{follow_ups:?}");
    let f = &follow_ups[0];
    assert_eq!(f.contact_email, common::contact_email(0));
    assert_eq!(f.contact_name, "Contact 0");
    assert!(f.urgent);
    assert!(f.reason.contains("overall_satisfaction 2"), "{}", f.reason);
    let brm = store::follow_ups::user_id_by_email(&mut conn, "brm@it.state.example")
        .unwrap()
        .unwrap();
    assert_eq!(f.assigned_to, Some(brm));
    drop(conn);

    // The thank-you arrives.
    let mails = smtp.wait_for(2, WAIT);
    assert!(mails[1].header("Subject").unwrap().contains("Thank you"));

    // Submitting again creates nothing.
    let again = app.post_form(&path, &answers);
    assert_eq!(again.status, 200, "{again:?}");
    assert!(again.body.contains("Thank you"));
    assert_eq!(db.count("responses"), 1);
    assert_eq!(db.count("comments"), 2);
    assert_eq!(db.count("follow_ups"), 1);
    let thank_yous = db.outbox().iter().filter(|m| m.kind == "thank_you").count();
    assert_eq!(thank_yous, 1);
}

#[test]
fn staff_answer_the_mirrored_items_in_their_own_wording() {
    let db = TestDb::new();
    let (_settings, links) = invited(&db, 0, 1);
    let app = TestApp::spawn_with(test_settings(&db), false);
    let path = link_of(&links, &common::staff_email(0));
    let page = app.get(&path);
    assert_eq!(page.status, 200);
    // The customer statement, framed as a prediction of the customers' answer.
    assert!(
        page.body.contains(
            "<legend>How will agency customers answer: &#34;The IT office delivers what it \
             commits to, when it said it would.&#34;?</legend>"
        ),
        "{}",
        page.body
    );
    assert!(
        !page
            .body
            .contains("<legend>The IT office delivers what it commits to")
    );
    assert!(
        !page.body.contains("q_comment_start"),
        "staff get no comment items"
    );
    assert!(!page.body.contains("q_consent_contact"));
    let key = form_key(&page.body);

    // An item staff are not asked is refused like an unknown one.
    let refused = app.post_form(
        &path,
        &[
            ("form_key", &key),
            ("action", "submit"),
            ("q_consent_contact", "1"),
        ],
    );
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(refused.body.contains("not in this survey"));
    assert_eq!(db.count("responses"), 0);

    let ok = app.post_form(
        &path,
        &[
            ("form_key", &key),
            ("action", "submit"),
            ("q_rel_commitments", "5"),
        ],
    );
    assert_eq!(ok.status, 303, "{ok:?}");
    let wave = db.wave("W1");
    let mut conn = db.conn();
    let items = store::instruments::items(&mut conn, wave.instrument_id).unwrap();
    let loaded = store::responses::load_wave(&mut conn, wave.id, items.len()).unwrap();
    assert_eq!(loaded.staff.len(), 1);
    assert_eq!(loaded.staff.segments, vec!["service_desk".to_string()]);
    assert_eq!(loaded.staff.agency[0], None);
    assert_eq!(db.count("follow_ups"), 0);
}

#[test]
fn unknown_and_malformed_links_get_a_404_page() {
    let db = TestDb::new();
    let (settings, _) = invited(&db, 1, 0);
    let app = TestApp::spawn_with(settings, false);
    let before = db.snapshot();
    let unknown = format!(
        "/s/{}",
        rind::delivery::tokens::LinkToken::generate().as_str()
    );
    for path in [
        unknown.as_str(),
        "/s/abc",
        "/s/%2e%2e%2fetc%2fpasswd",
        "/s/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "/s/",
        "/s/x/y/z",
    ] {
        let page = app.get(path);
        assert_eq!(page.status, 404, "GET {path}: {page:?}");
        assert_secure(&page);
        assert!(
            page.body.contains("Survey link not found"),
            "{path}: {}",
            page.body
        );
    }
    let posted = app.post_form(
        &unknown,
        &[("action", "submit"), ("q_rel_commitments", "4")],
    );
    assert_eq!(posted.status, 404);
    let unsubscribe = app.get(&format!("{unknown}/unsubscribe"));
    assert_eq!(unsubscribe.status, 404);
    assert_eq!(db.snapshot(), before, "a bad link wrote something");
}

#[test]
fn a_closed_wave_answers_410_and_takes_nothing() {
    let db = TestDb::new();
    let (settings, links) = invited(&db, 2, 0);
    let app = TestApp::spawn_with(settings, false);
    let path = link_of(&links, &common::contact_email(0));
    let key = form_key(&app.get(&path).body);

    db.rind(&["wave", "close", "--code", "W1"]).assert_ok();
    let before = db.snapshot();
    let page = app.get(&path);
    assert_eq!(page.status, 410, "{page:?}");
    assert_secure(&page);
    assert!(page.body.contains("This survey has closed"));
    for action in ["save", "submit"] {
        let posted = app.post_form(
            &path,
            &[
                ("form_key", &key),
                ("action", action),
                ("q_rel_commitments", "4"),
            ],
        );
        assert_eq!(posted.status, 410, "{action}: {posted:?}");
    }
    assert_eq!(db.snapshot(), before);
    assert_eq!(db.count("responses"), 0);
}

#[test]
fn out_of_scale_answers_get_422_with_an_error_summary_and_nothing_is_stored() {
    let db = TestDb::new();
    let (settings, links) = invited(&db, 1, 0);
    let app = TestApp::spawn_with(settings, false);
    let path = link_of(&links, &common::contact_email(0));
    let key = form_key(&app.get(&path).body);
    let before = db.snapshot();
    let invitation = db.invitations("W1")[0].id;

    for action in ["save", "submit"] {
        let reply = app.post_form(
            &path,
            &[
                ("form_key", &key),
                ("action", action),
                ("q_rel_commitments", "6"),
                ("q_recommend", "11"),
                ("q_resp_timely", "4"),
                ("q_consent_contact", "maybe"),
                ("q_overall_satisfaction", "na"),
            ],
        );
        assert_eq!(reply.status, 422, "{action}: {reply:?}");
        assert_secure(&reply);
        let body = &reply.body;
        assert!(body.contains("<title>Error: "), "{body}");
        assert!(
            body.contains("class=\"error-summary\" role=\"alert\""),
            "{body}"
        );
        assert!(body.contains("There is a problem"));
        for field in [
            "q_rel_commitments",
            "q_recommend",
            "q_consent_contact",
            "q_overall_satisfaction",
        ] {
            assert!(
                body.contains(&format!("<a href=\"#{field}\">")),
                "the summary does not link to {field}: {body}"
            );
            assert!(body.contains(&format!("id=\"{field}-error\"")));
            assert!(body.contains(&format!("aria-describedby=\"{field}-error\"")));
        }
        assert!(
            body.contains(
                "Choose an answer from 1 to 5 for: The IT office delivers what it commits to"
            ),
            "{body}"
        );
        assert!(body.contains("Choose an answer from 0 to 10"), "{body}");
        assert!(
            body.contains("N/A is not an answer to: Overall, how satisfied"),
            "{body}"
        );
        // What was valid is still shown, ready to send again.
        assert!(body.contains("name=\"q_resp_timely\" value=\"4\" checked"));
        assert!(!body.contains("<a href=\"#q_resp_timely\">"));
    }
    assert_eq!(db.snapshot(), before);
    assert_eq!(
        store::invitations::draft(&mut db.conn(), invitation).unwrap(),
        None
    );
}

#[test]
fn unknown_items_missing_fields_and_empty_submits_are_refused() {
    let db = TestDb::new();
    let (settings, links) = invited(&db, 1, 0);
    let app = TestApp::spawn_with(settings, false);
    let path = link_of(&links, &common::contact_email(0));
    let key = form_key(&app.get(&path).body);
    let before = db.snapshot();

    let unknown = app.post_form(
        &path,
        &[
            ("form_key", &key),
            ("action", "submit"),
            ("q_rel_commitments", "4"),
            ("q_no_such_item", "3"),
        ],
    );
    assert_eq!(unknown.status, 422, "{unknown:?}");
    assert!(
        unknown.body.contains("not in this survey (`no_such_item`)"),
        "{}",
        unknown.body
    );

    let stray = app.post_form(
        &path,
        &[
            ("form_key", &key),
            ("action", "submit"),
            ("q_rel_commitments", "4"),
            ("admin", "1"),
        ],
    );
    assert_eq!(stray.status, 422);
    assert!(
        stray.body.contains("does not have (`admin`)"),
        "{}",
        stray.body
    );

    let twice = app.post_form(
        &path,
        &[
            ("form_key", &key),
            ("action", "submit"),
            ("q_rel_commitments", "4"),
            ("q_rel_commitments", "5"),
        ],
    );
    assert_eq!(twice.status, 422);
    assert!(twice.body.contains("more than once"));

    let no_action = app.post_form(&path, &[("form_key", &key), ("q_rel_commitments", "4")]);
    assert_eq!(no_action.status, 400, "{no_action:?}");
    assert_secure(&no_action);

    let nothing = app.post_form(&path, &[("form_key", &key), ("action", "submit")]);
    assert_eq!(nothing.status, 422);
    assert!(nothing.body.contains("Answer at least one question"));

    let too_long = "x".repeat(rind::delivery::survey::MAX_TEXT_CHARS + 1);
    let long = app.post_form(
        &path,
        &[
            ("form_key", &key),
            ("action", "submit"),
            ("q_comment_start", &too_long),
        ],
    );
    assert_eq!(long.status, 422);
    assert!(long.body.contains("<a href=\"#q_comment_start\">"));

    let not_a_form = app.post_raw(
        &path,
        "application/json",
        br#"{"action":"submit"}"#.to_vec(),
    );
    assert_eq!(not_a_form.status, 400, "{not_a_form:?}");
    assert_secure(&not_a_form);

    assert_eq!(db.snapshot(), before);
}

#[test]
fn a_post_without_the_forms_key_is_refused_with_403() {
    let db = TestDb::new();
    let (settings, links) = invited(&db, 2, 0);
    let app = TestApp::spawn_with(settings, false);
    let path = link_of(&links, &common::contact_email(0));
    let other = link_of(&links, &common::contact_email(1));
    let other_key = form_key(&app.get(&other).body);
    let key = form_key(&app.get(&path).body);
    let before = db.snapshot();

    // The same key with its first character changed.
    let first = if key.starts_with('A') { "B" } else { "A" };
    let wrong_key = format!("{first}{}", &key[1..]);
    assert_ne!(wrong_key, key);
    for fields in [
        vec![("action", "submit"), ("q_rel_commitments", "4")],
        vec![
            ("form_key", ""),
            ("action", "submit"),
            ("q_rel_commitments", "4"),
        ],
        vec![
            ("form_key", "forged"),
            ("action", "save"),
            ("q_rel_commitments", "4"),
        ],
        vec![
            ("form_key", other_key.as_str()),
            ("action", "submit"),
            ("q_rel_commitments", "4"),
        ],
        vec![
            ("form_key", wrong_key.as_str()),
            ("action", "submit"),
            ("q_rel_commitments", "4"),
        ],
    ] {
        let reply = app.post_form(&path, &fields);
        assert_eq!(reply.status, 403, "{fields:?}: {reply:?}");
        assert_secure(&reply);
    }
    let unsubscribe = app.post_form(&format!("{path}/unsubscribe"), &[]);
    assert_eq!(unsubscribe.status, 403);
    assert_eq!(db.snapshot(), before);
    assert!(db.invitations("W1").iter().all(|i| i.state == "sent"));
}

#[test]
fn an_oversize_body_is_refused_with_413() {
    let db = TestDb::new();
    let (settings, links) = invited(&db, 1, 0);
    let app = TestApp::spawn_with(settings, false);
    let path = link_of(&links, &common::contact_email(0));
    let key = form_key(&app.get(&path).body);
    let before = db.snapshot();

    let huge = "x".repeat(100 * 1024);
    let reply = app.post_form(
        &path,
        &[
            ("form_key", &key),
            ("action", "submit"),
            ("q_comment_start", &huge),
        ],
    );
    assert_eq!(reply.status, 413, "{reply:?}");
    assert_secure(&reply);
    assert!(reply.body.contains("too long"), "{}", reply.body);
    assert_eq!(db.snapshot(), before);
}

#[test]
fn two_submits_at_once_store_one_response() {
    let db = TestDb::new();
    let (settings, links) = invited(&db, 1, 0);
    let app = TestApp::spawn_with(settings, false);
    let path = link_of(&links, &common::contact_email(0));
    let key = form_key(&app.get(&path).body);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    app.post_form(
                        &path,
                        &[
                            ("form_key", &key),
                            ("action", "submit"),
                            ("q_rel_commitments", "4"),
                        ],
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 303 || *s == 200),
        "{statuses:?}"
    );
    assert_eq!(db.count("responses"), 1);
}

#[test]
fn unsubscribing_stops_further_mail_for_the_wave() {
    let db = TestDb::new();
    let (settings, links) = invited(&db, 2, 0);
    let app = TestApp::spawn_with(settings.clone(), false);
    let path = link_of(&links, &common::contact_email(0));

    // A reminder is already queued when the person unsubscribes.
    let queued = rind::delivery::reminders::remind_now(&mut db.conn(), &settings, "W1").unwrap();
    assert_eq!(queued, 2);

    let confirm = app.get(&format!("{path}/unsubscribe"));
    assert_eq!(confirm.status, 200, "{confirm:?}");
    assert_secure(&confirm);
    assert!(confirm.body.contains("Stop email about this survey?"));
    let key = form_key(&confirm.body);
    let done = app.post_form(&format!("{path}/unsubscribe"), &[("form_key", &key)]);
    assert_eq!(done.status, 200, "{done:?}");
    assert!(
        done.body
            .contains("You will get no more email about this survey")
    );
    let states: Vec<String> = db.invitations("W1").into_iter().map(|i| i.state).collect();
    assert_eq!(states, ["opted_out", "sent"]);

    // Their queued reminder is cancelled; only the other person's goes out.
    let before = mail_files(&settings.mail_dir).len();
    let report = db.deliver_to_folder(&settings);
    assert_eq!(report.sent, 1, "{report:?}");
    let reminders: Vec<Mail> = mail_files(&settings.mail_dir)
        .into_iter()
        .skip(before)
        .map(|(_, m)| m)
        .collect();
    assert_eq!(reminders.len(), 1);
    assert!(
        reminders[0]
            .header("To")
            .unwrap()
            .contains(&common::contact_email(1))
    );
    let cancelled = db
        .outbox()
        .into_iter()
        .find(|m| m.kind == "reminder" && m.recipient == common::contact_email(0))
        .unwrap();
    assert_eq!(cancelled.state, "failed");
    assert!(cancelled.last_error.unwrap().contains("opted out"));

    // No later reminder either, by hand or on schedule.
    assert_eq!(
        rind::delivery::reminders::remind_now(&mut db.conn(), &settings, "W1").unwrap(),
        1
    );
    assert!(
        db.outbox()
            .iter()
            .filter(|m| m.recipient == common::contact_email(0))
            .all(|m| m.kind != "reminder" || m.state == "failed")
    );
    // The page says so; the survey can still be answered.
    let again = app.get(&format!("{path}/unsubscribe"));
    assert!(again.body.contains("You will get no more email"));
    let page = app.get(&path);
    assert_eq!(page.status, 200);
    let answered = app.post_form(
        &path,
        &[
            ("form_key", &form_key(&page.body)),
            ("action", "submit"),
            ("q_rel_commitments", "3"),
        ],
    );
    assert_eq!(answered.status, 303);
    assert_eq!(db.count("responses"), 1);
}

#[test]
fn the_stylesheet_and_the_icon_are_served() {
    let db = TestDb::new();
    let app = TestApp::spawn(&db);
    let css = app.get("/static/rind.css");
    assert_eq!(css.status, 200);
    assert!(css.content_type.starts_with("text/css"));
    assert!(css.body.contains(":focus-visible"));
    for path in ["/static/favicon.svg", "/favicon.ico"] {
        let icon = app.get(path);
        assert_eq!(icon.status, 200, "{path}");
        assert_eq!(icon.content_type, "image/svg+xml", "{path}");
        assert!(icon.body.starts_with("<svg"), "{path}");
    }
}

#[test]
fn a_link_expires_when_its_waves_closing_time_passes() {
    let db = TestDb::new();
    db.programme(1, 0);
    let closes = store::now() + chrono::Duration::seconds(2);
    rind::commands::create_wave(&mut db.conn(), "W2", "agency-cx", None, Some(closes), false)
        .unwrap();
    let settings = test_settings(&db);
    rind::delivery::send_wave(
        &mut db.conn(),
        &settings,
        "W2",
        rind::delivery::Audiences::Both,
    )
    .unwrap();
    db.deliver_to_folder(&settings);
    let (_, mail) = mail_files(&settings.mail_dir).remove(0);
    let path = mail.survey_path(LINK_BASE);
    let invitation = &db.invitations("W2")[0];
    assert_eq!(
        invitation.expires_at,
        Some(closes),
        "links expire with the wave"
    );

    let app = TestApp::spawn_with(settings, false);
    let page = app.get(&path);
    assert_eq!(page.status, 200);
    let key = form_key(&page.body);
    while store::now() <= closes {
        std::thread::sleep(Duration::from_millis(50));
    }
    let before = db.snapshot();
    assert_eq!(app.get(&path).status, 410);
    let posted = app.post_form(
        &path,
        &[
            ("form_key", &key),
            ("action", "submit"),
            ("q_rel_commitments", "4"),
        ],
    );
    assert_eq!(posted.status, 410, "{posted:?}");
    assert_eq!(db.snapshot(), before);
}
