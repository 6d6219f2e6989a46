//! The headline measures of a wave, per audience: CSAT on overall satisfaction, NPS and CES
//! (DESIGN.md, "CSAT", "NPS", "CES"), and the reliability of each dimension's items
//! (Cronbach's alpha, customers, listwise).
//!
//! Staff answer the same items as predictions ("how satisfied do you think agencies are"),
//! so the staff figures are what IT expects its customers' CSAT, NPS and CES to be.
//! Every figure needs the reporting threshold of answers; below it the measure is `None`.

use serde::Serialize;

use super::gap::{DimensionInfo, ItemInfo, dimensions_of, parallel_map};
use super::responses::{ResponseSet, WaveResponses};
use super::stats::{
    Confidence, CronbachAlpha, Nps, Proportion, Reliability, Summary, ces, csat, nps,
};
use crate::domain::{NO_ANSWER, Scale};

/// The dimension that holds the overall satisfaction item.
pub const OVERALL_DIMENSION: &str = "overall";

/// Answers of the likert5 items a dimension is scored from.
const MAX_ANSWER: u8 = 5;

/// Dimensions of up to this many items are counted by answer pattern.
const MAX_PATTERN_ITEMS: usize = 6;

/// Fewest complete respondents for Cronbach's alpha (METHODS.md §4.9: don't compute it
/// for fewer than about 30).
pub const MIN_ALPHA_RESPONDENTS: u64 = 30;

/// Which items carry the headline measures: the first `likert5` item of the `overall`
/// dimension not about one service, the first `nps11` item and the first `ces7` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeadlineItems {
    pub overall: Option<usize>,
    pub recommend: Option<usize>,
    pub effort: Option<usize>,
}

impl HeadlineItems {
    pub fn of(items: &[ItemInfo]) -> HeadlineItems {
        let first = |f: &dyn Fn(&ItemInfo) -> bool| items.iter().find(|i| f(i)).map(|i| i.position);
        HeadlineItems {
            overall: first(&|i| {
                i.scale == Scale::Likert5 && i.service.is_none() && i.dimension == OVERALL_DIMENSION
            }),
            recommend: first(&|i| i.scale == Scale::Nps11),
            effort: first(&|i| i.scale == Scale::Ces7),
        }
    }
}

/// One audience's headline figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Headline {
    /// Share satisfied (4–5) on overall satisfaction, with its Wilson interval.
    pub csat: Option<Proportion>,
    pub nps: Option<Nps>,
    /// Mean effort (1–7, higher = easier), with its t-interval.
    pub ces: Option<Summary>,
}

impl Headline {
    pub fn of(set: &ResponseSet, items: &HeadlineItems, threshold: u64) -> Headline {
        let confidence = Confidence::NINETY_FIVE;
        let tally = |position: Option<usize>| {
            position
                .map(|p| set.tally(p))
                .filter(|t| t.n() >= threshold && t.n() > 0)
        };
        Headline {
            csat: tally(items.overall).map(|t| csat(&t, confidence)),
            nps: tally(items.recommend).map(|t| nps(&t, confidence)),
            ces: tally(items.effort).map(|t| ces(&t, confidence)),
        }
    }
}

/// Cronbach's alpha of one dimension's items among customers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionReliability {
    pub dimension: String,
    /// Item codes in the order of `alpha_if_deleted`.
    pub items: Vec<String>,
    /// `None` with fewer than [`MIN_ALPHA_RESPONDENTS`] complete respondents (or fewer than
    /// the reporting threshold).
    pub reliability: Option<Reliability>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveMeasures {
    pub customers: Headline,
    /// What staff predict customers will say.
    pub staff: Headline,
    pub reliability: Vec<DimensionReliability>,
}

/// The headline measures and the reliability of each dimension of one wave.
pub fn measures(
    items: &[ItemInfo],
    data: &WaveResponses,
    reporting_threshold: u64,
) -> WaveMeasures {
    let headline = HeadlineItems::of(items);
    WaveMeasures {
        customers: Headline::of(&data.customers, &headline, reporting_threshold),
        staff: Headline::of(&data.staff, &headline, reporting_threshold),
        reliability: {
            let dimensions = dimensions_of(items);
            parallel_map(dimensions.len(), |k| {
                reliability(items, &data.customers, &dimensions[k], reporting_threshold)
            })
        },
    }
}

