//! Who of a group came, came late or stayed away: roll calls derived from the visits the kiosk
//! logged (attendance is never recorded twice), in the kiosk's time zone.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::gallery::{Gallery, GalleryError, Group, PersonId};

/// A visit up to this long before a session starts counts as arriving for it.
pub const EARLY_ARRIVAL_MS: i64 = 60 * 60 * 1000;
/// Sessions of one group starting closer together than this are one session (a roll call started
/// by hand just after the scheduled start, say).
const SAME_SESSION_MS: i64 = 15 * 60 * 1000;
/// The longest period one report covers.
pub const MAX_DAYS: i64 = 3660;

#[derive(Debug, thiserror::Error)]
pub enum AttendanceError {
    #[error(transparent)]
    Gallery(#[from] GalleryError),
    #[error("date arithmetic failed: {0}")]
    Time(#[from] jiff::Error),
    #[error("the period ends ({last}) before it starts ({first}); swap the two days")]
    Reversed { first: Date, last: Date },
    #[error(
        "the period from {first} to {last} is longer than {MAX_DAYS} days; ask for a shorter one"
    )]
    TooLong { first: Date, last: Date },
}

/// What the roll call says about one member in one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Arrived by the end of the grace period.
    Present,
    /// Arrived after the grace period.
    Late,
    /// Not seen, and the grace period is over.
    Absent,
    /// Not seen yet, and the grace period is not over.
    Expected,
    /// The kiosk may not recognise them (no consent), so it cannot tell: neither present nor
    /// absent, and left out of every rate.
    NotTracked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Late => "late",
            Status::Absent => "absent",
            Status::Expected => "expected",
            Status::NotTracked => "not_tracked",
        }
    }
}

/// One meeting of a group, scheduled or started by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// The local day it belongs to.
    pub day: Date,
    pub starts_at: i64,
    /// Arrivals after this are late.
    pub on_time_until: i64,
    /// Visits in [window_start, window_end) are arrivals for this session.
    pub window_start: i64,
    pub window_end: i64,
    /// From the weekly schedule (else started by hand).
    pub scheduled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberStatus {
    pub person_id: PersonId,
    pub name: String,
    pub status: Status,
    /// The first visit in the session's window.
    pub first_seen: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollCall {
    pub session: Session,
    /// By name.
    pub members: Vec<MemberStatus>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub present: u32,
    pub late: u32,
    pub absent: u32,
    pub expected: u32,
    pub not_tracked: u32,
}

impl RollCall {
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for member in &self.members {
            *match member.status {
                Status::Present => &mut totals.present,
                Status::Late => &mut totals.late,
                Status::Absent => &mut totals.absent,
                Status::Expected => &mut totals.expected,
                Status::NotTracked => &mut totals.not_tracked,
            } += 1;
        }
        totals
    }

    /// Whether the grace period is over, so that the roll call counts in rates.
    fn closed(&self, now: i64) -> bool {
        self.session.on_time_until <= now
    }
}

/// A member's attendance over the period's closed sessions.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRate {
    pub person_id: PersonId,
    pub name: String,
    pub sessions: u32,
    pub present: u32,
    pub late: u32,
}

impl MemberRate {
    /// The share of sessions attended (on time or late); none without a session.
    pub fn rate(&self) -> Option<f64> {
        (self.sessions > 0).then(|| f64::from(self.present + self.late) / f64::from(self.sessions))
    }
}

/// A group's attendance in one week of the period (weeks start on Monday).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeekRate {
    pub monday: Date,
    /// Arrivals of tracked members, on time or late.
    pub attended: u32,
    /// Closed sessions times tracked members.
    pub expected: u32,
}

impl WeekRate {
    pub fn rate(&self) -> Option<f64> {
        (self.expected > 0).then(|| f64::from(self.attended) / f64::from(self.expected))
    }
}

/// When the roll calls are made: the kiosk's time zone, the current time and how long visits are
/// kept.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub tz: TimeZone,
    pub now: i64,
    /// `kiosk.retention_days` (0 keeps visits forever).
    pub retention_days: u32,
}

