//! Watermelons: services whose SLA figures are green while their customers are red.
//!
//! Per service (and per agency × service): SLA attainment — the share of its metrics met —
//! against CSAT on the service's satisfaction item, with a Wilson interval so that a few
//! unhappy answers don't make a watermelon on their own (DESIGN.md, "Watermelon").

use serde::Serialize;

use super::gap::{Grouping, ItemInfo};
use super::responses::ResponseSet;
use super::stats::{CSAT_SATISFIED, Confidence, Interval, wilson_interval};
use super::suppress::{Suppression, SuppressionNote, suppress};
use crate::domain::{NO_ANSWER, Scale};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WatermelonClass {
    /// SLA attainment at or above target, and even CSAT's upper bound below the red line.
    Watermelon,
    /// SLA attainment below target, yet CSAT's lower bound at or above the green line.
    ReverseWatermelon,
    /// The SLA figures and the customers tell the same story: SLA met and CSAT's lower
    /// bound at or above the red line, or SLA missed and CSAT's upper bound below the
    /// green line.
    Consistent,
    /// CSAT's interval straddles the line that would decide: too few answers to tell.
    Inconclusive,
    /// No SLA metric, or fewer customer answers than the reporting threshold.
    InsufficientData,
}

/// The lines a service is judged against (settings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WatermelonRules {
    /// Share of metrics met at which the SLA side is green, e.g. 0.95.
    pub sla_target: f64,
    /// CSAT below which customers are red, e.g. 0.60.
    pub red_line: f64,
    /// CSAT at or above which customers are green, e.g. 0.80.
    pub green_line: f64,
    /// Fewest customer answers for a verdict.
    pub reporting_threshold: usize,
}

/// The SLA side: how many of the service's metrics were met.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SlaSide {
    pub metrics: usize,
    pub met: usize,
    /// `met / metrics`; `None` with no metrics.
    pub attainment: Option<f64>,
}

/// The customer side: CSAT on the service's satisfaction item. Figures are `None` (not
/// shown) below the reporting threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CsatSide {
    pub n: Option<u64>,
    pub csat: Option<f64>,
    pub ci95: Option<Interval>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Watermelon {
    pub sla: SlaSide,
    pub customers: CsatSide,
    pub class: WatermelonClass,
}

/// Judges one service (or agency × service cell) from its metric counts and the number of
/// satisfied (4–5) answers out of `answered`.
pub fn judge(
    rules: &WatermelonRules,
    metrics: usize,
    met: usize,
    satisfied: u64,
    answered: u64,
) -> Watermelon {
    let sla = SlaSide {
        metrics,
        met,
        attainment: (metrics > 0).then(|| met as f64 / metrics as f64),
    };
    let enough = answered >= rules.reporting_threshold as u64 && answered > 0;
    let ci95 = if enough {
        wilson_interval(satisfied, answered, Confidence::NINETY_FIVE)
    } else {
        None
    };
    let customers = CsatSide {
        n: enough.then_some(answered),
        csat: enough.then(|| satisfied as f64 / answered as f64),
        ci95,
    };
    let class = match (sla.attainment, ci95) {
        (Some(attainment), Some(ci)) if attainment >= rules.sla_target => {
            if ci.upper < rules.red_line {
                WatermelonClass::Watermelon
            } else if ci.lower >= rules.red_line {
                WatermelonClass::Consistent
            } else {
                WatermelonClass::Inconclusive
            }
        }
        (Some(_), Some(ci)) => {
            if ci.lower >= rules.green_line {
                WatermelonClass::ReverseWatermelon
            } else if ci.upper < rules.green_line {
                WatermelonClass::Consistent
            } else {
                WatermelonClass::Inconclusive
            }
        }
        _ => WatermelonClass::InsufficientData,
    };
    Watermelon {
        sla,
        customers,
        class,
    }
}

/// How many SLA metrics a service (or an agency × service cell) has, and how many were met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlaCounts {
    pub metrics: usize,
    pub met: usize,
}

