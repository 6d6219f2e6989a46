//! Downloads of the baseline and trend reports (HTML, PDF, XLSX, CSV), from the dashboard
//! (`/waves/{code}/report.{format}`) and the API (`/api/v1/waves/{code}/report/{kind}`).
//! Viewers can't export; a BRM gets the programme report with only the agencies they own,
//! and one agency's version only for an agency they own (see `report::document`).

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, get, web};

use super::AppState;
use super::auth::SignedIn;
use super::dashboard::PageError;
use crate::error::{AppError, Result};
use crate::report::document::{self, ReportKind};
use crate::report::export::{self, ExportFormat};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(dashboard_download).service(api_download);
}

#[derive(serde::Deserialize)]
struct DownloadQuery {
    /// `baseline` (default) or `trend`.
    kind: Option<String>,
    /// One agency's version.
    agency: Option<String>,
    /// For the API: html, pdf, xlsx or csv.
    format: Option<String>,
}

fn kind_of(kind: Option<&str>) -> Result<ReportKind> {
    match kind.unwrap_or("baseline") {
        "baseline" => Ok(ReportKind::Baseline),
        "trend" => Ok(ReportKind::Trend),
        other => Err(AppError::Invalid(format!(
            "kind: {other:?} is not one of baseline, trend"
        ))),
    }
}

/// Builds and renders the report for `who`, off the async workers.
async fn download(
    state: &web::Data<AppState>,
    who: &SignedIn,
    wave: String,
    kind: ReportKind,
    format: ExportFormat,
    agency: Option<String>,
) -> Result<HttpResponse> {
    if !who.access.may_export() {
        return Err(AppError::Forbidden(
            "your role can't export reports; ask the CIO office for one".into(),
        ));
    }
    let (settings, cache) = (state.settings.clone(), state.reports.clone());
    let access = who.access.clone();
    let agency = agency.filter(|a| !a.is_empty());
    let report = state
        .run(move |conn| {
            let request = document::Request {
                kind,
                wave: &wave,
                access: &access,
                agency: agency.as_deref(),
            };
            document::build_with(conn, &cache, &settings, &request, &mut |_| {})
        })
        .await?;
    let (bytes, name) = web::block(move || -> Result<(Vec<u8>, String)> {
        Ok((
            export::render(&report, format)?,
            export::file_name(&report, format),
        ))
    })
    .await
    .map_err(AppError::from)??;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .insert_header(("Cache-Control", "private, no-store"))
        .body(bytes))
}

/// `GET /waves/{code}/report.{format}?kind=&agency=`: a download from the wave page.
#[get("/waves/{code}/report.{format}")]
async fn dashboard_download(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<(String, String)>,
    query: web::Query<DownloadQuery>,
) -> std::result::Result<HttpResponse, PageError> {
    let (wave, format) = path.into_inner();
    let query = query.into_inner();
    let format = ExportFormat::parse(&format)?;
    let kind = kind_of(query.kind.as_deref())?;
    Ok(download(&state, &who, wave, kind, format, query.agency).await?)
}

/// `GET /api/v1/waves/{code}/report/{kind}?format=&agency=`.
#[get("/api/v1/waves/{code}/report/{kind}")]
async fn api_download(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<(String, String)>,
    query: web::Query<DownloadQuery>,
) -> Result<HttpResponse> {
    let (wave, kind) = path.into_inner();
    let query = query.into_inner();
    let kind = kind_of(Some(&kind))?;
    let format = ExportFormat::parse(query.format.as_deref().unwrap_or("pdf"))?;
    download(&state, &who, wave, kind, format, query.agency).await
}
