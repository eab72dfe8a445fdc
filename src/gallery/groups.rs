//! Groups of people (a class, a team, a course): their members, an optional weekly schedule and
//! ad-hoc sessions. Who attended is never stored here: it is derived from the visits (see
//! `crate::attendance`).

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Time, Weekday};
use rusqlite::{OptionalExtension, Transaction, params};

use super::feed::MATCHABLE;
use super::store::{Gallery, audit};
use super::{GalleryError, PersonId, now_ms};

pub type GroupId = i64;

/// Days of the week, Monday first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Weekdays(u8);

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const FULL_DAY_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl Weekdays {
    pub const EVERY_DAY: Weekdays = Weekdays(0b111_1111);

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.to_monday_zero_offset()) != 0
    }

    /// The days, Monday first.
    pub fn days(self) -> impl Iterator<Item = Weekday> {
        (0..7i8)
            .filter_map(|offset| Weekday::from_monday_zero_offset(offset).ok())
            .filter(move |day| self.contains(*day))
    }
}

impl fmt::Display for Weekdays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self
            .days()
            .map(|day| DAY_NAMES[day.to_monday_zero_offset() as usize])
            .collect();
        f.write_str(&names.join(","))
    }
}

/// `mon,wed,fri`, ranges such as `mon-fri`, or `daily`.
impl FromStr for Weekdays {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim().to_ascii_lowercase();
        if text == "daily" {
            return Ok(Self::EVERY_DAY);
        }
        // A day is named by at least its first three letters.
        let day = |name: &str| {
            let name = name.trim();
            FULL_DAY_NAMES
                .iter()
                .position(|full| name.len() >= 3 && full.starts_with(name))
                .ok_or_else(|| {
                    format!(
                        "`{name}` is not a day of the week; write mon, tue, … sun, a range such \
                         as mon-fri, or daily"
                    )
                })
        };
        let mut bits = 0u8;
        for part in text.split(',').filter(|p| !p.trim().is_empty()) {
            let (first, last) = match part.split_once('-') {
                Some((first, last)) => (day(first)?, day(last)?),
                None => (day(part)?, day(part)?),
            };
            let mut offset = first;
            loop {
                bits |= 1 << offset;
                if offset == last {
                    break;
                }
                offset = (offset + 1) % 7;
            }
        }
        if bits == 0 {
            return Err("no days given; write for example mon-fri".into());
        }
        Ok(Weekdays(bits))
    }
}

/// When a group meets every week, in the kiosk's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub weekdays: Weekdays,
    pub start: Time,
}

/// A member of a group as the roll call sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    pub person_id: PersonId,
    pub name: String,
    /// Whether the kiosk may recognise them (consent recorded where required, never withdrawn).
    /// Nobody else can be seen arriving, so nobody else is called absent.
    pub tracked: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub schedule: Option<Schedule>,
    /// How long after a session's start an arrival still counts as on time.
    pub grace: jiff::SignedDuration,
    /// By name.
    pub members: Vec<GroupMember>,
}

/// The grace period of a new group unless one is given.
pub const DEFAULT_GRACE: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

impl Gallery {
    /// Creates a group with no members. Names are unique, ignoring case.
    pub fn create_group(
        &mut self,
        name: &str,
        schedule: Option<Schedule>,
        grace: jiff::SignedDuration,
    ) -> Result<GroupId, GalleryError> {
        let name = group_name(name)?;
        let now = now_ms();
        let tx = self.write_transaction()?;
        refuse_taken_name(&tx, name, None)?;
        let (weekdays, start_minute) = schedule_columns(schedule);
        tx.execute(
            "INSERT INTO groups (name, weekdays, start_minute, grace_seconds, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, weekdays, start_minute, grace_seconds(grace)?, now],
        )?;
        let id = tx.last_insert_rowid();
        audit(&tx, now, "group", &format!("group #{id} created"))?;
        tx.commit()?;
        Ok(id)
    }

