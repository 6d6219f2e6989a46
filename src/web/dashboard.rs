//! The signed-in dashboard: sign-in and sign-out, and the pages. Handlers are thin: they
//! check the role, load through `report` and `store` off the async workers, and render an
//! askama template.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::AppState;
use super::auth::{SignedIn, cleared_session_cookie, is_local_path, session_cookie};
use crate::auth::signin::{Outcome, sign_in};
use crate::auth::token::{Secret, same};
use crate::error::{AppError, Result};
use crate::report::overview::Overview;
use crate::store::{sessions, waves};

/// The cookie that carries the sign-in form's anti-forgery token (there is no session yet,
/// so the form's token is checked against this cookie: a double-submit token).
const SIGNIN_COOKIE: &str = "rind_signin";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(signin_form)
        .service(signin)
        .service(signout)
        .service(overview);
}

/// An error on a dashboard page, answered as an HTML page (never a stack trace: failures on
/// our side are logged and shown as a short apology).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Template)]
#[template(path = "dashboard/error.html")]
struct ErrorPage<'a> {
    heading: &'a str,
    message: String,
}

impl actix_web::ResponseError for PageError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (heading, message) = if status.is_server_error() {
            tracing::error!(error = %self.0, "page failed");
            (
                "Something went wrong on our side",
                "The error has been logged. Please try again in a few minutes.".to_string(),
            )
        } else {
            let heading = match status.as_u16() {
                403 => "Not allowed",
                404 => "Not found",
                _ => "That did not work",
            };
            (heading, self.0.to_string())
        };
        error_response(status, heading, message)
    }
}

