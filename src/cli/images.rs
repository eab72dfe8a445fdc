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

use super::output::count;
use super::{Context, Output};

/// A photo that could not be analysed: a result of its own, in the order given.
fn error_line(output: Output, image: &Path, message: &str) {
    let path = image.display().to_string();
    // A file that cannot be read names itself; an engine failure does not.
    let for_people = if message.contains(&path) {
        message.to_owned()
    } else {
        format!("{path}: {message}")
    };
    output.print(&for_people, &json!({"image": path, "error": message}));
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
    output: Output,
    mut each: impl FnMut(&Path, &PhotoFaces) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let mut failures = 0;
    analyze_photos(&context.config, images, |path, outcome| {
        let reported = outcome
            .map_err(anyhow::Error::from)
            .and_then(|photo| each(path, &photo));
        if let Err(e) = reported {
            tracing::debug!(image = %path.display(), error = %e, "image failed");
            error_line(output, path, &format!("{e:#}"));
            failures += 1;
        }
    })
    .context("cannot start the recognition engine")?;
    Ok(failures)
}

pub fn embed(context: &Context, images: &[PathBuf], output: Output) -> anyhow::Result<ExitCode> {
    let failures = for_each_image(context, images, output, |path, photo| {
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
        output.print(
            &embedded(path, photo),
            &json!({
                "image": path.display().to_string(),
                "width": photo.width,
                "height": photo.height,
                "faces": faces,
            }),
        );
        Ok(())
    })?;
    Ok(exit_code(failures))
}

/// `embed` for people: where the faces are (the embeddings are for programs).
fn embedded(path: &Path, photo: &PhotoFaces) -> String {
    let mut text = format!(
        "{}: {}×{} pixels, {}",
        path.display(),
        photo.width,
        photo.height,
        count(photo.faces.len(), "face", "faces")
    );
    for face in &photo.faces {
        let b = face.detection.bbox;
        text.push_str(&format!(
            "\n  {:.0}×{:.0} at {:.0},{:.0}, detection score {:.2}",
            b.width, b.height, b.x, b.y, face.detection.score
        ));
    }
    text
}

pub fn identify(context: &Context, images: &[PathBuf], output: Output) -> anyhow::Result<ExitCode> {
    let gallery = context.gallery()?;
    let policy = context.policy();
    let min_face = context.config.recognition.min_face_px as f32;
    let failures = for_each_image(context, images, output, |path, photo| {
        let faces = identified_faces_json(&photo.faces, &gallery, &policy, min_face);
        output.print(
            &identified(path, &faces),
            &json!({"image": path.display().to_string(), "faces": faces}),
        );
        Ok(())
    })?;
    Ok(exit_code(failures))
}

/// `identify` for people: who is in the photo, read from the faces' JSON (which holds the match
/// decision) so that both say the same.
fn identified(path: &Path, faces: &[Value]) -> String {
    let names: Vec<String> = faces
        .iter()
        .map(|face| {
            let similarity = face["similarity"].as_f64();
            let who = match (face["person"]["name"].as_str(), similarity) {
                (Some(name), Some(s)) => {
                    format!("{name} (#{}, similarity {s:.2})", face["person"]["id"])
                }
                (Some(name), None) => format!("{name} (#{})", face["person"]["id"]),
                (None, Some(s)) => format!("someone unknown (best similarity {s:.2})"),
                (None, None) => "someone unknown".to_owned(),
            };
            if faces.len() > 1 {
                // Several faces: where each is tells them apart.
                let b = &face["box"];
                format!(
                    "{who} at {:.0},{:.0}",
                    b[0].as_f64().unwrap_or_default(),
                    b[1].as_f64().unwrap_or_default()
                )
            } else {
                who
            }
        })
        .collect();
    match names.as_slice() {
        [] => format!("{}: no face found", path.display()),
        [one] => format!("{}: {one}", path.display()),
        many => format!(
            "{}: {}\n  {}",
            path.display(),
            count(many.len(), "face", "faces"),
            many.join("\n  ")
        ),
    }
}

pub fn enroll(
    context: &Context,
    name: &str,
    details: BTreeMap<String, String>,
    consent: bool,
    images: &[PathBuf],
    output: Output,
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
    let not_used: String = refused
        .iter()
        .map(|r| format!("\n  {} not used: {}", r.photo, r.message))
        .collect();
    if accepted.is_empty() {
        output.print(
            &format!("{} was not enrolled:{not_used}", name.trim()),
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
    output.print(
        &format!(
            "Enrolled {} as #{person_id} with {}.{not_used}",
            name.trim(),
            count(faces.len(), "face", "faces")
        ),
        &json!({
            "person_id": person_id,
            "name": name.trim(),
            "faces_added": faces.len(),
            "rejected": rejected,
        }),
    );
    Ok(exit_code(unreadable))
}
