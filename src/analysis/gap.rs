//! Perception gaps: staff predictions against customer answers, per item and per
//! dimension, overall and in every breakdown (DESIGN.md, "Analysis: definitions").
//!
//! Gap = staff mean − customer mean. Positive: IT over-estimates itself (blind spot).
//! Staff are always the first sample of every test. Within one table, the Welch p-values of
//! the items form one Benjamini–Hochberg family and the dimensions another.

use serde::Serialize;

use super::responses::{ResponseSet, WaveResponses};
use super::stats::{
    Confidence, Interval, MannWhitney, Moments, Tally, benjamini_hochberg, hedges_g, mann_whitney,
    mann_whitney_tallies, welch,
};
use super::suppress::{Suppression, SuppressionNote, suppress};
use crate::domain::{NO_ANSWER, Scale};

/// What makes a gap a finding (settings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GapRules {
    pub reporting_threshold: u64,
    /// q below this is significant (0.05).
    pub significance_level: f64,
    /// |gap| at least this share of the scale's range is material (0.125).
    pub material_gap_share: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// IT rates itself materially and significantly higher than its customers do.
    BlindSpot,
    /// IT rates itself materially and significantly lower than its customers do.
    HiddenStrength,
    /// No material, significant difference.
    Aligned,
    /// One side has fewer answers than the reporting threshold.
    InsufficientData,
    /// An importance item: staff think it matters materially and significantly more to
    /// customers than customers say it does.
    OverestimatedPriority,
    /// An importance item: it matters materially and significantly more to customers than
    /// IT thinks.
    UnderestimatedPriority,
}

impl Verdict {
    /// The verdict seen from the other side: swapping audiences swaps blind spots and
    /// hidden strengths.
    pub fn mirrored(self) -> Verdict {
        match self {
            Verdict::BlindSpot => Verdict::HiddenStrength,
            Verdict::HiddenStrength => Verdict::BlindSpot,
            Verdict::OverestimatedPriority => Verdict::UnderestimatedPriority,
            Verdict::UnderestimatedPriority => Verdict::OverestimatedPriority,
            other => other,
        }
    }

    /// The verdict of an importance item: what matters, not how IT performs, so a material
    /// gap there is a misjudged priority rather than a blind spot or hidden strength.
    fn as_priority(self) -> Verdict {
        match self {
            Verdict::BlindSpot => Verdict::OverestimatedPriority,
            Verdict::HiddenStrength => Verdict::UnderestimatedPriority,
            other => other,
        }
    }

    /// A finding about how IT performs (blind spot or hidden strength).
    pub fn is_performance_finding(self) -> bool {
        matches!(self, Verdict::BlindSpot | Verdict::HiddenStrength)
    }

    /// A finding about what matters to customers (a misjudged priority).
    pub fn is_priority_finding(self) -> bool {
        matches!(
            self,
            Verdict::OverestimatedPriority | Verdict::UnderestimatedPriority
        )
    }
}

/// One audience's figures; all `None` below the reporting threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Side {
    pub n: Option<u64>,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub ci95: Option<Interval>,
}

impl Side {
    const HIDDEN: Side = Side {
        n: None,
        mean: None,
        sd: None,
        ci95: None,
    };

