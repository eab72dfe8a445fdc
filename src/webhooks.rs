//! Webhooks: every event of the recognition loop is queued in the gallery (so a crash or restart
//! loses nothing) and POSTed to each configured receiver by a thread of its own, signed and with an
//! idempotency key, retried with back-off while the receiver is down.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use hmac::{Hmac, Mac};
use rusqlite::{Connection, params};
use sha2::Sha256;

use crate::config::WebhookConfig;
use crate::gallery::now_ms;
use crate::track_event::TrackEvent;

/// A delivery that failed for this long is dropped (and logged).
const GIVE_UP_AFTER_MS: i64 = 3 * 86_400_000;
/// The longest wait between two tries: a receiver back after an outage gets its events within it.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How often the sender looks for due deliveries.
const POLL: Duration = Duration::from_millis(250);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const BATCH: i64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("cannot open the webhook queue in {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("webhook queue error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot start the webhook sender: {0}")]
    Thread(#[source] std::io::Error),
}

fn open_queue(db_path: &Path) -> Result<Connection, WebhookError> {
    let open = |source| WebhookError::Open {
        path: db_path.to_path_buf(),
        source,
    };
    let conn = Connection::open(db_path).map_err(open)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(open)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(open)?;
    conn.pragma_update(None, "secure_delete", true)
        .map_err(open)?;
    Ok(conn)
}

/// Where events are queued for the configured receivers.
pub struct WebhookQueue {
    conn: Connection,
    hooks: Vec<WebhookConfig>,
}

impl WebhookQueue {
    /// The queue in the gallery at `db_path` (already opened, so migrated, by the gallery).
    pub fn open(db_path: &Path, hooks: Vec<WebhookConfig>) -> Result<Self, WebhookError> {
        Ok(Self {
            conn: open_queue(db_path)?,
            hooks,
        })
    }

    /// Queues `event` numbered `event_id` (its body is the object `watch --json` prints, with the
    /// number) for every receiver that wants its kind; returns how many deliveries were queued.
    pub fn enqueue(&mut self, event_id: u64, event: &TrackEvent) -> Result<usize, WebhookError> {
        let kind = event.kind.as_str();
        let person_id = event.person.as_ref().map(|(id, _)| *id);
        let mut body = event.to_json();
        body["id"] = serde_json::json!(event_id);
        let body = body.to_string();
        let now = now_ms();
        // The write lock from the start: a deferred transaction would fail at once when another
        // writer committed between its first read and its first write.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut queued = 0;
        for hook in &self.hooks {
            if !hook.events.is_empty() && !hook.events.contains(&event.kind) {
                continue;
            }
            queued += tx.execute(
                "INSERT OR IGNORE INTO webhook_outbox
                    (url, idempotency_key, event, body, person_id, next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![hook.url, event_id.to_string(), kind, body, person_id, now],
            )?;
        }
        tx.commit()?;
        tracing::debug!(event = kind, queued, "queued for the webhooks");
        Ok(queued)
    }
}

/// HMAC-SHA256 of `body` under `secret`, as `sha256=<hex>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!(
        "sha256={}",
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

/// The wait before try number `attempts + 1`: 1 s, 2 s, 4 s … up to [`MAX_BACKOFF`].
fn backoff(attempts: u32) -> Duration {
    Duration::from_secs(1u64 << attempts.min(6)).min(MAX_BACKOFF)
}

/// The threads that deliver queued events, one per receiver, so that a receiver that is down or
/// never answers delays nobody else's deliveries; they stop when this is dropped.
pub struct WebhookSender {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

struct Due {
    id: i64,
    key: String,
    event: String,
    body: String,
    attempts: u32,
    created_at: i64,
}

impl WebhookSender {
    pub fn start(db_path: &Path, hooks: Vec<WebhookConfig>) -> Result<Self, WebhookError> {
        drop_unconfigured(&open_queue(db_path)?, &hooks)?;
        let stop = Arc::new(AtomicBool::new(false));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(REQUEST_TIMEOUT))
            .http_status_as_error(false)
            .build()
            .into();
        let mut sender = Self {
            stop,
            threads: Vec::new(),
        };
        // One thread per receiver: a URL listed twice would have its deliveries sent twice.
        let mut urls = std::collections::HashSet::new();
        let receivers = hooks
            .into_iter()
            .filter(|hook| urls.insert(hook.url.clone()));
        for (number, hook) in receivers.enumerate() {
            let conn = open_queue(db_path)?;
            let stopping = Arc::clone(&sender.stop);
            let agent = agent.clone();
            let thread = std::thread::Builder::new()
                .name(format!("webhooks-{number}"))
                .spawn(move || deliver_until_stopped(&conn, &agent, &hook, &stopping))
                .map_err(WebhookError::Thread)?;
            sender.threads.push(thread);
        }
        Ok(sender)
    }
}

impl Drop for WebhookSender {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            if thread.join().is_err() {
                tracing::error!("a webhook sender panicked");
            }
        }
    }
}

