//! A restore's new gallery: Frontdesk's own schema, filled with the rows of a backup's known tables
//! and columns. Nothing else in the backup's schema is ever installed: a trigger that keeps a copy
//! of every erased name, a view, an index or a table of its own stays in the backup.

use std::path::Path;

use rusqlite::types::Value;
use rusqlite::{Connection, ErrorCode, Transaction};

use super::{BackupError, corrupt};
use crate::gallery::create_schema;

/// Makes in the empty database file `fresh` a gallery with this Frontdesk's schema of version
/// `version` (the backup's) and copies into it the rows of `backup` (opened read-only), table by
/// table, column by column. Only the tables and columns that schema has are read; a backup that
/// lacks one, or whose rows the schema refuses, is damaged. `label` names the backup in messages.
pub(super) fn rebuild(
    backup: &Connection,
    fresh: &Path,
    version: i64,
    label: &Path,
) -> Result<(), BackupError> {
    let mut gallery = Connection::open(fresh).map_err(BackupError::sql("new gallery"))?;
    create_schema(&mut gallery, version)?;
    let tx = gallery
        .transaction()
        .map_err(BackupError::sql("new gallery"))?;
    // The gallery's triggers would log every copied row in the change feed again and recompute
    // what the backup already holds: they are set aside during the copy, then put back from the
    // new gallery's own schema.
    let triggers = objects(&tx, "trigger")?;
    for (name, _) in &triggers {
        tx.execute_batch(&format!("DROP TRIGGER {}", quoted(name)))
            .map_err(BackupError::sql("new gallery"))?;
    }
    for (table, _) in objects(&tx, "table")? {
        copy_table(backup, &tx, &table, label)?;
    }
    copy_id_counters(backup, &tx, label)?;
    for (_, sql) in &triggers {
        tx.execute_batch(sql)
            .map_err(BackupError::sql("new gallery"))?;
    }
    let dangling: i64 = tx
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .map_err(BackupError::sql("new gallery"))?;
    if dangling > 0 {
        return Err(corrupt(
            label,
            &format!("{dangling} row(s) point at rows that are not there"),
        ));
    }
    tx.commit().map_err(BackupError::sql("new gallery"))
}

/// The gallery's own objects of one type (SQLite's internal tables left out): name and SQL.
fn objects(gallery: &Connection, kind: &str) -> Result<Vec<(String, String)>, BackupError> {
    let mut statement = gallery
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = ?1 AND name NOT LIKE 'sqlite\\_%' \
             ESCAPE '\\' ORDER BY name",
        )
        .map_err(BackupError::sql("new gallery"))?;
    statement
        .query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(Iterator::collect)
        .map_err(BackupError::sql("new gallery"))
}

/// Copies the rows of `table` (the gallery's columns only) from the backup, in the backup's order.
fn copy_table(
    backup: &Connection,
    gallery: &Transaction<'_>,
    table: &str,
    label: &Path,
) -> Result<(), BackupError> {
    let columns = column_names(gallery, table).map_err(BackupError::sql("new gallery"))?;
    let damaged = |problem: String| corrupt(label, &problem);
    // An ordinary table only: a view or a virtual table of that name would run code of the
    // backup's choosing when read.
    let plain_table: bool = backup
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1 \
             AND sql LIKE 'CREATE TABLE%'",
            [table],
            |r| r.get(0),
        )
        .map_err(|e| corrupt(label, &e))?;
    if !plain_table {
        return Err(damaged(format!("it has no table {table}")));
    }
    let present = column_names(backup, table).map_err(|e| corrupt(label, &e))?;
    if let Some(missing) = columns.iter().find(|c| !present.contains(c)) {
        return Err(damaged(format!(
            "its table {table} has no column {missing}"
        )));
    }
    let list = columns
        .iter()
        .map(|c| quoted(c))
        .collect::<Vec<_>>()
        .join(", ");
    let slots = (1..=columns.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut read = backup
        .prepare(&format!(
            "SELECT {list} FROM {} ORDER BY rowid",
            quoted(table)
        ))
        .map_err(|e| corrupt(label, &e))?;
    let mut write = gallery
        .prepare(&format!(
            "INSERT INTO {} ({list}) VALUES ({slots})",
            quoted(table)
        ))
        .map_err(BackupError::sql("new gallery"))?;
    let mut rows = read.query([]).map_err(|e| corrupt(label, &e))?;
    while let Some(row) = rows.next().map_err(|e| corrupt(label, &e))? {
        let values = (0..columns.len())
            .map(|i| row.get::<_, Value>(i))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| corrupt(label, &e))?;
        write
            .execute(rusqlite::params_from_iter(values))
            .map_err(|e| refused_row(e, table, label))?;
    }
    Ok(())
}

