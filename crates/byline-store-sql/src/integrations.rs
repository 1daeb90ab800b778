//! API tokens, idempotent creates, the event log and webhook deliveries.

use async_trait::async_trait;
use byline_core::accounts::UserId;
use byline_core::editorial::{PreviewLink, StoryFields};
use byline_core::integrations::{
    AttemptResult, CreatedOnce, DeliveryState, Event, EventKind, HookKind, IntegrationStore,
    NewToken, NewWebhook, Once, PublicQuery, TokenHolder, TokenRecord, Webhook, WebhookDelivery,
};
use byline_core::newsletter::DraftInput;
use byline_core::store::StoreError;
use byline_core::{
    Author, DraftId, EventId, Story, StoryId, Tag, TokenId, WebhookDeliveryId, WebhookId,
};
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use crate::db::DbRow;
use crate::failure::db_error;
use crate::idempotency::{recall, remember};
use crate::rows::{corrupt, from_secs, get, to_secs};
use crate::{load, taxonomy};

pub(crate) fn conflict_on_unique(what: String) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what),
        other => db_error(other),
    }
}

fn kinds_text(kinds: &[EventKind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    names.join(" ")
}

fn kinds(text: &str) -> Vec<EventKind> {
    text.split(' ').filter_map(EventKind::parse).collect()
}

fn event_kind(row: &DbRow, column: &str) -> Result<EventKind, StoreError> {
    let text: String = get(row, column)?;
    EventKind::parse(&text).ok_or_else(|| corrupt(format!("event kind {text}")))
}

pub(crate) fn opt_time(row: &DbRow, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    get::<Option<i64>>(row, column)?.map(from_secs).transpose()
}

pub(crate) fn role(text: Option<String>) -> Result<Option<byline_core::access::Role>, StoreError> {
    text.map(|r| byline_core::access::Role::parse(&r).ok_or_else(|| corrupt(format!("role {r}"))))
        .transpose()
}

fn hook_kind(row: &DbRow) -> Result<HookKind, StoreError> {
    let kind: String = get(row, "hook_kind")?;
    HookKind::parse(&kind).ok_or_else(|| corrupt(format!("webhook kind {kind}")))
}

const DELIVERY_COLUMNS: &str = "d.id, d.webhook_id, w.name AS webhook_name, w.kind AS hook_kind, d.event_id, e.kind, \
     w.url, w.secret, w.allow_private, d.payload, d.state, d.attempts, d.next_at, \
     d.last_status, d.last_error, d.delivered_at, d.created_at, d.claimed_until";

fn delivery(row: &DbRow) -> Result<WebhookDelivery, StoreError> {
    let state: String = get(row, "state")?;
    Ok(WebhookDelivery {
        id: WebhookDeliveryId(get(row, "id")?),
        webhook: WebhookId(get(row, "webhook_id")?),
        webhook_name: get(row, "webhook_name")?,
        hook_kind: hook_kind(row)?,
        event: EventId(get(row, "event_id")?),
        kind: event_kind(row, "kind")?,
        url: get(row, "url")?,
        secret: get(row, "secret")?,
        allow_private: get::<i64>(row, "allow_private")? != 0,
        payload: get(row, "payload")?,
        state: DeliveryState::parse(&state).ok_or_else(|| corrupt(format!("state {state}")))?,
        attempts: u32::try_from(get::<i64>(row, "attempts")?).unwrap_or(u32::MAX),
        next_at: from_secs(get(row, "next_at")?)?,
        last_status: get::<Option<i64>>(row, "last_status")?.and_then(|s| u16::try_from(s).ok()),
        last_error: get(row, "last_error")?,
        delivered_at: opt_time(row, "delivered_at")?,
        created_at: from_secs(get(row, "created_at")?)?,
        claimed_until: opt_time(row, "claimed_until")?,
    })
}

#[async_trait]
impl IntegrationStore for crate::SqlStore {
    async fn add_token(&self, token: NewToken) -> Result<TokenId, StoreError> {
        crate::tokens::add_token(self, token).await
    }

    async fn token_holder(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TokenHolder>, StoreError> {
        crate::tokens::token_holder(self, hash, now).await
    }

    async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        crate::tokens::tokens(self).await
    }

    async fn revoke_token(&self, name: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        crate::tokens::revoke_token(self, name, now).await
    }

    async fn create_draft_once(
        &self,
        fields: StoryFields,
        user: UserId,
        preview: &PreviewLink,
        now: DateTime<Utc>,
        once: &Once,
    ) -> Result<CreatedOnce<StoryId>, StoreError> {
        let mut tx = self.writing().await?;
        if let Some(before) = recall(&mut tx, once, "story").await? {
            return Ok(before.map(StoryId));
        }
        let id = crate::editorial::insert_draft(&mut tx, &fields, user, preview, now).await?;
        remember(&mut tx, once, "story", id.0, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(CreatedOnce::Created(id))
    }

    async fn create_newsletter_draft_once(
        &self,
        input: &DraftInput,
        now: DateTime<Utc>,
        once: &Once,
    ) -> Result<CreatedOnce<DraftId>, StoreError> {
        let mut tx = self.writing().await?;
        if let Some(before) = recall(&mut tx, once, "newsletter_draft").await? {
            return Ok(before.map(DraftId));
        }
        let id = crate::desk::insert_draft(&mut tx, input, now).await?;
        remember(&mut tx, once, "newsletter_draft", id.0, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(CreatedOnce::Created(id))
    }

    async fn public_stories(&self, query: &PublicQuery) -> Result<(Vec<Story>, bool), StoreError> {
        let ids = crate::listing::public_ids(&self.pool, query).await?;
        let has_more = ids.len() > query.limit as usize;
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        let page = &ids[..ids.len().min(query.limit as usize)];
        // A story changed between the two reads is shown as it is now, or left out when it
        // is no longer public.
        let stories = load::many(&mut conn, page)
            .await?
            .into_iter()
            .map(|(story, _)| story)
            .filter(|story| story.is_public_at(query.now))
            .collect();
        Ok((stories, has_more))
    }

    async fn public_tags(&self, now: DateTime<Utc>) -> Result<Vec<(Tag, u64)>, StoreError> {
        let sql = crate::calendar::filed_counts("t.slug, t.name", "tags t", "story_tags", "tag_id");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(to_secs(now))
            .bind(crate::calendar::next_month(now))
            .bind("tag")
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|row| Ok((taxonomy::tag_row(row)?, get::<i64>(row, "n")? as u64)))
            .collect()
    }

    async fn public_authors(&self, now: DateTime<Utc>) -> Result<Vec<(Author, u64)>, StoreError> {
        let sql = crate::calendar::filed_counts(
            "t.id, t.slug, t.name, t.bio",
            "authors t",
            "story_authors",
            "author_id",
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(to_secs(now))
            .bind(crate::calendar::next_month(now))
            .bind("author")
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|row| Ok((taxonomy::author_row(row)?, get::<i64>(row, "n")? as u64)))
            .collect()
    }

    async fn story_by_id(&self, id: StoryId) -> Result<Option<Story>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        load::public(&mut conn, load::Key::Id(id)).await
    }

    async fn add_webhook(&self, hook: NewWebhook) -> Result<WebhookId, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO webhooks (name, url, events, secret, allow_private, created_at, kind) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&hook.name)
        .bind(&hook.url)
        .bind(kinds_text(&hook.events))
        .bind(&hook.secret)
        .bind(i64::from(hook.allow_private))
        .bind(to_secs(hook.now))
        .bind(hook.kind.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(conflict_on_unique(format!(
            "a webhook named {} exists",
            hook.name
        )))?;
        Ok(WebhookId(id))
    }

    async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, kind AS hook_kind, url, events, secret, allow_private, created_at \
             FROM webhooks ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                Ok(Webhook {
                    id: WebhookId(get(row, "id")?),
                    name: get(row, "name")?,
                    kind: hook_kind(row)?,
                    url: get(row, "url")?,
                    events: kinds(&get::<String>(row, "events")?),
                    secret: get(row, "secret")?,
                    allow_private: get::<i64>(row, "allow_private")? != 0,
                    created_at: from_secs(get(row, "created_at")?)?,
                })
            })
            .collect()
    }

    async fn remove_webhook(&self, name: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM webhooks WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn pending_events(&self, limit: u32) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, subject, at FROM events WHERE fanned_out = 0 ORDER BY id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                Ok(Event {
                    id: EventId(get(row, "id")?),
                    kind: event_kind(row, "kind")?,
                    subject: get(row, "subject")?,
                    at: from_secs(get(row, "at")?)?,
                })
            })
            .collect()
    }

    async fn fan_out_unwanted(&self, events: &[EventId]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut tx = self.writing().await?;
        for event in events {
            sqlx::query("UPDATE events SET fanned_out = 1 WHERE id = $1 AND fanned_out = 0")
                .bind(event.0)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn skip_events_nobody_wants(&self, limit: u32) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE events SET fanned_out = 1 WHERE id IN \
             (SELECT id FROM events WHERE fanned_out = 0 ORDER BY id LIMIT $1) \
             AND NOT EXISTS (SELECT 1 FROM webhooks)",
        )
        .bind(i64::from(limit))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected())
    }

    async fn fan_out(
        &self,
        event: EventId,
        deliveries: &[(WebhookId, String)],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writing().await?;
        let claimed =
            sqlx::query("UPDATE events SET fanned_out = 1 WHERE id = $1 AND fanned_out = 0")
                .bind(event.0)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        if claimed.rows_affected() == 0 {
            return Ok(false);
        }
        for (hook, payload) in deliveries {
            // A webhook removed since the event was read gets nothing.
            sqlx::query(
                "INSERT INTO webhook_deliveries (webhook_id, event_id, payload, next_at, created_at) \
                 SELECT id, $2, $3, $4, $4 FROM webhooks WHERE id = $1",
            )
            .bind(hook.0)
            .bind(event.0)
            .bind(payload)
            .bind(to_secs(now))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(true)
    }

    async fn claim_webhook_delivery(
        &self,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Result<Option<WebhookDelivery>, StoreError> {
        let lease = i64::try_from(lease.as_secs()).unwrap_or(i64::MAX / 2);
        let mut tx = self.writing().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY next_at, id LIMIT 1",
        )
        .bind(to_secs(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let Some(id) = id else { return Ok(None) };
        sqlx::query(
            "UPDATE webhook_deliveries SET claimed_until = $2, attempts = attempts + 1 WHERE id = $1",
        )
        .bind(id)
        .bind(to_secs(now).saturating_add(lease))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
             JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = d.event_id \
             WHERE d.id = $1"
        ));
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        delivery(&row).map(Some)
    }

    async fn finish_webhook_delivery(
        &self,
        delivery: &WebhookDelivery,
        result: AttemptResult,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let lease = delivery.claimed_until.map(to_secs);
        let query = match &result {
            AttemptResult::Delivered { status } => sqlx::query(
                "UPDATE webhook_deliveries SET state = 'delivered', delivered_at = $3, \
                 last_status = $4, last_error = NULL, claimed_until = NULL \
                 WHERE id = $1 AND claimed_until = $2",
            )
            .bind(delivery.id.0)
            .bind(lease)
            .bind(to_secs(now))
            .bind(i64::from(*status)),
            AttemptResult::Failed {
                status,
                error,
                retry_at,
            } => sqlx::query(
                "UPDATE webhook_deliveries SET state = $3, next_at = $4, last_status = $5, \
                 last_error = $6, claimed_until = NULL WHERE id = $1 AND claimed_until = $2",
            )
            .bind(delivery.id.0)
            .bind(lease)
            .bind(if retry_at.is_some() {
                "pending"
            } else {
                "failed"
            })
            .bind(to_secs(retry_at.unwrap_or(now)))
            .bind(status.map(i64::from))
            .bind(error.chars().take(500).collect::<String>()),
        };
        let done = query.execute(&self.pool).await.map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn webhook_deliveries(&self, limit: u32) -> Result<Vec<WebhookDelivery>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
             JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = d.event_id \
             ORDER BY d.id DESC LIMIT $1"
        ));
        let rows = sqlx::query(sql)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        rows.iter().map(delivery).collect()
    }

    async fn resend_webhook_delivery(
        &self,
        id: WebhookDeliveryId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET state = 'pending', next_at = $2, attempts = 0, \
             claimed_until = NULL WHERE id = $1 AND (claimed_until IS NULL OR claimed_until <= $2)",
        )
        .bind(id.0)
        .bind(to_secs(now))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn prune_integrations(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.writing().await?;
        let mut gone = 0;
        for sql in [
            "DELETE FROM webhook_deliveries WHERE state IN ('delivered', 'failed') \
             AND created_at < $1",
            "DELETE FROM events WHERE fanned_out = 1 AND at < $1 AND NOT EXISTS \
             (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = events.id)",
            "DELETE FROM idempotency_keys WHERE created_at < $1",
        ] {
            let done = sqlx::query(sql)
                .bind(to_secs(before))
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            gone += done.rows_affected();
        }
        tx.commit().await.map_err(db_error)?;
        Ok(gone)
    }

    async fn next_webhook_delivery(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(next_at) FROM webhook_deliveries WHERE state = 'pending'",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        next.map(from_secs).transpose()
    }
}
