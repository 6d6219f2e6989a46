//! The administration pages under `/admin/`, for admins only: agencies, services, contacts
//! and staff (listed, and replaced or extended by a CSV upload through the same import as
//! `rind import`), instruments (TOML upload, as `rind instrument import`), waves (create,
//! open, send, remind, close, as the CLI and the JSON API do), users and API tokens, and
//! the dev mailbox when mail goes to files. Every form carries the session's CSRF token.
//! Handlers are thin: the work is done by `import`, `commands`, `delivery` and `auth`.

use actix_multipart::MultipartError;
use actix_multipart::form::{MultipartForm, MultipartFormConfig, bytes::Bytes, text::Text};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::AppState;
use super::auth::SignedIn;
use super::dashboard::{Nav, PageError, error_response, page};
use crate::delivery::mailer::MailText;
use crate::domain::Role;
use crate::error::AppError;
use crate::import::ImportKind;
use crate::store::instruments::Imported;

/// Largest file accepted by an upload form.
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/admin")
            .app_data(
                MultipartFormConfig::default()
                    .total_limit(MAX_UPLOAD)
                    .memory_limit(MAX_UPLOAD)
                    .error_handler(upload_error),
            )
            .service(index)
            .service(list_instruments)
            .service(upload_instrument)
            .service(list_waves)
            .service(create_wave)
            .service(wave_action)
            .service(list_users)
            .service(add_user)
            .service(create_token)
            .service(revoke_token)
            .service(mailbox)
            .service(mail_message)
            .service(people)
            .service(upload_people),
    );
}

/// A refused upload, answered as a page: 413 when the file is over the limit.
fn upload_error(e: MultipartError, _: &HttpRequest) -> actix_web::Error {
    let too_large = matches!(
        e,
        MultipartError::Payload(actix_web::error::PayloadError::Overflow)
    );
    let response = if too_large {
        error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The file is too large",
            format!(
                "Uploads may be at most {} MB. Split the file and upload the parts one by one.",
                MAX_UPLOAD / (1024 * 1024)
            ),
        )
    } else {
        error_response(
            StatusCode::BAD_REQUEST,
            "That did not work",
            "The upload could not be read: send the form from the page, with a file chosen.".into(),
        )
    };
    actix_web::error::InternalError::from_response(e, response).into()
}

/// One table cell, optionally a link.
pub struct Cell {
    text: String,
    link: Option<String>,
}

fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        link: None,
    }
}

fn link(text: impl Into<String>, to: String) -> Cell {
    Cell {
        text: text.into(),
        link: Some(to),
    }
}

/// A button that posts the session's CSRF token to `url`.
pub struct Action {
    url: String,
    label: String,
}

pub struct Row {
    cells: Vec<Cell>,
    actions: Vec<Action>,
}

/// What an upload form asks for.
pub struct Upload {
    action: String,
    label: String,
    accept: &'static str,
    help: &'static str,
}

#[derive(Template)]
#[template(path = "dashboard/admin.html")]
struct AdminPage {
    nav: Nav,
    title: String,
    intro: String,
    notice: Option<String>,
    /// A secret shown this once (a new API token).
    secret: Option<String>,
    problem: Option<String>,
    problems: Vec<String>,
    upload: Option<Upload>,
    caption: String,
    headers: Vec<&'static str>,
    rows: Vec<Row>,
    /// Whether any row has action buttons.
    actions_column: bool,
    /// Which create form the page has: "", "wave", "user".
    form: &'static str,
    instruments: Vec<String>,
    users: Vec<String>,
    mail: Option<MailText>,
}

impl AdminPage {
    fn new(who: &SignedIn, title: impl Into<String>, intro: impl Into<String>) -> AdminPage {
        AdminPage {
            nav: Nav::of(who, None),
            title: title.into(),
            intro: intro.into(),
            notice: None,
            secret: None,
            problem: None,
            problems: Vec::new(),
            upload: None,
            caption: String::new(),
            headers: Vec::new(),
            rows: Vec::new(),
            actions_column: false,
            form: "",
            instruments: Vec::new(),
            users: Vec::new(),
            mail: None,
        }
    }

