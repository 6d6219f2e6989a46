//! Re-importing a file without an optional column keeps what is stored; an empty cell in a
//! present optional column clears it.

use crate::common::TestDb;
use rind::store;

#[test]
fn an_absent_optional_column_keeps_the_stored_value_and_an_empty_cell_clears_it() {
    let db = TestDb::new();
    db.import(
        "agencies",
        "code,name,line_of_business,annual_it_spend,brm_owner_email\n\
         DOT,Transportation,Roads,\"1,250,000\",brm@cio.state.example\n\
         DOR,Revenue,Tax,900000,brm@cio.state.example\n",
    )
    .assert_ok();

    // A file with only the required columns renames DOT but keeps its other fields.
    db.import("agencies", "code,name\nDOT,Department of Transportation\n")
        .assert_ok();
    // A file whose spend column is present but empty clears DOR's spend only.
    db.import("agencies", "code,name,annual_it_spend\nDOR,Revenue,\n")
        .assert_ok();

    let agencies = store::agencies::list(&mut db.conn()).unwrap();
    let dot = agencies.iter().find(|a| a.code == "DOT").unwrap();
    assert_eq!(dot.name, "Department of Transportation");
    assert_eq!(dot.line_of_business.as_deref(), Some("Roads"));
    assert_eq!(dot.annual_it_spend, Some(1_250_000.0));
    assert_eq!(
        dot.brm_owner_email.as_deref(),
        Some("brm@cio.state.example")
    );
    let dor = agencies.iter().find(|a| a.code == "DOR").unwrap();
    assert_eq!(dor.annual_it_spend, None);
    assert_eq!(dor.line_of_business.as_deref(), Some("Tax"));
}

#[test]
fn contacts_and_staff_keep_segment_and_team_when_the_column_is_absent() {
    let db = TestDb::new();
    db.import("agencies", "code,name\nDOT,Transportation\n")
        .assert_ok();
    db.import(
        "contacts",
        "email,name,agency,segment\nana@dot.state.example,Ana,DOT,executive\nlee@dot.state.example,Lee,DOT,end_user\n",
    )
    .assert_ok();
    db.import(
        "contacts",
        "email,name,agency\nana@dot.state.example,Ana García,DOT\n",
    )
    .assert_ok();
    db.import(
        "contacts",
        "email,name,agency,segment\nlee@dot.state.example,Lee,DOT,\n",
    )
    .assert_ok();
    let contacts = store::contacts::list(&mut db.conn()).unwrap();
    assert_eq!(contacts.len(), 2);
    let ana = contacts
        .iter()
        .find(|c| c.email.starts_with("ana"))
        .unwrap();
    assert_eq!(ana.name, "Ana García");
    assert_eq!(ana.segment.as_deref(), Some("executive"));
    let lee = contacts
        .iter()
        .find(|c| c.email.starts_with("lee"))
        .unwrap();
    assert_eq!(lee.segment, None);

    db.import(
        "staff",
        "email,name,team\nsam@cio.state.example,Sam,security\n",
    )
    .assert_ok();
    db.import("staff", "email,name\nsam@cio.state.example,Sam Lee\n")
        .assert_ok();
    let staff = store::staff::list(&mut db.conn()).unwrap();
    assert_eq!(staff.len(), 1);
    assert_eq!(staff[0].name, "Sam Lee");
    assert_eq!(staff[0].team.as_deref(), Some("security"));
}
