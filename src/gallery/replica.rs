//! The gallery as one replica of a fleet's shared store (see `crate::fleet`): what this kiosk
//! changed and has not sent yet (its outbox), and applying what the other kiosks changed.
//!
//! The outbox is the change feed itself: every local change is already numbered there by the
//! triggers, in the transaction of the change, so a crash can never lose one. What is sent is the
//! rows' current state, found by their `uid`, so sending the same entry twice changes nothing.
//! Rows deleted here leave a tombstone (their `uid` only) until the server has it. Changes applied
//! from the fleet are marked `origin = 'fleet'` in the feed so that they are not sent back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rusqlite::{OptionalExtension, Transaction, params};

use super::ledger;
use super::store::{Gallery, audit, write_details};
use super::{GalleryError, PersonId, now_ms};

/// Where this replica stands with its fleet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FleetState {
    /// The fleet (server) this gallery belongs to.
    pub fleet_id: String,
    /// Local feed entries up to this number are on the server.
    pub pushed_seq: i64,
    /// Server changes up to this number are applied here; 0: never pulled.
    pub pulled_seq: i64,
    /// Last successful exchange with the server (Unix ms).
    pub last_sync_at: Option<i64>,
}

/// A person as it travels between kiosks.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonState {
    pub uid: String,
    pub name: String,
    pub details: BTreeMap<String, String>,
    pub consent_at: Option<i64>,
    pub consent_withdrawn_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FaceState {
    pub uid: String,
    pub person_uid: String,
    /// The stored bytes of the embedding (little-endian f32).
    pub embedding: Vec<u8>,
    pub model_id: String,
    pub quality: f32,
    pub thumbnail: Vec<u8>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VisitState {
    pub uid: String,
    pub person_uid: String,
    pub at: i64,
    pub similarity: f32,
    pub source: String,
    /// The kiosk that logged it; `None`: this one.
    pub kiosk: Option<String>,
}

/// What a tombstone removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entity {
    Person,
    Face,
    Visit,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Face => "face",
            Self::Visit => "visit",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "person" => Some(Self::Person),
            "face" => Some(Self::Face),
            "visit" => Some(Self::Visit),
            _ => None,
        }
    }

    pub fn table(self) -> &'static str {
        match self {
            Self::Person => "people",
            Self::Face => "faces",
            Self::Visit => "visits",
        }
    }
}

/// A deletion as it travels: which row, never what it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    pub uid: String,
    pub entity: Entity,
    pub at: i64,
}

/// Rows in a fleet exchange, parents before children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowBatch {
    pub people: Vec<PersonState>,
    pub faces: Vec<FaceState>,
    pub visits: Vec<VisitState>,
    pub tombstones: Vec<Tombstone>,
}

impl RowBatch {
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
            && self.faces.is_empty()
            && self.visits.is_empty()
            && self.tombstones.is_empty()
    }
}

/// Local changes waiting to be sent, and how far they reach in the feed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    pub rows: RowBatch,
    /// Once sent, the feed is pushed up to here.
    pub up_to_seq: i64,
    /// Tombstones up to this row are sent.
    pub up_to_tombstone: i64,
    /// Whether more is waiting after this batch.
    pub more: bool,
}

/// What applying a batch from the fleet changed here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    pub people: usize,
    pub faces: usize,
    pub visits: usize,
    pub erased: usize,
}

impl Applied {
    pub fn add(&mut self, other: Applied) {
        self.people += other.people;
        self.faces += other.faces;
        self.visits += other.visits;
        self.erased += other.erased;
    }
}

