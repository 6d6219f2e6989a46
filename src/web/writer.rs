//! SQLite's one writer, shared by the web's write requests with group commit.
//!
//! SQLite lets one connection write at a time. When many survey submissions arrive at once,
//! each taking the write lock on its own connection, those refused poll for the lock in
//! growing sleeps (1, 2, 5, 10 ... ms): the unlucky ones wait far longer than the rest,
//! and every submission pays its own commit (its pages appended to the WAL). Here a single
//! thread owns one connection and takes the queued writes in arrival order; whatever has
//! queued while it was busy (up to `MAX_BATCH`) goes into one transaction, each write in
//! its own savepoint, so a write that fails is rolled back alone and the others stand.
//! Nobody is answered before the commit that holds their write: a reply of success still
//! means "on disk" (WAL, synchronous = NORMAL), as the crash test checks.
//!
//! PostgreSQL needs none of this (row locks, many writers): there `AppState::write` runs
//! the write on a pooled connection like any other.

use std::sync::mpsc;
use std::thread::JoinHandle;

use diesel::Connection;
use tokio::sync::oneshot;

use crate::db::{Database, DbConnection};
use crate::error::{AppError, Result};

/// The most writes committed together. Large enough that a burst of 64 clients commits in
/// a few transactions; small enough that the first in a batch does not wait long.
const MAX_BATCH: usize = 64;

/// One queued write: runs on the writer's connection inside the batch's transaction and
/// reports through its own channel; `commit` answers after the batch's outcome is known.
type Job = Box<dyn FnOnce(&mut DbConnection) -> Box<dyn FnOnce(Result<()>) + Send> + Send>;

pub struct SqliteWriter {
    queue: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl SqliteWriter {
    /// Starts the writer thread on a connection of its own from `db`.
    pub fn start(db: &Database) -> Result<SqliteWriter> {
        let mut conn = db.url.connect()?;
        let (queue, jobs) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                while let Ok(first) = jobs.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match jobs.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    run_batch(&mut conn, batch);
                }
            })
            .map_err(|e| AppError::io("cannot start the SQLite writer thread", e))?;
        Ok(SqliteWriter {
            queue: Some(queue),
            thread: Some(thread),
        })
    }

    /// Queues `f` and waits (without holding a thread) until its batch is committed.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn: &mut DbConnection| {
            // Its own savepoint: an error rolls back this write only.
            let outcome = conn.transaction::<T, AppError, _>(f);
            Box::new(move |committed: Result<()>| {
                let _ = reply.send(committed.and(outcome));
            })
        });
        self.queue
            .as_ref()
            .ok_or_else(|| AppError::Internal("the SQLite writer has stopped".into()))?
            .send(job)
            .map_err(|_| AppError::Internal("the SQLite writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("the SQLite writer stopped mid-write".into()))?
    }
}

/// One transaction around the batch; each job answers once the commit's outcome is known.
fn run_batch(conn: &mut DbConnection, batch: Vec<Job>) {
    let mut answers = Vec::with_capacity(batch.len());
    let committed = conn.transaction::<(), AppError, _>(|conn| {
        for job in batch {
            answers.push(job(conn));
        }
        Ok(())
    });
    let committed = committed.map_err(|e| {
        tracing::error!(error = %e, writes = answers.len(), "a batch of writes failed to commit");
        AppError::Unavailable(format!("the database could not save this: {e}"))
    });
    for answer in answers {
        answer(match &committed {
            Ok(()) => Ok(()),
            Err(e) => Err(AppError::Unavailable(e.to_string())),
        });
    }
}

impl Drop for SqliteWriter {
    /// Closes the queue and lets the thread finish what is queued.
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing test should panic loudly")]

    use super::*;
    use crate::store::agencies::{self, NewAgency};

    fn agency(code: &str) -> NewAgency {
        NewAgency {
            code: code.into(),
            name: format!("Agency {code}"),
            line_of_business: None,
            annual_it_spend: None,
            brm_owner_email: None,
        }
    }

    #[test]
    fn concurrent_writes_are_committed_and_a_failing_one_is_rolled_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let db = Database::open(&url, 2).unwrap();
        db.migrate().unwrap();
        let writer = std::sync::Arc::new(SqliteWriter::start(&db).unwrap());
        let outcomes = actix_web::rt::System::new().block_on(async {
            let writes: Vec<_> = (0..200)
                .map(|i| {
                    let writer = writer.clone();
                    actix_web::rt::spawn(async move {
                        writer
                            .write(move |conn| {
                                agencies::upsert(conn, &agency(&format!("A{i:03}")))?;
                                // Every tenth write fails after writing: only it is undone.
                                if i % 10 == 0 {
                                    return Err(AppError::invalid(format!("write {i} refused")));
                                }
                                Ok(i)
                            })
                            .await
                    })
                })
                .collect();
            let mut outcomes = Vec::new();
            for write in writes {
                outcomes.push(write.await.unwrap());
            }
            outcomes
        });
        let failed = outcomes.iter().filter(|o| o.is_err()).count();
        assert_eq!(failed, 20);
        for (i, outcome) in outcomes.iter().enumerate() {
            assert_eq!(outcome.as_ref().ok(), (i % 10 != 0).then_some(&i));
        }
        let mut conn = db.conn().unwrap();
        let stored = agencies::ids_by_code(&mut conn).unwrap();
        assert_eq!(stored.len(), 180);
        assert!(!stored.contains_key("A000") && !stored.contains_key("A190"));
        assert!(stored.contains_key("A001") && stored.contains_key("A199"));
    }
}
