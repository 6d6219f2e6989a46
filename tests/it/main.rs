//! rind's black-box tests, one module per area, in one test binary: each separate
//! `tests/*.rs` would link the whole crate again, while modules under one `main.rs` link
//! once and their tests run in parallel in one process (every test still has its own
//! database, scratch folder and ports; see `common`).
//!
//! `tests/crash.rs` (kills a `rind serve` process) and `tests/browser.rs` (drives headless
//! Chromium) stay binaries of their own and share `common` through `#[path]`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test helper that fails should panic loudly, like the test itself"
)]

mod common;

mod admin;
mod analysis_e2e;
mod app;
mod architecture;
mod charts;
mod cli;
mod dashboard_auth;
mod delivery;
mod demo;
mod exports;
mod imports;
mod instrument_labels;
mod migrations;
mod optional_columns;
mod report_cache;
mod responses_import;
mod signin;
mod survey;
