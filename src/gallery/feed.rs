//! Following the change feed: every process that holds an in-memory index (the kiosk, `watch`)
//! applies the gallery's changes, its own and those of other processes, from the `changes` log.
//!
//! The log is numbered and written by triggers in the transaction of each change, so a follower
//! that remembers the last number it applied can never miss one. Checking whether there is news is
//! one `PRAGMA data_version` (no disk read when nothing changed), so followers poll it often.

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::face_code::FaceCode;
use super::index::FaceIndex;
use super::{GalleryError, PersonId, now_ms};

/// Feed entries older than this are pruned; a follower that was away longer rebuilds its index.
pub const CHANGE_LOG_KEEP_MS: i64 = 30 * 86_400_000;

/// How far this process has applied the feed.
#[derive(Debug, Default)]
pub(super) struct FeedPosition {
    /// The last feed number applied to the index.
    applied_seq: i64,
    /// `PRAGMA data_version` when the feed was last read: it changes when another connection commits.
    data_version: Option<i64>,
    /// Changes applied but not yet taken by [`Gallery::take_changes`](super::Gallery::take_changes).
    unreported: GalleryChanges,
}

/// What changed in the gallery since the last [`Gallery::take_changes`](super::Gallery::take_changes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GalleryChanges {
    /// People added or changed (name, details, faces, consent given) who may be matched.
    pub changed: BTreeSet<PersonId>,
    /// People who must no longer be matched, greeted or shown: erased, merged into someone else,
    /// or without consent.
    pub removed: BTreeSet<PersonId>,
    /// Visits were logged or deleted.
    pub visits: bool,
    /// The whole index was rebuilt (the feed was pruned past this process): anyone may have changed.
    pub reloaded: bool,
}

impl GalleryChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Whether anything that matching depends on changed.
    pub fn affects_people(&self) -> bool {
        !self.changed.is_empty() || !self.removed.is_empty() || self.reloaded
    }

    fn merge(&mut self, other: GalleryChanges) {
        for id in other.changed {
            self.removed.remove(&id);
            self.changed.insert(id);
        }
        for id in other.removed {
            self.changed.remove(&id);
            self.removed.insert(id);
        }
        self.visits |= other.visits;
        self.reloaded |= other.reloaded;
    }
}

/// The SQL condition under which a person may be matched.
pub(super) const MATCHABLE: &str =
    "consent_withdrawn_at IS NULL AND (consent_at IS NOT NULL OR NOT ?1)";

/// Which faces an index holds: those made by `model_id`, of the people who may be matched.
#[derive(Debug, Clone, Copy)]
pub(super) struct IndexScope<'a> {
    pub model_id: &'a str,
    pub require_consent: bool,
}

/// What following the feed did to the index, for what is estimated from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IndexChange {
    Unchanged,
    /// Some people's faces were replaced or removed.
    People,
    /// The whole index was loaded again.
    Reloaded,
}

// The feed works on the connection and index it is given (`scope` None: the connection keeps no
// index), so that the gallery, which owns them, calls the feed and not the other way round.
impl FeedPosition {
    /// Applies every change committed by another connection since the last call. Cheap when
    /// nothing changed.
    pub(super) fn refresh(
        &mut self,
        conn: &mut Connection,
        index: &mut FaceIndex,
        scope: Option<IndexScope<'_>>,
    ) -> Result<IndexChange, GalleryError> {
        let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        if self.data_version == Some(version) {
            return Ok(IndexChange::Unchanged);
        }
        let change = self.apply(conn, index, scope)?;
        self.data_version = Some(version);
        Ok(change)
    }

    /// The changes applied since the last call (by this process or another).
    pub(super) fn take_changes(&mut self) -> GalleryChanges {
        std::mem::take(&mut self.unreported)
    }

    /// The number of the last feed entry applied.
    pub(super) fn applied_seq(&self) -> i64 {
        self.applied_seq
    }

    /// Reloads the whole index from the database and moves to the end of the feed.
    pub(super) fn reload(
        &mut self,
        conn: &mut Connection,
        index: &mut FaceIndex,
        scope: Option<IndexScope<'_>>,
    ) -> Result<IndexChange, GalleryError> {
        let tx = conn.transaction()?;
        let last_seq = last_seq(&tx)?;
        let loaded = match scope {
            Some(scope) => load_index(&tx, scope)?,
            None => FaceIndex::default(),
        };
        tx.commit()?;
        *index = loaded;
        self.applied_seq = last_seq;
        self.unreported.merge(GalleryChanges {
            reloaded: true,
            ..GalleryChanges::default()
        });
        Ok(IndexChange::Reloaded)
    }

