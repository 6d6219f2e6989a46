//! Signing in to the dashboard over real HTTP: the session cookie, CSRF on every form, the
//! lock after repeated failures, and which role may open which route (and see which
//! agency's figures), on the demo programme. Runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.

use crate::common::{self, PASSWORD, TestApp, TestDb, client_with_token};
use reqwest::blocking::{Client, Response};
use serde_json::Value;

/// The demo programme (which has sign-in accounts for every role).
fn demo() -> TestDb {
    let db = TestDb::new();
    db.with_default_instrument();
    rind::demo::seed_if_empty(&mut db.conn(), 7)
        .unwrap()
        .expect("an empty database");
    db
}

/// The value of `name="field" value="..."` in a form.
fn form_value(html: &str, field: &str) -> String {
    let at = html
        .find(&format!("name=\"{field}\""))
        .unwrap_or_else(|| panic!("no {field} in {html}"));
    let rest = &html[at..];
    let start = rest.find("value=\"").unwrap() + 7;
    rest[start..start + rest[start..].find('"').unwrap()].to_string()
}

/// `name=value` of a `Set-Cookie` header named `name`.
fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_string())
}

/// A browser without JavaScript: it keeps the cookies we hand it.
struct Browser {
    client: Client,
    base: String,
    cookies: Vec<String>,
}

impl Browser {
    fn new(app: &TestApp) -> Browser {
        Browser {
            client: client_with_token(None),
            base: app.address.clone(),
            cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies.join("; ")
    }

    fn keep(&mut self, response: &Response) {
        for name in ["rind_session", "rind_signin"] {
            if let Some(c) = set_cookie(response, name) {
                self.cookies.retain(|k| !k.starts_with(&format!("{name}=")));
                if !c.ends_with('=') {
                    self.cookies.push(c);
                }
            }
        }
    }

    fn get(&mut self, path: &str) -> (u16, String, Option<String>) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .send()
            .unwrap();
        self.keep(&r);
        let location = r
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        (r.status().as_u16(), r.text().unwrap(), location)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, String, Option<String>) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .form(form)
            .send()
            .unwrap();
        self.keep(&r);
        let location = r
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        (r.status().as_u16(), r.text().unwrap(), location)
    }

    /// Opens the sign-in form and submits it.
    fn sign_in(&mut self, email: &str, password: &str) -> (u16, String, Option<String>) {
        let (status, html, _) = self.get("/signin?next=/");
        assert_eq!(status, 200);
        let csrf = form_value(&html, "csrf_token");
        self.post(
            "/signin",
            &[
                ("email", email),
                ("password", password),
                ("csrf_token", &csrf),
                ("next", "/"),
            ],
        )
    }
}

#[test]
fn sign_in_session_and_sign_out() {
    let db = demo();
    let app = TestApp::spawn(&db);
    let mut browser = Browser::new(&app);

    // Signed out: pages send you to the sign-in form and back.
    let (status, _, location) = browser.get("/");
    assert_eq!(status, 302);
    assert_eq!(location.as_deref(), Some("/signin"));
    let (status, _, location) = browser.get("/?wave=FY26-Q1");
    assert_eq!(status, 302);
    assert_eq!(location.as_deref(), Some("/signin?next=/%3Fwave%3DFY26-Q1"));

    let (status, _, location) = browser.sign_in("cio@cio.state.example", rind::demo::DEMO_PASSWORD);
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/"));
    assert!(
        browser
            .cookies
            .iter()
            .any(|c| c.starts_with("rind_session="))
    );
    let (status, html, _) = browser.get("/");
    assert_eq!(status, 200);
    assert!(html.contains("cio@cio.state.example") && html.contains("FY26-Q1"));
    assert_eq!(db.count("sessions"), 1);

    // Signing out needs the page's CSRF token.
    let csrf = form_value(&html, "csrf_token");
    let (status, _, _) = browser.post("/signout", &[]);
    assert_eq!(status, 403);
    let (status, _, _) = browser.post("/signout", &[("csrf_token", "forged")]);
    assert_eq!(status, 403);
    assert_eq!(db.count("sessions"), 1);
    let (status, _, location) = browser.post("/signout", &[("csrf_token", &csrf)]);
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/signin"));
    assert_eq!(db.count("sessions"), 0);
    assert_eq!(browser.get("/").0, 302);
}

