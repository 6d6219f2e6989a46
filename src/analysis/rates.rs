//! Response rates of a wave: per agency and overall for customers, and for staff, each with
//! the margin of error it buys and the responses still needed for ±10 points
//! (DESIGN.md, "Analysis: definitions"; METHODS.md §4.8).
//!
//! - **Rate** = responses / (invited − bounced): AAPOR's RR1 for a list survey, with bounced
//!   invitations treated as never having reached an eligible person.
//! - **Margin of error** of a share at p = 0.5 (the worst case), 95%, under the finite
//!   population correction with N = invited − bounced and n = responses: a census has
//!   margin 0. It measures sampling error only; it says nothing about non-response bias.
//! - **Responses needed** for a margin of at most ±10 points (Cochran with the same
//!   correction, the exact inverse of the margin), minus the responses so far, floored at 0.
//!
//! Confidentiality: a rate reveals who took part, never what anyone answered, so the rule is
//! the one Microsoft Viva Glint applies to response rates (METHODS.md §6): a group's row is
//! shown when the group reaches the reporting threshold *in people asked*, not in people who
//! answered. Thresholding on responses would hide exactly the agencies a BRM must chase
//! (40 invited, 2 answered), while the group the row is about is large enough that taking
//! part identifies no one. The size of a group is its eligible invitations, or its responses
//! when more arrived than were invited (responses imported without invitations), so that a
//! handful of imported responses is never shown on its own. A hidden agency gets
//! complementary suppression like any breakdown cell, so that its counts can't be recovered
//! by subtracting the shown agencies from the overall row. The overall customer row and the
//! staff row are hidden when they themselves are below the threshold.

use serde::Serialize;

use super::stats::{Confidence, margin_of_error, responses_needed};
use super::suppress::{Suppression, SuppressionNote, suppress};

/// The margin of error the responses-needed figure aims for: ±10 points.
pub const TARGET_MARGIN: f64 = 0.10;

/// The share at which a margin of error is largest; the margin a wave can promise for any
/// share (METHODS.md §4.8).
const WORST_CASE_SHARE: f64 = 0.5;

/// What was sent and what came back, for one group in one wave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ResponseCounts {
    /// Invitations sent.
    pub invited: u64,
    /// Invitations that bounced (never reached anyone).
    pub bounced: u64,
    /// Responses received.
    pub responses: u64,
}

impl ResponseCounts {
    /// Invitations that reached someone: invited − bounced.
    pub fn eligible(&self) -> u64 {
        self.invited.saturating_sub(self.bounced)
    }

    /// How many people the group's row is about, for the reporting threshold: its eligible
    /// invitations, or its responses when more arrived than were invited.
    fn group_size(&self) -> u64 {
        self.eligible().max(self.responses)
    }

    fn add(&mut self, other: &ResponseCounts) {
        self.invited += other.invited;
        self.bounced += other.bounced;
        self.responses += other.responses;
    }
}

/// One group's response rate with its precision. Every figure is `None` when the row is
/// hidden (`suppressed` says why).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ResponseRate {
    pub invited: Option<u64>,
    pub bounced: Option<u64>,
    /// invited − bounced: the population the rate and the margin refer to.
    pub eligible: Option<u64>,
    pub responses: Option<u64>,
    /// responses / eligible, a share from 0 to 1. `None` when no invitation reached anyone,
    /// or when more responses arrived than invitations reached people (responses imported
    /// without invitations), where no rate can be stated.
    pub rate: Option<f64>,
    /// 95% margin of error of a share near 50%, with the finite population correction, as a
    /// share (0.0537 = ±5.37 points); 0 for a census. `None` without responses or rate.
    pub margin_of_error: Option<f64>,
    /// Further responses needed for a margin of error of at most ±10 points; 0 once reached.
    /// `None` when no rate can be stated.
    pub responses_needed: Option<u64>,
    /// Why the row is hidden, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

impl ResponseRate {
    /// A row hidden for `reason`.
    fn hidden(reason: Suppression) -> ResponseRate {
        ResponseRate {
            invited: None,
            bounced: None,
            eligible: None,
            responses: None,
            rate: None,
            margin_of_error: None,
            responses_needed: None,
            suppressed: Some(reason),
        }
    }
}

/// The rate, margin of error and responses needed of `counts`, shown whatever the group's
/// size (the reporting threshold is applied by [`response_rates`]).
pub fn response_rate(counts: &ResponseCounts) -> ResponseRate {
    let eligible = counts.eligible();
    let responses = counts.responses;
    let stated = eligible > 0 && responses <= eligible;
    let confidence = Confidence::NINETY_FIVE;
    ResponseRate {
        invited: Some(counts.invited),
        bounced: Some(counts.bounced),
        eligible: Some(eligible),
        responses: Some(responses),
        rate: stated.then(|| responses as f64 / eligible as f64),
        margin_of_error: if stated {
            margin_of_error(WORST_CASE_SHARE, responses, Some(eligible), confidence)
        } else {
            None
        },
        responses_needed: if stated {
            responses_needed(TARGET_MARGIN, WORST_CASE_SHARE, Some(eligible), confidence)
                .map(|needed| needed.saturating_sub(responses))
        } else {
            None
        },
        suppressed: None,
    }
}