    /// Shows a refused change on the page: every bad row of a rejected file, or the
    /// message. Server faults stay opaque.
    fn refused(&mut self, e: AppError) -> Result<StatusCode, PageError> {
        let status = actix_web::ResponseError::status_code(&e);
        if status.is_server_error() {
            return Err(e.into());
        }
        match e {
            AppError::Rejected { what, rows } => {
                self.problem = Some(format!("The {what} was rejected; nothing was written."));
                self.problems = rows.iter().map(ToString::to_string).collect();
            }
            other => self.problem = Some(other.to_string()),
        }
        Ok(status)
    }
}

fn admin_only(who: &SignedIn) -> Result<(), AppError> {
    who.require(&[Role::Admin])
}

fn rendered(status: StatusCode, mut body: AdminPage) -> Result<HttpResponse, PageError> {
    body.actions_column = body.rows.iter().any(|r| !r.actions.is_empty());
    Ok(page(status, &body)?)
}

#[get("")]
async fn index(who: SignedIn) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    let mut body = AdminPage::new(
        &who,
        "Administration",
        "Manage the programme's data, waves and sign-ins.",
    );
    body.caption = "Administration pages".into();
    body.headers = vec!["Page", "What it holds"];
    body.rows = [
        ("agencies", "Agencies", "customer organisations; CSV upload"),
        (
            "services",
            "Services",
            "the IT service catalogue; CSV upload",
        ),
        (
            "contacts",
            "Contacts",
            "agency people who get surveys; CSV upload",
        ),
        (
            "staff",
            "Staff",
            "IT staff who get the perception survey; CSV upload",
        ),
        ("instruments", "Instruments", "questionnaires; TOML upload"),
        ("waves", "Waves", "create, open, send, remind, close"),
        (
            "users",
            "Users and API tokens",
            "who may sign in, and tokens for scripts",
        ),
        ("mail", "Mailbox", "mail written to the mail folder"),
    ]
    .into_iter()
    .map(|(path, name, what)| Row {
        cells: vec![link(name, format!("/admin/{path}")), cell(what)],
        actions: Vec::new(),
    })
    .collect();
    rendered(StatusCode::OK, body)
}

/// The four CSV lists, by their path segment.
fn people_kind(kind: &str) -> Result<ImportKind, AppError> {
    match kind {
        "agencies" => Ok(ImportKind::Agencies),
        "services" => Ok(ImportKind::Services),
        "contacts" => Ok(ImportKind::Contacts),
        "staff" => Ok(ImportKind::Staff),
        other => Err(AppError::NotFound(format!("admin page {other}"))),
    }
}

/// The list page of `kind`, with its upload form.
async fn people_page(
    state: &web::Data<AppState>,
    who: &SignedIn,
    kind: ImportKind,
) -> Result<AdminPage, PageError> {
    let name = kind.as_str();
    let title = format!("{}{}", name[..1].to_uppercase(), &name[1..]);
    let (help, headers): (&'static str, Vec<&'static str>) = match kind {
        ImportKind::Agencies => (
            "Columns: code, name; optional line_of_business, annual_it_spend, brm_owner_email.",
            vec![
                "Code",
                "Name",
                "Line of business",
                "Annual IT spend",
                "BRM owner",
            ],
        ),
        ImportKind::Services => (
            "Columns: code, name; optional description.",
            vec!["Code", "Name", "Description"],
        ),
        ImportKind::Contacts => (
            "Columns: email, name, agency (agency code); optional segment.",
            vec!["Email", "Name", "Agency", "Segment", "Active"],
        ),
        _ => (
            "Columns: email, name; optional team.",
            vec!["Email", "Name", "Team", "Active"],
        ),
    };
    let rows: Vec<Vec<String>> = state
        .run(move |conn| {
            use crate::store::{agencies, contacts, services, staff};
            let opt = |s: Option<String>| s.unwrap_or_default();
            Ok(match kind {
                ImportKind::Agencies => agencies::list(conn)?
                    .into_iter()
                    .map(|a| {
                        vec![
                            a.code,
                            a.name,
                            opt(a.line_of_business),
                            a.annual_it_spend
                                .map_or(String::new(), |s| format!("{s:.0}")),
                            opt(a.brm_owner_email),
                        ]
                    })
                    .collect(),
                ImportKind::Services => services::list(conn)?
                    .into_iter()
                    .map(|s| vec![s.code, s.name, opt(s.description)])
                    .collect(),
                ImportKind::Contacts => {
                    let codes: std::collections::HashMap<i64, String> = agencies::list(conn)?
                        .into_iter()
                        .map(|a| (a.id, a.code))
                        .collect();
                    contacts::list(conn)?
                        .into_iter()
                        .map(|c| {
                            vec![
                                c.email,
                                c.name,
                                codes.get(&c.agency_id).cloned().unwrap_or_default(),
                                opt(c.segment),
                                if c.active { "yes" } else { "no" }.into(),
                            ]
                        })
                        .collect()
                }
                _ => staff::list(conn)?
                    .into_iter()
                    .map(|s| {
                        vec![
                            s.email,
                            s.name,
                            opt(s.team),
                            if s.active { "yes" } else { "no" }.into(),
                        ]
                    })
                    .collect(),
            })
        })
        .await?;
    let mut body = AdminPage::new(
        who,
        title.clone(),
        format!(
            "Upload a CSV file (UTF-8, a header row) to add or update {name}; rows are matched by {}. \
             The whole file is checked first: if any row is bad, nothing is written.",
            if matches!(kind, ImportKind::Agencies | ImportKind::Services) {
                "code"
            } else {
                "email"
            }
        ),
    );
    body.upload = Some(Upload {
        action: format!("/admin/{name}"),
        label: format!("{title} CSV file"),
        accept: ".csv,text/csv",
        help,
    });
    body.caption = format!("{title} ({})", rows.len());
    body.headers = headers;
    body.rows = rows
        .into_iter()
        .map(|r| Row {
            cells: r.into_iter().map(cell).collect(),
            actions: Vec::new(),
        })
        .collect();
    Ok(body)
}

