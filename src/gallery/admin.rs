//! Staff operations on the gallery: merging duplicates, retention, the audit log, data export for
//! access requests, and the staff PIN.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use rusqlite::{OptionalExtension, params};
use std::time::{Duration, Instant};

use super::store::{Gallery, audit};
use super::{FaceRecord, GalleryError, Person, PersonId, Visit, now_ms};

/// Wrong PINs in a row before the PIN is locked.
pub const PIN_ATTEMPTS: i64 = 5;
/// How long the first lock-out lasts.
pub const PIN_LOCK_MS: i64 = 60 * 1000;
/// Successive lock-outs (without a right PIN between them) last longer and longer; the last step
/// repeats. Five tries per four hours make a 4-digit PIN's 10 000 values take over a year.
const PIN_LOCK_STEPS_MS: [i64; 5] = [
    PIN_LOCK_MS,
    5 * 60 * 1000,
    15 * 60 * 1000,
    60 * 60 * 1000,
    4 * 60 * 60 * 1000,
];
/// Shortest and longest PIN (digits only).
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=12;

/// How long the `lockouts`-th lock-out in a row lasts (counting from 1).
pub fn pin_lock_ms(lockouts: i64) -> i64 {
    let step = usize::try_from(lockouts.saturating_sub(1)).unwrap_or(0);
    PIN_LOCK_STEPS_MS[step.min(PIN_LOCK_STEPS_MS.len() - 1)]
}

/// One line of the staff audit log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub at: i64,
    pub action: String,
    pub detail: String,
}

/// Everything stored about one person, for an access request.
#[derive(Debug, Clone)]
pub struct PersonExport {
    pub person: Person,
    pub visits: Vec<Visit>,
    pub faces: Vec<FaceRecord>,
    /// The names of the groups they belong to.
    pub groups: Vec<String>,
}

/// The outcome of entering a PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinCheck {
    Accepted,
    /// Wrong; this many tries are left before the lock.
    Wrong {
        tries_left: i64,
    },
    /// Too many wrong tries; try again after this time (Unix ms).
    Locked {
        until: i64,
    },
    /// No PIN has been set yet.
    NotSet,
}

impl Gallery {
    /// Moves every face, visit, detail and group membership of `from` to `into` and deletes
    /// `from`, in one transaction. Details `into` already has are kept.
    pub fn merge_people(&mut self, from: PersonId, into: PersonId) -> Result<(), GalleryError> {
        if from == into {
            return Err(GalleryError::Invalid(
                "cannot merge a person into themselves".into(),
            ));
        }
        let now = now_ms();
        let tx = self.write_transaction()?;
        for id in [from, into] {
            let exists: Option<i64> = tx
                .query_row("SELECT id FROM people WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            if exists.is_none() {
                return Err(GalleryError::NoSuchPerson(id));
            }
        }
        tx.execute(
            "UPDATE faces SET person_id = ?2 WHERE person_id = ?1",
            params![from, into],
        )?;
        tx.execute(
            "UPDATE visits SET person_id = ?2 WHERE person_id = ?1",
            params![from, into],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO person_details (person_id, key, value)
             SELECT ?2, key, value FROM person_details WHERE person_id = ?1",
            params![from, into],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO group_members (group_id, person_id)
             SELECT group_id, ?2 FROM group_members WHERE person_id = ?1",
            params![from, into],
        )?;
        tx.execute(
            "UPDATE people SET updated_at = ?3,
                consent_at = coalesce(consent_at, (SELECT consent_at FROM people WHERE id = ?1))
             WHERE id = ?2",
            params![from, into, now],
        )?;
        tx.execute("DELETE FROM people WHERE id = ?1", [from])?;
        audit(
            &tx,
            now,
            "merge",
            &format!("person #{from} into person #{into}"),
        )?;
        tx.commit()?;
        self.catch_up_after_write()?;
        self.scrub()
    }

    /// Deletes visits older than `cutoff` (Unix ms). Returns how many went.
    pub fn purge_visits_before(&mut self, cutoff: i64) -> Result<usize, GalleryError> {
        let tx = self.write_transaction()?;
        let purged = tx.execute("DELETE FROM visits WHERE at < ?1", [cutoff])?;
        if purged > 0 {
            audit(
                &tx,
                now_ms(),
                "retention",
                &format!("{purged} visit(s) past the retention period"),
            )?;
        }
        tx.commit()?;
        self.catch_up_after_write()?;
        if purged > 0 {
            self.scrub()?;
        }
        Ok(purged)
    }

