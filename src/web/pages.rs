//! The signed-in pages about one wave: the wave itself (gaps per item and dimension,
//! services, agencies × dimensions). Reports come from the cache and are cut down to the
//! reader's role before they are shown.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;

use super::AppState;
use super::auth::SignedIn;
use super::dashboard::{Nav, PageError, page};
use super::format;
use crate::analysis::gap::{BreakdownBy, Gap, Verdict};
use crate::analysis::watermelon::WatermelonClass;
use crate::report::{self, OfWave, WaveGapReport};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(wave_page)
        .service(rates_page)
        .service(agency_page)
        .service(service_page);
}

/// One compared row, as read on a page.
pub struct GapRow {
    pub name: String,
    pub dimension: String,
    pub customers: String,
    pub staff: String,
    pub gap: String,
    pub interval: String,
    pub q: String,
    /// The verdict's code, for the colour class.
    pub verdict: &'static str,
    pub verdict_text: &'static str,
}

pub fn verdict_code(v: Verdict) -> &'static str {
    match v {
        Verdict::BlindSpot => "blind_spot",
        Verdict::HiddenStrength => "hidden_strength",
        Verdict::Aligned => "aligned",
        Verdict::InsufficientData => "insufficient_data",
    }
}

/// A side's mean with its n: `3.42 (n 118)`.
fn side(n: Option<u64>, mean: Option<f64>) -> String {
    match (n, mean) {
        (Some(n), Some(_)) => format!("{} (n {n})", format::decimal(mean, 2)),
        _ => format::NONE.to_string(),
    }
}

impl GapRow {
    pub fn of(name: &str, dimension: &str, gap: &Gap) -> GapRow {
        GapRow {
            name: name.to_string(),
            dimension: dimension.to_string(),
            customers: side(gap.customer.n, gap.customer.mean),
            staff: side(gap.staff.n, gap.staff.mean),
            gap: format::signed(gap.gap, 2),
            interval: format::interval(gap.gap_ci95, 2),
            q: format::p_value(gap.q),
            verdict: verdict_code(gap.verdict),
            verdict_text: crate::charts::text::verdict_label(gap.verdict),
        }
    }
}

struct ServiceRow {
    service: String,
    sla: String,
    csat: String,
    interval: String,
    n: String,
    class: &'static str,
    class_text: &'static str,
}

pub fn class_code(c: WatermelonClass) -> (&'static str, &'static str) {
    match c {
        WatermelonClass::Watermelon => ("watermelon", "Watermelon: SLA green, customers red"),
        WatermelonClass::ReverseWatermelon => {
            ("reverse_watermelon", "Reverse: SLA missed, customers happy")
        }
        WatermelonClass::Consistent => ("consistent", "SLA and customers agree"),
        WatermelonClass::InsufficientData => ("insufficient_data", "Not enough data"),
    }
}

struct HeatmapRow {
    agency: String,
    link: bool,
    cells: Vec<String>,
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
    dimensions: Vec<GapRow>,
    services: Vec<ServiceRow>,
    sla_target: String,
    red_line: String,
    heatmap_columns: Vec<String>,
    heatmap: Vec<HeatmapRow>,
    /// Show the report downloads (all but viewers).
    may_export: bool,
}

/// The gap and watermelon reports of a wave, from the cache, cut to the reader's role.
pub async fn wave_reports(
    state: &web::Data<AppState>,
    who: &SignedIn,
    code: String,
) -> Result<
    (
        WaveGapReport,
        OfWave<crate::analysis::watermelon::WatermelonReport>,
    ),
    PageError,
> {
    let settings = state.settings.clone();
    let cache = state.reports.clone();
    let (gap, watermelons): (Arc<WaveGapReport>, Arc<OfWave<_>>) = state
        .run(move |conn| {
            let gap = cache.get(conn, &format!("gap/{code}"), |conn| {
                report::gap_report(conn, &settings, &code)
            })?;
            let watermelons = cache.get(conn, &format!("watermelon/{code}"), |conn| {
                report::watermelon_report(conn, &settings, &code)
            })?;
            Ok((gap, watermelons))
        })
        .await?;
    let mut gap = (*gap).clone();
    who.access.restrict_gap(&mut gap.report);
    let mut watermelons = (*watermelons).clone();
    who.access.restrict_watermelons(&mut watermelons.report);
    Ok((gap, watermelons))
}