#[get("/{kind}")]
async fn people(
    state: web::Data<AppState>,
    who: SignedIn,
    kind: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    let kind = people_kind(&kind)?;
    let body = people_page(&state, &who, kind).await?;
    rendered(StatusCode::OK, body)
}

/// An upload form: the session's CSRF token and one file.
#[derive(MultipartForm)]
struct UploadForm {
    csrf_token: Option<Text<String>>,
    file: Option<Bytes>,
}

/// The uploaded file's bytes, after the role and CSRF checks.
fn checked_upload(who: &SignedIn, form: UploadForm) -> Result<Vec<u8>, AppError> {
    admin_only(who)?;
    who.check_csrf(form.csrf_token.as_ref().map(|t| t.as_str()))?;
    match form.file {
        Some(file) if !file.data.is_empty() => Ok(file.data.to_vec()),
        _ => Err(AppError::invalid("choose a file to upload")),
    }
}

#[post("/{kind}")]
async fn upload_people(
    state: web::Data<AppState>,
    who: SignedIn,
    kind: web::Path<String>,
    form: MultipartForm<UploadForm>,
) -> Result<HttpResponse, PageError> {
    let kind = people_kind(&kind)?;
    let data = checked_upload(&who, form.into_inner())?;
    let outcome = state
        .run(move |conn| Ok(crate::import::import_csv(conn, kind, data.as_slice(), None)))
        .await?;
    let mut body = people_page(&state, &who, kind).await?;
    let status = match outcome {
        Ok(summary) => {
            body.notice = Some(format!("Done: {summary}."));
            StatusCode::OK
        }
        Err(e) => body.refused(e)?,
    };
    rendered(status, body)
}

async fn instruments_page(
    state: &web::Data<AppState>,
    who: &SignedIn,
) -> Result<AdminPage, PageError> {
    let list = state.run(crate::store::instruments::list).await?;
    let mut body = AdminPage::new(
        who,
        "Instruments",
        "A questionnaire is a TOML file: code, version, name, then [[items]] with code, \
         dimension, scale, customer wording and, when mirrored, staff wording. Uploading a new \
         version keeps the old ones; waves use the version they were created with.",
    );
    body.upload = Some(Upload {
        action: "/admin/instruments".into(),
        label: "Instrument TOML file".into(),
        accept: ".toml,text/plain",
        help: "The same file `rind instrument import FILE` takes.",
    });
    body.caption = format!("Instruments ({})", list.len());
    body.headers = vec!["Code", "Version", "Name"];
    body.rows = list
        .into_iter()
        .map(|i| Row {
            cells: vec![cell(i.code), cell(i.version.to_string()), cell(i.name)],
            actions: Vec::new(),
        })
        .collect();
    Ok(body)
}

