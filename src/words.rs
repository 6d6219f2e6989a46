//! The users' vocabulary in one place: how numbers, intervals and p-values read, what each
//! verdict and watermelon class is called, why something is hidden, and a gap in a sentence.
//!
//! Pages, charts, reports and emails call these functions rather than writing their own
//! sentences, so that a thing is said the same way wherever a person reads it (DESIGN.md,
//! "Architecture": `words`). Codes (item codes, verdict codes) stay in JSON, CSV and URLs;
//! everything here is for people. [`Names`] turns a wave's codes into the names people
//! know (the items' labels, agencies', services' and dimensions' names).

use std::collections::HashMap;

use crate::analysis::gap::{BreakdownBy, Gap, Verdict};
use crate::analysis::stats::Interval;
use crate::analysis::suppress::Suppression;
use crate::analysis::watermelon::{Watermelon, WatermelonClass};
use crate::domain::Scale;

/// What a figure that can't be shown reads as.
pub const NONE: &str = "—";

/// True minus sign: `−0.40` reads as negative at a glance, unlike a hyphen.
const MINUS: char = '−';

pub fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

pub fn finite_interval(ci: Option<Interval>) -> Option<Interval> {
    ci.filter(|i| i.lower.is_finite() && i.upper.is_finite())
}

/// `-0.4` as `−0.40`: fixed decimals, a true minus sign, no sign on a value that rounds
/// to zero.
fn plain(v: f64, decimals: usize) -> String {
    let text = format!("{:.decimals$}", v.abs());
    if v < 0.0 && !rounds_to_zero(&text) {
        format!("{MINUS}{text}")
    } else {
        text
    }
}

fn rounds_to_zero(text: &str) -> bool {
    text.chars().all(|c| c == '0' || c == '.')
}

/// `2.35`, `−0.40`, or "—".
pub fn number(x: Option<f64>, decimals: usize) -> String {
    finite(x).map_or_else(|| NONE.to_string(), |v| plain(v, decimals))
}

/// `+0.62`, `−0.40`, `0.00`, or "—": a difference, whose sign is the point.
pub fn signed(x: Option<f64>, decimals: usize) -> String {
    match finite(x) {
        None => NONE.to_string(),
        Some(v) => {
            let text = plain(v, decimals);
            if v > 0.0 && !rounds_to_zero(&text) {
                format!("+{text}")
            } else {
                text
            }
        }
    }
}

/// A share as a whole percentage (`62%`), or "—".
pub fn percent(x: Option<f64>) -> String {
    finite(x).map_or_else(|| NONE.to_string(), |v| format!("{}%", plain(v * 100.0, 0)))
}

/// A change in a share, in percentage points: `+4 points`, `−12 points`.
pub fn points(x: Option<f64>) -> String {
    match finite(x) {
        None => NONE.to_string(),
        Some(v) => format!("{} points", signed(Some(v * 100.0), 0)),
    }
}

/// An interval: `3.10 to 3.85`, `−0.56 to −0.39`, or "—". Never a dash between two
/// numbers that may carry their own minus signs.
pub fn interval(ci: Option<Interval>, decimals: usize) -> String {
    finite_interval(ci).map_or_else(
        || NONE.to_string(),
        |i| {
            format!(
                "{} to {}",
                plain(i.lower, decimals),
                plain(i.upper, decimals)
            )
        },
    )
}

/// An interval of shares: `48% to 71%`, or "—".
pub fn percent_interval(ci: Option<Interval>) -> String {
    finite_interval(ci).map_or_else(
        || NONE.to_string(),
        |i| format!("{} to {}", percent(Some(i.lower)), percent(Some(i.upper))),
    )
}

/// An interval of changes in shares: `−9 to +3 points`.
pub fn points_interval(ci: Option<Interval>) -> String {
    finite_interval(ci).map_or_else(
        || NONE.to_string(),
        |i| {
            format!(
                "{} to {} points",
                signed(Some(i.lower * 100.0), 0),
                signed(Some(i.upper * 100.0), 0)
            )
        },
    )
}

pub fn count(n: Option<u64>) -> String {
    n.map_or_else(|| NONE.to_string(), |n| n.to_string())
}

/// A p- or q-value as an analyst reads it: `< 0.001`, or three decimals.
pub fn p_value(p: Option<f64>) -> String {
    match finite(p) {
        Some(p) if p < 0.001 => "< 0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => NONE.into(),
    }
}

