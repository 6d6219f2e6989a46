//! The baseline and trend reports BRM leads take to agency heads: one model, assembled once
//! from the store and the analysis, that every format (HTML, PDF, XLSX, CSV) renders, so
//! that every format shows the same numbers and hides the same groups.
//!
//! What a reader may see is decided here, before any format is written: the reader's
//! [`Access`] cuts the per-agency figures down (a BRM sees only the agencies they own), and
//! `--agency CODE` keeps that one agency against the programme and drops every other
//! agency's figures and comments. Comments appear only for agencies whose respondents reach
//! the comment threshold.

use crate::analysis::calibration::Calibration;
use crate::analysis::gap::{BreakdownBy, Gap, GapTable, ItemInfo, Verdict};
use crate::analysis::ipa::IpaGrid;
use crate::analysis::rates::ResponseRates;
use crate::analysis::suppress::Suppression;
use crate::analysis::watermelon::{WatermelonClass, WatermelonReport};
use crate::auth::access::Access;
use crate::charts::{
    self, AgencyHeatmap, ChartOptions, GapDumbbell, IpaChart, Respondents, TrendChart,
    WatermelonScatter,
};
use crate::config::Settings;
use crate::db::DbConnection;
use crate::domain::Role;
use crate::error::{AppError, Result};
use crate::store::{agencies, responses, waves};

use super::{TrendInput, WaveGapReport, WaveTrendReport};

/// Which report: the state of one wave, or its movement against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Baseline,
    Trend,
}

impl ReportKind {
    pub fn title(self) -> &'static str {
        match self {
            ReportKind::Baseline => "Baseline report",
            ReportKind::Trend => "Trend report",
        }
    }

    /// `baseline` or `trend`, for file names.
    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Baseline => "baseline",
            ReportKind::Trend => "trend",
        }
    }
}

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Html,
    Pdf,
    Xlsx,
    Csv,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Result<ExportFormat> {
        match s {
            "html" => Ok(ExportFormat::Html),
            "pdf" => Ok(ExportFormat::Pdf),
            "xlsx" => Ok(ExportFormat::Xlsx),
            "csv" => Ok(ExportFormat::Csv),
            other => Err(AppError::Invalid(format!(
                "format: {other:?} is not one of html, pdf, xlsx, csv"
            ))),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Html => "html",
            ExportFormat::Pdf => "pdf",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Html => "text/html; charset=utf-8",
            ExportFormat::Pdf => "application/pdf",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// Writes `report` in `format` into memory.
pub fn render(report: &Report, format: ExportFormat) -> Result<Vec<u8>> {
    match format {
        ExportFormat::Html => Ok(super::html::render(report)?.into_bytes()),
        ExportFormat::Pdf => super::pdf::render(report),
        ExportFormat::Xlsx => super::xlsx::render(report),
        ExportFormat::Csv => {
            let mut out = Vec::new();
            super::csv::write_report(report, &mut out)?;
            Ok(out)
        }
    }
}

/// The thresholds and lines the report was made with (settings), for the methodology.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub reporting_threshold: u64,
    pub comment_threshold: u64,
    pub significance_level: f64,
    pub material_gap_share: f64,
    pub sla_target: f64,
    pub red_line: f64,
    pub green_line: f64,
}

/// A chart ready to place: its title (also its caption) and its SVG.
#[derive(Debug, Clone)]
pub struct Figure {
    pub title: String,
    pub svg: String,
    pub width: u32,
    pub height: u32,
}

/// What kind of finding a summary line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    BlindSpot,
    HiddenStrength,
    Watermelon,
    ReverseWatermelon,
    Change,
}

impl FindingKind {
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::BlindSpot => "Blind spot",
            FindingKind::HiddenStrength => "Hidden strength",
            FindingKind::Watermelon => "Watermelon",
            FindingKind::ReverseWatermelon => "Reverse watermelon",
            FindingKind::Change => "Change since the baseline",
        }
    }
}

/// One line of the executive summary, with its numbers in plain words.
#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: FindingKind,
    /// Item, dimension or service.
    pub subject: String,
    /// "Programme" or the agency's code: whose figures these are.
    pub about: String,
    pub text: String,
}