#[get("/instruments")]
async fn list_instruments(
    state: web::Data<AppState>,
    who: SignedIn,
) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    let body = instruments_page(&state, &who).await?;
    rendered(StatusCode::OK, body)
}

#[post("/instruments")]
async fn upload_instrument(
    state: web::Data<AppState>,
    who: SignedIn,
    form: MultipartForm<UploadForm>,
) -> Result<HttpResponse, PageError> {
    let data = checked_upload(&who, form.into_inner())?;
    let outcome = match String::from_utf8(data) {
        Ok(source) => {
            state
                .run(move |conn| Ok(crate::import::instrument::import(conn, &source)))
                .await?
        }
        Err(_) => Err(AppError::invalid("the instrument file is not UTF-8 text")),
    };
    let mut body = instruments_page(&state, &who).await?;
    let status = match outcome {
        Ok(Imported::Created(i)) => {
            body.notice = Some(format!(
                "Imported instrument {} version {}.",
                i.code, i.version
            ));
            StatusCode::OK
        }
        Ok(Imported::Unchanged(i)) => {
            body.notice = Some(format!(
                "Instrument {} version {} is already stored; nothing changed.",
                i.code, i.version
            ));
            StatusCode::OK
        }
        Err(e) => body.refused(e)?,
    };
    rendered(status, body)
}

async fn waves_page(state: &web::Data<AppState>, who: &SignedIn) -> Result<AdminPage, PageError> {
    let (list, instruments) = state
        .run(|conn| {
            Ok((
                crate::store::waves::list(conn)?,
                crate::store::instruments::list(conn)?,
            ))
        })
        .await?;
    let mut body = AdminPage::new(
        who,
        "Waves",
        "A wave is one survey round. Create it as a draft; open it when it may be answered; \
         send invites everyone not yet invited (and opens a draft); remind writes to those who \
         have not answered; close stops its links and its mail. Mail goes out through the \
         outbox worker.",
    );
    body.form = "wave";
    let mut codes: Vec<String> = instruments.into_iter().map(|i| i.code).collect();
    codes.dedup();
    body.instruments = codes;
    body.caption = format!("Waves ({})", list.len());
    body.headers = vec![
        "Wave",
        "Instrument",
        "Status",
        "Baseline",
        "Invited",
        "Answers (customers / staff)",
    ];
    body.rows = list
        .into_iter()
        .map(|w| {
            let actions = match w.status.as_str() {
                "draft" => vec!["open", "send", "close"],
                "open" => vec!["send", "remind", "close"],
                _ => Vec::new(),
            }
            .into_iter()
            .map(|a| Action {
                url: format!("/admin/waves/{}/{a}", w.code),
                label: format!(
                    "{} {}",
                    match a {
                        "open" => "Open",
                        "send" => "Send invitations for",
                        "remind" => "Send reminders for",
                        _ => "Close",
                    },
                    w.code
                ),
            })
            .collect();
            Row {
                cells: vec![
                    link(w.code.clone(), format!("/waves/{}", w.code)),
                    cell(format!("{} v{}", w.instrument, w.instrument_version)),
                    cell(w.status),
                    cell(if w.baseline { "yes" } else { "no" }),
                    cell(w.invited.to_string()),
                    cell(format!("{} / {}", w.customer_responses, w.staff_responses)),
                ],
                actions,
            }
        })
        .collect();
    Ok(body)
}

#[get("/waves")]
async fn list_waves(state: web::Data<AppState>, who: SignedIn) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    let body = waves_page(&state, &who).await?;
    rendered(StatusCode::OK, body)
}

// Missing fields read as empty, so that the sign-in and role checks answer first.
#[derive(Default, Deserialize)]
#[serde(default)]
struct WaveForm {
    csrf_token: Option<String>,
    code: String,
    instrument: String,
    baseline: Option<String>,
}

fn checked_form(who: &SignedIn, csrf_token: Option<&str>) -> Result<(), AppError> {
    admin_only(who)?;
    who.check_csrf(csrf_token)
}

/// Renders `page` with the outcome of a change: a notice, or the refusal on the page.
fn outcome_page(
    mut body: AdminPage,
    outcome: crate::error::Result<String>,
) -> Result<HttpResponse, PageError> {
    let status = match outcome {
        Ok(notice) => {
            body.notice = Some(notice);
            StatusCode::OK
        }
        Err(e) => body.refused(e)?,
    };
    rendered(status, body)
}

