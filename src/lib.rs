//! rind: customer-satisfaction and perception-gap surveys for IT organisations that serve
//! other organisations. See `docs/ARCHITECTURE.md` for how the pieces fit.

pub mod analysis;
pub mod auth;
pub mod charts;
pub mod commands;
pub mod config;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod error;
pub mod import;
pub mod programme;
pub mod report;
pub mod store;
pub mod web;
pub mod words;

pub use config::Settings;
pub use error::{AppError, Result};