/// The charts of the wave page, widest first: gaps per item, services, importance against
/// performance, and (when the role shows agencies) agencies × dimensions.
fn wave_charts(
    gap: &WaveGapReport,
    watermelons: &OfWave<crate::analysis::watermelon::WatermelonReport>,
    ipa: &crate::analysis::ipa::IpaGrid,
    items: &[crate::analysis::gap::ItemInfo],
) -> crate::error::Result<Vec<String>> {
    use crate::charts::{self, AgencyHeatmap, ChartOptions, GapDumbbell, IpaChart, Respondents};
    const WIDTH: u32 = 960;
    let respondents = Respondents {
        customers: gap.report.customer_respondents,
        staff: gap.report.staff_respondents,
    };
    let dumbbell = GapDumbbell::of_report(&gap.report, items)
        .reporting_threshold(gap.report.reporting_threshold);
    let mut out = vec![
        charts::svg(
            &dumbbell,
            &ChartOptions::new(format!(
                "What customers said and what IT expected, {}",
                gap.wave
            ))
            .size(WIDTH, dumbbell.suggested_height()),
        )?,
        charts::watermelon_svg(
            &watermelons.report,
            &ChartOptions::new(format!("SLA against customer satisfaction, {}", gap.wave))
                .size(WIDTH, 600),
        )?,
        charts::svg(
            &IpaChart::new(ipa, respondents),
            &ChartOptions::new(format!("Importance and performance, {}", gap.wave))
                .size(WIDTH, 600),
        )?,
    ];
    let has_agencies = gap
        .report
        .breakdowns
        .iter()
        .any(|b| b.by == BreakdownBy::Agency && !b.groups.is_empty());
    if has_agencies {
        let heatmap = AgencyHeatmap::new(&gap.report);
        out.push(charts::svg(
            &heatmap,
            &ChartOptions::new(format!("Gaps per agency and dimension, {}", gap.wave))
                .size(WIDTH, heatmap.suggested_height()),
        )?);
    }
    Ok(out)
}

