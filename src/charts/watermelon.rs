//! The watermelon scatter: per service, SLA attainment (x) against customer CSAT (y), with
//! the SLA target and the CSAT red and green lines drawn across. Watermelons sit bottom
//! right (SLA green, customers red), reverse watermelons top left. A service that can't be
//! placed (no SLA figures, too few answers, suppressed) is named under the plot with the
//! reason, never silently dropped.

use plotters::coord::Shift;
use plotters::prelude::{Circle, DrawingArea, DrawingBackend, Rectangle};
use plotters::style::Color;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, Frame, Key};
use super::{Chart, DataTable, DrawResult, palette};
use crate::analysis::suppress::Suppression;
use crate::analysis::watermelon::{CsatSide, Watermelon, WatermelonClass, WatermelonReport};
use crate::words::Names;

#[derive(Debug, Clone, PartialEq)]
struct Point {
    service: String,
    watermelon: Watermelon,
    /// Whether the instrument asks about this service at all.
    has_item: bool,
    suppressed: Option<Suppression>,
}

impl Point {
    /// Where it goes, when both coordinates are shown.
    fn position(&self) -> Option<(f64, f64)> {
        Some((
            crate::words::finite(self.watermelon.sla.attainment)?,
            crate::words::finite(self.watermelon.customers.csat)?,
        ))
    }

    /// Why it is not on the plot.
    fn missing(&self, threshold: usize) -> Option<String> {
        if self.position().is_some() {
            return None;
        }
        let mut reasons = Vec::new();
        if self.watermelon.sla.attainment.is_none() {
            reasons.push("no SLA figures".to_string());
        }
        if self.watermelon.customers.csat.is_none() {
            // No question is the plainer reason: its cells are empty, hence "suppressed" too.
            reasons.push(match (self.has_item, self.suppressed) {
                (false, _) => "no satisfaction question".to_string(),
                (true, Some(_)) => "suppressed".to_string(),
                (true, None) => format!("fewer than {threshold} answered"),
            });
        }
        if reasons.is_empty() {
            reasons.push("figures missing".into());
        }
        Some(reasons.join(", "))
    }
}

/// SLA attainment against CSAT, per service or per service for one agency.
#[derive(Debug, Clone, PartialEq)]
pub struct WatermelonScatter {
    points: Vec<Point>,
    /// Whose CSAT: "all agencies" or an agency code.
    scope: String,
    sla_target: f64,
    red_line: f64,
    green_line: f64,
    reporting_threshold: usize,
}

impl WatermelonScatter {
    /// Every service of the report, all agencies together.
    pub fn services(report: &WatermelonReport, names: &Names) -> WatermelonScatter {
        WatermelonScatter::with_points(
            report,
            "all agencies".into(),
            report
                .services
                .iter()
                .map(|s| Point {
                    service: names.service(&s.service),
                    watermelon: s.watermelon,
                    has_item: s.item.is_some(),
                    suppressed: None,
                })
                .collect(),
        )
    }

    /// Every service as one agency sees it. A cell hidden to protect the agency's
    /// respondents is listed as suppressed.
    pub fn agency(report: &WatermelonReport, agency: &str, names: &Names) -> WatermelonScatter {
        let points = report
            .services
            .iter()
            .map(|s| {
                let cell = s.agencies.iter().find(|a| a.agency == agency);
                Point {
                    service: names.service(&s.service),
                    // No cell: nobody from this agency answered; the SLA side is the service's.
                    watermelon: cell.map_or(
                        Watermelon {
                            sla: s.watermelon.sla,
                            customers: CsatSide {
                                n: None,
                                csat: None,
                                ci95: None,
                            },
                            class: WatermelonClass::InsufficientData,
                        },
                        |c| c.watermelon,
                    ),
                    has_item: s.item.is_some(),
                    suppressed: cell.and_then(|c| c.suppressed),
                }
            })
            .collect();
        WatermelonScatter::with_points(report, names.agency(agency), points)
    }

