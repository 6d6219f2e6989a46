//! `/admin/waves`: the waves with their counts, the create form, and a button per next
//! step (open, send, remind, close), each calling what the CLI and the JSON API call:
//! `programme` for create, open and close, `delivery` for send and remind.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;

use super::{Action, AdminPage, CsrfForm, Row, SignedIn, admin_only, cell, checked_form, link};
use super::{outcome_page, rendered};
use crate::config::Settings;
use crate::db::DbConnection;
use crate::error::{AppError, Result};
use crate::store::waves::WaveSummary;
use crate::web::AppState;
use crate::web::dashboard::PageError;

/// The buttons of a wave in its status: what can be done next.
fn wave_actions(code: &str, status: &str) -> Vec<Action> {
    match status {
        "draft" => vec!["open", "send", "close"],
        "open" => vec!["send", "remind", "close"],
        _ => Vec::new(),
    }
    .into_iter()
    .map(|a| Action {
        url: format!("/admin/waves/{code}/{a}"),
        label: format!(
            "{} {code}",
            match a {
                "open" => "Open",
                "send" => "Send invitations for",
                "remind" => "Send reminders for",
                _ => "Close",
            }
        ),
    })
    .collect()
}

fn wave_row(w: WaveSummary) -> Row {
    Row {
        actions: wave_actions(&w.code, &w.status),
        cells: vec![
            link(w.code.clone(), format!("/waves/{}", w.code)),
            cell(format!("{} v{}", w.instrument, w.instrument_version)),
            cell(w.status),
            cell(if w.baseline { "yes" } else { "no" }),
            cell(w.invited.to_string()),
            cell(format!("{} / {}", w.customer_responses, w.staff_responses)),
        ],
    }
}

async fn waves_page(
    state: &web::Data<AppState>,
    who: &SignedIn,
) -> std::result::Result<AdminPage, PageError> {
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
    body.rows = list.into_iter().map(wave_row).collect();
    Ok(body)
}

#[get("/waves")]
pub(super) async fn list_waves(
    state: web::Data<AppState>,
    who: SignedIn,
) -> std::result::Result<HttpResponse, PageError> {
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

#[post("/waves")]
pub(super) async fn create_wave(
    state: web::Data<AppState>,
    who: SignedIn,
    form: web::Form<WaveForm>,
) -> std::result::Result<HttpResponse, PageError> {
    checked_form(&who, form.csrf_token.as_deref())?;
    let form = form.into_inner();
    let outcome = state
        .run(move |conn| {
            Ok(crate::programme::create_wave(
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

/// Does one button's `action` to wave `code`. The outer error is an unknown action (a
/// 404 page); the inner result is the change's outcome, shown on the waves page.
fn perform(
    conn: &mut DbConnection,
    settings: &Settings,
    code: &str,
    action: &str,
) -> Result<Result<String>> {
    Ok(match action {
        "open" => {
            crate::programme::open_wave(conn, code).map(|w| format!("Wave {} is open.", w.code))
        }
        "send" => {
            crate::delivery::send_wave(conn, settings, code, crate::delivery::Audiences::default())
                .map(|s| format!("{s}."))
        }
        "remind" => crate::delivery::reminders::remind_now(conn, settings, code)
            .map(|n| format!("Wave {code}: {n} reminder(s) queued.")),
        "close" => {
            crate::programme::close_wave(conn, code).map(|w| format!("Wave {} is closed.", w.code))
        }
        other => return Err(AppError::NotFound(format!("wave action {other}"))),
    })
}

#[post("/waves/{code}/{action}")]
pub(super) async fn wave_action(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> std::result::Result<HttpResponse, PageError> {
    checked_form(&who, form.csrf_token.as_deref())?;
    let (code, action) = path.into_inner();
    let settings = state.settings.clone();
    let outcome = state
        .run(move |conn| perform(conn, &settings, &code, &action))
        .await?;
    outcome_page(waves_page(&state, &who).await?, outcome)
}