#[get("/waves/{code}")]
async fn wave_page(
    state: web::Data<AppState>,
    who: SignedIn,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let code = code.into_inner();
    let (gap, watermelons) = wave_reports(&state, &who, code.clone()).await?;
    let (items_info, ipa) = {
        let settings = state.settings.clone();
        let cache = state.reports.clone();
        state
            .run(move |conn| {
                let items = report::wave_context(conn, &code)?.items;
                let ipa = cache.get(conn, &format!("ipa/{code}"), |conn| {
                    report::ipa_report(conn, &settings, &code)
                })?;
                Ok((items, ipa))
            })
            .await?
    };
    let answers = super::drill::distributions(&state, gap.wave.clone()).await?;
    let charts = {
        let (gap, watermelons) = (gap.clone(), watermelons.clone());
        web::block(move || {
            let mut charts = wave_charts(&gap, &watermelons, &ipa.report, &items_info)?;
            // The answers to every question, last: the longest chart.
            let bars = crate::charts::AnswerBars::new(&answers, gap.report.reporting_threshold);
            charts.push(crate::charts::svg(
                &bars,
                &crate::charts::ChartOptions::new(format!("How people answered, {}", gap.wave))
                    .size(960, bars.suggested_height()),
            )?);
            Ok::<_, crate::error::AppError>(charts)
        })
        .await
        .map_err(crate::error::AppError::from)??
    };
    let mut items: Vec<&crate::analysis::gap::ItemGap> = gap.report.items.iter().collect();
    items.sort_by(|a, b| {
        b.gap
            .gap
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.gap.gap.unwrap_or(f64::NEG_INFINITY))
    });
    let heatmap_columns: Vec<String> = gap
        .report
        .dimensions
        .iter()
        .map(|d| d.dimension.clone())
        .collect();
    let heatmap = gap
        .report
        .breakdowns
        .iter()
        .filter(|b| b.by == BreakdownBy::Agency)
        .flat_map(|b| &b.groups)
        .map(|g| HeatmapRow {
            agency: g.group.clone(),
            link: g.table.is_some(),
            cells: heatmap_columns
                .iter()
                .map(|d| match &g.table {
                    None => "suppressed".to_string(),
                    Some(t) => t.dimensions.iter().find(|x| &x.dimension == d).map_or(
                        format::NONE.to_string(),
                        |x| match x.gap.suppressed {
                            Some(_) => "suppressed".to_string(),
                            None => format::signed(x.gap.gap, 2),
                        },
                    ),
                })
                .collect(),
        })
        .collect();
    let settings = &state.settings;
    let body = WavePage {
        nav: Nav::of(&who, Some(&gap.wave)),
        charts,
        wave: gap.wave.clone(),
        customers_n: gap.report.customer_respondents,
        staff_n: gap.report.staff_respondents,
        threshold: gap.report.reporting_threshold,
        items: items
            .iter()
            .map(|i| GapRow::of(&i.item, &i.dimension, &i.gap))
            .collect(),
        dimensions: gap
            .report
            .dimensions
            .iter()
            .map(|d| GapRow::of(&d.dimension, &d.dimension, &d.gap))
            .collect(),
        services: watermelons
            .report
            .services
            .iter()
            .map(|s| {
                let (class, class_text) = class_code(s.watermelon.class);
                ServiceRow {
                    service: s.service.clone(),
                    sla: match s.watermelon.sla.attainment {
                        Some(a) => format!(
                            "{} ({} of {})",
                            format::percent(Some(a)),
                            s.watermelon.sla.met,
                            s.watermelon.sla.metrics
                        ),
                        None => "no SLA figures".to_string(),
                    },
                    csat: format::percent(s.watermelon.customers.csat),
                    interval: format::percent_interval(s.watermelon.customers.ci95),
                    n: s.watermelon
                        .customers
                        .n
                        .map_or(format::NONE.to_string(), |n| n.to_string()),
                    class,
                    class_text,
                }
            })
            .collect(),
        sla_target: format::percent(Some(settings.sla_target)),
        red_line: format::percent(Some(settings.csat_red_line)),
        heatmap_columns,
        heatmap,
        may_export: who.access.may_export(),
    };
    Ok(page(StatusCode::OK, &body)?)
}

struct RateRow {
    group: String,
    suppressed: bool,
    reason: &'static str,
    invited: String,
    bounced: String,
    responses: String,
    rate: String,
    margin: String,
    needed: String,
}

