//! Signing in through the library on a real database: sessions stored as hashes, the
//! growing delay, the temporary lock, expiry, and API tokens.

use std::time::Duration;

use crate::common::TestDb;
use chrono::Duration as Span;
use rind::auth::signin::{Outcome, sign_in};
use rind::auth::token::Secret;
use rind::store::sessions;

const PASSWORD: &str = "correct horse battery staple";

fn settings() -> rind::Settings {
    rind::Settings::default()
}

#[test]
fn a_good_sign_in_opens_a_session_stored_only_as_a_hash() {
    let db = TestDb::new();
    let mut conn = db.conn();
    rind::auth::add_user(&mut conn, "Cio@State.example", "cio", PASSWORD).unwrap();
    let now = rind::store::now();
    let outcome = sign_in(&mut conn, &settings(), "cio@state.example", PASSWORD, now).unwrap();
    let Outcome::SignedIn { token, user } = outcome else {
        panic!("not signed in: {outcome:?}");
    };
    assert_eq!(user.role, "cio");
    let session = sessions::find(&mut conn, &token.hash(), now)
        .unwrap()
        .unwrap();
    assert_eq!(session.user.email, "cio@state.example");
    assert_eq!(session.csrf_token.len(), 43);
    // The token itself is nowhere in the database.
    let stored: Vec<Vec<u8>> = {
        use diesel::prelude::*;
        use rind::db::schema::sessions::dsl;
        dsl::sessions
            .select(dsl::token_hash)
            .load(&mut *conn)
            .unwrap()
    };
    assert_eq!(stored, vec![token.hash()]);
    assert!(
        !stored[0]
            .windows(8)
            .any(|w| token.as_str().as_bytes().starts_with(w))
    );
    // It lasts `session_hours`, then is gone.
    let later = now + Span::hours(8) + Span::seconds(1);
    assert!(
        sessions::find(&mut conn, &token.hash(), later)
            .unwrap()
            .is_none()
    );
    // Another token finds nothing; signing out ends the session.
    assert!(
        sessions::find(&mut conn, &Secret::generate().hash(), now)
            .unwrap()
            .is_none()
    );
    sessions::delete(&mut conn, &token.hash()).unwrap();
    assert!(
        sessions::find(&mut conn, &token.hash(), now)
            .unwrap()
            .is_none()
    );
}

#[test]
fn failures_slow_down_then_lock_even_the_right_password() {
    let db = TestDb::new();
    let mut conn = db.conn();
    rind::auth::add_user(&mut conn, "brm@state.example", "brm", PASSWORD).unwrap();
    let settings = settings();
    let now = rind::store::now();
    let mut delays = Vec::new();
    for _ in 0..4 {
        match sign_in(
            &mut conn,
            &settings,
            "brm@state.example",
            "wrong password!",
            now,
        )
        .unwrap()
        {
            Outcome::Refused { delay } => delays.push(delay),
            other => panic!("expected a refusal: {other:?}"),
        }
    }
    let ms = |d: &Duration| d.as_millis();
    assert_eq!(
        delays.iter().map(ms).collect::<Vec<_>>(),
        [250, 500, 1000, 2000]
    );
    // The fifth failure locks the account for 15 minutes.
    let Outcome::Locked { until } = sign_in(
        &mut conn,
        &settings,
        "brm@state.example",
        "wrong again!!",
        now,
    )
    .unwrap() else {
        panic!("not locked");
    };
    assert_eq!(until, now + Span::minutes(15));
    // Locked: the right password is refused too, and opens no session.
    let locked = sign_in(&mut conn, &settings, "brm@state.example", PASSWORD, now).unwrap();
    assert!(matches!(locked, Outcome::Locked { .. }), "{locked:?}");
    assert_eq!(db.count("sessions"), 0);
    // After the lock, the right password works and clears the count.
    let after = now + Span::minutes(16);
    let ok = sign_in(&mut conn, &settings, "brm@state.example", PASSWORD, after).unwrap();
    assert!(matches!(ok, Outcome::SignedIn { .. }), "{ok:?}");
    let again = sign_in(
        &mut conn,
        &settings,
        "brm@state.example",
        "wrong password!",
        after,
    );
    assert!(
        matches!(again.unwrap(), Outcome::Refused { delay } if delay == Duration::from_millis(250))
    );
}

#[test]
fn unknown_and_malformed_emails_are_refused_like_wrong_passwords() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let now = rind::store::now();
    for email in ["nobody@state.example", "not an email", ""] {
        let outcome = sign_in(&mut conn, &settings(), email, PASSWORD, now).unwrap();
        assert!(
            matches!(outcome, Outcome::Refused { .. }),
            "{email}: {outcome:?}"
        );
    }
}

#[test]
fn api_tokens_name_their_user_until_revoked() {
    let db = TestDb::new();
    let mut conn = db.conn();
    rind::auth::add_user(&mut conn, "viewer@state.example", "viewer", PASSWORD).unwrap();
    let user = rind::store::users::list(&mut conn).unwrap().remove(0);
    let token = Secret::generate();
    sessions::create_api_token(&mut conn, &token.hash(), user.id, "nightly export").unwrap();
    let found = sessions::user_of_api_token(&mut conn, &token.hash())
        .unwrap()
        .unwrap();
    assert_eq!(found.email, "viewer@state.example");
    let listed = sessions::list_api_tokens(&mut conn).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some());
    assert!(sessions::revoke_api_token(&mut conn, listed[0].id).unwrap());
    assert!(
        sessions::user_of_api_token(&mut conn, &token.hash())
            .unwrap()
            .is_none()
    );
    assert!(!sessions::revoke_api_token(&mut conn, listed[0].id).unwrap());
}

#[test]
fn rind_token_add_prints_a_working_token_once() {
    let db = TestDb::new();
    rind::auth::add_user(&mut db.conn(), "cio@state.example", "cio", PASSWORD).unwrap();
    let run = db.rind(&[
        "token",
        "add",
        "--email",
        "cio@state.example",
        "--name",
        "export",
    ]);
    run.assert_ok();
    let token = Secret::parse(run.stdout.trim()).expect("a token on stdout");
    let user = sessions::user_of_api_token(&mut db.conn(), &token.hash())
        .unwrap()
        .unwrap();
    assert_eq!(user.email, "cio@state.example");
    db.rind(&[
        "token",
        "add",
        "--email",
        "nobody@state.example",
        "--name",
        "x",
    ])
    .assert_failed()
    .assert_stderr_contains("nobody@state.example");
    db.rind(&[
        "token",
        "add",
        "--email",
        "cio@state.example",
        "--name",
        " ",
    ])
    .assert_failed()
    .assert_stderr_contains("name");
    assert_eq!(db.count("api_tokens"), 1);
}
