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

/// Creates an API token for the user with `email` and returns it; only its hash is kept.
pub fn add_api_token(conn: &mut DbConnection, email: &str, name: &str) -> Result<String> {
    let email = Email::parse(email)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(crate::error::AppError::invalid(
            "give the token a name that says what it is for",
        ));
    }
    let user = users::find_by_email(conn, &email)?
        .ok_or_else(|| crate::error::AppError::NotFound(format!("user {email}")))?;
    let token = token::Secret::generate();
    crate::store::sessions::create_api_token(conn, &token.hash(), user.id, name)?;
    Ok(token.as_str().to_string())
}
