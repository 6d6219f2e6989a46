//! The gap dumbbell: per item (or dimension), what customers said and what staff expected,
//! each with its 95% interval, joined by a bar and coloured by the finding. Rows are sorted
//! by gap, largest blind spot first, so the top of the chart is where IT over-rates itself
//! most. Items on different scales (1–5, 1–7, 0–10) get a panel each: a mean on a 0–10
//! scale can't share an axis with a 1–5 one.

use plotters::coord::Shift;
use plotters::prelude::{Circle, DrawingArea, DrawingBackend, Rectangle};
use plotters::style::Color;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, Frame, Key};
use super::{Chart, DataTable, DrawResult, Respondents, palette};
use crate::analysis::gap::{DimensionGap, Gap, GapReport, ItemGap, ItemInfo, Verdict};
use crate::domain::Scale;

/// A scale's range and its rows, each with its place in the sorted order.
type Panel<'a> = ((u8, u8), Vec<(usize, &'a Row)>);

#[derive(Debug, Clone, PartialEq)]
struct Row {
    label: String,
    /// Lowest and highest answer of the row's scale.
    range: (u8, u8),
    gap: Gap,
}

/// Customers against staff per item or dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct GapDumbbell {
    /// Sorted: largest gap first, rows without a gap last.
    rows: Vec<Row>,
    /// "question" or "dimension".
    kind: &'static str,
    /// Importance questions: their findings are misjudged priorities, not blind spots.
    priorities: bool,
    respondents: Option<Respondents>,
    reporting_threshold: Option<u64>,
}

/// Dimension scores are means of `likert5` answers.
const DIMENSION_RANGE: (u8, u8) = (1, 5);

/// The first rating scale whose range holds every figure of `gap` (1–5 when none does).
fn range_holding(gap: &Gap) -> (u8, u8) {
    let figures: Vec<f64> = [gap.customer, gap.staff]
        .iter()
        .flat_map(|side| {
            let ci = crate::words::finite_interval(side.ci95);
            [
                crate::words::finite(side.mean),
                ci.map(|c| c.lower),
                ci.map(|c| c.upper),
            ]
        })
        .flatten()
        .collect();
    [Scale::Likert5, Scale::Ces7, Scale::Nps11]
        .iter()
        .filter_map(|s| s.range())
        .find(|&(lo, hi)| {
            figures
                .iter()
                .all(|v| (f64::from(lo)..=f64::from(hi)).contains(v))
        })
        .unwrap_or(DIMENSION_RANGE)
}

impl GapDumbbell {
    /// The rows of a gap table's items; each item's scale is looked up in `items` by code
    /// (an item not found there goes on the first of 1–5, 1–7 and 0–10 that holds its
    /// figures, so that it is never drawn off its scale).
    pub fn items(rows: &[ItemGap], items: &[ItemInfo]) -> GapDumbbell {
        let range = |row: &ItemGap| {
            items
                .iter()
                .find(|i| i.code == row.item)
                .and_then(|i| i.scale.range())
                .unwrap_or_else(|| range_holding(&row.gap))
        };
        GapDumbbell::new(
            rows.iter()
                .map(|r| Row {
                    label: r.label.clone(),
                    range: range(r),
                    gap: r.gap,
                })
                .collect(),
            "question",
        )
    }

    /// The rows of a gap table's dimensions (scores on 1–5).
    pub fn dimensions(rows: &[DimensionGap]) -> GapDumbbell {
        GapDumbbell::new(
            rows.iter()
                .map(|r| Row {
                    label: crate::words::dimension_name(&r.dimension),
                    range: DIMENSION_RANGE,
                    gap: r.gap,
                })
                .collect(),
            "dimension",
        )
    }

    /// The overall items of a gap report about how IT performs, with its respondents and
    /// threshold. Importance items say what matters, not how IT does: they are left out
    /// here and drawn by [`GapDumbbell::priorities`].
    pub fn of_report(report: &GapReport, items: &[ItemInfo]) -> GapDumbbell {
        let rows: Vec<ItemGap> = report
            .items
            .iter()
            .filter(|r| r.scale != Scale::Importance5)
            .cloned()
            .collect();
        GapDumbbell::items(&rows, items).of_whole(report)
    }

