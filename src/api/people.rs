//! People and visits over HTTP, with the same checks and the same erasure as the command line.
//! Nothing is served about a person without a recorded consent.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Extension, Multipart, Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::auth::TokenName;
use super::recognition::analyze_upload;
use super::{ApiContext, ApiError, blocking};
use crate::enrollment;
use crate::gallery::{Gallery, NewPerson, Person, PersonId};
use crate::report::{person_json, visit_json};

fn consented(person: &Person) -> bool {
    person.consent_at.is_some()
}

fn consented_person(gallery: &Gallery, id: PersonId) -> Result<Person, ApiError> {
    gallery
        .person(id)?
        .filter(consented)
        .ok_or_else(|| ApiError::NotFound(format!("no person with id {id}")))
}

/// Records a change made through the API under the token's name.
fn audit(gallery: &mut Gallery, token: &TokenName, what: &str) -> Result<(), ApiError> {
    gallery.record_audit("api", &format!("token {}: {what}", token.0))?;
    Ok(())
}

/// `GET /people`: everyone with a recorded consent, by name.
pub async fn list(State(context): State<Arc<ApiContext>>) -> Result<Json<Value>, ApiError> {
    let people = blocking(move || {
        context.with_gallery(|gallery| {
            Ok(gallery
                .people()?
                .iter()
                .filter(|p| consented(p))
                .map(person_json)
                .collect::<Vec<_>>())
        })
    })
    .await?;
    Ok(Json(Value::Array(people)))
}

/// `GET /people/{id}`: one person with their 20 latest visits.
pub async fn show(
    State(context): State<Arc<ApiContext>>,
    Path(id): Path<PersonId>,
) -> Result<Json<Value>, ApiError> {
    let person = blocking(move || {
        context.with_gallery(|gallery| {
            let person = consented_person(gallery, id)?;
            let mut value = person_json(&person);
            let recent: Vec<Value> = gallery
                .visits(Some(id), None, None)?
                .iter()
                .take(20)
                .map(visit_json)
                .collect();
            value["recent_visits"] = json!(recent);
            Ok(value)
        })
    })
    .await?;
    Ok(Json(person))
}

/// What `POST /people` sent.
#[derive(Default)]
struct EnrolmentForm {
    name: String,
    consent: bool,
    details: BTreeMap<String, String>,
    images: Vec<(String, axum::body::Bytes)>,
}

fn is_yes(text: &str) -> bool {
    matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "on"
    )
}

async fn read_enrolment_form(mut multipart: Multipart) -> Result<EnrolmentForm, ApiError> {
    let mut form = EnrolmentForm::default();
    let field_error = |e: axum::extract::multipart::MultipartError| {
        ApiError::from_rejection(e.status(), e.body_text())
    };
    while let Some(field) = multipart.next_field().await.map_err(field_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "image" {
            let label = field.file_name().unwrap_or("image").to_owned();
            form.images
                .push((label, field.bytes().await.map_err(field_error)?));
            continue;
        }
        let text = field.text().await.map_err(field_error)?;
        if name == "name" {
            form.name = text;
        } else if name == "consent" {
            form.consent = is_yes(&text);
        } else if let Some(key) = name.strip_prefix("detail.") {
            if !key.trim().is_empty() {
                form.details
                    .insert(key.trim().to_owned(), text.trim().to_owned());
            }
        } else {
            return Err(ApiError::BadRequest(format!(
                "unknown form field `{name}`: use name, consent, detail.KEY and image"
            )));
        }
    }
    Ok(form)
}

