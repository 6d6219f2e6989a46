//! The agency × dimension heatmap: each cell is the gap (staff expected − customers said) on
//! a dimension for one agency's customers, vermillion where IT over-rates itself and blue
//! where it under-rates itself, deeper with size; the value is written in the cell and a
//! significant, material finding is outlined. A hidden agency or cell is grey, hatched and
//! labelled "suppressed", so nobody mistakes it for a gap of zero.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend, Rectangle, ShapeStyle};
use plotters::style::Color;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, Key};
use super::{Chart, DataTable, DrawResult, palette};
use crate::analysis::gap::{BreakdownBy, GapReport, Verdict};
use crate::analysis::suppress::Suppression;

/// A gap of this many points (on 1–5) or more gets the full colour.
const FULL_COLOUR_GAP: f64 = 1.0;

#[derive(Debug, Clone, PartialEq)]
enum Cell {
    /// What a shown cell needs: the gap (staff − customers) and the finding.
    Gap(ShownGap),
    Suppressed(Suppression),
    /// The dimension is not in this group's table.
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct ShownGap {
    gap: Option<f64>,
    verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    agency: String,
    respondents: Option<u64>,
    cells: Vec<Cell>,
}

/// Dimension gaps per agency, with every agency overall on the first row.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyHeatmap {
    dimensions: Vec<String>,
    rows: Vec<Row>,
    reporting_threshold: u64,
    staff_respondents: u64,
}

impl AgencyHeatmap {
    pub fn new(report: &GapReport, names: &crate::words::Names) -> AgencyHeatmap {
        let mut dimensions: Vec<String> = report
            .dimensions
            .iter()
            .map(|d| d.dimension.clone())
            .collect();
        let breakdown = report
            .breakdowns
            .iter()
            .find(|b| b.by == BreakdownBy::Agency);
        for group in breakdown.iter().flat_map(|b| &b.groups) {
            for d in group.table.iter().flat_map(|t| &t.dimensions) {
                if !dimensions.contains(&d.dimension) {
                    dimensions.push(d.dimension.clone());
                }
            }
        }
        let cell = |rows: &[crate::analysis::gap::DimensionGap], dimension: &str| match rows
            .iter()
            .find(|d| d.dimension == dimension)
        {
            Some(d) => match d.gap.suppressed {
                Some(reason) => Cell::Suppressed(reason),
                None => Cell::Gap(ShownGap {
                    gap: d.gap.gap,
                    verdict: d.gap.verdict,
                }),
            },
            None => Cell::Missing,
        };
        let mut rows = vec![Row {
            agency: "All agencies".into(),
            respondents: Some(report.customer_respondents),
            cells: dimensions
                .iter()
                .map(|d| cell(&report.dimensions, d))
                .collect(),
        }];
        for group in breakdown.iter().flat_map(|b| &b.groups) {
            let cells = match (group.suppressed, &group.table) {
                (Some(reason), _) => vec![Cell::Suppressed(reason); dimensions.len()],
                (None, Some(table)) => dimensions
                    .iter()
                    .map(|d| cell(&table.dimensions, d))
                    .collect(),
                // A group with neither a table nor a reason can't be shown; say so as hidden.
                (None, None) => {
                    vec![Cell::Suppressed(Suppression::BelowThreshold); dimensions.len()]
                }
            };
            rows.push(Row {
                agency: names.agency(&group.group),
                respondents: group.respondents.filter(|_| group.suppressed.is_none()),
                cells,
            });
        }
        AgencyHeatmap {
            dimensions: dimensions
                .iter()
                .map(|d| crate::words::dimension_name(d))
                .collect(),
            rows,
            reporting_threshold: report.reporting_threshold,
            staff_respondents: report.staff_respondents,
        }
    }

    /// A height at which every agency gets a row of comfortable height.
    pub fn suggested_height(&self) -> u32 {
        super::height_for(170, &[(self.rows.len(), 30)])
    }

