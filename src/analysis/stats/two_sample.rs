//! Two independent samples `a` and `b` (staff and customers, or two waves): the Welch t-test
//! and interval of the mean difference a − b, the Mann–Whitney U test, and the effect sizes
//! Cohen's d, Hedges' g and Cliff's delta.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use super::{Confidence, Moments, TTest, Tally, finite};

/// Welch's unequal-variance t-test of mean(a) − mean(b) with the Welch–Satterthwaite degrees
/// of freedom, and the Welch interval of the difference (METHODS.md §4.2; SciPy
/// `ttest_ind(equal_var=False)`).
///
/// The difference needs one value on each side; the test and interval need two values on
/// each side and some spread: when both samples are constant the test is undefined (`None`).
pub fn welch(a: &Moments, b: &Moments, confidence: Confidence) -> TTest {
    let (Some(mean_a), Some(mean_b)) = (a.mean(), b.mean()) else {
        return TTest::UNDEFINED;
    };
    let difference = mean_a - mean_b;
    let (Some(var_a), Some(var_b)) = (a.variance(), b.variance()) else {
        return TTest::from_parts(difference, None, None, confidence);
    };
    let share_a = var_a / a.n() as f64;
    let share_b = var_b / b.n() as f64;
    let se_squared = share_a + share_b;
    // ν = (s₁²/n₁ + s₂²/n₂)² / [(s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1)]
    let df = se_squared * se_squared
        / (share_a * share_a / (a.n() - 1) as f64 + share_b * share_b / (b.n() - 1) as f64);
    TTest::from_parts(difference, Some(se_squared.sqrt()), Some(df), confidence)
}

/// Pooled standard deviation √[((n₁−1)s₁² + (n₂−1)s₂²)/(n₁+n₂−2)]; `None` without a pooled
/// degree of freedom or with zero spread.
fn pooled_sd(a: &Moments, b: &Moments) -> Option<f64> {
    if a.n() == 0 || b.n() == 0 || a.n() + b.n() < 3 {
        return None;
    }
    let pooled_variance = (a.sum_sq_dev() + b.sum_sq_dev()) / (a.n() + b.n() - 2) as f64;
    finite(pooled_variance.sqrt()).filter(|sd| *sd > 0.0)
}

/// Cohen's d with the pooled standard deviation: (mean(a) − mean(b)) / s_pooled
/// (METHODS.md §4.4).
pub fn cohens_d(a: &Moments, b: &Moments) -> Option<f64> {
    let difference = a.mean()? - b.mean()?;
    finite(difference / pooled_sd(a, b)?)
}

/// Hedges' g: Cohen's d times the small-sample correction J = 1 − 3/(4(n₁+n₂) − 9)
/// (METHODS.md §4.4). With three values in all, J and so g are 0.
pub fn hedges_g(a: &Moments, b: &Moments) -> Option<f64> {
    let d = cohens_d(a, b)?;
    let correction = 1.0 - 3.0 / (4.0 * (a.n() + b.n()) as f64 - 9.0);
    finite(d * correction)
}

/// The Mann–Whitney U test of `a` against `b` with Cliff's delta.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannWhitney {
    /// U of sample `a`: the number of (a, b) pairs with a > b, ties counting ½ (SciPy's
    /// statistic).
    pub u_a: Option<f64>,
    /// Normal approximation z = (max(U_a, U_b) − n₁n₂/2 − ½)/σ; `None` when every value is
    /// the same (σ = 0).
    pub z: Option<f64>,
    /// Two-sided p-value, capped at 1.
    pub p: Option<f64>,
    /// Cliff's delta P(a > b) − P(a < b) = 2U_a/(n₁n₂) − 1, in [−1, 1].
    pub cliffs_delta: Option<f64>,
}

impl MannWhitney {
    /// Nothing could be computed (a sample is empty).
    pub const UNDEFINED: MannWhitney = MannWhitney {
        u_a: None,
        z: None,
        p: None,
        cliffs_delta: None,
    };
}

/// Mann–Whitney U of `a` against `b`: tie-corrected normal approximation with continuity
/// correction, two-sided (METHODS.md §4.3). Matches SciPy
/// `mannwhitneyu(a, b, method='asymptotic', use_continuity=True)`, including p = 1 when every
/// value is the same. O(n log n): both samples are sorted, then walked together.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> MannWhitney {
    if a.iter().chain(b).any(|v| !v.is_finite()) {
        return MannWhitney::UNDEFINED;
    }
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_unstable_by(f64::total_cmp);
    b.sort_unstable_by(f64::total_cmp);
    mann_whitney_of_ties(a.len() as u64, b.len() as u64, TieGroups { a: &a, b: &b })
}

