//! The staff roll call screen through its real widgets, fed the roll calls the library derives from
//! a real gallery: who is present, late or absent, the live update as someone arrives, "start roll
//! call now", a new group and the CSV export.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use frontdesk::attendance::Calendar;
use frontdesk::gallery::{DEFAULT_GRACE, Gallery, GroupId, NewPerson, PersonId, now_ms};
use frontdesk::staff_service::{AttendanceQuery, StaffRequest};
use frontdesk::ui::{Language, RollCallScreen, Texts};

const MINUTE: i64 = 60_000;

type Screen = (RollCallScreen, Vec<StaffRequest>);

fn enrol(gallery: &mut Gallery, name: &str) -> PersonId {
    let person = NewPerson {
        name: name.into(),
        details: Default::default(),
        consent: true,
    };
    gallery.enroll(&person, &[]).unwrap()
}

fn harness(screen: RollCallScreen) -> Harness<'static, Screen> {
    harness_in(screen, Language::English)
}

fn harness_in(screen: RollCallScreen, language: Language) -> Harness<'static, Screen> {
    let texts = Texts::new(language);
    Harness::builder()
        .with_size([1000.0, 900.0])
        .build_ui_state(
            move |ui, (screen, outbox): &mut Screen| screen.roll_call_ui(ui, outbox, &texts),
            (screen, Vec::new()),
        )
}

/// The moment the roll-call tests play at: noon today, so that a lesson twenty minutes old and an
/// arrival now fall on one day whatever the clock says (a session's arrivals end at midnight).
fn noon_today() -> i64 {
    jiff::Zoned::now()
        .with()
        .hour(12)
        .minute(0)
        .second(0)
        .subsec_nanosecond(0)
        .build()
        .unwrap()
        .timestamp()
        .as_millisecond()
}

/// Answers the screen's request for roll calls as the staff service does, at `now`.
fn serve(harness: &mut Harness<'_, Screen>, gallery: &Gallery, query: AttendanceQuery, now: i64) {
    let calendar = Calendar {
        now,
        ..Calendar::now(0)
    };
    let today = calendar.today().unwrap();
    let group = gallery.group(query.group).unwrap().unwrap();
    let attendance = frontdesk::attendance::attendance(
        gallery,
        &group,
        query.first_day.unwrap_or(today),
        query.last_day.unwrap_or(today),
        &calendar,
    )
    .unwrap();
    harness
        .state_mut()
        .0
        .set_attendance(attendance, calendar.now);
    harness.run();
}

fn take_requests(harness: &mut Harness<'_, Screen>) -> Vec<StaffRequest> {
    std::mem::take(&mut harness.state_mut().1)
}