impl Gallery {
    /// This replica's fleet, if it joined one.
    pub fn fleet_state(&self) -> Result<Option<FleetState>, GalleryError> {
        Ok(self
            .conn
            .query_row(
                "SELECT fleet_id, pushed_seq, pulled_seq, last_sync_at FROM fleet_state",
                [],
                |r| {
                    Ok(FleetState {
                        fleet_id: r.get(0)?,
                        pushed_seq: r.get(1)?,
                        pulled_seq: r.get(2)?,
                        last_sync_at: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Makes this gallery a replica of `fleet_id`. A gallery new to the fleet queues everything it
    /// holds for sending and will pull the whole fleet. Returns whether it was new to it.
    pub fn join_fleet(&mut self, fleet_id: &str) -> Result<bool, GalleryError> {
        if self
            .fleet_state()?
            .is_some_and(|state| state.fleet_id == fleet_id)
        {
            return Ok(false);
        }
        let now = now_ms();
        let tx = self.write_transaction()?;
        let last: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
            r.get(0)
        })?;
        tx.execute("DELETE FROM fleet_state", [])?;
        tx.execute(
            "INSERT INTO fleet_state (id, fleet_id, pushed_seq, pulled_seq) VALUES (1, ?1, ?2, 0)",
            params![fleet_id, last],
        )?;
        // Everything already here is news to the fleet: one feed entry per row puts it in the
        // outbox, durably, like any other change.
        for (entity, table, person) in [
            ("person", "people", "id"),
            ("face", "faces", "person_id"),
            ("visit", "visits", "person_id"),
        ] {
            tx.execute(
                &format!(
                    "INSERT INTO changes (at, entity, op, person_id, row_id)
                     SELECT ?1, '{entity}', 'update', {person}, id FROM {table} ORDER BY id"
                ),
                [now],
            )?;
        }
        audit(&tx, now, "join fleet", &format!("fleet {fleet_id}"))?;
        tx.commit()?;
        self.catch_up_after_write()?;
        self.reload_regulars()?;
        Ok(true)
    }

    /// How many local changes (feed entries and tombstones) wait to be sent.
    pub fn fleet_outbox_len(&self) -> Result<i64, GalleryError> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM changes WHERE origin = 'local'
                     AND seq > (SELECT pushed_seq FROM fleet_state))
                  + (SELECT count(*) FROM fleet_tombstones)",
            [],
            |r| r.get(0),
        )?)
    }

