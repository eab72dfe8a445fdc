//! `watch` (the recognition loop without a window) and `visits`.

use std::process::ExitCode;

use anyhow::Context as _;
use frontdesk::camera::{CameraSettings, CaptureHandle, CaptureStatus, SourceSpec};
use frontdesk::gallery::{PersonId, format_timestamp};
use frontdesk::recognizer::{RecognizerEvent, Worker, WorkerSettings};
use serde_json::json;

use super::{Context, emit};

pub fn watch(
    context: &Context,
    source: Option<&str>,
    json_output: bool,
) -> anyhow::Result<ExitCode> {
    let spec: SourceSpec = source.unwrap_or(&context.config.kiosk.source).parse()?;
    let engine = context.engine()?;
    let gallery = context.gallery()?;
    let settings = WorkerSettings::from_config(&context.config, format!("watch:{spec}"));
    let capture = CaptureHandle::start(
        spec.clone(),
        CameraSettings::from_config(&context.config.kiosk),
    )
    .context("cannot start the camera thread")?;
    let (events, event_rx) = frontdesk::recognizer::event_channel();
    let worker = Worker::new(engine, gallery, settings)
        .spawn(capture.slot(), events, Box::new(|| {}))
        .context("cannot start the recognition worker")?;
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
                if json_output {
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
                break;
            }
            RecognizerEvent::Frame(_)
            | RecognizerEvent::Staff(_)
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
            emit(&json!({
                "person": {"id": visit.person_id, "name": visit.person_name},
                "at": format_timestamp(visit.at),
                "similarity": (f64::from(visit.similarity) * 1e4).round() / 1e4,
                "source": visit.source,
            }));
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
