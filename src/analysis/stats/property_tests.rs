//! Properties that hold for any data: swapping the two samples flips every signed measure
//! and keeps every p-value; q-values are at least p and monotone in p; the answer-tally and
//! slice paths agree; rank statistics agree with brute force; nothing is ever NaN.

use proptest::prelude::*;

use super::*;

const C95: Confidence = Confidence::NINETY_FIVE;

/// Likert answers 1–5, including empty and tiny samples.
fn answers() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(1u8..=5, 0..40)
}

/// Either Likert-like answers or arbitrary finite scores, often with ties and constants.
fn scores() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        prop::collection::vec((1u8..=5).prop_map(f64::from), 0..30),
        prop::collection::vec(-1e6f64..1e6, 0..30),
        (1usize..6, -10f64..10.0).prop_map(|(n, v)| vec![v; n]),
    ]
}

fn as_f64(answers: &[u8]) -> Vec<f64> {
    answers.iter().copied().map(f64::from).collect()
}

#[track_caller]
fn assert_negated(x: Option<f64>, y: Option<f64>, what: &str) {
    match (x, y) {
        (Some(x), Some(y)) => assert!(
            (x + y).abs() <= 1e-12 * x.abs().max(1.0),
            "{what}: {x} and {y} are not opposite"
        ),
        (None, None) => {}
        _ => panic!("{what}: {x:?} against {y:?}"),
    }
}

/// Debug output spells NaN as `NaN` and infinities as `inf`.
#[track_caller]
fn assert_all_finite(result: &impl std::fmt::Debug) {
    let printed = format!("{result:?}");
    assert!(
        !printed.contains("NaN") && !printed.contains("inf"),
        "not finite: {printed}"
    );
}

/// Cliff's delta and U by comparing every pair: the definition, in O(n₁n₂).
fn brute_force(a: &[f64], b: &[f64]) -> (f64, f64) {
    let (mut greater, mut less, mut ties) = (0u64, 0u64, 0u64);
    for x in a {
        for y in b {
            match x.partial_cmp(y) {
                Some(std::cmp::Ordering::Greater) => greater += 1,
                Some(std::cmp::Ordering::Less) => less += 1,
                _ => ties += 1,
            }
        }
    }
    let pairs = (a.len() * b.len()) as f64;
    (
        greater as f64 + ties as f64 / 2.0,
        (greater as f64 - less as f64) / pairs,
    )
}