    /// Reads the entries after the applied position and reloads each person they name, all in one
    /// read transaction, so the index moves from one committed state to a later one.
    pub(super) fn apply(
        &mut self,
        conn: &mut Connection,
        index: &mut FaceIndex,
        scope: Option<IndexScope<'_>>,
    ) -> Result<IndexChange, GalleryError> {
        let tx = conn.transaction()?;
        let (oldest, newest): (Option<i64>, Option<i64>) =
            tx.query_row("SELECT min(seq), max(seq) FROM changes", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let newest = newest.unwrap_or(0);
        if newest <= self.applied_seq {
            return Ok(IndexChange::Unchanged);
        }
        if oldest.is_some_and(|oldest| oldest > self.applied_seq + 1) {
            drop(tx);
            tracing::info!("the change feed was pruned past this process; reloading the index");
            return self.reload(conn, index, scope);
        }
        let Some(scope) = scope else {
            self.applied_seq = newest;
            return Ok(IndexChange::Unchanged);
        };
        let (people, visits) = people_in_feed(&tx, self.applied_seq, newest)?;
        let mut changes = GalleryChanges {
            visits,
            ..GalleryChanges::default()
        };
        for person_id in people {
            match matchable_faces(&tx, person_id, scope)? {
                Some((name, faces)) => {
                    index.replace_person(person_id, &name, &faces);
                    changes.changed.insert(person_id);
                }
                None => {
                    index.remove_person(person_id);
                    changes.removed.insert(person_id);
                }
            }
        }
        tx.commit()?;
        let change = if changes.changed.is_empty() && changes.removed.is_empty() {
            IndexChange::Unchanged
        } else {
            IndexChange::People
        };
        self.applied_seq = newest;
        self.unreported.merge(changes);
        Ok(change)
    }
}

/// Deletes the old feed entries [`Gallery::prune_change_log`](super::Gallery::prune_change_log)
/// describes.
pub(super) fn prune_change_log(conn: &Connection) -> Result<usize, GalleryError> {
    Ok(conn.execute(
        "DELETE FROM changes WHERE at < ?1 AND seq < (SELECT max(seq) FROM changes)
            AND seq <= coalesce((SELECT pushed_seq FROM fleet_state), seq)",
        [now_ms() - CHANGE_LOG_KEEP_MS],
    )?)
}

fn last_seq(tx: &Transaction<'_>) -> Result<i64, GalleryError> {
    Ok(
        tx.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
            r.get(0)
        })?,
    )
}

