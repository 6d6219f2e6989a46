//! The chart set of a wave, built in one place from its [`WaveView`]: the wave page shows
//! it and every report places it, so a chart reads the same wherever it is seen.

use super::WaveView;
use crate::analysis::trend::Trend;
use crate::charts::{
    self, AgencyHeatmap, AnswerBars, Chart, ChartOptions, GapDumbbell, IpaChart, Respondents,
    TrendChart, WatermelonScatter,
};
use crate::error::Result;

/// Charts are drawn this wide; pages and reports scale them.
pub const WIDTH: u32 = 960;

/// A chart ready to place: its title (also its caption) and its SVG.
#[derive(Debug, Clone)]
pub struct Figure {
    pub title: String,
    pub svg: String,
    pub width: u32,
    pub height: u32,
}

/// Draws `chart` as a figure titled `title`.
pub fn figure(chart: &impl Chart, title: String, width: u32, height: u32) -> Result<Figure> {
    let svg = charts::svg(chart, &ChartOptions::new(title.clone()).size(width, height))?;
    Ok(Figure {
        title,
        svg,
        width,
        height,
    })
}

/// The wave's charts, widest story first: how IT performs per item (what customers said
/// against what IT expected), what matters to agencies (importance, its own chart: never
/// a blind spot), services' SLA against satisfaction, importance against performance,
/// agencies × dimensions (when the view shows agencies), and satisfaction over the waves
/// when `trend` is given.
pub fn wave_figures(view: &WaveView, trend: Option<&Trend<'_>>) -> Result<Vec<Figure>> {
    let wave = view.code();
    let dumbbell = GapDumbbell::of_report(&view.gap, &view.items);
    let mut out = vec![figure(
        &dumbbell,
        format!("How IT performs: what customers said and what IT expected, {wave}"),
        WIDTH,
        dumbbell.suggested_height(),
    )?];
    let priorities = GapDumbbell::priorities(&view.gap, &view.items);
    if !priorities.is_empty() {
        out.push(figure(
            &priorities,
            format!("What matters to agencies: their answers and what IT expected, {wave}"),
            WIDTH,
            priorities.suggested_height(),
        )?);
    }
    out.push(figure(
        &WatermelonScatter::services(&view.watermelons, &view.names),
        format!("SLA against customer satisfaction, {wave}"),
        WIDTH,
        600,
    )?);
    let respondents = Respondents {
        customers: view.gap.customer_respondents,
        staff: view.gap.staff_respondents,
    };
    out.push(figure(
        &IpaChart::new(&view.ipa, respondents),
        format!("Importance and performance, {wave}"),
        WIDTH,
        600,
    )?);
    let shows_agencies = super::view::agency_groups(&view.gap).any(|g| g.table.is_some());
    if shows_agencies {
        let heatmap = AgencyHeatmap::new(&view.gap, &view.names);
        out.push(figure(
            &heatmap,
            format!("Gaps per agency and dimension, {wave}"),
            WIDTH,
            heatmap.suggested_height(),
        )?);
    }
    if let Some(trend) = trend {
        out.push(figure(
            &TrendChart::csat(trend),
            format!("Customer satisfaction per wave, up to {wave}"),
            WIDTH,
            500,
        )?);
    }
    Ok(out)
}

/// The answers to `items` (codes; every rating item when empty) as diverging bars, with
/// the table behind them; `None` when none of them was asked.
pub fn answer_figure(
    view: &WaveView,
    items: &[&str],
    title: String,
) -> Result<Option<(Figure, charts::DataTable)>> {
    let picked: Vec<charts::AnswerDistribution> = view
        .answers
        .iter()
        .filter(|d| items.is_empty() || items.contains(&d.item.as_str()))
        .cloned()
        .collect();
    if picked.is_empty() {
        return Ok(None);
    }
    let bars = AnswerBars::new(&picked, view.rules.reporting_threshold);
    let table = bars.table();
    let height = bars.suggested_height();
    Ok(Some((figure(&bars, title, WIDTH, height)?, table)))
}

/// SLA against satisfaction for one agency's services.
pub fn agency_figure(view: &WaveView, agency: &str) -> Result<Figure> {
    figure(
        &WatermelonScatter::agency(&view.watermelons, agency, &view.names),
        format!(
            "SLA against satisfaction at {}, {}",
            view.names.agency(agency),
            view.code()
        ),
        WIDTH,
        600,
    )
}
