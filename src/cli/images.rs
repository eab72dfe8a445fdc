//! `embed`, `identify` and `enroll`: the engine on photo files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use frontdesk::engine::AnalyzedFace;
use frontdesk::enrollment::{self, Rejection};
use frontdesk::gallery::{MatchDecision, NewFace, NewPerson};
use frontdesk::vision::image_io::load_rgb;
use serde_json::{Value, json};

use super::{Context, emit};

fn round(value: f32, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (f64::from(value) * factor).round() / factor
}

fn face_json(face: &AnalyzedFace) -> serde_json::Map<String, Value> {
    let b = face.detection.bbox;
    let mut map = serde_json::Map::new();
    map.insert(
        "box".into(),
        json!([
            round(b.x, 2),
            round(b.y, 2),
            round(b.width, 2),
            round(b.height, 2)
        ]),
    );
    map.insert("score".into(), json!(round(face.detection.score, 4)));
    map.insert(
        "landmarks".into(),
        json!(
            face.detection
                .landmarks
                .map(|[x, y]| [round(x, 2), round(y, 2)])
        ),
    );
    map
}

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

/// Runs `each` on every readable image; unreadable ones get an error line. Returns the failure count.
fn for_each_image(
    context: &Context,
    images: &[PathBuf],
    mut each: impl FnMut(&Path, &image::RgbImage, Vec<AnalyzedFace>) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let mut engine = context.engine()?;
    let mut failures = 0;
    for path in images {
        let outcome = load_rgb(path)
            .map_err(anyhow::Error::from)
            .and_then(|image| {
                let faces = engine.analyze(&image)?;
                each(path, &image, faces)
            });
        if let Err(e) = outcome {
            tracing::debug!(image = %path.display(), error = %e, "image failed");
            error_line(path, format!("{e:#}"));
            failures += 1;
        }
    }
    Ok(failures)
}

pub fn embed(context: &Context, images: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let failures = for_each_image(context, images, |path, image, faces| {
        let faces: Vec<Value> = faces
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
            "width": image.width(),
            "height": image.height(),
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
    let failures = for_each_image(context, images, |path, _, faces| {
        let faces: Vec<Value> = faces
            .iter()
            .map(|face| {
                let mut map = face_json(face);
                let decision = gallery.identify(&face.embedding, &policy);
                let too_small = face.quality.size_px < min_face;
                let (person, similarity) = match decision {
                    MatchDecision::Known {
                        person_id,
                        similarity,
                    } if !too_small => (
                        json!({"id": person_id, "name": gallery.index().name(person_id)}),
                        Some(similarity),
                    ),
                    MatchDecision::Known { similarity, .. } => (Value::Null, Some(similarity)),
                    MatchDecision::Unknown { best } => (Value::Null, best.map(|c| c.similarity)),
                };
                map.insert("person".into(), person);
                map.insert("similarity".into(), json!(similarity.map(|s| round(s, 4))));
                Value::Object(map)
            })
            .collect();
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
    let mut accepted: Vec<AnalyzedFace> = Vec::new();
    let mut rejected: Vec<Value> = Vec::new();
    let mut reject = |path: &Path, code: &str, message: String| {
        rejected
            .push(json!({"image": path.display().to_string(), "reason": code, "message": message}));
    };
    let mut engine = context.engine()?;
    for path in images {
        let faces = match load_rgb(path)
            .map_err(anyhow::Error::from)
            .and_then(|image| Ok(engine.analyze(&image)?))
        {
            Ok(faces) => faces,
            Err(e) => {
                reject(path, "unreadable", format!("{e:#}"));
                continue;
            }
        };
        let checked = enrollment::main_face(&faces, min_face)
            .and_then(|face| {
                enrollment::check_not_someone_else(&gallery, face, &policy, None).map(|()| face)
            })
            .and_then(|face| match accepted.first() {
                Some(first) if first.embedding.cosine(&face.embedding) < policy.threshold => {
                    Err(Rejection::NotTheSamePerson {
                        similarity: first.embedding.cosine(&face.embedding),
                    })
                }
                _ => Ok(face),
            });
        match checked {
            Ok(face) => accepted.push(face.clone()),
            Err(rejection) => reject(path, rejection.code(), rejection.to_string()),
        }
    }
    if accepted.is_empty() {
        emit(
            &json!({"person_id": null, "name": name.trim(), "faces_added": 0, "rejected": rejected}),
        );
        anyhow::bail!("no usable face in the photos given; nothing was saved");
    }
    let faces: Vec<NewFace> = accepted
        .iter()
        .map(|face| enrollment::new_face(face, engine.model_id()))
        .collect();
    let person = NewPerson {
        name: name.to_owned(),
        details,
        consent,
    };
    let person_id = gallery.enroll(&person, &faces)?;
    let unreadable = rejected
        .iter()
        .filter(|r| r["reason"] == "unreadable")
        .count();
    emit(&json!({
        "person_id": person_id,
        "name": name.trim(),
        "faces_added": faces.len(),
        "rejected": rejected,
    }));
    Ok(exit_code(unreadable))
}
