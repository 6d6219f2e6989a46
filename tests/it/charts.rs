//! Charts checked against the analysis numbers they draw: each SVG is parsed, its marks are
//! found by their colour, and their positions are read back through the chart's own axis
//! labels (the pixel of the "1" and "5" tick labels gives the mapping a reader would use).
//! PNG renders are checked for their signature and size. Inputs are hand-made responses run
//! through the real analysis (`gap::report`, `watermelons`, `wave_grid`, `trend`).
//!
//! Set `RIND_CHARTS_OUT=/some/dir` to also write every chart there for a look.

use rind::analysis::gap::{self, GapReport, GapRules, ItemInfo, Verdict};
use rind::analysis::ipa::wave_grid;
use rind::analysis::rates::{ResponseCounts, response_rate};
use rind::analysis::trend::{self, WaveSnapshot};
use rind::analysis::watermelon::{ServiceSla, SlaCounts, WatermelonRules, watermelons};
use rind::analysis::{ResponseSet, WaveResponses};
use rind::charts::{
    self, AgencyHeatmap, AnswerBars, AnswerCounts, AnswerDistribution, Chart, ChartOptions,
    GapDumbbell, IpaChart, Respondents, TrendChart, WatermelonScatter, answer_distributions,
    palette,
};
use rind::domain::{NO_ANSWER, Scale};
use rind::words::Names;

// ---------------------------------------------------------------------------------------
// A small programme: four agencies (DOR too small to show), staff in two teams.

const RULES: GapRules = GapRules {
    reporting_threshold: 5,
    significance_level: 0.05,
    material_gap_share: 0.125,
};

fn item(code: &str, dimension: &str, scale: Scale, position: usize, mirrored: bool) -> ItemInfo {
    ItemInfo {
        code: code.into(),
        label: format!("Label of {}", code),
        wording: format!("Wording of {}", code),
        dimension: dimension.into(),
        scale,
        position,
        mirrored,
        service: None,
    }
}

fn items() -> Vec<ItemInfo> {
    let mut items = vec![
        item("rel_commitments", "reliability", Scale::Likert5, 0, true),
        item("rel_uptime", "reliability", Scale::Likert5, 1, true),
        item("resp_speed", "responsiveness", Scale::Likert5, 2, true),
        item("resp_updates", "responsiveness", Scale::Likert5, 3, true),
        item("comm_plain", "communication", Scale::Likert5, 4, true),
        item("comm_ahead", "communication", Scale::Likert5, 5, true),
        item("recommend", "overall", Scale::Nps11, 6, true),
        item(
            "imp_reliability",
            "reliability",
            Scale::Importance5,
            7,
            true,
        ),
        item(
            "imp_responsiveness",
            "responsiveness",
            Scale::Importance5,
            8,
            true,
        ),
        item(
            "imp_communication",
            "communication",
            Scale::Importance5,
            9,
            true,
        ),
        item("sat_email", "services", Scale::Likert5, 10, false),
        item("sat_hosting", "services", Scale::Likert5, 11, false),
        item("overall_sat", "overall", Scale::Likert5, 12, true),
    ];
    items[10].service = Some("email".into());
    items[11].service = Some("hosting".into());
    items
}

const AGENCIES: [(i64, &str, usize); 4] = [
    (1, "DOT", 30),
    (2, "DOH", 25),
    (3, "DOE", 20),
    (4, "DOR", 3),
];

fn agency_code(id: i64) -> String {
    AGENCIES
        .iter()
        .find(|a| a.0 == id)
        .map_or_else(|| format!("#{id}"), |a| a.1.to_string())
}

fn cycle(values: &[u8], k: usize) -> u8 {
    values[k % values.len()]
}

/// Customers rate reliability low and responsiveness high; staff expect the opposite;
/// communication is answered alike. `shift` moves customers' reliability up (a later wave).
fn wave(shift: u8) -> WaveResponses {
    let n_items = items().len();
    let mut customers = ResponseSet::with_items(n_items, 80);
    let mut k = 0;
    for (id, _, n) in AGENCIES {
        for _ in 0..n {
            let rel = |v: u8| (v + shift).min(5);
            let row = [
                rel(cycle(&[2, 3, 2, 3, 1, 3, 2, 4], k)),
                rel(cycle(&[3, 2, 2, 3, 2, 4, 3], k)),
                cycle(&[5, 4, 5, 4, 4, 5, 3], k),
                cycle(&[4, 5, 4, 4, 5], k),
                cycle(&[3, 4, 3, 4, 5, 2], k),
                cycle(&[4, 3, 3, 4, 2, 5], k),
                cycle(&[9, 6, 8, 10, 3, 7, 9], k),
                cycle(&[5, 5, 4, 5, 4], k),
                cycle(&[4, 3, 4, 3, 4, 5], k),
                cycle(&[3, 3, 2, 4, 3], k),
                cycle(&[2, 1, 3, 2, 4, 2, 1], k),
                cycle(&[5, 4, 4, 5, 3, 5], k),
                cycle(&[4, 3, 4, 5, 2, 4], k),
            ];
            customers.push(Some(id), None, &row);
            k += 1;
        }
    }
    let mut staff = ResponseSet::with_items(n_items, 24);
    staff.segments = vec!["apps".into(), "ops".into()];
    for k in 0..24 {
        let row = [
            cycle(&[4, 5, 4, 4, 5], k),
            cycle(&[5, 4, 4, 5], k),
            cycle(&[3, 2, 3, 3, 2], k),
            cycle(&[2, 3, 3, 2], k),
            cycle(&[3, 4, 3, 4, 5, 2], k),
            cycle(&[4, 3, 3, 4, 2, 5], k),
            cycle(&[9, 9, 10, 8], k),
            cycle(&[3, 4, 3], k),
            cycle(&[5, 4, 5], k),
            cycle(&[4, 4, 5, 3], k),
            NO_ANSWER,
            NO_ANSWER,
            // Only three staff predicted overall satisfaction: below the threshold.
            if k < 3 { 5 } else { NO_ANSWER },
        ];
        staff.push(None, Some((k % 2) as u32), &row);
    }
    WaveResponses { customers, staff }
}

