//! Everything that tells other systems what the camera sees: the HTTP API with its event stream,
//! the webhooks and MQTT. One bundle, run by the host's announcer for `frontdesk serve` and for
//! the kiosk window.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use crate::api::{ApiContext, ApiError, ApiServer, EventHub};
use crate::config::Config;
use crate::engine::FaceEngine;
use crate::gallery::{Gallery, GalleryError, PersonId};
use crate::mqtt::{MqttError, MqttPublisher};
use crate::recognizer::TrackEvent;
use crate::webhooks::{WebhookError, WebhookQueue, WebhookSender};

#[derive(Debug, thiserror::Error)]
pub enum IntegrationError {
    #[error("{0}")]
    Address(String),
    #[error("the API's recognition engine cannot start: {0}")]
    Engine(#[source] crate::vision::VisionError),
    #[error(transparent)]
    Gallery(#[from] GalleryError),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Webhooks(#[from] WebhookError),
    #[error(transparent)]
    Mqtt(#[from] MqttError),
}

/// The running API, webhook sender and MQTT publisher, each only where the config asks for it.
pub struct Integrations {
    /// Numbers every event (the webhooks' idempotency keys) and keeps the API's backlog.
    events: Arc<EventHub>,
    api: Option<ApiServer>,
    queue: Option<WebhookQueue>,
    _sender: Option<WebhookSender>,
    mqtt: Option<MqttPublisher>,
}

impl Integrations {
    /// Starts the API on `api_listen` (when given) with an engine and gallery connection of its
    /// own, the webhook sender when webhooks are configured, and MQTT when a broker is.
    pub fn start(
        config: &Config,
        db_path: &Path,
        api_listen: Option<&str>,
    ) -> Result<Self, IntegrationError> {
        let events = Arc::new(EventHub::new());
        let api = match api_listen {
            Some(listen) => Some(start_api(config, db_path, listen, Arc::clone(&events))?),
            None => None,
        };
        let (queue, sender) = if config.webhook.is_empty() {
            (None, None)
        } else {
            (
                Some(WebhookQueue::open(db_path, config.webhook.clone())?),
                Some(WebhookSender::start(db_path, config.webhook.clone())?),
            )
        };
        let mqtt = if config.mqtt.url.is_empty() {
            None
        } else {
            Some(MqttPublisher::start(&config.mqtt)?)
        };
        Ok(Self {
            events,
            api,
            queue,
            _sender: sender,
            mqtt,
        })
    }

    /// Where the API listens, when it runs.
    pub fn api_address(&self) -> Option<std::net::SocketAddr> {
        self.api.as_ref().map(ApiServer::address)
    }

    /// Takes back every copy this process holds or serves that names one of `people` (erased, or
    /// no longer to be recognised): the event stream's backlog and MQTT's retained last visitor.
    /// Their undelivered webhook deliveries go with the erasure itself (the outbox is in the
    /// gallery).
    pub fn forget_people(&mut self, people: &BTreeSet<PersonId>) {
        if people.is_empty() {
            return;
        }
        let dropped = self.events.forget_people(people);
        if let Some(mqtt) = &mut self.mqtt {
            mqtt.forget_people(people);
        }
        tracing::info!(
            people = people.len(),
            events = dropped,
            "erased people's events taken back"
        );
    }

    /// Sends an event of the recognition loop to the event stream and MQTT, and queues it for the
    /// webhooks.
    pub fn publish(&mut self, track_event: &TrackEvent) {
        tracing::debug!(event = track_event.kind.as_str(), "announcing");
        if let Some(mqtt) = &mut self.mqtt {
            mqtt.publish(track_event);
        }
        let event = track_event.to_json();
        let id = self.events.publish(&event);
        if let Some(queue) = &mut self.queue
            && let Err(e) = queue.enqueue(id, track_event)
        {
            tracing::error!(error = %e, "cannot queue an event for the webhooks");
        }
    }
}

fn start_api(
    config: &Config,
    db_path: &Path,
    listen: &str,
    events: Arc<EventHub>,
) -> Result<ApiServer, IntegrationError> {
    let address = config
        .api
        .listen_address(listen)
        .map_err(IntegrationError::Address)?;
    let engine = FaceEngine::load(config).map_err(IntegrationError::Engine)?;
    let gallery = Gallery::open_for_matching(db_path, config.kiosk.require_consent)?;
    let max_body = usize::try_from(config.api.max_body_mb)
        .unwrap_or(16)
        .saturating_mul(1024 * 1024);
    let context = ApiContext::new(config, engine, gallery, events);
    Ok(ApiServer::start(address, context, max_body)?)
}
