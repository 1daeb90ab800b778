//! The media library: one row per picture file, reused by stories with their own captions.

use crate::failure::db_error;
use async_trait::async_trait;
use byline_core::library::{
    DeleteOutcome, Describing, LibraryPage, LibraryPicture, LibraryQuery, LibraryStore,
    PictureEdit, PictureUse,
};
use byline_core::store::StoreError;
use byline_core::{Picture, PictureId, PictureSource, Rights, StoryId};
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use crate::changes;
use crate::db::DbConn;
use crate::rows::{self, LIBRARY_COLUMNS, corrupt, from_secs, get, keywords_text, to_secs};

fn location(picture: &Picture) -> (&'static str, &str) {
    match &picture.source {
        PictureSource::Local { key } => ("local", key.as_str()),
        PictureSource::Remote { url } => ("remote", url.as_str()),
    }
}

/// How a picture given for a file the library already has changes the library's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Merge {
    /// It only fills what the library lacks (imports: a desk's corrections survive a re-import).
    FillGaps,
    /// Its credit and alt text are an editor's, and replace the library's (a story's photo
    /// form: its caption is the story's own).
    Replace,
    /// Its credit, alt text and caption are an editor's for the picture itself (the library's
    /// own upload form): all replace the library's.
    ReplaceWithCaption,
    /// It is someone's who may not describe shared pictures: a picture the library has is
    /// left exactly as it is.
    Untouched,
}

/// The id of the library row for `picture`'s file, if it has one.
async fn library_id(conn: &mut DbConn, picture: &Picture) -> Result<Option<i64>, StoreError> {
    let (kind, place) = location(picture);
    sqlx::query_scalar("SELECT id FROM pictures WHERE source_kind = $1 AND location = $2")
        .bind(kind)
        .bind(place)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)
}

/// The library row for `picture`'s file: the existing one (merged with `picture` as `merge`
/// says) or a new one. A new local raster picture gets a rendition job.
pub(crate) async fn upsert(
    conn: &mut DbConn,
    picture: &Picture,
    merge: Merge,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let (kind, place) = location(picture);
    let found = sqlx::query(AssertSqlSafe(format!(
        "SELECT {LIBRARY_COLUMNS} FROM pictures p WHERE p.source_kind = $1 AND p.location = $2"
    )))
    .bind(kind)
    .bind(place)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error)?;
    let Some(row) = found else {
        return insert(conn, picture, now).await;
    };
    let id: i64 = get(&row, "id")?;
    if matches!(merge, Merge::Untouched) {
        return Ok(id);
    }
    let stored = rows::picture(&row)?.ok_or_else(|| corrupt("picture without a kind"))?;
    let (credit, alt) = match merge {
        Merge::FillGaps | Merge::Untouched => (&stored.credit, &stored.alt),
        Merge::Replace | Merge::ReplaceWithCaption => (&picture.credit, &picture.alt),
    };
    let caption = match merge {
        Merge::ReplaceWithCaption => picture.caption.clone().or(stored.caption.clone()),
        Merge::FillGaps | Merge::Replace | Merge::Untouched => stored.caption.clone(),
    };
    let merged = Picture {
        credit: credit
            .clone()
            .or(picture.credit.clone())
            .or(stored.credit.clone()),
        alt: alt.clone().or(picture.alt.clone()).or(stored.alt.clone()),
        caption,
        width: picture.width.or(stored.width),
        height: picture.height.or(stored.height),
        content_type: picture.content_type.clone().or(stored.content_type.clone()),
        keywords: if stored.keywords.is_empty() {
            picture.keywords.clone()
        } else {
            stored.keywords.clone()
        },
        rights: fill_rights(&stored.rights, &picture.rights),
        ..stored.clone()
    };
    if merged != stored {
        sqlx::query(
            "UPDATE pictures SET credit = $2, alt = $3, width = $4, height = $5, content_type = $6, \
             keywords = $7, caption = $8, rights_creator = $9, rights_copyright = $10, \
             rights_license_url = $11, rights_licensor_url = $12 WHERE id = $1",
        )
        .bind(id)
        .bind(&merged.credit)
        .bind(&merged.alt)
        .bind(merged.width.map(i64::from))
        .bind(merged.height.map(i64::from))
        .bind(&merged.content_type)
        .bind(keywords_text(&merged.keywords))
        .bind(&merged.caption)
        .bind(&merged.rights.creator)
        .bind(&merged.rights.copyright)
        .bind(&merged.rights.license_url)
        .bind(&merged.rights.licensor_url)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
        record_uses(conn, id, now).await?;
    }
    Ok(id)
}

