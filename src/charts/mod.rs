//! Charts: pure renderers from analysis results to SVG (for pages) and PNG (for exports).
//!
//! Every chart is a small struct built from an analysis result that implements [`Chart`]:
//! the same drawing code runs on any plotters `DrawingBackend`, so [`svg`] and [`png`] give
//! the same picture. Each chart also gives its data as a [`DataTable`], which a template
//! renders as an HTML `<table>` beside the picture for screen readers and for anyone who
//! wants the numbers; the SVG carries `role="img"`, a `<title>` and a `<desc>`.
//!
//! House rules every chart follows (docs/ARCHITECTURE.md, "Charts"):
//! - a title, and a caption under it that says how many answered (n);
//! - the Okabe–Ito palette, which stays distinguishable with every common colour-vision
//!   deficiency ([`palette`]); meaning never rests on colour alone (shapes, text, outlines);
//! - a figure that is `None` is not drawn, and reads "—" in the table;
//! - a suppressed group is drawn as suppressed (grey, hatched, the word "suppressed") and
//!   listed as such in the table, never silently left out;
//! - nothing panics, whatever the input: no `unwrap`, non-finite numbers are treated as
//!   missing, and sizes are checked before drawing.
//!
//! No I/O here: the fonts are compiled in, and output is returned as a `String` or bytes.

mod answers;
mod draw;
mod gap_dumbbell;
mod heatmap;
mod ipa;
pub mod palette;

mod trend;
mod watermelon;

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::{
    BitMapBackend, DrawingArea, DrawingAreaErrorKind, DrawingBackend, FontStyle, IntoDrawingArea,
    SVGBackend,
};

use crate::error::{AppError, Result};

pub use answers::{AnswerBars, AnswerCounts, AnswerDistribution, answer_distributions};
pub use gap_dumbbell::GapDumbbell;
pub use heatmap::AgencyHeatmap;
pub use ipa::IpaChart;
pub use trend::TrendChart;
pub use watermelon::WatermelonScatter;

/// Narrowest and widest chart drawn, in pixels: below the minimum no label fits, and the
/// maximum keeps a PNG buffer (3 bytes a pixel) within tens of megabytes.
pub const MIN_WIDTH: u32 = 320;
pub const MIN_HEIGHT: u32 = 200;
pub const MAX_SIZE: u32 = 4096;

/// Size and title of one chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartOptions {
    pub width: u32,
    pub height: u32,
    pub title: String,
}

impl ChartOptions {
    /// The default size for a page: 720 × 480.
    pub fn new(title: impl Into<String>) -> ChartOptions {
        ChartOptions {
            width: 720,
            height: 480,
            title: title.into(),
        }
    }

    pub fn size(mut self, width: u32, height: u32) -> ChartOptions {
        self.width = width;
        self.height = height;
        self
    }

    fn check(&self) -> Result<()> {
        let fits = |v: u32, min: u32| (min..=MAX_SIZE).contains(&v);
        if fits(self.width, MIN_WIDTH) && fits(self.height, MIN_HEIGHT) {
            Ok(())
        } else {
            Err(AppError::invalid(format!(
                "a chart must be {MIN_WIDTH}–{MAX_SIZE} pixels wide and {MIN_HEIGHT}–{MAX_SIZE} \
                 high, not {} × {}",
                self.width, self.height
            )))
        }
    }
}

/// How many of each audience answered, for a caption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Respondents {
    pub customers: u64,
    pub staff: u64,
}

/// The numbers behind a chart, for an HTML `<table>` (screen readers, copying): a caption,
/// column headers and rows of text, already formatted ("—" where there is no figure).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct DataTable {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A chart height of `base` plus `pixels` per thing counted, within what is drawn and at
/// most 2,400 pixels (a very long chart is better read as its table).
fn height_for(base: u32, per: &[(usize, u32)]) -> u32 {
    per.iter()
        .fold(base, |h, &(count, pixels)| {
            h.saturating_add(
                u32::try_from(count)
                    .unwrap_or(u32::MAX)
                    .saturating_mul(pixels),
            )
        })
        .clamp(MIN_HEIGHT, 2400)
}

