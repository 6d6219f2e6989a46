//! A report as a sequence of readable blocks (headings, paragraphs, tables with their
//! figures as text, charts), shared by the HTML and the PDF so that both read the same.
//! The spreadsheet and CSV formats write the typed figures instead, as numbers.

use crate::analysis::gap::{Gap, GapTable};
use crate::analysis::rates::ResponseRate;
use crate::analysis::suppress::Suppression;
use crate::words::{NONE, count, interval, number, percent, percent_interval, signed};

use super::document::{Figure, Report};

/// One block of a report.
pub enum Block<'a> {
    /// A heading; level 1 is a part of the report, 2 a section within it.
    Heading {
        level: u8,
        text: String,
        id: String,
    },
    Paragraph(String),
    List(Vec<String>),
    Table(Table),
    Figure(&'a Figure),
}

/// A table as text: a caption, column names, and rows whose first cell names the row.
pub struct Table {
    pub caption: String,
    pub columns: Vec<String>,
    /// Columns holding numbers (right-aligned).
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Whether column `i` holds numbers.
    pub fn is_numeric(&self, i: &usize) -> bool {
        self.numeric.get(*i).copied().unwrap_or(false)
    }
}

use crate::words::p_value;

fn heading(level: u8, text: impl Into<String>, id: impl Into<String>) -> Block<'static> {
    Block::Heading {
        level,
        text: text.into(),
        id: id.into(),
    }
}

fn side(n: Option<u64>, mean: Option<f64>) -> String {
    match (n, mean) {
        (Some(n), Some(_)) => format!("{} (n {n})", number(mean, 2)),
        _ => NONE.to_string(),
    }
}

/// A row's first cells: its name, and for a question its dimension and scale.
fn gap_cells(first: Vec<String>, gap: &Gap, threshold: u64) -> Vec<String> {
    let mut row = first;
    if let Some(reason) = gap.suppressed {
        row.push(crate::words::suppression_label(reason, threshold));
        row.extend(std::iter::repeat_n(String::new(), 5));
        return row;
    }
    row.extend([
        side(gap.customer.n, gap.customer.mean),
        side(gap.staff.n, gap.staff.mean),
        signed(gap.gap, 2),
        interval(gap.gap_ci95, 2),
        p_value(gap.q),
        crate::words::verdict_label(gap.verdict).to_string(),
    ]);
    row
}

/// A gap table (items, then dimensions) as two text tables.
pub fn gap_tables(table: &GapTable, whose: &str, threshold: u64) -> [Table; 2] {
    let columns = |first: &str, with_dimension: bool| {
        let mut c = vec![first.to_string()];
        if with_dimension {
            c.push("Dimension".into());
            c.push("Scale".into());
        }
        c.extend(
            [
                "Customers said",
                "Staff expected",
                "Gap",
                "95% interval",
                "q",
                "Finding",
            ]
            .map(String::from),
        );
        c
    };
    let numeric = |with_dimension: bool| {
        let mut n = vec![false];
        if with_dimension {
            n.extend([false, false]);
        }
        n.extend([true, true, true, false, true, false]);
        n
    };
    [
        Table {
            caption: format!(
                "{whose}: what customers said against what IT staff expected, per question \
                 (gap = staff − customers, on each question's own scale)"
            ),
            columns: columns("Question", true),
            numeric: numeric(true),
            rows: table
                .items
                .iter()
                .map(|i| {
                    let first = vec![
                        i.label.clone(),
                        crate::words::dimension_name(&i.dimension),
                        crate::words::scale_range(i.scale),
                    ];
                    gap_cells(first, &i.gap, threshold)
                })
                .collect(),
        },
        Table {
            caption: format!("{whose}: gaps per dimension (scores on the 1–5 scale)"),
            columns: columns("Dimension", false),
            numeric: numeric(false),
            rows: table
                .dimensions
                .iter()
                .map(|d| {
                    gap_cells(
                        vec![crate::words::dimension_name(&d.dimension)],
                        &d.gap,
                        threshold,
                    )
                })
                .collect(),
        },
    ]
}

fn rate_row(group: &str, r: &ResponseRate, threshold: u64) -> Vec<String> {
    if let Some(reason) = r.suppressed {
        let why = match reason {
            Suppression::Complementary => crate::words::suppression_reason(reason, threshold),
            Suppression::BelowThreshold => format!("fewer than {threshold} people asked"),
        };
        return vec![
            group.to_string(),
            format!("Suppressed: {why}"),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ];
    }
    vec![
        group.to_string(),
        count(r.invited),
        count(r.bounced),
        count(r.responses),
        percent(r.rate),
        r.margin_of_error.map_or(NONE.to_string(), |m| {
            format!("±{} points", number(Some(m * 100.0), 1))
        }),
        count(r.responses_needed),
    ]
}

