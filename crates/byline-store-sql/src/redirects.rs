//! Old addresses of imported content (`old_addresses`): kept with the story they lead to in
//! its save's transaction, or on their own for sections, tags and authors; looked up when an
//! address matches no page.

use async_trait::async_trait;
use byline_core::redirects::{Destination, Found, OldAddress, RedirectStore};
use byline_core::store::StoreError;
use chrono::{DateTime, Utc};

use crate::db::DbConn;
use crate::failure::db_error;
use crate::rows::{self, get, to_secs};

/// Points `addresses` at their destinations. An address that leads to another published story
/// keeps leading there: a later item (a copy, a draft) never takes a live story's address.
pub(crate) async fn keep(
    conn: &mut DbConn,
    addresses: &[OldAddress],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for old in addresses {
        let (story_id, slug) = match &old.destination {
            Destination::Story(id) => (Some(id.0), None),
            Destination::Section(slug) | Destination::Tag(slug) | Destination::Author(slug) => {
                (None, Some(slug.as_str()))
            }
        };
        sqlx::query(
            "INSERT INTO old_addresses (address, kind, story_id, slug, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (address) DO UPDATE SET kind = excluded.kind, \
             story_id = excluded.story_id, slug = excluded.slug \
             WHERE old_addresses.story_id IS NULL OR old_addresses.story_id = excluded.story_id \
             OR NOT EXISTS (SELECT 1 FROM stories p WHERE p.id = old_addresses.story_id \
                            AND p.status = 'published')",
        )
        .bind(&old.address)
        .bind(old.destination.kind())
        .bind(story_id)
        .bind(slug)
        .bind(to_secs(now))
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

#[async_trait]
impl RedirectStore for crate::SqlStore {
    async fn keep_old_addresses(
        &self,
        addresses: &[OldAddress],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if addresses.is_empty() {
            return Ok(());
        }
        let mut tx = self.writing().await?;
        keep(&mut tx, addresses, now).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn old_address(
        &self,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Found>, StoreError> {
        // One query: a story only while it is public, the others only while they exist.
        let row = sqlx::query(
            "SELECT a.kind, a.slug, s.slug AS story_slug FROM old_addresses a \
             LEFT JOIN stories s ON s.id = a.story_id AND s.status = 'published' \
                                 AND s.published_at <= $2 \
             WHERE a.address = $1 AND ( \
               (a.kind = 'story' AND s.id IS NOT NULL) \
               OR (a.kind = 'section' AND EXISTS (SELECT 1 FROM sections x WHERE x.slug = a.slug)) \
               OR (a.kind = 'tag' AND EXISTS (SELECT 1 FROM tags x WHERE x.slug = a.slug)) \
               OR (a.kind = 'author' AND EXISTS (SELECT 1 FROM authors x WHERE x.slug = a.slug)))",
        )
        .bind(key)
        .bind(to_secs(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        let Some(row) = row else { return Ok(None) };
        let kind: String = get(&row, "kind")?;
        Ok(Some(match kind.as_str() {
            "story" => Found::Story(rows::slug(&row, "story_slug")?),
            "section" => Found::Section(rows::slug(&row, "slug")?),
            "tag" => Found::Tag(rows::slug(&row, "slug")?),
            "author" => Found::Author(rows::slug(&row, "slug")?),
            other => {
                return Err(rows::corrupt(format!(
                    "old address {key:?} leads to a {other}"
                )));
            }
        }))
    }
}
