//! Cached reports are reused until the data under them changes, on a real database.

use std::cell::Cell;

use crate::common::TestDb;
use rind::report::cache::ReportCache;

#[test]
fn a_cached_report_is_recomputed_only_when_the_data_changes() {
    let db = TestDb::new();
    db.with_default_instrument();
    db.import("agencies", "code,name\nDOT,Transportation\n")
        .assert_ok();
    db.create_wave("W1", true);
    let cache = ReportCache::default();
    let computed = Cell::new(0);
    let settings = rind::Settings::default();
    let n = |conn: &mut rind::db::DbConnection| {
        cache
            .get(conn, "gap/W1", |conn| {
                computed.set(computed.get() + 1);
                rind::report::gap_report(conn, &settings, "W1")
            })
            .unwrap()
            .report
            .customer_respondents
    };
    assert_eq!(n(&mut db.conn()), 0);
    assert_eq!(n(&mut db.conn()), 0);
    assert_eq!(
        computed.get(),
        1,
        "the second read is served from the cache"
    );
    db.import_for_wave(
        "responses",
        "audience,agency,segment,submitted_at,overall_satisfaction\ncustomer,DOT,end_user,2026-03-01T10:00:00Z,4\n",
        "W1",
    )
    .assert_ok();
    assert_eq!(n(&mut db.conn()), 1, "a new response is seen at once");
    assert_eq!(computed.get(), 2);
    // Renaming an agency changes what reports show too.
    db.import("agencies", "code,name\nDOT,Department of Transportation\n")
        .assert_ok();
    n(&mut db.conn());
    assert_eq!(computed.get(), 3);
    n(&mut db.conn());
    assert_eq!(computed.get(), 3);
}
