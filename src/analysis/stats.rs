//! The statistics behind every report: pure functions over plain numbers, no I/O.
//!
//! What is here, by file:
//! - `sample`: one audience's answers — [`Tally`] (how many gave each answer), [`Moments`]
//!   (n, mean, spread), [`Summary`] (n, mean, sd, t-interval), one-sample and paired t-tests.
//! - `two_sample`: a gap between two audiences — Welch t-test and interval, Mann–Whitney U,
//!   Cohen's d, Hedges' g, Cliff's delta.
//! - `proportion`: Wilson and Clopper–Pearson intervals, the difference of two shares,
//!   margin of error and the responses needed, both under the finite population correction.
//! - `cx_metrics`: CSAT, NPS and CES.
//! - `reliability`: Cronbach's alpha with its Feldt interval.
//! - `multiple_testing`: Benjamini–Hochberg q-values and Holm adjusted p-values.
//! - `correlation`: Pearson and Spearman correlation (calibration).
//! - `control_chart`: XmR and p-chart limits for measures tracked over waves.
//!
//! Rules every function keeps:
//! - A number that cannot be computed (too few answers, zero spread, an empty family) is
//!   `None`: no result ever holds NaN or an infinity, and nothing panics.
//! - Tests are two-sided. In two-sample statistics `a` is the first sample (staff, in a gap)
//!   and every difference is `a − b`.
//! - Intervals come at a [`Confidence`] level, which is valid by construction.
//! - Rank statistics (Mann–Whitney, Cliff's delta) run in O(n log n) on `f64` samples and in
//!   O(n) on answer columns through [`Tally`], so they scale to a million answers.
//!
//! Formulas and their sources are in `../shared/METHODS.md` (section numbers are cited in
//! the code); every statistic is checked against SciPy/statsmodels reference values kept in
//! `tests/fixtures/stats-reference.json` and against METHODS.md §10. Distributions come from
//! `statrs`; its Mann–Whitney test is deliberately not used (METHODS.md §7: its exact mode
//! returns wrong p-values when the first sample is the shorter one, and is exponential), and
//! `distributions` replaces its t and Beta inverses where they fail at large sample sizes.

mod control_chart;
mod correlation;
mod cx_metrics;
mod distributions;
mod multiple_testing;
mod proportion;
mod reliability;
mod sample;
mod two_sample;

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

pub use control_chart::{PChart, PChartWave, XmrChart, p_chart, xmr_chart};
pub use correlation::{pearson, spearman};
pub use cx_metrics::{
    CSAT_SATISFIED, NPS_DETRACTORS, NPS_PROMOTERS, Nps, Proportion, ces, csat, nps,
    nps_from_counts, proportion,
};
pub use multiple_testing::{benjamini_hochberg, holm};
pub use proportion::{
    ProportionDifference, clopper_pearson_interval, margin_of_error, proportion_difference,
    responses_needed, wilson_interval,
};
pub use reliability::{CronbachAlpha, Reliability, cronbach_alpha};
pub use sample::{Moments, Summary, TTest, Tally, one_sample_t, paired_t, summarize};
pub use two_sample::{
    MannWhitney, cliffs_delta, cohens_d, hedges_g, mann_whitney, mann_whitney_tallies, welch,
};

/// A confidence level strictly between 0 and 1, such as 0.95.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Confidence(f64);

impl Confidence {
    /// The 95% level every report uses unless told otherwise.
    pub const NINETY_FIVE: Confidence = Confidence(0.95);

    /// A level strictly between 0 and 1; anything else (including NaN) is `None`.
    pub fn new(level: f64) -> Option<Confidence> {
        (level > 0.0 && level < 1.0).then_some(Confidence(level))
    }

    /// The level, e.g. 0.95.
    pub fn level(self) -> f64 {
        self.0
    }

    /// The upper tail probability of a two-sided interval: 1 − α/2 (0.975 for 95%).
    fn upper_tail(self) -> f64 {
        1.0 - (1.0 - self.0) / 2.0
    }

    /// z = Φ⁻¹(1 − α/2): 1.959963984540054 for 95%.
    fn z(self) -> f64 {
        Normal::standard().inverse_cdf(self.upper_tail())
    }

    /// The two-sided Student t critical value with `df` degrees of freedom.
    fn t(self, df: f64) -> Option<f64> {
        distributions::t_quantile(self.upper_tail(), df)
    }
}

impl Default for Confidence {
    fn default() -> Confidence {
        Confidence::NINETY_FIVE
    }
}

/// A closed interval `[lower, upper]`, such as a confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

impl Interval {
    /// `centre ± half_width`; `None` unless both ends are finite.
    fn around(centre: f64, half_width: f64) -> Option<Interval> {
        Interval::new(centre - half_width, centre + half_width)
    }

    /// `None` unless both ends are finite.
    fn new(lower: f64, upper: f64) -> Option<Interval> {
        Some(Interval {
            lower: finite(lower)?,
            upper: finite(upper)?,
        })
    }

    /// Whether `value` lies inside the interval (ends included).
    pub fn contains(&self, value: f64) -> bool {
        self.lower <= value && value <= self.upper
    }
}

/// `Some(x)` when `x` is a finite number: the one gate every result passes through.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Two-sided p-value of a Student t statistic: 2·sf(|t|), capped at 1 (METHODS.md §4.2:
/// the survival function, not 1 − cdf, keeps small p-values accurate).
fn t_test_p(t: f64, df: f64) -> Option<f64> {
    finite((2.0 * distributions::t_upper_tail(t.abs(), df)?).min(1.0))
}

/// Two-sided p-value of a standard normal statistic, capped at 1.
fn z_test_p(z: f64) -> Option<f64> {
    finite((2.0 * Normal::standard().sf(z.abs())).min(1.0))
}

#[cfg(test)]
mod property_tests;
#[cfg(test)]
mod reference_tests;
