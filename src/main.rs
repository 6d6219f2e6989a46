//! The `rind` command line: parses arguments and calls the library.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rind::import::{ImportKind, import_file};
use rind::{AppError, Settings, commands};

#[derive(Parser)]
#[command(
    name = "rind",
    version,
    about = "Customer-satisfaction and perception-gap surveys for IT organisations"
)]
struct Cli {
    /// Database: sqlite://PATH, a file path, or postgres://... (default sqlite://rind.db).
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Settings file (default: rind.toml in the working directory, if present).
    #[arg(long, global = true, env = "RIND_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app and API.
    Serve {
        /// Fill an empty database with the demo programme first.
        #[arg(long)]
        demo: bool,
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long)]
        bind: Option<String>,
        /// Don't run the outbox worker here (run `rind worker` elsewhere instead).
        #[arg(long)]
        no_worker: bool,
    },
    /// Apply pending database migrations.
    Migrate {
        /// Revert every migration instead (drops all data).
        #[arg(long)]
        revert_all: bool,
    },
    /// Fill an empty database with a realistic synthetic programme.
    Demo {
        /// Random seed; the same seed gives the same programme.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Manage instruments (questionnaires).
    Instrument {
        #[command(subcommand)]
        action: InstrumentCommand,
    },
    /// Manage survey waves.
    Wave {
        #[command(subcommand)]
        action: WaveCommand,
    },
    /// Import a CSV file: agencies, services, contacts, staff, sla or responses.
    Import {
        #[arg(value_enum)]
        kind: KindArg,
        file: PathBuf,
        /// The wave SLA metrics or responses belong to.
        #[arg(long)]
        wave: Option<String>,
    },
    /// Manage people who sign in.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Manage API tokens for scripts.
    Token {
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// Invite everyone not yet invited to a wave and queue their emails.
    Send {
        #[arg(long)]
        wave: String,
        /// Who to invite: customer (agency contacts), staff, or both.
        #[arg(long, default_value = "both")]
        audience: String,
    },
    /// Queue a reminder to everyone in a wave who has not answered (up to the wave's
    /// most reminders).
    Remind {
        #[arg(long)]
        wave: String,
    },
    /// Deliver queued mail: the outbox worker alone, until stopped.
    Worker {
        /// Deliver what is due now, then exit.
        #[arg(long)]
        once: bool,
    },
    /// Mail written to the mail folder (when no SMTP host is set).
    Mail {
        #[command(subcommand)]
        action: MailCommand,
    },
    /// Write a report of a wave: `gap` (perception gaps, overall and by agency, segment and
    /// team), `trend` (every measure per wave against the baseline), `baseline` (the report
    /// for agency heads: summary, rates, gaps, charts, agencies, methodology).
    Report {
        #[arg(value_enum)]
        kind: ReportKind,
        #[arg(long)]
        wave: String,
        /// json and csv for `gap`; json, csv, html, xlsx, pdf for `trend`; csv, html, xlsx,
        /// pdf for `baseline`.
        #[arg(long, value_enum, default_value = "json")]
        format: ReportFormat,
        /// Output file (default: standard output).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// One agency head's version: that agency against the programme, no other agency.
        #[arg(long)]
        agency: Option<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportKind {
    /// Gaps between staff predictions and customers, overall and by agency, segment, team.
    Gap,
    /// Every measure per wave of the instrument, and its change against the baseline.
    Trend,
    /// The report of one wave for agency heads and the legislature.
    Baseline,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    Json,
    Csv,
    Html,
    Xlsx,
    Pdf,
}

#[derive(Subcommand)]
enum InstrumentCommand {
    /// Validate and store an instrument TOML file.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum WaveCommand {
    /// Create a wave of an instrument (its latest version).
    Create {
        #[arg(long)]
        code: String,
        /// Instrument code.
        #[arg(long)]
        instrument: String,
        /// When it opens: RFC 3339 or a date.
        #[arg(long)]
        opens: Option<String>,
        /// When it closes: RFC 3339 or a date.
        #[arg(long)]
        closes: Option<String>,
        /// The wave later waves are compared against.
        #[arg(long)]
        baseline: bool,
        /// Reminder schedule: days after each invitation, e.g. 7,14.
        #[arg(long)]
        reminders: Option<String>,
        /// The most reminders anyone gets (default 2).
        #[arg(long)]
        max_reminders: Option<u32>,
        /// The wave's own message, put in its emails (blank lines separate paragraphs).
        #[arg(long)]
        message: Option<String>,
    },
    /// Close a wave now: its survey links stop working and no more mail goes out.
    Close {
        #[arg(long)]
        code: String,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// List the .eml files in the mail folder, oldest first.
    Ls,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from RIND_PASSWORD or asked for.
    Add {
        #[arg(long)]
        email: String,
        /// admin, cio, brm or viewer.
        #[arg(long)]
        role: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user; it is printed once and stored only as a hash.
    Add {
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "nightly export".
        #[arg(long)]
        name: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum KindArg {
    Agencies,
    Services,
    Contacts,
    Staff,
    Sla,
    Responses,
}

impl From<KindArg> for ImportKind {
    fn from(k: KindArg) -> ImportKind {
        match k {
            KindArg::Agencies => ImportKind::Agencies,
            KindArg::Services => ImportKind::Services,
            KindArg::Contacts => ImportKind::Contacts,
            KindArg::Staff => ImportKind::Staff,
            KindArg::Sla => ImportKind::Sla,
            KindArg::Responses => ImportKind::Responses,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = !matches!(
        cli.command,
        Command::Serve { .. } | Command::Worker { once: false }
    );
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RIND_LOG")
                .unwrap_or_else(|_| (if quiet { "warn" } else { "info" }).into()),
        )
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), AppError> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    if let Some(url) = cli.database_url {
        settings.database_url = url;
    }
    if let Command::Serve {
        bind: Some(bind), ..
    } = &cli.command
    {
        settings.bind = bind.clone();
    }
    settings.validate()?;

    // `serve` needs a pool; every other command does its work on one connection, with no
    // pool threads left running when the process exits (libpq can crash if one is).
    if let Command::Serve {
        demo, no_worker, ..
    } = cli.command
    {
        let db = commands::open(&settings)?;
        {
            let mut conn = db.conn()?;
            commands::first_start(&mut conn)?;
            if demo {
                report_demo(rind::demo::seed_if_empty(&mut conn, 2026)?);
            }
        }
        return actix_web::rt::System::new().block_on(commands::serve(settings, db, !no_worker));
    }
    if let Command::Worker { once: false } = cli.command {
        return commands::run_worker(&settings);
    }
    if let Command::Mail {
        action: MailCommand::Ls,
    } = cli.command
    {
        // Reads the folder only; no database needed.
        let files = rind::delivery::mailer::list_folder(&settings.mail_dir)?;
        let mut out = std::io::stdout().lock();
        let written = if files.is_empty() {
            writeln!(out, "no mail in {}", settings.mail_dir.display())
        } else {
            files
                .iter()
                .try_for_each(|f| writeln!(out, "{}\t{}\t{}\t{}", f.date, f.to, f.subject, f.file))
        };
        return match written {
            // `rind mail ls | head`: the reader has seen enough.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(|e| AppError::io("cannot write the listing", e)),
        };
    }
    let url = rind::db::DatabaseUrl::parse(&settings.database_url)?;
    let mut conn = url.connect()?;
    if let Command::Migrate { revert_all: true } = cli.command {
        let reverted = rind::db::revert_all_migrations(&mut conn)?;
        println!("reverted {} migration(s)", reverted.len());
        return Ok(());
    }
    rind::db::run_migrations(&mut conn)?;
    match cli.command {
        Command::Migrate { .. } => println!("database is up to date ({})", url.redacted()),
        // Served and returned above.
        Command::Serve { .. } => {}
        Command::Demo { seed } => {
            // One transaction: a refused demo leaves no default instrument behind either.
            let summary = diesel::Connection::transaction::<_, AppError, _>(&mut conn, |conn| {
                commands::first_start(conn)?;
                rind::demo::seed_if_empty(conn, seed)?.ok_or_else(|| {
                    AppError::Conflict(
                        "the database already holds agencies or waves; the demo only fills an empty database".into(),
                    )
                })
            })?;
            println!("{summary}");
        }
        Command::Instrument {
            action: InstrumentCommand::Import { file },
        } => match rind::import::instrument::import_file(&mut conn, &file)? {
            rind::store::instruments::Imported::Created(i) => {
                println!("imported instrument {} version {}", i.code, i.version)
            }
            rind::store::instruments::Imported::Unchanged(i) => {
                println!(
                    "instrument {} version {} is already stored, unchanged",
                    i.code, i.version
                )
            }
        },
        Command::Wave {
            action:
                WaveCommand::Create {
                    code,
                    instrument,
                    opens,
                    closes,
                    baseline,
                    reminders,
                    max_reminders,
                    message,
                },
        } => {
            let opens = opens
                .as_deref()
                .map(rind::domain::parse_timestamp)
                .transpose()?;
            let closes = closes
                .as_deref()
                .map(rind::domain::parse_timestamp)
                .transpose()?;
            // One transaction: a bad --reminders leaves no wave behind.
            let wave = diesel::Connection::transaction::<_, AppError, _>(&mut conn, |conn| {
                let wave =
                    commands::create_wave(conn, &code, &instrument, opens, closes, baseline)?;
                if reminders.is_some() || max_reminders.is_some() || message.is_some() {
                    return commands::set_wave_delivery(
                        conn,
                        &wave.code,
                        reminders.as_deref(),
                        max_reminders,
                        message.as_deref(),
                    );
                }
                Ok(wave)
            })?;
            println!(
                "created wave {}{}{}",
                wave.code,
                if wave.is_baseline { " (baseline)" } else { "" },
                if wave.reminder_days.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; reminders on days {} (at most {})",
                        wave.reminder_days, wave.max_reminders
                    )
                }
            );
        }
        Command::Wave {
            action: WaveCommand::Close { code },
        } => {
            let wave = commands::close_wave(&mut conn, &code)?;
            println!("closed wave {}", wave.code);
        }
        Command::Send { wave, audience } => {
            let audiences = rind::delivery::Audiences::parse(&audience)?;
            let summary = rind::delivery::send_wave(&mut conn, &settings, &wave, audiences)?;
            println!("{summary}");
            if summary.invited() > 0 {
                println!(
                    "`rind serve` (or `rind worker`) delivers them to {}",
                    rind::delivery::Mailer::from_settings(&settings)?.describe()
                );
            }
        }
        Command::Remind { wave } => {
            let n = rind::delivery::reminders::remind_now(&mut conn, &settings, &wave)?;
            println!("wave {wave}: {n} reminder(s) queued");
        }
        Command::Worker { .. } => {
            let mailer = rind::delivery::Mailer::from_settings(&settings)?;
            let report = rind::delivery::outbox::deliver_due(&mut conn, &settings, &mailer)?;
            println!("{report} (to {})", mailer.describe());
        }
        // Handled above.
        Command::Mail { .. } => {}
        Command::Report {
            kind,
            wave,
            format,
            output,
            agency,
        } => {
            use rind::report::document::ExportFormat;
            let bytes = match (kind, format) {
                (ReportKind::Gap | ReportKind::Trend, ReportFormat::Json | ReportFormat::Csv)
                    if agency.is_some() =>
                {
                    return Err(AppError::Invalid(
                        "--agency: only for the documents (`baseline`, and `trend` as html, \
                         xlsx or pdf)"
                            .into(),
                    ));
                }
                (ReportKind::Gap, ReportFormat::Json | ReportFormat::Csv) => {
                    let report = rind::report::gap_report(&mut conn, &settings, &wave)?;
                    let mut out = Vec::new();
                    match format {
                        ReportFormat::Json => rind::report::write_json(&report, &mut out)?,
                        _ => rind::report::csv::write_gap(&report, &mut out)?,
                    }
                    out
                }
                (ReportKind::Trend, ReportFormat::Json | ReportFormat::Csv) => {
                    let input = rind::report::trend_input(&mut conn, &settings, &wave)?;
                    let report = input.report(u64::from(settings.reporting_threshold));
                    let mut out = Vec::new();
                    match format {
                        ReportFormat::Json => rind::report::write_json(&report, &mut out)?,
                        _ => rind::report::csv::write_trend(&report, &mut out)?,
                    }
                    out
                }
                (ReportKind::Gap, _) => {
                    return Err(AppError::Invalid(
                        "format: the gap report is json or csv; `rind report baseline` \
                         writes html, xlsx and pdf"
                            .into(),
                    ));
                }
                (ReportKind::Baseline, ReportFormat::Json) => {
                    return Err(AppError::Invalid(
                        "format: the baseline report is csv, html, xlsx or pdf \
                         (`rind report gap` is the JSON one)"
                            .into(),
                    ));
                }
                (ReportKind::Baseline, _) | (ReportKind::Trend, _) => {
                    let format = match format {
                        ReportFormat::Html => ExportFormat::Html,
                        ReportFormat::Xlsx => ExportFormat::Xlsx,
                        ReportFormat::Pdf => ExportFormat::Pdf,
                        ReportFormat::Csv | ReportFormat::Json => ExportFormat::Csv,
                    };
                    rind::commands::export_report(
                        &mut conn,
                        &settings,
                        report_kind(kind),
                        &wave,
                        agency.as_deref(),
                        format,
                    )?
                }
            };
            // Written only once whole, so a failure leaves no half-written file.
            rind::commands::write_output(output.as_deref(), &bytes)?;
        }
        Command::Import { kind, file, wave } => {
            let summary = import_file(&mut conn, kind.into(), &file, wave.as_deref())?;
            println!("{summary}");
        }
        Command::Token {
            action: TokenCommand::Add { email, name },
        } => {
            let token = rind::auth::add_api_token(&mut conn, &email, &name)?;
            println!("{token}");
            eprintln!(
                "API token `{name}` for {email}: send it as `Authorization: Bearer TOKEN`; it is not shown again"
            );
        }
        Command::User {
            action: UserCommand::Add { email, role },
        } => {
            // Check the role before asking for a password.
            rind::domain::Role::parse(&role)?;
            let password = match std::env::var("RIND_PASSWORD") {
                Ok(p) => p,
                Err(_) => rpassword::prompt_password(format!("Password for {email}: "))
                    .map_err(|e| AppError::io("cannot read the password", e))?,
            };
            let email = rind::auth::add_user(&mut conn, &email, &role, &password)?;
            println!("added {role} {email}");
        }
    }
    Ok(())
}

/// The document a `rind report` kind names (`gap` has none).
fn report_kind(kind: ReportKind) -> rind::report::document::ReportKind {
    match kind {
        ReportKind::Trend => rind::report::document::ReportKind::Trend,
        ReportKind::Gap | ReportKind::Baseline => rind::report::document::ReportKind::Baseline,
    }
}

fn report_demo(summary: Option<rind::demo::DemoSummary>) {
    match summary {
        Some(s) => tracing::info!("{s}"),
        None => tracing::info!("the database already holds data; not adding the demo"),
    }
}
