//! Diverging stacked bars: for each question, the share of each answer, customers against
//! staff. Answers below the middle of the scale stack leftwards from zero, answers above it
//! rightwards, and the middle answer straddles zero, so the balance of a bar reads at a
//! glance. An audience with fewer answers than the reporting threshold gets a hatched bar
//! marked "suppressed", not a missing one.
//!
//! The input, [`AnswerDistribution`], is counts per answer; [`answer_distributions`] builds
//! it from a wave's responses (the report layer can also fill it from `Tally`s with
//! [`AnswerCounts::from_tally`]).

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend, Rectangle};
use plotters::style::Color;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::draw::{self, Frame, Key};
use super::{Chart, DataTable, DrawResult, palette};
use crate::analysis::gap::ItemInfo;
use crate::analysis::responses::{ResponseSet, WaveResponses};
use crate::analysis::stats::Tally;
use crate::domain::Scale;

/// One audience's answers to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerCounts {
    /// How many gave each answer, from the scale's lowest answer to its highest.
    Shown(Vec<u64>),
    /// Fewer than the reporting threshold answered: nothing about the answers is shown.
    BelowThreshold,
    /// This audience is not asked the question (staff, on a question with no staff wording).
    NotAsked,
}

impl AnswerCounts {
    /// The counts of `tally` on `scale`, or `BelowThreshold` when fewer than `threshold`
    /// (and at least one) answered.
    pub fn from_tally(tally: &Tally, scale: Scale, threshold: u64) -> AnswerCounts {
        let Some((lo, hi)) = scale.range() else {
            return AnswerCounts::NotAsked;
        };
        let counts: Vec<u64> = (lo..=hi).map(|v| tally.count(v)).collect();
        if total(&counts) < threshold.max(1) {
            AnswerCounts::BelowThreshold
        } else {
            AnswerCounts::Shown(counts)
        }
    }

    fn counts(&self) -> Option<&[u64]> {
        match self {
            AnswerCounts::Shown(counts) => Some(counts),
            _ => None,
        }
    }
}

/// The answers to one question, both audiences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerDistribution {
    /// Item code.
    pub item: String,
    /// The item's label, as the chart names it.
    pub label: String,
    pub scale: Scale,
    pub customers: AnswerCounts,
    pub staff: AnswerCounts,
}

/// The answer distribution of every rating question of a wave, in the order of `items`;
/// an audience below `reporting_threshold` answers is `BelowThreshold`.
pub fn answer_distributions(
    items: &[ItemInfo],
    data: &WaveResponses,
    reporting_threshold: u64,
) -> Vec<AnswerDistribution> {
    let counts = |set: &ResponseSet, item: &ItemInfo| {
        AnswerCounts::from_tally(&set.tally(item.position), item.scale, reporting_threshold)
    };
    items
        .iter()
        .filter(|i| i.scale.is_rating())
        .map(|item| AnswerDistribution {
            item: item.code.clone(),
            label: item.label.clone(),
            scale: item.scale,
            customers: counts(&data.customers, item),
            staff: if item.mirrored {
                counts(&data.staff, item)
            } else {
                AnswerCounts::NotAsked
            },
        })
        .collect()
}

/// How many answered; saturating, so that absurd counts can't overflow.
fn total(counts: &[u64]) -> u64 {
    counts.iter().fold(0u64, |sum, &c| sum.saturating_add(c))
}

/// One bar's segments as (from, to, answer index) in shares of its total, on −1..1.
fn segments(counts: &[u64]) -> Vec<(f64, f64, usize)> {
    let total = total(counts);
    if total == 0 {
        return Vec::new();
    }
    let share = |c: u64| c as f64 / total as f64;
    let m = counts.len();
    let below = m / 2;
    let neutral = if m % 2 == 1 {
        share(counts[below])
    } else {
        0.0
    };
    let mut out = Vec::with_capacity(m);
    // From the middle outwards, so the answers nearest the middle sit nearest zero.
    let mut cursor = -neutral / 2.0;
    for i in (0..below).rev() {
        out.push((cursor - share(counts[i]), cursor, i));
        cursor -= share(counts[i]);
    }
    if m % 2 == 1 {
        out.push((-neutral / 2.0, neutral / 2.0, below));
    }
    let mut cursor = neutral / 2.0;
    for (i, &c) in counts.iter().enumerate().skip(m - below) {
        out.push((cursor, cursor + share(c), i));
        cursor += share(c);
    }
    out
}

