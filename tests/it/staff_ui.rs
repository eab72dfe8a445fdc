//! Staff mode through the real widgets: the PIN gate and its lock-out, editing and deleting people,
//! settings saved to the config file, the visits and audit screens.

use std::path::Path;

use crate::common::enroll_fixture;
use crate::common::kiosk::{shows, type_into, wait_for};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use frontdesk::camera::SourceSpec;
use frontdesk::config::{Config, Language};
use frontdesk::gallery::{Gallery, NewPerson, PinCheck};
use frontdesk::ui::KioskApp;

const MODEL: &str = frontdesk::models::EMBEDDER.id;

/// A gallery with one enrolled person (a real face) and a PIN.
fn prepared_gallery(db: &Path, pin: Option<&str>) -> i64 {
    let person = NewPerson {
        name: "Grace Hopper".into(),
        details: [("phone".to_owned(), "555-0100".to_owned())].into(),
        consent: true,
    };
    let id = enroll_fixture(db, &person, "faces/single/mpl_grace_hopper.jpg");
    let mut gallery = Gallery::open(db, MODEL).unwrap();
    gallery
        .record_visit(id, frontdesk::gallery::now_ms(), 0.8, "test")
        .unwrap();
    if let Some(pin) = pin {
        gallery.set_pin(pin).unwrap();
    }
    id
}

/// The kiosk without a camera: staff screens work without one.
fn kiosk(db: &Path) -> Harness<'static, KioskApp> {
    crate::common::kiosk::kiosk(SourceSpec::Webcam(9), db.to_path_buf())
}

fn unlock(harness: &mut Harness<'_, KioskApp>, pin: &str) {
    harness.get_by_label("Staff").click();
    wait_for(harness, "the PIN prompt", |h| shows(h, "Staff PIN"));
    type_into(harness, "PIN", pin);
    harness.get_by_label("Unlock").click();
    wait_for(harness, "staff mode", |h| shows(h, "Lock"));
}

#[test]
fn wrong_pins_lock_the_staff_screens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    prepared_gallery(&db, Some("2468"));
    let mut harness = kiosk(&db);
    harness.get_by_label("Staff").click();
    wait_for(&mut harness, "the PIN prompt", |h| shows(h, "Staff PIN"));
    for tries_left in (1..frontdesk::gallery::PIN_ATTEMPTS).rev() {
        type_into(&mut harness, "PIN", "1111");
        harness.get_by_label("Unlock").click();
        let expected = if tries_left == 1 {
            "1 try left".to_owned()
        } else {
            format!("{tries_left} tries left")
        };
        wait_for(&mut harness, &expected, |h| shows(h, &expected));
    }
    type_into(&mut harness, "PIN", "1111");
    harness.get_by_label("Unlock").click();
    wait_for(&mut harness, "the lock", |h| shows(h, "locked until"));
    // The right PIN is refused while locked, and the staff screens stay closed.
    type_into(&mut harness, "PIN", "2468");
    harness.get_by_label("Unlock").click();
    harness.run_steps(10);
    wait_for(&mut harness, "the lock again", |h| shows(h, "locked until"));
    assert!(!shows(&harness, "Lock"));
    assert!(harness.query_by_label("People").is_none());
    drop(harness);
    let mut gallery = Gallery::open(&db, MODEL).unwrap();
    assert!(matches!(
        gallery
            .verify_pin("2468", frontdesk::gallery::now_ms())
            .unwrap(),
        PinCheck::Locked { .. }
    ));
}

