//! The drill-down pages under a wave: one dimension (`/waves/{c}/dimensions/{d}`) and one
//! item (`/waves/{c}/items/{i}`). Each shows its gap row in plain words, the answers as
//! diverging stacked bars with the numbers behind them, and the same comparison per agency,
//! segment and team, with hidden groups named as suppressed. The gap report is cut to the
//! reader's role first, so viewers and BRMs see only what `Access` allows.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;

use super::AppState;
use super::auth::SignedIn;
use super::dashboard::{Nav, PageError, page};
use super::format;
use super::pages::{GapRow, verdict_code};
use crate::analysis::gap::{BreakdownBy, Gap, GapTable, Verdict};
use crate::analysis::suppress::Suppression;
use crate::charts::{self, AnswerBars, AnswerDistribution, ChartOptions, DataTable};
use crate::error::AppError;
use crate::report::{self, WaveGapReport};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(dimension_page).service(item_page);
}

/// The answer distributions of every rating item of a wave (cached with the data), cut
/// to the reporting threshold.
pub async fn distributions(
    state: &web::Data<AppState>,
    wave: String,
) -> Result<Arc<Vec<AnswerDistribution>>, PageError> {
    let cache = state.reports.clone();
    let threshold = u64::from(state.settings.reporting_threshold);
    Ok(state
        .run(move |conn| {
            cache.get(conn, &format!("answers/{wave}"), |conn| {
                let context = report::wave_context(conn, &wave)?;
                let data =
                    crate::store::responses::load_wave(conn, context.wave.id, context.items.len())?;
                Ok(charts::answer_distributions(
                    &context.items,
                    &data,
                    threshold,
                ))
            })
        })
        .await?)
}

/// The gap of one row, said in a sentence a non-statistician can read.
pub fn in_words(gap: &Gap, threshold: u64) -> String {
    let Some(difference) = gap.gap else {
        return format!(
            "Not enough answers to compare: each side needs at least {threshold} answers."
        );
    };
    let size = format::decimal(Some(difference.abs()), 2);
    let direction = if difference > 0.0 {
        format!("IT staff expected {size} points more than customers said")
    } else if difference < 0.0 {
        format!("IT staff expected {size} points less than customers said")
    } else {
        "IT staff expected exactly what customers said".to_string()
    };
    let interval = match gap.gap_ci95 {
        Some(ci) => format!(
            " The true gap is likely between {} and {} (95% interval).",
            format::signed(Some(ci.lower), 2),
            format::signed(Some(ci.upper), 2)
        ),
        None => String::new(),
    };
    let test = match gap.q {
        Some(q) if q < 0.05 => format!(
            " A difference this large is unlikely to be chance (q {}).",
            format::p_value(Some(q))
        ),
        Some(q) => format!(
            " A difference this size could well be chance (q {}).",
            format::p_value(Some(q))
        ),
        None => String::new(),
    };
    let verdict = match gap.verdict {
        Verdict::BlindSpot => {
            " Verdict: a blind spot — IT thinks it does better than customers feel."
        }
        Verdict::HiddenStrength => {
            " Verdict: a hidden strength — customers rate IT higher than IT expects."
        }
        Verdict::Aligned => " Verdict: aligned — no material, significant difference.",
        Verdict::InsufficientData => " Verdict: too few answers.",
    };
    format!("{direction}.{interval}{test}{verdict}")
}

/// One side's figures as a table row: (who, n, mean, sd, 95% interval).
pub struct SideRow {
    pub who: &'static str,
    pub n: String,
    pub mean: String,
    pub sd: String,
    pub interval: String,
}

fn side_rows(gap: &Gap) -> Vec<SideRow> {
    [
        ("Customers said", gap.customer),
        ("Staff expected", gap.staff),
    ]
    .into_iter()
    .map(|(who, s)| SideRow {
        who,
        n: s.n.map_or(format::NONE.to_string(), |n| n.to_string()),
        mean: format::decimal(s.mean, 2),
        sd: format::decimal(s.sd, 2),
        interval: format::interval(s.ci95, 2),
    })
    .collect()
}

