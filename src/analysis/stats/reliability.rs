//! Scale reliability: Cronbach's alpha of a dimension's items with its Feldt interval,
//! standardized alpha and alpha if an item is deleted (METHODS.md §4.9; pingouin's
//! `cronbach_alpha`, which is tested against R `psych`).
//!
//! Respondents are added one at a time and only their running means and co-moments are kept
//! (k² numbers for k items), so a million respondents need no extra memory. Respondents who
//! skipped an item are left out entirely (listwise deletion), as the definition requires.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, FisherSnedecor};

use super::{Confidence, Interval, finite};

/// Accumulates respondents' answers to the k items of one scale.
#[derive(Debug, Clone)]
pub struct CronbachAlpha {
    items: usize,
    respondents: u64,
    incomplete: u64,
    means: Vec<f64>,
    /// Row-major k × k sums of cross-products of deviations from the means.
    co_moments: Vec<f64>,
    /// Scratch space for one respondent's deviations from the previous means.
    old_deviations: Vec<f64>,
}

impl CronbachAlpha {
    /// An empty accumulator for a scale of `items` items.
    pub fn new(items: usize) -> CronbachAlpha {
        CronbachAlpha {
            items,
            respondents: 0,
            incomplete: 0,
            means: vec![0.0; items],
            co_moments: vec![0.0; items * items],
            old_deviations: Vec::with_capacity(items),
        }
    }

    /// Adds one respondent's answers, one per item in a fixed order. A respondent who did not
    /// answer every item (`None`, a non-finite value, or a row of the wrong length) is only
    /// counted as incomplete. Returns whether the answers were used.
    pub fn add_respondent(&mut self, answers: &[Option<f64>]) -> bool {
        let complete =
            answers.len() == self.items && answers.iter().all(|a| a.is_some_and(f64::is_finite));
        if !complete {
            self.incomplete += 1;
            return false;
        }
        self.respondents += 1;
        let n = self.respondents as f64;
        let k = self.items;
        // Welford's update generalised to co-moments:
        // C_ij += (x_i − old mean_i)·(x_j − new mean_j).
        self.old_deviations.clear();
        for (answer, mean) in answers.iter().flatten().zip(self.means.iter_mut()) {
            let deviation = answer - *mean;
            self.old_deviations.push(deviation);
            *mean += deviation / n;
        }
        for (j, (answer, mean)) in answers.iter().flatten().zip(&self.means).enumerate() {
            let new_deviation = answer - mean;
            for (i, old_deviation) in self.old_deviations.iter().enumerate() {
                self.co_moments[i * k + j] += old_deviation * new_deviation;
            }
        }
        true
    }

    /// Adds `count` respondents who all gave `answers` (a complete row), as if each were
    /// added with [`add_respondent`](Self::add_respondent): the merge of a group of `count`
    /// identical rows (zero spread) into the running moments, so that answers counted by
    /// pattern need one update per distinct pattern. Returns whether the answers were used.
    pub fn add_respondents(&mut self, answers: &[f64], count: u64) -> bool {
        if count == 0 {
            return false;
        }
        if answers.len() != self.items || !answers.iter().all(|a| a.is_finite()) {
            self.incomplete += count;
            return false;
        }
        let before = self.respondents as f64;
        self.respondents += count;
        let after = self.respondents as f64;
        let k = self.items;
        // Chan et al.'s pairwise update: C_ij += d_i·d_j·n_a·n_b/(n_a + n_b), with d the
        // difference between the new rows and the old mean.
        self.old_deviations.clear();
        for (answer, mean) in answers.iter().zip(self.means.iter_mut()) {
            let deviation = answer - *mean;
            self.old_deviations.push(deviation);
            *mean += deviation * count as f64 / after;
        }
        let weight = before * count as f64 / after;
        for i in 0..k {
            for j in 0..k {
                self.co_moments[i * k + j] +=
                    self.old_deviations[i] * self.old_deviations[j] * weight;
            }
        }
        true
    }

    /// Counts `count` respondents left out for skipping an item.
    pub fn add_incomplete(&mut self, count: u64) {
        self.incomplete += count;
    }

    fn co_moment(&self, i: usize, j: usize) -> f64 {
        self.co_moments[i * self.items + j]
    }

