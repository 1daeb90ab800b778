//! The newsletter outbox: an issue queued as one delivery per active subscriber, each
//! delivery claimed, sent and marked in its own transactions.

use crate::failure::db_error;
use async_trait::async_trait;
use byline_core::Email;
use byline_core::newsletter::{
    Delivery, DeliveryOutcome, IssueContent, IssueProgress, OutboxStore, RetryLimits,
};
use byline_core::store::StoreError;
use byline_core::{DeliveryId, IssueId};
use chrono::{DateTime, Utc};

use crate::db::DbConn;
use crate::rows::{corrupt, to_secs};

/// Marks sent every issue with no delivery left queued or claimed.
pub(crate) async fn settle_issues(conn: &mut DbConn, now: DateTime<Utc>) -> Result<(), StoreError> {
    let settled: Vec<i64> = sqlx::query_scalar(
        "UPDATE newsletter_issues SET state = 'sent', sent_at = $1 WHERE state = 'sending' \
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.issue_id = newsletter_issues.id \
         AND d.state IN ('queued', 'claimed')) RETURNING id",
    )
    .bind(to_secs(now))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?;
    for issue in settled {
        let sent = byline_core::integrations::EventKind::NewsletterSent;
        crate::changes::event(&mut *conn, sent, issue, now).await?;
    }
    Ok(())
}

