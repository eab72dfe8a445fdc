//! The server's side of an exchange: connecting (with TLS), pushing rows, pulling the change log.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use postgres::{Client, IsolationLevel, Transaction};

use super::{BATCH, FleetError, FleetSettings, KioskSeen, Moved};
use crate::gallery::{
    Applied, Entity, FaceState, Gallery, PersonState, RowBatch, Tombstone, VisitState, now_ms,
};

/// Every writer of the change log holds this advisory lock, so numbers are handed out in commit
/// order (see the module documentation of `fleet`).
pub const LOCK_KEY: i64 = 0x4652_4f4e_5444_534b;
/// The channel kiosks LISTEN on; a notification only says "something changed".
pub const CHANNEL: &str = "frontdesk_fleet";
/// The server keeps its change log this long; a kiosk away longer copies the whole fleet again.
const CHANGE_LOG_KEEP_MS: i64 = 90 * 86_400_000;
/// Rows per page when a kiosk copies the whole fleet.
const COPY_PAGE: i64 = 5_000;

pub fn connect(settings: &FleetSettings) -> Result<Client, FleetError> {
    connection_config(settings)?
        .connect(tls_connector(settings)?)
        .map_err(|source| FleetError::Connect {
            url: settings.display_url(),
            source,
        })
}

/// The connection's settings from `fleet.url`. TLS is required unless the URL turns it off with
/// `sslmode=disable`: PostgreSQL's default, `prefer`, would fall back to plain text whenever the
/// server (or someone in between) offers no TLS, and send faces and names in the clear.
fn connection_config(settings: &FleetSettings) -> Result<postgres::Config, FleetError> {
    let mut config: postgres::Config = settings
        .url
        .parse()
        .map_err(|e: postgres::Error| FleetError::Url(e.to_string()))?;
    if config.get_ssl_mode() == postgres::config::SslMode::Prefer {
        config.ssl_mode(postgres::config::SslMode::Require);
    }
    if let Some(password) = &settings.password {
        config.password(password);
    }
    config
        .connect_timeout(Duration::from_secs(5))
        .keepalives_idle(Duration::from_secs(30))
        .application_name("frontdesk");
    Ok(config)
}

