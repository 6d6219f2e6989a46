//! The report as one self-contained HTML file: inline CSS (with print rules for A4) and
//! inline SVG charts, so it opens offline and prints as the PDF reads.

use askama::Template;

use super::blocks::{Block, blocks};
use super::document::Report;
use crate::error::{AppError, Result};

#[derive(Template)]
#[template(path = "report/report.html")]
struct ReportPage<'a> {
    title: String,
    generated: String,
    /// Charts are SVG drawn by `charts`, whose text is escaped there; everything else is
    /// escaped by askama.
    blocks: Vec<Block<'a>>,
}

/// Renders `report` as an HTML document.
pub fn render(report: &Report) -> Result<String> {
    ReportPage {
        title: report.title(),
        generated: format!("{}, wave {}", report.kind.title(), report.wave),
        blocks: blocks(report),
    }
    .render()
    .map_err(|e| AppError::Internal(format!("cannot render the report: {e}")))
}
