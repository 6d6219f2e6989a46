//! Watermelons: services whose SLA figures are green while their customers are red.
//!
//! Per service (and per agency × service): SLA attainment — the share of its metrics met —
//! against CSAT on the service's satisfaction item, with a Wilson interval so that a few
//! unhappy answers don't make a watermelon on their own (DESIGN.md, "Watermelon").

use serde::Serialize;

use super::stats::{Confidence, Interval, wilson_interval};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WatermelonClass {
    /// SLA attainment at or above target, and even CSAT's upper bound below the red line.
    Watermelon,
    /// SLA attainment below target, yet CSAT's lower bound at or above the green line.
    ReverseWatermelon,
    /// What the SLA figures say and what customers say agree (or the evidence is unclear).
    Consistent,
    /// No SLA metric, or fewer customer answers than the reporting threshold.
    InsufficientData,
}

/// The lines a service is judged against (settings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WatermelonRules {
    /// Share of metrics met at which the SLA side is green, e.g. 0.95.
    pub sla_target: f64,
    /// CSAT below which customers are red, e.g. 0.60.
    pub red_line: f64,
    /// CSAT at or above which customers are green, e.g. 0.80.
    pub green_line: f64,
    /// Fewest customer answers for a verdict.
    pub reporting_threshold: usize,
}

/// The SLA side: how many of the service's metrics were met.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SlaSide {
    pub metrics: usize,
    pub met: usize,
    /// `met / metrics`; `None` with no metrics.
    pub attainment: Option<f64>,
}

/// The customer side: CSAT on the service's satisfaction item. Figures are `None` (not
/// shown) below the reporting threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CsatSide {
    pub n: Option<u64>,
    pub csat: Option<f64>,
    pub ci95: Option<Interval>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Watermelon {
    pub sla: SlaSide,
    pub customers: CsatSide,
    pub class: WatermelonClass,
}

/// Judges one service (or agency × service cell) from its metric counts and the number of
/// satisfied (4–5) answers out of `answered`.
pub fn judge(
    rules: &WatermelonRules,
    metrics: usize,
    met: usize,
    satisfied: u64,
    answered: u64,
) -> Watermelon {
    let sla = SlaSide {
        metrics,
        met,
        attainment: (metrics > 0).then(|| met as f64 / metrics as f64),
    };
    let enough = answered >= rules.reporting_threshold as u64 && answered > 0;
    let ci95 = if enough {
        wilson_interval(satisfied, answered, Confidence::NINETY_FIVE)
    } else {
        None
    };
    let customers = CsatSide {
        n: enough.then_some(answered),
        csat: enough.then(|| satisfied as f64 / answered as f64),
        ci95,
    };
    let class = match (sla.attainment, ci95) {
        (Some(attainment), Some(ci)) => {
            if attainment >= rules.sla_target && ci.upper < rules.red_line {
                WatermelonClass::Watermelon
            } else if attainment < rules.sla_target && ci.lower >= rules.green_line {
                WatermelonClass::ReverseWatermelon
            } else {
                WatermelonClass::Consistent
            }
        }
        _ => WatermelonClass::InsufficientData,
    };
    Watermelon {
        sla,
        customers,
        class,
    }
}

#[cfg(test)]
mod tests {
    use super::WatermelonClass::*;
    use super::*;

    const RULES: WatermelonRules = WatermelonRules {
        sla_target: 0.95,
        red_line: 0.60,
        green_line: 0.80,
        reporting_threshold: 5,
    };

    #[test]
    fn table() {
        // (metrics, met, satisfied, answered, class)
        let cases = [
            // All SLAs met, 20 of 100 satisfied (upper bound ≈ 0.29): watermelon.
            (3, 3, 20, 100, Watermelon),
            // All met, 55 of 100 satisfied: CSAT below the line but the interval reaches it.
            (3, 3, 55, 100, Consistent),
            // All met, customers happy: consistent green.
            (3, 3, 90, 100, Consistent),
            // One of two missed (50%), 95 of 100 satisfied (lower ≈ 0.89): reverse watermelon.
            (2, 1, 95, 100, ReverseWatermelon),
            // Missed and unhappy: consistent red.
            (2, 1, 20, 100, Consistent),
            // Missed, and 9 of 10 satisfied: lower bound ≈ 0.60, not enough for green.
            (2, 1, 9, 10, Consistent),
            // 19 of 20 metrics met is exactly the 95% target: green SLA.
            (20, 19, 10, 100, Watermelon),
            // No SLA metrics, or too few answers.
            (0, 0, 20, 100, InsufficientData),
            (3, 3, 0, 4, InsufficientData),
            (3, 3, 0, 0, InsufficientData),
        ];
        for (metrics, met, satisfied, answered, class) in cases {
            let w = judge(&RULES, metrics, met, satisfied, answered);
            assert_eq!(
                w.class, class,
                "{metrics} metrics, {met} met, {satisfied}/{answered} satisfied: {w:?}"
            );
        }
    }

    #[test]
    fn small_groups_show_no_customer_figures() {
        let w = judge(&RULES, 2, 2, 1, 4);
        assert_eq!(w.customers.n, None);
        assert_eq!(w.customers.csat, None);
        assert_eq!(w.customers.ci95, None);
        assert_eq!(w.sla.attainment, Some(1.0));
    }
}
