//! `rind demo`: a seeded, realistic programme on an empty database, and never on top of
//! existing data.

use std::collections::HashMap;

use crate::common::TestDb;
use rind::analysis::ResponseSet;
use rind::store;

/// Mean of the answered values of one item.
fn mean(set: &ResponseSet, position: usize) -> f64 {
    let values: Vec<f64> = set.values(position).map(f64::from).collect();
    assert!(!values.is_empty(), "no answers at position {position}");
    values.iter().sum::<f64>() / values.len() as f64
}

#[test]
fn the_demo_is_a_realistic_programme() {
    let db = TestDb::new();
    db.with_default_instrument();
    let summary = rind::demo::seed_if_empty(&mut db.conn(), 2026)
        .unwrap()
        .expect("an empty database takes the demo");
    assert_eq!(
        (
            summary.agencies,
            summary.contacts,
            summary.staff,
            summary.waves
        ),
        (15, 600, 60, 3)
    );

    let mut conn = db.conn();
    let agencies = store::agencies::list(&mut conn).unwrap();
    assert_eq!(agencies.len(), 15);
    assert_eq!(store::contacts::count(&mut conn).unwrap(), 600);
    assert_eq!(store::services::list(&mut conn).unwrap().len(), 8);
    let staff = store::staff::list(&mut conn).unwrap();
    assert_eq!(staff.len(), 60);
    let teams: std::collections::BTreeSet<_> =
        staff.iter().filter_map(|s| s.team.clone()).collect();
    assert!(teams.len() >= 4, "staff in teams: {teams:?}");

    // Agencies of very different sizes.
    let contacts = store::contacts::list(&mut conn).unwrap();
    let mut size: HashMap<i64, usize> = HashMap::new();
    for c in &contacts {
        *size.entry(c.agency_id).or_default() += 1;
    }
    let (smallest, largest) = (size.values().min().unwrap(), size.values().max().unwrap());
    assert!(*largest >= 10 * *smallest, "sizes {size:?}");

    let waves = store::waves::list(&mut conn).unwrap();
    assert_eq!(waves.len(), 3);
    assert_eq!(waves.iter().filter(|w| w.baseline).count(), 1);
    assert!(waves[0].baseline, "the baseline comes first");

    let wave_ids: Vec<_> = waves
        .iter()
        .map(|w| store::waves::by_code(&mut conn, &w.code).unwrap())
        .collect();
    let items = store::instruments::items(&mut conn, wave_ids[0].instrument_id).unwrap();
    let position: HashMap<&str, usize> = items
        .iter()
        .map(|i| (i.code.as_str(), i.position))
        .collect();
    let loaded: Vec<_> = wave_ids
        .iter()
        .map(|w| store::responses::load_wave(&mut conn, w.id, items.len()).unwrap())
        .collect();

    for (w, responses) in waves.iter().zip(&loaded) {
        assert!(
            responses.staff.len() >= 10,
            "{}: {} staff responses",
            w.code,
            responses.staff.len()
        );
        assert_eq!(responses.staff.len() as i64, w.staff_responses);
        assert_eq!(responses.customers.len() as i64, w.customer_responses);
        assert!(
            responses.staff.agency.iter().all(Option::is_none),
            "staff answer for no agency"
        );

        // Some agencies are below the reporting threshold of 5, most are above it.
        let mut per_agency: HashMap<i64, usize> = agencies.iter().map(|a| (a.id, 0)).collect();
        for agency in &responses.customers.agency {
            *per_agency
                .get_mut(&agency.expect("customers have an agency"))
                .unwrap() += 1;
        }
        let small = per_agency.values().filter(|n| **n < 5).count();
        assert!(
            small >= 1,
            "{}: no agency below the threshold: {per_agency:?}",
            w.code
        );
        assert!(
            small <= 5,
            "{}: too many small agencies: {per_agency:?}",
            w.code
        );

        let sla = store::sla::for_wave(
            &mut conn,
            wave_ids.iter().find(|x| x.code == w.code).unwrap().id,
        )
        .unwrap();
        assert!(sla.len() >= 8, "{}: {} SLA figures", w.code, sla.len());
    }

    // The findings rind exists to show are there to find, in the baseline.
    let baseline = &loaded[0];
    let gap = |code: &str| {
        mean(&baseline.staff, position[code]) - mean(&baseline.customers, position[code])
    };
    assert!(
        gap("svc_service_desk") > 0.5,
        "service desk blind spot: {}",
        gap("svc_service_desk")
    );
    assert!(
        gap("asr_security") < -0.3,
        "security hidden strength: {}",
        gap("asr_security")
    );

    // The service desk is a watermelon: its SLAs are all met while customers rate it low.
    let service_desk = db.service_id("service_desk");
    let sla = store::sla::for_wave(&mut conn, wave_ids[0].id).unwrap();
    let desk: Vec<_> = sla
        .iter()
        .filter(|m| m.service_id == service_desk)
        .collect();
    assert!(
        !desk.is_empty() && desk.iter().all(|m| m.is_met()),
        "{desk:?}"
    );
    assert!(mean(&baseline.customers, position["svc_service_desk"]) < 3.0);

    // Scores move between waves: responsiveness improves on the baseline.
    let responsiveness = |set: &ResponseSet| mean(set, position["resp_timely"]);
    assert!(
        responsiveness(&loaded[2].customers) > responsiveness(&loaded[0].customers) + 0.2,
        "responsiveness does not improve"
    );

    // Text answers are comments, never numeric answers.
    assert!(db.count("comments") > 0);
    assert_eq!(
        baseline.customers.values(position["comment_start"]).count(),
        0
    );

    // A database with data never takes the demo again.
    let before = db.snapshot();
    assert!(rind::demo::seed_if_empty(&mut conn, 7).unwrap().is_none());
    drop(conn);
    assert_eq!(db.snapshot(), before);
}

