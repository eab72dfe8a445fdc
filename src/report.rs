//! The JSON shapes Frontdesk speaks: one definition for the command line and the HTTP API, so a
//! script can move from one to the other.

use serde_json::{Value, json};

use crate::attendance::{Attendance, RollCall};
use crate::engine::AnalyzedFace;
use crate::gallery::{Gallery, Group, MatchPolicy, Person, Visit, format_timestamp};

pub fn round(value: f32, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (f64::from(value) * factor).round() / factor
}

/// A detected face: box (x, y, width, height), score and five landmarks.
pub fn face_json(face: &AnalyzedFace) -> serde_json::Map<String, Value> {
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

/// Each face with whom it belongs to (`person` is null for a stranger or a face too small to
/// name) and the best similarity.
pub fn identified_faces_json(
    faces: &[AnalyzedFace],
    gallery: &Gallery,
    policy: &MatchPolicy,
    min_face_px: f32,
) -> Vec<Value> {
    faces
        .iter()
        .map(|face| {
            let mut map = face_json(face);
            let (person, similarity) =
                crate::recognizer::naming::name_in_photo(face, gallery, policy, min_face_px);
            let person = person.map_or(
                Value::Null,
                |id| json!({"id": id, "name": gallery.index().name(id)}),
            );
            map.insert("person".into(), person);
            map.insert("similarity".into(), json!(similarity.map(|s| round(s, 4))));
            Value::Object(map)
        })
        .collect()
}

pub fn person_json(person: &Person) -> Value {
    json!({
        "id": person.id,
        "uid": person.uid,
        "name": person.name,
        "details": person.details,
        "consent_at": person.consent_at.map(format_timestamp),
        "consent_withdrawn_at": person.consent_withdrawn_at.map(format_timestamp),
        "created_at": format_timestamp(person.created_at),
        "faces": person.face_count,
        "visits": person.visit_count,
        "last_visit_at": person.last_visit_at.map(format_timestamp),
    })
}

pub fn visit_json(visit: &Visit) -> Value {
    json!({
        "person": {"id": visit.person_id, "name": visit.person_name},
        "at": format_timestamp(visit.at),
        "similarity": round(visit.similarity, 4),
        "source": visit.source,
        "kiosk": visit.kiosk,
    })
}

/// Unix ms of a day's start (local time) or of an RFC 3339 instant.
fn parse_instant(text: &str, day_end: bool) -> Result<i64, String> {
    if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
        return Ok(timestamp.as_millisecond());
    }
    let date: jiff::civil::Date = text
        .parse()
        .map_err(|_| format!("`{text}` is neither a date (YYYY-MM-DD) nor an RFC 3339 time"))?;
    let date = if day_end {
        date.tomorrow().map_err(|e| e.to_string())?
    } else {
        date
    };
    date.to_zoned(jiff::tz::TimeZone::system())
        .map(|zoned| zoned.timestamp().as_millisecond())
        .map_err(|e| e.to_string())
}

/// The start of a filter: a day (from its first moment, local time) or an RFC 3339 instant.
pub fn parse_since(text: &str) -> Result<i64, String> {
    parse_instant(text, false)
}

/// The end of a filter: up to and including a day, or up to an RFC 3339 instant.
pub fn parse_until(text: &str) -> Result<i64, String> {
    parse_instant(text, !text.contains('T'))
}

/// A group with its schedule and members.
pub fn group_json(group: &Group) -> Value {
    json!({
        "id": group.id,
        "name": group.name,
        "schedule": group.schedule.map(|s| json!({
            "days": s.weekdays.to_string(),
            "start": s.start.strftime("%H:%M").to_string(),
        })),
        "grace_seconds": group.grace.as_secs(),
        "members": group.members.iter().map(|m| json!({
            "id": m.person_id,
            "name": m.name,
            "tracked": m.tracked,
        })).collect::<Vec<_>>(),
    })
}

/// One session's roll call: each member's status and first arrival, and the totals.
pub fn roll_call_json(group: &Group, roll_call: &RollCall) -> Value {
    let totals = roll_call.totals();
    json!({
        "record": "roll_call",
        "group": {"id": group.id, "name": group.name},
        "day": roll_call.session.day.to_string(),
        "starts_at": format_timestamp(roll_call.session.starts_at),
        "scheduled": roll_call.session.scheduled,
        "members": roll_call.members.iter().map(|m| json!({
            "id": m.person_id,
            "name": m.name,
            "status": m.status.as_str(),
            "first_seen": m.first_seen.map(format_timestamp),
        })).collect::<Vec<_>>(),
        "totals": {
            "present": totals.present,
            "late": totals.late,
            "absent": totals.absent,
            "expected": totals.expected,
            "not_tracked": totals.not_tracked,
        },
    })
}

/// The period's summary: each member's rate over the closed sessions and the weekly rates.
pub fn attendance_summary_json(attendance: &Attendance, now: i64) -> Value {
    let rate = |rate: Option<f64>| rate.map(|r| (r * 1000.0).round() / 1000.0);
    json!({
        "record": "summary",
        "group": {"id": attendance.group.id, "name": attendance.group.name},
        "since": attendance.first_day.to_string(),
        "until": attendance.last_day.to_string(),
        "sessions": attendance.roll_calls.len(),
        "days_past_retention": attendance.days_past_retention,
        "members": attendance.rates.iter().map(|r| json!({
            "id": r.person_id,
            "name": r.name,
            "sessions": r.sessions,
            "present": r.present,
            "late": r.late,
            "absent": r.sessions - r.present - r.late,
            "rate": rate(r.rate()),
        })).collect::<Vec<_>>(),
        "weeks": attendance.weekly(now).iter().map(|w| json!({
            "monday": w.monday.to_string(),
            "attended": w.attended,
            "expected": w.expected,
            "rate": rate(w.rate()),
        })).collect::<Vec<_>>(),
    })
}
