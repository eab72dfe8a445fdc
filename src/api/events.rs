//! The live event stream: what the recognition loop reports, numbered, kept in a short in-memory
//! backlog so that a client that reconnects with `Last-Event-ID` misses nothing recent, and sent
//! as Server-Sent Events.
#![allow(
    clippy::disallowed_types,
    reason = "the event backlog: a short queue edited under the lock, never across an await"
)]

use std::collections::{BTreeSet, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::broadcast;

use super::ApiContext;
use crate::gallery::PersonId;

/// Events kept for clients that reconnect.
const BACKLOG: usize = 1000;
/// How often an open stream checks that its token is still valid: a revoked token's streams end
/// within this long.
const TOKEN_RECHECK: Duration = Duration::from_secs(1);

/// One event as sent: its number and its JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberedEvent {
    pub id: u64,
    pub json: String,
}

struct Backlog {
    next_id: u64,
    /// Each kept event with the person it names, so that an erasure can take it back.
    recent: VecDeque<(Option<PersonId>, NumberedEvent)>,
}

/// Where the recognition loop publishes and each stream subscribes.
pub struct EventHub {
    backlog: Mutex<Backlog>,
    live: broadcast::Sender<NumberedEvent>,
}

impl Default for EventHub {
    fn default() -> Self {
        Self::new()
    }
}

impl EventHub {
    /// Numbers start at the current Unix time in microseconds, so that a number from before a
    /// restart is never mistaken for a newer one.
    pub fn new() -> Self {
        let start = u64::try_from(crate::gallery::now_ms())
            .unwrap_or(0)
            .saturating_mul(1000);
        let (live, _) = broadcast::channel(BACKLOG);
        Self {
            backlog: Mutex::new(Backlog {
                next_id: start + 1,
                recent: VecDeque::with_capacity(BACKLOG),
            }),
            live,
        }
    }

    /// Numbers and sends an event; returns its number.
    pub fn publish(&self, event: &serde_json::Value) -> u64 {
        let Ok(mut backlog) = self.backlog.lock() else {
            tracing::error!("the event backlog is unusable; event dropped");
            return 0;
        };
        let numbered = NumberedEvent {
            id: backlog.next_id,
            json: event.to_string(),
        };
        backlog.next_id += 1;
        if backlog.recent.len() == BACKLOG {
            backlog.recent.pop_front();
        }
        let person = event["person"]["id"].as_i64();
        backlog.recent.push_back((person, numbered.clone()));
        // Nobody listening is fine: the backlog keeps it.
        let _ = self.live.send(numbered.clone());
        numbered.id
    }

    /// Takes every kept event that names one of `people` out of the backlog (they were erased or
    /// withdrew their consent): a client reconnecting later is never sent their name. Returns how
    /// many went.
    pub fn forget_people(&self, people: &BTreeSet<PersonId>) -> usize {
        let Ok(mut backlog) = self.backlog.lock() else {
            return 0;
        };
        let before = backlog.recent.len();
        backlog
            .recent
            .retain(|(person, _)| person.is_none_or(|p| !people.contains(&p)));
        before - backlog.recent.len()
    }

    /// The kept events after `last_seen` (none without one) and a subscription to what follows,
    /// taken together so that nothing falls between them.
    pub fn subscribe(
        &self,
        last_seen: Option<u64>,
    ) -> (Vec<NumberedEvent>, broadcast::Receiver<NumberedEvent>) {
        match self.backlog.lock() {
            Ok(backlog) => {
                let missed = last_seen.map_or_else(Vec::new, |last| {
                    backlog
                        .recent
                        .iter()
                        .filter(|(_, e)| e.id > last)
                        .map(|(_, e)| e.clone())
                        .collect()
                });
                (missed, self.live.subscribe())
            }
            Err(_) => (Vec::new(), self.live.subscribe()),
        }
    }
}

fn last_event_id(headers: &HeaderMap) -> Option<u64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

fn sse_event(event: &NumberedEvent) -> Event {
    Event::default().id(event.id.to_string()).data(&event.json)
}

