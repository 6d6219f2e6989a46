//! One wave, loaded once and analysed once: the [`WaveView`] that every output reads.
//!
//! The overview, the wave page, the drill-downs, the agency and service pages, the JSON
//! API, the CLI and the baseline and trend reports all start from a `WaveView`. It holds
//! the wave's context (items with their labels and wordings, agencies, services), every
//! analysis of the wave (gaps with breakdowns, headline measures, watermelons, the
//! importance–performance grid, calibration, answer distributions, response rates), its
//! SLA figures and the comments above the comment threshold. The responses themselves are
//! read once, analysed, and dropped.
//!
//! A view is cut to a reader's role once ([`WaveView::cut`]) before anything is shown, so
//! no output applies a suppression or role rule of its own. The web keeps each view in the
//! [`super::cache::ReportCache`] under its data fingerprint.

use std::collections::HashMap;

use serde::Serialize;

use super::{
    OfWave, WaveGapReport, gap_rules, rates_with, responded, watermelon_rules, wave_context,
};
use crate::analysis::calibration::Calibration;
use crate::analysis::gap::{self, BreakdownBy, GapReport, GroupTable, ItemGap, ItemInfo, Verdict};
use crate::analysis::ipa::{IpaGrid, wave_grid};
use crate::analysis::measures::{WaveMeasures, measures};
use crate::analysis::rates::ResponseRates;
use crate::analysis::trend::{WaveSnapshot, snapshot};
use crate::analysis::watermelon::{ServiceSla, SlaCounts, WatermelonReport, watermelons};
use crate::auth::access::Access;
use crate::charts::{AnswerDistribution, answer_distributions};
use crate::config::Settings;
use crate::db::DbConnection;
use crate::domain::Role;
use crate::error::Result;
use crate::store::{agencies, instruments, responses, services, sla, waves};
use crate::words::{self, Names};

/// The thresholds and lines a view was computed with (settings), for sentences and the
/// methodology.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ViewRules {
    pub reporting_threshold: u64,
    pub comment_threshold: u64,
    pub significance_level: f64,
    pub material_gap_share: f64,
    pub sla_target: f64,
    pub red_line: f64,
    pub green_line: f64,
}

impl ViewRules {
    pub fn of(settings: &Settings) -> ViewRules {
        ViewRules {
            reporting_threshold: u64::from(settings.reporting_threshold),
            comment_threshold: u64::from(settings.comment_threshold),
            significance_level: settings.significance_level,
            material_gap_share: settings.material_gap_share,
            sla_target: settings.sla_target,
            red_line: settings.csat_red_line,
            green_line: settings.csat_green_line,
        }
    }

    /// What `words` needs to phrase a gap.
    pub fn words(&self) -> words::Rules {
        words::Rules {
            reporting_threshold: self.reporting_threshold,
            significance_level: self.significance_level,
        }
    }
}

/// One SLA figure of the wave, by codes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaFigure {
    pub service: String,
    /// `None`: the figure covers all agencies.
    pub agency: Option<String>,
    pub metric: String,
    /// The metric's name as people read it (its label, or its code in words).
    pub name: String,
    pub target: f64,
    pub actual: f64,
    pub met: bool,
}

/// What customers of one agency wrote, shown only when the agency reaches the comment
/// threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgencyComments {
    pub agency: String,
    /// (the question's label, the comment), in question order.
    pub comments: Vec<(String, String)>,
}

/// Everything known about one wave, analysed, ready for any output.
#[derive(Debug, Clone)]
pub struct WaveView {
    pub wave: waves::Wave,
    pub instrument: instruments::Instrument,
    pub items: Vec<ItemInfo>,
    pub names: Names,
    /// The agencies the reader may see (all of them before [`WaveView::cut`]).
    pub agencies: Vec<agencies::Agency>,
    pub gap: GapReport,
    pub measures: WaveMeasures,
    pub watermelons: WatermelonReport,
    pub ipa: IpaGrid,
    pub calibration: Calibration,
    /// The answers to every rating item, per audience (below the threshold: hidden).
    pub answers: Vec<AnswerDistribution>,
    pub rates: ResponseRates,
    pub sla: Vec<SlaFigure>,
    /// Comments of the agencies at the comment threshold.
    pub comments: Vec<AgencyComments>,
    /// The wave reduced to what a trend compares.
    pub snapshot: WaveSnapshot,
    pub rules: ViewRules,
    /// Agency groups the reader's role left out (0 before a cut).
    pub agencies_not_yours: usize,
}

