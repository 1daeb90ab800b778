//! Saving a story with everything it is filed under, in one transaction, and loading it back.

use crate::db::DbConn;
use crate::failure::db_error;
use byline_core::redirects::{Destination, OldAddress};
use byline_core::store::{SaveOutcome, StoreError, StoryInput};
use byline_core::{Slug, StoryId};
use chrono::Utc;

use crate::rows::{self, get, to_secs};
use crate::taxonomy::{self, Kind};

/// The stored identity of a story found by external id.
struct Existing {
    id: i64,
    slug: Slug,
    version: Option<i64>,
    /// Whether readers could see it before this save.
    was_public: bool,
    /// The fingerprint of the item it was last imported from.
    import_hash: Option<String>,
    /// Whether the newsroom changed it since.
    edited: bool,
    published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether it is one of the site's pages.
    is_page: bool,
}

pub(crate) async fn save(
    store: &crate::SqlStore,
    input: StoryInput,
) -> Result<SaveOutcome, StoreError> {
    // IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking
    // on a read-to-write upgrade.
    let mut tx = store.writing().await?;
    let dry_run = input.dry_run;
    let outcome = save_on(&mut tx, input).await?;
    if dry_run {
        tx.rollback().await.map_err(db_error)?;
    } else {
        tx.commit().await.map_err(db_error)?;
    }
    Ok(outcome)
}

