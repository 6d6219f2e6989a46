//! A cheap summary of everything the reports are computed from, so that a cached report can
//! be reused until the data under it changes (on any instance sharing the database).

use diesel::dsl::{count_star, max};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{
    agencies, instruments, invitations, responses, services, sla_metrics, waves,
};
use crate::error::Result;

/// Row counts and highest ids of the tables reports read. Any insert, delete or import
/// changes one of them; an update in place (a bounce, an agency renamed) changes the
/// counts of states or the `updated_at` it is checked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([i64; 11]);

pub fn current(conn: &mut DbConnection) -> Result<Fingerprint> {
    let (responses_n, responses_max): (i64, Option<i64>) = responses::table
        .select((count_star(), max(responses::id)))
        .first(conn)?;
    let (sla_n, sla_max): (i64, Option<i64>) = sla_metrics::table
        .select((count_star(), max(sla_metrics::id)))
        .first(conn)?;
    let invitations_n: i64 = invitations::table.select(count_star()).first(conn)?;
    let bounced: i64 = invitations::table
        .filter(invitations::state.eq("bounced"))
        .select(count_star())
        .first(conn)?;
    let waves_n: i64 = waves::table.select(count_star()).first(conn)?;
    let instruments_max: Option<i64> = instruments::table
        .select(max(instruments::id))
        .first(conn)?;
    let agencies_changed: Option<chrono::NaiveDateTime> = agencies::table
        .select(max(agencies::updated_at))
        .first(conn)?;
    let services_changed: Option<chrono::NaiveDateTime> = services::table
        .select(max(services::updated_at))
        .first(conn)?;
    let agencies_n: i64 = agencies::table.select(count_star()).first(conn)?;
    let stamp = |t: Option<chrono::NaiveDateTime>| t.map_or(0, |t| t.and_utc().timestamp_micros());
    Ok(Fingerprint([
        responses_n,
        responses_max.unwrap_or(0),
        sla_n,
        sla_max.unwrap_or(0),
        invitations_n,
        bounced,
        waves_n,
        instruments_max.unwrap_or(0),
        stamp(agencies_changed),
        stamp(services_changed),
        agencies_n,
    ]))
}
