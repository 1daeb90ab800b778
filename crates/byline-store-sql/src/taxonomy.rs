//! Sections, tags and authors: looked up by slug, created on first use by a story.

use crate::db::DbRow;
use crate::failure::db_error;
use byline_core::changes::CacheKey;
use byline_core::store::{SectionEdit, SectionRef, StoreError};
use byline_core::{Author, AuthorId, Section, SectionId, Slug, Tag};
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use crate::db::{DbConn, DbPool};

use crate::rows::{self, get};

/// The three name tables share one shape: `id`, `slug`, `name`.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Section,
    Tag,
    Author,
}

impl Kind {
    pub(crate) fn table(self) -> &'static str {
        match self {
            Kind::Section => "sections",
            Kind::Tag => "tags",
            Kind::Author => "authors",
        }
    }

    /// The table linking stories to names of this kind, and its column for the name.
    pub(crate) fn links(self) -> Result<(&'static str, &'static str), StoreError> {
        match self {
            Kind::Tag => Ok(("story_tags", "tag_id")),
            Kind::Author => Ok(("story_authors", "author_id")),
            Kind::Section => Err(StoreError::Defect("sections are not linked by name".into())),
        }
    }
}

/// The id of the named row, inserting it when the slug is new (an existing name is kept).
pub(crate) async fn ensure(
    conn: &mut DbConn,
    kind: Kind,
    slug: &Slug,
    name: &str,
) -> Result<i64, StoreError> {
    let table = kind.table();
    // `table` is one of three fixed names; the values are bound.
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO {table} (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING"
    )))
    .bind(slug.as_str())
    .bind(name)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT id FROM {table} WHERE slug = $1"
    )))
    .bind(slug.as_str())
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error)
}

/// The section's id, creating it and the sections above it that are missing. A section is
/// placed under the one named only when it is created here: one that exists stays where the
/// newsroom put it (at the top level too). A new section is in every page's navigation.
pub(crate) async fn ensure_section(
    conn: &mut DbConn,
    section: &SectionRef,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let mut parent: Option<i64> = None;
    let mut created = false;
    for named in section.lineage().into_iter().rev() {
        let inserted = sqlx::query(
            "INSERT INTO sections (slug, name, parent_id) VALUES ($1, $2, $3) \
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(named.slug.as_str())
        .bind(&named.name)
        .bind(parent)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
        created |= inserted.rows_affected() == 1;
        let id: i64 = sqlx::query_scalar("SELECT id FROM sections WHERE slug = $1")
            .bind(named.slug.as_str())
            .fetch_one(&mut *conn)
            .await
            .map_err(db_error)?;
        parent = Some(id);
    }
    if created {
        crate::changes::record(conn, &[CacheKey::Site], now).await?;
    }
    parent.ok_or_else(|| StoreError::Defect("a section with no lineage".into()))
}

/// Whether putting section `id` under `parent` would close a loop: the walk up from `parent`
/// meets `id` (the walk ends, as every id is visited once).
async fn would_loop(conn: &mut DbConn, id: i64, parent: i64) -> Result<bool, StoreError> {
    let met: i64 = sqlx::query_scalar(
        "WITH RECURSIVE up(id) AS (SELECT CAST($1 AS BIGINT) \
         UNION SELECT s.parent_id FROM sections s JOIN up ON s.id = up.id \
         WHERE s.parent_id IS NOT NULL) SELECT count(*) FROM up WHERE up.id = $2",
    )
    .bind(parent)
    .bind(id)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(met > 0)
}

async fn by_slug(pool: &DbPool, kind: Kind, slug: &Slug) -> Result<Option<DbRow>, StoreError> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT * FROM {} WHERE slug = $1",
        kind.table()
    )))
    .bind(slug.as_str())
    .fetch_optional(pool)
    .await
    .map_err(db_error)
}

pub(crate) fn section_row(row: &DbRow) -> Result<Section, StoreError> {
    Ok(Section {
        id: SectionId(get(row, "id")?),
        slug: rows::slug(row, "slug")?,
        name: get(row, "name")?,
        description: get(row, "description")?,
        position: get(row, "position")?,
        parent: get::<Option<i64>>(row, "parent_id")?.map(SectionId),
    })
}

/// A section joined into a story row as `sec_id`, `sec_slug`, `sec_name`.
pub(crate) fn section_row_prefixed(row: &DbRow) -> Result<Section, StoreError> {
    Ok(Section {
        id: SectionId(get(row, "sec_id")?),
        slug: rows::slug(row, "sec_slug")?,
        name: get(row, "sec_name")?,
        description: get(row, "sec_description")?,
        position: get(row, "sec_position")?,
        parent: get::<Option<i64>>(row, "sec_parent_id")?.map(SectionId),
    })
}

pub(crate) fn author_row(row: &DbRow) -> Result<Author, StoreError> {
    Ok(Author {
        id: AuthorId(get(row, "id")?),
        slug: rows::slug(row, "slug")?,
        name: get(row, "name")?,
        bio: get(row, "bio")?,
    })
}

pub(crate) fn tag_row(row: &DbRow) -> Result<Tag, StoreError> {
    Ok(Tag {
        slug: rows::slug(row, "slug")?,
        name: get(row, "name")?,
    })
}

pub(crate) async fn sections(pool: &DbPool) -> Result<Vec<Section>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, slug, name, description, position, parent_id FROM sections \
         ORDER BY position, name",
    )
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(section_row).collect()
}

pub(crate) async fn section(pool: &DbPool, slug: &Slug) -> Result<Option<Section>, StoreError> {
    by_slug(pool, Kind::Section, slug)
        .await?
        .as_ref()
        .map(section_row)
        .transpose()
}

