//! What the programme's people do that is more than one store call, whoever asks: the
//! command line (`commands`) and the admin pages (`web::admin`) both call these, so that
//! a wave created from a form is the wave `rind wave create` makes. Below both: it uses
//! `config`, `db`, `import` and `store`, never `web` or `commands`.
//!
//! `startup` opens the database (with its migrations) and gives a new one its default
//! instrument; `waves` creates, schedules, opens and closes waves.

pub mod startup;
pub mod waves;

pub use startup::{first_start, open};
pub use waves::{close_wave, create_wave, open_wave, set_wave_delivery};