/// One agency's own section: its customers against all staff, its services, its comments.
#[derive(Debug, Clone)]
pub struct AgencySection {
    pub code: String,
    pub name: String,
    pub respondents: u64,
    pub table: GapTable,
    /// (service, SLA attainment, CSAT, CSAT interval, customers answering, finding);
    /// the customer side is `None` where it is hidden.
    pub services: Vec<AgencyService>,
    /// (item, comment), only when `respondents` reach the comment threshold.
    pub comments: Option<Vec<(String, String)>>,
    pub chart: Figure,
}

#[derive(Debug, Clone)]
pub struct AgencyService {
    pub service: String,
    pub sla_attainment: Option<f64>,
    pub csat: Option<f64>,
    pub csat_ci95: Option<crate::analysis::stats::Interval>,
    pub n: Option<u64>,
    pub class: WatermelonClass,
    pub suppressed: Option<Suppression>,
}

/// The whole report, as every format renders it.
pub struct Report {
    pub kind: ReportKind,
    pub wave: String,
    /// The agency the report is made for (`--agency`), with its name.
    pub agency: Option<(String, String)>,
    pub rules: Rules,
    pub items: Vec<ItemInfo>,
    /// Gaps overall and by the groups the reader may see.
    pub gap: WaveGapReport,
    pub watermelons: WatermelonReport,
    pub rates: ResponseRates,
    pub ipa: IpaGrid,
    pub calibration: Calibration,
    /// Every wave up to this one, when there is more than one (changes against the baseline).
    pub trend: Option<TrendInput>,
    pub summary: Vec<Finding>,
    pub charts: Vec<Figure>,
    pub agencies: Vec<AgencySection>,
    /// What was hidden and why, in plain words, for the methodology appendix.
    pub suppressed: Vec<String>,
    /// Agency groups left out because the reader may not see them (not suppression).
    pub agencies_left_out: usize,
    /// Names of the agencies, by code, for the tables.
    pub agency_names: Vec<(String, String)>,
}

impl Report {
    /// The trend across waves, when the report has one.
    pub fn trend_report(&self, settings_threshold: u64) -> Option<WaveTrendReport<'_>> {
        self.trend.as_ref().map(|t| WaveTrendReport {
            wave: &t.wave,
            instrument: &t.instrument,
            reporting_threshold: settings_threshold,
            trend: crate::analysis::trend::trend(&t.snapshots),
        })
    }

    /// The title on the cover: kind, wave and (for an agency's version) the agency.
    pub fn title(&self) -> String {
        match &self.agency {
            Some((code, name)) => format!(
                "{}, {}: {} ({code}) against the programme",
                self.kind.title(),
                self.wave,
                name
            ),
            None => format!("{}, {}: the whole programme", self.kind.title(), self.wave),
        }
    }

    /// A file name for a download: `rind-baseline-FY26-Q1-DOT.pdf`.
    pub fn file_name(&self, format: ExportFormat) -> String {
        let safe = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        };
        let agency = self
            .agency
            .as_ref()
            .map(|(code, _)| format!("-{}", safe(code)))
            .unwrap_or_default();
        format!(
            "rind-{}-{}{agency}.{}",
            self.kind.code(),
            safe(&self.wave),
            format.extension()
        )
    }

    /// The name of an agency, or its code.
    pub fn agency_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.agency_names
            .iter()
            .find(|(c, _)| c == code)
            .map_or(code, |(_, n)| n.as_str())
    }

    /// Definitions, thresholds and tests, in plain words, as (term, explanation).
    pub fn methodology(&self) -> Vec<(String, String)> {
        let r = &self.rules;
        vec![
            (
                "Gap".into(),
                "The IT staff mean minus the customer mean on a mirrored question, on the \
                 question's scale. Staff answered how they think customers rate IT; customers \
                 answered how they rate IT."
                    .into(),
            ),
            (
                "Blind spot".into(),
                format!(
                    "IT rates itself higher than customers do: the gap is at least {:.1}% of the \
                     scale's range (0.5 on a 1–5 scale) and significant (q below {}).",
                    r.material_gap_share * 100.0,
                    r.significance_level
                ),
            ),
            (
                "Hidden strength".into(),
                "The mirror image: IT rates itself lower than customers do, by as much, and \
                 significantly."
                    .into(),
            ),
            (
                "Tests".into(),
                "Each side: n, mean, standard deviation and 95% t-interval. Each gap: Welch's \
                 95% interval and t-test, the Mann-Whitney U test (normal approximation, tie- \
                 and continuity-corrected), Hedges' g and Cliff's delta. The p-values of one \
                 table are adjusted for multiple testing with Benjamini-Hochberg (q); \
                 dimensions are a family of their own."
                    .into(),
            ),
            (
                "Dimension score".into(),
                "A respondent's mean over the 1–5 mirrored questions of the dimension they \
                 answered."
                    .into(),
            ),
            (
                "CSAT, NPS, CES".into(),
                "CSAT is the share answering 4 or 5 on a 1–5 question, with its Wilson \
                 interval. NPS is the share answering 9–10 minus the share answering 0–6. CES \
                 is the mean effort on 1–7."
                    .into(),
            ),
            (
                "Watermelon".into(),
                format!(
                    "A service whose SLA figures are green (at least {:.0}% of its metrics met) \
                     while even the upper end of its customers' CSAT interval is below {:.0}%. \
                     A reverse watermelon misses its SLA target while the lower end of its CSAT \
                     interval is at least {:.0}%.",
                    r.sla_target * 100.0,
                    r.red_line * 100.0,
                    r.green_line * 100.0
                ),
            ),
            (
                "Response rate and margin of error".into(),
                "Responses divided by invitations that reached someone (invited minus \
                 bounced). The margin of error is the 95% margin of a share near 50%, with the \
                 finite population correction."
                    .into(),
            ),
            (
                "Changes since the baseline".into(),
                "Each wave is an independent sample: a change is this wave's mean minus the \
                 baseline's, with Welch's interval and test (a two-proportion test for CSAT)."
                    .into(),
            ),
            (
                "Confidentiality".into(),
                format!(
                    "A group (agency, segment, team, any cell) is shown only when at least {} \
                     people answered, and comments only when at least {} did. When a cell is \
                     hidden, enough others are hidden too that it can't be worked out from a \
                     total (complementary suppression). Every table, chart and file of this \
                     report applies the same rule.",
                    r.reporting_threshold, r.comment_threshold
                ),
            ),
        ]
    }
}