/// Deliveries to receivers no longer in the config are dropped: nobody will take them.
fn drop_unconfigured(conn: &Connection, hooks: &[WebhookConfig]) -> Result<(), WebhookError> {
    let urls: Vec<String> = conn
        .prepare("SELECT DISTINCT url FROM webhook_outbox")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for url in urls
        .iter()
        .filter(|url| !hooks.iter().any(|h| &h.url == *url))
    {
        let dropped = conn.execute("DELETE FROM webhook_outbox WHERE url = ?1", [url])?;
        tracing::warn!(%url, dropped, "dropping deliveries to a webhook no longer configured");
    }
    Ok(())
}

/// One receiver's loop: its due deliveries, in order, until stopped.
fn deliver_until_stopped(
    conn: &Connection,
    agent: &ureq::Agent,
    hook: &WebhookConfig,
    stopping: &AtomicBool,
) {
    let mut last_error = None;
    while !stopping.load(Ordering::Relaxed) {
        if let Err(e) = deliver_due(conn, agent, hook) {
            let message = e.to_string();
            if last_error.as_ref() != Some(&message) {
                tracing::error!(url = %hook.url, error = %message, "webhook deliveries failed");
                last_error = Some(message);
            }
        }
        std::thread::sleep(POLL);
    }
}

