//! Byline's multi-node store: PostgreSQL — the shared SQL store
//! ([`byline_store_sql::SqlStore`]) with PostgreSQL's dialect and migrations. Writes queue on
//! one advisory lock; a commit to the change log is announced by a trigger (`NOTIFY`) and
//! heard by every node's `LISTEN`.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use byline_core::store::StoreError;
use byline_store_sql::{Dialect, SqlStore, db_error};
use sqlx::any::AnyPoolOptions;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection, Transaction};
use tokio::sync::Notify;

/// Connects stores to PostgreSQL databases.
#[derive(Debug)]
pub struct PgStore;

/// How long a pooled connection may sit idle before it is pinged again when handed out.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

impl PgStore {
    /// Connects to the database at `url`, applying pending migrations first.
    pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
        let shown = redact(url);
        let unavailable = |e: sqlx::Error| StoreError::Unavailable(format!("{shown}: {e}"));
        let options: PgConnectOptions = url.parse().map_err(unavailable)?;
        // One connection first, so that an unreachable server or a refused login is reported
        // as such rather than as a pool that timed out.
        let mut probe = PgConnection::connect_with(&options)
            .await
            .map_err(unavailable)?;
        MIGRATIONS
            .run(&mut probe)
            .await
            .map_err(|e| StoreError::Unavailable(format!("migrating {shown}: {e}")))?;
        let _ = probe.close().await;
        // The change listener's own connection, made when a node first waits for changes.
        let listener = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(options);
        let dialect = Postgres {
            listener,
            changed: Arc::new(Notify::new()),
            listening: OnceLock::new(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(16)
            // sqlx pings every connection as it comes back to the pool, so one handed out
            // straight after is known to work; only one that sat idle (through a restart of
            // the server, say) is pinged again. This saves a round trip on every read.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > IDLE_BEFORE_PING {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            // A reader waits at most this long for a connection; then the page answers 503.
            .acquire_timeout(Duration::from_secs(2));
        SqlStore::connect(url, pool, Arc::new(dialect))
            .await
            .map_err(|e| StoreError::Unavailable(format!("{shown}: {e}")))
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

/// The advisory lock every write transaction takes first: writes queue instead of failing on
/// a serialization conflict (and the job runners on several nodes never run a job twice).
const WRITE_LOCK: i64 = 0x4259_4C49_4E45;

/// The channel the change log's trigger notifies (migration 0007).
const CHANNEL: &str = "byline_changes";

/// PostgreSQL's dialect, with this node's change listener.
struct Postgres {
    listener: PgPool,
    changed: Arc<Notify>,
    listening: OnceLock<()>,
}

#[async_trait]
impl Dialect for Postgres {
    async fn writing(
        &self,
        pool: &sqlx::AnyPool,
    ) -> Result<Transaction<'static, sqlx::Any>, StoreError> {
        let mut tx = pool.begin().await.map_err(db_error)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        Ok(tx)
    }

    /// Restored rows keep their ids: each sequence moves past the largest.
    async fn after_restore(
        &self,
        conn: &mut sqlx::AnyConnection,
        numbered: &[&str],
    ) -> Result<(), StoreError> {
        for table in numbered {
            // `table` is one of the schema's own table names, never input.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )))
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
        }
        Ok(())
    }

    async fn wait_for_changes(&self, within: Duration) {
        self.listening.get_or_init(|| {
            tokio::spawn(listen(self.listener.clone(), self.changed.clone()));
        });
        let _ = tokio::time::timeout(within, self.changed.notified()).await;
    }

    /// Only the tables a listing or an import plans by: analyzing the whole database would
    /// also sample tables no import touched.
    fn refresh_statistics(&self) -> &'static str {
        "ANALYZE stories, story_tags, story_authors, listing_days, listing_months, tags, authors"
    }
}

/// Wakes waiters on every notification, and also whenever the listener (re)connects: changes
/// made while it was away are then read from the log.
async fn listen(pool: PgPool, changed: Arc<Notify>) {
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "cannot listen for changes");
                } else {
                    changed.notify_waiters();
                    loop {
                        match listener.try_recv().await {
                            Ok(_) => changed.notify_waiters(),
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
        tokio::time::sleep(Duration::from_secs(1)).await;
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