    /// The importance items of a gap report: what IT thinks matters to customers against
    /// what customers say matters.
    pub fn priorities(report: &GapReport, items: &[ItemInfo]) -> GapDumbbell {
        let rows: Vec<ItemGap> = report
            .items
            .iter()
            .filter(|r| r.scale == Scale::Importance5)
            .cloned()
            .collect();
        let mut chart = GapDumbbell::items(&rows, items).of_whole(report);
        chart.priorities = true;
        chart
    }

    /// Whether there is anything to draw.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn of_whole(self, report: &GapReport) -> GapDumbbell {
        self.respondents(Respondents {
            customers: report.customer_respondents,
            staff: report.staff_respondents,
        })
        .reporting_threshold(report.reporting_threshold)
    }

    pub fn respondents(mut self, respondents: Respondents) -> GapDumbbell {
        self.respondents = Some(respondents);
        self
    }

    pub fn reporting_threshold(mut self, threshold: u64) -> GapDumbbell {
        self.reporting_threshold = Some(threshold);
        self
    }

    fn new(mut rows: Vec<Row>, kind: &'static str) -> GapDumbbell {
        // Largest blind spot first, as a share of each row's scale (a 0–10 gap of 1 is no
        // larger than a 1–5 gap of 0.4); rows without a gap keep their order at the end.
        let share = |r: &Row| {
            crate::words::finite(r.gap.gap).map(|g| g / f64::from((r.range.1 - r.range.0).max(1)))
        };
        rows.sort_by(|a, b| match (share(a), share(b)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        GapDumbbell {
            rows,
            kind,
            priorities: false,
            respondents: None,
            reporting_threshold: None,
        }
    }

    /// A height (pixels) at which every row gets room, for a chart `width` wide.
    pub fn suggested_height(&self) -> u32 {
        super::height_for(130, &[(self.panels().len(), 60), (self.rows.len(), 26)])
    }

    /// The rows grouped by scale, 1–5 first: `(range, rows in sorted order)`.
    /// Each row comes with its place in the sorted order.
    fn panels(&self) -> Vec<Panel<'_>> {
        let mut ranges: Vec<(u8, u8)> = self.rows.iter().map(|r| r.range).collect();
        ranges.sort_by_key(|&(lo, hi)| (hi - lo.min(hi), lo));
        ranges.dedup();
        ranges
            .into_iter()
            .map(|range| {
                (
                    range,
                    self.rows
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.range == range)
                        .collect(),
                )
            })
            .collect()
    }

    /// The findings this chart can show, in legend order.
    fn findings(&self) -> [Verdict; 4] {
        if self.priorities {
            [
                Verdict::OverestimatedPriority,
                Verdict::UnderestimatedPriority,
                Verdict::Aligned,
                Verdict::InsufficientData,
            ]
        } else {
            [
                Verdict::BlindSpot,
                Verdict::HiddenStrength,
                Verdict::Aligned,
                Verdict::InsufficientData,
            ]
        }
    }

    fn plural(&self) -> String {
        format!("{}s", self.kind)
    }
}

impl Chart for GapDumbbell {
    fn caption(&self) -> String {
        let order = if self.priorities {
            "those IT overestimates most first"
        } else {
            "largest blind spot first"
        };
        let mut parts = vec![format!(
            "{} {}, {order}; gap = staff expected − customers said.",
            self.rows.len(),
            if self.rows.len() == 1 {
                self.kind.to_string()
            } else {
                self.plural()
            }
        )];
        match self.respondents {
            Some(r) => parts.push(format!(
                "{} customers and {} staff answered.",
                r.customers, r.staff
            )),
            // Without the respondent counts, say how many answered the rows.
            None => {
                let range = |n: Vec<u64>| match (n.iter().min(), n.iter().max()) {
                    (Some(lo), Some(hi)) if lo == hi => Some(lo.to_string()),
                    (Some(lo), Some(hi)) => Some(format!("{lo}–{hi}")),
                    _ => None,
                };
                let customers = range(self.rows.iter().filter_map(|r| r.gap.customer.n).collect());
                let staff = range(self.rows.iter().filter_map(|r| r.gap.staff.n).collect());
                if let (Some(c), Some(s)) = (customers, staff) {
                    parts.push(format!(
                        "{c} customers and {s} staff answered each {}.",
                        self.kind
                    ));
                }
            }
        }
        let short = self
            .rows
            .iter()
            .filter(|r| r.gap.verdict == Verdict::InsufficientData)
            .count();
        if short > 0 {
            parts.push(match self.reporting_threshold {
                Some(t) => format!("{short} with fewer than {t} answers on a side are grey."),
                None => format!("{short} with too few answers are grey."),
            });
        }
        parts.push("Bars: 95% intervals.".into());
        parts.join(" ")
    }

