//! The trend chart: one measure across waves, what customers said against what staff
//! expected, each as a line with its 95% interval as a band; the baseline wave is marked.
//! A wave where a side is hidden (too few answers) breaks that side's line rather than
//! joining across it.

use plotters::coord::Shift;
use plotters::prelude::{Circle, DrawingArea, DrawingBackend, Polygon};
use plotters::style::Color;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, Frame, Key};
use super::{Chart, DataTable, DrawResult, palette};
use crate::analysis::gap::Side;
use crate::analysis::stats::Interval;
use crate::analysis::trend::{Change, Trend};
use crate::domain::Scale;

/// One side's figure in one wave.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Value {
    value: Option<f64>,
    ci: Option<Interval>,
    n: Option<u64>,
}

impl Value {
    fn of_side(side: &Side) -> Value {
        Value {
            value: crate::words::finite(side.mean),
            ci: crate::words::finite_interval(side.ci95),
            n: side.n,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct WavePoint {
    wave: String,
    baseline: bool,
    customers: Value,
    staff: Value,
    customer_change: Option<Change>,
}

/// One measure across waves.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendChart {
    /// What is measured, for labels ("rel_commitments", "CSAT").
    measure: String,
    waves: Vec<WavePoint>,
    y: (f64, f64),
    percent: bool,
}

impl TrendChart {
    /// An item's mean per wave, on its scale (`scale` gives the axis).
    /// `label` names it in the chart.
    pub fn item(trend: &Trend<'_>, code: &str, label: &str, scale: Scale) -> TrendChart {
        let (lo, hi) = scale.range().unwrap_or((1, 5));
        let mut chart =
            TrendChart::series(trend, &trend.items, code, (f64::from(lo), f64::from(hi)));
        chart.measure = label.to_string();
        chart
    }

    /// A dimension's score per wave (1–5).
    pub fn dimension(trend: &Trend<'_>, dimension: &str) -> TrendChart {
        let mut chart = TrendChart::series(trend, &trend.dimensions, dimension, (1.0, 5.0));
        chart.measure = crate::words::dimension_name(dimension);
        chart
    }

    /// CSAT on overall satisfaction per wave: customers, and what staff expected.
    pub fn csat(trend: &Trend<'_>) -> TrendChart {
        let share = |p: Option<crate::analysis::stats::Proportion>| match p {
            Some(p) => Value {
                value: crate::words::finite(p.share),
                ci: crate::words::finite_interval(p.ci),
                n: Some(p.n),
            },
            None => Value::default(),
        };
        TrendChart {
            measure: "CSAT".into(),
            waves: trend
                .waves
                .iter()
                .map(|w| WavePoint {
                    wave: w.wave.clone(),
                    baseline: w.baseline,
                    customers: share(w.customers.csat),
                    staff: share(w.staff.csat),
                    customer_change: w.csat_change,
                })
                .collect(),
            y: (0.0, 1.0),
            percent: true,
        }
    }

    fn series(
        trend: &Trend<'_>,
        all: &[crate::analysis::trend::Series<'_>],
        name: &str,
        y: (f64, f64),
    ) -> TrendChart {
        let series = all.iter().find(|s| s.name == name);
        TrendChart {
            measure: name.to_string(),
            waves: trend
                .waves
                .iter()
                .map(|w| {
                    let point = series.and_then(|s| s.waves.iter().find(|p| p.wave == w.wave));
                    WavePoint {
                        wave: w.wave.clone(),
                        baseline: w.baseline,
                        customers: point
                            .map_or_else(Value::default, |p| Value::of_side(&p.gap.customer)),
                        staff: point.map_or_else(Value::default, |p| Value::of_side(&p.gap.staff)),
                        customer_change: point.and_then(|p| p.customer_change),
                    }
                })
                .collect(),
            y,
            percent: false,
        }
    }

    fn format(&self, v: Option<f64>) -> String {
        if self.percent {
            crate::words::percent(v)
        } else {
            crate::words::number(v, 2)
        }
    }

    fn format_interval(&self, ci: Option<Interval>) -> String {
        if self.percent {
            crate::words::percent_interval(ci)
        } else {
            crate::words::interval(ci, 2)
        }
    }

    fn baseline(&self) -> Option<&str> {
        self.waves
            .iter()
            .find(|w| w.baseline)
            .map(|w| w.wave.as_str())
    }
}

impl Chart for TrendChart {
    fn caption(&self) -> String {
        let ns = |pick: fn(&WavePoint) -> Option<u64>| {
            let ns: Vec<u64> = self.waves.iter().filter_map(pick).collect();
            match (ns.iter().min(), ns.iter().max()) {
                (Some(lo), Some(hi)) if lo == hi => format!("n = {lo} a wave"),
                (Some(lo), Some(hi)) => format!("n = {lo}–{hi} a wave"),
                _ => "too few answers to show".to_string(),
            }
        };
        let baseline = match self.baseline() {
            Some(b) => format!(" Baseline: {b}."),
            None => String::new(),
        };
        let waves = match self.waves.len() {
            1 => "1 wave".to_string(),
            n => format!("{n} waves"),
        };
        format!(
            "{} over {waves}: customers said ({}) against staff expected ({}); bands are 95% \
             intervals.{baseline}",
            self.measure,
            ns(|w| w.customers.value.and(w.customers.n)),
            ns(|w| w.staff.value.and(w.staff.n)),
        )
    }

    fn table(&self) -> DataTable {
        DataTable {
            caption: format!("{} per wave", self.measure),
            headers: [
                "Wave",
                "Customers said",
                "Customers 95% interval",
                "Customers answered",
                "Staff expected",
                "Staff 95% interval",
                "Staff answered",
                "Customers' change since baseline",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .waves
                .iter()
                .map(|w| {
                    let change = w
                        .customer_change
                        .and_then(|c| crate::words::finite(c.difference));
                    let change = if w.baseline {
                        "baseline".to_string()
                    } else if self.percent {
                        change.map_or_else(
                            || crate::words::NONE.to_string(),
                            |d| format!("{} points", crate::words::signed(Some(d * 100.0), 0)),
                        )
                    } else {
                        crate::words::signed(change, 2)
                    };
                    vec![
                        if w.baseline {
                            format!("{} (baseline)", w.wave)
                        } else {
                            w.wave.clone()
                        },
                        self.format(w.customers.value),
                        self.format_interval(w.customers.ci),
                        crate::words::count(w.customers.value.and(w.customers.n)),
                        self.format(w.staff.value),
                        self.format_interval(w.staff.ci),
                        crate::words::count(w.staff.value.and(w.staff.n)),
                        change,
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
                Key::FilledCircle(palette::CUSTOMERS),
                "Customers said".to_string(),
            ),
            (
                Key::HollowCircle(palette::STAFF),
                "Staff expected".to_string(),
            ),
            (
                Key::Swatch(palette::blend(palette::GREY, palette::WHITE, 0.6)),
                "95% interval".to_string(),
            ),
            (Key::DashedLine(palette::AXIS), "Baseline wave".to_string()),
        ];
        let top = draw::legend(area, &legend, (draw::MARGIN, 0), width - 2 * draw::MARGIN)? + 10;
        let axis = 2 * draw::line_height(draw::SMALL_SIZE) + 14;
        let count = self.waves.len();
        let frame = Frame {
            left: draw::MARGIN + 64,
            top,
            right: width - draw::MARGIN - 16,
            bottom: (height - axis - 4).max(top + 40),
            // Waves sit at 0, 1, …, with half a step of room either side.
            x: (-0.5, count.max(1) as f64 - 0.5),
            y: self.y,
        };
        frame.background(area)?;
        let (lo, hi) = self.y;
        let step = if self.percent {
            0.2
        } else if hi - lo > 6.0 {
            2.0
        } else {
            1.0
        };
        frame.y_ticks(area, &draw::ticks(lo, hi, step), |v| {
            if self.percent {
                crate::words::percent(Some(v))
            } else {
                format!("{v:.0}")
            }
        })?;
        frame.axes(area)?;
        let y_title = if self.percent {
            "Satisfied (4–5)"
        } else {
            "Mean answer"
        };
        frame.y_title(area, y_title)?;
        if count == 0 {
            let style = draw::font(draw::LABEL_SIZE).color(&palette::MUTED_TEXT);
            return draw::text(
                area,
                "No waves yet.",
                (frame.left + 12, frame.top + 12),
                &style,
            );
        }
        let tick_style = draw::anchored(&draw::font(draw::SMALL_SIZE), HPos::Center, VPos::Top);
        let slot = (frame.width() / count as i32).max(1) as u32;
        for (k, wave) in self.waves.iter().enumerate() {
            let Some(x) = frame.px(k as f64) else {
                continue;
            };
            let label = draw::fit(area, &wave.wave, &tick_style, slot.saturating_sub(4))?;
            draw::text(area, &label, (x, frame.bottom + 4), &tick_style)?;
            if wave.baseline {
                draw::dashed(area, (x, frame.top), (x, frame.bottom), palette::AXIS, 1)?;
                let style = draw::anchored(&draw::font(draw::SMALL_SIZE), HPos::Center, VPos::Top);
                draw::text(
                    area,
                    "baseline",
                    (x, frame.bottom + 4 + draw::line_height(draw::SMALL_SIZE)),
                    &style,
                )?;
            }
        }
        let staff: Vec<Value> = self.waves.iter().map(|w| w.staff).collect();
        self.draw_side(area, &frame, &staff, palette::STAFF, false)?;
        let customers: Vec<Value> = self.waves.iter().map(|w| w.customers).collect();
        self.draw_side(area, &frame, &customers, palette::CUSTOMERS, true)
    }
}

impl TrendChart {
    /// Band, line and points of one side; runs of consecutive shown waves are joined.
    fn draw_side<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        frame: &Frame,
        values: &[Value],
        colour: plotters::style::RGBColor,
        filled: bool,
    ) -> DrawResult<DB> {
        let band = colour.mix(0.18).filled();
        let mut run: Vec<(usize, Value)> = Vec::new();
        let mut runs: Vec<Vec<(usize, Value)>> = Vec::new();
        for (k, v) in values.iter().enumerate() {
            if v.value.is_some() {
                run.push((k, *v));
            } else if !run.is_empty() {
                runs.push(std::mem::take(&mut run));
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        for run in &runs {
            // The band needs an interval at every wave of the run; draw it piece by piece.
            for pair in run.windows(2) {
                let [(a, va), (b, vb)] = [pair[0], pair[1]];
                if let (Some(ca), Some(cb)) = (va.ci, vb.ci) {
                    let corners = [
                        frame.point(a as f64, ca.upper),
                        frame.point(b as f64, cb.upper),
                        frame.point(b as f64, cb.lower),
                        frame.point(a as f64, ca.lower),
                    ];
                    if corners.iter().all(Option::is_some) {
                        area.draw(&Polygon::new(
                            corners.into_iter().flatten().collect::<Vec<_>>(),
                            band,
                        ))?;
                    }
                }
            }
            if let [(k, v)] = run.as_slice()
                && let Some(ci) = v.ci
                && let (Some(x), Some(a), Some(b)) =
                    (frame.px(*k as f64), frame.py(ci.lower), frame.py(ci.upper))
            {
                // A wave on its own: its interval as a bar.
                draw::line(area, (x, a), (x, b), colour, 2)?;
            }
            let points: Vec<(i32, i32)> = run
                .iter()
                .filter_map(|(k, v)| frame.point(*k as f64, v.value?))
                .collect();
            for pair in points.windows(2) {
                if filled {
                    draw::line(area, pair[0], pair[1], colour, 3)?;
                } else {
                    draw::dashed(area, pair[0], pair[1], colour, 3)?;
                }
            }
            for p in points {
                if filled {
                    area.draw(&Circle::new(p, 5, colour.filled()))?;
                } else {
                    draw::hollow_circle(area, p, 5, colour)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{ChartOptions, png, svg};

    fn value(v: f64, lower: f64, upper: f64, n: u64) -> Value {
        Value {
            value: Some(v),
            ci: Some(Interval { lower, upper }),
            n: Some(n),
        }
    }

    fn chart(waves: Vec<(Value, Value)>) -> TrendChart {
        TrendChart {
            measure: "rel_uptime".into(),
            waves: waves
                .into_iter()
                .enumerate()
                .map(|(k, (customers, staff))| WavePoint {
                    wave: format!("W{k}"),
                    baseline: k == 1,
                    customers,
                    staff,
                    customer_change: None,
                })
                .collect(),
            y: (1.0, 5.0),
            percent: false,
        }
    }

    #[test]
    fn hidden_and_impossible_values_break_the_line_and_read_as_dashes() {
        let chart = chart(vec![
            (value(3.0, 2.8, 3.2, 40), value(4.0, 3.8, 4.2, 12)),
            (Value::default(), value(4.1, 3.9, 4.3, 12)),
            (
                value(f64::NAN, f64::NEG_INFINITY, 9.0, 40),
                Value::default(),
            ),
            (value(7.0, -3.0, 1e300, 40), value(4.2, 4.0, 4.4, 12)),
        ]);
        let options = ChartOptions::new("Uptime");
        let drawn = svg(&chart, &options).unwrap();
        roxmltree::Document::parse(&drawn).unwrap();
        assert!(png(&chart, &options).unwrap().starts_with(b"\x89PNG"));
        let table = chart.table();
        assert_eq!(table.rows[1][0], "W1 (baseline)");
        assert_eq!(table.rows[1][1], "—");
        assert_eq!(table.rows[1][3], "—");
        assert_eq!(table.rows[2][4], "—");
        // Staff: W0–W1 is a run with a band, W2 is hidden, W3 stands alone. Customers: W1 is
        // hidden, and the W2–W3 band has no finite interval at W2. So one band in all.
        assert_eq!(drawn.matches("<polygon").count(), 1);
        assert!(
            chart.caption().contains("n = 40 a wave"),
            "{}",
            chart.caption()
        );
    }

    #[test]
    fn no_waves_is_a_chart_that_says_so() {
        let chart = chart(Vec::new());
        let drawn = svg(&chart, &ChartOptions::new("Nothing")).unwrap();
        assert!(drawn.contains("No waves yet."));
        assert!(chart.table().rows.is_empty());
    }
}