pub(crate) async fn tag(pool: &DbPool, slug: &Slug) -> Result<Option<Tag>, StoreError> {
    by_slug(pool, Kind::Tag, slug)
        .await?
        .as_ref()
        .map(tag_row)
        .transpose()
}

pub(crate) async fn author(pool: &DbPool, slug: &Slug) -> Result<Option<Author>, StoreError> {
    by_slug(pool, Kind::Author, slug)
        .await?
        .as_ref()
        .map(author_row)
        .transpose()
}

pub(crate) async fn save_section(
    store: &crate::SqlStore,
    edit: SectionEdit,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.writing().await?;
    if let (Some(id), Some(parent)) = (edit.id, edit.parent)
        && would_loop(&mut tx, id.0, parent.0).await?
    {
        return Err(StoreError::Invalid(
            "a section cannot sit under itself or one of its own subsections".into(),
        ));
    }
    let result = match edit.id {
        Some(id) => {
            sqlx::query("UPDATE sections SET slug = $2, name = $3, description = $4, position = $5, parent_id = $6 WHERE id = $1")
                .bind(id.0)
                .bind(edit.slug.as_str())
                .bind(&edit.name)
                .bind(&edit.description)
                .bind(edit.position)
                .bind(edit.parent.map(|p| p.0))
                .execute(&mut *tx)
                .await
        }
        None => {
            sqlx::query("INSERT INTO sections (slug, name, description, position, parent_id) VALUES ($1, $2, $3, $4, $5)")
                .bind(edit.slug.as_str())
                .bind(&edit.name)
                .bind(&edit.description)
                .bind(edit.position)
                .bind(edit.parent.map(|p| p.0))
                .execute(&mut *tx)
                .await
        }
    };
    match result {
        Ok(done) if done.rows_affected() == 1 => {}
        Ok(_) => return Err(StoreError::NotFound("that section".into())),
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            return Err(StoreError::Conflict(format!(
                "the slug {} is used by another section",
                edit.slug
            )));
        }
        Err(e) => return Err(db_error(e)),
    }
    // Section names and order are in every page's navigation; the section's own key tells
    // the search index which stories to read again.
    let keys = [
        CacheKey::Site,
        CacheKey::Lists,
        CacheKey::Section(edit.slug.clone()),
    ];
    crate::changes::record(&mut tx, &keys, now).await?;
    tx.commit().await.map_err(db_error)
}

pub(crate) async fn tags(pool: &DbPool) -> Result<Vec<(Tag, u64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.slug, t.name, COUNT(st.story_id) AS uses FROM tags t \
         LEFT JOIN story_tags st ON st.tag_id = t.id GROUP BY t.id ORDER BY lower(t.name)",
    )
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|row| Ok((tag_row(row)?, get::<i64>(row, "uses")? as u64)))
        .collect()
}

pub(crate) async fn set_author_bio(
    store: &crate::SqlStore,
    slug: &Slug,
    bio: &str,
    keep_existing: bool,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = store.writing().await?;
    let found: Option<String> = sqlx::query_scalar("SELECT bio FROM authors WHERE slug = $1")
        .bind(slug.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
    let Some(current) = found else {
        return Err(StoreError::NotFound(format!("no author {slug}")));
    };
    if current == bio || (keep_existing && !current.is_empty()) {
        return Ok(false);
    }
    sqlx::query("UPDATE authors SET bio = $2 WHERE slug = $1")
        .bind(slug.as_str())
        .bind(bio)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    // The bio shows on the author's own page only.
    crate::changes::record(&mut tx, &[CacheKey::Author(slug.clone())], now).await?;
    tx.commit().await.map_err(db_error)?;
    Ok(true)
}

pub(crate) async fn rename_tag(
    store: &crate::SqlStore,
    slug: &Slug,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.writing().await?;
    let done = sqlx::query("UPDATE tags SET name = $2 WHERE slug = $1")
        .bind(slug.as_str())
        .bind(name)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    if done.rows_affected() != 1 {
        return Err(StoreError::NotFound(format!("no tag {slug}")));
    }
    // Tag names show on articles and on the tag's own page (and are searched).
    crate::changes::record(&mut tx, &[CacheKey::Site, CacheKey::Tag(slug.clone())], now).await?;
    tx.commit().await.map_err(db_error)
}

/// Replaces the story's tags or authors with `names`, in order, skipping repeats.
pub(crate) async fn link_names(
    conn: &mut DbConn,
    story: i64,
    kind: Kind,
    names: &[String],
) -> Result<(), StoreError> {
    let (table, column) = kind.links()?;
    // `table` and `column` are fixed names; the values are bound.
    let clear = format!("DELETE FROM {table} WHERE story_id = $1");
    let link = format!(
        "INSERT INTO {table} (story_id, {column}, position) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING"
    );
    sqlx::query(AssertSqlSafe(clear))
        .bind(story)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    let mut links = Vec::with_capacity(names.len());
    for (position, name) in names.iter().enumerate() {
        let Some(slug) = Slug::derive(name) else {
            continue;
        };
        links.push((ensure(conn, kind, &slug, name.trim()).await?, position));
    }
    // Linked in the names' id order (each keeps its position): the listing calendar's rows
    // are then locked in one order by every writer, so two saves never wait on each other.
    links.sort_unstable();
    for (name_id, position) in links {
        sqlx::query(AssertSqlSafe(link.clone()))
            .bind(story)
            .bind(name_id)
            .bind(position as i64)
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
    }
    Ok(())
}
