//! Trend: every measure per wave of one instrument, and the change of each against the
//! baseline wave (DESIGN.md, "Trend"; METHODS.md §4.10).
//!
//! Waves are independent cross-sections (responses are not linked to people), so a change
//! in a mean is tested with Welch's t-test and a change in CSAT with the Newcombe interval
//! and the two-proportion z-test. Items are matched across waves by code, so a new version
//! of the instrument keeps its series as long as the codes stay. A change is only given
//! when both waves show the figure (the reporting threshold holds in both), and changes of
//! the items of one audience form one Benjamini–Hochberg family per wave.

use serde::Serialize;

use super::calibration::{Calibration, calibration};
use super::gap::{self, Gap, GapRules, ItemInfo, Overall, SideMoments};
use super::measures::{Headline, HeadlineItems};
use super::rates::ResponseRate;
use super::responses::WaveResponses;
use super::stats::{
    Confidence, Interval, Moments, ProportionDifference, benjamini_hochberg, proportion_difference,
    welch,
};

/// What one wave contributes to a trend, computed from its responses alone (see
/// [`snapshot`]), so that a trend over many waves never holds more than one wave's
/// responses at a time.
#[derive(Debug, Clone)]
pub struct WaveSnapshot {
    pub wave: String,
    pub baseline: bool,
    pub customer_respondents: u64,
    pub staff_respondents: u64,
    pub overall: Overall,
    pub headline: (Headline, Headline),
    pub calibration: Calibration,
    /// Response rates of customers and staff.
    pub rates: (ResponseRate, ResponseRate),
}

/// The snapshot of one wave from its responses and response rates.
pub fn snapshot(
    wave: &str,
    baseline: bool,
    items: &[ItemInfo],
    data: &WaveResponses,
    rates: (ResponseRate, ResponseRate),
    rules: &GapRules,
) -> WaveSnapshot {
    let overall = gap::overall(items, data, rules);
    let headline_items = HeadlineItems::of(items);
    let threshold = rules.reporting_threshold;
    let scale_of = |code: &str| items.iter().find(|i| i.code == code).map(|i| i.scale);
    let calibration = calibration(
        overall
            .table
            .items
            .iter()
            .filter_map(|i| Some((i, scale_of(&i.item)?))),
    );
    WaveSnapshot {
        wave: wave.to_string(),
        baseline,
        customer_respondents: data.customers.len() as u64,
        staff_respondents: data.staff.len() as u64,
        headline: (
            Headline::of(&data.customers, &headline_items, threshold),
            Headline::of(&data.staff, &headline_items, threshold),
        ),
        calibration,
        rates,
        overall,
    }
}

/// A change against the baseline: this wave − baseline, with its interval and test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    pub difference: Option<f64>,
    pub ci95: Option<Interval>,
    /// Two-sided p-value (Welch for means, two-proportion z for CSAT).
    pub p: Option<f64>,
    /// Benjamini–Hochberg q among the same audience's item changes of the wave.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<f64>,
}

impl Change {
    fn of_means(now: &Moments, baseline: &Moments) -> Change {
        let t = welch(now, baseline, Confidence::NINETY_FIVE);
        Change {
            difference: t.mean_difference,
            ci95: t.ci,
            p: t.p,
            q: None,
        }
    }

    fn of_shares(d: ProportionDifference) -> Change {
        Change {
            difference: d.difference,
            ci95: d.ci,
            p: d.p,
            q: None,
        }
    }
}

/// One wave's headline figures and their changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendWave {
    pub wave: String,
    pub baseline: bool,
    pub customer_respondents: u64,
    pub staff_respondents: u64,
    pub customer_response_rate: ResponseRate,
    pub staff_response_rate: ResponseRate,
    pub customers: Headline,
    /// What staff predicted.
    pub staff: Headline,
    pub calibration: Calibration,
    /// Change of the customers' CSAT against the baseline.
    pub csat_change: Option<Change>,
}

/// One item (or dimension) in one wave.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PointInWave<'a> {
    pub wave: &'a str,
    #[serde(flatten)]
    pub gap: &'a Gap,
    pub customer_change: Option<Change>,
    pub staff_change: Option<Change>,
}

/// One item's or dimension's series, oldest wave first; waves without the row are absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series<'a> {
    /// Item code or dimension name.
    pub name: &'a str,
    pub waves: Vec<PointInWave<'a>>,
}

/// The trend of an instrument across waves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend<'a> {
    /// The wave changes are measured against: the one marked as baseline, or the oldest.
    pub baseline: Option<&'a str>,
    pub waves: Vec<TrendWave>,
    pub items: Vec<Series<'a>>,
    pub dimensions: Vec<Series<'a>>,
}