fn report() -> GapReport {
    gap::report(&items(), &wave(0), agency_code, &RULES)
}

// ---------------------------------------------------------------------------------------
// Reading an SVG back.

#[derive(Debug, Clone)]
struct Mark {
    tag: String,
    attrs: Vec<(String, String)>,
    text: String,
}

impl Mark {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn num(&self, name: &str) -> f64 {
        self.attr(name)
            .unwrap_or_else(|| panic!("{} has no {name}", self.tag))
            .parse()
            .unwrap()
    }

    fn fill(&self) -> &str {
        self.attr("fill").unwrap_or("")
    }
}

struct Svg {
    marks: Vec<Mark>,
    source: String,
}

impl Svg {
    fn parse(source: &str) -> Svg {
        let doc = roxmltree::Document::parse(source).expect("the SVG is well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("role"), Some("img"));
        let marks = doc
            .descendants()
            .filter(|n| n.is_element())
            .map(|n| Mark {
                tag: n.tag_name().name().to_string(),
                attrs: n
                    .attributes()
                    .map(|a| (a.name().to_string(), a.value().to_string()))
                    .collect(),
                text: n.text().unwrap_or("").trim().to_string(),
            })
            .collect();
        Svg {
            marks,
            source: source.to_string(),
        }
    }

    fn all(&self, tag: &str) -> impl Iterator<Item = &Mark> {
        self.marks.iter().filter(move |m| m.tag == tag)
    }

    fn title(&self) -> &str {
        &self.all("title").next().expect("a <title>").text
    }

    fn texts(&self) -> Vec<&Mark> {
        self.all("text").collect()
    }

    fn text(&self, content: &str) -> Option<&Mark> {
        self.all("text").find(|t| t.text == content)
    }

    fn count_text(&self, content: &str) -> usize {
        self.all("text").filter(|t| t.text == content).count()
    }

    /// Discs of one colour, with whether a white disc sits on each (a ring) or not (a dot).
    fn discs(&self, colour: plotters::style::RGBColor) -> Vec<((f64, f64), bool)> {
        let hex = palette::hex(colour);
        let circles: Vec<&Mark> = self.all("circle").collect();
        circles
            .iter()
            .enumerate()
            .filter(|(_, c)| c.fill() == hex)
            .map(|(k, c)| {
                let centre = (c.num("cx"), c.num("cy"));
                let ring = circles.get(k + 1).is_some_and(|next| {
                    next.fill() == palette::hex(palette::WHITE)
                        && (next.num("cx"), next.num("cy")) == centre
                        && next.num("r") < c.num("r")
                });
                (centre, ring)
            })
            .collect()
    }

    /// Solid circles of one colour.
    fn dots(&self, colour: plotters::style::RGBColor) -> Vec<(f64, f64)> {
        self.discs(colour)
            .into_iter()
            .filter(|(_, ring)| !ring)
            .map(|(c, _)| c)
            .collect()
    }

    /// Rings of one colour (hollow markers).
    fn rings(&self, colour: plotters::style::RGBColor) -> Vec<(f64, f64)> {
        self.discs(colour)
            .into_iter()
            .filter(|(_, ring)| *ring)
            .map(|(c, _)| c)
            .collect()
    }

    fn rects(&self, colour: plotters::style::RGBColor) -> Vec<(f64, f64, f64, f64)> {
        let hex = palette::hex(colour);
        self.all("rect")
            .filter(|r| r.fill() == hex)
            .map(|r| (r.num("x"), r.num("y"), r.num("width"), r.num("height")))
            .collect()
    }

    /// Filled circles of one colour inside a plotting area (not in the legend).
    fn dots_in_plot(&self, colour: plotters::style::RGBColor) -> Vec<(f64, f64)> {
        self.dots(colour)
            .into_iter()
            .filter(|p| self.in_plot(*p))
            .collect()
    }

    fn rings_in_plot(&self, colour: plotters::style::RGBColor) -> Vec<(f64, f64)> {
        self.rings(colour)
            .into_iter()
            .filter(|p| self.in_plot(*p))
            .collect()
    }

    /// Whether a point lies on a plotting area (the rectangles in the plot background).
    fn in_plot(&self, (x, y): (f64, f64)) -> bool {
        self.rects(palette::PLOT_BACKGROUND)
            .iter()
            .any(|&(rx, ry, w, h)| rx <= x && x <= rx + w && ry <= y && y <= ry + h)
    }

    /// Every horizontal axis as a reader sees it: tick labels that `value` can read,
    /// centred and sharing one baseline, as (value, pixel) fitted to a line.
    fn x_axes(&self, value: impl Fn(&str) -> Option<f64>) -> Vec<Axis> {
        let ticks: Vec<(f64, f64, f64)> = self
            .texts()
            .into_iter()
            .filter(|t| t.attr("text-anchor") == Some("middle"))
            .filter_map(|t| Some((value(&t.text)?, t.num("x"), t.num("y"))))
            .collect();
        groups(&ticks)
    }

    /// The one horizontal axis.
    fn x_axis(&self, value: impl Fn(&str) -> Option<f64>) -> Axis {
        let mut axes = self.x_axes(value);
        assert_eq!(axes.len(), 1, "one x axis: {axes:?}");
        axes.remove(0)
    }

    /// The vertical axis: right-aligned tick labels sharing one x.
    fn y_axis(&self, value: impl Fn(&str) -> Option<f64>) -> Axis {
        let ticks: Vec<(f64, f64, f64)> = self
            .texts()
            .into_iter()
            .filter(|t| t.attr("text-anchor") == Some("end"))
            .filter_map(|t| Some((value(&t.text)?, t.num("y"), t.num("x"))))
            .collect();
        let mut axes = groups(&ticks);
        assert_eq!(axes.len(), 1, "one y axis: {axes:?}");
        axes.remove(0)
    }
}

/// Ticks (value, position, shared coordinate) grouped by the shared coordinate; groups of
/// at least three make an axis.
fn groups(ticks: &[(f64, f64, f64)]) -> Vec<Axis> {
    let mut keys: Vec<f64> = ticks.iter().map(|t| t.2).collect();
    keys.sort_by(f64::total_cmp);
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            ticks
                .iter()
                .filter(|t| t.2 == k)
                .map(|t| (t.0, t.1))
                .collect::<Vec<_>>()
        })
        .filter(|g| g.len() >= 3)
        .map(Axis::fit)
        .collect()
}

