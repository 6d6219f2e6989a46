//! CSV and TOML imports. Each import reads its file as a stream inside one transaction:
//! every row is checked, good rows are written as they come, and if any row is bad the
//! transaction is rolled back and every bad row is reported with its line number.

mod catalogue;
pub mod instrument;
mod people;
mod responses;
mod sla;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use csv::StringRecord;
use diesel::Connection;
use serde::Serialize;

use crate::db::DbConnection;
use crate::error::{AppError, Result, RowError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    Agencies,
    Services,
    Contacts,
    Staff,
    Sla,
    Responses,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Agencies => "agencies",
            ImportKind::Services => "services",
            ImportKind::Contacts => "contacts",
            ImportKind::Staff => "staff",
            ImportKind::Sla => "sla",
            ImportKind::Responses => "responses",
        }
    }

    fn needs_wave(self) -> bool {
        matches!(self, ImportKind::Sla | ImportKind::Responses)
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub kind: ImportKind,
    /// Data rows read.
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "imported {} {} rows ({} new, {} updated)",
            self.rows,
            self.kind.as_str(),
            self.created,
            self.updated
        )
    }
}

/// Imports a CSV file; see `import_csv`.
pub fn import_file(
    conn: &mut DbConnection,
    kind: ImportKind,
    path: &Path,
    wave: Option<&str>,
) -> Result<ImportSummary> {
    let file =
        File::open(path).map_err(|e| AppError::io(format!("cannot read {}", path.display()), e))?;
    import_csv(conn, kind, BufReader::with_capacity(1 << 16, file), wave)
}

/// Imports CSV from a reader, all or nothing.
pub fn import_csv<R: Read>(
    conn: &mut DbConnection,
    kind: ImportKind,
    input: R,
    wave: Option<&str>,
) -> Result<ImportSummary> {
    let wave = match (kind.needs_wave(), wave) {
        (true, None) => {
            return Err(AppError::invalid(format!(
                "importing {} needs --wave CODE",
                kind.as_str()
            )));
        }
        (true, Some(code)) => Some(code),
        (false, Some(_)) => {
            return Err(AppError::invalid(format!(
                "importing {} takes no --wave",
                kind.as_str()
            )));
        }
        (false, None) => None,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        // Field counts are checked per row, so a short row is reported, not fatal.
        .flexible(true)
        .from_reader(LineStarts::new(input));
    let mut summary = ImportSummary {
        kind,
        rows: 0,
        created: 0,
        updated: 0,
    };
    conn.transaction::<_, AppError, _>(|conn| {
        let mut errors = Rows::default();
        match kind {
            ImportKind::Agencies => {
                catalogue::agencies(conn, &mut reader, &mut errors, &mut summary)?
            }
            ImportKind::Services => {
                catalogue::services(conn, &mut reader, &mut errors, &mut summary)?
            }
            ImportKind::Contacts => people::contacts(conn, &mut reader, &mut errors, &mut summary)?,
            ImportKind::Staff => people::staff(conn, &mut reader, &mut errors, &mut summary)?,
            ImportKind::Sla => sla::metrics(
                conn,
                &mut reader,
                wave.unwrap_or_default(),
                &mut errors,
                &mut summary,
            )?,
            ImportKind::Responses => responses::responses(
                conn,
                &mut reader,
                wave.unwrap_or_default(),
                &mut errors,
                &mut summary,
            )?,
        }
        errors.into_result(kind)
    })?;
    Ok(summary)
}

/// Bad rows found so far. Once there is one, nothing more needs writing: the
/// transaction will be rolled back, but every remaining row is still checked.
#[derive(Default)]
pub(crate) struct Rows {
    errors: Vec<RowError>,
}

impl Rows {
    pub(crate) fn push(&mut self, line: u64, field: Option<&str>, message: impl Into<String>) {
        self.errors.push(RowError {
            line,
            field: field.map(str::to_string),
            message: message.into(),
        });
    }

    pub(crate) fn any(&self) -> bool {
        !self.errors.is_empty()
    }

    fn into_result(self, kind: ImportKind) -> Result<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Rejected {
                what: format!("{} file", kind.as_str()),
                rows: self.errors,
            })
        }
    }

    /// Returns the header error as the whole result: rows can't be read without columns.
    fn header_error(self, kind: ImportKind) -> AppError {
        AppError::Rejected {
            what: format!("{} file", kind.as_str()),
            rows: self.errors,
        }
    }
}

