//! SQLite storage of the gallery, kept in step with its in-memory index.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::face_code::add_face_code_function;
use super::feed::{self, FeedPosition, GalleryChanges, IndexChange, IndexScope};
use super::index::{Candidate, FaceIndex, MatchDecision, MatchPolicy};
use super::ledger;
use super::migrations::MIGRATIONS;
use super::open_set::{RegularsOutlook, Side, StrangerOutlook, StrangerScores};
use super::regulars::Regulars;
use super::{FaceRecord, GalleryError, NewFace, NewPerson, Person, PersonId, Visit, now_ms};
use crate::vision::Embedding;

/// How often an erasure's checkpoint is tried while another process's reader holds it back.
const SCRUB_ATTEMPTS: u32 = 4;
const SCRUB_RETRY: std::time::Duration = std::time::Duration::from_millis(250);
/// The share by which the number of people may change before strangers' scores are estimated
/// again (the bar moves with the logarithm of the gallery's size: 2 % more people move it by
/// well under 0.001).
const REESTIMATE_CHANGE: f64 = 0.02;

pub struct Gallery {
    pub(super) conn: Connection,
    path: Option<PathBuf>,
    pub(super) model_id: String,
    pub(super) index: FaceIndex,
    /// Only people who agreed to be recognised are matched (`kiosk.require_consent`). People who
    /// withdrew their consent are never matched.
    pub(super) require_consent: bool,
    pub(super) feed: FeedPosition,
    /// Whether this connection keeps an index at all (the fleet's sync thread does not need one).
    pub(super) indexed: bool,
    /// How strangers score against the index, re-estimated as it grows or shrinks.
    pub(super) strangers: Option<StrangerScores>,
    /// Who was seen at this kiosk lately, in a gallery shared by a fleet.
    pub(super) regulars: Regulars,
}

impl Gallery {
    /// Opens (or creates) the gallery at `path`, migrates it, and builds the index of the faces made
    /// by `model_id`. A file that is not a gallery is reported and left exactly as it is.
    pub fn open(path: &Path, model_id: &str) -> Result<Self, GalleryError> {
        Self::open_file(path, model_id, true)
    }

    /// A transaction that writes. It takes SQLite's write lock when it begins, waiting (the busy
    /// timeout) for another process's writer to finish. A deferred one would read first and then
    /// fail at once with "database is locked" when that writer committed in between.
    pub(super) fn write_transaction(&mut self) -> Result<rusqlite::Transaction<'_>, GalleryError> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// [`Gallery::open`] for matching with the engine's embedding model, taking only the people the
    /// consent setting allows (`kiosk.require_consent`): how every process that recognises opens it.
    pub fn open_for_matching(path: &Path, require_consent: bool) -> Result<Self, GalleryError> {
        let mut gallery = Self::open(path, crate::models::EMBEDDER.id)?;
        gallery.set_consent_required(require_consent)?;
        Ok(gallery)
    }

    /// Opens the gallery for reading and writing rows only, without the memory and time an index
    /// costs (the fleet's sync thread).
    pub fn open_unindexed(path: &Path) -> Result<Self, GalleryError> {
        Self::open_file(path, "", false)
    }

