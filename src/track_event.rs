//! A change in who is in front of the camera, as the recognition loop reports it and the
//! integrations (event stream, webhooks, MQTT) and `watch --json` pass it on.

use crate::config::EventKind;
use crate::gallery::PersonId;

/// A change in who is in front of the camera.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackEvent {
    /// Position in the recording, or time since the worker started for live cameras.
    pub t_ms: u64,
    pub kind: EventKind,
    pub track: u64,
    pub person: Option<(PersonId, String)>,
    pub similarity: Option<f32>,
}

impl TrackEvent {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "t_ms": self.t_ms,
            "event": self.kind.as_str(),
            "track": self.track,
            "person": self.person.as_ref().map(|(id, name)| serde_json::json!({"id": id, "name": name})),
            "similarity": self.similarity.map(|s| (f64::from(s) * 1e4).round() / 1e4),
        })
    }
}