/// Steps of building a report, for a progress bar.
pub const STEPS: u64 = 6;

/// Assembles the report of `wave` for a reader with `access`; `agency` makes one agency's
/// version (the reader must be allowed to see that agency). `progress` is called after
/// each of [`STEPS`] steps with what was done.
pub fn build(
    conn: &mut DbConnection,
    settings: &Settings,
    kind: ReportKind,
    wave: &str,
    access: &Access,
    agency: Option<&str>,
    progress: &mut dyn FnMut(&str),
) -> Result<Report> {
    let all_agencies = agencies::list(conn)?;
    let agency = match agency {
        None => None,
        Some(code) => {
            let found = all_agencies
                .iter()
                .find(|a| a.code == code)
                .ok_or_else(|| AppError::NotFound(format!("agency {code}")))?;
            if !access.may_see_agency(code) {
                return Err(AppError::Forbidden(format!(
                    "your role does not show agency {code}'s own figures"
                )));
            }
            Some((found.code.clone(), found.name.clone()))
        }
    };
    // One agency's version shows only that agency's own figures.
    let reach = match &agency {
        Some((code, _)) => Access::new(Role::Brm, vec![code.clone()]),
        None => access.clone(),
    };
    let context = super::wave_context(conn, wave)?;
    progress("wave loaded");
    let mut gap = super::gap_report(conn, settings, wave)?;
    let left_out = reach.restrict_gap(&mut gap.report).agencies_not_yours;
    progress("gaps computed");
    let mut watermelons = super::watermelon_report(conn, settings, wave)?.report;
    reach.restrict_watermelons(&mut watermelons);
    let mut rates = super::rates_report(conn, settings, wave)?.report;
    reach.restrict_rates(&mut rates);
    progress("services and response rates");
    let ipa = super::ipa_report(conn, settings, wave)?.report;
    let calibration = super::calibration_of(&context.items, &gap.report.items);
    let wave_row = waves::by_code(conn, wave)?;
    let trend = match kind {
        ReportKind::Trend => Some(super::trend_input(conn, settings, wave)?),
        // A baseline report of a later wave still says how far it moved.
        ReportKind::Baseline if !wave_row.is_baseline => {
            Some(super::trend_input(conn, settings, wave)?).filter(|t| t.snapshots.len() > 1)
        }
        ReportKind::Baseline => None,
    };
    progress("trend");
    let rules = Rules {
        reporting_threshold: u64::from(settings.reporting_threshold),
        comment_threshold: u64::from(settings.comment_threshold),
        significance_level: settings.significance_level,
        material_gap_share: settings.material_gap_share,
        sla_target: settings.sla_target,
        red_line: settings.csat_red_line,
        green_line: settings.csat_green_line,
    };
    let agency_names: Vec<(String, String)> = all_agencies
        .iter()
        .filter(|a| reach.may_see_agency(&a.code))
        .map(|a| (a.code.clone(), a.name.clone()))
        .collect();
    let mut sections = Vec::new();
    for group in gap
        .report
        .breakdowns
        .iter()
        .filter(|b| b.by == BreakdownBy::Agency)
        .flat_map(|b| &b.groups)
    {
        let Some(table) = &group.table else { continue };
        let Some(row) = all_agencies.iter().find(|a| a.code == group.group) else {
            continue;
        };
        let respondents = group.respondents.unwrap_or(0);
        let comments = if respondents >= rules.comment_threshold {
            Some(responses::agency_comments(conn, context.wave.id, row.id)?)
        } else {
            None
        };
        sections.push(AgencySection {
            code: row.code.clone(),
            name: row.name.clone(),
            respondents,
            table: table.clone(),
            services: agency_services(&watermelons, &row.code),
            comments,
            chart: figure(
                &WatermelonScatter::agency(&watermelons, &row.code),
                format!("SLA against satisfaction at {}, {wave}", row.code),
                960,
                600,
            )?,
        });
    }
    progress("agency sections");
    let trend_report = trend.as_ref().map(|t| t.report(settings));
    let summary = summary(
        &gap,
        &sections,
        &watermelons,
        trend_report.as_ref(),
        &rules,
        agency.as_ref().map(|(c, _)| c.as_str()),
    );
    let charts = report_charts(
        &gap,
        &watermelons,
        &ipa,
        &context.items,
        trend_report.as_ref(),
    )?;
    let suppressed = suppression_notes(&gap, &rates, &watermelons, &sections, &rules);
    drop(trend_report);
    progress("summary and charts");
    Ok(Report {
        kind,
        wave: gap.wave.clone(),
        agency,
        rules,
        items: context.items,
        gap,
        watermelons,
        rates,
        ipa,
        calibration,
        trend,
        summary,
        charts,
        agencies: sections,
        suppressed,
        agencies_left_out: left_out,
        agency_names,
    })
}