    fn with_points(report: &WatermelonReport, scope: String, points: Vec<Point>) -> Self {
        WatermelonScatter {
            points,
            scope,
            sla_target: report.sla_target,
            red_line: report.red_line,
            green_line: report.green_line,
            reporting_threshold: report.reporting_threshold,
        }
    }

    fn finding(&self, point: &Point) -> String {
        if point.has_item
            && let Some(reason) = point.suppressed
        {
            return crate::words::suppression_label(reason, self.reporting_threshold as u64);
        }
        match point.watermelon.class {
            WatermelonClass::InsufficientData => match point.missing(self.reporting_threshold) {
                Some(reason) => format!("Not enough data: {reason}"),
                None => "Not enough data".into(),
            },
            _ => crate::words::service_finding(&point.watermelon, self.sla_target).into(),
        }
    }
}

/// The pale tint of a zone.
fn zone(colour: plotters::style::RGBColor) -> plotters::style::RGBColor {
    palette::blend(colour, palette::WHITE, 0.85)
}

/// The plot shows a little beyond 0–100% so that points on the edges stay whole.
const RANGE: (f64, f64) = (-0.04, 1.04);

impl Chart for WatermelonScatter {
    fn caption(&self) -> String {
        let plotted: Vec<u64> = self
            .points
            .iter()
            .filter(|p| p.position().is_some())
            .filter_map(|p| p.watermelon.customers.n)
            .collect();
        let answers = match (plotted.iter().min(), plotted.iter().max()) {
            (Some(lo), Some(hi)) if lo == hi => format!(" CSAT from {lo} answers per service."),
            (Some(lo), Some(hi)) => format!(" CSAT from {lo}–{hi} answers per service."),
            _ => String::new(),
        };
        format!(
            "{} services ({}): share of SLA metrics met against the share of customers \
             satisfied (4–5) with the service; {} plotted.{answers}",
            self.points.len(),
            self.scope,
            plotted.len()
        )
    }

