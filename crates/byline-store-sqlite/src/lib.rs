//! Byline's default store: one SQLite file in WAL mode, behind [`byline_core::store::Store`].

// The store's SQL is shared with the other backend: the same files, compiled here with this
// backend's types and dialect (`db`). See docs/decisions/0011-one-sql-store.md.
#[path = "../../store-sql/mod.rs"]
mod sql;
use sql::{
    changes, editorial, failure, library, listing, load, outbox, renditions, rows, stories,
    subscribers, taxonomy,
};

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use byline_core::store::StoreError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The store the shared SQL modules implement the traits for.
pub(crate) type Backend = SqliteStore;

/// The SQLite implementation of the store.
#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file and applies pending migrations. The file
    /// and its journal hold password hashes, the site's secrets and readers' addresses: they
    /// are made readable by their owner only (SQLite gives its journal files the database's
    /// mode).
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        owner_only(path)
            .map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?;
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(unavailable)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // The import CLI and a running server write to the same file; wait for each other.
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?;
        MIGRATIONS
            .run(&pool)
            .await
            .map_err(|e| StoreError::Unavailable(format!("migrating {}: {e}", path.display())))?;
        Ok(SqliteStore { pool })
    }
}

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Creates the database file readable and writable by its owner only, or makes an existing one
/// (and its journal files) so.
#[cfg(unix)]
fn owner_only(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    for suffix in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::metadata(&file) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn owner_only(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

pub(crate) fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// What the shared SQL modules need from this backend: its types, how a write begins, and
/// how a change is announced.
pub(crate) mod db {
    use std::time::Duration;

    use byline_core::store::StoreError;
    use sqlx::{Sqlite, SqlitePool, Transaction};

    use crate::unavailable;

    pub(crate) type Db = Sqlite;
    pub(crate) type DbConn = sqlx::SqliteConnection;
    pub(crate) type DbPool = SqlitePool;
    pub(crate) type DbRow = sqlx::sqlite::SqliteRow;
    pub(crate) type DbArgs = sqlx::sqlite::SqliteArguments;

    /// IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking
    /// on a read-to-write upgrade.
    pub(crate) async fn writing(
        pool: &SqlitePool,
    ) -> Result<Transaction<'static, Sqlite>, StoreError> {
        pool.begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(unavailable)
    }

    /// SQLite's row ids follow the largest id present by themselves.
    pub(crate) async fn after_restore(
        _conn: &mut DbConn,
        _numbered: &[&str],
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// Whether an error code (SQLite's extended result code, as text) means "not now": the
    /// database busy or locked by another writer, or unable to write at the moment (disk
    /// full, an I/O error, opened read-only).
    pub(crate) fn retryable(code: &str) -> bool {
        const BUSY: i64 = 5;
        const LOCKED: i64 = 6;
        const READONLY: i64 = 8;
        const IOERR: i64 = 10;
        const FULL: i64 = 13;
        code.parse::<i64>()
            .is_ok_and(|n| matches!(n & 0xff, BUSY | LOCKED | READONLY | IOERR | FULL))
    }

    /// SQLite cannot tell other processes of a commit: they read the change log.
    pub(crate) async fn announce_change(_conn: &mut DbConn) -> Result<(), StoreError> {
        Ok(())
    }

    /// SQLite cannot tell this process of another's commit: the caller polls.
    pub(crate) async fn wait_for_changes(_store: &crate::SqliteStore, within: Duration) {
        tokio::time::sleep(within).await;
    }
}

#[cfg(test)]
mod failures {
    use super::db::retryable;

    #[test]
    fn busy_locked_and_unwritable_are_worth_retrying_and_nothing_else() {
        // BUSY, LOCKED, BUSY_SNAPSHOT (517), LOCKED_SHAREDCACHE (262), READONLY, IOERR_WRITE
        // (778), FULL.
        for code in ["5", "6", "517", "262", "8", "778", "13"] {
            assert!(retryable(code), "{code}");
        }
        // CONSTRAINT_UNIQUE (2067), CONSTRAINT (19), ERROR (1), MISMATCH (20), no code.
        for code in ["2067", "19", "1", "20", ""] {
            assert!(!retryable(code), "{code}");
        }
    }
}
