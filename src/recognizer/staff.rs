//! Staff requests served by the worker, which owns the gallery: the UI never touches the database
//! itself, so it never waits on disk and the index always follows every change.

use std::collections::HashMap;
use std::path::PathBuf;

use super::RecognizerEvent;
use super::worker::Worker;
use crate::attendance::{Attendance, AttendanceError, Calendar};
use crate::config::Config;
use crate::enrollment;
use crate::gallery::{
    AuditEntry, FaceRecord, GalleryError, Group, GroupId, NewPerson, Person, PersonId, PinCheck,
    Schedule, Visit, now_ms,
};
use crate::vision::image_io::load_rgb;

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

/// The worker's answer.
#[derive(Debug, Clone)]
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
    /// A change failed; the message says why (the underlying error's own text).
    Failed(String),
}

/// What a staff change did, as data the window words in its language.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffDone {
    PinSet,
    PersonSaved { name: String },
    PersonDeleted,
    PeopleMerged,
    PersonExported { files: usize, folder: PathBuf },
    VisitsWritten { visits: usize, path: PathBuf },
    AuditLogWritten { path: PathBuf },
    GroupCreated { name: String },
    GroupRenamed { name: String },
    ScheduleSaved,
    GroupDeleted,
    MemberAdded,
    MemberRemoved,
    RollCallStarted,
    RollCallsWritten { path: PathBuf },
    SettingsSaved { path: PathBuf },
    PhotoAdded { path: PathBuf },
}

fn failed(e: impl std::fmt::Display) -> StaffReply {
    StaffReply::Failed(e.to_string())
}

impl Worker {
    pub(super) fn handle_staff(&mut self, request: StaffRequest) -> StaffReply {
        let outcome = match request {
            StaffRequest::CheckPin(pin) => {
                let (gate, gallery) = self.pin_gate_and_gallery();
                gate.check(gallery, &pin, std::time::Instant::now(), now_ms())
                    .map(StaffReply::Pin)
            }
            StaffRequest::SetPin(pin) => self
                .gallery()
                .set_pin(&pin)
                .map(|()| StaffReply::Done(StaffDone::PinSet)),
            StaffRequest::ListPeople => self.gallery().people().map(StaffReply::People),
            StaffRequest::LoadPerson(id) => self.person_detail(id),
            StaffRequest::UpdatePerson(id, person) => {
                let name = person.name.clone();
                self.gallery()
                    .update_person(id, &person)
                    .map(|()| StaffReply::Done(StaffDone::PersonSaved { name }))
            }
            StaffRequest::DeletePerson(id) => self.gallery().delete_person(id).map(|deleted| {
                if deleted {
                    StaffReply::Done(StaffDone::PersonDeleted)
                } else {
                    StaffReply::Failed("That person was already deleted.".into())
                }
            }),
            StaffRequest::MergePeople { from, into } => self
                .gallery()
                .merge_people(from, into)
                .map(|()| StaffReply::Done(StaffDone::PeopleMerged)),
            StaffRequest::AddPhotoFile { person_id, path } => {
                Ok(self.add_photo_file(person_id, &path))
            }
            StaffRequest::ExportPerson { person_id, folder } => {
                if folder.exists() {
                    return failed(format!(
                        "{} already exists; choose a new folder",
                        folder.display()
                    ));
                }
                return match self.gallery().export_person(person_id) {
                    Ok(export) => match crate::export::write_person_export(&export, &folder) {
                        Ok(files) => StaffReply::Done(StaffDone::PersonExported {
                            files: files.len(),
                            folder,
                        }),
                        Err(e) => failed(e),
                    },
                    Err(e) => failed(e),
                };
            }
            StaffRequest::Visits(filter) => self.visits(filter),
            StaffRequest::ExportVisitsCsv { filter, path } => {
                return match self
                    .gallery()
                    .visits(filter.person, filter.since, filter.until)
                {
                    Ok(visits) => match write_csv(&path, |file| {
                        crate::export::write_visits_csv(&visits, file)
                    }) {
                        Ok(()) => {
                            self.audit_logged(
                                "export",
                                &format!("{} visit(s) as CSV", visits.len()),
                            );
                            StaffReply::Done(StaffDone::VisitsWritten {
                                visits: visits.len(),
                                path,
                            })
                        }
                        Err(e) => failed(e),
                    },
                    Err(e) => failed(e),
                };
            }
            StaffRequest::AuditLog => self.gallery().audit_log().map(StaffReply::Audit),
            StaffRequest::ExportAuditCsv(path) => {
                return match self.gallery().audit_log() {
                    Ok(entries) => match write_csv(&path, |file| {
                        crate::export::write_audit_csv(&entries, file)
                    }) {
                        Ok(()) => {
                            self.audit_logged("export", "audit log as CSV");
                            StaffReply::Done(StaffDone::AuditLogWritten { path })
                        }
                        Err(e) => failed(e),
                    },
                    Err(e) => failed(e),
                };
            }
            StaffRequest::Groups => self.gallery().groups().map(StaffReply::Groups),
            StaffRequest::CreateGroup(name) => self
                .gallery()
                .create_group(&name, None, crate::gallery::DEFAULT_GRACE)
                .map(|_| {
                    StaffReply::Done(StaffDone::GroupCreated {
                        name: name.trim().to_owned(),
                    })
                }),
            StaffRequest::RenameGroup { group, name } => {
                self.gallery().rename_group(group, &name).map(|()| {
                    StaffReply::Done(StaffDone::GroupRenamed {
                        name: name.trim().to_owned(),
                    })
                })
            }
            StaffRequest::SetSchedule {
                group,
                schedule,
                grace,
            } => self
                .gallery()
                .set_group_schedule(group, schedule, grace)
                .map(|()| StaffReply::Done(StaffDone::ScheduleSaved)),
            StaffRequest::DeleteGroup(group) => self
                .gallery()
                .delete_group(group)
                .map(|_| StaffReply::Done(StaffDone::GroupDeleted)),
            StaffRequest::AddMember { group, person } => self
                .gallery()
                .add_member(group, person)
                .map(|_| StaffReply::Done(StaffDone::MemberAdded)),
            StaffRequest::RemoveMember { group, person } => self
                .gallery()
                .remove_member(group, person)
                .map(|_| StaffReply::Done(StaffDone::MemberRemoved)),
            StaffRequest::StartRollCall(group) => self
                .gallery()
                .start_session(group, now_ms())
                .map(|_| StaffReply::Done(StaffDone::RollCallStarted)),
            StaffRequest::Attendance(query) => {
                return match self.attendance(query) {
                    Ok((attendance, now)) => StaffReply::Attendance {
                        attendance: Box::new(attendance),
                        now,
                    },
                    Err(e) => failed(e),
                };
            }
            StaffRequest::ExportAttendanceCsv { query, path } => {
                return match self.attendance(query) {
                    Ok((attendance, _)) => match write_csv(&path, |file| {
                        crate::export::write_attendance_csv(&attendance, file)
                    }) {
                        Ok(()) => {
                            self.audit_logged(
                                "export",
                                &format!("attendance of group #{} as CSV", query.group),
                            );
                            StaffReply::Done(StaffDone::RollCallsWritten { path })
                        }
                        Err(e) => failed(e),
                    },
                    Err(e) => failed(e),
                };
            }
            StaffRequest::SaveSettings { config, path } => {
                return match config.save(&path) {
                    Ok(()) => {
                        self.audit_logged("settings", "kiosk settings changed");
                        match self.apply_config(&config).into_iter().next() {
                            Some(RecognizerEvent::Error(message)) => failed(message),
                            _ => StaffReply::Done(StaffDone::SettingsSaved { path }),
                        }
                    }
                    Err(e) => failed(e),
                };
            }
        };
        outcome.unwrap_or_else(|e: GalleryError| failed(e))
    }

