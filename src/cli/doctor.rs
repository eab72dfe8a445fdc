//! `doctor`: what works on this machine and what does not, with what to do about it.

use std::process::ExitCode;

use frontdesk::{models, resources, runtime};
use serde_json::json;

use super::{Context, Output};

struct Check {
    name: &'static str,
    /// A failed required check makes `doctor` exit non-zero; cameras and display are optional.
    required: bool,
    outcome: Result<String, String>,
}

fn checks(context: &Context) -> Vec<Check> {
    let mut checks = Vec::new();
    let config = &context.config;
    checks.push(Check {
        name: "onnxruntime",
        required: true,
        outcome: runtime::ensure_loaded(&config.runtime.onnxruntime)
            .map(|path| {
                let version =
                    runtime::library_version(&path).unwrap_or_else(|| "of unknown version".into());
                format!(
                    "{} loaded: ONNX Runtime {version} (tested with {})",
                    path.display(),
                    runtime::ONNXRUNTIME_VERSION
                )
            })
            .map_err(|e| e.to_string()),
    });
    for (name, spec, path) in [
        ("model.detector", models::DETECTOR, &config.models.detector),
        ("model.embedder", models::EMBEDDER, &config.models.embedder),
    ] {
        let located = resources::locate(path);
        checks.push(Check {
            name,
            required: true,
            outcome: models::verify(&located, &spec)
                .map(|()| format!("{} ({}, sha256 ok)", located.display(), spec.id))
                .map_err(|e| e.to_string()),
        });
    }
    checks.push(Check {
        name: "database",
        required: true,
        outcome: super::open_gallery(&context.db_path)
            .and_then(|gallery| {
                Ok(format!(
                    "{} (schema {}, {} people, {} faces indexed)",
                    context.db_path.display(),
                    gallery.schema_version()?,
                    gallery.index().person_count(),
                    gallery.index().len()
                ))
            })
            .map_err(|e| format!("{e:#}")),
    });
    checks.push(Check {
        name: "recognition",
        required: false,
        outcome: super::open_gallery(&context.db_path)
            .and_then(|mut gallery| {
                gallery.set_consent_required(config.kiosk.require_consent)?;
                Ok(gallery
                    .stranger_outlook(&config.recognition.match_policy())
                    .to_string())
            })
            .map_err(|e| format!("{e:#}")),
    });
    checks.push(backups_check(config));
    checks.push(Check {
        name: "fleet",
        required: false,
        outcome: match frontdesk::fleet::FleetSettings::from_config(&config.fleet) {
            None => Ok("stand-alone kiosk (no fleet.url)".into()),
            Some(settings) => frontdesk::gallery::Gallery::open_unindexed(&context.db_path)
                .map_err(|e| e.to_string())
                .and_then(|mut gallery| {
                    super::fleet::FleetReport::gather(&settings, &mut gallery).summary()
                }),
        },
    });
    checks.push(Check {
        name: "cameras",
        required: false,
        outcome: match nokhwa::query(nokhwa::utils::ApiBackend::Auto) {
            Ok(cameras) if !cameras.is_empty() => Ok(cameras
                .iter()
                .map(|c| format!("{} ({})", c.human_name(), c.index()))
                .collect::<Vec<_>>()
                .join(", ")),
            Ok(_) => Err("no webcam found; the kiosk will use the built-in demo camera".into()),
            Err(e) => Err(format!(
                "cannot list webcams: {e}; the kiosk will use the built-in demo camera"
            )),
        },
    });
    let display = std::env::var("WAYLAND_DISPLAY")
        .map(|d| format!("Wayland {d}"))
        .or_else(|_| std::env::var("DISPLAY").map(|d| format!("X11 {d}")));
    checks.push(Check {
        name: "display",
        required: false,
        outcome: display.map_err(|_| "no DISPLAY or WAYLAND_DISPLAY: the window cannot open here (the command line still works)".into()),
    });
    checks
}

/// Scheduled backups: a warning when the last one failed or is older than two periods.
fn backups_check(config: &frontdesk::config::Config) -> Check {
    use frontdesk::backup::schedule::{BackupHealth, read_status};
    let status = config
        .backup
        .enabled()
        .then(|| read_status(&config.backup.dir, &config.fleet.kiosk_name()))
        .flatten();
    let health = BackupHealth::of(
        &config.backup,
        status.as_ref(),
        frontdesk::gallery::now_ms(),
    );
    let detail = match (&health, status.and_then(|s| s.last_file)) {
        (BackupHealth::Recent { .. }, Some(file)) => format!("{} ({file})", health.describe()),
        _ => health.describe(),
    };
    Check {
        name: "backups",
        required: false,
        outcome: if health.is_ok() {
            Ok(detail)
        } else {
            Err(detail)
        },
    }
}

pub fn run(context: &Context, output: Output) -> anyhow::Result<ExitCode> {
    let mut failed_required = false;
    // For people "ok/warn/fail  check  detail": a failed optional check only warns.
    let mut list = output.list(&[]);
    for check in checks(context) {
        let (ok, detail) = match &check.outcome {
            Ok(detail) => (true, detail.clone()),
            Err(problem) => (false, problem.clone()),
        };
        failed_required |= check.required && !ok;
        let status = match (ok, check.required) {
            (true, _) => "ok",
            (false, false) => "warn",
            (false, true) => "fail",
        };
        list.push(
            vec![status.into(), check.name.into(), detail.clone()],
            &json!({"check": check.name, "ok": ok, "required": check.required, "detail": detail}),
        );
    }
    // Every check has a line: the list is never empty.
    list.finish("");
    Ok(if failed_required {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
