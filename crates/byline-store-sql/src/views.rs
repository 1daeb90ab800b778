//! Readers' views per story and hour: batches added by every node, summed when read.

use async_trait::async_trait;
use byline_core::store::StoreError;
use byline_core::views::ViewStore;
use byline_core::{StoryCard, StoryId};
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use crate::failure::db_error;
use crate::rows::{self, PICTURE_COLUMNS, get, to_secs};

#[async_trait]
impl ViewStore for crate::SqlStore {
    async fn add_views(
        &self,
        hour: DateTime<Utc>,
        counts: &[(StoryId, u64)],
    ) -> Result<(), StoreError> {
        if counts.is_empty() {
            return Ok(());
        }
        let mut tx = self.writing().await?;
        for (story, views) in counts {
            // A story that is gone (or never was) takes no views; the batch still lands.
            sqlx::query(
                "INSERT INTO story_views (story_id, hour, views) \
                 SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM stories WHERE id = $1) \
                 ON CONFLICT (story_id, hour) DO UPDATE SET views = story_views.views + excluded.views",
            )
            .bind(story.0)
            .bind(to_secs(hour))
            .bind(i64::try_from(*views).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn most_read(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(StoryCard, u64)>, StoreError> {
        let sql = format!(
            "SELECT s.id, s.slug, s.headline, s.summary, s.published_at, {PICTURE_COLUMNS}, v.total \
             FROM (SELECT story_id, CAST(SUM(views) AS BIGINT) AS total FROM story_views WHERE hour >= $1 \
                   GROUP BY story_id) v \
             JOIN stories s ON s.id = v.story_id LEFT JOIN pictures p ON p.id = s.lead_picture_id \
             WHERE s.status = 'published' AND s.published_at <= $2 \
             ORDER BY v.total DESC, s.published_at DESC, s.id DESC LIMIT $3"
        );
        let found = sqlx::query(AssertSqlSafe(sql))
            .bind(to_secs(since))
            .bind(to_secs(now))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        found
            .iter()
            .map(|row| Ok((rows::card(row)?, total(row)?)))
            .collect()
    }

    async fn views_of(
        &self,
        ids: &[StoryId],
        since: DateTime<Utc>,
    ) -> Result<Vec<(StoryId, u64)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Only placeholders are formatted in; every id is bound.
        let marks: Vec<String> = (2..ids.len() + 2).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT story_id, CAST(SUM(views) AS BIGINT) AS total FROM story_views \
             WHERE hour >= $1 AND story_id IN ({}) GROUP BY story_id",
            marks.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(to_secs(since));
        for id in ids {
            query = query.bind(id.0);
        }
        let found = query.fetch_all(&self.pool).await.map_err(db_error)?;
        found
            .iter()
            .map(|row| Ok((StoryId(get(row, "story_id")?), total(row)?)))
            .collect()
    }

    async fn forget_views(&self, before: DateTime<Utc>) -> Result<(), StoreError> {
        let mut tx = self.writing().await?;
        sqlx::query("DELETE FROM story_views WHERE hour < $1")
            .bind(to_secs(before))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }
}

/// A summed view count.
fn total(row: &crate::db::DbRow) -> Result<u64, StoreError> {
    Ok(u64::try_from(get::<i64>(row, "total")?).unwrap_or(0))
}