/// Significance for a reader who has never seen a p-value: "clear" when the (adjusted)
/// p-value is below the significance level, "not clear" otherwise.
pub fn clear(q: Option<f64>, significance_level: f64) -> &'static str {
    match finite(q) {
        Some(q) if q < significance_level => "clear",
        Some(_) => "not clear",
        None => "not tested",
    }
}

// ---------------------------------------------------------------------------------------
// Scales.

/// A scale as a reader knows it: `1–5`, `0–10`.
pub fn scale_range(scale: Scale) -> String {
    match scale.range() {
        Some((lo, hi)) => format!("{lo}–{hi}"),
        None => "text".into(),
    }
}

/// "on the 1–5 scale": said wherever items of different scales sit side by side.
pub fn scale_words(scale: Scale) -> String {
    match scale {
        Scale::Likert5 => "1–5 scale".into(),
        Scale::Importance5 => "1–5 importance scale".into(),
        Scale::Nps11 => "0–10 scale".into(),
        Scale::Ces7 => "1–7 scale".into(),
        Scale::YesNo => "yes/no".into(),
        Scale::Text => "free text".into(),
    }
}

/// A gap as a share of its scale's range: `12% of the scale`.
pub fn share_of_scale(share: Option<f64>) -> String {
    match finite(share) {
        Some(s) => format!("{} of the scale", percent(Some(s.abs()))),
        None => NONE.into(),
    }
}

// ---------------------------------------------------------------------------------------
// Verdicts and classes.

/// A verdict's code, as in the JSON (and as the pages' colour classes).
pub fn verdict_code(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::BlindSpot => "blind_spot",
        Verdict::HiddenStrength => "hidden_strength",
        Verdict::Aligned => "aligned",
        Verdict::InsufficientData => "insufficient_data",
        Verdict::OverestimatedPriority => "overestimated_priority",
        Verdict::UnderestimatedPriority => "underestimated_priority",
    }
}

/// A verdict's short name, for table cells and chart legends.
pub fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::BlindSpot => "Blind spot",
        Verdict::HiddenStrength => "Hidden strength",
        Verdict::Aligned => "Aligned",
        Verdict::InsufficientData => "Too few answers",
        Verdict::OverestimatedPriority => "IT overestimates its importance",
        Verdict::UnderestimatedPriority => "IT underestimates its importance",
    }
}

/// What a verdict means, in a sentence.
pub fn verdict_meaning(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::BlindSpot => "IT thinks it does better than customers feel.",
        Verdict::HiddenStrength => "Customers rate IT higher than IT expects.",
        Verdict::Aligned => "IT's expectation and the customers' answers do not clearly differ.",
        Verdict::InsufficientData => "Too few answers on one side to compare.",
        Verdict::OverestimatedPriority => {
            "IT thinks this matters more to agencies than agencies say it does."
        }
        Verdict::UnderestimatedPriority => "This matters more to agencies than IT thinks.",
    }
}

/// A watermelon class's code, as in the JSON.
pub fn class_code(class: WatermelonClass) -> &'static str {
    match class {
        WatermelonClass::Watermelon => "watermelon",
        WatermelonClass::ReverseWatermelon => "reverse_watermelon",
        WatermelonClass::Consistent => "consistent",
        WatermelonClass::Inconclusive => "inconclusive",
        WatermelonClass::InsufficientData => "insufficient_data",
    }
}

/// A service's finding in a few words. `Consistent` and `Inconclusive` say which story
/// the SLA figures tell, so two different stories never read the same.
pub fn service_finding(w: &Watermelon, sla_target: f64) -> &'static str {
    let met = w.sla.attainment.map(|a| a >= sla_target);
    match (w.class, met) {
        (WatermelonClass::Watermelon, _) => "SLA met, customers unhappy",
        (WatermelonClass::ReverseWatermelon, _) => "SLA missed, customers happy",
        (WatermelonClass::Consistent, Some(true)) => "SLA met, customers satisfied",
        (WatermelonClass::Consistent, _) => "SLA missed, customers not satisfied either",
        (WatermelonClass::Inconclusive, Some(true)) => "SLA met, too few answers to tell",
        (WatermelonClass::Inconclusive, _) => "SLA missed, too few answers to tell",
        (WatermelonClass::InsufficientData, None) => "No SLA figures",
        (WatermelonClass::InsufficientData, Some(_)) => "Too few answers to show",
    }
}

