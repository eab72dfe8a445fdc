//! The announcer: a thread that owns the integrations (the HTTP API and its event stream, webhooks,
//! MQTT) and hands them what the recognition worker announces. Starting the API loads an engine,
//! which takes a moment, and queueing a webhook is a database write: neither runs on a thread that
//! draws or reads frames.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError};
use std::thread::JoinHandle;

use crate::config::Config;
use crate::integrations::Integrations;
use crate::recognizer::{ANNOUNCEMENT_QUEUE, Announcement};

/// How the announcer's start went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnnouncerStatus {
    Starting,
    /// Running; the API's address when it serves one.
    Running {
        api: Option<SocketAddr>,
    },
    /// It could not start (the message says why); announcements are dropped.
    Failed(String),
}

pub struct Announcer {
    /// `None` once dropping: the thread ends when the last sender (here and in workers) is gone.
    announcements: Option<SyncSender<Announcement>>,
    started: Receiver<Result<Option<SocketAddr>, String>>,
    status: AnnouncerStatus,
    thread: Option<JoinHandle<()>>,
}

impl Announcer {
    /// Starts the integrations the config asks for on the announcer's thread; the API listens on
    /// `api_listen` when given.
    pub fn start(
        config: Config,
        db_path: PathBuf,
        api_listen: Option<String>,
    ) -> std::io::Result<Self> {
        let (announcements, inbox) = std::sync::mpsc::sync_channel(ANNOUNCEMENT_QUEUE);
        let (report, started) = std::sync::mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("announcer".into())
            .spawn(
                move || match Integrations::start(&config, &db_path, api_listen.as_deref()) {
                    Ok(integrations) => {
                        let _ = report.send(Ok(integrations.api_address()));
                        announce_until_closed(integrations, &inbox);
                    }
                    Err(error) => {
                        tracing::error!(%error, "the integrations cannot start");
                        let _ = report.send(Err(error.to_string()));
                    }
                },
            )?;
        Ok(Self {
            announcements: Some(announcements),
            started,
            status: AnnouncerStatus::Starting,
            thread: Some(thread),
        })
    }

    /// Where the worker hands its announcements.
    pub fn sender(&self) -> Option<SyncSender<Announcement>> {
        self.announcements.clone()
    }

    /// How the start went, once it is known; never waits.
    pub fn status(&mut self) -> &AnnouncerStatus {
        if self.status == AnnouncerStatus::Starting {
            match self.started.try_recv() {
                Ok(Ok(api)) => self.status = AnnouncerStatus::Running { api },
                Ok(Err(message)) => self.status = AnnouncerStatus::Failed(message),
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    self.status = AnnouncerStatus::Failed("the announcer's thread ended".into());
                }
            }
        }
        &self.status
    }

    /// Waits until the start is known (for `serve`, which has nothing to do without its API).
    pub fn wait_started(&mut self) -> &AnnouncerStatus {
        if self.status == AnnouncerStatus::Starting {
            self.status = match self.started.recv() {
                Ok(Ok(api)) => AnnouncerStatus::Running { api },
                Ok(Err(message)) => AnnouncerStatus::Failed(message),
                Err(_) => AnnouncerStatus::Failed("the announcer's thread ended".into()),
            };
        }
        &self.status
    }
}

impl Drop for Announcer {
    fn drop(&mut self) {
        drop(self.announcements.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the announcer panicked");
        }
    }
}

/// Events queued while the integrations started are in `inbox` already: nothing is missed.
fn announce_until_closed(mut integrations: Integrations, inbox: &Receiver<Announcement>) {
    while let Ok(announcement) = inbox.recv() {
        match announcement {
            Announcement::Track(event) => integrations.publish(&event),
            Announcement::PeopleRemoved(people) => integrations.forget_people(&people),
        }
    }
}
