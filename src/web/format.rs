//! How numbers read on the pages: fixed decimals, percentages, intervals, and a dash for
//! what can't be shown.

use crate::analysis::stats::Interval;

/// The dash shown where a figure is missing or hidden.
pub const NONE: &str = "—";

pub fn decimal(x: Option<f64>, places: usize) -> String {
    x.map_or_else(|| NONE.to_string(), |v| format!("{v:.places$}"))
}

/// A signed number: `+0.62`, `−0.40` (a real minus sign).
pub fn signed(x: Option<f64>, places: usize) -> String {
    match x {
        Some(v) if v < 0.0 => format!("−{:.places$}", -v),
        Some(v) => format!("+{v:.places$}"),
        None => NONE.to_string(),
    }
}

/// A share as a percentage: `0.623` → `62%`.
pub fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| NONE.to_string(), |v| format!("{:.0}%", v * 100.0))
}

/// An interval: `[3.1, 3.6]`.
pub fn interval(ci: Option<Interval>, places: usize) -> String {
    ci.map_or_else(
        || NONE.to_string(),
        |c| format!("[{:.places$}, {:.places$}]", c.lower, c.upper),
    )
}

/// An interval of shares as percentages: `[55%, 68%]`.
pub fn percent_interval(ci: Option<Interval>) -> String {
    ci.map_or_else(
        || NONE.to_string(),
        |c| format!("[{:.0}%, {:.0}%]", c.lower * 100.0, c.upper * 100.0),
    )
}

/// A p- or q-value as people read it: `< 0.001`, or three decimals.
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "< 0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => NONE.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_plainly() {
        assert_eq!(decimal(Some(3.456), 2), "3.46");
        assert_eq!(decimal(None, 2), "—");
        assert_eq!(signed(Some(-0.4), 2), "−0.40");
        assert_eq!(signed(Some(0.62), 2), "+0.62");
        assert_eq!(percent(Some(0.623)), "62%");
        assert_eq!(p_value(Some(0.0004)), "< 0.001");
        assert_eq!(p_value(Some(0.0312)), "0.031");
    }
}