/// The name of a watermelon class on its own (chart legends, counts).
pub fn class_label(class: WatermelonClass) -> &'static str {
    match class {
        WatermelonClass::Watermelon => "Watermelon: SLA met, customers unhappy",
        WatermelonClass::ReverseWatermelon => "Reverse watermelon: SLA missed, customers happy",
        WatermelonClass::Consistent => "SLA and customers tell the same story",
        WatermelonClass::Inconclusive => "Too few answers to tell",
        WatermelonClass::InsufficientData => "No SLA figures or too few answers",
    }
}

// ---------------------------------------------------------------------------------------
// Suppression.

/// Why a group or cell is hidden: `Suppressed: fewer than 5 answered`.
pub fn suppression_label(reason: Suppression, threshold: u64) -> String {
    format!("Suppressed: {}", suppression_reason(reason, threshold))
}

/// The reason alone, to go inside a sentence.
pub fn suppression_reason(reason: Suppression, threshold: u64) -> String {
    match reason {
        Suppression::BelowThreshold => format!("fewer than {threshold} answered"),
        Suppression::Complementary => "hidden so that a smaller group can't be worked out".into(),
    }
}

/// What a breakdown groups by, in words.
pub fn breakdown_name(by: BreakdownBy) -> &'static str {
    match by {
        BreakdownBy::Agency => "Agency",
        BreakdownBy::Segment => "Customer segment",
        BreakdownBy::Team => "Staff team",
    }
}

// ---------------------------------------------------------------------------------------
// A gap in words.

/// A gap row said for a reader who has never seen a p-value: what each side said, how far
/// apart they are on the item's scale, how sure we are, and what that means.
pub fn gap_in_words(label: &str, gap: &Gap, scale: Scale, rules: &Rules) -> String {
    let Some(difference) = finite(gap.gap) else {
        return format!(
            "{label}: too few answers to compare; each side needs at least {} answers.",
            rules.reporting_threshold
        );
    };
    let size = number(Some(difference.abs()), 2);
    let on = scale_words(scale);
    let direction = if rounds_to_zero(&size) {
        "IT expected what customers said".to_string()
    } else if difference > 0.0 {
        format!("IT expected {size} more than customers gave")
    } else {
        format!("IT expected {size} less than customers gave")
    };
    let sides = format!(
        "customers gave {} on average and IT staff predicted {}, on the {on}",
        number(gap.customer.mean, 2),
        number(gap.staff.mean, 2)
    );
    let sure = match (
        finite_interval(gap.gap_ci95),
        clear(gap.q, rules.significance_level),
    ) {
        (Some(_), "clear") => format!(
            "The difference is clear: the true gap is likely in the range {} (95% interval).",
            interval(gap.gap_ci95, 2)
        ),
        (Some(_), _) => format!(
            "The difference is not clear: the true gap could be anywhere in the range {}, \
             so it could well be chance.",
            interval(gap.gap_ci95, 2)
        ),
        (None, _) => String::new(),
    };
    format!(
        "{label}: {sides}. {direction}. {sure} {}",
        verdict_meaning(gap.verdict)
    )
    .replace("  ", " ")
    .trim()
    .to_string()
}

/// The thresholds sentences need (settings).
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub reporting_threshold: u64,
    pub significance_level: f64,
}

// ---------------------------------------------------------------------------------------
// Names.

