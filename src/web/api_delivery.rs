//! The JSON API's survey-delivery actions: `POST /api/v1/waves/{code}/send` and
//! `POST /api/v1/waves/{code}/remind`. They change data and send mail, so every one of
//! them needs a signed-in admin, cio or brm user (and, from a browser session, the
//! session's CSRF token in an `X-CSRF-Token` header).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::AppState;
use super::auth::SignedIn;
use crate::delivery::{self, Audiences};
use crate::domain::Role;
use crate::error::{AppError, Result};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/waves/{code}/send").route(web::post().to(send)))
        .service(web::resource("/api/v1/waves/{code}/remind").route(web::post().to(remind)));
}

/// The gate in front of every API action that changes data: a role that runs waves, and
/// from a browser session its CSRF token.
fn allow(who: &SignedIn, req: &HttpRequest) -> Result<()> {
    who.require(&[Role::Admin, Role::Cio, Role::Brm])?;
    who.check_csrf(
        req.headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok()),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SendRequest {
    #[serde(default)]
    audience: Audiences,
}

/// Parses an optional JSON body; an empty body means the defaults.
fn body_or_default<T: Default + serde::de::DeserializeOwned>(body: &[u8]) -> Result<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| AppError::invalid(format!("bad request body: {e}")))
}

/// Invites everyone not yet invited (optionally only `customer` or `staff`) and queues
/// their emails. Idempotent: a second call invites only people added since.
async fn send(
    state: web::Data<AppState>,
    who: SignedIn,
    req: HttpRequest,
    code: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse> {
    allow(&who, &req)?;
    let request: SendRequest = body_or_default(&body)?;
    let settings = state.settings.clone();
    let code = code.into_inner();
    let summary = state
        .run(move |conn| delivery::send_wave(conn, &settings, &code, request.audience))
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}

/// Queues a reminder to everyone in the wave who has not answered, not opted out, and not
/// had the wave's most reminders yet.
async fn remind(
    state: web::Data<AppState>,
    who: SignedIn,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse> {
    allow(&who, &req)?;
    let settings = state.settings.clone();
    let wave = code.into_inner();
    let reminded = {
        let wave = wave.clone();
        state
            .run(move |conn| delivery::reminders::remind_now(conn, &settings, &wave))
            .await?
    };
    Ok(HttpResponse::Ok().json(serde_json::json!({ "wave": wave, "reminded": reminded })))
}