    /// Alpha over the items whose positions `keep` accepts:
    /// α = k/(k−1) · (1 − Σ item variances / variance of the total). The n − 1 divisors
    /// cancel, so co-moments are used directly.
    fn alpha_of(&self, keep: impl Fn(usize) -> bool) -> Option<f64> {
        let kept: Vec<usize> = (0..self.items).filter(|i| keep(*i)).collect();
        let k = kept.len() as f64;
        if kept.len() < 2 || self.respondents < 2 {
            return None;
        }
        let item_variances: f64 = kept.iter().map(|i| self.co_moment(*i, *i)).sum();
        let total_variance: f64 = kept
            .iter()
            .flat_map(|i| kept.iter().map(move |j| (*i, *j)))
            .map(|(i, j)| self.co_moment(i, j))
            .sum();
        if total_variance <= 0.0 {
            return None;
        }
        finite(k / (k - 1.0) * (1.0 - item_variances / total_variance))
    }

    /// Standardized alpha k·r̄/(1 + (k−1)·r̄), with r̄ the mean inter-item Pearson
    /// correlation; `None` when an item has zero variance.
    fn standardized_alpha(&self) -> Option<f64> {
        let k = self.items;
        if k < 2 || self.respondents < 2 {
            return None;
        }
        let mut sum = 0.0;
        for i in 0..k {
            for j in (i + 1)..k {
                let scale = (self.co_moment(i, i) * self.co_moment(j, j)).sqrt();
                if scale <= 0.0 {
                    return None;
                }
                sum += self.co_moment(i, j) / scale;
            }
        }
        let k = k as f64;
        let mean_correlation = sum / (k * (k - 1.0) / 2.0);
        finite(k * mean_correlation / (1.0 + (k - 1.0) * mean_correlation))
    }

    /// Feldt interval: with df₁ = n − 1 and df₂ = (n − 1)(k − 1),
    /// [1 − (1 − α)·F(1 − γ/2), 1 − (1 − α)·F(γ/2)].
    fn feldt_interval(&self, alpha: f64, confidence: Confidence) -> Option<Interval> {
        let df_respondents = (self.respondents - 1) as f64;
        let f =
            FisherSnedecor::new(df_respondents, df_respondents * (self.items - 1) as f64).ok()?;
        let upper_tail = confidence.upper_tail();
        Interval::new(
            1.0 - (1.0 - alpha) * f.inverse_cdf(upper_tail),
            1.0 - (1.0 - alpha) * f.inverse_cdf(1.0 - upper_tail),
        )
    }

    /// The reliability of the scale from the respondents added so far.
    pub fn result(&self, confidence: Confidence) -> Reliability {
        let alpha = self.alpha_of(|_| true);
        Reliability {
            respondents: self.respondents,
            incomplete: self.incomplete,
            items: self.items,
            alpha,
            ci: alpha.and_then(|alpha| self.feldt_interval(alpha, confidence)),
            standardized_alpha: self.standardized_alpha(),
            alpha_if_deleted: (0..self.items)
                .map(|deleted| self.alpha_of(|i| i != deleted))
                .collect(),
        }
    }
}

/// Cronbach's alpha of one scale, with what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reliability {
    /// Respondents who answered every item (the ones used).
    pub respondents: u64,
    /// Respondents left out because they skipped an item.
    pub incomplete: u64,
    /// Number of items k.
    pub items: usize,
    /// Cronbach's alpha; `None` below two items or two respondents, or when the total score
    /// does not vary.
    pub alpha: Option<f64>,
    /// Feldt interval of alpha.
    pub ci: Option<Interval>,
    /// Alpha of the standardized items (mean inter-item correlation).
    pub standardized_alpha: Option<f64>,
    /// For each item, alpha of the scale without it (needs three items or more).
    pub alpha_if_deleted: Vec<Option<f64>>,
}

