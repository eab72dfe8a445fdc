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

/// The thread that delivers queued events; stops when dropped.
pub struct WebhookSender {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

struct Due {
    id: i64,
    url: String,
    key: String,
    event: String,
    body: String,
    attempts: u32,
    created_at: i64,
}

impl WebhookSender {
    pub fn start(db_path: &Path, hooks: Vec<WebhookConfig>) -> Result<Self, WebhookError> {
        let conn = open_queue(db_path)?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(REQUEST_TIMEOUT))
            .http_status_as_error(false)
            .build()
            .into();
        let thread = std::thread::Builder::new()
            .name("webhooks".into())
            .spawn(move || {
                let mut last_error = None;
                while !stopping.load(Ordering::Relaxed) {
                    if let Err(e) = deliver_due(&conn, &agent, &hooks) {
                        let message = e.to_string();
                        if last_error.as_ref() != Some(&message) {
                            tracing::error!(error = %message, "webhook deliveries failed");
                            last_error = Some(message);
                        }
                    }
                    std::thread::sleep(POLL);
                }
            })
            .map_err(WebhookError::Thread)?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for WebhookSender {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the webhook sender panicked");
        }
    }
}

/// Sends every delivery that is due, oldest first.
fn deliver_due(
    conn: &Connection,
    agent: &ureq::Agent,
    hooks: &[WebhookConfig],
) -> Result<(), WebhookError> {
    let now = now_ms();
    let due: Vec<Due> = conn
        .prepare_cached(
            "SELECT id, url, idempotency_key, event, body, attempts, created_at FROM webhook_outbox
             WHERE next_attempt_at <= ?1 ORDER BY id LIMIT ?2",
        )?
        .query_map(params![now, BATCH], |r| {
            Ok(Due {
                id: r.get(0)?,
                url: r.get(1)?,
                key: r.get(2)?,
                event: r.get(3)?,
                body: r.get(4)?,
                attempts: r.get(5)?,
                created_at: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    for delivery in due {
        let Some(hook) = hooks.iter().find(|h| h.url == delivery.url) else {
            tracing::warn!(url = %delivery.url, "dropping a delivery to a webhook no longer configured");
            conn.execute("DELETE FROM webhook_outbox WHERE id = ?1", [delivery.id])?;
            continue;
        };
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
        use crate::config::EventKind;
        use crate::recognizer::TrackEvent;

        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("gallery.db");
        crate::gallery::Gallery::open(&db, "m1").unwrap();
        let kinds = EventKind::ALL;
        let mut event_id = 0;
        let mut queued_for = |events: Vec<EventKind>| -> Vec<usize> {
            let hook = WebhookConfig {
                url: "https://crm.example.com/hook".into(),
                secret: "0123456789abcdef".into(),
                events,
            };
            let mut queue = WebhookQueue::open(&db, vec![hook]).unwrap();
            kinds
                .iter()
                .map(|kind| {
                    let event = TrackEvent {
                        t_ms: 0,
                        kind: *kind,
                        track: 1,
                        person: None,
                        similarity: None,
                    };
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
        use crate::recognizer::{EventKind, TrackEvent};

        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("gallery.db");
        let mut gallery = crate::gallery::Gallery::open(&db, "m1").unwrap();
        let ada = gallery
            .enroll(&person("Ada", &[], true), &[face(0)])
            .unwrap();
        let grace = gallery
            .enroll(&person("Grace", &[], true), &[face(1)])
            .unwrap();
        let hook = WebhookConfig {
            url: "https://crm.example.com/hook".into(),
            secret: "0123456789abcdef".into(),
            events: Vec::new(),
        };
        let mut queue = WebhookQueue::open(&db, vec![hook]).unwrap();
        for (event_id, (id, name)) in [(ada, "Ada"), (grace, "Grace")].into_iter().enumerate() {
            let event = TrackEvent {
                t_ms: 0,
                kind: EventKind::Recognized,
                track: 1,
                person: Some((id, name.into())),
                similarity: Some(0.8),
            };
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

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(30), MAX_BACKOFF);
    }
}
