//! Public listings (home, section, tag, author pages and the rails) and the editor's picks.

use crate::failure::db_error;
use byline_core::changes::CacheKey;
use byline_core::store::{
    AdminOrder, AdminQuery, AdminStoryRow, CardPage, ListQuery, Listing, StoreError,
};
use byline_core::{Slug, Status, StoryCard, StoryId};
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use crate::db::DbPool;

use crate::rows::{self, PICTURE_COLUMNS};

/// Where a listing's stories (`s`) are read from, in the listing's order. The whole site and
/// sections read the stories under their own indexes; a tag or author reads its links (`f`),
/// which carry their story's publication time while it is public, under an index by name and
/// time, so any page of it is a range of that index. Only fixed fragments are joined into SQL;
/// the slug is always bound as `$2`.
pub(crate) struct ListingSource<'a> {
    /// The tables after `FROM`.
    pub from: &'static str,
    /// Further conditions, each after `AND`.
    pub filter: String,
    /// The publication time the listing is ordered by, then its story id.
    pub time: &'static str,
    pub id: &'static str,
    pub slug: Option<&'a str>,
}

impl<'a> ListingSource<'a> {
    pub(crate) fn of(listing: &'a Listing) -> Self {
        // Pages are stories of another kind that no listing shows.
        let stories = |filter: &str, slug| ListingSource {
            from: "stories s",
            filter: format!("AND s.kind = 'story' {filter}"),
            time: "s.published_at",
            id: "s.id",
            slug,
        };
        let links = |from, name: &str, names: &str, slug: &'a Slug| ListingSource {
            from,
            filter: format!(
                "AND s.id = f.story_id AND f.listed_at IS NOT NULL AND s.kind = 'story' \
                 AND f.{name} = (SELECT id FROM {names} WHERE slug = $2)"
            ),
            time: "f.listed_at",
            id: "f.story_id",
            slug: Some(slug.as_str()),
        };
        match listing {
            Listing::All => stories("", None),
            Listing::Section(slug) => stories(
                "AND s.section_id = (SELECT id FROM sections WHERE slug = $2)",
                Some(slug.as_str()),
            ),
            Listing::Tag(slug) => {
                links("story_tags f CROSS JOIN stories s", "tag_id", "tags", slug)
            }
            Listing::Author(slug) => links(
                "story_authors f CROSS JOIN stories s",
                "author_id",
                "authors",
                slug,
            ),
        }
    }
}