#[test]
fn first_use_sets_a_pin_then_staff_edit_and_delete_a_person() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    // A new kiosk: the owner chooses the PIN before anyone is enrolled.
    Gallery::open(&db, MODEL).unwrap();
    let mut harness = kiosk(&db);

    harness.get_by_label("Staff").click();
    wait_for(&mut harness, "the PIN prompt", |h| shows(h, "Staff PIN"));
    type_into(&mut harness, "PIN", "9753");
    harness.get_by_label("Unlock").click();
    wait_for(&mut harness, "the PIN creation", |h| {
        shows(h, "No staff PIN yet")
    });
    type_into(&mut harness, "PIN", "9753");
    type_into(&mut harness, "Repeat PIN", "9753");
    harness.get_by_label("Unlock").click();
    wait_for(&mut harness, "the empty people list", |h| {
        shows(h, "Nobody is enrolled yet.")
    });
    let id = prepared_gallery(&db, None);
    wait_for(&mut harness, "the people list", |h| {
        shows(h, "Grace Hopper  (1 photos, 1 visits)")
    });

    harness
        .get_by_label("Grace Hopper  (1 photos, 1 visits)")
        .click();
    wait_for(&mut harness, "the person", |h| shows(h, "Save changes"));
    harness.get_by_label("Name").focus();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(1);
    harness
        .get_by_label("Name")
        .type_text("Rear Admiral Grace Hopper");
    harness.run_steps(1);
    harness.get_by_label("Save changes").click();
    wait_for(&mut harness, "the saved name", |h| {
        shows(h, "Saved Rear Admiral Grace Hopper")
    });
    {
        let gallery = Gallery::open(&db, MODEL).unwrap();
        assert_eq!(
            gallery.person(id).unwrap().unwrap().name,
            "Rear Admiral Grace Hopper"
        );
        assert_eq!(
            gallery.person(id).unwrap().unwrap().details["phone"],
            "555-0100"
        );
    }

    harness.get_by_label("Delete person").click();
    wait_for(&mut harness, "the confirmation", |h| {
        shows(h, "This cannot be undone")
    });
    harness.get_by_label("Yes, delete").click();
    wait_for(&mut harness, "the deletion", |h| {
        shows(h, "Deleted, with every photo")
    });
    wait_for(&mut harness, "the empty list", |h| {
        shows(h, "Nobody is enrolled yet.")
    });

    harness.get_by_label("Audit log").click();
    wait_for(&mut harness, "the audit log", |h| {
        shows(h, "person #1 with all photos")
    });

    harness.get_by_label("Lock").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Audit log").is_none());
    drop(harness);
    let gallery = Gallery::open(&db, MODEL).unwrap();
    assert!(gallery.people().unwrap().is_empty());
    assert!(gallery.pin_is_set().unwrap());
}

#[test]
fn settings_are_saved_to_the_config_file_and_visits_are_charted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let config_path = db.with_extension("toml");
    prepared_gallery(&db, Some("1357"));
    let mut harness = kiosk(&db);
    unlock(&mut harness, "1357");

    harness.get_by_label("Visits").click();
    wait_for(&mut harness, "the visit summary", |h| {
        shows(h, "1 visits: 1 first-time, 0 returning")
    });

    harness.get_by_label("Settings").click();
    harness.run_steps(2);
    harness
        .get_by_label("Enrolment requires the visitor's consent")
        .click();
    harness.run_steps(2);
    harness.get_by_label("Save settings").click();
    wait_for(&mut harness, "the saved settings", |h| {
        shows(h, "Settings saved")
    });
    let saved = Config::load(Some(&config_path)).unwrap();
    assert!(!saved.kiosk.require_consent);
    assert_eq!(saved.recognition, Config::defaults().unwrap().recognition);
}

#[test]
fn choosing_german_in_the_settings_turns_the_window_german_and_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let config_path = db.with_extension("toml");
    let grace = prepared_gallery(&db, Some("1357"));
    let mut harness = kiosk(&db);
    unlock(&mut harness, "1357");

    harness.get_by_label("Settings").click();
    harness.run_steps(2);
    harness.get_by_label("Language").click();
    harness.run_steps(2);
    harness.get_by_label("Deutsch").click();
    harness.run_steps(2);
    harness.get_by_label("Save settings").click();
    wait_for(&mut harness, "the window in German", |h| {
        shows(h, "Einstellungen speichern")
    });
    assert!(shows(&harness, "Sperren"));
    assert!(!shows(&harness, "Save settings"));
    assert_eq!(
        Config::load(Some(&config_path)).unwrap().display.language,
        Language::German
    );

    // So do the staff screens, with dates as Germans write them.
    harness.get_by_label("Personen").click();
    wait_for(&mut harness, "the German people list", |h| {
        shows(h, "Grace Hopper  (1 Foto, 1 Besuch)")
    });
    harness
        .get_by_label("Grace Hopper  (1 Foto, 1 Besuch)")
        .click();
    wait_for(&mut harness, "the German record", |h| {
        shows(h, "Änderungen speichern")
    });
    let enrolled = Gallery::open(&db, MODEL)
        .unwrap()
        .person(grace)
        .unwrap()
        .unwrap()
        .created_at;
    let day = jiff::Timestamp::from_millisecond(enrolled)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%d.%m.%Y")
        .to_string();
    assert!(shows(&harness, &format!("Aufgenommen {day}")));
    assert!(shows(&harness, "Letzte Besuche"));
    assert!(shows(&harness, "Sicherungen: "));

    // The public view speaks German too.
    harness.get_by_label("Sperren").click();
    wait_for(&mut harness, "the public view", |h| {
        shows(h, "Treten Sie gern an die Theke")
    });
    assert!(shows(&harness, "Personal"));
}