/// An error answered as the dashboard's error page.
pub fn error_response(
    status: actix_web::http::StatusCode,
    heading: &str,
    message: String,
) -> HttpResponse {
    let body = ErrorPage { heading, message }
        .render()
        .unwrap_or_else(|_| heading.to_string());
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// What dashboard handlers return.
type PageResult = std::result::Result<HttpResponse, PageError>;

/// Renders a template as an HTML page with `status`.
pub fn page(status: actix_web::http::StatusCode, template: &impl Template) -> Result<HttpResponse> {
    let body = template
        .render()
        .map_err(|e| AppError::Internal(format!("cannot render a page: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

#[derive(Template)]
#[template(path = "dashboard/signin.html")]
struct SigninPage {
    csrf_token: String,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

fn local_or_root(next: Option<&str>) -> String {
    next.filter(|n| is_local_path(n)).unwrap_or("/").to_string()
}

/// A sign-in page with a fresh anti-forgery token in the form and its cookie.
fn signin_page(
    status: actix_web::http::StatusCode,
    next: String,
    email: String,
    error: Option<String>,
) -> Result<HttpResponse> {
    let token = Secret::generate();
    let mut response = page(
        status,
        &SigninPage {
            csrf_token: token.as_str().to_string(),
            next,
            email,
            error,
        },
    )?;
    let cookie = format!(
        "{SIGNIN_COOKIE}={}; Path=/signin; HttpOnly; SameSite=Strict; Max-Age=3600",
        token.as_str()
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[get("/signin")]
async fn signin_form(query: web::Query<NextQuery>) -> PageResult {
    Ok(signin_page(
        actix_web::http::StatusCode::OK,
        local_or_root(query.next.as_deref()),
        String::new(),
        None,
    )?)
}

#[derive(Deserialize)]
struct SigninForm {
    email: String,
    password: String,
    csrf_token: Option<String>,
    next: Option<String>,
}

#[post("/signin")]
async fn signin(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SigninForm>,
) -> PageResult {
    let form = form.into_inner();
    let cookie = req.cookie(SIGNIN_COOKIE).map(|c| c.value().to_string());
    let forged = match (&cookie, &form.csrf_token) {
        (Some(cookie), Some(sent)) => !same(cookie, sent),
        _ => true,
    };
    if forged {
        return Err(AppError::Forbidden(
            "the sign-in form has expired; reload the page and try again".into(),
        )
        .into());
    }
    let next = local_or_root(form.next.as_deref());
    let settings = state.settings.clone();
    let (email, password) = (form.email.clone(), form.password);
    let outcome = state
        .run(move |conn| sign_in(conn, &settings, &email, &password, crate::store::now()))
        .await?;
    match outcome {
        Outcome::SignedIn { token, .. } => {
            let secure = state.settings.public_base_url.starts_with("https://");
            Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, next))
                .insert_header((
                    header::SET_COOKIE,
                    session_cookie(token.as_str(), secure, state.settings.session_hours),
                ))
                .finish())
        }
        Outcome::Refused { delay } => {
            // Waits without holding a worker thread.
            actix_rt::time::sleep(delay).await;
            Ok(signin_page(
                actix_web::http::StatusCode::UNAUTHORIZED,
                next,
                form.email,
                Some("The email or password is not right.".into()),
            )?)
        }
        Outcome::Locked { until } => Ok(signin_page(
            actix_web::http::StatusCode::TOO_MANY_REQUESTS,
            next,
            form.email,
            Some(format!(
                "Too many failed sign-ins: this account is locked until {} UTC. Try again then, or ask an administrator.",
                until.format("%H:%M")
            )),
        )?),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf_token: Option<String>,
}

#[post("/signout")]
async fn signout(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    form: web::Form<CsrfForm>,
) -> PageResult {
    who.check_csrf(form.csrf_token.as_deref())?;
    if let Some(token) = req
        .cookie(super::auth::SESSION_COOKIE)
        .and_then(|c| Secret::parse(c.value()))
    {
        state
            .run(move |conn| sessions::delete(conn, &token.hash()))
            .await?;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/signin"))
        .insert_header((header::SET_COOKIE, cleared_session_cookie()))
        .finish())
}

/// One row of the headline table.
struct FigureRow {
    label: &'static str,
    customers: String,
    interval: String,
    staff: String,
    change: String,
}

struct BlindSpotRow {
    code: String,
    item: String,
    scale: String,
    customers: String,
    staff: String,
    gap: String,
    /// The gap as a share of the item's scale, what the list is ranked by.
    share: String,
    interval: String,
    q: String,
}

struct CalibrationRow {
    wave: String,
    items: usize,
    mean_absolute_gap: String,
    bias: String,
    spearman: String,
}

/// What the navigation bar of every signed-in page needs.
pub struct Nav {
    pub csrf_token: String,
    pub user_email: String,
    pub role: &'static str,
    /// The wave the page is about, for the wave links.
    pub wave: Option<String>,
    /// Whether the follow-up list is open to this user.
    pub follow_ups: bool,
    /// Whether the administration pages are open to this user.
    pub admin: bool,
}

impl Nav {
    pub fn of(who: &SignedIn, wave: Option<&str>) -> Nav {
        Nav {
            csrf_token: who.csrf_token.clone(),
            user_email: who.user.email.clone(),
            role: who.role().as_str(),
            wave: wave.map(str::to_string),
            follow_ups: who.role() != crate::domain::Role::Viewer,
            admin: who.role() == crate::domain::Role::Admin,
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/overview.html")]
struct OverviewPage {
    nav: Nav,
    waves: Vec<waves::WaveSummary>,
    selected: String,
    overview: Option<std::sync::Arc<Overview>>,
    figures: Vec<FigureRow>,
    customer_rate: String,
    staff_rate: String,
    /// Labels of what matters more to agencies than IT thinks.
    underestimated: String,
    /// Labels of what IT thinks matters more than agencies say.
    overestimated: String,
    blind_spots: Vec<BlindSpotRow>,
    calibration: Vec<CalibrationRow>,
}

#[derive(Deserialize)]
struct WaveQuery {
    wave: Option<String>,
}

/// The wave a page shows by default: the latest with any responses, else the latest.
pub fn default_wave(waves: &[waves::WaveSummary]) -> Option<String> {
    waves
        .iter()
        .rev()
        .find(|w| w.customer_responses + w.staff_responses > 0)
        .or(waves.last())
        .map(|w| w.code.clone())
}

/// The wave a page asked for, or the default one.
pub async fn wave_or_default(state: &web::Data<AppState>, asked: Option<String>) -> Result<String> {
    if let Some(wave) = asked {
        return Ok(wave);
    }
    state
        .run(|conn| {
            default_wave(&waves::list(conn)?)
                .ok_or_else(|| AppError::NotFound("any wave: create one first".into()))
        })
        .await
}

impl OverviewPage {
    fn of(
        nav: Nav,
        waves: Vec<waves::WaveSummary>,
        selected: Option<String>,
        shown: Option<std::sync::Arc<Overview>>,
    ) -> OverviewPage {
        let o = shown.as_ref();
        let names = |rows: &[crate::analysis::gap::ItemGap]| -> String {
            rows.iter()
                .map(|r| r.label.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        OverviewPage {
            nav,
            selected: selected.unwrap_or_default(),
            figures: o.map_or_else(Vec::new, |o| figure_rows(o)),
            customer_rate: o.map_or_else(String::new, |o| rate(&o.customer_rate)),
            staff_rate: o.map_or_else(String::new, |o| rate(&o.staff_rate)),
            underestimated: o.map_or_else(String::new, |o| names(&o.underestimated_priorities)),
            overestimated: o.map_or_else(String::new, |o| names(&o.overestimated_priorities)),
            blind_spots: o.map_or_else(Vec::new, |o| {
                o.top_blind_spots.iter().map(BlindSpotRow::of).collect()
            }),
            calibration: o.map_or_else(Vec::new, |o| {
                o.calibration
                    .iter()
                    .map(|(wave, c)| CalibrationRow {
                        wave: wave.clone(),
                        items: c.items,
                        mean_absolute_gap: crate::words::number(c.mean_absolute_gap, 2),
                        bias: crate::words::signed(c.bias, 2),
                        spearman: crate::words::number(c.spearman, 2),
                    })
                    .collect()
            }),
            waves,
            overview: shown,
        }
    }
}

impl BlindSpotRow {
    fn of(b: &crate::analysis::gap::ItemGap) -> BlindSpotRow {
        BlindSpotRow {
            code: b.item.clone(),
            item: b.label.clone(),
            scale: crate::words::scale_range(b.scale),
            customers: crate::words::number(b.gap.customer.mean, 2),
            staff: crate::words::number(b.gap.staff.mean, 2),
            gap: crate::words::signed(b.gap.gap, 2),
            share: crate::words::share_of_scale(b.gap_share()),
            interval: crate::words::interval(b.gap.gap_ci95, 2),
            q: crate::words::p_value(b.gap.q),
        }
    }
}

/// A response rate with its margin: `41% (±3.2 points)`.
fn rate(r: &crate::analysis::rates::ResponseRate) -> String {
    match (r.rate, r.margin_of_error) {
        (Some(rate), Some(moe)) => format!(
            "{} (±{} points)",
            crate::words::percent(Some(rate)),
            crate::words::number(Some(moe * 100.0), 1)
        ),
        (Some(rate), None) => crate::words::percent(Some(rate)),
        _ => crate::words::NONE.to_string(),
    }
}

/// The headline measures: customers, their interval, what staff expected, the change.
fn figure_rows(o: &Overview) -> Vec<FigureRow> {
    use crate::words;
    vec![
        FigureRow {
            label: "CSAT (share satisfied, 4–5)",
            customers: words::percent(o.customers.csat.and_then(|c| c.share)),
            interval: words::percent_interval(o.customers.csat.and_then(|c| c.ci)),
            staff: words::percent(o.staff.csat.and_then(|c| c.share)),
            change: o.csat_change.map_or_else(
                || words::NONE.to_string(),
                |c| {
                    format!(
                        "{} (95% interval {}; {})",
                        words::points(c.difference),
                        words::points_interval(c.ci95),
                        words::clear(c.p, 0.05)
                    )
                },
            ),
        },
        FigureRow {
            label: "NPS (promoters − detractors, −100 to +100)",
            customers: words::signed(o.customers.nps.and_then(|n| n.score), 0),
            interval: words::interval(o.customers.nps.and_then(|n| n.ci), 0),
            staff: words::signed(o.staff.nps.and_then(|n| n.score), 0),
            change: words::NONE.to_string(),
        },
        FigureRow {
            label: "CES (ease, 1–7)",
            customers: words::number(o.customers.ces.and_then(|c| c.mean), 2),
            interval: words::interval(o.customers.ces.and_then(|c| c.ci), 2),
            staff: words::number(o.staff.ces.and_then(|c| c.mean), 2),
            change: words::NONE.to_string(),
        },
    ]
}

#[get("/")]
async fn overview(
    state: web::Data<AppState>,
    who: SignedIn,
    query: web::Query<WaveQuery>,
) -> PageResult {
    let asked = query.into_inner().wave;
    let (waves, selected) = state
        .run(move |conn| {
            let waves = waves::list(conn)?;
            let selected = asked.or_else(|| default_wave(&waves));
            Ok((waves, selected))
        })
        .await?;
    let overview = match &selected {
        Some(code) => Some(overview_of(&state, code.clone()).await?),
        None => None,
    };
    let body = OverviewPage::of(
        Nav::of(&who, selected.as_deref()),
        waves,
        selected,
        overview,
    );
    Ok(page(actix_web::http::StatusCode::OK, &body)?)
}

/// The overview of `wave`, from its view and its trend. It shows only programme-wide
/// figures (no agency's own), the same for every role, so it is kept in the cache whole
/// and read with one data fingerprint per page.
async fn overview_of(
    state: &web::Data<AppState>,
    wave: String,
) -> Result<std::sync::Arc<Overview>> {
    let (settings, cache) = (state.settings.clone(), state.reports.clone());
    state
        .run(move |conn| {
            cache.get(conn, &format!("overview/{wave}"), |conn| {
                let view = cache.view(conn, &settings, &wave)?;
                let trend = crate::report::trend_of(conn, &cache, &settings, &view)?;
                crate::report::overview::overview(&view, &trend)
            })
        })
        .await
}
