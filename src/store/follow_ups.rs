//! Follow-ups: a respondent who agreed to be contacted, routed to their agency's
//! business-relationship manager. The only place a person is named beside their answers.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::{follow_ups, users};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFollowUp {
    pub wave_id: i64,
    pub agency_id: Option<i64>,
    pub contact_name: String,
    pub contact_email: String,
    /// Why: "asked to be contacted", and the low scores that make it urgent.
    pub reason: String,
    pub urgent: bool,
    /// The user who owns the agency relationship, when one is known.
    pub assigned_to: Option<i64>,
}

pub fn insert(conn: &mut DbConnection, follow_up: &NewFollowUp) -> Result<()> {
    diesel::insert_into(follow_ups::table)
        .values((
            follow_ups::wave_id.eq(follow_up.wave_id),
            follow_ups::agency_id.eq(follow_up.agency_id),
            follow_ups::contact_name.eq(&follow_up.contact_name),
            follow_ups::contact_email.eq(&follow_up.contact_email),
            follow_ups::reason.eq(&follow_up.reason),
            follow_ups::urgent.eq(follow_up.urgent),
            follow_ups::status.eq("open"),
            follow_ups::assigned_to.eq(follow_up.assigned_to),
            follow_ups::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The id of the user with this email, if there is one (an agency's BRM owner).
pub fn user_id_by_email(conn: &mut DbConnection, email: &str) -> Result<Option<i64>> {
    Ok(users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select(users::id)
        .first(conn)
        .optional()?)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = follow_ups)]
pub struct FollowUp {
    pub id: i64,
    pub wave_id: i64,
    pub agency_id: Option<i64>,
    pub contact_name: String,
    pub contact_email: String,
    pub reason: String,
    pub urgent: bool,
    pub status: String,
    pub assigned_to: Option<i64>,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}

/// The follow-ups of a wave, urgent ones first.
pub fn for_wave(conn: &mut DbConnection, wave_id: i64) -> Result<Vec<FollowUp>> {
    Ok(follow_ups::table
        .filter(follow_ups::wave_id.eq(wave_id))
        .order((follow_ups::urgent.desc(), follow_ups::id))
        .select(FollowUp::as_select())
        .load(conn)?)
}

/// The follow-ups of one agency in a wave, urgent ones first.
pub fn for_agency(conn: &mut DbConnection, wave_id: i64, agency_id: i64) -> Result<Vec<FollowUp>> {
    Ok(for_wave(conn, wave_id)?
        .into_iter()
        .filter(|f| f.agency_id == Some(agency_id))
        .collect())
}

/// A follow-up as the list shows it: with its wave, agency and assignee.
#[derive(Debug, Clone)]
pub struct Listed {
    pub follow_up: FollowUp,
    pub wave: String,
    pub agency: Option<String>,
    pub assignee: Option<String>,
}

/// Every follow-up, open ones first, urgent ones first, newest first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<Listed>> {
    use crate::db::schema::{agencies, waves};
    let rows: Vec<(FollowUp, String, Option<String>)> = follow_ups::table
        .inner_join(waves::table)
        .left_join(agencies::table)
        .order((
            follow_ups::status.eq("closed"),
            follow_ups::urgent.desc(),
            follow_ups::id.desc(),
        ))
        .select((
            FollowUp::as_select(),
            waves::code,
            agencies::code.nullable(),
        ))
        .load(conn)?;
    let emails: std::collections::HashMap<i64, String> = users::table
        .select((users::id, users::email))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(follow_up, wave, agency)| Listed {
            assignee: follow_up
                .assigned_to
                .and_then(|id| emails.get(&id).cloned()),
            follow_up,
            wave,
            agency,
        })
        .collect())
}

/// The agency code of a follow-up (for the access check before it is changed).
pub fn agency_of(conn: &mut DbConnection, id: i64) -> Result<Option<Option<String>>> {
    use crate::db::schema::agencies;
    Ok(follow_ups::table
        .left_join(agencies::table)
        .filter(follow_ups::id.eq(id))
        .select(agencies::code.nullable())
        .first(conn)
        .optional()?)
}

/// What a BRM records on a follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    /// `open`, `in_progress` or `closed`.
    pub status: String,
    pub note: Option<String>,
    pub assigned_to: Option<i64>,
}

pub fn record(conn: &mut DbConnection, id: i64, work: &Work) -> Result<()> {
    let closed_at = (work.status == "closed").then(super::now);
    diesel::update(follow_ups::table.find(id))
        .set((
            follow_ups::status.eq(&work.status),
            follow_ups::note.eq(work.note.as_deref()),
            follow_ups::assigned_to.eq(work.assigned_to),
            follow_ups::closed_at.eq(closed_at),
        ))
        .execute(conn)?;
    Ok(())
}