proptest! {
    #[test]
    fn swapping_samples_flips_signs_and_keeps_p(a in scores(), b in scores()) {
        let (ma, mb) = (Moments::of(&a).unwrap(), Moments::of(&b).unwrap());
        let (forward, backward) = (welch(&ma, &mb, C95), welch(&mb, &ma, C95));
        assert_negated(forward.mean_difference, backward.mean_difference, "mean difference");
        assert_negated(forward.t, backward.t, "t");
        prop_assert_eq!(forward.df, backward.df);
        prop_assert_eq!(forward.p, backward.p);
        assert_negated(forward.ci.map(|c| c.lower), backward.ci.map(|c| c.upper), "ci");
        assert_negated(hedges_g(&ma, &mb), hedges_g(&mb, &ma), "hedges g");
        assert_negated(cohens_d(&ma, &mb), cohens_d(&mb, &ma), "cohen d");

        let (forward, backward) = (mann_whitney(&a, &b), mann_whitney(&b, &a));
        assert_negated(forward.cliffs_delta, backward.cliffs_delta, "cliffs delta");
        prop_assert_eq!(forward.p, backward.p);
        if let (Some(u_ab), Some(u_ba)) = (forward.u_a, backward.u_a) {
            prop_assert_eq!(u_ab + u_ba, (a.len() * b.len()) as f64);
        }
    }

    #[test]
    fn results_are_never_nan(a in scores(), b in scores(), k in 0u64..60, n in 0u64..60) {
        let (ma, mb) = (Moments::of(&a).unwrap(), Moments::of(&b).unwrap());
        assert_all_finite(&ma.summary(C95));
        assert_all_finite(&welch(&ma, &mb, C95));
        assert_all_finite(&(cohens_d(&ma, &mb), hedges_g(&ma, &mb)));
        assert_all_finite(&mann_whitney(&a, &b));
        assert_all_finite(&one_sample_t(&a, 3.0, C95));
        assert_all_finite(&paired_t(&a, &b, C95));
        assert_all_finite(&(spearman(&a, &b), pearson(&a, &b)));
        assert_all_finite(&(wilson_interval(k, n, C95), clopper_pearson_interval(k, n, C95)));
        assert_all_finite(&proportion_difference(k, n, n.saturating_sub(k), n, C95));
        assert_all_finite(&nps_from_counts(k, n, k / 2, C95));
        assert_all_finite(&margin_of_error(0.5, k, Some(n), C95));
        assert_all_finite(&responses_needed(0.1, 0.5, Some(n), C95));
        assert_all_finite(&xmr_chart(&a));
        let rows: Vec<Vec<Option<f64>>> = a
            .chunks(3)
            .map(|row| row.iter().copied().map(Some).collect())
            .collect();
        assert_all_finite(&cronbach_alpha(3, &rows, C95));
    }

    #[test]
    fn tallies_agree_with_slices(a in answers(), b in answers()) {
        let (ta, tb): (Tally, Tally) = (a.iter().copied().collect(), b.iter().copied().collect());
        let (fa, fb) = (as_f64(&a), as_f64(&b));
        prop_assert_eq!(mann_whitney_tallies(&ta, &tb), mann_whitney(&fa, &fb));
        let from_tallies = welch(&ta.moments(), &tb.moments(), C95);
        let from_slices = welch(&Moments::of(&fa).unwrap(), &Moments::of(&fb).unwrap(), C95);
        for (x, y) in [
            (from_tallies.mean_difference, from_slices.mean_difference),
            (from_tallies.t, from_slices.t),
            (from_tallies.p, from_slices.p),
        ] {
            match (x, y) {
                (Some(x), Some(y)) => prop_assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0)),
                (x, y) => prop_assert_eq!(x, y),
            }
        }
    }

    #[test]
    fn rank_statistics_agree_with_brute_force(a in scores(), b in scores()) {
        prop_assume!(!a.is_empty() && !b.is_empty());
        let (u, delta) = brute_force(&a, &b);
        let result = mann_whitney(&a, &b);
        prop_assert_eq!(result.u_a, Some(u));
        prop_assert!((result.cliffs_delta.unwrap() - delta).abs() < 1e-12);
        let p = result.p.unwrap();
        prop_assert!((0.0..=1.0).contains(&p));
    }

    #[test]
    fn q_values_are_at_least_p_and_monotone(
        p in prop::collection::vec(prop::option::weighted(0.9, 0.0f64..=1.0), 0..30)
    ) {
        for adjusted in [benjamini_hochberg(&p), holm(&p)] {
            prop_assert_eq!(adjusted.len(), p.len());
            for (i, (pi, qi)) in p.iter().zip(&adjusted).enumerate() {
                prop_assert_eq!(pi.is_some(), qi.is_some());
                let (Some(pi), Some(qi)) = (pi, qi) else { continue };
                prop_assert!(qi >= pi && *qi <= 1.0);
                for (pj, qj) in p.iter().zip(&adjusted).skip(i + 1) {
                    let (Some(pj), Some(qj)) = (pj, qj) else { continue };
                    if pi < pj {
                        prop_assert!(qi <= qj);
                    } else if pi > pj {
                        prop_assert!(qi >= qj);
                    } else {
                        prop_assert_eq!(qi, qj);
                    }
                }
            }
        }
    }

    #[test]
    fn wilson_interval_holds_the_share(n in 1u64..2000, k_share in 0.0f64..=1.0) {
        let k = (k_share * n as f64).round() as u64;
        let interval = wilson_interval(k, n, C95).unwrap();
        let share = k as f64 / n as f64;
        prop_assert!(0.0 <= interval.lower && interval.upper <= 1.0);
        prop_assert!(interval.lower <= share + 1e-15 && share <= interval.upper + 1e-15);
    }

    #[test]
    fn spearman_is_symmetric_and_bounded(
        pairs in prop::collection::vec((1u8..=5, -5f64..5.0), 2..20)
    ) {
        let x: Vec<f64> = pairs.iter().map(|(a, _)| f64::from(*a)).collect();
        let y: Vec<f64> = pairs.iter().map(|(_, b)| *b).collect();
        prop_assert_eq!(spearman(&x, &y), spearman(&y, &x));
        if let Some(rho) = spearman(&x, &y) {
            prop_assert!((-1.0..=1.0).contains(&rho));
        }
    }
}