impl WaveView {
    /// Loads the wave `code` and everything measured in it: one context, one read of its
    /// responses, every analysis.
    pub fn load(conn: &mut DbConnection, settings: &Settings, code: &str) -> Result<WaveView> {
        let context = wave_context(conn, code)?;
        let wave = context.wave;
        let items = context.items;
        let instrument = instruments::find(conn, wave.instrument_id)?;
        let all_agencies = agencies::list(conn)?;
        let all_services = services::list(conn)?;
        let names = Names::new(
            items.iter().map(|i| (i.code.clone(), i.label.clone())),
            all_agencies
                .iter()
                .map(|a| (a.code.clone(), a.name.clone())),
            all_services
                .iter()
                .map(|s| (s.code.clone(), s.name.clone())),
        );
        let agency_code = |id: i64| super::agency_code(&context.agency_codes, id);
        let service_codes: HashMap<i64, &str> = all_services
            .iter()
            .map(|s| (s.id, s.code.as_str()))
            .collect();
        let sla = sla::for_wave(conn, wave.id)?
            .into_iter()
            .filter_map(|m| {
                let service = service_codes.get(&m.service_id)?.to_string();
                Some(SlaFigure {
                    service,
                    agency: m.agency_id.map(agency_code),
                    name: words::metric_name(&m.metric, m.label.as_deref()),
                    met: m.is_met(),
                    metric: m.metric,
                    target: m.target,
                    actual: m.actual,
                })
            })
            .collect::<Vec<_>>();
        let data = responses::load_wave(conn, wave.id, items.len())?;
        let rates = rates_with(
            conn,
            settings,
            &wave,
            &context.agency_codes,
            responded(&data),
        )?;
        let rules = gap_rules(settings);
        let gap = gap::report(&items, &data, agency_code, &rules);
        let measures = measures(&items, &data, rules.reporting_threshold);
        let watermelons = watermelons(
            &service_slas(&sla),
            &items,
            &data.customers,
            agency_code,
            &watermelon_rules(settings),
        );
        let snapshot = snapshot(
            &wave.code,
            wave.is_baseline,
            &items,
            &data,
            (rates.customers, rates.staff),
            &rules,
        );
        let ipa = wave_grid(&items, &data, &gap.dimensions, rules.reporting_threshold);
        let answers = answer_distributions(&items, &data, rules.reporting_threshold);
        drop(data);
        let calibration = super::calibration_of(&items, &gap.items);

        let view_rules = ViewRules::of(settings);
        // Comments only of agencies at the comment threshold, read in one pass.
        let at_threshold: HashMap<i64, &str> = agency_groups(&gap)
            .filter(|g| {
                g.table.is_some() && g.respondents.unwrap_or(0) >= view_rules.comment_threshold
            })
            .filter_map(|g| {
                let agency = all_agencies.iter().find(|a| a.code == g.group)?;
                Some((agency.id, agency.code.as_str()))
            })
            .collect();
        let mut comments: Vec<AgencyComments> = Vec::new();
        if !at_threshold.is_empty() {
            for (agency_id, item, text) in responses::wave_comments(conn, wave.id)? {
                let Some(code) = at_threshold.get(&agency_id) else {
                    continue;
                };
                let entry = match comments.iter_mut().position(|c| c.agency == *code) {
                    Some(at) => &mut comments[at],
                    None => {
                        comments.push(AgencyComments {
                            agency: code.to_string(),
                            comments: Vec::new(),
                        });
                        let last = comments.len() - 1;
                        &mut comments[last]
                    }
                };
                entry.comments.push((names.item(&item), text));
            }
        }
        // An agency at the threshold with no comments still shows "no comments".
        for code in at_threshold.values() {
            if !comments.iter().any(|c| c.agency == *code) {
                comments.push(AgencyComments {
                    agency: code.to_string(),
                    comments: Vec::new(),
                });
            }
        }
        Ok(WaveView {
            wave,
            instrument,
            items,
            names,
            agencies: all_agencies,
            gap,
            measures,
            watermelons,
            ipa,
            calibration,
            answers,
            rates,
            sla,
            comments,
            snapshot,
            rules: view_rules,
            agencies_not_yours: 0,
        })
    }