    /// Records an audit entry for an action that already happened; a failure is logged, since the
    /// action itself cannot be undone.
    fn audit_logged(&mut self, action: &str, detail: &str) {
        if let Err(e) = self.gallery().record_audit(action, detail) {
            tracing::error!(error = %e, action, "cannot write the audit log");
        }
    }

    fn person_detail(&mut self, id: PersonId) -> Result<StaffReply, GalleryError> {
        let gallery = self.gallery();
        let Some(person) = gallery.person(id)? else {
            return Ok(StaffReply::PersonGone(id));
        };
        let faces = gallery.faces(id)?;
        let visits = gallery.visits(Some(id), None, None)?;
        let groups = gallery.groups_of(id)?;
        Ok(StaffReply::Person(Box::new(PersonDetail {
            person,
            faces,
            visits,
            groups,
        })))
    }

    /// The roll calls `query` asks for, made now.
    fn attendance(&mut self, query: AttendanceQuery) -> Result<(Attendance, i64), AttendanceError> {
        let calendar = Calendar::now(self.retention_days());
        let gallery = self.gallery_ref();
        let group = gallery.group(query.group)?.ok_or_else(|| {
            GalleryError::Invalid("that group was deleted; choose another".into())
        })?;
        let today = calendar.today()?;
        let last_day = query.last_day.unwrap_or(today);
        let first_day = query.first_day.unwrap_or(last_day);
        let attendance =
            crate::attendance::attendance(gallery, &group, first_day, last_day, &calendar)?;
        Ok((attendance, calendar.now))
    }

    fn visits(&mut self, filter: VisitFilter) -> Result<StaffReply, GalleryError> {
        let gallery = self.gallery();
        let visits = gallery.visits(filter.person, filter.since, filter.until)?;
        let first_visit = gallery.first_visits()?;
        Ok(StaffReply::Visits {
            visits,
            first_visit,
        })
    }

    /// Adds the main face of a photo file to a person, with the same checks as enrolment.
    fn add_photo_file(&mut self, person_id: PersonId, path: &std::path::Path) -> StaffReply {
        let image = match load_rgb(path) {
            Ok(image) => image,
            Err(e) => return failed(e),
        };
        let faces = match self.engine_mut().analyze(&image) {
            Ok(faces) => faces,
            Err(e) => return failed(e),
        };
        let min_face = self.engine_mut().min_face_px();
        let policy = self.policy();
        let model_id = self.engine_mut().model_id();
        let chosen = enrollment::main_face(&faces, min_face).and_then(|face| {
            enrollment::check_not_someone_else(self.gallery_ref(), face, &policy, Some(person_id))
                .map(|()| face)
        });
        match chosen {
            Ok(face) => {
                let new_face = enrollment::new_face(face, model_id);
                match self.gallery().add_faces(person_id, &[new_face]) {
                    Ok(_) => StaffReply::Done(StaffDone::PhotoAdded {
                        path: path.to_path_buf(),
                    }),
                    Err(e) => failed(e),
                }
            }
            Err(rejection) => failed(format!("{}: {rejection}", path.display())),
        }
    }
}

fn write_csv(
    path: &std::path::Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<(), crate::export::ExportError>,
) -> Result<(), crate::export::ExportError> {
    crate::export::write_private_file(path, write)
}
