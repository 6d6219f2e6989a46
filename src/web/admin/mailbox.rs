//! `/admin/mail`: the dev mailbox, when mail is written to `mail_dir` rather than sent by
//! SMTP: the folder's `.eml` files (`delivery::mailer::list_folder`, as `rind mail ls`) and
//! one message's text (`delivery::mailer::read_file`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};

use super::{AdminPage, Row, SignedIn, admin_only, cell, link, no_store, rendered};
use crate::error::AppError;
use crate::web::AppState;
use crate::web::dashboard::PageError;

#[get("/mail")]
pub(super) async fn mailbox(
    state: web::Data<AppState>,
    who: SignedIn,
) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    let mut body = AdminPage::new(&who, "Mailbox", "");
    if let Some(host) = &state.settings.smtp_host {
        body.intro =
            format!("Mail goes to the SMTP server {host}, so there is no mail folder to show.");
        return rendered(StatusCode::OK, body);
    }
    let dir = state.settings.mail_dir.clone();
    body.intro = format!(
        "No SMTP server is set, so mail is written as .eml files to {}. Oldest first.",
        dir.display()
    );
    let files = web::block(move || crate::delivery::mailer::list_folder(&dir))
        .await
        .map_err(AppError::from)??;
    body.caption = format!("Mail files ({})", files.len());
    body.headers = vec!["Subject", "To", "Date", "File"];
    body.rows = files
        .into_iter()
        .map(|f| {
            let subject = link(f.subject, format!("/admin/mail/{}", f.file));
            Row::plain(vec![subject, cell(f.to), cell(f.date), cell(f.file)])
        })
        .collect();
    rendered(StatusCode::OK, body)
}

#[get("/mail/{file}")]
pub(super) async fn mail_message(
    state: web::Data<AppState>,
    who: SignedIn,
    file: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    if state.settings.smtp_host.is_some() {
        return Err(AppError::NotFound("a mail folder (mail goes to SMTP)".into()).into());
    }
    let dir = state.settings.mail_dir.clone();
    let name = file.into_inner();
    let mail = web::block(move || crate::delivery::mailer::read_file(&dir, &name))
        .await
        .map_err(AppError::from)??;
    let mut body = AdminPage::new(&who, mail.subject.clone(), "");
    body.mail = Some(mail);
    // Survey links are in these messages.
    Ok(no_store(rendered(StatusCode::OK, body)?))
}