/// A code turned into words, for things that have no name of their own (an SLA metric
/// without a label, a dimension rind does not know): `first_response_time` → "First
/// response time".
pub fn code_in_words(code: &str) -> String {
    let spaced = code.replace(['_', '-'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A dimension's name: the shipped dimensions in the words agencies use, others from
/// their code.
pub fn dimension_name(code: &str) -> String {
    match code {
        "reliability" => "Reliability".into(),
        "responsiveness" => "Responsiveness".into(),
        "assurance" => "Assurance".into(),
        "empathy" => "Understanding of the business".into(),
        "communication" => "Communication".into(),
        "value" => "Value for money".into(),
        "overall" => "Overall".into(),
        "loyalty" => "Recommendation".into(),
        "effort" => "Ease".into(),
        "service" => "Services".into(),
        other => code_in_words(other),
    }
}

/// An SLA metric's name: its label when the SLA file gave one, else its code in words.
pub fn metric_name(code: &str, label: Option<&str>) -> String {
    match label.map(str::trim).filter(|l| !l.is_empty()) {
        Some(label) => label.to_string(),
        None => code_in_words(code),
    }
}

/// The names of one wave's codes: items, dimensions, agencies, services, segments and
/// teams. Built once per wave (by `report::view`) and read by every output.
#[derive(Debug, Clone, Default)]
pub struct Names {
    items: HashMap<String, String>,
    agencies: HashMap<String, String>,
    services: HashMap<String, String>,
}

impl Names {
    pub fn new(
        items: impl IntoIterator<Item = (String, String)>,
        agencies: impl IntoIterator<Item = (String, String)>,
        services: impl IntoIterator<Item = (String, String)>,
    ) -> Names {
        Names {
            items: items.into_iter().collect(),
            agencies: agencies.into_iter().collect(),
            services: services.into_iter().collect(),
        }
    }

    /// An item's label (its code in words if the wave does not know it).
    pub fn item(&self, code: &str) -> String {
        self.items
            .get(code)
            .cloned()
            .unwrap_or_else(|| code_in_words(code))
    }

    pub fn dimension(&self, code: &str) -> String {
        dimension_name(code)
    }

    pub fn agency(&self, code: &str) -> String {
        self.agencies
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    pub fn service(&self, code: &str) -> String {
        self.services
            .get(code)
            .cloned()
            .unwrap_or_else(|| code_in_words(code))
    }

    /// A breakdown group's name: an agency's name, a segment or team in words.
    pub fn group(&self, by: BreakdownBy, code: &str) -> String {
        match by {
            BreakdownBy::Agency => self.agency(code),
            BreakdownBy::Segment | BreakdownBy::Team => code_in_words(code),
        }
    }

    /// Every item code the wave knows, for tests that check no code is shown as text.
    pub fn item_codes(&self) -> impl Iterator<Item = &str> {
        self.items.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(lower: f64, upper: f64) -> Option<Interval> {
        Some(Interval { lower, upper })
    }

    #[test]
    fn numbers_read_plainly() {
        assert_eq!(number(Some(3.456), 2), "3.46");
        assert_eq!(number(Some(-0.4), 2), "−0.40");
        assert_eq!(signed(Some(-0.4), 2), "−0.40");
        assert_eq!(signed(Some(0.62), 2), "+0.62");
        assert_eq!(signed(Some(-0.001), 2), "0.00");
        assert_eq!(signed(None, 2), NONE);
        assert_eq!(percent(Some(0.624)), "62%");
        assert_eq!(points(Some(-0.12)), "−12 points");
        assert_eq!(p_value(Some(0.0004)), "< 0.001");
        assert_eq!(p_value(Some(0.0312)), "0.031");
        assert_eq!(p_value(Some(f64::NAN)), NONE);
    }

    #[test]
    fn intervals_never_run_two_minus_signs_into_a_dash() {
        assert_eq!(interval(ci(-0.56, -0.39), 2), "−0.56 to −0.39");
        assert_eq!(interval(ci(3.1, 3.85), 2), "3.10 to 3.85");
        assert_eq!(percent_interval(ci(0.48, 0.71)), "48% to 71%");
        assert_eq!(points_interval(ci(-0.09, 0.03)), "−9 to +3 points");
        assert_eq!(interval(ci(f64::NAN, 1.0), 2), NONE);
    }

    #[test]
    fn significance_in_words() {
        assert_eq!(clear(Some(0.01), 0.05), "clear");
        assert_eq!(clear(Some(0.2), 0.05), "not clear");
        assert_eq!(clear(None, 0.05), "not tested");
    }

    #[test]
    fn codes_in_words() {
        assert_eq!(code_in_words("first_response_time"), "First response time");
        assert_eq!(metric_name("uptime", Some("  ")), "Uptime");
        assert_eq!(metric_name("uptime", Some("Availability")), "Availability");
        assert_eq!(dimension_name("empathy"), "Understanding of the business");
    }

    #[test]
    fn two_stories_never_read_the_same() {
        use crate::analysis::watermelon::{CsatSide, SlaSide};
        let w = |class, attainment| Watermelon {
            sla: SlaSide {
                metrics: 2,
                met: 2,
                attainment: Some(attainment),
            },
            customers: CsatSide {
                n: Some(10),
                csat: Some(0.5),
                ci95: None,
            },
            class,
        };
        let met = service_finding(&w(WatermelonClass::Consistent, 1.0), 0.95);
        let missed = service_finding(&w(WatermelonClass::Consistent, 0.5), 0.95);
        assert_ne!(met, missed);
        assert!(!met.contains("agree") && !missed.contains("agree"));
        assert_eq!(
            service_finding(&w(WatermelonClass::Inconclusive, 1.0), 0.95),
            "SLA met, too few answers to tell"
        );
    }
}