/// The trend of `waves`, oldest first.
pub fn trend(waves: &[WaveSnapshot]) -> Trend<'_> {
    let baseline = waves.iter().find(|w| w.baseline).or(waves.first());
    let shown = |gap: &Gap, customers: bool| {
        let side = if customers { &gap.customer } else { &gap.staff };
        side.n.is_some()
    };
    // A change needs the row shown in both waves.
    let change = |now: (&Gap, &SideMoments), then: Option<(&Gap, &SideMoments)>, customers| {
        let (then_gap, then_moments) = then?;
        if !(shown(now.0, customers) && shown(then_gap, customers)) {
            return None;
        }
        Some(if customers {
            Change::of_means(&now.1.customers, &then_moments.customers)
        } else {
            Change::of_means(&now.1.staff, &then_moments.staff)
        })
    };
    let series = |rows: fn(&WaveSnapshot) -> Vec<(&Gap, &SideMoments)>| {
        let mut out: Vec<Series> = Vec::new();
        for wave in waves {
            let is_baseline = baseline.is_some_and(|b| std::ptr::eq(b, wave));
            let base_rows = baseline.map(rows).unwrap_or_default();
            let mut points: Vec<(&str, PointInWave)> = rows(wave)
                .into_iter()
                .map(|(gap, moments)| {
                    let then = base_rows
                        .iter()
                        .find(|(_, m)| m.name == moments.name)
                        .copied()
                        .filter(|_| !is_baseline);
                    let point = PointInWave {
                        wave: &wave.wave,
                        gap,
                        customer_change: change((gap, moments), then, true),
                        staff_change: change((gap, moments), then, false),
                    };
                    (moments.name.as_str(), point)
                })
                .collect();
            adjust(points.iter_mut().map(|(_, p)| &mut p.customer_change));
            adjust(points.iter_mut().map(|(_, p)| &mut p.staff_change));
            for (name, point) in points {
                match out.iter_mut().find(|s| s.name == name) {
                    Some(series) => series.waves.push(point),
                    None => out.push(Series {
                        name,
                        waves: vec![point],
                    }),
                }
            }
        }
        out
    };
    let items = series(|w| {
        w.overall
            .table
            .items
            .iter()
            .map(|i| &i.gap)
            .zip(&w.overall.items)
            .collect()
    });
    let dimensions = series(|w| {
        w.overall
            .table
            .dimensions
            .iter()
            .map(|d| &d.gap)
            .zip(&w.overall.dimensions)
            .collect()
    });
    Trend {
        baseline: baseline.map(|b| b.wave.as_str()),
        waves: waves
            .iter()
            .map(|w| {
                let is_baseline = baseline.is_some_and(|b| std::ptr::eq(b, w));
                let csat_change =
                    match (w.headline.0.csat, baseline.and_then(|b| b.headline.0.csat)) {
                        (Some(now), Some(then)) if !is_baseline => {
                            Some(Change::of_shares(proportion_difference(
                                now.successes,
                                now.n,
                                then.successes,
                                then.n,
                                Confidence::NINETY_FIVE,
                            )))
                        }
                        _ => None,
                    };
                TrendWave {
                    wave: w.wave.clone(),
                    baseline: is_baseline,
                    customer_respondents: w.customer_respondents,
                    staff_respondents: w.staff_respondents,
                    customer_response_rate: w.rates.0,
                    staff_response_rate: w.rates.1,
                    customers: w.headline.0,
                    staff: w.headline.1,
                    calibration: w.calibration,
                    csat_change,
                }
            })
            .collect(),
        items,
        dimensions,
    }
}

