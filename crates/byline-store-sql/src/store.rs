//! The [`Store`] contract over the SQL modules beside this one, for whichever backend
//! compiles them (`crate::SqlStore`).

use crate::failure::db_error;
use std::time::Duration;

use async_trait::async_trait;
use byline_core::archive::TableRows;
use byline_core::store::{
    AdminQuery, AdminStoryRow, CardPage, ListQuery, NewSubscriber, PoolUse, SaveOutcome,
    SectionEdit, Store, StoreError, StoryInput, SubscribeOutcome, Subscriber,
};
use byline_core::{Author, Email, Section, Slug, Story, StoryCard, Tag};
use chrono::{DateTime, Utc};

use crate::{bulk, changes, listing, load, stories, subscribers, taxonomy};

#[async_trait]
impl Store for crate::SqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        sqlx::query(self.dialect.refresh_statistics())
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn save_story(&self, input: StoryInput) -> Result<SaveOutcome, StoreError> {
        stories::save(self, input).await
    }

    async fn save_stories(
        &self,
        inputs: Vec<StoryInput>,
    ) -> Result<Vec<Result<SaveOutcome, StoreError>>, StoreError> {
        bulk::save_all(self, inputs).await
    }

    async fn story_by_slug(&self, slug: &Slug) -> Result<Option<Story>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        load::public(&mut conn, load::Key::Slug(slug)).await
    }

    async fn list_cards(&self, query: &ListQuery) -> Result<CardPage, StoreError> {
        listing::cards(&self.pool, query).await
    }

    async fn picks(&self, now: DateTime<Utc>) -> Result<Vec<StoryCard>, StoreError> {
        listing::picks(&self.pool, now).await
    }

    async fn set_picks(&self, slugs: &[Slug], now: DateTime<Utc>) -> Result<(), StoreError> {
        listing::set_picks(self, slugs, now).await
    }

    async fn sections(&self) -> Result<Vec<Section>, StoreError> {
        taxonomy::sections(&self.pool).await
    }

    async fn save_section(&self, edit: SectionEdit, now: DateTime<Utc>) -> Result<(), StoreError> {
        taxonomy::save_section(self, edit, now).await
    }

    async fn tags(&self) -> Result<Vec<(Tag, u64)>, StoreError> {
        taxonomy::tags(&self.pool).await
    }

    async fn rename_tag(
        &self,
        slug: &Slug,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        taxonomy::rename_tag(self, slug, name, now).await
    }

    async fn home_lead(&self, now: DateTime<Utc>) -> Result<Option<StoryCard>, StoreError> {
        listing::home_lead(&self.pool, now).await
    }

    async fn set_home_lead(
        &self,
        slug: Option<&Slug>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        listing::set_home_lead(self, slug, now).await
    }

    async fn section(&self, slug: &Slug) -> Result<Option<Section>, StoreError> {
        taxonomy::section(&self.pool, slug).await
    }

    async fn tag(&self, slug: &Slug) -> Result<Option<Tag>, StoreError> {
        taxonomy::tag(&self.pool, slug).await
    }

    async fn author(&self, slug: &Slug) -> Result<Option<Author>, StoreError> {
        taxonomy::author(&self.pool, slug).await
    }

    async fn admin_stories(
        &self,
        query: &AdminQuery,
    ) -> Result<(Vec<AdminStoryRow>, bool), StoreError> {
        listing::admin_stories(&self.pool, query).await
    }

    async fn changes_since(
        &self,
        after: byline_core::ChangeId,
    ) -> Result<Vec<(byline_core::ChangeId, Vec<byline_core::changes::CacheKey>)>, StoreError> {
        changes::since(&self.pool, after).await
    }

    async fn last_change(&self) -> Result<byline_core::ChangeId, StoreError> {
        changes::last(&self.pool).await
    }

    async fn wait_for_changes(&self, within: Duration) {
        self.dialect.wait_for_changes(within).await;
    }

    async fn story_count(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stories")
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(count as u64)
    }

    async fn set_author_bio(
        &self,
        slug: &Slug,
        bio: &str,
        keep_existing: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        taxonomy::set_author_bio(self, slug, bio, keep_existing, now).await
    }

    async fn pages(&self) -> Result<Vec<byline_core::pages::PageEntry>, StoreError> {
        crate::pages::pages(&self.pool).await
    }

    async fn menus(&self) -> Result<Vec<byline_core::menus::Menu>, StoreError> {
        crate::pages::menus(&self.pool).await
    }

    async fn save_menu(
        &self,
        menu: &byline_core::menus::Menu,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        crate::pages::save_menu(self, menu, now).await
    }

    async fn delete_menu(&self, slug: &Slug, now: DateTime<Utc>) -> Result<(), StoreError> {
        crate::pages::delete_menu(self, slug, now).await
    }

    async fn dump_site(&self) -> Result<Vec<TableRows>, StoreError> {
        crate::archive::dump(&self.pool).await
    }

    async fn restore_site(&self, tables: &[TableRows]) -> Result<(), StoreError> {
        crate::archive::restore(self, tables).await
    }

    async fn pending_jobs(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM jobs WHERE state = 'pending') \
             + (SELECT COUNT(*) FROM rendition_jobs WHERE state = 'pending')",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(count as u64)
    }

    fn connections(&self) -> PoolUse {
        PoolUse {
            open: self.pool.size(),
            idle: self.pool.num_idle() as u32,
        }
    }

    async fn add_subscriber(
        &self,
        subscriber: NewSubscriber,
    ) -> Result<SubscribeOutcome, StoreError> {
        subscribers::add(self, subscriber).await
    }

    async fn find_subscriber(&self, email: &Email) -> Result<Option<Subscriber>, StoreError> {
        subscribers::find(&self.pool, email).await
    }
}
