//! People: the list, one person's record, edits, erasure, merges, and a photo file added to someone.

use std::path::Path;

use super::{Desk, PersonDetail, StaffDone, StaffError, StaffReply};
use crate::engine::FaceEngine;
use crate::enrollment;
use crate::gallery::{NewPerson, PersonId};
use crate::vision::image_io::load_rgb;

pub(super) fn list(desk: &mut Desk) -> Result<StaffReply, StaffError> {
    Ok(StaffReply::People(desk.gallery()?.people()?))
}

pub(super) fn update(
    desk: &mut Desk,
    id: PersonId,
    person: &NewPerson,
) -> Result<StaffDone, StaffError> {
    desk.gallery()?.update_person(id, person)?;
    Ok(StaffDone::PersonSaved {
        name: person.name.clone(),
    })
}

pub(super) fn delete(desk: &mut Desk, id: PersonId) -> Result<StaffDone, StaffError> {
    if desk.gallery()?.delete_person(id)? {
        Ok(StaffDone::PersonDeleted)
    } else {
        Err(StaffError::AlreadyDeleted)
    }
}

pub(super) fn merge(
    desk: &mut Desk,
    from: PersonId,
    into: PersonId,
) -> Result<StaffDone, StaffError> {
    desk.gallery()?.merge_people(from, into)?;
    Ok(StaffDone::PeopleMerged)
}

pub(super) fn detail(desk: &mut Desk, id: PersonId) -> Result<StaffReply, StaffError> {
    let gallery = desk.gallery()?;
    let Some(person) = gallery.person(id)? else {
        return Ok(StaffReply::PersonGone(id));
    };
    Ok(StaffReply::Person(Box::new(PersonDetail {
        person,
        faces: gallery.faces(id)?,
        visits: gallery.visits(Some(id), None, None)?,
        groups: gallery.groups_of(id)?,
    })))
}

/// Adds the main face of a photo file to a person, with the same checks as enrolment.
pub(super) fn add_photo_file(
    desk: &mut Desk,
    person_id: PersonId,
    path: &Path,
) -> Result<StaffDone, StaffError> {
    let image = load_rgb(path).map_err(|source| StaffError::PhotoUnreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let engine = engine(desk)?;
    let faces = engine
        .analyze(&image)
        .map_err(|source| StaffError::PhotoNotAnalysed {
            path: path.to_path_buf(),
            source,
        })?;
    let min_face = engine.min_face_px();
    let model_id = engine.model_id();
    let policy = desk.config.recognition.match_policy();
    let gallery = desk.gallery()?;
    let face = enrollment::main_face(&faces, min_face)
        .and_then(|face| {
            enrollment::check_not_someone_else(gallery, face, &policy, Some(person_id))
                .map(|()| face)
        })
        .map_err(|rejection| StaffError::PhotoRejected {
            path: path.to_path_buf(),
            rejection,
        })?;
    gallery.add_faces(person_id, &[enrollment::new_face(face, model_id)])?;
    Ok(StaffDone::PhotoAdded {
        path: path.to_path_buf(),
    })
}

/// The engine, loaded the first time staff add a photo file: most days nobody does, and its
/// models cost memory.
fn engine(desk: &mut Desk) -> Result<&mut FaceEngine, StaffError> {
    let engine = match desk.engine.take() {
        Some(engine) => engine,
        None => FaceEngine::load(&desk.config).map_err(StaffError::Engine)?,
    };
    Ok(desk.engine.insert(engine))
}
