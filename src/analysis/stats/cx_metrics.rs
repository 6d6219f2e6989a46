//! The standard customer-experience metrics (METHODS.md §3): CSAT (top-two-box share with
//! its Wilson interval), NPS (promoters − detractors, in points, with its interval) and CES
//! (mean effort).

use std::ops::RangeInclusive;

use serde::Serialize;

use super::{Confidence, Interval, Summary, Tally, finite, wilson_interval};

/// Answers that count as satisfied on a `likert5` item: 4 and 5 (top two box).
pub const CSAT_SATISFIED: RangeInclusive<u8> = 4..=5;
/// Promoters on the 0–10 recommend scale: 9 and 10.
pub const NPS_PROMOTERS: RangeInclusive<u8> = 9..=10;
/// Detractors on the 0–10 recommend scale: 0 to 6 (6 is a detractor).
pub const NPS_DETRACTORS: RangeInclusive<u8> = 0..=6;

/// A share: `successes` of `n`, with its Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    pub successes: u64,
    pub n: u64,
    /// successes / n, in [0, 1]; `None` when n = 0.
    pub share: Option<f64>,
    /// Wilson score interval of the share.
    pub ci: Option<Interval>,
}

/// The share `successes` of `n` with its Wilson interval; share and interval are `None` when
/// n = 0 or successes > n.
pub fn proportion(successes: u64, n: u64, confidence: Confidence) -> Proportion {
    let valid = n > 0 && successes <= n;
    Proportion {
        successes,
        n,
        share: valid.then(|| successes as f64 / n as f64),
        ci: wilson_interval(successes, n, confidence),
    }
}

/// CSAT of a `likert5` satisfaction item: the share answering 4 or 5, with its Wilson
/// interval (METHODS.md §3.1: a share, not the mean).
pub fn csat(satisfaction: &Tally, confidence: Confidence) -> Proportion {
    let satisfied = satisfaction.count_between(*CSAT_SATISFIED.start(), *CSAT_SATISFIED.end());
    proportion(satisfied, satisfaction.n(), confidence)
}

/// Net Promoter Score with its counts and interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Nps {
    pub n: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// 100 × (share of promoters − share of detractors), in points from −100 to 100;
    /// `None` when n = 0.
    pub score: Option<f64>,
    /// Wald interval in points; `None` when n = 0 or the variance is 0 (everyone a
    /// promoter, or everyone a detractor), where it would claim no uncertainty at all.
    pub ci: Option<Interval>,
}

/// NPS from the answers of a 0–10 recommend item (METHODS.md §3.2). Answers above 10 are
/// not on the scale and are ignored.
pub fn nps(recommend: &Tally, confidence: Confidence) -> Nps {
    let promoters = recommend.count_between(*NPS_PROMOTERS.start(), *NPS_PROMOTERS.end());
    let detractors = recommend.count_between(*NPS_DETRACTORS.start(), *NPS_DETRACTORS.end());
    let passives = recommend.count_between(*NPS_DETRACTORS.end() + 1, *NPS_PROMOTERS.start() - 1);
    nps_from_counts(promoters, passives, detractors, confidence)
}

/// NPS from the three counts: score = 100·(p_P − p_D), and the interval
/// score ± z·100·√((p_P + p_D − (p_P − p_D)²)/n) (multinomial variance, METHODS.md §3.2).
pub fn nps_from_counts(
    promoters: u64,
    passives: u64,
    detractors: u64,
    confidence: Confidence,
) -> Nps {
    let n = promoters + passives + detractors;
    let counts = Nps {
        n,
        promoters,
        passives,
        detractors,
        score: None,
        ci: None,
    };
    if n == 0 {
        return counts;
    }
    let promoter_share = promoters as f64 / n as f64;
    let detractor_share = detractors as f64 / n as f64;
    let net = promoter_share - detractor_share;
    let variance = (promoter_share + detractor_share - net * net) / n as f64;
    // 100·(P − D)/n from the integer difference: one rounding, so 40/30/30 gives exactly 10.
    let score = finite(100.0 * (promoters as f64 - detractors as f64) / n as f64);
    let ci = match score {
        Some(score) if variance > 0.0 => {
            Interval::around(score, confidence.z() * 100.0 * variance.sqrt())
        }
        _ => None,
    };
    Nps {
        score,
        ci,
        ..counts
    }
}

/// CES (Customer Effort Score, 1–7 agreement that it was easy): the mean effort with n, sd
/// and t-interval (METHODS.md §3.3).
pub fn ces(effort: &Tally, confidence: Confidence) -> Summary {
    effort.moments().summary(confidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    const C95: Confidence = Confidence::NINETY_FIVE;

    #[test]
    fn csat_counts_four_and_five() {
        // METHODS.md §3.1, Delighted example: 5:42, 4:32, 3:10, 2:9, 1:14 → 74/107.
        let mut tally = Tally::new();
        for (value, count) in [(5, 42), (4, 32), (3, 10), (2, 9), (1, 14)] {
            tally.add_many(value, count);
        }
        let result = csat(&tally, C95);
        assert_eq!((result.successes, result.n), (74, 107));
        assert!((result.share.unwrap() - 0.6915887850467289).abs() < 1e-15);
        assert!(result.ci.is_some());
    }

    #[test]
    fn csat_of_nobody_and_of_everybody() {
        let nobody = csat(&Tally::new(), C95);
        assert_eq!((nobody.n, nobody.share, nobody.ci), (0, None, None));
        let everybody = csat(&[5u8, 4, 5].into_iter().collect(), C95);
        assert_eq!(everybody.share, Some(1.0));
        assert_eq!(everybody.ci.unwrap().upper, 1.0);
        let none_satisfied = csat(&[1u8, 2, 3].into_iter().collect(), C95);
        assert_eq!(none_satisfied.share, Some(0.0));
        assert_eq!(none_satisfied.ci.unwrap().lower, 0.0);
        assert_eq!(proportion(3, 2, C95).share, None);
    }

    #[test]
    fn nps_edge_cases() {
        let nobody = nps(&Tally::new(), C95);
        assert_eq!((nobody.n, nobody.score, nobody.ci), (0, None, None));
        let all_promoters = nps(&[9u8, 10, 10].into_iter().collect(), C95);
        assert_eq!(all_promoters.score, Some(100.0));
        assert_eq!(all_promoters.ci, None);
        let all_passive = nps(&[7u8, 8].into_iter().collect(), C95);
        assert_eq!(all_passive.score, Some(0.0));
        assert_eq!(all_passive.ci, None);
        let off_scale = nps(&[11u8, 10].into_iter().collect(), C95);
        assert_eq!((off_scale.n, off_scale.promoters), (1, 1));
    }

    #[test]
    fn ces_is_the_mean_summary() {
        let summary = ces(&[7u8, 6, 5, 6].into_iter().collect(), C95);
        assert_eq!(summary.n, 4);
        assert_eq!(summary.mean, Some(6.0));
    }
}
