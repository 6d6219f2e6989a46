//! Agencies and the service catalogue.

use std::io::Read;

use super::{Columns, ImportKind, ImportSummary, Rows, SeenKeys, Written, each_row, parse_number};
use crate::db::DbConnection;
use crate::domain::{Email, parse_code};
use crate::error::Result;
use crate::store::agencies::{self, NewAgency};
use crate::store::services::{self, NewService};

pub(super) fn agencies<R: Read>(
    conn: &mut DbConnection,
    reader: &mut super::CsvReader<R>,
    errors: &mut Rows,
    summary: &mut ImportSummary,
) -> Result<()> {
    let columns = Columns::read(
        reader,
        ImportKind::Agencies,
        &["code", "name"],
        &["line_of_business", "annual_it_spend", "brm_owner_email"],
        |c| Err(format!("unknown column `{c}`")),
    )?;
    let mut seen = SeenKeys::default();
    each_row(reader, &columns, errors, summary, |line, record, errors| {
        let code = match parse_code("agency", columns.get(record, "code").unwrap_or_default()) {
            Ok(code) => {
                if let Some(first) = seen.first(code.clone(), line) {
                    errors.push(
                        line,
                        Some("code"),
                        format!("duplicate agency code `{code}` (also on line {first})"),
                    );
                }
                code
            }
            Err(e) => {
                errors.push(line, Some("code"), e.to_string());
                String::new()
            }
        };
        let name = columns.non_empty(record, "name");
        if name.is_none() {
            errors.push(line, Some("name"), "name is empty");
        }
        let annual_it_spend =
            columns
                .optional(record, "annual_it_spend")
                .map(|cell| match cell.map(parse_number) {
                    Some(Ok(v)) if v >= 0.0 => Some(v),
                    Some(Ok(v)) => {
                        errors.push(line, Some("annual_it_spend"), format!("{v} is negative"));
                        None
                    }
                    Some(Err(e)) => {
                        errors.push(line, Some("annual_it_spend"), e);
                        None
                    }
                    None => None,
                });
        let brm_owner_email =
            columns
                .optional(record, "brm_owner_email")
                .map(|cell| match cell.map(Email::parse) {
                    Some(Ok(email)) => Some(email.as_str().to_string()),
                    Some(Err(e)) => {
                        errors.push(line, Some("brm_owner_email"), e.to_string());
                        None
                    }
                    None => None,
                });
        if errors.any() {
            return Ok(Written::Nothing);
        }
        let created = agencies::upsert(
            conn,
            &NewAgency {
                code,
                name: name.unwrap_or_default().to_string(),
                line_of_business: columns
                    .optional(record, "line_of_business")
                    .map(|l| l.map(str::to_string)),
                annual_it_spend,
                brm_owner_email,
            },
        )?;
        Ok(Written::created(created))
    })
}

pub(super) fn services<R: Read>(
    conn: &mut DbConnection,
    reader: &mut super::CsvReader<R>,
    errors: &mut Rows,
    summary: &mut ImportSummary,
) -> Result<()> {
    let columns = Columns::read(
        reader,
        ImportKind::Services,
        &["code", "name"],
        &["description"],
        |c| Err(format!("unknown column `{c}`")),
    )?;
    let mut seen = SeenKeys::default();
    each_row(reader, &columns, errors, summary, |line, record, errors| {
        let code = match parse_code("service", columns.get(record, "code").unwrap_or_default()) {
            Ok(code) => {
                if let Some(first) = seen.first(code.clone(), line) {
                    errors.push(
                        line,
                        Some("code"),
                        format!("duplicate service code `{code}` (also on line {first})"),
                    );
                }
                code
            }
            Err(e) => {
                errors.push(line, Some("code"), e.to_string());
                String::new()
            }
        };
        let name = columns.non_empty(record, "name");
        if name.is_none() {
            errors.push(line, Some("name"), "name is empty");
        }
        if errors.any() {
            return Ok(Written::Nothing);
        }
        let created = services::upsert(
            conn,
            &NewService {
                code,
                name: name.unwrap_or_default().to_string(),
                description: columns
                    .optional(record, "description")
                    .map(|d| d.map(str::to_string)),
            },
        )?;
        Ok(Written::created(created))
    })
}
