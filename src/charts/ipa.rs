//! The importance–performance grid: per dimension, how important customers say it is (x)
//! against how well they rate it (y), split into quadrants at the customers' means. What
//! staff expected is drawn hollow and joined to the customers' point, so a long line is a
//! dimension where IT misreads either the priority or the performance.

use plotters::coord::Shift;
use plotters::prelude::{Circle, DrawingArea, DrawingBackend};
use plotters::style::Color;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, Frame, Key};
use super::{Chart, DataTable, DrawResult, Respondents, palette};
use crate::analysis::ipa::{IpaGrid, Position, Quadrant};

/// Customers and staff on the importance–performance grid.
#[derive(Debug, Clone, PartialEq)]
pub struct IpaChart {
    grid: IpaGrid,
    respondents: Respondents,
}

impl IpaChart {
    pub fn new(grid: &IpaGrid, respondents: Respondents) -> IpaChart {
        IpaChart {
            grid: grid.clone(),
            respondents,
        }
    }

    fn positions(&self) -> impl Iterator<Item = &Position> {
        self.grid
            .points
            .iter()
            .flat_map(|p| p.customers.iter().chain(p.staff.iter()))
    }

    /// The shown range of one axis: the data and the split with a margin, on half points,
    /// within 1–5 and at least one point wide (means cluster, so the full 1–5 would crowd
    /// every dimension into a corner).
    fn range(&self, pick: fn(&Position) -> f64, split: Option<f64>) -> (f64, f64) {
        let values: Vec<f64> = self
            .positions()
            .map(pick)
            .chain(split)
            .filter(|v| v.is_finite())
            .collect();
        let (Some(min), Some(max)) = (
            values.iter().copied().reduce(f64::min),
            values.iter().copied().reduce(f64::max),
        ) else {
            return (1.0, 5.0);
        };
        let mut lo = (((min - 0.25) * 2.0).floor() / 2.0).max(1.0);
        let mut hi = (((max + 0.25) * 2.0).ceil() / 2.0).min(5.0);
        if hi - lo < 1.0 {
            // Widen evenly, staying on half points and inside 1–5.
            lo = (((lo + hi) / 2.0 - 0.5) * 2.0).floor() / 2.0;
            lo = lo.clamp(1.0, 4.0);
            hi = lo + 1.0;
        }
        (lo, hi)
    }
}

fn quadrant_label(quadrant: Quadrant) -> &'static str {
    match quadrant {
        Quadrant::ConcentrateHere => "Concentrate here",
        Quadrant::KeepUpTheGoodWork => "Keep up the good work",
        Quadrant::LowPriority => "Low priority",
        Quadrant::PossibleOverkill => "Possible overkill",
    }
}

impl Chart for IpaChart {
    fn caption(&self) -> String {
        format!(
            "{} dimensions: how important customers say each is against how well they rate \
             it, split at the customers' means; hollow: what staff expected. {} customers and \
             {} staff answered.",
            self.grid.points.len(),
            self.respondents.customers,
            self.respondents.staff
        )
    }

