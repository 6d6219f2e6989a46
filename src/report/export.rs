//! A finished report written in one of its formats: the one place that knows every
//! renderer (HTML, PDF, XLSX, CSV), so that the model in [`super::document`] and the
//! renderers it feeds never import each other.

use super::document::Report;
use crate::error::{AppError, Result};

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Html,
    Pdf,
    Xlsx,
    Csv,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Result<ExportFormat> {
        match s {
            "html" => Ok(ExportFormat::Html),
            "pdf" => Ok(ExportFormat::Pdf),
            "xlsx" => Ok(ExportFormat::Xlsx),
            "csv" => Ok(ExportFormat::Csv),
            other => Err(AppError::Invalid(format!(
                "format: {other:?} is not one of html, pdf, xlsx, csv"
            ))),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Html => "html",
            ExportFormat::Pdf => "pdf",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Html => "text/html; charset=utf-8",
            ExportFormat::Pdf => "application/pdf",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// Writes `report` in `format` into memory.
pub fn render(report: &Report, format: ExportFormat) -> Result<Vec<u8>> {
    match format {
        ExportFormat::Html => Ok(super::html::render(report)?.into_bytes()),
        ExportFormat::Pdf => super::pdf::render(report),
        ExportFormat::Xlsx => super::xlsx::render(report),
        ExportFormat::Csv => {
            let mut out = Vec::new();
            super::csv::write_report(report, &mut out)?;
            Ok(out)
        }
    }
}

/// A file name for a download: `rind-baseline-FY26-Q1-DOT.pdf`.
pub fn file_name(report: &Report, format: ExportFormat) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let agency = report
        .agency
        .as_ref()
        .map(|(code, _)| format!("-{}", safe(code)))
        .unwrap_or_default();
    format!(
        "rind-{}-{}{agency}.{}",
        report.kind.code(),
        safe(&report.wave),
        format.extension()
    )
}
