//! `rind report {gap,trend,baseline} --wave C --format F [--agency A] [-o FILE]`.

use std::path::Path;

use crate::config::Settings;
use crate::db::DbConnection;
use crate::error::{AppError, Result};
use crate::report::document;
use crate::report::export::{self, ExportFormat};

/// Which report `rind report` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Gaps between staff predictions and customers, overall and by agency, segment, team.
    Gap,
    /// Every measure per wave of the instrument, and its change against the baseline.
    Trend,
    /// The report of one wave for agency heads and the legislature.
    Baseline,
}

/// The `--format` asked for; which ones a kind has is checked by `report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Html,
    Xlsx,
    Pdf,
}

/// `rind report`: checks the kind, format and `--agency` go together, makes the report
/// and writes it whole to `output` (or standard output).
pub fn report(
    conn: &mut DbConnection,
    settings: &Settings,
    kind: Kind,
    wave: &str,
    format: Format,
    agency: Option<&str>,
    output: Option<&Path>,
) -> Result<()> {
    let bytes = match (kind, format) {
        (Kind::Gap | Kind::Trend, Format::Json | Format::Csv) if agency.is_some() => {
            return Err(AppError::Invalid(
                "--agency: only for the documents (`baseline`, and `trend` as html, \
                 xlsx or pdf)"
                    .into(),
            ));
        }
        (Kind::Gap, Format::Json | Format::Csv) => {
            let report = crate::report::gap_report(conn, settings, wave)?;
            let mut out = Vec::new();
            match format {
                Format::Json => crate::report::write_json(&report, &mut out)?,
                _ => crate::report::csv::write_gap(&report, &mut out)?,
            }
            out
        }
        (Kind::Trend, Format::Json | Format::Csv) => {
            let input = crate::report::trend_input(conn, settings, wave)?;
            let report = input.report(u64::from(settings.reporting_threshold));
            let mut out = Vec::new();
            match format {
                Format::Json => crate::report::write_json(&report, &mut out)?,
                _ => crate::report::csv::write_trend(&report, &mut out)?,
            }
            out
        }
        (Kind::Gap, _) => {
            return Err(AppError::Invalid(
                "format: the gap report is json or csv; `rind report baseline` \
                 writes html, xlsx and pdf"
                    .into(),
            ));
        }
        (Kind::Baseline, Format::Json) => {
            return Err(AppError::Invalid(
                "format: the baseline report is csv, html, xlsx or pdf \
                 (`rind report gap` is the JSON one)"
                    .into(),
            ));
        }
        (Kind::Baseline, _) | (Kind::Trend, _) => {
            let format = match format {
                Format::Html => ExportFormat::Html,
                Format::Xlsx => ExportFormat::Xlsx,
                Format::Pdf => ExportFormat::Pdf,
                Format::Csv | Format::Json => ExportFormat::Csv,
            };
            export_report(conn, settings, document_kind(kind), wave, agency, format)?
        }
    };
    // Written only once whole, so a failure leaves no half-written file.
    write_output(output, &bytes)
}

/// The document a `rind report` kind names (`gap` has none).
fn document_kind(kind: Kind) -> document::ReportKind {
    match kind {
        Kind::Trend => document::ReportKind::Trend,
        Kind::Gap | Kind::Baseline => document::ReportKind::Baseline,
    }
}

/// `rind report baseline|trend --format html|pdf|xlsx|csv`: builds the report for the whole
/// programme (or one agency's version) and renders it, with a progress bar on standard
/// error (drawn only when it is a terminal).
pub fn export_report(
    conn: &mut DbConnection,
    settings: &Settings,
    kind: document::ReportKind,
    wave: &str,
    agency: Option<&str>,
    format: ExportFormat,
) -> Result<Vec<u8>> {
    let bar = indicatif::ProgressBar::new(document::STEPS + 1);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>24} [{bar:30}] {pos}/{len} {elapsed}")
            .map_err(|e| AppError::Internal(format!("progress bar: {e}")))?
            .progress_chars("=> "),
    );
    bar.set_message(format!("{} {wave}", kind.code()));
    // The command line is the CIO office's own tool: it sees every agency.
    let access = crate::auth::access::Access::new(crate::domain::Role::Admin, Vec::new());
    let report = document::build(conn, settings, kind, wave, &access, agency, &mut |step| {
        bar.set_message(step.to_string());
        bar.inc(1);
    })?;
    bar.set_message(format!("writing {}", format.extension()));
    let bytes = export::render(&report, format)?;
    bar.inc(1);
    bar.finish_and_clear();
    Ok(bytes)
}

/// Writes a finished report to `path` (through a temporary file renamed into place, so a
/// failure leaves no half-written file) or to standard output.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    match path {
        Some(path) => {
            let cannot = |e| AppError::io(format!("cannot write {}", path.display()), e);
            let mut part = path.as_os_str().to_owned();
            part.push(".part");
            let part = std::path::PathBuf::from(part);
            let written = std::fs::write(&part, bytes).and_then(|()| std::fs::rename(&part, path));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&part);
                return Err(cannot(e));
            }
            Ok(())
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(|e| AppError::io("cannot write the report", e))
        }
    }
}