impl Calendar {
    /// The kiosk's calendar now.
    pub fn now(retention_days: u32) -> Self {
        Self {
            tz: TimeZone::system(),
            now: crate::gallery::now_ms(),
            retention_days,
        }
    }

    pub fn today(&self) -> Result<Date, jiff::Error> {
        Ok(jiff::Timestamp::from_millisecond(self.now)?
            .to_zoned(self.tz.clone())
            .date())
    }

    fn day_start(&self, day: Date) -> Result<i64, jiff::Error> {
        Ok(day.to_zoned(self.tz.clone())?.timestamp().as_millisecond())
    }

    /// Whether the visits of `day` may have been deleted by retention.
    fn past_retention(&self, day_start: i64) -> bool {
        self.retention_days > 0
            && day_start < self.now - i64::from(self.retention_days) * 86_400_000
    }
}

/// A group's roll calls over some days, with each member's rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendance {
    pub group: Group,
    pub first_day: Date,
    pub last_day: Date,
    /// In time order.
    pub roll_calls: Vec<RollCall>,
    /// By name; members the kiosk may not recognise have no sessions.
    pub rates: Vec<MemberRate>,
    /// Days of the period whose visits were deleted (`kiosk.retention_days`): they have no roll
    /// call, rather than everyone absent.
    pub days_past_retention: u32,
}

impl Attendance {
    /// The group's attendance week by week, over closed sessions.
    pub fn weekly(&self, now: i64) -> Vec<WeekRate> {
        let mut weeks: Vec<WeekRate> = Vec::new();
        for roll_call in self.roll_calls.iter().filter(|r| r.closed(now)) {
            let monday = roll_call
                .session
                .day
                .iso_week_date()
                .first_of_week()
                .map_or(roll_call.session.day, jiff::civil::ISOWeekDate::date);
            let totals = roll_call.totals();
            let attended = totals.present + totals.late;
            let expected = attended + totals.absent;
            match weeks.last_mut() {
                Some(week) if week.monday == monday => {
                    week.attended += attended;
                    week.expected += expected;
                }
                _ => weeks.push(WeekRate {
                    monday,
                    attended,
                    expected,
                }),
            }
        }
        weeks
    }
}

/// The roll calls of `group` from `first_day` to `last_day` (inclusive), from the visits in the
/// gallery. Days after today and days past retention have none.
pub fn attendance(
    gallery: &Gallery,
    group: &Group,
    first_day: Date,
    last_day: Date,
    calendar: &Calendar,
) -> Result<Attendance, AttendanceError> {
    if last_day < first_day {
        return Err(AttendanceError::Reversed {
            first: first_day,
            last: last_day,
        });
    }
    if first_day.until(last_day)?.get_days() >= MAX_DAYS as i32 {
        return Err(AttendanceError::TooLong {
            first: first_day,
            last: last_day,
        });
    }
    let (sessions, days_past_retention) =
        sessions_between(gallery, group, first_day, last_day, calendar.now, calendar)?;
    let roll_calls = match (sessions.first(), sessions.last()) {
        (Some(first), Some(last)) => {
            let arrivals = arrivals(gallery, first.window_start, last.window_end)?;
            sessions
                .iter()
                .map(|session| roll_call(group, *session, &arrivals, calendar.now))
                .collect()
        }
        _ => Vec::new(),
    };
    let rates = rates(group, &roll_calls, calendar.now);
    Ok(Attendance {
        group: group.clone(),
        first_day,
        last_day,
        roll_calls,
        rates,
        days_past_retention,
    })
}

/// A greeted member's arrival for a session of one of their groups happening now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIn {
    pub group: String,
    /// Arrived by the end of the grace period.
    pub on_time: bool,
}

