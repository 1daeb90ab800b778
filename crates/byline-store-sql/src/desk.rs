//! The newsletter desk: drafts, scheduled drafts released into the outbox once, the issues
//! sent, and the daily digest's one record per day.

use crate::failure::db_error;
use async_trait::async_trait;
use byline_core::newsletter::{
    Draft, DraftInput, IssueContent, IssueProgress, IssueSummary, NewsletterDesk, Undelivered,
};
use byline_core::store::StoreError;
use byline_core::{DraftId, IssueId};
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use crate::db::{DbConn, DbRow};
use crate::outbox::{progress_between, progress_of, queue_in};
use crate::rows::{from_secs, get, to_secs};

const DRAFT_COLUMNS: &str =
    "id, subject, intro, stories, author, updated_at, send_at, text_body, html_body";

fn draft(row: &DbRow) -> Result<Draft, StoreError> {
    let stories: String = get(row, "stories")?;
    let subject: String = get(row, "subject")?;
    let bodies: (Option<String>, Option<String>) = (get(row, "text_body")?, get(row, "html_body")?);
    let frozen = match bodies {
        (Some(text), Some(html)) => Some(IssueContent {
            subject: subject.clone(),
            text,
            html,
        }),
        _ => None,
    };
    Ok(Draft {
        frozen,
        id: DraftId(get(row, "id")?),
        input: DraftInput {
            subject,
            intro: get(row, "intro")?,
            stories: stories.lines().map(str::to_owned).collect(),
            author: get(row, "author")?,
        },
        updated_at: from_secs(get(row, "updated_at")?)?,
        send_at: get::<Option<i64>>(row, "send_at")?
            .map(from_secs)
            .transpose()?,
    })
}

/// Removes the draft and queues its issue, inside the caller's transaction; None when the
/// draft was already gone (sent by another click or node, or deleted).
async fn draft_to_issue(
    conn: &mut DbConn,
    id: i64,
    content: Option<&IssueContent>,
    now: DateTime<Utc>,
) -> Result<Option<(IssueId, u64)>, StoreError> {
    let taken: Option<(String, Option<String>, Option<String>, String)> = sqlx::query_as(
        "DELETE FROM newsletter_drafts WHERE id = $1 \
         RETURNING subject, text_body, html_body, author",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error)?;
    let Some((subject, text, html, author)) = taken else {
        return Ok(None);
    };
    let frozen;
    let content = match (content, text, html) {
        (Some(content), _, _) => content,
        (None, Some(text), Some(html)) => {
            frozen = IssueContent {
                subject,
                text,
                html,
            };
            &frozen
        }
        _ => return Err(StoreError::Defect(format!("draft {id} has no content"))),
    };
    queue_in(conn, content, &author, now).await.map(Some)
}

/// Runs one statement on draft `id` (a constant, never input) in a write transaction;
/// whether it changed the draft.
async fn change_draft(
    store: &crate::SqlStore,
    sql: &'static str,
    id: DraftId,
) -> Result<bool, StoreError> {
    let mut tx = store.writing().await?;
    let done = sqlx::query(sql)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(done.rows_affected() == 1)
}

const ISSUE_COLUMNS: &str = "id, subject, origin, state, created_at, sent_at";

fn summary(row: &DbRow, progress: IssueProgress) -> Result<IssueSummary, StoreError> {
    Ok(IssueSummary {
        id: IssueId(get(row, "id")?),
        subject: get(row, "subject")?,
        origin: get(row, "origin")?,
        state: get(row, "state")?,
        created_at: from_secs(get(row, "created_at")?)?,
        sent_at: get::<Option<i64>>(row, "sent_at")?
            .map(from_secs)
            .transpose()?,
        progress,
    })
}

#[async_trait]
impl NewsletterDesk for crate::SqlStore {
    async fn save_draft(
        &self,
        id: Option<DraftId>,
        input: &DraftInput,
        now: DateTime<Utc>,
    ) -> Result<Option<DraftId>, StoreError> {
        let mut tx = self.writing().await?;
        let Some(id) = id else {
            let id = insert_draft(&mut tx, input, now).await?;
            tx.commit().await.map_err(db_error)?;
            return Ok(Some(id));
        };
        // A change unschedules: what was frozen no longer matches.
        let saved: Option<i64> = sqlx::query_scalar(
            "UPDATE newsletter_drafts SET subject = $1, intro = $2, stories = $3, \
             author = $4, updated_at = $5, send_at = NULL, text_body = NULL, \
             html_body = NULL WHERE id = $6 RETURNING id",
        )
        .bind(&input.subject)
        .bind(&input.intro)
        .bind(input.stories.join("\n"))
        .bind(&input.author)
        .bind(to_secs(now))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(saved.map(DraftId))
    }

