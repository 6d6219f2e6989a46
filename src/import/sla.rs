//! SLA metrics of one wave: the figures IT reports, per service and optionally per agency.

use std::io::Read;

use super::{
    Columns, ImportKind, ImportSummary, Rows, SeenKeys, Written, each_row, parse_bool, parse_number,
};
use crate::db::DbConnection;
use crate::error::Result;
use crate::store::sla::{self, NewSlaMetric};
use crate::store::{agencies, services, waves};

/// The longest SLA metric label, in characters.
pub const MAX_LABEL_CHARS: usize = 200;

pub(super) fn metrics<R: Read>(
    conn: &mut DbConnection,
    reader: &mut super::CsvReader<R>,
    wave_code: &str,
    errors: &mut Rows,
    summary: &mut ImportSummary,
) -> Result<()> {
    let wave = waves::by_code(conn, wave_code)?;
    let columns = Columns::read(
        reader,
        ImportKind::Sla,
        &["service", "metric", "target", "actual", "higher_is_better"],
        &["agency", "label"],
        |c| Err(format!("unknown column `{c}`")),
    )?;
    let service_ids = services::ids_by_code(conn)?;
    let agency_ids = agencies::ids_by_code(conn)?;
    let mut seen = SeenKeys::default();
    each_row(reader, &columns, errors, summary, |line, record, errors| {
        let service_id = match columns.non_empty(record, "service") {
            Some(code) => service_ids.get(code).copied().or_else(|| {
                errors.push(line, Some("service"), format!("unknown service `{code}`"));
                None
            }),
            None => {
                errors.push(line, Some("service"), "service is empty");
                None
            }
        };
        // An empty agency means the figure covers all agencies.
        let agency_id = match columns.non_empty(record, "agency") {
            Some(code) => match agency_ids.get(code) {
                Some(id) => Some(Some(*id)),
                None => {
                    errors.push(line, Some("agency"), format!("unknown agency `{code}`"));
                    None
                }
            },
            None => Some(None),
        };
        let metric = columns.non_empty(record, "metric");
        if metric.is_none() {
            errors.push(line, Some("metric"), "metric is empty");
        }
        // Empty or absent: no label (pages then show the metric code in words).
        let label = columns.non_empty(record, "label").and_then(|label| {
            let n = label.chars().count();
            if n > MAX_LABEL_CHARS {
                errors.push(
                    line,
                    Some("label"),
                    format!("label is {n} characters; at most {MAX_LABEL_CHARS}"),
                );
                None
            } else {
                Some(label.to_string())
            }
        });
        let mut number = |column: &str| match columns.non_empty(record, column).map(parse_number) {
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => {
                errors.push(line, Some(column), e);
                None
            }
            None => {
                errors.push(line, Some(column), format!("{column} is empty"));
                None
            }
        };
        let target = number("target");
        let actual = number("actual");
        let higher_is_better =
            match parse_bool(columns.get(record, "higher_is_better").unwrap_or_default()) {
                Ok(b) => Some(b),
                Err(e) => {
                    errors.push(line, Some("higher_is_better"), e);
                    None
                }
            };
        let (
            Some(service_id),
            Some(agency_id),
            Some(metric),
            Some(target),
            Some(actual),
            Some(higher_is_better),
        ) = (
            service_id,
            agency_id,
            metric,
            target,
            actual,
            higher_is_better,
        )
        else {
            return Ok(Written::Nothing);
        };
        if let Some(first) = seen.first((service_id, agency_id, metric.to_string()), line) {
            errors.push(
                line,
                Some("metric"),
                format!(
                    "duplicate metric `{metric}` for this service and agency (also on line {first})"
                ),
            );
        }
        if errors.any() {
            return Ok(Written::Nothing);
        }
        let created = sla::save(
            conn,
            &NewSlaMetric {
                wave_id: wave.id,
                service_id,
                agency_id,
                metric: metric.to_string(),
                target,
                actual,
                higher_is_better,
                label,
            },
        )?;
        Ok(Written::created(created))
    })
}
