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
    pub created_at: NaiveDateTime,
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
