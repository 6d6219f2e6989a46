//! The overview a CIO office opens every week: the headline measures of a wave, its
//! response rate, how many blind spots, hidden strengths and watermelons it has, the
//! biggest blind spots, and how well staff have predicted customers over the waves.

use serde::Serialize;

use super::{TrendInput, gap_report, trend_input, watermelon_report};
use crate::analysis::calibration::Calibration;
use crate::analysis::gap::{ItemGap, Verdict};
use crate::analysis::measures::Headline;
use crate::analysis::rates::ResponseRate;
use crate::analysis::trend::Change;
use crate::analysis::watermelon::WatermelonClass;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::error::Result;

/// Blind spots listed on the overview.
const TOP: usize = 5;

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub wave: String,
    pub baseline: Option<String>,
    pub customers: Headline,
    /// What staff predicted.
    pub staff: Headline,
    pub csat_change: Option<Change>,
    pub customer_rate: ResponseRate,
    pub staff_rate: ResponseRate,
    pub customer_respondents: u64,
    pub staff_respondents: u64,
    pub blind_spots: usize,
    pub hidden_strengths: usize,
    pub watermelons: Vec<String>,
    pub reverse_watermelons: Vec<String>,
    /// The largest blind spots of the overall table, largest gap first.
    pub top_blind_spots: Vec<ItemGap>,
    /// Calibration per wave, oldest first.
    pub calibration: Vec<(String, Calibration)>,
    /// CSAT per wave, customers against staff, as an inline SVG chart.
    pub csat_trend_svg: String,
}

/// The overview of `wave_code`.
pub fn overview(conn: &mut DbConnection, settings: &Settings, wave_code: &str) -> Result<Overview> {
    let trend: TrendInput = trend_input(conn, settings, wave_code)?;
    let trend = trend.report(settings);
    let csat_trend_svg = crate::charts::svg(
        &crate::charts::TrendChart::csat(&trend.trend),
        &crate::charts::ChartOptions::new(format!(
            "Customer satisfaction over the waves, to {wave_code}"
        ))
        .size(960, 440),
    )?;
    let gap = gap_report(conn, settings, wave_code)?;
    let watermelons = watermelon_report(conn, settings, wave_code)?;
    let now = trend.trend.waves.last();
    let count = |verdict: Verdict| {
        gap.report
            .items
            .iter()
            .filter(|i| i.gap.verdict == verdict)
            .count()
    };
    let mut top: Vec<ItemGap> = gap
        .report
        .items
        .iter()
        .filter(|i| i.gap.verdict == Verdict::BlindSpot)
        .cloned()
        .collect();
    top.sort_by(|a, b| {
        b.gap
            .gap
            .unwrap_or(0.0)
            .total_cmp(&a.gap.gap.unwrap_or(0.0))
    });
    top.truncate(TOP);
    let services = |class: WatermelonClass| {
        watermelons
            .report
            .services
            .iter()
            .filter(|s| s.watermelon.class == class)
            .map(|s| s.service.clone())
            .collect::<Vec<_>>()
    };
    Ok(Overview {
        wave: gap.wave.clone(),
        baseline: trend.trend.baseline.map(str::to_string),
        customers: gap.measures.customers,
        staff: gap.measures.staff,
        csat_change: now.and_then(|w| w.csat_change),
        customer_rate: now.map_or_else(empty_rate, |w| w.customer_response_rate),
        staff_rate: now.map_or_else(empty_rate, |w| w.staff_response_rate),
        customer_respondents: gap.report.customer_respondents,
        staff_respondents: gap.report.staff_respondents,
        blind_spots: count(Verdict::BlindSpot),
        hidden_strengths: count(Verdict::HiddenStrength),
        watermelons: services(WatermelonClass::Watermelon),
        reverse_watermelons: services(WatermelonClass::ReverseWatermelon),
        top_blind_spots: top,
        calibration: trend
            .trend
            .waves
            .iter()
            .map(|w| (w.wave.clone(), w.calibration))
            .collect(),
        csat_trend_svg,
    })
}

fn empty_rate() -> ResponseRate {
    crate::analysis::rates::response_rate(&Default::default())
}
