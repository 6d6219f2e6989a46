//! Instruments and their items, stored per version.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::{instruments, items};
use crate::domain::{Anchors, InstrumentDef, Scale};
use crate::error::{AppError, Result};
use crate::with_backend;

/// The questionnaire shipped with rind, imported on first start.
pub const DEFAULT_INSTRUMENT: &str = include_str!("../../instruments/default.toml");

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = instruments)]
pub struct Instrument {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub name: String,
}

/// One stored item. `position` is its index in a response's packed answers.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: i64,
    pub position: usize,
    pub code: String,
    pub dimension: String,
    pub scale: Scale,
    /// Short name for charts, tables and summaries.
    pub label: String,
    /// The response labels both audiences pick from; `None` only for yes/no and text items.
    /// Items stored without anchors (before they were recorded) get their scale's default.
    pub anchors: Option<Anchors>,
    pub customer_wording: String,
    pub staff_wording: Option<String>,
    pub service_id: Option<i64>,
}

impl Item {
    pub fn is_mirrored(&self) -> bool {
        self.staff_wording.is_some()
    }
}

type ItemRow = (
    i64,
    i32,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
);

pub enum Imported {
    /// A new version was stored.
    Created(Instrument),
    /// This exact version was already stored; nothing changed.
    Unchanged(Instrument),
}

/// Stores a validated instrument. Re-importing the same version with the same text is a
/// no-op; the same version with different text is refused, since waves may already use it.
pub fn insert(
    conn: &mut DbConnection,
    def: &InstrumentDef,
    source: &str,
    service_ids: &std::collections::HashMap<String, i64>,
) -> Result<Imported> {
    let existing: Option<(Instrument, String)> = instruments::table
        .filter(instruments::code.eq(&def.code))
        .filter(instruments::version.eq(def.version))
        .select((Instrument::as_select(), instruments::source))
        .first(conn)
        .optional()?;
    if let Some((instrument, stored_source)) = existing {
        if stored_source == source {
            return Ok(Imported::Unchanged(instrument));
        }
        return Err(AppError::Conflict(format!(
            "instrument {} version {} already exists with different content; raise `version` to store a new one",
            def.code, def.version
        )));
    }
    let id: i64 = with_backend!(conn, |c| diesel::insert_into(instruments::table)
        .values((
            instruments::code.eq(&def.code),
            instruments::version.eq(def.version),
            instruments::name.eq(&def.name),
            instruments::source.eq(source),
            instruments::created_at.eq(super::now()),
        ))
        .returning(instruments::id)
        .get_result(c))?;
    for (position, item) in def.items.iter().enumerate() {
        let service_id = match &item.service {
            Some(code) => Some(*service_ids.get(code).ok_or_else(|| {
                AppError::invalid(format!(
                    "item {}: service `{code}` is not in the catalogue",
                    item.code
                ))
            })?),
            None => None,
        };
        diesel::insert_into(items::table)
            .values((
                items::instrument_id.eq(id),
                items::position.eq(position as i32),
                items::code.eq(&item.code),
                items::dimension.eq(&item.dimension),
                items::scale.eq(item.scale.as_str()),
                items::customer_wording.eq(&item.customer),
                items::staff_wording.eq(item.staff.as_deref()),
                items::label.eq(&item.label),
                items::anchors.eq(item.anchors.map(Anchors::as_str)),
                items::service_id.eq(service_id),
            ))
            .execute(conn)?;
    }
    Ok(Imported::Created(Instrument {
        id,
        code: def.code.clone(),
        version: def.version,
        name: def.name.clone(),
    }))
}

/// The highest stored version of an instrument code.
pub fn latest(conn: &mut DbConnection, code: &str) -> Result<Option<Instrument>> {
    Ok(instruments::table
        .filter(instruments::code.eq(code))
        .order(instruments::version.desc())
        .select(Instrument::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut DbConnection, id: i64) -> Result<Instrument> {
    instruments::table
        .find(id)
        .select(Instrument::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("instrument #{id}")))
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<Instrument>> {
    Ok(instruments::table
        .order((instruments::code, instruments::version))
        .select(Instrument::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut DbConnection) -> Result<i64> {
    Ok(instruments::table.count().get_result(conn)?)
}

/// An instrument's items in position order.
pub fn items(conn: &mut DbConnection, instrument_id: i64) -> Result<Vec<Item>> {
    let rows: Vec<ItemRow> = items::table
        .filter(items::instrument_id.eq(instrument_id))
        .order(items::position)
        .select((
            items::id,
            items::position,
            items::code,
            items::dimension,
            items::scale,
            items::customer_wording,
            items::staff_wording,
            items::label,
            items::anchors,
            items::service_id,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(
                id,
                position,
                code,
                dimension,
                scale,
                customer_wording,
                staff_wording,
                label,
                anchors,
                service_id,
            )| {
                let scale = Scale::parse(&scale)
                    .map_err(|e| AppError::Internal(format!("stored item {code}: {e}")))?;
                let anchors = match anchors {
                    Some(name) => Some(
                        Anchors::parse(&name)
                            .map_err(|e| AppError::Internal(format!("stored item {code}: {e}")))?,
                    ),
                    None => Anchors::default_for(scale, &dimension),
                };
                Ok(Item {
                    id,
                    position: usize::try_from(position).map_err(|_| {
                        AppError::Internal(format!("stored item {code} has position {position}"))
                    })?,
                    code,
                    dimension,
                    scale,
                    label,
                    anchors,
                    customer_wording,
                    staff_wording,
                    service_id,
                })
            },
        )
        .collect()
}
