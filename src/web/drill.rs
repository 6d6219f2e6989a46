//! The drill-down pages under a wave: one dimension (`/waves/{c}/dimensions/{d}`) and one
//! item (`/waves/{c}/items/{i}`). Each shows its gap in plain words, the answers as
//! diverging stacked bars with the numbers behind them, and the same comparison per agency,
//! segment and team, with hidden groups named as suppressed. The wave's view is cut to the
//! reader's role first, so viewers and BRMs see only what `Access` allows.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;

use super::AppState;
use super::auth::SignedIn;
use super::dashboard::{Nav, PageError, page};
use super::off_thread;
use super::rows::{self, GapRow, GroupRow};
use crate::analysis::gap::{Gap, GapTable};
use crate::charts::DataTable;
use crate::domain::{Role, Scale};
use crate::error::AppError;
use crate::report::WaveView;
use crate::report::figures;
use crate::words;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(dimension_page).service(item_page);
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
        n: words::count(s.n),
        mean: words::number(s.mean, 2),
        sd: words::number(s.sd, 2),
        interval: words::interval(s.ci95, 2),
    })
    .collect()
}

/// The tests behind a gap, as (measure, value) in words.
fn tests_of(gap: &Gap) -> Vec<(&'static str, String)> {
    vec![
        ("Gap (staff − customers)", words::signed(gap.gap, 2)),
        ("95% interval of the gap", words::interval(gap.gap_ci95, 2)),
        (
            "Welch t-test: t, df, p",
            gap.welch.map_or(words::NONE.to_string(), |w| {
                format!(
                    "{}, {}, {}",
                    words::signed(w.t, 2),
                    words::number(w.df, 1),
                    words::p_value(w.p)
                )
            }),
        ),
        (
            "Mann-Whitney: U, p",
            gap.mann_whitney.map_or(words::NONE.to_string(), |m| {
                format!("{}, {}", words::number(m.u, 1), words::p_value(m.p))
            }),
        ),
        ("Hedges' g", words::signed(gap.hedges_g, 2)),
        ("Cliff's delta", words::signed(gap.cliffs_delta, 2)),
        (
            "q (Benjamini-Hochberg, across this table)",
            words::p_value(gap.q),
        ),
    ]
}

#[derive(Template)]
#[template(path = "dashboard/drill.html")]
struct DrillPage {
    nav: Nav,
    wave: String,
    /// "Question" or "Dimension".
    kind: &'static str,
    name: String,
    /// The statement customers answered (items only).
    wording: Option<String>,
    scale: String,
    dimension: String,
    dimension_code: String,
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

/// Finds a drill-down's row in one group's table.
type Pick<'a> = Box<dyn Fn(&GapTable) -> Option<&Gap> + 'a>;

/// What one drill-down is about: its row of the overall table, and how to find it in
/// each group's table.
struct Subject<'a> {
    kind: &'static str,
    name: String,
    wording: Option<String>,
    scale: Scale,
    dimension: &'a str,
    gap: &'a Gap,
    pick: Pick<'a>,
}

impl DrillPage {
    fn of(
        view: &WaveView,
        who: &SignedIn,
        subject: Subject<'_>,
        chart: Option<(String, DataTable)>,
    ) -> DrillPage {
        let gap = subject.gap;
        let items = if subject.kind == "Dimension" {
            rows::performance_rows(
                &view
                    .gap
                    .items
                    .iter()
                    .filter(|i| i.dimension == subject.dimension)
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        } else {
            Vec::new()
        };
        DrillPage {
            nav: Nav::of(who, Some(view.code())),
            wave: view.code().to_string(),
            kind: subject.kind,
            words: words::gap_in_words(&subject.name, gap, subject.scale, &view.rules.words()),
            name: subject.name,
            wording: subject.wording,
            scale: words::scale_words(subject.scale),
            dimension: words::dimension_name(subject.dimension),
            dimension_code: subject.dimension.to_string(),
            threshold: view.rules.reporting_threshold,
            verdict: words::verdict_code(gap.verdict),
            verdict_text: words::verdict_label(gap.verdict),
            sides: side_rows(gap),
            tests: tests_of(gap),
            chart,
            items,
            groups: rows::breakdown_rows(view, |a| who.access.may_see_agency(a), subject.pick),
            agencies_not_yours: view.agencies_not_yours,
            viewer: who.role() == Role::Viewer,
        }
    }
}

/// The answer bars of `codes`, drawn off the async workers.
async fn answers(
    view: WaveView,
    codes: Vec<String>,
    title: String,
) -> Result<(WaveView, Option<(String, DataTable)>), PageError> {
    Ok(off_thread(move || {
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        let chart = figures::answer_figure(&view, &codes, title)?.map(|(f, t)| (f.svg, t));
        Ok((view, chart))
    })
    .await?)
}

#[get("/waves/{code}/items/{item}")]
async fn item_page(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (wave, item) = path.into_inner();
    let view = state.view(&who.access, wave).await?;
    let Some(label) = view
        .gap
        .items
        .iter()
        .find(|i| i.item == item)
        .map(|i| i.label.clone())
    else {
        return Err(AppError::NotFound(format!("question {item} in wave {}", view.code())).into());
    };
    let title = format!("Answers to “{label}”, {}", view.code());
    let (view, chart) = answers(view, vec![item.clone()], title).await?;
    let Some(row) = view.gap.items.iter().find(|i| i.item == item) else {
        return Err(AppError::NotFound(format!("question {item}")).into());
    };
    let subject = Subject {
        kind: "Question",
        name: row.label.clone(),
        wording: Some(row.wording.clone()),
        scale: row.scale,
        dimension: &row.dimension,
        gap: &row.gap,
        pick: Box::new(|t: &GapTable| t.items.iter().find(|i| i.item == item).map(|i| &i.gap)),
    };
    Ok(page(
        StatusCode::OK,
        &DrillPage::of(&view, &who, subject, chart),
    )?)
}

#[get("/waves/{code}/dimensions/{dimension}")]
async fn dimension_page(
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (wave, dimension) = path.into_inner();
    let view = state.view(&who.access, wave).await?;
    if !view.gap.dimensions.iter().any(|d| d.dimension == dimension) {
        return Err(
            AppError::NotFound(format!("dimension {dimension} in wave {}", view.code())).into(),
        );
    }
    let codes: Vec<String> = view
        .gap
        .items
        .iter()
        .filter(|i| i.dimension == dimension && i.scale != Scale::Importance5)
        .map(|i| i.item.clone())
        .collect();
    let title = format!(
        "Answers to the {} questions, {}",
        words::dimension_name(&dimension),
        view.code()
    );
    let (view, chart) = answers(view, codes, title).await?;
    let Some(row) = view
        .gap
        .dimensions
        .iter()
        .find(|d| d.dimension == dimension)
    else {
        return Err(AppError::NotFound(format!("dimension {dimension}")).into());
    };
    let subject = Subject {
        kind: "Dimension",
        name: words::dimension_name(&dimension),
        wording: None,
        scale: Scale::Likert5,
        dimension: &row.dimension,
        gap: &row.gap,
        pick: Box::new(|t: &GapTable| {
            t.dimensions
                .iter()
                .find(|d| d.dimension == dimension)
                .map(|d| &d.gap)
        }),
    };
    Ok(page(
        StatusCode::OK,
        &DrillPage::of(&view, &who, subject, chart),
    )?)
}