impl SlaCounts {
    pub fn add(&mut self, met: bool) {
        self.metrics += 1;
        self.met += usize::from(met);
    }

    fn plus(self, other: SlaCounts) -> SlaCounts {
        SlaCounts {
            metrics: self.metrics + other.metrics,
            met: self.met + other.met,
        }
    }
}

/// The SLA figures of one service in one wave.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceSla {
    /// Service code.
    pub service: String,
    /// Metrics reported for all agencies.
    pub programme: SlaCounts,
    /// Metrics reported for one agency, by agency code.
    pub agencies: Vec<(String, SlaCounts)>,
}

impl ServiceSla {
    /// Every metric of the service, whoever it covers.
    fn all(&self) -> SlaCounts {
        self.agencies
            .iter()
            .fold(self.programme, |all, (_, c)| all.plus(*c))
    }

    /// The metrics that describe one agency's service: those reported for it, or, when IT
    /// reports the service only programme-wide, the programme's (that is the green rind the
    /// agency is shown too).
    fn for_agency(&self, agency: &str) -> SlaCounts {
        self.agencies
            .iter()
            .find(|(code, _)| code == agency)
            .map_or(self.programme, |(_, c)| *c)
    }
}

/// One agency's cell of a service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgencyWatermelon {
    pub agency: String,
    #[serde(flatten)]
    pub watermelon: Watermelon,
    /// Why the customer side is hidden, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// One service: overall, and per agency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceWatermelon {
    pub service: String,
    /// The service's satisfaction item, if the instrument has one.
    pub item: Option<String>,
    #[serde(flatten)]
    pub watermelon: Watermelon,
    pub agencies: Vec<AgencyWatermelon>,
    /// Agency cells whose customer side is hidden.
    pub suppressed: SuppressionNote,
}

/// Watermelons of a wave, with the lines they were judged against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatermelonReport {
    pub sla_target: f64,
    pub red_line: f64,
    pub green_line: f64,
    pub reporting_threshold: usize,
    pub services: Vec<ServiceWatermelon>,
}

/// Judges every service in `slas` (and every service with a satisfaction item), overall
/// and per agency, against the customers' CSAT on its satisfaction item. Agency cells
/// whose answers are below the threshold are hidden with complementary suppression, since
/// the service's overall CSAT is shown beside them.
pub fn watermelons(
    slas: &[ServiceSla],
    items: &[ItemInfo],
    customers: &ResponseSet,
    agency_code: impl Fn(i64) -> String,
    rules: &WatermelonRules,
) -> WatermelonReport {
    let agencies = Grouping::by_agency(customers, agency_code);
    let mut services: Vec<ServiceSla> = slas.to_vec();
    for item in items.iter().filter(|i| is_service_item(i)) {
        if let Some(code) = &item.service
            && !services.iter().any(|s| &s.service == code)
        {
            services.push(ServiceSla {
                service: code.clone(),
                ..ServiceSla::default()
            });
        }
    }
    let services = services
        .iter()
        .map(|sla| {
            let item = items
                .iter()
                .find(|i| is_service_item(i) && i.service.as_deref() == Some(sla.service.as_str()));
            // (satisfied, answered) per agency, in the grouping's order.
            let mut cells = vec![(0u64, 0u64); agencies.names.len()];
            if let Some(column) = item.and_then(|i| customers.answers.get(i.position)) {
                for (&v, &group) in column.iter().zip(&agencies.of) {
                    if v != NO_ANSWER
                        && let Some(cell) = cells.get_mut(group as usize)
                    {
                        cell.0 += u64::from(CSAT_SATISFIED.contains(&v));
                        cell.1 += 1;
                    }
                }
            }
            let (satisfied, answered) = cells
                .iter()
                .fold((0, 0), |(s, a), (cs, ca)| (s + cs, a + ca));
            let all = sla.all();
            let hidden = suppress(
                &cells.iter().map(|c| c.1 as usize).collect::<Vec<_>>(),
                rules.reporting_threshold,
            );
            ServiceWatermelon {
                service: sla.service.clone(),
                item: item.map(|i| i.code.clone()),
                watermelon: judge(rules, all.metrics, all.met, satisfied, answered),
                agencies: agencies
                    .names
                    .iter()
                    .zip(&cells)
                    .zip(&hidden)
                    .map(|((agency, (satisfied, answered)), hidden)| {
                        let counts = sla.for_agency(agency);
                        // A hidden cell is judged on no answers: its CSAT and class would
                        // tell what the customers said.
                        let (satisfied, answered) = match hidden {
                            Some(_) => (0, 0),
                            None => (*satisfied, *answered),
                        };
                        AgencyWatermelon {
                            agency: agency.clone(),
                            watermelon: judge(
                                rules,
                                counts.metrics,
                                counts.met,
                                satisfied,
                                answered,
                            ),
                            suppressed: *hidden,
                        }
                    })
                    .collect(),
                suppressed: SuppressionNote::of(&hidden, rules.reporting_threshold),
            }
        })
        .collect();
    WatermelonReport {
        sla_target: rules.sla_target,
        red_line: rules.red_line,
        green_line: rules.green_line,
        reporting_threshold: rules.reporting_threshold,
        services,
    }
}