    /// The next `limit` local changes to send, as the current state of the rows they name.
    pub fn fleet_outbox(&mut self, limit: usize) -> Result<Outbox, GalleryError> {
        let limit_sql = i64::try_from(limit).unwrap_or(i64::MAX);
        let tx = self.conn.transaction()?;
        let pushed: i64 = tx.query_row("SELECT pushed_seq FROM fleet_state", [], |r| r.get(0))?;
        let mut people = BTreeSet::new();
        let mut faces = BTreeSet::new();
        let mut visits = BTreeSet::new();
        let mut read = 0;
        let mut up_to_seq = pushed;
        {
            let mut statement = tx.prepare(
                "SELECT seq, entity, person_id, row_id FROM changes
                 WHERE seq > ?1 AND origin = 'local' ORDER BY seq LIMIT ?2",
            )?;
            let rows = statement.query_map(params![pushed, limit_sql], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?;
            for row in rows {
                let (seq, entity, person_id, row_id) = row?;
                read += 1;
                up_to_seq = seq;
                match entity.as_str() {
                    "face" => faces.insert(row_id),
                    "visit" => visits.insert(row_id),
                    _ => people.insert(person_id),
                };
            }
        }
        let more_entries = read >= limit;
        if !more_entries {
            // Only entries from the fleet lie beyond: nothing of them is to be sent.
            up_to_seq = tx.query_row(
                "SELECT coalesce(max(seq), ?1) FROM changes",
                [pushed],
                |r| r.get(0),
            )?;
        }
        let (tombstones, up_to_tombstone, more_tombstones) = read_tombstones(&tx, limit_sql)?;
        let rows = RowBatch {
            people: people_states(&tx, &people)?,
            faces: face_states(&tx, &faces)?,
            visits: visit_states(&tx, &visits)?,
            tombstones,
        };
        tx.commit()?;
        Ok(Outbox {
            rows,
            up_to_seq,
            up_to_tombstone,
            more: more_entries || more_tombstones,
        })
    }

    /// Records that `outbox` reached the server.
    pub fn fleet_outbox_sent(&mut self, outbox: &Outbox) -> Result<(), GalleryError> {
        let tx = self.write_transaction()?;
        tx.execute(
            "UPDATE fleet_state SET pushed_seq = max(pushed_seq, ?1), last_sync_at = ?2",
            params![outbox.up_to_seq, now_ms()],
        )?;
        tx.execute(
            "DELETE FROM fleet_tombstones WHERE rowid <= ?1",
            [outbox.up_to_tombstone],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Applies rows changed elsewhere in the fleet, in one transaction, and (when given) records
    /// that the server's changes up to `pulled_seq` are applied. A person changed here and not
    /// sent yet keeps the local version: it is sent next, and the server decides. Erasures always
    /// apply, and are scrubbed from the files like a local one.
    pub fn apply_fleet_rows(
        &mut self,
        rows: &RowBatch,
        pulled_seq: Option<i64>,
    ) -> Result<Applied, GalleryError> {
        let now = now_ms();
        let ledger_file = self.path().map(ledger::ledger_path);
        let withdrawals_file = self.path().map(ledger::withdrawals_path);
        let tx = self.write_transaction()?;
        let feed_before: i64 =
            tx.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
                r.get(0)
            })?;
        let tombstones_before: i64 = tx.query_row(
            "SELECT coalesce(max(rowid), 0) FROM fleet_tombstones",
            [],
            |r| r.get(0),
        )?;
        let mut applied = Applied::default();
        let people = apply_people(&tx, &rows.people, withdrawals_file.as_deref())?;
        applied.people = people.applied;
        for face in &rows.faces {
            applied.faces += usize::from(apply_face(&tx, face)?);
        }
        for visit in &rows.visits {
            applied.visits += usize::from(apply_visit(&tx, visit)?);
        }
        for tombstone in &rows.tombstones {
            // An erasure elsewhere is an erasure here: into the ledger first, as for a local one,
            // so that restoring an older backup of this kiosk erases them again.
            if let (Entity::Person, Some(ledger_file)) = (tombstone.entity, &ledger_file) {
                let here: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM people WHERE uid = ?1)",
                    [&tombstone.uid],
                    |r| r.get(0),
                )?;
                if here {
                    ledger::append(ledger_file, &tombstone.uid)?;
                }
            }
            let gone = tx.execute(
                &format!("DELETE FROM {} WHERE uid = ?1", tombstone.entity.table()),
                [&tombstone.uid],
            )?;
            if gone > 0 && tombstone.entity == Entity::Person {
                applied.erased += 1;
            }
        }
        // What the fleet did is not news for the fleet.
        tx.execute(
            "UPDATE changes SET origin = 'fleet' WHERE seq > ?1",
            [feed_before],
        )?;
        tx.execute(
            "DELETE FROM fleet_tombstones WHERE rowid > ?1",
            [tombstones_before],
        )?;
        if let Some(seq) = pulled_seq {
            tx.execute(
                "UPDATE fleet_state SET pulled_seq = ?1, last_sync_at = ?2",
                params![seq, now],
            )?;
        }
        if applied.erased > 0 {
            audit(
                &tx,
                now,
                "fleet erasure",
                &format!(
                    "{} person(s) erased at another kiosk, with all photos, details and visits",
                    applied.erased
                ),
            )?;
        }
        tx.commit()?;
        people.forget(withdrawals_file.as_deref());
        self.catch_up_after_write()?;
        if applied.erased > 0 {
            self.scrub()?;
        }
        Ok(applied)
    }

    /// The `uid`s of everyone here, for checking them against the fleet's erasures.
    pub fn person_uids(&self) -> Result<Vec<String>, GalleryError> {
        let mut statement = self.conn.prepare("SELECT uid FROM people ORDER BY uid")?;
        let uids = statement
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(uids)
    }
}