fn shows(harness: &Harness<'_, Screen>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

fn type_into(harness: &mut Harness<'_, Screen>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

#[test]
fn the_roll_call_shows_who_is_here_and_follows_an_arrival() {
    let mut gallery = Gallery::open_in_memory(frontdesk::models::EMBEDDER.id).unwrap();
    let ada = enrol(&mut gallery, "Ada Lovelace");
    let bob = enrol(&mut gallery, "Bob Kahn");
    let cy = enrol(&mut gallery, "Cy Twombly");
    let class: GroupId = gallery
        .create_group("Class 5B", None, DEFAULT_GRACE)
        .unwrap();
    for person in [ada, bob, cy] {
        gallery.add_member(class, person).unwrap();
    }
    // The lesson started twenty minutes ago (its grace period is over); Ada came just before.
    let now = noon_today();
    let started = now - 20 * MINUTE;
    gallery.start_session(class, started).unwrap();
    gallery
        .record_visit(ada, started - 5 * MINUTE, 0.8, "kiosk")
        .unwrap();

    let mut screen = RollCallScreen::default();
    screen.set_groups(gallery.groups().unwrap());
    let mut harness = harness(screen);
    harness.run();

    // The period runs from the lesson's day (which may be yesterday just after midnight) to today.
    let lesson_day = jiff::Timestamp::from_millisecond(started)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::system())
        .date()
        .to_string();
    type_into(&mut harness, "From", &lesson_day);
    harness.get_by_label("Show").click();
    harness.run();
    let query = match take_requests(&mut harness).as_slice() {
        [StaffRequest::Attendance(query)] => *query,
        other => panic!("expected a request for roll calls, got {other:?}"),
    };
    assert_eq!(query.group, class);
    serve(&mut harness, &gallery, query, now);
    assert!(shows(&harness, "1 present, 0 late, 2 absent"));
    assert_eq!(harness.query_all_by_label("Absent").count(), 2);
    assert!(shows(&harness, "Present"));
    assert!(shows(&harness, "first seen"));
    assert!(shows(&harness, "1 of 1 sessions (100%)"));

    // Bob walks in now: after the grace period.
    gallery.record_visit(bob, now, 0.8, "kiosk").unwrap();
    serve(&mut harness, &gallery, query, now);
    assert!(shows(&harness, "1 present, 1 late, 1 absent"));
    assert!(shows(&harness, "Late"));
    assert_eq!(harness.query_all_by_label("Absent").count(), 1);

    harness.get_by_label("Start roll call now").click();
    harness.run();
    assert!(matches!(
        take_requests(&mut harness).as_slice(),
        [StaffRequest::StartRollCall(group)] if *group == class
    ));

    type_into(&mut harness, "CSV file", "/tmp/roll-call.csv");
    harness.get_by_label("Export CSV").click();
    harness.run();
    assert!(matches!(
        take_requests(&mut harness).as_slice(),
        [StaffRequest::ExportAttendanceCsv { query: asked, path }]
            if *asked == query && path.ends_with("roll-call.csv")
    ));

    type_into(&mut harness, "New group", "Chess club");
    harness.get_by_label("Create group").click();
    harness.run();
    assert!(matches!(
        take_requests(&mut harness).as_slice(),
        [StaffRequest::CreateGroup(name)] if name == "Chess club"
    ));
}

#[test]
fn the_roll_call_and_its_group_settings_speak_german() {
    let mut gallery = Gallery::open_in_memory(frontdesk::models::EMBEDDER.id).unwrap();
    let ada = enrol(&mut gallery, "Ada Lovelace");
    let class = gallery
        .create_group("Klasse 5B", None, DEFAULT_GRACE)
        .unwrap();
    gallery.add_member(class, ada).unwrap();
    let now = noon_today();
    let started = now - 20 * MINUTE;
    gallery.start_session(class, started).unwrap();
    gallery.record_visit(ada, started, 0.8, "kiosk").unwrap();
    let mut screen = RollCallScreen::default();
    screen.set_groups(gallery.groups().unwrap());
    let mut harness = harness_in(screen, Language::German);
    harness.run();
    let lesson_day = jiff::Timestamp::from_millisecond(started)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::system())
        .date();
    type_into(&mut harness, "Von", &lesson_day.to_string());
    harness.get_by_label("Anzeigen").click();
    harness.run();
    let query = match take_requests(&mut harness).as_slice() {
        [StaffRequest::Attendance(query)] => *query,
        other => panic!("expected a request for roll calls, got {other:?}"),
    };
    serve(&mut harness, &gallery, query, now);
    assert!(shows(&harness, "1 anwesend, 0 verspätet, 0 abwesend"));
    assert!(shows(&harness, "Anwesend"));
    assert!(shows(&harness, "zuerst gesehen um"));
    // Dates as Germans write them: 28.11.2026, not 2026-11-28.
    let german_day = lesson_day.strftime("%d.%m.%Y").to_string();
    assert!(shows(&harness, &format!("Anwesenheit vom {german_day}")));
    assert!(
        harness
            .query_by_label("Anwesenheit jetzt starten")
            .is_some()
    );

    harness.get_by_label("Gruppeneinstellungen").click();
    harness.run();
    type_into(&mut harness, "Trifft sich", "mon-fri");
    type_into(&mut harness, "Beginnt um", "h");
    harness.get_by_label("Zeitplan speichern").click();
    harness.run();
    assert!(shows(&harness, "„h“ ist keine Uhrzeit wie 09:00"));
}