/// Freezes the issue and queues one delivery per active subscriber, inside the caller's
/// transaction; returns the issue's id and how many deliveries were queued.
pub(crate) async fn queue_in(
    conn: &mut DbConn,
    content: &IssueContent,
    origin: &str,
    now: DateTime<Utc>,
) -> Result<(IssueId, u64), StoreError> {
    let issue: i64 = sqlx::query_scalar(
        "INSERT INTO newsletter_issues (subject, text_body, html_body, origin, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&content.subject)
    .bind(&content.text)
    .bind(&content.html)
    .bind(origin)
    .bind(to_secs(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error)?;
    let queued = sqlx::query(
        "INSERT INTO deliveries (issue_id, email, next_at) \
         SELECT $1, email, $2 FROM subscribers WHERE status = 'active' ORDER BY id",
    )
    .bind(issue)
    .bind(to_secs(now))
    .execute(&mut *conn)
    .await
    .map_err(db_error)?
    .rows_affected();
    // An issue with no one to send to is done at once.
    settle_issues(conn, now).await?;
    Ok((IssueId(issue), queued))
}

#[async_trait]
impl OutboxStore for crate::SqlStore {
    async fn queue_issue(
        &self,
        content: &IssueContent,
        origin: &str,
        now: DateTime<Utc>,
    ) -> Result<(IssueId, u64), StoreError> {
        let mut tx = self.writing().await?;
        let queued = queue_in(&mut tx, content, origin, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(queued)
    }

    async fn claim_delivery(
        &self,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Result<Option<Delivery>, StoreError> {
        let mut tx = self.writing().await?;
        let lease = i64::try_from(lease.as_secs()).unwrap_or(i64::MAX / 2);
        sqlx::query(
            "UPDATE deliveries SET state = 'unknown', \
             last_error = 'the sender stopped before recording the outcome' \
             WHERE state = 'claimed' AND claimed_at < $1",
        )
        .bind(to_secs(now).saturating_sub(lease))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        // A swept delivery may have been its issue's last outstanding one.
        settle_issues(&mut tx, now).await?;
        let due: Option<(i64, i64, String, i64, String, String, String)> = sqlx::query_as(
            "SELECT d.id, d.issue_id, d.email, d.attempts, i.subject, i.text_body, i.html_body \
             FROM deliveries d JOIN newsletter_issues i ON i.id = d.issue_id \
             WHERE d.state = 'queued' AND d.next_at <= $1 ORDER BY d.next_at, d.id LIMIT 1",
        )
        .bind(to_secs(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let Some((id, issue, email, attempts, subject, text, html)) = due else {
            tx.commit().await.map_err(db_error)?;
            return Ok(None);
        };
        sqlx::query(
            "UPDATE deliveries SET state = 'claimed', claimed_at = $2, attempts = attempts + 1 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(to_secs(now))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(Some(Delivery {
            id: DeliveryId(id),
            issue: IssueId(issue),
            email: Email::parse(&email).map_err(corrupt)?,
            content: IssueContent {
                subject,
                text,
                html,
            },
            attempts: u32::try_from(attempts + 1).unwrap_or(u32::MAX),
        }))
    }

    async fn finish_delivery(
        &self,
        delivery: &Delivery,
        outcome: DeliveryOutcome,
        now: DateTime<Utc>,
        limits: RetryLimits,
    ) -> Result<(), StoreError> {
        let mut tx = self.writing().await?;
        let email = delivery.email.as_str();
        let run = |sql: &'static str| sqlx::query(sql);
        match &outcome {
            DeliveryOutcome::Sent => {
                run("UPDATE deliveries SET state = 'sent', sent_at = $2, last_error = NULL WHERE id = $1")
                    .bind(delivery.id.0)
                    .bind(to_secs(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                run("UPDATE subscribers SET bounces = 0 WHERE email = $1")
                    .bind(email)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
            DeliveryOutcome::Refused(why) => {
                run("UPDATE deliveries SET state = 'failed', last_error = $2 WHERE id = $1")
                    .bind(delivery.id.0)
                    .bind(why)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                run("UPDATE subscribers SET bounces = bounces + 1, \
                     status = CASE WHEN bounces + 1 >= $2 THEN 'bounced' ELSE status END \
                     WHERE email = $1")
                .bind(email)
                .bind(i64::from(limits.bounce_limit.max(1)))
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
            DeliveryOutcome::Deferred(why) => {
                // Back off 1, 4, 9, … times `retry_after`; give up after the last try.
                let attempts = i64::from(delivery.attempts);
                let base = i64::try_from(limits.retry_after.as_secs().max(1)).unwrap_or(60);
                let state = if delivery.attempts >= limits.max_attempts {
                    "failed"
                } else {
                    "queued"
                };
                run(
                    "UPDATE deliveries SET state = $2, last_error = $3, next_at = $4 WHERE id = $1",
                )
                .bind(delivery.id.0)
                .bind(state)
                .bind(why)
                .bind(to_secs(now) + base * attempts * attempts)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
        }
        settle_issues(&mut tx, now).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn issue_progress(&self, issue: IssueId) -> Result<IssueProgress, StoreError> {
        progress_of(&self.pool, issue.0).await
    }
}

/// An issue's deliveries counted by state.
pub(crate) async fn progress_of(
    pool: &crate::db::DbPool,
    issue: i64,
) -> Result<IssueProgress, StoreError> {
    let counted = progress_between(pool, issue, issue).await?;
    Ok(counted.get(&issue).copied().unwrap_or_default())
}

/// The deliveries of every issue from `first` to `last` (ids) counted by state, in one query.
pub(crate) async fn progress_between(
    pool: &crate::db::DbPool,
    first: i64,
    last: i64,
) -> Result<std::collections::HashMap<i64, IssueProgress>, StoreError> {
    let counts: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT issue_id, state, COUNT(*) FROM deliveries \
         WHERE issue_id BETWEEN $1 AND $2 GROUP BY issue_id, state",
    )
    .bind(first)
    .bind(last)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    let mut progress = std::collections::HashMap::<i64, IssueProgress>::new();
    for (issue, state, n) in counts {
        let of = progress.entry(issue).or_default();
        let n = n.max(0) as u64;
        match state.as_str() {
            "queued" => of.queued = n,
            "claimed" => of.claimed = n,
            "sent" => of.sent = n,
            "unknown" => of.unknown = n,
            "failed" => of.failed = n,
            other => return Err(corrupt(format!("delivery state {other}"))),
        }
    }
    Ok(progress)
}
