//! Reports assembled from stored data and the analysis: loading what a wave needs, running
//! the pure analysis over it, and writing JSON or CSV; the baseline and trend reports for
//! BRM leads ([`document`]) in HTML, PDF, XLSX and CSV.

use std::collections::HashMap;

pub mod blocks;
pub mod cache;
pub mod csv;
pub mod document;
pub mod export;
pub mod figures;
pub mod html;
pub mod overview;
pub mod pdf;
pub mod view;
pub mod xlsx;

pub use view::WaveView;

use serde::Serialize;

use crate::analysis::calibration::{Calibration, calibration};
use crate::analysis::gap::{self, GapReport, GapRules, ItemInfo};
use crate::analysis::ipa::IpaGrid;
use crate::analysis::measures::WaveMeasures;
use crate::analysis::rates::{ResponseCounts, ResponseRates, response_rates};
use crate::analysis::responses::WaveResponses;
use crate::analysis::trend::{Trend, WaveSnapshot, snapshot, trend};
use crate::analysis::watermelon::{WatermelonReport, WatermelonRules};
use crate::config::Settings;
use crate::db::DbConnection;
use crate::domain::Audience;
use crate::error::Result;
use crate::store::{agencies, instruments, invitations, responses, services, waves};

/// What a wave is measured with, ready for the analysis.
pub struct WaveContext {
    pub wave: waves::Wave,
    pub items: Vec<ItemInfo>,
    pub agency_codes: HashMap<i64, String>,
}

pub fn wave_context(conn: &mut DbConnection, wave_code: &str) -> Result<WaveContext> {
    let wave = waves::by_code(conn, wave_code)?;
    let service_codes: HashMap<i64, String> = services::list(conn)?
        .into_iter()
        .map(|s| (s.id, s.code))
        .collect();
    let items = instruments::items(conn, wave.instrument_id)?
        .into_iter()
        .map(|i| ItemInfo {
            mirrored: i.is_mirrored(),
            service: i.service_id.and_then(|id| service_codes.get(&id).cloned()),
            label: i.label,
            wording: i.customer_wording,
            code: i.code,
            dimension: i.dimension,
            scale: i.scale,
            position: i.position,
        })
        .collect();
    let agency_codes = agencies::list(conn)?
        .into_iter()
        .map(|a| (a.id, a.code))
        .collect();
    Ok(WaveContext {
        wave,
        items,
        agency_codes,
    })
}

pub fn gap_rules(settings: &Settings) -> GapRules {
    GapRules {
        reporting_threshold: u64::from(settings.reporting_threshold),
        significance_level: settings.significance_level,
        material_gap_share: settings.material_gap_share,
    }
}

/// The gap report of a wave, as the API and `rind report gap` give it.
#[derive(Debug, Clone, Serialize)]
pub struct WaveGapReport {
    pub wave: String,
    #[serde(flatten)]
    pub report: GapReport,
    /// CSAT, NPS and CES per audience, and each dimension's reliability.
    pub measures: WaveMeasures,
}

pub fn gap_report(
    conn: &mut DbConnection,
    settings: &Settings,
    wave_code: &str,
) -> Result<WaveGapReport> {
    Ok(WaveView::load(conn, settings, wave_code)?.gap_report())
}

/// Writes `report` as pretty JSON with a final newline.
pub fn write_json(report: &impl Serialize, out: &mut impl std::io::Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)
        .map_err(|e| crate::AppError::Internal(format!("cannot write JSON: {e}")))?;
    writeln!(out).map_err(|e| crate::AppError::io("cannot write the report", e))
}

/// An agency's code, or its id when the agency is gone (never in a consistent database).
fn agency_code(codes: &HashMap<i64, String>, id: i64) -> String {
    codes.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
}

pub fn watermelon_rules(settings: &Settings) -> WatermelonRules {
    WatermelonRules {
        sla_target: settings.sla_target,
        red_line: settings.csat_red_line,
        green_line: settings.csat_green_line,
        reporting_threshold: settings.reporting_threshold as usize,
    }
}

/// A wave's report of one kind, with the wave it is about.
#[derive(Debug, Clone, Serialize)]
pub struct OfWave<T> {
    pub wave: String,
    #[serde(flatten)]
    pub report: T,
}

