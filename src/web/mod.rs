//! The actix-web application: health checks, the JSON API, the public survey pages
//! (`/s/{token}`), the signed-in dashboard and the admin pages; `serve` runs it beside the
//! outbox worker. Handlers are thin: they parse, run store calls off the async workers
//! with `web::block`, and render.

mod admin;
mod api;
mod api_delivery;
pub mod auth;
mod dashboard;
mod drill;
mod exports;
mod follow_ups;
mod health;
mod pages;
mod rows;
mod survey;
mod writer;

pub use admin::MAX_UPLOAD as ADMIN_MAX_UPLOAD;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{App, HttpServer, middleware, web};

use crate::config::Settings;
use crate::db::{Database, DatabaseUrl, DbConnection};
use crate::error::{AppError, Result};
use crate::report::cache::ReportCache;
use writer::SqliteWriter;

/// The dashboard's Content-Security-Policy: no scripts at all, styles and images only from
/// rind itself (charts are inline SVG, which needs neither), no framing.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What every handler can reach.
pub struct AppState {
    pub db: Database,
    pub settings: Settings,
    /// Reports kept until the data under them changes.
    pub reports: Arc<ReportCache>,
    /// SQLite only: its one writer, with group commit (see `write`).
    sqlite_writer: Option<SqliteWriter>,
}

impl AppState {
    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T> + Send + 'static,
    {
        let pool = self.db.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// The wave `code` as `access` may see it: the cached view, cut to the reader once.
    pub async fn view(
        &self,
        access: &crate::auth::access::Access,
        code: String,
    ) -> Result<crate::report::WaveView> {
        let (settings, cache, access) =
            (self.settings.clone(), self.reports.clone(), access.clone());
        self.run(move |conn| Ok(cache.view(conn, &settings, &code)?.cut(&access)))
            .await
    }

    /// The trend up to `view`'s wave (earlier waves' snapshots come from the cache).
    pub async fn trend(
        &self,
        view: std::sync::Arc<crate::report::WaveView>,
    ) -> Result<crate::report::TrendInput> {
        let (settings, cache) = (self.settings.clone(), self.reports.clone());
        self.run(move |conn| crate::report::trend_of(conn, &cache, &settings, &view))
            .await
    }

    /// As `run`, for a write a survey respondent waits on: on SQLite through the one
    /// writer with group commit (`writer::SqliteWriter`), on PostgreSQL like `run`.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T> + Send + 'static,
    {
        match &self.sqlite_writer {
            Some(writer) => writer.write(f).await,
            None => self.run(f).await,
        }
    }
}

/// Runs a CPU-bound rendering step (charts, a report) off the async workers.
pub async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    web::block(f).await.map_err(AppError::from)?
}

/// The request as logged: method and path, with survey link tokens masked (`/s/***`), so
/// that no token ever lands in a log.
fn request_line(req: &actix_web::dev::ServiceRequest) -> String {
    let path = req.path();
    let shown = match path.strip_prefix("/s/") {
        Some(rest) => {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            format!("/s/***{tail}")
        }
        None => path.to_string(),
    };
    format!("{} {shown}", req.method())
}

/// A bound, not yet running, HTTP server.
pub struct Application {
    server: Server,
    port: u16,
}

impl Application {
    /// Binds `settings.bind` (use port 0 for a free port) and builds the server.
    pub fn build(settings: Settings, db: Database) -> Result<Application> {
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| AppError::io(format!("cannot listen on {}", settings.bind), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| AppError::io("cannot read the bound address", e))?
            .port();
        let state = web::Data::new(AppState {
            settings,
            reports: Arc::new(ReportCache::default()),
            sqlite_writer: match db.url {
                DatabaseUrl::Sqlite(_) => Some(SqliteWriter::start(&db)?),
                DatabaseUrl::Postgres(_) => None,
            },
            db,
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::JsonConfig::default().limit(1 << 20))
                // Every answer gets these unless its route set its own (the survey pages
                // do, with no referrer at all).
                .wrap(
                    middleware::DefaultHeaders::new()
                        .add((header::CONTENT_SECURITY_POLICY, CSP))
                        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                        .add((header::X_FRAME_OPTIONS, "DENY"))
                        .add((header::REFERRER_POLICY, "same-origin")),
                )
                .wrap(
                    middleware::Logger::new("%{request}xi %s %Dms")
                        .custom_request_replace("request", request_line),
                )
                .configure(health::routes)
                .configure(api::routes)
                .configure(dashboard::routes)
                .configure(pages::routes)
                .configure(exports::routes)
                .configure(follow_ups::routes)
                .configure(drill::routes)
                .configure(admin::routes)
                .configure(api_delivery::routes)
                .configure(survey::routes)
        })
        .listen(listener)
        .map_err(|e| AppError::io("cannot start the HTTP server", e))?
        .run();
        Ok(Application { server, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is stopped.
    pub async fn run(self) -> Result<()> {
        self.server
            .await
            .map_err(|e| AppError::io("the HTTP server stopped", e))
    }
}

/// Serves the app and, unless `with_worker` is false, the outbox worker beside it, until
/// stopped (Ctrl-C or SIGTERM). The worker finishes the messages in hand first.
pub async fn serve(settings: Settings, db: Database, with_worker: bool) -> Result<()> {
    let app = Application::build(settings.clone(), db.clone())?;
    let worker = if with_worker {
        Some(crate::delivery::Worker::start(&settings, db)?)
    } else {
        None
    };
    tracing::info!(port = app.port(), bind = %settings.bind, worker = with_worker, "rind is serving");
    let served = app.run().await;
    if let Some(worker) = worker {
        // Joining threads blocks: not on the async runtime.
        actix_web::rt::task::spawn_blocking(move || worker.stop())
            .await
            .map_err(|e| AppError::Internal(format!("stopping the outbox worker: {e}")))?;
    }
    served
}
