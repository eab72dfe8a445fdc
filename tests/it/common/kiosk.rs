//! Driving the kiosk window in egui_kittest: start it, step it while its threads work, read it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use frontdesk::camera::SourceSpec;
use frontdesk::config::Config;
use frontdesk::ui::{KioskApp, KioskOptions};

/// The real kiosk on `source`, with its gallery at `db_path` and its config file beside it.
pub fn kiosk(source: SourceSpec, db_path: PathBuf) -> Harness<'static, KioskApp> {
    kiosk_with(Config::defaults().unwrap(), source, db_path)
}

/// [`kiosk`] with other settings.
pub fn kiosk_with(
    config: Config,
    source: SourceSpec,
    db_path: PathBuf,
) -> Harness<'static, KioskApp> {
    let options = KioskOptions {
        config,
        config_path: db_path.with_extension("toml"),
        db_path,
        source,
    };
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| KioskApp::new(&cc.egui_ctx, options))
}

/// Steps the UI until `done` holds, as the real window does while threads work in the background.
pub fn wait_for(
    harness: &mut Harness<'_, KioskApp>,
    what: &str,
    done: impl Fn(&Harness<'_, KioskApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        harness.run_steps(1);
        if done(harness) {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("timed out waiting for {what}");
}

/// Whether any widget's label contains `text`.
pub fn shows(harness: &Harness<'_, KioskApp>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

/// Focuses the text field labelled `label` and types `text` into it.
pub fn type_into(harness: &mut Harness<'_, KioskApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run_steps(1);
    harness.get_by_label(label).type_text(text);
    harness.run_steps(1);
}