/// Cronbach's alpha of `rows` (one row per respondent, one answer per item, `items` items),
/// listwise: rows with a missing answer are left out.
pub fn cronbach_alpha<R: AsRef<[Option<f64>]>>(
    items: usize,
    rows: &[R],
    confidence: Confidence,
) -> Reliability {
    let mut accumulator = CronbachAlpha::new(items);
    for row in rows {
        accumulator.add_respondent(row.as_ref());
    }
    accumulator.result(confidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_rows_added_at_once_match_rows_added_one_by_one() {
        let rows: [(&[f64], u64); 4] = [
            (&[1.0, 2.0, 2.0], 3),
            (&[4.0, 5.0, 4.0], 2),
            (&[3.0, 3.0, 2.0], 4),
            (&[5.0, 4.0, 5.0], 1),
        ];
        let mut one_by_one = CronbachAlpha::new(3);
        let mut grouped = CronbachAlpha::new(3);
        for (row, count) in rows {
            let optional: Vec<Option<f64>> = row.iter().map(|v| Some(*v)).collect();
            for _ in 0..count {
                one_by_one.add_respondent(&optional);
            }
            grouped.add_respondents(row, count);
        }
        one_by_one.add_respondent(&[Some(1.0), None, Some(2.0)]);
        grouped.add_incomplete(1);
        let (a, b) = (
            one_by_one.result(Confidence::NINETY_FIVE),
            grouped.result(Confidence::NINETY_FIVE),
        );
        assert_eq!((a.respondents, a.incomplete), (b.respondents, b.incomplete));
        let close = |x: Option<f64>, y: Option<f64>| (x.unwrap() - y.unwrap()).abs() < 1e-12;
        assert!(close(a.alpha, b.alpha));
        assert!(close(a.standardized_alpha, b.standardized_alpha));
        for (x, y) in a.alpha_if_deleted.iter().zip(&b.alpha_if_deleted) {
            assert!(close(*x, *y));
        }
        assert!(!grouped.add_respondents(&[1.0, 2.0], 2));
        assert_eq!(grouped.result(Confidence::NINETY_FIVE).incomplete, 3);
    }

    fn rows(values: &[&[f64]]) -> Vec<Vec<Option<f64>>> {
        values
            .iter()
            .map(|row| row.iter().copied().map(Some).collect())
            .collect()
    }

    #[test]
    fn listwise_deletion_skips_incomplete_respondents() {
        let complete = rows(&[
            &[4.0, 5.0, 4.0],
            &[3.0, 3.0, 2.0],
            &[5.0, 5.0, 5.0],
            &[2.0, 3.0, 2.0],
        ]);
        let mut with_gaps = complete.clone();
        with_gaps.push(vec![Some(1.0), None, Some(1.0)]);
        with_gaps.push(vec![Some(1.0), Some(1.0)]);
        with_gaps.push(vec![Some(1.0), Some(f64::NAN), Some(1.0)]);
        let clean = cronbach_alpha(3, &complete, Confidence::NINETY_FIVE);
        let gappy = cronbach_alpha(3, &with_gaps, Confidence::NINETY_FIVE);
        assert_eq!(gappy.respondents, 4);
        assert_eq!(gappy.incomplete, 3);
        assert_eq!(gappy.alpha, clean.alpha);
        assert!(clean.alpha.is_some());
    }

    #[test]
    fn too_little_to_compute() {
        let one_item = cronbach_alpha(1, &rows(&[&[1.0], &[2.0]]), Confidence::NINETY_FIVE);
        assert_eq!(
            (one_item.alpha, one_item.ci, one_item.standardized_alpha),
            (None, None, None)
        );
        let one_respondent = cronbach_alpha(2, &rows(&[&[1.0, 2.0]]), Confidence::NINETY_FIVE);
        assert_eq!(one_respondent.alpha, None);
        let nobody = cronbach_alpha::<Vec<Option<f64>>>(4, &[], Confidence::NINETY_FIVE);
        assert_eq!(nobody.alpha, None);
        assert_eq!(nobody.alpha_if_deleted, vec![None; 4]);
        // Everyone gave the same answers: the total does not vary.
        let flat = cronbach_alpha(
            2,
            &rows(&[&[3.0, 3.0], &[3.0, 3.0]]),
            Confidence::NINETY_FIVE,
        );
        assert_eq!(flat.alpha, None);
        // Two items: alpha if deleted would be a one-item scale.
        let two = cronbach_alpha(
            2,
            &rows(&[&[1.0, 2.0], &[2.0, 2.5], &[3.0, 3.5]]),
            Confidence::NINETY_FIVE,
        );
        assert!(two.alpha.is_some());
        assert_eq!(two.alpha_if_deleted, vec![None, None]);
    }

    #[test]
    fn constant_item_has_no_standardized_alpha() {
        let result = cronbach_alpha(
            3,
            &rows(&[&[1.0, 3.0, 2.0], &[2.0, 3.0, 2.5], &[4.0, 3.0, 5.0]]),
            Confidence::NINETY_FIVE,
        );
        assert!(result.alpha.is_some());
        assert_eq!(result.standardized_alpha, None);
    }
}