    pub fn rename_group(&mut self, id: GroupId, name: &str) -> Result<(), GalleryError> {
        let name = group_name(name)?;
        let tx = self.write_transaction()?;
        refuse_taken_name(&tx, name, Some(id))?;
        let touched = tx.execute(
            "UPDATE groups SET name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
        if touched == 0 {
            return Err(no_such_group(id));
        }
        audit(&tx, now_ms(), "group", &format!("group #{id} renamed"))?;
        tx.commit()?;
        Ok(())
    }

    /// Sets (or, with `None`, removes) a group's weekly schedule and its grace period.
    pub fn set_group_schedule(
        &mut self,
        id: GroupId,
        schedule: Option<Schedule>,
        grace: jiff::SignedDuration,
    ) -> Result<(), GalleryError> {
        let (weekdays, start_minute) = schedule_columns(schedule);
        let tx = self.write_transaction()?;
        let touched = tx.execute(
            "UPDATE groups SET weekdays = ?2, start_minute = ?3, grace_seconds = ?4 WHERE id = ?1",
            params![id, weekdays, start_minute, grace_seconds(grace)?],
        )?;
        if touched == 0 {
            return Err(no_such_group(id));
        }
        audit(&tx, now_ms(), "group", &format!("group #{id} schedule set"))?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes a group with its memberships and sessions; nobody is deleted. Returns false when
    /// there was no such group.
    pub fn delete_group(&mut self, id: GroupId) -> Result<bool, GalleryError> {
        let tx = self.write_transaction()?;
        let deleted = tx.execute("DELETE FROM groups WHERE id = ?1", [id])?;
        if deleted > 0 {
            audit(&tx, now_ms(), "group", &format!("group #{id} deleted"))?;
        }
        tx.commit()?;
        self.catch_up_after_write()?;
        Ok(deleted > 0)
    }

    /// Adds a person to a group. Returns false when they were a member already.
    pub fn add_member(&mut self, group: GroupId, person: PersonId) -> Result<bool, GalleryError> {
        let tx = self.write_transaction()?;
        require_group(&tx, group)?;
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM people WHERE id = ?1", [person], |r| {
                r.get(0)
            })
            .optional()?;
        if exists.is_none() {
            return Err(GalleryError::NoSuchPerson(person));
        }
        let added = tx.execute(
            "INSERT OR IGNORE INTO group_members (group_id, person_id) VALUES (?1, ?2)",
            params![group, person],
        )?;
        if added > 0 {
            audit(
                &tx,
                now_ms(),
                "group",
                &format!("person #{person} added to group #{group}"),
            )?;
        }
        tx.commit()?;
        self.catch_up_after_write()?;
        Ok(added > 0)
    }

    /// Removes a person from a group. Returns false when they were not a member.
    pub fn remove_member(
        &mut self,
        group: GroupId,
        person: PersonId,
    ) -> Result<bool, GalleryError> {
        let tx = self.write_transaction()?;
        require_group(&tx, group)?;
        let removed = tx.execute(
            "DELETE FROM group_members WHERE group_id = ?1 AND person_id = ?2",
            params![group, person],
        )?;
        if removed > 0 {
            audit(
                &tx,
                now_ms(),
                "group",
                &format!("person #{person} removed from group #{group}"),
            )?;
        }
        tx.commit()?;
        self.catch_up_after_write()?;
        Ok(removed > 0)
    }

