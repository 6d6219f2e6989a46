//! One sample: answer tallies, moments, the per-audience summary (n, mean, sd, t-interval)
//! and the one-sample and paired t-tests.

use std::fmt;

use serde::Serialize;

use super::{Confidence, Interval, finite, t_test_p};

/// How many answers took each value 0–255: the histogram of one answer column.
///
/// Built in one pass over `u8` answers (e.g. `ResponseSet::values`, which already drops
/// unanswered cells); every statistic of a rating item can then be computed from its at most
/// 256 counts, whatever the number of respondents. The tally does not know about the
/// "no answer" marker: pass answered values only.
#[derive(Clone, PartialEq, Eq)]
pub struct Tally {
    counts: [u64; 256],
    n: u64,
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Tally {
        Tally {
            counts: [0; 256],
            n: 0,
        }
    }

    /// Counts one more answer of `value`.
    pub fn add(&mut self, value: u8) {
        self.add_many(value, 1);
    }

    /// Counts `count` more answers of `value`.
    pub fn add_many(&mut self, value: u8, count: u64) {
        self.counts[usize::from(value)] += count;
        self.n += count;
    }

    /// Adds every answer of `other` (e.g. to build a total from breakdown cells).
    pub fn merge(&mut self, other: &Tally) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts.iter()) {
            *mine += theirs;
        }
        self.n += other.n;
    }

    /// Number of answers.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Number of answers equal to `value`.
    pub fn count(&self, value: u8) -> u64 {
        self.counts[usize::from(value)]
    }

    /// Number of answers from `low` to `high`, both included (0 when `low > high`).
    pub fn count_between(&self, low: u8, high: u8) -> u64 {
        if low > high {
            return 0;
        }
        self.counts[usize::from(low)..=usize::from(high)]
            .iter()
            .sum()
    }

    /// The answered values with their counts, lowest value first, skipping absent values.
    pub fn values(&self) -> impl Iterator<Item = (u8, u64)> + '_ {
        (0..=u8::MAX)
            .zip(self.counts.iter().copied())
            .filter(|(_, count)| *count > 0)
    }

    /// n, mean and spread of the answers.
    pub fn moments(&self) -> Moments {
        if self.n == 0 {
            return Moments::EMPTY;
        }
        // Integer sum: exact, so the mean has a single rounding.
        let sum: u128 = self
            .values()
            .map(|(value, count)| u128::from(value) * u128::from(count))
            .sum();
        let mean = sum as f64 / self.n as f64;
        let sum_sq_dev = self
            .values()
            .map(|(value, count)| {
                let deviation = f64::from(value) - mean;
                count as f64 * deviation * deviation
            })
            .sum();
        Moments {
            n: self.n,
            mean,
            sum_sq_dev,
        }
    }
}

impl Default for Tally {
    fn default() -> Tally {
        Tally::new()
    }
}

impl fmt::Debug for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.values()).finish()
    }
}

impl Extend<u8> for Tally {
    fn extend<I: IntoIterator<Item = u8>>(&mut self, answers: I) {
        for value in answers {
            self.add(value);
        }
    }
}

impl FromIterator<u8> for Tally {
    fn from_iter<I: IntoIterator<Item = u8>>(answers: I) -> Tally {
        let mut tally = Tally::new();
        tally.extend(answers);
        tally
    }
}

/// The sufficient statistics of one sample for every mean-based measure: its size, mean and
/// sum of squared deviations from the mean. Always finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    n: u64,
    mean: f64,
    sum_sq_dev: f64,
}

impl Moments {
    /// The moments of no values at all.
    pub const EMPTY: Moments = Moments {
        n: 0,
        mean: 0.0,
        sum_sq_dev: 0.0,
    };

    /// The moments of `values`; `None` when one of them is NaN or infinite (or their sum
    /// overflows).
    pub fn of(values: &[f64]) -> Option<Moments> {
        let Some(&first) = values.first() else {
            return Some(Moments::EMPTY);
        };
        if values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let n = values.len() as u64;
        // A constant sample has exactly zero spread; the general formula would leave a
        // rounding residue (0.1 + 0.1 + 0.1 ≠ 0.3) that turns "untestable" into a huge t.
        if values.iter().all(|v| *v == first) {
            return Some(Moments {
                n,
                mean: first,
                sum_sq_dev: 0.0,
            });
        }
        let rough_mean = values.iter().sum::<f64>() / n as f64;
        // Corrected two-pass algorithm (Chan, Golub & LeVeque 1983): the second pass also
        // sums the deviations, which removes the rounding error of the first mean.
        let (mut sum_sq, mut sum_dev) = (0.0, 0.0);
        for value in values {
            let deviation = value - rough_mean;
            sum_sq += deviation * deviation;
            sum_dev += deviation;
        }
        let mean = rough_mean + sum_dev / n as f64;
        let sum_sq_dev = (sum_sq - sum_dev * sum_dev / n as f64).max(0.0);
        (mean.is_finite() && sum_sq_dev.is_finite()).then_some(Moments {
            n,
            mean,
            sum_sq_dev,
        })
    }