/// Shares below the middle, at it and above it.
fn balance(counts: &[u64]) -> (f64, f64, f64) {
    let total = total(counts);
    if total == 0 {
        return (0.0, 0.0, 0.0);
    }
    let m = counts.len();
    let sum = |r: std::ops::Range<usize>| self::total(&counts[r]) as f64 / total as f64;
    let middle = if m % 2 == 1 {
        sum(m / 2..m / 2 + 1)
    } else {
        0.0
    };
    (sum(0..m / 2), middle, sum(m - m / 2..m))
}

/// Diverging stacked bars of answer distributions.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerBars {
    questions: Vec<AnswerDistribution>,
    reporting_threshold: u64,
}

impl AnswerBars {
    pub fn new(distributions: &[AnswerDistribution], reporting_threshold: u64) -> AnswerBars {
        AnswerBars {
            questions: distributions.to_vec(),
            reporting_threshold,
        }
    }

    /// The bars in drawing order: (question, audience label, counts).
    fn bars(&self) -> Vec<(&AnswerDistribution, &'static str, &AnswerCounts)> {
        self.questions
            .iter()
            .flat_map(|q| {
                [
                    ("Customers said", &q.customers),
                    ("Staff expected", &q.staff),
                ]
                .into_iter()
                .filter(|(_, c)| **c != AnswerCounts::NotAsked)
                .map(move |(who, c)| (q, who, c))
            })
            .collect()
    }

    /// A height at which every bar gets room.
    pub fn suggested_height(&self) -> u32 {
        super::height_for(150, &[(self.bars().len(), 26), (self.questions.len(), 8)])
    }
}

impl Chart for AnswerBars {
    fn caption(&self) -> String {
        let answered: Vec<u64> = self
            .questions
            .iter()
            .filter_map(|q| q.customers.counts().map(total))
            .collect();
        let n = match (answered.iter().min(), answered.iter().max()) {
            (Some(lo), Some(hi)) if lo == hi => format!(" {lo} customers answered each."),
            (Some(lo), Some(hi)) => format!(" {lo}–{hi} customers answered each."),
            _ => String::new(),
        };
        let hidden = self
            .bars()
            .iter()
            .filter(|(_, _, c)| **c == AnswerCounts::BelowThreshold)
            .count();
        let hidden = if hidden > 0 {
            format!(
                " {hidden} suppressed (fewer than {} answered).",
                self.reporting_threshold
            )
        } else {
            String::new()
        };
        let count = match self.questions.len() {
            1 => "1 question".to_string(),
            n => format!("{n} questions"),
        };
        format!(
            "{count}: share of each answer; low answers left of zero, high answers right, \
             the middle answer centred.{n}{hidden}"
        )
    }

