//! Invitations: one recipient in one wave. Only the hash of the link token is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::invitations;
use crate::domain::Audience;
use crate::error::Result;
use crate::with_backend;

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Queued,
    Sent,
    Failed,
    Bounced,
    Responded,
    OptedOut,
}

impl InvitationState {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Queued => "queued",
            InvitationState::Sent => "sent",
            InvitationState::Failed => "failed",
            InvitationState::Bounced => "bounced",
            InvitationState::Responded => "responded",
            InvitationState::OptedOut => "opted_out",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub wave_id: i64,
    pub audience: Audience,
    pub contact_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub token_hash: Vec<u8>,
    pub state: InvitationState,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub responded_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
}

/// Inserts invitations in multi-row statements. Call inside a transaction.
pub fn insert_many(conn: &mut DbConnection, batch: &[NewInvitation]) -> Result<()> {
    for chunk in batch.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|i| {
                (
                    invitations::wave_id.eq(i.wave_id),
                    invitations::audience.eq(i.audience.as_str()),
                    invitations::contact_id.eq(i.contact_id),
                    invitations::staff_id.eq(i.staff_id),
                    invitations::token_hash.eq(&i.token_hash),
                    invitations::state.eq(i.state.as_str()),
                    invitations::created_at.eq(i.created_at),
                    invitations::sent_at.eq(i.sent_at),
                    invitations::responded_at.eq(i.responded_at),
                    invitations::expires_at.eq(i.expires_at),
                )
            })
            .collect();
        with_backend!(conn, |c| diesel::insert_into(invitations::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(())
}
