//! The JSON API under `/api/v1/`, described by `/api/v1/openapi.json`.

use actix_web::{HttpResponse, get, web};

use super::AppState;
use crate::error::Result;
use crate::store::waves;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_waves).service(openapi);
}

/// Every wave, oldest first, with its instrument and response counts.
#[get("/api/v1/waves")]
async fn list_waves(state: web::Data<AppState>) -> Result<HttpResponse> {
    let waves = state.run(waves::list).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "waves": waves })))
}

#[get("/api/v1/openapi.json")]
async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(include_str!("openapi.json"))
}