impl RateRow {
    fn of(group: &str, r: &crate::analysis::rates::ResponseRate) -> RateRow {
        let count = |n: Option<u64>| n.map_or(format::NONE.to_string(), |n| n.to_string());
        RateRow {
            group: group.to_string(),
            suppressed: r.suppressed.is_some(),
            reason: match r.suppressed {
                Some(crate::analysis::suppress::Suppression::Complementary) => {
                    "hidden so that a smaller group can't be worked out"
                }
                _ => "fewer people asked than the threshold",
            },
            invited: count(r.invited),
            bounced: count(r.bounced),
            responses: count(r.responses),
            rate: format::percent(r.rate),
            margin: r.margin_of_error.map_or(format::NONE.to_string(), |m| {
                format!("±{:.1} points", m * 100.0)
            }),
            needed: count(r.responses_needed),
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

/// The live response-rate monitor of a wave (not cached: it moves with every response).
#[get("/waves/{code}/rates")]
async fn rates_page(
    state: web::Data<AppState>,
    who: SignedIn,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let settings = state.settings.clone();
    let code = code.into_inner();
    let mut rates = state
        .run(move |conn| report::rates_report(conn, &settings, &code))
        .await?;
    let left_out = who
        .access
        .restrict_rates(&mut rates.report)
        .agencies_not_yours;
    let mut rows = vec![
        RateRow::of("All customers", &rates.report.customers),
        RateRow::of("IT staff", &rates.report.staff),
    ];
    rows.extend(
        rates
            .report
            .agencies
            .iter()
            .map(|a| RateRow::of(&a.agency, &a.rate)),
    );
    let body = RatesPage {
        nav: Nav::of(&who, Some(&rates.wave)),
        wave: rates.wave.clone(),
        threshold: rates.report.reporting_threshold,
        rows,
        left_out,
    };
    Ok(page(StatusCode::OK, &body)?)
}

#[derive(Template)]
#[template(path = "dashboard/agency.html")]
struct AgencyPage {
    nav: Nav,
    /// The agency's services: SLA against its customers' CSAT, as an inline SVG.
    scatter: String,
    wave: String,
    code: String,
    name: String,
    line_of_business: Option<String>,
    spend: String,
    brm: String,
    hidden: Option<&'static str>,
    respondents: u64,
    items: Vec<GapRow>,
    /// (service, SLA met, CSAT, finding)
    services: Vec<(String, String, String, &'static str)>,
    follow_ups: Vec<crate::store::follow_ups::FollowUp>,
    comments: Option<Vec<(String, String)>>,
    comment_threshold: u32,
}

#[derive(serde::Deserialize)]
struct WaveQuery {
    wave: Option<String>,
}

/// "Customer of one": one agency's gaps, SLA cells, spend, follow-ups and comments. Only
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
        return Err(crate::error::AppError::Forbidden(format!(
            "your role does not show agency {code}'s own figures"
        ))
        .into());
    }
    let wave = match query.into_inner().wave {
        Some(w) => w,
        None => {
            state
                .run(|conn| {
                    let waves = crate::store::waves::list(conn)?;
                    super::dashboard::default_wave(&waves).ok_or_else(|| {
                        crate::error::AppError::NotFound("any wave: create one first".into())
                    })
                })
                .await?
        }
    };
    let (gap, watermelons) = wave_reports(&state, &who, wave.clone()).await?;
    let threshold = state.settings.comment_threshold;
    let (agency, follow_ups, wave_id) = {
        let code = code.clone();
        let wave = wave.clone();
        state
            .run(move |conn| {
                let agency = crate::store::agencies::by_code(conn, &code)?;
                let wave = crate::store::waves::by_code(conn, &wave)?;
                let follow_ups = crate::store::follow_ups::for_agency(conn, wave.id, agency.id)?;
                Ok((agency, follow_ups, wave.id))
            })
            .await?
    };
    let group = gap
        .report
        .breakdowns
        .iter()
        .filter(|b| b.by == BreakdownBy::Agency)
        .flat_map(|b| &b.groups)
        .find(|g| g.group == code);
    let (hidden, respondents, items) = match group {
        Some(g) => match (&g.table, g.suppressed) {
            (Some(t), _) => (
                None,
                g.respondents.unwrap_or(0),
                t.items
                    .iter()
                    .map(|i| GapRow::of(&i.item, &i.dimension, &i.gap))
                    .collect(),
            ),
            (None, Some(crate::analysis::suppress::Suppression::Complementary)) => (
                Some("it is hidden so that a smaller agency's answers can't be worked out"),
                0,
                Vec::new(),
            ),
            (None, _) => (
                Some("fewer people answered than the reporting threshold"),
                0,
                Vec::new(),
            ),
        },
        None => (Some("nobody from this agency answered"), 0, Vec::new()),
    };
    // Comments need the (higher) comment threshold of respondents.
    let comments = if hidden.is_none() && respondents >= u64::from(threshold) {
        let agency_id = agency.id;
        Some(
            state
                .run(move |conn| crate::store::responses::agency_comments(conn, wave_id, agency_id))
                .await?,
        )
    } else {
        None
    };
    let services = watermelons
        .report
        .services
        .iter()
        .filter_map(|s| {
            let cell = s.agencies.iter().find(|a| a.agency == code)?;
            let sla = cell
                .watermelon
                .sla
                .attainment
                .map_or("no SLA figures".to_string(), |a| format::percent(Some(a)));
            let csat = match cell.suppressed {
                Some(_) => "suppressed".to_string(),
                None => format::percent(cell.watermelon.customers.csat),
            };
            Some((
                s.service.clone(),
                sla,
                csat,
                class_code(cell.watermelon.class).1,
            ))
        })
        .collect();
    let scatter = crate::charts::svg(
        &crate::charts::WatermelonScatter::agency(&watermelons.report, &code),
        &crate::charts::ChartOptions::new(format!("SLA against satisfaction at {code}, {wave}"))
            .size(960, 600),
    )?;
    let body = AgencyPage {
        nav: Nav::of(&who, Some(&wave)),
        scatter,
        wave,
        code: agency.code.clone(),
        name: agency.name.clone(),
        line_of_business: agency.line_of_business.clone(),
        spend: agency
            .annual_it_spend
            .map_or(format::NONE.to_string(), |s| {
                format!("${:.1} million", s / 1e6)
            }),
        brm: agency
            .brm_owner_email
            .clone()
            .unwrap_or_else(|| "none".into()),
        hidden,
        respondents,
        items,
        services,
        follow_ups,
        comments,
        comment_threshold: threshold,
    };
    Ok(page(StatusCode::OK, &body)?)
}

#[derive(Template)]
#[template(path = "dashboard/service.html")]
struct ServicePage {
    nav: Nav,
    wave: String,
    name: String,
    summary: String,
    /// (metric, for whom, target, actual, met)
    metrics: Vec<(String, String, String, String, &'static str)>,
    /// (agency, SLA met, CSAT, interval, finding)
    agencies: Vec<(String, String, String, String, &'static str)>,
}

/// One service: SLA against experience, overall and per agency the reader may see.
#[get("/waves/{code}/services/{service}")]
async fn service_page(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (wave, service) = path.into_inner();
    let (_, watermelons) = wave_reports(&state, &who, wave.clone()).await?;
    let (svc, metrics) = {
        let (wave, service) = (wave.clone(), service.clone());
        state
            .run(move |conn| {
                let svc = crate::store::services::by_code(conn, &service)?;
                let wave = crate::store::waves::by_code(conn, &wave)?;
                let metrics = crate::store::sla::for_service(conn, wave.id, svc.id)?;
                Ok((svc, metrics))
            })
            .await?
    };
    let row = watermelons
        .report
        .services
        .iter()
        .find(|s| s.service == service);
    let summary = match row {
        Some(s) => format!(
            "SLA met: {}. CSAT: {} {} (n = {}). {}.",
            format::percent(s.watermelon.sla.attainment),
            format::percent(s.watermelon.customers.csat),
            format::percent_interval(s.watermelon.customers.ci95),
            s.watermelon
                .customers
                .n
                .map_or(format::NONE.to_string(), |n| n.to_string()),
            class_code(s.watermelon.class).1
        ),
        None => "No SLA figures and no satisfaction item for this service.".to_string(),
    };
    // Per-agency SLA figures are shown only for agencies the reader may see.
    let metrics = metrics
        .into_iter()
        .filter(|(_, agency)| {
            agency
                .as_deref()
                .is_none_or(|a| who.access.may_see_agency(a))
        })
        .map(|(m, agency)| {
            (
                m.metric.clone(),
                agency.unwrap_or_else(|| "all agencies".into()),
                m.target.to_string(),
                m.actual.to_string(),
                if m.is_met() { "yes" } else { "no" },
            )
        })
        .collect();
    let agencies = row.map_or_else(Vec::new, |s| {
        s.agencies
            .iter()
            .map(|a| {
                let (csat, interval) = match a.suppressed {
                    Some(_) => ("suppressed".to_string(), format::NONE.to_string()),
                    None => (
                        format::percent(a.watermelon.customers.csat),
                        format::percent_interval(a.watermelon.customers.ci95),
                    ),
                };
                (
                    a.agency.clone(),
                    format::percent(a.watermelon.sla.attainment),
                    csat,
                    interval,
                    class_code(a.watermelon.class).1,
                )
            })
            .collect()
    });
    let body = ServicePage {
        nav: Nav::of(&who, Some(&wave)),
        wave,
        name: svc.name,
        summary,
        metrics,
        agencies,
    };
    Ok(page(StatusCode::OK, &body)?)
}
