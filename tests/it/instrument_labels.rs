//! Item labels and response labels ("anchors"), end to end: a mirrored item shows staff the
//! customer statement framed as a prediction, on exactly the customers' response labels
//! (read back from the rendered forms); the SLA file's optional `label` column; and the
//! migration that added both, backfilling the labels of items stored before it.

use std::collections::BTreeMap;

use crate::common::{self, LINK_BASE, TestApp, TestDb, form_key, mail_files, test_settings};
use diesel_migrations::MigrationHarness;
use rind::db::DbConnection;
use rind::domain::{Audience, NO_ANSWER, label_from_wording};
use rind::store;
use scraper::{Html, Selector};

/// The customer and the staff survey link of a programme of one contact and one staff
/// member, invited to W1 of the default instrument and delivered to the mail folder.
fn customer_and_staff_links(db: &TestDb) -> (rind::Settings, String, String) {
    db.programme(1, 1);
    let settings = test_settings(db);
    db.send(&settings, "W1");
    let report = db.deliver_to_folder(&settings);
    assert_eq!(report.sent, 2, "{report:?}");
    let mut customer = None;
    let mut staff = None;
    for (_, mail) in mail_files(&settings.mail_dir) {
        let to = mail.header("To").unwrap();
        let path = mail.survey_path(LINK_BASE);
        if to.contains(&common::contact_email(0)) {
            customer = Some(path);
        } else if to.contains(&common::staff_email(0)) {
            staff = Some(path);
        }
    }
    (
        settings,
        customer.expect("no mail to the contact"),
        staff.expect("no mail to the staff member"),
    )
}

/// One rendered question: its legend, and its radio options as (value, label text).
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    legend: String,
    options: Vec<(String, String)>,
}

impl Shown {
    fn labels(&self) -> Vec<&str> {
        self.options
            .iter()
            .filter(|(v, _)| v != "na")
            .map(|(_, l)| l.as_str())
            .collect()
    }

    fn not_applicable(&self) -> Option<&str> {
        self.options
            .iter()
            .find(|(v, _)| v == "na")
            .map(|(_, l)| l.as_str())
    }
}

fn text_of(element: scraper::ElementRef<'_>) -> String {
    element.text().collect::<String>().trim().to_string()
}

/// Every choice question of a survey page, by item code, as the browser shows it: each
/// radio's label is found through its `for` attribute, as assistive technology does.
fn shown_questions(page: &str) -> BTreeMap<String, Shown> {
    let html = Html::parse_document(page);
    let fieldset = Selector::parse("fieldset").unwrap();
    let legend = Selector::parse("legend").unwrap();
    let radio = Selector::parse("input[type=radio]").unwrap();
    let mut shown = BTreeMap::new();
    for set in html.select(&fieldset) {
        let legend = text_of(
            set.select(&legend)
                .next()
                .expect("a fieldset without legend"),
        );
        let mut code = None;
        let mut options = Vec::new();
        for input in set.select(&radio) {
            let attr = |name: &str| input.value().attr(name).unwrap().to_string();
            let name = attr("name");
            let field = name.strip_prefix("q_").expect("a q_ field").to_string();
            assert!(
                code.get_or_insert_with(|| field.clone()) == &field,
                "one fieldset, two questions"
            );
            let id = attr("id");
            let label_sel = Selector::parse(&format!("label[for=\"{id}\"]")).unwrap();
            let labels: Vec<_> = html.select(&label_sel).collect();
            assert_eq!(labels.len(), 1, "radio {id} has {} labels", labels.len());
            options.push((attr("value"), text_of(labels[0])));
        }
        let code = code.expect("a fieldset without radios");
        assert!(
            shown
                .insert(code.clone(), Shown { legend, options })
                .is_none(),
            "{code} shown twice"
        );
    }
    shown
}

