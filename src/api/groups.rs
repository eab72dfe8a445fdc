//! Groups and their roll calls over HTTP, with the checks of the command line. Members without a
//! recorded consent are left out of every answer, as in the rest of the API.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::auth::TokenName;
use super::{ApiContext, ApiError, blocking};
use crate::attendance::Calendar;
use crate::gallery::{DEFAULT_GRACE, Gallery, Group, GroupId, PersonId, Schedule};
use crate::report::{attendance_summary_json, group_json, roll_call_json};

/// A group as the API shows it: its consenting members only.
fn shown(mut group: Group) -> Group {
    group.members.retain(|m| m.tracked);
    group
}

fn group_or_404(gallery: &Gallery, id: GroupId) -> Result<Group, ApiError> {
    gallery
        .group(id)?
        .map(shown)
        .ok_or_else(|| ApiError::NotFound(format!("no group with id {id}")))
}

fn audit(gallery: &mut Gallery, token: &TokenName, what: &str) -> Result<(), ApiError> {
    gallery.record_audit("api", &format!("token {}: {what}", token.0))?;
    Ok(())
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(body)| body)
        .map_err(|r| ApiError::from_rejection(r.status(), r.body_text()))
}

/// A weekly schedule as JSON: `{"days": "mon-fri", "start": "09:00"}`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    days: String,
    start: String,
}

impl ScheduleBody {
    fn parse(&self) -> Result<Schedule, ApiError> {
        Ok(Schedule {
            weekdays: self.days.parse().map_err(ApiError::BadRequest)?,
            start: self.start.trim().parse().map_err(|_| {
                ApiError::BadRequest(format!("`{}` is not a time of day like 09:00", self.start))
            })?,
        })
    }
}

/// What `POST /groups` and `PATCH /groups/{id}` send; absent fields stay as they are, a
/// `schedule` of null removes it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupBody {
    name: Option<String>,
    #[serde(default, deserialize_with = "null_or_absent::deserialize")]
    schedule: Option<Option<ScheduleBody>>,
    grace_seconds: Option<i64>,
}

/// Tells a `null` schedule (remove it) from a missing one (keep it).
mod null_or_absent {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

impl GroupBody {
    fn schedule(&self, current: Option<Schedule>) -> Result<Option<Schedule>, ApiError> {
        match &self.schedule {
            None => Ok(current),
            Some(None) => Ok(None),
            Some(Some(body)) => body.parse().map(Some),
        }
    }