#[post("/waves")]
async fn create_wave(
    state: web::Data<AppState>,
    who: SignedIn,
    form: web::Form<WaveForm>,
) -> Result<HttpResponse, PageError> {
    checked_form(&who, form.csrf_token.as_deref())?;
    let form = form.into_inner();
    let outcome = state
        .run(move |conn| {
            Ok(crate::commands::create_wave(
                conn,
                form.code.trim(),
                form.instrument.trim(),
                None,
                None,
                form.baseline.is_some(),
            )
            .map(|w| format!("Created wave {} as a draft.", w.code)))
        })
        .await?;
    outcome_page(waves_page(&state, &who).await?, outcome)
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf_token: Option<String>,
}

#[post("/waves/{code}/{action}")]
async fn wave_action(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    checked_form(&who, form.csrf_token.as_deref())?;
    let (code, action) = path.into_inner();
    let settings = state.settings.clone();
    let outcome = state
        .run(move |conn| {
            Ok(match action.as_str() {
                "open" => crate::commands::open_wave(conn, &code)
                    .map(|w| format!("Wave {} is open.", w.code)),
                "send" => crate::delivery::send_wave(
                    conn,
                    &settings,
                    &code,
                    crate::delivery::Audiences::default(),
                )
                .map(|s| format!("{s}.")),
                "remind" => crate::delivery::reminders::remind_now(conn, &settings, &code)
                    .map(|n| format!("Wave {code}: {n} reminder(s) queued.")),
                "close" => crate::commands::close_wave(conn, &code)
                    .map(|w| format!("Wave {} is closed.", w.code)),
                other => return Err(AppError::NotFound(format!("wave action {other}"))),
            })
        })
        .await?;
    outcome_page(waves_page(&state, &who).await?, outcome)
}

async fn users_page(state: &web::Data<AppState>, who: &SignedIn) -> Result<AdminPage, PageError> {
    let (users, tokens) = state
        .run(|conn| {
            Ok((
                crate::store::users::list(conn)?,
                crate::store::sessions::list_api_tokens(conn)?,
            ))
        })
        .await?;
    let mut body = AdminPage::new(
        who,
        "Users and API tokens",
        "Roles: admin (everything), cio (every dashboard and export), brm (dashboards; the \
         figures, exports and follow-ups of the agencies they own), viewer (aggregate \
         dashboards only). API tokens let scripts call /api/v1 as a user; the token is shown \
         once, only its hash is kept.",
    );
    body.form = "user";
    body.users = users.iter().map(|u| u.email.clone()).collect();
    body.caption = format!("Users ({}) and API tokens ({})", users.len(), tokens.len());
    body.headers = vec![
        "User or token",
        "Role or owner",
        "Created",
        "Last used",
        "State",
    ];
    let time = |t: Option<chrono::NaiveDateTime>| {
        t.map_or(String::new(), |t| t.format("%Y-%m-%d %H:%M").to_string())
    };
    body.rows = users
        .into_iter()
        .map(|u| Row {
            cells: vec![
                cell(u.email),
                cell(u.role),
                cell(""),
                cell(""),
                cell(if u.locked_until.is_some() {
                    "locked after failed sign-ins"
                } else {
                    "active"
                }),
            ],
            actions: Vec::new(),
        })
        .chain(tokens.into_iter().map(|t| Row {
            cells: vec![
                cell(format!("token “{}”", t.name)),
                cell(t.user_email),
                cell(time(Some(t.created_at))),
                cell(time(t.last_used_at)),
                cell(if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                }),
            ],
            actions: if t.revoked_at.is_none() {
                vec![Action {
                    url: format!("/admin/tokens/{}/revoke", t.id),
                    label: format!("Revoke token “{}”", t.name),
                }]
            } else {
                Vec::new()
            },
        }))
        .collect();
    Ok(body)
}

#[get("/users")]
async fn list_users(state: web::Data<AppState>, who: SignedIn) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    let body = users_page(&state, &who).await?;
    rendered(StatusCode::OK, body)
}

// Missing fields read as empty, so that the sign-in and role checks answer first.
#[derive(Default, Deserialize)]
#[serde(default)]
struct UserForm {
    csrf_token: Option<String>,
    email: String,
    role: String,
    password: String,
}

