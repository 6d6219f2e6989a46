//! Agency contacts and IT staff. Keyed by email: importing a file again updates people.

use std::io::Read;

use super::{Columns, ImportKind, ImportSummary, Rows, SeenKeys, Written, each_row};
use crate::db::DbConnection;
use crate::domain::Email;
use crate::error::Result;
use crate::store::agencies;
use crate::store::contacts::{self, NewContact};
use crate::store::staff::{self, NewStaffMember};

/// Parses the email column, reporting a bad or repeated address.
fn email_of(
    columns: &Columns,
    record: &csv::StringRecord,
    line: u64,
    seen: &mut SeenKeys<String>,
    errors: &mut Rows,
) -> Option<Email> {
    match Email::parse(columns.get(record, "email").unwrap_or_default()) {
        Ok(email) => {
            if let Some(first) = seen.first(email.as_str().to_string(), line) {
                errors.push(
                    line,
                    Some("email"),
                    format!("duplicate email {email} (also on line {first})"),
                );
            }
            Some(email)
        }
        Err(e) => {
            errors.push(line, Some("email"), e.to_string());
            None
        }
    }
}

fn name_of<'r>(
    columns: &Columns,
    record: &'r csv::StringRecord,
    line: u64,
    errors: &mut Rows,
) -> &'r str {
    let name = columns.non_empty(record, "name");
    if name.is_none() {
        errors.push(line, Some("name"), "name is empty");
    }
    name.unwrap_or_default()
}

pub(super) fn contacts<R: Read>(
    conn: &mut DbConnection,
    reader: &mut super::CsvReader<R>,
    errors: &mut Rows,
    summary: &mut ImportSummary,
) -> Result<()> {
    let columns = Columns::read(
        reader,
        ImportKind::Contacts,
        &["email", "name", "agency"],
        &["segment"],
        |c| Err(format!("unknown column `{c}`")),
    )?;
    let agency_ids = agencies::ids_by_code(conn)?;
    let mut known = contacts::ids_by_email(conn)?;
    let mut seen = SeenKeys::default();
    each_row(reader, &columns, errors, summary, |line, record, errors| {
        let email = email_of(&columns, record, line, &mut seen, errors);
        let name = name_of(&columns, record, line, errors);
        let agency_id = match columns.non_empty(record, "agency") {
            Some(code) => match agency_ids.get(code) {
                Some(id) => Some(*id),
                None => {
                    errors.push(line, Some("agency"), format!("unknown agency `{code}`"));
                    None
                }
            },
            None => {
                errors.push(line, Some("agency"), "agency is empty");
                None
            }
        };
        let (Some(email), Some(agency_id)) = (email, agency_id) else {
            return Ok(Written::Nothing);
        };
        if errors.any() {
            return Ok(Written::Nothing);
        }
        let existing = known.get(email.as_str()).copied();
        let id = contacts::save(
            conn,
            &NewContact {
                email: email.as_str().to_string(),
                name: name.to_string(),
                agency_id,
                segment: columns
                    .optional(record, "segment")
                    .map(|s| s.map(str::to_string)),
            },
            existing,
        )?;
        known.insert(email.as_str().to_string(), id);
        Ok(Written::created(existing.is_none()))
    })
}

pub(super) fn staff<R: Read>(
    conn: &mut DbConnection,
    reader: &mut super::CsvReader<R>,
    errors: &mut Rows,
    summary: &mut ImportSummary,
) -> Result<()> {
    let columns = Columns::read(
        reader,
        ImportKind::Staff,
        &["email", "name"],
        &["team"],
        |c| Err(format!("unknown column `{c}`")),
    )?;
    let mut known = staff::ids_by_email(conn)?;
    let mut seen = SeenKeys::default();
    each_row(reader, &columns, errors, summary, |line, record, errors| {
        let email = email_of(&columns, record, line, &mut seen, errors);
        let name = name_of(&columns, record, line, errors);
        let Some(email) = email else {
            return Ok(Written::Nothing);
        };
        if errors.any() {
            return Ok(Written::Nothing);
        }
        let existing = known.get(email.as_str()).copied();
        let id = staff::save(
            conn,
            &NewStaffMember {
                email: email.as_str().to_string(),
                name: name.to_string(),
                team: columns
                    .optional(record, "team")
                    .map(|t| t.map(str::to_string)),
            },
            existing,
        )?;
        known.insert(email.as_str().to_string(), id);
        Ok(Written::created(existing.is_none()))
    })
}