/// [`mann_whitney`] from two answer tallies, in O(n) overall: the ranks come from the at
/// most 256 tie groups.
pub fn mann_whitney_tallies(a: &Tally, b: &Tally) -> MannWhitney {
    let groups = (0..=u8::MAX)
        .map(|value| (a.count(value), b.count(value)))
        .filter(|(in_a, in_b)| in_a + in_b > 0);
    mann_whitney_of_ties(a.n(), b.n(), groups)
}

/// Cliff's delta P(a > b) − P(a < b), computed through U (O(n log n), not O(n₁n₂)).
pub fn cliffs_delta(a: &[f64], b: &[f64]) -> Option<f64> {
    mann_whitney(a, b).cliffs_delta
}

/// Walks two sorted samples together, yielding for each distinct value (lowest first) how
/// many times it occurs in `a` and in `b`.
struct TieGroups<'s> {
    a: &'s [f64],
    b: &'s [f64],
}

impl Iterator for TieGroups<'_> {
    type Item = (u64, u64);

    fn next(&mut self) -> Option<(u64, u64)> {
        let value = match (self.a.first(), self.b.first()) {
            (Some(x), Some(y)) => x.min(*y),
            (Some(x), None) => *x,
            (None, Some(y)) => *y,
            (None, None) => return None,
        };
        // `==` (unlike the sort's total order) treats −0 and +0 as the same value: a tie.
        let in_a = self.a.iter().take_while(|v| **v == value).count();
        let in_b = self.b.iter().take_while(|v| **v == value).count();
        self.a = &self.a[in_a..];
        self.b = &self.b[in_b..];
        Some((in_a as u64, in_b as u64))
    }
}