    /// Erases again everyone whose uid is in `uids` (the erasure ledger, after a restore), from the
    /// tables and the files. They are in the ledger already, so it is not written. Returns how
    /// many people were here to erase.
    pub fn apply_erasures(&mut self, uids: &[String]) -> Result<usize, GalleryError> {
        let tx = self.write_transaction()?;
        let mut erased = 0;
        {
            let mut delete = tx.prepare("DELETE FROM people WHERE uid = ?1")?;
            for uid in uids {
                erased += delete.execute([uid])?;
            }
        }
        if erased > 0 {
            audit(
                &tx,
                now_ms(),
                "delete",
                &format!("{erased} person(s) erased before, erased again from a restored backup"),
            )?;
        }
        tx.commit()?;
        if erased > 0 {
            self.catch_up_after_write()?;
        }
        self.scrub()?;
        Ok(erased)
    }

    /// Withdraws again the consent of everyone whose uid is in `uids` (the withdrawals ledger, after
    /// a restore) and who has it in this gallery. Returns how many had it.
    pub fn apply_withdrawals(&mut self, uids: &[String]) -> Result<usize, GalleryError> {
        let now = now_ms();
        let tx = self.write_transaction()?;
        let mut withdrawn = 0;
        {
            let mut withdraw = tx.prepare(
                "UPDATE people SET consent_at = NULL,
                    consent_withdrawn_at = coalesce(consent_withdrawn_at, ?2)
                 WHERE uid = ?1 AND (consent_at IS NOT NULL OR consent_withdrawn_at IS NULL)",
            )?;
            for uid in uids {
                withdrawn += withdraw.execute(params![uid, now])?;
            }
        }
        if withdrawn > 0 {
            audit(
                &tx,
                now,
                "withdraw consent",
                &format!(
                    "{withdrawn} consent(s) withdrawn before, withdrawn again from a restored backup"
                ),
            )?;
        }
        tx.commit()?;
        if withdrawn > 0 {
            self.catch_up_after_write()?;
        }
        Ok(withdrawn)
    }

    /// Records a staff action that is not a gallery change (an export, a settings change).
    pub fn record_audit(&mut self, action: &str, detail: &str) -> Result<(), GalleryError> {
        let tx = self.write_transaction()?;
        audit(&tx, now_ms(), action, detail)?;
        tx.commit()?;
        Ok(())
    }

