//! `watch` (the recognition loop without a window) and `visits`.

use std::process::ExitCode;

use anyhow::Context as _;
use frontdesk::camera::{CaptureStatus, SourceSpec};
use frontdesk::fleet::FleetSettings;
use frontdesk::gallery::PersonId;
use frontdesk::host::{Announce, Host, HostOptions};
use frontdesk::recognizer::{RecognizerEvent, TrackEvent};

use super::output::date_time;
use super::{Context, Output};

pub fn watch(context: &Context, source: Option<&str>, output: Output) -> anyhow::Result<ExitCode> {
    let spec: SourceSpec = source.unwrap_or(&context.config.kiosk.source).parse()?;
    let host = start_host(context, spec, "watch", Announce::Nothing);
    recognition_loop(
        host,
        &mut |event| output.print(&event_line(event), &event.to_json()),
        SourceEnd::Stop,
    )
}

/// A `watch` event for a person, in columns of fixed width: each line is printed as it happens,
/// so the widths cannot be measured first.
fn event_line(track_event: &TrackEvent) -> String {
    let who = track_event
        .person
        .as_ref()
        .map_or("unknown visitor".to_owned(), |(_, name)| name.clone());
    format!(
        "{:>8} ms  track {:<3} {:<10} {who}",
        track_event.t_ms,
        track_event.track,
        track_event.kind.as_str()
    )
}

/// What the headless loop does when a recording or frame folder ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEnd {
    Stop,
    /// Keep running (the API goes on answering) until the process is stopped.
    KeepServing,
}

/// The host of a loop without a window: only the frames the detector looks at are asked for.
pub fn start_host(
    context: &Context,
    source: SourceSpec,
    role: &'static str,
    announce: Announce,
) -> Host {
    if let Some(fleet) = FleetSettings::from_config(&context.config.fleet) {
        eprintln!(
            "frontdesk: fleet {} as kiosk {}",
            fleet.display_url(),
            fleet.kiosk
        );
    }
    Host::new(
        HostOptions {
            config: context.config.clone(),
            db_path: context.db_path.clone(),
            source,
            role,
            frames_drawn: false,
            announce,
        },
        std::sync::Arc::new(|_| {}),
    )
}

/// The recognition loop without a window: the host's camera thread and worker, each arrival,
/// greeting and departure handed to `on_track`. Returns failure when recognition or the source
/// failed.
pub fn recognition_loop(
    mut host: Host,
    on_track: &mut dyn FnMut(&TrackEvent),
    at_end: SourceEnd,
) -> anyhow::Result<ExitCode> {
    host.start_recognition()
        .context("cannot start the camera thread or the recognition worker")?;
    let mut last_status = CaptureStatus::Starting;
    let mut failed = false;
    while let Some(events) = host.events() {
        let event = match events.recv_timeout(std::time::Duration::from_millis(200)) {
            Ok(event) => event,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let status = host.capture_status();
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
                on_track(&track_event);
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
                if let CaptureStatus::Failed { message } = host.capture_status() {
                    eprintln!("frontdesk: {message}");
                    failed = true;
                }
                if at_end == SourceEnd::Stop || failed {
                    break;
                }
                eprintln!("frontdesk: the source ended; the API keeps serving until stopped");
            }
            RecognizerEvent::Outlook(outlook) => tracing::info!(%outlook, "recognition"),
            RecognizerEvent::Frame(_)
            | RecognizerEvent::GalleryChanged(_)
            | RecognizerEvent::Greeting { .. }
            | RecognizerEvent::Enrolled { .. }
            | RecognizerEvent::SampleAdded { .. } => {}
        }
    }
    host.stop_recognition();
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
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
    output: Output,
    csv_output: bool,
) -> anyhow::Result<ExitCode> {
    let gallery = context.gallery()?;
    let visits = gallery.visits(query.person, query.since, query.until)?;
    if csv_output {
        frontdesk::export::write_visits_csv(&visits, super::StdoutSink)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut list = output.list(&["WHEN", "ID", "NAME", "SIMILARITY", "SOURCE"]);
    for visit in &visits {
        let source = match &visit.kiosk {
            Some(kiosk) => format!("{} at kiosk {kiosk}", visit.source),
            None => visit.source.clone(),
        };
        list.push(
            vec![
                date_time(visit.at),
                visit.person_id.to_string(),
                visit.person_name.clone(),
                format!("{:.2}", visit.similarity),
                source,
            ],
            &frontdesk::report::visit_json(visit),
        );
    }
    list.finish("No visits to show.");
    Ok(ExitCode::SUCCESS)
}
