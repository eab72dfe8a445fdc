//! `embed`, `identify` and `enroll`: the engine on photo files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use frontdesk::batch::{PhotoFaces, analyze_photos};
use frontdesk::enrollment;
use frontdesk::gallery::{NewFace, NewPerson};
use frontdesk::report::{face_json, identified_faces_json, round};
use serde_json::{Value, json};

use super::{Context, emit};

fn error_line(image: &Path, message: impl std::fmt::Display) {
    emit(&json!({"image": image.display().to_string(), "error": message.to_string()}));
}

fn exit_code(failures: usize) -> ExitCode {
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs `each` on every readable image (an engine per core, results in the order given);
/// unreadable ones get an error line. Returns the failure count.
fn for_each_image(
    context: &Context,
    images: &[PathBuf],
    mut each: impl FnMut(&Path, &PhotoFaces) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let mut failures = 0;
    analyze_photos(&context.config, images, |path, outcome| {
        let reported = outcome
            .map_err(anyhow::Error::from)
            .and_then(|photo| each(path, &photo));
        if let Err(e) = reported {
            tracing::debug!(image = %path.display(), error = %e, "image failed");
            error_line(path, format!("{e:#}"));
            failures += 1;
        }
    })
    .context("cannot start the recognition engine")?;
    Ok(failures)
}

pub fn embed(context: &Context, images: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let failures = for_each_image(context, images, |path, photo| {
        let faces: Vec<Value> = photo
            .faces
            .iter()
            .map(|face| {
                let mut map = face_json(face);
                map.insert(
                    "embedding".into(),
                    json!(
                        face.embedding
                            .0
                            .iter()
                            .map(|v| round(*v, 6))
                            .collect::<Vec<_>>()
                    ),
                );
                Value::Object(map)
            })
            .collect();
        emit(&json!({
            "image": path.display().to_string(),
            "width": photo.width,
            "height": photo.height,
            "faces": faces,
        }));
        Ok(())
    })?;
    Ok(exit_code(failures))
}

pub fn identify(context: &Context, images: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let gallery = context.gallery()?;
    let policy = context.policy();
    let min_face = context.config.recognition.min_face_px as f32;
    let failures = for_each_image(context, images, |path, photo| {
        let faces = identified_faces_json(&photo.faces, &gallery, &policy, min_face);
        emit(&json!({"image": path.display().to_string(), "faces": faces}));
        Ok(())
    })?;
    Ok(exit_code(failures))
}

pub fn enroll(
    context: &Context,
    name: &str,
    details: BTreeMap<String, String>,
    consent: bool,
    images: &[PathBuf],
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(!name.trim().is_empty(), "--name must not be empty");
    anyhow::ensure!(
        consent || !context.config.kiosk.require_consent,
        "enrolment needs the visitor's consent: ask them, then add --consent (or set \
         kiosk.require_consent = false in the config if this kiosk does not need it); nothing was saved"
    );
    let mut gallery = context.gallery()?;
    let policy = context.policy();
    let min_face = context.config.recognition.min_face_px as f32;
    let mut photos = Vec::with_capacity(images.len());
    analyze_photos(&context.config, images, |path, outcome| {
        let faces = outcome
            .map(|photo| photo.faces)
            .map_err(|e| format!("{:#}", anyhow::Error::from(e)));
        photos.push((path.display().to_string(), faces));
    })
    .context("cannot start the recognition engine")?;
    let (accepted, refused) = enrollment::choose_faces(&gallery, &policy, min_face, photos);
    let rejected: Vec<Value> = refused
        .iter()
        .map(|r| json!({"image": r.photo, "reason": r.code, "message": r.message}))
        .collect();
    if accepted.is_empty() {
        emit(
            &json!({"person_id": null, "name": name.trim(), "faces_added": 0, "rejected": rejected}),
        );
        anyhow::bail!("no usable face in the photos given; nothing was saved");
    }
    let faces: Vec<NewFace> = accepted
        .iter()
        .map(|face| enrollment::new_face(face, frontdesk::models::EMBEDDER.id))
        .collect();
    let person = NewPerson {
        name: name.to_owned(),
        details,
        consent,
    };
    let person_id = gallery.enroll(&person, &faces)?;
    let unreadable = refused.iter().filter(|r| r.code == "unreadable").count();
    emit(&json!({
        "person_id": person_id,
        "name": name.trim(),
        "faces_added": faces.len(),
        "rejected": rejected,
    }));
    Ok(exit_code(unreadable))
}