/// The sessions happening now (arrivals now count for them) of `person`'s groups, with how the
/// person arrived for each, from the visits already logged.
pub fn check_ins(
    gallery: &Gallery,
    person: PersonId,
    calendar: &Calendar,
) -> Result<Vec<CheckIn>, AttendanceError> {
    let mut check_ins = Vec::new();
    for (group_id, _) in gallery.groups_of(person)? {
        let Some(group) = gallery.group(group_id)? else {
            continue;
        };
        let Some(session) = session_taking_arrivals(gallery, &group, calendar)? else {
            continue;
        };
        let arrivals = arrivals(gallery, session.window_start, session.window_end)?;
        let roll_call = roll_call(&group, session, &arrivals, calendar.now);
        let member = roll_call.members.iter().find(|m| m.person_id == person);
        let on_time = match member.map(|m| m.status) {
            Some(Status::Present) => true,
            Some(Status::Late) => false,
            _ => continue,
        };
        check_ins.push(CheckIn {
            group: group.name,
            on_time,
        });
    }
    Ok(check_ins)
}

/// The session of `group` whose arrivals are being taken now: one of today's, or tomorrow's first
/// when it starts within an hour of midnight.
fn session_taking_arrivals(
    gallery: &Gallery,
    group: &Group,
    calendar: &Calendar,
) -> Result<Option<Session>, AttendanceError> {
    let today = calendar.today()?;
    // A day beginning more than an hour from now has no session taking arrivals yet.
    let starts_by = calendar.now.saturating_add(EARLY_ARRIVAL_MS);
    let (sessions, _) = sessions_between(
        gallery,
        group,
        today,
        today.tomorrow()?,
        starts_by,
        calendar,
    )?;
    Ok(sessions
        .into_iter()
        .find(|s| (s.window_start..s.window_end).contains(&calendar.now)))
}

/// The starts of a group's sessions on one local day, in order, each flagged when it is the
/// scheduled one (else started by hand); starts closer than `SAME_SESSION_MS` are one session.
fn starts_on(
    gallery: &Gallery,
    group: &Group,
    day: Date,
    calendar: &Calendar,
) -> Result<Vec<(i64, bool)>, AttendanceError> {
    let day_start = calendar.day_start(day)?;
    let day_end = calendar.day_start(day.tomorrow()?)?;
    let mut starts: Vec<(i64, bool)> = gallery
        .session_starts(group.id, day_start, day_end)?
        .into_iter()
        .map(|at| (at, false))
        .collect();
    if let Some(schedule) = group
        .schedule
        .filter(|schedule| schedule.weekdays.contains(day.weekday()))
    {
        let at = day
            .to_datetime(schedule.start)
            .to_zoned(calendar.tz.clone())?
            .timestamp()
            .as_millisecond();
        starts.push((at, true));
    }
    starts.sort_unstable();
    starts.dedup_by(|later, earlier| later.0 - earlier.0 < SAME_SESSION_MS);
    Ok(starts)
}

/// Where arrivals stop counting for the session starting at `earlier` and start counting for the
/// one at `later`: halfway between them, and at most an hour before `later`.
fn arrival_boundary(earlier: i64, later: i64) -> i64 {
    (later - EARLY_ARRIVAL_MS).max(earlier + (later - earlier) / 2)
}

/// The sessions of `day` with the window of visits that count as arriving for each, from the
/// session starts of the day before, the day itself and the day after (`starts_on`). A session just
/// after midnight counts the arrivals of the evening before, a visit never counts for two sessions,
/// and a window ends at midnight at the latest (nobody arrives for a session after its day).
fn sessions_of_day(
    day: Date,
    [before, starts, after]: [&[(i64, bool)]; 3],
    grace: jiff::SignedDuration,
    calendar: &Calendar,
) -> Result<Vec<Session>, AttendanceError> {
    let day_end = calendar.day_start(day.tomorrow()?)?;
    let grace = i64::try_from(grace.as_millis()).unwrap_or(i64::MAX);
    Ok(starts
        .iter()
        .enumerate()
        .map(|(index, &(at, scheduled))| {
            let previous = index
                .checked_sub(1)
                .map_or(before.last(), |i| starts.get(i))
                .map(|s| s.0);
            let next = starts.get(index + 1).or(after.first()).map(|s| s.0);
            Session {
                day,
                starts_at: at,
                on_time_until: at.saturating_add(grace),
                window_start: previous.map_or(at - EARLY_ARRIVAL_MS, |p| arrival_boundary(p, at)),
                window_end: next
                    .map_or(day_end, |n| arrival_boundary(at, n))
                    .min(day_end),
                scheduled,
            }
        })
        .collect())
}