fn reliability(
    items: &[ItemInfo],
    set: &ResponseSet,
    dimension: &DimensionInfo,
    reporting_threshold: u64,
) -> DimensionReliability {
    let k = dimension.positions.len();
    let mut alpha = CronbachAlpha::new(k);
    let columns: Vec<&[u8]> = dimension
        .positions
        .iter()
        .map(|&p| set.answers.get(p).map_or(&[][..], Vec::as_slice))
        .collect();
    // Each respondent's answers as one pattern number in base 6 (0 = no answer), counted in
    // one pass: a dimension of up to 6 likert5 items has at most 46,656 patterns, so a
    // million respondents become a few thousand weighted updates.
    const BASE: usize = MAX_ANSWER as usize + 1;
    if k <= MAX_PATTERN_ITEMS {
        let mut keys = vec![0usize; set.len()];
        for column in &columns {
            for (key, v) in keys.iter_mut().zip(column.iter()) {
                let digit = if (1..=MAX_ANSWER).contains(v) {
                    *v as usize
                } else {
                    0
                };
                *key = *key * BASE + digit;
            }
        }
        let mut counts = vec![0u64; BASE.pow(k as u32)];
        for key in keys {
            counts[key] += 1;
        }
        let mut row = vec![0.0; k];
        for (key, &count) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
            let mut rest = key;
            let mut complete = true;
            for slot in row.iter_mut().rev() {
                let digit = rest % BASE;
                rest /= BASE;
                complete &= digit != 0;
                *slot = digit as f64;
            }
            if complete {
                alpha.add_respondents(&row, count);
            } else {
                alpha.add_incomplete(count);
            }
        }
    } else {
        let mut row = vec![None; k];
        for r in 0..set.len() {
            for (slot, column) in row.iter_mut().zip(&columns) {
                *slot = column
                    .get(r)
                    .filter(|v| **v != NO_ANSWER)
                    .map(|v| f64::from(*v));
            }
            alpha.add_respondent(&row);
        }
    }
    let result = alpha.result(Confidence::NINETY_FIVE);
    let enough = result.respondents >= MIN_ALPHA_RESPONDENTS.max(reporting_threshold);
    DimensionReliability {
        dimension: dimension.dimension.clone(),
        items: dimension
            .positions
            .iter()
            .filter_map(|p| items.iter().find(|i| i.position == *p))
            .map(|i| i.code.clone())
            .collect(),
        reliability: enough.then_some(result),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str, dimension: &str, scale: Scale, position: usize) -> ItemInfo {
        ItemInfo {
            code: code.into(),
            label: format!("Label of {}", code),
            wording: format!("Wording of {}", code),
            dimension: dimension.into(),
            scale,
            position,
            mirrored: true,
            service: None,
        }
    }

    fn instrument() -> Vec<ItemInfo> {
        vec![
            item("r1", "reliability", Scale::Likert5, 0),
            item("r2", "reliability", Scale::Likert5, 1),
            item("overall", OVERALL_DIMENSION, Scale::Likert5, 2),
            item("recommend", "loyalty", Scale::Nps11, 3),
            item("effort", "effort", Scale::Ces7, 4),
        ]
    }

    fn set(rows: &[[u8; 5]]) -> ResponseSet {
        let mut set = ResponseSet::with_items(5, rows.len());
        for row in rows {
            set.push(Some(1), None, row);
        }
        set
    }

    #[test]
    fn headline_measures_per_audience() {
        // Customers: overall 5,4,2,1,3 → CSAT 2/5; recommend 10,9,6,8,0 → NPS 40 − 40 = 0;
        // effort 7,5,3,1,4 → CES 4.
        let customers = set(&[
            [4, 4, 5, 10, 7],
            [3, 4, 4, 9, 5],
            [2, 2, 2, 6, 3],
            [1, 2, 1, 8, 1],
            [3, 3, 3, 0, 4],
        ]);
        // Four staff: below the threshold of 5, so every staff figure is hidden.
        let staff = set(&[[5, 5, 5, 10, 7]; 4]);
        let m = measures(&instrument(), &WaveResponses { customers, staff }, 5);
        let csat = m.customers.csat.unwrap();
        assert_eq!((csat.successes, csat.n), (2, 5));
        assert!((csat.share.unwrap() - 0.4).abs() < 1e-12);
        let nps = m.customers.nps.unwrap();
        assert_eq!((nps.promoters, nps.passives, nps.detractors), (2, 1, 2));
        assert!(nps.score.unwrap().abs() < 1e-9);
        assert!((m.customers.ces.unwrap().mean.unwrap() - 4.0).abs() < 1e-12);
        assert_eq!(
            m.staff,
            Headline {
                csat: None,
                nps: None,
                ces: None
            }
        );
        // Five customers are too few for alpha.
        assert_eq!(m.reliability.len(), 1);
        assert_eq!(m.reliability[0].items, vec!["r1", "r2"]);
        assert!(m.reliability[0].reliability.is_none());
    }

    #[test]
    fn alpha_is_listwise_over_the_dimension_items() {
        // 40 respondents: (1,1), (2,2), ... in a cycle, plus 5 who skipped r2.
        let mut rows: Vec<[u8; 5]> = (0..40u8)
            .map(|i| [i % 5 + 1, (i + i / 20) % 5 + 1, 3, 5, 4])
            .collect();
        rows.extend([[4, NO_ANSWER, 3, 5, 4]; 5]);
        let customers = set(&rows);
        let m = measures(
            &instrument(),
            &WaveResponses {
                customers,
                staff: ResponseSet::default(),
            },
            5,
        );
        let r = m.reliability[0].reliability.as_ref().unwrap();
        assert_eq!((r.respondents, r.incomplete, r.items), (40, 5, 2));
        // The same alpha as computing it directly on the complete rows.
        let complete: Vec<Vec<Option<f64>>> = rows[..40]
            .iter()
            .map(|r| vec![Some(f64::from(r[0])), Some(f64::from(r[1]))])
            .collect();
        let direct = super::super::stats::cronbach_alpha(2, &complete, Confidence::NINETY_FIVE);
        // Counted by pattern rather than row by row: equal to rounding.
        assert!((r.alpha.unwrap() - direct.alpha.unwrap()).abs() < 1e-12);
    }

    #[test]
    fn headline_items_are_found_by_role() {
        let mut items = instrument();
        items.insert(
            0,
            ItemInfo {
                service: Some("email".into()),
                ..item("svc", OVERALL_DIMENSION, Scale::Likert5, 9)
            },
        );
        let h = HeadlineItems::of(&items);
        assert_eq!(
            h,
            HeadlineItems {
                overall: Some(2),
                recommend: Some(3),
                effort: Some(4)
            }
        );
        assert_eq!(HeadlineItems::of(&[]), HeadlineItems::default());
    }
}
