//! `rind send`: one invitation per active contact or staff member not yet invited to the
//! wave, each with its email queued in the same transaction.

use diesel::Connection;
use serde::Serialize;

use super::email;
use super::tokens::unused_hash;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::domain::Audience;
use crate::error::{AppError, Result};
use crate::store::invitations::{self, InvitationState, NewInvitation};
use crate::store::{outbox, waves};

/// Who a send (or reminder) is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audiences {
    Customer,
    Staff,
    #[default]
    Both,
}

impl Audiences {
    pub fn parse(s: &str) -> Result<Audiences> {
        match s.trim().to_ascii_lowercase().as_str() {
            "customer" | "customers" => Ok(Audiences::Customer),
            "staff" => Ok(Audiences::Staff),
            "both" => Ok(Audiences::Both),
            other => Err(AppError::invalid(format!(
                "unknown audience `{other}`: use customer, staff or both"
            ))),
        }
    }

    pub fn includes(self, audience: Audience) -> bool {
        matches!(
            (self, audience),
            (Audiences::Both, _)
                | (Audiences::Customer, Audience::Customer)
                | (Audiences::Staff, Audience::Staff)
        )
    }
}

/// What a send did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendSummary {
    pub wave: String,
    /// Contacts invited by this send.
    pub customers_invited: usize,
    /// Staff members invited by this send.
    pub staff_invited: usize,
}

impl SendSummary {
    pub fn invited(&self) -> usize {
        self.customers_invited + self.staff_invited
    }
}

impl std::fmt::Display for SendSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.invited() == 0 {
            return write!(
                f,
                "wave {}: everyone is already invited; nothing to send",
                self.wave
            );
        }
        write!(
            f,
            "wave {}: invited {} customer(s) and {} staff member(s); {} email(s) queued",
            self.wave,
            self.customers_invited,
            self.staff_invited,
            self.invited()
        )
    }
}

/// Invites everyone of `audiences` who is active and not yet invited to the wave, and
/// queues their emails, all in one transaction. Running it again invites only people
/// added since. A draft wave opens; a closed wave, or one that opens later, is refused.
pub fn send_wave(
    conn: &mut DbConnection,
    settings: &Settings,
    wave_code: &str,
    audiences: Audiences,
) -> Result<SendSummary> {
    let wave_id = waves::by_code(conn, wave_code)?.id;
    conn.transaction::<_, AppError, _>(|conn| {
        let now = crate::store::now();
        // A write first: SQLite takes its write lock now, rather than failing to upgrade a
        // read (SQLITE_BUSY) if the worker commits meanwhile. A refusal below rolls it back.
        waves::open_for_sending(conn, wave_id, now)?;
        let wave = waves::get(conn, wave_id)?;
        if wave.is_closed(now) {
            return Err(AppError::Conflict(format!(
                "wave {} is closed; invitations can't go out",
                wave.code
            )));
        }
        if let Some(opens) = wave.opens_at
            && opens > now
        {
            return Err(AppError::Conflict(format!(
                "wave {} opens at {opens} UTC; send the invitations once it is open",
                wave.code
            )));
        }
        let mut summary = SendSummary {
            wave: wave.code.clone(),
            customers_invited: 0,
            staff_invited: 0,
        };
        for audience in [Audience::Customer, Audience::Staff] {
            if !audiences.includes(audience) {
                continue;
            }
            let invitees = invitations::uninvited(conn, wave.id, audience)?;
            let rows: Vec<NewInvitation> = invitees
                .iter()
                .map(|invitee| NewInvitation {
                    wave_id: wave.id,
                    audience,
                    contact_id: invitee.contact_id,
                    staff_id: invitee.staff_id,
                    token_hash: unused_hash(),
                    state: InvitationState::Queued,
                    created_at: now,
                    sent_at: None,
                    responded_at: None,
                    // Links die with the wave.
                    expires_at: wave.closes_at,
                })
                .collect();
            let created = invitations::create_queued(conn, &rows)?;
            let mut messages = Vec::with_capacity(created.len());
            for row in &created {
                let Some(invitee) = invitees
                    .iter()
                    .find(|i| i.contact_id == row.contact_id && i.staff_id == row.staff_id)
                else {
                    continue;
                };
                messages.push(email::survey_message(
                    settings,
                    &wave,
                    outbox::MailKind::Invitation,
                    audience,
                    row.id,
                    &invitee.name,
                    &invitee.email,
                )?);
            }
            outbox::enqueue(conn, &messages)?;
            match audience {
                Audience::Customer => summary.customers_invited = created.len(),
                Audience::Staff => summary.staff_invited = created.len(),
            }
        }
        Ok(summary)
    })
}