#[test]
fn rind_demo_fills_an_empty_database_once() {
    let db = TestDb::new();
    db.rind(&["demo"]).assert_ok().assert_stdout_contains(
        "demo programme created: 15 agencies, 600 contacts, 60 staff, 3 waves",
    );
    let before = db.snapshot();
    assert_eq!(before.count("agencies"), 15);
    assert_eq!(before.count("waves"), 3);
    assert_eq!(before.count("instruments"), 1);

    db.rind(&["demo"])
        .assert_failed()
        .assert_stderr_contains("already holds");
    assert_eq!(
        db.snapshot(),
        before,
        "a second `rind demo` wrote something"
    );
}

#[test]
fn rind_demo_refuses_a_database_that_already_has_agencies() {
    let db = TestDb::new();
    db.import("agencies", "code,name\nDOT,Transportation\n")
        .assert_ok();
    let before = db.snapshot();
    db.rind(&["demo"])
        .assert_failed()
        .assert_stderr_contains("only fills an empty database");
    // Refused means refused: not even the default catalogue and instrument are added.
    assert_eq!(
        db.snapshot(),
        before,
        "a refused `rind demo` wrote something"
    );
    assert_eq!(db.count("agencies"), 1);
}

#[test]
fn the_same_seed_gives_the_same_programme() {
    let seeded = |seed: u64| {
        let db = TestDb::new();
        db.with_default_instrument();
        let summary = rind::demo::seed_if_empty(&mut db.conn(), seed)
            .unwrap()
            .unwrap();
        let waves = store::waves::list(&mut db.conn()).unwrap();
        let counts: Vec<(i64, i64)> = waves
            .iter()
            .map(|w| (w.customer_responses, w.staff_responses))
            .collect();
        (summary, counts)
    };
    let (a, a_counts) = seeded(2026);
    let (b, b_counts) = seeded(2026);
    assert_eq!(a, b);
    assert_eq!(a_counts, b_counts);
    let (c, _) = seeded(7);
    assert_ne!(
        a.customer_responses, c.customer_responses,
        "another seed, another programme"
    );
}