/// `POST /people` (multipart: name, consent, detail.KEY, image...): enrols like `frontdesk enroll`.
pub async fn create(
    State(context): State<Arc<ApiContext>>,
    Extension(token): Extension<TokenName>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let multipart = multipart.map_err(|r| ApiError::from_rejection(r.status(), r.body_text()))?;
    let form = read_enrolment_form(multipart).await?;
    if form.name.trim().is_empty() {
        return Err(ApiError::BadRequest("the form needs a `name`".into()));
    }
    if form.images.is_empty() {
        return Err(ApiError::BadRequest(
            "the form needs at least one `image`".into(),
        ));
    }
    if context.require_consent && !form.consent {
        return Err(crate::gallery::GalleryError::ConsentRequired.into());
    }
    let answer = blocking(move || {
        let photos: Vec<_> = form
            .images
            .iter()
            .map(|(label, bytes)| {
                let faces = analyze_upload(&context, bytes, label)
                    .map(|analyzed| analyzed.faces)
                    .map_err(|e| e.to_string());
                (label.clone(), faces)
            })
            .collect();
        context.with_gallery(|gallery| {
            let (accepted, refused) =
                enrollment::choose_faces(gallery, &context.policy, context.min_face_px, photos);
            let rejected: Vec<Value> = refused
                .iter()
                .map(|r| json!({"image": r.photo, "reason": r.code, "message": r.message}))
                .collect();
            if accepted.is_empty() {
                return Err(ApiError::Rejected {
                    message: "no usable face in the photos given; nothing was saved".into(),
                    details: json!(rejected),
                });
            }
            let model_id = gallery.model_id().to_owned();
            let faces: Vec<_> = accepted
                .iter()
                .map(|face| enrollment::new_face(face, &model_id))
                .collect();
            let person = NewPerson {
                name: form.name.trim().to_owned(),
                details: form.details,
                consent: form.consent,
            };
            let person_id = gallery.enroll(&person, &faces)?;
            audit(gallery, &token, &format!("enrolled person #{person_id}"))?;
            Ok(json!({
                "person_id": person_id,
                "name": person.name,
                "faces_added": faces.len(),
                "rejected": rejected,
            }))
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// What `PATCH /people/{id}` may change; absent fields stay as they are, a detail set to null is
/// removed.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    name: Option<String>,
    #[serde(default)]
    details: BTreeMap<String, Option<String>>,
    consent: Option<bool>,
}

/// `PATCH /people/{id}`: name, details, consent given or withdrawn.
pub async fn update(
    State(context): State<Arc<ApiContext>>,
    Extension(token): Extension<TokenName>,
    Path(id): Path<PersonId>,
    patch: Result<Json<PersonPatch>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(patch) = patch.map_err(|r| ApiError::from_rejection(r.status(), r.body_text()))?;
    let answer = blocking(move || {
        context.with_gallery(|gallery| {
            let person = gallery
                .person(id)?
                .ok_or_else(|| ApiError::NotFound(format!("no person with id {id}")))?;
            let mut details = person.details.clone();
            for (key, value) in patch.details {
                match value {
                    Some(value) => details.insert(key, value),
                    None => details.remove(&key),
                };
            }
            let withdraw = patch.consent == Some(false);
            let updated = NewPerson {
                name: patch.name.unwrap_or(person.name),
                details,
                consent: patch.consent.unwrap_or(person.consent_at.is_some()),
            };
            gallery.update_person(id, &updated)?;
            if withdraw {
                gallery.withdraw_consent(id)?;
            }
            audit(gallery, &token, &format!("edited person #{id}"))?;
            match gallery.person(id)?.filter(consented) {
                Some(person) => Ok(person_json(&person)),
                None => Ok(json!({"id": id, "consent": false})),
            }
        })
    })
    .await?;
    Ok(Json(answer))
}

/// `DELETE /people/{id}`: the same erasure as `frontdesk people delete`.
pub async fn erase(
    State(context): State<Arc<ApiContext>>,
    Extension(token): Extension<TokenName>,
    Path(id): Path<PersonId>,
) -> Result<Json<Value>, ApiError> {
    blocking(move || {
        context.with_gallery(|gallery| {
            if !gallery.delete_person(id)? {
                return Err(ApiError::NotFound(format!("no person with id {id}")));
            }
            audit(gallery, &token, &format!("erased person #{id}"))
        })
    })
    .await?;
    Ok(Json(json!({"deleted": id})))
}

/// `GET /visits` filters, as `frontdesk visits`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitQuery {
    person: Option<PersonId>,
    since: Option<String>,
    until: Option<String>,
}

/// `GET /visits?person=ID&since=DAY&until=DAY`, newest first.
pub async fn visits(
    State(context): State<Arc<ApiContext>>,
    query: Result<Query<VisitQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query.map_err(|r| ApiError::from_rejection(r.status(), r.body_text()))?;
    let since = query
        .since
        .as_deref()
        .map(crate::report::parse_since)
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let until = query
        .until
        .as_deref()
        .map(crate::report::parse_until)
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let visits = blocking(move || {
        context.with_gallery(|gallery| {
            let consenting: std::collections::HashSet<PersonId> = gallery
                .people()?
                .iter()
                .filter(|p| consented(p))
                .map(|p| p.id)
                .collect();
            Ok(gallery
                .visits(query.person, since, until)?
                .iter()
                .filter(|v| consenting.contains(&v.person_id))
                .map(visit_json)
                .collect::<Vec<_>>())
        })
    })
    .await?;
    Ok(Json(Value::Array(visits)))
}
