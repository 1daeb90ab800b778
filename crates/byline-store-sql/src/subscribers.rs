//! Newsletter subscribers: sign-ups with their consent record, confirmation, unsubscription,
//! and the secret their links are signed with.

use crate::db::DbPool;
use crate::failure::db_error;
use async_trait::async_trait;
use byline_core::Email;
use byline_core::newsletter::{ConfirmOutcome, SubscriberQuery, SubscriberStore};
use byline_core::store::{NewSubscriber, StoreError, SubscribeOutcome, Subscriber};
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use crate::rows::{corrupt, from_secs, get, to_secs};

pub(crate) async fn add(
    store: &crate::SqlStore,
    subscriber: NewSubscriber,
) -> Result<SubscribeOutcome, StoreError> {
    let mut tx = store.writing().await?;
    let known: Option<(String, i64)> =
        sqlx::query_as("SELECT status, consented_at FROM subscribers WHERE email = $1")
            .bind(subscriber.email.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
    if let Some((status, asked)) = &known
        && status == "pending"
        && from_secs(*asked)? + byline_core::store::ASK_AGAIN_AFTER > subscriber.consented_at
    {
        return Ok(SubscribeOutcome::JustAsked);
    }
    // A fresh sign-up is fresh consent: its record replaces an earlier one.
    let (sql, outcome) = match known.as_ref().map(|(status, _)| status.as_str()) {
        None => (
            "INSERT INTO subscribers (email, status, source, consented_at, ip_hash) \
             VALUES ($1, 'pending', $2, $3, $4)",
            SubscribeOutcome::Added,
        ),
        Some(status @ ("pending" | "unsubscribed")) => (
            "UPDATE subscribers SET status = 'pending', source = $2, consented_at = $3, \
             ip_hash = $4, confirmed_at = NULL, unsubscribed_at = NULL WHERE email = $1",
            if status == "pending" {
                SubscribeOutcome::StillPending
            } else {
                SubscribeOutcome::Added
            },
        ),
        Some(_) => return Ok(SubscribeOutcome::AlreadyKnown),
    };
    sqlx::query(sql)
        .bind(subscriber.email.as_str())
        .bind(&subscriber.source)
        .bind(to_secs(subscriber.consented_at))
        .bind(&subscriber.ip_hash)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(outcome)
}

const SUBSCRIBER_COLUMNS: &str =
    "email, status, source, consented_at, confirmed_at, unsubscribed_at, bounces";

fn subscriber(row: &crate::db::DbRow) -> Result<Subscriber, StoreError> {
    let stored: String = get(row, "email")?;
    let time = |column| -> Result<Option<DateTime<Utc>>, StoreError> {
        get::<Option<i64>>(row, column)?.map(from_secs).transpose()
    };
    Ok(Subscriber {
        email: Email::parse(&stored).map_err(corrupt)?,
        status: get(row, "status")?,
        source: get(row, "source")?,
        consented_at: from_secs(get(row, "consented_at")?)?,
        confirmed_at: time("confirmed_at")?,
        unsubscribed_at: time("unsubscribed_at")?,
        bounces: u32::try_from(get::<i64>(row, "bounces")?).unwrap_or(u32::MAX),
    })
}

pub(crate) async fn find(pool: &DbPool, email: &Email) -> Result<Option<Subscriber>, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE email = $1"
    )))
    .bind(email.as_str())
    .fetch_optional(pool)
    .await
    .map_err(db_error)?;
    row.as_ref().map(subscriber).transpose()
}

/// The settings key of the secret newsletter links are signed with.
const SECRET_KEY: &str = "newsletter.secret";

#[async_trait]
impl SubscriberStore for crate::SqlStore {
    async fn newsletter_secret(&self, candidate: &str) -> Result<String, StoreError> {
        // The first node to ask stores its candidate; every node then reads the same one.
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(SECRET_KEY)
        .bind(candidate)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        let stored: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(SECRET_KEY)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(stored)
    }

