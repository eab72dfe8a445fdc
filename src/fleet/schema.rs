//! The fleet server's schema, created and migrated by Frontdesk itself on first contact. Like the
//! gallery's, it is versioned: migration N brings `fleet_meta.schema_version` from N to N+1.

use super::FleetError;
use super::server::LOCK_KEY;

/// Rows carry the same `uid`s as the kiosks' galleries; times are Unix milliseconds. `changes`
/// names what changed (entity, operation, uid) and never holds what it held. `tombstones` keeps the
/// `uid`s of deleted rows for ever, so that a kiosk that was away cannot bring one back.
const MIGRATIONS: &[&str] = &[
    // 1: people, faces, visits, tombstones, the change log and the kiosks seen.
    "CREATE TABLE people (
        uid text PRIMARY KEY,
        name text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        consent_at bigint,
        consent_withdrawn_at bigint,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        kiosk text NOT NULL
    );
    CREATE TABLE faces (
        uid text PRIMARY KEY,
        person_uid text NOT NULL REFERENCES people(uid) ON DELETE CASCADE,
        embedding bytea NOT NULL,
        model_id text NOT NULL,
        quality real NOT NULL,
        thumbnail bytea NOT NULL,
        created_at bigint NOT NULL,
        kiosk text NOT NULL
    );
    CREATE INDEX faces_person ON faces(person_uid);
    CREATE TABLE visits (
        uid text PRIMARY KEY,
        person_uid text NOT NULL REFERENCES people(uid) ON DELETE CASCADE,
        at bigint NOT NULL,
        similarity real NOT NULL,
        source text NOT NULL,
        kiosk text NOT NULL
    );
    CREATE INDEX visits_person ON visits(person_uid);
    CREATE TABLE tombstones (
        uid text PRIMARY KEY,
        entity text NOT NULL CHECK (entity IN ('person', 'face', 'visit')),
        at bigint NOT NULL,
        kiosk text NOT NULL
    );
    CREATE TABLE changes (
        seq bigserial PRIMARY KEY,
        at bigint NOT NULL,
        entity text NOT NULL CHECK (entity IN ('person', 'face', 'visit')),
        op text NOT NULL CHECK (op IN ('upsert', 'delete')),
        uid text NOT NULL,
        kiosk text NOT NULL
    );
    CREATE INDEX changes_at ON changes(at);
    CREATE TABLE kiosks (
        name text PRIMARY KEY,
        last_seen_at bigint NOT NULL,
        pulled_seq bigint NOT NULL
    );",
];

/// Creates or migrates the schema under the fleet's lock (two kiosks starting at once migrate it
/// once) and returns the fleet's id. A schema newer than this build is refused, untouched.
pub fn migrate(client: &mut postgres::Client) -> Result<String, FleetError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS fleet_meta (
            id int PRIMARY KEY CHECK (id = 1),
            fleet_id text NOT NULL,
            schema_version int NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        INSERT INTO fleet_meta (id, fleet_id, schema_version)
        VALUES (1, gen_random_uuid()::text, 0) ON CONFLICT (id) DO NOTHING;",
    )?;
    let row = tx.query_one("SELECT fleet_id, schema_version FROM fleet_meta", &[])?;
    let fleet_id: String = row.get(0);
    let version: i32 = row.get(1);
    let known = i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX);
    if version > known {
        return Err(FleetError::ServerTooNew {
            found: version,
            known,
        });
    }
    for (step, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        tx.batch_execute(sql)?;
        let next = i32::try_from(step + 1).unwrap_or(i32::MAX);
        tx.execute("UPDATE fleet_meta SET schema_version = $1", &[&next])?;
        tracing::info!(version = next, "fleet server schema migrated");
    }
    tx.commit()?;
    Ok(fleet_id)
}
