//! The `frontdesk` program: the kiosk window (default) and the scriptable command line.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("FRONTDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(args.default_log_level()));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let outcome = cli::run(args);
    // Results that could not be written matter more than what happened next: the command may have
    // changed the gallery, and the caller must not take the missing output for "nothing to show".
    if let Some(failure) = cli::stdout_failure() {
        if failure.kind() != std::io::ErrorKind::BrokenPipe {
            report(format_args!(
                "cannot write the results to standard output: {failure}"
            ));
        }
        // A closed pipe (`frontdesk people list | head -n1`) is the reader's choice: no message.
        return ExitCode::from(EX_IOERR);
    }
    match outcome {
        Ok(code) => code,
        Err(error) => {
            report(format_args!("{error:#}"));
            ExitCode::FAILURE
        }
    }
}

/// sysexits.h: an input/output error (here, on standard output).
const EX_IOERR: u8 = 74;

/// A message on stderr; `eprintln!` would panic if stderr itself cannot be written.
fn report(message: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "frontdesk: {message}");
}
