//! Shares (k of n): Wilson and Clopper–Pearson intervals, the difference of two independent
//! shares, and the survey-precision pair — margin of error and responses needed — under the
//! finite population correction.

use super::distributions::beta_quantile;
use super::{Confidence, Interval, finite, z_test_p};
use serde::Serialize;

/// Wilson score interval for `successes` of `n` (METHODS.md §4.5). Never leaves [0, 1]; k = 0
/// gives a lower end of exactly 0 and k = n an upper end of exactly 1. `None` when n = 0 or
/// k > n.
pub fn wilson_interval(successes: u64, n: u64, confidence: Confidence) -> Option<Interval> {
    if n == 0 || successes > n {
        return None;
    }
    let z = confidence.z();
    let (k, n_f) = (successes as f64, n as f64);
    let share = k / n_f;
    let z2_n = z * z / n_f;
    // centre = (p̂ + z²/2n)/(1 + z²/n), half = z/(1 + z²/n)·√(p̂(1−p̂)/n + z²/4n²)
    let centre = (share + z2_n / 2.0) / (1.0 + z2_n);
    let half = z / (1.0 + z2_n) * (share * (1.0 - share) / n_f + z2_n / (4.0 * n_f)).sqrt();
    let lower = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let upper = if successes == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Interval::new(lower, upper)
}

/// Clopper–Pearson ("exact") interval for `successes` of `n` from Beta quantiles
/// (METHODS.md §4.5). Conservative; reports use Wilson. `None` when n = 0 or k > n.
pub fn clopper_pearson_interval(
    successes: u64,
    n: u64,
    confidence: Confidence,
) -> Option<Interval> {
    if n == 0 || successes > n {
        return None;
    }
    let tail = 1.0 - confidence.upper_tail();
    let (k, n_f) = (successes as f64, n as f64);
    let lower = if successes == 0 {
        0.0
    } else {
        beta_quantile(k, n_f - k + 1.0, tail)?
    };
    let upper = if successes == n {
        1.0
    } else {
        beta_quantile(k + 1.0, n_f - k, 1.0 - tail)?
    };
    Interval::new(lower, upper)
}

/// The difference of two independent shares k₁/n₁ − k₂/n₂ (e.g. CSAT this wave against the
/// baseline), with its Newcombe hybrid-score interval and the pooled two-proportion z-test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProportionDifference {
    /// p̂₁ − p̂₂.
    pub difference: Option<f64>,
    /// Newcombe (1998) method 10 interval, built from the two Wilson intervals.
    pub ci: Option<Interval>,
    /// Pooled z = (p̂₁ − p̂₂)/√(p̄(1−p̄)(1/n₁ + 1/n₂)); `None` when p̄ is 0 or 1.
    pub z: Option<f64>,
    /// Two-sided p-value of z (equals the 2×2 χ² test without continuity correction).
    pub p: Option<f64>,
}

/// [`ProportionDifference`] of `successes_1` of `n_1` minus `successes_2` of `n_2`
/// (METHODS.md §4.5). Everything is `None` when a side is empty or has k > n.
pub fn proportion_difference(
    successes_1: u64,
    n_1: u64,
    successes_2: u64,
    n_2: u64,
    confidence: Confidence,
) -> ProportionDifference {
    let undefined = ProportionDifference {
        difference: None,
        ci: None,
        z: None,
        p: None,
    };
    let (Some(wilson_1), Some(wilson_2)) = (
        wilson_interval(successes_1, n_1, confidence),
        wilson_interval(successes_2, n_2, confidence),
    ) else {
        return undefined;
    };
    let share_1 = successes_1 as f64 / n_1 as f64;
    let share_2 = successes_2 as f64 / n_2 as f64;
    let difference = share_1 - share_2;
    // L = d − √((p̂₁ − l₁)² + (u₂ − p̂₂)²), U = d + √((u₁ − p̂₁)² + (p̂₂ − l₂)²)
    let ci = Interval::new(
        difference - (share_1 - wilson_1.lower).hypot(wilson_2.upper - share_2),
        difference + (wilson_1.upper - share_1).hypot(share_2 - wilson_2.lower),
    );
    let pooled = (successes_1 + successes_2) as f64 / (n_1 + n_2) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / n_1 as f64 + 1.0 / n_2 as f64)).sqrt();
    let z = (se > 0.0).then(|| difference / se).and_then(finite);
    ProportionDifference {
        difference: finite(difference),
        ci,
        z,
        p: z.and_then(z_test_p),
    }
}

/// Margin of error of a share `share` estimated from `n` responses:
/// z·√(p(1−p)/n), times the finite population correction √((N−n)/(N−1)) when the
/// `population` N is known (METHODS.md §4.8). A census (n = N) has margin 0.
/// `None` when n = 0, the share is outside [0, 1], or n > N.
pub fn margin_of_error(
    share: f64,
    n: u64,
    population: Option<u64>,
    confidence: Confidence,
) -> Option<f64> {
    if n == 0 || !(0.0..=1.0).contains(&share) {
        return None;
    }
    let without_fpc = confidence.z() * (share * (1.0 - share) / n as f64).sqrt();
    let correction = match population {
        None => 1.0,
        Some(population) if n > population => return None,
        Some(population) if n == population => 0.0,
        Some(population) => ((population - n) as f64 / (population - 1) as f64).sqrt(),
    };
    finite(without_fpc * correction)
}

