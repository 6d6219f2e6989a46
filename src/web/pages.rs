//! The signed-in pages about one wave: the wave itself (gaps per item and dimension, what
//! matters to agencies, services, agencies × dimensions), its response rates, one agency
//! and one service. Each handler parses, reads the wave's view cut to the reader, and
//! renders; the rows come from `rows` and every word from `crate::words`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;

use super::AppState;
use super::auth::SignedIn;
use super::dashboard::{Nav, PageError, page};
use super::rows::{self, GapRow, HeatmapRow, ServiceRow};
use crate::error::{AppError, Result};
use crate::report::WaveView;
use crate::report::figures::{self, Figure};
use crate::words;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(wave_page)
        .service(rates_page)
        .service(agency_page)
        .service(service_page);
}

#[derive(Template)]
#[template(path = "dashboard/wave.html")]
struct WavePage {
    nav: Nav,
    /// Inline SVG charts, rendered by `charts` (their text is escaped there).
    charts: Vec<String>,
    wave: String,
    customers_n: u64,
    staff_n: u64,
    threshold: u64,
    items: Vec<GapRow>,
    priorities: Vec<GapRow>,
    dimensions: Vec<GapRow>,
    services: Vec<ServiceRow>,
    sla_target: String,
    red_line: String,
    heatmap_columns: Vec<String>,
    heatmap: Vec<HeatmapRow>,
    /// Show the report downloads (all but viewers).
    may_export: bool,
}

impl WavePage {
    fn of(view: &WaveView, nav: Nav, charts: Vec<String>, may_export: bool) -> WavePage {
        let (heatmap_columns, heatmap) = rows::heatmap(view);
        WavePage {
            nav,
            charts,
            wave: view.code().to_string(),
            customers_n: view.gap.customer_respondents,
            staff_n: view.gap.staff_respondents,
            threshold: view.rules.reporting_threshold,
            items: rows::performance_rows(&view.gap.items),
            priorities: rows::priority_rows(&view.gap.items),
            dimensions: view.gap.dimensions.iter().map(GapRow::dimension).collect(),
            services: rows::service_rows(view),
            sla_target: words::percent(Some(view.rules.sla_target)),
            red_line: words::percent(Some(view.rules.red_line)),
            heatmap_columns,
            heatmap,
            may_export,
        }
    }
}

/// The wave's chart set, then the answers to every question (the longest chart) last.
fn wave_charts(view: &WaveView) -> Result<Vec<String>> {
    let mut charts: Vec<String> = figures::wave_figures(view, None)?
        .into_iter()
        .map(|f| f.svg)
        .collect();
    let title = format!("How people answered, {}", view.code());
    if let Some((bars, _)) = figures::answer_figure(view, &[], title)? {
        charts.push(bars.svg);
    }
    Ok(charts)
}

#[get("/waves/{code}")]
async fn wave_page(
    state: web::Data<AppState>,
    who: SignedIn,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let view = state.view(&who.access, code.into_inner()).await?;
    let (view, charts) = super::off_thread(move || {
        let charts = wave_charts(&view)?;
        Ok((view, charts))
    })
    .await?;
    let nav = Nav::of(&who, Some(view.code()));
    let body = WavePage::of(&view, nav, charts, who.access.may_export());
    Ok(page(StatusCode::OK, &body)?)
}

struct RateRow {
    group: String,
    suppressed: bool,
    reason: String,
    invited: String,
    bounced: String,
    responses: String,
    rate: String,
    margin: String,
    needed: String,
}

