//! Agencies: the customer organisations.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::agencies;
use crate::error::Result;
use crate::with_backend;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = agencies)]
pub struct Agency {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub line_of_business: Option<String>,
    pub annual_it_spend: Option<f64>,
    pub brm_owner_email: Option<String>,
}

/// An agency to create or update. Optional fields are tri-state: `None` leaves the stored
/// value alone (the file had no such column), `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAgency {
    pub code: String,
    pub name: String,
    pub line_of_business: Option<Option<String>>,
    pub annual_it_spend: Option<Option<f64>>,
    pub brm_owner_email: Option<Option<String>>,
}

// `Option<Option<_>>` in a changeset: outer `None` skips the column, `Some(None)` sets NULL.
#[derive(AsChangeset)]
#[diesel(table_name = agencies)]
struct AgencyChanges<'a> {
    name: &'a str,
    line_of_business: Option<Option<&'a str>>,
    annual_it_spend: Option<Option<f64>>,
    brm_owner_email: Option<Option<&'a str>>,
    updated_at: chrono::NaiveDateTime,
}

/// Creates the agency, or updates the one with the same code. Returns true if created.
pub fn upsert(conn: &mut DbConnection, agency: &NewAgency) -> Result<bool> {
    let now = super::now();
    let changes = AgencyChanges {
        name: &agency.name,
        line_of_business: agency.line_of_business.as_ref().map(Option::as_deref),
        annual_it_spend: agency.annual_it_spend,
        brm_owner_email: agency.brm_owner_email.as_ref().map(Option::as_deref),
        updated_at: now,
    };
    let existing: Option<i64> = agencies::table
        .filter(agencies::code.eq(&agency.code))
        .select(agencies::id)
        .first(conn)
        .optional()?;
    match existing {
        Some(id) => {
            diesel::update(agencies::table.find(id))
                .set(&changes)
                .execute(conn)?;
            Ok(false)
        }
        None => {
            with_backend!(conn, |c| diesel::insert_into(agencies::table)
                .values((
                    agencies::code.eq(&agency.code),
                    agencies::name.eq(&agency.name),
                    agencies::line_of_business.eq(changes.line_of_business.flatten()),
                    agencies::annual_it_spend.eq(changes.annual_it_spend.flatten()),
                    agencies::brm_owner_email.eq(changes.brm_owner_email.flatten()),
                    agencies::created_at.eq(now),
                    agencies::updated_at.eq(now),
                ))
                .execute(c))?;
            Ok(true)
        }
    }
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<Agency>> {
    Ok(agencies::table
        .order(agencies::code)
        .select(Agency::as_select())
        .load(conn)?)
}

/// Agency code → id, for resolving codes in imported files.
pub fn ids_by_code(conn: &mut DbConnection) -> Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = agencies::table
        .select((agencies::code, agencies::id))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

pub fn count(conn: &mut DbConnection) -> Result<i64> {
    Ok(agencies::table.count().get_result(conn)?)
}

/// Codes of the agencies whose BRM owner has this email (stored lower-case).
pub fn owned_by(conn: &mut DbConnection, email: &str) -> Result<Vec<String>> {
    Ok(agencies::table
        .filter(agencies::brm_owner_email.eq(email))
        .order(agencies::code)
        .select(agencies::code)
        .load(conn)?)
}

pub fn by_code(conn: &mut DbConnection, code: &str) -> Result<Agency> {
    agencies::table
        .filter(agencies::code.eq(code))
        .select(Agency::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| crate::error::AppError::NotFound(format!("agency {code}")))
}
