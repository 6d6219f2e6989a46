//! The baseline and trend reports BRM leads take to agency heads: one model, assembled once
//! from the store and the analysis, that every format (HTML, PDF, XLSX, CSV) renders, so
//! that every format shows the same numbers and hides the same groups.
//!
//! What a reader may see is decided here, before any format is written: the reader's
//! [`Access`] cuts the per-agency figures down (a BRM sees only the agencies they own), and
//! `--agency CODE` keeps that one agency against the programme and drops every other
//! agency's figures and comments. Comments appear only for agencies whose respondents reach
//! the comment threshold.

use super::cache::ReportCache;
use super::figures;
use super::{TrendInput, WaveGapReport, WaveTrendReport, WaveView};
use crate::analysis::calibration::Calibration;
use crate::analysis::gap::{BreakdownBy, GapTable, ItemGap, ItemInfo, Verdict};
use crate::analysis::ipa::IpaGrid;
use crate::analysis::rates::ResponseRates;
use crate::analysis::suppress::Suppression;
use crate::analysis::watermelon::{WatermelonClass, WatermelonReport};
use crate::auth::access::Access;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::error::{AppError, Result};
use crate::words::{self, Names};

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

/// The thresholds and lines the report was made with (settings), for the methodology.
pub use super::view::ViewRules as Rules;

pub use super::figures::Figure;

/// What kind of finding a summary line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    BlindSpot,
    HiddenStrength,
    UnderestimatedPriority,
    OverestimatedPriority,
    Watermelon,
    ReverseWatermelon,
    Change,
}

impl FindingKind {
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::BlindSpot => "Blind spot",
            FindingKind::HiddenStrength => "Hidden strength",
            FindingKind::UnderestimatedPriority => "Matters more to agencies than IT thinks",
            FindingKind::OverestimatedPriority => "Matters less to agencies than IT thinks",
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
    /// The question's label, or the dimension's or service's name.
    pub subject: String,
    /// "Programme" or the agency's name: whose figures these are.
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
    /// The finding in words ("SLA met, customers unhappy").
    pub finding: String,
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
    /// Names of the wave's codes: items' labels, agencies', services' names.
    pub names: Names,
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
        self.trend.as_ref().map(|t| t.report(settings_threshold))
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

/// Which report, of which wave, for whom.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub kind: ReportKind,
    pub wave: &'a str,
    /// The reader's reach.
    pub access: &'a Access,
    /// One agency's version (the reader must be allowed to see that agency).
    pub agency: Option<&'a str>,
}

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
    let request = Request {
        kind,
        wave,
        access,
        agency,
    };
    build_with(conn, &ReportCache::default(), settings, &request, progress)
}

/// As [`build`], reading the wave's view (and earlier waves' snapshots) through `cache`:
/// the wave is loaded once, or not at all when the cache holds it.
pub fn build_with(
    conn: &mut DbConnection,
    cache: &ReportCache,
    settings: &Settings,
    request: &Request<'_>,
    progress: &mut dyn FnMut(&str),
) -> Result<Report> {
    let view = cache.view(conn, settings, request.wave)?;
    progress("wave loaded and analysed");
    let trend = match request.kind {
        ReportKind::Trend => Some(super::trend_of(conn, cache, settings, &view)?),
        // A baseline report of a later wave still says how far it moved.
        ReportKind::Baseline if !view.wave.is_baseline => {
            Some(super::trend_of(conn, cache, settings, &view)?).filter(|t| t.snapshots.len() > 1)
        }
        ReportKind::Baseline => None,
    };
    progress("trend");
    assemble(&view, trend, request, progress)
}

/// The report from a wave's whole view: cut to the reader (or to one agency) first, so no
/// other agency's figures exist in the model at all.
pub fn assemble(
    view: &WaveView,
    trend: Option<TrendInput>,
    request: &Request<'_>,
    progress: &mut dyn FnMut(&str),
) -> Result<Report> {
    let agency = match request.agency {
        None => None,
        Some(code) => {
            let found = view
                .agency(code)
                .ok_or_else(|| AppError::NotFound(format!("agency {code}")))?;
            if !request.access.may_see_agency(code) {
                return Err(AppError::Forbidden(format!(
                    "your role does not show agency {code}'s own figures"
                )));
            }
            Some((found.code.clone(), found.name.clone()))
        }
    };
    let view = match &agency {
        Some((code, _)) => view.for_agency(code),
        None => view.cut(request.access),
    };
    progress("cut to the reader");
    let rules = view.rules;
    let mut sections = Vec::new();
    for group in super::view::agency_groups(&view.gap) {
        let Some(table) = &group.table else { continue };
        let Some(row) = view.agency(&group.group) else {
            continue;
        };
        sections.push(AgencySection {
            code: row.code.clone(),
            name: row.name.clone(),
            respondents: group.respondents.unwrap_or(0),
            table: table.clone(),
            services: agency_services(&view.watermelons, &row.code, rules.sla_target),
            comments: view.comments_of(&row.code).map(<[_]>::to_vec),
            chart: figures::agency_figure(&view, &row.code)?,
        });
    }
    progress("agency sections");
    let trend_report = trend
        .as_ref()
        .map(|t| t.report(view.rules.reporting_threshold));
    let summary = summary(
        &view,
        &sections,
        trend_report.as_ref(),
        &rules,
        agency.as_ref().map(|(c, _)| c.as_str()),
    );
    let charts = figures::wave_figures(&view, trend_report.as_ref().map(|t| &t.trend))?;
    let gap = view.gap_report();
    let suppressed = suppression_notes(&gap, &view.rates, &view.watermelons, &sections, &rules);
    drop(trend_report);
    progress("summary and charts");
    Ok(Report {
        kind: request.kind,
        wave: view.code().to_string(),
        agency,
        rules,
        items: view.items.clone(),
        names: view.names.clone(),
        gap,
        watermelons: view.watermelons.clone(),
        rates: view.rates.clone(),
        ipa: view.ipa.clone(),
        calibration: view.calibration,
        trend,
        summary,
        charts,
        agencies: sections,
        suppressed,
        agencies_left_out: view.agencies_not_yours,
        agency_names: view
            .agencies
            .iter()
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect(),
    })
}

