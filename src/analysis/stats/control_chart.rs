//! Control-chart limits for a measure tracked over waves (METHODS.md §4.10): the XmR chart
//! for one value per wave (e.g. a mean) and the p-chart for a share with a different n per
//! wave (e.g. CSAT). With fewer than about 20 waves the limits are provisional.

use serde::Serialize;

use super::{Interval, finite};

/// 3/d₂ with d₂ = 1.128 for moving ranges of two, rounded as in the standard tables.
const XMR_LIMIT_FACTOR: f64 = 2.66;
/// D₄ for moving ranges of two.
const MOVING_RANGE_LIMIT_FACTOR: f64 = 3.267;

/// Individuals and moving-range (XmR) chart limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct XmrChart {
    /// Centre line: the mean of the values.
    pub centre: f64,
    /// Mean moving range MR̄ = mean of |x_t − x_{t−1}|.
    pub mean_moving_range: f64,
    /// Natural process limits centre ± 2.66·MR̄.
    pub limits: Interval,
    /// Upper limit of the moving-range chart, 3.267·MR̄.
    pub moving_range_upper: f64,
}

/// XmR limits of `values` in wave order; `None` below two values or with a non-finite one.
pub fn xmr_chart(values: &[f64]) -> Option<XmrChart> {
    if values.len() < 2 || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let centre = finite(values.iter().sum::<f64>() / values.len() as f64)?;
    let mean_moving_range = finite(
        values.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (values.len() - 1) as f64,
    )?;
    Some(XmrChart {
        centre,
        mean_moving_range,
        limits: Interval::around(centre, XMR_LIMIT_FACTOR * mean_moving_range)?,
        moving_range_upper: MOVING_RANGE_LIMIT_FACTOR * mean_moving_range,
    })
}

/// p-chart: the overall share and each wave's three-sigma limits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PChart {
    /// Centre line p̄ = Σk / Σn.
    pub centre: f64,
    /// One entry per wave, in the order given.
    pub waves: Vec<PChartWave>,
}

/// One wave on a p-chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PChartWave {
    /// The wave's share k/n.
    pub share: f64,
    /// p̄ ± 3·√(p̄(1−p̄)/n), clipped to [0, 1].
    pub limits: Interval,
    /// Whether the share falls outside the limits.
    pub signal: bool,
}

/// p-chart of `successes[i]` of `n[i]` per wave. `None` when the lists differ in length or
/// are empty, or a wave has n = 0 or k > n.
pub fn p_chart(successes: &[u64], n: &[u64]) -> Option<PChart> {
    if successes.len() != n.len()
        || n.is_empty()
        || successes.iter().zip(n).any(|(k, n)| *n == 0 || k > n)
    {
        return None;
    }
    let centre = successes.iter().sum::<u64>() as f64 / n.iter().sum::<u64>() as f64;
    let waves = successes
        .iter()
        .zip(n)
        .map(|(k, n)| {
            let share = *k as f64 / *n as f64;
            let half = 3.0 * (centre * (1.0 - centre) / *n as f64).sqrt();
            let limits = Interval::new((centre - half).max(0.0), (centre + half).min(1.0))?;
            Some(PChartWave {
                share,
                limits,
                signal: !limits.contains(share),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(PChart { centre, waves })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_or_bad_values() {
        assert_eq!(xmr_chart(&[3.6]), None);
        assert_eq!(xmr_chart(&[3.6, f64::NAN]), None);
        assert_eq!(p_chart(&[], &[]), None);
        assert_eq!(p_chart(&[1], &[0]), None);
        assert_eq!(p_chart(&[3], &[2]), None);
        assert_eq!(p_chart(&[1, 2], &[3]), None);
    }

    #[test]
    fn constant_shares_give_no_signal() {
        let chart = p_chart(&[5, 5], &[5, 5]).unwrap();
        assert_eq!(chart.centre, 1.0);
        assert!(chart.waves.iter().all(|w| !w.signal));
    }
}
