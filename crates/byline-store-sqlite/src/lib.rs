//! Byline's default store: one SQLite file in WAL mode — the shared SQL store
//! ([`byline_store_sql::SqlStore`]) with SQLite's dialect and migrations.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use byline_core::store::StoreError;
use byline_store_sql::{Dialect, SqlStore, db_error};
use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, Transaction};

/// Opens stores on SQLite files.
#[derive(Debug)]
pub struct SqliteStore;

impl SqliteStore {
    /// Opens (creating if missing) the database file and applies pending migrations. The file
    /// and its journal hold password hashes, the site's secrets and readers' addresses: they
    /// are made readable by their owner only (SQLite gives its journal files the database's
    /// mode).
    pub async fn open(path: &Path) -> Result<SqlStore, StoreError> {
        let shown = path.display();
        let unavailable =
            |e: &dyn std::fmt::Display| StoreError::Unavailable(format!("{shown}: {e}"));
        owner_only(path).map_err(|e| unavailable(&e))?;
        // The file as the system finds it (absolute, no `..`, no symlinks): the URL the pool
        // opens must name the very file that was made owner-only and migrated.
        let file = std::fs::canonicalize(path).map_err(|e| unavailable(&e))?;
        let Some(name) = file.to_str().map(str::to_owned) else {
            return Err(unavailable(&"the path is not UTF-8 text"));
        };
        migrate(&file).await?;
        let expected = Arc::new(name);
        // The import CLI and a running server write to the same file: each connection waits
        // up to 10 s for the other's write lock. Foreign keys are enforced per connection,
        // and each checks that it opened the migrated file. A connection to a file cannot go
        // stale while pooled, so it is not pinged (a round trip to its thread) on every use.
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .after_connect(move |conn, _| {
                let expected = expected.clone();
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                         PRAGMA synchronous = NORMAL;",
                    )
                    .await?;
                    let opened: String = sqlx::query_scalar(
                        "SELECT file FROM pragma_database_list WHERE name = 'main'",
                    )
                    .fetch_one(&mut *conn)
                    .await?;
                    if opened != *expected {
                        return Err(sqlx::Error::Configuration(
                            format!("opened {opened} instead of {expected}").into(),
                        ));
                    }
                    Ok(())
                })
            });
        SqlStore::connect(&url_of(&file), pool, Arc::new(Sqlite))
            .await
            .map_err(|e| unavailable(&e))
    }
}

/// Creates the file if missing, puts it in WAL mode (kept in the file) and applies pending
/// migrations, on a connection of SQLite's own driver.
async fn migrate(path: &Path) -> Result<(), StoreError> {
    let shown = path.display();
    let options = SqliteConnectOptions::from_str("sqlite://")
        .map_err(db_error)?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Unavailable(format!("{shown}: {e}")))?;
    MIGRATIONS
        .run(&pool)
        .await
        .map_err(|e| StoreError::Unavailable(format!("migrating {shown}: {e}")))?;
    pool.close().await;
    Ok(())
}

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// `sqlite://PATH` with every byte of the path that a URL would read otherwise
/// percent-encoded (the driver decodes it back).
fn url_of(path: &Path) -> String {
    let mut url = String::from("sqlite://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-_.~".contains(&byte) {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

/// SQLite's dialect.
struct Sqlite;

#[async_trait]
impl Dialect for Sqlite {
    /// IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking
    /// on a read-to-write upgrade.
    async fn writing(
        &self,
        pool: &sqlx::AnyPool,
    ) -> Result<Transaction<'static, sqlx::Any>, StoreError> {
        pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_error)
    }

    /// SQLite's row ids follow the largest id present by themselves.
    async fn after_restore(
        &self,
        _conn: &mut sqlx::AnyConnection,
        _numbered: &[&str],
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// SQLite cannot tell this process of another's commit: the caller polls.
    async fn wait_for_changes(&self, within: Duration) {
        tokio::time::sleep(within).await;
    }

    fn positional_values(&self) -> bool {
        true
    }

    fn refresh_statistics(&self) -> &'static str {
        "PRAGMA optimize"
    }
}

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

#[cfg(test)]
mod tests {
    use super::url_of;

    #[tokio::test]
    async fn the_pool_opens_the_migrated_file_whatever_the_path_says() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real site");
        std::fs::create_dir_all(real.join("data")).unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();
        // `..` after a symlink, a space and URL characters: the file in `real site/data`.
        let roundabout = dir.path().join("link/../link/data/#1?.db");
        let store = super::SqliteStore::open(&roundabout).await.unwrap();
        byline_core::store::Store::ping(&store).await.unwrap();
        assert!(real.join("data/#1?.db").exists());
        let count = byline_core::accounts::AccountStore::user_count(&store)
            .await
            .unwrap();
        assert_eq!(count, 0, "the migrated schema is the one read");
    }

    #[test]
    fn a_path_with_url_characters_reads_back_as_itself() {
        let url = url_of(std::path::Path::new("/data/news room/#1?x=%.db"));
        assert_eq!(url, "sqlite:///data/news%20room/%231%3Fx%3D%25.db");
    }
}
