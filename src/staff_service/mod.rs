//! The staff screens' service: a thread with its own gallery connection that answers the staff
//! screens (people, groups and roll calls, exports, settings, the PIN), so that they never wait
//! behind the recognition worker's frames and the window never waits on disk.
//!
//! The recognition worker learns of every change here through the gallery's change feed, as it
//! learns of changes made by any other process.

mod exports;
mod groups;
mod people;
mod settings;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError};
use std::thread::JoinHandle;

use crate::attendance::{Attendance, AttendanceError};
use crate::config::{Config, ConfigError};
use crate::engine::FaceEngine;
use crate::enrollment::Rejection;
use crate::export::ExportError;
use crate::gallery::{
    AuditEntry, FaceRecord, Gallery, GalleryError, Group, GroupId, NewPerson, Person, PersonId,
    PinCheck, PinGate, Schedule, Visit,
};

/// Requests not yet taken by the service. The window sends a few per click and never waits.
const REQUEST_QUEUE: usize = 64;
/// Replies the window has not read yet; it reads them on every pass, hidden or not.
const REPLY_QUEUE: usize = 64;

/// What staff asked for.
#[derive(Debug, Clone)]
pub enum StaffRequest {
    CheckPin(String),
    SetPin(String),
    ListPeople,
    LoadPerson(PersonId),
    UpdatePerson(PersonId, NewPerson),
    DeletePerson(PersonId),
    MergePeople {
        from: PersonId,
        into: PersonId,
    },
    AddPhotoFile {
        person_id: PersonId,
        path: PathBuf,
    },
    ExportPerson {
        person_id: PersonId,
        folder: PathBuf,
    },
    Visits(VisitFilter),
    ExportVisitsCsv {
        filter: VisitFilter,
        path: PathBuf,
    },
    AuditLog,
    ExportAuditCsv(PathBuf),
    Groups,
    CreateGroup(String),
    RenameGroup {
        group: GroupId,
        name: String,
    },
    SetSchedule {
        group: GroupId,
        schedule: Option<Schedule>,
        grace: jiff::SignedDuration,
    },
    DeleteGroup(GroupId),
    AddMember {
        group: GroupId,
        person: PersonId,
    },
    RemoveMember {
        group: GroupId,
        person: PersonId,
    },
    /// Starts a roll call of the group now.
    StartRollCall(GroupId),
    Attendance(AttendanceQuery),
    ExportAttendanceCsv {
        query: AttendanceQuery,
        path: PathBuf,
    },
    SaveSettings {
        config: Box<Config>,
        path: PathBuf,
    },
}

/// Which visits a staff screen shows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct VisitFilter {
    pub person: Option<PersonId>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// Which roll calls a staff screen shows: a group over days (today when not given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttendanceQuery {
    pub group: GroupId,
    pub first_day: Option<jiff::civil::Date>,
    pub last_day: Option<jiff::civil::Date>,
}

/// One person with their photos and visits, for the people screen.
#[derive(Debug, Clone)]
pub struct PersonDetail {
    pub person: Person,
    pub faces: Vec<FaceRecord>,
    pub visits: Vec<Visit>,
    /// The groups they belong to, by name.
    pub groups: Vec<(GroupId, String)>,
}

/// The service's answer.
#[derive(Debug)]
pub enum StaffReply {
    Pin(PinCheck),
    People(Vec<Person>),
    Person(Box<PersonDetail>),
    /// The person asked for no longer exists (erased here or by another program meanwhile): a
    /// screen still showing them lets go, with no error to report.
    PersonGone(PersonId),
    /// Visits in the filter, and each listed person's first visit ever (to tell first-time visitors).
    Visits {
        visits: Vec<Visit>,
        first_visit: HashMap<PersonId, i64>,
    },
    Audit(Vec<AuditEntry>),
    Groups(Vec<Group>),
    /// Roll calls, and the time they were made (for what is over and what is not).
    Attendance {
        attendance: Box<Attendance>,
        now: i64,
    },
    /// A change succeeded.
    Done(StaffDone),
    /// A request failed; the window words why in its language.
    Failed(StaffError),
}

/// What a staff change did, as data the window words in its language.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffDone {
    PinSet,
    PersonSaved {
        name: String,
    },
    PersonDeleted,
    PeopleMerged,
    PersonExported {
        files: usize,
        folder: PathBuf,
    },
    VisitsWritten {
        visits: usize,
        path: PathBuf,
    },
    AuditLogWritten {
        path: PathBuf,
    },
    GroupCreated {
        name: String,
    },
    GroupRenamed {
        name: String,
    },
    ScheduleSaved,
    GroupDeleted,
    MemberAdded,
    MemberRemoved,
    RollCallStarted,
    RollCallsWritten {
        path: PathBuf,
    },
    /// The settings are saved; the window puts `config` in force.
    SettingsSaved {
        path: PathBuf,
        config: Box<Config>,
    },
    PhotoAdded {
        path: PathBuf,
    },
}

