//! Importance–performance analysis (Martilla & James 1977; METHODS.md §2): per dimension,
//! how important customers say it is against how well they rate it, split into quadrants
//! at the means across dimensions. Staff predictions go on the same grid, judged against
//! the customers' cross-hairs, so the chart shows where IT misreads priorities.

use serde::Serialize;

use super::gap::{DimensionGap, ItemInfo};
use super::responses::{ResponseSet, WaveResponses};
use crate::domain::Scale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// Important and rated below the cross-hair: where to put effort first.
    ConcentrateHere,
    /// Important and rated well.
    KeepUpTheGoodWork,
    /// Less important and rated low.
    LowPriority,
    /// Less important but rated well: effort that might go elsewhere.
    PossibleOverkill,
}

impl Quadrant {
    /// High is at or above the split.
    pub fn of(
        importance: f64,
        performance: f64,
        importance_split: f64,
        performance_split: f64,
    ) -> Quadrant {
        match (
            importance >= importance_split,
            performance >= performance_split,
        ) {
            (true, false) => Quadrant::ConcentrateHere,
            (true, true) => Quadrant::KeepUpTheGoodWork,
            (false, false) => Quadrant::LowPriority,
            (false, true) => Quadrant::PossibleOverkill,
        }
    }
}

/// One audience's mean importance and performance of a dimension.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Position {
    pub importance: f64,
    pub performance: f64,
    pub quadrant: Quadrant,
}

/// What goes into the grid for one dimension (`None` where too few answered).
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionMeans {
    pub dimension: String,
    pub customer_importance: Option<f64>,
    pub customer_performance: Option<f64>,
    pub staff_importance: Option<f64>,
    pub staff_performance: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpaPoint {
    pub dimension: String,
    pub customers: Option<Position>,
    /// What staff predict, on the customers' grid.
    pub staff: Option<Position>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpaGrid {
    /// Mean customer importance across the dimensions that have both means.
    pub importance_split: Option<f64>,
    /// Mean customer performance across the same dimensions.
    pub performance_split: Option<f64>,
    pub points: Vec<IpaPoint>,
}

/// Places every dimension on the grid.
pub fn grid(dimensions: &[DimensionMeans]) -> IpaGrid {
    let complete: Vec<(f64, f64)> = dimensions
        .iter()
        .filter_map(|d| Some((d.customer_importance?, d.customer_performance?)))
        .collect();
    let mean = |f: fn(&(f64, f64)) -> f64| {
        (!complete.is_empty()).then(|| complete.iter().map(f).sum::<f64>() / complete.len() as f64)
    };
    let importance_split = mean(|p| p.0);
    let performance_split = mean(|p| p.1);
    let place = |importance: Option<f64>, performance: Option<f64>| {
        let (importance, performance) = (importance?, performance?);
        Some(Position {
            importance,
            performance,
            quadrant: Quadrant::of(
                importance,
                performance,
                importance_split?,
                performance_split?,
            ),
        })
    };
    IpaGrid {
        importance_split,
        performance_split,
        points: dimensions
            .iter()
            .map(|d| IpaPoint {
                dimension: d.dimension.clone(),
                customers: place(d.customer_importance, d.customer_performance),
                staff: place(d.staff_importance, d.staff_performance),
            })
            .collect(),
    }
}

/// The grid of one wave: performance is each dimension's score mean from the overall gap
/// table (already hidden below the threshold), importance the mean of the dimension's
/// `importance5` item, shown when at least `reporting_threshold` answered it.
pub fn wave_grid(
    items: &[ItemInfo],
    data: &WaveResponses,
    dimensions: &[DimensionGap],
    reporting_threshold: u64,
) -> IpaGrid {
    let importance = |set: &ResponseSet, dimension: &str| {
        let item = items
            .iter()
            .find(|i| i.scale == Scale::Importance5 && i.dimension == dimension)?;
        let tally = set.tally(item.position);
        if tally.n() < reporting_threshold.max(1) {
            return None;
        }
        tally.moments().mean()
    };
    let means: Vec<DimensionMeans> = dimensions
        .iter()
        .map(|d| DimensionMeans {
            dimension: d.dimension.clone(),
            customer_importance: importance(&data.customers, &d.dimension),
            customer_performance: d.gap.customer.mean,
            staff_importance: importance(&data.staff, &d.dimension),
            staff_performance: d.gap.staff.mean,
        })
        .collect();
    grid(&means)
}

#[cfg(test)]
mod tests {
    use super::Quadrant::*;
    use super::*;

    fn dim(name: &str, ci: f64, cp: f64, si: Option<f64>, sp: Option<f64>) -> DimensionMeans {
        DimensionMeans {
            dimension: name.into(),
            customer_importance: Some(ci),
            customer_performance: Some(cp),
            staff_importance: si,
            staff_performance: sp,
        }
    }

    #[test]
    fn quadrants_split_at_the_means() {
        // Importance mean 4.0, performance mean 3.25.
        let grid = grid(&[
            dim("reliability", 4.6, 3.6, Some(4.5), Some(3.9)),
            dim("communication", 4.2, 2.8, Some(3.2), Some(3.7)),
            dim("empathy", 3.6, 3.0, None, None),
            dim("assurance", 3.6, 3.6, Some(4.6), Some(3.1)),
        ]);
        assert_eq!(grid.importance_split, Some(4.0));
        assert_eq!(grid.performance_split, Some(3.25));
        let q = |i: usize| grid.points[i].customers.map(|p| p.quadrant);
        assert_eq!(q(0), Some(KeepUpTheGoodWork));
        assert_eq!(q(1), Some(ConcentrateHere));
        assert_eq!(q(2), Some(LowPriority));
        assert_eq!(q(3), Some(PossibleOverkill));
        // Staff think communication is unimportant and fine: a misread priority.
        assert_eq!(
            grid.points[1].staff.map(|p| p.quadrant),
            Some(PossibleOverkill)
        );
        assert_eq!(
            grid.points[3].staff.map(|p| p.quadrant),
            Some(ConcentrateHere)
        );
        assert_eq!(grid.points[2].staff, None);
    }

    #[test]
    fn a_point_on_a_split_counts_as_high() {
        assert_eq!(Quadrant::of(4.0, 3.0, 4.0, 3.0), KeepUpTheGoodWork);
    }

    #[test]
    fn missing_means_leave_no_grid() {
        let grid = grid(&[DimensionMeans {
            dimension: "value".into(),
            customer_importance: None,
            customer_performance: Some(3.0),
            staff_importance: Some(4.0),
            staff_performance: Some(3.0),
        }]);
        assert_eq!(grid.importance_split, None);
        assert_eq!(grid.points[0].customers, None);
        assert_eq!(grid.points[0].staff, None);
    }
}