/// The report's blocks, in reading order.
pub fn blocks(report: &Report) -> Vec<Block<'_>> {
    let threshold = report.rules.reporting_threshold;
    let mut out = vec![heading(1, report.title(), "title")];
    out.push(Block::Paragraph(format!(
        "Customers answering: {}. IT staff answering: {}. Groups with fewer than {} answers \
         are not shown; comments only where at least {} answered.",
        report.gap.report.customer_respondents,
        report.gap.report.staff_respondents,
        threshold,
        report.rules.comment_threshold
    )));

    out.push(heading(2, "Executive summary", "summary"));
    if report.summary.is_empty() {
        out.push(Block::Paragraph(
            "No blind spot, hidden strength, watermelon or change stood out.".into(),
        ));
    } else {
        out.push(Block::List(
            report
                .summary
                .iter()
                .map(|f| {
                    if f.about == "Programme" {
                        format!("{}. {}", f.kind.label(), f.text)
                    } else {
                        format!("{} at {}. {}", f.kind.label(), f.about, f.text)
                    }
                })
                .collect(),
        ));
    }

    out.push(heading(2, "Response rates and margins of error", "rates"));
    let rates = &report.rates;
    let mut rows = vec![
        rate_row("All customers", &rates.customers, threshold),
        rate_row("IT staff", &rates.staff, threshold),
    ];
    rows.extend(
        rates
            .agencies
            .iter()
            .map(|a| rate_row(&report.names.agency(&a.agency), &a.rate, threshold)),
    );
    out.push(Block::Table(Table {
        caption: "Responses per invitation that reached someone, with the 95% margin of error"
            .into(),
        columns: [
            "Group",
            "Invited",
            "Bounced",
            "Responses",
            "Rate",
            "Margin of error",
            "Needed for ±10",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![false, true, true, true, true, true, true],
        rows,
    }));

    out.push(heading(2, "Gaps: the programme", "gaps"));
    let c = &report.calibration;
    out.push(Block::Paragraph(format!(
        "Across {} questions on the 1–5 scale, IT staff's predictions were off by {} on \
         average (bias {}: positive means IT expected better than customers said); the rank \
         correlation of staff and customer means is {} (1 means IT knows exactly which \
         questions are weakest).",
        c.items,
        number(c.mean_absolute_gap, 2),
        signed(c.bias, 2),
        number(c.spearman, 2)
    )));
    let overall = GapTable {
        items: report.gap.report.items.clone(),
        dimensions: report.gap.report.dimensions.clone(),
        suppressed: report.gap.report.suppressed.clone(),
    };
    for t in gap_tables(&overall, "Programme", threshold) {
        out.push(Block::Table(t));
    }

    out.push(heading(2, "Services: SLA against satisfaction", "services"));
    out.push(Block::Table(Table {
        caption: "Each service's SLA attainment against its customers' CSAT".into(),
        columns: ["Service", "SLA met", "CSAT", "95% interval", "n", "Finding"]
            .map(String::from)
            .to_vec(),
        numeric: vec![false, true, true, false, true, false],
        rows: report
            .watermelons
            .services
            .iter()
            .map(|s| {
                let w = &s.watermelon;
                vec![
                    report.names.service(&s.service),
                    match w.sla.attainment {
                        Some(a) => {
                            format!("{} ({} of {})", percent(Some(a)), w.sla.met, w.sla.metrics)
                        }
                        None => "no SLA figures".into(),
                    },
                    percent(w.customers.csat),
                    percent_interval(w.customers.ci95),
                    count(w.customers.n),
                    crate::words::service_finding(w, report.rules.sla_target).into(),
                ]
            })
            .collect(),
    }));

    out.push(heading(2, "Charts", "charts"));
    for f in &report.charts {
        out.push(Block::Figure(f));
    }

    if let Some(trend) = report.trend_report(threshold) {
        out.push(heading(2, "Changes across waves", "trend"));
        out.push(Block::Table(Table {
            caption: format!(
                "Headline figures per wave; changes against {}",
                trend.trend.baseline.unwrap_or("the baseline")
            ),
            columns: [
                "Wave",
                "Customers",
                "Staff",
                "Customer response rate",
                "CSAT",
                "CSAT change",
                "Change interval",
                "p",
            ]
            .map(String::from)
            .to_vec(),
            numeric: vec![false, true, true, true, true, true, false, true],
            rows: trend
                .trend
                .waves
                .iter()
                .map(|w| {
                    vec![
                        if w.baseline {
                            format!("{} (baseline)", w.wave)
                        } else {
                            w.wave.clone()
                        },
                        w.customer_respondents.to_string(),
                        w.staff_respondents.to_string(),
                        percent(w.customer_response_rate.rate),
                        percent(w.customers.csat.and_then(|c| c.share)),
                        w.csat_change
                            .map_or(NONE.into(), |c| crate::words::points(c.difference)),
                        w.csat_change
                            .map_or(NONE.into(), |c| crate::words::points_interval(c.ci95)),
                        p_value(w.csat_change.and_then(|c| c.p)),
                    ]
                })
                .collect(),
        }));
        out.push(Block::Table(Table {
            caption: format!("Customers' mean per dimension, change in {}", trend.wave),
            columns: ["Dimension", "Mean", "Change", "95% interval", "q"]
                .map(String::from)
                .to_vec(),
            numeric: vec![false, true, true, false, true],
            rows: trend
                .trend
                .dimensions
                .iter()
                .filter_map(|s| {
                    let p = s.waves.iter().find(|p| p.wave == trend.wave)?;
                    let change = p.customer_change;
                    Some(vec![
                        crate::words::dimension_name(s.name),
                        number(p.gap.customer.mean, 2),
                        signed(change.and_then(|c| c.difference), 2),
                        interval(change.and_then(|c| c.ci95), 2),
                        p_value(change.and_then(|c| c.q.or(c.p))),
                    ])
                })
                .collect(),
        }));
    }

    if !report.agencies.is_empty() {
        out.push(heading(1, "Agencies", "agencies"));
    }
    for a in &report.agencies {
        out.push(heading(2, a.name.clone(), format!("agency-{}", a.code)));
        out.push(Block::Paragraph(format!(
            "{} customers of {} answered, compared with all IT staff.",
            a.respondents, a.name
        )));
        for t in gap_tables(&a.table, &a.name, threshold) {
            out.push(Block::Table(t));
        }
        out.push(Block::Table(Table {
            caption: format!("{}: SLA against satisfaction per service", a.name),
            columns: ["Service", "SLA met", "CSAT", "95% interval", "n", "Finding"]
                .map(String::from)
                .to_vec(),
            numeric: vec![false, true, true, false, true, false],
            rows: a
                .services
                .iter()
                .map(|s| match s.suppressed {
                    Some(reason) => vec![
                        report.names.service(&s.service),
                        percent(s.sla_attainment),
                        crate::words::suppression_label(reason, threshold),
                        String::new(),
                        String::new(),
                        String::new(),
                    ],
                    None => vec![
                        report.names.service(&s.service),
                        percent(s.sla_attainment),
                        percent(s.csat),
                        percent_interval(s.csat_ci95),
                        count(s.n),
                        s.finding.clone(),
                    ],
                })
                .collect(),
        }));
        out.push(Block::Figure(&a.chart));
        match &a.comments {
            Some(comments) if !comments.is_empty() => {
                out.push(Block::Paragraph(format!(
                    "What {}'s customers wrote:",
                    a.name
                )));
                out.push(Block::List(
                    comments
                        .iter()
                        .map(|(item, text)| format!("{item}: {text}"))
                        .collect(),
                ));
            }
            Some(_) => out.push(Block::Paragraph("No comments were left.".into())),
            None => out.push(Block::Paragraph(format!(
                "Comments are not shown: fewer than {} respondents.",
                report.rules.comment_threshold
            ))),
        }
    }

    out.push(heading(1, "Methodology", "methodology"));
    out.push(Block::Table(Table {
        caption: "Definitions, thresholds and tests".into(),
        columns: vec!["Term".into(), "Meaning".into()],
        numeric: vec![false, false],
        rows: report
            .methodology()
            .into_iter()
            .map(|(t, m)| vec![t, m])
            .collect(),
    }));
    out.push(heading(2, "What was suppressed, and why", "suppressed"));
    let mut notes = report.suppressed.clone();
    if report.agencies_left_out > 0 {
        notes.push(format!(
            "{} agencies are not in this version: it is for {} only.",
            report.agencies_left_out,
            match &report.agency {
                Some((_, name)) => name.clone(),
                None => "the agencies its reader may see".into(),
            }
        ));
    }
    out.push(Block::List(notes));
    out
}