    fn of(moments: &Moments, shown: bool) -> Side {
        if !shown {
            return Side::HIDDEN;
        }
        let summary = moments.summary(Confidence::NINETY_FIVE);
        Side {
            n: Some(summary.n),
            mean: summary.mean,
            sd: summary.sd,
            ci95: summary.ci,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WelchTest {
    pub t: Option<f64>,
    pub df: Option<f64>,
    pub p: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannWhitneyTest {
    /// U of the staff sample.
    pub u: Option<f64>,
    pub p: Option<f64>,
}

/// The comparison of one item or dimension.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Gap {
    pub customer: Side,
    pub staff: Side,
    /// Staff mean − customer mean.
    pub gap: Option<f64>,
    pub gap_ci95: Option<Interval>,
    pub welch: Option<WelchTest>,
    pub mann_whitney: Option<MannWhitneyTest>,
    pub hedges_g: Option<f64>,
    pub cliffs_delta: Option<f64>,
    /// Benjamini–Hochberg q of the Welch p within this table.
    pub q: Option<f64>,
    pub verdict: Verdict,
    /// Why this cell is hidden, when the whole cell is (breakdowns only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
    /// Half-width that counts as material on this item's scale.
    #[serde(skip)]
    material: f64,
}

/// One side of a comparison: its moments and an ordinal histogram for the rank tests.
#[derive(Debug, Clone)]
pub struct Sample {
    pub moments: Moments,
    /// Counts per rank; only the order of the ranks matters.
    pub ranks: Tally,
}

impl Sample {
    pub fn of_answers(tally: &Tally) -> Sample {
        Sample {
            moments: tally.moments(),
            ranks: tally.clone(),
        }
    }
}

/// Compares staff (first) with customers. `range` is the scale's max − min.
pub fn compare(staff: &Sample, customers: &Sample, range: f64, rules: &GapRules) -> Gap {
    compare_moments(
        &staff.moments,
        &customers.moments,
        || mann_whitney_tallies(&staff.ranks, &customers.ranks),
        range,
        rules,
    )
}

/// The comparison itself; the rank test is only run when both sides are large enough.
fn compare_moments(
    staff: &Moments,
    customers: &Moments,
    rank_test: impl FnOnce() -> MannWhitney,
    range: f64,
    rules: &GapRules,
) -> Gap {
    let enough_staff = staff.n() >= rules.reporting_threshold;
    let enough_customers = customers.n() >= rules.reporting_threshold;
    let material = rules.material_gap_share * range;
    let mut gap = Gap {
        customer: Side::of(customers, enough_customers),
        staff: Side::of(staff, enough_staff),
        gap: None,
        gap_ci95: None,
        welch: None,
        mann_whitney: None,
        hedges_g: None,
        cliffs_delta: None,
        q: None,
        verdict: Verdict::InsufficientData,
        suppressed: None,
        material,
    };
    if !(enough_staff && enough_customers) {
        return gap;
    }
    let t = welch(staff, customers, Confidence::NINETY_FIVE);
    let mw = rank_test();
    gap.gap = t.mean_difference;
    gap.gap_ci95 = t.ci;
    gap.welch = Some(WelchTest {
        t: t.t,
        df: t.df,
        p: t.p,
    });
    gap.mann_whitney = Some(MannWhitneyTest { u: mw.u_a, p: mw.p });
    gap.hedges_g = hedges_g(staff, customers);
    gap.cliffs_delta = mw.cliffs_delta;
    gap.verdict = Verdict::Aligned;
    gap
}

/// Sets q and the verdict of every gap of one table (one Benjamini–Hochberg family).
pub fn judge_family<'a>(gaps: impl IntoIterator<Item = &'a mut Gap>, rules: &GapRules) {
    let mut gaps: Vec<&mut Gap> = gaps.into_iter().collect();
    let p: Vec<Option<f64>> = gaps
        .iter()
        .map(|g| match g.verdict {
            Verdict::InsufficientData => None,
            _ => g.welch.and_then(|w| w.p),
        })
        .collect();
    for (gap, q) in gaps.iter_mut().zip(benjamini_hochberg(&p)) {
        gap.q = q;
        if gap.verdict == Verdict::InsufficientData {
            continue;
        }
        gap.verdict = match (q, gap.gap) {
            (Some(q), Some(d)) if q < rules.significance_level && d >= gap.material => {
                Verdict::BlindSpot
            }
            (Some(q), Some(d)) if q < rules.significance_level && d <= -gap.material => {
                Verdict::HiddenStrength
            }
            _ => Verdict::Aligned,
        };
    }
}

impl Gap {
    /// A gap with the two sides given and no tests, for other modules' tests.
    #[cfg(test)]
    pub(crate) fn shown(customer: Side, staff: Side, verdict: Verdict) -> Gap {
        Gap {
            gap: staff.mean.zip(customer.mean).map(|(s, c)| s - c),
            customer,
            staff,
            gap_ci95: None,
            welch: None,
            mann_whitney: None,
            hedges_g: None,
            cliffs_delta: None,
            q: None,
            verdict,
            suppressed: None,
            material: 0.5,
        }
    }
}

/// A gap hidden to protect a small group, with nothing in it.
fn hidden(reason: Suppression) -> Gap {
    Gap {
        customer: Side::HIDDEN,
        staff: Side::HIDDEN,
        gap: None,
        gap_ci95: None,
        welch: None,
        mann_whitney: None,
        hedges_g: None,
        cliffs_delta: None,
        q: None,
        verdict: Verdict::InsufficientData,
        suppressed: Some(reason),
        material: 0.0,
    }
}

// ---------------------------------------------------------------------------------------
// Items and dimensions of an instrument, as the gap report needs them.

/// An item of the wave's instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemInfo {
    pub code: String,
    /// A few words that name the item where its wording does not fit.
    pub label: String,
    /// The statement or question customers answer.
    pub wording: String,
    pub dimension: String,
    pub scale: Scale,
    /// Index into the packed answers.
    pub position: usize,
    pub mirrored: bool,
    pub service: Option<String>,
}

impl ItemInfo {
    /// Compared in the gap report: mirrored rating items.
    fn is_gap_item(&self) -> bool {
        self.mirrored && self.scale.is_rating()
    }

    /// Counted in a dimension score: mirrored likert5 items not about one service.
    fn is_dimension_item(&self) -> bool {
        self.mirrored && self.scale == Scale::Likert5 && self.service.is_none()
    }
}

/// A dimension and the positions of its items (two or more, so it is a scale).
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionInfo {
    pub dimension: String,
    pub positions: Vec<usize>,
}

/// The dimensions scored from `items`, in first-appearance order.
pub fn dimensions_of(items: &[ItemInfo]) -> Vec<DimensionInfo> {
    let mut out: Vec<DimensionInfo> = Vec::new();
    for item in items.iter().filter(|i| i.is_dimension_item()) {
        match out.iter_mut().find(|d| d.dimension == item.dimension) {
            Some(d) => d.positions.push(item.position),
            None => out.push(DimensionInfo {
                dimension: item.dimension.clone(),
                positions: vec![item.position],
            }),
        }
    }
    out.retain(|d| d.positions.len() >= 2);
    out
}

/// Per respondent, a dimension score as (sum, count) of answered likert5 items, packed
/// into one small key so scores can be counted in an array: key = count·STRIDE + sum,
/// 0 = answered none.
#[derive(Debug, Clone)]
struct DimensionScores {
    keys: Vec<u32>,
    max_items: usize,
}

/// Likert5 answers are at most 5.
const MAX_ANSWER: usize = 5;

impl DimensionScores {
    fn stride(max_items: usize) -> usize {
        MAX_ANSWER * max_items + 1
    }

    fn of(set: &ResponseSet, dimension: &DimensionInfo) -> DimensionScores {
        let max_items = dimension.positions.len();
        let stride = Self::stride(max_items);
        let mut sums = vec![0u16; set.len()];
        let mut counts = vec![0u16; set.len()];
        for &position in &dimension.positions {
            if let Some(column) = set.answers.get(position) {
                for ((sum, count), &v) in sums.iter_mut().zip(counts.iter_mut()).zip(column) {
                    // Out-of-scale bytes can't be stored, but never let one skew a score.
                    if v != NO_ANSWER && (1..=MAX_ANSWER as u8).contains(&v) {
                        *sum += u16::from(v);
                        *count += 1;
                    }
                }
            }
        }
        let keys = sums
            .iter()
            .zip(&counts)
            .map(|(&s, &c)| {
                if c == 0 {
                    0
                } else {
                    (usize::from(c) * stride + usize::from(s)) as u32
                }
            })
            .collect();
        DimensionScores { keys, max_items }
    }

    fn slots(&self) -> usize {
        (self.max_items + 1) * Self::stride(self.max_items)
    }

