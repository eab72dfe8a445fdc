//! Naming the faces in an uploaded image: Frontdesk's own `/identify`, and CompreFace's
//! `/recognition/recognize` as Double Take and Frigate call it. Uploaded images are decoded in
//! memory and never stored.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{ApiContext, ApiError, blocking};
use crate::engine::{AnalyzedImage, UploadError};

/// Decodes an upload and finds, aligns and embeds its faces.
pub(super) fn analyze_upload(
    context: &ApiContext,
    bytes: &[u8],
    label: &str,
) -> Result<AnalyzedImage, ApiError> {
    context.with_engine(|engine| {
        engine.analyze_bytes(bytes, label).map_err(|e| match e {
            UploadError::Unreadable(e) => ApiError::BadRequest(e.to_string()),
            UploadError::Analysis(e) => ApiError::Engine(e),
        })
    })
}

/// `POST /identify` with an image as the body: the same JSON as `frontdesk identify`.
pub async fn identify(
    State(context): State<Arc<ApiContext>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body.map_err(|r| ApiError::from_rejection(r.status(), r.body_text()))?;
    let answer = blocking(move || {
        let AnalyzedImage {
            width,
            height,
            faces,
        } = analyze_upload(&context, &body, "the request body")?;
        let faces = context.with_gallery(|gallery| {
            Ok(crate::report::identified_faces_json(
                &faces,
                gallery,
                &context.policy,
                context.min_face_px,
            ))
        })?;
        Ok(json!({"width": width, "height": height, "faces": faces}))
    })
    .await?;
    Ok(Json(answer))
}

/// CompreFace's answer when there is no face: Double Take reads `code` 28 as "nobody there".
fn no_face() -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"message": "No face is found in the given image", "code": 28})),
    )
        .into_response()
}

/// `POST /recognition/recognize`: multipart `file`, key in `x-api-key`; each face with its box and
/// the matching subject, in CompreFace's shape.
pub async fn compreface_recognize(
    State(context): State<Arc<ApiContext>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let mut multipart =
        multipart.map_err(|r| ApiError::from_rejection(r.status(), r.body_text()))?;
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::from_rejection(e.status(), e.body_text()))?
    {
        if field.name() == Some("file") {
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::from_rejection(e.status(), e.body_text()))?;
            file = Some(bytes);
        }
    }
    let file = file.ok_or_else(|| ApiError::BadRequest("the form needs a `file` field".into()))?;
    let results = blocking(move || {
        let faces = analyze_upload(&context, &file, "the uploaded file")?.faces;
        context.with_gallery(|gallery| {
            Ok(faces
                .iter()
                .map(|face| {
                    let b = face.detection.bbox;
                    let subjects = match crate::recognizer::naming::name_in_photo(
                        face,
                        gallery,
                        &context.policy,
                        context.min_face_px,
                    ) {
                        (Some(person_id), Some(similarity)) => vec![json!({
                            "subject": gallery.index().name(person_id),
                            "similarity": crate::report::round(similarity, 5),
                        })],
                        _ => Vec::new(),
                    };
                    json!({
                        "box": {
                            "probability": crate::report::round(face.detection.score, 5),
                            "x_min": b.x.round() as i64,
                            "y_min": b.y.round() as i64,
                            "x_max": (b.x + b.width).round() as i64,
                            "y_max": (b.y + b.height).round() as i64,
                        },
                        "subjects": subjects,
                    })
                })
                .collect::<Vec<_>>())
        })
    })
    .await?;
    if results.is_empty() {
        return Ok(no_face());
    }
    Ok(Json(json!({ "result": results })).into_response())
}
