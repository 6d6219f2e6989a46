//! Every statistic against every case of `tests/fixtures/stats-reference.json` (SciPy 1.17.1 /
//! statsmodels; a copy of `../shared/fixtures/stats-reference.json` kept in the repository so
//! that a fresh clone can run it) and against the reference vectors of METHODS.md §10.
//!
//! Tolerances: relative 1e-9 for statistics, 1e-6 for p-values and for values that go
//! through an iterative inverse CDF where METHODS.md says so; an expected 0 must come out
//! within 1e-15.

use serde_json::Value;

use super::*;

const FIXTURE: &str = include_str!("../../../tests/fixtures/stats-reference.json");
const STATISTIC: f64 = 1e-9;
const P_VALUE: f64 = 1e-6;
const C95: Confidence = Confidence::NINETY_FIVE;

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).unwrap()
}

fn cases<'v>(fixture: &'v Value, key: &str) -> &'v [Value] {
    fixture[key]
        .as_array()
        .unwrap_or_else(|| panic!("fixture key `{key}` is not a list"))
}

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn count(value: &Value) -> u64 {
    value.as_u64().unwrap()
}

fn name(case: &Value) -> String {
    case["name"].as_str().unwrap_or("unnamed").to_owned()
}

/// The values as answers, when every one is an integer from 0 to 255.
fn as_answers(values: &[f64]) -> Option<Tally> {
    values
        .iter()
        .map(|v| (v.fract() == 0.0 && (0.0..=255.0).contains(v)).then_some(*v as u8))
        .collect::<Option<Vec<u8>>>()
        .map(|answers| answers.into_iter().collect())
}

#[track_caller]
fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    let ok = if expected == 0.0 {
        actual.abs() <= 1e-15
    } else {
        (actual - expected).abs() <= tolerance * expected.abs()
    };
    assert!(
        ok,
        "{what}: got {actual:e}, expected {expected:e} (relative error {:e})",
        ((actual - expected) / expected).abs()
    );
}

/// Compares an optional result with a fixture value that may be `null`.
#[track_caller]
fn assert_matches(actual: Option<f64>, expected: &Value, tolerance: f64, what: &str) {
    match (actual, expected.as_f64()) {
        (Some(actual), Some(expected)) => assert_close(actual, expected, tolerance, what),
        (None, None) => {}
        (actual, _) => panic!("{what}: got {actual:?}, expected {expected}"),
    }
}

#[track_caller]
fn assert_interval(actual: Option<Interval>, expected: &Value, tolerance: f64, what: &str) {
    match (actual, expected.as_array()) {
        (Some(interval), Some(ends)) => {
            let ends: Vec<f64> = ends.iter().map(|v| v.as_f64().unwrap()).collect();
            assert_close(interval.lower, ends[0], tolerance, &format!("{what} lower"));
            assert_close(interval.upper, ends[1], tolerance, &format!("{what} upper"));
        }
        (None, None) => {}
        (actual, _) => panic!("{what}: got {actual:?}, expected {expected}"),
    }
}

#[track_caller]
fn assert_pair(actual: Option<Interval>, lower: f64, upper: f64, tolerance: f64, what: &str) {
    let interval = actual.unwrap_or_else(|| panic!("{what}: no interval"));
    assert_close(interval.lower, lower, tolerance, &format!("{what} lower"));
    assert_close(interval.upper, upper, tolerance, &format!("{what} upper"));
}

/// The fixture has exactly the keys tested below: a new key fails here until it is tested.
#[test]
fn every_fixture_key_is_tested() {
    let fixture = fixture();
    let mut keys: Vec<&str> = fixture
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "about",
            "benjamini_hochberg",
            "cohen",
            "cronbach",
            "holm",
            "mann_whitney",
            "margin_of_error",
            "mean_ci",
            "nps",
            "welch",
            "wilson",
        ]
    );
}

#[test]
fn fixture_copy_is_identical_to_the_shared_one() {
    // The shared original is beside the repository on development machines only.
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/stats-reference.json");
    if let Ok(original) = std::fs::read_to_string(shared) {
        assert_eq!(
            original, FIXTURE,
            "tests/fixtures/stats-reference.json is stale"
        );
    }
}

