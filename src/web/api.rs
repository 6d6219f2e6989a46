//! The JSON API under `/api/v1/`, described by `/api/v1/openapi.json`.

use actix_web::{HttpResponse, get, web};

use super::AppState;
use crate::error::Result;
use crate::store::waves;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_waves).service(wave_gap).service(openapi);
}

/// Every wave, oldest first, with its instrument and response counts.
#[get("/api/v1/waves")]
async fn list_waves(state: web::Data<AppState>) -> Result<HttpResponse> {
    let waves = state.run(waves::list).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "waves": waves })))
}

/// The gap report of a wave: items and dimensions, overall and by agency, segment, team.
#[get("/api/v1/waves/{code}/gap")]
async fn wave_gap(state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse> {
    let settings = state.settings.clone();
    let code = code.into_inner();
    let report = state
        .run(move |conn| crate::report::gap_report(conn, &settings, &code))
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

#[get("/api/v1/openapi.json")]
async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(include_str!("openapi.json"))
}