/// Sets the Benjamini–Hochberg q of one family of changes.
fn adjust<'a>(changes: impl Iterator<Item = &'a mut Option<Change>>) {
    let mut changes: Vec<&mut Change> = changes.flatten().collect();
    let p: Vec<Option<f64>> = changes.iter().map(|c| c.p).collect();
    for (change, q) in changes.iter_mut().zip(benjamini_hochberg(&p)) {
        change.q = q;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rates::{ResponseCounts, response_rate};
    use crate::analysis::responses::ResponseSet;
    use crate::analysis::stats::Moments;
    use crate::domain::Scale;

    const RULES: GapRules = GapRules {
        reporting_threshold: 5,
        significance_level: 0.05,
        material_gap_share: 0.125,
    };

    fn item(code: &str, position: usize) -> ItemInfo {
        ItemInfo {
            code: code.into(),
            label: format!("Label of {}", code),
            wording: format!("Wording of {}", code),
            dimension: "reliability".into(),
            scale: Scale::Likert5,
            position,
            mirrored: true,
            service: None,
        }
    }

    /// A wave where item `a` gets `customer_a` and `b` gets 3 from every customer, and
    /// staff answer 4 and 5 alternately on both.
    fn wave(code: &str, baseline: bool, items: &[ItemInfo], customer_a: &[u8]) -> WaveSnapshot {
        let mut customers = ResponseSet::with_items(items.len(), customer_a.len());
        for (k, &v) in customer_a.iter().enumerate() {
            let b = if k % 2 == 0 { 3 } else { 2 };
            customers.push(Some(1), None, &[v, b, v]);
        }
        let mut staff = ResponseSet::with_items(items.len(), 6);
        for k in 0..6 {
            staff.push(None, None, &[4 + (k % 2) as u8; 3]);
        }
        let data = WaveResponses { customers, staff };
        let rate = response_rate(&ResponseCounts {
            invited: 100,
            bounced: 0,
            responses: customer_a.len() as u64,
        });
        snapshot(code, baseline, items, &data, (rate, rate), &RULES)
    }

    #[test]
    fn changes_against_the_marked_baseline() {
        let items = [item("a", 0), item("b", 1)];
        let first = [1, 2, 2, 3, 3, 2, 1, 2];
        let base = [2, 3, 3, 3, 2, 3, 3, 2];
        let now = [4, 4, 5, 3, 4, 5, 4, 4, 3, 5];
        let waves = [
            wave("W0", false, &items, &first),
            wave("W1", true, &items, &base),
            wave("W2", false, &items, &now),
        ];
        let t = trend(&waves);
        assert_eq!(t.baseline, Some("W1"));
        assert_eq!(
            t.waves.iter().map(|w| w.baseline).collect::<Vec<_>>(),
            [false, true, false]
        );
        let a = &t.items[0];
        assert_eq!(a.name, "a");
        assert_eq!(a.waves.len(), 3);
        // The baseline has no change; other waves get Welch against it, this − baseline.
        assert_eq!(a.waves[1].customer_change, None);
        let moments =
            |v: &[u8]| Moments::of(&v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>()).unwrap();
        let expected = welch(&moments(&now), &moments(&base), Confidence::NINETY_FIVE);
        let change = a.waves[2].customer_change.unwrap();
        // Counted through tallies rather than raw values: equal to rounding.
        let close = |a: Option<f64>, b: Option<f64>| {
            let (a, b) = (a.unwrap(), b.unwrap());
            (a - b).abs() <= 1e-9 * b.abs().max(1e-300)
        };
        assert!(close(change.difference, expected.mean_difference));
        assert!(close(change.p, expected.p));
        let (ci, expected_ci) = (change.ci95.unwrap(), expected.ci.unwrap());
        assert!(close(Some(ci.lower), Some(expected_ci.lower)));
        assert!(close(Some(ci.upper), Some(expected_ci.upper)));
        assert!(change.difference.unwrap() > 1.0 && change.p.unwrap() < 0.001);
        // A wave before the baseline is compared with it too (negative change).
        assert!(a.waves[0].customer_change.unwrap().difference.unwrap() < 0.0);
        // Staff answered the same each wave: no change, and no test on constant data.
        let staff = a.waves[2].staff_change.unwrap();
        assert_eq!(staff.difference, Some(0.0));
        // q within the wave's customer family is at least p.
        assert!(change.q.unwrap() >= change.p.unwrap());
        // The dimension series exists (a and b form "reliability" with the third item).
        assert_eq!(t.dimensions.len(), 1);
        assert_eq!(t.dimensions[0].waves.len(), 3);
        // Response rates carried per wave.
        assert_eq!(t.waves[2].customer_response_rate.responses, Some(10));
    }

    #[test]
    fn oldest_wave_is_the_baseline_when_none_is_marked_and_codes_match_across_versions() {
        let v1 = [item("a", 0), item("b", 1)];
        // Version 2 adds `c` and moves `a` to another position: matched by code.
        let v2 = [item("c", 0), item("b", 1), item("a", 2)];
        let waves = [
            wave("W1", false, &v1, &[2, 3, 2, 3, 2, 3]),
            wave("W2", false, &v2, &[4, 4, 4, 5, 4, 5]),
        ];
        let t = trend(&waves);
        assert_eq!(t.baseline, Some("W1"));
        let names: Vec<&str> = t.items.iter().map(|s| s.name).collect();
        assert_eq!(names, ["a", "b", "c"]);
        let a = &t.items[0];
        // In W2, `a` is read from position 2: mean 13/3 against 2.5 in W1.
        let d = a.waves[1].customer_change.unwrap().difference.unwrap();
        assert!((d - (13.0 / 3.0 - 2.5)).abs() < 1e-12, "{d}");
        // `c` only exists in W2: one point, and nothing to compare with.
        assert_eq!(t.items[2].waves.len(), 1);
        assert_eq!(t.items[2].waves[0].customer_change, None);
    }

    #[test]
    fn no_change_where_a_wave_is_below_the_threshold() {
        let items = [item("a", 0), item("b", 1)];
        let waves = [
            wave("W1", true, &items, &[2, 3, 2, 3, 2, 3]),
            // Four customers: hidden, so no change can be shown.
            wave("W2", false, &items, &[5, 5, 5, 4]),
        ];
        let t = trend(&waves);
        let point = &t.items[0].waves[1];
        assert_eq!(point.gap.customer.n, None);
        assert_eq!(point.customer_change, None);
        // Staff are still shown in both waves and compared.
        assert!(point.staff_change.is_some());
        assert_eq!(t.waves[1].csat_change, None);
        assert_eq!(t.waves[1].customers.csat, None);
    }

    #[test]
    fn no_waves_no_trend() {
        let t = trend(&[]);
        assert_eq!(t.baseline, None);
        assert!(t.waves.is_empty() && t.items.is_empty());
    }
}