/// The sessions of the days from `first_day` to `last_day` (inclusive) that begin by `starts_by`,
/// and how many of those days are past retention (their visits may be gone: no roll call).
fn sessions_between(
    gallery: &Gallery,
    group: &Group,
    first_day: Date,
    last_day: Date,
    starts_by: i64,
    calendar: &Calendar,
) -> Result<(Vec<Session>, u32), AttendanceError> {
    let mut sessions = Vec::new();
    let mut days_past_retention = 0;
    let mut day = first_day;
    let mut before = starts_on(gallery, group, day.yesterday()?, calendar)?;
    let mut starts = starts_on(gallery, group, day, calendar)?;
    loop {
        let day_start = calendar.day_start(day)?;
        if day_start > starts_by {
            break;
        }
        let after = starts_on(gallery, group, day.tomorrow()?, calendar)?;
        if calendar.past_retention(day_start) {
            days_past_retention += 1;
        } else {
            sessions.extend(sessions_of_day(
                day,
                [&before, &starts, &after],
                group.grace,
                calendar,
            )?);
        }
        if day == last_day {
            break;
        }
        day = day.tomorrow()?;
        before = std::mem::replace(&mut starts, after);
    }
    Ok((sessions, days_past_retention))
}

/// Each person's visit times within [since, until), in order.
fn arrivals(
    gallery: &Gallery,
    since: i64,
    until: i64,
) -> Result<HashMap<PersonId, Vec<i64>>, GalleryError> {
    let mut arrivals: HashMap<PersonId, Vec<i64>> = HashMap::new();
    // Newest first: reversed into time order.
    for visit in gallery.visits(None, Some(since), Some(until))?.iter().rev() {
        arrivals.entry(visit.person_id).or_default().push(visit.at);
    }
    Ok(arrivals)
}

fn roll_call(
    group: &Group,
    session: Session,
    arrivals: &HashMap<PersonId, Vec<i64>>,
    now: i64,
) -> RollCall {
    let members = group
        .members
        .iter()
        .map(|member| {
            let first_seen = arrivals.get(&member.person_id).and_then(|times| {
                times
                    .iter()
                    .copied()
                    .find(|at| (session.window_start..session.window_end).contains(at))
            });
            let status = match first_seen {
                _ if !member.tracked => Status::NotTracked,
                Some(at) if at <= session.on_time_until => Status::Present,
                Some(_) => Status::Late,
                None if now < session.on_time_until => Status::Expected,
                None => Status::Absent,
            };
            MemberStatus {
                person_id: member.person_id,
                name: member.name.clone(),
                status,
                first_seen: first_seen.filter(|_| member.tracked),
            }
        })
        .collect();
    RollCall { session, members }
}