fn agency_services(watermelons: &WatermelonReport, code: &str) -> Vec<AgencyService> {
    watermelons
        .services
        .iter()
        .filter_map(|s| {
            let cell = s.agencies.iter().find(|a| a.agency == code)?;
            let hidden = cell.suppressed.is_some();
            Some(AgencyService {
                service: s.service.clone(),
                sla_attainment: cell.watermelon.sla.attainment,
                csat: cell.watermelon.customers.csat.filter(|_| !hidden),
                csat_ci95: cell.watermelon.customers.ci95.filter(|_| !hidden),
                n: cell.watermelon.customers.n.filter(|_| !hidden),
                class: cell.watermelon.class,
                suppressed: cell.suppressed,
            })
        })
        .collect()
}

fn figure(chart: &impl charts::Chart, title: String, width: u32, height: u32) -> Result<Figure> {
    let svg = charts::svg(chart, &ChartOptions::new(title.clone()).size(width, height))?;
    Ok(Figure {
        title,
        svg,
        width,
        height,
    })
}

/// The programme's charts: gaps per item, services, importance against performance,
/// agencies × dimensions (the agencies the reader may see), and the CSAT trend.
fn report_charts(
    gap: &WaveGapReport,
    watermelons: &WatermelonReport,
    ipa: &IpaGrid,
    items: &[ItemInfo],
    trend: Option<&WaveTrendReport<'_>>,
) -> Result<Vec<Figure>> {
    const WIDTH: u32 = 960;
    let respondents = Respondents {
        customers: gap.report.customer_respondents,
        staff: gap.report.staff_respondents,
    };
    let dumbbell = GapDumbbell::of_report(&gap.report, items)
        .reporting_threshold(gap.report.reporting_threshold);
    let height = dumbbell.suggested_height();
    let mut out = vec![
        figure(
            &dumbbell,
            format!("What customers said and what IT expected, {}", gap.wave),
            WIDTH,
            height,
        )?,
        figure(
            &WatermelonScatter::services(watermelons),
            format!("SLA against customer satisfaction, {}", gap.wave),
            WIDTH,
            600,
        )?,
        figure(
            &IpaChart::new(ipa, respondents),
            format!("Importance and performance, {}", gap.wave),
            WIDTH,
            600,
        )?,
    ];
    let shown_agencies = gap
        .report
        .breakdowns
        .iter()
        .any(|b| b.by == BreakdownBy::Agency && b.groups.iter().any(|g| g.table.is_some()));
    if shown_agencies {
        let heatmap = AgencyHeatmap::new(&gap.report);
        let height = heatmap.suggested_height();
        out.push(figure(
            &heatmap,
            format!("Gaps per agency and dimension, {}", gap.wave),
            WIDTH,
            height,
        )?);
    }
    if let Some(trend) = trend {
        out.push(figure(
            &TrendChart::csat(&trend.trend),
            format!("Customer satisfaction per wave, up to {}", gap.wave),
            WIDTH,
            500,
        )?);
    }
    Ok(out)
}

