//! The worker's reports to the UI or `watch`: a bounded queue for events, and a one-place mailbox
//! for frame reports, so that a window that is hidden, minimised or slow holds at most one frame
//! (the newest) instead of an ever-growing backlog of full pictures.
#![allow(
    clippy::disallowed_types,
    reason = "the newest-frame mailbox: one slot swapped in and out, never held across work"
)]

use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{FrameReport, RecognizerEvent};

/// Events (greetings, staff replies, errors) waiting for the reader. Far more than a UI leaves
/// unread between two passes; reaching it means the reader has stopped.
const EVENT_QUEUE: usize = 256;
/// How long the worker waits for room in a full queue before dropping the event: a reader that is
/// merely busy (a `watch` whose stdout is slow) gets back-pressure, one that stopped cannot hang it.
const SEND_PATIENCE: Duration = Duration::from_secs(5);
const SEND_RETRY: Duration = Duration::from_millis(10);

enum Message {
    Event(RecognizerEvent),
    /// A frame report is waiting in the mailbox.
    FrameReady,
}

type Mailbox = Arc<Mutex<Option<Box<FrameReport>>>>;

/// What a message the worker just sent is, for a reader that decides whether to wake up for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum News {
    /// A frame report with no face in it: news only where the camera picture is on screen.
    Faceless,
    /// A frame with faces in it, or any other event.
    Change,
}

impl News {
    pub fn of(event: &RecognizerEvent) -> Self {
        match event {
            RecognizerEvent::Frame(report) if report.tracks.is_empty() => News::Faceless,
            _ => News::Change,
        }
    }
}

/// Called by the worker after each message it sends (a window repaints).
pub type Wake = Box<dyn Fn(News) + Send>;

/// The worker's end.
pub struct EventSender {
    queue: SyncSender<Message>,
    frame: Mailbox,
}

/// The reader's end.
pub struct EventReceiver {
    queue: Receiver<Message>,
    frame: Mailbox,
    hung_up: std::cell::Cell<bool>,
}

/// The reader has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disconnected;

/// A new bounded event channel with a newest-frame mailbox.
pub fn event_channel() -> (EventSender, EventReceiver) {
    let (queue, queue_rx) = std::sync::mpsc::sync_channel(EVENT_QUEUE);
    let frame = Mailbox::default();
    (
        EventSender {
            queue,
            frame: Arc::clone(&frame),
        },
        EventReceiver {
            queue: queue_rx,
            frame,
            hung_up: std::cell::Cell::new(false),
        },
    )
}

fn lock(mailbox: &Mailbox) -> std::sync::MutexGuard<'_, Option<Box<FrameReport>>> {
    // A panic while holding the lock cannot leave a half-written `Option`; the data is still good.
    mailbox.lock().unwrap_or_else(PoisonError::into_inner)
}

impl EventSender {
    /// Reports `event`. A frame report replaces an unread one and never waits; other events wait
    /// up to [`SEND_PATIENCE`] for room and are then dropped (and logged).
    pub fn send(&self, event: RecognizerEvent) -> Result<(), Disconnected> {
        let message = match event {
            RecognizerEvent::Frame(report) => {
                let replaced = lock(&self.frame).replace(report);
                if replaced.is_some() {
                    // The reader has not taken the previous one yet, so it has a `FrameReady`
                    // still to read: one marker is enough.
                    return Ok(());
                }
                Message::FrameReady
            }
            event => Message::Event(event),
        };
        self.push(message)
    }

    fn push(&self, mut message: Message) -> Result<(), Disconnected> {
        let deadline = Instant::now() + SEND_PATIENCE;
        loop {
            match self.queue.try_send(message) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Disconnected(_)) => return Err(Disconnected),
                Err(TrySendError::Full(back)) if Instant::now() < deadline => {
                    message = back;
                    std::thread::sleep(SEND_RETRY);
                }
                Err(TrySendError::Full(_)) => {
                    tracing::error!("nobody reads the recognition events; one was dropped");
                    return Ok(());
                }
            }
        }
    }
}

impl EventReceiver {
    /// The next event without waiting.
    pub fn try_recv(&self) -> Result<RecognizerEvent, TryRecvError> {
        loop {
            match self.queue.try_recv() {
                Ok(message) => {
                    if let Some(event) = self.open(message) {
                        return Ok(event);
                    }
                }
                Err(error) => {
                    self.hung_up.set(error == TryRecvError::Disconnected);
                    return self.take_frame().ok_or(error);
                }
            }
        }
    }

    /// Whether the worker has hung up and everything it sent was read: it ended (after a fatal
    /// error) or died. Known once a `try_recv` found nothing more.
    pub fn is_disconnected(&self) -> bool {
        self.hung_up.get()
    }

