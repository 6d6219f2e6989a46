//! Survey delivery: invitations and reminders queued in the outbox, the worker that sends
//! them, email rendering, link tokens, and answering a survey through its link.
//!
//! The flow (docs/ARCHITECTURE.md, "Survey delivery", walks it in full):
//! `invitations::send_wave` creates invitations and queues their emails in one
//! transaction → `outbox::Worker` claims each message, issues a fresh link token
//! (`tokens`), renders it in (`email`) and sends it (`mailer`) → the recipient opens
//! `/s/{token}` (`web::survey`), saves drafts and submits (`survey`) → a response, and a
//! follow-up if they agreed to be contacted. `reminders` queues reminders, by hand or on
//! the wave's schedule.

pub mod email;
pub mod invitations;
pub mod mailer;
pub mod outbox;
pub mod reminders;
pub mod smtp;
pub mod survey;
pub mod tokens;

pub use invitations::{Audiences, SendSummary, send_wave};
pub use mailer::Mailer;
pub use outbox::Worker;
