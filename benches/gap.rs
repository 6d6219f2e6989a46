//! The full gap report (items, dimensions, breakdowns by agency, segment and team, every
//! test) for 1,000,000 customer + 50,000 staff responses × 30 items on SQLite:
//! - load plus compute (`report::gap_report`, what the API and CLI run);
//! - compute alone (`analysis::gap::report` and `analysis::measures::measures` on responses
//!   already in memory);
//! - in the same run, the same tables from `benches/gap_pandas.py` (pandas + SciPy) reading
//!   the responses exported as CSV, and the ratio.
//!
//! Run: `cargo bench --bench gap` (needs `python3` with pandas and scipy for the
//! comparison: `pip install pandas scipy`). `-- --quick` does one run of each.

#![expect(
    clippy::expect_used,
    reason = "a benchmark aborts on any setup failure"
)]

mod common;

use std::io::Write;
use std::process::Command;
use std::time::Instant;

use common::{ITEMS, median, prepared_db};
use rind::analysis::WaveResponses;
use rind::domain::NO_ANSWER;

const CUSTOMERS: usize = 1_000_000;
const STAFF: usize = 50_000;

/// Writes the loaded responses as the CSV the pandas script reads.
fn export(
    data: &WaveResponses,
    codes: &std::collections::HashMap<i64, String>,
    path: &std::path::Path,
) {
    let file = std::fs::File::create(path).expect("create csv");
    let mut out = std::io::BufWriter::new(file);
    write!(out, "audience,agency,segment").expect("write");
    for i in 0..ITEMS {
        write!(out, ",q{i:02}").expect("write");
    }
    writeln!(out).expect("write");
    for (audience, set) in [("customer", &data.customers), ("staff", &data.staff)] {
        for r in 0..set.len() {
            let agency = set.agency[r]
                .and_then(|id| codes.get(&id))
                .map_or("", String::as_str);
            let segment = set.segment[r].map_or("", |s| set.segments[s as usize].as_str());
            write!(out, "{audience},{agency},{segment}").expect("write");
            for column in &set.answers {
                match column[r] {
                    NO_ANSWER => write!(out, ",").expect("write"),
                    v => write!(out, ",{v}").expect("write"),
                }
            }
            writeln!(out).expect("write");
        }
    }
    out.flush().expect("flush");
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 1 } else { 5 };
    let dir = tempfile::tempdir().expect("tempdir");
    let db = prepared_db(dir.path(), "gap.db");
    let mut conn = db.conn().expect("conn");
    let fill = Instant::now();
    common::fill(&mut conn, CUSTOMERS, STAFF);
    eprintln!(
        "filled {CUSTOMERS} + {STAFF} responses in {:.1} s (not timed)",
        fill.elapsed().as_secs_f64()
    );
    let settings = rind::Settings::default();

    let mut full = Vec::new();
    let mut report = None;
    for run in 0..runs {
        let start = Instant::now();
        let r = rind::report::gap_report(&mut conn, &settings, "W1").expect("report");
        let secs = start.elapsed().as_secs_f64();
        eprintln!("load + compute run {run}: {secs:.3} s");
        full.push(secs);
        report = Some(r);
    }
    let report = report.expect("a report");
    assert_eq!(report.report.customer_respondents, CUSTOMERS as u64);

    let context = rind::report::wave_context(&mut conn, "W1").expect("context");
    let data = rind::store::responses::load_wave(&mut conn, context.wave.id, context.items.len())
        .expect("load");
    let rules = rind::report::gap_rules(&settings);
    let codes = context.agency_codes.clone();
    let mut compute = Vec::new();
    for run in 0..runs {
        let start = Instant::now();
        let r = rind::analysis::gap::report(
            &context.items,
            &data,
            |id| codes.get(&id).cloned().unwrap_or_default(),
            &rules,
        );
        let gap_secs = start.elapsed().as_secs_f64();
        // What `gap_report` adds: CSAT, NPS, CES and Cronbach's alpha per dimension.
        let m =
            rind::analysis::measures::measures(&context.items, &data, rules.reporting_threshold);
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(r.items.len(), ITEMS);
        assert!(!m.reliability.is_empty());
        eprintln!(
            "compute run {run}: {secs:.3} s (gap tables {gap_secs:.3} s, measures {:.3} s)",
            secs - gap_secs
        );
        compute.push(secs);
    }
    let (full, compute) = (median(full), median(compute));
    println!("rind gap report, {CUSTOMERS} customer + {STAFF} staff x {ITEMS} items (SQLite):");
    println!("  load + compute: median {full:.3} s of {runs} runs (target <= 1 s)");
    println!(
        "  compute alone:  median {:.1} ms of {runs} runs (target <= 200 ms)",
        compute * 1000.0
    );

    // The same tables in pandas + SciPy, from the exported CSV.
    let csv = dir.path().join("responses.csv");
    export(&data, &codes, &csv);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/gap_pandas.py");
    let mut py_total = Vec::new();
    let mut py_compute = Vec::new();
    for run in 0..runs.min(3) {
        let output = Command::new("python3").arg(script).arg(&csv).output();
        match output {
            Ok(o) if o.status.success() => {
                let timings: serde_json::Value =
                    serde_json::from_slice(&o.stdout).expect("script JSON");
                let load = timings["load_s"].as_f64().expect("load_s");
                let comp = timings["compute_s"].as_f64().expect("compute_s");
                eprintln!("pandas run {run}: load {load:.3} s, compute {comp:.3} s");
                py_total.push(load + comp);
                py_compute.push(comp);
            }
            Ok(o) => {
                eprintln!(
                    "pandas comparison failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                return;
            }
            Err(e) => {
                eprintln!("pandas comparison skipped: cannot run python3: {e}");
                return;
            }
        }
    }
    let (py_total, py_compute) = (median(py_total), median(py_compute));
    println!(
        "pandas + SciPy, same tables from CSV: load + compute {py_total:.3} s, compute {py_compute:.3} s"
    );
    println!(
        "  ratio: rind is {:.1}x faster load + compute (rind from SQLite, pandas from CSV), {:.1}x faster compute alone (target >= 10x)",
        py_total / full,
        py_compute / compute
    );
}