/// Watermelons of a wave: SLA attainment against CSAT per service and agency × service.
pub fn watermelon_report(
    conn: &mut DbConnection,
    settings: &Settings,
    wave_code: &str,
) -> Result<OfWave<WatermelonReport>> {
    let view = WaveView::load(conn, settings, wave_code)?;
    Ok(view.of_wave(&view.watermelons))
}

/// The importance–performance grid of a wave.
pub fn ipa_report(
    conn: &mut DbConnection,
    settings: &Settings,
    wave_code: &str,
) -> Result<OfWave<IpaGrid>> {
    let view = WaveView::load(conn, settings, wave_code)?;
    Ok(view.of_wave(&view.ipa))
}

/// How well staff predicted customers in a wave.
pub fn calibration_report(
    conn: &mut DbConnection,
    settings: &Settings,
    wave_code: &str,
) -> Result<OfWave<Calibration>> {
    let view = WaveView::load(conn, settings, wave_code)?;
    Ok(view.of_wave(&view.calibration))
}

fn calibration_of(items: &[ItemInfo], rows: &[gap::ItemGap]) -> Calibration {
    calibration(rows.iter().filter_map(|row| {
        let item = items.iter().find(|i| i.code == row.item)?;
        Some((row, item.scale))
    }))
}

/// Response rates of a wave, per agency and overall, from invitations and responses
/// (no answers are loaded).
pub fn rates_report(
    conn: &mut DbConnection,
    settings: &Settings,
    wave_code: &str,
) -> Result<OfWave<ResponseRates>> {
    let wave = waves::by_code(conn, wave_code)?;
    let codes: HashMap<i64, String> = agencies::list(conn)?
        .into_iter()
        .map(|a| (a.id, a.code))
        .collect();
    Ok(OfWave {
        wave: wave.code.clone(),
        report: rates_of(conn, settings, &wave, &codes)?,
    })
}

fn rates_of(
    conn: &mut DbConnection,
    settings: &Settings,
    wave: &waves::Wave,
    codes: &HashMap<i64, String>,
) -> Result<ResponseRates> {
    let responded = responses::counts_by_agency(conn, wave.id)?;
    rates_with(conn, settings, wave, codes, responded)
}

/// Responses per (audience, agency) of a wave's loaded answers: the same counts as
/// `store::responses::counts_by_agency`, without reading the table again.
fn responded(data: &WaveResponses) -> Vec<(Audience, Option<i64>, i64)> {
    let mut by_agency: HashMap<Option<i64>, i64> = HashMap::new();
    for agency in &data.customers.agency {
        *by_agency.entry(*agency).or_default() += 1;
    }
    let mut out: Vec<(Audience, Option<i64>, i64)> = by_agency
        .into_iter()
        .map(|(agency, n)| (Audience::Customer, agency, n))
        .collect();
    out.push((Audience::Staff, None, data.staff.len() as i64));
    out
}

/// Response rates from the invitations (read here) and the responses counted by the caller.
fn rates_with(
    conn: &mut DbConnection,
    settings: &Settings,
    wave: &waves::Wave,
    codes: &HashMap<i64, String>,
    responded: Vec<(Audience, Option<i64>, i64)>,
) -> Result<ResponseRates> {
    let mut by_agency: Vec<(String, ResponseCounts)> = Vec::new();
    let mut staff = ResponseCounts::default();
    // Customers without an agency belong to no agency row.
    fn slot<'a>(
        by_agency: &'a mut Vec<(String, ResponseCounts)>,
        staff: &'a mut ResponseCounts,
        codes: &HashMap<i64, String>,
        audience: Audience,
        agency: Option<i64>,
    ) -> Option<&'a mut ResponseCounts> {
        match (audience, agency) {
            (Audience::Staff, _) => Some(staff),
            (Audience::Customer, None) => None,
            (Audience::Customer, Some(id)) => {
                let code = agency_code(codes, id);
                let at = match by_agency.iter().position(|(c, _)| *c == code) {
                    Some(at) => at,
                    None => {
                        by_agency.push((code, ResponseCounts::default()));
                        by_agency.len() - 1
                    }
                };
                Some(&mut by_agency[at].1)
            }
        }
    }
    for c in invitations::counts_by_agency(conn, wave.id)? {
        if let Some(counts) = slot(&mut by_agency, &mut staff, codes, c.audience, c.agency_id) {
            counts.invited += c.invited.max(0) as u64;
            counts.bounced += c.bounced.max(0) as u64;
        }
    }
    for (audience, agency, n) in responded {
        if let Some(counts) = slot(&mut by_agency, &mut staff, codes, audience, agency) {
            counts.responses += n.max(0) as u64;
        }
    }
    by_agency.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(response_rates(
        &by_agency,
        &staff,
        u64::from(settings.reporting_threshold),
    ))
}

