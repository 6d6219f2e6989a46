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

/// How many were invited in a wave, and how many of those bounced, per agency (customers)
/// and for staff (`agency_id` `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct InvitedCount {
    pub audience: Audience,
    pub agency_id: Option<i64>,
    pub invited: i64,
    pub bounced: i64,
}

pub fn counts_by_agency(conn: &mut DbConnection, wave_id: i64) -> Result<Vec<InvitedCount>> {
    use crate::db::schema::contacts;
    use diesel::dsl::count_star;
    let mut out = Vec::new();
    for bounced in [false, true] {
        let mut customers = invitations::table
            .inner_join(contacts::table)
            .filter(invitations::wave_id.eq(wave_id))
            .group_by(contacts::agency_id)
            .select((contacts::agency_id, count_star()))
            .into_boxed();
        let mut staff = invitations::table
            .filter(invitations::wave_id.eq(wave_id))
            .filter(invitations::audience.eq(Audience::Staff.as_str()))
            .select(count_star())
            .into_boxed();
        if bounced {
            customers = customers.filter(invitations::state.eq(InvitationState::Bounced.as_str()));
            staff = staff.filter(invitations::state.eq(InvitationState::Bounced.as_str()));
        }
        let customers: Vec<(i64, i64)> = customers.load(conn)?;
        let staff: i64 = staff.first(conn)?;
        for (agency_id, n) in customers {
            add(&mut out, Audience::Customer, Some(agency_id), n, bounced);
        }
        add(&mut out, Audience::Staff, None, staff, bounced);
    }
    out.retain(|c| c.invited > 0);
    Ok(out)
}

fn add(
    out: &mut Vec<InvitedCount>,
    audience: Audience,
    agency_id: Option<i64>,
    n: i64,
    bounced: bool,
) {
    let entry = match out
        .iter_mut()
        .position(|c| c.audience == audience && c.agency_id == agency_id)
    {
        Some(i) => &mut out[i],
        None => {
            out.push(InvitedCount {
                audience,
                agency_id,
                invited: 0,
                bounced: 0,
            });
            let last = out.len() - 1;
            &mut out[last]
        }
    };
    if bounced {
        entry.bounced += n;
    } else {
        entry.invited += n;
    }
}