/// The tests behind a gap, as (measure, value) in words.
fn tests_of(gap: &Gap) -> Vec<(&'static str, String)> {
    vec![
        ("Gap (staff − customers)", format::signed(gap.gap, 2)),
        ("95% interval of the gap", format::interval(gap.gap_ci95, 2)),
        (
            "Welch t-test: t, df, p",
            gap.welch.map_or(format::NONE.to_string(), |w| {
                format!(
                    "{}, {}, {}",
                    format::signed(w.t, 2),
                    format::decimal(w.df, 1),
                    format::p_value(w.p)
                )
            }),
        ),
        (
            "Mann-Whitney: U, p",
            gap.mann_whitney.map_or(format::NONE.to_string(), |m| {
                format!("{}, {}", format::decimal(m.u, 1), format::p_value(m.p))
            }),
        ),
        ("Hedges' g", format::signed(gap.hedges_g, 2)),
        ("Cliff's delta", format::signed(gap.cliffs_delta, 2)),
        (
            "q (Benjamini-Hochberg, across this table)",
            format::p_value(gap.q),
        ),
    ]
}

/// One group of a breakdown: shown figures, or why it is hidden.
pub struct GroupRow {
    pub by: &'static str,
    pub group: String,
    pub respondents: String,
    /// `Some(reason)` when the group or its cell is suppressed.
    pub suppressed: Option<String>,
    pub row: Option<GapRow>,
    /// A link to the agency's page, when it is an agency the reader may open.
    pub agency_link: bool,
}

fn by_label(by: BreakdownBy) -> &'static str {
    match by {
        BreakdownBy::Agency => "Agency",
        BreakdownBy::Segment => "Customer segment",
        BreakdownBy::Team => "Staff team",
    }
}

/// The rows of every breakdown for one item or dimension, found in each group's table
/// by `pick`.
fn breakdown_rows(
    gap: &WaveGapReport,
    who: &SignedIn,
    name: &str,
    pick: impl Fn(&GapTable) -> Option<&Gap>,
) -> Vec<GroupRow> {
    let threshold = gap.report.reporting_threshold;
    let reason = |s: Suppression| crate::charts::text::suppression_label(s, threshold);
    let mut rows = Vec::new();
    for breakdown in &gap.report.breakdowns {
        for g in &breakdown.groups {
            let (suppressed, row) = match (&g.table, g.suppressed) {
                (None, s) => (Some(reason(s.unwrap_or(Suppression::BelowThreshold))), None),
                (Some(table), _) => match pick(table) {
                    None => (Some("Not asked in this group".to_string()), None),
                    Some(cell) => match cell.suppressed {
                        Some(s) => (Some(reason(s)), None),
                        None => (None, Some(GapRow::of(name, "", cell))),
                    },
                },
            };
            rows.push(GroupRow {
                by: by_label(breakdown.by),
                group: g.group.clone(),
                respondents: g
                    .respondents
                    .map_or(format::NONE.to_string(), |n| n.to_string()),
                suppressed,
                row,
                agency_link: breakdown.by == BreakdownBy::Agency
                    && g.table.is_some()
                    && who.access.may_see_agency(&g.group),
            });
        }
    }
    rows
}

/// The answer bars of `items`, as an inline SVG and the table behind it.
fn answer_chart(
    all: &[AnswerDistribution],
    items: &[&str],
    threshold: u64,
    title: String,
) -> crate::error::Result<Option<(String, DataTable)>> {
    use crate::charts::Chart;
    let picked: Vec<AnswerDistribution> = all
        .iter()
        .filter(|d| items.contains(&d.item.as_str()))
        .cloned()
        .collect();
    if picked.is_empty() {
        return Ok(None);
    }
    let bars = AnswerBars::new(&picked, threshold);
    let svg = charts::svg(
        &bars,
        &ChartOptions::new(title).size(960, bars.suggested_height()),
    )?;
    Ok(Some((svg, bars.table())))
}

