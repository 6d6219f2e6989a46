//! The JSON API's survey-delivery actions: `POST /api/v1/waves/{code}/send` and
//! `POST /api/v1/waves/{code}/remind`. They change data and send mail, so every one of
//! them goes through `require_api_user`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::AppState;
use crate::delivery::{self, Audiences};
use crate::error::{AppError, Result};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/waves/{code}/send")
            .wrap(from_fn(require_api_user))
            .route(web::post().to(send)),
    )
    .service(
        web::resource("/api/v1/waves/{code}/remind")
            .wrap(from_fn(require_api_user))
            .route(web::post().to(remind)),
    );
}

/// The gate in front of every API action that changes data.
///
/// TODO(API auth issue): let through only a signed-in admin or BRM user (401 without a
/// session or token, 403 for other roles). Until then it lets every request through; the
/// routes are wrapped already, so protecting them is a change to this function alone.
async fn require_api_user(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> std::result::Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    next.call(req).await
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
    code: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse> {
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
async fn remind(state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse> {
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
