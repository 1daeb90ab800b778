//! The editorial workflow on SQLite: drafts, saves with revisions and lost-update detection,
//! status changes with publication jobs, corrections, previews and old URLs.

use crate::db::DbConn;
use crate::failure::db_error;
use async_trait::async_trait;
use byline_core::accounts::UserId;
use byline_core::changes::CacheKey;
use byline_core::editorial::{
    Correction, EditOutcome, EditorStory, EditorialStore, PreviewLink, Revision, StatusChange,
    StoryEdit, StoryFields,
};
use byline_core::integrations::EventKind;
use byline_core::pages::PagePlace;
use byline_core::store::StoreError;
use byline_core::{Picture, Slug, Status, Story, StoryId, StoryKind};
use chrono::{DateTime, Utc};

use crate::rows::{corrupt, from_secs, get, to_secs};
use crate::stories::free_slug;
use crate::taxonomy::{self, Kind, link_names};
use crate::{changes, load};

async fn insert_revision(
    conn: &mut DbConn,
    story: i64,
    number: i64,
    fields: &StoryFields,
    user: UserId,
    now: DateTime<Utc>,
    summary: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO revisions (story_id, number, user_id, created_at, headline, standfirst, body_source, \
         body_format, summary) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(story)
    .bind(number)
    .bind(user.0)
    .bind(to_secs(now))
    .bind(fields.headline.as_str())
    .bind(&fields.standfirst)
    .bind(&fields.body_source)
    .bind(fields.body_format.as_str())
    .bind(summary)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

async fn section_id(
    conn: &mut DbConn,
    fields: &StoryFields,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    match &fields.section {
        Some(section) => Ok(Some(taxonomy::ensure_section(conn, section, now).await?)),
        None => Ok(None),
    }
}

/// Whether the story's status is `published` (what a change to it can touch on the site).
async fn is_published(conn: &mut DbConn, id: StoryId) -> Result<bool, StoreError> {
    let status: String = sqlx::query_scalar("SELECT status FROM stories WHERE id = $1")
        .bind(id.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(status == Status::Published.as_str())
}

/// Records that the newsroom changed the story, so that a later import does not undo it.
async fn mark_edited(conn: &mut DbConn, id: StoryId) -> Result<(), StoreError> {
    sqlx::query("UPDATE stories SET edited_since_import = 1 WHERE id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Inserts a new draft owned by `user`, with revision 1, on the caller's transaction.
pub(crate) async fn insert_draft(
    tx: &mut DbConn,
    fields: &StoryFields,
    user: UserId,
    preview: &PreviewLink,
    now: DateTime<Utc>,
) -> Result<StoryId, StoreError> {
    let section = section_id(&mut *tx, fields, now).await?;
    let slug = free_slug(&mut *tx, &fields.slug).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO stories (slug, headline, standfirst, body_html, summary, section_id, language, status, \
         updated_at, created_at, created_by, revision, body_source, body_format, preview_token, \
         preview_expires_at, seo_title, seo_description, kind, parent_id, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $8, $9, 1, $10, $11, $12, $13, $14, $15, \
         $16, $17, $18) RETURNING id",
    )
    .bind(slug.as_str())
    .bind(fields.headline.as_str())
    .bind(&fields.standfirst)
    .bind(fields.body_html.as_str())
    .bind(&fields.summary)
    .bind(section)
    .bind(&fields.language)
    .bind(to_secs(now))
    .bind(user.0)
    .bind(&fields.body_source)
    .bind(fields.body_format.as_str())
    .bind(&preview.token)
    .bind(to_secs(preview.expires_at))
    .bind(&fields.seo.title)
    .bind(&fields.seo.description)
    .bind(kind_of(fields).as_str())
    .bind(fields.place.and_then(|p| p.parent).map(|p| p.0))
    .bind(fields.place.map_or(0, |p| p.position))
    .fetch_one(&mut *tx)
    .await
    .map_err(db_error)?;
    link_names(&mut *tx, id, Kind::Tag, &fields.tags).await?;
    link_names(&mut *tx, id, Kind::Author, &fields.authors).await?;
    insert_revision(&mut *tx, id, 1, fields, user, now, "created").await?;
    changes::record(&mut *tx, &changes::unseen_story_keys(id), now).await?;
    Ok(StoryId(id))
}

/// What a draft made with `fields` is: a page when they place it among the pages.
fn kind_of(fields: &StoryFields) -> StoryKind {
    if fields.place.is_some() {
        StoryKind::Page
    } else {
        StoryKind::Story
    }
}

/// Moves a page to `place` among the pages; a story has no place and is left as it is.
async fn place_page(
    conn: &mut DbConn,
    id: StoryId,
    place: Option<PagePlace>,
) -> Result<(), StoreError> {
    let Some(place) = place else {
        return Ok(());
    };
    sqlx::query("UPDATE stories SET parent_id = $2, position = $3 WHERE id = $1 AND kind = 'page'")
        .bind(id.0)
        .bind(place.parent.map(|p| p.0))
        .bind(place.position)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Cancels the story's pending jobs and, for a scheduled story, queues its publication.
pub(crate) async fn reschedule(
    conn: &mut DbConn,
    story: i64,
    status: Status,
    at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE jobs SET state = 'canceled' WHERE story_id = $1 AND state = 'pending'")
        .bind(story)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    if let (Status::Scheduled, Some(at)) = (status, at) {
        sqlx::query("INSERT INTO jobs (kind, story_id, run_at) VALUES ('publish', $1, $2)")
            .bind(story)
            .bind(to_secs(at))
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

#[async_trait]
impl EditorialStore for crate::SqlStore {
    async fn create_draft(
        &self,
        fields: StoryFields,
        user: UserId,
        preview: &PreviewLink,
        now: DateTime<Utc>,
    ) -> Result<StoryId, StoreError> {
        let mut tx = self.writing().await?;
        let id = insert_draft(&mut tx, &fields, user, preview, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(id)
    }

    async fn editor_story(&self, id: StoryId) -> Result<Option<EditorStory>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        load::editor(&mut conn, id).await
    }

    async fn save_edit(&self, id: StoryId, edit: StoryEdit) -> Result<EditOutcome, StoreError> {
        let mut tx = self.writing().await?;
        let current = load::editor(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("story {id}")))?;
        if current.revision != edit.expected_revision {
            return Ok(EditOutcome::Conflict(Box::new(current)));
        }
        let fields = &edit.fields;
        if fields.slug != current.slug {
            crate::redirects::move_slug(&mut tx, &current, &fields.slug).await?;
        }
        let summary = byline_core::editorial::changed_fields(&current, fields);
        let section = section_id(&mut tx, fields, edit.now).await?;
        let revision = current.revision + 1;
        sqlx::query(
            "UPDATE stories SET slug = $2, headline = $3, standfirst = $4, body_html = $5, summary = $6, \
             section_id = $7, language = $8, body_source = $9, body_format = $10, revision = $11, \
             updated_at = $12, byline = NULL, edited_since_import = 1, seo_title = $13, \
             seo_description = $14 WHERE id = $1",
        )
        .bind(id.0)
        .bind(fields.slug.as_str())
        .bind(fields.headline.as_str())
        .bind(&fields.standfirst)
        .bind(fields.body_html.as_str())
        .bind(&fields.summary)
        .bind(section)
        .bind(&fields.language)
        .bind(&fields.body_source)
        .bind(fields.body_format.as_str())
        .bind(revision)
        .bind(to_secs(edit.now))
        .bind(&fields.seo.title)
        .bind(&fields.seo.description)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        link_names(&mut tx, id.0, Kind::Tag, &fields.tags).await?;
        link_names(&mut tx, id.0, Kind::Author, &fields.authors).await?;
        place_page(&mut tx, id, fields.place).await?;
        insert_revision(
            &mut tx, id.0, revision, fields, edit.user, edit.now, &summary,
        )
        .await?;
        if current.status == Status::Published
            && current.published_at.is_some_and(|t| t <= edit.now)
        {
            changes::record(&mut tx, &changes::story_keys(id.0), edit.now).await?;
            changes::story_event(&mut tx, id.0, true, true, edit.now).await?;
        } else {
            changes::record(&mut tx, &changes::unseen_story_keys(id.0), edit.now).await?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(EditOutcome::Saved {
            revision,
            slug: fields.slug.clone(),
        })
    }

    async fn change_status(&self, id: StoryId, change: StatusChange) -> Result<(), StoreError> {
        let mut tx = self.writing().await?;
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM stories WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        let status = status.ok_or_else(|| StoreError::NotFound(format!("story {id}")))?;
        if status != change.from.as_str() {
            return Err(StoreError::Conflict(
                "the story's status changed meanwhile; reload and try again".into(),
            ));
        }
        let now = to_secs(change.now);
        let sql = match change.to {
            // A first publication dates the story now; a republication keeps its date.
            Status::Published => {
                "UPDATE stories SET status = 'published', \
                 published_at = CASE WHEN first_published_at IS NULL THEN $2 ELSE published_at END, \
                 first_published_at = COALESCE(first_published_at, $2), embargo_until = NULL, \
                 updated_at = $2, preview_token = NULL, preview_expires_at = NULL WHERE id = $1"
            }
            Status::Scheduled => {
                "UPDATE stories SET status = 'scheduled', published_at = $3 WHERE id = $1"
            }
            Status::Draft => "UPDATE stories SET status = 'draft' WHERE id = $1",
            Status::InReview => "UPDATE stories SET status = 'in_review' WHERE id = $1",
            Status::Unpublished => {
                "UPDATE stories SET status = 'unpublished', preview_token = NULL, \
                 preview_expires_at = NULL WHERE id = $1"
            }
        };
        sqlx::query(sql)
            .bind(id.0)
            .bind(now)
            .bind(change.at.map(to_secs))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        mark_edited(&mut tx, id).await?;
        if change.from == Status::Published || change.to == Status::Published {
            changes::record(&mut tx, &changes::story_keys(id.0), change.now).await?;
            let (was, is) = (
                change.from == Status::Published,
                change.to == Status::Published,
            );
            changes::story_event(&mut tx, id.0, was, is, change.now).await?;
        } else {
            changes::record(&mut tx, &changes::unseen_story_keys(id.0), change.now).await?;
        }
        reschedule(&mut tx, id.0, change.to, change.at).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn publish_due(&self, now: DateTime<Utc>) -> Result<Vec<StoryId>, StoreError> {
        let mut tx = self.writing().await?;
        let due: Vec<(i64, i64)> =
            sqlx::query_as("SELECT id, story_id FROM jobs WHERE state = 'pending' AND run_at <= $1 ORDER BY run_at")
                .bind(to_secs(now))
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?;
        let mut published = Vec::new();
        for (job, story) in due {
            let done = sqlx::query(
                "UPDATE stories SET status = 'published', embargo_until = NULL, \
                 first_published_at = COALESCE(first_published_at, published_at), \
                 updated_at = CASE WHEN updated_at < $2 THEN $2 ELSE updated_at END, \
                 preview_token = NULL, preview_expires_at = NULL \
                 WHERE id = $1 AND status = 'scheduled'",
            )
            .bind(story)
            .bind(to_secs(now))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            sqlx::query("UPDATE jobs SET state = 'done', attempts = attempts + 1 WHERE id = $1")
                .bind(job)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            if done.rows_affected() == 1 {
                changes::record(&mut tx, &changes::story_keys(story), now).await?;
                changes::story_event(&mut tx, story, false, true, now).await?;
                published.push(StoryId(story));
            }
        }
        tx.commit().await.map_err(db_error)?;
        Ok(published)
    }

    async fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let at: Option<i64> =
            sqlx::query_scalar("SELECT MIN(run_at) FROM jobs WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await
                .map_err(db_error)?;
        at.map(from_secs).transpose()
    }

    async fn revisions(&self, id: StoryId) -> Result<Vec<Revision>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.number, u.name AS author, r.source, r.created_at, r.headline, r.standfirst, \
             r.body_source, r.body_format, r.summary FROM revisions r LEFT JOIN users u ON u.id = r.user_id \
             WHERE r.story_id = $1 ORDER BY r.number DESC",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                let format: String = get(row, "body_format")?;
                Ok(Revision {
                    number: get(row, "number")?,
                    author: get(row, "author")?,
                    source: get(row, "source")?,
                    created_at: from_secs(get(row, "created_at")?)?,
                    headline: get(row, "headline")?,
                    standfirst: get(row, "standfirst")?,
                    body_source: get(row, "body_source")?,
                    body_format: byline_core::editorial::BodyFormat::parse(&format)
                        .ok_or_else(|| corrupt(format!("body format {format}")))?,
                    summary: get(row, "summary")?,
                })
            })
            .collect()
    }

    async fn add_correction(
        &self,
        id: StoryId,
        user: UserId,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writing().await?;
        sqlx::query(
            "INSERT INTO corrections (story_id, user_id, created_at, note) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.0)
        .bind(user.0)
        .bind(to_secs(now))
        .bind(note)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        // A correction changes what readers read: it moves dateModified.
        sqlx::query("UPDATE stories SET updated_at = $2, edited_since_import = 1 WHERE id = $1")
            .bind(id.0)
            .bind(to_secs(now))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if is_published(&mut tx, id).await? {
            // A correction shows on the article, and in the feeds and sitemaps by the date
            // it moves; the listings' cards do not change.
            changes::record(&mut tx, &[CacheKey::Story(id), CacheKey::Feeds], now).await?;
            changes::event(&mut tx, EventKind::StoryCorrected, id.0, now).await?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn corrections(&self, id: StoryId) -> Result<Vec<Correction>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        load::corrections(&mut conn, id.0).await
    }

    async fn story_by_preview_token(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Story>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        let live: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM stories WHERE preview_token = $1 AND preview_expires_at > $2 \
             AND status NOT IN ('published', 'unpublished')",
        )
        .bind(token)
        .bind(to_secs(now))
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?;
        match live {
            Some(id) => load::public(&mut conn, load::Key::Id(StoryId(id))).await,
            None => Ok(None),
        }
    }

    async fn set_preview_link(
        &self,
        id: StoryId,
        link: Option<&PreviewLink>,
    ) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE stories SET preview_token = $2, preview_expires_at = $3 WHERE id = $1",
        )
        .bind(id.0)
        .bind(link.map(|l| l.token.clone()))
        .bind(link.map(|l| to_secs(l.expires_at)))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("story {id}")));
        }
        Ok(())
    }

    async fn set_lead_picture(
        &self,
        id: StoryId,
        picture: Option<Picture>,
        describing: byline_core::library::Describing,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writing().await?;
        let updated = sqlx::query(
            "UPDATE stories SET updated_at = $2, edited_since_import = 1 WHERE id = $1",
        )
        .bind(id.0)
        .bind(to_secs(now))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("story {id}")));
        }
        crate::library::set_lead(&mut tx, id.0, picture.as_ref(), describing, now).await?;
        if is_published(&mut tx, id).await? {
            changes::record(&mut tx, &changes::story_keys(id.0), now).await?;
            changes::story_event(&mut tx, id.0, true, true, now).await?;
        } else {
            changes::record(&mut tx, &changes::unseen_story_keys(id.0), now).await?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn redirect_for(&self, old: &Slug) -> Result<Option<Slug>, StoreError> {
        let slug: Option<String> = sqlx::query_scalar(
            "SELECT s.slug FROM slug_redirects r JOIN stories s ON s.id = r.story_id WHERE r.old_slug = $1",
        )
        .bind(old.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        slug.map(|s| Slug::parse(&s).map_err(corrupt)).transpose()
    }
}