    async fn confirm_subscriber(
        &self,
        email: &Email,
        now: DateTime<Utc>,
    ) -> Result<ConfirmOutcome, StoreError> {
        let mut tx = self.writing().await?;
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM subscribers WHERE email = $1")
                .bind(email.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
        let outcome = match status.as_deref() {
            Some("pending") => {
                let id: i64 = sqlx::query_scalar(
                    "UPDATE subscribers SET status = 'active', confirmed_at = $2 WHERE email = $1 \
                     RETURNING id",
                )
                .bind(email.as_str())
                .bind(to_secs(now))
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
                let confirmed = byline_core::integrations::EventKind::SubscriberConfirmed;
                crate::changes::event(&mut tx, confirmed, id, now).await?;
                ConfirmOutcome::Confirmed
            }
            Some("active") => ConfirmOutcome::AlreadyActive,
            _ => ConfirmOutcome::NotPending,
        };
        tx.commit().await.map_err(db_error)?;
        Ok(outcome)
    }

    async fn subscribers(&self, status: Option<&str>) -> Result<Vec<Subscriber>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE ($1 IS NULL OR status = $1) \
             ORDER BY email"
        )))
        .bind(status)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter().map(subscriber).collect()
    }

    async fn subscriber_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let counts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*) FROM subscribers GROUP BY status ORDER BY status",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(counts
            .into_iter()
            .map(|(status, n)| (status, n.max(0) as u64))
            .collect())
    }

    async fn unsubscribe(&self, email: &Email, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut tx = self.writing().await?;
        let done = sqlx::query(
            "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = $2 \
             WHERE email = $1 AND status IN ('pending', 'active')",
        )
        .bind(email.as_str())
        .bind(to_secs(now))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        // An issue still going out does not reach a reader who has just left.
        drop_deliveries(&mut tx, email, "state = 'queued'", now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn search_subscribers(
        &self,
        query: &SubscriberQuery,
    ) -> Result<(Vec<Subscriber>, u64), StoreError> {
        let pattern = query.search.as_deref().map(|words| {
            let escaped = words
                .trim()
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        let filter =
            "($1 IS NULL OR status = $1) AND ($2 IS NULL OR LOWER(email) LIKE $2 ESCAPE '\\')";
        let total: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM subscribers WHERE {filter}"
        )))
        .bind(query.status.as_deref())
        .bind(pattern.as_deref())
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE {filter} \
             ORDER BY email LIMIT $3 OFFSET $4"
        )))
        .bind(query.status.as_deref())
        .bind(pattern.as_deref())
        .bind(i64::from(query.limit))
        .bind(i64::from(query.offset))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let found = rows.iter().map(subscriber).collect::<Result<_, _>>()?;
        Ok((found, total.max(0) as u64))
    }

    async fn erase_subscriber(
        &self,
        email: &Email,
        suppression: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writing().await?;
        let erased = sqlx::query("DELETE FROM subscribers WHERE email = $1")
            .bind(email.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected()
            == 1;
        if erased {
            drop_deliveries(&mut tx, email, "TRUE", now).await?;
            sqlx::query(
                "INSERT INTO suppressions (email_hash, created_at) VALUES ($1, $2) \
                 ON CONFLICT (email_hash) DO NOTHING",
            )
            .bind(suppression)
            .bind(to_secs(now))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(erased)
    }

    async fn lift_suppression(&self, suppression: &str) -> Result<(), StoreError> {
        let mut tx = self.writing().await?;
        sqlx::query("DELETE FROM suppressions WHERE email_hash = $1")
            .bind(suppression)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    async fn suppressed_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM suppressions")
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(n.max(0) as u64)
    }
}

/// Deletes the address's deliveries matching `which` (a constant condition, never input),
/// and settles the issues that were waiting only on them.
async fn drop_deliveries(
    conn: &mut crate::db::DbConn,
    email: &Email,
    which: &'static str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM deliveries WHERE email = $1 AND {which}"
    )))
    .bind(email.as_str())
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    crate::outbox::settle_issues(conn, now).await
}
