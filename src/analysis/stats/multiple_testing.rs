//! Adjusting a family of p-values for multiple testing (METHODS.md §4.7): Benjamini–Hochberg
//! q-values (false discovery rate, the default for item tables) and Holm adjusted p-values
//! (family-wise error, for a handful of confirmatory claims). Both match statsmodels
//! `multipletests(method='fdr_bh' | 'holm')`.
//!
//! A `None` p-value (an untestable item) is not part of the family and gets `None`; so does
//! anything that is not a probability (NaN, below 0, above 1).

/// The valid p-values of `p_values` with their positions, smallest p first (ties keep their
/// order, so equal p-values get equal adjusted values).
fn family(p_values: &[Option<f64>]) -> Vec<(usize, f64)> {
    let mut family: Vec<(usize, f64)> = p_values
        .iter()
        .enumerate()
        .filter_map(|(position, p)| p.filter(|p| (0.0..=1.0).contains(p)).map(|p| (position, p)))
        .collect();
    family.sort_by(|(_, x), (_, y)| x.total_cmp(y));
    family
}

/// Benjamini–Hochberg q-values, in the order of `p_values`:
/// q₍ᵢ₎ = min over j ≥ i of min(1, p₍ⱼ₎·m/j), with m the number of valid p-values.
/// q ≥ p, q is monotone in p, and q ≤ 1.
pub fn benjamini_hochberg(p_values: &[Option<f64>]) -> Vec<Option<f64>> {
    let family = family(p_values);
    let m = family.len() as f64;
    let mut q_values = vec![None; p_values.len()];
    let mut running_min = 1.0_f64;
    for (rank, (position, p)) in family.iter().enumerate().rev() {
        // statsmodels divides by the empirical CDF rank/m; same value, same rounding.
        let raw = p / ((rank + 1) as f64 / m);
        running_min = running_min.min(raw);
        q_values[*position] = Some(running_min);
    }
    q_values
}

/// Holm step-down adjusted p-values, in the order of `p_values`:
/// p̃₍ᵢ₎ = max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎).
pub fn holm(p_values: &[Option<f64>]) -> Vec<Option<f64>> {
    let family = family(p_values);
    let m = family.len();
    let mut adjusted = vec![None; p_values.len()];
    let mut running_max = 0.0_f64;
    for (rank, (position, p)) in family.iter().enumerate() {
        running_max = running_max.max(p * (m - rank) as f64);
        adjusted[*position] = Some(running_max.min(1.0));
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_family() {
        assert!(benjamini_hochberg(&[]).is_empty());
        assert_eq!(benjamini_hochberg(&[None, None]), vec![None, None]);
        assert_eq!(holm(&[None]), vec![None]);
    }

    #[test]
    fn untestable_items_leave_the_family() {
        // With the None removed the family is (0.01, 0.04): m = 2.
        let q = benjamini_hochberg(&[Some(0.01), None, Some(0.04)]);
        assert_eq!(q, vec![Some(0.02), None, Some(0.04)]);
        let adjusted = holm(&[Some(0.01), None, Some(0.04)]);
        assert_eq!(adjusted, vec![Some(0.02), None, Some(0.04)]);
    }

    #[test]
    fn invalid_p_values_leave_the_family() {
        let q = benjamini_hochberg(&[Some(f64::NAN), Some(0.2), Some(-0.1), Some(1.5)]);
        assert_eq!(q, vec![None, Some(0.2), None, None]);
        assert_eq!(
            holm(&[Some(f64::INFINITY), Some(0.3)]),
            vec![None, Some(0.3)]
        );
    }

    #[test]
    fn a_single_test_is_unchanged() {
        assert_eq!(benjamini_hochberg(&[Some(0.03)]), vec![Some(0.03)]);
        assert_eq!(holm(&[Some(0.03)]), vec![Some(0.03)]);
    }

    #[test]
    fn ties_get_equal_q() {
        let q = benjamini_hochberg(&[Some(0.03), Some(0.01), Some(0.03)]);
        assert_eq!(q[0], q[2]);
        let adjusted = holm(&[Some(0.03), Some(0.01), Some(0.03)]);
        assert_eq!(adjusted[0], adjusted[2]);
    }
}
