//! Responses: stored with their numeric answers packed into one byte per item
//! (see docs/ARCHITECTURE.md, "How answers are stored"), text answers as comments.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::analysis::{ResponseSet, WaveResponses};
use crate::db::DbConnection;
use crate::db::schema::{comments, responses};
use crate::domain::Audience;
use crate::error::Result;
use crate::with_backend;

#[derive(Debug, Clone, PartialEq)]
pub struct NewResponse {
    pub audience: Audience,
    pub agency_id: Option<i64>,
    pub segment: Option<String>,
    pub submitted_at: NaiveDateTime,
    /// One byte per item position, `NO_ANSWER` where unanswered.
    pub answers: Vec<u8>,
    /// (item id, text) of each answered text item.
    pub comments: Vec<(i64, String)>,
}

#[derive(Insertable)]
#[diesel(table_name = responses)]
struct ResponseRow<'a> {
    wave_id: i64,
    audience: &'a str,
    agency_id: Option<i64>,
    segment: Option<&'a str>,
    submitted_at: NaiveDateTime,
    answers: &'a [u8],
}

/// Rows per multi-row INSERT: 6 parameters each stays far below SQLite's limit.
const BATCH: usize = 1_000;

fn row(wave_id: i64, r: &NewResponse) -> ResponseRow<'_> {
    ResponseRow {
        wave_id,
        audience: r.audience.as_str(),
        agency_id: r.agency_id,
        segment: r.segment.as_deref(),
        submitted_at: r.submitted_at,
        answers: &r.answers,
    }
}

