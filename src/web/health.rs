//! `/healthz` (the process answers) and `/readyz` (the database answers too).

use actix_web::{HttpResponse, get, web};
use diesel::connection::SimpleConnection;

use super::AppState;
use crate::error::{AppError, Result};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse> {
    let backend = state.db.url.backend_name();
    state
        .run(|conn| {
            conn.batch_execute("SELECT 1")
                .map_err(|e| AppError::Unavailable(e.to_string()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready", "database": backend })))
}