/// A service's satisfaction item: a `likert5` item about one service.
fn is_service_item(item: &ItemInfo) -> bool {
    item.service.is_some() && item.scale == Scale::Likert5
}

#[cfg(test)]
mod tests {
    use super::WatermelonClass::*;
    use super::*;

    const RULES: WatermelonRules = WatermelonRules {
        sla_target: 0.95,
        red_line: 0.60,
        green_line: 0.80,
        reporting_threshold: 5,
    };

    #[test]
    fn table() {
        // (metrics, met, satisfied, answered, class)
        let cases = [
            // All SLAs met, 20 of 100 satisfied (upper bound ≈ 0.29): watermelon.
            (3, 3, 20, 100, Watermelon),
            // All met, 55 of 100 satisfied (0.45–0.64): the interval straddles the red line,
            // so there are too few answers to tell.
            (3, 3, 55, 100, Inconclusive),
            // All met, 2 of 6 satisfied (33%, 0.10–0.70): not a watermelon yet, and never
            // "consistent" either.
            (4, 4, 2, 6, Inconclusive),
            // All met, customers happy (lower bound ≈ 0.83, above the red line): consistent.
            (3, 3, 90, 100, Consistent),
            // All met, 70 of 100 (0.60–0.78): lower bound at or above the red line, consistent.
            (3, 3, 70, 100, Consistent),
            // One of two missed (50%), 95 of 100 satisfied (lower ≈ 0.89): reverse watermelon.
            (2, 1, 95, 100, ReverseWatermelon),
            // Missed and unhappy (upper bound ≈ 0.29, below the green line): consistent.
            (2, 1, 20, 100, Consistent),
            // Missed, and 9 of 10 satisfied (0.60–0.98): straddles the green line.
            (2, 1, 9, 10, Inconclusive),
            // 19 of 20 metrics met is exactly the 95% target: green SLA.
            (20, 19, 10, 100, Watermelon),
            // 18 of 20 (90%) is below it: missed, and 10 of 100 satisfied is consistent.
            (20, 18, 10, 100, Consistent),
            // No SLA metrics, or too few answers.
            (0, 0, 20, 100, InsufficientData),
            (3, 3, 0, 4, InsufficientData),
            (3, 3, 0, 0, InsufficientData),
        ];
        for (metrics, met, satisfied, answered, class) in cases {
            let w = judge(&RULES, metrics, met, satisfied, answered);
            assert_eq!(
                w.class, class,
                "{metrics} metrics, {met} met, {satisfied}/{answered} satisfied: {w:?}"
            );
        }
    }

