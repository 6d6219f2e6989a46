//! The follow-up list a BRM works: who asked to be contacted, with status, note and
//! assignee. Admin and cio see every agency's; a BRM the agencies they own; viewers none.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::AppState;
use super::auth::SignedIn;
use super::dashboard::{Nav, PageError, page};
use crate::domain::Role;
use crate::error::AppError;
use crate::store::follow_ups::{self, Work};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(record);
}

struct Row {
    id: i64,
    name: String,
    email: String,
    agency: String,
    wave: String,
    reason: String,
    urgent: bool,
    status: String,
    note: String,
    assignee: Option<String>,
    mine: bool,
}

#[derive(Template)]
#[template(path = "dashboard/follow_ups.html")]
struct FollowUpsPage {
    nav: Nav,
    brm: bool,
    rows: Vec<Row>,
}

fn may_work(who: &SignedIn, agency: Option<&str>) -> bool {
    match agency {
        Some(code) => who.access.may_work_follow_ups(code),
        // A follow-up without an agency: only the CIO office and admins.
        None => matches!(who.role(), Role::Admin | Role::Cio),
    }
}

#[get("/follow-ups")]
async fn list(state: web::Data<AppState>, who: SignedIn) -> Result<HttpResponse, PageError> {
    who.require(&[Role::Admin, Role::Cio, Role::Brm])?;
    let all = state.run(follow_ups::list).await?;
    let rows = all
        .into_iter()
        .filter(|l| may_work(&who, l.agency.as_deref()))
        .map(|l| Row {
            id: l.follow_up.id,
            name: l.follow_up.contact_name,
            email: l.follow_up.contact_email,
            agency: l.agency.unwrap_or_else(|| "no agency".into()),
            wave: l.wave,
            reason: l.follow_up.reason,
            urgent: l.follow_up.urgent,
            status: l.follow_up.status,
            note: l.follow_up.note.unwrap_or_default(),
            mine: l.follow_up.assigned_to == Some(who.user.id),
            assignee: l.assignee,
        })
        .collect();
    let body = FollowUpsPage {
        nav: Nav::of(&who, None),
        brm: who.role() == Role::Brm,
        rows,
    };
    Ok(page(StatusCode::OK, &body)?)
}

#[derive(Deserialize)]
struct WorkForm {
    csrf_token: Option<String>,
    status: String,
    note: Option<String>,
    assign_to_me: Option<String>,
}

/// Longest note kept.
const MAX_NOTE: usize = 2000;

#[post("/follow-ups/{id}")]
async fn record(
    state: web::Data<AppState>,
    who: SignedIn,
    id: web::Path<i64>,
    form: web::Form<WorkForm>,
) -> Result<HttpResponse, PageError> {
    who.check_csrf(form.csrf_token.as_deref())?;
    who.require(&[Role::Admin, Role::Cio, Role::Brm])?;
    let form = form.into_inner();
    if !["open", "in_progress", "closed"].contains(&form.status.as_str()) {
        return Err(AppError::invalid(format!(
            "status `{}` is not one of open, in_progress, closed",
            form.status
        ))
        .into());
    }
    let note = form
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(
            AppError::invalid(format!("the note is longer than {MAX_NOTE} characters")).into(),
        );
    }
    let id = id.into_inner();
    let work = Work {
        status: form.status,
        note,
        assigned_to: form.assign_to_me.is_some().then_some(who.user.id),
    };
    let agency = state
        .run(move |conn| follow_ups::agency_of(conn, id))
        .await?;
    let Some(agency) = agency else {
        return Err(AppError::NotFound(format!("follow-up {id}")).into());
    };
    if !may_work(&who, agency.as_deref()) {
        return Err(
            AppError::Forbidden("this follow-up belongs to another agency's lead".into()).into(),
        );
    }
    state
        .run(move |conn| follow_ups::record(conn, id, &work))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/follow-ups#fu-{id}")))
        .finish())
}
