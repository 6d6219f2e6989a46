//! The report as an Excel workbook (rust_xlsxwriter): one sheet per table, numbers stored as
//! numbers (shares with a percentage format), a frozen header row on every sheet, and native
//! Excel charts of the gaps and of the trend. Every text cell goes through
//! [`safe_text`](super::csv::safe_text), so nothing a respondent or an importer typed can
//! start a formula.

use rust_xlsxwriter::{Chart, Format, Workbook, Worksheet, XlsxError};

use super::csv::safe_text;
use super::document::Report;
use crate::analysis::gap::Gap;
use crate::analysis::rates::ResponseRate;
use crate::analysis::suppress::Suppression;
use crate::error::{AppError, Result};

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::Internal(format!("cannot write the workbook: {e}"))
}

/// A sheet being filled row by row.
struct Sheet<'a> {
    sheet: &'a mut Worksheet,
    row: u32,
    percent: Format,
    decimal: Format,
}

/// A cell to write.
#[derive(Clone, Copy)]
enum Cell<'a> {
    Text(&'a str),
    Number(Option<f64>),
    Percent(Option<f64>),
    Count(Option<u64>),
}

impl<'a> Sheet<'a> {
    fn new(workbook: &'a mut Workbook, name: &str, header: &[&str]) -> Result<Sheet<'a>> {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).map_err(xlsx_error)?;
        let bold = Format::new().set_bold();
        for (col, title) in header.iter().enumerate() {
            sheet
                .write_string_with_format(0, col as u16, *title, &bold)
                .map_err(xlsx_error)?;
            sheet
                .set_column_width(col as u16, if col == 0 { 22 } else { 14 })
                .map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(Sheet {
            sheet,
            row: 1,
            percent: Format::new().set_num_format("0.0%"),
            decimal: Format::new().set_num_format("0.000"),
        })
    }

    fn write(&mut self, cells: &[Cell<'_>]) -> Result<()> {
        for (col, cell) in cells.iter().enumerate() {
            let col = col as u16;
            let r = self.row;
            match cell {
                Cell::Text(t) => self.sheet.write_string(r, col, safe_text(t)).map(|_| ()),
                Cell::Number(Some(x)) if x.is_finite() => self
                    .sheet
                    .write_number_with_format(r, col, *x, &self.decimal)
                    .map(|_| ()),
                Cell::Percent(Some(x)) if x.is_finite() => self
                    .sheet
                    .write_number_with_format(r, col, *x, &self.percent)
                    .map(|_| ()),
                Cell::Count(Some(n)) => self.sheet.write_number(r, col, *n as f64).map(|_| ()),
                _ => Ok(()),
            }
            .map_err(xlsx_error)?;
        }
        self.row += 1;
        Ok(())
    }
}

const GAP_HEADER: [&str; 22] = [
    "Customer n",
    "Customer mean",
    "Customer sd",
    "Customer 95% low",
    "Customer 95% high",
    "Staff n",
    "Staff mean",
    "Staff sd",
    "Staff 95% low",
    "Staff 95% high",
    "Gap",
    "Gap 95% low",
    "Gap 95% high",
    "Welch t",
    "Welch df",
    "Welch p",
    "Mann-Whitney U",
    "Mann-Whitney p",
    "Hedges g",
    "Cliff's delta",
    "q",
    "Finding",
];

fn header<'a>(first: &[&'a str]) -> Vec<&'a str> {
    let mut h = first.to_vec();
    h.extend(GAP_HEADER);
    h
}

fn suppressed_text(reason: Suppression) -> &'static str {
    match reason {
        Suppression::BelowThreshold => "suppressed: too few answered",
        Suppression::Complementary => "suppressed: protects a smaller group",
    }
}

fn gap_cells<'a>(first: Vec<Cell<'a>>, gap: &Gap) -> Vec<Cell<'a>> {
    use Cell::{Count, Number, Text};
    let mut cells = first;
    if let Some(reason) = gap.suppressed {
        cells.extend(std::iter::repeat_n(Number(None), GAP_HEADER.len() - 1));
        cells.push(Text(suppressed_text(reason)));
        return cells;
    }
    for side in [&gap.customer, &gap.staff] {
        cells.extend([
            Count(side.n),
            Number(side.mean),
            Number(side.sd),
            Number(side.ci95.map(|c| c.lower)),
            Number(side.ci95.map(|c| c.upper)),
        ]);
    }
    cells.extend([
        Number(gap.gap),
        Number(gap.gap_ci95.map(|c| c.lower)),
        Number(gap.gap_ci95.map(|c| c.upper)),
        Number(gap.welch.and_then(|w| w.t)),
        Number(gap.welch.and_then(|w| w.df)),
        Number(gap.welch.and_then(|w| w.p)),
        Number(gap.mann_whitney.and_then(|m| m.u)),
        Number(gap.mann_whitney.and_then(|m| m.p)),
        Number(gap.hedges_g),
        Number(gap.cliffs_delta),
        Number(gap.q),
        Text(crate::words::verdict_label(gap.verdict)),
    ]);
    cells
}