    /// Starts an ad-hoc session of a group at `at` (Unix ms): "roll call now".
    pub fn start_session(&mut self, group: GroupId, at: i64) -> Result<i64, GalleryError> {
        let tx = self.write_transaction()?;
        require_group(&tx, group)?;
        tx.execute(
            "INSERT INTO group_sessions (group_id, starts_at) VALUES (?1, ?2)",
            params![group, at],
        )?;
        let id = tx.last_insert_rowid();
        audit(
            &tx,
            now_ms(),
            "group",
            &format!("roll call started for group #{group}"),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// The starts (Unix ms) of a group's ad-hoc sessions within [since, until), in order.
    pub fn session_starts(
        &self,
        group: GroupId,
        since: i64,
        until: i64,
    ) -> Result<Vec<i64>, GalleryError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT starts_at FROM group_sessions
             WHERE group_id = ?1 AND starts_at >= ?2 AND starts_at < ?3 ORDER BY starts_at",
        )?;
        let starts = statement
            .query_map(params![group, since, until], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(starts)
    }

    /// Every group with its members, by name.
    pub fn groups(&self) -> Result<Vec<Group>, GalleryError> {
        let ids: Vec<GroupId> = self
            .conn
            .prepare("SELECT id FROM groups ORDER BY name COLLATE NOCASE, id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.into_iter()
            .filter_map(|id| self.group(id).transpose())
            .collect()
    }

    pub fn group(&self, id: GroupId) -> Result<Option<Group>, GalleryError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, name, weekdays, start_minute, grace_seconds FROM groups WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, GroupId>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, u8>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, name, weekdays, start_minute, grace_seconds)) = row else {
            return Ok(None);
        };
        let schedule = start_minute
            .filter(|_| weekdays != 0)
            .and_then(|minute| {
                Time::new(i8::try_from(minute / 60).ok()?, (minute % 60) as i8, 0, 0).ok()
            })
            .map(|start| Schedule {
                weekdays: Weekdays(weekdays),
                start,
            });
        Ok(Some(Group {
            id,
            name,
            schedule,
            grace: jiff::SignedDuration::from_secs(grace_seconds),
            members: self.members(id)?,
        }))
    }

    /// The group called `name` (ignoring case).
    pub fn group_named(&self, name: &str) -> Result<Option<Group>, GalleryError> {
        let id: Option<GroupId> = self
            .conn
            .query_row(
                "SELECT id FROM groups WHERE name = ?1",
                [name.trim()],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.group(id),
            None => Ok(None),
        }
    }

    /// The groups a person belongs to, by name.
    pub fn groups_of(&self, person: PersonId) -> Result<Vec<(GroupId, String)>, GalleryError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT g.id, g.name FROM groups g JOIN group_members m ON m.group_id = g.id
             WHERE m.person_id = ?1 ORDER BY g.name COLLATE NOCASE",
        )?;
        let groups = statement
            .query_map([person], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(groups)
    }

    fn members(&self, group: GroupId) -> Result<Vec<GroupMember>, GalleryError> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT p.id, p.name, {MATCHABLE} FROM people p JOIN group_members m ON m.person_id = p.id
             WHERE m.group_id = ?2 ORDER BY p.name COLLATE NOCASE, p.id"
        ))?;
        let members = statement
            .query_map(params![self.require_consent, group], |r| {
                Ok(GroupMember {
                    person_id: r.get(0)?,
                    name: r.get(1)?,
                    tracked: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(members)
    }
}

fn group_name(name: &str) -> Result<&str, GalleryError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(GalleryError::Invalid("a group needs a name".into()));
    }
    Ok(name)
}

fn refuse_taken_name(
    tx: &Transaction<'_>,
    name: &str,
    except: Option<GroupId>,
) -> Result<(), GalleryError> {
    let taken: Option<GroupId> = tx
        .query_row(
            "SELECT id FROM groups WHERE name = ?1 AND id IS NOT ?2",
            params![name, except],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(_) => Err(GalleryError::Invalid(format!(
            "a group named `{name}` already exists; choose another name"
        ))),
        None => Ok(()),
    }
}