#[test]
fn welch_matches_every_fixture_case() {
    let fixture = fixture();
    for case in cases(&fixture, "welch") {
        let what = format!("welch {}", name(case));
        let (a, b) = (numbers(&case["a"]), numbers(&case["b"]));
        let (ma, mb) = (Moments::of(&a).unwrap(), Moments::of(&b).unwrap());
        let mut results = vec![welch(&ma, &mb, C95)];
        if let (Some(ta), Some(tb)) = (as_answers(&a), as_answers(&b)) {
            results.push(welch(&ta.moments(), &tb.moments(), C95));
        }
        for test in results {
            assert_matches(
                test.mean_difference,
                &case["mean_diff"],
                STATISTIC,
                &format!("{what} mean_diff"),
            );
            assert_matches(test.t, &case["t"], STATISTIC, &format!("{what} t"));
            assert_matches(test.df, &case["df"], STATISTIC, &format!("{what} df"));
            assert_matches(test.p, &case["p"], P_VALUE, &format!("{what} p"));
            assert_interval(test.ci, &case["ci95"], STATISTIC, &format!("{what} ci95"));
        }
    }
}

#[test]
fn mann_whitney_matches_every_fixture_case() {
    let fixture = fixture();
    for case in cases(&fixture, "mann_whitney") {
        let what = format!("mann_whitney {}", name(case));
        let (a, b) = (numbers(&case["a"]), numbers(&case["b"]));
        let mut results = vec![mann_whitney(&a, &b)];
        if let (Some(ta), Some(tb)) = (as_answers(&a), as_answers(&b)) {
            results.push(mann_whitney_tallies(&ta, &tb));
        }
        for result in results {
            assert_matches(result.u_a, &case["u_a"], STATISTIC, &format!("{what} u_a"));
            assert_matches(result.p, &case["p"], P_VALUE, &format!("{what} p"));
            assert_matches(
                result.cliffs_delta,
                &case["cliffs_delta"],
                STATISTIC,
                &format!("{what} cliffs_delta"),
            );
        }
        assert_matches(
            cliffs_delta(&a, &b),
            &case["cliffs_delta"],
            STATISTIC,
            &what,
        );
    }
}

#[test]
fn cohen_and_hedges_match_every_fixture_case() {
    let fixture = fixture();
    for case in cases(&fixture, "cohen") {
        let what = format!("cohen {}", name(case));
        let a = Moments::of(&numbers(&case["a"])).unwrap();
        let b = Moments::of(&numbers(&case["b"])).unwrap();
        assert_matches(
            cohens_d(&a, &b),
            &case["cohens_d"],
            STATISTIC,
            &format!("{what} d"),
        );
        assert_matches(
            hedges_g(&a, &b),
            &case["hedges_g"],
            STATISTIC,
            &format!("{what} g"),
        );
    }
}

#[test]
fn wilson_matches_every_fixture_case() {
    let fixture = fixture();
    for case in cases(&fixture, "wilson") {
        let (k, n) = (count(&case["successes"]), count(&case["n"]));
        let what = format!("wilson {k}/{n}");
        let confidence = Confidence::new(case["confidence"].as_f64().unwrap()).unwrap();
        let expected = [
            case["lower"].as_f64().unwrap(),
            case["upper"].as_f64().unwrap(),
        ];
        assert_pair(
            wilson_interval(k, n, confidence),
            expected[0],
            expected[1],
            STATISTIC,
            &what,
        );
        let share = proportion(k, n, confidence);
        assert_eq!(share.share, Some(k as f64 / n as f64));
        assert_eq!(share.ci, wilson_interval(k, n, confidence));
    }
}

#[test]
fn mean_interval_matches_every_fixture_case() {
    let fixture = fixture();
    for case in cases(&fixture, "mean_ci") {
        let what = format!("mean_ci {}", name(case));
        let values = numbers(&case["x"]);
        let confidence = Confidence::new(case["confidence"].as_f64().unwrap()).unwrap();
        let mut summaries = vec![summarize(&values, confidence)];
        if let Some(tally) = as_answers(&values) {
            summaries.push(tally.moments().summary(confidence));
            summaries.push(ces(&tally, confidence));
        }
        for summary in summaries {
            assert_eq!(summary.n, values.len() as u64, "{what} n");
            assert_matches(
                summary.mean,
                &case["mean"],
                STATISTIC,
                &format!("{what} mean"),
            );
            assert_matches(summary.sd, &case["sd"], STATISTIC, &format!("{what} sd"));
            let (lower, upper) = (
                case["lower"].as_f64().unwrap(),
                case["upper"].as_f64().unwrap(),
            );
            assert_pair(summary.ci, lower, upper, STATISTIC, &what);
        }
    }
}

