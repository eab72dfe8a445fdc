//! `watch` (the recognition loop without a window) and `visits`.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::Context as _;
use frontdesk::camera::{CameraSettings, CaptureHandle, CaptureStatus, SourceSpec};
use frontdesk::fleet::{FleetFollower, FleetSettings};
use frontdesk::gallery::{PersonId, format_timestamp};
use frontdesk::recognizer::{RecognizerEvent, TrackEvent, Worker, WorkerSettings};

use super::{Context, emit};

pub fn watch(
    context: &Context,
    source: Option<&str>,
    json_output: bool,
) -> anyhow::Result<ExitCode> {
    let spec: SourceSpec = source.unwrap_or(&context.config.kiosk.source).parse()?;
    let label = format!("watch:{spec}");
    let mut printer = Printer { json_output };
    recognition_loop(context, spec, label, &mut printer, SourceEnd::Stop)
}

/// Where the headless loop hands what it sees.
pub trait LoopSink {
    fn track(&mut self, event: &TrackEvent);
    /// People erased or no longer to be recognised: copies of what named them are taken back.
    fn people_removed(&mut self, _people: &BTreeSet<PersonId>) {}
}

/// `watch`: each event on stdout, for a person or (`--json`) for a program. What was printed
/// cannot be taken back.
struct Printer {
    json_output: bool,
}

impl LoopSink for Printer {
    fn track(&mut self, track_event: &TrackEvent) {
        if self.json_output {
            emit(&track_event.to_json());
        } else {
            let who = track_event
                .person
                .as_ref()
                .map_or("unknown visitor".to_owned(), |(_, name)| name.clone());
            super::print_line(format_args!(
                "{:>8} ms  track {:<3} {:<10} {who}",
                track_event.t_ms,
                track_event.track,
                track_event.kind.as_str()
            ));
        }
    }
}

/// `serve`: the event stream, MQTT and webhooks.
impl LoopSink for frontdesk::integrations::Integrations {
    fn track(&mut self, event: &TrackEvent) {
        self.publish(event);
    }

    fn people_removed(&mut self, people: &BTreeSet<PersonId>) {
        self.forget_people(people);
    }
}

/// What the headless loop does when a recording or frame folder ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEnd {
    Stop,
    /// Keep running (the API goes on answering) until the process is stopped.
    KeepServing,
}

/// The recognition loop without a window: camera thread, worker, and each arrival, greeting and
/// departure handed to `sink`. Returns failure when recognition or the source failed.
pub fn recognition_loop(
    context: &Context,
    spec: SourceSpec,
    label: String,
    sink: &mut dyn LoopSink,
    at_end: SourceEnd,
) -> anyhow::Result<ExitCode> {
    let engine = context.engine()?;
    let gallery = context.gallery()?;
    let settings = WorkerSettings {
        frames_drawn: false,
        ..WorkerSettings::from_config(&context.config, label)
    };
    let capture = CaptureHandle::start(
        spec.clone(),
        CameraSettings::from_config(&context.config.kiosk),
    )
    .context("cannot start the camera thread")?;
    let (events, event_rx) = frontdesk::recognizer::event_channel();
    let worker = Worker::new(engine, gallery, settings)
        .spawn(capture.slot(), events, Box::new(|_| {}))
        .context("cannot start the recognition worker")?;
    let _fleet = start_fleet(context);
    let mut last_status = CaptureStatus::Starting;
    let mut failed = false;
    loop {
        let event = match event_rx.recv_timeout(std::time::Duration::from_millis(200)) {
            Ok(event) => event,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let status = capture.status();
                if status != last_status {
                    report_status(&status);
                    last_status = status;
                }
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                // The worker stays until it is dropped once the source ends: hanging up before
                // that means it died.
                eprintln!("frontdesk: the recognition worker stopped unexpectedly");
                failed = true;
                break;
            }
        };
        match event {
            RecognizerEvent::Track(track_event) => {
                sink.track(&track_event);
                if super::stdout_failed() {
                    // Nobody reads the events any more; `main` reports why.
                    break;
                }
            }
            RecognizerEvent::Error(message) => eprintln!("frontdesk: {message}"),
            RecognizerEvent::Fatal(message) => {
                eprintln!("frontdesk: {message}");
                failed = true;
                break;
            }
            RecognizerEvent::SourceEnded => {
                if let CaptureStatus::Failed { message } = capture.status() {
                    eprintln!("frontdesk: {message}");
                    failed = true;
                }
                if at_end == SourceEnd::Stop || failed {
                    break;
                }
                eprintln!("frontdesk: the source ended; the API keeps serving until stopped");
            }
            RecognizerEvent::Outlook(outlook) => tracing::info!(%outlook, "recognition"),
            RecognizerEvent::GalleryChanged(changes) => sink.people_removed(&changes.removed),
            RecognizerEvent::Frame(_)
            | RecognizerEvent::Greeting { .. }
            | RecognizerEvent::Enrolled { .. }
            | RecognizerEvent::SampleAdded { .. } => {}
        }
    }
    drop(worker);
    drop(capture);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Follows the fleet in the background when the kiosk belongs to one; without it the loop still
/// runs on the local gallery, so a failure here is reported and not fatal.
fn start_fleet(context: &Context) -> Option<FleetFollower> {
    let settings = FleetSettings::from_config(&context.config.fleet)?;
    eprintln!(
        "frontdesk: fleet {} as kiosk {}",
        settings.display_url(),
        settings.kiosk
    );
    match FleetFollower::start(settings, &context.db_path) {
        Ok(follower) => Some(follower),
        Err(error) => {
            eprintln!("frontdesk: the fleet cannot be followed: {error}");
            None
        }
    }
}

fn report_status(status: &CaptureStatus) {
    match status {
        CaptureStatus::Live { source } => eprintln!("frontdesk: watching {source}"),
        CaptureStatus::Retrying { message } => eprintln!("frontdesk: {message}; retrying"),
        CaptureStatus::Starting | CaptureStatus::Ended | CaptureStatus::Failed { .. } => {}
    }
}

/// Which visits to list.
pub struct VisitQuery {
    pub person: Option<PersonId>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

pub fn visits(
    context: &Context,
    query: &VisitQuery,
    json_output: bool,
    csv_output: bool,
) -> anyhow::Result<ExitCode> {
    let gallery = context.gallery()?;
    let visits = gallery.visits(query.person, query.since, query.until)?;
    if csv_output {
        frontdesk::export::write_visits_csv(&visits, super::StdoutSink)?;
        return Ok(ExitCode::SUCCESS);
    }
    for visit in visits {
        if json_output {
            emit(&frontdesk::report::visit_json(&visit));
        } else {
            super::print_line(format_args!(
                "{}  {:<24} {:.2}  {}",
                format_timestamp(visit.at),
                visit.person_name,
                visit.similarity,
                visit.source
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}