/// value → pixel, from tick labels.
#[derive(Debug)]
struct Axis {
    ticks: Vec<(f64, f64)>,
}

impl Axis {
    fn fit(ticks: Vec<(f64, f64)>) -> Axis {
        assert!(ticks.len() >= 2, "an axis needs two tick labels: {ticks:?}");
        Axis { ticks }
    }

    fn pixel(&self, v: f64) -> f64 {
        let (a, b) = (
            self.ticks
                .iter()
                .copied()
                .min_by(|x, y| x.0.total_cmp(&y.0))
                .unwrap(),
            self.ticks
                .iter()
                .copied()
                .max_by(|x, y| x.0.total_cmp(&y.0))
                .unwrap(),
        );
        a.1 + (v - a.0) / (b.0 - a.0) * (b.1 - a.1)
    }

    /// Asserts the ticks themselves lie on one line (the mapping is linear).
    fn assert_linear(&self) {
        for &(v, p) in &self.ticks {
            assert!(
                (self.pixel(v) - p).abs() <= 1.0,
                "tick {v} at {p}: {self:?}"
            );
        }
    }
}

fn integer(s: &str) -> Option<f64> {
    s.parse::<u32>().ok().map(f64::from)
}

fn percent(s: &str) -> Option<f64> {
    s.strip_suffix('%')?.parse::<f64>().ok().map(|v| v / 100.0)
}

fn decimal(s: &str) -> Option<f64> {
    if s.contains('.') {
        s.parse().ok()
    } else {
        None
    }
}

#[track_caller]
fn within_a_pixel(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1.0,
        "{what}: drawn at {actual}, expected {expected}"
    );
}

fn render(chart: &impl Chart, name: &str, options: &ChartOptions) -> Svg {
    let svg = charts::svg(chart, options).unwrap();
    if let Ok(dir) = std::env::var("RIND_CHARTS_OUT") {
        std::fs::write(format!("{dir}/{name}.svg"), &svg).unwrap();
        let png = charts::png(chart, options).unwrap();
        std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
    }
    Svg::parse(&svg)
}

// ---------------------------------------------------------------------------------------
// The charts.

