//! The HTTP API of a running `frontdesk serve`, from outside, as an integration would use it.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::fixture;
use serde_json::Value;

/// A `frontdesk serve` on a free port of 127.0.0.1 with its own gallery; stopped when dropped.
struct Server {
    child: Child,
    base: String,
    db: PathBuf,
    config: PathBuf,
    /// The `TZ` of every command, so that the roll calls of the day do not depend on the hour.
    zone: String,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

impl Server {
    /// Obama enrolled (with consent) before the server starts, frames of him in view, a token.
    fn start(extra_config: &str) -> (Self, String) {
        Self::start_showing(extra_config, 600)
    }

    /// [`Server::start`] with `frames` frames of Obama (10 a second), after which the folder ends
    /// and he leaves the view.
    fn start_showing(extra_config: &str, frames: usize) -> (Self, String) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("gallery.db");
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            format!("[kiosk]\nimages_fps = 10.0\n{extra_config}"),
        )
        .unwrap();
        let frames =
            crate::common::still_frames(dir.path(), "faces/barack_obama/fr_obama2.jpg", frames);
        let zone = crate::common::noon_zone();
        let cli = |args: &[&str]| -> Value {
            let output = crate::common::frontdesk_cli(&db, &config)
                .env("TZ", &zone)
                .args(args)
                .arg("--json")
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            serde_json::from_slice(&output.stdout).unwrap()
        };
        let photo = fixture("faces/barack_obama/fr_obama.jpg");
        cli(&[
            "enroll",
            "--consent",
            "--name",
            "Barack Obama",
            photo.to_str().unwrap(),
        ]);
        let token = cli(&["api-token", "create", "door"])["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let port = free_port();
        let child = crate::common::frontdesk_cli(&db, &config)
            .env("TZ", &zone)
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--source",
            ])
            .arg(format!("images:{}", frames.display()))
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}/api/v1"),
            db,
            config,
            zone,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while server.get("/health", None).0 != 200 {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        (server, token)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = agent().get(&self.url(path));
        if let Some(token) = token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        match request.call() {
            Ok(response) => answer(response),
            Err(_) => (0, Value::Null),
        }
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        content_type: &str,
        body: &[u8],
    ) -> (u16, Value) {
        let url = self.url(path);
        let auth = format!("Bearer {token}");
        let response = match method {
            "POST" => agent()
                .post(&url)
                .header("Authorization", &auth)
                .header("Content-Type", content_type)
                .send(body),
            "PUT" => agent()
                .put(&url)
                .header("Authorization", &auth)
                .header("Content-Type", content_type)
                .send(body),
            "PATCH" => agent()
                .patch(&url)
                .header("Authorization", &auth)
                .header("Content-Type", content_type)
                .send(body),
            _ => agent().delete(&url).header("Authorization", &auth).call(),
        };
        answer(response.unwrap())
    }

    fn identify(&self, token: &str, photo: &str) -> (u16, Value) {
        self.send(
            "POST",
            "/identify",
            token,
            "image/jpeg",
            &std::fs::read(fixture(photo)).unwrap(),
        )
    }

    fn audit(&self) -> Vec<Value> {
        let output = crate::common::frontdesk_cli(&self.db, &self.config)
            .env("TZ", &self.zone)
            .args(["audit", "--json"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn answer(mut response: ureq::http::Response<ureq::Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A multipart/form-data body of text fields and files.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &Path)]) -> (String, Vec<u8>) {
    let boundary = "frontdesk-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, path) in files {
        let file_name = path.file_name().unwrap().to_string_lossy();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&std::fs::read(path).unwrap());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn named(answer: &Value) -> Vec<String> {
    answer["faces"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["person"]["name"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn tokens_guard_everything_but_health_and_a_wrong_one_is_slow() {
    let (server, token) = Server::start("");
    let (status, health) = server.get("/health", None);
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
    assert!(!health.to_string().contains("Obama"));

    assert_eq!(server.get("/people", None).0, 401);
    let started = Instant::now();
    let (status, body) = server.get("/people", Some("fd_not-a-real-token"));
    assert_eq!(status, 401);
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "no delay on a wrong token"
    );
    assert!(body["error"].as_str().unwrap().contains("api-token create"));

    let (status, people) = server.get("/people", Some(&token));
    assert_eq!(status, 200);
    assert_eq!(people[0]["name"], "Barack Obama");
    assert_eq!(server.get("/nowhere", Some(&token)).0, 404);
}

#[test]
fn identify_names_the_enrolled_survives_garbage_and_answers_40_at_once() {
    let (server, token) = Server::start("");
    let (status, answer) = server.identify(&token, "faces/barack_obama/fr_obama3.jpg");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(named(&answer), vec!["Barack Obama"]);
    let (_, stranger) = server.identify(&token, "faces/single/fr_biden.jpg");
    assert!(named(&stranger).is_empty());

    let (status, error) = server.send("POST", "/identify", &token, "image/jpeg", b"not an image");
    assert_eq!(status, 400);
    assert!(error["error"].as_str().unwrap().contains("not an image"));
    assert_eq!(server.get("/health", None).0, 200, "still healthy");

    let photo = std::fs::read(fixture("faces/barack_obama/fr_obama2.jpg")).unwrap();
    let answers: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..40)
            .map(|_| scope.spawn(|| server.send("POST", "/identify", &token, "image/jpeg", &photo)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(answers.len(), 40);
    for (status, answer) in &answers {
        assert_eq!(*status, 200, "{answer}");
        assert_eq!(named(answer), vec!["Barack Obama"]);
    }
}

#[test]
fn a_body_over_the_limit_gets_413() {
    let (server, token) = Server::start("[api]\nmax_body_mb = 1\n");
    let big = vec![0u8; 2 * 1024 * 1024];
    let (status, body) = server.send("POST", "/identify", &token, "image/jpeg", &big);
    assert_eq!(status, 413, "{body}");
    assert!(body["error"].is_string());
}

/// The events of a Server-Sent Events response, one `(id, data)` per event.
struct EventStream {
    lines: std::io::Lines<BufReader<ureq::BodyReader<'static>>>,
}

impl EventStream {
    /// `GET /events` with `Last-Event-ID: last_id`; the whole stream times out after `timeout`.
    fn open(server: &Server, token: &str, last_id: u64, timeout: Duration) -> Self {
        let response = agent()
            .get(&server.url("/events"))
            .header("Authorization", &format!("Bearer {token}"))
            .header("Last-Event-ID", &last_id.to_string())
            .config()
            .timeout_global(Some(timeout))
            .build()
            .call()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        Self {
            lines: BufReader::new(response.into_body().into_reader()).lines(),
        }
    }

    /// The next event; `None` when the stream ended, an error when reading failed (a timeout).
    fn next_event(&mut self) -> std::io::Result<Option<(u64, Value)>> {
        let (mut id, mut data) = (None, None);
        loop {
            let Some(line) = self.lines.next().transpose()? else {
                return Ok(None);
            };
            if let Some(value) = line.strip_prefix("id: ") {
                id = Some(value.parse::<u64>().unwrap());
            } else if let Some(value) = line.strip_prefix("data: ") {
                data = Some(serde_json::from_str::<Value>(value).unwrap());
            } else if line.is_empty()
                && let (Some(id), Some(data)) = (id.take(), data.take())
            {
                return Ok(Some((id, data)));
            }
            // Anything else is a keep-alive comment (`:`) or an empty line between them.
        }
    }

    /// The next event, which must come: a read error or the end of the stream fails the test.
    fn expect_event(&mut self, what: &str) -> (u64, Value) {
        match self.next_event() {
            Ok(Some(event)) => event,
            Ok(None) => panic!("the stream ended before {what}"),
            Err(e) => panic!("reading the stream failed before {what}: {e}"),
        }
    }
}

fn kinds(events: &[(u64, Value)]) -> Vec<(u64, String)> {
    events
        .iter()
        .map(|(id, event)| (*id, event["event"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn the_event_stream_tells_who_is_in_view_and_replays_what_was_missed_after_a_reconnect() {
    // Obama is in view for 6 s of frames; when the folder ends he leaves (a `left` event).
    let (server, token) = Server::start_showing("", 60);

    // A witness that never disconnects: every event the server publishes, in order.
    let (sender, witness) = std::sync::mpsc::sync_channel(1000);
    let mut witness_stream = EventStream::open(&server, &token, 0, Duration::from_secs(120));
    std::thread::Builder::new()
        .name("event stream witness".into())
        .spawn(move || {
            while let Ok(Some(event)) = witness_stream.next_event() {
                if sender.send(event).is_err() {
                    break;
                }
            }
        })
        .unwrap();

    // The client reads up to the recognition, then disconnects.
    let mut client = EventStream::open(&server, &token, 0, Duration::from_secs(120));
    let mut seen = Vec::new();
    let recognized = loop {
        let (id, event) = client.expect_event("the recognition");
        seen.push((id, event.clone()));
        if event["event"] == "recognized" {
            break event;
        }
    };
    drop(client);
    assert_eq!(recognized["person"]["name"], "Barack Obama");
    let last_id = seen.last().unwrap().0;

    // While it is away the folder ends and Obama leaves: the witness sees it.
    let mut published = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    while !published
        .iter()
        .any(|(id, event): &(u64, Value)| *id > last_id && event["event"] == "left")
    {
        let wait = deadline.saturating_duration_since(Instant::now());
        match witness.recv_timeout(wait) {
            Ok(event) => published.push(event),
            Err(e) => panic!("no `left` event after the recognition ({e}): {published:?}"),
        }
    }
    // Until the disconnection the client saw what the witness saw.
    let before: Vec<_> = published
        .iter()
        .filter(|(id, _)| *id <= last_id)
        .cloned()
        .collect();
    assert_eq!(
        seen, before,
        "the stream from the start differs from the witness's"
    );
    let missed: Vec<_> = published
        .iter()
        .filter(|(id, _)| *id > last_id)
        .cloned()
        .collect();
    let left = missed.iter().find(|(_, e)| e["event"] == "left").unwrap();
    assert_eq!(left.1["track"], recognized["track"], "{missed:?}");

    // Reconnecting with the last id it saw, it gets exactly what it missed, in order, at once: all
    // of it was published before this connection opened, so it can only come from the backlog.
    let mut resumed = EventStream::open(&server, &token, last_id, Duration::from_secs(30));
    let replayed: Vec<_> = missed
        .iter()
        .map(|_| resumed.expect_event("every missed event was replayed"))
        .collect();
    assert_eq!(kinds(&replayed), kinds(&missed));
    assert_eq!(replayed, missed);
}

#[test]
fn enrol_edit_and_erase_through_the_api_with_the_same_checks_and_the_audit_log() {
    let (server, token) = Server::start("");
    let biden = fixture("faces/single/fr_biden.jpg");
    let (content_type, body) = multipart(&[("name", "Joe Biden")], &[("image", &biden)]);
    let (status, refused) = server.send("POST", "/people", &token, &content_type, &body);
    assert_eq!(status, 422, "consent is required: {refused}");

    let obama = fixture("faces/barack_obama/fr_obama3.jpg");
    let (content_type, body) = multipart(
        &[("name", "Barack Again"), ("consent", "true")],
        &[("image", &obama)],
    );
    let (status, duplicate) = server.send("POST", "/people", &token, &content_type, &body);
    assert_eq!(status, 422, "{duplicate}");
    assert_eq!(duplicate["rejected"][0]["reason"], "already_enrolled");

    let (content_type, body) = multipart(
        &[
            ("name", "Joe Biden"),
            ("consent", "true"),
            ("detail.tea", "green"),
        ],
        &[("image", &biden)],
    );
    let (status, created) = server.send("POST", "/people", &token, &content_type, &body);
    assert_eq!(status, 201, "{created}");
    let id = created["person_id"].as_i64().unwrap();
    let (_, answer) = server.identify(&token, "faces/single/fr_biden.jpg");
    assert_eq!(named(&answer), vec!["Joe Biden"]);

    let patch = br#"{"details": {"tea": null, "coffee": "flat white"}}"#;
    let (status, edited) = server.send(
        "PATCH",
        &format!("/people/{id}"),
        &token,
        "application/json",
        patch,
    );
    assert_eq!(status, 200, "{edited}");
    assert_eq!(
        edited["details"],
        serde_json::json!({"coffee": "flat white"})
    );

    let (status, _) = server.send("DELETE", &format!("/people/{id}"), &token, "", b"");
    assert_eq!(status, 200);
    assert_eq!(server.get(&format!("/people/{id}"), Some(&token)).0, 404);
    let (_, answer) = server.identify(&token, "faces/single/fr_biden.jpg");
    assert!(named(&answer).is_empty(), "erased means erased");

    let audit = server.audit();
    for what in ["enrolled", "edited", "erased"] {
        assert!(
            audit.iter().any(|e| e["action"] == "api"
                && e["detail"].as_str().unwrap().starts_with("token door: ")
                && e["detail"].as_str().unwrap().contains(what)),
            "{what} not audited under the token's name: {audit:?}"
        );
    }
}

#[test]
fn the_compreface_endpoint_answers_as_double_take_expects() {
    let (server, token) = Server::start("");
    let recognize = |photo: &str| {
        let (content_type, body) = multipart(&[], &[("file", &fixture(photo))]);
        let response = agent()
            .post(&server.url("/recognition/recognize"))
            .header("x-api-key", &token)
            .header("Content-Type", &content_type)
            .send(&body[..])
            .unwrap();
        answer(response)
    };
    let (status, recognized) = recognize("faces/barack_obama/fr_obama3.jpg");
    assert_eq!(status, 200, "{recognized}");
    let face = &recognized["result"][0];
    assert_eq!(face["subjects"][0]["subject"], "Barack Obama");
    assert!(face["subjects"][0]["similarity"].as_f64().unwrap() > 0.5);
    for key in ["probability", "x_min", "y_min", "x_max", "y_max"] {
        assert!(face["box"][key].is_number(), "{key}");
    }
    assert!(face["box"]["x_max"].as_i64() > face["box"]["x_min"].as_i64());

    let (status, no_face) = recognize("negatives/skl_flower.jpg");
    assert_eq!((status, no_face["code"].as_i64()), (400, Some(28)));
}

#[test]
fn groups_and_their_roll_call_through_the_api() {
    let (server, token) = Server::start("");
    let json = "application/json";
    // Obama, in view of the server's camera, is logged as a visitor.
    let deadline = Instant::now() + Duration::from_secs(60);
    while server
        .get("/visits", Some(&token))
        .1
        .as_array()
        .is_none_or(Vec::is_empty)
    {
        assert!(Instant::now() < deadline, "no visit logged");
        std::thread::sleep(Duration::from_millis(100));
    }

    let (status, group) = server.send(
        "POST",
        "/groups",
        &token,
        json,
        br#"{"name": "Board", "schedule": {"days": "mon-fri", "start": "08:30"}}"#,
    );
    assert_eq!(status, 201, "{group}");
    assert_eq!(group["schedule"]["days"], "mon,tue,wed,thu,fri");
    let id = group["id"].as_i64().unwrap();
    let (status, again) = server.send("POST", "/groups", &token, json, br#"{"name": "board"}"#);
    assert_eq!(status, 422, "{again}");

    let (status, group) = server.send("PUT", &format!("/groups/{id}/members/1"), &token, json, b"");
    assert_eq!(status, 200, "{group}");
    assert_eq!(group["members"][0]["name"], "Barack Obama");
    let (status, _) = server.send(
        "PUT",
        &format!("/groups/{id}/members/99"),
        &token,
        json,
        b"",
    );
    assert_eq!(status, 404);

    // A roll call now: he arrived just before it, so he is present.
    let (status, _) = server.send("POST", &format!("/groups/{id}/sessions"), &token, json, b"");
    assert_eq!(status, 201);
    let (status, attendance) = server.get(&format!("/groups/{id}/attendance"), Some(&token));
    assert_eq!(status, 200, "{attendance}");
    let roll_call = attendance["roll_calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scheduled"] == false)
        .unwrap();
    assert_eq!(roll_call["members"][0]["status"], "present", "{attendance}");
    assert_eq!(attendance["summary"]["record"], "summary");
    let (status, bad) = server.get(&format!("/groups/{id}/attendance?day=friday"), Some(&token));
    assert_eq!(status, 400, "{bad}");

    let (status, group) = server.send(
        "PATCH",
        &format!("/groups/{id}"),
        &token,
        json,
        br#"{"name": "Board of directors", "schedule": null, "grace_seconds": 300}"#,
    );
    assert_eq!(status, 200, "{group}");
    assert_eq!(group["schedule"], Value::Null);
    assert_eq!(group["grace_seconds"], 300);

    let (status, _) = server.send("DELETE", &format!("/groups/{id}"), &token, json, b"");
    assert_eq!(status, 200);
    assert_eq!(server.get("/groups", Some(&token)).1, serde_json::json!([]));
    assert_eq!(
        server
            .get("/people", Some(&token))
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        server
            .audit()
            .iter()
            .any(|e| e["detail"] == format!("token door: deleted group #{id}").as_str())
    );
}

#[test]
fn revoking_a_token_ends_its_open_event_stream_within_seconds() {
    let (server, token) = Server::start("");
    // Read from the start: Obama's events come, and the stream stays open while he is in view. A
    // stream still open when its 30 s are up fails to read.
    let mut stream = EventStream::open(&server, &token, 0, Duration::from_secs(30));
    stream.expect_event("the first event");

    let revoked = crate::common::frontdesk_cli(&server.db, &server.config)
        .env("TZ", &server.zone)
        .args(["api-token", "revoke", "door"])
        .output()
        .unwrap();
    assert!(revoked.status.success(), "{revoked:?}");
    // Whatever was already on its way may still arrive; then the server closes the stream.
    loop {
        match stream.next_event() {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => panic!("the stream stayed open after the token was revoked: {e}"),
        }
    }
    assert_eq!(server.get("/people", Some(&token)).0, 401);
}