/// The rights kept, with what they lack filled from a new copy of the file.
fn fill_rights(stored: &Rights, new: &Rights) -> Rights {
    let or = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
    Rights {
        creator: or(&stored.creator, &new.creator),
        copyright: or(&stored.copyright, &new.copyright),
        license_url: or(&stored.license_url, &new.license_url),
        licensor_url: or(&stored.licensor_url, &new.licensor_url),
    }
}

async fn insert(
    conn: &mut DbConn,
    picture: &Picture,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let (kind, place) = location(picture);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO pictures (source_kind, location, credit, caption, alt, width, height, \
         content_type, keywords, focus_x, focus_y, added_at, rights_creator, rights_copyright, \
         rights_license_url, rights_licensor_url) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(kind)
    .bind(place)
    .bind(&picture.credit)
    .bind(&picture.caption)
    .bind(&picture.alt)
    .bind(picture.width.map(i64::from))
    .bind(picture.height.map(i64::from))
    .bind(&picture.content_type)
    .bind(keywords_text(&picture.keywords))
    .bind(i64::from(picture.focus.x))
    .bind(i64::from(picture.focus.y))
    .bind(to_secs(now))
    .bind(&picture.rights.creator)
    .bind(&picture.rights.copyright)
    .bind(&picture.rights.license_url)
    .bind(&picture.rights.licensor_url)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error)?;
    if picture.has_renditions() {
        crate::renditions::queue(conn, id, now).await?;
    }
    Ok(id)
}

