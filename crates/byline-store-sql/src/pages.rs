//! The site's pages as one list, and its menus (each kept whole in the editors' line format).

use byline_core::changes::CacheKey;
use byline_core::menus::{Menu, MenuLocation, format_items, parse_items};
use byline_core::pages::PageEntry;
use byline_core::store::StoreError;
use byline_core::{Slug, Status, StoryId};
use chrono::{DateTime, Utc};

use crate::db::DbPool;
use crate::failure::db_error;
use crate::rows::{self, from_secs, get, to_secs};

pub(crate) async fn pages(pool: &DbPool) -> Result<Vec<PageEntry>, StoreError> {
    let found = sqlx::query(
        "SELECT id, slug, headline, parent_id, position, status, published_at, updated_at \
         FROM stories WHERE kind = 'page' ORDER BY position, id",
    )
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    found
        .iter()
        .map(|row| {
            let status: String = get(row, "status")?;
            Ok(PageEntry {
                id: StoryId(get(row, "id")?),
                slug: rows::slug(row, "slug")?,
                title: get(row, "headline")?,
                parent: get::<Option<i64>>(row, "parent_id")?.map(StoryId),
                position: get(row, "position")?,
                status: Status::parse(&status)
                    .ok_or_else(|| rows::corrupt(format!("status {status}")))?,
                published_at: get::<Option<i64>>(row, "published_at")?
                    .map(from_secs)
                    .transpose()?,
                updated_at: from_secs(get(row, "updated_at")?)?,
            })
        })
        .collect()
}

pub(crate) async fn menus(pool: &DbPool) -> Result<Vec<Menu>, StoreError> {
    let found = sqlx::query("SELECT slug, name, location, items FROM menus ORDER BY name, slug")
        .fetch_all(pool)
        .await
        .map_err(db_error)?;
    found
        .iter()
        .map(|row| {
            let slug = rows::slug(row, "slug")?;
            let location: Option<String> = get(row, "location")?;
            let items: String = get(row, "items")?;
            Ok(Menu {
                location: location
                    .map(|l| {
                        MenuLocation::parse(&l)
                            .ok_or_else(|| rows::corrupt(format!("menu location {l}")))
                    })
                    .transpose()?,
                items: parse_items(&items)
                    .map_err(|e| rows::corrupt(format!("menu {slug}: {e}")))?,
                name: get(row, "name")?,
                slug,
            })
        })
        .collect()
}

pub(crate) async fn save_menu(
    store: &crate::SqlStore,
    menu: &Menu,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.writing().await?;
    let location = menu.location.map(MenuLocation::as_str);
    if let Some(location) = location {
        sqlx::query("UPDATE menus SET location = NULL WHERE location = $1 AND slug <> $2")
            .bind(location)
            .bind(menu.slug.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
    }
    sqlx::query(
        "INSERT INTO menus (slug, name, location, items, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (slug) DO UPDATE SET name = excluded.name, location = excluded.location, \
         items = excluded.items, updated_at = excluded.updated_at",
    )
    .bind(menu.slug.as_str())
    .bind(&menu.name)
    .bind(location)
    .bind(format_items(&menu.items))
    .bind(to_secs(now))
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    crate::changes::record(&mut tx, &[CacheKey::Site], now).await?;
    tx.commit().await.map_err(db_error)
}

pub(crate) async fn delete_menu(
    store: &crate::SqlStore,
    slug: &Slug,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.writing().await?;
    let gone = sqlx::query("DELETE FROM menus WHERE slug = $1")
        .bind(slug.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    if gone.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("menu {slug}")));
    }
    crate::changes::record(&mut tx, &[CacheKey::Site], now).await?;
    tx.commit().await.map_err(db_error)
}
