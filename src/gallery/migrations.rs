//! Versioned schema: migration N brings `PRAGMA user_version` from N to N+1. Migrations run with
//! foreign keys off (so that tables can be rebuilt) and are checked with `foreign_key_check` before
//! they commit.

pub const MIGRATIONS: &[&str] = &[
    // 1: people, their key/value details, face samples and visits.
    "CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL CHECK (length(trim(name)) > 0),
        consent_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE person_details (
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (person_id, key)
    );
    CREATE TABLE faces (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        embedding BLOB NOT NULL,
        model_id TEXT NOT NULL,
        quality REAL NOT NULL,
        thumbnail BLOB NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX faces_person ON faces(person_id);
    CREATE TABLE visits (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        similarity REAL NOT NULL,
        source TEXT NOT NULL
    );
    CREATE INDEX visits_person_at ON visits(person_id, at);
    CREATE INDEX visits_at ON visits(at);",
    // 2: staff audit log and the staff PIN (argon2 hash) with its lock-out state.
    "CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX audit_at ON audit_log(at);
    CREATE TABLE staff_pin (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        hash TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER
    );",
    // 3: identifiers that are never handed out again, and the change feed.
    //
    // People, faces and visits are rebuilt as AUTOINCREMENT tables (SQLite otherwise reuses the
    // largest id after it is deleted), each with a random 128-bit `uid` that stays unique when
    // several kiosks share one gallery. The sequence of people starts above every id the audit log
    // says was deleted or merged away before this migration.
    //
    // `changes` is the append-only feed every process follows to keep its in-memory index in step.
    // Triggers write it inside the transaction of the change itself, so no code path can forget it.
    // An entry names only what changed (ids and the kind of change), never a name, a detail or an
    // embedding: after an erasure the feed says "person #7 was deleted" and nothing else.
    "CREATE TABLE people_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),
        name TEXT NOT NULL CHECK (length(trim(name)) > 0),
        consent_at INTEGER,
        consent_withdrawn_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    INSERT INTO people_v3 (id, name, consent_at, created_at, updated_at)
        SELECT id, name, consent_at, created_at, updated_at FROM people;
    DROP TABLE people;
    ALTER TABLE people_v3 RENAME TO people;
    INSERT INTO sqlite_sequence (name, seq)
        SELECT 'people', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'people');
    UPDATE sqlite_sequence SET seq = max(seq,
        (SELECT coalesce(max(CAST(substr(detail, 9) AS INTEGER)), 0) FROM audit_log
         WHERE action IN ('delete', 'merge') AND detail LIKE 'person #%'))
    WHERE name = 'people';

    CREATE TABLE faces_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        embedding BLOB NOT NULL,
        model_id TEXT NOT NULL,
        quality REAL NOT NULL,
        thumbnail BLOB NOT NULL,
        created_at INTEGER NOT NULL
    );
    INSERT INTO faces_v3 (id, person_id, embedding, model_id, quality, thumbnail, created_at)
        SELECT id, person_id, embedding, model_id, quality, thumbnail, created_at FROM faces;
    DROP TABLE faces;
    ALTER TABLE faces_v3 RENAME TO faces;
    CREATE INDEX faces_person ON faces(person_id);

    CREATE TABLE visits_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        similarity REAL NOT NULL,
        source TEXT NOT NULL
    );
    INSERT INTO visits_v3 (id, person_id, at, similarity, source)
        SELECT id, person_id, at, similarity, source FROM visits;
    DROP TABLE visits;
    ALTER TABLE visits_v3 RENAME TO visits;
    CREATE INDEX visits_person_at ON visits(person_id, at);
    CREATE INDEX visits_at ON visits(at);

    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        entity TEXT NOT NULL CHECK (entity IN ('person', 'details', 'face', 'visit')),
        op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
        person_id INTEGER NOT NULL,
        row_id INTEGER NOT NULL
    );
    CREATE INDEX changes_at ON changes(at);

    CREATE TRIGGER people_inserted AFTER INSERT ON people BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'person', 'insert', NEW.id, NEW.id);
    END;
    CREATE TRIGGER people_updated AFTER UPDATE ON people BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'person', 'update', NEW.id, NEW.id);
    END;
    CREATE TRIGGER people_deleted AFTER DELETE ON people BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'person', 'delete', OLD.id, OLD.id);
    END;

    CREATE TRIGGER details_inserted AFTER INSERT ON person_details BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'details', 'insert', NEW.person_id, NEW.person_id);
    END;
    CREATE TRIGGER details_updated AFTER UPDATE ON person_details BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'details', 'update', NEW.person_id, NEW.person_id);
    END;
    CREATE TRIGGER details_deleted AFTER DELETE ON person_details BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'details', 'delete', OLD.person_id, OLD.person_id);
    END;

    CREATE TRIGGER faces_inserted AFTER INSERT ON faces BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'face', 'insert', NEW.person_id, NEW.id);
    END;
    CREATE TRIGGER faces_updated AFTER UPDATE ON faces BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER), 'face', 'update', OLD.person_id, OLD.id
        WHERE OLD.person_id IS NOT NEW.person_id;
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'face', 'update', NEW.person_id, NEW.id);
    END;
    CREATE TRIGGER faces_deleted AFTER DELETE ON faces BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'face', 'delete', OLD.person_id, OLD.id);
    END;

    CREATE TRIGGER visits_inserted AFTER INSERT ON visits BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'visit', 'insert', NEW.person_id, NEW.id);
    END;
    CREATE TRIGGER visits_updated AFTER UPDATE ON visits BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'visit', 'update', NEW.person_id, NEW.id);
    END;
    CREATE TRIGGER visits_deleted AFTER DELETE ON visits BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'visit', 'delete', OLD.person_id, OLD.id);
    END;",
    // 4: tokens of the HTTP API. Only a SHA-256 of each token is kept: the token itself is shown
    // once, when it is created.
    "CREATE TABLE api_tokens (
        name TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
        hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER
    );",
    // 5: the webhooks' durable outbox. A delivery names the person it is about, so an erasure
    // deletes their pending deliveries with everything else.
    "CREATE TABLE webhook_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        url TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        event TEXT NOT NULL,
        body TEXT NOT NULL,
        person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        last_error TEXT,
        UNIQUE (url, idempotency_key)
    );
    CREATE INDEX webhook_due ON webhook_outbox(next_attempt_at);",
    // 6: lock-outs in a row, so that each lasts longer than the one before.
    "ALTER TABLE staff_pin ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0;",
    // 7: this gallery as a replica of a fleet's shared store (`crate::fleet`).
    //
    // The feed doubles as the outbox of changes to send: `origin` tells this kiosk's changes from
    // those applied from the fleet, which are not sent back. `fleet_state` says how far both ways
    // have got. A deleted row leaves its `uid` (never what it held) in `fleet_tombstones` until
    // the server has it; only a gallery in a fleet keeps them. Visits logged at another kiosk name it.
    "ALTER TABLE changes ADD COLUMN origin TEXT NOT NULL DEFAULT 'local'
        CHECK (origin IN ('local', 'fleet'));
    ALTER TABLE visits ADD COLUMN kiosk TEXT;
    CREATE TABLE fleet_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        fleet_id TEXT NOT NULL,
        pushed_seq INTEGER NOT NULL,
        pulled_seq INTEGER NOT NULL,
        last_sync_at INTEGER
    );
    CREATE TABLE fleet_tombstones (
        uid TEXT PRIMARY KEY,
        entity TEXT NOT NULL CHECK (entity IN ('person', 'face', 'visit')),
        at INTEGER NOT NULL
    );
    CREATE TRIGGER people_tombstone AFTER DELETE ON people
    WHEN EXISTS (SELECT 1 FROM fleet_state) BEGIN
        INSERT OR IGNORE INTO fleet_tombstones (uid, entity, at)
        VALUES (OLD.uid, 'person', CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;
    CREATE TRIGGER faces_tombstone AFTER DELETE ON faces
    WHEN EXISTS (SELECT 1 FROM fleet_state) BEGIN
        INSERT OR IGNORE INTO fleet_tombstones (uid, entity, at)
        VALUES (OLD.uid, 'face', CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;
    CREATE TRIGGER visits_tombstone AFTER DELETE ON visits
    WHEN EXISTS (SELECT 1 FROM fleet_state) BEGIN
        INSERT OR IGNORE INTO fleet_tombstones (uid, entity, at)
        VALUES (OLD.uid, 'visit', CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;",
    // 8: groups (a class, a team, a course), their members, an optional weekly schedule and ad-hoc
    // sessions ("roll call now"). Attendance itself is not stored: it is derived from `visits`.
    // Erasing a person deletes their memberships; deleting a group deletes nobody. A membership
    // change is announced in the feed as a change of that person, so that running kiosks redraw
    // their roll calls (the feed's entities are fixed by a CHECK).
    "CREATE TABLE groups (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
        weekdays INTEGER NOT NULL DEFAULT 0 CHECK (weekdays BETWEEN 0 AND 127),
        start_minute INTEGER CHECK (start_minute BETWEEN 0 AND 1439),
        grace_seconds INTEGER NOT NULL CHECK (grace_seconds >= 0),
        created_at INTEGER NOT NULL
    );
    CREATE TABLE group_members (
        group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, person_id)
    );
    CREATE INDEX group_members_person ON group_members(person_id);
    CREATE TABLE group_sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        starts_at INTEGER NOT NULL
    );
    CREATE INDEX group_sessions_group_at ON group_sessions(group_id, starts_at);
    CREATE TRIGGER group_members_inserted AFTER INSERT ON group_members BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'person', 'update', NEW.person_id, NEW.person_id);
    END;
    CREATE TRIGGER group_members_deleted AFTER DELETE ON group_members BEGIN
        INSERT INTO changes (at, entity, op, person_id, row_id)
        VALUES (CAST(unixepoch('subsec') * 1000 AS INTEGER), 'person', 'update', OLD.person_id, OLD.person_id);
    END;",
    // 9: each face's 8-bit code (`super::face_code`), which is what the index scans, kept apart from
    // the faces so that start-up reads codes only. The triggers keep it in step with `faces`,
    // whatever path a face comes by (enrolment, import, another process, the fleet): the code is
    // computed by the `face_code` function every gallery connection registers, and deleted with its
    // face (an erasure leaves nothing of it). `code` is NULL for a damaged embedding.
    "CREATE TABLE face_codes (
        face_id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL,
        model_id TEXT NOT NULL,
        code BLOB
    );
    INSERT INTO face_codes (face_id, person_id, model_id, code)
        SELECT id, person_id, model_id, face_code(embedding) FROM faces;
    CREATE INDEX face_codes_person ON face_codes(person_id);
    CREATE TRIGGER face_codes_inserted AFTER INSERT ON faces BEGIN
        INSERT INTO face_codes (face_id, person_id, model_id, code)
        VALUES (NEW.id, NEW.person_id, NEW.model_id, face_code(NEW.embedding));
    END;
    CREATE TRIGGER face_codes_moved AFTER UPDATE OF person_id ON faces BEGIN
        UPDATE face_codes SET person_id = NEW.person_id WHERE face_id = NEW.id;
    END;
    CREATE TRIGGER face_codes_recoded AFTER UPDATE OF embedding, model_id ON faces BEGIN
        UPDATE face_codes SET model_id = NEW.model_id, code = face_code(NEW.embedding)
        WHERE face_id = NEW.id;
    END;
    CREATE TRIGGER face_codes_deleted AFTER DELETE ON faces BEGIN
        DELETE FROM face_codes WHERE face_id = OLD.id;
    END;",
    // 10: consent withdrawn takes back what was still to be sent about the person, as an erasure
    // does (by the outbox's foreign key): their undelivered webhook deliveries. Whichever path
    // withdraws it (the staff screens, the API, the command line, the fleet).
    "CREATE TRIGGER webhook_outbox_consent_withdrawn
        AFTER UPDATE OF consent_withdrawn_at ON people
        WHEN NEW.consent_withdrawn_at IS NOT NULL
    BEGIN
        DELETE FROM webhook_outbox WHERE person_id = NEW.id;
    END;",
];