/// A row the gallery's schema refuses (a constraint, a wrong type) means a damaged backup; any
/// other failure (a full disk) is the gallery's.
fn refused_row(error: rusqlite::Error, table: &str, label: &Path) -> BackupError {
    match error.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation | ErrorCode::TypeMismatch) => corrupt(
            label,
            &format!("a row of its table {table} is not valid: {error}"),
        ),
        _ => BackupError::sql("new gallery")(error),
    }
}

fn column_names(db: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement = db.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
    statement
        .query_map([table], |r| r.get(0))
        .and_then(Iterator::collect)
}

/// The backup's id counters of the gallery's tables, so that ids the backup's gallery had handed
/// out before it was made are not handed out again.
fn copy_id_counters(
    backup: &Connection,
    gallery: &Transaction<'_>,
    label: &Path,
) -> Result<(), BackupError> {
    let has_counters = |db: &Connection| {
        db.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'sqlite_sequence'",
            [],
            |r| r.get::<_, bool>(0),
        )
    };
    let known = has_counters(gallery).map_err(BackupError::sql("new gallery"))?;
    if !known || !has_counters(backup).map_err(|e| corrupt(label, &e))? {
        return Ok(());
    }
    let tables: Vec<String> = objects(gallery, "table")?
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let mut statement = backup
        .prepare("SELECT name, seq FROM sqlite_sequence")
        .map_err(|e| corrupt(label, &e))?;
    let counters: Vec<(String, i64)> = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(Iterator::collect)
        .map_err(|e| corrupt(label, &e))?;
    for (table, seq) in counters.iter().filter(|(t, _)| tables.contains(t)) {
        let updated = gallery
            .execute(
                "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1",
                rusqlite::params![table, seq],
            )
            .map_err(BackupError::sql("new gallery"))?;
        if updated == 0 {
            gallery
                .execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)",
                    rusqlite::params![table, seq],
                )
                .map_err(BackupError::sql("new gallery"))?;
        }
    }
    Ok(())
}