    fn table(&self) -> DataTable {
        let label = if self.kind == "question" {
            "Question"
        } else {
            "Dimension"
        };
        DataTable {
            caption: format!(
                "Customers said and staff expected, per {}, largest gap first",
                self.kind
            ),
            headers: [
                label,
                "Scale",
                "Customers said (mean)",
                "Customers 95% interval",
                "Customers answered",
                "Staff expected (mean)",
                "Staff 95% interval",
                "Staff answered",
                "Gap (staff − customers)",
                "q",
                "Finding",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .rows
                .iter()
                .map(|r| {
                    let g = &r.gap;
                    let finding = match g.suppressed {
                        Some(reason) => crate::words::suppression_label(
                            reason,
                            self.reporting_threshold.unwrap_or(0),
                        ),
                        None => crate::words::verdict_label(g.verdict).to_string(),
                    };
                    vec![
                        r.label.clone(),
                        format!("{}–{}", r.range.0, r.range.1),
                        crate::words::number(g.customer.mean, 2),
                        crate::words::interval(g.customer.ci95, 2),
                        crate::words::count(g.customer.n),
                        crate::words::number(g.staff.mean, 2),
                        crate::words::interval(g.staff.ci95, 2),
                        crate::words::count(g.staff.n),
                        crate::words::signed(g.gap, 2),
                        crate::words::number(g.q, 3),
                        finding,
                    ]
                })
                .collect(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (width, height) = area.dim_in_pixel();
        let (width, height) = (width as i32, height as i32);
        let legend: Vec<(Key, String)> = [
            (
                Key::FilledCircle(palette::TEXT),
                "Customers said".to_string(),
            ),
            (
                Key::HollowCircle(palette::TEXT),
                "Staff expected".to_string(),
            ),
        ]
        .into_iter()
        .chain(self.findings().into_iter().map(|v| {
            (
                Key::Swatch(palette::verdict(v)),
                crate::words::verdict_label(v).to_string(),
            )
        }))
        .collect::<Vec<_>>();
        let legend_height =
            draw::legend(area, &legend, (draw::MARGIN, 0), width - 2 * draw::MARGIN)?;
        let mut y = legend_height + 8;
        if self.rows.is_empty() {
            let style = draw::font(draw::LABEL_SIZE).color(&palette::MUTED_TEXT);
            return draw::text(
                area,
                &format!("No {} to compare.", self.plural()),
                (draw::MARGIN, y),
                &style,
            );
        }

        // Smaller labels when rows are many: sized before the rows, measured with this font.
        let label_size = if self.rows.len() > 16 {
            draw::SMALL_SIZE
        } else {
            draw::LABEL_SIZE
        };
        let label_style = draw::anchored(&draw::font(label_size), HPos::Right, VPos::Center);
        let mut label_width = 0;
        for row in &self.rows {
            label_width = label_width.max(draw::text_width(area, &row.label, &label_style)? as i32);
        }
        let label_width = label_width.clamp(40, width * 35 / 100) + 10;
        let gap_column = 84;
        let left = draw::MARGIN + label_width;
        let right = width - draw::MARGIN - gap_column;

        let panels = self.panels();
        // Per panel: ticks and axis title under it, and a heading when there are several.
        let heading = if panels.len() > 1 {
            draw::line_height(draw::LABEL_SIZE) + 4
        } else {
            0
        };
        let axis = 2 * draw::line_height(draw::SMALL_SIZE) + 14;
        let note = draw::line_height(draw::SMALL_SIZE) + 4;
        let panel_overhead = heading + axis + 8;
        let room = (height - y - panels.len() as i32 * panel_overhead).max(0);
        let row_height = (room / self.rows.len().max(1) as i32).clamp(16, 34);
        // Show the first `fit` rows of the sorted order (the largest gaps), in their panels;
        // the rest are named in a note rather than dropped without a word.
        let needed = |fit: usize| {
            let used_panels = panels
                .iter()
                .filter(|(_, rows)| rows.first().is_some_and(|(rank, _)| *rank < fit))
                .count() as i32;
            let note = if fit < self.rows.len() { note } else { 0 };
            used_panels * panel_overhead + fit as i32 * row_height + note
        };
        let mut fit = self.rows.len();
        while fit > 1 && y + needed(fit) > height {
            fit -= 1;
        }
        let left_out = self.rows.len() - fit;

        for ((lo, hi), rows) in panels {
            let rows: Vec<&Row> = rows
                .into_iter()
                .filter(|(rank, _)| *rank < fit)
                .map(|(_, row)| row)
                .collect();
            let shown = rows.len();
            if shown == 0 {
                continue;
            }
            if heading > 0 {
                let style = draw::bold(draw::LABEL_SIZE);
                draw::text(
                    area,
                    &format!("Items answered on {lo}–{hi}"),
                    (draw::MARGIN, y),
                    &style,
                )?;
                y += heading;
            }
            let frame = Frame {
                left: left + 8,
                top: y,
                right: right - 8,
                bottom: y + shown as i32 * row_height,
                x: (f64::from(lo), f64::from(hi)),
                y: (0.0, shown as f64),
            };
            area.draw(&Rectangle::new(
                [(left, frame.top), (right, frame.bottom)],
                palette::PLOT_BACKGROUND.filled(),
            ))?;
            let step = if hi - lo.min(hi) > 10 { 2.0 } else { 1.0 };
            frame.x_ticks(
                area,
                &draw::ticks(f64::from(lo), f64::from(hi), step),
                |v| format!("{v:.0}"),
            )?;
            frame.x_title(area, &format!("Mean answer ({lo}–{hi})"))?;
            for (k, row) in rows.iter().enumerate() {
                let centre = frame.top + k as i32 * row_height + row_height / 2;
                self.draw_row(area, &frame, row, centre, row_height)?;
                let label = draw::fit(area, &row.label, &label_style, label_width as u32 - 10)?;
                draw::text(area, &label, (left - 6, centre), &label_style)?;
            }
            y = frame.bottom + axis + 8;
        }
        if left_out > 0 {
            let style = draw::font(draw::SMALL_SIZE).color(&palette::MUTED_TEXT);
            let text = format!(
                "{left_out} more {}, further down the order, did not fit: see the table.",
                if left_out == 1 {
                    self.kind.to_string()
                } else {
                    self.plural()
                }
            );
            draw::text(area, &text, (draw::MARGIN, y), &style)?;
        }
        Ok(())
    }
}

impl GapDumbbell {
    fn draw_row<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        frame: &Frame,
        row: &Row,
        centre: i32,
        row_height: i32,
    ) -> DrawResult<DB> {
        let gap = &row.gap;
        let note_style = draw::anchored(&draw::font(draw::SMALL_SIZE), HPos::Left, VPos::Center);
        let note_at = (frame.right + 16, centre);
        if gap.suppressed.is_some() {
            draw::hatched(
                area,
                (frame.left - 8, centre - row_height / 2 + 2),
                (frame.right + 8, centre + row_height / 2 - 2),
            )?;
            return draw::text(area, "suppressed", note_at, &note_style);
        }
        let colour = palette::verdict(gap.verdict);
        let customer = crate::words::finite(gap.customer.mean).and_then(|m| frame.px(m));
        let staff = crate::words::finite(gap.staff.mean).and_then(|m| frame.px(m));
        // Intervals just above (customers) and below (staff) the dumbbell, when there is room.
        let offset = if row_height >= 16 { 4 } else { 0 };
        for (ci, dy) in [(gap.customer.ci95, -offset), (gap.staff.ci95, offset)] {
            if let Some(ci) = crate::words::finite_interval(ci)
                && let (Some(a), Some(b)) = (frame.px(ci.lower), frame.px(ci.upper))
            {
                draw::line(area, (a, centre + dy), (b, centre + dy), colour, 1)?;
                draw::line(area, (a, centre + dy - 3), (a, centre + dy + 3), colour, 1)?;
                draw::line(area, (b, centre + dy - 3), (b, centre + dy + 3), colour, 1)?;
            }
        }
        if let (Some(c), Some(s)) = (customer, staff) {
            draw::line(
                area,
                (c, centre),
                (s, centre),
                palette::blend(colour, palette::WHITE, 0.35),
                4,
            )?;
        }
        let radius = if row_height >= 16 { 5 } else { 4 };
        if let Some(s) = staff {
            draw::hollow_circle(area, (s, centre), radius, colour)?;
        }
        if let Some(c) = customer {
            area.draw(&Circle::new((c, centre), radius, colour.filled()))?;
        }
        let note = if crate::words::finite(gap.gap).is_some() {
            crate::words::signed(gap.gap, 2)
        } else if gap.verdict == Verdict::InsufficientData {
            "too few".to_string()
        } else {
            crate::words::NONE.to_string()
        };
        draw::text(area, &note, note_at, &note_style)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::gap::Side;
    use crate::analysis::stats::Interval;

    fn side(mean: f64, n: u64) -> Side {
        Side {
            n: Some(n),
            mean: Some(mean),
            sd: Some(0.8),
            ci95: Some(Interval {
                lower: mean - 0.3,
                upper: mean + 0.3,
            }),
        }
    }

    const HIDDEN: Side = Side {
        n: None,
        mean: None,
        sd: None,
        ci95: None,
    };

    fn row(item: &str, customer: Side, staff: Side, verdict: Verdict) -> ItemGap {
        ItemGap {
            item: item.into(),
            label: item.into(),
            wording: String::new(),
            scale: crate::domain::Scale::Likert5,
            dimension: "reliability".into(),
            gap: Gap::shown(customer, staff, verdict),
        }
    }

    #[test]
    fn rows_are_sorted_by_gap_with_missing_gaps_last() {
        let rows = [
            row("small", side(3.0, 20), side(3.2, 9), Verdict::Aligned),
            row("none", side(3.0, 20), HIDDEN, Verdict::InsufficientData),
            row("big", side(2.5, 20), side(4.0, 9), Verdict::BlindSpot),
            row(
                "negative",
                side(4.0, 20),
                side(3.0, 9),
                Verdict::HiddenStrength,
            ),
        ];
        let chart = GapDumbbell::items(&rows, &[]);
        let order: Vec<&str> = chart.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(order, ["big", "small", "negative", "none"]);
        let table = chart.table();
        assert_eq!(table.rows[0][8], "+1.50");
        assert_eq!(table.rows[3][5], "—");
        assert_eq!(table.rows[3][10], "Too few answers");
        assert_eq!(table.headers.len(), table.rows[0].len());
    }

    #[test]
    fn an_item_of_unknown_scale_goes_on_a_scale_that_holds_it() {
        let rows = [
            row("nps", side(6.0, 20), side(8.0, 9), Verdict::BlindSpot),
            row("effort", side(5.5, 20), side(6.0, 9), Verdict::Aligned),
            row("sat", side(3.0, 20), side(3.5, 9), Verdict::Aligned),
            row("odd", side(30.0, 20), side(3.5, 9), Verdict::Aligned),
        ];
        let chart = GapDumbbell::items(&rows, &[]);
        let range = |label: &str| chart.rows.iter().find(|r| r.label == label).unwrap().range;
        assert_eq!(range("nps"), (0, 10));
        assert_eq!(range("effort"), (1, 7));
        assert_eq!(range("sat"), (1, 5));
        assert_eq!(range("odd"), (1, 5));
    }

    #[test]
    fn items_on_other_scales_get_their_own_panel() {
        let info = |code: &str, scale| ItemInfo {
            code: code.into(),
            label: format!("Label of {}", code),
            wording: format!("Wording of {}", code),
            dimension: "overall".into(),
            scale,
            position: 0,
            mirrored: true,
            service: None,
        };
        let rows = [
            row("nps", side(6.0, 20), side(8.0, 9), Verdict::BlindSpot),
            row("sat", side(3.0, 20), side(3.5, 9), Verdict::Aligned),
        ];
        let chart = GapDumbbell::items(
            &rows,
            &[info("nps", Scale::Nps11), info("sat", Scale::Likert5)],
        );
        let panels = chart.panels();
        assert_eq!(panels.len(), 2);
        assert_eq!(panels[0].0, (1, 5));
        assert_eq!(panels[1].0, (0, 10));
        assert_eq!(panels[1].1[0].1.label, "nps");
        // Ranks follow the sorted order: nps (gap 2.0) before sat (0.5).
        assert_eq!(panels[1].1[0].0, 0);
        assert_eq!(panels[0].1[0].0, 1);
    }
}