pub(crate) async fn cards(pool: &DbPool, query: &ListQuery) -> Result<CardPage, StoreError> {
    let ListingSource {
        from,
        filter,
        time,
        id,
        slug,
    } = ListingSource::of(&query.listing);
    let sql = format!(
        "SELECT s.id, s.slug, s.headline, s.summary, s.published_at, {PICTURE_COLUMNS} \
         FROM {from} LEFT JOIN pictures p ON p.id = s.lead_picture_id \
         WHERE s.status = 'published' AND {time} <= $1 {filter} \
         ORDER BY {time} DESC, {id} DESC LIMIT $3 OFFSET $4"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(rows::to_secs(query.now))
        .bind(slug)
        .bind(i64::from(query.limit) + 1)
        .bind(i64::from(query.offset))
        .fetch_all(pool)
        .await
        .map_err(db_error)?;
    let mut cards = rows.iter().map(rows::card).collect::<Result<Vec<_>, _>>()?;
    let has_more = cards.len() > query.limit as usize;
    cards.truncate(query.limit as usize);
    Ok(CardPage { cards, has_more })
}

/// The ids of a page of the Content API's stories, one more than the page holds when more
/// follow. Found by their position (keyset), however deep the page.
pub(crate) async fn public_ids(
    pool: &DbPool,
    query: &byline_core::integrations::PublicQuery,
) -> Result<Vec<StoryId>, StoreError> {
    let ListingSource {
        from,
        filter,
        time,
        id,
        slug,
    } = ListingSource::of(&query.listing);
    let (order, position) = if query.changed_since.is_some() {
        (
            "s.updated_at ASC, s.id ASC".to_owned(),
            "AND s.updated_at >= $5 AND (s.updated_at > $3 OR (s.updated_at = $3 AND s.id > $4))"
                .to_owned(),
        )
    } else {
        (
            format!("{time} DESC, {id} DESC"),
            format!("AND ({time} < $3 OR ({time} = $3 AND {id} < $4))"),
        )
    };
    // Without a cursor the walk starts at the bound it already has (the time asked for, or
    // the newest), so whichever condition the planner takes its index range from is tight.
    let (after_time, after_id) = match (query.after, query.changed_since) {
        (Some(after), _) => (rows::to_secs(after.time), after.id.0),
        (None, Some(since)) => (rows::to_secs(since), i64::MIN),
        (None, None) => (i64::MAX, i64::MAX),
    };
    let sql = format!(
        "SELECT s.id FROM {from} WHERE s.status = 'published' AND {time} <= $1 \
         {filter} {position} ORDER BY {order} LIMIT $6"
    );
    // Newest first after a story, nothing later than it can follow: the bound says so, so the
    // index range starts at the story whichever condition the planner takes it from.
    let upto = match (query.after, query.changed_since) {
        (Some(after), None) => query.now.min(after.time),
        _ => query.now,
    };
    let ids: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(rows::to_secs(upto))
        .bind(slug)
        .bind(after_time)
        .bind(after_id)
        .bind(query.changed_since.map_or(i64::MIN, rows::to_secs))
        .bind(i64::from(query.limit) + 1)
        .fetch_all(pool)
        .await
        .map_err(db_error)?;
    Ok(ids.into_iter().map(StoryId).collect())
}

pub(crate) async fn picks(pool: &DbPool, now: DateTime<Utc>) -> Result<Vec<StoryCard>, StoreError> {
    let sql = format!(
        "SELECT s.id, s.slug, s.headline, s.summary, s.published_at, {PICTURE_COLUMNS} \
         FROM picks k CROSS JOIN stories s LEFT JOIN pictures p ON p.id = s.lead_picture_id \
         WHERE s.id = k.story_id AND s.status = 'published' AND s.published_at <= $1 \
         ORDER BY k.position"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(rows::to_secs(now))
        .fetch_all(pool)
        .await
        .map_err(db_error)?;
    rows.iter().map(rows::card).collect()
}

pub(crate) async fn set_picks(
    store: &crate::SqlStore,
    slugs: &[Slug],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.writing().await?;
    sqlx::query("DELETE FROM picks")
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    for (position, slug) in slugs.iter().enumerate() {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM stories WHERE slug = $1 AND kind = 'story'")
                .bind(slug.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
        let id = id.ok_or_else(|| StoreError::NotFound(format!("no story has the slug {slug}")))?;
        sqlx::query("INSERT INTO picks (position, story_id) VALUES ($1, $2)")
            .bind(position as i64)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    StoreError::Conflict(format!("{slug} is picked twice"))
                }
                other => db_error(other),
            })?;
    }
    crate::changes::record(&mut tx, &[CacheKey::Rails], now).await?;
    tx.commit().await.map_err(db_error)
}

