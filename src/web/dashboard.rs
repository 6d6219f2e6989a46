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
async fn signin_form(query: web::Query<NextQuery>) -> Result<HttpResponse> {
    signin_page(
        actix_web::http::StatusCode::OK,
        local_or_root(query.next.as_deref()),
        String::new(),
        None,
    )
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
) -> Result<HttpResponse> {
    let form = form.into_inner();
    let cookie = req.cookie(SIGNIN_COOKIE).map(|c| c.value().to_string());
    let forged = match (&cookie, &form.csrf_token) {
        (Some(cookie), Some(sent)) => !same(cookie, sent),
        _ => true,
    };
    if forged {
        return Err(AppError::Forbidden(
            "the sign-in form has expired; reload the page and try again".into(),
        ));
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
            signin_page(
                actix_web::http::StatusCode::UNAUTHORIZED,
                next,
                form.email,
                Some("The email or password is not right.".into()),
            )
        }
        Outcome::Locked { until } => signin_page(
            actix_web::http::StatusCode::TOO_MANY_REQUESTS,
            next,
            form.email,
            Some(format!(
                "Too many failed sign-ins: this account is locked until {} UTC. Try again then, or ask an administrator.",
                until.format("%H:%M")
            )),
        ),
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
) -> Result<HttpResponse> {
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

#[derive(Template)]
#[template(path = "dashboard/overview.html")]
struct OverviewPage {
    csrf_token: String,
    user_email: String,
    role: &'static str,
    waves: Vec<waves::WaveSummary>,
}

#[get("/")]
async fn overview(state: web::Data<AppState>, who: SignedIn) -> Result<HttpResponse> {
    let waves = state.run(waves::list).await?;
    page(
        actix_web::http::StatusCode::OK,
        &OverviewPage {
            csrf_token: who.csrf_token.clone(),
            user_email: who.user.email.clone(),
            role: who.role().as_str(),
            waves,
        },
    )
}