    /// Everything waiting now (at most one frame report, the newest).
    pub fn try_iter(&self) -> impl Iterator<Item = RecognizerEvent> + '_ {
        std::iter::from_fn(|| self.try_recv().ok())
    }

    /// The next event, waiting up to `timeout`.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<RecognizerEvent, RecvTimeoutError> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self.queue.recv_timeout(left)?;
            if let Some(event) = self.open(message) {
                return Ok(event);
            }
        }
    }

    fn open(&self, message: Message) -> Option<RecognizerEvent> {
        match message {
            Message::Event(event) => Some(event),
            // The marker may be stale when `try_recv` took the frame early.
            Message::FrameReady => self.take_frame(),
        }
    }

    fn take_frame(&self) -> Option<RecognizerEvent> {
        lock(&self.frame).take().map(RecognizerEvent::Frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::Frame;

    fn frame_report(sequence: u64) -> RecognizerEvent {
        RecognizerEvent::Frame(Box::new(FrameReport {
            frame: Frame {
                image: Arc::new(image::RgbImage::new(4, 4)),
                sequence,
                captured_at: Instant::now(),
                media_time: None,
            },
            tracks: Vec::new(),
            detected: true,
            detect_ms: 0.0,
            faces_embedded: 0,
            embed_ms: 0.0,
            t_ms: 0,
        }))
    }

    fn sequence(event: &RecognizerEvent) -> Option<u64> {
        match event {
            RecognizerEvent::Frame(report) => Some(report.frame.sequence),
            _ => None,
        }
    }

    /// A window showing no camera picture sleeps through frames of an empty scene, never through
    /// a face or an event.
    #[test]
    fn only_a_frame_without_faces_is_faceless_news() {
        assert_eq!(News::of(&frame_report(1)), News::Faceless);
        let RecognizerEvent::Frame(mut report) = frame_report(2) else {
            unreachable!("frame_report makes frames");
        };
        report.tracks.push(crate::recognizer::TrackView {
            id: 1,
            detection: crate::vision::Detection {
                bbox: crate::vision::BoundingBox {
                    x: 0.0,
                    y: 0.0,
                    width: 80.0,
                    height: 80.0,
                },
                score: 0.9,
                landmarks: [[0.0; 2]; 5],
            },
            label: crate::recognizer::TrackLabel::Pending,
            similarity: None,
            best_sample: None,
            further_looks: Vec::new(),
            sample_match: None,
            guidance: None,
        });
        assert_eq!(News::of(&RecognizerEvent::Frame(report)), News::Change);
        assert_eq!(News::of(&RecognizerEvent::SourceEnded), News::Change);
    }

    #[test]
    fn an_unread_backlog_of_frames_is_only_the_newest_one() {
        let (sender, receiver) = event_channel();
        // Far more frames than the event queue holds: a minimised window reading nothing.
        for n in 0..(EVENT_QUEUE as u64 * 4) {
            sender.send(frame_report(n)).unwrap();
            if n == 10 {
                sender.send(RecognizerEvent::SourceEnded).unwrap();
            }
        }
        let received: Vec<RecognizerEvent> = receiver.try_iter().collect();
        assert_eq!(received.len(), 2);
        // The frame keeps its place in the queue (it came first) but is the newest one.
        assert_eq!(sequence(&received[0]), Some(EVENT_QUEUE as u64 * 4 - 1));
        assert!(matches!(received[1], RecognizerEvent::SourceEnded));
    }

    #[test]
    fn a_frame_taken_early_leaves_no_empty_event_behind() {
        let (sender, receiver) = event_channel();
        sender.send(frame_report(1)).unwrap();
        assert_eq!(sequence(&receiver.try_recv().unwrap()), Some(1));
        sender.send(frame_report(2)).unwrap();
        let waited = receiver.recv_timeout(Duration::from_secs(60)).unwrap();
        assert_eq!(sequence(&waited), Some(2));
        assert!(receiver.try_recv().is_err());
    }

    #[test]
    fn a_worker_thread_that_dies_is_seen_as_disconnected() {
        let (sender, receiver) = event_channel();
        let dying = std::thread::Builder::new()
            .name("dying-worker".into())
            .spawn(move || {
                sender.send(RecognizerEvent::SourceEnded).ok();
                panic!("a bug in the worker");
            })
            .unwrap();
        assert!(dying.join().is_err());
        assert!(!receiver.is_disconnected());
        let left: Vec<RecognizerEvent> = receiver.try_iter().collect();
        assert_eq!(left.len(), 1, "what it sent before dying is still read");
        assert!(receiver.is_disconnected());
    }

    #[test]
    fn sending_to_a_reader_that_has_gone_says_so() {
        let (sender, receiver) = event_channel();
        drop(receiver);
        assert_eq!(sender.send(RecognizerEvent::SourceEnded), Err(Disconnected));
    }
}
