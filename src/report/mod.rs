//! Reports assembled from stored data and the analysis: loading what a wave needs, running
//! the pure analysis over it, and writing JSON or CSV.

use std::collections::HashMap;

pub mod csv;

use serde::Serialize;

use crate::analysis::gap::{self, GapReport, GapRules, ItemInfo};
use crate::config::Settings;
use crate::db::DbConnection;
use crate::error::Result;
use crate::store::{agencies, instruments, responses, services, waves};

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
}

pub fn gap_report(
    conn: &mut DbConnection,
    settings: &Settings,
    wave_code: &str,
) -> Result<WaveGapReport> {
    let context = wave_context(conn, wave_code)?;
    let data = responses::load_wave(conn, context.wave.id, context.items.len())?;
    let codes = &context.agency_codes;
    let report = gap::report(
        &context.items,
        &data,
        |id| codes.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
        &gap_rules(settings),
    );
    Ok(WaveGapReport {
        wave: context.wave.code,
        report,
    })
}
