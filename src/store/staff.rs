//! IT staff: the people who answer the perception survey.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::staff;
use crate::error::Result;
use crate::with_backend;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = staff)]
pub struct StaffMember {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub team: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewStaffMember {
    pub email: String,
    pub name: String,
    /// `None` leaves the stored team alone (the file had no such column); `Some(None)` clears it.
    pub team: Option<Option<String>>,
}

// `Option<Option<_>>`: outer `None` leaves the column alone, `Some(None)` sets NULL.
#[derive(AsChangeset)]
#[diesel(table_name = staff)]
struct StaffRow<'a> {
    email: &'a str,
    name: &'a str,
    team: Option<Option<&'a str>>,
    active: bool,
    updated_at: chrono::NaiveDateTime,
}

pub fn ids_by_email(conn: &mut DbConnection) -> Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = staff::table.select((staff::email, staff::id)).load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Updates the staff member `existing` names, or creates a new one.
pub fn save(
    conn: &mut DbConnection,
    member: &NewStaffMember,
    existing: Option<i64>,
) -> Result<i64> {
    let now = super::now();
    let row = StaffRow {
        email: &member.email,
        name: &member.name,
        team: member.team.as_ref().map(Option::as_deref),
        active: true,
        updated_at: now,
    };
    match existing {
        Some(id) => {
            diesel::update(staff::table.find(id))
                .set(&row)
                .execute(conn)?;
            Ok(id)
        }
        None => Ok(with_backend!(conn, |c| diesel::insert_into(staff::table)
            .values((
                staff::email.eq(row.email),
                staff::name.eq(row.name),
                staff::team.eq(row.team.flatten()),
                staff::active.eq(true),
                staff::created_at.eq(now),
                staff::updated_at.eq(now),
            ))
            .returning(staff::id)
            .get_result(c))?),
    }
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<StaffMember>> {
    Ok(staff::table
        .order(staff::email)
        .select(StaffMember::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut DbConnection) -> Result<i64> {
    Ok(staff::table.count().get_result(conn)?)
}
