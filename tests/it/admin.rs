//! The administration pages over real HTTP, signed in with a session cookie as a browser
//! without JavaScript would be: CSV uploads through the same import as the CLI (a bad
//! file shows its line and field and writes nothing), a wave run through its forms, users
//! and API tokens, the dev mailbox, CSRF and the upload limit. Runs on SQLite, and on
//! PostgreSQL when `TEST_DATABASE_URL` is set.

use crate::common::{self, PASSWORD, TestApp, TestDb, client_with_token, test_settings};
use reqwest::blocking::{Client, Response};

/// A browser without JavaScript, signed in with a session cookie.
struct Session {
    client: Client,
    base: String,
    cookies: Vec<String>,
}

/// One answer: status, body, Location.
struct Page {
    status: u16,
    html: String,
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

/// Text as askama escapes it, back to plain.
fn unescape(html: &str) -> String {
    html.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl Session {
    fn anonymous(app: &TestApp) -> Session {
        Session {
            client: client_with_token(None),
            base: app.address.clone(),
            cookies: Vec::new(),
        }
    }

    fn signed_in(app: &TestApp, email: &str, password: &str) -> Session {
        let mut s = Session::anonymous(app);
        let page = s.get("/signin");
        let csrf = form_value(&page.html, "csrf_token");
        let r = s.post(
            "/signin",
            &[
                ("email", email),
                ("password", password),
                ("csrf_token", &csrf),
                ("next", "/"),
            ],
        );
        assert_eq!(r.status, 303, "signing in {email}: {}", r.html);
        s
    }

    fn keep(&mut self, response: &Response) {
        for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let c = value
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string();
            let name = c.split('=').next().unwrap().to_string();
            self.cookies.retain(|k| !k.starts_with(&format!("{name}=")));
            if !c.ends_with('=') {
                self.cookies.push(c);
            }
        }
    }

    fn finish(&mut self, r: Response) -> Page {
        self.keep(&r);
        Page {
            status: r.status().as_u16(),
            html: r.text().unwrap(),
        }
    }

    fn get(&mut self, path: &str) -> Page {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, self.cookies.join("; "))
            .send()
            .unwrap();
        self.finish(r)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, self.cookies.join("; "))
            .form(form)
            .send()
            .unwrap();
        self.finish(r)
    }

    /// Posts a multipart form with text fields and one file, as a browser sends it.
    fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: &[u8]) -> Page {
        let boundary = "----rindtestboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, self.cookies.join("; "))
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .unwrap();
        self.finish(r)
    }

    /// The CSRF token of the page at `path`.
    fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path);
        assert_eq!(page.status, 200, "GET {path}: {}", page.html);
        form_value(&page.html, "csrf_token")
    }
}

/// A database with the default instrument and an admin who can sign in.
fn with_admin() -> (TestDb, &'static str) {
    let db = TestDb::new();
    db.with_default_instrument();
    let email = "root@rind.test";
    rind::auth::add_user(&mut db.conn(), email, "admin", PASSWORD).unwrap();
    (db, email)
}

const GOOD_AGENCIES: &str = "code,name,line_of_business\nDOR,Department of Revenue,tax\nDOT,Department of Transportation,roads\n";
// Line 3 has no name, line 4 a spend that is not a number.
const BAD_AGENCIES: &str =
    "code,name,annual_it_spend\nDOH,Department of Health,1200000\nDOE,,5\nDOC,Corrections,lots\n";

