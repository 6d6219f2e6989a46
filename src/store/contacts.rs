//! Agency contacts: the people who receive customer surveys.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::contacts;
use crate::error::Result;
use crate::with_backend;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = contacts)]
pub struct Contact {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub agency_id: i64,
    pub segment: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    /// Normalised with `domain::Email::parse`.
    pub email: String,
    pub name: String,
    pub agency_id: i64,
    /// `None` leaves the stored segment alone (the file had no such column); `Some(None)` clears it.
    pub segment: Option<Option<String>>,
}

// `Option<Option<_>>`: outer `None` leaves the column alone, `Some(None)` sets NULL.
#[derive(AsChangeset)]
#[diesel(table_name = contacts)]
struct ContactRow<'a> {
    email: &'a str,
    name: &'a str,
    agency_id: i64,
    segment: Option<Option<&'a str>>,
    active: bool,
    updated_at: chrono::NaiveDateTime,
}

/// Email → id of every contact, so an import can tell new people from known ones.
pub fn ids_by_email(conn: &mut DbConnection) -> Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = contacts::table
        .select((contacts::email, contacts::id))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Updates the contact `existing` names, or creates a new one. Either way it is active.
pub fn save(conn: &mut DbConnection, contact: &NewContact, existing: Option<i64>) -> Result<i64> {
    let now = super::now();
    let row = ContactRow {
        email: &contact.email,
        name: &contact.name,
        agency_id: contact.agency_id,
        segment: contact.segment.as_ref().map(Option::as_deref),
        active: true,
        updated_at: now,
    };
    match existing {
        Some(id) => {
            diesel::update(contacts::table.find(id))
                .set(&row)
                .execute(conn)?;
            Ok(id)
        }
        None => Ok(with_backend!(conn, |c| diesel::insert_into(
            contacts::table
        )
        .values((
            contacts::email.eq(row.email),
            contacts::agency_id.eq(row.agency_id),
            contacts::name.eq(row.name),
            contacts::segment.eq(row.segment.flatten()),
            contacts::active.eq(true),
            contacts::created_at.eq(now),
            contacts::updated_at.eq(now),
        ))
        .returning(contacts::id)
        .get_result(c))?),
    }
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<Contact>> {
    Ok(contacts::table
        .order(contacts::email)
        .select(Contact::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut DbConnection) -> Result<i64> {
    Ok(contacts::table.count().get_result(conn)?)
}
