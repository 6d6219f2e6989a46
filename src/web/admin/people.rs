//! `/admin/{agencies,services,contacts,staff}`: each list, and a CSV upload that adds or
//! updates rows through `import::import_csv`, the function behind `rind import`.

use actix_multipart::form::MultipartForm;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};

use super::{AdminPage, Row, Upload, UploadForm, admin_only, cell, checked_upload, outcome_page};
use super::{SignedIn, rendered};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::import::ImportKind;
use crate::web::AppState;
use crate::web::dashboard::PageError;

/// The four CSV lists, by their path segment.
fn people_kind(kind: &str) -> Result<ImportKind, AppError> {
    match kind {
        "agencies" => Ok(ImportKind::Agencies),
        "services" => Ok(ImportKind::Services),
        "contacts" => Ok(ImportKind::Contacts),
        "staff" => Ok(ImportKind::Staff),
        other => Err(AppError::NotFound(format!("admin page {other}"))),
    }
}

/// The upload form's help (the file's columns) and the table's headers of `kind`.
fn columns(kind: ImportKind) -> (&'static str, Vec<&'static str>) {
    match kind {
        ImportKind::Agencies => (
            "Columns: code, name; optional line_of_business, annual_it_spend, brm_owner_email.",
            vec![
                "Code",
                "Name",
                "Line of business",
                "Annual IT spend",
                "BRM owner",
            ],
        ),
        ImportKind::Services => (
            "Columns: code, name; optional description.",
            vec!["Code", "Name", "Description"],
        ),
        ImportKind::Contacts => (
            "Columns: email, name, agency (agency code); optional segment.",
            vec!["Email", "Name", "Agency", "Segment", "Active"],
        ),
        _ => (
            "Columns: email, name; optional team.",
            vec!["Email", "Name", "Team", "Active"],
        ),
    }
}

fn yes_no(active: bool) -> String {
    if active { "yes" } else { "no" }.into()
}

/// The table of `kind`, as text.
fn rows(conn: &mut DbConnection, kind: ImportKind) -> crate::error::Result<Vec<Vec<String>>> {
    use crate::store::{agencies, contacts, services, staff};
    let opt = |s: Option<String>| s.unwrap_or_default();
    Ok(match kind {
        ImportKind::Agencies => agencies::list(conn)?
            .into_iter()
            .map(|a| {
                vec![
                    a.code,
                    a.name,
                    opt(a.line_of_business),
                    a.annual_it_spend
                        .map_or(String::new(), |s| format!("{s:.0}")),
                    opt(a.brm_owner_email),
                ]
            })
            .collect(),
        ImportKind::Services => services::list(conn)?
            .into_iter()
            .map(|s| vec![s.code, s.name, opt(s.description)])
            .collect(),
        ImportKind::Contacts => {
            let codes: std::collections::HashMap<i64, String> = agencies::list(conn)?
                .into_iter()
                .map(|a| (a.id, a.code))
                .collect();
            contacts::list(conn)?
                .into_iter()
                .map(|c| {
                    let agency = codes.get(&c.agency_id).cloned().unwrap_or_default();
                    vec![c.email, c.name, agency, opt(c.segment), yes_no(c.active)]
                })
                .collect()
        }
        _ => staff::list(conn)?
            .into_iter()
            .map(|s| vec![s.email, s.name, opt(s.team), yes_no(s.active)])
            .collect(),
    })
}

/// The list page of `kind`, with its upload form.
async fn people_page(
    state: &web::Data<AppState>,
    who: &SignedIn,
    kind: ImportKind,
) -> Result<AdminPage, PageError> {
    let name = kind.as_str();
    let title = format!("{}{}", name[..1].to_uppercase(), &name[1..]);
    let (help, headers) = columns(kind);
    let rows = state.run(move |conn| rows(conn, kind)).await?;
    let key = match kind {
        ImportKind::Agencies | ImportKind::Services => "code",
        _ => "email",
    };
    let mut body = AdminPage::new(
        who,
        title.clone(),
        format!(
            "Upload a CSV file (UTF-8, a header row) to add or update {name}; rows are matched by {key}. \
             The whole file is checked first: if any row is bad, nothing is written."
        ),
    );
    body.upload = Some(Upload {
        action: format!("/admin/{name}"),
        label: format!("{title} CSV file"),
        accept: ".csv,text/csv",
        help,
    });
    body.caption = format!("{title} ({})", rows.len());
    body.headers = headers;
    body.rows = rows
        .into_iter()
        .map(|r| Row::plain(r.into_iter().map(cell).collect()))
        .collect();
    Ok(body)
}

#[get("/{kind}")]
pub(super) async fn people(
    state: web::Data<AppState>,
    who: SignedIn,
    kind: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    admin_only(&who)?;
    let kind = people_kind(&kind)?;
    let body = people_page(&state, &who, kind).await?;
    rendered(StatusCode::OK, body)
}

#[post("/{kind}")]
pub(super) async fn upload_people(
    state: web::Data<AppState>,
    who: SignedIn,
    kind: web::Path<String>,
    form: MultipartForm<UploadForm>,
) -> Result<HttpResponse, PageError> {
    let kind = people_kind(&kind)?;
    let data = checked_upload(&who, form.into_inner())?;
    let outcome = state
        .run(move |conn| Ok(crate::import::import_csv(conn, kind, data.as_slice(), None)))
        .await?
        .map(|summary| format!("Done: {summary}."));
    outcome_page(people_page(&state, &who, kind).await?, outcome)
}