    fn table(&self) -> DataTable {
        let part = |p: Option<Position>| match p {
            Some(p) => [
                crate::words::number(Some(p.importance), 2),
                crate::words::number(Some(p.performance), 2),
                quadrant_label(p.quadrant).to_string(),
            ],
            None => [crate::words::NONE, crate::words::NONE, crate::words::NONE].map(String::from),
        };
        let mut rows: Vec<Vec<String>> = self
            .grid
            .points
            .iter()
            .map(|p| {
                let mut row = vec![crate::words::dimension_name(&p.dimension)];
                row.extend(part(p.customers));
                row.extend(part(p.staff));
                row
            })
            .collect();
        rows.push(vec![
            "Split (customers' means)".into(),
            crate::words::number(self.grid.importance_split, 2),
            crate::words::number(self.grid.performance_split, 2),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        DataTable {
            caption: "Importance and performance per dimension (1–5)".into(),
            headers: [
                "Dimension",
                "Customers: importance",
                "Customers: performance",
                "Customers' quadrant",
                "Staff expected: importance",
                "Staff expected: performance",
                "Staff expected: quadrant",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (width, height) = area.dim_in_pixel();
        let (width, height) = (width as i32, height as i32);
        let legend = [
            (
                Key::FilledCircle(palette::CUSTOMERS),
                "Customers said".to_string(),
            ),
            (
                Key::HollowCircle(palette::STAFF),
                "Staff expected".to_string(),
            ),
            (
                Key::DashedLine(palette::AXIS),
                "Customers' average".to_string(),
            ),
        ];
        let top = draw::legend(area, &legend, (draw::MARGIN, 0), width - 2 * draw::MARGIN)? + 10;

        let note_style = draw::font(draw::SMALL_SIZE).color(&palette::MUTED_TEXT);
        let missing: Vec<String> = self
            .grid
            .points
            .iter()
            .filter(|p| p.customers.is_none() && p.staff.is_none())
            .map(|p| crate::words::dimension_name(&p.dimension))
            .collect();
        let notes = if missing.is_empty() {
            Vec::new()
        } else {
            draw::wrap(
                area,
                &format!("Not plotted (too few answers): {}.", missing.join(", ")),
                &note_style,
                (width - 2 * draw::MARGIN).max(0) as u32,
                2,
            )?
        };
        let axis = 2 * draw::line_height(draw::SMALL_SIZE) + 14;
        let notes_height = notes.len() as i32 * draw::line_height(draw::SMALL_SIZE);
        let frame = Frame {
            left: draw::MARGIN + 56,
            top,
            right: width - draw::MARGIN - 8,
            bottom: (height - axis - notes_height - 6).max(top + 40),
            x: self.range(|p| p.importance, self.grid.importance_split),
            y: self.range(|p| p.performance, self.grid.performance_split),
        };
        frame.background(area)?;
        frame.x_ticks(area, &draw::ticks(frame.x.0, frame.x.1, 0.5), |v| {
            format!("{v:.1}")
        })?;
        frame.y_ticks(area, &draw::ticks(frame.y.0, frame.y.1, 0.5), |v| {
            format!("{v:.1}")
        })?;
        frame.axes(area)?;
        frame.x_title(area, "Importance to customers (1–5)")?;
        frame.y_title(area, "Performance (1–5)")?;

        let corner = draw::font(draw::SMALL_SIZE).color(&palette::MUTED_TEXT);
        if let Some(x) = crate::words::finite(self.grid.importance_split).and_then(|v| frame.px(v))
        {
            draw::dashed(area, (x, frame.top), (x, frame.bottom), palette::AXIS, 2)?;
        }
        if let Some(y) = crate::words::finite(self.grid.performance_split).and_then(|v| frame.py(v))
        {
            draw::dashed(area, (frame.left, y), (frame.right, y), palette::AXIS, 2)?;
        }
        if self.grid.importance_split.is_some() && self.grid.performance_split.is_some() {
            let (l, t, r, b) = (
                frame.left + 4,
                frame.top + 4,
                frame.right - 4,
                frame.bottom - 4,
            );
            for (quadrant, at, h, v) in [
                (Quadrant::PossibleOverkill, (l, t), HPos::Left, VPos::Top),
                (Quadrant::KeepUpTheGoodWork, (r, t), HPos::Right, VPos::Top),
                (Quadrant::LowPriority, (l, b), HPos::Left, VPos::Bottom),
                (Quadrant::ConcentrateHere, (r, b), HPos::Right, VPos::Bottom),
            ] {
                draw::text(
                    area,
                    quadrant_label(quadrant),
                    at,
                    &draw::anchored(&corner, h, v),
                )?;
            }
        }

        let place = |p: &Option<Position>| {
            p.and_then(|p| {
                let x = crate::words::finite(Some(p.importance))?;
                let y = crate::words::finite(Some(p.performance))?;
                frame.point(x, y)
            })
        };
        let mut taken: Vec<draw::Bounds> = Vec::new();
        for point in &self.grid.points {
            let (customers, staff) = (place(&point.customers), place(&point.staff));
            if let (Some(c), Some(s)) = (customers, staff) {
                draw::line(area, s, c, palette::GREY, 1)?;
            }
            for (x, y) in customers.into_iter().chain(staff) {
                taken.push((x - 7, y - 7, x + 7, y + 7));
            }
        }
        for point in &self.grid.points {
            let (customers, staff) = (place(&point.customers), place(&point.staff));
            if let Some(s) = staff {
                draw::hollow_circle(area, s, 6, palette::STAFF)?;
            }
            if let Some(c) = customers {
                area.draw(&Circle::new(c, 6, palette::CUSTOMERS.filled()))?;
            }
            if let Some(at) = customers.or(staff) {
                draw::label_point(
                    area,
                    &frame,
                    &crate::words::dimension_name(&point.dimension),
                    at,
                    &mut taken,
                )?;
            }
        }
        let mut y = frame.bottom + axis;
        for line in notes {
            draw::text(area, &line, (draw::MARGIN, y), &note_style)?;
            y += draw::line_height(draw::SMALL_SIZE);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ipa::{DimensionMeans, grid};

    #[test]
    fn range_hugs_the_data_on_half_points() {
        let g = grid(&[
            DimensionMeans {
                dimension: "a".into(),
                customer_importance: Some(4.1),
                customer_performance: Some(3.2),
                staff_importance: Some(3.9),
                staff_performance: Some(4.4),
            },
            DimensionMeans {
                dimension: "b".into(),
                customer_importance: Some(4.6),
                customer_performance: Some(3.6),
                staff_importance: None,
                staff_performance: None,
            },
        ]);
        let chart = IpaChart::new(&g, Respondents::default());
        assert_eq!(
            chart.range(|p| p.importance, g.importance_split),
            (3.5, 5.0)
        );
        assert_eq!(
            chart.range(|p| p.performance, g.performance_split),
            (2.5, 5.0)
        );
        let empty = IpaChart::new(&grid(&[]), Respondents::default());
        assert_eq!(empty.range(|p| p.importance, None), (1.0, 5.0));
        let table = chart.table();
        assert_eq!(table.rows[1][4], "—");
        // a: importance 4.1 < 4.35 and performance 3.2 < 3.4 (the customers' means).
        assert_eq!(table.rows[0][3], "Low priority");
        assert_eq!(table.rows[1][3], "Keep up the good work");
    }

    #[test]
    fn a_single_point_gets_a_range_one_point_wide() {
        let g = grid(&[DimensionMeans {
            dimension: "a".into(),
            customer_importance: Some(5.0),
            customer_performance: Some(1.0),
            staff_importance: None,
            staff_performance: None,
        }]);
        let chart = IpaChart::new(&g, Respondents::default());
        assert_eq!(
            chart.range(|p| p.importance, g.importance_split),
            (4.0, 5.0)
        );
        assert_eq!(
            chart.range(|p| p.performance, g.performance_split),
            (1.0, 2.0)
        );
    }
}
