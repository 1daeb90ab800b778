//! The change log: what each write touched on the public site, for caches to follow.

use crate::db::{DbConn, DbPool};
use crate::failure::db_error;
use byline_core::ChangeId;
use byline_core::changes::CacheKey;
use byline_core::integrations::EventKind;
use byline_core::store::StoreError;
use chrono::{DateTime, Utc};

use crate::rows::to_secs;

/// The keys a change to one story touches when it was or is public.
pub(crate) fn story_keys(id: i64) -> Vec<CacheKey> {
    CacheKey::of_story(byline_core::StoryId(id))
}

/// The keys a change to a story the public cannot see touches: its own, which no public page
/// depends on but the search index follows (the newsroom searches stories in every status).
pub(crate) fn unseen_story_keys(id: i64) -> Vec<CacheKey> {
    vec![CacheKey::Story(byline_core::StoryId(id))]
}

/// The keys a change to a story touches, whether or not it was or is public.
pub(crate) fn keys_of_story(id: i64, public: bool) -> Vec<CacheKey> {
    if public {
        story_keys(id)
    } else {
        unseen_story_keys(id)
    }
}

/// Appends a change made at `now` on the caller's transaction; nothing is written for no keys.
pub(crate) async fn record(
    conn: &mut DbConn,
    keys: &[CacheKey],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    let text: Vec<String> = keys.iter().map(CacheKey::to_string).collect();
    sqlx::query("INSERT INTO changes (keys, at) VALUES ($1, $2)")
        .bind(text.join(" "))
        .bind(to_secs(now))
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    // PostgreSQL tells other nodes of the commit by a trigger on `changes` (its migration
    // 0007); SQLite's readers poll the log.
    Ok(())
}

/// Appends an event for the webhooks on the caller's transaction, so that it is recorded if
/// and only if the change is.
pub(crate) async fn event(
    conn: &mut DbConn,
    kind: EventKind,
    subject: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO events (kind, subject, at) VALUES ($1, $2, $3)")
        .bind(kind.as_str())
        .bind(subject)
        .bind(to_secs(now))
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Appends the event of a story whose visibility to readers went from `was_public` to
/// `is_public` (published, updated or unpublished), if any.
pub(crate) async fn story_event(
    conn: &mut DbConn,
    story: i64,
    was_public: bool,
    is_public: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match EventKind::of_story(was_public, is_public) {
        Some(kind) => event(conn, kind, story, now).await,
        None => Ok(()),
    }
}

/// Whether a story with this status and time is public at `now`.
pub(crate) fn public(status: &str, published_at: Option<i64>, now: DateTime<Utc>) -> bool {
    status == "published" && published_at.is_some_and(|t| t <= to_secs(now))
}

pub(crate) async fn since(
    pool: &DbPool,
    after: ChangeId,
) -> Result<Vec<(ChangeId, Vec<CacheKey>)>, StoreError> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, keys FROM changes WHERE id > $1 ORDER BY id LIMIT 10000")
            .bind(after.0)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
    Ok(rows
        .into_iter()
        .map(|(id, keys)| (ChangeId(id), keys.split(' ').map(CacheKey::parse).collect()))
        .collect())
}

pub(crate) async fn last(pool: &DbPool) -> Result<ChangeId, StoreError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM changes")
        .fetch_one(pool)
        .await
        .map_err(db_error)?;
    Ok(ChangeId(id.unwrap_or(0)))
}
