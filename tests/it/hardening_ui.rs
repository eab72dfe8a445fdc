//! The kiosk window under hostile conditions, through its real widgets (egui_kittest): frames too
//! big for the GPU, attempts to leave kiosk mode, visitors enrolling themselves.

use std::path::Path;

use crate::common::kiosk::{kiosk_with, shows, type_into, wait_for};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use frontdesk::camera::SourceSpec;
use frontdesk::config::Config;
use frontdesk::gallery::Gallery;
use frontdesk::ui::{KioskApp, KioskOptions};

fn root_commands(harness: &Harness<'_, KioskApp>) -> Vec<egui::ViewportCommand> {
    harness
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map(|v| v.commands.clone())
        .unwrap_or_default()
}

#[test]
fn a_frame_wider_than_the_gpu_allows_is_shown_scaled_down() {
    let dir = tempfile::tempdir().unwrap();
    // 10 000 px wide: beyond wgpu's 8192 px texture limit.
    let frames = crate::common::still_frames_sized(
        dir.path(),
        "faces/single/mpl_grace_hopper.jpg",
        10_000,
        480,
        50,
    );
    let options = KioskOptions {
        config: Config::defaults().unwrap(),
        config_path: dir.path().join("config.toml"),
        db_path: dir.path().join("gallery.db"),
        source: SourceSpec::Images(frames),
    };
    // A real GPU device (not the default lazy renderer), so that the texture is really uploaded.
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .wgpu()
        .build_eframe(move |cc| KioskApp::new(&cc.egui_ctx, options));
    wait_for(&mut harness, "the visitor in the huge frame", |h| {
        shows(h, "New visitor")
    });
    harness.run_steps(5);
    harness.render().unwrap();
    assert!(shows(&harness, "New visitor"));
}

/// A kiosk in full screen (kiosk mode) with a staff PIN, on a camera that is not there.
fn kiosk_mode(dir: &Path) -> Harness<'static, KioskApp> {
    let db = dir.join("gallery.db");
    Gallery::open(&db, frontdesk::models::EMBEDDER.id)
        .unwrap()
        .set_pin("2468")
        .unwrap();
    let mut config = Config::defaults().unwrap();
    config.kiosk.fullscreen = true;
    kiosk_with(config, SourceSpec::Webcam(9), db)
}

fn request_close(harness: &mut Harness<'_, KioskApp>) {
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    harness.run_steps(1);
}

#[test]
fn in_kiosk_mode_closing_the_window_needs_the_staff_pin() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = kiosk_mode(dir.path());
    harness.run_steps(2);

    // Alt+F4 or the window manager: refused, and the PIN asked for.
    request_close(&mut harness);
    assert!(root_commands(&harness).contains(&egui::ViewportCommand::CancelClose));
    wait_for(&mut harness, "the PIN prompt", |h| shows(h, "Staff PIN"));

    // Cancelling the prompt keeps the kiosk open; asking again asks for the PIN again.
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    assert!(!shows(&harness, "Staff PIN"));
    assert!(!root_commands(&harness).contains(&egui::ViewportCommand::Close));
    request_close(&mut harness);
    assert!(root_commands(&harness).contains(&egui::ViewportCommand::CancelClose));
    wait_for(&mut harness, "the PIN prompt", |h| shows(h, "Staff PIN"));

    // The right PIN lets the kiosk close.
    type_into(&mut harness, "PIN", "2468");
    harness.get_by_label("Unlock").click();
    // Commands last one pass: remember having seen it.
    let closed = std::cell::Cell::new(false);
    wait_for(&mut harness, "the window to close", |h| {
        closed.set(closed.get() || root_commands(h).contains(&egui::ViewportCommand::Close));
        closed.get()
    });
}

#[test]
fn locking_staff_mode_puts_the_kiosk_back_in_full_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = kiosk_mode(dir.path());
    harness.get_by_label("Staff").click();
    wait_for(&mut harness, "the PIN prompt", |h| shows(h, "Staff PIN"));
    type_into(&mut harness, "PIN", "2468");
    harness.get_by_label("Unlock").click();
    wait_for(&mut harness, "staff mode", |h| shows(h, "Lock"));
    harness.get_by_label("Full screen on/off").click();
    harness.run_steps(1);
    harness.get_by_label("Lock").click();
    let restored = std::cell::Cell::new(false);
    wait_for(&mut harness, "full screen again", |h| {
        let fullscreen = egui::ViewportCommand::Fullscreen(true);
        restored.set(restored.get() || root_commands(h).contains(&fullscreen));
        restored.get()
    });
    assert!(shows(&harness, "Staff"));
}

#[test]
fn capture_can_be_made_to_need_the_staff_pin() {
    let dir = tempfile::tempdir().unwrap();
    let frames = crate::common::still_frames_sized(
        dir.path(),
        "faces/single/mpl_grace_hopper.jpg",
        640,
        480,
        400,
    );
    let db = dir.path().join("gallery.db");
    Gallery::open(&db, frontdesk::models::EMBEDDER.id)
        .unwrap()
        .set_pin("2468")
        .unwrap();
    let mut config = Config::defaults().unwrap();
    config.kiosk.capture_needs_pin = true;
    let mut harness = kiosk_with(config, SourceSpec::Images(frames), db);
    wait_for(&mut harness, "an unknown visitor", |h| {
        shows(h, "New visitor")
    });
    harness.get_by_label("Capture (Space)").click();
    wait_for(&mut harness, "the PIN prompt", |h| shows(h, "Staff PIN"));
    assert!(!shows(&harness, "Enrol a new visitor"));
    type_into(&mut harness, "PIN", "2468");
    harness.get_by_label("Unlock").click();
    wait_for(&mut harness, "the enrolment form", |h| {
        shows(h, "Enrol a new visitor")
    });
}

#[test]
fn the_live_view_refuses_to_enrol_a_face_that_is_already_someone_else() {
    let dir = tempfile::tempdir().unwrap();
    let frames = crate::common::still_frames_sized(
        dir.path(),
        "faces/barack_obama/fr_obama2.jpg",
        640,
        480,
        400,
    );
    let db = dir.path().join("gallery.db");
    crate::common::enroll_obama(&db);
    let mut config = Config::defaults().unwrap();
    config.kiosk.require_consent = false;
    let mut harness = kiosk_with(config, SourceSpec::Images(frames), db.clone());
    wait_for(&mut harness, "the greeting", |h| shows(h, "Barack!"));
    harness.key_press(egui::Key::Space);
    wait_for(&mut harness, "the enrolment form", |h| {
        shows(h, "Enrol a new visitor")
    });
    // The operator ignores the warning and saves him as someone new: the worker refuses.
    type_into(&mut harness, "Name", "Not Obama");
    harness.get_by_label("Save").click();
    wait_for(&mut harness, "the refusal", |h| {
        shows(h, "already enrolled as Barack Obama")
    });
    drop(harness);
    let gallery = Gallery::open(&db, frontdesk::models::EMBEDDER.id).unwrap();
    let people = gallery.people().unwrap();
    assert_eq!(people.len(), 1, "{people:?}");
}