fn rates(group: &Group, roll_calls: &[RollCall], now: i64) -> Vec<MemberRate> {
    let mut rates: Vec<MemberRate> = group
        .members
        .iter()
        .map(|member| MemberRate {
            person_id: member.person_id,
            name: member.name.clone(),
            sessions: 0,
            present: 0,
            late: 0,
        })
        .collect();
    for roll_call in roll_calls.iter().filter(|r| r.closed(now)) {
        for (rate, member) in rates.iter_mut().zip(&roll_call.members) {
            match member.status {
                Status::Present => rate.present += 1,
                Status::Late => rate.late += 1,
                Status::Absent => {}
                Status::Expected | Status::NotTracked => continue,
            }
            rate.sessions += 1;
        }
    }
    rates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::test_support::{face, person};
    use crate::gallery::{DEFAULT_GRACE, Schedule};
    use jiff::civil::{Time, date};

    fn at(day: Date, hour: i8, minute: i8) -> i64 {
        day.at(hour, minute, 0, 0)
            .to_zoned(TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    fn calendar(now: i64) -> Calendar {
        Calendar {
            tz: TimeZone::UTC,
            now,
            retention_days: 0,
        }
    }

    /// A class meeting Monday to Friday at 09:00 with Ada, Bob and Cy.
    fn class() -> (Gallery, Group, [PersonId; 3]) {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        let mut enrol = |name: &str, direction: usize| {
            gallery
                .enroll(&person(name, &[], true), &[face(direction)])
                .unwrap()
        };
        let ids = [enrol("Ada", 0), enrol("Bob", 1), enrol("Cy", 2)];
        let schedule = Schedule {
            weekdays: "mon-fri".parse().unwrap(),
            start: Time::constant(9, 0, 0, 0),
        };
        let group_id = gallery
            .create_group("Class", Some(schedule), DEFAULT_GRACE)
            .unwrap();
        for id in ids {
            gallery.add_member(group_id, id).unwrap();
        }
        let group = gallery.group(group_id).unwrap().unwrap();
        (gallery, group, ids)
    }

    fn statuses(roll_call: &RollCall) -> Vec<(&str, Status)> {
        roll_call
            .members
            .iter()
            .map(|m| (m.name.as_str(), m.status))
            .collect()
    }

    #[test]
    fn on_time_late_and_absent_follow_the_grace_period() {
        let (mut gallery, group, [ada, bob, _]) = class();
        let monday = date(2026, 11, 23);
        gallery
            .record_visit(ada, at(monday, 8, 50), 0.8, "t")
            .unwrap();
        gallery
            .record_visit(bob, at(monday, 9, 25), 0.8, "t")
            .unwrap();
        // Seen the evening before: no arrival for Monday.
        gallery
            .record_visit(bob, at(date(2026, 11, 22), 18, 0), 0.8, "t")
            .unwrap();
        let report = attendance(
            &gallery,
            &group,
            monday,
            monday,
            &calendar(at(monday, 12, 0)),
        )
        .unwrap();
        assert_eq!(report.roll_calls.len(), 1);
        let roll_call = &report.roll_calls[0];
        assert_eq!(
            statuses(roll_call),
            [
                ("Ada", Status::Present),
                ("Bob", Status::Late),
                ("Cy", Status::Absent)
            ]
        );
        assert_eq!(roll_call.members[0].first_seen, Some(at(monday, 8, 50)));
        let totals = roll_call.totals();
        assert_eq!((totals.present, totals.late, totals.absent), (1, 1, 1));
    }

    #[test]
    fn during_the_grace_period_nobody_is_absent_yet() {
        let (gallery, group, _) = class();
        let monday = date(2026, 11, 23);
        let report = attendance(
            &gallery,
            &group,
            monday,
            monday,
            &calendar(at(monday, 9, 5)),
        )
        .unwrap();
        assert!(
            report.roll_calls[0]
                .members
                .iter()
                .all(|m| m.status == Status::Expected)
        );
        assert!(report.rates.iter().all(|r| r.sessions == 0));
    }

    #[test]
    fn rates_count_the_closed_sessions_of_the_period() {
        let (mut gallery, group, [ada, bob, _]) = class();
        let monday = date(2026, 11, 23);
        let sunday = date(2026, 11, 29);
        for (offset, person, hour) in [(0, ada, 8), (1, ada, 9), (2, ada, 10), (0, bob, 8)] {
            let day = monday.checked_add(jiff::Span::new().days(offset)).unwrap();
            gallery
                .record_visit(person, at(day, hour, 0), 0.8, "t")
                .unwrap();
        }
        let report = attendance(
            &gallery,
            &group,
            monday,
            sunday,
            &calendar(at(sunday, 20, 0)),
        )
        .unwrap();
        assert_eq!(report.roll_calls.len(), 5, "Monday to Friday");
        let rates: Vec<(u32, u32, u32)> = report
            .rates
            .iter()
            .map(|r| (r.sessions, r.present, r.late))
            .collect();
        assert_eq!(rates, [(5, 2, 1), (5, 1, 0), (5, 0, 0)]);
        assert_eq!(report.rates[0].rate(), Some(0.6));
        let weeks = report.weekly(at(sunday, 20, 0));
        assert_eq!(weeks.len(), 1);
        assert_eq!(
            (weeks[0].monday, weeks[0].attended, weeks[0].expected),
            (monday, 4, 15)
        );
    }

    #[test]
    fn a_roll_call_started_by_hand_takes_the_arrivals_nearest_to_it() {
        let (mut gallery, mut group, [ada, bob, cy]) = class();
        group.schedule = None;
        let saturday = date(2026, 11, 28);
        gallery
            .start_session(group.id, at(saturday, 10, 0))
            .unwrap();
        gallery
            .start_session(group.id, at(saturday, 14, 0))
            .unwrap();
        // A click just after the first start is the same roll call.
        gallery
            .start_session(group.id, at(saturday, 10, 5))
            .unwrap();
        gallery
            .record_visit(ada, at(saturday, 9, 30), 0.8, "t")
            .unwrap();
        gallery
            .record_visit(bob, at(saturday, 12, 30), 0.8, "t")
            .unwrap();
        gallery
            .record_visit(cy, at(saturday, 7, 0), 0.8, "t")
            .unwrap();
        let report = attendance(
            &gallery,
            &group,
            saturday,
            saturday,
            &calendar(at(saturday, 20, 0)),
        )
        .unwrap();
        assert_eq!(report.roll_calls.len(), 2);
        assert!(report.roll_calls.iter().all(|r| !r.session.scheduled));
        assert_eq!(
            statuses(&report.roll_calls[0]),
            [
                ("Ada", Status::Present),
                ("Bob", Status::Late),
                ("Cy", Status::Absent)
            ],
            "Cy came too early to count"
        );
        assert_eq!(
            statuses(&report.roll_calls[1]),
            [
                ("Ada", Status::Absent),
                ("Bob", Status::Absent),
                ("Cy", Status::Absent)
            ],
            "12:30 is nearer 10:00 than 14:00"
        );
    }

    #[test]
    fn days_past_retention_and_future_days_have_no_roll_call() {
        let (gallery, group, _) = class();
        let now = at(date(2026, 11, 26), 12, 0);
        let calendar = Calendar {
            retention_days: 2,
            ..calendar(now)
        };
        let report = attendance(
            &gallery,
            &group,
            date(2026, 11, 23),
            date(2026, 11, 30),
            &calendar,
        )
        .unwrap();
        assert_eq!(report.days_past_retention, 2, "Monday and Tuesday");
        let days: Vec<Date> = report.roll_calls.iter().map(|r| r.session.day).collect();
        assert_eq!(days, [date(2026, 11, 25), date(2026, 11, 26)]);
    }

    #[test]
    fn members_without_consent_are_neither_present_nor_absent() {
        let (mut gallery, _, [ada, ..]) = class();
        let monday = date(2026, 11, 23);
        gallery
            .record_visit(ada, at(monday, 8, 55), 0.8, "t")
            .unwrap();
        gallery.withdraw_consent(ada).unwrap();
        let group = gallery.groups().unwrap().remove(0);
        let report = attendance(
            &gallery,
            &group,
            monday,
            monday,
            &calendar(at(monday, 12, 0)),
        )
        .unwrap();
        let ada_status = &report.roll_calls[0].members[0];
        assert_eq!(
            (ada_status.status, ada_status.first_seen),
            (Status::NotTracked, None)
        );
        assert_eq!(report.rates[0].rate(), None);
    }

    #[test]
    fn a_greeted_member_checks_in_for_the_session_happening_now() {
        let (mut gallery, group, [ada, bob, cy]) = class();
        let monday = date(2026, 11, 23);
        gallery
            .record_visit(ada, at(monday, 9, 5), 0.8, "t")
            .unwrap();
        gallery
            .record_visit(bob, at(monday, 9, 30), 0.8, "t")
            .unwrap();
        let team = gallery.create_group("Chess", None, DEFAULT_GRACE).unwrap();
        gallery.add_member(team, ada).unwrap();
        let check_in = |person, now| check_ins(&gallery, person, &calendar(now)).unwrap();
        assert_eq!(
            check_in(ada, at(monday, 9, 5)),
            [CheckIn {
                group: group.name.clone(),
                on_time: true
            }],
            "Chess has no session today"
        );
        assert_eq!(
            check_in(bob, at(monday, 9, 30)),
            [CheckIn {
                group: group.name.clone(),
                on_time: false
            }]
        );
        assert!(check_in(cy, at(monday, 9, 30)).is_empty(), "not seen");
        assert!(
            check_in(ada, at(date(2026, 11, 28), 9, 5)).is_empty(),
            "no session on Saturday"
        );
    }

    #[test]
    fn a_night_shift_just_after_midnight_counts_the_arrivals_of_the_evening_before() {
        let (mut gallery, _, [ada, bob, cy]) = class();
        let schedule = Schedule {
            weekdays: "daily".parse().unwrap(),
            start: Time::constant(0, 10, 0, 0),
        };
        let night = gallery
            .create_group("Night shift", Some(schedule), DEFAULT_GRACE)
            .unwrap();
        for id in [ada, bob, cy] {
            gallery.add_member(night, id).unwrap();
        }
        let group = gallery.group(night).unwrap().unwrap();
        let (sunday, monday) = (date(2026, 11, 22), date(2026, 11, 23));
        // A briefing at 22:00 on Sunday, started by hand; Cy came for it.
        gallery.start_session(night, at(sunday, 22, 0)).unwrap();
        gallery
            .record_visit(cy, at(sunday, 22, 5), 0.8, "t")
            .unwrap();
        // Ada came at 23:50 for Monday's 00:10 shift; Bob at 23:55 on Monday, for Tuesday's.
        gallery
            .record_visit(ada, at(sunday, 23, 50), 0.8, "t")
            .unwrap();
        gallery
            .record_visit(bob, at(monday, 23, 55), 0.8, "t")
            .unwrap();

        let report = attendance(
            &gallery,
            &group,
            sunday,
            monday,
            &calendar(at(monday, 23, 56)),
        )
        .unwrap();
        let roll_calls: Vec<_> = report
            .roll_calls
            .iter()
            .map(|r| (r.session.starts_at, r.session.scheduled, statuses(r)))
            .collect();
        assert_eq!(
            roll_calls,
            [
                (
                    at(sunday, 0, 10),
                    true,
                    vec![
                        ("Ada", Status::Absent),
                        ("Bob", Status::Absent),
                        ("Cy", Status::Absent)
                    ]
                ),
                (
                    at(sunday, 22, 0),
                    false,
                    vec![
                        ("Ada", Status::Absent),
                        ("Bob", Status::Absent),
                        ("Cy", Status::Present)
                    ]
                ),
                (
                    at(monday, 0, 10),
                    true,
                    vec![
                        ("Ada", Status::Present),
                        ("Bob", Status::Absent),
                        ("Cy", Status::Absent)
                    ]
                ),
            ],
            "Ada's 23:50 visit is Monday's arrival, not a late one for Sunday's briefing"
        );
        let night_check_ins: Vec<CheckIn> = check_ins(&gallery, bob, &calendar(at(monday, 23, 56)))
            .unwrap()
            .into_iter()
            .filter(|c| c.group == "Night shift")
            .collect();
        assert_eq!(
            night_check_ins,
            [CheckIn {
                group: "Night shift".to_owned(),
                on_time: true
            }],
            "Bob is greeted as checked in for Tuesday's shift"
        );
    }

    #[test]
    fn reversed_and_huge_periods_are_refused() {
        let (gallery, group, _) = class();
        let calendar = calendar(0);
        assert!(matches!(
            attendance(
                &gallery,
                &group,
                date(2026, 2, 1),
                date(2026, 1, 1),
                &calendar
            ),
            Err(AttendanceError::Reversed { .. })
        ));
        assert!(matches!(
            attendance(
                &gallery,
                &group,
                date(2000, 1, 1),
                date(2026, 1, 1),
                &calendar
            ),
            Err(AttendanceError::TooLong { .. })
        ));
    }
}