/// `name` as an SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use rusqlite::OpenFlags;

    use super::*;
    use crate::gallery::Gallery;
    use crate::gallery::test_support::{face, person};

    /// A backup file (one file, no log beside it, as backups are) holding Ada and Grace.
    fn backup(dir: &Path) -> PathBuf {
        let path = dir.join("backup.db");
        let mut gallery = Gallery::open(&path, "m1").unwrap();
        for (index, name) in ["Ada Lovelace", "Grace Hopper"].into_iter().enumerate() {
            let details = [("email", "someone@example.org")];
            gallery
                .enroll(&person(name, &details, true), &[face(index)])
                .unwrap();
        }
        drop(gallery);
        let conn = Connection::open(&path).unwrap();
        conn.query_row("PRAGMA journal_mode = DELETE", [], |r| {
            r.get::<_, String>(0)
        })
        .unwrap();
        path
    }

    fn rebuilt(backup: &Path) -> Result<PathBuf, BackupError> {
        let source = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let version: i64 = source
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        let fresh = backup.with_extension("rebuilt");
        let _ = std::fs::remove_file(&fresh);
        rebuild(&source, &fresh, version, backup)?;
        Ok(fresh)
    }

    /// Every object of a database: type, name and SQL.
    fn schema(db: &Path) -> Vec<(String, String, Option<String>)> {
        let conn = Connection::open(db).unwrap();
        let mut statement = conn
            .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
            .unwrap();
        statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn rows(db: &Path, query: &str) -> Vec<Vec<Value>> {
        let conn = Connection::open(db).unwrap();
        let mut statement = conn.prepare(query).unwrap();
        let columns = statement.column_count();
        statement
            .query_map([], |r| (0..columns).map(|i| r.get(i)).collect())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn only_the_gallerys_own_schema_is_built_and_the_rows_arrive_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let backup = backup(dir.path());
        Connection::open(&backup)
            .unwrap()
            .execute_batch(
                "CREATE TABLE shadow (name TEXT);
                 CREATE TRIGGER keep BEFORE DELETE ON people BEGIN
                     INSERT INTO shadow SELECT OLD.name;
                 END;
                 CREATE VIEW everyone AS SELECT name FROM people;
                 CREATE INDEX people_names ON people(name);
                 ALTER TABLE people ADD COLUMN nickname TEXT DEFAULT 'planted';",
            )
            .unwrap();
        let fresh = rebuilt(&backup).unwrap();
        let own = dir.path().join("new.db");
        drop(Gallery::open(&own, "m1").unwrap());
        assert_eq!(schema(&fresh), schema(&own));
        for table in ["people", "person_details", "faces", "face_codes", "changes"] {
            let query = format!("SELECT * FROM {table} ORDER BY rowid");
            let copied = rows(&fresh, &query);
            assert!(!copied.is_empty(), "{table}");
            let mut original = rows(&backup, &query);
            if table == "people" {
                // The planted column is not copied.
                original.iter_mut().for_each(|row| drop(row.pop()));
            }
            assert_eq!(copied, original, "{table}");
        }
        let sequences = "SELECT name, seq FROM sqlite_sequence ORDER BY name";
        assert_eq!(rows(&fresh, sequences), rows(&backup, sequences));
    }

    #[test]
    fn a_backup_whose_tables_are_not_the_gallerys_is_damaged() {
        let cases = [
            (
                "ALTER TABLE people RENAME TO people_rows;
                 CREATE VIEW people AS SELECT * FROM people_rows;",
                "no table people",
            ),
            (
                "ALTER TABLE visits DROP COLUMN source;",
                "its table visits has no column source",
            ),
            (
                "PRAGMA ignore_check_constraints = ON;
                 UPDATE people SET name = ' ' WHERE name = 'Grace Hopper';",
                "a row of its table people is not valid",
            ),
            (
                "PRAGMA foreign_keys = OFF; DELETE FROM people WHERE name = 'Grace Hopper';",
                "point at rows that are not there",
            ),
        ];
        for (change, problem) in cases {
            let dir = tempfile::tempdir().unwrap();
            let backup = backup(dir.path());
            Connection::open(&backup)
                .unwrap()
                .execute_batch(change)
                .unwrap();
            let error = rebuilt(&backup).unwrap_err();
            assert!(
                matches!(&error, BackupError::Corrupt { problem: p, .. } if p.contains(problem)),
                "{change}: {error}"
            );
        }
    }

    #[test]
    fn an_old_backup_is_copied_into_its_own_schema_and_then_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let backup = dir.path().join("old.db");
        let mut old = Connection::open(&backup).unwrap();
        create_schema(&mut old, 2).unwrap();
        old.execute_batch(
            "INSERT INTO people (id, name, consent_at, created_at, updated_at)
                 VALUES (7, 'Ada Lovelace', 1, 1, 1);
             INSERT INTO visits (person_id, at, similarity, source) VALUES (7, 5, 0.9, 'door');
             INSERT INTO audit_log (at, action, detail) VALUES (2, 'delete', 'person #9');",
        )
        .unwrap();
        drop(old);
        let fresh = rebuilt(&backup).unwrap();
        let gallery = Gallery::open(&fresh, "m1").unwrap();
        let people = gallery.people().unwrap();
        assert_eq!(people.len(), 1);
        assert_eq!((people[0].id, people[0].name.as_str()), (7, "Ada Lovelace"));
        assert_eq!(gallery.visits(None, None, None).unwrap().len(), 1);
        // Migration 3 still reads the copied audit log: person #9 was deleted, so ids go on above.
        let seq = rows(
            &fresh,
            "SELECT seq FROM sqlite_sequence WHERE name = 'people'",
        );
        assert_eq!(seq, vec![vec![Value::Integer(9)]]);
    }
}
