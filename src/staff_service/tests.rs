use std::time::Duration;

use super::*;
use crate::gallery::test_support::{face, person};

/// Far longer than any answer takes; a reply that never comes fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(30);

struct Kiosk {
    folder: tempfile::TempDir,
    db_path: PathBuf,
    service: StaffService,
}

/// A gallery file with Ada and Grace enrolled, and the service started on it.
fn kiosk() -> Kiosk {
    let folder = tempfile::tempdir().unwrap();
    let db_path = folder.path().join("gallery.db");
    let mut gallery = Gallery::open(&db_path, crate::models::EMBEDDER.id).unwrap();
    for (n, name) in ["Ada", "Grace"].into_iter().enumerate() {
        let mut look = face(n);
        look.model_id = crate::models::EMBEDDER.id.into();
        gallery.enroll(&person(name, &[], true), &[look]).unwrap();
    }
    drop(gallery);
    let service = StaffService::start(
        Config::defaults().unwrap(),
        db_path.clone(),
        Box::new(|| {}),
    )
    .unwrap();
    Kiosk {
        folder,
        db_path,
        service,
    }
}

impl Kiosk {
    fn ask(&self, request: StaffRequest) -> StaffReply {
        self.service.send(request);
        self.service.recv_timeout(PATIENCE).unwrap()
    }

    fn people(&self) -> Vec<String> {
        match self.ask(StaffRequest::ListPeople) {
            StaffReply::People(people) => people.into_iter().map(|p| p.name).collect(),
            other => panic!("asked for people, got {other:?}"),
        }
    }
}

#[test]
fn the_people_list_comes_from_the_gallery_file() {
    let kiosk = kiosk();
    let mut names = kiosk.people();
    names.sort();
    assert_eq!(names, ["Ada", "Grace"]);
}

#[test]
fn a_change_made_by_another_connection_is_seen_at_the_next_request() {
    let kiosk = kiosk();
    assert_eq!(kiosk.people().len(), 2);
    let mut elsewhere = Gallery::open(&kiosk.db_path, crate::models::EMBEDDER.id).unwrap();
    let ada = elsewhere.people().unwrap()[0].id;
    elsewhere.delete_person(ada).unwrap();
    assert_eq!(kiosk.people().len(), 1);
}

#[test]
fn erasing_someone_twice_says_they_were_already_deleted() {
    let kiosk = kiosk();
    let StaffReply::People(people) = kiosk.ask(StaffRequest::ListPeople) else {
        panic!("no people list");
    };
    let id = people[0].id;
    assert!(matches!(
        kiosk.ask(StaffRequest::DeletePerson(id)),
        StaffReply::Done(StaffDone::PersonDeleted)
    ));
    assert!(matches!(
        kiosk.ask(StaffRequest::DeletePerson(id)),
        StaffReply::Failed(StaffError::AlreadyDeleted)
    ));
    assert!(matches!(
        kiosk.ask(StaffRequest::LoadPerson(id)),
        StaffReply::PersonGone(gone) if gone == id
    ));
}

#[test]
fn an_export_never_writes_into_an_existing_folder() {
    let kiosk = kiosk();
    let StaffReply::People(people) = kiosk.ask(StaffRequest::ListPeople) else {
        panic!("no people list");
    };
    let folder = kiosk.folder.path().join("export");
    std::fs::create_dir(&folder).unwrap();
    let reply = kiosk.ask(StaffRequest::ExportPerson {
        person_id: people[0].id,
        folder: folder.clone(),
    });
    assert!(matches!(reply, StaffReply::Failed(StaffError::FolderExists(f)) if f == folder));
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
}

#[test]
fn saved_settings_come_back_to_be_put_in_force_and_are_audited() {
    let kiosk = kiosk();
    let mut config = Config::defaults().unwrap();
    config.kiosk.retention_days = 30;
    let path = kiosk.folder.path().join("config.toml");
    let reply = kiosk.ask(StaffRequest::SaveSettings {
        config: Box::new(config.clone()),
        path: path.clone(),
    });
    let StaffReply::Done(StaffDone::SettingsSaved { config: saved, .. }) = reply else {
        panic!("settings not saved: {reply:?}");
    };
    assert_eq!(saved.kiosk.retention_days, 30);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("retention_days = 30")
    );
    let StaffReply::Audit(entries) = kiosk.ask(StaffRequest::AuditLog) else {
        panic!("no audit log");
    };
    assert!(entries.iter().any(|entry| entry.action == "settings"));
}

#[test]
fn a_gallery_that_cannot_be_opened_is_reported_on_every_request() {
    let folder = tempfile::tempdir().unwrap();
    // A folder where the gallery file should be.
    let service = StaffService::start(
        Config::defaults().unwrap(),
        folder.path().to_path_buf(),
        Box::new(|| {}),
    )
    .unwrap();
    for _ in 0..2 {
        service.send(StaffRequest::ListPeople);
        let reply = service.recv_timeout(PATIENCE).unwrap();
        assert!(
            matches!(reply, StaffReply::Failed(StaffError::GalleryUnavailable(_))),
            "{reply:?}"
        );
    }
}

#[test]
fn a_missing_photo_file_names_the_file() {
    let kiosk = kiosk();
    let StaffReply::People(people) = kiosk.ask(StaffRequest::ListPeople) else {
        panic!("no people list");
    };
    let path = kiosk.folder.path().join("nowhere.jpg");
    let reply = kiosk.ask(StaffRequest::AddPhotoFile {
        person_id: people[0].id,
        path: path.clone(),
    });
    assert!(
        matches!(&reply, StaffReply::Failed(StaffError::PhotoUnreadable { path: p, .. }) if *p == path),
        "{reply:?}"
    );
}

/// On a kiosk already in use, nobody who walks up can become staff by choosing the first PIN: the
/// window sends them to the computer. Setting up a new kiosk (nobody enrolled) it may, once.
#[test]
fn the_first_pin_is_chosen_in_the_window_only_before_anyone_is_enrolled() {
    let kiosk = kiosk();
    assert!(matches!(
        kiosk.ask(StaffRequest::CheckPin("1234".into())),
        StaffReply::Failed(StaffError::FirstPinOnTheComputer)
    ));
    assert!(matches!(
        kiosk.ask(StaffRequest::SetPin("1234".into())),
        StaffReply::Failed(StaffError::FirstPinOnTheComputer)
    ));

    let folder = tempfile::tempdir().unwrap();
    let service = StaffService::start(
        Config::defaults().unwrap(),
        folder.path().join("new.db"),
        Box::new(|| {}),
    )
    .unwrap();
    let ask = |request| {
        service.send(request);
        service.recv_timeout(PATIENCE).unwrap()
    };
    assert!(matches!(
        ask(StaffRequest::CheckPin("1234".into())),
        StaffReply::Pin(PinCheck::NotSet)
    ));
    assert!(matches!(
        ask(StaffRequest::SetPin("1234".into())),
        StaffReply::Done(StaffDone::PinSet)
    ));
    assert!(matches!(
        ask(StaffRequest::SetPin("9999".into())),
        StaffReply::Failed(StaffError::PinAlreadySet)
    ));
    assert!(matches!(
        ask(StaffRequest::CheckPin("1234".into())),
        StaffReply::Pin(PinCheck::Accepted)
    ));
}
