//! The search index's reads: whole stories in any status, in id order or by id, and the
//! stories filed under a section, tag or author.

use async_trait::async_trait;
use byline_core::StoryId;
use byline_core::search::{SearchSource, Searchable};
use byline_core::store::{Listing, StoreError};

use crate::failure::db_error;
use crate::load;

#[async_trait]
impl SearchSource for crate::SqlStore {
    async fn stories_after(
        &self,
        after: StoryId,
        limit: u32,
    ) -> Result<Vec<Searchable>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM stories WHERE id > $1 AND kind = 'story' ORDER BY id LIMIT $2",
        )
        .bind(after.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let ids: Vec<StoryId> = ids.into_iter().map(StoryId).collect();
        self.stories_by_id(&ids).await
    }

    async fn stories_by_id(&self, ids: &[StoryId]) -> Result<Vec<Searchable>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        load::searchable(&mut conn, ids).await
    }

    async fn story_ids_filed(&self, listing: &Listing) -> Result<Vec<StoryId>, StoreError> {
        let query = match listing {
            Listing::All => {
                sqlx::query_scalar("SELECT id FROM stories WHERE kind = 'story' ORDER BY id")
            }
            Listing::Section(slug) => sqlx::query_scalar(
                "SELECT s.id FROM stories s JOIN sections n ON n.id = s.section_id \
                 WHERE n.slug = $1 ORDER BY s.id",
            )
            .bind(slug.as_str().to_owned()),
            Listing::Tag(slug) => sqlx::query_scalar(
                "SELECT l.story_id FROM story_tags l JOIN tags n ON n.id = l.tag_id \
                 WHERE n.slug = $1 ORDER BY l.story_id",
            )
            .bind(slug.as_str().to_owned()),
            Listing::Author(slug) => sqlx::query_scalar(
                "SELECT l.story_id FROM story_authors l JOIN authors n ON n.id = l.author_id \
                 WHERE n.slug = $1 ORDER BY l.story_id",
            )
            .bind(slug.as_str().to_owned()),
        };
        let ids: Vec<i64> = query.fetch_all(&self.pool).await.map_err(db_error)?;
        Ok(ids.into_iter().map(StoryId).collect())
    }
}