#[test]
fn cronbach_alpha_matches_every_fixture_case() {
    let fixture = fixture();
    for case in cases(&fixture, "cronbach") {
        let what = format!("cronbach {}", name(case));
        let rows: Vec<Vec<Option<f64>>> = case["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| numbers(row).into_iter().map(Some).collect())
            .collect();
        let result = cronbach_alpha(rows[0].len(), &rows, C95);
        assert_eq!(result.respondents, rows.len() as u64);
        assert_matches(result.alpha, &case["cronbach_alpha"], STATISTIC, &what);
    }
}

#[test]
fn nps_matches_every_fixture_case() {
    let fixture = fixture();
    for (index, case) in cases(&fixture, "nps").iter().enumerate() {
        let what = format!("nps case {index}");
        let scores = as_answers(&numbers(&case["scores"])).unwrap();
        let result = nps(&scores, C95);
        assert_eq!(result.promoters, count(&case["promoters"]), "{what}");
        assert_eq!(result.passives, count(&case["passives"]), "{what}");
        assert_eq!(result.detractors, count(&case["detractors"]), "{what}");
        assert_eq!(result.n, scores.n(), "{what}");
        assert_matches(
            result.score,
            &case["nps"],
            STATISTIC,
            &format!("{what} score"),
        );
        assert_interval(result.ci, &case["ci95"], STATISTIC, &format!("{what} ci95"));
    }
}

#[test]
fn margin_of_error_matches_every_fixture_case() {
    let fixture = fixture();
    for case in cases(&fixture, "margin_of_error") {
        let (n, population) = (count(&case["n"]), count(&case["population"]));
        let confidence = Confidence::new(case["confidence"].as_f64().unwrap()).unwrap();
        let share = case["p"].as_f64().unwrap();
        assert_matches(
            margin_of_error(share, n, Some(population), confidence),
            &case["margin_of_error"],
            STATISTIC,
            &format!("margin_of_error n={n} N={population}"),
        );
    }
}

#[test]
fn benjamini_hochberg_and_holm_match_the_fixture() {
    let fixture = fixture();
    for (key, adjusted_key, adjust) in [
        (
            "benjamini_hochberg",
            "q",
            benjamini_hochberg as fn(&[Option<f64>]) -> Vec<Option<f64>>,
        ),
        ("holm", "adjusted", holm),
    ] {
        let case = &fixture[key];
        let p: Vec<Option<f64>> = numbers(&case["p"]).into_iter().map(Some).collect();
        let expected = numbers(&case[adjusted_key]);
        let rejected: Vec<bool> = case["rejected_at_0_05"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_bool().unwrap())
            .collect();
        let adjusted = adjust(&p);
        assert_eq!(adjusted.len(), expected.len());
        for (i, (actual, expected)) in adjusted.iter().zip(&expected).enumerate() {
            assert_close(
                actual.unwrap(),
                *expected,
                STATISTIC,
                &format!("{key} [{i}]"),
            );
            assert_eq!(actual.unwrap() <= 0.05, rejected[i], "{key} [{i}] rejected");
        }
    }
}

// METHODS.md §10 reference vectors.

fn sleep_groups() -> ([f64; 10], [f64; 10]) {
    (
        [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0],
        [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4],
    )
}

#[test]
fn r1_welch_on_the_sleep_data() {
    let (g1, g2) = sleep_groups();
    let test = welch(&Moments::of(&g1).unwrap(), &Moments::of(&g2).unwrap(), C95);
    assert_close(test.t.unwrap(), -1.8608134674868526, STATISTIC, "t");
    assert_close(test.df.unwrap(), 17.776473516178488, STATISTIC, "df");
    assert_close(test.p.unwrap(), 0.0793941401873583, P_VALUE, "p");
    assert_pair(
        test.ci,
        -3.3654832307117104,
        0.20548323071171137,
        STATISTIC,
        "ci",
    );
}

#[test]
fn r2_likert_staff_against_customers() {
    let staff = [4.0, 4.0, 5.0, 3.0, 4.0, 5.0, 4.0, 4.0, 3.0, 5.0];
    let customers = [2.0, 3.0, 3.0, 4.0, 2.0, 1.0, 3.0, 4.0, 3.0, 2.0, 5.0, 3.0];
    let (ms, mc) = (
        Moments::of(&staff).unwrap(),
        Moments::of(&customers).unwrap(),
    );
    assert_close(ms.mean().unwrap(), 4.1, STATISTIC, "staff mean");
    assert_close(
        mc.mean().unwrap(),
        2.9166666666666665,
        STATISTIC,
        "customer mean",
    );
    let test = welch(&ms, &mc, C95);
    assert_close(test.t.unwrap(), 3.0322152460905167, STATISTIC, "t");
    assert_close(test.df.unwrap(), 19.331498741565582, STATISTIC, "df");
    assert_close(test.p.unwrap(), 0.006759792651943852, P_VALUE, "p");
    assert_pair(
        test.ci,
        0.36746985614368854,
        1.9991968105229776,
        STATISTIC,
        "ci",
    );

    let mwu = mann_whitney(&staff, &customers);
    assert_eq!(mwu.u_a, Some(97.5));
    assert_close(mwu.p.unwrap(), 0.01136018636479707, P_VALUE, "mwu p");
    assert_eq!(mwu.cliffs_delta, Some(0.625));
    assert_close(
        cohens_d(&ms, &mc).unwrap(),
        1.2537440032036313,
        STATISTIC,
        "d",
    );
    assert_close(
        hedges_g(&ms, &mc).unwrap(),
        1.206133471436405,
        STATISTIC,
        "g",
    );
    assert_close(
        hedges_g(&ms, &mc).unwrap() / cohens_d(&ms, &mc).unwrap(),
        0.9620253164556962,
        STATISTIC,
        "J",
    );
}

#[test]
fn r3_wilson_and_clopper_pearson() {
    for (k, n, lower, upper) in [
        (81, 263, 0.2552885198782742, 0.36620957698280004),
        (15, 148, 0.0623863995307363, 0.16048724172330803),
        (0, 20, 0.0, 0.16112515805281938),
        (1, 29, 0.006113214292762653, 0.17175521879320288),
        (7, 10, 0.39677814746114537, 0.8922087325936989),
        (74, 107, 0.5987150913219855, 0.7711826025212977),
    ] {
        assert_pair(
            wilson_interval(k, n, C95),
            lower,
            upper,
            STATISTIC,
            &format!("wilson {k}/{n}"),
        );
    }
    assert_close(C95.z(), 1.959963984540054, STATISTIC, "z");
    // Iterative Beta inverse: METHODS.md quotes statrs = SciPy to 10 digits.
    assert_pair(
        clopper_pearson_interval(81, 263, C95),
        0.25273674558504267,
        0.36762192260134746,
        P_VALUE,
        "clopper-pearson 81/263",
    );
}

#[test]
fn r4_difference_of_two_shares() {
    let result = proportion_difference(56, 70, 48, 80, C95);
    assert_close(result.difference.unwrap(), 0.2, STATISTIC, "d");
    assert_pair(
        result.ci,
        0.05243147240236498,
        0.333872654036906,
        STATISTIC,
        "newcombe",
    );
    assert_close(result.z.unwrap(), 2.6501719512585336, STATISTIC, "z");
    assert_close(
        result.z.unwrap().powi(2),
        7.023411371237456,
        STATISTIC,
        "chi-square",
    );
    assert_close(result.p.unwrap(), 0.00804508136819656, P_VALUE, "p");
    let second = proportion_difference(9, 10, 3, 10, C95);
    assert_close(second.difference.unwrap(), 0.6, STATISTIC, "d");
    assert_pair(
        second.ci,
        0.17052272393450302,
        0.8090179735354881,
        STATISTIC,
        "newcombe",
    );
}

/// METHODS.md §10 R5, pingouin's docstring data: each line is one item's scores for
/// respondents 0..14.
const PINGOUIN_ITEMS: [[f64; 15]; 10] = [
    [3., 5., 7., 2., 6., 1., 4., 2., 6., 5., 4., 4., 5., 6., 4.],
    [2., 4., 3., 4., 5., 2., 3., 4., 5., 4., 3., 2., 5., 5., 3.],
    [4., 6., 5., 3., 6., 3., 5., 4., 5., 6., 5., 3., 6., 5., 5.],
    [1., 3., 5., 3., 5., 4., 3., 3., 5., 4., 2., 2., 2., 4., 5.],
    [4., 5., 6., 2., 4., 2., 5., 7., 1., 3., 5., 5., 3., 2., 3.],
    [5., 1., 4., 2., 4., 5., 2., 2., 6., 5., 3., 3., 3., 2., 1.],
    [1., 2., 3., 2., 4., 2., 1., 2., 5., 3., 2., 4., 2., 1., 3.],
    [4., 5., 3., 6., 6., 3., 2., 4., 2., 1., 3., 2., 4., 4., 2.],
    [3., 5., 6., 6., 7., 5., 4., 6., 3., 7., 4., 3., 4., 6., 3.],
    [2., 5., 5., 3., 5., 2., 3., 5., 2., 2., 1., 4., 5., 5., 4.],
];

#[test]
fn r5_cronbach_alpha_of_the_pingouin_example() {
    let rows: Vec<Vec<Option<f64>>> = (0..15)
        .map(|respondent| {
            PINGOUIN_ITEMS
                .iter()
                .map(|item| Some(item[respondent]))
                .collect()
        })
        .collect();
    let result = cronbach_alpha(10, &rows, C95);
    assert_eq!((result.respondents, result.items), (15, 10));
    assert_close(
        result.alpha.unwrap(),
        0.5917188485995828,
        STATISTIC,
        "alpha",
    );
    // Σ item variances / total variance = 20.38095238095238 / 43.6.
    assert_close(
        1.0 - result.alpha.unwrap() * 9.0 / 10.0,
        20.38095238095238 / 43.6,
        STATISTIC,
        "ratio",
    );
    assert_pair(
        result.ci,
        0.1949213906631222,
        0.8398208146275433,
        P_VALUE,
        "feldt",
    );
}

#[test]
fn r5_cronbach_alpha_small_exact_example() {
    let rows: Vec<Vec<Option<f64>>> = [
        [4., 5., 4., 4.],
        [3., 3., 2., 3.],
        [5., 5., 5., 4.],
        [2., 3., 2., 2.],
        [4., 4., 3., 4.],
        [3., 2., 3., 3.],
    ]
    .iter()
    .map(|row| row.iter().copied().map(Some).collect())
    .collect();
    let result = cronbach_alpha(4, &rows, C95);
    assert_close(result.alpha.unwrap(), 163.0 / 174.0, STATISTIC, "alpha");
    assert_close(
        result.alpha.unwrap(),
        0.9367816091954023,
        STATISTIC,
        "alpha",
    );
    assert_close(
        result.standardized_alpha.unwrap(),
        0.945846161832706,
        STATISTIC,
        "standardized",
    );
    // METHODS.md gives alpha if deleted to 5 decimals.
    for (actual, expected) in result
        .alpha_if_deleted
        .iter()
        .zip([0.88716, 0.94048, 0.91566, 0.92532])
    {
        assert!(
            (actual.unwrap() - expected).abs() < 5e-6,
            "{actual:?} vs {expected}"
        );
    }
}

#[test]
fn r6_multiple_comparisons() {
    let p = [Some(0.01), Some(0.04), Some(0.03), Some(0.005), Some(0.20)];
    for (actual, expected) in benjamini_hochberg(&p)
        .iter()
        .zip([0.025, 0.05, 0.05, 0.025, 0.20])
    {
        assert_close(actual.unwrap(), expected, STATISTIC, "bh");
    }
    for (actual, expected) in holm(&p).iter().zip([0.04, 0.09, 0.09, 0.025, 0.20]) {
        assert_close(actual.unwrap(), expected, STATISTIC, "holm");
    }
}

#[test]
fn r7_margin_of_error_and_sample_size() {
    for (n, population, without, with) in [
        (200, 500, 0.06929519121748388, 0.053729580783987506),
        (30, 40, 0.17891941437171568, 0.09059936723489581),
    ] {
        assert_close(
            margin_of_error(0.5, n, None, C95).unwrap(),
            without,
            STATISTIC,
            "moe",
        );
        assert_close(
            margin_of_error(0.5, n, Some(population), C95).unwrap(),
            with,
            STATISTIC,
            "moe fpc",
        );
    }
    // n = 100 of N = 100 000 → 9.80 points without FPC, 9.79 with (to 2 decimals).
    assert!((margin_of_error(0.5, 100, None, C95).unwrap() - 0.0980).abs() < 5e-5);
    assert!((margin_of_error(0.5, 100, Some(100_000), C95).unwrap() - 0.0979).abs() < 5e-5);
    // §4.6 Cochran, e = ±5 points, p = 0.5: n₀ = 384.1 and the table per population.
    assert_eq!(responses_needed(0.05, 0.5, None, C95), Some(385));
    for (population, needed) in [
        (50, 45),
        (100, 80),
        (200, 132),
        (500, 218),
        (1000, 278),
        (10_000, 370),
    ] {
        assert_eq!(
            responses_needed(0.05, 0.5, Some(population), C95),
            Some(needed),
            "N={population}"
        );
    }
}

#[test]
fn r8_paired_t_on_the_sleep_data() {
    let (g1, g2) = sleep_groups();
    let test = paired_t(&g1, &g2, C95);
    assert_close(test.t.unwrap(), -4.062127683382037, STATISTIC, "t");
    assert_eq!(test.df, Some(9.0));
    assert_close(test.p.unwrap(), 0.002832890197384273, P_VALUE, "p");
    assert_pair(
        test.ci,
        -2.459885763276983,
        -0.7001142367230175,
        STATISTIC,
        "ci",
    );
}

#[test]
fn r9_control_charts() {
    let chart = xmr_chart(&[3.62, 3.71, 3.58, 3.80, 3.66, 3.49, 3.74]).unwrap();
    // METHODS.md prints these to 6–10 significant digits.
    assert_close(chart.centre, 3.657142857, 1e-9, "centre");
    assert_close(chart.mean_moving_range, 0.1666667, 1e-6, "MR̄");
    assert_close(chart.limits.upper, 4.100476, 1e-6, "UCL");
    assert_close(chart.limits.lower, 3.213810, 1e-6, "LCL");
    assert_close(chart.moving_range_upper, 0.5445, 1e-4, "MR UCL");

    let chart = p_chart(&[160, 171, 150, 182, 158], &[210, 220, 205, 230, 240]).unwrap();
    assert_close(chart.centre, 0.7429864253, 1e-9, "p̄");
    assert_close(chart.waves[0].limits.lower, 0.652522, 1e-6, "wave 1 LCL");
    assert_close(chart.waves[0].limits.upper, 0.833451, 1e-6, "wave 1 UCL");
    let last = chart.waves[4];
    assert_close(last.share, 0.658333, 1e-6, "wave 5 p");
    assert_close(last.limits.lower, 0.658364, 1e-6, "wave 5 LCL");
    assert!(last.signal, "wave 5 is just below its lower limit");
    assert!(chart.waves[..4].iter().all(|w| !w.signal));
}

#[test]
fn r10_nps() {
    let result = nps_from_counts(40, 30, 30, C95);
    assert_eq!(result.score, Some(10.0));
    let half_width = result.ci.unwrap().upper - 10.0;
    assert_close(half_width / C95.z(), 8.306623862918075, STATISTIC, "se");
    assert_pair(result.ci, -6.2807, 26.2807, 1e-4, "ci");
}

/// Welch degrees of freedom run into the hundreds of thousands for a million customers; the
/// t distribution must stay accurate there (SciPy 1.17.1 `t.ppf(0.975, ν)` and `t.sf(2.5, ν)`).
#[test]
fn student_t_is_accurate_at_large_degrees_of_freedom() {
    for (df, quantile, tail) in [
        (1e3, 1.9623390808264083, 0.0062892839005454036),
        (1e5, 1.9599877075346095, 0.0062104595962795255),
        (1e6, 1.959966356814107, 0.006209744751081627),
        (1049999.0, 1.9599662438506993, 0.006209740968987465),
        (3e7, 1.9599640636157647, 0.006209667973280076),
    ] {
        assert_close(
            C95.t(df).unwrap(),
            quantile,
            STATISTIC,
            &format!("t quantile, ν = {df}"),
        );
        assert_close(
            t_test_p(2.5, df).unwrap() / 2.0,
            tail,
            P_VALUE,
            &format!("t tail, ν = {df}"),
        );
    }
    assert_eq!(t_test_p(40.0, 1e5), Some(0.0));
}

#[test]
fn r12_servqual_score_is_the_mean_of_dimension_gaps() {
    let summary = summarize(&[-0.65, -1.10, -0.83, -0.70, -1.01], C95);
    assert_close(summary.mean.unwrap(), -0.858, STATISTIC, "servqual");
}

#[test]
fn statrs_quantiles_used_by_the_intervals() {
    // METHODS.md §7: t(0.975, ν) at R1's Welch ν (SciPy 1.17.1 t.ppf) and the F quantiles
    // behind the Feldt interval.
    assert_close(
        C95.t(17.776473516178488).unwrap(),
        2.1028172415698023,
        STATISTIC,
        "t quantile",
    );
    let f = statrs::distribution::FisherSnedecor::new(14.0, 126.0).unwrap();
    use statrs::distribution::ContinuousCDF;
    assert_close(f.inverse_cdf(0.975), 1.9718730746580704, P_VALUE, "F 0.975");
    assert_close(
        f.inverse_cdf(0.025),
        0.39232569229080744,
        P_VALUE,
        "F 0.025",
    );
}

/// The benchmark's scale — a million customers against tens of thousands of staff — through
/// answer tallies. SciPy 1.17.1 on the same data expanded to arrays (`np.repeat`).
#[test]
fn a_million_customers_against_staff_at_scale() {
    let tally = |counts: [u64; 5]| {
        let mut tally = Tally::new();
        for (value, count) in (1u8..=5).zip(counts) {
            tally.add_many(value, count);
        }
        tally
    };
    let customers = tally([100_000, 150_000, 250_000, 300_000, 200_000]);

    let staff = tally([2_000, 5_000, 10_000, 18_000, 15_000]);
    let test = welch(&staff.moments(), &customers.moments(), C95);
    assert_close(
        test.mean_difference.unwrap(),
        0.4299999999999997,
        STATISTIC,
        "difference",
    );
    assert_close(test.t.unwrap(), 84.72189140157249, STATISTIC, "t");
    assert_close(test.df.unwrap(), 56489.847843011485, STATISTIC, "df");
    assert_eq!(test.p, Some(0.0));
    assert_pair(
        test.ci,
        0.42005212752585885,
        0.4399478724741406,
        STATISTIC,
        "ci",
    );
    let mwu = mann_whitney_tallies(&staff, &customers);
    assert_eq!(mwu.u_a, Some(29_925_000_000.0));
    assert_eq!(mwu.p, Some(0.0));

    let staff = tally([9_900, 15_100, 25_000, 29_000, 21_000]);
    let test = welch(&staff.moments(), &customers.moments(), C95);
    assert_close(test.t.unwrap(), 2.6683277747375422, STATISTIC, "t");
    assert_close(test.df.unwrap(), 120608.31603025924, STATISTIC, "df");
    assert_close(test.p.unwrap(), 0.007624004076188838, P_VALUE, "p");
    assert_pair(
        test.ci,
        0.002920100522286556,
        0.019079899477713685,
        STATISTIC,
        "ci",
    );
    let mwu = mann_whitney_tallies(&staff, &customers);
    assert_eq!(mwu.u_a, Some(50_262_500_000.0));
    assert_close(mwu.p.unwrap(), 0.004799633458157046, P_VALUE, "mwu p");
    assert_close(
        mwu.cliffs_delta.unwrap(),
        0.00525,
        STATISTIC,
        "cliffs delta",
    );
}
