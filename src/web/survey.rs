//! The public survey pages under `/s/{token}`: the form, drafts, submission and the
//! unsubscribe page, plus the stylesheet. Server-rendered HTML that works without
//! JavaScript; every answer is an HTML page, errors included, never JSON or a trace.
//!
//! Handlers only parse, call `delivery::survey` off the async workers and render. Every
//! page carries a strict Content-Security-Policy and no referrer (the URL holds the token);
//! a POST must carry the link's form key (403 otherwise); bodies over 64 KiB get 413.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;

use super::AppState;
use crate::delivery::survey::{
    self, Action, Checked, LinkStatus, MAX_TEXT_CHARS, NOT_APPLICABLE, Opened, Section, Submitted,
};
use crate::delivery::tokens::{LinkToken, form_key_matches, form_key_text};
use crate::domain::{Audience, Scale};
use crate::error::AppError;

/// The largest form body accepted: far above a long survey with full comments.
pub const FORM_LIMIT: usize = 64 * 1024;

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(icon).service(legacy_icon);
    cfg.service(stylesheet).service(
        web::scope("/s")
            .wrap(
                DefaultHeaders::new()
                    .add((header::CONTENT_SECURITY_POLICY, CSP))
                    .add((header::REFERRER_POLICY, "no-referrer"))
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((header::X_FRAME_OPTIONS, "DENY"))
                    // Pages hold personal links and answers: keep them out of caches.
                    .add((header::CACHE_CONTROL, "no-store")),
            )
            .app_data(
                web::FormConfig::default()
                    .limit(FORM_LIMIT)
                    .error_handler(form_error),
            )
            .app_data(web::PayloadConfig::new(FORM_LIMIT))
            .route("/{token}", web::get().to(show))
            .route("/{token}", web::post().to(answer))
            .route("/{token}/unsubscribe", web::get().to(unsubscribe_page))
            .route("/{token}/unsubscribe", web::post().to(unsubscribe))
            .default_service(web::to(unknown_page)),
    );
}

#[get("/static/rind.css")]
async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../static/rind.css"))
}

const ICON: &str = include_str!("../../static/favicon.svg");

fn icon_response() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(ICON)
}

/// The icon every page links to (a watermelon slice).
#[get("/static/favicon.svg")]
async fn icon() -> HttpResponse {
    icon_response()
}

/// The same icon where browsers look without a link (a 404 there is noise in every log and
/// browser console).
#[get("/favicon.ico")]
async fn legacy_icon() -> HttpResponse {
    icon_response()
}

// ---------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "survey/message.html")]
struct MessagePage {
    heading: String,
    paragraphs: Vec<String>,
    /// (href, text)
    link: Option<(String, String)>,
}

fn html(status: StatusCode, body: Result<String, askama::Error>) -> HttpResponse {
    match body {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "cannot render a survey page");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Something went wrong on our side. Please try again later.")
        }
    }
}

fn message(status: StatusCode, heading: &str, paragraphs: &[&str]) -> HttpResponse {
    let page = MessagePage {
        heading: heading.into(),
        paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
        link: None,
    };
    html(status, page.render())
}

fn not_found() -> HttpResponse {
    message(
        StatusCode::NOT_FOUND,
        "Survey link not found",
        &[
            "This link does not open any survey. Check that you used the whole link from your email; if it still does not work, reply to that email.",
        ],
    )
}

async fn unknown_page() -> HttpResponse {
    not_found()
}

fn gone(opened: &Opened) -> HttpResponse {
    let when = opened
        .wave
        .closes_at
        .map(|t| format!("This survey closed on {}.", long_date(t)))
        .unwrap_or_else(|| "This survey has closed.".into());
    message(
        StatusCode::GONE,
        "This survey has closed",
        &[
            &when,
            "Answers can no longer be given through this link. Thank you for your interest.",
        ],
    )
}

fn thanks() -> HttpResponse {
    message(
        StatusCode::OK,
        "Thank you",
        &[
            "Your answers have been recorded. You can close this page.",
            "Your answers are confidential: they are stored without your name and reported only for groups of people.",
        ],
    )
}

fn forbidden() -> HttpResponse {
    message(
        StatusCode::FORBIDDEN,
        "This form can't be accepted",
        &[
            "The form was not sent from this survey's page. Open the link in your email and try again; answers you saved are kept.",
        ],
    )
}

/// An error page for a failure on our side (logged) or a refused request.
fn error_page(e: &AppError) -> HttpResponse {
    match e {
        AppError::NotFound(_) => not_found(),
        _ => {
            tracing::error!(error = %e, "survey page failed");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side",
                &["Your saved answers are kept. Please try again in a few minutes."],
            )
        }
    }
}

/// Answers a body the form extractor refused: too large (413) or not a form (400).
fn form_error(err: actix_web::error::UrlencodedError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::UrlencodedError;
    let response = match &err {
        UrlencodedError::Overflow { .. } => message(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Your answers are too long to send",
            &[
                "The form was larger than this survey accepts. Shorten your comments, then send it again.",
            ],
        ),
        _ => message(
            StatusCode::BAD_REQUEST,
            "Something was wrong with the form",
            &["Open the link in your email and try again; answers you saved are kept."],
        ),
    };
    actix_web::error::InternalError::from_response(err, response).into()
}

