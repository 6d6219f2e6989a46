//! People who sign in to rind, and their roles.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::users;
use crate::domain::{Email, Role};
use crate::error::Result;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: String,
    /// Failed sign-ins since the last good one.
    #[serde(skip)]
    pub failed_signins: i32,
    #[serde(skip)]
    pub locked_until: Option<NaiveDateTime>,
}

/// Adds a user; the password must already be hashed (see `auth::password`).
pub fn add(conn: &mut DbConnection, email: &Email, role: Role, password_hash: &str) -> Result<()> {
    diesel::insert_into(users::table)
        .values((
            users::email.eq(email.as_str()),
            users::password_hash.eq(password_hash),
            users::role.eq(role.as_str()),
            users::failed_signins.eq(0),
            users::created_at.eq(super::now()),
        ))
        .execute(conn)
        .map_err(|e| {
            super::conflict_on_unique(e, || format!("a user with email {email} already exists"))
        })?;
    Ok(())
}

pub fn find_by_email(conn: &mut DbConnection, email: &Email) -> Result<Option<User>> {
    Ok(users::table
        .filter(users::email.eq(email.as_str()))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: i64) -> Result<User> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)?)
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<User>> {
    Ok(users::table
        .order(users::email.asc())
        .select(User::as_select())
        .load(conn)?)
}

/// Counts a failed sign-in, locking the account until `lock_until` when it is given.
/// Returns the number of failures so far.
pub fn record_failed_signin(
    conn: &mut DbConnection,
    id: i64,
    lock_until: impl Fn(i32) -> Option<NaiveDateTime>,
) -> Result<i32> {
    conn.transaction(|conn| {
        let failed: i32 = users::table
            .find(id)
            .select(users::failed_signins)
            .first(conn)?;
        let failed = failed.saturating_add(1);
        diesel::update(users::table.find(id))
            .set((
                users::failed_signins.eq(failed),
                users::locked_until.eq(lock_until(failed)),
            ))
            .execute(conn)?;
        Ok(failed)
    })
}

/// A good sign-in: clears the failures and any lock.
pub fn record_good_signin(conn: &mut DbConnection, id: i64) -> Result<()> {
    diesel::update(users::table.find(id))
        .set((
            users::failed_signins.eq(0),
            users::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}