    /// The audit log, newest first.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>, GalleryError> {
        let mut statement = self
            .conn
            .prepare("SELECT at, action, detail FROM audit_log ORDER BY at DESC, id DESC")?;
        let entries = statement
            .query_map([], |r| {
                Ok(AuditEntry {
                    at: r.get(0)?,
                    action: r.get(1)?,
                    detail: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(entries)
    }

    /// Everything about one person, and an audit entry saying it was exported.
    pub fn export_person(&mut self, person_id: PersonId) -> Result<PersonExport, GalleryError> {
        let person = self
            .person(person_id)?
            .ok_or(GalleryError::NoSuchPerson(person_id))?;
        let visits = self.visits(Some(person_id), None, None)?;
        let faces = self.faces(person_id)?;
        let groups = self
            .groups_of(person_id)?
            .into_iter()
            .map(|(_, name)| name)
            .collect();
        self.record_audit("export", &format!("person #{person_id}"))?;
        Ok(PersonExport {
            person,
            visits,
            faces,
            groups,
        })
    }

    pub fn pin_is_set(&self) -> Result<bool, GalleryError> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM staff_pin", [], |r| r.get(0))?;
        Ok(count > 0)
    }

    /// Sets (or replaces) the staff PIN: 4 to 12 digits, stored as an argon2 hash.
    pub fn set_pin(&mut self, pin: &str) -> Result<(), GalleryError> {
        if !PIN_DIGITS.contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
            return Err(GalleryError::Invalid(format!(
                "the PIN must be {} to {} digits",
                PIN_DIGITS.start(),
                PIN_DIGITS.end()
            )));
        }
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(pin.as_bytes(), &salt)
            .map_err(|e| GalleryError::Invalid(format!("cannot hash the PIN: {e}")))?
            .to_string();
        let tx = self.write_transaction()?;
        tx.execute(
            "INSERT INTO staff_pin (id, hash, failures, locked_until, lockouts)
             VALUES (1, ?1, 0, NULL, 0)
             ON CONFLICT(id) DO UPDATE
             SET hash = excluded.hash, failures = 0, locked_until = NULL, lockouts = 0",
            [hash],
        )?;
        audit(&tx, now_ms(), "set PIN", "staff PIN changed")?;
        tx.commit()?;
        Ok(())
    }

    /// Checks a PIN at wall-clock time `now` (Unix ms), counting failures and locking after
    /// [`PIN_ATTEMPTS`] of them, each lock-out in a row longer (see [`pin_lock_ms`]). Every
    /// accepted and every wrong PIN is audited. The stored lock survives a restart; while the
    /// program runs, [`PinGate`] holds it on the monotonic clock.
    pub fn verify_pin(&mut self, pin: &str, now: i64) -> Result<PinCheck, GalleryError> {
        let row: Option<(String, i64, Option<i64>, i64)> = self
            .conn
            .query_row(
                "SELECT hash, failures, locked_until, lockouts FROM staff_pin WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((hash, failures, locked_until, lockouts)) = row else {
            return Ok(PinCheck::NotSet);
        };
        // A wall clock set back would stretch a stored lock without end: never longer than the
        // lock-out itself.
        let longest = now.saturating_add(pin_lock_ms(lockouts.max(1)));
        if let Some(until) = locked_until.filter(|until| *until > now) {
            return Ok(PinCheck::Locked {
                until: until.min(longest),
            });
        }
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| GalleryError::Invalid(format!("stored PIN hash is damaged: {e}")))?;
        let tx = self.write_transaction()?;
        let check = if Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok()
        {
            tx.execute(
                "UPDATE staff_pin SET failures = 0, locked_until = NULL, lockouts = 0 WHERE id = 1",
                [],
            )?;
            audit(&tx, now, "PIN accepted", "staff screens unlocked")?;
            PinCheck::Accepted
        } else if failures + 1 >= PIN_ATTEMPTS {
            let lockouts = lockouts + 1;
            let lock_ms = pin_lock_ms(lockouts);
            let until = now.saturating_add(lock_ms);
            tx.execute(
                "UPDATE staff_pin SET failures = 0, locked_until = ?1, lockouts = ?2 WHERE id = 1",
                params![until, lockouts],
            )?;
            audit(
                &tx,
                now,
                "PIN locked",
                &format!(
                    "{PIN_ATTEMPTS} wrong PINs in a row; locked for {} minute(s) (lock-out {lockouts} in a row)",
                    lock_ms / 60_000
                ),
            )?;
            PinCheck::Locked { until }
        } else {
            let failures = failures + 1;
            tx.execute(
                "UPDATE staff_pin SET failures = ?1, locked_until = NULL WHERE id = 1",
                [failures],
            )?;
            audit(
                &tx,
                now,
                "PIN wrong",
                &format!("wrong staff PIN ({failures} in a row)"),
            )?;
            PinCheck::Wrong {
                tries_left: PIN_ATTEMPTS - failures,
            }
        };
        tx.commit()?;
        Ok(check)
    }
}

/// The PIN lock-out as the running program sees it, on the monotonic clock: setting the wall clock
/// forward does not end a lock-out early (the stored lock alone would), and setting it back does
/// not stretch one.
#[derive(Debug, Default)]
pub struct PinGate {
    locked_until: Option<Instant>,
}