#[test]
fn dumbbell_draws_each_item_at_its_means_sorted_by_gap() {
    let report = report();
    let items = items();
    let chart = GapDumbbell::of_report(&report, &items);
    let options =
        ChartOptions::new("Where IT misreads its customers").size(720, chart.suggested_height());
    let svg = render(&chart, "gap_dumbbell", &options);
    assert_eq!(svg.title(), "Where IT misreads its customers");

    // One customer dot per shown item, in its finding's colour.
    for verdict in [
        Verdict::BlindSpot,
        Verdict::HiddenStrength,
        Verdict::Aligned,
    ] {
        let expected = report
            .items
            .iter()
            .filter(|i| {
                i.gap.verdict == verdict
                    && i.gap.customer.mean.is_some()
                    && i.scale != Scale::Importance5
            })
            .count();
        assert!(expected > 0, "the fixture has a {verdict:?}");
        assert_eq!(
            svg.dots(palette::verdict(verdict)).len(),
            expected,
            "{verdict:?}"
        );
        assert_eq!(
            svg.rings(palette::verdict(verdict)).len(),
            expected,
            "{verdict:?}"
        );
    }
    // overall_sat: customers shown, staff too few: a grey customer dot and no staff ring.
    assert_eq!(svg.dots(palette::GREY).len(), 1);
    assert_eq!(svg.rings(palette::GREY).len(), 0);

    // Every item sits at its means on its own panel's axis (1–5 for most, 0–10 for NPS).
    let axes = svg.x_axes(integer);
    assert_eq!(axes.len(), 2, "a 1–5 panel and a 0–10 panel");
    let top_of = |a: &Axis| a.ticks.iter().map(|t| t.0).fold(0.0, f64::max);
    let likert = axes.iter().find(|a| top_of(a) == 5.0).unwrap();
    let nps = axes.iter().find(|a| top_of(a) == 10.0).unwrap();
    likert.assert_linear();
    nps.assert_linear();
    let mut rows: Vec<(f64, f64)> = Vec::new();
    // Importance says what matters, not how IT performs: never on this chart, on its own.
    let importance: Vec<_> = report
        .items
        .iter()
        .filter(|r| r.scale == Scale::Importance5)
        .collect();
    assert!(!importance.is_empty(), "the fixture has an importance item");
    let priorities = render(
        &GapDumbbell::priorities(&report, &items),
        "gap_priorities",
        &ChartOptions::new("What matters"),
    );
    for row in &importance {
        assert!(
            svg.text(&row.label).is_none(),
            "{} on the performance chart",
            row.item
        );
        assert!(
            priorities.text(&row.label).is_some(),
            "{} not on its own",
            row.item
        );
    }
    for row in report
        .items
        .iter()
        .filter(|r| r.scale != Scale::Importance5)
    {
        // Rows are named by their labels, never by their codes.
        assert!(
            svg.text(&row.item).is_none(),
            "{} drawn by its code",
            row.item
        );
        let label = svg
            .text(&row.label)
            .unwrap_or_else(|| panic!("a label for {}", row.item));
        let y = label.num("y");
        let colour = palette::verdict(row.gap.verdict);
        let dot = svg.dots(colour).into_iter().find(|d| d.1 == y);
        let ring = svg.rings(colour).into_iter().find(|d| d.1 == y);
        let axis = if row.item == "recommend" { nps } else { likert };
        if let Some(mean) = row.gap.customer.mean {
            within_a_pixel(dot.expect("a customer dot").0, axis.pixel(mean), &row.item);
        }
        if let Some(mean) = row.gap.staff.mean {
            within_a_pixel(ring.expect("a staff ring").0, axis.pixel(mean), &row.item);
        }
        if row.item != "recommend" {
            rows.push((y, row.gap.gap.unwrap_or(f64::NEG_INFINITY)));
        }
    }
    // Largest blind spot at the top.
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(rows.windows(2).all(|w| w[0].1 >= w[1].1), "{rows:?}");

    // The table lists every item it draws, with "—" for the hidden staff side.
    let table = chart.table();
    assert_eq!(table.rows.len(), report.items.len() - importance.len());
    let overall = table
        .rows
        .iter()
        .find(|r| r[0] == "Label of overall_sat")
        .unwrap();
    assert_eq!(overall[5], "—");
    assert_eq!(overall[10], "Too few answers");
    assert!(svg.source.contains("<desc>"));
    assert!(
        chart.caption().contains("78 customers and 24 staff"),
        "{}",
        chart.caption()
    );
}

#[test]
fn dumbbell_of_dimensions_and_of_a_suppressed_group() {
    let report = report();
    let chart = GapDumbbell::dimensions(&report.dimensions);
    let svg = render(&chart, "gap_dimensions", &ChartOptions::new("Dimensions"));
    let axis = svg.x_axis(integer);
    axis.assert_linear();
    for d in &report.dimensions {
        let name = rind::words::dimension_name(&d.dimension);
        let y = svg.text(&name).unwrap().num("y");
        let colour = palette::verdict(d.gap.verdict);
        let dot = svg.dots(colour).into_iter().find(|p| p.1 == y).unwrap();
        within_a_pixel(
            dot.0,
            axis.pixel(d.gap.customer.mean.unwrap()),
            &d.dimension,
        );
    }
    // DOR's table is hidden whole; a cell-level hidden dimension row draws as suppressed.
    let agencies = &report.breakdowns[0];
    let dor = agencies.groups.iter().find(|g| g.group == "DOR").unwrap();
    assert!(dor.suppressed.is_some() && dor.table.is_none());
}