#[test]
fn a_csv_upload_imports_a_good_file_and_shows_each_bad_line_of_a_bad_one() {
    let (db, admin) = with_admin();
    let app = TestApp::spawn(&db);
    let mut s = Session::signed_in(&app, admin, PASSWORD);
    let csrf = s.csrf("/admin/agencies");

    let page = s.upload(
        "/admin/agencies",
        &[("csrf_token", &csrf)],
        GOOD_AGENCIES.as_bytes(),
    );
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(
        page.html
            .contains("imported 2 agencies rows (2 new, 0 updated)"),
        "{}",
        page.html
    );
    assert!(page.html.contains("Department of Transportation"));
    assert_eq!(db.count("agencies"), 2);

    // A bad file: every bad line on the page, with the CLI's own words; nothing written.
    let before = db.snapshot();
    let page = s.upload(
        "/admin/agencies",
        &[("csrf_token", &csrf)],
        BAD_AGENCIES.as_bytes(),
    );
    assert_eq!(page.status, 422, "{}", page.html);
    let shown = unescape(&page.html);
    assert!(shown.contains("nothing was written"), "{shown}");
    let cli = db.import("agencies", BAD_AGENCIES);
    cli.assert_failed().assert_error_lines(&[3, 4]);
    cli.assert_row_error(3, "name", "");
    cli.assert_row_error(4, "annual_it_spend", "");
    for error in cli.row_errors() {
        let line = format!("line {}: {}", error.line, error.text);
        assert!(shown.contains(&line), "the page lacks `{line}`: {shown}");
    }
    assert_eq!(db.snapshot(), before, "a rejected file must write nothing");

    // Without the session's CSRF token: refused, nothing written.
    let page = s.upload("/admin/agencies", &[], b"code,name\nDOJ,Justice\n");
    assert_eq!(page.status, 403, "{}", page.html);
    let page = s.upload(
        "/admin/agencies",
        &[("csrf_token", "forged")],
        b"code,name\nDOJ,Justice\n",
    );
    assert_eq!(page.status, 403);
    assert_eq!(db.snapshot(), before);

    // Contacts and staff go through the same import.
    let page = s.upload(
        "/admin/contacts",
        &[("csrf_token", &csrf)],
        b"email,name,agency,segment\nann@dor.example,Ann,DOR,executive\nbob@dor.example,Bob,NOPE,\n",
    );
    assert_eq!(page.status, 422);
    assert!(
        unescape(&page.html).contains("line 3: agency"),
        "{}",
        page.html
    );
    assert_eq!(db.count("contacts"), 0);
    let page = s.upload(
        "/admin/staff",
        &[("csrf_token", &csrf)],
        b"email,name,team\nit1@it.example,Ida,desk\n",
    );
    assert_eq!(page.status, 200, "{}", page.html);
    assert_eq!(db.count("staff"), 1);

    // An empty upload is a clear 400, not a crash.
    let page = s.upload("/admin/services", &[("csrf_token", &csrf)], b"");
    assert_eq!(page.status, 400);
    assert!(page.html.contains("choose a file"), "{}", page.html);
}

#[test]
fn an_upload_over_the_limit_is_refused_with_413() {
    let (db, admin) = with_admin();
    let app = TestApp::spawn(&db);
    let mut s = Session::signed_in(&app, admin, PASSWORD);
    let csrf = s.csrf("/admin/agencies");
    let before = db.snapshot();
    let mut big = b"code,name\n".to_vec();
    while big.len() <= rind::web::ADMIN_MAX_UPLOAD {
        big.extend_from_slice(b"XYZ,Some agency name that takes room\n");
    }
    let page = s.upload("/admin/agencies", &[("csrf_token", &csrf)], &big);
    assert_eq!(page.status, 413, "{}", page.html);
    assert!(page.html.contains("at most 10 MB"), "{}", page.html);
    assert_eq!(db.snapshot(), before);
}

#[test]
fn an_instrument_upload_uses_the_instrument_import() {
    let (db, admin) = with_admin();
    let app = TestApp::spawn(&db);
    let mut s = Session::signed_in(&app, admin, PASSWORD);
    let csrf = s.csrf("/admin/instruments");
    let toml = "code = \"pulse\"\nversion = 1\nname = \"Pulse\"\n\n[[items]]\ncode = \"overall\"\ndimension = \"overall\"\nscale = \"likert5\"\ncustomer = \"How satisfied are you?\"\nstaff = \"How satisfied do you think they are?\"\n";
    let page = s.upload(
        "/admin/instruments",
        &[("csrf_token", &csrf)],
        toml.as_bytes(),
    );
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("Imported instrument pulse version 1"));
    assert!(db.instrument_id("pulse", 1) > 0);
    let before = db.snapshot();
    let bad = toml
        .replace("likert5", "likert99")
        .replace("version = 1", "version = 2");
    let page = s.upload(
        "/admin/instruments",
        &[("csrf_token", &csrf)],
        bad.as_bytes(),
    );
    assert!(page.status == 400 || page.status == 422, "{}", page.html);
    assert!(page.html.contains("likert99"), "{}", page.html);
    assert_eq!(db.snapshot(), before);
}