/// Sends `hook`'s deliveries that are due, oldest first, up to the first that fails: the rest would
/// wait for the same receiver, and keep their order.
fn deliver_due(
    conn: &Connection,
    agent: &ureq::Agent,
    hook: &WebhookConfig,
) -> Result<(), WebhookError> {
    let now = now_ms();
    let due: Vec<Due> = conn
        .prepare_cached(
            "SELECT id, idempotency_key, event, body, attempts, created_at FROM webhook_outbox
             WHERE url = ?1 AND next_attempt_at <= ?2 ORDER BY id LIMIT ?3",
        )?
        .query_map(params![hook.url, now, BATCH], |r| {
            Ok(Due {
                id: r.get(0)?,
                key: r.get(1)?,
                event: r.get(2)?,
                body: r.get(3)?,
                attempts: r.get(4)?,
                created_at: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    for delivery in due {
        match send(agent, hook, &delivery) {
            Ok(()) => {
                conn.execute("DELETE FROM webhook_outbox WHERE id = ?1", [delivery.id])?;
            }
            Err(problem) if now - delivery.created_at > GIVE_UP_AFTER_MS => {
                tracing::error!(url = %hook.url, key = %delivery.key, %problem, "webhook delivery given up after 3 days");
                conn.execute("DELETE FROM webhook_outbox WHERE id = ?1", [delivery.id])?;
            }
            Err(problem) => {
                tracing::debug!(url = %hook.url, attempts = delivery.attempts + 1, %problem, "webhook delivery failed; will retry");
                let wait =
                    i64::try_from(backoff(delivery.attempts).as_millis()).unwrap_or(i64::MAX);
                conn.execute(
                    "UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?2,
                        last_error = ?3 WHERE id = ?1",
                    params![delivery.id, now + wait, problem],
                )?;
                return Ok(());
            }
        }
    }
    Ok(())
}

/// One POST; any answer but 2xx is a failure to retry.
fn send(agent: &ureq::Agent, hook: &WebhookConfig, delivery: &Due) -> Result<(), String> {
    let response = agent
        .post(&hook.url)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", &delivery.key)
        .header("X-Frontdesk-Event", &delivery.event)
        .header(
            "X-Frontdesk-Signature",
            &signature(&hook.secret, delivery.body.as_bytes()),
        )
        .send(delivery.body.as_bytes())
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the receiver answered {}", response.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EventKind;
    use crate::gallery::PersonId;

    /// A receiver at `url` that asks for `events` (every kind when empty).
    fn receiver(url: impl Into<String>, events: Vec<EventKind>) -> WebhookConfig {
        WebhookConfig {
            url: url.into(),
            secret: "0123456789abcdef".into(),
            events,
        }
    }

    /// An event of `kind` on track 1, about `person` when given.
    fn event(kind: EventKind, person: Option<(PersonId, &str)>) -> TrackEvent {
        TrackEvent {
            t_ms: 0,
            kind,
            track: 1,
            person: person.map(|(id, name)| (id, name.to_owned())),
            similarity: None,
        }
    }

    #[test]
    fn signature_is_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_receiver_is_sent_the_kinds_of_event_it_lists_and_all_when_it_lists_none() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("gallery.db");
        crate::gallery::Gallery::open(&db, "m1").unwrap();
        let kinds = EventKind::ALL;
        let mut event_id = 0;
        let mut queued_for = |events: Vec<EventKind>| -> Vec<usize> {
            let hook = receiver("https://crm.example.com/hook", events);
            let mut queue = WebhookQueue::open(&db, vec![hook]).unwrap();
            kinds
                .iter()
                .map(|kind| {
                    let event = event(*kind, None);
                    event_id += 1;
                    queue.enqueue(event_id, &event).unwrap()
                })
                .collect()
        };
        for (n, listed) in kinds.iter().enumerate() {
            let only_its_own: Vec<usize> = (0..kinds.len()).map(|m| usize::from(m == n)).collect();
            assert_eq!(queued_for(vec![*listed]), only_its_own, "{listed:?}");
        }
        assert_eq!(queued_for(Vec::new()), [1, 1, 1, 1]);
    }

    /// A visitor who withdraws their consent is no longer sent anywhere: their deliveries still
    /// waiting (a receiver that is down) are dropped; someone else's stay.
    #[test]
    fn withdrawn_consent_drops_the_persons_undelivered_webhooks() {
        use crate::gallery::test_support::{face, person};

        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("gallery.db");
        let mut gallery = crate::gallery::Gallery::open(&db, "m1").unwrap();
        let ada = gallery
            .enroll(&person("Ada", &[], true), &[face(0)])
            .unwrap();
        let grace = gallery
            .enroll(&person("Grace", &[], true), &[face(1)])
            .unwrap();
        let hook = receiver("https://crm.example.com/hook", Vec::new());
        let mut queue = WebhookQueue::open(&db, vec![hook]).unwrap();
        for (event_id, (id, name)) in [(ada, "Ada"), (grace, "Grace")].into_iter().enumerate() {
            let event = event(EventKind::Recognized, Some((id, name)));
            queue.enqueue(event_id as u64 + 1, &event).unwrap();
        }
        let waiting = |db: &std::path::Path| -> Vec<i64> {
            let conn = rusqlite::Connection::open(db).unwrap();
            let mut statement = conn
                .prepare("SELECT person_id FROM webhook_outbox ORDER BY person_id")
                .unwrap();
            statement
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(waiting(&db), [ada, grace]);
        gallery.withdraw_consent(ada).unwrap();
        assert_eq!(waiting(&db), [grace]);
    }

    /// A receiver that takes the connection and never answers holds up only its own deliveries:
    /// the other receiver has its event while that request still hangs.
    #[test]
    fn a_receiver_that_never_answers_delays_no_other() {
        use std::io::{Read as _, Write as _};
        use std::net::TcpListener;
        use std::sync::mpsc::sync_channel;

        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("gallery.db");
        crate::gallery::Gallery::open(&db, "m1").unwrap();
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let healthy = TcpListener::bind("127.0.0.1:0").unwrap();
        let hook = |listener: &TcpListener| {
            receiver(
                format!("http://{}/hook", listener.local_addr().unwrap()),
                Vec::new(),
            )
        };
        // The silent receiver comes first in the config and in the outbox.
        let hooks = vec![hook(&silent), hook(&healthy)];
        let event = event(EventKind::Arrived, None);
        WebhookQueue::open(&db, hooks.clone())
            .unwrap()
            .enqueue(1, &event)
            .unwrap();

        let (hung_up, silent_hung_up) = sync_channel(1);
        let test_over = Arc::new(AtomicBool::new(false));
        let silent_thread = std::thread::Builder::new()
            .name("silent-receiver".into())
            .spawn({
                let test_over = Arc::clone(&test_over);
                move || {
                    let (mut connection, _) = silent.accept().unwrap();
                    connection
                        .set_read_timeout(Some(Duration::from_millis(50)))
                        .unwrap();
                    let mut buffer = [0u8; 4096];
                    // Read what comes and answer nothing, until the sender gives up and closes
                    // (or the test is over: then hang up, so that the sender stops at once).
                    while !test_over.load(Ordering::Relaxed) {
                        if connection.read(&mut buffer).is_ok_and(|n| n == 0) {
                            let _ = hung_up.send(());
                            return;
                        }
                    }
                }
            })
            .unwrap();
        let (delivered, healthy_delivered) = sync_channel(1);
        std::thread::Builder::new()
            .name("healthy-receiver".into())
            .spawn(move || {
                let (mut connection, _) = healthy.accept().unwrap();
                let mut buffer = [0u8; 4096];
                let _ = connection.read(&mut buffer);
                connection
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                    .unwrap();
                let _ = delivered.send(());
            })
            .unwrap();

        let sender = WebhookSender::start(&db, hooks).unwrap();
        healthy_delivered
            .recv_timeout(Duration::from_secs(60))
            .expect("the healthy receiver never got its event");
        assert!(
            silent_hung_up.try_recv().is_err(),
            "the healthy receiver waited for the silent one to time out"
        );
        test_over.store(true, Ordering::Relaxed);
        silent_thread.join().unwrap();
        drop(sender);
    }

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(30), MAX_BACKOFF);
    }
}