#[test]
fn staff_predict_each_mirrored_item_on_exactly_the_customers_labels() {
    let db = TestDb::new();
    let (settings, customer_path, staff_path) = customer_and_staff_links(&db);
    let app = TestApp::spawn_with(settings, false);
    let customer_page = app.get(&customer_path);
    let staff_page = app.get(&staff_path);
    assert_eq!(customer_page.status, 200, "{customer_page:?}");
    assert_eq!(staff_page.status, 200, "{staff_page:?}");
    let customer = shown_questions(&customer_page.body);
    let staff = shown_questions(&staff_page.body);

    let wave = db.wave("W1");
    let items = store::instruments::items(&mut db.conn(), wave.instrument_id).unwrap();
    let mirrored: Vec<_> = items.iter().filter(|i| i.is_mirrored()).collect();
    assert!(
        mirrored.len() >= 20,
        "only {} mirrored items",
        mirrored.len()
    );
    let mut with_na = 0;
    for item in &mirrored {
        let code = &item.code;
        let c = customer
            .get(code)
            .unwrap_or_else(|| panic!("{code} not on the customer form"));
        let s = staff
            .get(code)
            .unwrap_or_else(|| panic!("{code} not on the staff form"));

        // The same response labels, in the same order, with the same values.
        assert_eq!(c.options, s.options, "{code}: staff see other options");
        let anchors = item.anchors.expect("a mirrored item has anchors");
        let expected: Vec<&str> = anchors
            .labels(item.scale)
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        assert_eq!(c.labels().len(), expected.len(), "{code}: {c:?}");
        for (shown, label) in c.labels().iter().zip(&expected) {
            assert!(
                shown.contains(label),
                "{code}: `{shown}` is not the {} label `{label}`",
                anchors.as_str()
            );
        }

        // The customer statement, and the same statement framed as a prediction.
        assert_eq!(c.legend, item.customer_wording, "{code}");
        assert_eq!(
            s.legend,
            format!(
                "How will agency customers answer: \"{}\"?",
                item.customer_wording
            ),
            "{code}"
        );

        // N/A on the same items, with the same words, for both audiences.
        assert_eq!(c.not_applicable(), s.not_applicable(), "{code}");
        if let Some(na) = c.not_applicable() {
            with_na += 1;
            assert_eq!(na, "Don't know / not applicable", "{code}");
        }
    }
    assert_eq!(
        with_na,
        items.iter().filter(|i| i.service_id.is_some()).count(),
        "every per-service item offers N/A"
    );

    // The labels each kind of item shows, spelled out once.
    assert_eq!(
        staff["rel_commitments"].labels(),
        [
            "Strongly disagree",
            "Disagree",
            "Neither agree nor disagree",
            "Agree",
            "Strongly agree"
        ]
    );
    assert_eq!(
        staff["svc_service_desk"].labels()[4],
        "Very satisfied",
        "{:?}",
        staff["svc_service_desk"]
    );
    assert_eq!(staff["effort"].labels().len(), 7);
    assert_eq!(staff["effort"].labels()[6], "Strongly agree");
    assert_eq!(staff["recommend"].labels()[0], "0 (Not at all likely)");
    assert_eq!(staff["imp_communication"].labels()[4], "Critical");
    for old in [
        "Very poor",
        "Excellent",
        "very easy",
        "I don't know",
        "does not use",
    ] {
        assert!(!staff_page.body.contains(old), "staff still see `{old}`");
        assert!(!customer_page.body.contains(old), "customers see `{old}`");
    }
}

#[test]
fn not_applicable_is_the_same_answer_from_staff_as_from_customers() {
    let db = TestDb::new();
    let (settings, customer_path, staff_path) = customer_and_staff_links(&db);
    let app = TestApp::spawn_with(settings, false);
    for path in [&customer_path, &staff_path] {
        let page = app.get(path);
        let key = form_key(&page.body);
        let posted = app.post_form(
            path,
            &[
                ("form_key", &key),
                ("action", "submit"),
                ("q_svc_erp", "na"),
                ("q_rel_commitments", "4"),
            ],
        );
        assert_eq!(posted.status, 303, "{posted:?}");
    }
    let wave = db.wave("W1");
    let mut conn = db.conn();
    let items = store::instruments::items(&mut conn, wave.instrument_id).unwrap();
    let erp = items.iter().find(|i| i.code == "svc_erp").unwrap().position;
    let rel = items
        .iter()
        .find(|i| i.code == "rel_commitments")
        .unwrap()
        .position;
    let loaded = store::responses::load_wave(&mut conn, wave.id, items.len()).unwrap();
    for (audience, group) in [
        (Audience::Customer, &loaded.customers),
        (Audience::Staff, &loaded.staff),
    ] {
        assert_eq!(group.len(), 1, "{audience:?}");
        // Answers are stored by item, then respondent.
        assert_eq!(
            group.answers[erp],
            [NO_ANSWER],
            "{audience:?}: N/A is no answer"
        );
        assert_eq!(group.answers[rel], [4], "{audience:?}");
    }
}

// --- SLA labels --------------------------------------------------------------------------

/// (service code, metric, label) of every SLA figure of W1.
fn sla_labels(db: &TestDb) -> Vec<(String, String, Option<String>)> {
    let wave = db.wave("W1");
    let mut conn = db.conn();
    let services: BTreeMap<i64, String> = store::services::list(&mut conn)
        .unwrap()
        .into_iter()
        .map(|s| (s.id, s.code))
        .collect();
    let mut rows: Vec<_> = store::sla::for_wave(&mut conn, wave.id)
        .unwrap()
        .into_iter()
        .map(|m| (services[&m.service_id].clone(), m.metric, m.label))
        .collect();
    rows.sort();
    rows
}

