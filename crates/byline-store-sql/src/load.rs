//! Loading a whole story — as readers see it or as the editor does — with what it is filed
//! under, on one connection.

use crate::db::DbRow;
use crate::failure::db_error;
use byline_core::accounts::UserId;
use byline_core::editorial::{BodyFormat, Correction, EditorStory};
use byline_core::pages::PagePlace;
use byline_core::search::Searchable;
use byline_core::store::StoreError;
use byline_core::{Author, SafeHtml, Seo, Slug, Status, Story, StoryId, StoryKind, Tag};
use sqlx::AssertSqlSafe;

use crate::db::DbConn;

use crate::rows::{self, PICTURE_COLUMNS, from_secs, get};
use crate::taxonomy;

/// Which story to load.
pub(crate) enum Key<'a> {
    Id(StoryId),
    Slug(&'a Slug),
}

pub(crate) async fn row(conn: &mut DbConn, key: Key<'_>) -> Result<Option<DbRow>, StoreError> {
    let column = match key {
        Key::Id(_) => "s.id",
        Key::Slug(_) => "s.slug",
    };
    // `column` is one of two fixed names; the key is bound.
    let sql = format!(
        "SELECT s.*, sec.id AS sec_id, sec.slug AS sec_slug, sec.name AS sec_name, \
         sec.description AS sec_description, sec.position AS sec_position, \
         sec.parent_id AS sec_parent_id, {PICTURE_COLUMNS} \
         FROM stories s LEFT JOIN sections sec ON sec.id = s.section_id \
         LEFT JOIN pictures p ON p.id = s.lead_picture_id WHERE {column} = $1"
    );
    let query = sqlx::query(AssertSqlSafe(sql));
    let query = match key {
        Key::Id(id) => query.bind(id.0),
        Key::Slug(slug) => query.bind(slug.as_str().to_owned()),
    };
    query.fetch_optional(&mut *conn).await.map_err(db_error)
}

async fn tags(conn: &mut DbConn, id: i64) -> Result<Vec<Tag>, StoreError> {
    sqlx::query(
        "SELECT t.slug, t.name FROM story_tags st JOIN tags t ON t.id = st.tag_id \
         WHERE st.story_id = $1 ORDER BY st.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?
    .iter()
    .map(taxonomy::tag_row)
    .collect()
}

async fn authors(conn: &mut DbConn, id: i64) -> Result<Vec<Author>, StoreError> {
    sqlx::query(
        "SELECT a.id, a.slug, a.name, a.bio FROM story_authors sa JOIN authors a ON a.id = sa.author_id \
         WHERE sa.story_id = $1 ORDER BY sa.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?
    .iter()
    .map(taxonomy::author_row)
    .collect()
}

pub(crate) async fn corrections(conn: &mut DbConn, id: i64) -> Result<Vec<Correction>, StoreError> {
    sqlx::query(
        "SELECT created_at, note FROM corrections WHERE story_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?
    .iter()
    .map(|row| {
        Ok(Correction {
            created_at: from_secs(get(row, "created_at")?)?,
            note: get(row, "note")?,
        })
    })
    .collect()
}

fn status(row: &DbRow) -> Result<Status, StoreError> {
    let text: String = get(row, "status")?;
    Status::parse(&text).ok_or_else(|| rows::corrupt(format!("status {text}")))
}

fn kind(row: &DbRow) -> Result<StoryKind, StoreError> {
    let text: String = get(row, "kind")?;
    StoryKind::parse(&text).ok_or_else(|| rows::corrupt(format!("kind {text}")))
}

fn time(row: &DbRow, column: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
    get::<Option<i64>>(row, column)?.map(from_secs).transpose()
}

fn section(row: &DbRow) -> Result<Option<byline_core::Section>, StoreError> {
    match get::<Option<i64>>(row, "sec_id")? {
        Some(_) => Ok(Some(taxonomy::section_row_prefixed(row)?)),
        None => Ok(None),
    }
}

/// A story as readers see it.
pub(crate) async fn public(conn: &mut DbConn, key: Key<'_>) -> Result<Option<Story>, StoreError> {
    match row(conn, key).await? {
        Some(row) => Ok(Some(story(conn, &row).await?)),
        None => Ok(None),
    }
}

/// A story as the search index keeps it: as readers see it, and whose it is.
pub(crate) async fn searchable(
    conn: &mut DbConn,
    id: StoryId,
) -> Result<Option<Searchable>, StoreError> {
    let Some(row) = row(conn, Key::Id(id)).await? else {
        return Ok(None);
    };
    // The site's own pages are not searched: the index holds news stories.
    if kind(&row)? == StoryKind::Page {
        return Ok(None);
    }
    Ok(Some(Searchable {
        story: story(conn, &row).await?,
        owner: get::<Option<i64>>(&row, "created_by")?.map(UserId),
    }))
}

async fn story(conn: &mut DbConn, row: &DbRow) -> Result<Story, StoreError> {
    let id: i64 = get(row, "id")?;
    Ok(Story {
        id: StoryId(id),
        kind: kind(row)?,
        slug: rows::slug(row, "slug")?,
        headline: rows::headline(row)?,
        standfirst: get(row, "standfirst")?,
        body: SafeHtml::from_sanitized(get(row, "body_html")?),
        summary: get(row, "summary")?,
        section: section(row)?,
        tags: tags(conn, id).await?,
        authors: authors(conn, id).await?,
        byline: get(row, "byline")?,
        language: get(row, "language")?,
        status: status(row)?,
        published_at: time(row, "published_at")?,
        updated_at: from_secs(get(row, "updated_at")?)?,
        embargo_until: time(row, "embargo_until")?,
        lead_picture: rows::picture(row)?,
        seo: seo(row)?,
        corrections: corrections(conn, id).await?,
    })
}

/// A story's own title and description for search engines.
fn seo(row: &DbRow) -> Result<Seo, StoreError> {
    Ok(Seo {
        title: get(row, "seo_title")?,
        description: get(row, "seo_description")?,
    })
}

/// A story as the editor sees it.
pub(crate) async fn editor(
    conn: &mut DbConn,
    id: StoryId,
) -> Result<Option<EditorStory>, StoreError> {
    let Some(row) = row(conn, Key::Id(id)).await? else {
        return Ok(None);
    };
    let format: String = get(&row, "body_format")?;
    Ok(Some(EditorStory {
        id,
        kind: kind(&row)?,
        place: PagePlace {
            parent: get::<Option<i64>>(&row, "parent_id")?.map(StoryId),
            position: get(&row, "position")?,
        },
        slug: rows::slug(&row, "slug")?,
        headline: rows::headline(&row)?,
        standfirst: get(&row, "standfirst")?,
        body_source: get(&row, "body_source")?,
        body_format: BodyFormat::parse(&format)
            .ok_or_else(|| rows::corrupt(format!("body format {format}")))?,
        section: section(&row)?,
        tags: tags(conn, id.0).await?,
        authors: authors(conn, id.0).await?,
        status: status(&row)?,
        published_at: time(&row, "published_at")?,
        first_published_at: time(&row, "first_published_at")?,
        embargo_until: time(&row, "embargo_until")?,
        revision: get(&row, "revision")?,
        created_by: get::<Option<i64>>(&row, "created_by")?.map(UserId),
        preview_token: get(&row, "preview_token")?,
        preview_expires_at: time(&row, "preview_expires_at")?,
        updated_at: from_secs(get(&row, "updated_at")?)?,
        lead_picture: rows::picture(&row)?,
        seo: seo(&row)?,
    }))
}