/// The waves of a trend, each reduced to what the trend needs.
#[derive(Debug, Clone)]
pub struct TrendInput {
    /// The wave the trend runs up to.
    pub wave: String,
    pub instrument: String,
    pub snapshots: Vec<WaveSnapshot>,
    /// Item code → label, of the wave the trend runs up to.
    pub labels: HashMap<String, String>,
}

/// A trend, as the API and `rind report trend` give it.
#[derive(Debug, Clone, Serialize)]
pub struct WaveTrendReport<'a> {
    pub wave: &'a str,
    pub instrument: &'a str,
    pub reporting_threshold: u64,
    #[serde(flatten)]
    pub trend: Trend<'a>,
    /// Item code → label, for outputs that name items.
    #[serde(skip)]
    pub labels: &'a HashMap<String, String>,
}

impl TrendInput {
    pub fn report(&self, reporting_threshold: u64) -> WaveTrendReport<'_> {
        WaveTrendReport {
            wave: &self.wave,
            instrument: &self.instrument,
            reporting_threshold,
            trend: trend(&self.snapshots),
            labels: &self.labels,
        }
    }
}

/// Loads every wave of the instrument up to `wave_code`, one at a time, into snapshots.
pub fn trend_input(
    conn: &mut DbConnection,
    settings: &Settings,
    wave_code: &str,
) -> Result<TrendInput> {
    let wave = waves::by_code(conn, wave_code)?;
    let instrument = instruments::find(conn, wave.instrument_id)?;
    let mut snapshots = Vec::new();
    for w in waves::series_until(conn, &wave)? {
        snapshots.push(wave_snapshot(conn, settings, &w)?);
    }
    let labels = wave_context(conn, &wave.code)?
        .items
        .into_iter()
        .map(|i| (i.code, i.label))
        .collect();
    Ok(TrendInput {
        wave: wave.code,
        instrument: instrument.code,
        snapshots,
        labels,
    })
}

/// The trend up to `view`'s wave: the view's own snapshot, and each earlier wave's from
/// `cache` (computed once per data fingerprint), so the view's wave is not read again.
pub fn trend_of(
    conn: &mut DbConnection,
    cache: &cache::ReportCache,
    settings: &Settings,
    view: &WaveView,
) -> Result<TrendInput> {
    let mut snapshots = Vec::new();
    for w in waves::series_until(conn, &view.wave)? {
        if w.id == view.wave.id {
            snapshots.push(view.snapshot.clone());
        } else {
            let key = format!("snapshot/{}", w.code);
            let snapshot = cache.get(conn, &key, |conn| wave_snapshot(conn, settings, &w))?;
            snapshots.push((*snapshot).clone());
        }
    }
    Ok(TrendInput {
        wave: view.wave.code.clone(),
        instrument: view.instrument.code.clone(),
        snapshots,
        labels: view
            .items
            .iter()
            .map(|i| (i.code.clone(), i.label.clone()))
            .collect(),
    })
}

/// One wave reduced to what a trend compares.
fn wave_snapshot(
    conn: &mut DbConnection,
    settings: &Settings,
    wave: &waves::Wave,
) -> Result<WaveSnapshot> {
    let context = wave_context(conn, &wave.code)?;
    let data = responses::load_wave(conn, wave.id, context.items.len())?;
    let rates = rates_of(conn, settings, wave, &context.agency_codes)?;
    Ok(snapshot(
        &wave.code,
        wave.is_baseline,
        &context.items,
        &data,
        (rates.customers, rates.staff),
        &gap_rules(settings),
    ))
}
