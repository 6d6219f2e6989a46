//! Calibration: how well IT staff predict their customers, over the items of one gap table
//! (DESIGN.md, "Calibration"; METHODS.md §5.5).
//!
//! - **Mean absolute gap**: how far off staff are on an average item, whatever the direction.
//! - **Bias**: the mean signed gap (staff − customers); positive = IT is optimistic overall.
//! - **Spearman** between staff and customer item means: does IT know *which* items are its
//!   weak spots, even when it is uniformly optimistic? (bias against discrimination.)
//!
//! Only `likert5` items count, so that every figure is in points of one 1–5 scale (an NPS
//! item's 0–10 gap would otherwise outweigh five agreement items). Only items where both
//! sides are shown take part: a suppressed side never leaks through an average.

use serde::Serialize;

use super::gap::ItemGap;
use super::stats::spearman;
use crate::domain::Scale;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Calibration {
    /// Items with both sides shown.
    pub items: usize,
    pub mean_absolute_gap: Option<f64>,
    /// Mean of staff mean − customer mean.
    pub bias: Option<f64>,
    /// Spearman rank correlation of staff and customer item means; `None` under three items
    /// or when either side rates every item the same.
    pub spearman: Option<f64>,
}

/// Calibration over `items`, each with its scale.
pub fn calibration<'a>(items: impl IntoIterator<Item = (&'a ItemGap, Scale)>) -> Calibration {
    let pairs: Vec<(f64, f64)> = items
        .into_iter()
        .filter(|(_, scale)| *scale == Scale::Likert5)
        .filter_map(|(item, _)| Some((item.gap.staff.mean?, item.gap.customer.mean?)))
        .collect();
    let n = pairs.len();
    let mean = |f: &dyn Fn(&(f64, f64)) -> f64| {
        (n > 0).then(|| pairs.iter().map(f).sum::<f64>() / n as f64)
    };
    let staff: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let customers: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    Calibration {
        items: n,
        mean_absolute_gap: mean(&|(s, c)| (s - c).abs()),
        bias: mean(&|(s, c)| s - c),
        spearman: if n >= 3 {
            spearman(&staff, &customers)
        } else {
            None
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::gap::{Gap, Side, Verdict};

    fn item(code: &str, staff: Option<f64>, customers: Option<f64>) -> ItemGap {
        let side = |mean: Option<f64>| Side {
            n: mean.map(|_| 10),
            mean,
            sd: None,
            ci95: None,
        };
        ItemGap {
            item: code.into(),
            label: code.into(),
            wording: String::new(),
            scale: crate::domain::Scale::Likert5,
            dimension: "d".into(),
            gap: Gap::shown(side(customers), side(staff), Verdict::Aligned),
        }
    }

    #[test]
    fn bias_absolute_gap_and_rank_agreement() {
        // Staff are 0.5 optimistic on every item but rank them exactly as customers do.
        let items = [
            item("a", Some(4.5), Some(4.0)),
            item("b", Some(3.5), Some(3.0)),
            item("c", Some(3.0), Some(2.5)),
            item("d", Some(4.0), Some(3.5)),
        ];
        let c = calibration(items.iter().map(|i| (i, Scale::Likert5)));
        assert_eq!(c.items, 4);
        assert!((c.bias.unwrap() - 0.5).abs() < 1e-12);
        assert!((c.mean_absolute_gap.unwrap() - 0.5).abs() < 1e-12);
        assert!((c.spearman.unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn opposite_errors_cancel_in_bias_but_not_in_absolute_gap() {
        let items = [
            item("a", Some(4.0), Some(3.0)),
            item("b", Some(2.0), Some(3.0)),
            item("c", Some(3.0), Some(4.0)),
        ];
        let c = calibration(items.iter().map(|i| (i, Scale::Likert5)));
        assert!((c.bias.unwrap() - (-1.0 / 3.0)).abs() < 1e-12);
        assert!((c.mean_absolute_gap.unwrap() - 1.0).abs() < 1e-12);
        // Ranks: staff (3, 1, 2), customers (1.5, 1.5, 3): deviations (1, −1, 0) and
        // (−0.5, −0.5, 1) are uncorrelated, so ρ = 0: no idea which items are weak.
        assert!(c.spearman.unwrap().abs() < 1e-12);
    }

    #[test]
    fn hidden_sides_and_other_scales_are_left_out() {
        let items = [
            (item("a", Some(4.0), Some(3.0)), Scale::Likert5),
            (item("b", None, Some(3.0)), Scale::Likert5),
            (item("nps", Some(9.0), Some(4.0)), Scale::Nps11),
        ];
        let c = calibration(items.iter().map(|(i, s)| (i, *s)));
        assert_eq!(c.items, 1);
        assert_eq!(c.bias, Some(1.0));
        assert_eq!(c.spearman, None);
        let none = calibration(std::iter::empty());
        assert_eq!(
            (none.items, none.bias, none.mean_absolute_gap),
            (0, None, None)
        );
    }
}
