//! Everything that tells other systems what the camera sees: the HTTP API with its event stream,
//! and the webhooks. One bundle, started the same way by `frontdesk serve` and by the kiosk window.

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

/// The running API and webhook sender, and where events go.
pub struct Integrations {
    events: Arc<EventHub>,
    api: ApiServer,
    queue: Option<WebhookQueue>,
    _sender: Option<WebhookSender>,
    mqtt: Option<MqttPublisher>,
}

impl Integrations {
    /// Starts the API on `config.api.listen` (else `fallback_listen`) with an engine and gallery
    /// connection of its own, and the webhook sender when webhooks are configured.
    pub fn start(
        config: &Config,
        db_path: &Path,
        fallback_listen: &str,
    ) -> Result<Self, IntegrationError> {
        let address = config
            .api
            .listen_address(fallback_listen)
            .map_err(IntegrationError::Address)?;
        let engine = FaceEngine::load(config).map_err(IntegrationError::Engine)?;
        let mut gallery = Gallery::open(db_path, engine.model_id())?;
        gallery.set_consent_required(config.kiosk.require_consent)?;
        let events = Arc::new(EventHub::new());
        let max_body = usize::try_from(config.api.max_body_mb)
            .unwrap_or(16)
            .saturating_mul(1024 * 1024);
        let context = ApiContext::new(config, engine, gallery, Arc::clone(&events));
        let api = ApiServer::start(address, context, max_body)?;
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

    pub fn api_address(&self) -> std::net::SocketAddr {
        self.api.address()
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
        if let Some(mqtt) = &mut self.mqtt {
            mqtt.publish(track_event);
        }
        let event = track_event.to_json();
        let id = self.events.publish(&event);
        if let Some(queue) = &mut self.queue
            && let Err(e) = queue.enqueue(id, &event)
        {
            tracing::error!(error = %e, "cannot queue an event for the webhooks");
        }
    }
}
