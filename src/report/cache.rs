//! Reports kept in memory until the data under them changes. A dashboard page reads the
//! same few reports again and again; recomputing them from a million responses each time
//! would make every page wait. Each entry remembers the data [`Fingerprint`] it was computed
//! at and is used only while the database still has that fingerprint, so an import, a new
//! response or a second instance writing to the same PostgreSQL is seen at once.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::db::DbConnection;
use crate::error::Result;
use crate::store::fingerprint::{self, Fingerprint};

/// Entries kept at most; the cache is cleared when it grows past this (waves × kinds).
const MAX_ENTRIES: usize = 256;

type Entry = (Fingerprint, Arc<dyn Any + Send + Sync>);

#[derive(Default)]
pub struct ReportCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl ReportCache {
    /// The report under `key`, computed by `compute` unless a copy at the current data
    /// fingerprint is kept.
    pub fn get<T: Send + Sync + 'static>(
        &self,
        conn: &mut DbConnection,
        key: &str,
        compute: impl FnOnce(&mut DbConnection) -> Result<T>,
    ) -> Result<Arc<T>> {
        let now = fingerprint::current(conn)?;
        if let Ok(entries) = self.entries.lock()
            && let Some((at, value)) = entries.get(key)
            && *at == now
            && let Ok(value) = Arc::clone(value).downcast::<T>()
        {
            return Ok(value);
        }
        let value = Arc::new(compute(conn)?);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            let erased: Arc<dyn Any + Send + Sync> = value.clone();
            entries.insert(key.to_string(), (now, erased));
        }
        Ok(value)
    }

    /// The whole view of a wave (every reader's cut is taken from it).
    pub fn view(
        &self,
        conn: &mut DbConnection,
        settings: &crate::config::Settings,
        wave: &str,
    ) -> Result<Arc<super::WaveView>> {
        self.get(conn, &format!("view/{wave}"), |conn| {
            super::WaveView::load(conn, settings, wave)
        })
    }
}