    /// The score a key stands for.
    fn value(key: usize, max_items: usize) -> f64 {
        let stride = Self::stride(max_items);
        (key % stride) as f64 / (key / stride) as f64
    }
}

/// Counts of dimension-score keys of one group.
#[derive(Debug, Clone)]
struct ScoreCounts {
    counts: Vec<u64>,
    max_items: usize,
}

impl ScoreCounts {
    fn n(&self) -> u64 {
        self.counts.iter().skip(1).sum()
    }

    fn moments(&self) -> Moments {
        Moments::of_counts(&self.values().collect::<Vec<_>>()).unwrap_or(Moments::EMPTY)
    }

    /// The distinct scores present, with their counts.
    fn values(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, c)| **c > 0)
            .map(|(key, c)| (DimensionScores::value(key, self.max_items), *c))
    }
}

/// Compares two groups' dimension scores. Scores are means of a few answers, so there are
/// few distinct values: they are ranked through a tally when they fit one, and as plain
/// values otherwise (only dimensions of dozens of items get there).
fn compare_scores(staff: &ScoreCounts, customers: &ScoreCounts, rules: &GapRules) -> Gap {
    let staff_values: Vec<(f64, u64)> = staff.values().collect();
    let customer_values: Vec<(f64, u64)> = customers.values().collect();
    let (staff_moments, customer_moments) = (staff.moments(), customers.moments());
    let mut distinct: Vec<f64> = staff_values
        .iter()
        .chain(&customer_values)
        .map(|(v, _)| *v)
        .collect();
    distinct.sort_by(f64::total_cmp);
    // Equal fractions (2/1 and 4/2) divide to the same double, so they share a rank.
    distinct.dedup();
    let rank_test = || {
        if distinct.len() <= usize::from(u8::MAX) {
            let tally = |w: &[(f64, u64)]| {
                let mut tally = Tally::new();
                for (v, c) in w {
                    tally.add_many(distinct.partition_point(|d| d < v) as u8, *c);
                }
                tally
            };
            mann_whitney_tallies(&tally(&staff_values), &tally(&customer_values))
        } else {
            let expand = |w: &[(f64, u64)]| -> Vec<f64> {
                w.iter()
                    .flat_map(|(v, c)| std::iter::repeat_n(*v, *c as usize))
                    .collect()
            };
            mann_whitney(&expand(&staff_values), &expand(&customer_values))
        }
    };
    // Scores lie on the likert5 range.
    compare_moments(&staff_moments, &customer_moments, rank_test, 4.0, rules)
}

// ---------------------------------------------------------------------------------------
// Tables and breakdowns.

/// An item's row in a gap table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemGap {
    pub item: String,
    /// The item's short name.
    pub label: String,
    /// The statement customers answered (staff predicted their answer to it).
    pub wording: String,
    pub dimension: String,
    /// The scale both sides answered on; gaps are in its units.
    pub scale: Scale,
    #[serde(flatten)]
    pub gap: Gap,
}

impl ItemGap {
    /// The gap as a share of the scale's range, for comparing items of different scales.
    pub fn gap_share(&self) -> Option<f64> {
        let (lo, hi) = self.scale.range()?;
        let range = f64::from(hi - lo);
        self.gap.gap.filter(|g| g.is_finite()).map(|g| g / range)
    }
}

/// A dimension's row in a gap table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionGap {
    pub dimension: String,
    #[serde(flatten)]
    pub gap: Gap,
}

/// Items and dimensions compared for one set of respondents, with what was hidden.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapTable {
    pub items: Vec<ItemGap>,
    pub dimensions: Vec<DimensionGap>,
    /// Cells hidden in this table.
    pub suppressed: SuppressionNote,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakdownBy {
    /// Customers of one agency against all staff.
    Agency,
    /// Customers of one segment against all staff.
    Segment,
    /// One staff team against all customers.
    Team,
}

/// One group of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTable {
    /// Agency code, segment or team.
    pub group: String,
    /// Respondents in the group; `None` when the group is hidden.
    pub respondents: Option<u64>,
    /// Why the whole group is hidden.
    pub suppressed: Option<Suppression>,
    pub table: Option<GapTable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    pub by: BreakdownBy,
    pub groups: Vec<GroupTable>,
    /// Groups hidden in this breakdown.
    pub suppressed: SuppressionNote,
}

/// The whole gap report of a wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapReport {
    pub reporting_threshold: u64,
    pub customer_respondents: u64,
    pub staff_respondents: u64,
    pub items: Vec<ItemGap>,
    pub dimensions: Vec<DimensionGap>,
    pub suppressed: SuppressionNote,
    pub breakdowns: Vec<Breakdown>,
}

/// Respondents assigned to groups: `of[respondent]` is a group index or `NO_GROUP`.
#[derive(Debug, Clone)]
pub struct Grouping {
    pub names: Vec<String>,
    pub of: Vec<u32>,
}

pub const NO_GROUP: u32 = u32::MAX;

impl Grouping {
    /// Everyone in one group.
    fn all(n: usize) -> Grouping {
        Grouping {
            names: vec![String::new()],
            of: vec![0; n],
        }
    }

    /// Customers by agency, groups ordered by agency code.
    pub fn by_agency(set: &ResponseSet, agency_code: impl Fn(i64) -> String) -> Grouping {
        let mut ids: Vec<i64> = set
            .agency
            .iter()
            .flatten()
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut named: Vec<(String, i64)> = ids.drain(..).map(|id| (agency_code(id), id)).collect();
        named.sort();
        let index: std::collections::HashMap<i64, u32> = named
            .iter()
            .enumerate()
            .map(|(i, (_, id))| (*id, i as u32))
            .collect();
        Grouping {
            of: set
                .agency
                .iter()
                .map(|a| a.and_then(|id| index.get(&id).copied()).unwrap_or(NO_GROUP))
                .collect(),
            names: named.into_iter().map(|(name, _)| name).collect(),
        }
    }

    /// Respondents by segment (customers) or team (staff), groups ordered by name.
    pub fn by_segment(set: &ResponseSet) -> Grouping {
        let mut order: Vec<usize> = (0..set.segments.len()).collect();
        order.sort_by(|a, b| set.segments[*a].cmp(&set.segments[*b]));
        let mut rank = vec![0u32; set.segments.len()];
        for (new, old) in order.iter().enumerate() {
            rank[*old] = new as u32;
        }
        Grouping {
            names: order.iter().map(|i| set.segments[*i].clone()).collect(),
            of: set
                .segment
                .iter()
                .map(|s| s.map_or(NO_GROUP, |s| rank[s as usize]))
                .collect(),
        }
    }

    fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0usize; self.names.len()];
        for &g in &self.of {
            if let Some(size) = sizes.get_mut(g as usize) {
                *size += 1;
            }
        }
        sizes
    }
}

/// Runs `f` over `0..n` on every core, collecting results in order. The analysis is pure,
/// so items can be counted in parallel.
pub(crate) fn parallel_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(n.max(1));
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let f = &f;
    let chunk = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t * chunk..((t + 1) * chunk).min(n))
                        .map(f)
                        .collect::<Vec<T>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Cells above this many are counted in several passes rather than one.
const MAX_CELLS: usize = 4096;

/// Every respondent's cell: the combination of their groups in several groupings, as one
/// mixed-radix number (each grouping's digit is its group, or one more for "none"). One
/// pass over an answer column then counts every grouping at once, reading two bytes per
/// respondent instead of four per grouping.
struct Cells {
    of: Vec<u16>,
    /// Per grouping: (stride, radix) of its digit.
    digits: Vec<(usize, usize)>,
    count: usize,
}

impl Cells {
    fn new(groupings: &[&Grouping], n: usize) -> Cells {
        let mut digits = Vec::with_capacity(groupings.len());
        let mut count = 1;
        for g in groupings {
            let radix = g.names.len() + 1;
            digits.push((count, radix));
            count *= radix;
        }
        let mut of = vec![0u16; n];
        for (grouping, (stride, radix)) in groupings.iter().zip(&digits) {
            for (cell, &group) in of.iter_mut().zip(&grouping.of) {
                let digit = if (group as usize) < radix - 1 {
                    group as usize
                } else {
                    radix - 1
                };
                *cell += (digit * stride) as u16;
            }
        }
        Cells { of, digits, count }
    }

    /// Folds per-cell counts into per-group counts of grouping `k` (the "none" digit drops).
    fn fold<T: Clone>(
        &self,
        k: usize,
        cells: &[T],
        empty: &T,
        mut add: impl FnMut(&mut T, &T),
    ) -> Vec<T> {
        let (stride, radix) = self.digits[k];
        let mut out = vec![empty.clone(); radix - 1];
        for (c, counts) in cells.iter().enumerate() {
            if let Some(group) = out.get_mut((c / stride) % radix) {
                add(group, counts);
            }
        }
        out
    }
}

/// Splits groupings into batches whose cells fit `MAX_CELLS`.
fn batches<'g>(groupings: &[&'g Grouping]) -> Vec<Vec<(usize, &'g Grouping)>> {
    let mut out: Vec<Vec<(usize, &Grouping)>> = Vec::new();
    let mut cells = usize::MAX;
    for (k, g) in groupings.iter().enumerate() {
        let radix = g.names.len() + 1;
        match out.last_mut() {
            Some(batch) if cells.saturating_mul(radix) <= MAX_CELLS => {
                batch.push((k, g));
                cells *= radix;
            }
            _ => {
                out.push(vec![(k, g)]);
                cells = radix;
            }
        }
    }
    out
}

/// Histograms of items by group, for several groupings, plus the whole audience:
/// `(everyone[item], by_grouping[grouping][item][group])`.
fn tallies_by(
    set: &ResponseSet,
    positions: &[usize],
    groupings: &[&Grouping],
) -> (Vec<Tally>, Vec<Vec<Vec<Tally>>>) {
    let mut everyone = Vec::new();
    let mut by: Vec<Vec<Vec<Tally>>> = vec![Vec::new(); groupings.len()];
    let batches = batches(groupings);
    let single = [Grouping::all(0)];
    let batches = if batches.is_empty() {
        vec![vec![(usize::MAX, &single[0])]]
    } else {
        batches
    };
    for (b, batch) in batches.iter().enumerate() {
        let refs: Vec<&Grouping> = batch.iter().map(|(_, g)| *g).collect();
        let cells = Cells::new(&refs, set.len());
        let per_item: Vec<Vec<Tally>> = parallel_map(positions.len(), |i| {
            let mut counts = vec![Tally::new(); cells.count];
            if let Some(column) = set.answers.get(positions[i]) {
                for (&v, &cell) in column.iter().zip(&cells.of) {
                    if v != NO_ANSWER
                        && let Some(tally) = counts.get_mut(usize::from(cell))
                    {
                        tally.add(v);
                    }
                }
            }
            counts
        });
        if b == 0 {
            everyone = per_item
                .iter()
                .map(|cells| {
                    cells.iter().fold(Tally::new(), |mut all, t| {
                        all.merge(t);
                        all
                    })
                })
                .collect();
        }
        for (d, (k, _)) in batch.iter().enumerate() {
            if let Some(slot) = by.get_mut(*k) {
                *slot = per_item
                    .iter()
                    .map(|c| cells.fold(d, c, &Tally::new(), |a, t| a.merge(t)))
                    .collect();
            }
        }
    }
    (everyone, by)
}