/// `%` and `_` matched literally in a LIKE pattern (compared lower-cased on both sides).
pub(crate) fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub(crate) async fn admin_stories(
    pool: &DbPool,
    query: &AdminQuery,
) -> Result<(Vec<AdminStoryRow>, bool), StoreError> {
    // The ORDER BY is one of four fixed fragments; every filter value is bound.
    let order = match query.order {
        AdminOrder::Changed => "s.updated_at DESC, s.id DESC",
        AdminOrder::PublicationSoonest => "s.published_at IS NULL, s.published_at ASC, s.id",
        AdminOrder::PublicationLatest => "s.published_at IS NULL, s.published_at DESC, s.id DESC",
        AdminOrder::Headline => "lower(s.headline), s.id",
    };
    let sql = format!(
        "SELECT s.id, s.slug, s.headline, s.status, s.published_at, s.updated_at FROM stories s \
         WHERE s.kind = 'story' AND ($1 IS NULL OR s.status = $1) \
         AND ($2 IS NULL OR s.section_id = (SELECT id FROM sections WHERE slug = $2)) \
         AND ($3 IS NULL OR EXISTS (SELECT 1 FROM story_authors sa JOIN authors a ON a.id = sa.author_id \
              WHERE sa.story_id = s.id AND lower(a.name) LIKE lower($3) ESCAPE '\\')) \
         AND ($4 IS NULL OR lower(s.headline) LIKE lower($4) ESCAPE '\\' OR lower(s.standfirst) LIKE lower($4) ESCAPE '\\') \
         AND ($7 IS NULL OR s.created_by = $7 OR s.status = 'published') \
         ORDER BY {order} LIMIT $5 OFFSET $6"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(query.status.map(Status::as_str))
        .bind(query.section.as_ref().map(|s| s.as_str().to_owned()))
        .bind(query.author.as_deref().map(like_pattern))
        .bind(query.text.as_deref().map(like_pattern))
        .bind(i64::from(query.limit) + 1)
        .bind(i64::from(query.offset))
        .bind(query.own_or_public.map(|user| user.0))
        .fetch_all(pool)
        .await
        .map_err(db_error)?;
    let limit = query.limit;
    let mut stories = rows
        .iter()
        .map(|row| {
            let status: String = rows::get(row, "status")?;
            Ok(AdminStoryRow {
                id: StoryId(rows::get(row, "id")?),
                slug: rows::slug(row, "slug")?,
                headline: rows::headline(row)?,
                status: Status::parse(&status)
                    .ok_or_else(|| rows::corrupt(format!("status {status}")))?,
                published_at: rows::get::<Option<i64>>(row, "published_at")?
                    .map(rows::from_secs)
                    .transpose()?,
                updated_at: rows::from_secs(rows::get(row, "updated_at")?)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let more = stories.len() > limit as usize;
    stories.truncate(limit as usize);
    Ok((stories, more))
}

/// The settings key of the front page's chosen lead.
const HOME_LEAD: &str = "home_lead_story";

pub(crate) async fn home_lead(
    pool: &DbPool,
    now: DateTime<Utc>,
) -> Result<Option<StoryCard>, StoreError> {
    let sql = format!(
        "SELECT s.id, s.slug, s.headline, s.summary, s.published_at, {PICTURE_COLUMNS} \
         FROM settings k JOIN stories s ON s.id = CAST(k.value AS BIGINT) \
         LEFT JOIN pictures p ON p.id = s.lead_picture_id \
         WHERE k.key = $1 AND s.status = 'published' AND s.published_at <= $2"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(HOME_LEAD)
        .bind(rows::to_secs(now))
        .fetch_optional(pool)
        .await
        .map_err(db_error)?;
    row.as_ref().map(rows::card).transpose()
}

pub(crate) async fn set_home_lead(
    store: &crate::SqlStore,
    slug: Option<&Slug>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.writing().await?;
    match slug {
        None => {
            sqlx::query("DELETE FROM settings WHERE key = $1")
                .bind(HOME_LEAD)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        Some(slug) => {
            let id: Option<i64> =
                sqlx::query_scalar("SELECT id FROM stories WHERE slug = $1 AND kind = 'story'")
                    .bind(slug.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
            let id =
                id.ok_or_else(|| StoreError::NotFound(format!("no story has the slug {slug}")))?;
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(HOME_LEAD)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
    }
    crate::changes::record(&mut tx, &[CacheKey::Home], now).await?;
    tx.commit().await.map_err(db_error)
}