/// Why a staff request failed, as data the window words in its language; the underlying error
/// (a database or file message) is kept as the source.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("that person was already deleted")]
    AlreadyDeleted,
    #[error("that group was deleted; choose another")]
    GroupGone,
    #[error("this kiosk has people enrolled but no staff PIN; set one with `frontdesk set-pin`")]
    FirstPinOnTheComputer,
    #[error("a staff PIN is already set")]
    PinAlreadySet,
    #[error("{} already exists; choose a new folder", .0.display())]
    FolderExists(PathBuf),
    #[error("{}: {rejection}", path.display())]
    PhotoRejected { path: PathBuf, rejection: Rejection },
    #[error("cannot read the photo {}", path.display())]
    PhotoUnreadable {
        path: PathBuf,
        #[source]
        source: crate::vision::image_io::ImageLoadError,
    },
    #[error("cannot analyse the photo {}", path.display())]
    PhotoNotAnalysed {
        path: PathBuf,
        #[source]
        source: crate::vision::VisionError,
    },
    #[error("the recognition engine cannot start")]
    Engine(#[source] crate::vision::VisionError),
    #[error("the gallery cannot be opened")]
    GalleryUnavailable(#[source] GalleryError),
    #[error(transparent)]
    Gallery(#[from] GalleryError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Attendance(#[from] AttendanceError),
    #[error(transparent)]
    Settings(#[from] ConfigError),
}

impl StaffError {
    /// The underlying error's own words (a database or file message), shown as they are under the
    /// window's translated line; empty when the error is all there is to say.
    pub fn detail(&self) -> String {
        match self {
            StaffError::AlreadyDeleted
            | StaffError::GroupGone
            | StaffError::FirstPinOnTheComputer
            | StaffError::PinAlreadySet
            | StaffError::FolderExists(_)
            | StaffError::PhotoRejected { .. } => String::new(),
            StaffError::PhotoUnreadable { source, .. } => source.to_string(),
            StaffError::PhotoNotAnalysed { source, .. } | StaffError::Engine(source) => {
                source.to_string()
            }
            StaffError::GalleryUnavailable(source) | StaffError::Gallery(source) => {
                source.to_string()
            }
            StaffError::Export(source) => source.to_string(),
            StaffError::Attendance(source) => source.to_string(),
            StaffError::Settings(source) => source.to_string(),
        }
    }
}

/// Called after each reply (a window repaints).
pub type Wake = Box<dyn Fn() + Send>;

/// The running service: requests in, replies out.
pub struct StaffService {
    /// `None` once dropping: the thread ends when its request channel closes.
    requests: Option<SyncSender<StaffRequest>>,
    replies: Receiver<StaffReply>,
    thread: Option<JoinHandle<()>>,
}

impl StaffService {
    /// Starts the service's thread. The gallery is opened there, at the first request, so that a
    /// window shows itself at once.
    pub fn start(config: Config, db_path: PathBuf, wake: Wake) -> std::io::Result<Self> {
        let (requests, request_rx) = std::sync::mpsc::sync_channel(REQUEST_QUEUE);
        let (reply_tx, replies) = std::sync::mpsc::sync_channel(REPLY_QUEUE);
        let thread = std::thread::Builder::new()
            .name("staff".into())
            .spawn(move || {
                let mut desk = Desk::new(config, db_path);
                while let Ok(request) = request_rx.recv() {
                    let reply = desk.answer(request);
                    if reply_tx.send(reply).is_err() {
                        return;
                    }
                    wake();
                }
            })?;
        Ok(Self {
            requests: Some(requests),
            replies,
            thread: Some(thread),
        })
    }

    /// Queues `request`; never waits.
    pub fn send(&self, request: StaffRequest) {
        let Some(requests) = &self.requests else {
            return;
        };
        match requests.try_send(request) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::error!("the staff service is behind; request dropped")
            }
            Err(TrySendError::Disconnected(_)) => {
                tracing::error!("the staff service has stopped; request dropped");
            }
        }
    }

    /// The next reply, without waiting.
    pub fn try_recv(&self) -> Result<StaffReply, TryRecvError> {
        self.replies.try_recv()
    }

    /// The next reply, waiting up to `timeout` (for tests and programs without a window).
    pub fn recv_timeout(
        &self,
        timeout: std::time::Duration,
    ) -> Result<StaffReply, std::sync::mpsc::RecvTimeoutError> {
        self.replies.recv_timeout(timeout)
    }
}

impl Drop for StaffService {
    fn drop(&mut self) {
        drop(self.requests.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the staff service panicked");
        }
    }
}

/// What the service's thread holds: its own gallery connection, an engine loaded only when staff
/// add a photo file, the PIN's lock-out and the settings in force.
struct Desk {
    config: Config,
    db_path: PathBuf,
    gallery: Option<Gallery>,
    engine: Option<FaceEngine>,
    pin_gate: PinGate,
}

impl Desk {
    fn new(config: Config, db_path: PathBuf) -> Self {
        Self {
            config,
            db_path,
            gallery: None,
            engine: None,
            pin_gate: PinGate::default(),
        }
    }

    fn answer(&mut self, request: StaffRequest) -> StaffReply {
        self.handle(request).unwrap_or_else(|error| {
            tracing::warn!(error = %error, detail = %error.detail(), "a staff request failed");
            StaffReply::Failed(error)
        })
    }

    fn handle(&mut self, request: StaffRequest) -> Result<StaffReply, StaffError> {
        use StaffRequest as R;
        let done = match request {
            R::CheckPin(pin) => return settings::check_pin(self, &pin),
            R::ListPeople => return people::list(self),
            R::LoadPerson(id) => return people::detail(self, id),
            R::Visits(filter) => return exports::visits(self, filter),
            R::AuditLog => return exports::audit_log(self),
            R::Groups => return groups::list(self),
            R::Attendance(query) => return groups::attendance_reply(self, query),
            R::SetPin(pin) => settings::set_pin(self, &pin),
            R::SaveSettings { config, path } => settings::save(self, *config, path),
            R::UpdatePerson(id, person) => people::update(self, id, &person),
            R::DeletePerson(id) => people::delete(self, id),
            R::MergePeople { from, into } => people::merge(self, from, into),
            R::AddPhotoFile { person_id, path } => people::add_photo_file(self, person_id, &path),
            R::ExportPerson { person_id, folder } => exports::person(self, person_id, folder),
            R::ExportVisitsCsv { filter, path } => exports::visits_csv(self, filter, path),
            R::ExportAuditCsv(path) => exports::audit_csv(self, path),
            R::ExportAttendanceCsv { query, path } => exports::attendance_csv(self, query, path),
            R::CreateGroup(name) => groups::create(self, &name),
            R::RenameGroup { group, name } => groups::rename(self, group, &name),
            R::SetSchedule {
                group,
                schedule,
                grace,
            } => groups::set_schedule(self, group, schedule, grace),
            R::DeleteGroup(group) => groups::delete(self, group),
            R::AddMember { group, person } => groups::add_member(self, group, person),
            R::RemoveMember { group, person } => groups::remove_member(self, group, person),
            R::StartRollCall(group) => groups::start_roll_call(self, group),
        }?;
        Ok(StaffReply::Done(done))
    }

    /// The service's gallery connection, opened at first use and brought up to date with changes
    /// made elsewhere (the worker's enrolments, other processes).
    fn gallery(&mut self) -> Result<&mut Gallery, StaffError> {
        connected(
            &mut self.gallery,
            &self.db_path,
            self.config.kiosk.require_consent,
        )
    }

    /// Records an audit entry for an action that already happened; a failure is logged, since the
    /// action itself cannot be undone.
    fn audit_logged(&mut self, action: &str, detail: &str) {
        let recorded = self
            .gallery()
            .and_then(|gallery| Ok(gallery.record_audit(action, detail)?));
        if let Err(e) = recorded {
            tracing::error!(error = %e, action, "cannot write the audit log");
        }
    }
}

/// The connection in `slot`, opened when it is not yet, brought up to date with changes made
/// elsewhere (the worker's enrolments, other processes).
fn connected<'a>(
    slot: &'a mut Option<Gallery>,
    db_path: &std::path::Path,
    require_consent: bool,
) -> Result<&'a mut Gallery, StaffError> {
    let gallery = match slot {
        Some(gallery) => gallery,
        None => {
            let gallery = Gallery::open_for_matching(db_path, require_consent)
                .map_err(StaffError::GalleryUnavailable)?;
            slot.insert(gallery)
        }
    };
    gallery.refresh()?;
    Ok(gallery)
}

#[cfg(test)]
mod tests;
