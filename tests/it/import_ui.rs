//! The staff screen's import through the real widgets, while the kiosk runs.

use crate::common::kiosk::{kiosk, shows, type_into, wait_for};
use crate::common::person_folder;
use egui_kittest::kittest::Queryable;
use frontdesk::camera::SourceSpec;
use frontdesk::gallery::Gallery;

#[test]
fn staff_import_a_folder_of_people_from_the_staff_screen() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    Gallery::open(&db, frontdesk::models::EMBEDDER.id)
        .unwrap()
        .set_pin("2468")
        .unwrap();
    let import = dir.path().join("regulars");
    person_folder(&import, "John Salley", "John_Salley", 2);
    person_folder(&import, "John Simm", "John_Simm", 2);
    std::fs::write(
        import.join("people.csv"),
        "name,consent,loyalty\nJohn Salley,yes,L-1001\nJohn Simm,yes,L-1003\n",
    )
    .unwrap();

    let mut harness = kiosk(SourceSpec::Webcam(9), db.clone());
    harness.get_by_label("Staff").click();
    wait_for(&mut harness, "the PIN prompt", |h| shows(h, "Staff PIN"));
    type_into(&mut harness, "PIN", "2468");
    harness.get_by_label("Unlock").click();
    wait_for(&mut harness, "staff mode", |h| shows(h, "Lock"));
    harness.get_by_label("Import").click();
    harness.run_steps(2);
    type_into(&mut harness, "Folder", import.to_str().unwrap());
    harness.get_by_label("Start import").click();
    wait_for(&mut harness, "the import's end", |h| {
        shows(
            h,
            "Import finished: 2 imported, 0 already here, 0 not imported.",
        )
    });
    assert!(shows(&harness, "John Salley: imported with 2 photo(s)"));
    drop(harness);

    let gallery = Gallery::open(&db, frontdesk::models::EMBEDDER.id).unwrap();
    let people = gallery.people().unwrap();
    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["John Salley", "John Simm"]);
    assert_eq!(people[0].details["loyalty"], "L-1001");
    assert!(
        people
            .iter()
            .all(|p| p.consent_at.is_some() && p.face_count == 2)
    );
}