impl PinGate {
    /// [`Gallery::verify_pin`], refused without asking while the monotonic lock holds. `now` is
    /// the monotonic time, `wall_now` the wall clock (Unix ms) for the stored state and audit.
    pub fn check(
        &mut self,
        gallery: &mut Gallery,
        pin: &str,
        now: Instant,
        wall_now: i64,
    ) -> Result<PinCheck, GalleryError> {
        if let Some(until) = self.locked_until.filter(|until| *until > now) {
            let left = i64::try_from((until - now).as_millis()).unwrap_or(i64::MAX);
            return Ok(PinCheck::Locked {
                until: wall_now.saturating_add(left),
            });
        }
        let check = gallery.verify_pin(pin, wall_now)?;
        self.locked_until = match check {
            PinCheck::Locked { until } => {
                let left = u64::try_from(until.saturating_sub(wall_now)).unwrap_or(0);
                Some(now + Duration::from_millis(left))
            }
            PinCheck::Accepted | PinCheck::Wrong { .. } | PinCheck::NotSet => None,
        };
        Ok(check)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::test_support::{face, person};
    use crate::gallery::{MatchDecision, MatchPolicy};

    #[test]
    fn merge_moves_faces_visits_and_missing_details() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        gallery.set_consent_required(false).unwrap();
        let keep = gallery
            .enroll(&person("Ada", &[("phone", "1")], false), &[face(0)])
            .unwrap();
        let dupe = gallery
            .enroll(
                &person(
                    "Ada L.",
                    &[("phone", "2"), ("email", "ada@example.org")],
                    true,
                ),
                &[face(1)],
            )
            .unwrap();
        gallery.record_visit(dupe, 10, 0.8, "t").unwrap();
        let class = gallery
            .create_group("Class", None, crate::gallery::DEFAULT_GRACE)
            .unwrap();
        gallery.add_member(class, dupe).unwrap();
        gallery.merge_people(dupe, keep).unwrap();
        assert_eq!(gallery.groups_of(keep).unwrap(), [(class, "Class".into())]);
        assert_eq!(gallery.export_person(keep).unwrap().groups, ["Class"]);

        let merged = gallery.person(keep).unwrap().unwrap();
        assert_eq!(merged.face_count, 2);
        assert_eq!(merged.visit_count, 1);
        assert_eq!(merged.details["phone"], "1");
        assert_eq!(merged.details["email"], "ada@example.org");
        assert!(merged.consent_at.is_some());
        assert!(gallery.person(dupe).unwrap().is_none());
        let policy = MatchPolicy {
            threshold: 0.5,
            margin: 0.05,
            max_strangers_named: None,
            regular_days: 0,
        };
        assert!(
            matches!(gallery.identify(&face(1).embedding, &policy), MatchDecision::Known { person_id, .. } if person_id == keep)
        );
        assert!(gallery.merge_people(keep, keep).is_err());
        assert!(matches!(
            gallery.merge_people(999, keep),
            Err(GalleryError::NoSuchPerson(999))
        ));
    }