/// Writes one story on the caller's transaction, which commits it (or rolls it back for a
/// dry run).
pub(crate) async fn save_on(
    conn: &mut DbConn,
    mut input: StoryInput,
) -> Result<SaveOutcome, StoreError> {
    let now = input.now;
    let existing = match stored_for(conn, &mut input).await? {
        Stored::Left(outcome) => return Ok(outcome),
        Stored::Found(found) => Some(found),
        Stored::New => None,
    };
    let section_id = match &input.section {
        Some(section) => Some(taxonomy::ensure_section(conn, section, now).await?),
        None => None,
    };
    let picture_id = match &input.lead_picture {
        Some(picture) => {
            Some(crate::library::upsert(conn, picture, crate::library::Merge::FillGaps, now).await?)
        }
        None => None,
    };
    let content = Content {
        input: &input,
        section_id,
        picture_id,
    };
    let existing_was_public = existing.as_ref().is_some_and(|e| e.was_public);
    let (id, slug, created) = match existing {
        Some(found) => {
            keep_replaced_text(conn, found.id, now).await?;
            update_row(conn, found.id, content).await?;
            (found.id, found.slug, false)
        }
        None => {
            let slug = free_slug(conn, &input.slug).await?;
            let id = insert_row(conn, &slug, content).await?;
            (id, slug, true)
        }
    };
    crate::library::set_caption(conn, id, input.lead_picture.as_ref()).await?;
    keep_old_addresses(conn, id, &input, now).await?;
    taxonomy::link_names(conn, id, Kind::Tag, &input.tags).await?;
    taxonomy::link_names(conn, id, Kind::Author, &input.authors).await?;
    place_imported_page(conn, id, input.page.as_ref()).await?;
    // A source's update is a new revision too: an editor who has the story open is told, and
    // the text it replaced can be compared and restored.
    sqlx::query(
        "UPDATE stories SET body_source = body_html, body_format = 'html', revision = revision + 1, \
         first_published_at = CASE WHEN status = 'published' \
         THEN COALESCE(first_published_at, published_at) ELSE first_published_at END, \
         import_hash = $2, edited_since_import = 0, \
         preview_token = CASE WHEN status IN ('published', 'unpublished') THEN NULL ELSE preview_token END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(&input.origin.fingerprint)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    let summary = if created { "created" } else { "updated" };
    revision_of_current(conn, id, Some(&input.origin.source), summary, now).await?;
    crate::editorial::reschedule(conn, id, input.status, input.published_at).await?;
    let was_public = existing_was_public;
    let is_public =
        crate::changes::public(input.status.as_str(), input.published_at.map(to_secs), now);
    if was_public || is_public {
        crate::changes::record(conn, &crate::changes::story_keys(id), now).await?;
        crate::changes::story_event(conn, id, was_public, is_public, now).await?;
    } else {
        crate::changes::record(conn, &crate::changes::unseen_story_keys(id), now).await?;
    }
    let id = StoryId(id);
    Ok(if created {
        SaveOutcome::Created { id, slug }
    } else {
        SaveOutcome::Updated { id, slug }
    })
}

/// What the store holds of an input's story.
enum Stored {
    New,
    Found(Existing),
    /// Found, and left as it is: why.
    Left(SaveOutcome),
}

/// The story the input updates (by external id, or by an identity it had before), or why the
/// save leaves it as it is. An item without times of its own takes the stored story's.
async fn stored_for(conn: &mut DbConn, input: &mut StoryInput) -> Result<Stored, StoreError> {
    let now = input.now;
    let Some(external_id) = &input.external_id else {
        return Ok(Stored::New);
    };
    let found = match find_existing(conn, external_id, now).await? {
        Some(found) => found,
        None => match adopt_former(conn, external_id, &input.former_external_ids, now).await? {
            Some(found) => found,
            None => return Ok(Stored::New),
        },
    };
    // What an item is stays what it was first saved as: a post that became a page at its
    // source (or back) is not applied, as a page and a story follow different rules.
    if found.is_page != input.page.is_some() {
        let (was, is) = if found.is_page {
            ("a page", "a post")
        } else {
            ("a story", "a page")
        };
        return Err(StoreError::Conflict(format!(
            "{} was imported as {was} and is {is} now: the change is not applied",
            found.slug
        )));
    }
    // An item without times of its own does not move a story it updates.
    if input.origin.undated && found.published_at.is_some() {
        input.published_at = found.published_at;
    }
    if let Some(skipped) = skip(&found, input) {
        // The story stays as it is, but its old addresses still lead to it.
        if !input.old_addresses.is_empty() {
            keep_old_addresses(conn, found.id, input, now).await?;
        }
        return Ok(Stored::Left(skipped));
    }
    Ok(Stored::Found(found))
}

/// Places an imported page under the page imported with its parent's external id (an import
/// saves parents first; a parent not found leaves the page at the top).
async fn place_imported_page(
    conn: &mut DbConn,
    id: i64,
    page: Option<&byline_core::pages::ImportedPage>,
) -> Result<(), StoreError> {
    let Some(page) = page else {
        return Ok(());
    };
    sqlx::query(
        "UPDATE stories SET position = $2, parent_id = (SELECT p.id FROM stories p \
         WHERE p.external_id = $3 AND p.kind = 'page' AND p.id <> $1) \
         WHERE id = $1 AND kind = 'page'",
    )
    .bind(id)
    .bind(page.position)
    .bind(page.parent.as_deref())
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// Why a save leaves the story found as it is, if it does: an older version, a story the
/// newsroom changed (without `--overwrite`), one imported before imports were recorded, or
/// exactly what was imported before.
fn skip(found: &Existing, input: &StoryInput) -> Option<SaveOutcome> {
    let slug = found.slug.clone();
    if let (Some(stored), Some(incoming)) = (found.version, input.version)
        && incoming < stored
    {
        return Some(SaveOutcome::SkippedOlder {
            slug,
            stored_version: stored,
        });
    }
    if found.edited && !input.origin.overwrite {
        return Some(SaveOutcome::SkippedEdited { slug });
    }
    let newer = matches!((found.version, input.version), (Some(s), Some(i)) if i > s);
    if found.import_hash.is_none() && !newer && !input.origin.overwrite {
        return Some(SaveOutcome::SkippedUnknown { slug });
    }
    if !found.edited && found.import_hash.as_deref() == Some(&input.origin.fingerprint) {
        return Some(SaveOutcome::SkippedUnchanged { slug });
    }
    None
}

/// Points the input's old addresses at story `id`.
pub(crate) async fn keep_old_addresses(
    conn: &mut DbConn,
    id: i64,
    input: &StoryInput,
    now: chrono::DateTime<Utc>,
) -> Result<(), StoreError> {
    let addresses: Vec<OldAddress> = input
        .old_addresses
        .iter()
        .map(|address| OldAddress {
            address: address.clone(),
            destination: Destination::Story(StoryId(id)),
        })
        .collect();
    crate::redirects::keep(conn, &addresses, now).await
}

/// The story stored under one of `former` identities, given `external_id` instead (on the
/// caller's transaction, so a dry run or a failed save leaves it as it was).
async fn adopt_former(
    conn: &mut DbConn,
    external_id: &str,
    former: &[String],
    now: chrono::DateTime<Utc>,
) -> Result<Option<Existing>, StoreError> {
    for old in former.iter().filter(|old| old.as_str() != external_id) {
        let moved = sqlx::query("UPDATE stories SET external_id = $1 WHERE external_id = $2")
            .bind(external_id)
            .bind(old)
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
        if moved.rows_affected() == 1 {
            return find_existing(conn, external_id, now).await;
        }
    }
    Ok(None)
}

async fn find_existing(
    conn: &mut DbConn,
    external_id: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Option<Existing>, StoreError> {
    let row = sqlx::query(
        "SELECT id, slug, version, status, published_at, import_hash, edited_since_import, kind \
         FROM stories WHERE external_id = $1",
    )
    .bind(external_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error)?;
    row.map(|row| {
        Ok(Existing {
            id: get(&row, "id")?,
            slug: rows::slug(&row, "slug")?,
            version: get(&row, "version")?,
            was_public: crate::changes::public(
                &get::<String>(&row, "status")?,
                get(&row, "published_at")?,
                now,
            ),
            import_hash: get(&row, "import_hash")?,
            edited: get::<i64>(&row, "edited_since_import")? != 0,
            published_at: get::<Option<i64>>(&row, "published_at")?
                .map(rows::from_secs)
                .transpose()?,
            is_page: get::<String>(&row, "kind")? == "page",
        })
    })
    .transpose()
}

/// Writes the story's current text as its current revision, when it has no row for it yet
/// (stories imported before imports wrote revisions), so the text an import replaces stays.
async fn keep_replaced_text(
    conn: &mut DbConn,
    id: i64,
    now: chrono::DateTime<Utc>,
) -> Result<(), StoreError> {
    let missing: Option<i64> = sqlx::query_scalar(
        "SELECT s.revision FROM stories s WHERE s.id = $1 AND NOT EXISTS \
         (SELECT 1 FROM revisions r WHERE r.story_id = s.id AND r.number = s.revision)",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error)?;
    if missing.is_some() {
        revision_of_current(conn, id, Some("before this import"), "kept", now).await?;
    }
    Ok(())
}

/// Records the story's text as it is now as its current revision, made by `source`.
async fn revision_of_current(
    conn: &mut DbConn,
    id: i64,
    source: Option<&str>,
    summary: &str,
    now: chrono::DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO revisions (story_id, number, user_id, created_at, headline, standfirst, \
         body_source, body_format, summary, source) \
         SELECT id, revision, NULL, $2, headline, standfirst, body_source, body_format, $3, $4 \
         FROM stories WHERE id = $1",
    )
    .bind(id)
    .bind(to_secs(now))
    .bind(summary)
    .bind(source)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// The wanted slug, or the first of `slug-2`, `slug-3`, … that no story has.
pub(crate) async fn free_slug(conn: &mut DbConn, wanted: &Slug) -> Result<Slug, StoreError> {
    free_slug_besides(conn, wanted, |_| false).await
}

/// The wanted slug, or the first of `slug-2`, `slug-3`, … that no story has and `given`
/// does not count as taken (slugs given to stories not written yet).
pub(crate) async fn free_slug_besides(
    conn: &mut DbConn,
    wanted: &Slug,
    given: impl Fn(&Slug) -> bool,
) -> Result<Slug, StoreError> {
    for n in 1..10_000 {
        let candidate = if n == 1 {
            wanted.clone()
        } else {
            wanted.with_suffix(n)
        };
        if given(&candidate) {
            continue;
        }
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM stories WHERE slug = $1")
            .bind(candidate.as_str())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?;
        if taken.is_none() {
            return Ok(candidate);
        }
    }
    Err(StoreError::Conflict(format!(
        "no free slug left for {wanted}"
    )))
}

/// The content columns an insert and an update both write, bound as `$1`…`$13` in this order.
pub(crate) struct Content<'a> {
    pub(crate) input: &'a StoryInput,
    pub(crate) section_id: Option<i64>,
    pub(crate) picture_id: Option<i64>,
}

pub(crate) type Query<'q> = sqlx::query::Query<'q, crate::db::Db, crate::db::DbArgs>;

impl Content<'_> {
    pub(crate) fn bind<'q>(&self, query: Query<'q>) -> Query<'q> {
        let input = self.input;
        query
            .bind(input.version)
            .bind(input.headline.as_str().to_owned())
            .bind(input.standfirst.clone())
            .bind(input.body.as_str().to_owned())
            .bind(input.summary.clone())
            .bind(self.section_id)
            .bind(input.byline.clone())
            .bind(input.language.clone())
            .bind(input.status.as_str())
            .bind(input.published_at.map(to_secs))
            .bind(input.embargo_until.map(to_secs))
            .bind(to_secs(input.updated_at))
            .bind(self.picture_id)
            .bind(input.seo.title.clone())
            .bind(input.seo.description.clone())
    }
}

async fn insert_row(
    conn: &mut DbConn,
    slug: &Slug,
    content: Content<'_>,
) -> Result<i64, StoreError> {
    let query = sqlx::query(
        "INSERT INTO stories (version, headline, standfirst, body_html, summary, section_id, byline, \
         language, status, published_at, embargo_until, updated_at, lead_picture_id, seo_title, \
         seo_description, external_id, slug, created_at, kind) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19) RETURNING id",
    );
    let row = content
        .bind(query)
        .bind(content.input.external_id.clone())
        .bind(slug.as_str().to_owned())
        .bind(to_secs(content.input.now))
        .bind(if content.input.page.is_some() {
            "page"
        } else {
            "story"
        })
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error)?;
    get(&row, "id")
}

async fn update_row(conn: &mut DbConn, id: i64, content: Content<'_>) -> Result<(), StoreError> {
    let query = sqlx::query(
        "UPDATE stories SET version = $1, headline = $2, standfirst = $3, body_html = $4, summary = $5, \
         section_id = $6, byline = $7, language = $8, status = $9, published_at = $10, \
         embargo_until = $11, updated_at = $12, lead_picture_id = $13, seo_title = $14, \
         seo_description = $15 WHERE id = $16",
    );
    content
        .bind(query)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}
