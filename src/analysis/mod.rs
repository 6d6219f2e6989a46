//! Pure analysis over loaded responses: no I/O, no web, no diesel.

pub mod ipa;
pub mod responses;
pub mod suppress;

pub use responses::{ResponseSet, WaveResponses};
