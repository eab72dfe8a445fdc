//! Hostile conditions for the command line: outputs that cannot be written, files that are not
//! what they seem, inputs a mischievous visitor would try.
// A failed unwrap is a failed test: the no-panic rule (Cargo.toml `[lints]`) is for the program.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::fixture;

/// `frontdesk` with its own gallery, config folder and the given stdout.
fn frontdesk(home: &Path, args: &[&str], stdout: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("--db")
        .arg(home.join("gallery.db"))
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("FRONTDESK_DB")
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn dev_full() -> Stdio {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap()
        .into()
}

fn photo(relative: &str) -> String {
    fixture(relative).display().to_string()
}

#[test]
fn enrolling_into_a_full_stdout_says_so_and_exits_74_without_panicking() {
    let home = tempfile::tempdir().unwrap();
    let output = frontdesk(
        home.path(),
        &[
            "enroll",
            "--name",
            "Barack Obama",
            "--consent",
            &photo("faces/barack_obama/fr_obama.jpg"),
        ],
        dev_full(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(74), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("standard output"), "{stderr}");
    // The person was saved before the result line failed: the message must not hide that.
    let listed = frontdesk(home.path(), &["people", "list"], Stdio::piped());
    assert!(String::from_utf8_lossy(&listed.stdout).contains("Barack Obama"));
}

#[test]
fn csv_into_a_full_stdout_exits_74() {
    let home = tempfile::tempdir().unwrap();
    let output = frontdesk(home.path(), &["audit", "--csv"], dev_full());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(74), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