#[test]
fn the_people_screen_follows_enrolment_and_erasure_made_by_another_program() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let grace = prepared_gallery(&db, Some("2468"));
    let mut harness = kiosk(&db);
    unlock(&mut harness, "2468");
    wait_for(&mut harness, "the people list", |h| {
        shows(h, "Grace Hopper")
    });
    harness
        .get_by_label("Grace Hopper  (1 photos, 1 visits)")
        .click();
    wait_for(&mut harness, "Grace's record", |h| shows(h, "Save changes"));

    let cli = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let photo = crate::common::fixture("faces/barack_obama/fr_obama.jpg");
    cli(&[
        "enroll",
        "--consent",
        "--name",
        "Barack Obama",
        photo.to_str().unwrap(),
    ]);
    wait_for(&mut harness, "the new person in the list", |h| {
        shows(h, "Barack Obama")
    });

    cli(&["people", "delete", &grace.to_string()]);
    wait_for(&mut harness, "the erased person to leave the screen", |h| {
        !shows(h, "Grace Hopper") && !shows(h, "Save changes")
    });
    assert!(shows(&harness, "Barack Obama"));
}

#[test]
fn the_roll_call_tab_and_the_group_boxes_work_on_the_real_gallery() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let grace = prepared_gallery(&db, Some("2468"));
    let bob = {
        let mut gallery = Gallery::open(&db, MODEL).unwrap();
        let class = gallery
            .create_group("Class 5B", None, frontdesk::gallery::DEFAULT_GRACE)
            .unwrap();
        gallery.add_member(class, grace).unwrap();
        let bob = NewPerson {
            name: "Bob Kahn".into(),
            consent: true,
            ..Default::default()
        };
        let bob = gallery.enroll(&bob, &[]).unwrap();
        gallery.add_member(class, bob).unwrap();
        // Grace was seen just before the lesson started.
        gallery
            .start_session(class, frontdesk::gallery::now_ms())
            .unwrap();
        bob
    };
    let mut harness = kiosk(&db);
    unlock(&mut harness, "2468");

    harness.get_by_label("Roll call").click();
    wait_for(&mut harness, "the roll call", |h| {
        shows(h, "1 present, 0 late, 0 absent")
    });
    assert!(
        shows(&harness, "Not here yet"),
        "Bob, within the grace period"
    );

    // Bob is seen by another kiosk on the same gallery: the open roll call shows him.
    Gallery::open(&db, MODEL)
        .unwrap()
        .record_visit(bob, frontdesk::gallery::now_ms(), 0.8, "kiosk:door-2")
        .unwrap();
    wait_for(&mut harness, "Bob's arrival", |h| {
        shows(h, "2 present, 0 late, 0 absent")
    });
    harness.get_by_label("Start roll call now").click();
    wait_for(&mut harness, "the new roll call", |h| {
        shows(h, "Roll call started")
    });

    // On the people screen, unticking the group's box takes her out of it.
    harness.get_by_label("People").click();
    wait_for(&mut harness, "the people list", |h| {
        shows(h, "Grace Hopper  (1 photos, 1 visits)")
    });
    harness
        .get_by_label("Grace Hopper  (1 photos, 1 visits)")
        .click();
    wait_for(&mut harness, "her groups", |h| shows(h, "Class 5B"));
    harness.get_by_label("Class 5B").click();
    wait_for(&mut harness, "the removal", |h| {
        shows(h, "Removed from the group")
    });
    let gallery = Gallery::open(&db, MODEL).unwrap();
    assert!(gallery.groups_of(grace).unwrap().is_empty());
}

/// A kiosk in use without a PIN: whoever presses Staff first cannot choose one and own everyone's
/// records; the prompt sends them to the computer.
#[test]
fn on_a_kiosk_in_use_the_first_pin_is_set_on_the_computer_not_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    prepared_gallery(&db, None);
    let mut harness = kiosk(&db);
    harness.get_by_label("Staff").click();
    wait_for(&mut harness, "the PIN prompt", |h| shows(h, "Staff PIN"));
    type_into(&mut harness, "PIN", "9753");
    harness.get_by_label("Unlock").click();
    wait_for(&mut harness, "the refusal", |h| {
        shows(h, "frontdesk set-pin")
    });
    assert!(!shows(&harness, "Repeat PIN"));
    assert!(harness.query_by_label("People").is_none());
    assert!(!Gallery::open(&db, MODEL).unwrap().pin_is_set().unwrap());
}

/// The staff screens have their own service: with recognition down (the models are missing), staff
/// can still unlock, see and erase people. Before, they queued behind the recognition worker and
/// got no answer at all once it could not start.
#[test]
fn the_staff_screens_answer_when_recognition_cannot_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    prepared_gallery(&db, Some("2468"));
    let mut config = Config::defaults().unwrap();
    config.models.detector = dir.path().join("missing-detector.onnx");
    let mut harness = crate::common::kiosk::kiosk_with(config, SourceSpec::Webcam(9), db.clone());
    wait_for(&mut harness, "the recognition failure", |h| {
        shows(h, "missing-detector.onnx")
    });
    unlock(&mut harness, "2468");
    wait_for(&mut harness, "the people list", |h| {
        shows(h, "Grace Hopper  (1 photos, 1 visits)")
    });
}
