//! Byline's multi-node store: PostgreSQL, behind [`byline_core::store::Store`].

// The store's SQL is shared with the other backend: the same files, compiled here with this
// backend's types and dialect (`db`). See docs/decisions/0011-one-sql-store.md.
#[path = "../../store-sql/mod.rs"]
mod sql;
use sql::{
    changes, editorial, failure, library, listing, load, outbox, renditions, rows, stories,
    subscribers, taxonomy,
};

use std::sync::Arc;
use std::time::Duration;

use byline_core::store::StoreError;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection};
use tokio::sync::Notify;

/// The store the shared SQL modules implement the traits for.
pub(crate) type Backend = PgStore;

/// The PostgreSQL implementation of the store.
#[derive(Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
    /// Woken by `NOTIFY` on the change channel (see [`changes::CHANNEL`]); the listener that
    /// wakes it starts with the first wait.
    changed: Arc<Notify>,
    listening: Arc<std::sync::OnceLock<()>>,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://…`) and applies pending migrations.
    /// The password, if the URL has one, never appears in an error.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let shown = redact(url);
        let options: PgConnectOptions = url
            .parse()
            .map_err(|e| StoreError::Unavailable(format!("{shown}: {e}")))?;
        // One connection first, so that an unreachable server or a refused login is reported
        // as such rather than as a pool that timed out.
        let probe = PgConnection::connect_with(&options)
            .await
            .map_err(|e| StoreError::Unavailable(format!("{shown}: {e}")))?;
        let _ = probe.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // A reader waits at most this long for a connection; then the page answers 503.
            .acquire_timeout(Duration::from_secs(2))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(format!("{shown}: {e}")))?;
        MIGRATIONS
            .run(&pool)
            .await
            .map_err(|e| StoreError::Unavailable(format!("migrating {shown}: {e}")))?;
        Ok(PgStore {
            pool,
            changed: Arc::new(Notify::new()),
            listening: Arc::new(std::sync::OnceLock::new()),
        })
    }
}

/// A database URL with every password in it replaced by `***`, for messages and logs: the one
/// after the user name and any `password` (or `sslpassword`, …) query parameter.
pub fn redact(url: &str) -> String {
    let url = redact_password_parameters(url);
    let Some((scheme, rest)) = url.split_once("://") else {
        return url;
    };
    // The user part ends at the last `@` of the address before any path; a password that
    // holds `/` (unencoded) puts the `@` after it, before the query string.
    let before_path = &rest[..rest.find('/').unwrap_or(rest.len())];
    let before_query = &rest[..rest.rfind('?').unwrap_or(rest.len())];
    let at = before_path.rfind('@').or_else(|| before_query.rfind('@'));
    match at {
        Some(at) => {
            let credentials = &rest[..at];
            let user = credentials.split_once(':').map_or(credentials, |(u, _)| u);
            let hidden = if credentials.contains(':') {
                ":***"
            } else {
                ""
            };
            format!("{scheme}://{user}{hidden}{}", &rest[at..])
        }
        None => url.clone(),
    }
}

