//! People who sign in to rind, and their roles.

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