/// Significance in plain words, from a (BH-adjusted) p-value.
pub fn evidence(q: Option<f64>) -> &'static str {
    match q {
        Some(q) if q < 0.001 => "very strong evidence that this is not chance",
        Some(q) if q < 0.01 => "strong evidence that this is not chance",
        Some(q) if q < 0.05 => "evidence that this is not chance",
        Some(_) => "could well be chance",
        None => "no test possible",
    }
}

fn p_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "< 0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => charts::text::NONE.into(),
    }
}

fn gap_sentence(name: &str, gap: &Gap) -> String {
    use charts::text::{interval, number};
    let direction = if gap.gap.unwrap_or(0.0) > 0.0 {
        "higher"
    } else {
        "lower"
    };
    format!(
        "{name}: customers {} (n {}), IT expected {} (n {}). IT rates itself {} {direction} \
         (95% interval {}; q {}: {}).",
        number(gap.customer.mean, 2),
        charts::text::count(gap.customer.n),
        number(gap.staff.mean, 2),
        charts::text::count(gap.staff.n),
        number(gap.gap.map(f64::abs), 2),
        interval(gap.gap_ci95, 2),
        p_text(gap.q),
        evidence(gap.q)
    )
}

/// How many lines of each kind the summary keeps.
const TOP: usize = 3;