/// Dimension-score counts, the same way: `(everyone[dimension], by[grouping][dimension][group])`.
fn score_counts_by(
    scores: &[DimensionScores],
    groupings: &[&Grouping],
    n: usize,
) -> (Vec<ScoreCounts>, Vec<Vec<Vec<ScoreCounts>>>) {
    let mut everyone = Vec::new();
    let mut by: Vec<Vec<Vec<ScoreCounts>>> = vec![Vec::new(); groupings.len()];
    let batches = batches(groupings);
    let single = [Grouping::all(0)];
    let batches = if batches.is_empty() {
        vec![vec![(usize::MAX, &single[0])]]
    } else {
        batches
    };
    let add = |a: &mut ScoreCounts, b: &ScoreCounts| {
        for (x, y) in a.counts.iter_mut().zip(&b.counts) {
            *x += y;
        }
    };
    for (b, batch) in batches.iter().enumerate() {
        let refs: Vec<&Grouping> = batch.iter().map(|(_, g)| *g).collect();
        let cells = Cells::new(&refs, n);
        let per_dim: Vec<(ScoreCounts, Vec<ScoreCounts>)> = parallel_map(scores.len(), |i| {
            let scores = &scores[i];
            let empty = ScoreCounts {
                counts: vec![0; scores.slots()],
                max_items: scores.max_items,
            };
            let mut counts = vec![empty.clone(); cells.count];
            for (&key, &cell) in scores.keys.iter().zip(&cells.of) {
                if key != 0
                    && let Some(slot) = counts
                        .get_mut(usize::from(cell))
                        .and_then(|c| c.counts.get_mut(key as usize))
                {
                    *slot += 1;
                }
            }
            (empty, counts)
        });
        if b == 0 {
            everyone = per_dim
                .iter()
                .map(|(empty, cells)| {
                    cells.iter().fold(empty.clone(), |mut all, c| {
                        add(&mut all, c);
                        all
                    })
                })
                .collect();
        }
        for (d, (k, _)) in batch.iter().enumerate() {
            if let Some(slot) = by.get_mut(*k) {
                *slot = per_dim
                    .iter()
                    .map(|(empty, c)| cells.fold(d, c, empty, add))
                    .collect();
            }
        }
    }
    (everyone, by)
}

/// One audience counted every way the report needs: per item and dimension, for everyone
/// and per group of each grouping (`items[grouping][item][group]`).
struct Counted {
    groupings: Vec<Grouping>,
    everyone_items: Vec<Tally>,
    everyone_dimensions: Vec<ScoreCounts>,
    items: Vec<Vec<Vec<Tally>>>,
    dimensions: Vec<Vec<Vec<ScoreCounts>>>,
}

impl Counted {
    fn new(
        set: &ResponseSet,
        positions: &[usize],
        dimensions: &[DimensionInfo],
        groupings: Vec<Grouping>,
    ) -> Counted {
        let refs: Vec<&Grouping> = groupings.iter().collect();
        let scores: Vec<DimensionScores> = parallel_map(dimensions.len(), |k| {
            DimensionScores::of(set, &dimensions[k])
        });
        let (everyone_items, items) = tallies_by(set, positions, &refs);
        let (everyone_dimensions, dims) = score_counts_by(&scores, &refs, set.len());
        Counted {
            groupings,
            everyone_items,
            everyone_dimensions,
            items,
            dimensions: dims,
        }
    }

    /// The whole audience's tally of item `k`.
    fn item(&self, k: usize) -> &Tally {
        &self.everyone_items[k]
    }

    fn dimension(&self, k: usize) -> &ScoreCounts {
        &self.everyone_dimensions[k]
    }
}

/// Which side of the comparison a breakdown splits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Split {
    Customers,
    Staff,
}

/// Everything the tables are computed from, counted once per wave.
struct Prepared<'a> {
    items: Vec<&'a ItemInfo>,
    dimensions: Vec<DimensionInfo>,
    /// Groupings 0 and 1: agency and segment.
    customers: Counted,
    /// Grouping 0: team.
    staff: Counted,
}

impl<'a> Prepared<'a> {
    /// Counts `data` for the overall table, and for the breakdowns when `agency_code` is
    /// given (it names an agency id).
    fn new(
        items: &'a [ItemInfo],
        data: &WaveResponses,
        agency_code: Option<&dyn Fn(i64) -> String>,
    ) -> Prepared<'a> {
        let items: Vec<&ItemInfo> = items.iter().filter(|i| i.is_gap_item()).collect();
        let dimensions = dimensions_of(&items.iter().map(|i| (*i).clone()).collect::<Vec<_>>());
        let positions: Vec<usize> = items.iter().map(|i| i.position).collect();
        let (customer_groupings, staff_groupings) = match agency_code {
            Some(agency_code) => (
                vec![
                    Grouping::by_agency(&data.customers, agency_code),
                    Grouping::by_segment(&data.customers),
                ],
                vec![Grouping::by_segment(&data.staff)],
            ),
            None => (Vec::new(), Vec::new()),
        };
        let customers = Counted::new(&data.customers, &positions, &dimensions, customer_groupings);
        let staff = Counted::new(&data.staff, &positions, &dimensions, staff_groupings);
        Prepared {
            items,
            dimensions,
            customers,
            staff,
        }
    }

    fn range(item: &ItemInfo) -> f64 {
        item.scale
            .range()
            .map_or(0.0, |(lo, hi)| f64::from(hi - lo))
    }

    /// The overall table: every customer against every staff member.
    fn overall(&self, rules: &GapRules) -> GapTable {
        let items = self
            .items
            .iter()
            .enumerate()
            .map(|(k, item)| {
                let gap = compare(
                    &Sample::of_answers(self.staff.item(k)),
                    &Sample::of_answers(self.customers.item(k)),
                    Self::range(item),
                    rules,
                );
                (item, gap)
            })
            .collect::<Vec<_>>();
        let dimensions = self
            .dimensions
            .iter()
            .enumerate()
            .map(|(k, d)| {
                (
                    d,
                    compare_scores(self.staff.dimension(k), self.customers.dimension(k), rules),
                )
            })
            .collect::<Vec<_>>();
        finish_table(items, dimensions, rules)
    }

    /// One breakdown: grouping `k` of the split side, against the other side whole.
    fn breakdown(&self, by: BreakdownBy, split: Split, k: usize, rules: &GapRules) -> Breakdown {
        let (grouped, whole) = match split {
            Split::Customers => (&self.customers, &self.staff),
            Split::Staff => (&self.staff, &self.customers),
        };
        let grouping = &grouped.groupings[k];
        let item_tallies = &grouped.items[k];
        let dim_counts = &grouped.dimensions[k];
        let threshold = rules.reporting_threshold as usize;
        let sizes = grouping.sizes();
        let group_hidden = suppress(&sizes, threshold);
        // Per item (and dimension), which cells to hide so that no small cell can be
        // recovered from the overall table.
        let item_hidden: Vec<Vec<Option<Suppression>>> = item_tallies
            .iter()
            .map(|t| {
                suppress(
                    &t.iter().map(|t| t.n() as usize).collect::<Vec<_>>(),
                    threshold,
                )
            })
            .collect();
        let dim_hidden: Vec<Vec<Option<Suppression>>> = dim_counts
            .iter()
            .map(|c| {
                suppress(
                    &c.iter().map(|c| c.n() as usize).collect::<Vec<_>>(),
                    threshold,
                )
            })
            .collect();

        let groups = grouping
            .names
            .iter()
            .enumerate()
            .map(|(g, name)| {
                if let Some(reason) = group_hidden[g] {
                    return GroupTable {
                        group: name.clone(),
                        respondents: None,
                        suppressed: Some(reason),
                        table: None,
                    };
                }
                let items = self
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let gap = match item_hidden[i][g] {
                            Some(reason) => hidden(reason),
                            None => {
                                let group = Sample::of_answers(&item_tallies[i][g]);
                                let rest = Sample::of_answers(whole.item(i));
                                let (staff, customers) = match split {
                                    Split::Customers => (rest, group),
                                    Split::Staff => (group, rest),
                                };
                                compare(&staff, &customers, Self::range(item), rules)
                            }
                        };
                        (item, gap)
                    })
                    .collect::<Vec<_>>();
                let dimensions = self
                    .dimensions
                    .iter()
                    .enumerate()
                    .map(|(i, d)| {
                        let gap = match (dim_hidden[i][g], split) {
                            (Some(reason), _) => hidden(reason),
                            (None, Split::Customers) => {
                                compare_scores(whole.dimension(i), &dim_counts[i][g], rules)
                            }
                            (None, Split::Staff) => {
                                compare_scores(&dim_counts[i][g], whole.dimension(i), rules)
                            }
                        };
                        (d, gap)
                    })
                    .collect::<Vec<_>>();
                GroupTable {
                    group: name.clone(),
                    respondents: Some(sizes[g] as u64),
                    suppressed: None,
                    table: Some(finish_table(items, dimensions, rules)),
                }
            })
            .collect();
        Breakdown {
            by,
            groups,
            suppressed: SuppressionNote::of(&group_hidden, threshold),
        }
    }
}

