//! MQTT for smart buildings (Home Assistant): events on `frontdesk/<kiosk>/events`, availability
//! with a last will, and Home Assistant discovery of a "last visitor" and a "visitors today" sensor.
//!
//! rumqttc's client queues what is published and reconnects by itself; a named thread drives its
//! connection and (re)announces availability and discovery on every connection.

use std::collections::BTreeSet;
use std::thread::JoinHandle;
use std::time::Duration;

use rumqttc::{Client, Connection, Event, LastWill, MqttOptions, Packet, QoS};
use serde_json::json;

use crate::config::MqttConfig;
use crate::gallery::PersonId;
use crate::recognizer::{EventKind, TrackEvent};

/// Messages queued for the broker before new ones are dropped (the broker is away).
const QUEUE: usize = 256;
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The wait before reconnecting after the broker went away.
const RECONNECT_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum MqttError {
    #[error("mqtt.url `{0}` is not mqtt://HOST[:PORT]")]
    Url(String),
    #[error("cannot start the MQTT thread: {0}")]
    Thread(#[source] std::io::Error),
}

/// The topics of one kiosk.
#[derive(Debug, Clone)]
struct Topics {
    base: String,
    discovery_prefix: String,
    kiosk: String,
}

impl Topics {
    fn availability(&self) -> String {
        format!("{}/availability", self.base)
    }
    fn events(&self) -> String {
        format!("{}/events", self.base)
    }
    fn last_visitor(&self) -> String {
        format!("{}/last_visitor", self.base)
    }
    fn visitors_today(&self) -> String {
        format!("{}/visitors_today", self.base)
    }

    /// Home Assistant's discovery messages: (topic, retained config).
    fn discovery(&self) -> Vec<(String, serde_json::Value)> {
        let device = json!({
            "identifiers": [format!("frontdesk_{}", self.kiosk)],
            "name": format!("Frontdesk {}", self.kiosk),
            "manufacturer": "Frontdesk",
            "sw_version": env!("CARGO_PKG_VERSION"),
        });
        let sensor = |id: &str, name: &str, state_topic: String, extra: serde_json::Value| {
            let unique_id = format!("frontdesk_{}_{id}", self.kiosk);
            let mut config = json!({
                "name": name,
                "unique_id": unique_id,
                "state_topic": state_topic,
                "availability_topic": self.availability(),
                "device": device,
            });
            if let (Some(config), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
                config.extend(extra.clone());
            }
            (
                format!("{}/sensor/{unique_id}/config", self.discovery_prefix),
                config,
            )
        };
        vec![
            sensor(
                "last_visitor",
                "Last visitor",
                self.last_visitor(),
                json!({"icon": "mdi:account-check"}),
            ),
            sensor(
                "visitors_today",
                "Visitors today",
                self.visitors_today(),
                json!({"icon": "mdi:account-group", "state_class": "total_increasing", "unit_of_measurement": "visitors"}),
            ),
        ]
    }
}

/// Publishes the recognition loop's events to a broker.
pub struct MqttPublisher {
    client: Client,
    topics: Topics,
    /// Arrivals today (local time) and which day that is.
    visitors_today: (jiff::civil::Date, u64),
    /// Who the retained "last visitor" message names, so that their erasure can clear it.
    last_visitor: Option<PersonId>,
    thread: Option<JoinHandle<()>>,
}

fn broker_address(url: &str) -> Result<(String, u16), MqttError> {
    let rest = url
        .strip_prefix("mqtt://")
        .ok_or_else(|| MqttError::Url(url.to_owned()))?;
    let (host, port) = match rest.trim_end_matches('/').rsplit_once(':') {
        Some((host, port)) => (
            host,
            port.parse().map_err(|_| MqttError::Url(url.to_owned()))?,
        ),
        None => (rest.trim_end_matches('/'), 1883),
    };
    if host.is_empty() {
        return Err(MqttError::Url(url.to_owned()));
    }
    Ok((host.to_owned(), port))
}

fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

impl MqttPublisher {
    pub fn start(config: &MqttConfig) -> Result<Self, MqttError> {
        let (host, port) = broker_address(&config.url)?;
        let topics = Topics {
            base: format!("frontdesk/{}", config.kiosk),
            discovery_prefix: config.discovery_prefix.clone(),
            kiosk: config.kiosk.clone(),
        };
        let mut options = MqttOptions::new(format!("frontdesk-{}", config.kiosk), host, port);
        options.set_keep_alive(KEEP_ALIVE);
        options.set_last_will(LastWill::new(
            topics.availability(),
            "offline",
            QoS::AtLeastOnce,
            true,
        ));
        if !config.username.is_empty() {
            options.set_credentials(config.username.clone(), config.password.clone());
        }
        let (client, connection) = Client::new(options, QUEUE);
        let announcer = client.clone();
        let announced = topics.clone();
        let thread = std::thread::Builder::new()
            .name("mqtt".into())
            .spawn(move || drive(connection, &announcer, &announced))
            .map_err(MqttError::Thread)?;
        Ok(Self {
            client,
            topics,
            visitors_today: (today(), 0),
            last_visitor: None,
            thread: Some(thread),
        })
    }

    /// Sends an event; while the broker is away they queue, then the newest are dropped.
    pub fn publish(&mut self, event: &TrackEvent) {
        self.send(&self.topics.events(), false, event.to_json().to_string());
        match event.kind {
            EventKind::Recognized => {
                if let Some((person_id, name)) = &event.person {
                    self.send(&self.topics.last_visitor(), true, name.clone());
                    self.last_visitor = Some(*person_id);
                }
            }
            EventKind::Arrived => {
                let day = today();
                if self.visitors_today.0 != day {
                    self.visitors_today = (day, 0);
                }
                self.visitors_today.1 += 1;
                self.send(
                    &self.topics.visitors_today(),
                    true,
                    self.visitors_today.1.to_string(),
                );
            }
            EventKind::Unknown | EventKind::Left => {}
        }
    }

    /// Clears the retained "last visitor" message (and so Home Assistant's sensor) when it names
    /// one of `people`, who were erased or withdrew their consent, or may (a message kept by the
    /// broker from before this process started): an empty retained message is how MQTT deletes
    /// one.
    pub fn forget_people(&mut self, people: &BTreeSet<PersonId>) {
        if self.last_visitor.is_none_or(|p| people.contains(&p)) {
            self.send(&self.topics.last_visitor(), true, String::new());
            self.last_visitor = None;
        }
    }

    fn send(&self, topic: &str, retain: bool, payload: String) {
        if let Err(e) = self
            .client
            .try_publish(topic, QoS::AtLeastOnce, retain, payload)
        {
            tracing::warn!(error = %e, topic, "MQTT message dropped");
        }
    }
}

impl Drop for MqttPublisher {
    fn drop(&mut self) {
        // A clean goodbye: the broker keeps "offline" (the last will covers a crash).
        let _ = self.client.try_publish(
            self.topics.availability(),
            QoS::AtLeastOnce,
            true,
            "offline",
        );
        let _ = self.client.disconnect();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the MQTT thread panicked");
        }
    }
}