/// Shortest initial password accepted.
const MIN_PASSWORD: usize = 12;

#[post("/users")]
async fn add_user(
    state: web::Data<AppState>,
    who: SignedIn,
    form: web::Form<UserForm>,
) -> Result<HttpResponse, PageError> {
    checked_form(&who, form.csrf_token.as_deref())?;
    let form = form.into_inner();
    let outcome = if form.password.chars().count() < MIN_PASSWORD {
        Err(AppError::invalid(format!(
            "password: use at least {MIN_PASSWORD} characters"
        )))
    } else {
        state
            .run(move |conn| {
                Ok(
                    crate::auth::add_user(conn, form.email.trim(), &form.role, &form.password)
                        .map(|email| format!("Added {} {email}.", form.role)),
                )
            })
            .await?
    };
    outcome_page(users_page(&state, &who).await?, outcome)
}

// Missing fields read as empty, so that the sign-in and role checks answer first.
#[derive(Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    csrf_token: Option<String>,
    email: String,
    name: String,
}

#[post("/tokens")]
async fn create_token(
    state: web::Data<AppState>,
    who: SignedIn,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    checked_form(&who, form.csrf_token.as_deref())?;
    let form = form.into_inner();
    let (email, name) = (form.email.clone(), form.name.clone());
    let outcome = state
        .run(move |conn| Ok(crate::auth::add_api_token(conn, &email, &name)))
        .await?;
    let mut body = users_page(&state, &who).await?;
    let status = match outcome {
        Ok(secret) => {
            body.notice = Some(format!(
                "API token “{}” for {}: send it as `Authorization: Bearer TOKEN`. Copy it now: it is not shown again.",
                form.name.trim(),
                form.email.trim()
            ));
            body.secret = Some(secret);
            StatusCode::OK
        }
        Err(e) => body.refused(e)?,
    };
    let mut response = rendered(status, body)?;
    // The secret must not be kept by a cache or shown again from history.
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[post("/tokens/{id}/revoke")]
async fn revoke_token(
    state: web::Data<AppState>,
    who: SignedIn,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    checked_form(&who, form.csrf_token.as_deref())?;
    let id = id.into_inner();
    let revoked = state
        .run(move |conn| crate::store::sessions::revoke_api_token(conn, id))
        .await?;
    let outcome = if revoked {
        Ok("The token is revoked: it no longer works.".to_string())
    } else {
        Err(AppError::NotFound(format!("an active API token #{id}")))
    };
    outcome_page(users_page(&state, &who).await?, outcome)
}

#[get("/mail")]
async fn mailbox(state: web::Data<AppState>, who: SignedIn) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    let mut body = AdminPage::new(&who, "Mailbox", "");
    if let Some(host) = &state.settings.smtp_host {
        body.intro =
            format!("Mail goes to the SMTP server {host}, so there is no mail folder to show.");
        return rendered(StatusCode::OK, body);
    }
    let dir = state.settings.mail_dir.clone();
    body.intro = format!(
        "No SMTP server is set, so mail is written as .eml files to {}. Oldest first.",
        dir.display()
    );
    let files = web::block(move || crate::delivery::mailer::list_folder(&dir))
        .await
        .map_err(AppError::from)??;
    body.caption = format!("Mail files ({})", files.len());
    body.headers = vec!["Subject", "To", "Date", "File"];
    body.rows = files
        .into_iter()
        .map(|f| Row {
            cells: vec![
                link(f.subject, format!("/admin/mail/{}", f.file)),
                cell(f.to),
                cell(f.date),
                cell(f.file),
            ],
            actions: Vec::new(),
        })
        .collect();
    rendered(StatusCode::OK, body)
}

#[get("/mail/{file}")]
async fn mail_message(
    state: web::Data<AppState>,
    who: SignedIn,
    file: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    if state.settings.smtp_host.is_some() {
        return Err(AppError::NotFound("a mail folder (mail goes to SMTP)".into()).into());
    }
    let dir = state.settings.mail_dir.clone();
    let name = file.into_inner();
    let mail = web::block(move || crate::delivery::mailer::read_file(&dir, &name))
        .await
        .map_err(AppError::from)??;
    let mut body = AdminPage::new(&who, mail.subject.clone(), "");
    body.mail = Some(mail);
    let mut response = rendered(StatusCode::OK, body)?;
    // Survey links are in these messages.
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
