//! Confidentiality: which groups of a breakdown may be shown.
//!
//! A group is shown only when at least the reporting threshold answered. Hiding the small
//! groups is not enough when the table also shows a total: with one hidden cell, its count
//! and sum fall out as "total minus the shown cells". So the hidden cells must be at least
//! two, and together at least the threshold, before nothing can be recovered by subtraction;
//! until they are, the smallest shown cell is hidden too (complementary suppression).

use serde::Serialize;

/// Why a cell is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Suppression {
    /// Fewer than the threshold answered.
    BelowThreshold,
    /// Large enough itself, but hidden so that a smaller hidden cell can't be recovered
    /// by subtracting the shown cells from the total.
    Complementary,
}

/// Decides which cells of one breakdown to hide, given how many answered in each.
/// `None` = shown. The same `counts` always give the same answer.
pub fn suppress(counts: &[usize], threshold: usize) -> Vec<Option<Suppression>> {
    let mut hidden: Vec<Option<Suppression>> = counts
        .iter()
        .map(|&n| (n < threshold).then_some(Suppression::BelowThreshold))
        .collect();
    // Empty groups reveal nothing and protect nothing.
    let exposed = |hidden: &[Option<Suppression>]| {
        let cells: Vec<usize> = counts
            .iter()
            .zip(hidden)
            .filter(|(n, h)| h.is_some() && **n > 0)
            .map(|(n, _)| *n)
            .collect();
        !cells.is_empty() && (cells.len() < 2 || cells.iter().sum::<usize>() < threshold)
    };
    while exposed(&hidden) {
        // Hide the smallest shown cell (the first of equals, so the result is stable).
        let next = counts
            .iter()
            .enumerate()
            .filter(|(i, n)| hidden[*i].is_none() && **n > 0)
            .min_by_key(|(i, n)| (**n, *i))
            .map(|(i, _)| i);
        match next {
            Some(i) => hidden[i] = Some(Suppression::Complementary),
            // Everything is hidden: only the total remains, which is its own group.
            None => break,
        }
    }
    hidden
}

/// What a table hid, for the table's own note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SuppressionNote {
    pub threshold: usize,
    pub below_threshold: usize,
    pub complementary: usize,
}

impl SuppressionNote {
    pub fn of(hidden: &[Option<Suppression>], threshold: usize) -> SuppressionNote {
        SuppressionNote {
            threshold,
            below_threshold: hidden
                .iter()
                .filter(|h| **h == Some(Suppression::BelowThreshold))
                .count(),
            complementary: hidden
                .iter()
                .filter(|h| **h == Some(Suppression::Complementary))
                .count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Suppression::{BelowThreshold as Below, Complementary as Comp};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table() {
        type Case<'a> = (&'a [usize], usize, &'a [Option<Suppression>]);
        let cases: &[Case] = &[
            // Nothing small: nothing hidden.
            (&[12, 30, 5], 5, &[None, None, None]),
            // One small cell would be total − shown: hide the smallest other one too.
            (&[3, 40, 12, 25], 5, &[Some(Below), None, Some(Comp), None]),
            // Two small cells that together are still below the threshold: hide more.
            (
                &[1, 2, 40, 9],
                5,
                &[Some(Below), Some(Below), None, Some(Comp)],
            ),
            // Two small cells that together reach it: they protect each other.
            (&[4, 3, 40, 9], 5, &[Some(Below), Some(Below), None, None]),
            // Empty groups neither need nor give protection.
            (&[0, 20, 30], 5, &[Some(Below), None, None]),
            (
                &[0, 4, 20, 30],
                5,
                &[Some(Below), Some(Below), Some(Comp), None],
            ),
            // Ties: the first of the smallest is hidden.
            (&[2, 8, 8], 5, &[Some(Below), Some(Comp), None]),
            // A single group: hidden if small, and nothing else to hide.
            (&[4], 5, &[Some(Below)]),
            (&[], 5, &[]),
        ];
        for (counts, threshold, expected) in cases {
            assert_eq!(&suppress(counts, *threshold), expected, "counts {counts:?}");
        }
    }

    #[test]
    fn a_hidden_cell_cannot_be_recovered_by_subtraction() {
        // Agencies with 40, 25, 12 and 3 answers; the total (80) is shown. Without the
        // complementary cell, the 3 answers are 80 − 40 − 25 − 12; with it, only the pair
        // (3 + 12 = 15) can be recovered, which is above the threshold.
        let counts = [40, 25, 12, 3];
        let hidden = suppress(&counts, 5);
        let shown: usize = counts
            .iter()
            .zip(&hidden)
            .filter(|(_, h)| h.is_none())
            .map(|(n, _)| n)
            .sum();
        let recoverable = counts.iter().sum::<usize>() - shown;
        assert_eq!(hidden.iter().filter(|h| h.is_some()).count(), 2);
        assert!(recoverable >= 5);
        let note = SuppressionNote::of(&hidden, 5);
        assert_eq!((note.below_threshold, note.complementary), (1, 1));
    }

    proptest! {
        #[test]
        fn no_small_group_is_shown_and_hidden_groups_protect_each_other(
            counts in proptest::collection::vec(0usize..30, 0..12),
            threshold in 3usize..11,
        ) {
            let hidden = suppress(&counts, threshold);
            prop_assert_eq!(hidden.len(), counts.len());
            for (n, h) in counts.iter().zip(&hidden) {
                if *n < threshold {
                    prop_assert!(h.is_some(), "group of {} shown", n);
                }
            }
            let hidden_cells: Vec<usize> = counts.iter().zip(&hidden)
                .filter(|(n, h)| h.is_some() && **n > 0).map(|(n, _)| *n).collect();
            let shown_cells = counts.iter().zip(&hidden).filter(|(n, h)| h.is_none() && **n > 0).count();
            if !hidden_cells.is_empty() && shown_cells > 0 {
                // Whatever subtraction from the total recovers is a group of two or more
                // cells, together at or above the threshold.
                prop_assert!(hidden_cells.len() >= 2);
                prop_assert!(hidden_cells.iter().sum::<usize>() >= threshold);
            }
        }
    }
}