/// What a drawing step returns on backend `DB`.
pub type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart: drawn the same way on any backend, with its caption and data table.
pub trait Chart {
    /// One or two sentences under the title: what is shown and how many answered.
    fn caption(&self) -> String;

    /// The data behind the picture, row for row.
    fn table(&self) -> DataTable;

    /// Draws the chart body (everything under the title and caption) on `area`. Call it
    /// through [`svg`], [`png`] or [`draw_chart`], which load the embedded font first.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// Draws `chart` with its title and caption on any plotters drawing area (for example a
/// region of a PDF page); `options.title` is used, the area's own size replaces
/// `options.width` and `height` and must be within the same limits.
pub fn draw_chart<DB: DrawingBackend>(
    chart: &impl Chart,
    area: &DrawingArea<DB, Shift>,
    options: &ChartOptions,
) -> Result<()> {
    let (width, height) = area.dim_in_pixel();
    ChartOptions {
        width,
        height,
        title: String::new(),
    }
    .check()?;
    load_fonts()?;
    draw_titled(chart, area, &options.title).map_err(drawing_failed)
}

/// The chart as an SVG document, with `role="img"`, `<title>` and `<desc>`.
pub fn svg(chart: &impl Chart, options: &ChartOptions) -> Result<String> {
    options.check()?;
    load_fonts()?;
    let mut out = String::new();
    {
        let root =
            SVGBackend::with_string(&mut out, (options.width, options.height)).into_drawing_area();
        draw_titled(chart, &root, &options.title).map_err(drawing_failed)?;
        root.present().map_err(drawing_failed)?;
    }
    Ok(accessible_svg(out, &options.title, &chart.caption()))
}

/// The chart as a PNG image of exactly `options.width` × `options.height` pixels.
pub fn png(chart: &impl Chart, options: &ChartOptions) -> Result<Vec<u8>> {
    options.check()?;
    load_fonts()?;
    let (width, height) = (options.width, options.height);
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        // Drawn into memory; the `png` crate encodes it (plotters' own encoder writes files).
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        draw_titled(chart, &root, &options.title).map_err(drawing_failed)?;
        root.present().map_err(drawing_failed)?;
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let encode = |e: png::EncodingError| AppError::Internal(format!("cannot encode a PNG: {e}"));
    let mut writer = encoder.write_header().map_err(encode)?;
    writer.write_image_data(&rgb).map_err(encode)?;
    writer.finish().map_err(encode)?;
    Ok(bytes)
}

fn drawing_failed<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> AppError {
    AppError::Internal(format!("cannot draw the chart: {e}"))
}

/// DejaVu Sans (Bitstream Vera licence, `assets/fonts/`), compiled in: text metrics for the
/// layout and glyphs for PNG. SVG text names the generic `sans-serif` family, so browsers
/// use their own sans-serif font, which is close in width.
pub(crate) static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub(crate) static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Registers the fonts with plotters once per process (its font table is global).
fn load_fonts() -> Result<()> {
    static LOADED: OnceLock<bool> = OnceLock::new();
    let loaded = *LOADED.get_or_init(|| {
        plotters::style::register_font(draw::FAMILY, FontStyle::Normal, REGULAR).is_ok()
            && plotters::style::register_font(draw::FAMILY, FontStyle::Bold, BOLD).is_ok()
    });
    if loaded {
        Ok(())
    } else {
        Err(AppError::Internal(
            "the embedded chart font could not be read".into(),
        ))
    }
}

/// Title and caption on top, the chart's body below.
fn draw_titled<DB: DrawingBackend>(
    chart: &impl Chart,
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> DrawResult<DB> {
    area.fill(&palette::WHITE)?;
    let (width, _) = area.dim_in_pixel();
    let max = width.saturating_sub(2 * draw::MARGIN as u32);
    let title_font = draw::bold(draw::TITLE_SIZE);
    let caption_font = draw::font(draw::CAPTION_SIZE).color(&palette::MUTED_TEXT);
    let mut y = draw::MARGIN;
    let title = draw::fit(area, title, &title_font, max)?;
    draw::text(area, &title, (draw::MARGIN, y), &title_font)?;
    y += draw::line_height(draw::TITLE_SIZE) + 2;
    for line in draw::wrap(area, &chart.caption(), &caption_font, max, 3)? {
        draw::text(area, &line, (draw::MARGIN, y), &caption_font)?;
        y += draw::line_height(draw::CAPTION_SIZE);
    }
    let (_, body) = area.split_vertically(y + 6);
    chart.draw(&body)
}

/// Adds the accessible name and description to plotters' SVG.
fn accessible_svg(svg: String, title: &str, caption: &str) -> String {
    let Some(end) = svg.find('>') else {
        return svg;
    };
    let (open, rest) = svg.split_at(end);
    let open = open.replacen("<svg ", "<svg role=\"img\" ", 1);
    format!(
        "{open}>\n<title>{}</title>\n<desc>{} The table beside the chart lists every figure.</desc>{}",
        draw::escape_xml(title),
        draw::escape_xml(caption),
        rest.strip_prefix('>').unwrap_or(rest)
    )
}

// Free functions for the common case: one call from an analysis result to an SVG string.

use crate::analysis::gap::{GapReport, ItemInfo};
use crate::analysis::ipa::IpaGrid;
use crate::analysis::watermelon::WatermelonReport;

/// The overall gap per item as a dumbbell chart (see [`GapDumbbell`]).
pub fn gap_dumbbell_svg(
    report: &GapReport,
    items: &[ItemInfo],
    options: &ChartOptions,
) -> Result<String> {
    svg(&GapDumbbell::of_report(report, items), options)
}

/// Services' SLA attainment against CSAT (see [`WatermelonScatter`]).
pub fn watermelon_svg(
    report: &WatermelonReport,
    names: &crate::words::Names,
    options: &ChartOptions,
) -> Result<String> {
    svg(&WatermelonScatter::services(report, names), options)
}

/// The importance–performance grid with staff predictions (see [`IpaChart`]).
pub fn ipa_svg(grid: &IpaGrid, respondents: Respondents, options: &ChartOptions) -> Result<String> {
    svg(&IpaChart::new(grid, respondents), options)
}

/// An item's mean per wave, customers against staff (see [`TrendChart`]).
pub fn trend_item_svg(
    trend: &crate::analysis::trend::Trend<'_>,
    item: &ItemInfo,
    options: &ChartOptions,
) -> Result<String> {
    svg(
        &TrendChart::item(trend, &item.code, &item.label, item.scale),
        options,
    )
}

/// Gaps per agency and dimension (see [`AgencyHeatmap`]).
pub fn agency_heatmap_svg(
    report: &GapReport,
    names: &crate::words::Names,
    options: &ChartOptions,
) -> Result<String> {
    svg(&AgencyHeatmap::new(report, names), options)
}

/// Answer distributions as diverging stacked bars (see [`AnswerBars`]).
pub fn answer_bars_svg(
    distributions: &[AnswerDistribution],
    reporting_threshold: u64,
    options: &ChartOptions,
) -> Result<String> {
    svg(
        &AnswerBars::new(distributions, reporting_threshold),
        options,
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::analysis::gap::{
        Breakdown, BreakdownBy, DimensionGap, Gap, GapTable, GroupTable, ItemGap, Side, Verdict,
    };
    use crate::analysis::ipa::{IpaPoint, Position, Quadrant};
    use crate::analysis::stats::Interval;
    use crate::analysis::suppress::{Suppression, SuppressionNote};
    use crate::analysis::watermelon::{
        AgencyWatermelon, CsatSide, ServiceWatermelon, SlaSide, Watermelon, WatermelonClass,
    };
    use crate::domain::Scale;

    /// Numbers the analysis never gives (NaN, infinities, far off the scale) as well as
    /// ordinary ones: a chart must draw or refuse, never panic.
    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => 0.0..10.0f64,
            1 => -1e12..1e12f64,
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(f64::NEG_INFINITY),
        ]
    }

    fn interval() -> impl Strategy<Value = Option<Interval>> {
        proptest::option::of(
            (number(), number()).prop_map(|(lower, upper)| Interval { lower, upper }),
        )
    }

    fn side() -> impl Strategy<Value = Side> {
        (
            proptest::option::of(0..u64::MAX),
            proptest::option::of(number()),
            interval(),
        )
            .prop_map(|(n, mean, ci95)| Side {
                n,
                mean,
                sd: None,
                ci95,
            })
    }

    fn verdict() -> impl Strategy<Value = Verdict> {
        prop_oneof![
            Just(Verdict::BlindSpot),
            Just(Verdict::HiddenStrength),
            Just(Verdict::Aligned),
            Just(Verdict::InsufficientData),
        ]
    }

    fn label() -> impl Strategy<Value = String> {
        "[a-z<>&\"' _é€]{0,40}"
    }

    fn gap() -> impl Strategy<Value = Gap> {
        (
            side(),
            side(),
            verdict(),
            proptest::option::of(Just(Suppression::BelowThreshold)),
        )
            .prop_map(|(customer, staff, verdict, suppressed)| {
                let mut gap = Gap::shown(customer, staff, verdict);
                gap.suppressed = suppressed;
                gap
            })
    }

    fn quadrant() -> impl Strategy<Value = Quadrant> {
        prop_oneof![
            Just(Quadrant::ConcentrateHere),
            Just(Quadrant::KeepUpTheGoodWork),
            Just(Quadrant::LowPriority),
            Just(Quadrant::PossibleOverkill),
        ]
    }

    fn position() -> impl Strategy<Value = Option<Position>> {
        proptest::option::of((number(), number(), quadrant()).prop_map(
            |(importance, performance, quadrant)| Position {
                importance,
                performance,
                quadrant,
            },
        ))
    }

    fn watermelon() -> impl Strategy<Value = Watermelon> {
        (
            0usize..10,
            proptest::option::of(number()),
            proptest::option::of(0..1000u64),
            proptest::option::of(number()),
            interval(),
            prop_oneof![
                Just(WatermelonClass::Watermelon),
                Just(WatermelonClass::ReverseWatermelon),
                Just(WatermelonClass::Consistent),
                Just(WatermelonClass::InsufficientData),
            ],
        )
            .prop_map(|(metrics, attainment, n, csat, ci95, class)| Watermelon {
                sla: SlaSide {
                    metrics,
                    met: metrics / 2,
                    attainment,
                },
                customers: CsatSide { n, csat, ci95 },
                class,
            })
    }

    fn parses(svg: &str) {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn no_input_makes_a_chart_panic(
            rows in proptest::collection::vec((label(), gap()), 0..14),
            points in proptest::collection::vec((label(), position(), position()), 0..6),
            splits in (proptest::option::of(number()), proptest::option::of(number())),
            services in proptest::collection::vec((label(), watermelon(), proptest::option::of(Just(Suppression::Complementary))), 0..8),
            counts in proptest::collection::vec((label(), proptest::collection::vec(0..u64::MAX / 4, 0..12)), 0..6),
            title in label(),
            width in MIN_WIDTH..1000,
            height in MIN_HEIGHT..800,
            threshold in 0..20u64,
        ) {
            let options = ChartOptions { width, height, title };
            let items: Vec<ItemGap> = rows
                .iter()
                .map(|(l, g)| ItemGap {
                    item: l.clone(),
                    label: l.clone(),
                    wording: String::new(),
                    dimension: l.clone(),
                    scale: crate::domain::Scale::Likert5,
                    gap: *g,
                })
                .collect();
            let dimensions: Vec<DimensionGap> = rows
                .iter()
                .map(|(l, g)| DimensionGap { dimension: l.clone(), gap: *g })
                .collect();
            let table = GapTable {
                items: items.clone(),
                dimensions: dimensions.clone(),
                suppressed: SuppressionNote::default(),
            };
            let report = GapReport {
                reporting_threshold: threshold,
                customer_respondents: 7,
                staff_respondents: 3,
                items: items.clone(),
                dimensions: dimensions.clone(),
                suppressed: SuppressionNote::default(),
                breakdowns: vec![Breakdown {
                    by: BreakdownBy::Agency,
                    groups: rows
                        .iter()
                        .enumerate()
                        .map(|(k, (l, _))| GroupTable {
                            group: l.clone(),
                            respondents: Some(k as u64),
                            suppressed: (k % 3 == 0).then_some(Suppression::BelowThreshold),
                            table: (k % 3 != 1).then(|| table.clone()),
                        })
                        .collect(),
                    suppressed: SuppressionNote::default(),
                }],
            };
            parses(&svg(&GapDumbbell::of_report(&report, &[]), &options)?);
            parses(&svg(&GapDumbbell::dimensions(&dimensions), &options)?);
            parses(&svg(&AgencyHeatmap::new(&report, &crate::words::Names::default()), &options)?);

            let grid = IpaGrid {
                importance_split: splits.0,
                performance_split: splits.1,
                points: points
                    .iter()
                    .map(|(l, c, s)| IpaPoint { dimension: l.clone(), customers: *c, staff: *s })
                    .collect(),
            };
            parses(&svg(&IpaChart::new(&grid, Respondents::default()), &options)?);

            let report = WatermelonReport {
                sla_target: splits.0.unwrap_or(0.95),
                red_line: splits.1.unwrap_or(0.6),
                green_line: 0.8,
                reporting_threshold: threshold as usize,
                services: services
                    .iter()
                    .map(|(l, w, suppressed)| ServiceWatermelon {
                        service: l.clone(),
                        item: None,
                        watermelon: *w,
                        agencies: vec![AgencyWatermelon {
                            agency: "DOT".into(),
                            watermelon: *w,
                            suppressed: *suppressed,
                        }],
                        suppressed: SuppressionNote::default(),
                    })
                    .collect(),
            };
            parses(&svg(&WatermelonScatter::services(&report, &crate::words::Names::default()), &options)?);
            parses(&svg(&WatermelonScatter::agency(&report, "DOT", &crate::words::Names::default()), &options)?);

            let distributions: Vec<AnswerDistribution> = counts
                .iter()
                .map(|(l, c)| AnswerDistribution {
                    item: l.clone(),
                    label: l.clone(),
                    scale: Scale::Likert5,
                    customers: AnswerCounts::Shown(c.clone()),
                    staff: AnswerCounts::BelowThreshold,
                })
                .collect();
            let bars = AnswerBars::new(&distributions, threshold);
            parses(&svg(&bars, &options)?);
            for table in [bars.table(), AgencyHeatmap::new(&empty_report(), &crate::words::Names::default()).table()] {
                prop_assert!(table.rows.iter().all(|r| r.len() == table.headers.len()));
            }
            let png = png(&bars, &options)?;
            prop_assert_eq!(&png[..4], b"\x89PNG");
        }
    }

    fn empty_report() -> GapReport {
        GapReport {
            reporting_threshold: 5,
            customer_respondents: 0,
            staff_respondents: 0,
            items: Vec::new(),
            dimensions: Vec::new(),
            suppressed: SuppressionNote::default(),
            breakdowns: Vec::new(),
        }
    }

    #[test]
    fn every_table_has_a_cell_per_header() {
        let report = empty_report();
        let tables = [
            GapDumbbell::of_report(&report, &[]).table(),
            AgencyHeatmap::new(&report, &crate::words::Names::default()).table(),
        ];
        for table in tables {
            assert!(table.rows.iter().all(|r| r.len() == table.headers.len()));
        }
    }
}
