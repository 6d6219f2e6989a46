//! Historical responses of one wave: one row per response, one column per item code.

use std::collections::HashMap;
use std::io::Read;

use super::{Columns, ImportKind, ImportSummary, Rows, Written, each_row};
use crate::db::DbConnection;
use crate::domain::{Audience, NO_ANSWER, Scale, parse_timestamp};
use crate::error::Result;
use crate::store::responses::{self, NewResponse};
use crate::store::{agencies, instruments, waves};

const FLUSH_EVERY: usize = 2_000;

pub(super) fn responses<R: Read>(
    conn: &mut DbConnection,
    reader: &mut super::CsvReader<R>,
    wave_code: &str,
    errors: &mut Rows,
    summary: &mut ImportSummary,
) -> Result<()> {
    let wave = waves::by_code(conn, wave_code)?;
    let instrument = instruments::find(conn, wave.instrument_id)?;
    let items = instruments::items(conn, wave.instrument_id)?;
    let by_code: HashMap<&str, &instruments::Item> =
        items.iter().map(|i| (i.code.as_str(), i)).collect();
    let columns = Columns::read(
        reader,
        ImportKind::Responses,
        &["audience", "submitted_at"],
        &["agency", "segment"],
        |c| {
            if by_code.contains_key(c) {
                Ok(())
            } else {
                Err(format!(
                    "unknown item code `{c}` (not in instrument {} version {})",
                    instrument.code, instrument.version
                ))
            }
        },
    )?;
    // (column index, item) of every item the file answers.
    let item_columns: Vec<(usize, &instruments::Item)> = columns
        .names()
        .iter()
        .filter_map(|name| Some((columns.position(name)?, *by_code.get(name.as_str())?)))
        .collect();
    let agency_ids = agencies::ids_by_code(conn)?;
    let mut batch: Vec<NewResponse> = Vec::with_capacity(FLUSH_EVERY);

    each_row(reader, &columns, errors, summary, |line, record, errors| {
        let audience = match Audience::parse(columns.get(record, "audience").unwrap_or_default()) {
            Ok(a) => Some(a),
            Err(e) => {
                errors.push(line, Some("audience"), e.to_string());
                None
            }
        };
        let agency_id = match (audience, columns.non_empty(record, "agency")) {
            (Some(Audience::Staff), Some(code)) => {
                errors.push(
                    line,
                    Some("agency"),
                    format!("staff responses have no agency, but this one names `{code}`"),
                );
                None
            }
            (_, Some(code)) => match agency_ids.get(code) {
                Some(id) => Some(*id),
                None => {
                    errors.push(line, Some("agency"), format!("unknown agency `{code}`"));
                    None
                }
            },
            (Some(Audience::Customer), None) => {
                errors.push(
                    line,
                    Some("agency"),
                    "a customer response needs its agency code",
                );
                None
            }
            (_, None) => None,
        };
        let submitted_at =
            match parse_timestamp(columns.get(record, "submitted_at").unwrap_or_default()) {
                Ok(t) => Some(t),
                Err(e) => {
                    errors.push(line, Some("submitted_at"), e.to_string());
                    None
                }
            };

        let mut answers = vec![NO_ANSWER; items.len()];
        let mut comments = Vec::new();
        let mut answered = 0usize;
        for (column, item) in &item_columns {
            let raw = record.get(*column).unwrap_or_default().trim();
            if raw.is_empty() {
                continue;
            }
            answered += 1;
            if audience == Some(Audience::Staff) && !item.is_mirrored() {
                errors.push(
                    line,
                    Some(&item.code),
                    "this item is not asked of staff (it has no staff wording)",
                );
                continue;
            }
            if item.scale == Scale::Text {
                comments.push((item.id, raw.to_string()));
                continue;
            }
            match item.scale.parse_value(raw) {
                Ok(Some(answer)) => answers[item.position] = answer.value(),
                Ok(None) => {}
                Err(e) => errors.push(line, Some(&item.code), e.to_string()),
            }
        }
        if answered == 0 {
            errors.push(line, None, "the row answers no item");
        }
        let (Some(audience), Some(submitted_at)) = (audience, submitted_at) else {
            return Ok(Written::Nothing);
        };
        if errors.any() {
            return Ok(Written::Nothing);
        }
        batch.push(NewResponse {
            audience,
            agency_id,
            segment: columns.non_empty(record, "segment").map(str::to_string),
            submitted_at,
            answers,
            comments,
        });
        if batch.len() >= FLUSH_EVERY {
            responses::insert(conn, wave.id, &batch)?;
            batch.clear();
        }
        Ok(Written::Created)
    })?;
    if !errors.any() && !batch.is_empty() {
        responses::insert(conn, wave.id, &batch)?;
    }
    Ok(())
}