/// Runs the client's connection until it is disconnected; on every (re)connection announces
/// availability and the discovery configs.
fn drive(mut connection: Connection, client: &Client, topics: &Topics) {
    let mut last_error = None;
    for notification in connection.iter() {
        match notification {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                last_error = None;
                tracing::info!("connected to the MQTT broker");
                let mut messages = vec![(topics.availability(), "online".to_owned())];
                messages.extend(
                    topics
                        .discovery()
                        .into_iter()
                        .map(|(topic, config)| (topic, config.to_string())),
                );
                for (topic, payload) in messages {
                    if let Err(e) = client.try_publish(topic, QoS::AtLeastOnce, true, payload) {
                        tracing::warn!(error = %e, "cannot announce to the MQTT broker");
                    }
                }
            }
            Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) => break,
            Ok(_) => {}
            Err(e) => {
                let message = e.to_string();
                if last_error.as_ref() != Some(&message) {
                    tracing::warn!(error = %message, "MQTT broker unreachable; retrying");
                    last_error = Some(message);
                }
                std::thread::sleep(RECONNECT_WAIT);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls_parse_with_a_default_port() {
        assert_eq!(
            broker_address("mqtt://10.0.0.5").unwrap(),
            ("10.0.0.5".into(), 1883)
        );
        assert_eq!(
            broker_address("mqtt://broker.lan:1884/").unwrap(),
            ("broker.lan".into(), 1884)
        );
        assert!(broker_address("http://x").is_err());
        assert!(broker_address("mqtt://:1883").is_err());
    }

    #[test]
    fn discovery_describes_two_sensors_of_one_device() {
        let topics = Topics {
            base: "frontdesk/lobby".into(),
            discovery_prefix: "homeassistant".into(),
            kiosk: "lobby".into(),
        };
        let discovery = topics.discovery();
        assert_eq!(
            discovery[0].0,
            "homeassistant/sensor/frontdesk_lobby_last_visitor/config"
        );
        assert_eq!(
            discovery[1].1["state_topic"],
            "frontdesk/lobby/visitors_today"
        );
        assert_eq!(
            discovery[0].1["device"]["identifiers"],
            discovery[1].1["device"]["identifiers"]
        );
    }
}