fn read_tombstones(
    tx: &Transaction<'_>,
    limit: i64,
) -> Result<(Vec<Tombstone>, i64, bool), GalleryError> {
    let mut statement =
        tx.prepare("SELECT rowid, uid, entity, at FROM fleet_tombstones ORDER BY rowid LIMIT ?1")?;
    let rows = statement.query_map([limit], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut tombstones = Vec::new();
    let mut last = 0;
    let mut read = 0;
    for row in rows {
        let (rowid, uid, entity, at) = row?;
        read += 1;
        last = rowid;
        if let Some(entity) = Entity::parse(&entity) {
            tombstones.push(Tombstone { uid, entity, at });
        }
    }
    Ok((tombstones, last, read >= limit))
}

fn people_states(
    tx: &Transaction<'_>,
    ids: &BTreeSet<PersonId>,
) -> Result<Vec<PersonState>, GalleryError> {
    let mut statement = tx.prepare_cached(
        "SELECT uid, name, consent_at, consent_withdrawn_at, created_at, updated_at
         FROM people WHERE id = ?1",
    )?;
    let mut details =
        tx.prepare_cached("SELECT key, value FROM person_details WHERE person_id = ?1")?;
    let mut people = Vec::new();
    for &id in ids {
        let Some(mut person) = statement
            .query_row([id], |r| {
                Ok(PersonState {
                    uid: r.get(0)?,
                    name: r.get(1)?,
                    details: BTreeMap::new(),
                    consent_at: r.get(2)?,
                    consent_withdrawn_at: r.get(3)?,
                    created_at: r.get(4)?,
                    updated_at: r.get(5)?,
                })
            })
            .optional()?
        else {
            continue;
        };
        person.details = details
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        people.push(person);
    }
    Ok(people)
}

fn face_states(tx: &Transaction<'_>, ids: &BTreeSet<i64>) -> Result<Vec<FaceState>, GalleryError> {
    let mut statement = tx.prepare_cached(
        "SELECT f.uid, p.uid, f.embedding, f.model_id, f.quality, f.thumbnail, f.created_at
         FROM faces f JOIN people p ON p.id = f.person_id WHERE f.id = ?1",
    )?;
    let mut faces = Vec::new();
    for &id in ids {
        let face = statement
            .query_row([id], |r| {
                Ok(FaceState {
                    uid: r.get(0)?,
                    person_uid: r.get(1)?,
                    embedding: r.get(2)?,
                    model_id: r.get(3)?,
                    quality: r.get(4)?,
                    thumbnail: r.get(5)?,
                    created_at: r.get(6)?,
                })
            })
            .optional()?;
        faces.extend(face);
    }
    Ok(faces)
}

fn visit_states(
    tx: &Transaction<'_>,
    ids: &BTreeSet<i64>,
) -> Result<Vec<VisitState>, GalleryError> {
    let mut statement = tx.prepare_cached(
        "SELECT v.uid, p.uid, v.at, v.similarity, v.source, v.kiosk
         FROM visits v JOIN people p ON p.id = v.person_id WHERE v.id = ?1",
    )?;
    let mut visits = Vec::new();
    for &id in ids {
        let visit = statement
            .query_row([id], |r| {
                Ok(VisitState {
                    uid: r.get(0)?,
                    person_uid: r.get(1)?,
                    at: r.get(2)?,
                    similarity: r.get(3)?,
                    source: r.get(4)?,
                    kiosk: r.get(5)?,
                })
            })
            .optional()?;
        visits.extend(visit);
    }
    Ok(visits)
}

fn local_person_id(tx: &Transaction<'_>, uid: &str) -> Result<Option<PersonId>, GalleryError> {
    Ok(tx
        .query_row("SELECT id FROM people WHERE uid = ?1", [uid], |r| r.get(0))
        .optional()?)
}

/// The people a batch from the fleet changed here, and among them those whose consent stands
/// again (a consent given after their withdrawal, somewhere in the fleet).
struct PeopleApplied {
    applied: usize,
    consent_renewed: Vec<String>,
}

impl PeopleApplied {
    /// Takes the people whose consent stands again out of the withdrawals ledger, once the batch
    /// is committed. A failure leaves them in it: a later restore would withdraw their consent
    /// once more, the safe way round.
    fn forget(&self, withdrawals: Option<&Path>) {
        let Some(withdrawals) = withdrawals else {
            return;
        };
        for uid in &self.consent_renewed {
            if let Err(error) = ledger::remove_withdrawal(withdrawals, uid) {
                tracing::warn!(%error, "cannot take a renewed consent out of the withdrawals ledger");
            }
        }
    }
}

/// Applies the people of a batch from the fleet. A withdrawal of consent made elsewhere joins this
/// kiosk's withdrawals ledger before the batch commits, as a local one does, so that restoring an
/// older backup here withdraws it again even before the fleet is reached.
fn apply_people(
    tx: &Transaction<'_>,
    people: &[PersonState],
    withdrawals: Option<&Path>,
) -> Result<PeopleApplied, GalleryError> {
    let mut outcome = PeopleApplied {
        applied: 0,
        consent_renewed: Vec::new(),
    };
    for person in people {
        if !apply_person(tx, person)? {
            continue;
        }
        outcome.applied += 1;
        match (withdrawals, person.consent_withdrawn_at) {
            (Some(withdrawals), Some(_)) => ledger::append_withdrawal(withdrawals, &person.uid)?,
            (Some(_), None) => outcome.consent_renewed.push(person.uid.clone()),
            (None, _) => {}
        }
    }
    Ok(outcome)
}

/// Inserts or updates one person; returns whether anything changed here.
fn apply_person(tx: &Transaction<'_>, person: &PersonState) -> Result<bool, GalleryError> {
    let Some(id) = local_person_id(tx, &person.uid)? else {
        tx.execute(
            "INSERT INTO people (uid, name, consent_at, consent_withdrawn_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                person.uid,
                person.name,
                person.consent_at,
                person.consent_withdrawn_at,
                person.created_at,
                person.updated_at
            ],
        )?;
        write_details(tx, tx.last_insert_rowid(), &person.details)?;
        return Ok(true);
    };
    let unsent: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM changes WHERE origin = 'local'
             AND seq > (SELECT pushed_seq FROM fleet_state)
             AND entity IN ('person', 'details') AND person_id = ?1)",
        [id],
        |r| r.get(0),
    )?;
    if unsent {
        return Ok(false);
    }
    let local = people_states(tx, &BTreeSet::from([id]))?;
    if local.first() == Some(person) {
        return Ok(false);
    }
    tx.execute(
        "UPDATE people SET name = ?2, consent_at = ?3, consent_withdrawn_at = ?4, updated_at = ?5
         WHERE id = ?1",
        params![
            id,
            person.name,
            person.consent_at,
            person.consent_withdrawn_at,
            person.updated_at
        ],
    )?;
    tx.execute("DELETE FROM person_details WHERE person_id = ?1", [id])?;
    write_details(tx, id, &person.details)?;
    Ok(true)
}

