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

#[derive(Debug, Clone, PartialEq)]
pub struct NewAgency {
    pub code: String,
    pub name: String,
    pub line_of_business: Option<String>,
    pub annual_it_spend: Option<f64>,
    pub brm_owner_email: Option<String>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = agencies, treat_none_as_null = true)]
struct AgencyRow<'a> {
    code: &'a str,
    name: &'a str,
    line_of_business: Option<&'a str>,
    annual_it_spend: Option<f64>,
    brm_owner_email: Option<&'a str>,
    updated_at: chrono::NaiveDateTime,
}

/// Creates the agency, or updates the one with the same code. Returns true if created.
pub fn upsert(conn: &mut DbConnection, agency: &NewAgency) -> Result<bool> {
    let now = super::now();
    let row = AgencyRow {
        code: &agency.code,
        name: &agency.name,
        line_of_business: agency.line_of_business.as_deref(),
        annual_it_spend: agency.annual_it_spend,
        brm_owner_email: agency.brm_owner_email.as_deref(),
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
                .set(&row)
                .execute(conn)?;
            Ok(false)
        }
        None => {
            with_backend!(conn, |c| diesel::insert_into(agencies::table)
                .values((&row, agencies::created_at.eq(now)))
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