    /// The moments of values given with their counts, such as the distinct dimension
    /// scores of a group; `None` when a value is not finite.
    pub fn of_counts(weighted: &[(f64, u64)]) -> Option<Moments> {
        let weighted: Vec<(f64, u64)> = weighted.iter().copied().filter(|(_, c)| *c > 0).collect();
        if weighted.iter().any(|(v, _)| !v.is_finite()) {
            return None;
        }
        let n: u64 = weighted.iter().map(|(_, c)| c).sum();
        let Some(&(first, _)) = weighted.first() else {
            return Some(Moments::EMPTY);
        };
        if weighted.iter().all(|(v, _)| *v == first) {
            return Some(Moments {
                n,
                mean: first,
                sum_sq_dev: 0.0,
            });
        }
        // The same corrected two-pass algorithm as `of`, with each value counted c times.
        let rough_mean = weighted.iter().map(|(v, c)| v * *c as f64).sum::<f64>() / n as f64;
        let (mut sum_sq, mut sum_dev) = (0.0, 0.0);
        for (v, c) in &weighted {
            let deviation = v - rough_mean;
            sum_sq += *c as f64 * deviation * deviation;
            sum_dev += *c as f64 * deviation;
        }
        let mean = rough_mean + sum_dev / n as f64;
        let sum_sq_dev = (sum_sq - sum_dev * sum_dev / n as f64).max(0.0);
        (mean.is_finite() && sum_sq_dev.is_finite()).then_some(Moments {
            n,
            mean,
            sum_sq_dev,
        })
    }

    /// Number of values.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Arithmetic mean; `None` for no values.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then_some(self.mean)
    }

    /// Sample variance (divisor n − 1); `None` below two values.
    pub fn variance(&self) -> Option<f64> {
        (self.n > 1).then(|| self.sum_sq_dev / (self.n - 1) as f64)
    }

    /// Sample standard deviation (divisor n − 1); `None` below two values.
    pub fn sd(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }

    /// Sum of squared deviations from the mean.
    pub(super) fn sum_sq_dev(&self) -> f64 {
        self.sum_sq_dev
    }

    /// Standard error of the mean, s/√n; `None` below two values.
    fn standard_error(&self) -> Option<f64> {
        Some((self.variance()? / self.n as f64).sqrt())
    }

    /// n, mean, sd and the t-interval of the mean at `confidence`.
    pub fn summary(&self, confidence: Confidence) -> Summary {
        Summary {
            n: self.n,
            mean: self.mean(),
            sd: self.sd(),
            ci: self.mean_interval(confidence),
        }
    }

    /// `mean ± t(n−1) · s/√n` (METHODS.md §4.5). `None` below two values and for a sample
    /// with zero spread, whose interval would claim there is no uncertainty at all (SciPy's
    /// `t.interval` with scale 0 gives NaN there too).
    fn mean_interval(&self, confidence: Confidence) -> Option<Interval> {
        let standard_error = self.standard_error().filter(|se| *se > 0.0)?;
        let t = confidence.t((self.n - 1) as f64)?;
        Interval::around(self.mean, t * standard_error)
    }
}

/// One audience's figures on one measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// How many answered.
    pub n: u64,
    /// Mean answer; `None` when nobody answered.
    pub mean: Option<f64>,
    /// Standard deviation (n − 1); `None` below two answers.
    pub sd: Option<f64>,
    /// t-interval of the mean; `None` below two answers or when every answer is the same.
    pub ci: Option<Interval>,
}

/// [`Summary`] of `values`: n, mean, sd and the t-interval of the mean. Non-finite values
/// leave everything but n `None`.
pub fn summarize(values: &[f64], confidence: Confidence) -> Summary {
    match Moments::of(values) {
        Some(moments) => moments.summary(confidence),
        None => Summary {
            n: values.len() as u64,
            mean: None,
            sd: None,
            ci: None,
        },
    }
}

/// A t-test of a mean difference: the estimate, t, degrees of freedom, the two-sided p-value
/// and the confidence interval of the difference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TTest {
    /// The estimated difference (a − b, or mean − hypothesised mean).
    pub mean_difference: Option<f64>,
    pub t: Option<f64>,
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p: Option<f64>,
    /// Confidence interval of the difference.
    pub ci: Option<Interval>,
}

impl TTest {
    /// Nothing could be computed.
    pub const UNDEFINED: TTest = TTest {
        mean_difference: None,
        t: None,
        df: None,
        p: None,
        ci: None,
    };

    /// The test of `difference` with standard error `standard_error` on `df` degrees of
    /// freedom. Zero or undefined standard error: the difference only.
    pub(super) fn from_parts(
        difference: f64,
        standard_error: Option<f64>,
        df: Option<f64>,
        confidence: Confidence,
    ) -> TTest {
        let difference = finite(difference);
        let (Some(estimate), Some(se), Some(df)) = (
            difference,
            standard_error.filter(|se| *se > 0.0 && se.is_finite()),
            df.and_then(finite).filter(|df| *df > 0.0),
        ) else {
            return TTest {
                mean_difference: difference,
                ..TTest::UNDEFINED
            };
        };
        let Some(t) = finite(estimate / se) else {
            return TTest {
                mean_difference: difference,
                ..TTest::UNDEFINED
            };
        };
        TTest {
            mean_difference: difference,
            t: Some(t),
            df: Some(df),
            p: t_test_p(t, df),
            ci: confidence
                .t(df)
                .and_then(|critical| Interval::around(estimate, critical * se)),
        }
    }
}