    fn table(&self) -> DataTable {
        DataTable {
            caption: format!("SLA attainment and CSAT per service ({})", self.scope),
            headers: [
                "Service",
                "SLA metrics met",
                "SLA attainment",
                "Customers satisfied (CSAT)",
                "CSAT 95% interval",
                "Customers answered",
                "Finding",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .points
                .iter()
                .map(|p| {
                    let w = &p.watermelon;
                    vec![
                        p.service.clone(),
                        if w.sla.metrics == 0 {
                            crate::words::NONE.to_string()
                        } else {
                            format!("{} of {}", w.sla.met, w.sla.metrics)
                        },
                        crate::words::percent(w.sla.attainment),
                        crate::words::percent(w.customers.csat),
                        crate::words::percent_interval(w.customers.ci95),
                        crate::words::count(w.customers.n),
                        self.finding(p),
                    ]
                })
                .collect(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (width, height) = area.dim_in_pixel();
        let (width, height) = (width as i32, height as i32);
        let legend = [
            (
                Key::FilledCircle(palette::VERMILLION),
                "Watermelon".to_string(),
            ),
            (
                Key::FilledCircle(palette::BLUISH_GREEN),
                "Reverse watermelon".to_string(),
            ),
            (Key::FilledCircle(palette::BLUE), "Consistent".to_string()),
            (Key::Line(palette::GREY), "95% interval of CSAT".to_string()),
            (
                Key::Swatch(zone(palette::VERMILLION)),
                "Watermelon zone".to_string(),
            ),
            (
                Key::Swatch(zone(palette::BLUISH_GREEN)),
                "Reverse zone".to_string(),
            ),
        ];
        let top = draw::legend(area, &legend, (draw::MARGIN, 0), width - 2 * draw::MARGIN)? + 10;

        let note_style = draw::font(draw::SMALL_SIZE).color(&palette::MUTED_TEXT);
        let missing: Vec<String> = self
            .points
            .iter()
            .filter_map(|p| {
                p.missing(self.reporting_threshold)
                    .map(|m| format!("{} ({m})", p.service))
            })
            .collect();
        let notes = if missing.is_empty() {
            Vec::new()
        } else {
            draw::wrap(
                area,
                &format!("Not plotted: {}.", missing.join("; ")),
                &note_style,
                (width - 2 * draw::MARGIN).max(0) as u32,
                3,
            )?
        };
        let axis = 2 * draw::line_height(draw::SMALL_SIZE) + 14;
        let notes_height = notes.len() as i32 * draw::line_height(draw::SMALL_SIZE);
        let frame = Frame {
            left: draw::MARGIN + 64,
            top,
            right: width - draw::MARGIN - 8,
            bottom: (height - axis - notes_height - 6).max(top + 40),
            x: RANGE,
            y: RANGE,
        };
        frame.background(area)?;
        self.zones(area, &frame)?;
        let ticks = draw::ticks(0.0, 1.0, 0.2);
        frame.x_ticks(area, &ticks, |v| crate::words::percent(Some(v)))?;
        frame.y_ticks(area, &ticks, |v| crate::words::percent(Some(v)))?;
        frame.axes(area)?;
        frame.x_title(area, "SLA attainment (share of SLA metrics met)")?;
        frame.y_title(area, "Customers satisfied (CSAT)")?;
        self.reference_lines(area, &frame)?;

        let mut taken: Vec<draw::Bounds> = Vec::new();
        for point in &self.points {
            let Some((x, y)) = point.position() else {
                continue;
            };
            let Some((px, py)) = frame.point(x, y) else {
                continue;
            };
            taken.push((px - 7, py - 7, px + 7, py + 7));
        }
        for point in &self.points {
            let Some((px, py)) = point.position().and_then(|(x, y)| frame.point(x, y)) else {
                continue;
            };
            let colour = palette::watermelon(point.watermelon.class);
            if let Some(ci) = crate::words::finite_interval(point.watermelon.customers.ci95)
                && let (Some(a), Some(b)) = (frame.py(ci.lower), frame.py(ci.upper))
            {
                draw::line(area, (px, a), (px, b), colour, 2)?;
                draw::line(area, (px - 4, a), (px + 4, a), colour, 2)?;
                draw::line(area, (px - 4, b), (px + 4, b), colour, 2)?;
            }
            area.draw(&Circle::new((px, py), 6, colour.filled()))?;
            self.label(area, &frame, point, (px, py), &mut taken)?;
        }
        let mut y = frame.bottom + axis;
        for line in notes {
            draw::text(area, &line, (draw::MARGIN, y), &note_style)?;
            y += draw::line_height(draw::SMALL_SIZE);
        }
        Ok(())
    }
}

impl WatermelonScatter {
    /// Tints the two corners that are findings (named in the legend: the watermelon corner
    /// is often too narrow for a label).
    fn zones<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        frame: &Frame,
    ) -> DrawResult<DB> {
        if let (Some(x), Some(y)) = (frame.px(self.sla_target), frame.py(self.red_line)) {
            area.draw(&Rectangle::new(
                [(x, y), (frame.right, frame.bottom)],
                zone(palette::VERMILLION).filled(),
            ))?;
        }
        if let (Some(x), Some(y)) = (frame.px(self.sla_target), frame.py(self.green_line)) {
            area.draw(&Rectangle::new(
                [(frame.left, frame.top), (x, y)],
                zone(palette::BLUISH_GREEN).filled(),
            ))?;
        }
        Ok(())
    }

    fn reference_lines<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        frame: &Frame,
    ) -> DrawResult<DB> {
        let style = draw::font(draw::SMALL_SIZE);
        if let Some(x) = frame.px(self.sla_target) {
            draw::dashed(area, (x, frame.top), (x, frame.bottom), palette::AXIS, 2)?;
            let label = format!(
                "SLA target {}",
                crate::words::percent(Some(self.sla_target))
            );
            let anchor = draw::anchored(&style, HPos::Right, VPos::Top);
            draw::text(area, &label, (x - 4, frame.top + 4), &anchor)?;
        }
        for (line, colour, name) in [
            (self.red_line, palette::VERMILLION, "Red line"),
            (self.green_line, palette::BLUISH_GREEN, "Green line"),
        ] {
            if let Some(y) = frame.py(line) {
                draw::dashed(area, (frame.left, y), (frame.right, y), colour, 2)?;
                let label = format!("{name} {}", crate::words::percent(Some(line)));
                let anchor =
                    draw::anchored(&draw::coloured(&style, colour), HPos::Left, VPos::Bottom);
                draw::text(area, &label, (frame.left + 4, y - 2), &anchor)?;
            }
        }
        Ok(())
    }

    /// Names a point beside it; a watermelon says so in words as well as in colour.
    fn label<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        frame: &Frame,
        point: &Point,
        at: (i32, i32),
        taken: &mut Vec<draw::Bounds>,
    ) -> DrawResult<DB> {
        let text = match point.watermelon.class {
            WatermelonClass::Watermelon => format!("{}: watermelon", point.service),
            WatermelonClass::ReverseWatermelon => format!("{}: reverse watermelon", point.service),
            _ => point.service.clone(),
        };
        draw::label_point(area, frame, &text, at, taken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::suppress::SuppressionNote;
    use crate::analysis::watermelon::{ServiceWatermelon, WatermelonRules, judge};

    fn report() -> WatermelonReport {
        let rules = WatermelonRules {
            sla_target: 0.95,
            red_line: 0.6,
            green_line: 0.8,
            reporting_threshold: 5,
        };
        let service =
            |code: &str, metrics, met, satisfied, answered, item: bool| ServiceWatermelon {
                service: code.into(),
                item: item.then(|| format!("sat_{code}")),
                watermelon: judge(&rules, metrics, met, satisfied, answered),
                agencies: Vec::new(),
                suppressed: SuppressionNote::default(),
            };
        WatermelonReport {
            sla_target: 0.95,
            red_line: 0.6,
            green_line: 0.8,
            reporting_threshold: 5,
            services: vec![
                service("email", 4, 4, 5, 40, true),
                service("hosting", 0, 0, 30, 40, true),
                service("network", 3, 3, 1, 3, true),
                service("print", 2, 2, 0, 0, false),
            ],
        }
    }

    #[test]
    fn services_that_cannot_be_placed_say_why() {
        let chart = WatermelonScatter::services(&report(), &crate::words::Names::default());
        let reasons: Vec<Option<String>> = chart.points.iter().map(|p| p.missing(5)).collect();
        assert_eq!(reasons[0], None);
        assert_eq!(reasons[1].as_deref(), Some("no SLA figures"));
        assert_eq!(reasons[2].as_deref(), Some("fewer than 5 answered"));
        assert_eq!(reasons[3].as_deref(), Some("no satisfaction question"));
        let table = chart.table();
        assert_eq!(table.rows.len(), 4);
        assert_eq!(table.rows[0][6], "SLA met, customers unhappy");
        assert_eq!(table.rows[1][1], "—");
        assert_eq!(table.rows[2][3], "—");
        assert!(chart.caption().contains("1 plotted"), "{}", chart.caption());
    }

    #[test]
    fn an_agency_without_answers_is_listed_not_dropped() {
        let chart = WatermelonScatter::agency(&report(), "DOT", &crate::words::Names::default());
        assert_eq!(chart.points.len(), 4);
        assert!(chart.points.iter().all(|p| p.position().is_none()));
        // The SLA side stays the service's own.
        assert_eq!(chart.points[0].watermelon.sla.attainment, Some(1.0));
        assert!(chart.caption().contains("DOT"));
    }
}
