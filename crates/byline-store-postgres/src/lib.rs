//! Byline's multi-node store: PostgreSQL, behind [`byline_core::store::Store`].

mod accounts;
mod changes;
mod editorial;
mod listing;
mod load;
mod rows;
mod stories;
mod subscribers;
mod taxonomy;

use std::time::Duration;

use async_trait::async_trait;
use byline_core::store::{
    AdminQuery, AdminStoryRow, CardPage, ListQuery, NewSubscriber, SaveOutcome, SectionEdit, Store,
    StoreError, StoryInput, SubscribeOutcome, Subscriber,
};
use byline_core::{Author, Email, Section, Slug, Story, StoryCard, Tag};
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection, Postgres, Transaction};

/// The PostgreSQL implementation of the store.
#[derive(Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://…`) and applies pending migrations.
    /// The password, if the URL has one, never appears in an error.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let shown = redact(url);
        let options: PgConnectOptions = url
            .parse()
            .map_err(|e| StoreError::Unavailable(format!("{shown}: {e}")))?;
        // One connection first, so that an unreachable server or a refused login is reported
        // as such rather than as a pool that timed out.
        let probe = PgConnection::connect_with(&options)
            .await
            .map_err(|e| StoreError::Unavailable(format!("{shown}: {e}")))?;
        let _ = probe.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(format!("{shown}: {e}")))?;
        MIGRATIONS
            .run(&pool)
            .await
            .map_err(|e| StoreError::Unavailable(format!("migrating {shown}: {e}")))?;
        Ok(PgStore { pool })
    }
}

/// A database URL with its password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Every write transaction holds one cluster-wide lock until it ends, so writes apply one at
/// a time as they do on SQLite: the change log's ids are committed in order (a follower
/// reading "after id N" never skips a late commit) and read-then-write checks (revisions,
/// free slugs) need no retry loop. Newsroom writes are few; reads never take it.
/// See docs/decisions/0010-postgres-writes.md.
pub(crate) async fn writing(pool: &PgPool) -> Result<Transaction<'static, Postgres>, StoreError> {
    let mut tx = pool.begin().await.map_err(unavailable)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
    Ok(tx)
}

/// The advisory lock key of store writes ("BYLINE" in ASCII, as a number).
const WRITE_LOCK: i64 = 0x4259_4C49_4E45;

pub(crate) fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn save_story(&self, input: StoryInput) -> Result<SaveOutcome, StoreError> {
        stories::save(&self.pool, input).await
    }

    async fn story_by_slug(&self, slug: &Slug) -> Result<Option<Story>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(unavailable)?;
        load::public(&mut conn, load::Key::Slug(slug)).await
    }

    async fn list_cards(&self, query: &ListQuery) -> Result<CardPage, StoreError> {
        listing::cards(&self.pool, query).await
    }

    async fn picks(&self, now: DateTime<Utc>) -> Result<Vec<StoryCard>, StoreError> {
        listing::picks(&self.pool, now).await
    }

    async fn set_picks(&self, slugs: &[Slug]) -> Result<(), StoreError> {
        listing::set_picks(&self.pool, slugs).await
    }

    async fn sections(&self) -> Result<Vec<Section>, StoreError> {
        taxonomy::sections(&self.pool).await
    }

    async fn save_section(&self, edit: SectionEdit) -> Result<(), StoreError> {
        taxonomy::save_section(&self.pool, edit).await
    }

    async fn tags(&self) -> Result<Vec<(Tag, u64)>, StoreError> {
        taxonomy::tags(&self.pool).await
    }

    async fn rename_tag(&self, slug: &Slug, name: &str) -> Result<(), StoreError> {
        taxonomy::rename_tag(&self.pool, slug, name).await
    }

    async fn home_lead(&self, now: DateTime<Utc>) -> Result<Option<StoryCard>, StoreError> {
        listing::home_lead(&self.pool, now).await
    }

    async fn set_home_lead(&self, slug: Option<&Slug>) -> Result<(), StoreError> {
        listing::set_home_lead(&self.pool, slug).await
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

    async fn changes_since(&self, after: i64) -> Result<Vec<(i64, Vec<String>)>, StoreError> {
        changes::since(&self.pool, after).await
    }

    async fn last_change(&self) -> Result<i64, StoreError> {
        changes::last(&self.pool).await
    }

    async fn story_count(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stories")
            .fetch_one(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(count as u64)
    }

    async fn add_subscriber(
        &self,
        subscriber: NewSubscriber,
    ) -> Result<SubscribeOutcome, StoreError> {
        subscribers::add(&self.pool, subscriber).await
    }

    async fn find_subscriber(&self, email: &Email) -> Result<Option<Subscriber>, StoreError> {
        subscribers::find(&self.pool, email).await
    }
}