/// One agency's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgencyRate {
    /// Agency code.
    pub agency: String,
    #[serde(flatten)]
    pub rate: ResponseRate,
}

/// The response rates of one wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRates {
    /// Smallest group (in people asked) whose row is shown.
    pub reporting_threshold: u64,
    /// The margin of error `responses_needed` aims for (0.10 = ±10 points).
    pub target_margin: f64,
    /// All customers: the agencies added up (hidden ones included).
    pub customers: ResponseRate,
    /// Per agency, in the order given.
    pub agencies: Vec<AgencyRate>,
    pub staff: ResponseRate,
    /// Agency rows hidden.
    pub suppressed: SuppressionNote,
}

/// The response rates of a wave from the counts of each agency (code, counts) and of staff,
/// hiding the rows of groups smaller than `reporting_threshold` people asked (see the
/// module documentation).
pub fn response_rates(
    agencies: &[(String, ResponseCounts)],
    staff: &ResponseCounts,
    reporting_threshold: u64,
) -> ResponseRates {
    let threshold = usize::try_from(reporting_threshold).unwrap_or(usize::MAX);
    let sizes: Vec<usize> = agencies
        .iter()
        .map(|(_, c)| usize::try_from(c.group_size()).unwrap_or(usize::MAX))
        .collect();
    let hidden = suppress(&sizes, threshold);
    let mut total = ResponseCounts::default();
    for (_, counts) in agencies {
        total.add(counts);
    }
    // A whole audience is a group of its own: hidden below the threshold, but an audience
    // nobody was asked (size 0) reveals nothing and is shown as zeros.
    let whole = |counts: &ResponseCounts| {
        let size = counts.group_size();
        if size > 0 && size < reporting_threshold {
            ResponseRate::hidden(Suppression::BelowThreshold)
        } else {
            response_rate(counts)
        }
    };
    ResponseRates {
        reporting_threshold,
        target_margin: TARGET_MARGIN,
        customers: whole(&total),
        agencies: agencies
            .iter()
            .zip(&hidden)
            .map(|((agency, counts), hidden)| AgencyRate {
                agency: agency.clone(),
                rate: match hidden {
                    Some(reason) => ResponseRate::hidden(*reason),
                    None => response_rate(counts),
                },
            })
            .collect(),
        staff: whole(staff),
        suppressed: SuppressionNote::of(&hidden, threshold),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(invited: u64, bounced: u64, responses: u64) -> ResponseCounts {
        ResponseCounts {
            invited,
            bounced,
            responses,
        }
    }

    fn close(actual: Option<f64>, expected: f64) -> bool {
        actual.is_some_and(|a| (a - expected).abs() <= 1e-12 * expected.abs().max(1.0))
    }

    #[test]
    fn rates_margins_and_responses_needed() {
        // (invited, bounced, responses) → rate, margin, responses still needed for ±10.
        // Margins: z·√(0.25/n)·√((N−n)/(N−1)), z = 1.959963984540054 (METHODS.md §4.8).
        // Needed: n₀ = z²·0.25/0.01 = 96.0365; n = n₀/(1 + (n₀−1)/N), rounded up.
        let z = 1.959963984540054_f64;
        let moe = |n: f64, pop: f64| z * (0.25 / n).sqrt() * ((pop - n) / (pop - 1.0)).sqrt();
        let n0 = z * z * 0.25 / 0.01;
        let need = |pop: f64| (n0 / (1.0 + (n0 - 1.0) / pop)).ceil() as u64;
        // METHODS.md §4.8: 200 of 500 → ±5.37 points.
        let r = response_rate(&counts(510, 10, 200));
        assert_eq!(r.eligible, Some(500));
        assert!(close(r.rate, 0.4));
        assert!(close(r.margin_of_error, moe(200.0, 500.0)));
        assert!((r.margin_of_error.unwrap() - 0.0537).abs() < 5e-5);
        // 500 eligible need 81 (n = 96.04/(1 + 95.04/500) = 80.7): reached.
        assert_eq!(need(500.0), 81);
        assert_eq!(r.responses_needed, Some(0));
        // 30 of 40 → ±9.06 points; 40 need 29, reached.
        let r = response_rate(&counts(42, 2, 30));
        assert!((r.margin_of_error.unwrap() - 0.0906).abs() < 5e-5);
        assert_eq!(r.responses_needed, Some(0));
        // 10 of 100: needs 50 (96.04/(1 + 95.04/100) = 49.25 → 50), so 40 more.
        let r = response_rate(&counts(100, 0, 10));
        assert_eq!(need(100.0), 50);
        assert_eq!(r.responses_needed, Some(40));
        assert!(close(r.margin_of_error, moe(10.0, 100.0)));
    }

    #[test]
    fn edge_cases() {
        // Nobody invited, and everybody bounced: no rate, no margin, nothing to chase.
        for c in [counts(0, 0, 0), counts(7, 7, 0)] {
            let r = response_rate(&c);
            assert_eq!(r.eligible, Some(0));
            assert_eq!(
                (r.rate, r.margin_of_error, r.responses_needed),
                (None, None, None)
            );
        }
        // A census: margin exactly 0.
        let census = response_rate(&counts(12, 2, 10));
        assert_eq!(census.rate, Some(1.0));
        assert_eq!(census.margin_of_error, Some(0.0));
        assert_eq!(census.responses_needed, Some(0));
        // Nobody answered yet: rate 0, no margin, the full number still needed.
        let silent = response_rate(&counts(20, 0, 0));
        assert_eq!(silent.rate, Some(0.0));
        assert_eq!(silent.margin_of_error, None);
        // 96.04/(1 + 95.04/20) = 16.7 → 17.
        assert_eq!(silent.responses_needed, Some(17));
        // More responses than eligible invitations (imported responses): no rate.
        let imported = response_rate(&counts(5, 1, 9));
        assert_eq!(imported.rate, None);
        assert_eq!(imported.margin_of_error, None);
        assert_eq!(imported.responses_needed, None);
        // Bounces beyond the invitations can't make the population negative.
        assert_eq!(counts(1, 3, 0).eligible(), 0);
    }

    #[test]
    fn small_agencies_are_hidden_with_a_complement() {
        let agencies = vec![
            ("DOT".to_string(), counts(40, 0, 2)),
            ("DOR".to_string(), counts(4, 0, 4)),
            ("DHS".to_string(), counts(9, 1, 3)),
            ("DOE".to_string(), counts(30, 0, 12)),
        ];
        let rates = response_rates(&agencies, &counts(20, 0, 8), 5);
        let by = |code: &str| {
            rates
                .agencies
                .iter()
                .find(|a| a.agency == code)
                .unwrap()
                .rate
        };
        // DOT: 40 asked, only 2 answered: shown, so the BRM can chase it.
        assert!(close(by("DOT").rate, 0.05));
        assert_eq!(by("DOT").responses, Some(2));
        // DOR: 4 asked, under 5: hidden. Alone it would be recoverable from the total, so
        // the smallest shown agency (DHS, 8 eligible) is hidden too.
        assert_eq!(by("DOR").suppressed, Some(Suppression::BelowThreshold));
        assert_eq!(by("DOR").responses, None);
        assert_eq!(by("DHS").suppressed, Some(Suppression::Complementary));
        assert_eq!(by("DHS").rate, None);
        assert!(by("DOE").suppressed.is_none());
        assert_eq!(rates.suppressed.below_threshold, 1);
        assert_eq!(rates.suppressed.complementary, 1);
        // The overall row adds every agency up, the hidden ones included.
        assert_eq!(rates.customers.invited, Some(83));
        assert_eq!(rates.customers.bounced, Some(1));
        assert_eq!(rates.customers.responses, Some(21));
        assert!(close(rates.customers.rate, 21.0 / 82.0));
        assert!(close(rates.staff.rate, 0.4));
    }

    #[test]
    fn thresholds_of_whole_audiences() {
        // No staff asked at all: zeros, no rate, nothing hidden.
        let rates = response_rates(&[("DOT".into(), counts(10, 0, 5))], &counts(0, 0, 0), 5);
        assert_eq!(rates.staff.suppressed, None);
        assert_eq!(rates.staff.invited, Some(0));
        assert_eq!(rates.staff.rate, None);
        // Three staff asked: hidden. Imported responses count towards the group size.
        let rates = response_rates(&[("DOT".into(), counts(0, 0, 3))], &counts(3, 0, 1), 5);
        assert_eq!(rates.staff.suppressed, Some(Suppression::BelowThreshold));
        assert_eq!(
            rates.customers.suppressed,
            Some(Suppression::BelowThreshold)
        );
        assert_eq!(rates.agencies[0].rate.responses, None);
        let rates = response_rates(&[("DOT".into(), counts(0, 0, 6))], &counts(3, 0, 1), 5);
        assert_eq!(rates.agencies[0].rate.responses, Some(6));
        assert_eq!(rates.agencies[0].rate.rate, None);
        // No agencies: an empty list and an all-zero overall row.
        let rates = response_rates(&[], &counts(8, 0, 8), 5);
        assert!(rates.agencies.is_empty());
        assert_eq!(rates.customers.responses, Some(0));
        assert_eq!(rates.staff.margin_of_error, Some(0.0));
    }

    #[test]
    fn serializes_in_snake_case_without_empty_suppression() {
        // 10 eligible need 10 for ±10 points (96.04/(1 + 95.04/10) = 9.14 → 10): 5 more.
        let json = serde_json::to_value(response_rate(&counts(10, 0, 5))).unwrap();
        assert_eq!(json["responses_needed"], 5);
        assert!(json.get("suppressed").is_none());
        let hidden = serde_json::to_value(ResponseRate::hidden(Suppression::Complementary));
        assert_eq!(hidden.unwrap()["suppressed"], "complementary");
    }
}
