//! The JSON API under `/api/v1/`, described by `/api/v1/openapi.json`.

use actix_web::{HttpResponse, get, web};

use super::AppState;
use super::auth::SignedIn;
use crate::error::Result;
use crate::store::waves;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_waves)
        .service(wave_gap)
        .service(wave_trend)
        .service(wave_watermelon)
        .service(wave_ipa)
        .service(wave_calibration)
        .service(wave_rates)
        .service(openapi);
}

/// Every wave, oldest first, with its instrument and response counts.
#[get("/api/v1/waves")]
async fn list_waves(state: web::Data<AppState>, _who: SignedIn) -> Result<HttpResponse> {
    let waves = state.run(waves::list).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "waves": waves })))
}

/// The gap report of a wave: items and dimensions, overall and by agency, segment, team.
/// Agency groups are limited to those the caller's role may see.
#[get("/api/v1/waves/{code}/gap")]
async fn wave_gap(
    state: web::Data<AppState>,
    who: SignedIn,
    code: web::Path<String>,
) -> Result<HttpResponse> {
    let view = state.view(&who.access, code.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view.gap_report()))
}

/// Every measure per wave of the wave's instrument, up to this wave, with changes against
/// the baseline (aggregates only).
#[get("/api/v1/waves/{code}/trend")]
async fn wave_trend(
    state: web::Data<AppState>,
    who: SignedIn,
    code: web::Path<String>,
) -> Result<HttpResponse> {
    let view = std::sync::Arc::new(state.view(&who.access, code.into_inner()).await?);
    let input = state.trend(view.clone()).await?;
    Ok(HttpResponse::Ok().json(input.report(view.rules.reporting_threshold)))
}

/// SLA attainment against CSAT per service and agency × service.
#[get("/api/v1/waves/{code}/watermelon")]
async fn wave_watermelon(
    state: web::Data<AppState>,
    who: SignedIn,
    code: web::Path<String>,
) -> Result<HttpResponse> {
    let view = state.view(&who.access, code.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view.of_wave(&view.watermelons)))
}

/// Importance against performance per dimension, with staff predictions.
#[get("/api/v1/waves/{code}/ipa")]
async fn wave_ipa(
    state: web::Data<AppState>,
    who: SignedIn,
    code: web::Path<String>,
) -> Result<HttpResponse> {
    let view = state.view(&who.access, code.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view.of_wave(&view.ipa)))
}

/// How well staff predicted customers: mean absolute gap, bias, rank correlation.
#[get("/api/v1/waves/{code}/calibration")]
async fn wave_calibration(
    state: web::Data<AppState>,
    who: SignedIn,
    code: web::Path<String>,
) -> Result<HttpResponse> {
    let view = state.view(&who.access, code.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view.of_wave(&view.calibration)))
}

/// Response rates per agency and overall, with margins of error.
#[get("/api/v1/waves/{code}/rates")]
async fn wave_rates(
    state: web::Data<AppState>,
    who: SignedIn,
    code: web::Path<String>,
) -> Result<HttpResponse> {
    let view = state.view(&who.access, code.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view.of_wave(&view.rates)))
}

#[get("/api/v1/openapi.json")]
async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(include_str!("openapi.json"))
}
