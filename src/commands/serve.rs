//! `rind serve` and `rind worker`: the long-running processes, until Ctrl-C or SIGTERM.

use crate::config::Settings;
use crate::error::{AppError, Result};

/// `rind serve [--demo] [--no-worker]`: opens the database with a pool, gives a new one
/// its default instrument (and, with `demo`, the demo programme when it is empty), then
/// serves the web app and, when `with_worker`, the outbox worker beside it.
pub fn serve(settings: Settings, demo: bool, with_worker: bool) -> Result<()> {
    let db = crate::programme::open(&settings)?;
    {
        let mut conn = db.conn()?;
        crate::programme::first_start(&mut conn)?;
        if demo {
            match crate::demo::seed_if_empty(&mut conn, 2026)? {
                Some(s) => tracing::info!("{s}"),
                None => tracing::info!("the database already holds data; not adding the demo"),
            }
        }
    }
    actix_web::rt::System::new().block_on(crate::web::serve(settings, db, with_worker))
}

/// `rind worker`: the outbox worker alone, until Ctrl-C or SIGTERM.
pub fn run_worker(settings: &Settings) -> Result<()> {
    let db = crate::programme::open(settings)?;
    let worker = crate::delivery::Worker::start(settings, db)?;
    let system = actix_web::rt::System::new();
    system.block_on(async {
        actix_web::rt::spawn(async {
            if actix_web::rt::signal::ctrl_c().await.is_ok() {
                actix_web::rt::System::current().stop();
            }
        });
        #[cfg(unix)]
        actix_web::rt::spawn(async {
            use actix_web::rt::signal::unix::{SignalKind, signal};
            if let Ok(mut terminate) = signal(SignalKind::terminate()) {
                terminate.recv().await;
                actix_web::rt::System::current().stop();
            }
        });
    });
    system
        .run()
        .map_err(|e| AppError::io("the worker's signal handling failed", e))?;
    tracing::info!("stopping the outbox worker");
    worker.stop();
    Ok(())
}