#[test]
fn an_sla_file_may_label_its_metrics() {
    let db = TestDb::new();
    db.programme(0, 0);
    db.import_for_wave(
        "sla",
        "service,metric,label,target,actual,higher_is_better\n\
         email,availability_pct,Email availability (%),99.9,99.97,true\n\
         hosting,provisioning_days,,10,12.5,false\n",
        "W1",
    )
    .assert_ok()
    .assert_stdout_contains("(2 new, 0 updated)");
    let s = |v: &str| v.to_string();
    assert_eq!(
        sla_labels(&db),
        [
            (
                s("email"),
                s("availability_pct"),
                Some(s("Email availability (%)"))
            ),
            (s("hosting"), s("provisioning_days"), None),
        ]
    );

    // Importing again replaces the label with the figures; a file without the column
    // stores none.
    db.import_for_wave(
        "sla",
        "service,metric,label,target,actual,higher_is_better\n\
         hosting,provisioning_days,  Days to provision a server ,10,9,false\n",
        "W1",
    )
    .assert_ok();
    db.import_for_wave(
        "sla",
        "service,metric,target,actual,higher_is_better\n\
         email,availability_pct,99.9,99.99,true\n",
        "W1",
    )
    .assert_ok();
    assert_eq!(
        sla_labels(&db),
        [
            (s("email"), s("availability_pct"), None),
            (
                s("hosting"),
                s("provisioning_days"),
                Some(s("Days to provision a server"))
            ),
        ]
    );

    // Over 200 characters: that line's error names the column, and nothing is written.
    let before = db.snapshot();
    let long = "x".repeat(201);
    db.import_for_wave(
        "sla",
        &format!(
            "service,metric,label,target,actual,higher_is_better\n\
             network,latency_ms,{},50,20,false\n\
             erp,availability_pct,{long},99,99.5,true\n",
            "y".repeat(200)
        ),
        "W1",
    )
    .assert_failed()
    .assert_error_lines(&[3])
    .assert_row_error(3, "label", "201 characters");
    assert_eq!(db.snapshot(), before);
}

// --- the migration -----------------------------------------------------------------------

/// The version of `migrations/*/2026-12-02-000001_item_labels`, without its dashes.
const MIGRATION: &str = "20261202000001";

/// Reverts the newest migrations until the one that added the labels is undone.
fn revert_the_label_migration(conn: &mut DbConnection) {
    loop {
        let reverted = match conn {
            DbConnection::Sqlite(c) => c
                .revert_last_migration(rind::db::SQLITE_MIGRATIONS)
                .map(|v| v.to_string()),
            DbConnection::Pg(c) => c
                .revert_last_migration(rind::db::PG_MIGRATIONS)
                .map(|v| v.to_string()),
        }
        .expect("revert a migration");
        if reverted.replace('-', "") == MIGRATION {
            return;
        }
    }
}

#[test]
fn the_migration_backfills_labels_of_stored_items_and_comes_down_again() {
    let db = TestDb::new();
    let mut conn = db.connect_unmigrated();
    rind::db::run_migrations(&mut conn).expect("up");
    rind::commands::first_start(&mut conn).expect("first start");
    let instrument = store::instruments::latest(&mut conn, "agency-cx")
        .unwrap()
        .unwrap();
    let stored = store::instruments::items(&mut conn, instrument.id).unwrap();

    // Down: the columns go, so reading them fails.
    revert_the_label_migration(&mut conn);
    assert!(
        store::instruments::items(&mut conn, instrument.id).is_err(),
        "items.label is still there after the down migration"
    );
    // Up again: every stored item gets the label the import would have derived from its
    // customer wording (the SQL mirrors label_from_wording), and its scale's anchors.
    rind::db::run_migrations(&mut conn).expect("up again");
    let backfilled = store::instruments::items(&mut conn, instrument.id).unwrap();
    assert_eq!(backfilled.len(), stored.len());
    let mut long = 0;
    for (before, after) in stored.iter().zip(&backfilled) {
        assert_eq!(
            after.label,
            label_from_wording(&after.customer_wording),
            "{}",
            after.code
        );
        assert!(after.label.chars().count() <= 60, "{}", after.code);
        if after.customer_wording.chars().count() > 60 {
            long += 1;
        }
        // The default instrument names the default anchors, so nothing changes on screen.
        assert_eq!(after.anchors, before.anchors, "{}", after.code);
        assert_eq!(after.customer_wording, before.customer_wording);
    }
    assert!(long >= 5, "only {long} wordings were long enough to be cut");

    // A stored instrument keeps working: a wave of it opens and takes responses.
    rind::commands::create_wave(&mut conn, "W1", "agency-cx", None, None, false).unwrap();
    let summary = rind::import::import_csv(
        &mut conn,
        rind::import::ImportKind::Responses,
        "audience,submitted_at,rel_commitments\nstaff,2026-03-02T10:00:00Z,4\n".as_bytes(),
        Some("W1"),
    )
    .unwrap();
    assert_eq!(summary.created, 1);
}
