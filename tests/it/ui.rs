//! The kiosk window driven through its real widgets with egui_kittest, on real frames and the real
//! recognition engine.

use crate::common::enroll_fixture;
use crate::common::kiosk::{kiosk, kiosk_with, shows, type_into, wait_for};
use egui_kittest::kittest::Queryable;
use frontdesk::camera::SourceSpec;
use frontdesk::gallery::{Gallery, NewPerson};

use crate::common::enrolled_obama_at_the_desk;

#[test]
fn capture_form_and_save_enrols_the_visitor_who_is_then_greeted() {
    let dir = tempfile::tempdir().unwrap();
    let frames = crate::common::still_frames(dir.path(), "faces/single/mpl_grace_hopper.jpg", 400);
    let db = dir.path().join("gallery.db");
    let mut config = frontdesk::config::Config::defaults().unwrap();
    config.kiosk.greeting_details = frontdesk::config::GreetingDetails::All(true);
    let mut harness = kiosk_with(config, SourceSpec::Images(frames), db.clone());

    wait_for(&mut harness, "an unknown visitor", |h| {
        shows(h, "New visitor")
    });
    harness.key_press(egui::Key::Space);
    wait_for(&mut harness, "the enrolment form", |h| {
        shows(h, "Enrol a new visitor")
    });
    assert!(shows(&harness, "Good picture") || shows(&harness, "You can save anyway"));

    // The name field has the keyboard: the receptionist types at once, and the space in the name
    // is typed, not a second Capture.
    harness.run_steps(1);
    assert!(harness.get_by_label("Name").is_focused());
    harness.get_by_label("Name").type_text("Grace");
    harness.key_press(egui::Key::Space);
    harness.get_by_label("Name").type_text(" Hopper");
    harness.run_steps(1);
    assert_eq!(
        harness
            .query_all_by_label_contains("Enrol a new visitor")
            .count(),
        1
    );
    harness.get_by_label("Notes").focus();
    harness.run_steps(1);
    harness
        .get_by_label("Notes")
        .type_text("Likes her tea strong");
    harness.run_steps(1);
    // Save stays disabled until consent is given.
    assert!(shows(&harness, "consent is required"));
    harness
        .get_by_label("The visitor agrees to be recognised by this kiosk")
        .click();
    harness.run_steps(2);
    harness.get_by_label("Save").click();

    wait_for(&mut harness, "the greeting", |h| {
        shows(h, "Welcome, Grace!")
    });
    assert!(shows(&harness, "Likes her tea strong"));
    assert!(!shows(&harness, "Enrol a new visitor"));

    drop(harness);
    let gallery = Gallery::open(&db, frontdesk::models::EMBEDDER.id).unwrap();
    let people = gallery.people().unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0].name, "Grace Hopper");
    assert_eq!(people[0].face_count, 1);
    assert!(people[0].consent_at.is_some());
    assert_eq!(
        gallery.visits(None, None, None).unwrap().len(),
        1,
        "one visit for one appearance"
    );
}

#[test]
fn capture_enrols_several_varied_looks_of_a_visitor_who_moves() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let clip = crate::common::fixture("video/feat_single_face.mp4");
    let mut harness = kiosk(SourceSpec::Video(clip), db.clone());
    wait_for(&mut harness, "an unknown visitor", |h| {
        shows(h, "New visitor")
    });
    // A second of the clip more: the tracker keeps the looks it embeds while the visitor talks.
    let started = std::time::Instant::now();
    wait_for(&mut harness, "a second more of the clip", |_| {
        started.elapsed() > std::time::Duration::from_secs(1)
    });
    harness.key_press(egui::Key::Space);
    wait_for(&mut harness, "the enrolment form", |h| {
        shows(h, "Enrol a new visitor")
    });
    type_into(&mut harness, "Name", "Pat Feat");
    harness
        .get_by_label("The visitor agrees to be recognised by this kiosk")
        .click();
    harness.run_steps(2);
    harness.get_by_label("Save").click();
    wait_for(&mut harness, "the confirmation", |h| {
        shows(h, "Saved Pat Feat")
    });

    drop(harness);
    let gallery = Gallery::open(&db, frontdesk::models::EMBEDDER.id).unwrap();
    let people = gallery.people().unwrap();
    assert_eq!(people.len(), 1);
    assert!(
        (2..=5).contains(&people[0].face_count),
        "the best look and up to four more: {}",
        people[0].face_count
    );
}