#[derive(Template)]
#[template(path = "dashboard/drill.html")]
struct DrillPage {
    nav: Nav,
    wave: String,
    /// "Item" or "Dimension".
    kind: &'static str,
    name: String,
    dimension: String,
    threshold: u64,
    verdict: &'static str,
    verdict_text: &'static str,
    words: String,
    sides: Vec<SideRow>,
    tests: Vec<(&'static str, String)>,
    chart: Option<(String, DataTable)>,
    /// The items of a dimension, each with its gap row (dimension pages only).
    items: Vec<GapRow>,
    groups: Vec<GroupRow>,
    /// Agencies the reader's role leaves out of the breakdown.
    agencies_not_yours: usize,
    viewer: bool,
}

/// The gap report for a drill-down, cut to the reader's role, with how many agency
/// groups the role left out.
async fn restricted_report(
    state: &web::Data<AppState>,
    who: &SignedIn,
    code: String,
) -> Result<(WaveGapReport, usize), PageError> {
    let settings = state.settings.clone();
    let cache = state.reports.clone();
    let full = state
        .run(move |conn| {
            cache.get(conn, &format!("gap/{code}"), |conn| {
                report::gap_report(conn, &settings, &code)
            })
        })
        .await?;
    let mut gap = (*full).clone();
    let left_out = who.access.restrict_gap(&mut gap.report).agencies_not_yours;
    Ok((gap, left_out))
}

#[get("/waves/{code}/items/{item}")]
async fn item_page(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (wave, item) = path.into_inner();
    let (gap, agencies_not_yours) = restricted_report(&state, &who, wave).await?;
    let Some(row) = gap.report.items.iter().find(|i| i.item == item) else {
        return Err(AppError::NotFound(format!("item {item} in wave {}", gap.wave)).into());
    };
    let threshold = gap.report.reporting_threshold;
    let all = distributions(&state, gap.wave.clone()).await?;
    let chart = {
        let title = format!("Answers to {item}, {}", gap.wave);
        let item = item.clone();
        web::block(move || answer_chart(&all, &[item.as_str()], threshold, title))
            .await
            .map_err(AppError::from)??
    };
    let groups = breakdown_rows(&gap, &who, &item, |t| {
        t.items.iter().find(|i| i.item == item).map(|i| &i.gap)
    });
    let body = DrillPage {
        nav: Nav::of(&who, Some(&gap.wave)),
        wave: gap.wave.clone(),
        kind: "Item",
        name: row.item.clone(),
        dimension: row.dimension.clone(),
        threshold,
        verdict: verdict_code(row.gap.verdict),
        verdict_text: crate::charts::text::verdict_label(row.gap.verdict),
        words: in_words(&row.gap, threshold),
        sides: side_rows(&row.gap),
        tests: tests_of(&row.gap),
        chart,
        items: Vec::new(),
        groups,
        agencies_not_yours,
        viewer: who.role() == crate::domain::Role::Viewer,
    };
    Ok(page(StatusCode::OK, &body)?)
}

#[get("/waves/{code}/dimensions/{dimension}")]
async fn dimension_page(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (wave, dimension) = path.into_inner();
    let (gap, agencies_not_yours) = restricted_report(&state, &who, wave).await?;
    let Some(row) = gap
        .report
        .dimensions
        .iter()
        .find(|d| d.dimension == dimension)
    else {
        return Err(
            AppError::NotFound(format!("dimension {dimension} in wave {}", gap.wave)).into(),
        );
    };
    let threshold = gap.report.reporting_threshold;
    let items: Vec<GapRow> = gap
        .report
        .items
        .iter()
        .filter(|i| i.dimension == dimension)
        .map(|i| GapRow::of(&i.item, &i.dimension, &i.gap))
        .collect();
    let all = distributions(&state, gap.wave.clone()).await?;
    let chart = {
        let title = format!("Answers to the {dimension} items, {}", gap.wave);
        let codes: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
        web::block(move || {
            let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
            answer_chart(&all, &codes, threshold, title)
        })
        .await
        .map_err(AppError::from)??
    };
    let groups = breakdown_rows(&gap, &who, &dimension, |t| {
        t.dimensions
            .iter()
            .find(|d| d.dimension == dimension)
            .map(|d| &d.gap)
    });
    let body = DrillPage {
        nav: Nav::of(&who, Some(&gap.wave)),
        wave: gap.wave.clone(),
        kind: "Dimension",
        name: row.dimension.clone(),
        dimension: row.dimension.clone(),
        threshold,
        verdict: verdict_code(row.gap.verdict),
        verdict_text: crate::charts::text::verdict_label(row.gap.verdict),
        words: in_words(&row.gap, threshold),
        sides: side_rows(&row.gap),
        tests: tests_of(&row.gap),
        chart,
        items,
        groups,
        agencies_not_yours,
        viewer: who.role() == crate::domain::Role::Viewer,
    };
    Ok(page(StatusCode::OK, &body)?)
}
