//! Command-line parsing and dispatch. Results go to stdout, as text for people or with `--json` as
//! one JSON object per line (src/cli/output.rs); messages go to stderr.

mod attendance;
mod backup;
mod doctor;
mod fleet;
mod groups;
mod images;
mod import;
mod output;
mod people;
mod serve;
mod watch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use frontdesk::camera::SourceSpec;
use frontdesk::config::Config;
use frontdesk::engine::FaceEngine;
use frontdesk::gallery::{Gallery, MatchPolicy, PersonId};
use frontdesk::ui::KioskOptions;
use output::Output;

#[derive(Debug, Parser)]
#[command(
    name = "frontdesk",
    version,
    about = "Front-desk kiosk that greets visitors by face, all on this computer"
)]
pub struct Cli {
    /// Gallery database file [default: config `database.path`, else ~/.local/share/frontdesk/gallery.db]
    #[arg(long, env = "FRONTDESK_DB", global = true)]
    db: Option<PathBuf>,
    /// Config file overriding the defaults [default: ~/.config/frontdesk/config.toml]
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open the kiosk window (the default)
    Run {
        /// auto, demo, webcam[:N], video:FILE or images:DIR [default: config `kiosk.source`]
        #[arg(long)]
        source: Option<String>,
        /// Start full screen (kiosk mode)
        #[arg(long)]
        fullscreen: bool,
    },
    /// Detect and embed the faces in images (`--json` prints the embeddings)
    Embed {
        #[arg(required = true)]
        images: Vec<PathBuf>,
        #[command(flatten)]
        output: Output,
    },
    /// Enrol a person from one or more photos (the largest face of each)
    Enroll {
        #[arg(long)]
        name: String,
        /// A detail such as phone=555-0100, email=..., notes=..., or any preference (repeatable)
        #[arg(long = "detail", value_name = "KEY=VALUE", value_parser = parse_detail)]
        details: Vec<(String, String)>,
        /// Record that the person agreed to be recognised
        #[arg(long)]
        consent: bool,
        #[arg(required = true)]
        images: Vec<PathBuf>,
        #[command(flatten)]
        output: Output,
    },
    /// Name the faces in images
    Identify {
        #[arg(required = true)]
        images: Vec<PathBuf>,
        #[command(flatten)]
        output: Output,
    },
    /// List, show or delete enrolled people
    People {
        #[command(subcommand)]
        action: people::PeopleAction,
    },
    /// Run the recognition loop without a window, printing arrivals, greetings and departures
    Watch {
        /// auto, demo, webcam[:N], video:FILE or images:DIR [default: config `kiosk.source`]
        #[arg(long)]
        source: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// Run the recognition loop and the HTTP API without a window (for door controllers, services)
    Serve {
        /// auto, demo, webcam[:N], video:FILE or images:DIR [default: config `kiosk.source`]
        #[arg(long)]
        source: Option<String>,
        /// Address to listen on [default: config `api.listen`, else 127.0.0.1:8765]
        #[arg(long)]
        listen: Option<String>,
    },
    /// Create, list or revoke tokens for the HTTP API
    ApiToken {
        #[command(subcommand)]
        action: serve::TokenAction,
    },
    /// List logged visits, newest first
    Visits {
        /// Only this person's visits
        #[arg(long)]
        person: Option<PersonId>,
        /// From this day (YYYY-MM-DD, local time) or instant (RFC 3339)
        #[arg(long, value_parser = parse_since)]
        since: Option<i64>,
        /// Up to and including this day (YYYY-MM-DD) or up to this instant (RFC 3339)
        #[arg(long, value_parser = parse_until)]
        until: Option<i64>,
        #[command(flatten)]
        output: Output,
        /// CSV with a header line
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// Create groups (a class, a team, a course), set their schedule, add or remove members
    Groups {
        #[command(subcommand)]
        action: groups::GroupsAction,
    },
    /// A group's roll calls (present, late, absent) and attendance rates, from the logged visits
    Attendance {
        /// The group's name
        #[arg(long)]
        group: String,
        /// One day (YYYY-MM-DD, the kiosk's time zone) [default: today]
        #[arg(long, value_parser = attendance::parse_day, conflicts_with_all = ["since", "until"])]
        day: Option<jiff::civil::Date>,
        /// First day of a period [default: --until]
        #[arg(long, value_parser = attendance::parse_day)]
        since: Option<jiff::civil::Date>,
        /// Last day of a period, included [default: today]
        #[arg(long, value_parser = attendance::parse_day)]
        until: Option<jiff::civil::Date>,
        #[command(flatten)]
        output: Output,
        /// CSV with a header line, one row per member and session
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// Show the staff audit log, newest first
    Audit {
        #[command(flatten)]
        output: Output,
        /// CSV with a header line
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// Several kiosks sharing one gallery through a PostgreSQL server (config `[fleet]`)
    Fleet {
        #[command(subcommand)]
        action: fleet::FleetAction,
    },
    /// Set the staff PIN (read from standard input) that guards the kiosk's staff screens
    SetPin,
    /// Check the runtime, models, database, cameras, display and backups
    Doctor {
        #[command(flatten)]
        output: Output,
    },
    /// Write a consistent copy of the gallery to a new file (also while the kiosk runs)
    Backup {
        /// The backup file to create (readable by you only)
        #[arg(long)]
        out: PathBuf,
        /// Encrypt with the passphrase on this file's first line (`-`: read it from standard input)
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        #[command(flatten)]
        output: Output,
    },
    /// Enrol many people: DIR holds one folder of photos per person (named after them) and an
    /// optional people.csv (name, consent and detail columns)
    Import {
        dir: PathBuf,
        /// Record consent for everyone whose people.csv row does not say (a "no" stays a no)
        #[arg(long)]
        consent: bool,
        /// Check every photo and report what would happen, saving nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        output: Output,
    },
    /// Replace the gallery with a backup; people erased since the backup stay erased
    Restore {
        #[command(flatten)]
        output: Output,
        /// A file made by `frontdesk backup` (or by the kiosk's scheduled backups)
        file: PathBuf,
        /// The passphrase of an encrypted backup, on this file's first line (`-`: standard input);
        /// default: `backup.passphrase_file`. With a passphrase, a plain backup is refused
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// FILE is a plain (unencrypted) backup you made yourself: restore it even though
        /// `backup.passphrase_file` is set
        #[arg(long, conflicts_with = "passphrase_file")]
        unencrypted: bool,
    },
}

impl Cli {
    pub fn default_log_level(&self) -> &'static str {
        match self.command {
            None | Some(Command::Run { .. }) => "info",
            _ => "warn",
        }
    }
}

fn parse_detail(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not KEY=VALUE"))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("`{text}` has an empty key"));
    }
    Ok((key.to_owned(), value.trim().to_owned()))
}

fn parse_since(text: &str) -> Result<i64, String> {
    frontdesk::report::parse_since(text)
}

fn parse_until(text: &str) -> Result<i64, String> {
    frontdesk::report::parse_until(text)
}

/// What every command needs: the settings and where the gallery lives.
pub struct Context {
    pub config: Config,
    /// The user's config file (where the kiosk's settings screen saves).
    pub config_path: PathBuf,
    pub db_path: PathBuf,
}

impl Context {
    fn new(cli: &Cli) -> anyhow::Result<Self> {
        let config_file = cli.config.clone().or_else(Config::user_file);
        if let Some(explicit) = &cli.config {
            anyhow::ensure!(
                explicit.is_file(),
                "config file {} does not exist",
                explicit.display()
            );
        }
        let config = Config::load(config_file.as_deref())?;
        let db_path = match (&cli.db, config.database.path.as_os_str().is_empty()) {
            (Some(path), _) => path.clone(),
            (None, false) => config.database.path.clone(),
            (None, true) => default_db_path()?,
        };
        let config_path = config_file.unwrap_or_else(|| PathBuf::from("frontdesk.toml"));
        Ok(Self {
            config,
            config_path,
            db_path,
        })
    }

    pub fn policy(&self) -> MatchPolicy {
        self.config.recognition.match_policy()
    }

    pub fn engine(&self) -> anyhow::Result<FaceEngine> {
        FaceEngine::load(&self.config).context("cannot start the recognition engine")
    }

    /// The gallery, matching only the people the consent setting allows.
    pub fn gallery(&self) -> anyhow::Result<Gallery> {
        Ok(Gallery::open_for_matching(
            &self.db_path,
            self.config.kiosk.require_consent,
        )?)
    }
}

pub fn open_gallery(path: &Path) -> anyhow::Result<Gallery> {
    Ok(Gallery::open(path, frontdesk::models::EMBEDDER.id)?)
}

fn default_db_path() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "frontdesk")
        .context("cannot find a home folder for the gallery; pass --db PATH")?;
    Ok(dirs.data_dir().join("gallery.db"))
}