/// The columns of a file, found by name in its header row.
pub(crate) struct Columns {
    index: HashMap<String, usize>,
    names: Vec<String>,
}

impl Columns {
    /// Reads the header. Fails (as a rejection of line 1) when a required column is
    /// missing, a name repeats, or — unless `extra` accepts it — a column is unknown.
    pub(crate) fn read<R: Read>(
        reader: &mut csv::Reader<R>,
        kind: ImportKind,
        required: &[&str],
        optional: &[&str],
        mut extra: impl FnMut(&str) -> std::result::Result<(), String>,
    ) -> Result<Columns> {
        let mut errors = Rows::default();
        let header = reader.headers().map_err(|e| {
            let mut rows = Rows::default();
            rows.push(1, None, format!("cannot read the header row: {e}"));
            rows.header_error(kind)
        })?;
        let mut index = HashMap::new();
        let mut names = Vec::new();
        for (i, name) in header.iter().enumerate() {
            // Spreadsheets add a byte-order mark and stray spaces; neither is part of the name.
            let name = name.trim_start_matches('\u{feff}').trim().to_string();
            if name.is_empty() && header.len() == 1 {
                continue;
            }
            if index.insert(name.clone(), i).is_some() {
                errors.push(1, Some(&name), "column appears twice in the header");
            } else if !required.contains(&name.as_str())
                && !optional.contains(&name.as_str())
                && let Err(why) = extra(&name)
            {
                errors.push(1, Some(&name), why);
            }
            names.push(name);
        }
        for column in required {
            if !index.contains_key(*column) {
                errors.push(1, Some(column), format!("missing column `{column}`"));
            }
        }
        if errors.any() {
            return Err(errors.header_error(kind));
        }
        Ok(Columns { index, names })
    }

    /// The cell of a column, trimmed; `None` if the file has no such column.
    pub(crate) fn get<'r>(&self, record: &'r StringRecord, column: &str) -> Option<&'r str> {
        self.index
            .get(column)
            .and_then(|i| record.get(*i))
            .map(str::trim)
    }

    /// The cell, or `None` when the column is absent or the cell is empty.
    pub(crate) fn non_empty<'r>(&self, record: &'r StringRecord, column: &str) -> Option<&'r str> {
        self.get(record, column).filter(|s| !s.is_empty())
    }

    /// An optional column's cell: `None` when the file has no such column (keep what is
    /// stored), `Some(None)` when the cell is empty (clear it), `Some(Some(v))` otherwise.
    pub(crate) fn optional<'r>(
        &self,
        record: &'r StringRecord,
        column: &str,
    ) -> Option<Option<&'r str>> {
        self.get(record, column)
            .map(|v| Some(v).filter(|v| !v.is_empty()))
    }

    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    pub(crate) fn position(&self, column: &str) -> Option<usize> {
        self.index.get(column).copied()
    }
}

/// What happened to one row.
pub(crate) enum Written {
    Created,
    Updated,
    /// Not written: the row (or an earlier one) is bad, and the import will be refused.
    Nothing,
}

impl Written {
    pub(crate) fn created(created: bool) -> Written {
        if created {
            Written::Created
        } else {
            Written::Updated
        }
    }
}

/// The CSV reader of every import: it knows on which line each record starts.
pub(crate) type CsvReader<R> = csv::Reader<LineStarts<R>>;

/// Counts lines as the input streams through, so a record's line is reported as an editor
/// shows it. The csv crate's record position is where it *began* reading a record, which
/// is before the line breaks it then skips: the LF of a CRLF pair and any blank lines. So
/// this remembers where each non-blank line starts, for the records not yet handled.
pub(crate) struct LineStarts<R> {
    inner: R,
    offset: u64,
    line: u64,
    at_line_start: bool,
    /// (byte offset, line number) of the non-blank lines read ahead of the importer.
    pending: std::collections::VecDeque<(u64, u64)>,
}