/// TLS with the public authorities, plus the fleet's own authority when `ca_file` names one.
fn tls_connector(
    settings: &FleetSettings,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, FleetError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;

    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = &settings.ca_file {
        let ca_error = |message: String| FleetError::CaFile {
            path: path.clone(),
            message,
        };
        let certificates =
            CertificateDer::pem_file_iter(path).map_err(|e| ca_error(e.to_string()))?;
        for certificate in certificates {
            let certificate = certificate.map_err(|e| ca_error(e.to_string()))?;
            roots
                .add(certificate)
                .map_err(|e| ca_error(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| FleetError::Url(format!("TLS set-up failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// Sends rows in one transaction. People are last-writer-wins; rows of someone erased are refused;
/// every row that exists afterwards is logged, also when another kiosk's newer version won, so the
/// sender pulls the winner back.
pub fn push(client: &mut Client, kiosk: &str, rows: &RowBatch) -> Result<Moved, FleetError> {
    let now = now_ms();
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])?;
    let mut logged = 0;
    let mut moved = Moved::default();
    if !rows.people.is_empty() {
        moved.people = push_people(&mut tx, kiosk, &rows.people)?;
        let uids: Vec<&str> = rows.people.iter().map(|p| p.uid.as_str()).collect();
        logged += log_existing_people(&mut tx, now, kiosk, &uids)?;
    }
    if !rows.faces.is_empty() {
        let uids = push_faces(&mut tx, kiosk, &rows.faces)?;
        moved.faces = uids.len();
        logged += log(&mut tx, now, kiosk, Entity::Face, "upsert", &uids)?;
    }
    if !rows.visits.is_empty() {
        let uids = push_visits(&mut tx, kiosk, &rows.visits)?;
        moved.visits = uids.len();
        logged += log(&mut tx, now, kiosk, Entity::Visit, "upsert", &uids)?;
    }
    if !rows.tombstones.is_empty() {
        let (erasures, deleted) = push_tombstones(&mut tx, now, kiosk, &rows.tombstones)?;
        moved.erasures = erasures;
        logged += deleted;
    }
    if logged > 0 {
        tx.execute(
            "DELETE FROM changes WHERE at < $1 AND seq < (SELECT max(seq) FROM changes)",
            &[&(now - CHANGE_LOG_KEEP_MS)],
        )?;
        tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &kiosk])?;
    }
    tx.commit()?;
    Ok(moved)
}

/// Returns how many people were taken (new, or newer than the server's). A person's name and
/// details are the latest edit's; their consent is the latest consent event's, whichever edit
/// carried it, so an edit made at a kiosk that had not yet heard of a withdrawal cannot give the
/// consent back (and a consent given after the withdrawal does).
fn push_people(
    tx: &mut Transaction<'_>,
    kiosk: &str,
    people: &[PersonState],
) -> Result<usize, FleetError> {
    let uids: Vec<&str> = people.iter().map(|p| p.uid.as_str()).collect();
    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    let details: Vec<serde_json::Value> = people
        .iter()
        .map(|p| serde_json::json!(p.details))
        .collect();
    let consent: Vec<Option<i64>> = people.iter().map(|p| p.consent_at).collect();
    let withdrawn: Vec<Option<i64>> = people.iter().map(|p| p.consent_withdrawn_at).collect();
    let created: Vec<i64> = people.iter().map(|p| p.created_at).collect();
    let updated: Vec<i64> = people.iter().map(|p| p.updated_at).collect();
    Ok(tx
        .query(
            "INSERT INTO people AS p (uid, name, details, consent_at, consent_withdrawn_at,
                                      created_at, updated_at, kiosk)
             SELECT t.uid, t.name, t.details, t.consent_at, t.withdrawn_at, t.created_at,
                    t.updated_at, $8
             FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::int8[], $5::int8[], $6::int8[],
                         $7::int8[])
                  AS t(uid, name, details, consent_at, withdrawn_at, created_at, updated_at)
             WHERE NOT EXISTS (SELECT 1 FROM tombstones WHERE tombstones.uid = t.uid)
             ON CONFLICT (uid) DO UPDATE SET
                 name = CASE WHEN (p.updated_at, p.kiosk) < (EXCLUDED.updated_at, EXCLUDED.kiosk)
                     THEN EXCLUDED.name ELSE p.name END,
                 details = CASE WHEN (p.updated_at, p.kiosk) < (EXCLUDED.updated_at, EXCLUDED.kiosk)
                     THEN EXCLUDED.details ELSE p.details END,
                 consent_at = CASE WHEN
                         GREATEST(p.consent_withdrawn_at, EXCLUDED.consent_withdrawn_at)
                             >= COALESCE(GREATEST(p.consent_at, EXCLUDED.consent_at), 0)
                     THEN NULL ELSE GREATEST(p.consent_at, EXCLUDED.consent_at) END,
                 consent_withdrawn_at = CASE WHEN
                         GREATEST(p.consent_withdrawn_at, EXCLUDED.consent_withdrawn_at)
                             >= COALESCE(GREATEST(p.consent_at, EXCLUDED.consent_at), 0)
                     THEN GREATEST(p.consent_withdrawn_at, EXCLUDED.consent_withdrawn_at)
                     ELSE NULL END,
                 updated_at = GREATEST(p.updated_at, EXCLUDED.updated_at),
                 kiosk = CASE WHEN (p.updated_at, p.kiosk) < (EXCLUDED.updated_at, EXCLUDED.kiosk)
                     THEN EXCLUDED.kiosk ELSE p.kiosk END
             WHERE (p.updated_at, p.kiosk) < (EXCLUDED.updated_at, EXCLUDED.kiosk)
                 OR p.consent_withdrawn_at IS DISTINCT FROM EXCLUDED.consent_withdrawn_at
                 OR p.consent_at IS DISTINCT FROM EXCLUDED.consent_at
             RETURNING p.uid",
            &[
                &uids, &names, &details, &consent, &withdrawn, &created, &updated, &kiosk,
            ],
        )?
        .len())
}

/// Returns the uids of faces added or moved.
fn push_faces(
    tx: &mut Transaction<'_>,
    kiosk: &str,
    faces: &[FaceState],
) -> Result<Vec<String>, FleetError> {
    let uids: Vec<&str> = faces.iter().map(|f| f.uid.as_str()).collect();
    let people: Vec<&str> = faces.iter().map(|f| f.person_uid.as_str()).collect();
    let embeddings: Vec<&[u8]> = faces.iter().map(|f| f.embedding.as_slice()).collect();
    let models: Vec<&str> = faces.iter().map(|f| f.model_id.as_str()).collect();
    let qualities: Vec<f32> = faces.iter().map(|f| f.quality).collect();
    let thumbnails: Vec<&[u8]> = faces.iter().map(|f| f.thumbnail.as_slice()).collect();
    let created: Vec<i64> = faces.iter().map(|f| f.created_at).collect();
    let rows = tx.query(
        "INSERT INTO faces AS f (uid, person_uid, embedding, model_id, quality, thumbnail,
                                 created_at, kiosk)
         SELECT t.uid, t.person_uid, t.embedding, t.model_id, t.quality, t.thumbnail,
                t.created_at, $8
         FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[], $5::float4[], $6::bytea[],
                     $7::int8[])
              AS t(uid, person_uid, embedding, model_id, quality, thumbnail, created_at)
         WHERE EXISTS (SELECT 1 FROM people WHERE people.uid = t.person_uid)
           AND NOT EXISTS (SELECT 1 FROM tombstones WHERE tombstones.uid = t.uid)
         ON CONFLICT (uid) DO UPDATE SET person_uid = EXCLUDED.person_uid
         WHERE f.person_uid <> EXCLUDED.person_uid
         RETURNING f.uid",
        &[
            &uids,
            &people,
            &embeddings,
            &models,
            &qualities,
            &thumbnails,
            &created,
            &kiosk,
        ],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Returns the uids of visits added or moved.
fn push_visits(
    tx: &mut Transaction<'_>,
    kiosk: &str,
    visits: &[VisitState],
) -> Result<Vec<String>, FleetError> {
    let uids: Vec<&str> = visits.iter().map(|v| v.uid.as_str()).collect();
    let people: Vec<&str> = visits.iter().map(|v| v.person_uid.as_str()).collect();
    let times: Vec<i64> = visits.iter().map(|v| v.at).collect();
    let similarities: Vec<f32> = visits.iter().map(|v| v.similarity).collect();
    let sources: Vec<&str> = visits.iter().map(|v| v.source.as_str()).collect();
    let kiosks: Vec<&str> = visits
        .iter()
        .map(|v| v.kiosk.as_deref().unwrap_or(kiosk))
        .collect();
    let rows = tx.query(
        "INSERT INTO visits AS v (uid, person_uid, at, similarity, source, kiosk)
         SELECT t.uid, t.person_uid, t.at, t.similarity, t.source, t.kiosk
         FROM unnest($1::text[], $2::text[], $3::int8[], $4::float4[], $5::text[], $6::text[])
              AS t(uid, person_uid, at, similarity, source, kiosk)
         WHERE EXISTS (SELECT 1 FROM people WHERE people.uid = t.person_uid)
           AND NOT EXISTS (SELECT 1 FROM tombstones WHERE tombstones.uid = t.uid)
         ON CONFLICT (uid) DO UPDATE SET person_uid = EXCLUDED.person_uid
         WHERE v.person_uid <> EXCLUDED.person_uid
         RETURNING v.uid",
        &[&uids, &people, &times, &similarities, &sources, &kiosks],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Records new tombstones and deletes their rows (an erased person's faces and visits go with
/// them). Returns (people erased, entries logged).
fn push_tombstones(
    tx: &mut Transaction<'_>,
    now: i64,
    kiosk: &str,
    tombstones: &[Tombstone],
) -> Result<(usize, usize), FleetError> {
    let uids: Vec<&str> = tombstones.iter().map(|t| t.uid.as_str()).collect();
    let entities: Vec<&str> = tombstones.iter().map(|t| t.entity.as_str()).collect();
    let times: Vec<i64> = tombstones.iter().map(|t| t.at).collect();
    let fresh = tx.query(
        "INSERT INTO tombstones (uid, entity, at, kiosk)
         SELECT t.uid, t.entity, t.at, $4
         FROM unnest($1::text[], $2::text[], $3::int8[]) AS t(uid, entity, at)
         ON CONFLICT (uid) DO NOTHING
         RETURNING uid, entity",
        &[&uids, &entities, &times, &kiosk],
    )?;
    let mut by_entity: BTreeMap<Entity, Vec<String>> = BTreeMap::new();
    for row in &fresh {
        if let Some(entity) = Entity::parse(row.get(1)) {
            by_entity.entry(entity).or_default().push(row.get(0));
        }
    }
    let mut erased = 0;
    let mut logged = 0;
    for (entity, uids) in &by_entity {
        let deleted = tx.execute(
            &format!("DELETE FROM {} WHERE uid = ANY($1)", entity.table()),
            &[uids],
        )?;
        if *entity == Entity::Person {
            erased += usize::try_from(deleted).unwrap_or(0);
        }
        logged += log(tx, now, kiosk, *entity, "delete", uids)?;
    }
    Ok((erased, logged))
}

fn log(
    tx: &mut Transaction<'_>,
    now: i64,
    kiosk: &str,
    entity: Entity,
    op: &str,
    uids: &[String],
) -> Result<usize, FleetError> {
    if uids.is_empty() {
        return Ok(0);
    }
    let logged = tx.execute(
        "INSERT INTO changes (at, entity, op, uid, kiosk)
         SELECT $1, $2, $3, u, $4 FROM unnest($5::text[]) WITH ORDINALITY AS t(u, n) ORDER BY n",
        &[&now, &entity.as_str(), &op, &kiosk, &uids],
    )?;
    Ok(usize::try_from(logged).unwrap_or(0))
}

/// Logs every pushed person who exists on the server now, whether this push or a newer one won.
fn log_existing_people(
    tx: &mut Transaction<'_>,
    now: i64,
    kiosk: &str,
    uids: &[&str],
) -> Result<usize, FleetError> {
    let existing: Vec<String> = tx
        .query(
            "SELECT uid FROM people WHERE uid = ANY($1) ORDER BY uid",
            &[&uids],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    log(tx, now, kiosk, Entity::Person, "upsert", &existing)
}

/// What a pull did.
pub struct Pulled {
    pub applied: Applied,
    pub full_copy: bool,
    pub server_seq: i64,
}

/// Applies the server's changes after this replica's position, page by page; or, for a new
/// replica or one away longer than the log is kept, copies the whole fleet.
pub fn pull(client: &mut Client, kiosk: &str, gallery: &mut Gallery) -> Result<Pulled, FleetError> {
    let mut applied = Applied::default();
    loop {
        let pulled_seq = gallery.fleet_state()?.map_or(0, |state| state.pulled_seq);
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let row = tx.query_one("SELECT min(seq), max(seq) FROM changes", &[])?;
        let oldest: Option<i64> = row.get(0);
        let server_seq: i64 = row.get::<_, Option<i64>>(1).unwrap_or(0);
        if pulled_seq == 0 || oldest.is_some_and(|oldest| oldest > pulled_seq + 1) {
            if server_seq == 0 {
                return Ok(Pulled {
                    applied,
                    full_copy: false,
                    server_seq,
                });
            }
            applied.add(copy_fleet(&mut tx, kiosk, gallery, server_seq)?);
            tx.commit()?;
            return Ok(Pulled {
                applied,
                full_copy: true,
                server_seq,
            });
        }
        let entries = tx.query(
            "SELECT seq, entity, op, uid FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&pulled_seq, &i64::try_from(BATCH).unwrap_or(500)],
        )?;
        let Some(last) = entries.last().map(|r| r.get::<_, i64>(0)) else {
            tx.commit()?;
            return Ok(Pulled {
                applied,
                full_copy: false,
                server_seq,
            });
        };
        let rows = rows_named(&mut tx, kiosk, &entries)?;
        tx.commit()?;
        applied.add(gallery.apply_fleet_rows(&rows, Some(last))?);
        if entries.len() < BATCH {
            return Ok(Pulled {
                applied,
                full_copy: false,
                server_seq,
            });
        }
    }
}

/// The current state of the rows that log entries name; a deletion wins over any upsert.
fn rows_named(
    tx: &mut Transaction<'_>,
    kiosk: &str,
    entries: &[postgres::Row],
) -> Result<RowBatch, FleetError> {
    let mut upserts: BTreeMap<Entity, BTreeSet<String>> = BTreeMap::new();
    let mut deletes: BTreeMap<String, Entity> = BTreeMap::new();
    for entry in entries {
        let Some(entity) = Entity::parse(entry.get(1)) else {
            continue;
        };
        let op: &str = entry.get(2);
        let uid: String = entry.get(3);
        if op == "delete" {
            deletes.insert(uid, entity);
        } else {
            upserts.entry(entity).or_default().insert(uid);
        }
    }
    let named = |entity| -> Vec<String> {
        upserts
            .get(&entity)
            .map(|uids| {
                uids.iter()
                    .filter(|u| !deletes.contains_key(*u))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    let (people, faces, visits) = (
        named(Entity::Person),
        named(Entity::Face),
        named(Entity::Visit),
    );
    Ok(RowBatch {
        people: read_people(tx, "WHERE uid = ANY($1)", &[&people])?,
        faces: read_faces(tx, "WHERE uid = ANY($1)", &[&faces])?,
        visits: read_visits(tx, kiosk, "WHERE uid = ANY($1)", &[&visits])?,
        tombstones: deletes
            .into_iter()
            .map(|(uid, entity)| Tombstone { uid, entity, at: 0 })
            .collect(),
    })
}

/// Copies every person, face and visit in pages, then erases here whoever the fleet erased, and
/// records the position the copy was taken at.
fn copy_fleet(
    tx: &mut Transaction<'_>,
    kiosk: &str,
    gallery: &mut Gallery,
    server_seq: i64,
) -> Result<Applied, FleetError> {
    tracing::info!(server_seq, "copying the whole fleet gallery");
    const AFTER: &str = "WHERE uid > $1 ORDER BY uid LIMIT $2";
    let mut applied = copy_pages(tx, gallery, |tx, after| {
        let people = read_people(tx, AFTER, &[&after, &COPY_PAGE])?;
        let last = people.last().map(|p| p.uid.clone());
        let rows = RowBatch {
            people,
            ..RowBatch::default()
        };
        Ok((rows, last))
    })?;
    applied.add(copy_pages(tx, gallery, |tx, after| {
        let faces = read_faces(tx, AFTER, &[&after, &COPY_PAGE])?;
        let last = faces.last().map(|f| f.uid.clone());
        let rows = RowBatch {
            faces,
            ..RowBatch::default()
        };
        Ok((rows, last))
    })?);
    applied.add(copy_pages(tx, gallery, |tx, after| {
        let visits = read_visits(tx, kiosk, AFTER, &[&after, &COPY_PAGE])?;
        let last = visits.last().map(|v| v.uid.clone());
        let rows = RowBatch {
            visits,
            ..RowBatch::default()
        };
        Ok((rows, last))
    })?);
    let local = gallery.person_uids()?;
    let tombstones = tx
        .query("SELECT uid FROM tombstones WHERE uid = ANY($1)", &[&local])?
        .iter()
        .map(|r| Tombstone {
            uid: r.get(0),
            entity: Entity::Person,
            at: 0,
        })
        .collect();
    let rows = RowBatch {
        tombstones,
        ..RowBatch::default()
    };
    applied.add(gallery.apply_fleet_rows(&rows, Some(server_seq))?);
    Ok(applied)
}

/// Applies one table page by page, in `uid` order: `page` reads the rows after a uid and says the
/// last uid it read (none: the table is done).
fn copy_pages(
    tx: &mut Transaction<'_>,
    gallery: &mut Gallery,
    mut page: impl FnMut(&mut Transaction<'_>, &str) -> Result<(RowBatch, Option<String>), FleetError>,
) -> Result<Applied, FleetError> {
    let mut applied = Applied::default();
    let mut after = String::new();
    loop {
        let (rows, last) = page(tx, &after)?;
        let Some(last) = last else {
            return Ok(applied);
        };
        applied.add(gallery.apply_fleet_rows(&rows, None)?);
        after = last;
    }
}

fn read_people(
    tx: &mut Transaction<'_>,
    filter: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Vec<PersonState>, FleetError> {
    let rows = tx.query(
        &format!(
            "SELECT uid, name, details, consent_at, consent_withdrawn_at, created_at, updated_at
             FROM people {filter}"
        ),
        params,
    )?;
    Ok(rows
        .iter()
        .map(|r| PersonState {
            uid: r.get(0),
            name: r.get(1),
            details: details_from_json(r.get(2)),
            consent_at: r.get(3),
            consent_withdrawn_at: r.get(4),
            created_at: r.get(5),
            updated_at: r.get(6),
        })
        .collect())
}

fn details_from_json(value: serde_json::Value) -> BTreeMap<String, String> {
    match value {
        serde_json::Value::Object(map) => map
            .into_iter()
            .filter_map(|(key, value)| match value {
                serde_json::Value::String(text) => Some((key, text)),
                _ => None,
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn read_faces(
    tx: &mut Transaction<'_>,
    filter: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Vec<FaceState>, FleetError> {
    let rows = tx.query(
        &format!(
            "SELECT uid, person_uid, embedding, model_id, quality, thumbnail, created_at
             FROM faces {filter}"
        ),
        params,
    )?;
    Ok(rows
        .iter()
        .map(|r| FaceState {
            uid: r.get(0),
            person_uid: r.get(1),
            embedding: r.get(2),
            model_id: r.get(3),
            quality: r.get(4),
            thumbnail: r.get(5),
            created_at: r.get(6),
        })
        .collect())
}

/// Visits; those this kiosk logged itself come back without a kiosk name.
fn read_visits(
    tx: &mut Transaction<'_>,
    kiosk: &str,
    filter: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Vec<VisitState>, FleetError> {
    let rows = tx.query(
        &format!("SELECT uid, person_uid, at, similarity, source, kiosk FROM visits {filter}"),
        params,
    )?;
    Ok(rows
        .iter()
        .map(|r| {
            let from: String = r.get(5);
            VisitState {
                uid: r.get(0),
                person_uid: r.get(1),
                at: r.get(2),
                similarity: r.get(3),
                source: r.get(4),
                kiosk: (from != kiosk).then_some(from),
            }
        })
        .collect())
}

/// Tells the fleet this kiosk was here and how far it has pulled.
pub fn record_kiosk(client: &mut Client, kiosk: &str, pulled_seq: i64) -> Result<(), FleetError> {
    client.execute(
        "INSERT INTO kiosks (name, last_seen_at, pulled_seq) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at,
             pulled_seq = EXCLUDED.pulled_seq",
        &[&kiosk, &now_ms(), &pulled_seq],
    )?;
    Ok(())
}

pub fn latest_seq(client: &mut Client) -> Result<i64, FleetError> {
    let row = client.query_one("SELECT coalesce(max(seq), 0) FROM changes", &[])?;
    Ok(row.get(0))
}

pub fn kiosks(client: &mut Client) -> Result<Vec<KioskSeen>, FleetError> {
    Ok(client
        .query(
            "SELECT name, last_seen_at, pulled_seq FROM kiosks ORDER BY name",
            &[],
        )?
        .iter()
        .map(|r| KioskSeen {
            name: r.get(0),
            last_seen_at: r.get(1),
            pulled_seq: r.get(2),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use postgres::config::SslMode;

    fn ssl_mode(url: &str) -> SslMode {
        let settings = FleetSettings {
            url: url.into(),
            password: None,
            kiosk: "lobby".into(),
            ca_file: None,
            sync_every: Duration::from_secs(30),
        };
        connection_config(&settings).unwrap().get_ssl_mode()
    }

    /// Faces and names never cross the network in the clear because a server offered no TLS: only
    /// a URL that says so turns TLS off.
    #[test]
    fn tls_is_required_unless_the_url_turns_it_off() {
        assert_eq!(ssl_mode("postgresql://k@db/frontdesk"), SslMode::Require);
        assert_eq!(
            ssl_mode("postgresql://k@db/frontdesk?sslmode=prefer"),
            SslMode::Require
        );
        assert_eq!(
            ssl_mode("postgresql://k@db/frontdesk?sslmode=require"),
            SslMode::Require
        );
        assert_eq!(
            ssl_mode("postgresql://k@127.0.0.1/frontdesk?sslmode=disable"),
            SslMode::Disable
        );
    }
}
