//! Who may sign in: password hashing and user creation.

pub mod access;
pub mod password;
pub mod signin;
pub mod token;

use crate::db::DbConnection;
use crate::domain::{Email, Role};
use crate::error::Result;
use crate::store::users;

/// Creates a user with an argon2id-hashed password.
pub fn add_user(conn: &mut DbConnection, email: &str, role: &str, password: &str) -> Result<Email> {
    let email = Email::parse(email)?;
    let role = Role::parse(role)?;
    let hash = password::hash(password)?;
    users::add(conn, &email, role, &hash)?;
    Ok(email)
}
