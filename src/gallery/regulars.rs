//! The people seen at this kiosk lately, in a gallery shared by a fleet: its regulars, held to the
//! bar of a small gallery while the rest of the fleet is held to the whole fleet's ([`Side`]).
//!
//! A regular is a person with a visit logged here (not one pulled from another kiosk) within the
//! policy's `regular_days`. A gallery of one kiosk is not split: everyone in it is seen here.

use std::collections::HashMap;

use rusqlite::Connection;

use super::open_set::Side;
use super::{GalleryError, PersonId};

const DAY_MS: i64 = 86_400_000;
/// Visits logged by another process on the same gallery are read again this often.
const RELOAD_EVERY_MS: i64 = 600_000;

/// Each person's latest visit logged at this kiosk, when the gallery is in a fleet.
#[derive(Debug, Clone, Default)]
pub(super) struct Regulars {
    in_fleet: bool,
    last_seen: HashMap<PersonId, i64>,
    loaded_at: i64,
}

impl Regulars {
    /// Reads them from the gallery at `now`: nothing when it is not in a fleet.
    pub(super) fn load(conn: &Connection, now: i64) -> Result<Self, GalleryError> {
        let in_fleet: bool =
            conn.query_row("SELECT EXISTS (SELECT 1 FROM fleet_state)", [], |r| {
                r.get(0)
            })?;
        let mut last_seen = HashMap::new();
        if in_fleet {
            let mut statement = conn.prepare(
                "SELECT person_id, max(at) FROM visits WHERE kiosk IS NULL GROUP BY person_id",
            )?;
            let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            for row in rows {
                let (person_id, at): (PersonId, i64) = row?;
                last_seen.insert(person_id, at);
            }
        }
        Ok(Self {
            in_fleet,
            last_seen,
            loaded_at: now,
        })
    }

    /// Whether another process's visits may be missing by `now`.
    pub(super) fn is_stale(&self, now: i64) -> bool {
        now - self.loaded_at >= RELOAD_EVERY_MS || now < self.loaded_at
    }

    /// A visit of `person_id` logged here at `at`.
    pub(super) fn seen(&mut self, person_id: PersonId, at: i64) {
        if self.in_fleet {
            let last = self.last_seen.entry(person_id).or_insert(at);
            *last = (*last).max(at);
        }
    }

    /// How many people were seen here within `days` days of `now`.
    pub(super) fn count(&self, days: u32, now: i64) -> usize {
        let since = now - i64::from(days) * DAY_MS;
        self.last_seen.values().filter(|at| **at >= since).count()
    }

    /// The side a match on `person_id` is on at `now`, in a gallery of `people` people, when a
    /// regular is one seen here within `days` days (0: no split). None: a match on anyone who is
    /// not a regular.
    pub(super) fn side(
        &self,
        person_id: Option<PersonId>,
        people: usize,
        days: u32,
        now: i64,
    ) -> Side {
        if !self.in_fleet || days == 0 {
            return Side::Everyone;
        }
        let regulars = self.count(days, now);
        if regulars == 0 || regulars >= people {
            return Side::Everyone;
        }
        let since = now - i64::from(days) * DAY_MS;
        let seen_lately = person_id
            .and_then(|id| self.last_seen.get(&id))
            .is_some_and(|at| *at >= since);
        if seen_lately {
            Side::Regulars { people: regulars }
        } else {
            Side::Rest {
                people: people - regulars,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regulars(in_fleet: bool, seen: &[(PersonId, i64)]) -> Regulars {
        Regulars {
            in_fleet,
            last_seen: seen.iter().copied().collect(),
            loaded_at: 0,
        }
    }

    #[test]
    fn a_person_seen_here_lately_is_a_regular_and_the_rest_of_the_fleet_is_not() {
        let now = 100 * DAY_MS;
        let here = regulars(true, &[(1, now - DAY_MS), (2, now - 40 * DAY_MS)]);
        assert_eq!(
            here.side(Some(1), 1000, 30, now),
            Side::Regulars { people: 1 }
        );
        assert_eq!(
            here.side(Some(2), 1000, 30, now),
            Side::Rest { people: 999 }
        );
        assert_eq!(
            here.side(Some(3), 1000, 30, now),
            Side::Rest { people: 999 }
        );
        assert_eq!(here.side(None, 1000, 30, now), Side::Rest { people: 999 });
        assert_eq!(here.count(30, now), 1);
        // A longer memory makes person 2 a regular again.
        assert_eq!(
            here.side(Some(2), 1000, 60, now),
            Side::Regulars { people: 2 }
        );
    }

    #[test]
    fn a_kiosk_alone_or_without_regulars_is_not_split() {
        let now = 100 * DAY_MS;
        let alone = regulars(false, &[(1, now)]);
        assert_eq!(alone.side(Some(1), 1000, 30, now), Side::Everyone);
        let nobody_lately = regulars(true, &[(1, now - 90 * DAY_MS)]);
        assert_eq!(nobody_lately.side(Some(1), 1000, 30, now), Side::Everyone);
        let split_off = regulars(true, &[(1, now)]);
        assert_eq!(split_off.side(Some(1), 1000, 0, now), Side::Everyone);
        let everyone_is_a_regular = regulars(true, &[(1, now), (2, now)]);
        assert_eq!(
            everyone_is_a_regular.side(Some(1), 2, 30, now),
            Side::Everyone
        );
    }

    #[test]
    fn a_visit_logged_here_makes_a_regular_only_in_a_fleet() {
        let now = 100 * DAY_MS;
        let mut in_fleet = regulars(true, &[(9, now)]);
        in_fleet.seen(1, now);
        assert_eq!(
            in_fleet.side(Some(1), 1000, 30, now),
            Side::Regulars { people: 2 }
        );
        let mut alone = regulars(false, &[]);
        alone.seen(1, now);
        assert!(alone.last_seen.is_empty());
    }
}