    async fn draft(&self, id: DraftId) -> Result<Option<Draft>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DRAFT_COLUMNS} FROM newsletter_drafts WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        row.as_ref().map(draft).transpose()
    }

    async fn drafts(&self) -> Result<Vec<Draft>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DRAFT_COLUMNS} FROM newsletter_drafts \
             ORDER BY send_at IS NULL, send_at, updated_at DESC, id DESC"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter().map(draft).collect()
    }

    async fn delete_draft(&self, id: DraftId) -> Result<bool, StoreError> {
        change_draft(self, "DELETE FROM newsletter_drafts WHERE id = $1", id).await
    }

    async fn schedule_draft(
        &self,
        id: DraftId,
        content: &IssueContent,
        send_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writing().await?;
        let done = sqlx::query(
            "UPDATE newsletter_drafts SET send_at = $2, subject = $3, text_body = $4, \
             html_body = $5 WHERE id = $1",
        )
        .bind(id.0)
        .bind(to_secs(send_at))
        .bind(&content.subject)
        .bind(&content.text)
        .bind(&content.html)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn unschedule_draft(&self, id: DraftId) -> Result<bool, StoreError> {
        change_draft(
            self,
            "UPDATE newsletter_drafts SET send_at = NULL, text_body = NULL, html_body = NULL \
             WHERE id = $1 AND send_at IS NOT NULL",
            id,
        )
        .await
    }

    async fn send_draft(
        &self,
        id: DraftId,
        content: &IssueContent,
        now: DateTime<Utc>,
    ) -> Result<Option<(IssueId, u64)>, StoreError> {
        let mut tx = self.writing().await?;
        let queued = draft_to_issue(&mut tx, id.0, Some(content), now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(queued)
    }

    async fn release_due_drafts(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(IssueId, u64)>, StoreError> {
        // Read first: the clock asks every few seconds, and mostly nothing is due, which
        // should not take the write lock.
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM newsletter_drafts WHERE send_at IS NOT NULL AND send_at <= $1 \
             ORDER BY send_at, id",
        )
        .bind(to_secs(now))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        // Another node may take some first: each is queued by whoever deletes it.
        let mut tx = self.writing().await?;
        let mut released = Vec::with_capacity(due.len());
        for id in due {
            released.extend(draft_to_issue(&mut tx, id, None, now).await?);
        }
        tx.commit().await.map_err(db_error)?;
        Ok(released)
    }

    async fn issues(&self, limit: u32) -> Result<Vec<IssueSummary>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ISSUE_COLUMNS} FROM newsletter_issues ORDER BY id DESC LIMIT $1"
        )))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        // The newest issues are a run of ids: their deliveries are counted in one query.
        let ids: Vec<i64> = rows
            .iter()
            .map(|row| get(row, "id"))
            .collect::<Result<_, _>>()?;
        let (Some(&last), Some(&first)) = (ids.first(), ids.last()) else {
            return Ok(Vec::new());
        };
        let progress = progress_between(&self.pool, first, last).await?;
        rows.iter()
            .zip(&ids)
            .map(|(row, id)| summary(row, progress.get(id).copied().unwrap_or_default()))
            .collect()
    }

    async fn issue(&self, id: IssueId) -> Result<Option<(IssueSummary, IssueContent)>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ISSUE_COLUMNS}, text_body, html_body FROM newsletter_issues WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let summary = summary(&row, progress_of(&self.pool, id.0).await?)?;
        let content = IssueContent {
            subject: summary.subject.clone(),
            text: get(&row, "text_body")?,
            html: get(&row, "html_body")?,
        };
        Ok(Some((summary, content)))
    }

    async fn queue_digest(
        &self,
        day: &str,
        content: Option<&IssueContent>,
        now: DateTime<Utc>,
    ) -> Result<Option<Option<(IssueId, u64)>>, StoreError> {
        let mut tx = self.writing().await?;
        // The day's row is claimed first: of two nodes, only one goes on.
        let claimed = sqlx::query(
            "INSERT INTO newsletter_digests (day, created_at) VALUES ($1, $2) \
             ON CONFLICT (day) DO NOTHING",
        )
        .bind(day)
        .bind(to_secs(now))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?
        .rows_affected()
            == 1;
        if !claimed {
            return Ok(None);
        }
        let queued = match content {
            Some(content) => {
                let queued = queue_in(&mut tx, content, "daily digest", now).await?;
                sqlx::query("UPDATE newsletter_digests SET issue_id = $2 WHERE day = $1")
                    .bind(day)
                    .bind(queued.0.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                Some(queued)
            }
            None => None,
        };
        tx.commit().await.map_err(db_error)?;
        Ok(Some(queued))
    }

    async fn undelivered(
        &self,
        issue: IssueId,
        limit: u32,
    ) -> Result<Vec<Undelivered>, StoreError> {
        let rows: Vec<(String, String, Option<String>, i64)> = sqlx::query_as(
            "SELECT email, state, last_error, attempts FROM deliveries \
             WHERE issue_id = $1 AND state IN ('failed', 'unknown') ORDER BY id LIMIT $2",
        )
        .bind(issue.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(email, state, error, attempts)| Undelivered {
                email,
                state,
                error,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            })
            .collect())
    }

    async fn requeue_unknown(&self, issue: IssueId, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.writing().await?;
        let requeued = sqlx::query(
            "UPDATE deliveries SET state = 'queued', next_at = $2, claimed_at = NULL, \
             last_error = NULL WHERE issue_id = $1 AND state = 'unknown'",
        )
        .bind(issue.0)
        .bind(to_secs(now))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?
        .rows_affected();
        if requeued > 0 {
            sqlx::query(
                "UPDATE newsletter_issues SET state = 'sending', sent_at = NULL WHERE id = $1",
            )
            .bind(issue.0)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(requeued)
    }

    async fn digest_done(&self, day: &str) -> Result<bool, StoreError> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT day FROM newsletter_digests WHERE day = $1")
                .bind(day)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error)?;
        Ok(found.is_some())
    }
}

/// Inserts a new newsletter draft on the caller's transaction.
pub(crate) async fn insert_draft(
    conn: &mut crate::db::DbConn,
    input: &DraftInput,
    now: DateTime<Utc>,
) -> Result<DraftId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO newsletter_drafts (subject, intro, stories, author, updated_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&input.subject)
    .bind(&input.intro)
    .bind(input.stories.join("\n"))
    .bind(&input.author)
    .bind(to_secs(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(DraftId(id))
}