/// Records a change for every public story that shows the picture, so caches drop them.
async fn record_uses(conn: &mut DbConn, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    let users: Vec<(i64, String, Option<i64>)> =
        sqlx::query_as("SELECT id, status, published_at FROM stories WHERE lead_picture_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?;
    let mut keys = Vec::new();
    for (story, status, published_at) in users {
        keys.extend(changes::keys_of_story(
            story,
            changes::public(&status, published_at, now),
        ));
    }
    keys.sort();
    keys.dedup();
    changes::record(conn, &keys, now).await
}

/// Makes `picture` (or none) the story's lead, with the picture's caption as this use's own.
pub(crate) async fn set_lead(
    conn: &mut DbConn,
    story: i64,
    picture: Option<&Picture>,
    describing: Describing,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let merge = match describing {
        Describing::Desk => Merge::Replace,
        Describing::GapsOnly => Merge::Untouched,
    };
    let id = match picture {
        Some(picture) => Some(upsert(conn, picture, merge, now).await?),
        None => None,
    };
    link(conn, story, id, picture.and_then(|p| p.caption.clone())).await
}

/// Keeps the caption of the story's lead picture as this use's own.
pub(crate) async fn set_caption(
    conn: &mut DbConn,
    story: i64,
    picture: Option<&Picture>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE stories SET lead_caption = $2 WHERE id = $1")
        .bind(story)
        .bind(picture.and_then(|p| p.caption.clone()))
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

async fn link(
    conn: &mut DbConn,
    story: i64,
    picture: Option<i64>,
    caption: Option<String>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE stories SET lead_picture_id = $2, lead_caption = $3 WHERE id = $1")
        .bind(story)
        .bind(picture)
        .bind(caption)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

fn library_picture(row: &crate::db::DbRow) -> Result<LibraryPicture, StoreError> {
    Ok(LibraryPicture {
        id: PictureId(get(row, "id")?),
        picture: rows::picture(row)?.ok_or_else(|| corrupt("picture without a kind"))?,
        added_at: from_secs(get(row, "added_at")?)?,
        uses: get::<i64>(row, "uses")?.max(0) as u64,
        shared: get::<i64>(row, "shared")? != 0,
    })
}

const USES: &str = "(SELECT COUNT(*) FROM stories u WHERE u.lead_picture_id = p.id) AS uses";

#[async_trait]
impl LibraryStore for crate::SqlStore {
    async fn add_picture(
        &self,
        picture: &Picture,
        describing: Describing,
        now: DateTime<Utc>,
    ) -> Result<PictureId, StoreError> {
        let mut tx = self.writing().await?;
        let merge = match describing {
            Describing::Desk => Merge::ReplaceWithCaption,
            Describing::GapsOnly => Merge::Untouched,
        };
        let known = library_id(&mut tx, picture).await?;
        let id = upsert(&mut tx, picture, merge, now).await?;
        // Added through the library's own form: everyone's, unless it was someone's story's
        // photo and the desk did not say so.
        if known.is_none() || describing == Describing::Desk {
            sqlx::query("UPDATE pictures SET shared = 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(PictureId(id))
    }

    async fn library(&self, query: &LibraryQuery) -> Result<LibraryPage, StoreError> {
        let pattern = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(crate::listing::like_pattern);
        // A member who may not see others' unpublished work sees the pictures added to the
        // library for everyone and those of stories they may see, not the photos that came in
        // with others' unpublished work (their captions and alt text are that work's).
        let filter = "($1 IS NULL OR lower(p.caption) LIKE lower($1) ESCAPE '\\' \
             OR lower(p.credit) LIKE lower($1) ESCAPE '\\' OR lower(p.keywords) LIKE lower($1) ESCAPE '\\') \
             AND ($2 IS NULL OR p.shared = 1 \
                  OR EXISTS (SELECT 1 FROM stories s WHERE s.lead_picture_id = p.id \
                             AND (s.status = 'published' OR s.created_by = $2)))";
        let per_page = i64::from(query.per_page.clamp(1, 200));
        let viewer = query.visible_to.map(|user| user.0);
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LIBRARY_COLUMNS}, {USES} FROM pictures p WHERE {filter} \
             ORDER BY p.added_at DESC, p.id DESC LIMIT $3 OFFSET $4"
        )))
        .bind(pattern.clone())
        .bind(viewer)
        .bind(per_page)
        .bind(i64::from(query.page) * per_page)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let total: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM pictures p WHERE {filter}"
        )))
        .bind(pattern)
        .bind(viewer)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(LibraryPage {
            pictures: rows.iter().map(library_picture).collect::<Result<_, _>>()?,
            total: total.max(0) as u64,
        })
    }

    async fn library_picture(&self, id: PictureId) -> Result<Option<LibraryPicture>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LIBRARY_COLUMNS}, {USES} FROM pictures p WHERE p.id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        row.as_ref().map(library_picture).transpose()
    }

    async fn library_picture_at(&self, key: &str) -> Result<Option<LibraryPicture>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LIBRARY_COLUMNS}, {USES} FROM pictures p \
             WHERE p.source_kind = 'local' AND p.location = $1"
        )))
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        row.as_ref().map(library_picture).transpose()
    }

    async fn picture_of_stem(
        &self,
        stem: &str,
        extensions: &[&str],
    ) -> Result<Option<Picture>, StoreError> {
        // One query for every spelling: `location` is indexed (unique with its kind).
        let keys: Vec<String> = extensions.iter().map(|e| format!("{stem}.{e}")).collect();
        let slots: Vec<String> = (1..=keys.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT {LIBRARY_COLUMNS} FROM pictures p WHERE p.source_kind = 'local' \
             AND p.location IN ({}) ORDER BY p.id LIMIT 1",
            slots.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for key in keys {
            query = query.bind(key);
        }
        let row = query.fetch_optional(&self.pool).await.map_err(db_error)?;
        row.as_ref()
            .map(rows::picture)
            .transpose()
            .map(Option::flatten)
    }

    async fn picture_uses(&self, id: PictureId) -> Result<Vec<PictureUse>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, slug, headline, lead_caption, status, created_by FROM stories \
             WHERE lead_picture_id = $1 ORDER BY updated_at DESC, id DESC",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                Ok(PictureUse {
                    story: StoryId(get(row, "id")?),
                    slug: rows::slug(row, "slug")?,
                    headline: rows::headline(row)?,
                    caption: get(row, "lead_caption")?,
                    published: get::<String>(row, "status")? == "published",
                    created_by: get::<Option<i64>>(row, "created_by")?
                        .map(byline_core::accounts::UserId),
                })
            })
            .collect()
    }

    async fn edit_picture(
        &self,
        id: PictureId,
        edit: PictureEdit,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writing().await?;
        let before = picture_in(&mut tx, id).await?;
        sqlx::query(
            "UPDATE pictures SET credit = $2, caption = $3, alt = $4, keywords = $5, focus_x = $6, \
             focus_y = $7 WHERE id = $1",
        )
        .bind(id.0)
        .bind(&edit.credit)
        .bind(&edit.caption)
        .bind(&edit.alt)
        .bind(keywords_text(&edit.keywords))
        .bind(i64::from(edit.focus.x))
        .bind(i64::from(edit.focus.y))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if before.focus != edit.focus && before.has_renditions() {
            crate::renditions::queue(&mut tx, id.0, now).await?;
        }
        record_uses(&mut tx, id.0, now).await?;
        changes::event(
            &mut tx,
            byline_core::integrations::EventKind::PictureUpdated,
            id.0,
            now,
        )
        .await?;
        tx.commit().await.map_err(db_error)
    }

    async fn delete_picture(&self, id: PictureId) -> Result<(DeleteOutcome, String), StoreError> {
        let mut tx = self.writing().await?;
        let picture = picture_in(&mut tx, id).await?;
        let place = location(&picture).1.to_owned();
        let uses: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM stories WHERE lead_picture_id = $1")
                .bind(id.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
        if uses > 0 {
            return Ok((DeleteOutcome::InUse(uses as u64), place));
        }
        sqlx::query("DELETE FROM pictures WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok((DeleteOutcome::Deleted, place))
    }

    async fn use_picture(
        &self,
        story: StoryId,
        id: PictureId,
        caption: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writing().await?;
        picture_in(&mut tx, id).await?;
        let status: Option<(String, Option<i64>)> =
            sqlx::query_as("SELECT status, published_at FROM stories WHERE id = $1")
                .bind(story.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
        let (status, published_at) =
            status.ok_or_else(|| StoreError::NotFound(format!("story {story}")))?;
        link(&mut tx, story.0, Some(id.0), caption).await?;
        sqlx::query("UPDATE stories SET updated_at = $2, edited_since_import = 1 WHERE id = $1")
            .bind(story.0)
            .bind(to_secs(now))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        let public = changes::public(&status, published_at, now);
        changes::record(&mut tx, &changes::keys_of_story(story.0, public), now).await?;
        tx.commit().await.map_err(db_error)
    }
}

async fn picture_in(conn: &mut DbConn, id: PictureId) -> Result<Picture, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {LIBRARY_COLUMNS} FROM pictures p WHERE p.id = $1"
    )))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error)?;
    let row = row.ok_or_else(|| StoreError::NotFound(format!("picture {id}")))?;
    rows::picture(&row)?.ok_or_else(|| corrupt("picture without a kind"))
}