#[test]
fn the_public_screen_shows_camera_statistics_only_with_diagnostics_on() {
    for diagnostics in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let frames =
            crate::common::still_frames(dir.path(), "faces/single/mpl_grace_hopper.jpg", 400);
        let mut config = frontdesk::config::Config::defaults().unwrap();
        config.display.diagnostic_overlay = diagnostics;
        let db = dir.path().join("gallery.db");
        let mut harness = kiosk_with(config, SourceSpec::Images(frames), db);
        wait_for(&mut harness, "a visitor in view", |h| {
            shows(h, "New visitor")
        });
        harness.run_steps(2);
        assert_eq!(
            shows(&harness, " fps"),
            diagnostics,
            "diagnostics {diagnostics}"
        );
    }
}

#[test]
fn escape_cancels_enrolment_without_saving() {
    let dir = tempfile::tempdir().unwrap();
    let frames = crate::common::still_frames(dir.path(), "faces/single/ski_astronaut.png", 400);
    let db = dir.path().join("gallery.db");
    let mut harness = kiosk(SourceSpec::Images(frames), db.clone());

    wait_for(&mut harness, "a face to capture", |h| {
        shows(h, "New visitor")
    });
    harness.get_by_label("Capture (Space)").click();
    wait_for(&mut harness, "the enrolment form", |h| {
        shows(h, "Enrol a new visitor")
    });
    type_into(&mut harness, "Name", "Eileen");
    harness.key_press(egui::Key::Escape);
    harness.run_steps(3);
    assert!(!shows(&harness, "Enrol a new visitor"));
    assert!(shows(&harness, "New visitor"));

    drop(harness);
    let gallery = Gallery::open(&db, frontdesk::models::EMBEDDER.id).unwrap();
    assert!(gallery.people().unwrap().is_empty());
}

#[test]
fn capturing_someone_already_enrolled_offers_to_add_the_photo() {
    let dir = tempfile::tempdir().unwrap();
    let (frames, db) = enrolled_obama_at_the_desk(dir.path());
    let mut harness = kiosk(SourceSpec::Images(frames), db.clone());
    wait_for(&mut harness, "the greeting", |h| {
        shows(h, "Welcome back, Barack!") || shows(h, "Welcome, Barack!")
    });
    harness.key_press(egui::Key::Space);
    wait_for(&mut harness, "the duplicate warning", |h| {
        shows(h, "already looks like Barack Obama")
    });
    harness.get_by_label("Add photo to Barack Obama").click();
    wait_for(&mut harness, "the confirmation", |h| {
        shows(h, "Added the photo to Barack Obama")
    });

    drop(harness);
    let gallery = Gallery::open(&db, frontdesk::models::EMBEDDER.id).unwrap();
    let people = gallery.people().unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0].face_count, 2);
}

#[test]
fn missing_camera_shows_a_banner_and_keeps_retrying() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = kiosk(SourceSpec::Webcam(7), dir.path().join("gallery.db"));
    wait_for(&mut harness, "the camera banner", |h| {
        shows(h, "Camera unavailable")
    });
    assert!(shows(&harness, "Retrying in the background"));
    // Nobody in view: the attract screen, not a stale picture.
    assert!(shows(&harness, "Step up to the counter"));
}

#[test]
fn not_this_person_stops_the_wrong_greeting() {
    let dir = tempfile::tempdir().unwrap();
    let (frames, db) = enrolled_obama_at_the_desk(dir.path());
    let mut harness = kiosk(SourceSpec::Images(frames), db);
    wait_for(&mut harness, "the greeting", |h| shows(h, "Barack!"));
    harness.get_by_label("Not Barack").click();
    wait_for(&mut harness, "the correction", |h| {
        shows(h, "will not be greeted as that person again")
    });
    // The same face is now treated as a new visitor, not greeted again.
    wait_for(&mut harness, "the face as unknown", |h| {
        shows(h, "New visitor")
    });
    harness.run_steps(20);
    assert!(!shows(&harness, "Barack!"));
}