fn rate_cells<'a>(group: &'a str, r: &ResponseRate) -> Vec<Cell<'a>> {
    use Cell::{Count, Percent, Text};
    let mut cells = vec![Text(group)];
    if let Some(reason) = r.suppressed {
        cells.extend(std::iter::repeat_n(Count(None), 7));
        cells.push(Text(suppressed_text(reason)));
        return cells;
    }
    cells.extend([
        Count(r.invited),
        Count(r.bounced),
        Count(r.eligible),
        Count(r.responses),
        Percent(r.rate),
        Percent(r.margin_of_error),
        Count(r.responses_needed),
    ]);
    cells
}

/// Renders `report` as an XLSX workbook.
pub fn render(report: &Report) -> Result<Vec<u8>> {
    use Cell::{Count, Number, Percent, Text};
    let mut workbook = Workbook::new();

    {
        let mut s = Sheet::new(
            &mut workbook,
            "Summary",
            &["Finding", "About", "Subject", "In words"],
        )?;
        for f in &report.summary {
            s.write(&[
                Text(f.kind.label()),
                Text(&f.about),
                Text(&f.subject),
                Text(&f.text),
            ])?;
        }
    }
    {
        let mut s = Sheet::new(
            &mut workbook,
            "Response rates",
            &[
                "Group",
                "Invited",
                "Bounced",
                "Reached",
                "Responses",
                "Rate",
                "Margin of error",
                "Needed for ±10 points",
                "Note",
            ],
        )?;
        let r = &report.rates;
        s.write(&rate_cells("All customers", &r.customers))?;
        s.write(&rate_cells("IT staff", &r.staff))?;
        for a in &r.agencies {
            s.write(&rate_cells(&a.agency, &a.rate))?;
        }
    }
    let items_rows = report.gap.report.items.len() as u32;
    {
        let mut s = Sheet::new(
            &mut workbook,
            "Item gaps",
            &header(&["Question", "Label", "Scale", "Dimension"]),
        )?;
        for i in &report.gap.report.items {
            let scale = crate::words::scale_range(i.scale);
            s.write(&gap_cells(
                vec![
                    Text(&i.item),
                    Text(&i.label),
                    Text(&scale),
                    Text(&i.dimension),
                ],
                &i.gap,
            ))?;
        }
        if items_rows > 0 {
            // Column O (14) is the gap; the labels (column B) name the bars. Gaps are in
            // each question's own scale units (column C).
            let mut chart = Chart::new_bar();
            chart
                .add_series()
                .set_name("Gap (staff − customers)")
                .set_categories(("Item gaps", 1, 1, items_rows, 1))
                .set_values(("Item gaps", 1, 14, items_rows, 14));
            chart
                .title()
                .set_name(&format!("Gap per question, {}", report.wave));
            chart.x_axis().set_name("Staff mean − customer mean");
            s.sheet
                .insert_chart(items_rows + 2, 0, &chart)
                .map_err(xlsx_error)?;
        }
    }
    {
        let mut s = Sheet::new(
            &mut workbook,
            "Dimension gaps",
            &header(&["Dimension", "Label"]),
        )?;
        for d in &report.gap.report.dimensions {
            let label = crate::words::dimension_name(&d.dimension);
            s.write(&gap_cells(vec![Text(&d.dimension), Text(&label)], &d.gap))?;
        }
    }
    {
        let mut s = Sheet::new(
            &mut workbook,
            "Services",
            &[
                "Service",
                "Name",
                "SLA metrics",
                "SLA met",
                "SLA attainment",
                "CSAT n",
                "CSAT",
                "CSAT 95% low",
                "CSAT 95% high",
                "Finding",
            ],
        )?;
        for sv in &report.watermelons.services {
            let w = &sv.watermelon;
            let name = report.names.service(&sv.service);
            s.write(&[
                Text(&sv.service),
                Text(&name),
                Count(Some(w.sla.metrics as u64)),
                Count(Some(w.sla.met as u64)),
                Percent(w.sla.attainment),
                Count(w.customers.n),
                Percent(w.customers.csat),
                Percent(w.customers.ci95.map(|c| c.lower)),
                Percent(w.customers.ci95.map(|c| c.upper)),
                Text(crate::words::service_finding(w, report.rules.sla_target)),
            ])?;
        }
    }
    {
        let mut s = Sheet::new(
            &mut workbook,
            "Agencies",
            &["Agency", "Name", "Respondents", "Comments shown"],
        )?;
        for a in &report.agencies {
            s.write(&[
                Text(&a.code),
                Text(&a.name),
                Count(Some(a.respondents)),
                Text(if a.comments.is_some() {
                    "yes"
                } else {
                    "no: too few respondents"
                }),
            ])?;
        }
    }
    {
        let mut s = Sheet::new(
            &mut workbook,
            "Agency gaps",
            &header(&["Agency", "Question", "Label", "Dimension"]),
        )?;
        for a in &report.agencies {
            for i in &a.table.items {
                s.write(&gap_cells(
                    vec![
                        Text(&a.code),
                        Text(&i.item),
                        Text(&i.label),
                        Text(&i.dimension),
                    ],
                    &i.gap,
                ))?;
            }
            for d in &a.table.dimensions {
                let label = crate::words::dimension_name(&d.dimension);
                s.write(&gap_cells(
                    vec![
                        Text(&a.code),
                        Text("(dimension)"),
                        Text(&label),
                        Text(&d.dimension),
                    ],
                    &d.gap,
                ))?;
            }
        }
    }
    {
        let mut s = Sheet::new(
            &mut workbook,
            "Agency services",
            &[
                "Agency",
                "Service",
                "Name",
                "SLA attainment",
                "CSAT n",
                "CSAT",
                "CSAT 95% low",
                "CSAT 95% high",
                "Finding",
            ],
        )?;
        for a in &report.agencies {
            for sv in &a.services {
                let finding = match sv.suppressed {
                    Some(reason) => suppressed_text(reason),
                    None => sv.finding.as_str(),
                };
                let name = report.names.service(&sv.service);
                s.write(&[
                    Text(&a.code),
                    Text(&sv.service),
                    Text(&name),
                    Percent(sv.sla_attainment),
                    Count(sv.n),
                    Percent(sv.csat),
                    Percent(sv.csat_ci95.map(|c| c.lower)),
                    Percent(sv.csat_ci95.map(|c| c.upper)),
                    Text(finding),
                ])?;
            }
        }
    }
    {
        let mut s = Sheet::new(
            &mut workbook,
            "Comments",
            &["Agency", "Question", "Comment"],
        )?;
        s.sheet.set_column_width(2, 80).map_err(xlsx_error)?;
        for a in &report.agencies {
            for (item, text) in a.comments.iter().flatten() {
                s.write(&[Text(&a.code), Text(item), Text(text)])?;
            }
        }
    }
    if let Some(trend) = report.trend_report(report.rules.reporting_threshold) {
        let mut s = Sheet::new(
            &mut workbook,
            "Trend",
            &[
                "Wave",
                "Baseline",
                "Customers",
                "Staff",
                "Customer response rate",
                "Customer CSAT",
                "Staff predicted CSAT",
                "CSAT change",
                "Change 95% low",
                "Change 95% high",
                "Change p",
            ],
        )?;
        for w in &trend.trend.waves {
            s.write(&[
                Text(&w.wave),
                Text(if w.baseline { "yes" } else { "no" }),
                Count(Some(w.customer_respondents)),
                Count(Some(w.staff_respondents)),
                Percent(w.customer_response_rate.rate),
                Percent(w.customers.csat.and_then(|c| c.share)),
                Percent(w.staff.csat.and_then(|c| c.share)),
                Percent(w.csat_change.and_then(|c| c.difference)),
                Percent(w.csat_change.and_then(|c| c.ci95).map(|c| c.lower)),
                Percent(w.csat_change.and_then(|c| c.ci95).map(|c| c.upper)),
                Number(w.csat_change.and_then(|c| c.p)),
            ])?;
        }
        let last = trend.trend.waves.len() as u32;
        if last > 0 {
            let mut chart = Chart::new_line();
            for (col, name) in [(5u16, "Customers"), (6u16, "IT staff predicted")] {
                chart
                    .add_series()
                    .set_name(name)
                    .set_categories(("Trend", 1, 0, last, 0))
                    .set_values(("Trend", 1, col, last, col));
            }
            chart
                .title()
                .set_name("Customer satisfaction (CSAT) per wave");
            s.sheet
                .insert_chart(last + 2, 0, &chart)
                .map_err(xlsx_error)?;
        }
    }
    {
        let mut s = Sheet::new(&mut workbook, "Methodology", &["Term", "Meaning"])?;
        s.sheet.set_column_width(1, 100).map_err(xlsx_error)?;
        for (term, meaning) in report.methodology() {
            s.write(&[Text(&term), Text(&meaning)])?;
        }
        for note in &report.suppressed {
            s.write(&[Text("Suppressed"), Text(note)])?;
        }
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}