    fn grace(&self, current: jiff::SignedDuration) -> jiff::SignedDuration {
        self.grace_seconds
            .map_or(current, jiff::SignedDuration::from_secs)
    }
}

/// `GET /groups`: every group with its schedule and consenting members.
pub async fn list(State(context): State<Arc<ApiContext>>) -> Result<Json<Value>, ApiError> {
    let groups = blocking(move || {
        context.with_gallery(|gallery| {
            Ok(gallery
                .groups()?
                .into_iter()
                .map(|g| group_json(&shown(g)))
                .collect::<Vec<_>>())
        })
    })
    .await?;
    Ok(Json(Value::Array(groups)))
}

/// `POST /groups` `{"name", "schedule"?, "grace_seconds"?}`.
pub async fn create(
    State(context): State<Arc<ApiContext>>,
    Extension(token): Extension<TokenName>,
    body: Result<Json<GroupBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = json_body(body)?;
    let name = body
        .name
        .clone()
        .ok_or_else(|| ApiError::BadRequest("a group needs a `name`".into()))?;
    let group = blocking(move || {
        context.with_gallery(|gallery| {
            let id =
                gallery.create_group(&name, body.schedule(None)?, body.grace(DEFAULT_GRACE))?;
            audit(gallery, &token, &format!("created group #{id}"))?;
            group_or_404(gallery, id)
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(group_json(&group))))
}

/// `GET /groups/{id}`.
pub async fn show(
    State(context): State<Arc<ApiContext>>,
    Path(id): Path<GroupId>,
) -> Result<Json<Value>, ApiError> {
    let group = blocking(move || context.with_gallery(|gallery| group_or_404(gallery, id))).await?;
    Ok(Json(group_json(&group)))
}

/// `PATCH /groups/{id}`: a new name, schedule or grace period.
pub async fn update(
    State(context): State<Arc<ApiContext>>,
    Extension(token): Extension<TokenName>,
    Path(id): Path<GroupId>,
    body: Result<Json<GroupBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(body)?;
    let group = blocking(move || {
        context.with_gallery(|gallery| {
            let group = group_or_404(gallery, id)?;
            if let Some(name) = &body.name {
                gallery.rename_group(id, name)?;
            }
            if body.schedule.is_some() || body.grace_seconds.is_some() {
                gallery.set_group_schedule(
                    id,
                    body.schedule(group.schedule)?,
                    body.grace(group.grace),
                )?;
            }
            audit(gallery, &token, &format!("changed group #{id}"))?;
            group_or_404(gallery, id)
        })
    })
    .await?;
    Ok(Json(group_json(&group)))
}

/// `DELETE /groups/{id}`: the group, its schedule and sessions; nobody is deleted.
pub async fn delete(
    State(context): State<Arc<ApiContext>>,
    Extension(token): Extension<TokenName>,
    Path(id): Path<GroupId>,
) -> Result<Json<Value>, ApiError> {
    blocking(move || {
        context.with_gallery(|gallery| {
            if !gallery.delete_group(id)? {
                return Err(ApiError::NotFound(format!("no group with id {id}")));
            }
            audit(gallery, &token, &format!("deleted group #{id}"))?;
            Ok(Json(json!({"deleted": id})))
        })
    })
    .await
}

/// `PUT /groups/{id}/members/{person}`: adds a consenting person.
pub async fn add_member(
    State(context): State<Arc<ApiContext>>,
    Extension(token): Extension<TokenName>,
    Path((id, person)): Path<(GroupId, PersonId)>,
) -> Result<Json<Value>, ApiError> {
    let group = blocking(move || {
        context.with_gallery(|gallery| {
            if gallery
                .person(person)?
                .is_none_or(|p| p.consent_at.is_none())
            {
                return Err(ApiError::NotFound(format!("no person with id {person}")));
            }
            gallery.add_member(id, person)?;
            audit(
                gallery,
                &token,
                &format!("added person #{person} to group #{id}"),
            )?;
            group_or_404(gallery, id)
        })
    })
    .await?;
    Ok(Json(group_json(&group)))
}

/// `DELETE /groups/{id}/members/{person}`.
pub async fn remove_member(
    State(context): State<Arc<ApiContext>>,
    Extension(token): Extension<TokenName>,
    Path((id, person)): Path<(GroupId, PersonId)>,
) -> Result<Json<Value>, ApiError> {
    let group = blocking(move || {
        context.with_gallery(|gallery| {
            gallery.remove_member(id, person)?;
            audit(
                gallery,
                &token,
                &format!("removed person #{person} from group #{id}"),
            )?;
            group_or_404(gallery, id)
        })
    })
    .await?;
    Ok(Json(group_json(&group)))
}

/// `POST /groups/{id}/sessions`: a roll call starting now.
pub async fn start_session(
    State(context): State<Arc<ApiContext>>,
    Extension(token): Extension<TokenName>,
    Path(id): Path<GroupId>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let answer = blocking(move || {
        context.with_gallery(|gallery| {
            let at = crate::gallery::now_ms();
            gallery.start_session(id, at)?;
            audit(
                gallery,
                &token,
                &format!("started a roll call of group #{id}"),
            )?;
            Ok(json!({"group": id, "starts_at": crate::gallery::format_timestamp(at)}))
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Which days `GET /groups/{id}/attendance` covers: `day`, or `since` and `until` (YYYY-MM-DD,
/// the kiosk's time zone); today by default.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttendanceParams {
    day: Option<String>,
    since: Option<String>,
    until: Option<String>,
}

fn parse_day(text: Option<&String>) -> Result<Option<jiff::civil::Date>, ApiError> {
    text.map(|text| {
        text.trim()
            .parse()
            .map_err(|_| ApiError::BadRequest(format!("`{text}` is not a date like 2026-11-28")))
    })
    .transpose()
}

/// `GET /groups/{id}/attendance`: `{"roll_calls": [...], "summary": {...}}` as `frontdesk
/// attendance --json` prints them.
pub async fn attendance(
    State(context): State<Arc<ApiContext>>,
    Path(id): Path<GroupId>,
    params: Result<Query<AttendanceParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(params) = params.map_err(|r| ApiError::from_rejection(r.status(), r.body_text()))?;
    if params.day.is_some() && (params.since.is_some() || params.until.is_some()) {
        return Err(ApiError::BadRequest(
            "ask for one `day` or for `since` and `until`, not both".into(),
        ));
    }
    let (day, since, until) = (
        parse_day(params.day.as_ref())?,
        parse_day(params.since.as_ref())?,
        parse_day(params.until.as_ref())?,
    );
    let retention_days = context.retention_days;
    blocking(move || {
        context.with_gallery(|gallery| {
            let group = group_or_404(gallery, id)?;
            let calendar = Calendar::now(retention_days);
            let today = calendar
                .today()
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let last = day.or(until).unwrap_or(today);
            let first = day.or(since).unwrap_or(last);
            let attendance = crate::attendance::attendance(gallery, &group, first, last, &calendar)
                .map_err(|e| match e {
                    crate::attendance::AttendanceError::Gallery(e) => ApiError::Gallery(e),
                    other => ApiError::BadRequest(other.to_string()),
                })?;
            Ok(Json(json!({
                "roll_calls": attendance
                    .roll_calls
                    .iter()
                    .map(|r| roll_call_json(&group, r))
                    .collect::<Vec<_>>(),
                "summary": attendance_summary_json(&attendance, calendar.now),
            })))
        })
    })
    .await
}