fn agency_services(
    watermelons: &WatermelonReport,
    code: &str,
    sla_target: f64,
) -> Vec<AgencyService> {
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
                finding: words::service_finding(&cell.watermelon, sla_target).into(),
                suppressed: cell.suppressed,
            })
        })
        .collect()
}

/// A gap row in one sentence a legislator reads: the question's label, both sides, the
/// gap on its scale, its interval, and whether the difference is clear.
fn gap_sentence(row: &ItemGap, rules: &Rules) -> String {
    words::gap_in_words(&row.label, &row.gap, row.scale, &rules.words())
}

/// How many lines of each kind the summary keeps.
const TOP: usize = 3;

fn summary(
    view: &WaveView,
    sections: &[AgencySection],
    trend: Option<&WaveTrendReport<'_>>,
    rules: &Rules,
    agency: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut gaps = |table_items: &[ItemGap], about: &str| {
        for (verdict, kind) in [
            (Verdict::BlindSpot, FindingKind::BlindSpot),
            (Verdict::HiddenStrength, FindingKind::HiddenStrength),
            (
                Verdict::UnderestimatedPriority,
                FindingKind::UnderestimatedPriority,
            ),
            (
                Verdict::OverestimatedPriority,
                FindingKind::OverestimatedPriority,
            ),
        ] {
            for row in super::view::ranked(table_items, &[verdict])
                .into_iter()
                .take(TOP)
            {
                out.push(Finding {
                    kind,
                    subject: row.label.clone(),
                    about: about.to_string(),
                    text: gap_sentence(row, rules),
                });
            }
        }
    };
    gaps(&view.gap.items, "Programme");
    if let Some(code) = agency
        && let Some(section) = sections.iter().find(|s| s.code == code)
    {
        gaps(&section.table.items, &section.name);
    }
    for service in &view.watermelons.services {
        let kind = match service.watermelon.class {
            WatermelonClass::Watermelon => FindingKind::Watermelon,
            WatermelonClass::ReverseWatermelon => FindingKind::ReverseWatermelon,
            _ => continue,
        };
        let w = &service.watermelon;
        let name = view.names.service(&service.service);
        out.push(Finding {
            kind,
            subject: name.clone(),
            about: "Programme".into(),
            text: format!(
                "{name}: {}. {} of its SLA metrics were met ({} of {}; target {}), while {} of \
                 its customers were satisfied (95% interval {}, n {}): {} {}.",
                words::service_finding(w, rules.sla_target),
                words::percent(w.sla.attainment),
                w.sla.met,
                w.sla.metrics,
                words::percent(Some(rules.sla_target)),
                words::percent(w.customers.csat),
                words::percent_interval(w.customers.ci95),
                words::count(w.customers.n),
                if kind == FindingKind::Watermelon {
                    "even the top of that interval is below the red line of"
                } else {
                    "even the bottom of that interval reaches the green line of"
                },
                words::percent(Some(if kind == FindingKind::Watermelon {
                    rules.red_line
                } else {
                    rules.green_line
                })),
            ),
        });
    }
    if let Some(trend) = trend {
        out.extend(changes(view, trend, rules));
    }
    out
}

/// The largest changes since the baseline, in words, items by their labels.
fn changes(view: &WaveView, trend: &WaveTrendReport<'_>, rules: &Rules) -> Vec<Finding> {
    let this = trend.wave;
    let mut changes: Vec<(&str, crate::analysis::trend::Change, f64)> = trend
        .trend
        .items
        .iter()
        .filter_map(|s| {
            let point = s.waves.iter().find(|p| p.wave == this)?;
            let change = point.customer_change?;
            let difference = change.difference?;
            // Ranked as a share of the item's scale, so scales compare fairly.
            let range = view
                .item(s.name)
                .and_then(|i| i.scale.range())
                .map_or(4.0, |(lo, hi)| f64::from(hi - lo));
            Some((s.name, change, (difference / range).abs()))
        })
        .collect();
    changes.sort_by(|a, b| b.2.total_cmp(&a.2));
    let baseline = trend.trend.baseline.unwrap_or("the baseline");
    changes
        .into_iter()
        .take(TOP)
        .map(|(code, change, _)| {
            let label = view.names.item(code);
            let scale = view
                .item(code)
                .map_or(crate::domain::Scale::Likert5, |i| i.scale);
            let q = change.q.or(change.p);
            Finding {
                kind: FindingKind::Change,
                subject: label.clone(),
                about: "Programme".into(),
                text: format!(
                    "{label}: customers' average moved {} on the {} since {baseline} (95% \
                     interval {}); the change is {}.",
                    words::signed(change.difference, 2),
                    words::scale_words(scale),
                    words::interval(change.ci95, 2),
                    words::clear(q, rules.significance_level)
                ),
            }
        })
        .collect()
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
