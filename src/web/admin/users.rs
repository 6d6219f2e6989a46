//! `/admin/users` and `/admin/tokens`: who may sign in, and API tokens for scripts. Users
//! are added with `auth::add_user` (argon2id), tokens with `auth::add_api_token`; a new
//! token's secret is in the answer to that POST only.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;

use super::{Action, AdminPage, CsrfForm, Row, SignedIn, admin_only, cell, checked_form};
use super::{no_store, outcome_page, rendered};
use crate::error::AppError;
use crate::store::sessions::ApiToken;
use crate::store::users::User;
use crate::web::AppState;
use crate::web::dashboard::PageError;

/// Shortest initial password accepted.
const MIN_PASSWORD: usize = 12;

fn time(t: Option<chrono::NaiveDateTime>) -> String {
    t.map_or(String::new(), |t| t.format("%Y-%m-%d %H:%M").to_string())
}

fn user_row(u: User) -> Row {
    let state = if u.locked_until.is_some() {
        "locked after failed sign-ins"
    } else {
        "active"
    };
    Row::plain(vec![
        cell(u.email),
        cell(u.role),
        cell(""),
        cell(""),
        cell(state),
    ])
}

fn token_row(t: ApiToken) -> Row {
    let actions = if t.revoked_at.is_none() {
        vec![Action {
            url: format!("/admin/tokens/{}/revoke", t.id),
            label: format!("Revoke token “{}”", t.name),
        }]
    } else {
        Vec::new()
    };
    let state = if t.revoked_at.is_some() {
        "revoked"
    } else {
        "active"
    };
    Row {
        cells: vec![
            cell(format!("token “{}”", t.name)),
            cell(t.user_email),
            cell(time(Some(t.created_at))),
            cell(time(t.last_used_at)),
            cell(state),
        ],
        actions,
    }
}

async fn users_page(state: &web::Data<AppState>, who: &SignedIn) -> Result<AdminPage, PageError> {
    let (users, tokens) = state
        .run(|conn| {
            Ok((
                crate::store::users::list(conn)?,
                crate::store::sessions::list_api_tokens(conn)?,
            ))
        })
        .await?;
    let mut body = AdminPage::new(
        who,
        "Users and API tokens",
        "Roles: admin (everything), cio (every dashboard and export), brm (dashboards; the \
         figures, exports and follow-ups of the agencies they own), viewer (aggregate \
         dashboards only). API tokens let scripts call /api/v1 as a user; the token is shown \
         once, only its hash is kept.",
    );
    body.form = "user";
    body.users = users.iter().map(|u| u.email.clone()).collect();
    body.caption = format!("Users ({}) and API tokens ({})", users.len(), tokens.len());
    body.headers = vec![
        "User or token",
        "Role or owner",
        "Created",
        "Last used",
        "State",
    ];
    body.rows = users
        .into_iter()
        .map(user_row)
        .chain(tokens.into_iter().map(token_row))
        .collect();
    Ok(body)
}

#[get("/users")]
pub(super) async fn list_users(
    state: web::Data<AppState>,
    who: SignedIn,
) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    let body = users_page(&state, &who).await?;
    rendered(StatusCode::OK, body)
}

// Missing fields read as empty, so that the sign-in and role checks answer first.
#[derive(Default, Deserialize)]
#[serde(default)]
struct UserForm {
    csrf_token: Option<String>,
    email: String,
    role: String,
    password: String,
}

#[post("/users")]
pub(super) async fn add_user(
    state: web::Data<AppState>,
    who: SignedIn,
    form: web::Form<UserForm>,
) -> Result<HttpResponse, PageError> {
    checked_form(&who, form.csrf_token.as_deref())?;
    let form = form.into_inner();
    let outcome = if form.password.chars().count() < MIN_PASSWORD {
        Err(AppError::invalid(format!(
            "password: use at least {MIN_PASSWORD} characters"
        )))
    } else {
        state
            .run(move |conn| {
                Ok(
                    crate::auth::add_user(conn, form.email.trim(), &form.role, &form.password)
                        .map(|email| format!("Added {} {email}.", form.role)),
                )
            })
            .await?
    };
    outcome_page(users_page(&state, &who).await?, outcome)
}

// Missing fields read as empty, so that the sign-in and role checks answer first.
#[derive(Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    csrf_token: Option<String>,
    email: String,
    name: String,
}

#[post("/tokens")]
pub(super) async fn create_token(
    state: web::Data<AppState>,
    who: SignedIn,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    checked_form(&who, form.csrf_token.as_deref())?;
    let form = form.into_inner();
    let (email, name) = (form.email.clone(), form.name.clone());
    let outcome = state
        .run(move |conn| Ok(crate::auth::add_api_token(conn, &email, &name)))
        .await?;
    let mut body = users_page(&state, &who).await?;
    let status = match outcome {
        Ok(secret) => {
            body.notice = Some(format!(
                "API token “{}” for {}: send it as `Authorization: Bearer TOKEN`. Copy it now: it is not shown again.",
                form.name.trim(),
                form.email.trim()
            ));
            body.secret = Some(secret);
            StatusCode::OK
        }
        Err(e) => body.refused(e)?,
    };
    // The secret must not be kept by a cache or shown again from history.
    Ok(no_store(rendered(status, body)?))
}

#[post("/tokens/{id}/revoke")]
pub(super) async fn revoke_token(
    state: web::Data<AppState>,
    who: SignedIn,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    checked_form(&who, form.csrf_token.as_deref())?;
    let id = id.into_inner();
    let revoked = state
        .run(move |conn| crate::store::sessions::revoke_api_token(conn, id))
        .await?;
    let outcome = if revoked {
        Ok("The token is revoked: it no longer works.".to_string())
    } else {
        Err(AppError::NotFound(format!("an active API token #{id}")))
    };
    outcome_page(users_page(&state, &who).await?, outcome)
}
