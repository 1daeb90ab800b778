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

/// Points `addresses` at `destination`, replacing where they led before.
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
             story_id = excluded.story_id, slug = excluded.slug",
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

    async fn old_address(&self, key: &str) -> Result<Option<Found>, StoreError> {
        let row = sqlx::query(
            "SELECT a.kind, a.slug, s.slug AS story_slug FROM old_addresses a \
             LEFT JOIN stories s ON s.id = a.story_id WHERE a.address = $1",
        )
        .bind(key)
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