#[test]
fn a_dumbbell_too_long_for_its_height_says_what_it_left_out() {
    let report = report();
    let many: Vec<rind::analysis::gap::ItemGap> = (0..4)
        .flat_map(|k| {
            report.items.iter().map(move |row| {
                let mut row = row.clone();
                row.item = format!("{}_{k}", row.item);
                row.label = format!("{}_{k}", row.label);
                row
            })
        })
        .collect();
    let info: Vec<ItemInfo> = (0..4)
        .flat_map(|k| {
            items().into_iter().map(move |mut i| {
                i.code = format!("{}_{k}", i.code);
                i
            })
        })
        .collect();
    let chart = GapDumbbell::items(&many, &info);
    let svg = render(&chart, "gap_long", &ChartOptions::new("Every item"));
    let drawn = many.iter().filter(|r| svg.text(&r.label).is_some()).count();
    assert!(drawn > 5 && drawn < many.len(), "{drawn} of {}", many.len());
    let note = format!(
        "{} more questions, further down the order, did not fit: see the table.",
        many.len() - drawn
    );
    // What is drawn is the top of the order: the largest gaps as a share of each item's
    // scale, whichever scale it is on.
    let mut sorted: Vec<&rind::analysis::gap::ItemGap> = many.iter().collect();
    sorted.sort_by(|a, b| {
        let gap = |r: &rind::analysis::gap::ItemGap| r.gap_share().unwrap_or(f64::NEG_INFINITY);
        gap(b).total_cmp(&gap(a))
    });
    assert!(sorted[..drawn].iter().all(|r| svg.text(&r.label).is_some()));
    assert!(svg.text(&note).is_some(), "no note: {note}");
    assert_eq!(chart.table().rows.len(), many.len());
    // Without respondent counts, the caption gives how many answered each question.
    assert!(
        chart.caption().contains("answered each question"),
        "{}",
        chart.caption()
    );
    // Given the room, every item is drawn.
    let tall = ChartOptions::new("Every item").size(720, chart.suggested_height());
    let svg = render(&chart, "gap_long_tall", &tall);
    assert_eq!(
        many.iter().filter(|r| svg.text(&r.label).is_some()).count(),
        many.len()
    );
}

#[test]
fn watermelon_scatter_places_services_and_lists_the_rest() {
    let data = wave(0);
    let mut email = ServiceSla {
        service: "email".into(),
        ..ServiceSla::default()
    };
    email.programme = SlaCounts { metrics: 2, met: 2 };
    let mut network = ServiceSla {
        service: "network".into(),
        ..ServiceSla::default()
    };
    network.programme = SlaCounts { metrics: 4, met: 1 };
    let rules = WatermelonRules {
        sla_target: 0.95,
        red_line: 0.6,
        green_line: 0.8,
        reporting_threshold: 5,
    };
    let report = watermelons(
        &[email, network],
        &items(),
        &data.customers,
        agency_code,
        &rules,
    );
    let chart = WatermelonScatter::services(&report, &Names::default());
    let svg = render(
        &chart,
        "watermelon",
        &ChartOptions::new("Green rind, red core?"),
    );

    let x = svg.x_axis(percent);
    let y = svg.y_axis(percent);
    x.assert_linear();
    y.assert_linear();
    let email = report
        .services
        .iter()
        .find(|s| s.service == "email")
        .unwrap();
    assert_eq!(
        email.watermelon.class,
        rind::analysis::watermelon::WatermelonClass::Watermelon
    );
    let dots = svg.dots_in_plot(palette::VERMILLION);
    assert_eq!(dots.len(), 1, "one watermelon");
    within_a_pixel(
        dots[0].0,
        x.pixel(email.watermelon.sla.attainment.unwrap()),
        "attainment",
    );
    within_a_pixel(
        dots[0].1,
        y.pixel(email.watermelon.customers.csat.unwrap()),
        "CSAT",
    );
    assert!(svg.text("Email: watermelon").is_some());

    // hosting: customers answered, but no SLA figures; network: SLA, but no question.
    let notes: String = svg
        .texts()
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(notes.contains("Hosting (no SLA figures)"), "{notes}");
    assert!(
        notes.contains("Network (no satisfaction question)"),
        "{notes}"
    );
    // The lines it is judged against: target at 95%, red line at 60%.
    let target = svg.text("SLA target 95%").unwrap();
    within_a_pixel(target.num("x") + 4.0, x.pixel(0.95), "target line");
    let table = chart.table();
    assert_eq!(table.rows.len(), 3);
    assert!(table.rows.iter().any(|r| r[0] == "Hosting" && r[2] == "—"));

    // One agency's view: DOR's cells are hidden and listed as suppressed.
    let dor = WatermelonScatter::agency(&report, "DOR", &Names::default());
    let svg = render(&dor, "watermelon_dor", &ChartOptions::new("DOR"));
    let notes: String = svg
        .texts()
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(notes.contains("Email (suppressed)"), "{notes}");
    assert!(
        notes.contains("Network (no satisfaction question)"),
        "{notes}"
    );
    let table = dor.table();
    let finding = |service: &str| table.rows.iter().find(|r| r[0] == service).unwrap()[6].clone();
    assert_eq!(finding("Email"), "Suppressed: fewer than 5 answered");
    assert_eq!(
        finding("Network"),
        "Not enough data: no satisfaction question"
    );
    assert!(svg.dots_in_plot(palette::VERMILLION).is_empty());
}