/// One-sample t-test of H₀: mean = `hypothesised_mean` (METHODS.md §4.10, R8).
pub fn one_sample_t(values: &[f64], hypothesised_mean: f64, confidence: Confidence) -> TTest {
    let Some(moments) = Moments::of(values) else {
        return TTest::UNDEFINED;
    };
    let Some(mean) = moments.mean() else {
        return TTest::UNDEFINED;
    };
    TTest::from_parts(
        mean - hypothesised_mean,
        moments.standard_error(),
        (moments.n > 1).then(|| (moments.n - 1) as f64),
        confidence,
    )
}

/// Paired t-test of `a − b` for the same respondents in two waves (a panel design): the
/// one-sample t-test of the differences against 0. Samples of unequal length: undefined.
pub fn paired_t(a: &[f64], b: &[f64], confidence: Confidence) -> TTest {
    if a.len() != b.len() {
        return TTest::UNDEFINED;
    }
    let differences: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    one_sample_t(&differences, 0.0, confidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_counts_and_ranges() {
        let tally: Tally = [1u8, 5, 5, 4, 3, 5].into_iter().collect();
        assert_eq!(tally.n(), 6);
        assert_eq!(tally.count(5), 3);
        assert_eq!(tally.count_between(4, 5), 4);
        assert_eq!(tally.count_between(5, 4), 0);
        assert_eq!(
            tally.values().collect::<Vec<_>>(),
            vec![(1, 1), (3, 1), (4, 1), (5, 3)]
        );
        let mut total = tally.clone();
        total.merge(&tally);
        assert_eq!(total.n(), 12);
        assert_eq!(total.count(5), 6);
        assert_eq!(format!("{tally:?}"), "{1: 1, 3: 1, 4: 1, 5: 3}");
    }

    #[test]
    fn tally_moments_equal_slice_moments() {
        let answers = [3u8, 1, 3, 3, 4, 3, 4, 3, 2, 3, 5, 3, 3, 1, 1, 5, 5];
        let from_tally = answers.into_iter().collect::<Tally>().moments();
        let values: Vec<f64> = answers.iter().map(|v| f64::from(*v)).collect();
        let from_slice = Moments::of(&values).unwrap();
        assert_eq!(from_tally.n(), from_slice.n());
        assert!((from_tally.mean().unwrap() - from_slice.mean().unwrap()).abs() < 1e-14);
        assert!((from_tally.variance().unwrap() - from_slice.variance().unwrap()).abs() < 1e-14);
    }

    #[test]
    fn empty_and_single_samples() {
        let empty = summarize(&[], Confidence::NINETY_FIVE);
        assert_eq!(
            (empty.n, empty.mean, empty.sd, empty.ci),
            (0, None, None, None)
        );
        let one = summarize(&[4.0], Confidence::NINETY_FIVE);
        assert_eq!(
            (one.n, one.mean, one.sd, one.ci),
            (1, Some(4.0), None, None)
        );
        assert_eq!(Tally::new().moments(), Moments::EMPTY);
        assert_eq!(
            Tally::new().moments().summary(Confidence::NINETY_FIVE).mean,
            None
        );
    }

    #[test]
    fn constant_sample_has_zero_sd_and_no_interval() {
        let summary = summarize(&[0.1, 0.1, 0.1], Confidence::NINETY_FIVE);
        assert_eq!(summary.mean, Some(0.1));
        assert_eq!(summary.sd, Some(0.0));
        assert_eq!(summary.ci, None);
        let test = one_sample_t(&[5.0; 5], 4.0, Confidence::NINETY_FIVE);
        assert_eq!(test.mean_difference, Some(1.0));
        assert_eq!((test.t, test.p, test.ci), (None, None, None));
    }

    #[test]
    fn non_finite_values_give_no_numbers() {
        assert!(Moments::of(&[1.0, f64::NAN]).is_none());
        assert!(Moments::of(&[1.0, f64::INFINITY]).is_none());
        assert!(Moments::of(&[f64::MAX, f64::MAX]).is_some());
        assert!(Moments::of(&[f64::MAX, -f64::MAX, f64::MAX]).is_none());
        let summary = summarize(&[1.0, f64::NAN], Confidence::NINETY_FIVE);
        assert_eq!((summary.n, summary.mean, summary.ci), (2, None, None));
        assert_eq!(
            one_sample_t(&[f64::NAN, 1.0], 0.0, Confidence::NINETY_FIVE),
            TTest::UNDEFINED
        );
    }

    #[test]
    fn paired_t_needs_equal_lengths() {
        assert_eq!(
            paired_t(&[1.0, 2.0], &[1.0], Confidence::NINETY_FIVE),
            TTest::UNDEFINED
        );
    }
}