    fn suppressed_agencies(&self) -> usize {
        self.rows
            .iter()
            .skip(1)
            .filter(|r| {
                !r.cells.is_empty() && r.cells.iter().all(|c| matches!(c, Cell::Suppressed(_)))
            })
            .count()
    }
}

impl Chart for AgencyHeatmap {
    fn caption(&self) -> String {
        let agencies = self.rows.len().saturating_sub(1);
        let hidden = self.suppressed_agencies();
        let hidden = if hidden > 0 {
            format!(
                " {hidden} agencies suppressed (fewer than {} answered, or hidden to protect \
                 a smaller one).",
                self.reporting_threshold
            )
        } else {
            String::new()
        };
        format!(
            "Gap per dimension (staff expected − customers said, 1–5): {agencies} agencies' \
             customers against all {} staff; outlined: a significant finding.{hidden}",
            self.staff_respondents
        )
    }

    fn table(&self) -> DataTable {
        let mut headers = vec!["Agency".to_string(), "Customers answered".to_string()];
        headers.extend(self.dimensions.iter().cloned());
        DataTable {
            caption: "Gap per agency and dimension (staff expected − customers said)".into(),
            headers,
            rows: self
                .rows
                .iter()
                .map(|row| {
                    let mut out = vec![row.agency.clone(), crate::words::count(row.respondents)];
                    out.extend(row.cells.iter().map(|c| match c {
                        Cell::Gap(g) => match (crate::words::finite(g.gap), g.verdict) {
                            (None, _) => crate::words::NONE.to_string(),
                            (Some(_), Verdict::BlindSpot | Verdict::HiddenStrength) => format!(
                                "{} ({})",
                                crate::words::signed(g.gap, 2),
                                crate::words::verdict_label(g.verdict).to_lowercase()
                            ),
                            (Some(_), _) => crate::words::signed(g.gap, 2),
                        },
                        Cell::Suppressed(_) => "suppressed".to_string(),
                        Cell::Missing => crate::words::NONE.to_string(),
                    }));
                    out
                })
                .collect(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (width, height) = area.dim_in_pixel();
        let (width, height) = (width as i32, height as i32);
        let legend = [
            (
                Key::Swatch(palette::gap_heat(-FULL_COLOUR_GAP, FULL_COLOUR_GAP)),
                "Staff expected less (−1)".to_string(),
            ),
            (
                Key::Swatch(palette::gap_heat(0.0, FULL_COLOUR_GAP)),
                "No gap".to_string(),
            ),
            (
                Key::Swatch(palette::gap_heat(FULL_COLOUR_GAP, FULL_COLOUR_GAP)),
                "Staff expected more (+1)".to_string(),
            ),
            (Key::Outlined, "Significant finding".to_string()),
            (Key::Hatched, "Suppressed".to_string()),
        ];
        let top = draw::legend(area, &legend, (draw::MARGIN, 0), width - 2 * draw::MARGIN)? + 8;
        if self.dimensions.is_empty() {
            let style = draw::font(draw::LABEL_SIZE).color(&palette::MUTED_TEXT);
            return draw::text(
                area,
                "No dimensions to compare.",
                (draw::MARGIN, top),
                &style,
            );
        }
        let label_style = draw::anchored(&draw::font(draw::LABEL_SIZE), HPos::Right, VPos::Center);
        let mut label_width = 0;
        let labels: Vec<String> = self
            .rows
            .iter()
            .map(|r| match r.respondents {
                Some(n) => format!("{} (n = {n})", r.agency),
                None => r.agency.clone(),
            })
            .collect();
        for label in &labels {
            label_width = label_width.max(draw::text_width(area, label, &label_style)? as i32);
        }
        let label_width = label_width.clamp(40, width * 30 / 100);
        let left = draw::MARGIN + label_width + 8;
        let right = width - draw::MARGIN;
        let columns = self.dimensions.len() as i32;
        let cell_width = ((right - left) / columns).max(1);
        let header_height = draw::line_height(draw::SMALL_SIZE) + 6;
        let room = height - top - header_height - 4;
        let cell_height = (room / self.rows.len().max(1) as i32).clamp(14, 40);
        let shown = ((room / cell_height).max(0) as usize).min(self.rows.len());

        let header_style =
            draw::anchored(&draw::font(draw::SMALL_SIZE), HPos::Center, VPos::Bottom);
        for (k, dimension) in self.dimensions.iter().enumerate() {
            let x = left + k as i32 * cell_width + cell_width / 2;
            let text = draw::fit(
                area,
                dimension,
                &header_style,
                (cell_width - 4).max(0) as u32,
            )?;
            draw::text(area, &text, (x, top + header_height - 4), &header_style)?;
        }
        let value_style = draw::anchored(&draw::font(draw::SMALL_SIZE), HPos::Center, VPos::Center);
        let grid_top = top + header_height;
        for (r, (row, label)) in self.rows.iter().zip(&labels).take(shown).enumerate() {
            let y0 = grid_top + r as i32 * cell_height;
            let y1 = y0 + cell_height;
            let label = draw::fit(area, label, &label_style, label_width as u32)?;
            draw::text(area, &label, (left - 8, (y0 + y1) / 2), &label_style)?;
            for (k, cell) in row.cells.iter().enumerate() {
                let x0 = left + k as i32 * cell_width;
                let (a, b) = ((x0 + 1, y0 + 1), (x0 + cell_width - 1, y1 - 1));
                let centre = ((a.0 + b.0) / 2, (a.1 + b.1) / 2);
                let fit = |text: &str| {
                    draw::fit(area, text, &value_style, (cell_width - 6).max(0) as u32)
                };
                match cell {
                    Cell::Gap(g) => match crate::words::finite(g.gap) {
                        Some(gap) => {
                            let fill = palette::gap_heat(gap, FULL_COLOUR_GAP);
                            area.draw(&Rectangle::new([a, b], fill.filled()))?;
                            if matches!(g.verdict, Verdict::BlindSpot | Verdict::HiddenStrength) {
                                area.draw(&Rectangle::new(
                                    [(a.0 + 1, a.1 + 1), (b.0 - 1, b.1 - 1)],
                                    ShapeStyle::from(&palette::BLACK).stroke_width(2),
                                ))?;
                            }
                            let style = draw::coloured(&value_style, palette::text_on(fill));
                            draw::text(
                                area,
                                &fit(&crate::words::signed(Some(gap), 2))?,
                                centre,
                                &style,
                            )?;
                        }
                        None => {
                            area.draw(&Rectangle::new([a, b], palette::PLOT_BACKGROUND.filled()))?;
                            draw::text(area, &fit("too few")?, centre, &value_style)?;
                        }
                    },
                    Cell::Suppressed(_) => {
                        draw::hatched(area, a, b)?;
                        // The word sits on a plain patch so the hatching doesn't cut it.
                        let text = fit("suppressed")?;
                        let w = draw::text_width(area, &text, &value_style)? as i32;
                        let h = draw::line_height(draw::SMALL_SIZE);
                        area.draw(&Rectangle::new(
                            [
                                (centre.0 - w / 2 - 2, centre.1 - h / 2),
                                (centre.0 + w / 2 + 2, centre.1 + h / 2),
                            ],
                            palette::LIGHT_GREY.filled(),
                        ))?;
                        draw::text(area, &text, centre, &value_style)?;
                    }
                    Cell::Missing => {
                        area.draw(&Rectangle::new([a, b], palette::PLOT_BACKGROUND.filled()))?;
                        draw::text(area, crate::words::NONE, centre, &value_style)?;
                    }
                }
            }
        }
        if shown < self.rows.len() {
            let style = draw::font(draw::SMALL_SIZE).color(&palette::MUTED_TEXT);
            let text = format!(
                "{} more agencies did not fit: see the table.",
                self.rows.len() - shown
            );
            draw::text(
                area,
                &text,
                (draw::MARGIN, grid_top + shown as i32 * cell_height + 4),
                &style,
            )?;
        }
        Ok(())
    }
}