    #[test]
    fn small_groups_show_no_customer_figures() {
        let w = judge(&RULES, 2, 2, 1, 4);
        assert_eq!(w.customers.n, None);
        assert_eq!(w.customers.csat, None);
        assert_eq!(w.customers.ci95, None);
        assert_eq!(w.sla.attainment, Some(1.0));
    }

    fn service_item(code: &str, service: &str, position: usize) -> ItemInfo {
        ItemInfo {
            code: code.into(),
            label: format!("Label of {}", code),
            wording: format!("Wording of {}", code),
            dimension: "service".into(),
            scale: Scale::Likert5,
            position,
            mirrored: true,
            service: Some(service.into()),
        }
    }

    #[test]
    fn services_overall_and_per_agency_with_complementary_suppression() {
        // Email: agencies 1 and 2 (40 answers each, mostly unhappy), agency 3 with 3
        // answers, agency 4 with 7 answers. Network has no item, only SLA figures.
        let mut customers = ResponseSet::with_items(1, 90);
        let mut add = |agency: i64, value: u8, count: usize| {
            for _ in 0..count {
                customers.push(Some(agency), None, &[value]);
            }
        };
        add(1, 2, 30);
        add(1, 5, 10);
        add(2, 1, 32);
        add(2, 4, 8);
        add(3, 5, 3);
        add(4, 4, 7);
        let met = |metrics, met| SlaCounts { metrics, met };
        let slas = vec![
            ServiceSla {
                service: "email".into(),
                programme: met(2, 2),
                // Agency 2 has its own figures: one of two missed.
                agencies: vec![("A2".into(), met(2, 1))],
            },
            ServiceSla {
                service: "network".into(),
                programme: met(1, 1),
                agencies: vec![],
            },
        ];
        let items = [service_item("svc_email", "email", 0)];
        let report = watermelons(&slas, &items, &customers, |id| format!("A{id}"), &RULES);
        let email = &report.services[0];
        // Overall: 3 of 4 metrics met (75%) is below the 95% target: not a watermelon,
        // however unhappy customers are (10 + 8 + 3 + 7 = 28 of 90 satisfied).
        assert_eq!(email.watermelon.sla.metrics, 4);
        assert_eq!(email.watermelon.sla.met, 3);
        assert_eq!(email.watermelon.customers.n, Some(90));
        assert_eq!(email.watermelon.class, Consistent);
        let cell = |code: &str| email.agencies.iter().find(|a| a.agency == code).unwrap();
        // A1 uses the programme figures (all met) and 10 of 40 satisfied: a watermelon.
        assert_eq!(cell("A1").watermelon.sla.attainment, Some(1.0));
        assert_eq!(cell("A1").watermelon.class, Watermelon);
        // A2's own figures: one missed, so consistent (red and red).
        assert_eq!(cell("A2").watermelon.sla.attainment, Some(0.5));
        assert_eq!(cell("A2").watermelon.class, Consistent);
        // A3 (3 answers) is hidden; A4 (7) would give A3 away as total − shown, so it is
        // hidden too. Neither shows a CSAT or a class.
        for (code, reason) in [
            ("A3", Suppression::BelowThreshold),
            ("A4", Suppression::Complementary),
        ] {
            let c = cell(code);
            assert_eq!(c.suppressed, Some(reason), "{code}");
            assert_eq!(c.watermelon.customers.n, None);
            assert_eq!(c.watermelon.customers.csat, None);
            assert_eq!(c.watermelon.class, InsufficientData);
        }
        assert_eq!(email.suppressed.below_threshold, 1);
        assert_eq!(email.suppressed.complementary, 1);
        // Network: SLA figures, no satisfaction item: insufficient data everywhere.
        let network = &report.services[1];
        assert_eq!(network.item, None);
        assert_eq!(network.watermelon.class, InsufficientData);
        assert_eq!(network.watermelon.sla.attainment, Some(1.0));
    }
}
