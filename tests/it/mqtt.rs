//! MQTT from a running `frontdesk serve` to a real mosquitto broker started on a free port:
//! events, Home Assistant discovery, the sensors' states and the last will.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rumqttc::{Client, Event, MqttOptions, Packet, QoS};

/// A throw-away mosquitto on 127.0.0.1; stopped when dropped.
pub struct Broker {
    child: Child,
    pub port: u16,
}

impl Broker {
    pub fn start(dir: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.join("mosquitto.conf");
        // As root, mosquitto drops to its own user; let it run as whoever runs the test instead.
        let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
        std::fs::write(
            &config,
            format!("listener {port} 127.0.0.1\nallow_anonymous true\nuser {user}\n"),
        )
        .unwrap();
        let mosquitto = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("mosquitto is not installed: packaging/setup-dev.sh installs it");
        let child = Command::new(mosquitto)
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `frontdesk serve` that is killed when dropped, so that a failing test leaves none behind.
struct Kiosk(Child);

impl Kiosk {
    fn serve(db: &Path, config: &Path, frames: &Path) -> Self {
        let child = crate::common::frontdesk_cli(db, config)
            .args(["serve", "--listen", "127.0.0.1:0", "--source"])
            .arg(format!("images:{}", frames.display()))
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Self(child)
    }
}

impl Drop for Kiosk {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Everything published under frontdesk/# and homeassistant/#, newest payload per topic, plus
/// every event message in order.
pub struct Subscriber {
    connection: rumqttc::Connection,
    latest: HashMap<String, String>,
    events: Vec<serde_json::Value>,
}

impl Subscriber {
    pub fn start(port: u16) -> Self {
        // Each subscriber its own client id: a second connection with the same id would take
        // over the first's session.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let number = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (client, connection) = Client::new(
            MqttOptions::new(format!("test-subscriber-{number}"), "127.0.0.1", port),
            64,
        );
        client.subscribe("frontdesk/#", QoS::AtLeastOnce).unwrap();
        client
            .subscribe("homeassistant/#", QoS::AtLeastOnce)
            .unwrap();
        std::mem::forget(client);
        Self {
            connection,
            latest: HashMap::new(),
            events: Vec::new(),
        }
    }

    pub fn wait_for(&mut self, what: &str, done: impl Fn(&Self) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {:?}",
                self.latest
            );
            if let Ok(Ok(Event::Incoming(Packet::Publish(message)))) =
                self.connection.recv_timeout(Duration::from_millis(200))
            {
                let payload = String::from_utf8_lossy(&message.payload).into_owned();
                if message.topic.ends_with("/events") {
                    self.events.push(serde_json::from_str(&payload).unwrap());
                }
                self.latest.insert(message.topic.clone(), payload);
            }
        }
    }

    pub fn topic(&self, topic: &str) -> Option<&str> {
        self.latest.get(topic).map(String::as_str)
    }
}

/// Obama enrolled, `serve` showing him to a kiosk called "lobby" that publishes to a real broker,
/// and a subscriber that has seen him greeted. Dropped in this order: the kiosk, the broker, the
/// folder.
struct Lobby {
    kiosk: Kiosk,
    subscriber: Subscriber,
    broker: Broker,
    db: PathBuf,
    config: PathBuf,
    _dir: tempfile::TempDir,
}

impl Lobby {
    fn obama_greeted() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let broker = Broker::start(dir.path());
        let db = dir.path().join("gallery.db");
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[kiosk]\nimages_fps = 10.0\n\n[mqtt]\nurl = \"mqtt://127.0.0.1:{}\"\nkiosk = \"lobby\"\n",
                broker.port
            ),
        )
        .unwrap();
        crate::common::enroll_obama_cli(&db, &config);
        let frames =
            crate::common::still_frames(dir.path(), "faces/barack_obama/fr_obama2.jpg", 600);
        let mut subscriber = Subscriber::start(broker.port);
        let kiosk = Kiosk::serve(&db, &config, &frames);
        subscriber.wait_for("the greeting on the broker", |s| {
            s.topic("frontdesk/lobby/last_visitor") == Some("Barack Obama")
        });
        Self {
            kiosk,
            subscriber,
            broker,
            db,
            config,
            _dir: dir,
        }
    }
}

#[test]
fn events_discovery_sensors_and_the_last_will_reach_a_real_broker() {
    let mut lobby = Lobby::obama_greeted();
    let subscriber = &mut lobby.subscriber;
    assert_eq!(
        subscriber.topic("frontdesk/lobby/availability"),
        Some("online")
    );
    assert_eq!(
        subscriber.topic("frontdesk/lobby/visitors_today"),
        Some("1")
    );
    assert!(
        subscriber
            .events
            .iter()
            .any(|e| e["event"] == "recognized" && e["person"]["name"] == "Barack Obama")
    );
    for sensor in ["last_visitor", "visitors_today"] {
        let config: serde_json::Value = serde_json::from_str(
            subscriber
                .topic(&format!(
                    "homeassistant/sensor/frontdesk_lobby_{sensor}/config"
                ))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(config["state_topic"], format!("frontdesk/lobby/{sensor}"));
        assert_eq!(config["availability_topic"], "frontdesk/lobby/availability");
    }

    // A crash: the broker announces the last will.
    lobby.kiosk.0.kill().unwrap();
    lobby.kiosk.0.wait().unwrap();
    subscriber.wait_for("the last will", |s| {
        s.topic("frontdesk/lobby/availability") == Some("offline")
    });
}

#[test]
fn erasing_the_last_visitor_clears_the_retained_message_that_names_them() {
    let mut lobby = Lobby::obama_greeted();

    // Erased from another process, while `serve` runs.
    let listed = crate::common::frontdesk_cli(&lobby.db, &lobby.config)
        .args(["people", "list", "--json"])
        .output()
        .unwrap();
    let person: serde_json::Value =
        serde_json::from_slice(listed.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    let deleted = crate::common::frontdesk_cli(&lobby.db, &lobby.config)
        .args(["people", "delete", &person["id"].to_string()])
        .output()
        .unwrap();
    assert!(deleted.status.success(), "{deleted:?}");
    lobby.subscriber.wait_for("the retained name cleared", |s| {
        s.topic("frontdesk/lobby/last_visitor") == Some("")
    });

    // A client connecting now is told no name: the broker keeps nothing for the topic.
    let mut late = Subscriber::start(lobby.broker.port);
    let until = Instant::now() + Duration::from_secs(2);
    late.wait_for("two seconds of retained messages", |_| {
        Instant::now() > until
    });
    assert_eq!(late.topic("frontdesk/lobby/last_visitor"), None);
    assert_eq!(
        late.topic("frontdesk/lobby/availability"),
        Some("online"),
        "the late client did receive the retained messages that remain"
    );
}