/// One client's stream: what it still has to be sent, and the token it was opened with.
struct Client {
    missed: VecDeque<NumberedEvent>,
    live: broadcast::Receiver<NumberedEvent>,
    last_sent: Option<u64>,
    context: Arc<ApiContext>,
    token: Option<String>,
}

impl Client {
    /// The next event to send, or None when the stream ends: the loop stopped, or the token was
    /// revoked.
    async fn next_event(&mut self) -> Option<NumberedEvent> {
        if let Some(event) = self.missed.pop_front() {
            return Some(event);
        }
        loop {
            match tokio::time::timeout(TOKEN_RECHECK, self.live.recv()).await {
                Err(_quiet) => {
                    if !self.token_still_valid().await {
                        tracing::info!("an event stream ends: its token was revoked");
                        return None;
                    }
                }
                // The backlog already sent this one.
                Ok(Ok(event)) if self.last_sent.is_some_and(|last| event.id <= last) => {}
                Ok(Ok(event)) => {
                    self.last_sent = Some(event.id);
                    return Some(event);
                }
                Ok(Err(broadcast::error::RecvError::Lagged(skipped))) => {
                    tracing::warn!(skipped, "an event stream client fell behind");
                }
                Ok(Err(broadcast::error::RecvError::Closed)) => return None,
            }
        }
    }

    /// Whether the stream's token is still in the gallery. A gallery that cannot be read keeps
    /// the stream (and says so in the log): the next check decides.
    async fn token_still_valid(&self) -> bool {
        let Some(token) = self.token.clone() else {
            return false;
        };
        let context = Arc::clone(&self.context);
        match super::blocking(move || context.with_gallery(|g| Ok(g.check_api_token(&token)?)))
            .await
        {
            Ok(name) => name.is_some(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot check an event stream's token");
                true
            }
        }
    }
}

/// `GET /events`: one `data:` line per event (the objects of `frontdesk watch --json`), each with an
/// `id:`; a client that sends `Last-Event-ID` first gets what it missed. The stream ends within
/// [`TOKEN_RECHECK`] of its token being revoked.
pub async fn stream(
    State(context): State<Arc<ApiContext>>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let (missed, live) = context.events.subscribe(last_event_id(&headers));
    let client = Client {
        last_sent: missed.last().map(|e| e.id),
        missed: VecDeque::from(missed),
        live,
        context,
        token: super::auth::presented_token(&headers),
    };
    let events = futures_util::stream::unfold(client, |mut client| async move {
        let event = client.next_event().await?;
        Some((Ok(sse_event(&event)), client))
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reconnecting_client_gets_what_it_missed_and_nothing_twice() {
        let hub = EventHub::new();
        let first = hub.publish(&serde_json::json!({"event": "arrived"}));
        let second = hub.publish(&serde_json::json!({"event": "recognized"}));
        assert!(second > first);
        let (missed, _) = hub.subscribe(Some(first));
        assert_eq!(missed.len(), 1);
        assert_eq!(missed[0].id, second);
        let (fresh, mut live) = hub.subscribe(None);
        assert!(fresh.is_empty(), "a new client starts with new events");
        let third = hub.publish(&serde_json::json!({"event": "left"}));
        assert_eq!(live.try_recv().unwrap().id, third);
        assert!(EventHub::new().publish(&serde_json::json!({})) > third - 1000);
    }

    #[test]
    fn an_erased_person_leaves_the_backlog_and_everyone_else_stays() {
        let hub = EventHub::new();
        let start = hub.publish(&serde_json::json!({"event": "arrived", "person": null}));
        hub.publish(
            &serde_json::json!({"event": "recognized", "person": {"id": 7, "name": "Sam"}}),
        );
        hub.publish(
            &serde_json::json!({"event": "recognized", "person": {"id": 8, "name": "Ann"}}),
        );
        hub.publish(&serde_json::json!({"event": "left", "person": {"id": 7, "name": "Sam"}}));
        assert_eq!(hub.forget_people(&[7].into()), 2);
        let (kept, _) = hub.subscribe(Some(start - 1));
        let texts: Vec<&str> = kept.iter().map(|e| e.json.as_str()).collect();
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert!(texts.iter().all(|t| !t.contains("Sam")), "{texts:?}");
        assert!(texts[1].contains("Ann"));
    }
}
