//! Table rows as the dashboard pages show them, built from a [`WaveView`]'s figures with
//! the words of [`crate::words`]: the item's label (its code only in the link), each row's
//! scale, the finding in words. The wave, agency, service and drill-down pages share them.

use crate::analysis::gap::{BreakdownBy, DimensionGap, Gap, GroupTable, ItemGap};
use crate::analysis::suppress::Suppression;
use crate::analysis::watermelon::Watermelon;
use crate::report::WaveView;
use crate::words;

/// One compared row (an item or a dimension), as read on a page.
pub struct GapRow {
    /// The label people read.
    pub name: String,
    /// The code, for the link.
    pub code: String,
    pub dimension: String,
    pub dimension_code: String,
    /// The scale the row was answered on: `1–5`, `0–10`.
    pub scale: String,
    pub customers: String,
    pub staff: String,
    pub gap: String,
    pub interval: String,
    pub q: String,
    /// The verdict's code, for the colour class.
    pub verdict: &'static str,
    pub verdict_text: &'static str,
}

/// A side's mean with its n: `3.42 (n 118)`.
fn side(n: Option<u64>, mean: Option<f64>) -> String {
    match (n, mean) {
        (Some(n), Some(_)) => format!("{} (n {n})", words::number(mean, 2)),
        _ => words::NONE.to_string(),
    }
}

impl GapRow {
    fn of(name: String, code: &str, dimension: &str, scale: String, gap: &Gap) -> GapRow {
        GapRow {
            name,
            code: code.to_string(),
            dimension: words::dimension_name(dimension),
            dimension_code: dimension.to_string(),
            scale,
            customers: side(gap.customer.n, gap.customer.mean),
            staff: side(gap.staff.n, gap.staff.mean),
            gap: words::signed(gap.gap, 2),
            interval: words::interval(gap.gap_ci95, 2),
            q: words::p_value(gap.q),
            verdict: words::verdict_code(gap.verdict),
            verdict_text: words::verdict_label(gap.verdict),
        }
    }

    pub fn item(row: &ItemGap) -> GapRow {
        GapRow::of(
            row.label.clone(),
            &row.item,
            &row.dimension,
            words::scale_range(row.scale),
            &row.gap,
        )
    }

    pub fn dimension(row: &DimensionGap) -> GapRow {
        GapRow::of(
            words::dimension_name(&row.dimension),
            &row.dimension,
            &row.dimension,
            "1–5".into(),
            &row.gap,
        )
    }

    /// A breakdown group's cell for the row it belongs to.
    pub fn group(name: String, gap: &Gap) -> GapRow {
        GapRow::of(name, "", "", String::new(), gap)
    }
}

/// Items about how IT performs, largest gap first as a share of each item's scale.
pub fn performance_rows(items: &[ItemGap]) -> Vec<GapRow> {
    let mut rows: Vec<&ItemGap> = items
        .iter()
        .filter(|i| i.scale != crate::domain::Scale::Importance5)
        .collect();
    rows.sort_by(|a, b| {
        let share = |i: &ItemGap| i.gap_share().unwrap_or(f64::NEG_INFINITY);
        share(b).total_cmp(&share(a))
    });
    rows.into_iter().map(GapRow::item).collect()
}

/// Importance items: what matters to agencies against what IT expected.
pub fn priority_rows(items: &[ItemGap]) -> Vec<GapRow> {
    items
        .iter()
        .filter(|i| i.scale == crate::domain::Scale::Importance5)
        .map(GapRow::item)
        .collect()
}

/// One service's SLA against its customers, as a row.
pub struct ServiceRow {
    pub code: String,
    pub name: String,
    pub sla: String,
    pub csat: String,
    pub interval: String,
    pub n: String,
    /// The class's code, for the colour class.
    pub class: &'static str,
    pub finding: String,
}