/// Inserts responses of one wave. Call inside a transaction for all-or-nothing.
pub fn insert(conn: &mut DbConnection, wave_id: i64, batch: &[NewResponse]) -> Result<()> {
    // Responses without comments go in multi-row inserts; those with comments one by one,
    // since their comments need the new id.
    let (plain, commented): (Vec<&NewResponse>, Vec<&NewResponse>) =
        batch.iter().partition(|r| r.comments.is_empty());
    for chunk in plain.chunks(BATCH) {
        let rows: Vec<ResponseRow<'_>> = chunk.iter().map(|r| row(wave_id, r)).collect();
        with_backend!(conn, |c| diesel::insert_into(responses::table)
            .values(&rows)
            .execute(c))?;
    }
    for r in commented {
        let id: i64 = with_backend!(conn, |c| diesel::insert_into(responses::table)
            .values(&row(wave_id, r))
            .returning(responses::id)
            .get_result(c))?;
        let rows: Vec<_> = r
            .comments
            .iter()
            .map(|(item_id, body)| {
                (
                    comments::response_id.eq(id),
                    comments::item_id.eq(*item_id),
                    comments::body.eq(body.as_str()),
                )
            })
            .collect();
        with_backend!(conn, |c| diesel::insert_into(comments::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(())
}

thread_local! {
    /// Waves read on this thread, so a test can check that a report reads each wave once.
    static WAVES_READ: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many times this thread has read a wave's responses ([`load_wave`]). Per thread, so
/// tests running side by side don't count each other's reads.
pub fn waves_read_on_this_thread() -> u64 {
    WAVES_READ.with(std::cell::Cell::get)
}

/// Loads both audiences of a wave into the analysis' column form.
pub fn load_wave(conn: &mut DbConnection, wave_id: i64, n_items: usize) -> Result<WaveResponses> {
    WAVES_READ.with(|n| n.set(n.get() + 1));
    Ok(WaveResponses {
        customers: load_audience(conn, wave_id, Audience::Customer, n_items)?,
        staff: load_audience(conn, wave_id, Audience::Staff, n_items)?,
    })
}

fn load_audience(
    conn: &mut DbConnection,
    wave_id: i64,
    audience: Audience,
    n_items: usize,
) -> Result<ResponseSet> {
    let n: i64 = responses::table
        .filter(responses::wave_id.eq(wave_id))
        .filter(responses::audience.eq(audience.as_str()))
        .count()
        .get_result(conn)?;
    let mut set = ResponseSet::with_items(n_items, usize::try_from(n).unwrap_or(0));
    let mut interned: HashMap<String, u32> = HashMap::new();
    let query = responses::table
        .filter(responses::wave_id.eq(wave_id))
        .filter(responses::audience.eq(audience.as_str()))
        .select((responses::agency_id, responses::segment, responses::answers));
    // Rows are streamed, not collected: 1,000,000 of them never sit in memory twice.
    with_backend!(conn, |c| {
        for row in query.load_iter::<(Option<i64>, Option<String>, Vec<u8>), diesel::connection::DefaultLoadingMode>(c)? {
            let (agency, segment, packed) = row?;
            let segment = segment.map(|name| match interned.get(&name) {
                Some(i) => *i,
                None => {
                    let i = set.segments.len() as u32;
                    set.segments.push(name.clone());
                    interned.insert(name, i);
                    i
                }
            });
            set.push(agency, segment, &packed);
        }
        Ok::<_, crate::AppError>(())
    })?;
    Ok(set)
}

/// Responses per audience in a wave: (customers, staff).
pub fn counts(conn: &mut DbConnection, wave_id: i64) -> Result<(i64, i64)> {
    let rows: Vec<(String, i64)> = responses::table
        .filter(responses::wave_id.eq(wave_id))
        .group_by(responses::audience)
        .select((responses::audience, diesel::dsl::count_star()))
        .load(conn)?;
    let of = |a: Audience| {
        rows.iter()
            .find(|(x, _)| x == a.as_str())
            .map_or(0, |(_, n)| *n)
    };
    Ok((of(Audience::Customer), of(Audience::Staff)))
}

/// Responses per audience and agency in a wave (`agency_id` `None` for staff and for
/// customers imported without an agency).
pub fn counts_by_agency(
    conn: &mut DbConnection,
    wave_id: i64,
) -> Result<Vec<(Audience, Option<i64>, i64)>> {
    let rows: Vec<(String, Option<i64>, i64)> = responses::table
        .filter(responses::wave_id.eq(wave_id))
        .group_by((responses::audience, responses::agency_id))
        .select((
            responses::audience,
            responses::agency_id,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(audience, agency, n)| Ok((Audience::parse(&audience)?, agency, n)))
        .collect()
}

/// Every comment customers left in a wave, as (agency id, item code, comment), in agency,
/// item and comment order: one read for the whole wave. Comments are shown only for
/// agencies at the comment threshold; the caller picks them.
pub fn wave_comments(conn: &mut DbConnection, wave_id: i64) -> Result<Vec<(i64, String, String)>> {
    use crate::db::schema::items;
    let rows: Vec<(Option<i64>, String, String)> = comments::table
        .inner_join(responses::table)
        .inner_join(items::table)
        .filter(responses::wave_id.eq(wave_id))
        .filter(responses::audience.eq(Audience::Customer.as_str()))
        .order((responses::agency_id, items::position, comments::id))
        .select((responses::agency_id, items::code, comments::body))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(agency, item, body)| Some((agency?, item, body)))
        .collect())
}

/// The comments customers of one agency left in a wave, with the item they answered,
/// in item order. Comments are shown only for groups at the comment threshold; the caller
/// checks it.
pub fn agency_comments(
    conn: &mut DbConnection,
    wave_id: i64,
    agency_id: i64,
) -> Result<Vec<(String, String)>> {
    use crate::db::schema::items;
    Ok(comments::table
        .inner_join(responses::table)
        .inner_join(items::table)
        .filter(responses::wave_id.eq(wave_id))
        .filter(responses::agency_id.eq(agency_id))
        .filter(responses::audience.eq(Audience::Customer.as_str()))
        .order((items::position, comments::id))
        .select((items::code, comments::body))
        .load(conn)?)
}