fn require_group(tx: &Transaction<'_>, id: GroupId) -> Result<(), GalleryError> {
    let exists: Option<GroupId> = tx
        .query_row("SELECT id FROM groups WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    exists.map(|_| ()).ok_or_else(|| no_such_group(id))
}

fn no_such_group(id: GroupId) -> GalleryError {
    GalleryError::Invalid(format!("no group with id {id}"))
}

fn schedule_columns(schedule: Option<Schedule>) -> (u8, Option<i64>) {
    schedule.map_or((0, None), |s| {
        (
            s.weekdays.0,
            Some(i64::from(s.start.hour()) * 60 + i64::from(s.start.minute())),
        )
    })
}

fn grace_seconds(grace: jiff::SignedDuration) -> Result<i64, GalleryError> {
    if grace.is_negative() {
        return Err(GalleryError::Invalid(
            "the grace period cannot be negative".into(),
        ));
    }
    Ok(grace.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::test_support::{face, person};

    /// Staff creating a group while another process (a kiosk logging a visit, an import) is
    /// writing: the edit waits for that write and is saved, instead of failing at once with
    /// "database is locked".
    #[test]
    fn a_group_edit_waits_for_another_processs_write_instead_of_failing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gallery.db");
        let mut gallery = Gallery::open(&path, "m1").unwrap();
        let (holding, held) = std::sync::mpsc::sync_channel(1);
        let other_process = std::thread::Builder::new()
            .name("other-writer".into())
            .spawn({
                let path = path.clone();
                move || {
                    let mut other = rusqlite::Connection::open(&path).unwrap();
                    let tx = other
                        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                        .unwrap();
                    tx.execute(
                        "INSERT INTO audit_log (at, action, detail) VALUES (1, 'import', 'x')",
                        [],
                    )
                    .unwrap();
                    holding.send(()).unwrap();
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    tx.commit().unwrap();
                }
            })
            .unwrap();
        held.recv().unwrap();
        let class = gallery.create_group("Class 5B", None, crate::gallery::DEFAULT_GRACE);
        other_process.join().unwrap();
        let class = class.unwrap();
        assert_eq!(gallery.group(class).unwrap().unwrap().name, "Class 5B");
    }

    #[test]
    fn weekdays_parse_lists_ranges_and_daily() {
        let parsed: Weekdays = "mon-wed, fri".parse().unwrap();
        assert_eq!(parsed.to_string(), "mon,tue,wed,fri");
        assert_eq!(
            "sat-mon".parse::<Weekdays>().unwrap().to_string(),
            "mon,sat,sun"
        );
        assert_eq!("Daily".parse::<Weekdays>().unwrap(), Weekdays::EVERY_DAY);
        assert_eq!("Tuesday".parse::<Weekdays>().unwrap().to_string(), "tue");
        assert!("funday".parse::<Weekdays>().is_err());
        assert!("mo".parse::<Weekdays>().is_err());
        assert!("".parse::<Weekdays>().is_err());
    }

    #[test]
    fn groups_hold_members_and_deleting_one_deletes_nobody() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        let ada = gallery
            .enroll(&person("Ada", &[], true), &[face(0)])
            .unwrap();
        let bob = gallery
            .enroll(&person("Bob", &[], true), &[face(1)])
            .unwrap();
        let schedule = Schedule {
            weekdays: "mon-fri".parse().unwrap(),
            start: Time::constant(9, 0, 0, 0),
        };
        let class = gallery
            .create_group("Class 5B", Some(schedule), DEFAULT_GRACE)
            .unwrap();
        assert!(
            gallery
                .create_group("class 5b", None, DEFAULT_GRACE)
                .is_err()
        );
        assert!(gallery.add_member(class, ada).unwrap());
        assert!(gallery.add_member(class, bob).unwrap());
        assert!(!gallery.add_member(class, bob).unwrap(), "already a member");
        assert!(matches!(
            gallery.add_member(class, 99),
            Err(GalleryError::NoSuchPerson(99))
        ));

        let group = gallery.group_named("CLASS 5B").unwrap().unwrap();
        assert_eq!(group.schedule, Some(schedule));
        assert_eq!(group.grace, DEFAULT_GRACE);
        let names: Vec<&str> = group.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Ada", "Bob"]);
        assert_eq!(
            gallery.groups_of(ada).unwrap(),
            [(class, "Class 5B".into())]
        );

        gallery.rename_group(class, "Class 6B").unwrap();
        assert!(gallery.remove_member(class, bob).unwrap());
        assert!(!gallery.remove_member(class, bob).unwrap());
        assert_eq!(gallery.group(class).unwrap().unwrap().members.len(), 1);

        assert!(gallery.delete_group(class).unwrap());
        assert!(gallery.groups().unwrap().is_empty());
        assert_eq!(gallery.people().unwrap().len(), 2);
    }

    #[test]
    fn erasing_a_person_removes_their_memberships() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        let ada = gallery
            .enroll(&person("Ada", &[], true), &[face(0)])
            .unwrap();
        let team = gallery.create_group("Team", None, DEFAULT_GRACE).unwrap();
        gallery.add_member(team, ada).unwrap();
        gallery.delete_person(ada).unwrap();
        assert!(gallery.group(team).unwrap().unwrap().members.is_empty());
        assert!(gallery.groups_of(ada).unwrap().is_empty());
    }

    #[test]
    fn members_without_consent_are_not_tracked() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        let ada = gallery
            .enroll(&person("Ada", &[], true), &[face(0)])
            .unwrap();
        let team = gallery.create_group("Team", None, DEFAULT_GRACE).unwrap();
        gallery.add_member(team, ada).unwrap();
        assert!(gallery.group(team).unwrap().unwrap().members[0].tracked);
        gallery.withdraw_consent(ada).unwrap();
        assert!(!gallery.group(team).unwrap().unwrap().members[0].tracked);
    }

    #[test]
    fn membership_changes_reach_other_processes_as_person_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let mut kiosk = Gallery::open(&path, "m1").unwrap();
        let mut staff = Gallery::open(&path, "m1").unwrap();
        let ada = staff.enroll(&person("Ada", &[], true), &[face(0)]).unwrap();
        let team = staff.create_group("Team", None, DEFAULT_GRACE).unwrap();
        kiosk.refresh().unwrap();
        kiosk.take_changes();
        staff.add_member(team, ada).unwrap();
        kiosk.refresh().unwrap();
        assert!(kiosk.take_changes().changed.contains(&ada));
    }
}