#[test]
fn the_sign_in_form_refuses_forgery_and_open_redirects() {
    let db = demo();
    let app = TestApp::spawn(&db);
    let mut browser = Browser::new(&app);
    // No form token, or one that doesn't match the cookie: refused, nobody signed in.
    let (status, _, _) = browser.post(
        "/signin",
        &[
            ("email", "cio@cio.state.example"),
            ("password", rind::demo::DEMO_PASSWORD),
        ],
    );
    assert_eq!(status, 403);
    browser.get("/signin");
    let (status, _, _) = browser.post(
        "/signin",
        &[
            ("email", "cio@cio.state.example"),
            ("password", rind::demo::DEMO_PASSWORD),
            ("csrf_token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ],
    );
    assert_eq!(status, 403);
    assert_eq!(db.count("sessions"), 0);
    // `next` pointing elsewhere is ignored.
    let (_, html, _) = browser.get("/signin");
    let csrf = form_value(&html, "csrf_token");
    let (status, _, location) = browser.post(
        "/signin",
        &[
            ("email", "cio@cio.state.example"),
            ("password", rind::demo::DEMO_PASSWORD),
            ("csrf_token", &csrf),
            ("next", "//evil.example/"),
        ],
    );
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/"));
}

#[test]
fn repeated_failures_lock_the_account() {
    let db = demo();
    let app = TestApp::spawn(&db);
    let mut browser = Browser::new(&app);
    for attempt in 1..=4 {
        let (status, html, _) = browser.sign_in("viewer@cio.state.example", "not the password");
        assert_eq!(status, 401, "attempt {attempt}");
        assert!(html.contains("not right"), "{html}");
        // The email typed is kept, escaped.
        assert!(html.contains("value=\"viewer@cio.state.example\""));
    }
    let (status, html, _) = browser.sign_in("viewer@cio.state.example", "not the password");
    assert_eq!(status, 429);
    assert!(html.contains("locked"), "{html}");
    // The right password is refused while locked.
    let (status, _, _) = browser.sign_in("viewer@cio.state.example", rind::demo::DEMO_PASSWORD);
    assert_eq!(status, 429);
    assert_eq!(db.count("sessions"), 0);
    // Another account is not affected.
    let (status, _, _) = browser.sign_in("cio@cio.state.example", rind::demo::DEMO_PASSWORD);
    assert_eq!(status, 303);
}

#[test]
fn output_is_escaped() {
    let db = demo();
    let app = TestApp::spawn(&db);
    let mut browser = Browser::new(&app);
    let (_, html, _) = browser.sign_in("<script>alert(1)</script>@x.example", PASSWORD);
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(
        html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
        "{html}"
    );
}

/// What each role gets from each route: (path, anonymous, admin, cio, brm, viewer).
const MATRIX: &[(&str, u16, u16, u16, u16, u16)] = &[
    ("/", 302, 200, 200, 200, 200),
    ("/waves/FY26-Q1", 302, 200, 200, 200, 200),
    ("/waves/FY26-Q1/rates", 302, 200, 200, 200, 200),
    ("/waves/NOPE", 302, 404, 404, 404, 404),
    // DOR's relationship lead is the demo BRM; DOT's is someone else.
    ("/agencies/DOR?wave=FY26-Q1", 302, 200, 200, 200, 403),
    ("/agencies/DOT?wave=FY26-Q1", 302, 200, 200, 403, 403),
    ("/waves/FY26-Q1/services/email", 302, 200, 200, 200, 200),
    ("/waves/FY26-Q1/services/nope", 302, 404, 404, 404, 404),
    ("/follow-ups", 302, 200, 200, 200, 403),
    (
        "/waves/FY26-Q1/items/rel_commitments",
        302,
        200,
        200,
        200,
        200,
    ),
    ("/waves/FY26-Q1/items/nope", 302, 404, 404, 404, 404),
    (
        "/waves/FY26-Q1/dimensions/reliability",
        302,
        200,
        200,
        200,
        200,
    ),
    ("/waves/FY26-Q1/dimensions/nope", 302, 404, 404, 404, 404),
    ("/admin", 302, 200, 403, 403, 403),
    ("/admin/agencies", 302, 200, 403, 403, 403),
    ("/admin/services", 302, 200, 403, 403, 403),
    ("/admin/contacts", 302, 200, 403, 403, 403),
    ("/admin/staff", 302, 200, 403, 403, 403),
    ("/admin/instruments", 302, 200, 403, 403, 403),
    ("/admin/waves", 302, 200, 403, 403, 403),
    ("/admin/users", 302, 200, 403, 403, 403),
    ("/admin/mail", 302, 200, 403, 403, 403),
    ("/signin", 200, 200, 200, 200, 200),
    ("/healthz", 200, 200, 200, 200, 200),
    ("/api/v1/openapi.json", 200, 200, 200, 200, 200),
    ("/api/v1/waves", 401, 200, 200, 200, 200),
    ("/api/v1/waves/FY26-Q1/gap", 401, 200, 200, 200, 200),
    ("/api/v1/waves/FY26-Q1/trend", 401, 200, 200, 200, 200),
    ("/api/v1/waves/FY26-Q1/watermelon", 401, 200, 200, 200, 200),
    ("/api/v1/waves/FY26-Q1/ipa", 401, 200, 200, 200, 200),
    ("/api/v1/waves/FY26-Q1/calibration", 401, 200, 200, 200, 200),
    ("/api/v1/waves/FY26-Q1/rates", 401, 200, 200, 200, 200),
];

#[test]
fn role_by_route_matrix_and_per_agency_figures() {
    let db = demo();
    let app = TestApp::spawn(&db);
    let tokens = [
        None,
        Some(db.api_token_for("admin@cio.state.example")),
        Some(db.api_token_for("cio@cio.state.example")),
        Some(db.api_token_for("maria.lopez@cio.state.example")),
        Some(db.api_token_for("viewer@cio.state.example")),
    ];
    let roles = ["anonymous", "admin", "cio", "brm", "viewer"];
    // Pages take the session cookie, not a bearer token: sign each role in.
    let mut browsers: Vec<Option<Browser>> = vec![None];
    for email in ["admin", "cio", "maria.lopez", "viewer"] {
        let mut b = Browser::new(&app);
        let (status, _, _) = b.sign_in(
            &format!("{email}@cio.state.example"),
            rind::demo::DEMO_PASSWORD,
        );
        assert_eq!(status, 303, "{email}");
        browsers.push(Some(b));
    }
    for (path, anonymous, admin, cio, brm, viewer) in MATRIX {
        let expected = [*anonymous, *admin, *cio, *brm, *viewer];
        for (r, role) in roles.iter().enumerate() {
            let status = if path.starts_with("/api/") {
                let client = client_with_token(tokens[r].as_deref());
                common::get(&client, &format!("{}{path}", app.address)).status
            } else {
                match &mut browsers[r] {
                    Some(b) => b.get(path).0,
                    None => Browser::new(&app).get(path).0,
                }
            };
            assert_eq!(status, expected[r], "{role} GET {path}");
        }
    }
    // A bad or revoked token is the same as none.
    let client = client_with_token(Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    assert_eq!(
        common::get(&client, &format!("{}/api/v1/waves", app.address)).status,
        401
    );

    // Per-agency figures: the BRM sees only the agencies they own, the viewer none.
    let gap = |r: usize| -> Value {
        let client = client_with_token(tokens[r].as_deref());
        common::get(
            &client,
            &format!("{}/api/v1/waves/FY26-Q1/gap", app.address),
        )
        .json()
    };
    let agency_groups = |report: &Value| -> Option<Vec<String>> {
        report["breakdowns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["by"] == "agency")
            .map(|b| {
                b["groups"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|g| g["group"].as_str().unwrap().to_string())
                    .collect()
            })
    };
    let all = agency_groups(&gap(2)).unwrap();
    let owned =
        rind::store::agencies::owned_by(&mut db.conn(), "maria.lopez@cio.state.example").unwrap();
    assert!(!owned.is_empty() && owned.len() < all.len());
    let brm = agency_groups(&gap(3)).unwrap();
    assert!(!brm.is_empty());
    assert!(brm.iter().all(|g| owned.contains(g)), "{brm:?} ⊄ {owned:?}");
    assert_eq!(agency_groups(&gap(4)), None);
    // The aggregate table is the same for everyone.
    assert_eq!(gap(4)["items"], gap(2)["items"]);
    let rates = |r: usize| -> Value {
        let client = client_with_token(tokens[r].as_deref());
        common::get(
            &client,
            &format!("{}/api/v1/waves/FY26-Q1/rates", app.address),
        )
        .json()
    };
    assert!(rates(4)["agencies"].as_array().unwrap().is_empty());
    assert_eq!(rates(4)["customers"], rates(1)["customers"]);
}

#[test]
fn the_overview_shows_the_figures_of_the_api() {
    let db = demo();
    let app = TestApp::spawn(&db);
    let mut browser = Browser::new(&app);
    browser.sign_in("viewer@cio.state.example", rind::demo::DEMO_PASSWORD);
    let (status, html, _) = browser.get("/?wave=FY26-Q3");
    assert_eq!(status, 200);
    assert!(html.contains("Overview · FY26-Q3"), "{html}");
    let client = client_with_token(Some(&db.api_token_for("viewer@cio.state.example")));
    let gap = common::get(
        &client,
        &format!("{}/api/v1/waves/FY26-Q3/gap", app.address),
    )
    .json();
    let blind = gap["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["verdict"] == "blind_spot")
        .count();
    assert!(blind > 0, "the demo plants blind spots");
    assert!(
        html.contains(&format!("<strong>{blind}</strong> blind spots")),
        "{blind} blind spots: {html}"
    );
    let csat = gap["measures"]["customers"]["csat"]["share"]
        .as_f64()
        .unwrap();
    assert!(html.contains(&format!("{:.0}%", csat * 100.0)));
    // Calibration rows for the baseline and this wave, not the later one.
    assert!(html.contains("<th scope=\"row\">FY26-Q1</th>"));
    assert!(!html.contains("<th scope=\"row\">FY27-Q1</th>"));
    // The CSAT trend chart, with the waves up to this one.
    assert!(html.contains("Customer satisfaction over the waves, to FY26-Q3"));
    // Without a wave, the latest with responses is shown.
    let (_, html, _) = browser.get("/");
    assert!(html.contains("Overview · FY27-Q1"));
    // An unknown wave is a 404 page, not a stack trace.
    let (status, body, _) = browser.get("/?wave=NOPE");
    assert_eq!(status, 404);
    assert!(
        body.contains("<h1>Not found</h1>") && body.contains("NOPE"),
        "{body}"
    );
    // Pages carry the security headers.
    let r = client_with_token(None)
        .get(format!("{}/signin", app.address))
        .send()
        .unwrap();
    let header = |name: &str| r.headers().get(name).unwrap().to_str().unwrap().to_string();
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert!(!header("content-security-policy").contains("script-src"));
    assert_eq!(header("x-content-type-options"), "nosniff");
}

#[test]
fn wave_and_agency_pages_show_what_the_role_may_see() {
    let db = demo();
    let app = TestApp::spawn(&db);
    let mut cio = Browser::new(&app);
    cio.sign_in("cio@cio.state.example", rind::demo::DEMO_PASSWORD);
    let mut viewer = Browser::new(&app);
    viewer.sign_in("viewer@cio.state.example", rind::demo::DEMO_PASSWORD);
    let client = client_with_token(Some(&db.api_token_for("cio@cio.state.example")));
    let gap = common::get(
        &client,
        &format!("{}/api/v1/waves/FY26-Q3/gap", app.address),
    )
    .json();

    let (status, html, _) = cio.get("/waves/FY26-Q3");
    assert_eq!(status, 200);
    // Every item of the API's table is a row, named by its label and linked by its code,
    // with its finding.
    for item in gap["items"].as_array().unwrap() {
        let code = item["item"].as_str().unwrap();
        let label = escaped(item["label"].as_str().unwrap());
        assert!(
            html.contains(&format!(
                "<th scope=\"row\"><a href=\"/waves/FY26-Q3/items/{code}\">{label}</a></th>"
            )),
            "{code}"
        );
    }
    // Blind spots among items and dimensions, one row each.
    let blind = gap["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(gap["dimensions"].as_array().unwrap())
        .filter(|i| i["verdict"] == "blind_spot")
        .count();
    assert_eq!(html.matches(">Blind spot</td>").count(), blind);
    // Six charts inline (how IT performs, what matters to agencies, services,
    // importance–performance, agencies, the answers to every question), each an image
    // with a title, and parseable.
    assert_eq!(html.matches("<svg role=\"img\"").count(), 6, "{html}");
    for svg in html.split("<svg role=\"img\"").skip(1) {
        let end = svg.find("</svg>").unwrap();
        let doc = format!("<svg role=\"img\"{}</svg>", &svg[..end]);
        roxmltree::Document::parse(&doc).expect("the chart is well-formed XML");
    }
    // The agency heatmap: hidden agencies are marked, not left out.
    assert!(html.contains("Agencies × dimensions"));
    let groups = gap["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["by"] == "agency")
        .unwrap()["groups"]
        .as_array()
        .unwrap()
        .clone();
    let hidden = groups.iter().filter(|g| g["table"].is_null()).count();
    assert!(hidden > 0, "the demo has agencies below the threshold");
    assert!(html.contains("suppressed"));
    // A viewer sees the aggregates but no agency rows.
    let (status, html, _) = viewer.get("/waves/FY26-Q3");
    assert_eq!(status, 200);
    assert!(!html.contains("Agencies × dimensions"));
    assert_eq!(
        html.matches("<svg role=\"img\"").count(),
        5,
        "no agency heatmap for viewers (the other five charts only)"
    );
    let dot = ">Department of Transportation<";
    let (_, rates, _) = viewer.get("/waves/FY26-Q3/rates");
    assert!(rates.contains("All customers") && !rates.contains(dot));
    let (_, rates, _) = cio.get("/waves/FY26-Q3/rates");
    assert!(rates.contains(dot), "{rates}");

    // A service page: the watermelon finding of the API, per-agency cells for the cio only.
    let watermelon = common::get(
        &client,
        &format!("{}/api/v1/waves/FY26-Q3/watermelon", app.address),
    )
    .json();
    let planted = watermelon["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["class"] == "watermelon")
        .expect("the demo plants a watermelon");
    let service = planted["service"].as_str().unwrap();
    let (status, html, _) = cio.get(&format!("/waves/FY26-Q3/services/{service}"));
    assert_eq!(status, 200);
    assert!(html.contains("SLA met, customers unhappy"), "{html}");
    assert!(html.contains("SLA attainment against CSAT per agency"));
    let (_, html, _) = viewer.get(&format!("/waves/FY26-Q3/services/{service}"));
    assert!(html.contains("No agency figures to show for your role"));

    // The agency page: a large agency shows its gaps and comments, a hidden one says why.
    let shown = groups
        .iter()
        .filter(|g| g["table"].is_object())
        .max_by_key(|g| g["respondents"].as_u64().unwrap())
        .unwrap();
    let code = shown["group"].as_str().unwrap();
    let name = db.agency_name(code);
    let (status, html, _) = cio.get(&format!("/agencies/{code}?wave=FY26-Q3"));
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&format!(
        "Customers of {name}: n = {}",
        shown["respondents"]
    )));
    assert!(
        !html.contains("Comments are shown only when"),
        "{code} has enough answers"
    );
    assert!(html.contains(&format!("SLA against satisfaction at {name}, FY26-Q3")));
    let small = groups
        .iter()
        .find(|g| g["suppressed"] == "below_threshold")
        .unwrap();
    let small = small["group"].as_str().unwrap();
    let (status, html, _) = cio.get(&format!("/agencies/{small}?wave=FY26-Q3"));
    assert_eq!(status, 200);
    assert!(
        html.contains("are not shown: fewer than 5 answered"),
        "{html}"
    );
    assert!(html.contains("Comments are shown only when at least 10"));
    assert!(!html.contains("How IT performs for"));
}

#[test]
fn a_brm_works_the_follow_ups_of_their_own_agencies() {
    let db = demo();
    let ids: Vec<i64> = {
        let mut conn = db.conn();
        let wave = rind::store::waves::by_code(&mut conn, "FY26-Q3").unwrap();
        for (agency, name, urgent) in [("DOR", "Pat Doe", true), ("DOT", "Sam Roe", false)] {
            rind::store::follow_ups::insert(
                &mut conn,
                &rind::store::follow_ups::NewFollowUp {
                    wave_id: wave.id,
                    agency_id: Some(db.agency_id(agency)),
                    contact_name: name.into(),
                    contact_email: format!(
                        "{}@agency.example",
                        name.to_lowercase().replace(' ', ".")
                    ),
                    reason: "asked to be contacted".into(),
                    urgent,
                    assigned_to: None,
                },
            )
            .unwrap();
        }
        rind::store::follow_ups::list(&mut conn)
            .unwrap()
            .iter()
            .map(|l| l.follow_up.id)
            .collect()
    };
    let app = TestApp::spawn(&db);
    let mut brm = Browser::new(&app);
    brm.sign_in("maria.lopez@cio.state.example", rind::demo::DEMO_PASSWORD);
    let (status, html, _) = brm.get("/follow-ups");
    assert_eq!(status, 200);
    assert!(html.contains("Pat Doe") && html.contains("(urgent)"));
    assert!(!html.contains("Sam Roe"), "DOT is not hers");
    let csrf = form_value(&html, "csrf_token");
    let list = rind::store::follow_ups::list(&mut db.conn()).unwrap();
    let id_of = |name: &str| {
        list.iter()
            .find(|l| l.follow_up.contact_name == name)
            .unwrap()
            .follow_up
            .id
    };
    assert_eq!(ids.len(), 2);
    let (dor, dot) = (id_of("Pat Doe"), id_of("Sam Roe"));
    let work = [
        ("status", "closed"),
        ("note", "Called back; fixed the mailbox quota."),
        ("assign_to_me", "yes"),
    ];
    // Without the CSRF token, or on another lead's agency: refused, nothing changed.
    assert_eq!(brm.post(&format!("/follow-ups/{dor}"), &work).0, 403);
    let mut with_token = work.to_vec();
    with_token.push(("csrf_token", &csrf));
    assert_eq!(brm.post(&format!("/follow-ups/{dot}"), &with_token).0, 403);
    let mut bad = with_token.clone();
    bad[0] = ("status", "done");
    assert_eq!(brm.post(&format!("/follow-ups/{dor}"), &bad).0, 400);
    assert!(
        rind::store::follow_ups::list(&mut db.conn())
            .unwrap()
            .iter()
            .all(|l| l.follow_up.status == "open")
    );
    let (status, _, location) = brm.post(&format!("/follow-ups/{dor}"), &with_token);
    assert_eq!(status, 303);
    assert_eq!(location, Some(format!("/follow-ups#fu-{dor}")));
    let after = rind::store::follow_ups::list(&mut db.conn()).unwrap();
    let done = after.iter().find(|l| l.follow_up.id == dor).unwrap();
    assert_eq!(done.follow_up.status, "closed");
    assert!(done.follow_up.closed_at.is_some());
    assert_eq!(
        done.assignee.as_deref(),
        Some("maria.lopez@cio.state.example")
    );
    assert_eq!(
        done.follow_up.note.as_deref(),
        Some("Called back; fixed the mailbox quota.")
    );
    // Viewers have no follow-up list.
    let mut viewer = Browser::new(&app);
    viewer.sign_in("viewer@cio.state.example", rind::demo::DEMO_PASSWORD);
    assert_eq!(viewer.get("/follow-ups").0, 403);
}

/// The SVG inside the first `<figure class="chart">` after `after` in a page.
fn chart_after<'a>(html: &'a str, after: &str) -> &'a str {
    let from = html.find(after).unwrap_or_else(|| panic!("no {after}"));
    let rest = &html[from..];
    let start = rest.find("<svg").expect("an inline SVG");
    let end = rest[start..].find("</svg>").unwrap() + start + "</svg>".len();
    &rest[start..end]
}

/// A p- or q-value as the pages write it (HTML-escaped).
fn q_text(q: &Value) -> String {
    match q.as_f64() {
        Some(q) if q < 0.001 => "&lt; 0.001".into(),
        Some(q) => format!("{q:.3}"),
        None => "—".into(),
    }
}

fn interval_text(ci: &Value) -> String {
    rind::words::interval(
        ci["lower"]
            .as_f64()
            .map(|lower| rind::analysis::stats::Interval {
                lower,
                upper: ci["upper"].as_f64().unwrap(),
            }),
        2,
    )
}

/// One side's row on a drill-down page, from the JSON side.
fn side_row(who: &str, side: &Value) -> String {
    format!(
        "<tr><th scope=\"row\">{who}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
        side["n"].as_u64().unwrap(),
        rind::words::number(side["mean"].as_f64(), 2),
        rind::words::number(side["sd"].as_f64(), 2),
        interval_text(&side["ci95"]),
    )
}

#[test]
fn drill_down_pages_show_the_gap_report_and_name_suppressed_groups() {
    let db = demo();
    let app = TestApp::spawn(&db);
    let mut cio = Browser::new(&app);
    cio.sign_in("cio@cio.state.example", rind::demo::DEMO_PASSWORD);
    let api = client_with_token(Some(&db.api_token_for("cio@cio.state.example")));
    let report = common::get(&api, &format!("{}/api/v1/waves/FY26-Q3/gap", app.address)).json();

    // The wave page links to every item and dimension.
    let (_, wave, _) = cio.get("/waves/FY26-Q3");
    for item in report["items"].as_array().unwrap() {
        let code = item["item"].as_str().unwrap();
        assert!(
            wave.contains(&format!("href=\"/waves/FY26-Q3/items/{code}\"")),
            "{code}"
        );
    }
    assert!(wave.contains("href=\"/waves/FY26-Q3/dimensions/reliability\""));

    let item = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == "rel_commitments")
        .unwrap();
    let (status, html, _) = cio.get("/waves/FY26-Q3/items/rel_commitments");
    assert_eq!(status, 200);
    assert!(
        html.contains(&side_row("Customers said", &item["customer"])),
        "{html}"
    );
    assert!(
        html.contains(&side_row("Staff expected", &item["staff"])),
        "{html}"
    );
    let gap = rind::words::signed(item["gap"].as_f64(), 2);
    assert!(html.contains(&format!(
        "Gap (staff − customers)</th><td class=\"num\">{gap}</td>"
    )));
    assert!(html.contains(&format!(
        "95% interval of the gap</th><td class=\"num\">{}</td>",
        interval_text(&item["gap_ci95"])
    )));
    assert!(html.contains(&format!(
        "across this table)</th><td class=\"num\">{}</td>",
        q_text(&item["q"])
    )));
    let verdict = item["verdict"].as_str().unwrap();
    assert!(
        html.contains(&format!("class=\"verdict verdict-{verdict}\"")),
        "{verdict}"
    );
    // In words too: which side is higher, by how much.
    let words = if item["gap"].as_f64().unwrap() > 0.0 {
        "more"
    } else {
        "less"
    };
    let size = rind::words::number(item["gap"].as_f64().map(f64::abs), 2);
    assert!(html.contains(&format!("IT expected {size} {words} than customers gave")));

    // Every group of every breakdown: shown with its figures, or named as suppressed.
    let mut suppressed = 0;
    for breakdown in report["breakdowns"].as_array().unwrap() {
        for g in breakdown["groups"].as_array().unwrap() {
            // Groups are named as people know them: an agency's name, a segment or team
            // in words.
            let code = g["group"].as_str().unwrap();
            let name = if breakdown["by"] == "agency" {
                escaped(&db.agency_name(code))
            } else {
                rind::words::code_in_words(code)
            };
            match g["table"].as_object() {
                None => {
                    suppressed += 1;
                    let row = format!(
                        "{name}</th><td class=\"num\">—</td><td colspan=\"6\" class=\"suppressed\">Suppressed: "
                    );
                    assert!(html.contains(&row), "{name} not marked suppressed: {html}");
                }
                Some(table) => {
                    let cell = table["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|i| i["item"] == "rel_commitments")
                        .unwrap();
                    let shown = match cell["customer"]["n"].as_u64() {
                        Some(n) => format!(
                            "{} (n {n})",
                            rind::words::number(cell["customer"]["mean"].as_f64(), 2)
                        ),
                        None => "—".to_string(),
                    };
                    let row = format!(
                        "{name}</th><td class=\"num\">{}</td><td class=\"num\">{shown}</td>",
                        g["respondents"].as_u64().unwrap()
                    );
                    let linked = format!(
                        "{name}</a></th><td class=\"num\">{}</td><td class=\"num\">{shown}</td>",
                        g["respondents"].as_u64().unwrap()
                    );
                    assert!(
                        html.contains(&row) || html.contains(&linked),
                        "{name}: no row {row}"
                    );
                }
            }
        }
    }
    assert!(
        suppressed > 0,
        "the demo has small groups, which must be shown as suppressed"
    );

    // The dimension page: its score row, and its items linked.
    let dimension = report["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["dimension"] == "reliability")
        .unwrap();
    let (status, html, _) = cio.get("/waves/FY26-Q3/dimensions/reliability");
    assert_eq!(status, 200);
    assert!(
        html.contains(&side_row("Customers said", &dimension["customer"])),
        "{html}"
    );
    assert!(html.contains(&side_row("Staff expected", &dimension["staff"])));
    assert!(html.contains(&format!(
        "Gap (staff − customers)</th><td class=\"num\">{}</td>",
        rind::words::signed(dimension["gap"].as_f64(), 2)
    )));
    for code in [
        "rel_commitments",
        "rel_right_first_time",
        "rel_availability",
    ] {
        assert!(
            html.contains(&format!("href=\"/waves/FY26-Q3/items/{code}\"")),
            "{code}"
        );
    }

    // A viewer sees aggregates only; a BRM only the agencies they own.
    let mut viewer = Browser::new(&app);
    viewer.sign_in("viewer@cio.state.example", rind::demo::DEMO_PASSWORD);
    let (status, html, _) = viewer.get("/waves/FY26-Q3/items/rel_commitments");
    assert_eq!(status, 200);
    assert!(!html.contains("<td>Agency</td>"), "{html}");
    assert!(html.contains(&side_row("Customers said", &item["customer"])));
    let mut brm = Browser::new(&app);
    brm.sign_in("maria.lopez@cio.state.example", rind::demo::DEMO_PASSWORD);
    let owned =
        rind::store::agencies::owned_by(&mut db.conn(), "maria.lopez@cio.state.example").unwrap();
    let (_, html, _) = brm.get("/waves/FY26-Q3/dimensions/reliability");
    let agencies: Vec<&str> = report["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["by"] == "agency")
        .flat_map(|b| b["groups"].as_array().unwrap())
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    for agency in &agencies {
        let row = "<td>Agency</td><th scope=\"row\">";
        let name = escaped(&db.agency_name(agency));
        let listed = html.contains(&format!("{row}{name}<"))
            || html.contains(&format!(
                "{row}<a href=\"/agencies/{agency}?wave=FY26-Q3\">{name}<"
            ));
        assert_eq!(listed, owned.contains(&agency.to_string()), "{agency}");
    }
    assert!(html.contains("agencies you do not own are left out"));
}

#[test]
fn the_item_page_answer_bars_match_the_counts_and_the_gap_report() {
    use rind::charts::palette;
    let db = demo();
    let app = TestApp::spawn(&db);
    let mut cio = Browser::new(&app);
    cio.sign_in("cio@cio.state.example", rind::demo::DEMO_PASSWORD);
    let api = client_with_token(Some(&db.api_token_for("cio@cio.state.example")));
    let report = common::get(&api, &format!("{}/api/v1/waves/FY26-Q3/gap", app.address)).json();
    let item = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == "rel_commitments")
        .unwrap();
    let (_, html, _) = cio.get("/waves/FY26-Q3/items/rel_commitments");

    // The table behind the chart: per audience, how many gave each answer.
    let counts = |who: &str| -> Vec<u64> {
        let label = escaped(item["label"].as_str().unwrap());
        let row = format!("<th scope=\"row\">{label}</th><td>{who}</td>");
        let at = html
            .find(&row)
            .unwrap_or_else(|| panic!("no {who} row: {html}"));
        let rest = &html[at + row.len()..];
        let cells: Vec<&str> = rest[..rest.find("</tr>").unwrap()]
            .split("<td>")
            .skip(1)
            .map(|c| c.trim_end_matches("</td>"))
            .collect();
        let listed: Vec<u64> = cells[4]
            .split(", ")
            .map(|pair| pair.split(": ").nth(1).unwrap().parse().unwrap())
            .collect();
        assert_eq!(listed.len(), 5, "likert5: {cells:?}");
        assert_eq!(cells[0].parse::<u64>().unwrap(), listed.iter().sum::<u64>());
        listed
    };
    let customers = counts("Customers said");
    let staff = counts("Staff expected");
    assert_eq!(
        customers.iter().sum::<u64>(),
        item["customer"]["n"].as_u64().unwrap()
    );
    assert_eq!(
        staff.iter().sum::<u64>(),
        item["staff"]["n"].as_u64().unwrap()
    );
    // The mean from the counts is the gap report's mean.
    let mean = |c: &[u64]| {
        c.iter()
            .enumerate()
            .map(|(i, n)| (i as f64 + 1.0) * *n as f64)
            .sum::<f64>()
            / c.iter().sum::<u64>() as f64
    };
    assert!((mean(&customers) - item["customer"]["mean"].as_f64().unwrap()).abs() < 1e-9);
    assert!((mean(&staff) - item["staff"]["mean"].as_f64().unwrap()).abs() < 1e-9);

    // The SVG: two bars, each middle answer straddling zero with its share's width.
    let svg = chart_after(&html, "id=\"answers\"");
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    assert_eq!(doc.root_element().attribute("role"), Some("img"));
    let texts: Vec<(String, f64, f64)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            (
                n.text().unwrap_or("").trim().to_string(),
                n.attribute("x").unwrap().parse().unwrap(),
                n.attribute("y").unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert!(texts.iter().any(|t| t.0 == "Customers said"));
    assert!(texts.iter().any(|t| t.0 == "Staff expected"));
    let zero = texts.iter().find(|t| t.0 == "0").expect("a 0 tick");
    let right = texts
        .iter()
        .filter(|t| t.0 == "100%" && t.2 == zero.2)
        .map(|t| t.1)
        .fold(f64::MIN, f64::max);
    let full = right - zero.1;
    assert!(full > 100.0, "{full}");
    let rects = |colour| -> Vec<(f64, f64)> {
        let hex = palette::hex(colour);
        doc.descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(hex.as_str()))
            .map(|n| {
                (
                    n.attribute("x").unwrap().parse().unwrap(),
                    n.attribute("width").unwrap().parse().unwrap(),
                )
            })
            .collect()
    };
    let middles = rects(palette::LIGHT_GREY);
    for c in [&customers, &staff] {
        let share = c[2] as f64 / c.iter().sum::<u64>() as f64;
        if share > 0.0 {
            assert!(
                middles
                    .iter()
                    .any(|(x, w)| ((x + w / 2.0) - zero.1).abs() <= 1.0
                        && (w - share * full).abs() <= 2.0),
                "no middle segment of {share} in {middles:?}"
            );
        }
        let highest = c[4] as f64 / c.iter().sum::<u64>() as f64;
        let high = (c[3] + c[4]) as f64 / c.iter().sum::<u64>() as f64;
        if highest > 0.0 {
            let end = zero.1 + (share / 2.0 + high) * full;
            assert!(
                rects(palette::BLUE)
                    .iter()
                    .any(|(x, w)| (x + w - end).abs() <= 2.0 && (w - highest * full).abs() <= 2.0),
                "no highest segment ending at {end}"
            );
        }
    }
}

/// Text as askama writes it into a page.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// The shipped instrument's items as (code, label).
fn shipped_items() -> Vec<(String, String)> {
    let source = std::fs::read_to_string(common::default_instrument_path()).unwrap();
    let value: toml::Value = toml::from_str(&source).unwrap();
    value["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["code"].as_str().unwrap().to_string(),
                i["label"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// What a reader sees of a page: its text nodes (chart text included), outside scripts
/// and styles, whitespace collapsed.
fn visible_text(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    doc.root_element()
        .descendants()
        .filter_map(|n| {
            let text = n.value().as_text()?;
            let hidden = n.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| matches!(e.name(), "script" | "style" | "title"))
                    && a.parent()
                        .is_some_and(|p| p.value().as_element().is_some_and(|e| e.name() != "svg"))
            });
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            (!hidden && !text.is_empty()).then_some(text)
        })
        .collect()
}

/// The item codes a reader would see as text: a code with an underscore anywhere in a
/// text, and any code standing alone as a whole text ("recommend" in "Likely to
/// recommend" is a word, not a code).
fn codes_shown(texts: &[String], items: &[(String, String)]) -> Vec<String> {
    items
        .iter()
        .filter(|(code, _)| {
            texts
                .iter()
                .any(|t| t == code || (code.contains('_') && t.contains(code.as_str())))
        })
        .map(|(code, _)| code.clone())
        .collect()
}

#[test]
fn pages_and_charts_name_questions_by_their_labels_never_their_codes() {
    let db = demo();
    let app = TestApp::spawn(&db);
    let mut cio = Browser::new(&app);
    cio.sign_in("cio@cio.state.example", rind::demo::DEMO_PASSWORD);
    let api = client_with_token(Some(&db.api_token_for("cio@cio.state.example")));
    let gap = common::get(&api, &format!("{}/api/v1/waves/FY26-Q3/gap", app.address)).json();
    let items = shipped_items();
    let label_of = |code: &str| items.iter().find(|(c, _)| c == code).unwrap().1.clone();
    let large = gap["breakdowns"][0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["table"].is_object())
        .max_by_key(|g| g["respondents"].as_u64().unwrap())
        .unwrap()["group"]
        .as_str()
        .unwrap()
        .to_string();
    let watermelon = common::get(
        &api,
        &format!("{}/api/v1/waves/FY26-Q3/watermelon", app.address),
    )
    .json();
    let service = watermelon["services"][0]["service"]
        .as_str()
        .unwrap()
        .to_string();
    let pages = [
        "/?wave=FY26-Q3".to_string(),
        "/waves/FY26-Q3".into(),
        "/waves/FY26-Q3/items/rel_commitments".into(),
        "/waves/FY26-Q3/items/imp_communication".into(),
        "/waves/FY26-Q3/dimensions/reliability".into(),
        format!("/agencies/{large}?wave=FY26-Q3"),
        format!("/waves/FY26-Q3/services/{service}"),
    ];
    for page in &pages {
        let (status, html, _) = cio.get(page);
        assert_eq!(status, 200, "{page}");
        let texts = visible_text(&html);
        assert!(
            html.contains("<svg") || page.contains("services"),
            "{page} has charts"
        );
        assert_eq!(codes_shown(&texts, &items), Vec::<String>::new(), "{page}");
        // The check itself can fail: the same page with a code put in as text is caught.
        let planted = html.replacen("</h1>", "</h1><p>rel_commitments</p>", 1);
        assert_eq!(
            codes_shown(&visible_text(&planted), &items),
            ["rel_commitments"]
        );
        let joined = texts.join(" ");
        match page.as_str() {
            p if p.starts_with("/waves/FY26-Q3/items/") => {
                let code = p.rsplit('/').next().unwrap();
                assert!(
                    joined.contains(&label_of(code)),
                    "{page}: {}",
                    label_of(code)
                );
            }
            p if p == "/waves/FY26-Q3" || p.starts_with("/agencies/") => {
                // Every compared question, by its label (in the tables and the charts).
                for item in gap["items"].as_array().unwrap() {
                    let label = label_of(item["item"].as_str().unwrap());
                    assert!(joined.contains(&label), "{page}: {label}");
                }
            }
            _ => {}
        }
    }
}

#[test]
fn importance_is_a_priority_finding_with_its_own_line_never_a_blind_spot() {
    let db = demo();
    let app = TestApp::spawn(&db);
    let mut cio = Browser::new(&app);
    cio.sign_in("cio@cio.state.example", rind::demo::DEMO_PASSWORD);
    let api = client_with_token(Some(&db.api_token_for("cio@cio.state.example")));
    let gap = common::get(&api, &format!("{}/api/v1/waves/FY26-Q3/gap", app.address)).json();
    let rows = gap["items"].as_array().unwrap();
    let importance: Vec<&Value> = rows
        .iter()
        .filter(|i| i["scale"] == "importance5")
        .collect();
    assert!(!importance.is_empty());
    for i in &importance {
        let verdict = i["verdict"].as_str().unwrap();
        assert!(
            !matches!(verdict, "blind_spot" | "hidden_strength"),
            "{}: {verdict}",
            i["item"]
        );
    }
    let under: Vec<String> = importance
        .iter()
        .filter(|i| i["verdict"] == "underestimated_priority")
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !under.is_empty(),
        "the demo has a priority IT underestimates"
    );
    let significant = importance
        .iter()
        .filter(|i| i["verdict"].as_str().unwrap().ends_with("_priority"))
        .all(|i| i["q"].as_f64().unwrap() < 0.05);
    assert!(significant);

    // The overview counts blind spots without them, and gives them their own line.
    let (_, overview, _) = cio.get("/?wave=FY26-Q3");
    let blind = rows.iter().filter(|i| i["verdict"] == "blind_spot").count();
    assert!(overview.contains(&format!("<strong>{blind}</strong> blind spots")));
    let line = overview
        .lines()
        .find(|l| l.contains("IT underestimates what matters to agencies: "))
        .expect("the priorities line");
    for label in &under {
        assert!(line.contains(&escaped(label)), "{label} in {line}");
    }
    let top = overview.split("id=\"blind\"").nth(1).unwrap_or("");
    for i in &importance {
        let label = escaped(i["label"].as_str().unwrap());
        assert!(
            !top.contains(&label),
            "{label} among the largest blind spots"
        );
    }

    // The wave page: not in the performance table or chart, but in their own.
    let (_, wave, _) = cio.get("/waves/FY26-Q3");
    let section = |id: &str| {
        let start = wave.find(&format!("aria-labelledby=\"{id}\"")).unwrap();
        let rest = &wave[start..];
        rest[..rest.find("</section>").unwrap()].to_string()
    };
    let performance = section("items");
    let priorities = section("priorities");
    let charts = section("charts");
    let first_chart = charts.split("<svg").nth(1).unwrap();
    let second_chart = charts.split("<svg").nth(2).unwrap();
    assert!(first_chart.contains("How IT performs"));
    assert!(second_chart.contains("What matters to agencies"));
    for i in &importance {
        let label = escaped(i["label"].as_str().unwrap());
        assert!(
            !performance.contains(&label),
            "{label} in the performance table"
        );
        assert!(
            !first_chart.contains(&label),
            "{label} on the performance chart"
        );
        assert!(priorities.contains(&label), "{label} in its own table");
        assert!(second_chart.contains(&label), "{label} on its own chart");
    }
    assert!(!performance.contains(">IT underestimates its importance<"));
    assert!(!performance.contains(">IT overestimates its importance<"));
    assert_eq!(
        wave.matches(">Blind spot</td>").count(),
        blind
            + gap["dimensions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["verdict"] == "blind_spot")
                .count()
    );
}
