//! Redirects: old addresses of imported content and addresses set by hand (`old_addresses`),
//! kept with the story they lead to in its save's transaction, or on their own; looked up when
//! an address matches no page; listed with the redirects slug changes leave (`slug_redirects`,
//! written when a published story moves to a new slug).

use async_trait::async_trait;
use byline_core::Slug;
use byline_core::editorial::EditorStory;
use byline_core::redirects::{
    Destination, Found, HandRedirect, OldAddress, Origin, Redirect, RedirectQuery, RedirectStore,
};
use byline_core::store::StoreError;
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use crate::db::{DbConn, DbRow};
use crate::failure::db_error;
use crate::rows::{self, get, to_secs};

/// Points `addresses` at their destinations. An address that leads to another published story
/// keeps leading there: a later item (a copy, a draft) never takes a live story's address; nor
/// does an import take an address an editor set by hand (setting one by hand first removes
/// what the address led to).
pub(crate) async fn keep(
    conn: &mut DbConn,
    addresses: &[OldAddress],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for old in addresses {
        let (story_id, slug, target) = match &old.destination {
            Destination::Story(id) => (Some(id.0), None, None),
            Destination::Section(slug) | Destination::Tag(slug) | Destination::Author(slug) => {
                (None, Some(slug.as_str()), None)
            }
            Destination::Url(url) => (None, None, Some(url.as_str())),
        };
        sqlx::query(
            "INSERT INTO old_addresses (address, kind, story_id, slug, target, created_at) \
             VALUES ($1, $2, $3, $4, $6, $5) \
             ON CONFLICT (address) DO UPDATE SET kind = excluded.kind, \
             story_id = excluded.story_id, slug = excluded.slug, target = excluded.target \
             WHERE old_addresses.kind <> 'url' AND (old_addresses.story_id IS NULL \
             OR old_addresses.story_id = excluded.story_id \
             OR NOT EXISTS (SELECT 1 FROM stories p WHERE p.id = old_addresses.story_id \
                            AND p.status = 'published'))",
        )
        .bind(&old.address)
        .bind(old.destination.kind())
        .bind(story_id)
        .bind(slug)
        .bind(to_secs(now))
        .bind(target)
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
            "SELECT a.kind, a.slug, a.target, s.slug AS story_slug, s.kind AS story_kind \
             FROM old_addresses a \
             LEFT JOIN stories s ON s.id = a.story_id AND s.status = 'published' \
                                 AND s.published_at <= $2 \
             WHERE a.address = $1 AND ( \
               a.kind = 'url' OR (a.kind = 'story' AND s.id IS NOT NULL) \
               OR (a.kind = 'section' AND EXISTS (SELECT 1 FROM sections x WHERE x.slug = a.slug)) \
               OR (a.kind = 'tag' AND EXISTS (SELECT 1 FROM tags x WHERE x.slug = a.slug)) \
               OR (a.kind = 'author' AND EXISTS (SELECT 1 FROM authors x WHERE x.slug = a.slug)))",
        )
        .bind(key)
        .bind(to_secs(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        row.map(|row| leads_to(&row, key)).transpose()
    }

    async fn redirects(
        &self,
        query: &RedirectQuery,
        now: DateTime<Utc>,
    ) -> Result<Vec<Redirect>, StoreError> {
        let containing = query
            .containing
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(crate::listing::like_pattern);
        // Each side reads only its first page (the old addresses by their key), then the two
        // pages are merged; every value is bound.
        let (imported, slug_changes) = (imported_sql(PAGE_FILTER), slug_changes_sql(PAGE_FILTER));
        let sql = format!(
            "SELECT * FROM ({imported} ORDER BY address LIMIT $4) one UNION ALL \
             SELECT * FROM ({slug_changes} ORDER BY address LIMIT $4) two \
             ORDER BY address LIMIT $4"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(to_secs(now))
            .bind(query.after.as_deref())
            .bind(containing)
            .bind(i64::from(query.limit.clamp(1, 1000)))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        rows.iter().map(redirect).collect()
    }

    async fn redirect_at(
        &self,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Redirect>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(imported_sql("address = $2")))
            .bind(to_secs(now))
            .bind(address)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        let row = match (row, address.strip_prefix("/story/")) {
            (Some(row), _) => Some(row),
            (None, Some(old_slug)) => sqlx::query(AssertSqlSafe(slug_changes_sql("old_slug = $2")))
                .bind(to_secs(now))
                .bind(old_slug)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error)?,
            (None, None) => None,
        };
        row.as_ref().map(redirect).transpose()
    }

    async fn set_redirects(
        &self,
        redirects: &[HandRedirect],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writing().await?;
        let kept: Vec<OldAddress> = redirects
            .iter()
            .map(|r| OldAddress {
                address: r.address.clone(),
                destination: Destination::Url(r.target.clone()),
            })
            .collect();
        for old in &kept {
            // Set by hand, so it replaces whatever the address led to.
            forget_address(&mut tx, &old.address).await?;
        }
        keep(&mut tx, &kept, now).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn remove_redirect(&self, address: &str) -> Result<bool, StoreError> {
        let mut tx = self.writing().await?;
        let removed = forget_address(&mut tx, address).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(removed > 0)
    }
}

/// Moves a story to `new` slug; a published story's old URL is kept as a redirect.
pub(crate) async fn move_slug(
    conn: &mut DbConn,
    story: &EditorStory,
    new: &Slug,
) -> Result<(), StoreError> {
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM stories WHERE slug = $1 AND id <> $2")
            .bind(new.as_str())
            .bind(story.id.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!(
            "the slug {new} is taken by another story"
        )));
    }
    sqlx::query("DELETE FROM slug_redirects WHERE old_slug = $1")
        .bind(new.as_str())
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    if story.first_published_at.is_some() {
        sqlx::query(
            "INSERT INTO slug_redirects (old_slug, story_id) VALUES ($1, $2) \
             ON CONFLICT (old_slug) DO UPDATE SET story_id = excluded.story_id",
        )
        .bind(story.slug.as_str())
        .bind(story.id.0)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
        // The old slug is followed to the story before any other redirect: one kept at the
        // same address by an import or an editor would only show twice in the list.
        let address = format!("/story/{}", story.slug);
        sqlx::query("DELETE FROM old_addresses WHERE address = $1")
            .bind(address)
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

/// The filter of a page of the list: after `$2`, containing `$3` (a LIKE pattern).
const PAGE_FILTER: &str =
    "($2 IS NULL OR address > $2) AND ($3 IS NULL OR lower(address) LIKE lower($3) ESCAPE '\\')";

/// The columns of a list row, the same on both sides.
const LIST_COLUMNS: &str = "address, kind, slug, target, story_slug, story_kind, followed";

/// The old addresses as list rows (`$1` is now), filtered by `filter`.
fn imported_sql(filter: &str) -> String {
    format!(
        "SELECT {LIST_COLUMNS} FROM (SELECT a.address, a.kind, a.slug, a.target, \
           s.slug AS story_slug, s.kind AS story_kind, \
           CAST(CASE WHEN a.kind = 'url' THEN 1 \
             WHEN a.kind = 'story' AND s.status = 'published' AND s.published_at <= $1 THEN 1 \
             WHEN a.kind = 'section' AND EXISTS (SELECT 1 FROM sections x WHERE x.slug = a.slug) THEN 1 \
             WHEN a.kind = 'tag' AND EXISTS (SELECT 1 FROM tags x WHERE x.slug = a.slug) THEN 1 \
             WHEN a.kind = 'author' AND EXISTS (SELECT 1 FROM authors x WHERE x.slug = a.slug) THEN 1 \
             ELSE 0 END AS BIGINT) AS followed \
         FROM old_addresses a LEFT JOIN stories s ON s.id = a.story_id) a WHERE {filter}"
    )
}

/// The redirects slug changes left as list rows (`$1` is now), filtered by `filter`.
fn slug_changes_sql(filter: &str) -> String {
    format!(
        "SELECT {LIST_COLUMNS} FROM (SELECT '/story/' || r.old_slug AS address, r.old_slug, \
           'slug' AS kind, CAST(NULL AS TEXT) AS slug, CAST(NULL AS TEXT) AS target, \
           s.slug AS story_slug, s.kind AS story_kind, \
           CAST(CASE WHEN s.status = 'published' AND s.published_at <= $1 THEN 1 ELSE 0 END \
             AS BIGINT) AS followed \
         FROM slug_redirects r JOIN stories s ON s.id = r.story_id) r WHERE {filter}"
    )
}

/// Removes what `address` led to before: a redirect kept by an import or set by hand, and the
/// one a slug change left there; how many rows went.
pub(crate) async fn forget_address(conn: &mut DbConn, address: &str) -> Result<u64, StoreError> {
    let kept = sqlx::query("DELETE FROM old_addresses WHERE address = $1")
        .bind(address)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?
        .rows_affected();
    Ok(kept + forget_slug_change(conn, address).await?)
}

/// Removes the redirect a slug change left at `address`, if any; how many rows went.
async fn forget_slug_change(conn: &mut DbConn, address: &str) -> Result<u64, StoreError> {
    let Some(old_slug) = address.strip_prefix("/story/") else {
        return Ok(0);
    };
    let done = sqlx::query("DELETE FROM slug_redirects WHERE old_slug = $1")
        .bind(old_slug)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(done.rows_affected())
}

/// Where a row of `old_addresses` (or of the list) leads.
fn leads_to(row: &DbRow, key: &str) -> Result<Found, StoreError> {
    let kind: String = get(row, "kind")?;
    Ok(match kind.as_str() {
        "story" | "slug" => {
            let slug = rows::slug(row, "story_slug")?;
            match get::<Option<String>>(row, "story_kind")?.as_deref() {
                Some("page") => Found::Page(slug),
                _ => Found::Story(slug),
            }
        }
        "section" => Found::Section(rows::slug(row, "slug")?),
        "tag" => Found::Tag(rows::slug(row, "slug")?),
        "author" => Found::Author(rows::slug(row, "slug")?),
        "url" => Found::Url(get(row, "target")?),
        other => {
            return Err(rows::corrupt(format!(
                "old address {key:?} leads to a {other}"
            )));
        }
    })
}

/// One row of the list.
fn redirect(row: &DbRow) -> Result<Redirect, StoreError> {
    let address: String = get(row, "address")?;
    let kind: String = get(row, "kind")?;
    let origin = match kind.as_str() {
        "slug" => Origin::SlugChange,
        "url" => Origin::ByHand,
        _ => Origin::Import,
    };
    Ok(Redirect {
        leads_to: leads_to(row, &address)?,
        origin,
        followed: get::<i64>(row, "followed")? != 0,
        address,
    })
}