/// Responses needed for a margin of error of at most `margin` (e.g. 0.10 for ±10 points) on
/// a share near `share` (0.5 is the worst case). Cochran: n₀ = z²p(1−p)/e², and with a known
/// `population` N, n = n₀/(1 + (n₀ − 1)/N), rounded up (METHODS.md §4.6) — the exact inverse
/// of [`margin_of_error`] with the finite population correction. Never more than N.
/// `None` unless 0 < margin and 0 ≤ share ≤ 1.
pub fn responses_needed(
    margin: f64,
    share: f64,
    population: Option<u64>,
    confidence: Confidence,
) -> Option<u64> {
    let valid_margin = margin > 0.0 && margin.is_finite();
    if !valid_margin || !(0.0..=1.0).contains(&share) {
        return None;
    }
    let z = confidence.z();
    let infinite_population = z * z * share * (1.0 - share) / (margin * margin);
    let needed = match population {
        None => infinite_population,
        Some(0) => return Some(0),
        Some(population) => {
            infinite_population / (1.0 + (infinite_population - 1.0) / population as f64)
        }
    };
    // A hair of tolerance so that a result that is an integer up to rounding is not bumped.
    let needed = finite((needed - 1e-9).ceil().max(0.0))?;
    let needed = needed as u64;
    Some(population.map_or(needed, |population| needed.min(population)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const C95: Confidence = Confidence::NINETY_FIVE;

    #[test]
    fn wilson_rejects_impossible_counts() {
        assert_eq!(wilson_interval(0, 0, C95), None);
        assert_eq!(wilson_interval(3, 2, C95), None);
        assert_eq!(clopper_pearson_interval(0, 0, C95), None);
        assert_eq!(clopper_pearson_interval(3, 2, C95), None);
    }

    #[test]
    fn wilson_ends_are_exact_at_zero_and_n() {
        for n in [1, 2, 7, 1000] {
            let none = wilson_interval(0, n, C95).unwrap();
            assert_eq!(none.lower, 0.0);
            let all = wilson_interval(n, n, C95).unwrap();
            assert_eq!(all.upper, 1.0);
            let cp_none = clopper_pearson_interval(0, n, C95).unwrap();
            assert_eq!(cp_none.lower, 0.0);
            assert_eq!(clopper_pearson_interval(n, n, C95).unwrap().upper, 1.0);
        }
    }

    #[test]
    fn difference_of_shares_that_are_all_or_nothing() {
        let all_vs_none = proportion_difference(10, 10, 0, 10, C95);
        assert_eq!(all_vs_none.difference, Some(1.0));
        assert!(all_vs_none.z.is_some());
        let both_all = proportion_difference(10, 10, 5, 5, C95);
        assert_eq!(both_all.difference, Some(0.0));
        assert_eq!((both_all.z, both_all.p), (None, None));
        assert!(both_all.ci.is_some());
        assert_eq!(proportion_difference(1, 0, 1, 2, C95).difference, None);
    }

    #[test]
    fn margin_of_error_edge_cases() {
        assert_eq!(margin_of_error(0.5, 0, None, C95), None);
        assert_eq!(margin_of_error(1.5, 10, None, C95), None);
        assert_eq!(margin_of_error(f64::NAN, 10, None, C95), None);
        assert_eq!(margin_of_error(0.5, 11, Some(10), C95), None);
        assert_eq!(margin_of_error(0.5, 1, Some(1), C95), Some(0.0));
        assert_eq!(margin_of_error(0.0, 10, None, C95), Some(0.0));
    }

    #[test]
    fn responses_needed_edge_cases() {
        assert_eq!(responses_needed(0.0, 0.5, None, C95), None);
        assert_eq!(responses_needed(f64::NAN, 0.5, None, C95), None);
        assert_eq!(responses_needed(0.1, 1.5, None, C95), None);
        assert_eq!(responses_needed(0.1, 0.5, Some(0), C95), Some(0));
        assert_eq!(responses_needed(0.1, 0.5, Some(1), C95), Some(1));
        // ±10 points at p = 0.5, 95%, no population: ⌈96.04⌉ = 97.
        assert_eq!(responses_needed(0.1, 0.5, None, C95), Some(97));
        assert_eq!(responses_needed(0.1, 0.0, Some(500), C95), Some(0));
    }

    #[test]
    fn responses_needed_reaches_the_margin() {
        for population in [5u64, 40, 50, 137, 500, 10_000] {
            let needed = responses_needed(0.1, 0.5, Some(population), C95).unwrap();
            let reached = margin_of_error(0.5, needed, Some(population), C95).unwrap();
            assert!(
                reached <= 0.1 + 1e-12,
                "N={population}: n={needed} gives {reached}"
            );
            if needed > 1 {
                let short = margin_of_error(0.5, needed - 1, Some(population), C95).unwrap();
                assert!(
                    short > 0.1,
                    "N={population}: n={} is enough already",
                    needed - 1
                );
            }
        }
    }
}
