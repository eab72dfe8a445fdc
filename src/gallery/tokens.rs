//! Tokens for the HTTP API: random, shown once, stored as a SHA-256 hash, revoked by name.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::store::{Gallery, audit};
use super::{GalleryError, now_ms};

/// A token's name and when it was made and last used (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiToken {
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// Tokens carry 256 random bits, so a fast hash is enough: there is nothing to guess from it.
fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

impl Gallery {
    /// Creates a token called `name` and returns it; only its hash is stored.
    pub fn create_api_token(&mut self, name: &str) -> Result<String, GalleryError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
            return Err(GalleryError::Invalid(
                "a token name is 1 to 64 printable characters".into(),
            ));
        }
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        let token = format!(
            "fd_{}",
            secret
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let now = now_ms();
        let tx = self.write_transaction()?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO api_tokens (name, hash, created_at) VALUES (?1, ?2, ?3)",
            params![name, token_hash(&token), now],
        )?;
        if inserted == 0 {
            return Err(GalleryError::Invalid(format!(
                "a token called {name} exists; revoke it first or choose another name"
            )));
        }
        audit(&tx, now, "api token", &format!("created token {name}"))?;
        tx.commit()?;
        Ok(token)
    }

    pub fn api_tokens(&self) -> Result<Vec<ApiToken>, GalleryError> {
        let mut statement = self
            .conn
            .prepare("SELECT name, created_at, last_used_at FROM api_tokens ORDER BY name")?;
        let tokens = statement
            .query_map([], |r| {
                Ok(ApiToken {
                    name: r.get(0)?,
                    created_at: r.get(1)?,
                    last_used_at: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(tokens)
    }

    /// Revokes the token called `name`; false when there was none.
    pub fn revoke_api_token(&mut self, name: &str) -> Result<bool, GalleryError> {
        let tx = self.write_transaction()?;
        let deleted = tx.execute("DELETE FROM api_tokens WHERE name = ?1", [name.trim()])?;
        if deleted > 0 {
            audit(
                &tx,
                now_ms(),
                "api token",
                &format!("revoked token {}", name.trim()),
            )?;
        }
        tx.commit()?;
        Ok(deleted > 0)
    }

    /// The name of the token presented, if it is a valid one; notes when it was used.
    pub fn check_api_token(&mut self, token: &str) -> Result<Option<String>, GalleryError> {
        let hash = token_hash(token.trim());
        let name: Option<String> = self
            .conn
            .query_row(
                "SELECT name FROM api_tokens WHERE hash = ?1",
                [&hash],
                |r| r.get(0),
            )
            .optional()?;
        if name.is_some() {
            self.conn.execute(
                "UPDATE api_tokens SET last_used_at = ?2 WHERE hash = ?1",
                params![hash, now_ms()],
            )?;
        }
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_shown_once_stored_hashed_checked_and_revoked() {
        let mut gallery = Gallery::open_in_memory("m1").unwrap();
        let token = gallery.create_api_token("till").unwrap();
        assert!(token.starts_with("fd_") && token.len() == 67);
        assert!(
            gallery.create_api_token("till").is_err(),
            "names are unique"
        );
        assert!(gallery.create_api_token(" ").is_err());
        let stored: String = gallery
            .conn
            .query_row("SELECT hash FROM api_tokens", [], |r| r.get(0))
            .unwrap();
        assert!(!stored.contains(&token[3..]));

        assert_eq!(
            gallery.check_api_token(&token).unwrap().as_deref(),
            Some("till")
        );
        assert_eq!(gallery.check_api_token("fd_wrong").unwrap(), None);
        assert!(gallery.api_tokens().unwrap()[0].last_used_at.is_some());

        assert!(gallery.revoke_api_token("till").unwrap());
        assert!(!gallery.revoke_api_token("till").unwrap());
        assert_eq!(gallery.check_api_token(&token).unwrap(), None);
    }
}
