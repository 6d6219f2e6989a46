//! SLA metrics: what IT reports per service (and optionally per agency) and wave.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::sla_metrics;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = sla_metrics)]
pub struct SlaMetric {
    pub id: i64,
    pub wave_id: i64,
    pub service_id: i64,
    /// `None`: the figure covers all agencies.
    pub agency_id: Option<i64>,
    pub metric: String,
    pub target: f64,
    pub actual: f64,
    pub higher_is_better: bool,
    /// What to call the metric in pages and reports; `None`: the file gave no label.
    pub label: Option<String>,
}

impl SlaMetric {
    /// Met = actual reaches the target in the direction that counts.
    pub fn is_met(&self) -> bool {
        if self.higher_is_better {
            self.actual >= self.target
        } else {
            self.actual <= self.target
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSlaMetric {
    pub wave_id: i64,
    pub service_id: i64,
    pub agency_id: Option<i64>,
    pub metric: String,
    pub target: f64,
    pub actual: f64,
    pub higher_is_better: bool,
    pub label: Option<String>,
}

/// Stores a metric, replacing the figures (and label) of the same wave, service, agency and
/// metric.
/// Returns true if it was new.
pub fn save(conn: &mut DbConnection, m: &NewSlaMetric) -> Result<bool> {
    let mut query = sla_metrics::table
        .filter(sla_metrics::wave_id.eq(m.wave_id))
        .filter(sla_metrics::service_id.eq(m.service_id))
        .filter(sla_metrics::metric.eq(&m.metric))
        .select(sla_metrics::id)
        .into_boxed();
    query = match m.agency_id {
        Some(a) => query.filter(sla_metrics::agency_id.eq(a)),
        None => query.filter(sla_metrics::agency_id.is_null()),
    };
    let existing: Option<i64> = query.first(conn).optional()?;
    let values = (
        sla_metrics::target.eq(m.target),
        sla_metrics::actual.eq(m.actual),
        sla_metrics::higher_is_better.eq(m.higher_is_better),
        sla_metrics::label.eq(m.label.as_deref()),
    );
    match existing {
        Some(id) => {
            diesel::update(sla_metrics::table.find(id))
                .set(values)
                .execute(conn)?;
            Ok(false)
        }
        None => {
            diesel::insert_into(sla_metrics::table)
                .values((
                    sla_metrics::wave_id.eq(m.wave_id),
                    sla_metrics::service_id.eq(m.service_id),
                    sla_metrics::agency_id.eq(m.agency_id),
                    sla_metrics::metric.eq(&m.metric),
                    values,
                ))
                .execute(conn)?;
            Ok(true)
        }
    }
}

pub fn for_wave(conn: &mut DbConnection, wave_id: i64) -> Result<Vec<SlaMetric>> {
    Ok(sla_metrics::table
        .filter(sla_metrics::wave_id.eq(wave_id))
        .order((
            sla_metrics::service_id,
            sla_metrics::agency_id,
            sla_metrics::metric,
        ))
        .select(SlaMetric::as_select())
        .load(conn)?)
}

/// The metrics of one service in a wave, with the agency code each covers (`None` = all).
pub fn for_service(
    conn: &mut DbConnection,
    wave_id: i64,
    service_id: i64,
) -> Result<Vec<(SlaMetric, Option<String>)>> {
    use crate::db::schema::agencies;
    Ok(sla_metrics::table
        .left_join(agencies::table)
        .filter(sla_metrics::wave_id.eq(wave_id))
        .filter(sla_metrics::service_id.eq(service_id))
        .order((agencies::code.nullable(), sla_metrics::metric))
        .select((SlaMetric::as_select(), agencies::code.nullable()))
        .load(conn)?)
}