#[test]
fn ipa_grid_puts_customers_and_staff_at_their_means() {
    let items = items();
    let data = wave(0);
    let overall = gap::overall(&items, &data, &RULES);
    let grid = wave_grid(
        &items,
        &data,
        &overall.table.dimensions,
        RULES.reporting_threshold,
    );
    let chart = IpaChart::new(
        &grid,
        Respondents {
            customers: 78,
            staff: 24,
        },
    );
    let svg = render(
        &chart,
        "ipa",
        &ChartOptions::new("What matters, and how we do"),
    );
    let x = svg.x_axis(decimal);
    let y = svg.y_axis(decimal);
    x.assert_linear();
    y.assert_linear();
    let customers = svg.dots_in_plot(palette::CUSTOMERS);
    let staff = svg.rings_in_plot(palette::STAFF);
    let shown: Vec<_> = grid
        .points
        .iter()
        .filter(|p| p.customers.is_some())
        .collect();
    assert_eq!(shown.len(), 3);
    assert_eq!(customers.len(), 3);
    assert_eq!(staff.len(), 3);
    for point in shown {
        let c = point.customers.unwrap();
        let (px, py) = (x.pixel(c.importance), y.pixel(c.performance));
        assert!(
            customers
                .iter()
                .any(|d| (d.0 - px).abs() <= 1.0 && (d.1 - py).abs() <= 1.0),
            "{}: no dot at {px},{py} in {customers:?}",
            point.dimension
        );
        let s = point.staff.unwrap();
        let (px, py) = (x.pixel(s.importance), y.pixel(s.performance));
        assert!(
            staff
                .iter()
                .any(|d| (d.0 - px).abs() <= 1.0 && (d.1 - py).abs() <= 1.0),
            "{}: no ring at {px},{py}",
            point.dimension
        );
    }
    assert!(svg.text("Concentrate here").is_some());
    assert_eq!(chart.table().rows.len(), 4);
}

fn snapshot(code: &str, baseline: bool, shift: u8) -> WaveSnapshot {
    let data = wave(shift);
    let rate = response_rate(&ResponseCounts {
        invited: 120,
        bounced: 0,
        responses: data.customers.len() as u64,
    });
    trend::snapshot(code, baseline, &items(), &data, (rate, rate), &RULES)
}

#[test]
fn trend_lines_follow_the_waves_and_mark_the_baseline() {
    let waves = [
        snapshot("FY25-Q4", true, 0),
        snapshot("FY26-Q1", false, 1),
        snapshot("FY26-Q2", false, 2),
    ];
    let trend = trend::trend(&waves);
    let chart = TrendChart::item(&trend, "rel_commitments", "rel_commitments", Scale::Likert5);
    let svg = render(&chart, "trend", &ChartOptions::new("Keeping commitments"));
    let y = svg.y_axis(integer);
    y.assert_linear();
    let dots = svg.dots_in_plot(palette::CUSTOMERS);
    let rings = svg.rings_in_plot(palette::STAFF);
    assert_eq!(dots.len(), 3);
    assert_eq!(rings.len(), 3);
    let series = trend
        .items
        .iter()
        .find(|s| s.name == "rel_commitments")
        .unwrap();
    for (point, dot) in series.waves.iter().zip(&dots) {
        let label = svg.text(point.wave).unwrap();
        within_a_pixel(dot.0, label.num("x"), point.wave);
        within_a_pixel(dot.1, y.pixel(point.gap.customer.mean.unwrap()), point.wave);
    }
    // Customers improved wave on wave: each dot higher (smaller y) than the one before.
    assert!(dots.windows(2).all(|w| w[1].1 < w[0].1), "{dots:?}");
    assert!(svg.text("baseline").is_some());
    // Bands: one translucent polygon per side and pair of waves.
    assert_eq!(svg.all("polygon").count(), 4);
    let table = chart.table();
    assert_eq!(table.rows[0][0], "FY25-Q4 (baseline)");
    assert!(table.rows[1][7].starts_with('+'), "{:?}", table.rows[1]);

    // CSAT: staff predicted it with too few answers, so only customers are drawn.
    let csat = TrendChart::csat(&trend);
    let svg = render(&csat, "trend_csat", &ChartOptions::new("CSAT"));
    svg.y_axis(percent).assert_linear();
    assert_eq!(svg.dots_in_plot(palette::CUSTOMERS).len(), 3);
    assert_eq!(svg.rings_in_plot(palette::STAFF).len(), 0);
    assert!(csat.table().rows.iter().all(|r| r[4] == "—"));
}

