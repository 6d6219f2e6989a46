//! The overview a CIO office opens every week: the headline measures of a wave, its
//! response rate, how many blind spots, hidden strengths and watermelons it has, the
//! biggest blind spots, what IT misjudges about what matters to agencies, and how well
//! staff have predicted customers over the waves. Built from the wave's [`WaveView`] and
//! its trend, with no I/O.

use serde::Serialize;

use super::{TrendInput, WaveView};
use crate::analysis::calibration::Calibration;
use crate::analysis::gap::{ItemGap, Verdict};
use crate::analysis::measures::Headline;
use crate::analysis::rates::ResponseRate;
use crate::analysis::trend::Change;
use crate::analysis::watermelon::WatermelonClass;
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
    /// Items about how IT performs where IT rates itself clearly higher than customers do.
    pub blind_spots: usize,
    pub hidden_strengths: usize,
    /// Importance items where it matters more to customers than IT thinks, largest first.
    pub underestimated_priorities: Vec<ItemGap>,
    /// Importance items IT thinks matter more than customers say, largest first.
    pub overestimated_priorities: Vec<ItemGap>,
    /// Names of the watermelon services (SLA met, customers unhappy).
    pub watermelons: Vec<String>,
    pub reverse_watermelons: Vec<String>,
    /// The largest blind spots of the overall table, largest gap (as a share of each
    /// item's scale) first.
    pub top_blind_spots: Vec<ItemGap>,
    /// Calibration per wave, oldest first.
    pub calibration: Vec<(String, Calibration)>,
    /// CSAT per wave, customers against staff, as an inline SVG chart.
    pub csat_trend_svg: String,
}

/// The overview of `view`'s wave, with `trend` the waves up to it.
pub fn overview(view: &WaveView, trend: &TrendInput) -> Result<Overview> {
    let trend = trend.report(view.rules.reporting_threshold);
    let csat_trend_svg = crate::charts::svg(
        &crate::charts::TrendChart::csat(&trend.trend),
        &crate::charts::ChartOptions::new(format!(
            "Customer satisfaction over the waves, to {}",
            view.code()
        ))
        .size(960, 440),
    )?;
    let now = trend.trend.waves.last();
    let count = |verdict: Verdict| {
        view.gap
            .items
            .iter()
            .filter(|i| i.gap.verdict == verdict)
            .count()
    };
    let listed = |verdict: Verdict| -> Vec<ItemGap> {
        super::view::ranked(&view.gap.items, &[verdict])
            .into_iter()
            .cloned()
            .collect()
    };
    let mut top = listed(Verdict::BlindSpot);
    top.truncate(TOP);
    let services = |class: WatermelonClass| {
        view.watermelons
            .services
            .iter()
            .filter(|s| s.watermelon.class == class)
            .map(|s| view.names.service(&s.service))
            .collect::<Vec<_>>()
    };
    Ok(Overview {
        wave: view.code().to_string(),
        baseline: trend.trend.baseline.map(str::to_string),
        customers: view.measures.customers,
        staff: view.measures.staff,
        csat_change: now.and_then(|w| w.csat_change),
        customer_rate: now.map_or_else(empty_rate, |w| w.customer_response_rate),
        staff_rate: now.map_or_else(empty_rate, |w| w.staff_response_rate),
        customer_respondents: view.gap.customer_respondents,
        staff_respondents: view.gap.staff_respondents,
        blind_spots: count(Verdict::BlindSpot),
        hidden_strengths: count(Verdict::HiddenStrength),
        underestimated_priorities: listed(Verdict::UnderestimatedPriority),
        overestimated_priorities: listed(Verdict::OverestimatedPriority),
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