    fn open_file(path: &Path, model_id: &str, indexed: bool) -> Result<Self, GalleryError> {
        let open_error = |message: String| GalleryError::Open {
            path: path.to_path_buf(),
            message,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)
                .map_err(|e| open_error(format!("cannot create folder {}: {e}", dir.display())))?;
        }
        create_private_file(path)
            .map_err(|e| open_error(format!("cannot create the file: {e}")))?;
        let conn = Connection::open(path).map_err(|e| open_error(e.to_string()))?;
        let gallery = Self::from_connection(conn, Some(path.to_path_buf()), model_id, indexed)
            .map_err(|e| match e {
                GalleryError::Sql(sql) => open_error(sql.to_string()),
                other => other,
            })?;
        // Only now that the file is known to be a gallery: a foreign file keeps its permissions.
        restrict_to_owner(path);
        Ok(gallery)
    }

    /// A throw-away gallery, for tests and benchmarks.
    pub fn open_in_memory(model_id: &str) -> Result<Self, GalleryError> {
        Self::from_connection(Connection::open_in_memory()?, None, model_id, true)
    }

    fn from_connection(
        mut conn: Connection,
        path: Option<PathBuf>,
        model_id: &str,
        indexed: bool,
    ) -> Result<Self, GalleryError> {
        // A damaged or foreign file fails here, before anything is written to it.
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(GalleryError::TooNew {
                path: path.unwrap_or_default(),
                found: version,
                known,
            });
        }
        if version == 0 && tables > 0 {
            return Err(GalleryError::Foreign {
                path: path.unwrap_or_default(),
            });
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        add_face_code_function(&conn)?;
        if path.is_some() {
            conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        if usize::try_from(version).unwrap_or(0) < MIGRATIONS.len() {
            migrate(&mut conn, MIGRATIONS.len())?;
        }
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "secure_delete", true)?;
        let mut gallery = Self {
            conn,
            path,
            model_id: model_id.to_owned(),
            index: FaceIndex::default(),
            require_consent: true,
            feed: FeedPosition::default(),
            indexed,
            strangers: None,
            regulars: Regulars::default(),
        };
        gallery.rebuild_index()?;
        gallery.reload_regulars()?;
        Ok(gallery)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn schema_version(&self) -> Result<i64, GalleryError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// The model whose embeddings the index holds.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    pub fn index(&self) -> &FaceIndex {
        &self.index
    }

    /// Whether people without a recorded consent may be matched; the index follows at once.
    pub fn set_consent_required(&mut self, required: bool) -> Result<(), GalleryError> {
        if self.require_consent != required {
            self.require_consent = required;
            self.rebuild_index()?;
        }
        Ok(())
    }

    pub fn consent_required(&self) -> bool {
        self.require_consent
    }

    /// Who `embedding` belongs to, under `policy` with its bar raised as this gallery's size asks
    /// ([`MatchPolicy::for_gallery`]) for the side of the fleet its best match is on.
    pub fn identify(&self, embedding: &Embedding, policy: &MatchPolicy) -> MatchDecision {
        let top = self.search(embedding, 2);
        self.policy_for(policy, top.first().map(|c| c.person_id))
            .decide(&top)
    }

    /// `policy` as it applies here now to a match on `person_id`: in a fleet, a regular of this
    /// kiosk and the rest of the fleet have bars of their own ([`Side`]). None: a match on anyone,
    /// the rest of the fleet's bar (the stricter one).
    pub fn policy_for(&self, policy: &MatchPolicy, person_id: Option<PersonId>) -> MatchPolicy {
        let (policy, strangers) = self.on_side(policy, self.side(policy, person_id));
        policy.for_gallery(strangers.as_ref())
    }

    /// Whether a match on `person_id` at `similarity` is sure enough to show the person's details
    /// ([`MatchPolicy::confident_bar`]).
    pub fn is_confident(&self, policy: &MatchPolicy, person_id: PersonId, similarity: f32) -> bool {
        let (policy, strangers) = self.on_side(policy, self.side(policy, Some(person_id)));
        similarity >= policy.confident_bar(strangers.as_ref())
    }

    /// `policy` and the law of this gallery's strangers for a match on `side`.
    fn on_side(&self, policy: &MatchPolicy, side: Side) -> (MatchPolicy, Option<StrangerScores>) {
        policy.on_side(self.strangers.as_ref(), side)
    }

    /// The side of the fleet a match on `person_id` is on (None: anyone who is not a regular).
    fn side(&self, policy: &MatchPolicy, person_id: Option<PersonId>) -> Side {
        self.regulars.side(
            person_id,
            self.index.person_count(),
            policy.regular_days,
            now_ms(),
        )
    }

    /// Reads again who was seen at this kiosk lately.
    pub(super) fn reload_regulars(&mut self) -> Result<(), GalleryError> {
        self.regulars = Regulars::load(&self.conn, now_ms())?;
        Ok(())
    }

    /// The bar `policy` sets here and how often a stranger is expected to reach it; in a fleet,
    /// also the bar of this kiosk's regulars.
    pub fn stranger_outlook(&self, policy: &MatchPolicy) -> StrangerOutlook {
        let people = self.index.person_count();
        let anyone = self.side(policy, None);
        let (rest, rest_strangers) = self.on_side(policy, anyone);
        let bar = rest.for_gallery(rest_strangers.as_ref()).threshold;
        let mut strangers_named = rest_strangers.map(|s| s.strangers_named_at(bar));
        let regulars = match anyone {
            Side::Rest {
                people: rest_people,
            } => {
                let regulars_count = people - rest_people;
                let side = Side::Regulars {
                    people: regulars_count,
                };
                let (regular, regular_strangers) = self.on_side(policy, side);
                let regular_bar = regular.for_gallery(regular_strangers.as_ref()).threshold;
                if let (Some(named), Some(law)) = (&mut strangers_named, regular_strangers) {
                    *named += law.strangers_named_at(regular_bar);
                }
                Some(RegularsOutlook {
                    people: regulars_count,
                    days: policy.regular_days,
                    bar: regular_bar,
                })
            }
            Side::Everyone | Side::Regulars { .. } => None,
        };
        StrangerOutlook {
            people,
            bar,
            raised_to: rest.gallery_bar(rest_strangers.as_ref()),
            strangers_named,
            regulars,
        }
    }

    /// How strangers score against this gallery (None below [`super::open_set::MIN_PEOPLE`]).
    pub fn stranger_scores(&self) -> Option<&StrangerScores> {
        self.strangers.as_ref()
    }

    /// Applies every change committed by another process since the last call. Cheap when nothing
    /// changed; call it often (the recognition worker does, between frames).
    pub fn refresh(&mut self) -> Result<(), GalleryError> {
        self.follow_feed(FeedPosition::refresh)?;
        if self.regulars.is_stale(now_ms()) {
            self.reload_regulars()?;
        }
        Ok(())
    }

    /// The changes applied since the last call (by this process or another).
    pub fn take_changes(&mut self) -> GalleryChanges {
        self.feed.take_changes()
    }

    /// The number of the last feed entry this process applied.
    pub fn feed_position(&self) -> i64 {
        self.feed.applied_seq()
    }

    /// This process's own commit does not change `data_version`, so each write applies the feed
    /// itself: the index is then current when the write returns.
    pub(super) fn catch_up_after_write(&mut self) -> Result<(), GalleryError> {
        self.follow_feed(FeedPosition::apply)
    }

    /// Reloads the whole index from the database and moves to the end of the feed.
    pub fn rebuild_index(&mut self) -> Result<(), GalleryError> {
        self.follow_feed(FeedPosition::reload)
    }

    /// Deletes feed entries older than [`super::CHANGE_LOG_KEEP_MS`] (they hold ids only, never
    /// personal data); the newest entry always stays so that numbering carries on, and so do
    /// entries not yet sent to the fleet (the feed is also the fleet's outbox).
    pub fn prune_change_log(&mut self) -> Result<usize, GalleryError> {
        feed::prune_change_log(&self.conn)
    }

    /// Runs `step` of the feed on this gallery's connection and index, then brings strangers'
    /// scores in step with what it did to the index.
    fn follow_feed(
        &mut self,
        step: impl FnOnce(
            &mut FeedPosition,
            &mut Connection,
            &mut FaceIndex,
            Option<IndexScope<'_>>,
        ) -> Result<IndexChange, GalleryError>,
    ) -> Result<(), GalleryError> {
        let scope = self.indexed.then_some(IndexScope {
            model_id: &self.model_id,
            require_consent: self.require_consent,
        });
        match step(&mut self.feed, &mut self.conn, &mut self.index, scope)? {
            IndexChange::Unchanged => {}
            IndexChange::People => self.follow_stranger_scores(),
            IndexChange::Reloaded => {
                self.strangers = StrangerScores::estimate(&self.index);
                self.reload_regulars()?;
            }
        }
        Ok(())
    }

    /// Estimates again how strangers score once the people in the index are no longer those it
    /// was estimated for: a change of people by more than [`REESTIMATE_CHANGE`] (or any change of a
    /// small gallery) moves the bar.
    fn follow_stranger_scores(&mut self) {
        let people = self.index.person_count();
        let estimated = self.strangers.map_or(0, |s| s.people);
        let changed = people.abs_diff(estimated) as f64;
        if estimated == 0 || changed > REESTIMATE_CHANGE * estimated as f64 || people < 200 {
            self.strangers = StrangerScores::estimate(&self.index);
        }
    }

    pub fn search(&self, embedding: &Embedding, k: usize) -> Vec<Candidate> {
        self.index
            .search(embedding, k, |face_ids| self.stored_embeddings(face_ids))
    }

    /// The float embeddings of `face_ids` (the index keeps 8-bit codes; these decide). A face
    /// deleted meanwhile, or damaged, is left out (and logged).
    fn stored_embeddings(&self, face_ids: &[i64]) -> Vec<(i64, Embedding)> {
        let read = || -> Result<Vec<(i64, Embedding)>, rusqlite::Error> {
            let mut statement = self
                .conn
                .prepare_cached("SELECT embedding FROM faces WHERE id = ?1")?;
            let mut found = Vec::with_capacity(face_ids.len());
            for &face_id in face_ids {
                let blob: Option<Vec<u8>> =
                    statement.query_row([face_id], |r| r.get(0)).optional()?;
                if let Some(embedding) = blob.and_then(|b| Embedding::from_bytes(&b)) {
                    found.push((face_id, embedding));
                }
            }
            Ok(found)
        };
        read().unwrap_or_else(|error| {
            tracing::error!(%error, "cannot read stored embeddings; no match this time");
            Vec::new()
        })
    }

    /// Creates a person with their first faces, in one transaction. Refused without consent when
    /// consent is required.
    pub fn enroll(
        &mut self,
        person: &NewPerson,
        faces: &[NewFace],
    ) -> Result<PersonId, GalleryError> {
        let name = person.name.trim();
        if name.is_empty() {
            return Err(GalleryError::Invalid("a name is required".into()));
        }
        if self.require_consent && !person.consent {
            return Err(GalleryError::ConsentRequired);
        }
        let now = now_ms();
        let tx = self.write_transaction()?;
        tx.execute(
            "INSERT INTO people (name, consent_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![name, person.consent.then_some(now), now],
        )?;
        let person_id = tx.last_insert_rowid();
        write_details(&tx, person_id, &person.details)?;
        insert_faces(&tx, person_id, faces, now)?;
        audit(
            &tx,
            now,
            "enrol",
            &format!("person #{person_id} with {} photo(s)", faces.len()),
        )?;
        tx.commit()?;
        self.catch_up_after_write()?;
        Ok(person_id)
    }

    /// Adds face samples to an existing person, in one transaction.
    pub fn add_faces(
        &mut self,
        person_id: PersonId,
        faces: &[NewFace],
    ) -> Result<usize, GalleryError> {
        let now = now_ms();
        let tx = self.write_transaction()?;
        let touched = tx.execute(
            "UPDATE people SET updated_at = ?2 WHERE id = ?1",
            params![person_id, now],
        )?;
        if touched == 0 {
            return Err(GalleryError::NoSuchPerson(person_id));
        }
        let added = insert_faces(&tx, person_id, faces, now)?;
        audit(
            &tx,
            now,
            "add photos",
            &format!("{} photo(s) to person #{person_id}", faces.len()),
        )?;
        tx.commit()?;
        self.catch_up_after_write()?;
        Ok(added)
    }

    /// Replaces a person's name, consent and details. Turning consent off records a withdrawal:
    /// from then on the person is never matched, whatever `kiosk.require_consent` says.
    pub fn update_person(
        &mut self,
        person_id: PersonId,
        person: &NewPerson,
    ) -> Result<(), GalleryError> {
        let name = person.name.trim();
        if name.is_empty() {
            return Err(GalleryError::Invalid("a name is required".into()));
        }
        let now = now_ms();
        let withdrawals = self.path.as_deref().map(ledger::withdrawals_path);
        let tx = self.write_transaction()?;
        let touched = tx.execute(
            "UPDATE people SET name = ?2, updated_at = ?3,
                consent_withdrawn_at = CASE WHEN ?4 THEN NULL
                    WHEN consent_at IS NOT NULL THEN ?3 ELSE consent_withdrawn_at END,
                consent_at = CASE WHEN ?4 THEN coalesce(consent_at, ?3) ELSE NULL END
             WHERE id = ?1",
            params![person_id, name, now, person.consent],
        )?;
        if touched == 0 {
            return Err(GalleryError::NoSuchPerson(person_id));
        }
        tx.execute(
            "DELETE FROM person_details WHERE person_id = ?1",
            [person_id],
        )?;
        write_details(&tx, person_id, &person.details)?;
        audit(&tx, now, "edit", &format!("person #{person_id}"))?;
        let consent_given_again = note_withdrawal(&tx, person_id, withdrawals.as_deref())?;
        tx.commit()?;
        forget_withdrawal(withdrawals.as_deref(), consent_given_again);
        self.catch_up_after_write()
    }

    /// Records that a person withdrew their consent (also when none was recorded): they are never
    /// matched, greeted or logged again until consent is given anew.
    pub fn withdraw_consent(&mut self, person_id: PersonId) -> Result<(), GalleryError> {
        let now = now_ms();
        let withdrawals = self.path.as_deref().map(ledger::withdrawals_path);
        let tx = self.write_transaction()?;
        let touched = tx.execute(
            "UPDATE people SET consent_at = NULL, updated_at = ?2,
                consent_withdrawn_at = coalesce(consent_withdrawn_at, ?2)
             WHERE id = ?1",
            params![person_id, now],
        )?;
        if touched == 0 {
            return Err(GalleryError::NoSuchPerson(person_id));
        }
        audit(
            &tx,
            now,
            "withdraw consent",
            &format!("person #{person_id}"),
        )?;
        note_withdrawal(&tx, person_id, withdrawals.as_deref())?;
        tx.commit()?;
        self.catch_up_after_write()
    }

    /// Deletes a person with their faces, details and visits, and erases them from the files.
    /// Returns false when there was none.
    ///
    /// The person's uid goes into the erasure ledger beside the gallery before the deletion
    /// commits, so that restoring an older backup erases them again; if the ledger cannot be
    /// written nothing is deleted. The transaction takes the write lock first, so two processes
    /// erasing at once write the ledger one after the other.
    pub fn delete_person(&mut self, person_id: PersonId) -> Result<bool, GalleryError> {
        let ledger_file = self.path.as_deref().map(ledger::ledger_path);
        let tx = self.write_transaction()?;
        let uid: Option<String> = tx
            .query_row("SELECT uid FROM people WHERE id = ?1", [person_id], |r| {
                r.get(0)
            })
            .optional()?;
        if let (Some(uid), Some(ledger_file)) = (&uid, &ledger_file) {
            ledger::append(ledger_file, uid)?;
        }
        let deleted = tx.execute("DELETE FROM people WHERE id = ?1", [person_id])?;
        if deleted > 0 {
            // The log names the id only: a name kept here would outlive the erasure.
            audit(
                &tx,
                now_ms(),
                "delete",
                &format!("person #{person_id} with all photos, details and visits"),
            )?;
        }
        tx.commit()?;
        if deleted > 0 {
            self.catch_up_after_write()?;
        }
        // Also when there was nobody to delete: that finishes an erasure whose scrub was held back.
        self.scrub()?;
        Ok(deleted > 0)
    }

    /// Secure delete has zeroed the freed pages in the WAL; checkpointing copies them over the main
    /// file and truncates the WAL, so no old copy of erased rows stays on disk. A reader in another
    /// process can hold the checkpoint back: it is retried for a while, then reported, because an
    /// erasure that did not reach the file must never be claimed.
    pub(super) fn scrub(&self) -> Result<(), GalleryError> {
        if self.path.is_none() {
            return Ok(());
        }
        let mut pages_left = 0;
        for attempt in 0..SCRUB_ATTEMPTS {
            let (busy, wal_pages, copied): (i64, i64, i64) =
                self.conn
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })?;
            if busy == 0 {
                return Ok(());
            }
            pages_left = wal_pages - copied;
            tracing::debug!(
                attempt,
                pages_left,
                "erasure checkpoint blocked by a reader"
            );
            std::thread::sleep(SCRUB_RETRY);
        }
        Err(GalleryError::NotScrubbed { pages_left })
    }

    pub fn person(&self, person_id: PersonId) -> Result<Option<Person>, GalleryError> {
        let person = self
            .conn
            .query_row(
                &person_query("WHERE p.id = ?1"),
                [person_id],
                person_from_row,
            )
            .optional()?;
        match person {
            Some(mut p) => {
                p.details = self.details(person_id)?;
                Ok(Some(p))
            }
            None => Ok(None),
        }
    }

    /// Everyone, by name.
    pub fn people(&self) -> Result<Vec<Person>, GalleryError> {
        let mut statement = self
            .conn
            .prepare(&person_query("ORDER BY p.name COLLATE NOCASE, p.id"))?;
        let mut people: Vec<Person> = statement
            .query_map([], person_from_row)?
            .collect::<Result<_, _>>()?;
        for person in &mut people {
            person.details = self.details(person.id)?;
        }
        Ok(people)
    }

    fn details(&self, person_id: PersonId) -> Result<BTreeMap<String, String>, GalleryError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT key, value FROM person_details WHERE person_id = ?1")?;
        let details = statement
            .query_map([person_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(details)
    }

    /// A person's stored face samples, oldest first.
    pub fn faces(&self, person_id: PersonId) -> Result<Vec<FaceRecord>, GalleryError> {
        let mut statement = self.conn.prepare(
            "SELECT id, person_id, model_id, quality, thumbnail, created_at FROM faces
             WHERE person_id = ?1 ORDER BY id",
        )?;
        let faces = statement
            .query_map([person_id], |r| {
                Ok(FaceRecord {
                    id: r.get(0)?,
                    person_id: r.get(1)?,
                    model_id: r.get(2)?,
                    quality: r.get(3)?,
                    thumbnail_jpeg: r.get(4)?,
                    created_at: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(faces)
    }

    /// Logs a visit of a person who may be matched. In the same statement as the insert, a person
    /// who was erased or withdrew consent meanwhile (perhaps by another process) is refused, so a
    /// visit is never logged against someone who could not have been recognised.
    pub fn record_visit(
        &mut self,
        person_id: PersonId,
        at: i64,
        similarity: f32,
        source: &str,
    ) -> Result<i64, GalleryError> {
        let inserted = self.conn.execute(
            "INSERT INTO visits (person_id, at, similarity, source)
             SELECT ?1, ?2, ?3, ?4 FROM people
             WHERE id = ?1 AND consent_withdrawn_at IS NULL AND (consent_at IS NOT NULL OR NOT ?5)",
            params![person_id, at, similarity, source, self.require_consent],
        )?;
        if inserted == 0 {
            return Err(GalleryError::NotMatchable(person_id));
        }
        self.regulars.seen(person_id, at);
        Ok(self.conn.last_insert_rowid())
    }

    /// The times of `person_id`'s most recent `count` visits, newest first.
    pub fn recent_visit_times(
        &self,
        person_id: PersonId,
        count: usize,
    ) -> Result<Vec<i64>, GalleryError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT at FROM visits WHERE person_id = ?1 ORDER BY at DESC LIMIT ?2",
        )?;
        let times = statement
            .query_map(
                params![person_id, i64::try_from(count).unwrap_or(i64::MAX)],
                |r| r.get(0),
            )?
            .collect::<Result<_, _>>()?;
        Ok(times)
    }

    /// Each person's first visit ever, to tell first-time visitors from returning ones.
    pub fn first_visits(&self) -> Result<std::collections::HashMap<PersonId, i64>, GalleryError> {
        let mut statement = self
            .conn
            .prepare("SELECT person_id, min(at) FROM visits GROUP BY person_id")?;
        let firsts = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(firsts)
    }

    /// The time of `person_id`'s last visit, if any.
    pub fn last_visit_at(&self, person_id: PersonId) -> Result<Option<i64>, GalleryError> {
        Ok(self.conn.query_row(
            "SELECT max(at) FROM visits WHERE person_id = ?1",
            [person_id],
            |r| r.get(0),
        )?)
    }

    /// Visits, newest first, optionally of one person and within [since, until).
    pub fn visits(
        &self,
        person_id: Option<PersonId>,
        since: Option<i64>,
        until: Option<i64>,
    ) -> Result<Vec<Visit>, GalleryError> {
        let mut statement = self.conn.prepare(
            "SELECT v.id, v.person_id, p.name, v.at, v.similarity, v.source, v.kiosk
             FROM visits v JOIN people p ON p.id = v.person_id
             WHERE (?1 IS NULL OR v.person_id = ?1) AND (?2 IS NULL OR v.at >= ?2) AND (?3 IS NULL OR v.at < ?3)
             ORDER BY v.at DESC, v.id DESC",
        )?;
        let visits = statement
            .query_map(params![person_id, since, until], |r| {
                Ok(Visit {
                    id: r.get(0)?,
                    person_id: r.get(1)?,
                    person_name: r.get(2)?,
                    at: r.get(3)?,
                    similarity: r.get(4)?,
                    source: r.get(5)?,
                    kiosk: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(visits)
    }
}

fn person_query(tail: &str) -> String {
    format!(
        "SELECT p.id, p.uid, p.name, p.consent_at, p.consent_withdrawn_at, p.created_at, p.updated_at,
            (SELECT count(*) FROM faces f WHERE f.person_id = p.id),
            (SELECT count(*) FROM visits v WHERE v.person_id = p.id),
            (SELECT max(at) FROM visits v WHERE v.person_id = p.id)
         FROM people p {tail}"
    )
}

fn person_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Person> {
    Ok(Person {
        id: r.get(0)?,
        uid: r.get(1)?,
        name: r.get(2)?,
        details: BTreeMap::new(),
        consent_at: r.get(3)?,
        consent_withdrawn_at: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
        face_count: r.get(7)?,
        visit_count: r.get(8)?,
        last_visit_at: r.get(9)?,
    })
}

/// Appends to the staff audit log inside the caller's transaction.
pub(super) fn audit(
    tx: &Transaction<'_>,
    at: i64,
    action: &str,
    detail: &str,
) -> Result<(), GalleryError> {
    tx.execute(
        "INSERT INTO audit_log (at, action, detail) VALUES (?1, ?2, ?3)",
        params![at, action, detail],
    )?;
    Ok(())
}

pub(super) fn write_details(
    tx: &Transaction<'_>,
    person_id: PersonId,
    details: &BTreeMap<String, String>,
) -> Result<(), GalleryError> {
    let mut statement = tx
        .prepare_cached("INSERT INTO person_details (person_id, key, value) VALUES (?1, ?2, ?3)")?;
    for (key, value) in details {
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || value.is_empty() {
            continue;
        }
        statement.execute(params![person_id, key, value])?;
    }
    Ok(())
}

/// Inserts face samples; returns how many.
fn insert_faces(
    tx: &Transaction<'_>,
    person_id: PersonId,
    faces: &[NewFace],
    now: i64,
) -> Result<usize, GalleryError> {
    let mut statement = tx.prepare_cached(
        "INSERT INTO faces (person_id, embedding, model_id, quality, thumbnail, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for face in faces {
        statement.execute(params![
            person_id,
            face.embedding.to_bytes(),
            face.model_id,
            face.quality,
            face.thumbnail_jpeg,
            now
        ])?;
    }
    Ok(faces.len())
}

/// Writes into the empty database `conn` the schema of version `version` (1 up to the newest),
/// not necessarily the newest: a restore fills it with an older backup's rows and then opens it as
/// a gallery, so those rows go through the same migrations as any gallery's. Foreign keys are left
/// off, for the rows to be copied in any order.
pub fn create_schema(conn: &mut Connection, version: i64) -> Result<(), GalleryError> {
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    let target = usize::try_from(version)
        .ok()
        .filter(|v| (1..=MIGRATIONS.len()).contains(v));
    let (0, Some(target)) = (objects, target) else {
        return Err(GalleryError::Invalid(format!(
            "a schema of version {version} (1 to {}) can only be made in an empty database",
            MIGRATIONS.len()
        )));
    };
    // Migration 9 computes the codes of the faces already there.
    add_face_code_function(conn)?;
    migrate(conn, target)
}

/// Runs the migrations the gallery lacks up to `target` in one transaction, with foreign keys off
/// so that tables can be rebuilt, and refuses to commit one that leaves a dangling reference.
fn migrate(conn: &mut Connection, target: usize) -> Result<(), GalleryError> {
    conn.pragma_update(None, "foreign_keys", false)?;
    // Two processes opening a gallery at once: the second waits for the first's migrations, then
    // reads the version they left.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (step, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target)
        .skip(usize::try_from(version).unwrap_or(0))
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", step as i64 + 1)?;
    }
    let dangling: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if dangling > 0 {
        return Err(GalleryError::Invalid(format!(
            "the gallery has {dangling} row(s) pointing at missing people; it was left as it was"
        )));
    }
    tx.commit()?;
    Ok(())
}

/// Writes a withdrawal of consent the update in `tx` made into the withdrawals ledger before it
/// commits (if the ledger cannot be written, nothing changes), so that restoring an older backup
/// withdraws it again. Returns the person's uid when the update gave consent instead, for the
/// caller to take out of the ledger once committed.
fn note_withdrawal(
    tx: &Transaction<'_>,
    person_id: PersonId,
    withdrawals: Option<&Path>,
) -> Result<Option<String>, GalleryError> {
    let Some(withdrawals) = withdrawals else {
        return Ok(None);
    };
    let (uid, withdrawn): (String, bool) = tx.query_row(
        "SELECT uid, consent_withdrawn_at IS NOT NULL FROM people WHERE id = ?1",
        [person_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if withdrawn {
        ledger::append_withdrawal(withdrawals, &uid)?;
        Ok(None)
    } else {
        Ok(Some(uid))
    }
}

/// Takes a person who gave their consent again out of the withdrawals ledger. A failure leaves
/// them in it: a later restore would withdraw their consent once more, the safe way round.
fn forget_withdrawal(withdrawals: Option<&Path>, uid: Option<String>) {
    if let (Some(path), Some(uid)) = (withdrawals, uid)
        && let Err(error) = ledger::remove_withdrawal(path, &uid)
    {
        tracing::warn!(%error, "cannot take a renewed consent out of the withdrawals ledger");
    }
}

/// Creates a new, empty gallery file readable by the owner only, before SQLite opens it, so that
/// it is never readable by others even for a moment. An existing file is left alone.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Creates `dir` (and parents) readable by the owner only.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Makes the database and its WAL/SHM companions readable by the owner only: they hold faces.
fn restrict_to_owner(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        if file.exists()
            && let Err(e) = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
        {
            tracing::warn!(path = %file.display(), error = %e, "cannot restrict gallery file permissions");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::face;
    use super::*;

    fn person(name: &str) -> NewPerson {
        super::super::test_support::person(
            name,
            &[("phone", "555-0100"), ("coffee", "oat flat white")],
            true,
        )
    }

    #[test]
    fn enrol_identify_update_delete() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        let ada = gallery.enroll(&person("Ada"), &[face(0), face(1)]).unwrap();
        let bob = gallery.enroll(&person("Bob"), &[face(2)]).unwrap();
        let policy = MatchPolicy {
            threshold: 0.5,
            margin: 0.05,
            max_strangers_named: None,
            regular_days: 0,
        };
        assert_eq!(
            gallery.identify(&face(1).embedding, &policy),
            MatchDecision::Known {
                person_id: ada,
                similarity: 1.0
            }
        );
        assert!(matches!(
            gallery.identify(&face(9).embedding, &policy),
            MatchDecision::Unknown { .. }
        ));

        let stored = gallery.person(ada).unwrap().unwrap();
        assert_eq!(stored.face_count, 2);
        assert_eq!(
            stored.details.get("coffee").map(String::as_str),
            Some("oat flat white")
        );
        assert!(stored.consent_at.is_some());

        let mut renamed = person("Ada Lovelace");
        renamed.details.remove("phone");
        gallery.update_person(ada, &renamed).unwrap();
        let stored = gallery.person(ada).unwrap().unwrap();
        assert_eq!(stored.name, "Ada Lovelace");
        assert!(!stored.details.contains_key("phone"));
        assert_eq!(gallery.index().name(ada), Some("Ada Lovelace"));

        gallery.record_visit(bob, 1000, 0.8, "test").unwrap();
        assert!(gallery.delete_person(bob).unwrap());
        assert!(gallery.visits(None, None, None).unwrap().is_empty());
        assert!(gallery.person(bob).unwrap().is_none());
        assert!(matches!(
            gallery.identify(&face(2).embedding, &policy),
            MatchDecision::Unknown { .. }
        ));
        assert!(!gallery.delete_person(bob).unwrap());
    }

    #[test]
    fn empty_name_and_unknown_person_are_refused_without_change() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        assert!(gallery.enroll(&person("  "), &[face(0)]).is_err());
        assert!(gallery.people().unwrap().is_empty());
        assert!(matches!(
            gallery.add_faces(42, &[face(0)]),
            Err(GalleryError::NoSuchPerson(42))
        ));
        assert!(matches!(
            gallery.record_visit(42, 0, 0.9, "t"),
            Err(GalleryError::NotMatchable(42))
        ));
        assert_eq!(gallery.index().len(), 0);
    }

    /// The index is built from the stored codes: a face's code is written with it, follows it
    /// through a merge and goes with it when its person is erased.
    #[test]
    fn each_face_has_its_code_from_enrolment_to_erasure() {
        let known_as = |gallery: &Gallery, direction: usize| {
            let policy = MatchPolicy {
                threshold: 0.5,
                margin: 0.05,
                max_strangers_named: None,
                regular_days: 0,
            };
            match gallery.identify(&face(direction).embedding, &policy) {
                MatchDecision::Known { person_id, .. } => Some(person_id),
                MatchDecision::Unknown { .. } => None,
            }
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let mut gallery = Gallery::open(&path, "m1").unwrap();
        let ada = gallery.enroll(&person("Ada"), &[face(0), face(1)]).unwrap();
        let bob = gallery.enroll(&person("Bob"), &[face(2)]).unwrap();
        drop(gallery);
        let mut gallery = Gallery::open(&path, "m1").unwrap();
        assert_eq!(gallery.index().len(), 3);
        assert_eq!(known_as(&gallery, 1), Some(ada));
        gallery.merge_people(bob, ada).unwrap();
        drop(gallery);
        let mut gallery = Gallery::open(&path, "m1").unwrap();
        assert_eq!(known_as(&gallery, 2), Some(ada));
        gallery.delete_person(ada).unwrap();
        let codes: i64 = gallery
            .conn
            .query_row("SELECT count(*) FROM face_codes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(codes, 0);
    }

    #[test]
    fn faces_of_another_model_are_kept_but_not_matched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let mut gallery = Gallery::open(&path, "m1").unwrap();
        gallery.enroll(&person("Ada"), &[face(0)]).unwrap();
        drop(gallery);
        let gallery = Gallery::open(&path, "m2").unwrap();
        assert_eq!(gallery.index().len(), 0);
        assert_eq!(gallery.people().unwrap()[0].face_count, 1);
    }

    #[test]
    fn version_1_gallery_is_migrated_with_its_data_and_newer_ones_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO people (name, created_at, updated_at) VALUES ('Ada', 1, 1)",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO faces (person_id, embedding, model_id, quality, thumbnail, created_at)
                 VALUES (1, ?1, 'm1', 0.5, x'00', 1)",
                [face(3).embedding.to_bytes()],
            )
            .unwrap();
        }
        let mut gallery = Gallery::open(&path, "m1").unwrap();
        assert_eq!(gallery.schema_version().unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(gallery.people().unwrap()[0].name, "Ada");
        assert_eq!(
            gallery.index().len(),
            0,
            "no consent recorded: not matched where consent is required"
        );
        gallery.set_consent_required(false).unwrap();
        assert_eq!(gallery.index().len(), 1);
        // The tables of later migrations work.
        gallery.record_audit("test", "after migration").unwrap();
        drop(gallery);

        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        assert!(matches!(
            Gallery::open(&path, "m1"),
            Err(GalleryError::TooNew { found: 99, .. })
        ));
    }

    #[test]
    fn migrated_gallery_never_reuses_the_id_of_someone_deleted_before() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(MIGRATIONS[1]).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
            conn.execute_batch(
                "INSERT INTO people (id, name, consent_at, created_at, updated_at)
                     VALUES (1, 'Ada', 1, 1, 1);
                 INSERT INTO visits (person_id, at, similarity, source) VALUES (1, 5, 0.7, 't');
                 INSERT INTO audit_log (at, action, detail)
                     VALUES (2, 'delete', 'person #7 with all photos, details and visits');",
            )
            .unwrap();
        }
        let mut gallery = Gallery::open(&path, "m1").unwrap();
        let ada = gallery.person(1).unwrap().unwrap();
        assert_eq!((ada.name.as_str(), ada.visit_count), ("Ada", 1));
        assert_eq!(ada.uid.len(), 32);
        let next = gallery.enroll(&person("Bob"), &[face(4)]).unwrap();
        assert_eq!(next, 8, "above the id the audit log says was deleted");
    }

    #[test]
    fn files_that_are_not_galleries_are_left_exactly_as_they_were() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "shopping list: milk, eggs\n".repeat(200)).unwrap();
        std::fs::set_permissions(&text, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            Gallery::open(&text, "m1"),
            Err(GalleryError::Open { .. })
        ));
        let mode = std::fs::metadata(&text).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);

        let foreign = dir.path().join("shop.sqlite");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE stock (item TEXT); INSERT INTO stock VALUES ('tea');")
            .unwrap();
        let before = std::fs::read(&foreign).unwrap();
        assert!(matches!(
            Gallery::open(&foreign, "m1"),
            Err(GalleryError::Foreign { .. })
        ));
        assert_eq!(std::fs::read(&foreign).unwrap(), before);
        assert!(!dir.path().join("shop.sqlite-wal").exists());
    }

    #[test]
    fn erasure_is_reported_when_a_reader_holds_the_old_data_in_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let mut gallery = Gallery::open(&path, "m1").unwrap();
        let ada = gallery.enroll(&person("Ada"), &[face(0)]).unwrap();
        // Another process in the middle of a read pins the log.
        let reader = Connection::open(&path).unwrap();
        reader
            .execute_batch("BEGIN; SELECT count(*) FROM people;")
            .unwrap();
        gallery
            .conn
            .busy_timeout(std::time::Duration::from_millis(10))
            .unwrap();
        assert!(matches!(
            gallery.delete_person(ada),
            Err(GalleryError::NotScrubbed { .. })
        ));
        reader.execute_batch("COMMIT").unwrap();
        drop(reader);
        // Running the deletion again finishes the erasure.
        assert!(!gallery.delete_person(ada).unwrap());
        let wal = std::fs::metadata(dir.path().join("g.db-wal"))
            .unwrap()
            .len();
        assert_eq!(wal, 0);
    }

    #[test]
    fn an_erasure_is_in_the_ledger_or_does_not_happen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let mut gallery = Gallery::open(&path, "m1").unwrap();
        let ada = gallery.enroll(&person("Ada"), &[face(0)]).unwrap();
        let bob = gallery.enroll(&person("Bob"), &[face(1)]).unwrap();
        let ada_uid = gallery.person(ada).unwrap().unwrap().uid;
        gallery.delete_person(ada).unwrap();
        let ledger_file = ledger::ledger_path(&path);
        assert_eq!(ledger::read(&ledger_file).unwrap(), vec![ada_uid]);

        // A ledger that cannot be written (here a folder stands in its place) stops the erasure.
        std::fs::remove_file(&ledger_file).unwrap();
        std::fs::create_dir(&ledger_file).unwrap();
        assert!(matches!(
            gallery.delete_person(bob),
            Err(GalleryError::Ledger { .. })
        ));
        assert!(gallery.person(bob).unwrap().is_some());
        assert_eq!(gallery.index().person_count(), 1);
    }

    #[test]
    fn visits_filter_by_person_and_time() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        let ada = gallery.enroll(&person("Ada"), &[face(0)]).unwrap();
        let bob = gallery.enroll(&person("Bob"), &[face(1)]).unwrap();
        for (who, at) in [(ada, 100), (bob, 200), (ada, 300)] {
            gallery.record_visit(who, at, 0.7, "test").unwrap();
        }
        let ada_visits = gallery.visits(Some(ada), None, None).unwrap();
        assert_eq!(
            ada_visits.iter().map(|v| v.at).collect::<Vec<_>>(),
            vec![300, 100]
        );
        assert_eq!(gallery.visits(None, Some(150), Some(300)).unwrap().len(), 1);
        assert_eq!(gallery.last_visit_at(ada).unwrap(), Some(300));
    }
}
