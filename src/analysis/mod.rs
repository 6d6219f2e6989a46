//! Pure analysis over loaded responses: no I/O, no web, no diesel.

pub mod calibration;
pub mod gap;
pub mod ipa;
pub mod measures;
pub mod rates;
pub mod responses;
pub mod stats;
pub mod suppress;
pub mod trend;
pub mod watermelon;

pub use responses::{ResponseSet, WaveResponses};