/// Prints one JSON object as a line on stdout.
pub fn emit(value: &serde_json::Value) {
    print_line(format_args!("{value}"));
}

/// The first failed write to stdout. `println!` would panic (after a person was already saved, say);
/// instead the first failure is kept, later output is skipped and `main` reports it with its own
/// exit code, so a script can tell "results lost" from "command failed".
static STDOUT_FAILURE: std::sync::OnceLock<std::io::Error> = std::sync::OnceLock::new();

/// Writes one line to stdout, or records why it could not.
pub fn print_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    if STDOUT_FAILURE.get().is_some() {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(error) = out.write_fmt(line).and_then(|()| out.write_all(b"\n")) {
        let _ = STDOUT_FAILURE.set(error);
    }
}

/// Stdout for writers that produce more than a line (CSV), recording a failure as `print_line` does.
pub struct StdoutSink;

impl std::io::Write for StdoutSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::stdout()
            .write(buf)
            .inspect_err(record_stdout_failure)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().flush().inspect_err(record_stdout_failure)
    }
}

fn record_stdout_failure(error: &std::io::Error) {
    let _ = STDOUT_FAILURE.set(std::io::Error::new(error.kind(), error.to_string()));
}

/// Whether a write to stdout has failed: long-running commands stop early.
pub fn stdout_failed() -> bool {
    STDOUT_FAILURE.get().is_some()
}