/// Mann–Whitney from the tie groups of the pooled sample, in increasing order of value.
fn mann_whitney_of_ties(
    n_a: u64,
    n_b: u64,
    groups: impl Iterator<Item = (u64, u64)>,
) -> MannWhitney {
    if n_a == 0 || n_b == 0 {
        return MannWhitney::UNDEFINED;
    }
    // Exact integer arithmetic: twice the rank sum of `a` (mid-ranks are halves) and the tie
    // term Σ(t³ − t).
    let mut below: u128 = 0;
    let mut twice_rank_sum_a: u128 = 0;
    let mut tie_term: u128 = 0;
    for (in_a, in_b) in groups {
        let (in_a, tied) = (u128::from(in_a), u128::from(in_a) + u128::from(in_b));
        // The tied values share the mid-rank below + (tied + 1)/2.
        twice_rank_sum_a += in_a * (2 * below + tied + 1);
        tie_term += tied * tied * tied - tied;
        below += tied;
    }
    let (na, nb) = (u128::from(n_a), u128::from(n_b));
    // U_a = R_a − n_a(n_a + 1)/2; all three twice-values are integers.
    let twice_u_a = twice_rank_sum_a - na * (na + 1);
    let pairs = na * nb;
    let u_a = twice_u_a as f64 / 2.0;
    // 2U_a/(n₁n₂) − 1 without cancellation: (2U_a − n₁n₂)/(n₁n₂).
    let cliffs_delta = (twice_u_a as f64 - pairs as f64) / pairs as f64;

    let (na, nb, n) = (n_a as f64, n_b as f64, (n_a + n_b) as f64);
    let mean_u = na * nb / 2.0;
    let u = u_a.max(na * nb - u_a);
    let variance = na * nb / 12.0 * ((n + 1.0) - tie_term as f64 / (n * (n - 1.0)));
    let sigma = variance.max(0.0).sqrt();
    let (z, p) = if sigma > 0.0 {
        let z = (u - mean_u - 0.5) / sigma;
        (finite(z), finite((2.0 * Normal::standard().sf(z)).min(1.0)))
    } else {
        // Every value is the same: U_a = n₁n₂/2 under every arrangement, so the (degenerate)
        // permutation p-value is 1; SciPy returns 1 here too.
        (None, Some(1.0))
    };
    MannWhitney {
        u_a: finite(u_a),
        z,
        p,
        cliffs_delta: finite(cliffs_delta),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(values: &[f64]) -> Moments {
        Moments::of(values).unwrap()
    }

    #[test]
    fn welch_needs_two_values_a_side() {
        let one = moments(&[4.0]);
        let three = moments(&[2.0, 3.0, 3.0]);
        let test = welch(&one, &three, Confidence::NINETY_FIVE);
        assert_eq!(test.mean_difference, Some(4.0 - 8.0 / 3.0));
        assert_eq!((test.t, test.df, test.p, test.ci), (None, None, None, None));
        assert_eq!(
            welch(&Moments::EMPTY, &three, Confidence::NINETY_FIVE),
            TTest::UNDEFINED
        );
    }

    #[test]
    fn equal_constant_samples_are_untestable() {
        let test = welch(
            &moments(&[3.0; 4]),
            &moments(&[3.0; 6]),
            Confidence::NINETY_FIVE,
        );
        assert_eq!(test.mean_difference, Some(0.0));
        assert_eq!((test.t, test.df, test.p, test.ci), (None, None, None, None));
        assert_eq!(cohens_d(&moments(&[3.0; 4]), &moments(&[2.0; 4])), None);
        assert_eq!(hedges_g(&moments(&[3.0; 4]), &moments(&[2.0; 4])), None);
    }

    #[test]
    fn effect_sizes_need_a_pooled_degree_of_freedom() {
        assert_eq!(cohens_d(&moments(&[1.0]), &moments(&[2.0])), None);
        assert_eq!(cohens_d(&Moments::EMPTY, &moments(&[2.0, 3.0])), None);
        // n₁ + n₂ = 3: one pooled degree of freedom, J = 0.
        let d = cohens_d(&moments(&[1.0]), &moments(&[2.0, 4.0])).unwrap();
        assert!((d - (1.0 - 3.0) / 2f64.sqrt()).abs() < 1e-15);
        assert_eq!(
            hedges_g(&moments(&[1.0]), &moments(&[2.0, 4.0])),
            Some(-0.0)
        );
    }

    #[test]
    fn mann_whitney_of_empty_or_single_values() {
        assert_eq!(mann_whitney(&[], &[1.0]), MannWhitney::UNDEFINED);
        assert_eq!(mann_whitney(&[1.0], &[]), MannWhitney::UNDEFINED);
        assert_eq!(mann_whitney(&[f64::NAN], &[1.0]), MannWhitney::UNDEFINED);
        // SciPy: mannwhitneyu([3], [4], method='asymptotic') → U = 0, p = 1.
        let one_each = mann_whitney(&[3.0], &[4.0]);
        assert_eq!(one_each.u_a, Some(0.0));
        assert_eq!(one_each.p, Some(1.0));
        assert_eq!(one_each.cliffs_delta, Some(-1.0));
    }

    #[test]
    fn every_value_the_same_gives_p_one_like_scipy() {
        // SciPy: mannwhitneyu([3,3,3], [3,3], method='asymptotic') → U = 3, p = 1.
        let result = mann_whitney(&[3.0; 3], &[3.0; 2]);
        assert_eq!(result.u_a, Some(3.0));
        assert_eq!(result.z, None);
        assert_eq!(result.p, Some(1.0));
        assert_eq!(result.cliffs_delta, Some(0.0));
        let tallies = mann_whitney_tallies(
            &[3u8; 3].into_iter().collect(),
            &[3u8; 2].into_iter().collect(),
        );
        assert_eq!(tallies, result);
    }

    #[test]
    fn signed_zeros_are_ties() {
        let result = mann_whitney(&[-0.0, 1.0], &[0.0, 1.0]);
        assert_eq!(result.u_a, Some(2.0));
        assert_eq!(result.cliffs_delta, Some(0.0));
    }

    /// METHODS.md §10 R13: statrs 0.19.1's exact mode returns p = 1.0 here (SciPy exact:
    /// 0.1111). Ours is the asymptotic test, which must land near the exact answer and must
    /// not depend on which sample is the shorter one.
    #[test]
    fn statrs_exact_mode_regression_is_not_reproduced() {
        let short = [20.0, 11.0, 17.0, 12.0];
        let long = [19.0, 22.0, 16.0, 29.0, 24.0];
        let forward = mann_whitney(&short, &long);
        let backward = mann_whitney(&long, &short);
        assert_eq!(forward.u_a, Some(3.0));
        assert_eq!(backward.u_a, Some(17.0));
        let p = forward.p.unwrap();
        assert!((p - 0.1111).abs() < 0.01, "p = {p}");
        assert_eq!(backward.p, forward.p);
        // SciPy 1.17.1 mannwhitneyu(short, long, method='asymptotic'): 0.11134688653314041.
        assert!((p - 0.11134688653314041).abs() <= 1e-6 * 0.11134688653314041);
    }

    #[test]
    fn a_million_against_fifty_thousand_runs_fast() {
        let customers: Tally = (0..1_000_000u32).map(|i| (i % 5) as u8 + 1).collect();
        let staff: Tally = (0..50_000u32).map(|i| (i % 4) as u8 + 2).collect();
        let start = std::time::Instant::now();
        let result = mann_whitney_tallies(&staff, &customers);
        assert!(start.elapsed().as_millis() < 500, "O(n) on tallies");
        assert!(result.p.unwrap() < 1e-10);
        assert!(result.cliffs_delta.unwrap() > 0.0);

        let customers: Vec<f64> = (0..1_000_000u32).map(|i| f64::from(i % 97) / 7.0).collect();
        let staff: Vec<f64> = (0..50_000u32).map(|i| f64::from(i % 89) / 7.0).collect();
        let sorted = mann_whitney(&staff, &customers);
        assert!(sorted.p.is_some() && sorted.cliffs_delta.is_some());
    }
}
