//! Dashboard sessions and API tokens. Only hashes of their secrets are stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{api_tokens, sessions, users};
use crate::error::Result;
use crate::store::users::User;

/// A live session with its user.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub csrf_token: String,
    pub expires_at: NaiveDateTime,
    pub user: User,
}

pub fn create(
    conn: &mut DbConnection,
    token_hash: &[u8],
    user_id: i64,
    csrf_token: &str,
    expires_at: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash),
            sessions::user_id.eq(user_id),
            sessions::csrf_token.eq(csrf_token),
            sessions::created_at.eq(super::now()),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The unexpired session whose token hashes to `token_hash`.
pub fn find(
    conn: &mut DbConnection,
    token_hash: &[u8],
    now: NaiveDateTime,
) -> Result<Option<Session>> {
    let row: Option<(i64, String, NaiveDateTime, User)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::expires_at.gt(now))
        .select((
            sessions::id,
            sessions::csrf_token,
            sessions::expires_at,
            User::as_select(),
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(id, csrf_token, expires_at, user)| Session {
        id,
        csrf_token,
        expires_at,
        user,
    }))
}

/// Ends a session (sign-out).
pub fn delete(conn: &mut DbConnection, token_hash: &[u8]) -> Result<()> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash))).execute(conn)?;
    Ok(())
}

/// Drops expired sessions.
pub fn delete_expired(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    Ok(diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)?)
}

/// An API token as an admin sees it (never the secret).
#[derive(Debug, Clone, Queryable, serde::Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub user_email: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn create_api_token(
    conn: &mut DbConnection,
    token_hash: &[u8],
    user_id: i64,
    name: &str,
) -> Result<()> {
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::token_hash.eq(token_hash),
            api_tokens::user_id.eq(user_id),
            api_tokens::name.eq(name),
            api_tokens::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The user of an unrevoked API token, noting its use.
pub fn user_of_api_token(conn: &mut DbConnection, token_hash: &[u8]) -> Result<Option<User>> {
    let found: Option<(i64, User)> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .select((api_tokens::id, User::as_select()))
        .first(conn)
        .optional()?;
    if let Some((id, _)) = &found {
        diesel::update(api_tokens::table.find(*id))
            .set(api_tokens::last_used_at.eq(super::now()))
            .execute(conn)?;
    }
    Ok(found.map(|(_, user)| user))
}

pub fn list_api_tokens(conn: &mut DbConnection) -> Result<Vec<ApiToken>> {
    Ok(api_tokens::table
        .inner_join(users::table)
        .order(api_tokens::id.asc())
        .select((
            api_tokens::id,
            api_tokens::name,
            users::email,
            api_tokens::created_at,
            api_tokens::last_used_at,
            api_tokens::revoked_at,
        ))
        .load(conn)?)
}

pub fn revoke_api_token(conn: &mut DbConnection, id: i64) -> Result<bool> {
    Ok(diesel::update(
        api_tokens::table
            .find(id)
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(super::now()))
    .execute(conn)?
        > 0)
}
