//! Webhooks from a running `frontdesk serve` to a receiver that is down, then up: every event
//! arrives once (by idempotency key), signed, even across a SIGKILL of the kiosk.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use serde_json::Value;

const SECRET: &str = "shared-with-the-crm-0123456789";

#[derive(Debug, Clone)]
pub struct Received {
    pub key: String,
    pub signature: String,
    pub body: String,
}

pub type Inbox = Arc<Mutex<Vec<Received>>>;

/// A webhook receiver on `port` that records every POST to /hook; stops when dropped.
pub struct Receiver {
    pub inbox: Inbox,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    pub fn start(port: u16) -> Self {
        let inbox: Inbox = Arc::default();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let app = axum::Router::new()
            .route(
                "/hook",
                axum::routing::post(
                    |axum::extract::State(inbox): axum::extract::State<Inbox>,
                     headers: HeaderMap,
                     body: String| async move {
                        let header = |name: &str| {
                            headers
                                .get(name)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_owned()
                        };
                        inbox.lock().unwrap().push(Received {
                            key: header("idempotency-key"),
                            signature: header("x-frontdesk-signature"),
                            body,
                        });
                        "ok"
                    },
                ),
            )
            .with_state(Arc::clone(&inbox));
        let thread = std::thread::Builder::new()
            .name("receiver".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stopped.await;
                        })
                        .await
                        .unwrap();
                });
            })
            .unwrap();
        Self {
            inbox,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(db: &Path, config: &Path, source: &str) -> Child {
    crate::common::frontdesk_cli(db, config)
        .args(["serve", "--listen", "127.0.0.1:0", "--source", source])
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// Queued deliveries and how many tries the first has had.
fn outbox(db: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT count(*), coalesce(max(attempts), 0) FROM webhook_outbox",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

fn wait_until(what: &str, within: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_receiver_down_then_up_gets_every_event_once_signed_across_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    let config = dir.path().join("config.toml");
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        &config,
        format!(
            "[kiosk]\nimages_fps = 10.0\n\n[[webhook]]\nurl = \"http://127.0.0.1:{port}/hook\"\n\
             secret = \"{SECRET}\"\nevents = [\"recognized\"]\n"
        ),
    )
    .unwrap();
    crate::common::enroll_obama_cli(&db, &config);
    let frames = crate::common::still_frames(dir.path(), "faces/barack_obama/fr_obama2.jpg", 600);

    // The receiver is down: the greeting waits in the outbox and is retried.
    let mut kiosk = serve(&db, &config, &format!("images:{}", frames.display()));
    wait_until("a failed delivery", Duration::from_secs(90), || {
        outbox(&db).1 >= 1
    });
    kiosk.kill().unwrap();
    kiosk.wait().unwrap();
    assert_eq!(
        outbox(&db).0,
        1,
        "one recognised visitor, one delivery queued"
    );

    // The receiver comes up, the kiosk restarts (nobody in view now): the queued event arrives.
    let receiver = Receiver::start(port);
    let no_face = crate::common::fixture("video/feat_no_face.mp4");
    let mut kiosk = serve(&db, &config, &format!("video:{}", no_face.display()));
    wait_until("the delivery", Duration::from_secs(90), || {
        !receiver.inbox.lock().unwrap().is_empty()
    });
    std::thread::sleep(Duration::from_secs(2));
    kiosk.kill().unwrap();
    kiosk.wait().unwrap();

    let inbox = receiver.inbox.lock().unwrap().clone();
    assert_eq!(inbox.len(), 1, "once: {inbox:?}");
    let delivery = &inbox[0];
    let event: Value = serde_json::from_str(&delivery.body).unwrap();
    assert_eq!(event["event"], "recognized");
    assert_eq!(event["person"]["name"], "Barack Obama");
    assert_eq!(event["id"].to_string(), delivery.key);
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(delivery.body.as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(delivery.signature, format!("sha256={expected}"));
    assert_eq!(outbox(&db).0, 0, "nothing left to send");
}
