//! Correlation of two paired lists (e.g. staff and customer means of the same items, for
//! calibration: does IT know *which* items are its weak ones?).

use super::finite;

/// Pearson correlation of the pairs (`x[i]`, `y[i]`); `None` when the lists differ in length,
/// have fewer than two pairs, hold a non-finite value, or either list is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    let n = x.len() as f64;
    let mean_x = x.iter().sum::<f64>() / n;
    let mean_y = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mean_x, b - mean_y);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    // Rounding can push |r| a hair past 1.
    finite((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Spearman rank correlation: Pearson correlation of the ranks, ties sharing their average
/// rank (SciPy `spearmanr`). `None` in the same cases as [`pearson`].
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    pearson(&average_ranks(x), &average_ranks(y))
}

/// 1-based ranks of `values`, tied values sharing the mean of their ranks. O(n log n).
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|i, j| values[*i].total_cmp(&values[*j]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let value = values[order[start]];
        let tied = order[start..]
            .iter()
            .take_while(|i| values[**i] == value)
            .count();
        // Ranks start+1 ..= start+tied; their mean is start + (tied + 1)/2.
        let rank = start as f64 + (tied as f64 + 1.0) / 2.0;
        for i in &order[start..start + tied] {
            ranks[*i] = rank;
        }
        start += tied;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(
            average_ranks(&[5.0, 6.0, 7.0, 8.0, 7.0]),
            vec![1.0, 2.0, 3.5, 5.0, 3.5]
        );
        assert_eq!(average_ranks(&[2.0, 2.0, 2.0]), vec![2.0, 2.0, 2.0]);
        assert!(average_ranks(&[]).is_empty());
    }

    #[test]
    fn spearman_matches_scipy_docstring_example() {
        // SciPy 1.17.1: spearmanr([1,2,3,4,5], [5,6,7,8,7]).statistic.
        let rho = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 6.0, 7.0, 8.0, 7.0]).unwrap();
        assert!((rho - 0.8207826816681233).abs() <= 1e-12);
    }

    #[test]
    fn monotone_lists_correlate_perfectly() {
        let x = [3.1, 3.4, 2.9, 4.2, 3.8];
        let y: Vec<f64> = x.iter().map(|v| v * v * v).collect();
        assert!((spearman(&x, &y).unwrap() - 1.0).abs() < 1e-15);
        let reversed: Vec<f64> = x.iter().map(|v| -v).collect();
        assert!((spearman(&x, &reversed).unwrap() + 1.0).abs() < 1e-15);
    }

    #[test]
    fn undefined_correlations() {
        assert_eq!(spearman(&[1.0, 2.0], &[1.0]), None);
        assert_eq!(spearman(&[1.0], &[1.0]), None);
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]), None);
        assert_eq!(spearman(&[1.0, f64::NAN], &[1.0, 2.0]), None);
        assert_eq!(pearson(&[], &[]), None);
    }
}
