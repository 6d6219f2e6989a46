//! Invitations: one recipient in one wave, and the links emailed for it. Only hashes of
//! link tokens are stored (`invitation_links`); tokens travel only in the emails.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{agencies, contacts, invitation_links, invitations, staff};
use crate::domain::Audience;
use crate::error::{AppError, Result};
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

    pub fn parse(s: &str) -> Result<InvitationState> {
        [
            InvitationState::Queued,
            InvitationState::Sent,
            InvitationState::Failed,
            InvitationState::Bounced,
            InvitationState::Responded,
            InvitationState::OptedOut,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
        .ok_or_else(|| AppError::Internal(format!("stored invitation state `{s}` is unknown")))
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

// ---------------------------------------------------------------------------------------
// Survey delivery
// ---------------------------------------------------------------------------------------

/// A contact or staff member who can be invited to a wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    pub audience: Audience,
    pub contact_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub email: String,
    pub name: String,
}

/// Active contacts (customers) or staff members who have no invitation to the wave yet.
pub fn uninvited(
    conn: &mut DbConnection,
    wave_id: i64,
    audience: Audience,
) -> Result<Vec<Invitee>> {
    use diesel::dsl::{exists, not};
    Ok(match audience {
        Audience::Customer => contacts::table
            .filter(contacts::active.eq(true))
            .filter(not(exists(
                invitations::table
                    .filter(invitations::wave_id.eq(wave_id))
                    .filter(invitations::contact_id.eq(contacts::id.nullable())),
            )))
            .order(contacts::id)
            .select((contacts::id, contacts::email, contacts::name))
            .load::<(i64, String, String)>(conn)?
            .into_iter()
            .map(|(id, email, name)| Invitee {
                audience,
                contact_id: Some(id),
                staff_id: None,
                email,
                name,
            })
            .collect(),
        Audience::Staff => staff::table
            .filter(staff::active.eq(true))
            .filter(not(exists(
                invitations::table
                    .filter(invitations::wave_id.eq(wave_id))
                    .filter(invitations::staff_id.eq(staff::id.nullable())),
            )))
            .order(staff::id)
            .select((staff::id, staff::email, staff::name))
            .load::<(i64, String, String)>(conn)?
            .into_iter()
            .map(|(id, email, name)| Invitee {
                audience,
                contact_id: None,
                staff_id: Some(id),
                email,
                name,
            })
            .collect(),
    })
}

/// An invitation just created, with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub id: i64,
    pub contact_id: Option<i64>,
    pub staff_id: Option<i64>,
}

/// Inserts queued invitations. Anyone who got invited meanwhile (another `rind send`
/// running at the same time) is skipped by the unique keys, not duplicated; only the rows
/// actually created come back. Call inside a transaction.
pub fn create_queued(conn: &mut DbConnection, batch: &[NewInvitation]) -> Result<Vec<Created>> {
    let mut created = Vec::with_capacity(batch.len());
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
                    invitations::expires_at.eq(i.expires_at),
                )
            })
            .collect();
        let ids: Vec<(i64, Option<i64>, Option<i64>)> =
            with_backend!(conn, |c| diesel::insert_into(invitations::table)
                .values(&rows)
                .on_conflict_do_nothing()
                .returning((
                    invitations::id,
                    invitations::contact_id,
                    invitations::staff_id
                ))
                .get_results(c))?;
        created.extend(ids.into_iter().map(|(id, contact_id, staff_id)| Created {
            id,
            contact_id,
            staff_id,
        }));
    }
    Ok(created)
}