fn summary(
    gap: &WaveGapReport,
    sections: &[AgencySection],
    watermelons: &WatermelonReport,
    trend: Option<&WaveTrendReport<'_>>,
    rules: &Rules,
    agency: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut gaps = |table_items: &[crate::analysis::gap::ItemGap], about: &str| {
        for (verdict, kind) in [
            (Verdict::BlindSpot, FindingKind::BlindSpot),
            (Verdict::HiddenStrength, FindingKind::HiddenStrength),
        ] {
            let mut rows: Vec<_> = table_items
                .iter()
                .filter(|i| i.gap.verdict == verdict && i.gap.suppressed.is_none())
                .collect();
            rows.sort_by(|a, b| {
                b.gap
                    .gap
                    .unwrap_or(0.0)
                    .abs()
                    .total_cmp(&a.gap.gap.unwrap_or(0.0).abs())
            });
            for row in rows.into_iter().take(TOP) {
                out.push(Finding {
                    kind,
                    subject: row.item.clone(),
                    about: about.to_string(),
                    text: gap_sentence(&row.item, &row.gap),
                });
            }
        }
    };
    gaps(&gap.report.items, "Programme");
    if let Some(code) = agency
        && let Some(section) = sections.iter().find(|s| s.code == code)
    {
        gaps(&section.table.items, code);
    }
    for service in &watermelons.services {
        let kind = match service.watermelon.class {
            WatermelonClass::Watermelon => FindingKind::Watermelon,
            WatermelonClass::ReverseWatermelon => FindingKind::ReverseWatermelon,
            _ => continue,
        };
        let w = &service.watermelon;
        out.push(Finding {
            kind,
            subject: service.service.clone(),
            about: "Programme".into(),
            text: format!(
                "{}: {} of its SLA metrics met ({} of {}; target {}), customer satisfaction \
                 {} (95% interval {}, n {}; {} {}).",
                service.service,
                charts::text::percent(w.sla.attainment),
                w.sla.met,
                w.sla.metrics,
                charts::text::percent(Some(rules.sla_target)),
                charts::text::percent(w.customers.csat),
                charts::text::percent_interval(w.customers.ci95),
                charts::text::count(w.customers.n),
                if kind == FindingKind::Watermelon {
                    "even the top of that interval is below the red line of"
                } else {
                    "even the bottom of that interval reaches the green line of"
                },
                charts::text::percent(Some(if kind == FindingKind::Watermelon {
                    rules.red_line
                } else {
                    rules.green_line
                })),
            ),
        });
    }
    if let Some(trend) = trend {
        let this = trend.wave;
        let mut changes: Vec<(&str, crate::analysis::trend::Change)> = trend
            .trend
            .items
            .iter()
            .filter_map(|s| {
                let point = s.waves.iter().find(|p| p.wave == this)?;
                let change = point.customer_change?;
                change.difference?;
                Some((s.name, change))
            })
            .collect();
        changes.sort_by(|a, b| {
            b.1.difference
                .unwrap_or(0.0)
                .abs()
                .total_cmp(&a.1.difference.unwrap_or(0.0).abs())
        });
        let baseline = trend.trend.baseline.unwrap_or("the baseline");
        for (name, change) in changes.into_iter().take(TOP) {
            let q = change.q.or(change.p);
            out.push(Finding {
                kind: FindingKind::Change,
                subject: name.to_string(),
                about: "Programme".into(),
                text: format!(
                    "{name}: customers' mean moved {} since {baseline} (95% interval {}; q {}: \
                     {}).",
                    charts::text::signed(change.difference, 2),
                    charts::text::interval(change.ci95, 2),
                    p_text(q),
                    evidence(q)
                ),
            });
        }
    }
    out
}

fn suppression_notes(
    gap: &WaveGapReport,
    rates: &ResponseRates,
    watermelons: &WatermelonReport,
    sections: &[AgencySection],
    rules: &Rules,
) -> Vec<String> {
    let mut out = Vec::new();
    let t = rules.reporting_threshold;
    for breakdown in &gap.report.breakdowns {
        let by = match breakdown.by {
            BreakdownBy::Agency => "agencies",
            BreakdownBy::Segment => "customer segments",
            BreakdownBy::Team => "staff teams",
        };
        let note = &breakdown.suppressed;
        if note.below_threshold > 0 {
            out.push(format!(
                "{} {by} hidden because fewer than {t} people answered.",
                note.below_threshold
            ));
        }
        if note.complementary > 0 {
            out.push(format!(
                "{} further {by} hidden so that a smaller hidden group can't be worked out \
                 from the total.",
                note.complementary
            ));
        }
    }
    let rows = &rates.suppressed;
    if rows.below_threshold + rows.complementary > 0 {
        out.push(format!(
            "Response rates: {} agency rows hidden ({} with fewer than {t} people asked, {} to \
             protect them).",
            rows.below_threshold + rows.complementary,
            rows.below_threshold,
            rows.complementary
        ));
    }
    let cells: usize = watermelons
        .services
        .iter()
        .map(|s| s.suppressed.below_threshold + s.suppressed.complementary)
        .sum();
    if cells > 0 {
        out.push(format!(
            "Services: {cells} agency × service satisfaction cells hidden (too few answers, or \
             to protect a smaller cell)."
        ));
    }
    let without_comments: Vec<&str> = sections
        .iter()
        .filter(|s| s.comments.is_none())
        .map(|s| s.code.as_str())
        .collect();
    if !without_comments.is_empty() {
        out.push(format!(
            "Comments left out for {} agencies with fewer than {} respondents: {}.",
            without_comments.len(),
            rules.comment_threshold,
            without_comments.join(", ")
        ));
    }
    if out.is_empty() {
        out.push("Nothing had to be hidden.".into());
    }
    out
}
