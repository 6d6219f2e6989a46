//! `/admin/instruments`: the stored questionnaires, and a TOML upload through
//! `import::instrument::import`, as `rind instrument import` does.

use actix_multipart::form::MultipartForm;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};

use super::{AdminPage, Row, SignedIn, Upload, UploadForm, admin_only, cell, checked_upload};
use super::{outcome_page, rendered};
use crate::error::AppError;
use crate::store::instruments::Imported;
use crate::web::AppState;
use crate::web::dashboard::PageError;

async fn instruments_page(
    state: &web::Data<AppState>,
    who: &SignedIn,
) -> Result<AdminPage, PageError> {
    let list = state.run(crate::store::instruments::list).await?;
    let mut body = AdminPage::new(
        who,
        "Instruments",
        "A questionnaire is a TOML file: code, version, name, then [[items]] with code, \
         dimension, scale, customer wording and, when mirrored, staff wording. Uploading a new \
         version keeps the old ones; waves use the version they were created with.",
    );
    body.upload = Some(Upload {
        action: "/admin/instruments".into(),
        label: "Instrument TOML file".into(),
        accept: ".toml,text/plain",
        help: "The same file `rind instrument import FILE` takes.",
    });
    body.caption = format!("Instruments ({})", list.len());
    body.headers = vec!["Code", "Version", "Name"];
    body.rows = list
        .into_iter()
        .map(|i| {
            Row::plain(vec![
                cell(i.code),
                cell(i.version.to_string()),
                cell(i.name),
            ])
        })
        .collect();
    Ok(body)
}

#[get("/instruments")]
pub(super) async fn list_instruments(
    state: web::Data<AppState>,
    who: SignedIn,
) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    let body = instruments_page(&state, &who).await?;
    rendered(StatusCode::OK, body)
}

/// What the page says about a stored instrument file.
fn imported_notice(imported: Imported) -> String {
    match imported {
        Imported::Created(i) => format!("Imported instrument {} version {}.", i.code, i.version),
        Imported::Unchanged(i) => format!(
            "Instrument {} version {} is already stored; nothing changed.",
            i.code, i.version
        ),
    }
}

#[post("/instruments")]
pub(super) async fn upload_instrument(
    state: web::Data<AppState>,
    who: SignedIn,
    form: MultipartForm<UploadForm>,
) -> Result<HttpResponse, PageError> {
    let data = checked_upload(&who, form.into_inner())?;
    let outcome = match String::from_utf8(data) {
        Ok(source) => {
            state
                .run(move |conn| Ok(crate::import::instrument::import(conn, &source)))
                .await?
        }
        Err(_) => Err(AppError::invalid("the instrument file is not UTF-8 text")),
    };
    let outcome = outcome.map(imported_notice);
    outcome_page(instruments_page(&state, &who).await?, outcome)
}