    fn table(&self) -> DataTable {
        let rows = self
            .bars()
            .into_iter()
            .map(|(q, who, counts)| {
                let (lo, _) = q.scale.range().unwrap_or((0, 0));
                match counts {
                    AnswerCounts::Shown(c) => {
                        let (low, middle, high) = balance(c);
                        let listed: Vec<String> = c
                            .iter()
                            .enumerate()
                            .map(|(i, n)| format!("{}: {n}", usize::from(lo) + i))
                            .collect();
                        vec![
                            q.label.clone(),
                            who.to_string(),
                            total(c).to_string(),
                            crate::words::percent(Some(low)),
                            crate::words::percent(Some(middle)),
                            crate::words::percent(Some(high)),
                            listed.join(", "),
                        ]
                    }
                    _ => vec![
                        q.label.clone(),
                        who.to_string(),
                        crate::words::NONE.to_string(),
                        crate::words::NONE.to_string(),
                        crate::words::NONE.to_string(),
                        crate::words::NONE.to_string(),
                        format!(
                            "Suppressed: fewer than {} answered",
                            self.reporting_threshold
                        ),
                    ],
                }
            })
            .collect();
        DataTable {
            caption: "Answers per question, customers and staff".into(),
            headers: [
                "Question",
                "Who",
                "Answered",
                "Below the middle",
                "Middle answer",
                "Above the middle",
                "Answers (answer: how many)",
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
                Key::Swatch(palette::VERMILLION),
                "Lowest answer".to_string(),
            ),
            (Key::Swatch(palette::ORANGE), "Low".to_string()),
            (Key::Swatch(palette::LIGHT_GREY), "Middle".to_string()),
            (Key::Swatch(palette::SKY_BLUE), "High".to_string()),
            (Key::Swatch(palette::BLUE), "Highest answer".to_string()),
            (Key::Hatched, "Suppressed".to_string()),
        ];
        let top = draw::legend(area, &legend, (draw::MARGIN, 0), width - 2 * draw::MARGIN)? + 8;
        let bars = self.bars();
        if bars.is_empty() {
            let style = draw::font(draw::LABEL_SIZE).color(&palette::MUTED_TEXT);
            return draw::text(area, "No answers to show.", (draw::MARGIN, top), &style);
        }
        let item_style = draw::anchored(&draw::font(draw::LABEL_SIZE), HPos::Left, VPos::Center);
        let who_style = draw::anchored(&draw::font(draw::SMALL_SIZE), HPos::Right, VPos::Center);
        let mut item_width = 0;
        for q in &self.questions {
            item_width = item_width.max(draw::text_width(area, &q.label, &item_style)? as i32);
        }
        let item_width = item_width.clamp(40, width * 25 / 100);
        let who_width = draw::text_width(area, "Customers said", &who_style)?.max(draw::text_width(
            area,
            "Staff expected",
            &who_style,
        )?) as i32;
        let n_column = 64;
        let left = draw::MARGIN + item_width + 8 + who_width + 8;
        let right = width - draw::MARGIN - n_column;

        let axis = draw::line_height(draw::SMALL_SIZE) + 10;
        let group_gap = 8;
        let available = height - top - axis - 4;
        let room = available - self.questions.len() as i32 * group_gap;
        let bar_height = (room / bars.len() as i32).clamp(10, 26);
        // Whole questions, in order, while they fit; the rest are named in a note.
        let mut heights = vec![0i32];
        for q in &self.questions {
            let bars = [&q.customers, &q.staff]
                .iter()
                .filter(|c| ***c != AnswerCounts::NotAsked)
                .count() as i32;
            let so_far = heights.last().copied().unwrap_or(0);
            heights.push(so_far.saturating_add(bars * bar_height + group_gap));
        }
        let note = draw::line_height(draw::SMALL_SIZE) + 4;
        let mut fit = self.questions.len();
        while fit > 0 {
            let needed = heights.get(fit).copied().unwrap_or(0)
                + if fit < self.questions.len() { note } else { 0 };
            if needed <= available {
                break;
            }
            fit -= 1;
        }
        let frame = Frame {
            left,
            top,
            right,
            bottom: top + heights.get(fit).copied().unwrap_or(0),
            x: (-1.0, 1.0),
            y: (0.0, 1.0),
        };
        frame.x_ticks(area, &[-1.0, -0.5, 0.0, 0.5, 1.0], |v| {
            if v == 0.0 {
                "0".into()
            } else {
                crate::words::percent(Some(v.abs()))
            }
        })?;
        // Zero under the bars: the middle answer straddles it, and a hatched bar covers it.
        if let Some(x) = frame.px(0.0) {
            draw::line(area, (x, frame.top), (x, frame.bottom), palette::AXIS, 1)?;
        }
        let mut y = frame.top;
        // The question drawn last (by identity: two questions may share a code).
        let mut last: Option<&AnswerDistribution> = None;
        let mut started = 0;
        for (q, who, counts) in bars {
            if !last.is_some_and(|l| std::ptr::eq(l, q)) {
                started += 1;
                if started > fit {
                    break;
                }
                y += group_gap / 2;
                if last.is_some() {
                    y += group_gap / 2;
                }
                let label = draw::fit(area, &q.label, &item_style, item_width as u32)?;
                draw::text(
                    area,
                    &label,
                    (draw::MARGIN, y + bar_height / 2),
                    &item_style,
                )?;
                last = Some(q);
            }
            let (y0, y1) = (y + 1, y + bar_height - 1);
            let centre = y + bar_height / 2;
            draw::text(area, who, (left - 8, centre), &who_style)?;
            match counts {
                AnswerCounts::Shown(c) => self.draw_bar(area, &frame, c, (y0, y1))?,
                _ => {
                    draw::hatched(area, (frame.left, y0), (frame.right, y1))?;
                    let style =
                        draw::anchored(&draw::font(draw::SMALL_SIZE), HPos::Center, VPos::Center);
                    let text = format!(
                        "suppressed: fewer than {} answered",
                        self.reporting_threshold
                    );
                    let text = draw::fit(area, &text, &style, frame.width().max(0) as u32)?;
                    draw::text(
                        area,
                        &text,
                        ((frame.left + frame.right) / 2, centre),
                        &style,
                    )?;
                }
            }
            y += bar_height;
        }
        if fit < self.questions.len() {
            let style = draw::font(draw::SMALL_SIZE).color(&palette::MUTED_TEXT);
            let left_out = self.questions.len() - fit;
            let text = format!(
                "{left_out} more question{} did not fit: see the table.",
                if left_out == 1 { "" } else { "s" }
            );
            draw::text(area, &text, (draw::MARGIN, frame.bottom + axis), &style)?;
        }
        Ok(())
    }
}

