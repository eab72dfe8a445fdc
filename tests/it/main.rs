//! Frontdesk's integration tests, in one test binary: one module per area (`api`, `cli`, `fleet`,
//! ...), the helpers in `common` and the degraded evaluation set in `degraded` compiled once for
//! all of them. Run one area with `cargo test --test it api::`, one test by its path
//! (`cargo test --test it api::some_test`). The filter matches any part of a test's path, so
//! `ui::` also picks the `*_ui` areas: `cargo test --test it ui:: -- --skip _ui::` runs `ui` alone.
//!
//! The areas share one process: nothing here may set environment variables, change the current
//! directory or install global state that another area would see. A child process gets its
//! environment through `Command::env`.
// A failed unwrap is a failed test: the no-panic rule (Cargo.toml `[lints]`) is for the program, and
// so is the rule on Mutex (a test's receivers and recorders share what they saw behind one).
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::disallowed_types
    )
)]

mod common;
mod degraded;

mod accuracy;
mod api;
mod attendance;
mod backup;
mod backup_ui;
mod cli;
mod crash;
mod docs;
mod engine;
mod fleet;
mod fuzz;
mod hardening;
mod hardening_ui;
mod host;
mod import;
mod import_ui;
mod mqtt;
mod one_gallery;
mod privacy;
mod recognition_loop;
mod roll_call_ui;
mod screen_snapshots;
mod screens;
mod staff_ui;
mod ui;
mod webhooks;