#[test]
fn answer_bars_diverge_around_zero_and_mark_suppressed_audiences() {
    let items = items();
    let data = wave(0);
    let distributions: Vec<AnswerDistribution> = answer_distributions(&items, &data, 5)
        .into_iter()
        .filter(|d| ["rel_commitments", "resp_speed", "overall_sat"].contains(&d.item.as_str()))
        .collect();
    assert_eq!(distributions[2].staff, AnswerCounts::BelowThreshold);
    let chart = AnswerBars::new(&distributions, 5);
    let options =
        ChartOptions::new("How customers and staff answered").size(720, chart.suggested_height());
    let svg = render(&chart, "answers", &options);
    // The axis reads 100% 50% 0 50% 100%: zero and the right-hand 100% give the scale.
    let zero_tick = svg.text("0").unwrap();
    let zero = zero_tick.num("x");
    let right = svg
        .texts()
        .iter()
        .filter(|t| t.text == "100%" && t.num("y") == zero_tick.num("y"))
        .map(|t| t.num("x"))
        .fold(f64::MIN, f64::max);
    let full = right - zero;
    assert!(full > 100.0);

    // Bars with a middle answer: the middle (light grey) segment straddles zero.
    let mut bars = 0;
    for d in &distributions {
        for counts in [&d.customers, &d.staff] {
            let AnswerCounts::Shown(counts) = counts else {
                continue;
            };
            bars += 1;
            let total: u64 = counts.iter().sum();
            let middle = counts[2] as f64 / total as f64;
            if middle > 0.0 {
                let found = svg
                    .rects(palette::LIGHT_GREY)
                    .into_iter()
                    .any(|(rx, _, w, _)| {
                        ((rx + w / 2.0) - zero).abs() <= 1.0 && (w - middle * full).abs() <= 2.0
                    });
                assert!(found, "{}: no middle segment of {middle}", d.item);
            }
            // The lowest answer ends the bar on the left.
            let lowest = counts[0] as f64 / total as f64;
            let low = (counts[0] + counts[1]) as f64 / total as f64;
            if lowest > 0.0 {
                let left = zero - (middle / 2.0 + low) * full;
                let found = svg
                    .rects(palette::VERMILLION)
                    .into_iter()
                    .any(|(rx, _, w, _)| {
                        (rx - left).abs() <= 2.0 && (w - lowest * full).abs() <= 2.0
                    });
                assert!(found, "{}: no lowest segment at {left}", d.item);
            }
            // And the highest answer ends it on the right.
            let highest = counts[4] as f64 / total as f64;
            let high = (counts[3] + counts[4]) as f64 / total as f64;
            if highest > 0.0 {
                let right = zero + (middle / 2.0 + high) * full;
                let found = svg.rects(palette::BLUE).into_iter().any(|(rx, _, w, _)| {
                    (rx + w - right).abs() <= 2.0 && (w - highest * full).abs() <= 2.0
                });
                assert!(found, "{}: no highest segment ending at {right}", d.item);
            }
        }
    }
    assert_eq!(bars, 5);
    assert_eq!(svg.count_text("suppressed: fewer than 5 answered"), 1);
    assert_eq!(svg.count_text("n = 78"), 3);
    let table = chart.table();
    assert_eq!(table.rows.len(), 6);
    assert_eq!(table.rows[5][2], "—");
}

#[test]
fn heatmap_shows_gaps_per_agency_and_marks_suppressed_agencies() {
    let report = report();
    let chart = AgencyHeatmap::new(&report, &Names::default());
    let options = ChartOptions::new("Gaps by agency").size(720, chart.suggested_height());
    let svg = render(&chart, "heatmap", &options);
    let agencies = &report.breakdowns[0];
    let hidden: Vec<&str> = agencies
        .groups
        .iter()
        .filter(|g| g.suppressed.is_some())
        .map(|g| g.group.as_str())
        .collect();
    // DOR is below the threshold and DOE hidden with it, so DOR can't be worked out.
    assert_eq!(hidden, ["DOE", "DOR"]);
    let dimensions = report.dimensions.len();
    assert_eq!(svg.count_text("suppressed"), hidden.len() * dimensions);
    // The "suppressed" words sit on the hidden agencies' rows.
    for agency in hidden {
        let row = svg
            .text(agency)
            .unwrap_or_else(|| panic!("a row for {agency}"));
        let on_row = svg
            .texts()
            .iter()
            .filter(|t| t.text == "suppressed" && (t.num("y") - row.num("y")).abs() <= 1.0)
            .count();
        assert_eq!(on_row, dimensions, "{agency}");
    }
    // Shown cells carry their gap, and blind spots are warm: DOT's reliability.
    let dot = agencies.groups.iter().find(|g| g.group == "DOT").unwrap();
    let reliability = dot
        .table
        .as_ref()
        .unwrap()
        .dimensions
        .iter()
        .find(|d| d.dimension == "reliability")
        .unwrap();
    assert_eq!(reliability.gap.verdict, Verdict::BlindSpot);
    let written = format!("+{:.2}", reliability.gap.gap.unwrap());
    let label = svg
        .text(&format!("DOT (n = {})", dot.respondents.unwrap()))
        .unwrap();
    assert!(
        svg.texts()
            .iter()
            .any(|t| t.text == written && (t.num("y") - label.num("y")).abs() <= 1.0)
    );
    let table = chart.table();
    assert_eq!(table.rows.len(), 1 + agencies.groups.len());
    let dor = table.rows.iter().find(|r| r[0] == "DOR").unwrap();
    assert_eq!(dor[1], "—");
    assert!(dor[2..].iter().all(|c| c == "suppressed"));
}