/// Stores the hash of a link just issued for an invitation, and its form's anti-forgery key.
pub fn add_link(
    conn: &mut DbConnection,
    invitation_id: i64,
    token_hash: &[u8],
    form_key: &[u8],
) -> Result<()> {
    diesel::insert_into(invitation_links::table)
        .values((
            invitation_links::invitation_id.eq(invitation_id),
            invitation_links::token_hash.eq(token_hash),
            invitation_links::form_key.eq(form_key),
            invitation_links::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// An invitation as found through one of its links.
#[derive(Debug, Clone)]
pub struct LinkedInvitation {
    pub id: i64,
    pub wave_id: i64,
    pub audience: Audience,
    pub contact_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub state: InvitationState,
    pub draft: Option<Vec<u8>>,
    pub expires_at: Option<NaiveDateTime>,
    /// The anti-forgery key of the link that was used.
    pub form_key: Vec<u8>,
}

type LinkedRow = (
    i64,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    String,
    Option<Vec<u8>>,
    Option<NaiveDateTime>,
    Vec<u8>,
);

/// The invitation one of whose links hashes to `token_hash`.
pub fn find_by_link(
    conn: &mut DbConnection,
    token_hash: &[u8],
) -> Result<Option<LinkedInvitation>> {
    let row: Option<LinkedRow> = invitation_links::table
        .inner_join(invitations::table)
        .filter(invitation_links::token_hash.eq(token_hash))
        .select((
            invitations::id,
            invitations::wave_id,
            invitations::audience,
            invitations::contact_id,
            invitations::staff_id,
            invitations::state,
            invitations::draft,
            invitations::expires_at,
            invitation_links::form_key,
        ))
        .first(conn)
        .optional()?;
    row.map(
        |(id, wave_id, audience, contact_id, staff_id, state, draft, expires_at, form_key)| {
            Ok(LinkedInvitation {
                id,
                wave_id,
                audience: Audience::parse(&audience)?,
                contact_id,
                staff_id,
                state: InvitationState::parse(&state)?,
                draft,
                expires_at,
                form_key,
            })
        },
    )
    .transpose()
}

/// Who an invitation is for, as a response and a follow-up need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub name: String,
    pub email: String,
    /// The contact's agency; `None` for staff.
    pub agency_id: Option<i64>,
    /// The contact's segment or the staff member's team.
    pub segment: Option<String>,
    /// The agency's business-relationship manager, for follow-ups.
    pub brm_owner_email: Option<String>,
}

pub fn recipient(conn: &mut DbConnection, invitation_id: i64) -> Result<Recipient> {
    let (contact_id, staff_id): (Option<i64>, Option<i64>) = invitations::table
        .find(invitation_id)
        .select((invitations::contact_id, invitations::staff_id))
        .first(conn)?;
    if let Some(contact_id) = contact_id {
        let (name, email, agency_id, segment, brm_owner_email) = contacts::table
            .inner_join(agencies::table)
            .filter(contacts::id.eq(contact_id))
            .select((
                contacts::name,
                contacts::email,
                contacts::agency_id,
                contacts::segment,
                agencies::brm_owner_email,
            ))
            .first::<(String, String, i64, Option<String>, Option<String>)>(conn)?;
        return Ok(Recipient {
            name,
            email,
            agency_id: Some(agency_id),
            segment,
            brm_owner_email,
        });
    }
    let staff_id = staff_id
        .ok_or_else(|| AppError::Internal(format!("invitation #{invitation_id} names no one")))?;
    let (name, email, team) = staff::table
        .find(staff_id)
        .select((staff::name, staff::email, staff::team))
        .first::<(String, String, Option<String>)>(conn)?;
    Ok(Recipient {
        name,
        email,
        agency_id: None,
        segment: team,
        brm_owner_email: None,
    })
}

/// Stores the answers saved so far. Refused (false) once the survey was submitted.
pub fn save_draft(conn: &mut DbConnection, invitation_id: i64, draft: &[u8]) -> Result<bool> {
    let n = diesel::update(
        invitations::table
            .find(invitation_id)
            .filter(invitations::state.ne(InvitationState::Responded.as_str())),
    )
    .set(invitations::draft.eq(Some(draft)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Marks the invitation responded and drops its draft, unless it already was: the guard
/// that makes a second submit of the same link create nothing. Returns whether this call
/// did it. `responded_at` should be coarse (a date), so it can't be matched to a response.
pub fn mark_responded(
    conn: &mut DbConnection,
    invitation_id: i64,
    responded_at: NaiveDateTime,
) -> Result<bool> {
    let n = diesel::update(
        invitations::table
            .find(invitation_id)
            .filter(invitations::state.ne(InvitationState::Responded.as_str())),
    )
    .set((
        invitations::state.eq(InvitationState::Responded.as_str()),
        invitations::responded_at.eq(Some(responded_at)),
        invitations::draft.eq(None::<Vec<u8>>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Opts the recipient out of further mail for the wave (not once they have responded).
pub fn opt_out(conn: &mut DbConnection, invitation_id: i64) -> Result<bool> {
    let n = diesel::update(invitations::table.find(invitation_id).filter(
        invitations::state.ne_all([
            InvitationState::Responded.as_str(),
            InvitationState::OptedOut.as_str(),
        ]),
    ))
    .set(invitations::state.eq(InvitationState::OptedOut.as_str()))
    .execute(conn)?;
    Ok(n == 1)
}

/// The invitation email went out: `queued` becomes `sent`.
pub fn mark_sent(
    conn: &mut DbConnection,
    invitation_id: i64,
    sent_at: NaiveDateTime,
) -> Result<()> {
    diesel::update(
        invitations::table
            .find(invitation_id)
            .filter(invitations::state.eq(InvitationState::Queued.as_str())),
    )
    .set((
        invitations::state.eq(InvitationState::Sent.as_str()),
        invitations::sent_at.eq(Some(sent_at)),
    ))
    .execute(conn)?;
    Ok(())
}

/// The invitation email could not be delivered: `queued` becomes `failed`.
pub fn mark_failed(conn: &mut DbConnection, invitation_id: i64) -> Result<()> {
    diesel::update(
        invitations::table
            .find(invitation_id)
            .filter(invitations::state.eq(InvitationState::Queued.as_str())),
    )
    .set(invitations::state.eq(InvitationState::Failed.as_str()))
    .execute(conn)?;
    Ok(())
}

/// Someone who may get a reminder: invited, email delivered, not responded, not opted out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderCandidate {
    pub invitation_id: i64,
    pub audience: Audience,
    pub email: String,
    pub name: String,
    pub reminders_sent: i32,
    pub sent_at: Option<NaiveDateTime>,
}

/// Invitations of a wave in state `sent` with fewer than `max_reminders` reminders.
pub fn reminder_candidates(
    conn: &mut DbConnection,
    wave_id: i64,
    max_reminders: i32,
) -> Result<Vec<ReminderCandidate>> {
    let base = invitations::table
        .filter(invitations::wave_id.eq(wave_id))
        .filter(invitations::state.eq(InvitationState::Sent.as_str()))
        .filter(invitations::reminders_sent.lt(max_reminders));
    let customers: Vec<(i64, String, String, i32, Option<NaiveDateTime>)> = base
        .inner_join(contacts::table)
        .select((
            invitations::id,
            contacts::email,
            contacts::name,
            invitations::reminders_sent,
            invitations::sent_at,
        ))
        .order(invitations::id)
        .load(conn)?;
    let staff_rows: Vec<(i64, String, String, i32, Option<NaiveDateTime>)> = base
        .inner_join(staff::table)
        .select((
            invitations::id,
            staff::email,
            staff::name,
            invitations::reminders_sent,
            invitations::sent_at,
        ))
        .order(invitations::id)
        .load(conn)?;
    let tag = |audience: Audience| {
        move |(invitation_id, email, name, reminders_sent, sent_at): (
            i64,
            String,
            String,
            i32,
            Option<NaiveDateTime>,
        )| ReminderCandidate {
            invitation_id,
            audience,
            email,
            name,
            reminders_sent,
            sent_at,
        }
    };
    let mut all: Vec<ReminderCandidate> = customers
        .into_iter()
        .map(tag(Audience::Customer))
        .chain(staff_rows.into_iter().map(tag(Audience::Staff)))
        .collect();
    all.sort_by_key(|c| c.invitation_id);
    Ok(all)
}

/// Counts a reminder against the invitation, if it still has `reminders_sent` reminders
/// and is still waiting for an answer. Two schedulers racing for the same reminder: only
/// one call returns true, so only one reminder is queued.
pub fn count_reminder(
    conn: &mut DbConnection,
    invitation_id: i64,
    reminders_sent: i32,
    now: NaiveDateTime,
) -> Result<bool> {
    let n = diesel::update(
        invitations::table
            .find(invitation_id)
            .filter(invitations::reminders_sent.eq(reminders_sent))
            .filter(invitations::state.eq(InvitationState::Sent.as_str())),
    )
    .set((
        invitations::reminders_sent.eq(reminders_sent + 1),
        invitations::last_reminded_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// One invitation as stored (without its draft), for listings and checks.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct InvitationRow {
    pub id: i64,
    pub wave_id: i64,
    pub audience: String,
    pub contact_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub state: String,
    pub reminders_sent: i32,
    pub sent_at: Option<NaiveDateTime>,
    pub last_reminded_at: Option<NaiveDateTime>,
    pub responded_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
}

pub fn get(conn: &mut DbConnection, invitation_id: i64) -> Result<InvitationRow> {
    invitations::table
        .find(invitation_id)
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("invitation #{invitation_id}")))
}

/// Every invitation of a wave, in creation order.
pub fn list_for_wave(conn: &mut DbConnection, wave_id: i64) -> Result<Vec<InvitationRow>> {
    Ok(invitations::table
        .filter(invitations::wave_id.eq(wave_id))
        .order(invitations::id)
        .select(InvitationRow::as_select())
        .load(conn)?)
}

/// The saved draft of an invitation, if any.
pub fn draft(conn: &mut DbConnection, invitation_id: i64) -> Result<Option<Vec<u8>>> {
    Ok(invitations::table
        .find(invitation_id)
        .select(invitations::draft)
        .first(conn)?)
}
