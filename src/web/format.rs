//! How numbers read on the pages: the charts' wording (fixed decimals, true minus signs,
//! percentages, intervals, a dash for what can't be shown), plus p-values.

pub use crate::charts::text::{NONE, interval, percent, percent_interval, signed};

/// A mean or other figure with fixed decimals, or a dash.
pub use crate::charts::text::number as decimal;

/// A p- or q-value as people read it: `< 0.001`, or three decimals.
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "< 0.001".into(),
        Some(p) if p.is_finite() => format!("{p:.3}"),
        _ => NONE.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_read_plainly() {
        assert_eq!(p_value(Some(0.0004)), "< 0.001");
        assert_eq!(p_value(Some(0.0312)), "0.031");
        assert_eq!(p_value(None), "—");
        assert_eq!(decimal(Some(3.456), 2), "3.46");
        assert_eq!(signed(Some(-0.4), 2), "−0.40");
    }
}