/// Inserts one face, or moves it to another person (a merge elsewhere).
fn apply_face(tx: &Transaction<'_>, face: &FaceState) -> Result<bool, GalleryError> {
    place_row(tx, Entity::Face, &face.uid, &face.person_uid, |person_id| {
        tx.execute(
            "INSERT INTO faces (uid, person_id, embedding, model_id, quality, thumbnail, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                face.uid,
                person_id,
                face.embedding,
                face.model_id,
                face.quality,
                face.thumbnail,
                face.created_at
            ],
        )
    })
}

/// Inserts one visit logged elsewhere, or moves it to another person (a merge elsewhere).
fn apply_visit(tx: &Transaction<'_>, visit: &VisitState) -> Result<bool, GalleryError> {
    place_row(
        tx,
        Entity::Visit,
        &visit.uid,
        &visit.person_uid,
        |person_id| {
            tx.execute(
                "INSERT INTO visits (uid, person_id, at, similarity, source, kiosk)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    visit.uid,
                    person_id,
                    visit.at,
                    visit.similarity,
                    visit.source,
                    visit.kiosk
                ],
            )
        },
    )
}

/// Faces and visits are never edited: a row from the fleet is new here (`insert` it, given its
/// person's local id), already here with the same person (nothing to do), or moved to another
/// person by a merge elsewhere. A row of someone unknown here (erased) is skipped. Returns whether
/// anything changed.
fn place_row(
    tx: &Transaction<'_>,
    entity: Entity,
    uid: &str,
    person_uid: &str,
    insert: impl FnOnce(PersonId) -> rusqlite::Result<usize>,
) -> Result<bool, GalleryError> {
    let Some(person_id) = local_person_id(tx, person_uid)? else {
        return Ok(false);
    };
    let table = entity.table();
    let current: Option<PersonId> = tx
        .query_row(
            &format!("SELECT person_id FROM {table} WHERE uid = ?1"),
            [uid],
            |r| r.get(0),
        )
        .optional()?;
    match current {
        Some(owner) if owner == person_id => return Ok(false),
        Some(_) => tx.execute(
            &format!("UPDATE {table} SET person_id = ?2 WHERE uid = ?1"),
            params![uid, person_id],
        )?,
        None => insert(person_id)?,
    };
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{face, person};
    use super::*;

    fn joined() -> (tempfile::TempDir, Gallery) {
        let dir = tempfile::tempdir().unwrap();
        let mut gallery = Gallery::open(&dir.path().join("g.db"), "m1").unwrap();
        gallery.join_fleet("fleet-1").unwrap();
        (dir, gallery)
    }

    #[test]
    fn joining_queues_what_the_gallery_already_holds_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut gallery = Gallery::open(&dir.path().join("g.db"), "m1").unwrap();
        let id = gallery
            .enroll(&person("Ann", &[("coffee", "oat")], true), &[face(0)])
            .unwrap();
        gallery.record_visit(id, 1_000, 0.9, "test").unwrap();
        assert!(gallery.join_fleet("fleet-1").unwrap());
        assert!(!gallery.join_fleet("fleet-1").unwrap());
        let outbox = gallery.fleet_outbox(100).unwrap();
        assert_eq!(outbox.rows.people.len(), 1);
        assert_eq!(outbox.rows.people[0].details["coffee"], "oat");
        assert_eq!(outbox.rows.faces.len(), 1);
        assert_eq!(outbox.rows.visits.len(), 1);
        gallery.fleet_outbox_sent(&outbox).unwrap();
        assert_eq!(gallery.fleet_outbox_len().unwrap(), 0);
        assert!(gallery.fleet_outbox(100).unwrap().rows.is_empty());
    }

    #[test]
    fn rows_from_the_fleet_are_applied_once_and_never_sent_back() {
        let (_dir, mut gallery) = joined();
        let other = {
            let mut elsewhere = Gallery::open_in_memory("m1").unwrap();
            let id = elsewhere
                .enroll(&person("Bo", &[], true), &[face(1)])
                .unwrap();
            elsewhere.join_fleet("fleet-1").unwrap();
            let rows = elsewhere.fleet_outbox(100).unwrap().rows;
            assert_eq!(
                elsewhere.person(id).unwrap().unwrap().uid,
                rows.people[0].uid
            );
            rows
        };
        let applied = gallery.apply_fleet_rows(&other, Some(7)).unwrap();
        assert_eq!((applied.people, applied.faces), (1, 1));
        assert_eq!(gallery.index().person_count(), 1);
        assert_eq!(gallery.fleet_outbox_len().unwrap(), 0);
        assert_eq!(gallery.fleet_state().unwrap().unwrap().pulled_seq, 7);
        let again = gallery.apply_fleet_rows(&other, Some(8)).unwrap();
        assert_eq!(again, Applied::default());
    }

    #[test]
    fn an_unsent_local_edit_is_kept_and_an_erasure_from_the_fleet_always_applies() {
        let (_dir, mut gallery) = joined();
        let id = gallery
            .enroll(&person("Cy", &[], true), &[face(2)])
            .unwrap();
        let sent = gallery.fleet_outbox(100).unwrap();
        gallery.fleet_outbox_sent(&sent).unwrap();
        gallery
            .update_person(id, &person("Cy Local", &[], true))
            .unwrap();
        let mut remote = sent.rows.people[0].clone();
        remote.name = "Cy Remote".into();
        remote.updated_at += 1;
        let rows = RowBatch {
            people: vec![remote.clone()],
            ..RowBatch::default()
        };
        gallery.apply_fleet_rows(&rows, None).unwrap();
        assert_eq!(gallery.person(id).unwrap().unwrap().name, "Cy Local");

        let erasure = RowBatch {
            tombstones: vec![Tombstone {
                uid: remote.uid,
                entity: Entity::Person,
                at: 0,
            }],
            ..RowBatch::default()
        };
        let applied = gallery.apply_fleet_rows(&erasure, None).unwrap();
        assert_eq!(applied.erased, 1);
        assert!(gallery.person(id).unwrap().is_none());
        assert_eq!(gallery.index().person_count(), 0);
        // The erasure came from the fleet: nothing to send back about it.
        let outbox = gallery.fleet_outbox(100).unwrap();
        assert!(outbox.rows.tombstones.is_empty());
    }

    /// A withdrawal learned from the fleet is in this kiosk's withdrawals ledger, so that a
    /// restore here withdraws it again; a consent given again elsewhere takes it out.
    #[test]
    fn a_withdrawal_from_the_fleet_joins_the_withdrawals_ledger_and_a_renewal_leaves_it() {
        let (dir, mut gallery) = joined();
        let id = gallery
            .enroll(&person("Ed", &[], true), &[face(4)])
            .unwrap();
        let sent = gallery.fleet_outbox(100).unwrap();
        gallery.fleet_outbox_sent(&sent).unwrap();
        let ledger_file = ledger::withdrawals_path(&dir.path().join("g.db"));
        let mut remote = sent.rows.people[0].clone();
        remote.consent_at = None;
        remote.consent_withdrawn_at = Some(remote.updated_at + 1);
        remote.updated_at += 1;
        let withdrawal = RowBatch {
            people: vec![remote.clone()],
            ..RowBatch::default()
        };
        let withdrawn = |gallery: &Gallery| {
            let person = gallery.person(id).unwrap().unwrap();
            person.consent_withdrawn_at.is_some()
        };
        gallery.apply_fleet_rows(&withdrawal, None).unwrap();
        assert!(withdrawn(&gallery));
        assert_eq!(
            ledger::read(&ledger_file).unwrap(),
            vec![remote.uid.clone()]
        );

        remote.consent_at = Some(remote.updated_at + 1);
        remote.consent_withdrawn_at = None;
        remote.updated_at += 1;
        let renewal = RowBatch {
            people: vec![remote],
            ..RowBatch::default()
        };
        gallery.apply_fleet_rows(&renewal, None).unwrap();
        assert!(!withdrawn(&gallery));
        assert!(ledger::read(&ledger_file).unwrap().is_empty());
    }

    #[test]
    fn a_local_erasure_leaves_a_tombstone_until_it_is_sent() {
        let (_dir, mut gallery) = joined();
        let id = gallery
            .enroll(&person("Di", &[], true), &[face(3)])
            .unwrap();
        let uid = gallery.person(id).unwrap().unwrap().uid;
        gallery.delete_person(id).unwrap();
        let outbox = gallery.fleet_outbox(100).unwrap();
        assert!(outbox.rows.people.is_empty());
        assert!(
            outbox
                .rows
                .tombstones
                .iter()
                .any(|t| t.uid == uid && t.entity == Entity::Person)
        );
        gallery.fleet_outbox_sent(&outbox).unwrap();
        assert_eq!(gallery.fleet_outbox_len().unwrap(), 0);
    }
}