impl AnswerBars {
    fn draw_bar<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        frame: &Frame,
        counts: &[u64],
        (y0, y1): (i32, i32),
    ) -> DrawResult<DB> {
        let colours = palette::diverging(counts.len());
        let style = draw::anchored(&draw::font(draw::SMALL_SIZE), HPos::Center, VPos::Center);
        for (from, to, i) in segments(counts) {
            let (Some(a), Some(b), Some(&colour)) = (frame.px(from), frame.px(to), colours.get(i))
            else {
                continue;
            };
            if b <= a {
                continue;
            }
            area.draw(&Rectangle::new([(a, y0), (b, y1)], colour.filled()))?;
            let label = format!("{:.0}%", (to - from) * 100.0);
            if b - a >= draw::text_width(area, &label, &style)? as i32 + 6 && y1 - y0 >= 12 {
                let style = draw::coloured(&style, palette::text_on(colour));
                draw::text(area, &label, ((a + b) / 2, (y0 + y1) / 2), &style)?;
            }
        }
        let total = total(counts);
        let n_style = draw::anchored(&draw::font(draw::SMALL_SIZE), HPos::Left, VPos::Center);
        draw::text(
            area,
            &format!("n = {total}"),
            (frame.right + 8, (y0 + y1) / 2),
            &n_style,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn segments_diverge_from_the_middle() {
        // 1: 2, 2: 2, 3: 2, 4: 2, 5: 2 → every answer 20%.
        let s = segments(&[2, 2, 2, 2, 2]);
        let by_answer = |i: usize| s.iter().find(|seg| seg.2 == i).copied().unwrap();
        assert!(close(by_answer(2).0, -0.1) && close(by_answer(2).1, 0.1));
        assert!(close(by_answer(1).0, -0.3) && close(by_answer(1).1, -0.1));
        assert!(close(by_answer(0).0, -0.5) && close(by_answer(0).1, -0.3));
        assert!(close(by_answer(3).0, 0.1) && close(by_answer(3).1, 0.3));
        assert!(close(by_answer(4).0, 0.3) && close(by_answer(4).1, 0.5));
        // An even scale has no middle.
        let s = segments(&[1, 3]);
        assert_eq!(s.len(), 2);
        assert!(close(s[0].0, -0.25) && close(s[1].1, 0.75));
        assert!(segments(&[0, 0, 0]).is_empty());
        assert!(segments(&[]).is_empty());
        let (low, mid, high) = balance(&[1, 1, 2, 0, 4]);
        assert!(close(low, 0.25) && close(mid, 0.25) && close(high, 0.5));
    }

    #[test]
    fn questions_that_do_not_fit_are_named_in_a_note() {
        let question = |k: usize| AnswerDistribution {
            item: format!("q{k}"),
            label: format!("q{k}"),
            scale: Scale::Likert5,
            customers: AnswerCounts::Shown(vec![1, 2, 3, 4, 5]),
            staff: AnswerCounts::Shown(vec![5, 4, 3, 2, 1]),
        };
        let questions: Vec<AnswerDistribution> = (0..30).map(question).collect();
        let chart = AnswerBars::new(&questions, 5);
        let short =
            crate::charts::svg(&chart, &crate::charts::ChartOptions::new("Answers")).unwrap();
        let drawn = (0..30)
            .filter(|k| short.contains(&format!(">\nq{k}\n<")))
            .count();
        assert!(drawn > 3 && drawn < 30, "{drawn}");
        assert!(short.contains(&format!(
            "{} more questions did not fit: see the table.",
            30 - drawn
        )));
        let options =
            crate::charts::ChartOptions::new("Answers").size(720, chart.suggested_height());
        let tall = crate::charts::svg(&chart, &options).unwrap();
        assert!(!tall.contains("did not fit"));
        assert!((0..30).all(|k| tall.contains(&format!(">\nq{k}\n<"))));
    }

    #[test]
    fn distributions_respect_the_threshold_and_who_was_asked() {
        let item = |code: &str, position, scale, mirrored| ItemInfo {
            code: code.into(),
            label: format!("Label of {}", code),
            wording: format!("Wording of {}", code),
            dimension: "d".into(),
            scale,
            position,
            mirrored,
            service: None,
        };
        let items = [
            item("a", 0, Scale::Likert5, true),
            item("b", 1, Scale::Likert5, false),
            item("comment", 2, Scale::Text, false),
            item("nps", 3, Scale::Nps11, true),
        ];
        let mut data = WaveResponses {
            customers: ResponseSet::with_items(4, 6),
            staff: ResponseSet::with_items(4, 2),
        };
        for v in [1, 2, 2, 5, 5, 5] {
            data.customers.push(Some(1), None, &[v, 3, 0, 10]);
        }
        for v in [4, 5] {
            data.staff.push(None, None, &[v, 3, 0, 9]);
        }
        let d = answer_distributions(&items, &data, 5);
        assert_eq!(d.len(), 3, "text items have no distribution");
        assert_eq!(d[0].customers, AnswerCounts::Shown(vec![1, 2, 0, 0, 3]));
        assert_eq!(d[0].staff, AnswerCounts::BelowThreshold);
        assert_eq!(d[1].staff, AnswerCounts::NotAsked);
        assert_eq!(
            d[2].customers,
            AnswerCounts::Shown(vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6])
        );
        let chart = AnswerBars::new(&d, 5);
        assert_eq!(chart.bars().len(), 5);
        let table = chart.table();
        assert_eq!(table.rows[1][6], "Suppressed: fewer than 5 answered");
        assert_eq!(table.rows[0][6], "1: 1, 2: 2, 3: 0, 4: 0, 5: 3");
        // Staff: two answered `a` and `nps`, below the threshold; `b` was not asked of them.
        assert!(
            chart.caption().contains("2 suppressed"),
            "{}",
            chart.caption()
        );
    }
}