    #[test]
    fn retention_purges_only_old_visits() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        let ada = gallery
            .enroll(&person("Ada", &[], true), &[face(0)])
            .unwrap();
        for at in [100, 200, 300] {
            gallery.record_visit(ada, at, 0.7, "t").unwrap();
        }
        assert_eq!(gallery.purge_visits_before(250).unwrap(), 2);
        assert_eq!(gallery.visits(None, None, None).unwrap().len(), 1);
        assert_eq!(gallery.audit_log().unwrap()[0].action, "retention");
    }

    #[test]
    fn audit_log_records_staff_actions_without_names() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        let ada = gallery
            .enroll(&person("Ada Lovelace", &[], true), &[face(0)])
            .unwrap();
        gallery
            .update_person(ada, &person("Ada King", &[], true))
            .unwrap();
        gallery.export_person(ada).unwrap();
        gallery.delete_person(ada).unwrap();
        let actions: Vec<String> = gallery
            .audit_log()
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, vec!["delete", "export", "edit", "enrol"]);
        assert!(
            gallery
                .audit_log()
                .unwrap()
                .iter()
                .all(|e| !e.detail.contains("Ada"))
        );
    }

    #[test]
    fn pin_locks_after_repeated_wrong_entries_and_unlocks_later() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        assert_eq!(gallery.verify_pin("1234", 0).unwrap(), PinCheck::NotSet);
        assert!(gallery.set_pin("12a4").is_err());
        assert!(gallery.set_pin("123").is_err());
        assert!(gallery.set_pin("1234567890123").is_err());
        gallery.set_pin("2468").unwrap();
        assert_eq!(gallery.verify_pin("2468", 0).unwrap(), PinCheck::Accepted);
        for tries_left in (1..PIN_ATTEMPTS).rev() {
            assert_eq!(
                gallery.verify_pin("0000", 1000).unwrap(),
                PinCheck::Wrong { tries_left }
            );
        }
        let locked = gallery.verify_pin("0000", 1000).unwrap();
        assert_eq!(
            locked,
            PinCheck::Locked {
                until: 1000 + PIN_LOCK_MS
            }
        );
        // Even the right PIN is refused while locked.
        assert_eq!(gallery.verify_pin("2468", 2000).unwrap(), locked);
        assert_eq!(
            gallery.verify_pin("2468", 1000 + PIN_LOCK_MS).unwrap(),
            PinCheck::Accepted
        );
        let stored: String = gallery
            .conn
            .query_row("SELECT hash FROM staff_pin", [], |r| r.get(0))
            .unwrap();
        assert!(stored.starts_with("$argon2") && !stored.contains("2468"));
    }

    #[test]
    fn long_pins_are_allowed() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        gallery.set_pin("975318642097").unwrap();
        assert_eq!(
            gallery.verify_pin("975318642097", 0).unwrap(),
            PinCheck::Accepted
        );
    }

    /// Locks the PIN by five wrong tries at `now`; returns the lock's end.
    fn lock_out(gallery: &mut Gallery, now: i64) -> i64 {
        for _ in 0..PIN_ATTEMPTS - 1 {
            assert!(matches!(
                gallery.verify_pin("0000", now).unwrap(),
                PinCheck::Wrong { .. }
            ));
        }
        match gallery.verify_pin("0000", now).unwrap() {
            PinCheck::Locked { until } => until,
            other => panic!("not locked: {other:?}"),
        }
    }

    #[test]
    fn lock_outs_in_a_row_escalate_and_a_right_pin_resets_them() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        gallery.set_pin("2468").unwrap();
        let minute = 60_000;
        let mut now = 0;
        for expected in [1, 5, 15, 60, 240, 240] {
            let until = lock_out(&mut gallery, now);
            assert_eq!(until - now, expected * minute);
            now = until;
        }
        assert_eq!(gallery.verify_pin("2468", now).unwrap(), PinCheck::Accepted);
        assert_eq!(lock_out(&mut gallery, now) - now, minute);
    }

    #[test]
    fn every_unlock_and_every_wrong_pin_is_audited() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        gallery.set_pin("2468").unwrap();
        gallery.verify_pin("1111", 0).unwrap();
        gallery.verify_pin("2468", 0).unwrap();
        lock_out(&mut gallery, 0);
        let actions: Vec<String> = gallery
            .audit_log()
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        let count = |action: &str| actions.iter().filter(|a| *a == action).count();
        assert_eq!(count("PIN wrong"), 1 + 4);
        assert_eq!(count("PIN accepted"), 1);
        assert_eq!(count("PIN locked"), 1);
    }

    #[test]
    fn a_wall_clock_change_neither_ends_nor_stretches_a_lock_out() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        gallery.set_pin("2468").unwrap();
        let mut gate = PinGate::default();
        let start = Instant::now();
        let wall = 1_000_000_000;
        for _ in 0..PIN_ATTEMPTS {
            gate.check(&mut gallery, "0000", start, wall).unwrap();
        }
        // Someone sets the wall clock a day ahead: still locked, the right PIN is not even tried.
        let a_day = 86_400_000;
        assert!(matches!(
            gate.check(&mut gallery, "2468", start, wall + a_day)
                .unwrap(),
            PinCheck::Locked { .. }
        ));
        // A year back: the stored lock is not stretched past the lock-out's own length.
        match gallery.verify_pin("2468", wall - 365 * a_day).unwrap() {
            PinCheck::Locked { until } => assert!(until <= wall - 365 * a_day + PIN_LOCK_MS),
            other => panic!("{other:?}"),
        }
        // Once the lock-out has passed on the monotonic clock, the right PIN works.
        let later = start + Duration::from_millis(u64::try_from(PIN_LOCK_MS).unwrap());
        assert_eq!(
            gate.check(&mut gallery, "2468", later, wall + PIN_LOCK_MS)
                .unwrap(),
            PinCheck::Accepted
        );
    }
}
