//! The `rind` command line: parses arguments and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rind::commands::{self, reports};
use rind::import::ImportKind;
use rind::{AppError, Settings};

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

#[derive(Clone, Copy, clap::ValueEnum)]
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
    let command = match cli.command {
        Command::Serve {
            demo, no_worker, ..
        } => return commands::serve(settings, demo, !no_worker),
        Command::Worker { once: false } => return commands::run_worker(&settings),
        Command::Mail {
            action: MailCommand::Ls,
        } => return commands::mail::list(&settings),
        Command::Migrate { revert_all } => {
            return commands::database::migrate(&settings, revert_all);
        }
        other => other,
    };
    let mut conn = commands::connect(&settings)?;
    let conn = &mut conn;
    match command {
        // Returned above.
        Command::Serve { .. } | Command::Migrate { .. } | Command::Mail { .. } => Ok(()),
        Command::Worker { .. } => commands::mail::deliver_due(conn, &settings),
        Command::Demo { seed } => commands::database::demo(conn, seed),
        Command::Instrument {
            action: InstrumentCommand::Import { file },
        } => commands::imports::instrument(conn, &file),
        Command::Import { kind, file, wave } => {
            commands::imports::import(conn, kind.into(), &file, wave.as_deref())
        }
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
        } => commands::waves::create(
            conn,
            commands::waves::WaveOptions {
                code,
                instrument,
                opens,
                closes,
                baseline,
                reminders,
                max_reminders,
                message,
            },
        ),
        Command::Wave {
            action: WaveCommand::Close { code },
        } => commands::waves::close(conn, &code),
        Command::Send { wave, audience } => {
            commands::waves::send(conn, &settings, &wave, &audience)
        }
        Command::Remind { wave } => commands::waves::remind(conn, &settings, &wave),
        Command::Report {
            kind,
            wave,
            format,
            output,
            agency,
        } => commands::reports::report(
            conn,
            &settings,
            kind.into(),
            &wave,
            format.into(),
            agency.as_deref(),
            output.as_deref(),
        ),
        Command::Token {
            action: TokenCommand::Add { email, name },
        } => commands::users::add_token(conn, &email, &name),
        Command::User {
            action: UserCommand::Add { email, role },
        } => commands::users::add_user(conn, &email, &role),
    }
}

impl From<ReportKind> for reports::Kind {
    fn from(k: ReportKind) -> reports::Kind {
        match k {
            ReportKind::Gap => reports::Kind::Gap,
            ReportKind::Trend => reports::Kind::Trend,
            ReportKind::Baseline => reports::Kind::Baseline,
        }
    }
}

impl From<ReportFormat> for reports::Format {
    fn from(f: ReportFormat) -> reports::Format {
        match f {
            ReportFormat::Json => reports::Format::Json,
            ReportFormat::Csv => reports::Format::Csv,
            ReportFormat::Html => reports::Format::Html,
            ReportFormat::Xlsx => reports::Format::Xlsx,
            ReportFormat::Pdf => reports::Format::Pdf,
        }
    }
}
