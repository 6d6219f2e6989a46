//! Foundation benchmarks (see BENCHMARKS.md):
//! 1. importing 100,000 responses x 30 items from CSV into SQLite;
//! 2. loading 1,000,000 responses x 30 items from SQLite into the analysis' column form.
//!
//! Run: `cargo bench --bench foundation` (add `-- --quick` for one run of each).
//! Each figure is the median of several runs; setup (creating databases, writing the
//! CSV, filling the 1M-row table) is not timed.

#![expect(
    clippy::expect_used,
    reason = "a benchmark aborts on any setup failure"
)]

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use rind::import::{ImportKind, import_file};
use rind::store::responses;

mod common;

use common::{AGENCIES, ITEMS, Xorshift, median, prepared_db};

fn write_responses_csv(path: &Path, rows: usize) {
    let file = std::fs::File::create(path).expect("create csv");
    let mut out = std::io::BufWriter::new(file);
    write!(out, "audience,agency,segment,submitted_at").expect("write");
    for i in 0..ITEMS {
        write!(out, ",q{i:02}").expect("write");
    }
    writeln!(out).expect("write");
    let mut rng = Xorshift(0x9E37_79B9_7F4A_7C15);
    for r in 0..rows {
        let agency = rng.next() as usize % AGENCIES;
        write!(
            out,
            "customer,A{agency:02},{},2026-03-{:02}T{:02}:{:02}:00Z",
            ["executive", "it_liaison", "end_user"][r % 3],
            1 + r % 28,
            r % 24,
            r % 60
        )
        .expect("write");
        for _ in 0..ITEMS {
            let v = rng.next() % 6; // 0 = no answer
            if v == 0 {
                write!(out, ",").expect("write");
            } else {
                write!(out, ",{v}").expect("write");
            }
        }
        writeln!(out).expect("write");
    }
    out.flush().expect("flush");
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 1 } else { 5 };
    let dir = tempfile::tempdir().expect("tempdir");

    // 1. CSV import of 100,000 responses.
    let csv = dir.path().join("responses.csv");
    write_responses_csv(&csv, 100_000);
    let mut import_times = Vec::new();
    for run in 0..runs {
        let db = prepared_db(dir.path(), &format!("import{run}.db"));
        let mut conn = db.conn().expect("conn");
        let start = Instant::now();
        let summary =
            import_file(&mut conn, ImportKind::Responses, &csv, Some("W1")).expect("import");
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(summary.created, 100_000);
        import_times.push(secs);
        eprintln!("import run {run}: {secs:.3} s");
    }

    // 2. Loading 1,000,000 responses.
    let db = prepared_db(dir.path(), "load.db");
    let mut conn = db.conn().expect("conn");
    let (wave_id, n_items) = {
        let wave = rind::store::waves::by_code(&mut conn, "W1").expect("wave");
        let items = rind::store::instruments::items(&mut conn, wave.instrument_id).expect("items");
        (wave.id, items.len())
    };
    let fill = Instant::now();
    common::fill(&mut conn, 950_000, 50_000);
    eprintln!(
        "filled 1,000,000 responses in {:.1} s (not timed)",
        fill.elapsed().as_secs_f64()
    );
    let mut load_times = Vec::new();
    for run in 0..runs {
        let start = Instant::now();
        let loaded = responses::load_wave(&mut conn, wave_id, n_items).expect("load");
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(loaded.customers.len() + loaded.staff.len(), 1_000_000);
        load_times.push(secs);
        eprintln!("load run {run}: {secs:.3} s");
    }

    println!(
        "import 100,000 responses x {ITEMS} items (SQLite): median {:.3} s of {runs} runs (target < 5 s)",
        median(import_times)
    );
    println!(
        "load 1,000,000 responses x {ITEMS} items (SQLite): median {:.3} s of {runs} runs (target < 1 s)",
        median(load_times)
    );
}
