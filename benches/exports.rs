//! The baseline report (summary, rates, gaps overall and by agency, segment and team, every
//! chart, 20 agency sections, methodology) for 100,000 responses (95,000 customers in 20
//! agencies + 5,000 staff) × 30 items on SQLite, in every format: the time from the database
//! to the finished file (`report::document::build` then `report::export::render`), as
//! `rind report baseline --format F` and the download routes run it.
//!
//! Run: `cargo bench --bench exports`. `-- --quick` does one run of each.

#![expect(
    clippy::expect_used,
    reason = "a benchmark aborts on any setup failure"
)]

mod common;

use std::time::Instant;

use common::{median, prepared_db};
use rind::auth::access::Access;
use rind::domain::Role;
use rind::report::document::{self, ReportKind};
use rind::report::export::{self, ExportFormat};

const CUSTOMERS: usize = 95_000;
const STAFF: usize = 5_000;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 1 } else { 5 };
    let dir = tempfile::tempdir().expect("tempdir");
    let db = prepared_db(dir.path(), "exports.db");
    let mut conn = db.conn().expect("conn");
    let fill = Instant::now();
    common::fill(&mut conn, CUSTOMERS, STAFF);
    eprintln!(
        "filled {CUSTOMERS} + {STAFF} responses in {:.1} s (not timed)",
        fill.elapsed().as_secs_f64()
    );
    let settings = rind::Settings::default();
    let access = Access::new(Role::Admin, Vec::new());

    println!(
        "rind baseline report, {CUSTOMERS} customer + {STAFF} staff x {} items, 20 agencies \
         (SQLite), build + render:",
        common::ITEMS
    );
    for format in [
        ExportFormat::Html,
        ExportFormat::Pdf,
        ExportFormat::Xlsx,
        ExportFormat::Csv,
    ] {
        let mut total = Vec::new();
        let mut render = Vec::new();
        let mut size = 0;
        for run in 0..runs {
            let start = Instant::now();
            let report = document::build(
                &mut conn,
                &settings,
                ReportKind::Baseline,
                "W1",
                &access,
                None,
                &mut |step| {
                    if std::env::var_os("RIND_BENCH_STEPS").is_some() {
                        eprintln!("  {:.3} s: {step}", start.elapsed().as_secs_f64());
                    }
                },
            )
            .expect("build");
            let built = start.elapsed().as_secs_f64();
            let bytes = export::render(&report, format).expect("render");
            let secs = start.elapsed().as_secs_f64();
            assert_eq!(report.agencies.len(), common::AGENCIES);
            size = bytes.len();
            eprintln!(
                "{} run {run}: {secs:.3} s (build {built:.3} s, render {:.3} s)",
                format.extension(),
                secs - built
            );
            total.push(secs);
            render.push(secs - built);
        }
        println!(
            "  {:<4}: median {:.3} s of {runs} runs (render alone {:.3} s; {:.0} KB) (target < 3 s)",
            format.extension(),
            median(total),
            median(render),
            size as f64 / 1024.0
        );
    }
}