impl ServiceRow {
    pub fn of(
        code: &str,
        name: String,
        w: &Watermelon,
        suppressed: Option<Suppression>,
        view: &WaveView,
    ) -> ServiceRow {
        let threshold = view.rules.reporting_threshold;
        let hidden = suppressed.map(|s| words::suppression_label(s, threshold));
        ServiceRow {
            code: code.to_string(),
            name,
            sla: match w.sla.attainment {
                Some(a) => format!(
                    "{} ({} of {} metrics)",
                    words::percent(Some(a)),
                    w.sla.met,
                    w.sla.metrics
                ),
                None => "no SLA figures".to_string(),
            },
            csat: match &hidden {
                Some(_) => "suppressed".into(),
                None => words::percent(w.customers.csat),
            },
            interval: match &hidden {
                Some(_) => words::NONE.into(),
                None => words::percent_interval(w.customers.ci95),
            },
            n: words::count(w.customers.n),
            class: words::class_code(w.class),
            finding: hidden
                .unwrap_or_else(|| words::service_finding(w, view.rules.sla_target).into()),
        }
    }
}

/// Every service of the view, programme-wide.
pub fn service_rows(view: &WaveView) -> Vec<ServiceRow> {
    view.watermelons
        .services
        .iter()
        .map(|s| {
            ServiceRow::of(
                &s.service,
                view.names.service(&s.service),
                &s.watermelon,
                None,
                view,
            )
        })
        .collect()
}

/// One agency's row of the agencies × dimensions table.
pub struct HeatmapRow {
    pub code: String,
    pub name: String,
    pub link: bool,
    pub cells: Vec<String>,
}

/// The agencies × dimensions table: (column names, rows).
pub fn heatmap(view: &WaveView) -> (Vec<String>, Vec<HeatmapRow>) {
    let columns: Vec<&str> = view
        .gap
        .dimensions
        .iter()
        .map(|d| d.dimension.as_str())
        .collect();
    let rows = crate::report::view::agency_groups(&view.gap)
        .map(|g| HeatmapRow {
            code: g.group.clone(),
            name: view.names.agency(&g.group),
            link: g.table.is_some(),
            cells: columns
                .iter()
                .map(|d| match &g.table {
                    None => "suppressed".to_string(),
                    Some(t) => t.dimensions.iter().find(|x| &x.dimension == d).map_or(
                        words::NONE.to_string(),
                        |x| match x.gap.suppressed {
                            Some(_) => "suppressed".to_string(),
                            None => words::signed(x.gap.gap, 2),
                        },
                    ),
                })
                .collect(),
        })
        .collect();
    (
        columns.iter().map(|d| words::dimension_name(d)).collect(),
        rows,
    )
}

/// One group of a breakdown: shown figures, or why it is hidden.
pub struct GroupRow {
    pub by: &'static str,
    pub code: String,
    pub group: String,
    pub respondents: String,
    /// `Some(reason)` when the group or its cell is suppressed.
    pub suppressed: Option<String>,
    pub row: Option<GapRow>,
    /// A link to the agency's page, when it is an agency the reader may open.
    pub agency_link: bool,
}

/// The rows of every breakdown for one item or dimension, found in each group's table by
/// `pick`.
pub fn breakdown_rows(
    view: &WaveView,
    may_open_agency: impl Fn(&str) -> bool,
    pick: impl Fn(&crate::analysis::gap::GapTable) -> Option<&Gap>,
) -> Vec<GroupRow> {
    let threshold = view.rules.reporting_threshold;
    let reason = |s: Suppression| words::suppression_label(s, threshold);
    let mut rows = Vec::new();
    for breakdown in &view.gap.breakdowns {
        for g in &breakdown.groups {
            let name = view.names.group(breakdown.by, &g.group);
            let (suppressed, row) = group_cell(g, &pick, &reason, &name);
            rows.push(GroupRow {
                by: words::breakdown_name(breakdown.by),
                code: g.group.clone(),
                group: name,
                respondents: words::count(g.respondents),
                suppressed,
                row,
                agency_link: breakdown.by == BreakdownBy::Agency
                    && g.table.is_some()
                    && may_open_agency(&g.group),
            });
        }
    }
    rows
}

fn group_cell(
    g: &GroupTable,
    pick: &impl Fn(&crate::analysis::gap::GapTable) -> Option<&Gap>,
    reason: &impl Fn(Suppression) -> String,
    name: &str,
) -> (Option<String>, Option<GapRow>) {
    match (&g.table, g.suppressed) {
        (None, s) => (Some(reason(s.unwrap_or(Suppression::BelowThreshold))), None),
        (Some(table), _) => match pick(table) {
            None => (Some("Not asked in this group".to_string()), None),
            Some(cell) => match cell.suppressed {
                Some(s) => (Some(reason(s)), None),
                None => (None, Some(GapRow::group(name.to_string(), cell))),
            },
        },
    }
}
