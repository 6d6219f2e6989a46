//! The IT service catalogue.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::services;
use crate::error::Result;
use crate::with_backend;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = services)]
pub struct Service {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewService {
    pub code: String,
    pub name: String,
    /// `None` leaves the stored description alone; `Some(None)` clears it.
    pub description: Option<Option<String>>,
}

/// A catalogue entry shipped with rind, so the default instrument's per-service items
/// have services to point at on a fresh database.
pub struct DefaultService {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

pub const DEFAULT_CATALOGUE: &[DefaultService] = &[
    DefaultService {
        code: "email",
        name: "Email and collaboration",
        description: "Mail, calendars, chat and document sharing",
    },
    DefaultService {
        code: "network",
        name: "Network and internet",
        description: "Wide-area network and internet access at agency sites",
    },
    DefaultService {
        code: "hosting",
        name: "Data centre and cloud hosting",
        description: "Servers, storage and managed cloud for agency applications",
    },
    DefaultService {
        code: "service_desk",
        name: "Service desk",
        description: "The statewide help desk: calls, tickets and walk-up support",
    },
    DefaultService {
        code: "identity",
        name: "Identity and access",
        description: "Accounts, single sign-on and access management",
    },
    DefaultService {
        code: "security",
        name: "Cybersecurity services",
        description: "Security monitoring, awareness training and incident response",
    },
    DefaultService {
        code: "erp",
        name: "Finance and HR systems",
        description: "The statewide finance, payroll and human-resources systems",
    },
    DefaultService {
        code: "devices",
        name: "End-user devices",
        description: "Laptops, desktops, mobile devices and their support",
    },
];

#[derive(AsChangeset)]
#[diesel(table_name = services)]
struct ServiceChanges<'a> {
    name: &'a str,
    description: Option<Option<&'a str>>,
    updated_at: chrono::NaiveDateTime,
}

/// Creates the service, or updates the one with the same code. Returns true if created.
pub fn upsert(conn: &mut DbConnection, service: &NewService) -> Result<bool> {
    let now = super::now();
    let changes = ServiceChanges {
        name: &service.name,
        description: service.description.as_ref().map(Option::as_deref),
        updated_at: now,
    };
    let existing: Option<i64> = services::table
        .filter(services::code.eq(&service.code))
        .select(services::id)
        .first(conn)
        .optional()?;
    match existing {
        Some(id) => {
            diesel::update(services::table.find(id))
                .set(&changes)
                .execute(conn)?;
            Ok(false)
        }
        None => {
            with_backend!(conn, |c| diesel::insert_into(services::table)
                .values((
                    services::code.eq(&service.code),
                    services::name.eq(&service.name),
                    services::description.eq(changes.description.flatten()),
                    services::created_at.eq(now),
                    services::updated_at.eq(now),
                ))
                .execute(c))?;
            Ok(true)
        }
    }
}

/// Adds the shipped catalogue entries that are missing; never changes existing ones.
pub fn ensure_default_catalogue(conn: &mut DbConnection) -> Result<usize> {
    let existing = ids_by_code(conn)?;
    let mut added = 0;
    for s in DEFAULT_CATALOGUE
        .iter()
        .filter(|s| !existing.contains_key(s.code))
    {
        upsert(
            conn,
            &NewService {
                code: s.code.into(),
                name: s.name.into(),
                description: Some(Some(s.description.into())),
            },
        )?;
        added += 1;
    }
    Ok(added)
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<Service>> {
    Ok(services::table
        .order(services::code)
        .select(Service::as_select())
        .load(conn)?)
}

/// Service code → id.
pub fn ids_by_code(conn: &mut DbConnection) -> Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = services::table
        .select((services::code, services::id))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

pub fn by_code(conn: &mut DbConnection, code: &str) -> Result<Service> {
    services::table
        .filter(services::code.eq(code))
        .select(Service::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| crate::error::AppError::NotFound(format!("service {code}")))
}