#[test]
fn png_renders_have_the_signature_and_the_size_asked_for() {
    let report = report();
    let options = ChartOptions::new("PNG").size(640, 400);
    let pngs = [
        charts::png(&GapDumbbell::of_report(&report, &items()), &options).unwrap(),
        charts::png(&AgencyHeatmap::new(&report, &Names::default()), &options).unwrap(),
        charts::png(
            &GapDumbbell::dimensions(&report.dimensions),
            &options.clone().size(320, 200),
        )
        .unwrap(),
    ];
    for (k, png) in pngs.iter().enumerate() {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "chart {k}");
        // IHDR: width and height, big-endian, right after the chunk header.
        assert_eq!(&png[12..16], b"IHDR");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        let expected = if k == 2 { (320, 200) } else { (640, 400) };
        assert_eq!((width, height), expected, "chart {k}");
    }
}

#[test]
fn empty_and_degenerate_inputs_draw_without_panicking() {
    let empty = gap::report(&items(), &WaveResponses::default(), agency_code, &RULES);
    let no_items = gap::report(&[], &WaveResponses::default(), agency_code, &RULES);
    let trend = trend::trend(&[]);
    let one_wave = [snapshot("W1", false, 0)];
    let one = trend::trend(&one_wave);
    let options = ChartOptions::new("Nothing yet");
    let grid = rind::analysis::ipa::grid(&[]);
    let watermelons = rind::analysis::watermelon::WatermelonReport {
        sla_target: 0.95,
        red_line: 0.6,
        green_line: 0.8,
        reporting_threshold: 5,
        services: Vec::new(),
    };
    for report in [&empty, &no_items] {
        Svg::parse(&charts::svg(&GapDumbbell::of_report(report, &items()), &options).unwrap());
        Svg::parse(&charts::svg(&GapDumbbell::dimensions(&report.dimensions), &options).unwrap());
        Svg::parse(&charts::svg(&AgencyHeatmap::new(report, &Names::default()), &options).unwrap());
        charts::png(&AgencyHeatmap::new(report, &Names::default()), &options).unwrap();
    }
    let svgs = [
        charts::svg(
            &TrendChart::item(&trend, "x", "x", Scale::Likert5),
            &options,
        )
        .unwrap(),
        charts::svg(&TrendChart::csat(&trend), &options).unwrap(),
        charts::svg(
            &TrendChart::item(&one, "rel_commitments", "rel_commitments", Scale::Likert5),
            &options,
        )
        .unwrap(),
        charts::svg(
            &TrendChart::item(&one, "no_such_item", "no_such_item", Scale::Nps11),
            &options,
        )
        .unwrap(),
        charts::svg(&IpaChart::new(&grid, Respondents::default()), &options).unwrap(),
        charts::svg(
            &WatermelonScatter::services(&watermelons, &Names::default()),
            &options,
        )
        .unwrap(),
        charts::svg(
            &WatermelonScatter::agency(&watermelons, "DOT", &Names::default()),
            &options,
        )
        .unwrap(),
        charts::svg(&AnswerBars::new(&[], 5), &options).unwrap(),
        charts::svg(
            &AnswerBars::new(
                &[AnswerDistribution {
                    item: "x".into(),
                    label: "x".into(),
                    scale: Scale::Likert5,
                    customers: AnswerCounts::Shown(vec![0; 5]),
                    staff: AnswerCounts::Shown(vec![]),
                }],
                5,
            ),
            &options,
        )
        .unwrap(),
    ];
    for svg in &svgs {
        Svg::parse(svg);
    }
    // A single wave: one dot per side and an interval bar, no band.
    let svg = Svg::parse(&svgs[2]);
    assert!(svg.all("polygon").next().is_none());
    // Sizes outside what can be drawn are refused, not drawn badly.
    for (w, h) in [(0, 0), (100, 480), (720, 10), (5000, 480)] {
        let err = charts::svg(&AnswerBars::new(&[], 5), &options.clone().size(w, h)).unwrap_err();
        assert!(matches!(err, rind::AppError::Invalid(_)), "{w}×{h}: {err}");
    }
    // A title with markup is escaped, not injected.
    let svg = charts::svg(&AnswerBars::new(&[], 5), &ChartOptions::new("<b>&</b>")).unwrap();
    assert_eq!(Svg::parse(&svg).title(), "<b>&</b>");
}