/// Turns compared rows into a table: one Benjamini–Hochberg family for the items and one
/// for the dimensions, then the note of what was hidden.
fn finish_table(
    items: Vec<(&&ItemInfo, Gap)>,
    dimensions: Vec<(&DimensionInfo, Gap)>,
    rules: &GapRules,
) -> GapTable {
    let mut items: Vec<ItemGap> = items
        .into_iter()
        .map(|(item, gap)| ItemGap {
            item: item.code.clone(),
            label: item.label.clone(),
            wording: item.wording.clone(),
            dimension: item.dimension.clone(),
            scale: item.scale,
            gap,
        })
        .collect();
    let mut dimensions: Vec<DimensionGap> = dimensions
        .into_iter()
        .map(|(d, gap)| DimensionGap {
            dimension: d.dimension.clone(),
            gap,
        })
        .collect();
    judge_family(items.iter_mut().map(|i| &mut i.gap), rules);
    for item in items.iter_mut().filter(|i| i.scale == Scale::Importance5) {
        item.gap.verdict = item.gap.verdict.as_priority();
    }
    judge_family(dimensions.iter_mut().map(|d| &mut d.gap), rules);
    let hidden: Vec<Option<Suppression>> = items
        .iter()
        .map(|i| i.gap.suppressed)
        .chain(dimensions.iter().map(|d| d.gap.suppressed))
        .collect();
    GapTable {
        items,
        dimensions,
        suppressed: SuppressionNote::of(&hidden, rules.reporting_threshold as usize),
    }
}

/// The gap report of one wave: the overall table and the breakdowns by agency, customer
/// segment and staff team. `agency_code` names an agency id.
pub fn report(
    items: &[ItemInfo],
    data: &WaveResponses,
    agency_code: impl Fn(i64) -> String,
    rules: &GapRules,
) -> GapReport {
    let prepared = Prepared::new(items, data, Some(&agency_code));
    let overall = prepared.overall(rules);
    let breakdowns = vec![
        prepared.breakdown(BreakdownBy::Agency, Split::Customers, 0, rules),
        prepared.breakdown(BreakdownBy::Segment, Split::Customers, 1, rules),
        prepared.breakdown(BreakdownBy::Team, Split::Staff, 0, rules),
    ];
    GapReport {
        reporting_threshold: rules.reporting_threshold,
        customer_respondents: data.customers.len() as u64,
        staff_respondents: data.staff.len() as u64,
        items: overall.items,
        dimensions: overall.dimensions,
        suppressed: overall.suppressed,
        breakdowns,
    }
}

/// One item's or dimension's answers on each side, for comparisons across waves.
#[derive(Debug, Clone)]
pub struct SideMoments {
    /// Item code or dimension name.
    pub name: String,
    pub staff: Moments,
    pub customers: Moments,
}

/// The overall table of a wave with the moments behind it, without the breakdowns.
#[derive(Debug, Clone)]
pub struct Overall {
    pub table: GapTable,
    pub items: Vec<SideMoments>,
    pub dimensions: Vec<SideMoments>,
}

