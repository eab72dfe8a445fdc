//! The kiosk window's host: what the worker announces reaches webhooks and MQTT on the host's
//! threads, without the API and without the window's UI thread writing to the database.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use frontdesk::camera::SourceSpec;
use frontdesk::config::{Config, WebhookConfig};
use tracing_subscriber::layer::SubscriberExt as _;

use crate::common::kiosk::{kiosk_with, shows, wait_for};
use crate::mqtt::{Broker, Subscriber};
use crate::webhooks::Receiver;

/// Where each log event came from (`target`: the module) and what it said.
type Log = Arc<Mutex<Vec<(String, String)>>>;

/// Records the log events of the thread it is made the default on.
struct Recorder(Log);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        let target = event.metadata().target().to_owned();
        self.0.lock().unwrap().push((target, message.0));
    }
}

/// A recognised visitor at a window whose config asks for webhooks and MQTT but not the API: both
/// hear of him, and the thread that draws the window (this test's thread, where the harness runs
/// `logic` and `ui`) neither announces nor queues a webhook, which is a database write.
#[test]
fn a_window_without_the_api_sends_webhooks_and_mqtt_from_off_its_ui_thread() {
    let dir = tempfile::tempdir().unwrap();
    let broker = Broker::start(dir.path());
    let hook_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let receiver = Receiver::start(hook_port);
    let (frames, db) = crate::common::enrolled_obama_at_the_desk(dir.path());
    let mut config = Config::defaults().unwrap();
    assert!(config.api.listen.is_empty(), "the API stays off");
    config.mqtt.url = format!("mqtt://127.0.0.1:{}", broker.port);
    config.mqtt.kiosk = "lobby".into();
    config.webhook.push(WebhookConfig {
        url: format!("http://127.0.0.1:{hook_port}/hook"),
        secret: "shared-with-the-crm-0123456789".into(),
        events: Vec::new(),
    });
    let mut subscriber = Subscriber::start(broker.port);

    let log = Log::default();
    let ui_thread_log = tracing_subscriber::registry().with(Recorder(Arc::clone(&log)));
    let _only_this_thread = tracing::subscriber::set_default(ui_thread_log);
    let mut harness = kiosk_with(config, SourceSpec::Images(frames), db);
    wait_for(&mut harness, "the greeting", |h| shows(h, "Barack!"));
    subscriber.wait_for("the greeting on the broker", |s| {
        s.topic("frontdesk/lobby/last_visitor") == Some("Barack Obama")
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    while !receiver
        .inbox
        .lock()
        .unwrap()
        .iter()
        .any(|hook| hook.body.contains("\"recognized\""))
    {
        assert!(Instant::now() < deadline, "no recognized webhook arrived");
        harness.run_steps(1);
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(harness);

    let recorded = log.lock().unwrap();
    let announced_here: Vec<_> = recorded
        .iter()
        .filter(|(target, _)| {
            [
                "frontdesk::integrations",
                "frontdesk::webhooks",
                "frontdesk::mqtt",
            ]
            .iter()
            .any(|module| target.starts_with(module))
        })
        .collect();
    assert!(
        announced_here.is_empty(),
        "the UI thread announced or queued: {announced_here:?}"
    );
}

/// The staff screens' service answers while the recognition worker is stuck: here in a database
/// write that waits for another program's (the retention purge it makes when it starts, held up by
/// a write lock this test keeps). Before the service existed, staff requests were served by the
/// worker between its other work, so the answer came only after the worker's write gave up.
#[test]
fn the_staff_service_answers_while_the_worker_is_stuck_in_a_write() {
    use frontdesk::recognizer::{RecognizerEvent, Worker};
    use frontdesk::staff_service::{StaffReply, StaffRequest, StaffService};

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gallery.db");
    crate::common::enroll_obama(&db);

    // Another program writing: it holds the gallery's write lock for the whole test.
    let mut other = rusqlite::Connection::open(&db).unwrap();
    let writing = other
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    writing
        .execute(
            "INSERT INTO audit_log (at, action, detail) VALUES (1, 'import', 'x')",
            [],
        )
        .unwrap();

    let engine = crate::common::engine();
    let gallery = frontdesk::gallery::Gallery::open(&db, engine.model_id()).unwrap();
    let config = Config::defaults().unwrap();
    let settings = frontdesk::recognizer::WorkerSettings {
        retention_days: 30,
        ..frontdesk::recognizer::WorkerSettings::from_config(&config, "test".into())
    };
    let slot = Arc::new(frontdesk::camera::FrameSlot::default());
    let (events, worker_events) = frontdesk::recognizer::event_channel();
    let worker = Worker::new(engine, gallery, settings)
        .spawn(Arc::clone(&slot), events, Box::new(|_| {}))
        .unwrap();
    // The worker reports its outlook first thing, then purges old visits: from here it waits on
    // the write lock.
    assert!(matches!(
        worker_events.recv_timeout(Duration::from_secs(60)).unwrap(),
        RecognizerEvent::Outlook(_)
    ));
    let staff = StaffService::start(config, db.clone(), Box::new(|| {})).unwrap();

    staff.send(StaffRequest::ListPeople);
    let reply = staff.recv_timeout(Duration::from_secs(60)).unwrap();
    let StaffReply::People(people) = reply else {
        panic!("no people list: {reply:?}");
    };
    assert_eq!(people[0].name, "Barack Obama");
    // The worker is still waiting on its write: the write's failure has not been reported yet.
    let reported: Vec<RecognizerEvent> = worker_events.try_iter().collect();
    assert!(
        !reported
            .iter()
            .any(|event| matches!(event, RecognizerEvent::Error(_))),
        "the answer came only after the worker's write gave up"
    );

    writing.rollback().unwrap();
    slot.close();
    drop(worker);
}