fn long_date(t: chrono::NaiveDateTime) -> String {
    t.format("%-d %B %Y").to_string()
}

// ---------------------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------------------

struct SummaryError {
    /// The id of the field it is about.
    href: Option<String>,
    message: String,
}

struct OptionView {
    id: String,
    value: String,
    label: String,
    checked: bool,
    not_applicable: bool,
}

struct QuestionView {
    field: String,
    legend: String,
    text: bool,
    /// Many short options (0–10): shown side by side.
    inline: bool,
    value: String,
    options: Vec<OptionView>,
    error: Option<String>,
}

struct SectionView {
    heading: &'static str,
    questions: Vec<QuestionView>,
}

#[derive(Template)]
#[template(path = "survey/form.html")]
struct FormPage {
    heading: String,
    intro: &'static str,
    threshold: u32,
    closes: Option<String>,
    saved: bool,
    errors: Vec<SummaryError>,
    sections: Vec<SectionView>,
    action: String,
    form_key: String,
    unsubscribe: String,
    max_text: usize,
}

fn link_path(token: &LinkToken) -> String {
    format!("/s/{}", token.as_str())
}

/// The form, showing `values` (a draft or what was just posted) and `checked`'s errors.
fn form_page(
    state: &AppState,
    token: &LinkToken,
    opened: &Opened,
    values: &BTreeMap<String, String>,
    checked: Option<&Checked>,
    saved: bool,
) -> HttpResponse {
    let audience = opened.invitation.audience;
    let error_of = |code: &str| {
        checked.and_then(|c| {
            c.errors
                .iter()
                .find(|e| e.code == code)
                .map(|e| e.message.clone())
        })
    };
    let mut sections: Vec<SectionView> = Vec::new();
    let mut current: Option<Section> = None;
    for q in &opened.questions {
        let field = q.field();
        let value = values.get(&q.code).cloned().unwrap_or_default();
        let mut options: Vec<OptionView> = q
            .choices
            .iter()
            .map(|c| (c.value.clone(), c.label.clone(), false))
            .chain(
                q.not_applicable
                    .map(|label| (NOT_APPLICABLE.to_string(), label.to_string(), true)),
            )
            .enumerate()
            .map(|(i, (v, label, not_applicable))| OptionView {
                // The first option carries the field's id: the error summary links there.
                id: if i == 0 {
                    field.clone()
                } else {
                    format!("{field}-{}", i + 1)
                },
                checked: v == value.trim(),
                value: v,
                label,
                not_applicable,
            })
            .collect();
        if q.is_text() {
            options.clear();
        }
        let view = QuestionView {
            legend: q.wording.clone(),
            text: q.is_text(),
            // Both audiences see an item's answers laid out alike, as they see the same labels.
            inline: q.scale == Scale::Nps11,
            value,
            options,
            error: error_of(&q.code),
            field,
        };
        if current != Some(q.section) {
            current = Some(q.section);
            sections.push(SectionView {
                heading: q.section.heading(audience),
                questions: Vec::new(),
            });
        }
        if let Some(section) = sections.last_mut() {
            section.questions.push(view);
        }
    }
    let mut errors: Vec<SummaryError> = checked
        .map(|c| {
            c.problems
                .iter()
                .map(|p| SummaryError {
                    href: None,
                    message: p.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(c) = checked {
        errors.extend(c.errors.iter().map(|e| SummaryError {
            href: Some(format!("q_{}", e.code)),
            message: e.message.clone(),
        }));
    }
    let path = link_path(token);
    let page = FormPage {
        heading: match audience {
            Audience::Customer => format!(
                "How well does the IT office serve your agency? ({})",
                opened.wave.code
            ),
            Audience::Staff => format!("How do you think agencies see us? ({})", opened.wave.code),
        },
        intro: match audience {
            Audience::Customer => {
                "Tell us what works, what doesn't and what matters most to your agency."
            }
            Audience::Staff => {
                "For each question, answer as you think agency customers would: how do they rate us?"
            }
        },
        threshold: state.settings.reporting_threshold,
        closes: opened.wave.closes_at.map(long_date),
        saved,
        errors,
        sections,
        unsubscribe: format!("{path}/unsubscribe"),
        action: path,
        form_key: form_key_text(&opened.invitation.form_key),
        max_text: MAX_TEXT_CHARS,
    };
    let status = if checked.is_some_and(|c| !c.is_ok()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(status, page.render())
}

// ---------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------

/// Finds the survey of a link, or the page that answers instead (404, 500).
async fn open(state: &AppState, token: &str) -> Result<(LinkToken, Opened), HttpResponse> {
    let Some(token) = LinkToken::parse(token) else {
        return Err(not_found());
    };
    let lookup = token.clone();
    match state.run(move |conn| survey::open(conn, &lookup)).await {
        Ok(Some(opened)) => Ok((token, opened)),
        Ok(None) => Err(not_found()),
        Err(e) => Err(error_page(&e)),
    }
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    saved: Option<String>,
}

/// `GET /s/{token}`: the form with any saved answers; thanks once submitted; 410 once closed.
async fn show(
    state: web::Data<AppState>,
    token: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> HttpResponse {
    let (token, opened) = match open(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match opened.status(crate::store::now()) {
        LinkStatus::Responded => thanks(),
        LinkStatus::Closed => gone(&opened),
        LinkStatus::Open => {
            let values = survey::draft_values(opened.invitation.draft.as_deref());
            form_page(
                &state,
                &token,
                &opened,
                &values,
                None,
                query.saved.is_some(),
            )
        }
    }
}

fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// `POST /s/{token}`: "Save and continue later" keeps a draft; "Submit" records the
/// response. Invalid answers show the form again (422) with an error summary.
async fn answer(
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let (token, opened) = match open(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let raw = survey::read_form(form.into_inner());
    if !form_key_matches(&opened.invitation.form_key, raw.form_key.as_deref()) {
        return forbidden();
    }
    match opened.status(crate::store::now()) {
        LinkStatus::Responded => return thanks(),
        LinkStatus::Closed => return gone(&opened),
        LinkStatus::Open => {}
    }
    let Some(action) = raw.action() else {
        return message(
            StatusCode::BAD_REQUEST,
            "Something was wrong with the form",
            &[
                "Use the \u{201c}Save and continue later\u{201d} or \u{201c}Submit your answers\u{201d} button.",
            ],
        );
    };
    let checked = survey::check(&opened.questions, &raw, action);
    if !checked.is_ok() {
        return form_page(&state, &token, &opened, &raw.answers, Some(&checked), false);
    }
    let path = link_path(&token);
    match action {
        Action::Save => {
            let invitation = opened.invitation.clone();
            let answers = checked.answers;
            match state
                .write(move |conn| survey::save_draft(conn, &invitation, &answers))
                .await
            {
                Ok(true) => see_other(format!("{path}?saved=1")),
                // Submitted meanwhile (another tab): nothing left to save.
                Ok(false) => thanks(),
                Err(e) => error_page(&e),
            }
        }
        Action::Submit => {
            let settings = state.settings.clone();
            let answers = checked.answers;
            let submitted = state
                .write(move |conn| {
                    survey::submit(
                        conn,
                        &settings,
                        &opened.invitation,
                        &opened.wave,
                        &opened.questions,
                        opened.item_count,
                        &answers,
                    )
                })
                .await;
            match submitted {
                Ok(Submitted::Recorded) => see_other(path),
                Ok(Submitted::AlreadyResponded) => thanks(),
                Err(e) => error_page(&e),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "survey/unsubscribe.html")]
struct UnsubscribePage {
    wave: String,
    action: String,
    survey: String,
    form_key: String,
}

fn unsubscribed() -> HttpResponse {
    message(
        StatusCode::OK,
        "You will get no more email about this survey",
        &["You can still answer it through your link until it closes."],
    )
}

fn no_more_mail_after_answering() -> HttpResponse {
    message(
        StatusCode::OK,
        "You have already answered this survey",
        &["Thank you. No more email will come about it."],
    )
}

/// `GET /s/{token}/unsubscribe`: asks to confirm.
async fn unsubscribe_page(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let (token, opened) = match open(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match opened.status(crate::store::now()) {
        LinkStatus::Responded => return no_more_mail_after_answering(),
        LinkStatus::Closed => return gone(&opened),
        LinkStatus::Open => {}
    }
    if opened.invitation.state == crate::store::invitations::InvitationState::OptedOut {
        return unsubscribed();
    }
    let path = link_path(&token);
    let page = UnsubscribePage {
        wave: opened.wave.code.clone(),
        action: format!("{path}/unsubscribe"),
        survey: path,
        form_key: form_key_text(&opened.invitation.form_key),
    };
    html(StatusCode::OK, page.render())
}

/// `POST /s/{token}/unsubscribe`: opts the person out of further mail for the wave.
async fn unsubscribe(
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let (_, opened) = match open(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let raw = survey::read_form(form.into_inner());
    if !form_key_matches(&opened.invitation.form_key, raw.form_key.as_deref()) {
        return forbidden();
    }
    match opened.status(crate::store::now()) {
        LinkStatus::Responded => return no_more_mail_after_answering(),
        LinkStatus::Closed => return gone(&opened),
        LinkStatus::Open => {}
    }
    let invitation = opened.invitation;
    match state
        .run(move |conn| survey::opt_out(conn, &invitation))
        .await
    {
        Ok(_) => unsubscribed(),
        Err(e) => error_page(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csp_forbids_framing_and_scripts() {
        assert!(CSP.contains("frame-ancestors 'none'"));
        assert!(CSP.contains("default-src 'none'"));
        assert!(header::HeaderValue::from_str(CSP).is_ok());
    }
}
