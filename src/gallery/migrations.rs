//! Versioned schema: migration N brings `PRAGMA user_version` from N to N+1.

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
    // 3 (issue 12): lock-outs in a row, so that each lasts longer than the one before.
    "ALTER TABLE staff_pin ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0;",
];