#[test]
fn the_greeting_of_someone_erased_from_another_program_disappears() {
    let dir = tempfile::tempdir().unwrap();
    let (frames, db) = enrolled_obama_at_the_desk(dir.path());
    let mut harness = kiosk(SourceSpec::Images(frames), db.clone());
    wait_for(&mut harness, "the greeting", |h| shows(h, "Barack!"));

    let erased = std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("--db")
        .arg(&db)
        .args(["people", "delete", "1"])
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        erased.status.success(),
        "{}",
        String::from_utf8_lossy(&erased.stderr)
    );
    wait_for(&mut harness, "the greeting to go", |h| !shows(h, "Barack"));
    // The face stays in view and is now a stranger; the name never comes back.
    wait_for(&mut harness, "the face as unknown", |h| {
        shows(h, "New visitor")
    });
    harness.run_steps(20);
    assert!(!shows(&harness, "Barack"));
}

#[test]
fn the_greeting_keeps_details_private_unless_the_kiosk_is_set_to_show_them() {
    let dir = tempfile::tempdir().unwrap();
    let frames = crate::common::still_frames(dir.path(), "faces/barack_obama/fr_obama2.jpg", 400);
    let db = dir.path().join("gallery.db");
    let person = NewPerson {
        name: "Barack Obama".into(),
        details: [("notes".to_owned(), "Prefers the corner table".to_owned())].into(),
        consent: true,
    };
    enroll_fixture(&db, &person, "faces/barack_obama/fr_obama.jpg");
    let mut harness = kiosk(SourceSpec::Images(frames), db);
    wait_for(&mut harness, "the greeting", |h| shows(h, "Barack!"));
    assert!(shows(&harness, "Visit number 1"));
    assert!(!shows(&harness, "Prefers the corner table"));
}

#[test]
fn the_window_serves_the_api_and_its_event_stream_when_asked_to() {
    let dir = tempfile::tempdir().unwrap();
    let (frames, db) = enrolled_obama_at_the_desk(dir.path());
    let token = Gallery::open(&db, frontdesk::models::EMBEDDER.id)
        .unwrap()
        .create_api_token("screen")
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = frontdesk::config::Config::defaults().unwrap();
    config.api.listen = format!("127.0.0.1:{port}");
    let mut harness = kiosk_with(config, SourceSpec::Images(frames), db);
    wait_for(&mut harness, "the greeting", |h| shows(h, "Barack!"));

    // The recognition the window showed is on its event stream.
    let response = ureq::get(&format!("http://127.0.0.1:{port}/api/v1/events"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Last-Event-ID", "0")
        .call()
        .unwrap();
    let recognized =
        std::io::BufRead::lines(std::io::BufReader::new(response.into_body().into_reader()))
            .map(Result::unwrap)
            .filter_map(|line| line.strip_prefix("data: ").map(str::to_owned))
            .find(|data| data.contains("\"recognized\""))
            .unwrap();
    assert!(recognized.contains("Barack Obama"), "{recognized}");
}

#[test]
fn a_member_arriving_for_a_lesson_is_told_they_are_on_time() {
    let dir = tempfile::tempdir().unwrap();
    let (frames, db) = enrolled_obama_at_the_desk(dir.path());
    {
        let mut gallery = Gallery::open(&db, frontdesk::models::EMBEDDER.id).unwrap();
        let obama = gallery.people().unwrap()[0].id;
        let class = gallery
            .create_group("Class 5B", None, frontdesk::gallery::DEFAULT_GRACE)
            .unwrap();
        gallery.add_member(class, obama).unwrap();
        gallery
            .start_session(class, frontdesk::gallery::now_ms())
            .unwrap();
    }
    let mut config = frontdesk::config::Config::defaults().unwrap();
    config.kiosk.greeting_details = frontdesk::config::GreetingDetails::All(true);
    let mut harness = kiosk_with(config, SourceSpec::Images(frames), db);
    wait_for(&mut harness, "the greeting", |h| {
        shows(h, "Welcome, Barack!")
    });
    assert!(shows(&harness, "You're on time for Class 5B."));
}
