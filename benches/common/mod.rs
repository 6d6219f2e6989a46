//! Setup shared by the benchmarks: a 30-item mirrored instrument, agencies, a wave, and
//! synthetic responses written straight through the store. Nothing here is timed.

#![allow(
    dead_code,
    reason = "each benchmark uses a different part of the setup"
)]

use std::path::Path;

use rind::db::{Database, PooledDb};
use rind::domain::{Audience, NO_ANSWER};
use rind::import::{ImportKind, import_file};
use rind::store::responses::{self, NewResponse};

pub mod load;

pub const ITEMS: usize = 30;
pub const AGENCIES: usize = 20;
pub const SEGMENTS: [&str; 3] = ["executive", "it_liaison", "end_user"];
pub const TEAMS: [&str; 6] = [
    "service_desk",
    "infrastructure",
    "applications",
    "security",
    "relationship_management",
    "architecture",
];

/// 30 mirrored likert5 items in 6 dimensions of 5.
pub fn instrument_toml() -> String {
    let mut s = String::from("code = \"bench\"\nversion = 1\nname = \"Benchmark\"\n");
    for i in 0..ITEMS {
        s.push_str(&format!(
            "\n[[items]]\ncode = \"q{i:02}\"\ndimension = \"d{}\"\nscale = \"likert5\"\ncustomer = \"Item {i}?\"\nstaff = \"Staff item {i}?\"\n",
            i % 6
        ));
    }
    s
}

/// A fresh SQLite database with agencies `A00`.., the instrument and the baseline wave `W1`.
pub fn prepared_db(dir: &Path, name: &str) -> Database {
    let url = format!("sqlite://{}", dir.join(name).display());
    let db = Database::open(&url, 2).expect("open");
    db.migrate().expect("migrate");
    let mut conn = db.conn().expect("conn");
    let agencies: String = std::iter::once("code,name\n".to_string())
        .chain((0..AGENCIES).map(|a| format!("A{a:02},Agency {a}\n")))
        .collect();
    let path = dir.join(format!("{name}-agencies.csv"));
    std::fs::write(&path, agencies).expect("write agencies");
    import_file(&mut conn, ImportKind::Agencies, &path, None).expect("agencies");
    rind::import::instrument::import(&mut conn, &instrument_toml()).expect("instrument");
    rind::commands::create_wave(&mut conn, "W1", "bench", None, None, true).expect("wave");
    db
}

/// A small xorshift generator: the benchmarks need volume, not statistical quality.
pub struct Xorshift(pub u64);

impl Xorshift {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// An answer 1..=5 leaning on `lean` (−2..2), or no answer about one time in twelve.
    fn answer(&mut self, lean: i64) -> u8 {
        let r = self.next();
        if r.is_multiple_of(12) {
            return NO_ANSWER;
        }
        let base = 1 + (r >> 8) % 5;
        (base as i64 + lean * i64::from((r >> 16).is_multiple_of(3))).clamp(1, 5) as u8
    }
}

/// Writes `customers` customer and `staff` staff responses into wave `W1` in one
/// transaction. Staff lean higher on even items, so there are gaps to find.
pub fn fill(conn: &mut PooledDb, customers: usize, staff: usize) {
    let wave = rind::store::waves::by_code(conn, "W1").expect("wave");
    let agency_ids: Vec<i64> = rind::store::agencies::list(conn)
        .expect("agencies")
        .into_iter()
        .map(|a| a.id)
        .collect();
    let mut rng = Xorshift(42);
    let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("date");
    diesel::Connection::transaction::<_, rind::AppError, _>(&mut **conn, |conn| {
        let mut batch = Vec::with_capacity(10_000);
        for r in 0..customers + staff {
            let is_staff = r >= customers;
            let lean = |item: usize| {
                if is_staff && item.is_multiple_of(2) {
                    1
                } else {
                    0
                }
            };
            batch.push(NewResponse {
                audience: if is_staff {
                    Audience::Staff
                } else {
                    Audience::Customer
                },
                agency_id: (!is_staff)
                    .then(|| agency_ids[(rng.next() % agency_ids.len() as u64) as usize]),
                segment: Some(
                    if is_staff {
                        TEAMS[r % TEAMS.len()]
                    } else {
                        SEGMENTS[r % SEGMENTS.len()]
                    }
                    .to_string(),
                ),
                submitted_at: at,
                answers: (0..ITEMS).map(|i| rng.answer(lean(i))).collect(),
                comments: Vec::new(),
            });
            if batch.len() == 10_000 {
                responses::insert(conn, wave.id, &batch)?;
                batch.clear();
            }
        }
        responses::insert(conn, wave.id, &batch)
    })
    .expect("fill");
}

pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}