/// `url` with the value of every `…password=` parameter replaced by `***`.
fn redact_password_parameters(url: &str) -> String {
    let Some((address, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.to_ascii_lowercase().contains("password") => {
                format!("{key}=***")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{address}?{}", pairs.join("&"))
}

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub(crate) fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// What the shared SQL modules need from this backend: its types, how a write begins, and
/// how a change is announced.
pub(crate) mod db {
    use std::sync::Arc;
    use std::time::Duration;

    use byline_core::store::StoreError;
    use sqlx::postgres::PgListener;
    use sqlx::{PgPool, Postgres, Transaction};
    use tokio::sync::Notify;

    use crate::unavailable;

    pub(crate) type Db = Postgres;
    pub(crate) type DbConn = sqlx::PgConnection;
    pub(crate) type DbPool = PgPool;
    pub(crate) type DbRow = sqlx::postgres::PgRow;
    pub(crate) type DbArgs = sqlx::postgres::PgArguments;

    /// Every write transaction holds one cluster-wide lock until it ends, so writes apply one
    /// at a time as they do on SQLite: the change log's ids are committed in order (a follower
    /// reading "after id N" never skips a late commit) and read-then-write checks (revisions,
    /// free slugs, due jobs) need no retry loop. Newsroom writes are few; reads never take it.
    /// See docs/decisions/0010-postgres-writes.md.
    pub(crate) async fn writing(
        pool: &PgPool,
    ) -> Result<Transaction<'static, Postgres>, StoreError> {
        let mut tx = pool.begin().await.map_err(unavailable)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        Ok(tx)
    }

    /// The advisory lock key of store writes ("BYLINE" in ASCII, as a number).
    const WRITE_LOCK: i64 = 0x4259_4C49_4E45;

    /// Moves each identity counter past the largest id a restore wrote.
    pub(crate) async fn after_restore(
        conn: &mut DbConn,
        numbered: &[&str],
    ) -> Result<(), StoreError> {
        for table in numbered {
            // Table names are the schema's constants.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )))
            .execute(&mut *conn)
            .await
            .map_err(unavailable)?;
        }
        Ok(())
    }

    /// Announces a recorded change to every listening node; delivered when the transaction
    /// commits, never before.
    pub(crate) async fn announce_change(conn: &mut DbConn) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(&mut *conn)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// Returns at the next announced change (or after `within`); the listener starts with the
    /// first wait.
    pub(crate) async fn wait_for_changes(store: &crate::PgStore, within: Duration) {
        store.listening.get_or_init(|| {
            tokio::spawn(listen(store.pool.clone(), store.changed.clone()));
        });
        let _ = tokio::time::timeout(within, store.changed.notified()).await;
    }

    /// The channel on which commits that recorded a change are announced.
    /// Whether a SQLSTATE means "not now": a connection exception (class 08), a
    /// serialization failure or deadlock (40), too many connections or no space (53), an
    /// operator intervention such as a shutdown (57), a system error (58), or a write on a
    /// standby during a failover (25006).
    pub(crate) fn retryable(code: &str) -> bool {
        code.len() == 5
            && (["08", "40", "53", "57", "58"]
                .iter()
                .any(|class| code.starts_with(class))
                || code == "25006")
    }

    pub(crate) const CHANNEL: &str = "byline_changes";

    /// Wakes `changed` at every announced change, and after the connection was lost and made
    /// again (changes may have been missed meanwhile: the follower reads the log again). Runs
    /// for as long as the server does.
    pub(crate) async fn listen(pool: PgPool, changed: Arc<Notify>) {
        loop {
            match PgListener::connect_with(&pool).await {
                Ok(mut listener) => {
                    if let Err(e) = listener.listen(CHANNEL).await {
                        tracing::warn!(error = %e, "cannot listen for changes");
                    } else {
                        changed.notify_waiters();
                        loop {
                            match listener.try_recv().await {
                                Ok(Some(_)) => changed.notify_waiters(),
                                // The connection was lost and will be made again: read the log.
                                Ok(None) => changed.notify_waiters(),
                                Err(e) => {
                                    tracing::warn!(error = %e, "lost the change listener");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot connect the change listener"),
            }
            changed.notify_waiters();
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }
}

#[cfg(test)]
mod redaction {
    use super::redact;

    #[test]
    fn passwords_are_hidden_wherever_the_url_carries_them() {
        assert_eq!(
            redact("postgres://news:s3cret@db:5432/site"),
            "postgres://news:***@db:5432/site"
        );
        assert_eq!(
            redact("postgres://news@db/site?sslmode=require&password=s3cret"),
            "postgres://news@db/site?sslmode=require&password=***"
        );
        assert_eq!(
            redact("postgresql://db/site?sslpassword=x&user=a"),
            "postgresql://db/site?sslpassword=***&user=a"
        );
        assert_eq!(redact("postgres://db/site"), "postgres://db/site");
        assert_eq!(
            redact("postgres://news:s3cr?et/x@db:5432/site?sslmode=require"),
            "postgres://news:***@db:5432/site?sslmode=require"
        );
        assert_eq!(
            redact("postgres://h/db?user=a@srv&password=s3cret"),
            "postgres://h/db?user=a@srv&password=***"
        );
    }
}

#[cfg(test)]
mod failures {
    use super::db::retryable;

    #[test]
    fn lost_connections_conflicts_and_failovers_are_worth_retrying_and_nothing_else() {
        for code in [
            "08006", "08001", "40001", "40P01", "53300", "57P01", "58030", "25006",
        ] {
            assert!(retryable(code), "{code}");
        }
        // unique_violation, insufficient_privilege, character_not_in_repertoire (a NUL in
        // text), undefined_table, invalid_text_representation.
        for code in ["23505", "42501", "22021", "42P01", "22P02", ""] {
            assert!(!retryable(code), "{code}");
        }
    }
}
