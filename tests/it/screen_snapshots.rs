//! Snapshot images of the main screens (tests/snapshots/*.png), rendered by wgpu on this
//! machine's CPU rasteriser: a layout change shows up in review as a changed image and fails here.
//! After an intended change: `UPDATE_SNAPSHOTS=1 cargo test --test it screen_snapshots::`.

use std::time::Instant;

use crate::common::screens::{PublicState, enroll_form, public_harness, sam_greeting};
use egui_kittest::{Harness, SnapshotError, SnapshotOptions};
use frontdesk::config::{ColourScheme, Config};
use frontdesk::gallery::Person;
use frontdesk::ui::{
    FaceInView, FaceKind, FormContext, GreetingTracker, Language, PeopleScreen, Texts, Theme,
    enroll_form_ui,
};

/// Tolerant of anti-aliasing differences between rasterisers (a pixel may differ a little, and a
/// few hundred of 1 million may differ more) but not of anything moving: shifting the greeting
/// by a text size changes tens of thousands of pixels (see the last test).
fn options() -> SnapshotOptions {
    SnapshotOptions::new().threshold(1.0).max_failed_pixels(400)
}

/// Sam greeted on a kiosk that shows details (`kiosk.greeting_details`, off by default).
fn greeting_harness(mut config: Config) -> Harness<'static, PublicState> {
    config.kiosk.greeting_details = frontdesk::config::GreetingDetails::All(true);
    let mut tracker = GreetingTracker::default();
    tracker.greet(sam_greeting());
    let mut harness = public_harness(PublicState::new(config, tracker));
    let sam = vec![FaceInView {
        track: 1,
        area: 40_000.0,
        kind: FaceKind::Known {
            name: "Sam Carter".into(),
        },
    }];
    harness.state_mut().show(sam, Instant::now());
    harness.run_steps(3);
    harness
}

#[test]
fn greeting() {
    let mut harness = greeting_harness(Config::defaults().unwrap());
    harness.snapshot_options("greeting", &options());
}

#[test]
fn greeting_in_german_light_high_contrast() {
    let mut config = Config::defaults().unwrap();
    config.display.language = Language::German;
    config.display.theme = ColourScheme::Light;
    config.display.high_contrast = true;
    let mut harness = greeting_harness(config);
    harness.snapshot_options("greeting_de_light_high_contrast", &options());
}

#[test]
fn attract_screen_with_a_logo() {
    let mut config = Config::defaults().unwrap();
    config.display.shop_name = "Corner Bakery".into();
    let mut harness = public_harness(PublicState::new(config, GreetingTracker::default()));
    // A round badge, drawn here so that the test needs no image file.
    let mut logo = egui::ColorImage::filled([160, 160], egui::Color32::TRANSPARENT);
    for y in 0..160 {
        for x in 0..160 {
            let (dx, dy) = (x as f32 - 80.0, y as f32 - 80.0);
            if dx * dx + dy * dy < 78.0 * 78.0 {
                logo[(x, y)] = egui::Color32::from_rgb(200, 120, 40);
            }
        }
    }
    let texture = harness
        .ctx
        .load_texture("logo", logo, egui::TextureOptions::LINEAR);
    harness.state_mut().logo = Some(texture);
    harness.run_steps(3);
    harness.snapshot_options("attract", &options());
}

#[test]
fn enrolment_form() {
    let config = Config::defaults().unwrap();
    let texts = Texts::new(Language::English);
    let theme = Theme::from_config(&config.display);
    let mut form = enroll_form(Some(frontdesk::vision::quality::Guidance::TooDark), None);
    let mut harness = Harness::builder()
        .with_size([900.0, 700.0])
        .build_ui(move |ui| {
            theme.apply(ui.ctx());
            let with = FormContext {
                texts: &texts,
                theme: &theme,
                require_consent: true,
            };
            enroll_form_ui(ui.ctx(), &mut form, &with);
        });
    harness.run_steps(3);
    harness.snapshot_options("enrolment_form", &options());
}

#[test]
fn staff_people_list() {
    let person = |id: i64, name: &str, faces: i64, visits: i64| Person {
        id,
        uid: format!("{id:032x}"),
        name: name.into(),
        details: Default::default(),
        consent_at: Some(0),
        consent_withdrawn_at: None,
        created_at: 0,
        updated_at: 0,
        face_count: faces,
        visit_count: visits,
        last_visit_at: None,
    };
    let mut screen = PeopleScreen::default();
    screen.set_people(vec![
        person(1, "Ann Lee", 2, 14),
        person(2, "Grace Hopper", 1, 3),
        person(3, "Sam Carter", 4, 27),
    ]);
    let theme = Theme::from_config(&Config::defaults().unwrap().display);
    let texts = Texts::new(Language::English);
    let mut harness = Harness::builder()
        .with_size([1000.0, 600.0])
        .build_ui_state(
            move |ui,
                  (screen, outbox): &mut (
                PeopleScreen,
                Vec<frontdesk::staff_service::StaffRequest>,
            )| {
                theme.apply(ui.ctx());
                screen.people_ui(ui, outbox, &texts);
            },
            (screen, Vec::new()),
        );
    harness.run_steps(3);
    harness.snapshot_options("staff_people_list", &options());
}

#[test]
fn a_layout_change_fails_the_snapshot() {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        // Updating would accept the change: this test checks the comparison, not the images.
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    std::fs::copy(
        committed.join("greeting.png"),
        dir.path().join("greeting.png"),
    )
    .unwrap();
    let compare = options().output_path(dir.path());
    // The same screen passes against the copy: what fails below is the layout, not the copy.
    let same =
        greeting_harness(Config::defaults().unwrap()).try_snapshot_options("greeting", &compare);
    assert!(same.is_ok(), "the unchanged greeting failed: {same:?}");

    let mut config = Config::defaults().unwrap();
    config.display.font_scale = 1.1;
    let mut harness = greeting_harness(config);
    // Only a pixel comparison that found too many changed pixels counts: a render failure, a
    // missing or unreadable snapshot or a size change are other errors, not this check working.
    match harness.try_snapshot_options("greeting", &compare) {
        Err(SnapshotError::Diff { name, diff, .. }) => {
            assert_eq!(name, "greeting");
            assert!(
                diff > 10 * 400,
                "text 10 % larger changed only {diff} pixels, near the 400 tolerated"
            );
        }
        Ok(()) => panic!("text 10 % larger passed as the same layout"),
        Err(other) => panic!("the comparison did not run: {other}"),
    }
}