#[test]
fn without_groups_the_screen_says_how_to_make_one() {
    let mut harness = harness(RollCallScreen::default());
    harness.run();
    assert!(shows(&harness, "No group yet"));
    assert!(harness.query_by_label("Start roll call now").is_none());
}

#[test]
fn staff_set_a_schedule_rename_and_delete_a_group() {
    let mut gallery = Gallery::open_in_memory(frontdesk::models::EMBEDDER.id).unwrap();
    let team = gallery.create_group("Team", None, DEFAULT_GRACE).unwrap();
    let mut screen = RollCallScreen::default();
    screen.set_groups(gallery.groups().unwrap());
    let mut harness = harness(screen);
    harness.run();
    harness.get_by_label("Group settings").click();
    harness.run();

    type_into(&mut harness, "Meets on", "mon-fri");
    type_into(&mut harness, "Starts at", "08:30");
    harness.get_by_label("Save schedule").click();
    harness.run();
    match take_requests(&mut harness).as_slice() {
        [
            StaffRequest::SetSchedule {
                group,
                schedule: Some(schedule),
                grace,
            },
        ] => {
            assert_eq!(*group, team);
            assert_eq!(schedule.weekdays.to_string(), "mon,tue,wed,thu,fri");
            assert_eq!(schedule.start.to_string(), "08:30:00");
            assert_eq!(*grace, DEFAULT_GRACE);
        }
        other => panic!("expected the schedule, got {other:?}"),
    }

    // A time that is not one is explained, and nothing is sent.
    type_into(&mut harness, "Starts at", "h");
    harness.get_by_label("Save schedule").click();
    harness.run();
    assert!(shows(&harness, "is not a time of day"));
    assert!(take_requests(&mut harness).is_empty());

    type_into(&mut harness, "Name", " A");
    harness.get_by_label("Rename").click();
    harness.run();
    assert!(matches!(
        take_requests(&mut harness).as_slice(),
        [StaffRequest::RenameGroup { group, name }] if *group == team && name == "Team A"
    ));

    harness.get_by_label("Delete group").click();
    harness.run();
    assert!(shows(&harness, "Its members stay enrolled"));
    harness.get_by_label("Yes, delete the group").click();
    harness.run();
    assert!(matches!(
        take_requests(&mut harness).as_slice(),
        [StaffRequest::DeleteGroup(group)] if *group == team
    ));
}

#[test]
fn a_roll_call_asks_again_once_its_grace_period_is_over() {
    let mut gallery = Gallery::open_in_memory(frontdesk::models::EMBEDDER.id).unwrap();
    let ada = enrol(&mut gallery, "Ada Lovelace");
    let class = gallery
        .create_group("Class 5B", None, DEFAULT_GRACE)
        .unwrap();
    gallery.add_member(class, ada).unwrap();
    let now = now_ms();
    gallery.start_session(class, now - 5 * MINUTE).unwrap();
    let mut screen = RollCallScreen::default();
    screen.set_groups(gallery.groups().unwrap());
    let group = gallery.group(class).unwrap().unwrap();
    let calendar = Calendar::now(0);
    let today = calendar.today().unwrap();
    let first_day = jiff::Timestamp::from_millisecond(now - 5 * MINUTE)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::system())
        .date();
    let attendance =
        frontdesk::attendance::attendance(&gallery, &group, first_day, today, &calendar).unwrap();
    screen.set_attendance(attendance, calendar.now);

    // Ada is awaited for five more minutes; then, unseen, she is absent.
    assert!(!screen.outdated(calendar.now + MINUTE));
    assert!(screen.outdated(calendar.now + 6 * MINUTE));
    screen.refresh_asked(calendar.now + 6 * MINUTE);
    assert!(!screen.outdated(calendar.now + 7 * MINUTE), "asked once");
}
