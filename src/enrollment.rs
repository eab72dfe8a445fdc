//! Choosing the face to enrol from a photo, and the reasons a photo is refused.

use image::RgbImage;

use crate::engine::AnalyzedFace;
use crate::gallery::{Gallery, MatchDecision, MatchPolicy, NewFace, PersonId};
use crate::vision::quality::MIN_SHARPNESS;

/// A second face at least this large relative to the largest makes the photo ambiguous.
const SEVERAL_FACES_RATIO: f32 = 0.8;

/// Why a photo cannot be used for enrolment.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    NoFace,
    SeveralFaces {
        count: usize,
    },
    TooSmall {
        size_px: f32,
        min_px: f32,
    },
    TooBlurry {
        sharpness: f32,
    },
    AlreadyEnrolled {
        person_id: PersonId,
        name: String,
        similarity: f32,
    },
    NotTheSamePerson {
        similarity: f32,
    },
}

impl Rejection {
    /// A short machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::NoFace => "no_face",
            Rejection::SeveralFaces { .. } => "several_faces",
            Rejection::TooSmall { .. } => "too_small",
            Rejection::TooBlurry { .. } => "too_blurry",
            Rejection::AlreadyEnrolled { .. } => "already_enrolled",
            Rejection::NotTheSamePerson { .. } => "not_the_same_person",
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::NoFace => write!(f, "no face found"),
            Rejection::SeveralFaces { count } => {
                write!(
                    f,
                    "{count} faces of similar size: use a photo with one person in front"
                )
            }
            Rejection::TooSmall { size_px, min_px } => {
                write!(
                    f,
                    "face too small ({size_px:.0} px, needs {min_px:.0} px): move closer or use a larger photo"
                )
            }
            Rejection::TooBlurry { sharpness } => {
                write!(
                    f,
                    "face too blurry (sharpness {sharpness:.0}, needs {MIN_SHARPNESS:.0})"
                )
            }
            Rejection::AlreadyEnrolled {
                person_id,
                name,
                similarity,
            } => write!(
                f,
                "already enrolled as {name} (id {person_id}, similarity {similarity:.2}): add the photo to that person instead"
            ),
            Rejection::NotTheSamePerson { similarity } => write!(
                f,
                "this face does not match the other photos of this enrolment (similarity {similarity:.2})"
            ),
        }
    }
}

/// The face to enrol from one photo: the largest, provided it is clearly the main one, big and sharp
/// enough.
pub fn main_face(faces: &[AnalyzedFace], min_face_px: f32) -> Result<&AnalyzedFace, Rejection> {
    let mut by_area: Vec<&AnalyzedFace> = faces.iter().collect();
    by_area.sort_by(|a, b| b.detection.bbox.area().total_cmp(&a.detection.bbox.area()));
    let Some(largest) = by_area.first().copied() else {
        return Err(Rejection::NoFace);
    };
    let rivals = by_area
        .iter()
        .filter(|f| f.detection.bbox.area() >= SEVERAL_FACES_RATIO * largest.detection.bbox.area())
        .count();
    if rivals > 1 {
        return Err(Rejection::SeveralFaces { count: rivals });
    }
    check_sample(largest, min_face_px)?;
    Ok(largest)
}

/// Size and sharpness checks a sample must pass to be stored.
pub fn check_sample(face: &AnalyzedFace, min_face_px: f32) -> Result<(), Rejection> {
    if face.quality.size_px < min_face_px {
        return Err(Rejection::TooSmall {
            size_px: face.quality.size_px,
            min_px: min_face_px,
        });
    }
    if face.quality.sharpness < MIN_SHARPNESS {
        return Err(Rejection::TooBlurry {
            sharpness: face.quality.sharpness,
        });
    }
    Ok(())
}

/// Refuses a face that already belongs to someone other than `enrolling`.
pub fn check_not_someone_else(
    gallery: &Gallery,
    face: &AnalyzedFace,
    policy: &MatchPolicy,
    enrolling: Option<PersonId>,
) -> Result<(), Rejection> {
    match gallery.identify(&face.embedding, policy) {
        MatchDecision::Known {
            person_id,
            similarity,
        } if Some(person_id) != enrolling => Err(Rejection::AlreadyEnrolled {
            person_id,
            name: gallery
                .index()
                .name(person_id)
                .unwrap_or("someone")
                .to_owned(),
            similarity,
        }),
        _ => Ok(()),
    }
}

/// Those of `further` looks that may join `first` in one person's template: each passes the
/// checks a photo given to `enroll` passes, and is the same face as `first`. A look that fails is
/// left out, not reported: `first` is what the operator saw and chose.
pub fn looks_like_first<'a>(
    gallery: &Gallery,
    policy: &MatchPolicy,
    min_face_px: f32,
    first: &AnalyzedFace,
    further: impl IntoIterator<Item = &'a AnalyzedFace>,
    enrolling: Option<PersonId>,
) -> Vec<&'a AnalyzedFace> {
    further
        .into_iter()
        .filter(|look| first.embedding.cosine(&look.embedding) >= policy.threshold)
        .filter(|look| check_sample(look, min_face_px).is_ok())
        .filter(|look| check_not_someone_else(gallery, look, policy, enrolling).is_ok())
        .collect()
}

/// A photo given for enrolment that was refused, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusedPhoto {
    /// The file name or form field the photo came from.
    pub photo: String,
    /// A short machine-readable reason ("unreadable", or a [`Rejection::code`]).
    pub code: &'static str,
    pub message: String,
}

/// The faces to enrol from several photos of one person, with the same checks wherever the
/// photos come from (command line, API, import): each photo's main face must be big and sharp,
/// must not be someone else already enrolled, and must match the first accepted photo.
/// `photos` holds each photo's label and its analysed faces, or why it could not be read.
pub fn choose_faces(
    gallery: &Gallery,
    policy: &MatchPolicy,
    min_face_px: f32,
    photos: Vec<(String, Result<Vec<AnalyzedFace>, String>)>,
) -> (Vec<AnalyzedFace>, Vec<RefusedPhoto>) {
    let mut accepted: Vec<AnalyzedFace> = Vec::new();
    let mut refused = Vec::new();
    for (photo, faces) in photos {
        let faces = match faces {
            Ok(faces) => faces,
            Err(message) => {
                refused.push(RefusedPhoto {
                    photo,
                    code: "unreadable",
                    message,
                });
                continue;
            }
        };
        let checked = main_face(&faces, min_face_px)
            .and_then(|face| check_not_someone_else(gallery, face, policy, None).map(|()| face))
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
            Err(rejection) => refused.push(RefusedPhoto {
                photo,
                code: rejection.code(),
                message: rejection.to_string(),
            }),
        }
    }
    (accepted, refused)
}

/// The stored form of a sample: embedding, model id, quality and a JPEG thumbnail.
pub fn new_face(face: &AnalyzedFace, model_id: &str) -> NewFace {
    NewFace {
        embedding: face.embedding.clone(),
        model_id: model_id.to_owned(),
        quality: face.quality.score(),
        thumbnail_jpeg: encode_jpeg(&face.aligned),
    }
}

/// JPEG bytes of an image (empty if encoding fails, which only happens for zero-sized images).
pub fn encode_jpeg(image: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90);
    if let Err(e) = image.write_with_encoder(encoder) {
        tracing::warn!(error = %e, "cannot encode a face thumbnail");
        bytes.clear();
    }
    bytes
}