/// Flushes stdout and returns the first write failure, if any.
pub fn stdout_failure() -> Option<&'static std::io::Error> {
    use std::io::Write as _;
    if let Err(error) = std::io::stdout().flush() {
        record_stdout_failure(&error);
    }
    STDOUT_FAILURE.get()
}

fn kiosk(mut context: Context, source: Option<&str>, fullscreen: bool) -> anyhow::Result<ExitCode> {
    let source: SourceSpec = source.unwrap_or(&context.config.kiosk.source).parse()?;
    context.config.kiosk.fullscreen |= fullscreen;
    frontdesk::ui::run_window(KioskOptions {
        config: context.config,
        config_path: context.config_path,
        db_path: context.db_path,
        source,
    })
    .map_err(|e| {
        anyhow::anyhow!(
            "the kiosk window cannot open: {e}. Is a display available? `frontdesk doctor` checks"
        )
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let context = Context::new(&cli)?;
    match cli.command {
        None => kiosk(context, None, false),
        Some(Command::Run { source, fullscreen }) => kiosk(context, source.as_deref(), fullscreen),
        Some(Command::Embed { images, output }) => images::embed(&context, &images, output),
        Some(Command::Identify { images, output }) => images::identify(&context, &images, output),
        Some(Command::Enroll {
            name,
            details,
            consent,
            images,
            output,
        }) => images::enroll(
            &context,
            &name,
            details.into_iter().collect(),
            consent,
            &images,
            output,
        ),
        Some(Command::People { action }) => people::run(&context, action),
        Some(Command::Watch { source, output }) => {
            watch::watch(&context, source.as_deref(), output)
        }
        Some(Command::Serve { source, listen }) => {
            serve::serve(&context, source.as_deref(), listen.as_deref())
        }
        Some(Command::ApiToken { action }) => serve::api_token(&context, action),
        Some(Command::Visits {
            person,
            since,
            until,
            output,
            csv,
        }) => watch::visits(
            &context,
            &watch::VisitQuery {
                person,
                since,
                until,
            },
            output,
            csv,
        ),
        Some(Command::Groups { action }) => groups::run(&context, action),
        Some(Command::Attendance {
            group,
            day,
            since,
            until,
            output,
            csv,
        }) => attendance::attendance(
            &context,
            &attendance::AttendanceQuery {
                group,
                day,
                since,
                until,
            },
            output,
            csv,
        ),
        Some(Command::Audit { output, csv }) => people::audit(&context, output, csv),
        Some(Command::Fleet { action }) => fleet::run(&context, action),
        Some(Command::SetPin) => people::set_pin(&context),
        Some(Command::Doctor { output }) => doctor::run(&context, output),
        Some(Command::Backup {
            out,
            passphrase_file,
            output,
        }) => backup::backup(&context, output, &out, passphrase_file.as_ref()),
        Some(Command::Import {
            dir,
            consent,
            dry_run,
            output,
        }) => import::run(
            &context,
            &dir,
            &import::ImportOptions {
                consent,
                dry_run,
                output,
            },
        ),
        Some(Command::Restore {
            output,
            file,
            passphrase_file,
            unencrypted,
        }) => backup::restore(
            &context,
            output,
            &file,
            passphrase_file.as_ref(),
            unencrypted,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn details_parse_as_key_value() {
        assert_eq!(
            parse_detail("coffee = oat latte").unwrap(),
            ("coffee".into(), "oat latte".into())
        );
        assert_eq!(
            parse_detail("url=a=b").unwrap(),
            ("url".into(), "a=b".into())
        );
        assert!(parse_detail("novalue").is_err());
        assert!(parse_detail("=x").is_err());
    }

    /// Words the parser knows, so that random argument lists reach the subcommands and values.
    const WORDS: [&str; 34] = [
        "run",
        "embed",
        "enroll",
        "identify",
        "people",
        "list",
        "show",
        "edit",
        "merge",
        "export",
        "delete",
        "watch",
        "visits",
        "audit",
        "set-pin",
        "doctor",
        "--name",
        "--detail",
        "--since",
        "--until",
        "--source",
        "--db",
        "--csv",
        "--json",
        "groups",
        "attendance",
        "create",
        "schedule",
        "start",
        "--group",
        "--day",
        "--days",
        "--start",
        "--grace",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn any_arguments_parse_or_fail_without_panicking(
            args in proptest::collection::vec(
                prop_oneof![
                    proptest::sample::select(WORDS.to_vec()).prop_map(str::to_owned),
                    "\\PC{0,24}",
                    "[a-z]{1,8}=[^=]{0,8}",
                    "-?[0-9]{1,20}",
                    "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?",
                ],
                0..8,
            ),
        ) {
            let _ = Cli::try_parse_from(std::iter::once("frontdesk".to_owned()).chain(args));
        }
    }

    #[test]
    fn dates_and_instants_parse_with_inclusive_until() {
        assert_eq!(
            parse_since("2026-11-28T10:00:00Z").unwrap(),
            1_795_860_000_000
        );
        let since = parse_since("2026-11-28").unwrap();
        let until = parse_until("2026-11-28").unwrap();
        assert_eq!(until - since, 24 * 3600 * 1000);
        assert!(parse_since("yesterday").is_err());
    }
}