/// The people named by entries (after, up_to], in feed order, and whether any visit changed.
fn people_in_feed(
    tx: &Transaction<'_>,
    after: i64,
    up_to: i64,
) -> Result<(Vec<PersonId>, bool), GalleryError> {
    let mut statement = tx.prepare_cached(
        "SELECT person_id, entity FROM changes WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
    )?;
    let mut people = Vec::new();
    let mut seen = BTreeSet::new();
    let mut visits = false;
    let rows = statement.query_map(params![after, up_to], |r| {
        Ok((r.get::<_, PersonId>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (person_id, entity) = row?;
        if entity == "visit" {
            visits = true;
        } else if seen.insert(person_id) {
            people.push(person_id);
        }
    }
    Ok((people, visits))
}

/// A stored code, or `None` (logged) when it is missing or damaged: that face is skipped.
fn stored_code(face_id: i64, blob: Option<&[u8]>) -> Option<FaceCode> {
    let code = blob.and_then(FaceCode::from_bytes);
    if code.is_none() {
        tracing::warn!(
            face_id,
            "skipping a face whose stored embedding or code is damaged"
        );
    }
    code
}

/// A matchable person's name and their faces (face id, code) of one model.
type MatchableFaces = (String, Vec<(i64, FaceCode)>);

/// A person's name and faces of the scope's model, or `None` when they may not be matched (gone,
/// or no consent).
fn matchable_faces(
    tx: &Transaction<'_>,
    person_id: PersonId,
    scope: IndexScope<'_>,
) -> Result<Option<MatchableFaces>, GalleryError> {
    let name: Option<String> = tx
        .query_row(
            &format!("SELECT name FROM people WHERE id = ?2 AND {MATCHABLE}"),
            params![scope.require_consent, person_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(name) = name else {
        return Ok(None);
    };
    let mut statement = tx.prepare_cached(
        "SELECT face_id, code FROM face_codes WHERE person_id = ?1 AND model_id = ?2
         ORDER BY face_id",
    )?;
    let mut rows = statement.query(params![person_id, scope.model_id])?;
    let mut faces = Vec::new();
    while let Some(row) = rows.next()? {
        let face_id: i64 = row.get(0)?;
        if let Some(code) = stored_code(face_id, row.get_ref(1)?.as_blob().ok()) {
            faces.push((face_id, code));
        }
    }
    Ok(Some((name, faces)))
}

/// The faces `scope` holds, from their stored codes (no embedding is read).
fn load_index(tx: &Transaction<'_>, scope: IndexScope<'_>) -> Result<FaceIndex, GalleryError> {
    let mut index = FaceIndex::default();
    // Every model's faces: counted from the small index on `person_id`, where a count of one
    // model's would read the whole table.
    let faces: i64 = tx.query_row("SELECT count(*) FROM face_codes", [], |r| r.get(0))?;
    index.reserve(usize::try_from(faces).unwrap_or(0));
    let mut people = tx.prepare(&format!("SELECT id, name FROM people WHERE {MATCHABLE}"))?;
    let rows = people.query_map([scope.require_consent], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (id, name) = row?;
        index.set_name(id, &name);
    }
    // Matchable people are picked here rather than by a join, which would look each face's
    // person up in the people table.
    let mut faces = tx.prepare(
        "SELECT face_id, person_id, code FROM face_codes WHERE model_id = ?1 ORDER BY face_id",
    )?;
    let mut rows = faces.query([scope.model_id])?;
    while let Some(row) = rows.next()? {
        let person_id: PersonId = row.get(1)?;
        if !index.has_person(person_id) {
            continue;
        }
        let face_id: i64 = row.get(0)?;
        if let Some(code) = stored_code(face_id, row.get_ref(2)?.as_blob().ok()) {
            index.insert(face_id, person_id, &code);
        }
    }
    index.shrink_to_fit();
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{face, person};
    use super::*;
    use crate::gallery::{Gallery, MatchDecision, MatchPolicy};

    const POLICY: MatchPolicy = MatchPolicy {
        threshold: 0.5,
        margin: 0.05,
        max_strangers_named: None,
        regular_days: 0,
    };

    fn two_processes() -> (tempfile::TempDir, Gallery, Gallery) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let kiosk = Gallery::open(&path, "m1").unwrap();
        let staff = Gallery::open(&path, "m1").unwrap();
        (dir, kiosk, staff)
    }

    fn known_as(gallery: &Gallery, direction: usize) -> Option<PersonId> {
        match gallery.identify(&face(direction).embedding, &POLICY) {
            MatchDecision::Known { person_id, .. } => Some(person_id),
            MatchDecision::Unknown { .. } => None,
        }
    }

    #[test]
    fn enrolment_edit_and_erasure_elsewhere_reach_the_index() {
        let (_dir, mut kiosk, mut staff) = two_processes();
        kiosk.take_changes();
        kiosk.refresh().unwrap();
        assert!(kiosk.take_changes().is_empty(), "nothing changed yet");

        let ada = staff
            .enroll(
                &person("Ada", &[("coffee", "flat white")], true),
                &[face(0)],
            )
            .unwrap();
        kiosk.refresh().unwrap();
        assert_eq!(known_as(&kiosk, 0), Some(ada));
        let changes = kiosk.take_changes();
        assert!(changes.changed.contains(&ada) && changes.removed.is_empty());

        staff.add_faces(ada, &[face(1)]).unwrap();
        staff
            .update_person(ada, &person("Ada King", &[], true))
            .unwrap();
        kiosk.refresh().unwrap();
        assert_eq!(known_as(&kiosk, 1), Some(ada));
        assert_eq!(kiosk.index().name(ada), Some("Ada King"));

        assert!(staff.delete_person(ada).unwrap());
        kiosk.refresh().unwrap();
        let changes = kiosk.take_changes();
        assert!(changes.removed.contains(&ada) && !changes.changed.contains(&ada));
        assert_eq!(known_as(&kiosk, 0), None);
        assert_eq!(kiosk.index().name(ada), None);
        assert_eq!(kiosk.index().len(), 0);
        assert!(matches!(
            kiosk.record_visit(ada, 1, 0.9, "t"),
            Err(GalleryError::NotMatchable(id)) if id == ada
        ));
    }

    #[test]
    fn ids_of_erased_people_and_faces_are_never_handed_out_again() {
        let (_dir, _kiosk, mut staff) = two_processes();
        let first = staff.enroll(&person("A", &[], true), &[face(0)]).unwrap();
        let first_face = staff.faces(first).unwrap()[0].id;
        let first_uid = staff.person(first).unwrap().unwrap().uid;
        staff.delete_person(first).unwrap();
        let second = staff.enroll(&person("B", &[], true), &[face(1)]).unwrap();
        assert!(second > first);
        assert!(staff.faces(second).unwrap()[0].id > first_face);
        let second_uid = staff.person(second).unwrap().unwrap().uid;
        assert_eq!(second_uid.len(), 32);
        assert_ne!(second_uid, first_uid);
    }

    #[test]
    fn consent_is_required_to_enrol_and_withdrawing_it_stops_matching_everywhere() {
        let (_dir, mut kiosk, mut staff) = two_processes();
        assert!(matches!(
            staff.enroll(&person("No consent", &[], false), &[face(0)]),
            Err(GalleryError::ConsentRequired)
        ));
        assert!(staff.people().unwrap().is_empty());

        let ada = staff.enroll(&person("Ada", &[], true), &[face(0)]).unwrap();
        kiosk.refresh().unwrap();
        assert_eq!(known_as(&kiosk, 0), Some(ada));
        kiosk.take_changes();

        staff
            .update_person(ada, &person("Ada", &[], false))
            .unwrap();
        kiosk.refresh().unwrap();
        assert_eq!(known_as(&kiosk, 0), None);
        assert!(kiosk.take_changes().removed.contains(&ada));
        let stored = kiosk.person(ada).unwrap().unwrap();
        assert!(stored.consent_at.is_none() && stored.consent_withdrawn_at.is_some());

        // A withdrawal holds even where consent is not required.
        kiosk.set_consent_required(false).unwrap();
        assert_eq!(known_as(&kiosk, 0), None);
        assert!(kiosk.record_visit(ada, 1, 0.9, "t").is_err());

        // Consent given again: matched again.
        staff.update_person(ada, &person("Ada", &[], true)).unwrap();
        kiosk.refresh().unwrap();
        assert_eq!(known_as(&kiosk, 0), Some(ada));
    }

    #[test]
    fn people_without_consent_are_matched_only_where_it_is_not_required() {
        let (_dir, mut kiosk, mut staff) = two_processes();
        staff.set_consent_required(false).unwrap();
        let bob = staff
            .enroll(&person("Bob", &[], false), &[face(2)])
            .unwrap();
        kiosk.refresh().unwrap();
        assert_eq!(known_as(&kiosk, 2), None, "this kiosk requires consent");
        assert!(kiosk.record_visit(bob, 1, 0.9, "t").is_err());
        kiosk.set_consent_required(false).unwrap();
        assert_eq!(known_as(&kiosk, 2), Some(bob));
        kiosk.record_visit(bob, 1, 0.9, "t").unwrap();

        staff.withdraw_consent(bob).unwrap();
        kiosk.refresh().unwrap();
        assert_eq!(known_as(&kiosk, 2), None);
    }

    #[test]
    fn a_merge_elsewhere_moves_the_faces_and_removes_the_duplicate() {
        let (_dir, mut kiosk, mut staff) = two_processes();
        let keep = staff.enroll(&person("Ada", &[], true), &[face(0)]).unwrap();
        let dupe = staff
            .enroll(&person("Ada L", &[], true), &[face(1)])
            .unwrap();
        kiosk.refresh().unwrap();
        kiosk.take_changes();
        staff.merge_people(dupe, keep).unwrap();
        kiosk.refresh().unwrap();
        assert_eq!(known_as(&kiosk, 1), Some(keep));
        let changes = kiosk.take_changes();
        assert!(changes.removed.contains(&dupe) && changes.changed.contains(&keep));
    }

    #[test]
    fn the_feed_keeps_ids_only_never_names_or_details() {
        let (_dir, _kiosk, mut staff) = two_processes();
        let ada = staff
            .enroll(
                &person("Ada Lovelace", &[("phone", "555-0199")], true),
                &[face(0)],
            )
            .unwrap();
        staff.record_visit(ada, 5, 0.8, "kiosk").unwrap();
        staff.delete_person(ada).unwrap();
        let entries: Vec<String> = staff
            .conn
            .prepare("SELECT * FROM changes")
            .unwrap()
            .query_map([], |r| {
                Ok((0..r.as_ref().column_count())
                    .map(|i| match r.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Text(text) => {
                            String::from_utf8_lossy(text).into_owned()
                        }
                        other => format!("{other:?}"),
                    })
                    .collect::<Vec<_>>()
                    .join(","))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(entries.len() >= 5);
        assert!(
            entries
                .iter()
                .all(|e| !e.contains("Ada") && !e.contains("555-0199") && !e.contains("kiosk"))
        );
        assert!(entries.iter().any(|e| e.contains(",person,delete,")));
    }

    #[test]
    fn a_follower_left_behind_by_pruning_reloads_the_whole_index() {
        let (_dir, mut kiosk, mut staff) = two_processes();
        let ada = staff.enroll(&person("Ada", &[], true), &[face(0)]).unwrap();
        staff.enroll(&person("Bob", &[], true), &[face(1)]).unwrap();
        // Age every entry but the newest past the keep period, then prune.
        staff.conn.execute("UPDATE changes SET at = 0", []).unwrap();
        assert!(staff.prune_change_log().unwrap() > 0);
        kiosk.take_changes();
        kiosk.refresh().unwrap();
        assert!(kiosk.take_changes().reloaded);
        assert_eq!(known_as(&kiosk, 0), Some(ada));
        assert_eq!(kiosk.index().len(), 2);
    }
}
