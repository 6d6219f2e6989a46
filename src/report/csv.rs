//! CSV in tidy long form: one row per breakdown, group, table, row and measure, so that a
//! spreadsheet pivot or pandas `pivot_table` rebuilds any view. Text cells are neutralised
//! against formula injection; numbers are written as numbers.

use std::collections::HashMap;
use std::io::Write;

use crate::analysis::gap::{Gap, GapTable};
use crate::error::{AppError, Result};

use super::document::Report;
use super::{WaveGapReport, WaveTrendReport};

/// Makes a text cell safe to open in a spreadsheet: a leading `=`, `+`, `-`, `@`, tab or
/// carriage return would start a formula, so such cells get a leading apostrophe.
pub fn safe_text(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// The snake_case name serde gives a unit enum variant.
fn label(value: impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn number(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// Every leaf of a serialized value as (measure, value): nested names joined with `_`
/// (`ci95_lower`), lists indexed (`alpha_if_deleted_0`), nulls as empty cells. Text is
/// neutralised against formula injection; numbers are left as numbers (a negative number is
/// not a formula, and must stay a number in a spreadsheet).
fn leaves(value: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
        let join = |name: &str| {
            if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}_{name}")
            }
        };
        match value {
            serde_json::Value::Object(map) => {
                for (name, v) in map {
                    walk(&join(name), v, out);
                }
            }
            serde_json::Value::Array(list) => {
                for (i, v) in list.iter().enumerate() {
                    walk(&join(&i.to_string()), v, out);
                }
            }
            serde_json::Value::Null => out.push((prefix.to_string(), String::new())),
            serde_json::Value::String(s) => out.push((prefix.to_string(), safe_text(s))),
            other => out.push((prefix.to_string(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

fn to_json(value: impl serde::Serialize) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| AppError::Internal(format!("cannot write CSV: {e}")))
}

const HEADER: [&str; 8] = [
    "wave",
    "breakdown",
    "group",
    "table",
    "key",
    "label",
    "measure",
    "value",
];

/// What each key (an item code, a dimension, a service code) is called, for the `label`
/// column beside it.
pub type Labels = HashMap<String, String>;

struct Rows<W: Write> {
    out: csv::Writer<W>,
    wave: String,
    labels: Labels,
}

impl<W: Write> Rows<W> {
    fn new(out: W, wave: &str, labels: Labels) -> Result<Rows<W>> {
        let mut rows = Rows {
            out: csv::Writer::from_writer(out),
            wave: wave.to_string(),
            labels,
        };
        rows.out
            .write_record(HEADER)
            .map_err(|e| AppError::Internal(format!("cannot write CSV: {e}")))?;
        Ok(rows)
    }

    /// One row per leaf of `value`.
    fn leaves(&mut self, table: &str, key: &str, value: impl serde::Serialize) -> Result<()> {
        for (measure, v) in leaves(&to_json(value)?) {
            self.row("overall", "", table, key, &measure, v)?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        self.out
            .flush()
            .map_err(|e| AppError::io("cannot write CSV", e))
    }

    fn row(
        &mut self,
        breakdown: &str,
        group: &str,
        table: &str,
        key: &str,
        measure: &str,
        value: String,
    ) -> Result<()> {
        let label = self.labels.get(key).map_or("", String::as_str);
        self.out
            .write_record([
                safe_text(&self.wave).as_str(),
                breakdown,
                safe_text(group).as_str(),
                table,
                safe_text(key).as_str(),
                safe_text(label).as_str(),
                measure,
                value.as_str(),
            ])
            .map_err(|e| AppError::Internal(format!("cannot write CSV: {e}")))
    }

    fn gap(
        &mut self,
        breakdown: &str,
        group: &str,
        table: &str,
        key: &str,
        gap: &Gap,
    ) -> Result<()> {
        if let Some(reason) = gap.suppressed {
            return self.row(breakdown, group, table, key, "suppressed", label(reason));
        }
        let mut measures: Vec<(&str, Option<f64>)> = Vec::new();
        for (names, figures) in [
            (
                [
                    "customer_n",
                    "customer_mean",
                    "customer_sd",
                    "customer_ci95_lower",
                    "customer_ci95_upper",
                ],
                &gap.customer,
            ),
            (
                [
                    "staff_n",
                    "staff_mean",
                    "staff_sd",
                    "staff_ci95_lower",
                    "staff_ci95_upper",
                ],
                &gap.staff,
            ),
        ] {
            let values = [
                figures.n.map(|n| n as f64),
                figures.mean,
                figures.sd,
                figures.ci95.map(|c| c.lower),
                figures.ci95.map(|c| c.upper),
            ];
            measures.extend(names.into_iter().zip(values));
        }
        measures.extend([
            ("gap", gap.gap),
            ("gap_ci95_lower", gap.gap_ci95.map(|c| c.lower)),
            ("gap_ci95_upper", gap.gap_ci95.map(|c| c.upper)),
            ("welch_t", gap.welch.and_then(|w| w.t)),
            ("welch_df", gap.welch.and_then(|w| w.df)),
            ("welch_p", gap.welch.and_then(|w| w.p)),
            ("mann_whitney_u", gap.mann_whitney.and_then(|m| m.u)),
            ("mann_whitney_p", gap.mann_whitney.and_then(|m| m.p)),
            ("hedges_g", gap.hedges_g),
            ("cliffs_delta", gap.cliffs_delta),
            ("q", gap.q),
        ]);
        for (measure, value) in measures {
            self.row(breakdown, group, table, key, measure, number(value))?;
        }
        self.row(breakdown, group, table, key, "verdict", label(gap.verdict))
    }

    fn table(&mut self, breakdown: &str, group: &str, table: &GapTable) -> Result<()> {
        for item in &table.items {
            self.gap(breakdown, group, "items", &item.item, &item.gap)?;
        }
        for d in &table.dimensions {
            self.gap(breakdown, group, "dimensions", &d.dimension, &d.gap)?;
        }
        Ok(())
    }
}

/// The labels of a gap report's items and dimensions.
fn gap_labels(report: &crate::analysis::gap::GapReport) -> Labels {
    report
        .items
        .iter()
        .map(|i| (i.item.clone(), i.label.clone()))
        .chain(report.dimensions.iter().map(|d| {
            (
                d.dimension.clone(),
                crate::words::dimension_name(&d.dimension),
            )
        }))
        .collect()
}

/// Writes the gap report as tidy CSV.
pub fn write_gap<W: Write>(report: &WaveGapReport, out: W) -> Result<()> {
    let mut rows = Rows::new(out, &report.wave, gap_labels(&report.report))?;
    gap_rows(&mut rows, report)?;
    rows.finish()
}

fn gap_rows<W: Write>(rows: &mut Rows<W>, report: &WaveGapReport) -> Result<()> {
    let overall = GapTable {
        items: report.report.items.clone(),
        dimensions: report.report.dimensions.clone(),
        suppressed: report.report.suppressed.clone(),
    };
    rows.table("overall", "", &overall)?;
    for breakdown in &report.report.breakdowns {
        let by = label(breakdown.by);
        for group in &breakdown.groups {
            match (&group.table, group.suppressed) {
                (Some(table), _) => rows.table(&by, &group.group, table)?,
                (None, Some(reason)) => {
                    rows.row(&by, &group.group, "group", "", "suppressed", label(reason))?
                }
                (None, None) => {}
            }
        }
    }
    rows.leaves("measures", "customers", report.measures.customers)?;
    rows.leaves("measures", "staff", report.measures.staff)?;
    for d in &report.measures.reliability {
        rows.leaves("reliability", &d.dimension, &d.reliability)?;
    }
    Ok(())
}

/// Writes a baseline or trend report (see [`super::document`]) as tidy CSV: the gap
/// tables as [`write_gap`] writes them, then the summary, response rates, services,
/// agencies, comments (only where shown) and, when there is one, the trend. Agencies the
/// reader may not see and hidden groups are not in the model, so not in the file.
pub fn write_report<W: Write>(report: &Report, out: W) -> Result<()> {
    let mut labels = gap_labels(&report.gap.report);
    for s in &report.watermelons.services {
        labels.insert(s.service.clone(), report.names.service(&s.service));
    }
    let mut rows = Rows::new(out, &report.wave, labels)?;
    for (i, f) in report.summary.iter().enumerate() {
        let key = format!("{}. {}", i + 1, f.subject);
        rows.row(
            "overall",
            &f.about,
            "summary",
            &key,
            "kind",
            safe_text(f.kind.label()),
        )?;
        rows.row(
            "overall",
            &f.about,
            "summary",
            &key,
            "finding",
            safe_text(&f.text),
        )?;
    }
    gap_rows(&mut rows, &report.gap)?;
    let rates = &report.rates;
    // The two overall rows are keyed by audience; agency rows by their group.
    let mut groups = vec![
        ("overall", "", "customers", &rates.customers),
        ("overall", "", "staff", &rates.staff),
    ];
    groups.extend(
        rates
            .agencies
            .iter()
            .map(|a| ("agency", a.agency.as_str(), "", &a.rate)),
    );
    for (by, group, key, rate) in groups {
        let mut value = to_json(rate)?;
        if let Some(map) = value.as_object_mut() {
            map.remove("suppressed");
        }
        if let Some(reason) = rate.suppressed {
            rows.row(
                by,
                group,
                "response_rates",
                key,
                "suppressed",
                label(reason),
            )?;
            continue;
        }
        for (measure, v) in leaves(&value) {
            rows.row(by, group, "response_rates", key, &measure, v)?;
        }
    }
    for s in &report.watermelons.services {
        let mut value = to_json(s.watermelon)?;
        if let Some(map) = value.as_object_mut() {
            map.insert(
                "class".into(),
                serde_json::Value::String(label(s.watermelon.class)),
            );
        }
        for (measure, v) in leaves(&value) {
            rows.row("overall", "", "services", &s.service, &measure, v)?;
        }
    }
    for a in &report.agencies {
        rows.row("agency", &a.code, "agency", "", "name", safe_text(&a.name))?;
        rows.row(
            "agency",
            &a.code,
            "agency",
            "",
            "respondents",
            a.respondents.to_string(),
        )?;
        for s in &a.services {
            if let Some(reason) = s.suppressed {
                rows.row(
                    "agency",
                    &a.code,
                    "services",
                    &s.service,
                    "suppressed",
                    label(reason),
                )?;
                continue;
            }
            rows.row(
                "agency",
                &a.code,
                "services",
                &s.service,
                "sla_attainment",
                number(s.sla_attainment),
            )?;
            rows.row(
                "agency",
                &a.code,
                "services",
                &s.service,
                "csat",
                number(s.csat),
            )?;
            rows.row(
                "agency",
                &a.code,
                "services",
                &s.service,
                "csat_ci95_lower",
                number(s.csat_ci95.map(|c| c.lower)),
            )?;
            rows.row(
                "agency",
                &a.code,
                "services",
                &s.service,
                "csat_ci95_upper",
                number(s.csat_ci95.map(|c| c.upper)),
            )?;
            rows.row(
                "agency",
                &a.code,
                "services",
                &s.service,
                "n",
                number(s.n.map(|n| n as f64)),
            )?;
            rows.row(
                "agency",
                &a.code,
                "services",
                &s.service,
                "class",
                label(s.class),
            )?;
        }
        for (item, text) in a.comments.iter().flatten() {
            rows.row(
                "agency",
                &a.code,
                "comments",
                item,
                "comment",
                safe_text(text),
            )?;
        }
    }
    if let Some(trend) = report.trend_report(report.rules.reporting_threshold) {
        let this = rows.wave.clone();
        for wave in &trend.trend.waves {
            rows.wave = wave.wave.clone();
            let mut value = to_json(wave)?;
            if let Some(map) = value.as_object_mut() {
                map.remove("wave");
            }
            for (measure, v) in leaves(&value) {
                rows.row("overall", "", "trend_waves", "", &measure, v)?;
            }
        }
        rows.wave = this;
    }
    rows.finish()
}

/// Writes a trend as tidy CSV: per wave its headline figures (table `waves`), and per item
/// and dimension and wave its figures and changes (tables `items` and `dimensions`); the
/// `wave` column is the wave each row is about.
pub fn write_trend<W: Write>(report: &WaveTrendReport, out: W) -> Result<()> {
    let mut labels = report.labels.clone();
    for d in &report.trend.dimensions {
        labels.insert(d.name.to_string(), crate::words::dimension_name(d.name));
    }
    let mut rows = Rows::new(out, report.wave, labels)?;
    for wave in &report.trend.waves {
        rows.wave = wave.wave.clone();
        rows.leaves("waves", "", wave)?;
    }
    for (table, series) in [
        ("items", &report.trend.items),
        ("dimensions", &report.trend.dimensions),
    ] {
        for s in series {
            for point in &s.waves {
                rows.wave = point.wave.to_string();
                let mut value = to_json(point)?;
                if let Some(map) = value.as_object_mut() {
                    map.remove("wave");
                }
                for (measure, v) in leaves(&value) {
                    rows.row("overall", "", table, s.name, &measure, v)?;
                }
            }
        }
    }
    rows.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_plain_text_is_not() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(safe_text(bad).starts_with('\''), "{bad}");
        }
        assert_eq!(safe_text("end_user"), "end_user");
        assert_eq!(safe_text(""), "");
    }

    #[test]
    fn leaves_flatten_nested_values() {
        let value = serde_json::json!({
            "n": 5, "ci95": { "lower": 0.5, "upper": null }, "list": [1, 2], "verdict": "aligned",
            "gap": -0.5, "name": "=cmd"
        });
        let got = leaves(&value);
        let find = |m: &str| got.iter().find(|(k, _)| k == m).map(|(_, v)| v.as_str());
        assert_eq!(find("n"), Some("5"));
        assert_eq!(find("ci95_lower"), Some("0.5"));
        assert_eq!(find("ci95_upper"), Some(""));
        assert_eq!(find("list_1"), Some("2"));
        assert_eq!(find("verdict"), Some("aligned"));
        assert_eq!(find("gap"), Some("-0.5"));
        assert_eq!(find("name"), Some("'=cmd"));
    }
}
