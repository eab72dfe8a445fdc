//! Scheduled backups as staff see them on the kiosk's screens.

use crate::common::kiosk::{kiosk_with, shows, type_into, wait_for};
use egui_kittest::kittest::Queryable;
use frontdesk::backup::schedule::{backups_in, status_file};
use frontdesk::camera::SourceSpec;
use frontdesk::config::Config;
use frontdesk::gallery::{Gallery, NewPerson};

#[test]
fn the_kiosk_backs_up_by_itself_and_staff_see_when_it_last_did() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let backups = dir.path().join("usb-stick/frontdesk");
    let person = NewPerson {
        name: "Grace Hopper".into(),
        details: Default::default(),
        consent: true,
    };
    crate::common::enroll_fixture(&db, &person, "faces/single/mpl_grace_hopper.jpg");
    Gallery::open(&db, frontdesk::models::EMBEDDER.id)
        .unwrap()
        .set_pin("2468")
        .unwrap();
    let mut config = Config::defaults().unwrap();
    config.backup.dir = backups.clone();
    config.fleet.kiosk = "north".into();

    let mut harness = kiosk_with(config, SourceSpec::Webcam(9), db);
    harness.get_by_label("Staff").click();
    wait_for(&mut harness, "the PIN prompt", |h| shows(h, "Staff PIN"));
    type_into(&mut harness, "PIN", "2468");
    harness.get_by_label("Unlock").click();
    wait_for(&mut harness, "staff mode", |h| shows(h, "Lock"));
    harness.get_by_label("People").click();
    wait_for(&mut harness, "the first backup on the staff screen", |h| {
        shows(h, "Backups: last backup 0 min ago")
    });
    let files = backups_in(&backups).unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(backups.join(status_file("north")).is_file());
}

#[test]
fn a_failed_backup_is_shown_to_staff() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    std::fs::write(
        backups.join(status_file("north")),
        format!(
            r#"{{"last_success_at": null, "last_file": null, "last_attempt_at": {}, "last_error": "no space left on device"}}"#,
            frontdesk::gallery::now_ms()
        ),
    )
    .unwrap();
    Gallery::open(&db, frontdesk::models::EMBEDDER.id)
        .unwrap()
        .set_pin("2468")
        .unwrap();
    let mut config = Config::defaults().unwrap();
    config.backup.dir = backups;
    config.fleet.kiosk = "north".into();
    let mut harness = kiosk_with(config, SourceSpec::Webcam(9), db);
    harness.get_by_label("Staff").click();
    wait_for(&mut harness, "the PIN prompt", |h| shows(h, "Staff PIN"));
    type_into(&mut harness, "PIN", "2468");
    harness.get_by_label("Unlock").click();
    wait_for(&mut harness, "staff mode", |h| shows(h, "Lock"));
    harness.get_by_label("People").click();
    wait_for(&mut harness, "the failure on the staff screen", |h| {
        shows(h, "the last backup FAILED: no space left on device")
    });
}