/// The overall table of one wave (every customer against every staff member), with each
/// row's moments so that a trend can compare waves.
pub fn overall(items: &[ItemInfo], data: &WaveResponses, rules: &GapRules) -> Overall {
    let prepared = Prepared::new(items, data, None);
    Overall {
        table: prepared.overall(rules),
        items: prepared
            .items
            .iter()
            .enumerate()
            .map(|(k, item)| SideMoments {
                name: item.code.clone(),
                staff: prepared.staff.item(k).moments(),
                customers: prepared.customers.item(k).moments(),
            })
            .collect(),
        dimensions: prepared
            .dimensions
            .iter()
            .enumerate()
            .map(|(k, d)| SideMoments {
                name: d.dimension.clone(),
                staff: prepared.staff.dimension(k).moments(),
                customers: prepared.customers.dimension(k).moments(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RULES: GapRules = GapRules {
        reporting_threshold: 5,
        significance_level: 0.05,
        material_gap_share: 0.125,
    };

    fn tally(counts: &[(u8, u64)]) -> Tally {
        let mut t = Tally::new();
        for (v, c) in counts {
            t.add_many(*v, *c);
        }
        t
    }

    fn gap_of(staff: &[(u8, u64)], customers: &[(u8, u64)]) -> Gap {
        let mut gap = compare(
            &Sample::of_answers(&tally(staff)),
            &Sample::of_answers(&tally(customers)),
            4.0,
            &RULES,
        );
        judge_family(std::iter::once(&mut gap), &RULES);
        gap
    }

    #[test]
    fn verdicts() {
        // Staff mostly 4–5, customers mostly 2–3: IT over-estimates itself.
        let high = [(4, 30), (5, 30), (3, 5)];
        let low = [(2, 30), (3, 30), (4, 5)];
        assert_eq!(gap_of(&high, &low).verdict, Verdict::BlindSpot);
        assert_eq!(gap_of(&low, &high).verdict, Verdict::HiddenStrength);
        // Significant but small (0.1 on a 1–5 scale): not material.
        let a = [(3, 4500), (4, 5500)];
        let b = [(3, 5500), (4, 4500)];
        let small = gap_of(&a, &b);
        assert!(small.q.unwrap() < 0.05 && small.gap.unwrap().abs() < 0.5);
        assert_eq!(small.verdict, Verdict::Aligned);
        // Material but not significant: five answers each, all over the scale.
        let spread = gap_of(&[(1, 2), (5, 3)], &[(1, 3), (5, 2)]);
        assert!(spread.gap.unwrap().abs() >= 0.5);
        assert_eq!(spread.verdict, Verdict::Aligned);
        // One side below the threshold: its figures, the gap and the tests are null; the
        // other side is still shown.
        let thin = gap_of(&[(5, 4)], &low);
        assert_eq!(thin.verdict, Verdict::InsufficientData);
        assert_eq!(thin.staff, Side::HIDDEN);
        assert_eq!(thin.customer.n, Some(65));
        assert!(thin.gap.is_none() && thin.welch.is_none() && thin.q.is_none());
    }

    #[test]
    fn both_sides_constant_gives_a_gap_but_no_test() {
        let g = gap_of(&[(4, 10)], &[(4, 12)]);
        assert_eq!(g.gap, Some(0.0));
        assert_eq!(g.welch.and_then(|w| w.p), None);
        assert_eq!(g.q, None);
        assert_eq!(g.verdict, Verdict::Aligned);
    }

    #[test]
    fn insufficient_items_are_left_out_of_the_family() {
        let mut gaps = [
            gap_of(&[(4, 30), (5, 30)], &[(2, 30), (3, 30)]),
            gap_of(&[(5, 3)], &[(2, 30)]),
        ];
        judge_family(gaps.iter_mut(), &RULES);
        // A family of one: q equals p.
        assert_eq!(gaps[0].q, gaps[0].welch.and_then(|w| w.p));
        assert_eq!(gaps[1].q, None);
    }

    fn set(rows: &[(Option<i64>, Option<u32>, [u8; 3])], segments: &[&str]) -> ResponseSet {
        let mut s = ResponseSet::with_items(3, rows.len());
        s.segments = segments.iter().map(|x| x.to_string()).collect();
        for (agency, segment, answers) in rows {
            s.push(*agency, *segment, answers);
        }
        s
    }

    fn items() -> Vec<ItemInfo> {
        ["a", "b", "c"]
            .iter()
            .enumerate()
            .map(|(i, code)| ItemInfo {
                code: code.to_string(),
                label: format!("Label of {code}"),
                wording: format!("Wording of {code}"),
                dimension: if i < 2 { "reliability" } else { "value" }.into(),
                scale: Scale::Likert5,
                position: i,
                mirrored: true,
                service: None,
            })
            .collect()
    }

    #[test]
    fn dimension_scores_are_respondent_means_of_answered_items() {
        // Reliability = items a, b. Customer scores: (4+5)/2, 3 (b unanswered), 2.
        let customers = set(
            &[
                (Some(1), Some(0), [4, 5, 1]),
                (Some(1), Some(0), [3, NO_ANSWER, 1]),
                (Some(1), Some(0), [2, 2, 1]),
                (Some(1), Some(0), [NO_ANSWER, NO_ANSWER, 1]),
            ],
            &["end_user"],
        );
        let rules = GapRules {
            reporting_threshold: 3,
            ..RULES
        };
        let staff = set(
            &[
                (None, None, [5, 5, 5]),
                (None, None, [4, 4, 4]),
                (None, None, [5, 4, 3]),
            ],
            &[],
        );
        let report = report(
            &items(),
            &WaveResponses { customers, staff },
            |_| "DOT".into(),
            &rules,
        );
        let reliability = &report.dimensions[0];
        assert_eq!(reliability.dimension, "reliability");
        assert_eq!(reliability.gap.customer.n, Some(3));
        let expected = (4.5 + 3.0 + 2.0) / 3.0;
        assert!((reliability.gap.customer.mean.unwrap() - expected).abs() < 1e-12);
        // Staff: 5, 4, 4.5.
        assert!((reliability.gap.staff.mean.unwrap() - 4.5).abs() < 1e-12);
        // Value has a single item, so it is no scale and no dimension row.
        assert_eq!(report.dimensions.len(), 1);
    }

    #[test]
    fn an_importance_gap_is_a_misjudged_priority_never_a_blind_spot() {
        // Item 0 rates how IT performs, item 1 asks how important that is. Staff answer
        // both far higher than customers do; item 2 they answer far lower.
        let info = |code: &str, position, scale| ItemInfo {
            code: code.into(),
            label: code.into(),
            wording: String::new(),
            dimension: "reliability".into(),
            scale,
            position,
            mirrored: true,
            service: None,
        };
        let items = [
            info("rel", 0, Scale::Likert5),
            info("imp_rel", 1, Scale::Importance5),
            info("imp_val", 2, Scale::Importance5),
        ];
        let customer_rows: Vec<_> = (0..30)
            .map(|k| {
                (
                    Some(1),
                    Some(0),
                    if k % 2 == 0 { [2, 2, 5] } else { [1, 1, 4] },
                )
            })
            .collect();
        let staff_rows: Vec<_> = (0..30)
            .map(|k| {
                (
                    None,
                    Some(0),
                    if k % 2 == 0 { [5, 5, 2] } else { [4, 4, 1] },
                )
            })
            .collect();
        let customers = set(&customer_rows, &["end_user"]);
        let staff = set(&staff_rows, &["ops"]);
        let r = report(
            &items,
            &WaveResponses { customers, staff },
            |_| "A".into(),
            &RULES,
        );
        let verdict = |code: &str| r.items.iter().find(|i| i.item == code).unwrap().gap.verdict;
        assert_eq!(verdict("rel"), Verdict::BlindSpot);
        assert_eq!(verdict("imp_rel"), Verdict::OverestimatedPriority);
        assert_eq!(verdict("imp_val"), Verdict::UnderestimatedPriority);
        for code in ["imp_rel", "imp_val"] {
            assert!(!verdict(code).is_performance_finding(), "{code}");
            assert!(verdict(code).is_priority_finding(), "{code}");
        }
        // The same in every breakdown table.
        for table in r
            .breakdowns
            .iter()
            .flat_map(|b| &b.groups)
            .filter_map(|g| g.table.as_ref())
        {
            let v = table
                .items
                .iter()
                .find(|i| i.item == "imp_val")
                .unwrap()
                .gap
                .verdict;
            assert_eq!(v, Verdict::UnderestimatedPriority);
        }
    }

    #[test]
    fn a_small_agency_is_hidden_with_a_complement() {
        // Agencies 1 (3 answers), 2 (8), 3 (20): agency 1 is below the threshold and
        // agency 2 is hidden too, or 1 could be recovered from the overall row.
        let mut rows = Vec::new();
        for (agency, n) in [(1, 3), (2, 8), (3, 20)] {
            for k in 0..n {
                rows.push((Some(agency), Some(0), [1 + (k % 5) as u8, 3, 4]));
            }
        }
        let customers = set(&rows, &["end_user"]);
        let staff = set(&[(None, Some(0), [5, 5, 5]); 6], &["service_desk"]);
        let codes = |id: i64| format!("A{id}");
        let report = report(&items(), &WaveResponses { customers, staff }, codes, &RULES);
        let by_agency = &report.breakdowns[0];
        assert_eq!(by_agency.by, BreakdownBy::Agency);
        let state: Vec<_> = by_agency
            .groups
            .iter()
            .map(|g| (g.group.as_str(), g.suppressed))
            .collect();
        assert_eq!(
            state,
            vec![
                ("A1", Some(Suppression::BelowThreshold)),
                ("A2", Some(Suppression::Complementary)),
                ("A3", None)
            ]
        );
        assert!(by_agency.groups[0].table.is_none() && by_agency.groups[0].respondents.is_none());
        assert_eq!(by_agency.suppressed.below_threshold, 1);
        assert_eq!(by_agency.suppressed.complementary, 1);
    }

    fn arbitrary_tally() -> impl Strategy<Value = Vec<(u8, u64)>> {
        proptest::collection::vec(0u64..40, 5).prop_map(|counts| {
            counts
                .into_iter()
                .enumerate()
                .map(|(i, c)| (i as u8 + 1, c))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn swapping_audiences_flips_the_gap_and_swaps_the_verdict(a in arbitrary_tally(), b in arbitrary_tally()) {
            let forward = gap_of(&a, &b);
            let backward = gap_of(&b, &a);
            let close = |x: Option<f64>, y: Option<f64>| match (x, y) {
                (Some(x), Some(y)) => (x + y).abs() <= 1e-9 * (1.0 + x.abs()),
                (None, None) => true,
                _ => false,
            };
            prop_assert!(close(forward.gap, backward.gap));
            prop_assert!(close(forward.welch.and_then(|w| w.t), backward.welch.and_then(|w| w.t)));
            prop_assert!(close(forward.hedges_g, backward.hedges_g));
            prop_assert!(close(forward.cliffs_delta, backward.cliffs_delta));
            prop_assert_eq!(forward.welch.and_then(|w| w.p), backward.welch.and_then(|w| w.p));
            prop_assert_eq!(forward.verdict.mirrored(), backward.verdict);
            prop_assert_eq!(forward.staff, backward.customer);
        }

        #[test]
        fn no_output_shows_a_group_under_the_threshold(
            rows in proptest::collection::vec((1i64..6, 0u32..3, 1u8..6, 1u8..6, 0u8..6), 0..80),
            staff_n in 0usize..12,
            threshold in 3u64..8,
        ) {
            let rows: Vec<_> = rows
                .into_iter()
                .map(|(a, s, x, y, z)| (Some(a), Some(s), [x, y, if z == 0 { NO_ANSWER } else { z }]))
                .collect();
            let customers = set(&rows, &["executive", "it_liaison", "end_user"]);
            let staff = set(&vec![(None, Some(0), [4, 4, 4]); staff_n], &["ops"]);
            let rules = GapRules { reporting_threshold: threshold, ..RULES };
            let report = report(&items(), &WaveResponses { customers, staff }, |id| id.to_string(), &rules);
            let check = |g: &Gap| {
                for n in [g.customer.n, g.staff.n].into_iter().flatten() {
                    assert!(n >= threshold, "a side of {n} shown with threshold {threshold}");
                }
                if let (Some(q), Some(p)) = (g.q, g.welch.and_then(|w| w.p)) {
                    assert!(q >= p);
                }
            };
            report.items.iter().for_each(|i| check(&i.gap));
            report.dimensions.iter().for_each(|d| check(&d.gap));
            for b in &report.breakdowns {
                for g in &b.groups {
                    if let Some(n) = g.respondents {
                        prop_assert!(n >= threshold);
                    }
                    if let Some(t) = &g.table {
                        t.items.iter().for_each(|i| check(&i.gap));
                        t.dimensions.iter().for_each(|d| check(&d.gap));
                    }
                }
            }
        }
    }
}