    /// The view as a reader with `access` may see it: agency groups, cells, rates, SLA
    /// figures and comments of other agencies are gone, and `agencies_not_yours` says how
    /// many agency groups were left out.
    pub fn cut(&self, access: &Access) -> WaveView {
        let mut view = self.clone();
        view.agencies_not_yours = access.restrict_gap(&mut view.gap).agencies_not_yours;
        access.restrict_watermelons(&mut view.watermelons);
        access.restrict_rates(&mut view.rates);
        view.sla
            .retain(|m| m.agency.as_deref().is_none_or(|a| access.may_see_agency(a)));
        view.comments.retain(|c| access.may_see_agency(&c.agency));
        view.agencies.retain(|a| access.may_see_agency(&a.code));
        view
    }

    /// One agency against the programme: the view cut to that agency alone, whoever reads
    /// it (an agency head's report shows no other agency).
    pub fn for_agency(&self, code: &str) -> WaveView {
        let mut view = self.cut(&Access::new(Role::Brm, vec![code.to_string()]));
        // Not the reader's own choice: the others are simply not part of this version.
        view.agencies_not_yours = 0;
        view
    }

    pub fn code(&self) -> &str {
        &self.wave.code
    }

    /// The wave's item with this code.
    pub fn item(&self, code: &str) -> Option<&ItemInfo> {
        self.items.iter().find(|i| i.code == code)
    }

    pub fn agency(&self, code: &str) -> Option<&agencies::Agency> {
        self.agencies.iter().find(|a| a.code == code)
    }

    /// The agency breakdown's group of `code`, when the reader may see it.
    pub fn agency_group(&self, code: &str) -> Option<&GroupTable> {
        agency_groups(&self.gap).find(|g| g.group == code)
    }

    /// The comments of an agency, when it reached the comment threshold.
    pub fn comments_of(&self, code: &str) -> Option<&[(String, String)]> {
        self.comments
            .iter()
            .find(|c| c.agency == code)
            .map(|c| c.comments.as_slice())
    }

    /// The gap report, as the API and `rind report gap` give it.
    pub fn gap_report(&self) -> WaveGapReport {
        WaveGapReport {
            wave: self.wave.code.clone(),
            report: self.gap.clone(),
            measures: self.measures.clone(),
        }
    }

    /// Any part of the view as a report of the wave.
    pub fn of_wave<T: Clone>(&self, part: &T) -> OfWave<T> {
        OfWave {
            wave: self.wave.code.clone(),
            report: part.clone(),
        }
    }
}

/// The groups of the agency breakdown.
pub fn agency_groups(gap: &GapReport) -> impl Iterator<Item = &GroupTable> {
    gap.breakdowns
        .iter()
        .filter(|b| b.by == BreakdownBy::Agency)
        .flat_map(|b| &b.groups)
}

/// Items of `rows` with one of `verdicts`, the largest gap first as a share of each item's
/// scale (so a 0–10 item and a 1–5 item are ranked fairly).
pub fn ranked<'a>(rows: &'a [ItemGap], verdicts: &[Verdict]) -> Vec<&'a ItemGap> {
    let mut out: Vec<&ItemGap> = rows
        .iter()
        .filter(|i| verdicts.contains(&i.gap.verdict) && i.gap.suppressed.is_none())
        .collect();
    out.sort_by(|a, b| {
        let size = |i: &ItemGap| i.gap_share().map_or(f64::NEG_INFINITY, f64::abs);
        size(b).total_cmp(&size(a))
    });
    out
}

/// The SLA counts per service and per agency × service, from the wave's figures.
fn service_slas(figures: &[SlaFigure]) -> Vec<ServiceSla> {
    let mut slas: Vec<ServiceSla> = Vec::new();
    for figure in figures {
        let at = match slas.iter().position(|s| s.service == figure.service) {
            Some(at) => at,
            None => {
                slas.push(ServiceSla {
                    service: figure.service.clone(),
                    ..ServiceSla::default()
                });
                slas.len() - 1
            }
        };
        let entry = &mut slas[at];
        match &figure.agency {
            None => entry.programme.add(figure.met),
            Some(code) => match entry.agencies.iter_mut().find(|(c, _)| c == code) {
                Some((_, counts)) => counts.add(figure.met),
                None => {
                    let mut counts = SlaCounts::default();
                    counts.add(figure.met);
                    entry.agencies.push((code.clone(), counts));
                }
            },
        }
    }
    slas
}