#[test]
fn a_wave_is_created_opened_sent_reminded_and_closed_through_the_forms() {
    let (db, admin) = with_admin();
    db.import("agencies", GOOD_AGENCIES).assert_ok();
    db.import(
        "contacts",
        "email,name,agency\nann@dor.example,Ann,DOR\ncy@dot.example,Cy,DOT\n",
    )
    .assert_ok();
    db.import("staff", "email,name,team\nit1@it.example,Ida,desk\n")
        .assert_ok();
    // With the outbox worker, so that mail lands in the test's mail folder.
    let app = TestApp::spawn_with(test_settings(&db), true);
    let mut s = Session::signed_in(&app, admin, PASSWORD);
    let csrf = s.csrf("/admin/waves");

    // CSRF first: without it nothing is created.
    let page = s.post(
        "/admin/waves",
        &[("code", "FY27-Q1"), ("instrument", "agency-cx")],
    );
    assert_eq!(page.status, 403);
    assert_eq!(db.count("waves"), 0);

    let page = s.post(
        "/admin/waves",
        &[
            ("csrf_token", &csrf),
            ("code", "FY27-Q1"),
            ("instrument", "agency-cx"),
            ("baseline", "yes"),
        ],
    );
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("Created wave FY27-Q1 as a draft"));
    let wave = db.wave("FY27-Q1");
    assert_eq!(wave.status, "draft");
    assert!(wave.is_baseline);
    // A bad code is shown on the page, and nothing is created.
    let page = s.post(
        "/admin/waves",
        &[
            ("csrf_token", &csrf),
            ("code", "bad code!"),
            ("instrument", "agency-cx"),
        ],
    );
    assert_eq!(page.status, 400, "{}", page.html);
    assert_eq!(db.count("waves"), 1);

    let page = s.post("/admin/waves/FY27-Q1/open", &[("csrf_token", &csrf)]);
    assert_eq!(page.status, 200, "{}", page.html);
    assert_eq!(db.wave("FY27-Q1").status, "open");
    assert_eq!(db.count("invitations"), 0);

    let page = s.post("/admin/waves/FY27-Q1/send", &[("csrf_token", &csrf)]);
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(
        page.html
            .contains("invited 2 customer(s) and 1 staff member(s)"),
        "{}",
        page.html
    );
    assert_eq!(db.count("invitations"), 3);

    let page = s.post("/admin/waves/FY27-Q1/remind", &[("csrf_token", &csrf)]);
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("reminder(s) queued"), "{}", page.html);

    // The mailbox shows the delivered mail; a message opens with its text, escaped.
    let mut files = Vec::new();
    for _ in 0..200 {
        files = rind::delivery::mailer::list_folder(&db.dir().join("mail")).unwrap();
        if files.len() >= 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(files.len() >= 3, "mail written: {files:?}");
    let page = s.get("/admin/mail");
    assert_eq!(page.status, 200);
    for f in &files {
        assert!(page.html.contains(&f.file), "{} not listed", f.file);
    }
    let page = s.get(&format!("/admin/mail/{}", files[0].file));
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(
        page.html.contains("https://survey.example.gov/s/"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("Content-Transfer-Encoding"));
    assert_eq!(s.get("/admin/mail/..%2Frind.toml").status, 404);
    assert_eq!(s.get("/admin/mail/nope.eml").status, 404);

    let page = s.post("/admin/waves/FY27-Q1/close", &[("csrf_token", &csrf)]);
    assert_eq!(page.status, 200, "{}", page.html);
    assert_eq!(db.wave("FY27-Q1").status, "closed");
    // A closed wave sends nothing more: refused on the page.
    let page = s.post("/admin/waves/FY27-Q1/send", &[("csrf_token", &csrf)]);
    assert!(page.status >= 400 && page.status < 500, "{}", page.html);
    assert_eq!(db.count("invitations"), 3);
}

#[test]
fn an_admin_adds_a_user_and_an_api_token_that_works_until_revoked() {
    let (db, admin) = with_admin();
    let app = TestApp::spawn(&db);
    let mut s = Session::signed_in(&app, admin, PASSWORD);
    let csrf = s.csrf("/admin/users");

    // Too short a password, a bad role: refused on the page, nobody added.
    let users = db.count("users");
    let page = s.post(
        "/admin/users",
        &[
            ("csrf_token", &csrf),
            ("email", "new@rind.test"),
            ("role", "cio"),
            ("password", "short"),
        ],
    );
    assert_eq!(page.status, 400);
    let page = s.post(
        "/admin/users",
        &[
            ("csrf_token", &csrf),
            ("email", "new@rind.test"),
            ("role", "king"),
            ("password", "a long enough password"),
        ],
    );
    assert_eq!(page.status, 400, "{}", page.html);
    assert_eq!(db.count("users"), users);

    let page = s.post(
        "/admin/users",
        &[
            ("csrf_token", &csrf),
            ("email", "new@rind.test"),
            ("role", "cio"),
            ("password", "a long enough password"),
        ],
    );
    assert_eq!(page.status, 200, "{}", page.html);
    assert_eq!(db.count("users"), users + 1);
    // The new user signs in with that password (argon2id hash stored).
    let mut new = Session::signed_in(&app, "new@rind.test", "a long enough password");
    assert_eq!(new.get("/").status, 200);
    assert_eq!(new.get("/admin/users").status, 403);

    // A token, shown once, that works against the API.
    let page = s.post(
        "/admin/tokens",
        &[
            ("csrf_token", &csrf),
            ("email", "new@rind.test"),
            ("name", "nightly export"),
        ],
    );
    assert_eq!(page.status, 200, "{}", page.html);
    let secret = form_value(&page.html, "api_token");
    assert!(secret.len() >= 40, "{secret}");
    let api = client_with_token(Some(&secret));
    let url = format!("{}/api/v1/waves", app.address);
    assert_eq!(common::get(&api, &url).status, 200);
    // Not shown again.
    assert!(!s.get("/admin/users").html.contains(&secret));

    // Revoked: the token stops working.
    let id: i64 = {
        let tokens = rind::store::sessions::list_api_tokens(&mut db.conn()).unwrap();
        tokens
            .iter()
            .find(|t| t.name == "nightly export")
            .unwrap()
            .id
    };
    let page = s.post(&format!("/admin/tokens/{id}/revoke"), &[]);
    assert_eq!(page.status, 403, "CSRF needed");
    assert_eq!(common::get(&api, &url).status, 200);
    let page = s.post(
        &format!("/admin/tokens/{id}/revoke"),
        &[("csrf_token", &csrf)],
    );
    assert_eq!(page.status, 200, "{}", page.html);
    assert_eq!(common::get(&api, &url).status, 401);
}

/// Every admin route: signed out → sign-in (302), a non-admin → 403, an admin → 200 for
/// pages; the form posts likewise refuse anyone but an admin, and write nothing.
#[test]
fn only_admins_reach_the_admin_routes() {
    let (db, admin) = with_admin();
    for role in ["cio", "brm", "viewer"] {
        rind::auth::add_user(&mut db.conn(), &format!("{role}@rind.test"), role, PASSWORD).unwrap();
    }
    let app = TestApp::spawn(&db);
    let pages = [
        "/admin",
        "/admin/agencies",
        "/admin/services",
        "/admin/contacts",
        "/admin/staff",
        "/admin/instruments",
        "/admin/waves",
        "/admin/users",
        "/admin/mail",
    ];
    let mut admin = Session::signed_in(&app, admin, PASSWORD);
    for path in pages {
        assert_eq!(admin.get(path).status, 200, "admin GET {path}");
        let page = Session::anonymous(&app).get(path);
        assert_eq!(page.status, 302, "anonymous GET {path}");
    }
    assert_eq!(admin.get("/admin/nope").status, 404);
    let mut sessions: Vec<(&str, Session)> = ["cio", "brm", "viewer"]
        .into_iter()
        .map(|role| {
            (
                role,
                Session::signed_in(&app, &format!("{role}@rind.test"), PASSWORD),
            )
        })
        .collect();
    let before = db.snapshot();
    for (role, s) in &mut sessions {
        let csrf = s.csrf("/");
        // No admin link for them.
        assert!(!s.get("/").html.contains("href=\"/admin\""));
        for path in pages {
            assert_eq!(s.get(path).status, 403, "{role} GET {path}");
        }
        let posts: [(&str, Vec<(&str, &str)>); 5] = [
            (
                "/admin/waves",
                vec![("code", "X1"), ("instrument", "agency-cx")],
            ),
            ("/admin/waves/X1/close", vec![]),
            (
                "/admin/users",
                vec![
                    ("email", "x@rind.test"),
                    ("role", "admin"),
                    ("password", "a long enough password"),
                ],
            ),
            (
                "/admin/tokens",
                vec![("email", "cio@rind.test"), ("name", "mine")],
            ),
            ("/admin/tokens/1/revoke", vec![]),
        ];
        for (path, fields) in &posts {
            let mut fields = fields.clone();
            fields.push(("csrf_token", &csrf));
            assert_eq!(s.post(path, &fields).status, 403, "{role} POST {path}");
        }
        let page = s.upload(
            "/admin/agencies",
            &[("csrf_token", &csrf)],
            b"code,name\nDOJ,Justice\n",
        );
        assert_eq!(page.status, 403, "{role} upload");
    }
    let anonymous = Session::anonymous(&app).post("/admin/waves", &[("code", "X1")]);
    assert_eq!(anonymous.status, 302);
    assert_eq!(db.snapshot(), before);
    assert!(admin.get("/").html.contains("href=\"/admin\""));
}