impl RateRow {
    fn of(group: String, r: &crate::analysis::rates::ResponseRate, threshold: u64) -> RateRow {
        RateRow {
            group,
            suppressed: r.suppressed.is_some(),
            reason: match r.suppressed {
                Some(crate::analysis::suppress::Suppression::Complementary) => {
                    words::suppression_reason(
                        crate::analysis::suppress::Suppression::Complementary,
                        threshold,
                    )
                }
                _ => format!("fewer than {threshold} people asked"),
            },
            invited: words::count(r.invited),
            bounced: words::count(r.bounced),
            responses: words::count(r.responses),
            rate: words::percent(r.rate),
            margin: r.margin_of_error.map_or(words::NONE.to_string(), |m| {
                format!("±{} points", words::number(Some(m * 100.0), 1))
            }),
            needed: words::count(r.responses_needed),
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/rates.html")]
struct RatesPage {
    nav: Nav,
    wave: String,
    threshold: u64,
    rows: Vec<RateRow>,
    left_out: usize,
}

impl RatesPage {
    fn of(view: &WaveView, nav: Nav) -> RatesPage {
        let threshold = view.rules.reporting_threshold;
        let mut rows = vec![
            RateRow::of("All customers".into(), &view.rates.customers, threshold),
            RateRow::of("IT staff".into(), &view.rates.staff, threshold),
        ];
        rows.extend(
            view.rates
                .agencies
                .iter()
                .map(|a| RateRow::of(view.names.agency(&a.agency), &a.rate, threshold)),
        );
        RatesPage {
            nav,
            wave: view.code().to_string(),
            threshold,
            rows,
            left_out: view.agencies_not_yours,
        }
    }
}

/// The response-rate monitor of a wave (the view is recomputed with every response and
/// every bounce: both change the data fingerprint).
#[get("/waves/{code}/rates")]
async fn rates_page(
    state: web::Data<AppState>,
    who: SignedIn,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let view = state.view(&who.access, code.into_inner()).await?;
    let body = RatesPage::of(&view, Nav::of(&who, Some(view.code())));
    Ok(page(StatusCode::OK, &body)?)
}

#[derive(Template)]
#[template(path = "dashboard/agency.html")]
struct AgencyPage {
    nav: Nav,
    /// The agency's services: SLA against its customers' CSAT, as an inline SVG.
    scatter: String,
    wave: String,
    name: String,
    line_of_business: Option<String>,
    spend: String,
    brm: String,
    hidden: Option<String>,
    respondents: u64,
    items: Vec<GapRow>,
    priorities: Vec<GapRow>,
    services: Vec<ServiceRow>,
    follow_ups: Vec<crate::store::follow_ups::FollowUp>,
    comments: Option<Vec<(String, String)>>,
    comment_threshold: u64,
}

impl AgencyPage {
    fn of(
        view: &WaveView,
        agency: &crate::store::agencies::Agency,
        nav: Nav,
        scatter: Figure,
        follow_ups: Vec<crate::store::follow_ups::FollowUp>,
    ) -> AgencyPage {
        let code = agency.code.as_str();
        let group = view.agency_group(code);
        let table = group.and_then(|g| g.table.as_ref());
        let hidden = match group {
            Some(g) if g.table.is_none() => Some(match g.suppressed {
                Some(reason) => words::suppression_reason(reason, view.rules.reporting_threshold),
                None => "fewer people answered than the reporting threshold".into(),
            }),
            Some(_) => None,
            None => Some("nobody from this agency answered".into()),
        };
        AgencyPage {
            nav,
            scatter: scatter.svg,
            wave: view.code().to_string(),
            name: agency.name.clone(),
            line_of_business: agency.line_of_business.clone(),
            spend: agency.annual_it_spend.map_or(words::NONE.to_string(), |s| {
                format!("${} million", words::number(Some(s / 1e6), 1))
            }),
            brm: agency
                .brm_owner_email
                .clone()
                .unwrap_or_else(|| "none".into()),
            hidden,
            respondents: group.and_then(|g| g.respondents).unwrap_or(0),
            items: table.map_or_else(Vec::new, |t| rows::performance_rows(&t.items)),
            priorities: table.map_or_else(Vec::new, |t| rows::priority_rows(&t.items)),
            services: agency_services(view, code),
            follow_ups,
            comments: view.comments_of(code).map(<[_]>::to_vec),
            comment_threshold: view.rules.comment_threshold,
        }
    }
}

/// The services as one agency's customers answered them.
fn agency_services(view: &WaveView, code: &str) -> Vec<ServiceRow> {
    view.watermelons
        .services
        .iter()
        .filter_map(|s| {
            let cell = s.agencies.iter().find(|a| a.agency == code)?;
            Some(ServiceRow::of(
                &s.service,
                view.names.service(&s.service),
                &cell.watermelon,
                cell.suppressed,
                view,
            ))
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct WaveQuery {
    wave: Option<String>,
}

/// "Customer of one": one agency's gaps, services, spend, follow-ups and comments. Only
/// for those who may see that agency (admin, cio, its BRM).
#[get("/agencies/{code}")]
async fn agency_page(
    state: web::Data<AppState>,
    who: SignedIn,
    code: web::Path<String>,
    query: web::Query<WaveQuery>,
) -> Result<HttpResponse, PageError> {
    let code = code.into_inner();
    if !who.access.may_see_agency(&code) {
        return Err(AppError::Forbidden(format!(
            "your role does not show agency {code}'s own figures"
        ))
        .into());
    }
    let wave = super::dashboard::wave_or_default(&state, query.into_inner().wave).await?;
    let view = state.view(&who.access, wave).await?;
    let (agency, follow_ups) = {
        let (code, wave_id) = (code.clone(), view.wave.id);
        state
            .run(move |conn| {
                let agency = crate::store::agencies::by_code(conn, &code)?;
                let follow_ups = crate::store::follow_ups::for_agency(conn, wave_id, agency.id)?;
                Ok((agency, follow_ups))
            })
            .await?
    };
    let (view, scatter) = super::off_thread(move || {
        let scatter = figures::agency_figure(&view, &code)?;
        Ok((view, scatter))
    })
    .await?;
    let body = AgencyPage::of(
        &view,
        &agency,
        Nav::of(&who, Some(view.code())),
        scatter,
        follow_ups,
    );
    Ok(page(StatusCode::OK, &body)?)
}

/// One SLA metric as the service page lists it.
struct MetricRow {
    name: String,
    whom: String,
    target: String,
    actual: String,
    met: &'static str,
}

#[derive(Template)]
#[template(path = "dashboard/service.html")]
struct ServicePage {
    nav: Nav,
    wave: String,
    name: String,
    summary: String,
    metrics: Vec<MetricRow>,
    agencies: Vec<ServiceRow>,
}

impl ServicePage {
    fn of(view: &WaveView, service: &str, nav: Nav) -> Result<ServicePage> {
        let row = view
            .watermelons
            .services
            .iter()
            .find(|s| s.service == service);
        let name = view.names.service(service);
        if row.is_none() && !view.sla.iter().any(|m| m.service == service) {
            return Err(AppError::NotFound(format!(
                "service {service} in wave {}",
                view.code()
            )));
        }
        let summary = match row {
            Some(s) => service_summary(view, &name, &s.watermelon),
            None => "No satisfaction question asks about this service.".to_string(),
        };
        let metrics = view
            .sla
            .iter()
            .filter(|m| m.service == service)
            .map(|m| MetricRow {
                name: m.name.clone(),
                whom: m
                    .agency
                    .as_deref()
                    .map_or("all agencies".into(), |a| view.names.agency(a)),
                target: words::number(Some(m.target), 2),
                actual: words::number(Some(m.actual), 2),
                met: if m.met { "yes" } else { "no" },
            })
            .collect();
        let agencies = row.map_or_else(Vec::new, |s| {
            s.agencies
                .iter()
                .map(|a| {
                    ServiceRow::of(
                        &a.agency,
                        view.names.agency(&a.agency),
                        &a.watermelon,
                        a.suppressed,
                        view,
                    )
                })
                .collect()
        });
        Ok(ServicePage {
            nav,
            wave: view.code().to_string(),
            name,
            summary,
            metrics,
            agencies,
        })
    }
}

/// "Service desk: SLA met (3 of 3 metrics). 33% of customers satisfied (10% to 70%, n 6).
/// SLA met, too few answers to tell."
fn service_summary(
    view: &WaveView,
    name: &str,
    w: &crate::analysis::watermelon::Watermelon,
) -> String {
    format!(
        "{name}: {} of its SLA metrics met ({} of {}). {} of customers satisfied (95% \
         interval {}, n {}). In short: {}.",
        words::percent(w.sla.attainment),
        w.sla.met,
        w.sla.metrics,
        words::percent(w.customers.csat),
        words::percent_interval(w.customers.ci95),
        words::count(w.customers.n),
        words::service_finding(w, view.rules.sla_target)
    )
}

/// One service: SLA against experience, overall and per agency the reader may see.
#[get("/waves/{code}/services/{service}")]
async fn service_page(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (wave, service) = path.into_inner();
    let view = state.view(&who.access, wave).await?;
    let body = ServicePage::of(&view, &service, Nav::of(&who, Some(view.code())))?;
    Ok(page(StatusCode::OK, &body)?)
}