impl<R> LineStarts<R> {
    fn new(inner: R) -> Self {
        LineStarts {
            inner,
            offset: 0,
            line: 1,
            at_line_start: true,
            pending: std::collections::VecDeque::new(),
        }
    }

    /// The line of the record whose reading began at byte `start`: the first non-blank
    /// line that starts there or later.
    fn line_of(&mut self, start: u64) -> Option<u64> {
        while self
            .pending
            .front()
            .is_some_and(|(offset, _)| *offset < start)
        {
            self.pending.pop_front();
        }
        self.pending.front().map(|(_, line)| *line)
    }
}

impl<R: Read> Read for LineStarts<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            let line_break = b == b'\n' || b == b'\r';
            if self.at_line_start && !line_break {
                self.pending.push_back((self.offset, self.line));
            }
            self.at_line_start = b == b'\n' || (self.at_line_start && b == b'\r');
            if b == b'\n' {
                self.line += 1;
            }
            self.offset += 1;
        }
        Ok(n)
    }
}

/// The line a record (or a record that could not be read) starts on.
fn line_of<R: Read>(
    reader: &mut CsvReader<R>,
    position: Option<&csv::Position>,
    fallback: u64,
) -> u64 {
    match position {
        Some(p) => reader.get_mut().line_of(p.byte()).unwrap_or(p.line()),
        None => fallback,
    }
}

/// Streams the data rows, calling `each` with the line number and the record.
/// Unreadable rows (bad UTF-8, wrong number of fields) become row errors.
pub(crate) fn each_row<R: Read>(
    reader: &mut CsvReader<R>,
    columns: &Columns,
    errors: &mut Rows,
    summary: &mut ImportSummary,
    mut each: impl FnMut(u64, &StringRecord, &mut Rows) -> Result<Written>,
) -> Result<()> {
    let mut record = StringRecord::new();
    loop {
        let line = reader.position().line() + 1;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = line_of(reader, record.position(), line);
                summary.rows += 1;
                if record.len() != columns.names().len() {
                    // A trailing blank line is not a row.
                    if record.len() == 1 && record.get(0).is_some_and(|f| f.trim().is_empty()) {
                        summary.rows -= 1;
                        continue;
                    }
                    errors.push(
                        line,
                        None,
                        format!(
                            "has {} fields, the header has {}",
                            record.len(),
                            columns.names().len()
                        ),
                    );
                    continue;
                }
                match each(line, &record, errors)? {
                    Written::Created => summary.created += 1,
                    Written::Updated => summary.updated += 1,
                    Written::Nothing => {}
                }
            }
            Err(e) => {
                let line = line_of(reader, e.position(), line);
                match e.kind() {
                    csv::ErrorKind::Io(_) => {
                        return Err(AppError::Invalid(format!("cannot read line {line}: {e}")));
                    }
                    csv::ErrorKind::Utf8 { .. } => {
                        summary.rows += 1;
                        errors.push(line, None, "is not valid UTF-8 (save the file as UTF-8)");
                    }
                    _ => {
                        summary.rows += 1;
                        errors.push(line, None, format!("cannot be read: {e}"));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Remembers the first line of each key, to report duplicates within a file.
#[derive(Default)]
pub(crate) struct SeenKeys<K: std::hash::Hash + Eq> {
    first_line: HashMap<K, u64>,
}

impl<K: std::hash::Hash + Eq> SeenKeys<K> {
    /// Records `key` at `line`; returns the earlier line if it was already seen.
    pub(crate) fn first(&mut self, key: K, line: u64) -> Option<u64> {
        match self.first_line.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(line);
                None
            }
        }
    }
}

/// Parses a number cell, allowing thousands separators and a currency sign.
pub(crate) fn parse_number(raw: &str) -> std::result::Result<f64, String> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !matches!(c, ',' | '$' | ' '))
        .collect();
    match cleaned.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("`{raw}` is not a number")),
    }
}

pub(crate) fn parse_bool(raw: &str) -> std::result::Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Ok(true),
        "false" | "no" | "n" | "0" => Ok(false),
        _ => Err(format!("`{raw}` is not true or false")),
    }
}
