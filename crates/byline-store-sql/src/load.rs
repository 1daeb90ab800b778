//! Loading a whole story — as readers see it or as the editor does — with what it is filed
//! under, on one connection.

use crate::db::DbRow;
use crate::failure::db_error;
use byline_core::accounts::UserId;
use byline_core::editorial::{BodyFormat, Correction, EditorStory};
use byline_core::pages::PagePlace;
use byline_core::search::Searchable;
use byline_core::store::StoreError;
use byline_core::{Author, AuthorId, SafeHtml, Seo, Slug, Status, Story, StoryId, StoryKind, Tag};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;
use std::sync::LazyLock;

use crate::db::DbConn;

use crate::rows::{self, PICTURE_COLUMNS, from_secs, get};
use crate::taxonomy;

/// Which story to load.
pub(crate) enum Key<'a> {
    Id(StoryId),
    Slug(&'a Slug),
}

/// What readers' reads take of a story's own row (with `created_by`, which the Content API and
/// the search index use to say whose a story is): not the editor's source of the body (as long
/// as the body itself), its preview token or import bookkeeping.
const PUBLIC_COLUMNS: &str = "s.id, s.kind, s.slug, s.headline, s.standfirst, s.body_html, \
     s.summary, s.byline, s.language, s.status, s.published_at, s.updated_at, s.embargo_until, \
     s.seo_title, s.seo_description, s.created_by";
/// All of a story's own row, as the editor works on it.
const EDITOR_COLUMNS: &str = "s.*";

/// A story's `columns` with its section and lead picture, read by a condition on `s` that
/// follows.
fn row_select(columns: &str) -> String {
    format!(
        "SELECT {columns}, sec.id AS sec_id, sec.slug AS sec_slug, sec.name AS sec_name, \
         sec.description AS sec_description, sec.position AS sec_position, \
         sec.parent_id AS sec_parent_id, {PICTURE_COLUMNS} \
         FROM stories s LEFT JOIN sections sec ON sec.id = s.section_id \
         LEFT JOIN pictures p ON p.id = s.lead_picture_id WHERE"
    )
}

/// Which of a story's own columns a read of one story takes.
#[derive(Clone, Copy)]
enum Columns {
    /// [`PUBLIC_COLUMNS`], for readers.
    Public,
    /// [`EDITOR_COLUMNS`], for the editor.
    Editor,
}

/// The statement of [`with_filed`] for `columns` and a key in `key_column` (`s.id` or
/// `s.slug`): made once for each of the four, not again for every story read.
fn with_filed_sql(columns: Columns, key_column: usize) -> &'static str {
    static MADE: LazyLock<[[String; 2]; 2]> = LazyLock::new(|| {
        [PUBLIC_COLUMNS, EDITOR_COLUMNS].map(|columns| {
            ["s.id", "s.slug"].map(|column| {
                format!(
                    "WITH one AS ({} {column} = $1), \
                     filed AS (SELECT id AS f_story, -1 AS f_part, 0 AS f_sort, 0 AS f_tie, \
                     0 AS f_id, '' AS f_slug, '' AS f_name, '' AS f_bio FROM one UNION ALL {}) \
                     SELECT filed.*, one.* FROM filed LEFT JOIN one ON filed.f_part = -1 \
                     ORDER BY f_part, f_sort, f_tie",
                    row_select(columns),
                    FILED.replace("{which}", "= (SELECT id FROM one)"),
                )
            })
        })
    });
    &MADE[columns as usize][key_column]
}

/// One story's `columns` and, in the same statement (one round trip where the database is
/// across a network), what it is filed under: the story's own row comes first (`f_part` -1),
/// then one row per tag, author and correction in order, the story's columns empty in them.
async fn with_filed(
    conn: &mut DbConn,
    columns: Columns,
    key: Key<'_>,
) -> Result<Option<(DbRow, Filed)>, StoreError> {
    let key_column = match key {
        Key::Id(_) => 0,
        Key::Slug(_) => 1,
    };
    // The statement is one of four made of this module's fixed text; the key is bound.
    let sql = with_filed_sql(columns, key_column);
    let query = sqlx::query(AssertSqlSafe(sql));
    let query = match key {
        Key::Id(id) => query.bind(id.0),
        Key::Slug(slug) => query.bind(slug.as_str().to_owned()),
    };
    let mut found = query
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?
        .into_iter();
    let Some(story) = found.next() else {
        return Ok(None);
    };
    if get::<i64>(&story, "f_part")? != -1 {
        return Err(rows::corrupt("a story's links read without the story"));
    }
    let mut filed = Filed::default();
    for row in found {
        filed.take(&row)?;
    }
    Ok(Some((story, filed)))
}

/// The most stories one batch read names. A batch is padded (by repeating its last id) up to
/// the first of these sizes that holds it, so that each connection keeps a few prepared
/// statements rather than one per batch length.
const BATCH_SIZES: [usize; 4] = [1, 8, 32, 128];

/// `$first, …` marks for a batch of `count` ids, padded to its size; the ids bound the same
/// way by [`bind_ids`].
fn id_marks(count: usize) -> (String, usize) {
    let size = BATCH_SIZES
        .into_iter()
        .find(|size| *size >= count)
        .unwrap_or(count);
    let marks = (1..=size).map(|n| format!("${n}")).collect::<Vec<_>>();
    (marks.join(", "), size)
}

fn bind_ids<'q>(
    mut query: sqlx::query::Query<'q, crate::db::Db, crate::db::DbArgs>,
    ids: &[i64],
    size: usize,
) -> sqlx::query::Query<'q, crate::db::Db, crate::db::DbArgs> {
    let last = ids.last().copied().unwrap_or(0);
    for n in 0..size {
        query = query.bind(ids.get(n).copied().unwrap_or(last));
    }
    query
}

/// What a batch of stories is filed under and has been corrected by, each list in its order.
#[derive(Default)]
struct Filed {
    tags: HashMap<i64, Vec<Tag>>,
    authors: HashMap<i64, Vec<Author>>,
    corrections: HashMap<i64, Vec<Correction>>,
}

/// The rows of `select` (which ends in `IN`) for the stories `ids`, padded to a batch size,
/// in the statement's order.
async fn rows_of(
    conn: &mut DbConn,
    select: &str,
    order: &str,
    ids: &[i64],
) -> Result<Vec<DbRow>, StoreError> {
    let (marks, size) = id_marks(ids.len());
    // `select` and `order` are this module's fixed fragments; the ids are bound.
    let sql = format!("{select} ({marks}) {order}");
    bind_ids(sqlx::query(AssertSqlSafe(sql)), ids, size)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)
}

/// Tags, authors and corrections of the stories `{which}` names: a row per link or correction,
/// `f_part` telling which, with each part's own order (`f_sort`, `f_tie`).
const FILED: &str = "SELECT st.story_id AS f_story, 0 AS f_part, st.position AS f_sort, \
     0 AS f_tie, 0 AS f_id, t.slug AS f_slug, t.name AS f_name, '' AS f_bio \
     FROM story_tags st JOIN tags t ON t.id = st.tag_id WHERE st.story_id {which} \
     UNION ALL SELECT sa.story_id, 1, sa.position, 0, a.id, a.slug, a.name, a.bio \
     FROM story_authors sa JOIN authors a ON a.id = sa.author_id WHERE sa.story_id {which} \
     UNION ALL SELECT story_id, 2, created_at, id, 0, '', note, '' FROM corrections \
     WHERE story_id {which}";

/// Tags, authors and corrections of at most [`BATCH_SIZES`]' last many stories, in one read
/// however many (one round trip where the database is across a network), in order of story,
/// part and then each part's own order.
async fn filed(conn: &mut DbConn, ids: &[i64]) -> Result<Filed, StoreError> {
    let (marks, size) = id_marks(ids.len());
    // The statement is fixed but for the ids' marks; the ids are bound once, read thrice.
    let sql = format!(
        "{} ORDER BY 1, 2, 3, 4",
        FILED.replace("{which}", &format!("IN ({marks})"))
    );
    let rows = bind_ids(sqlx::query(AssertSqlSafe(sql)), ids, size)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
    let mut filed = Filed::default();
    for row in &rows {
        filed.take(row)?;
    }
    Ok(filed)
}

impl Filed {
    /// Files the link or correction of `row` (a row of [`FILED`]) under its story, after those
    /// taken before it.
    fn take(&mut self, row: &DbRow) -> Result<(), StoreError> {
        let story: i64 = get(row, "f_story")?;
        match get::<i64>(row, "f_part")? {
            0 => self.tags.entry(story).or_default().push(Tag {
                slug: rows::slug(row, "f_slug")?,
                name: get(row, "f_name")?,
            }),
            1 => self.authors.entry(story).or_default().push(Author {
                id: AuthorId(get(row, "f_id")?),
                slug: rows::slug(row, "f_slug")?,
                name: get(row, "f_name")?,
                bio: get(row, "f_bio")?,
            }),
            _ => self.corrections.entry(story).or_default().push(Correction {
                created_at: from_secs(get(row, "f_sort")?)?,
                note: get(row, "f_name")?,
            }),
        }
        Ok(())
    }
}

/// A story's corrections, oldest first.
pub(crate) async fn corrections(conn: &mut DbConn, id: i64) -> Result<Vec<Correction>, StoreError> {
    Ok(filed(conn, &[id])
        .await?
        .corrections
        .remove(&id)
        .unwrap_or_default())
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
    match with_filed(conn, Columns::Public, key).await? {
        Some((row, mut filed)) => Ok(Some(story(&row, &mut filed)?)),
        None => Ok(None),
    }
}

/// Stories as readers see them, with whose each is, in the order of `ids`; an id without a
/// story is left out. Two reads for each [`BATCH_SIZES`]' last many, however many stories:
/// feeds, the Content API and the search index read stories by the page.
pub(crate) async fn many(
    conn: &mut DbConn,
    ids: &[StoryId],
) -> Result<Vec<(Story, Option<UserId>)>, StoreError> {
    let limit = BATCH_SIZES[BATCH_SIZES.len() - 1];
    // An id asked twice is answered once, where it was first asked.
    let mut asked = std::collections::HashSet::with_capacity(ids.len());
    let ids: Vec<StoryId> = ids.iter().copied().filter(|id| asked.insert(*id)).collect();
    let mut stories = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(limit) {
        let ids: Vec<i64> = chunk.iter().map(|id| id.0).collect();
        let mut rows: HashMap<i64, DbRow> = HashMap::with_capacity(ids.len());
        let select = format!("{} s.id IN", row_select(PUBLIC_COLUMNS));
        for row in rows_of(conn, &select, "", &ids).await? {
            rows.insert(get(&row, "id")?, row);
        }
        let mut filed = filed(conn, &ids).await?;
        for id in &ids {
            if let Some(row) = rows.remove(id) {
                let owner = get::<Option<i64>>(&row, "created_by")?.map(UserId);
                stories.push((story(&row, &mut filed)?, owner));
            }
        }
    }
    Ok(stories)
}

/// Stories as the search index keeps them, in the order of `ids`: the site's own pages are not
/// searched, the index holds news stories.
pub(crate) async fn searchable(
    conn: &mut DbConn,
    ids: &[StoryId],
) -> Result<Vec<Searchable>, StoreError> {
    Ok(many(conn, ids)
        .await?
        .into_iter()
        .filter(|(story, _)| story.kind != StoryKind::Page)
        .map(|(story, owner)| Searchable { story, owner })
        .collect())
}

/// The story of `row`, taking what it is filed under out of `filed`.
fn story(row: &DbRow, filed: &mut Filed) -> Result<Story, StoreError> {
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
        tags: filed.tags.remove(&id).unwrap_or_default(),
        authors: filed.authors.remove(&id).unwrap_or_default(),
        byline: get(row, "byline")?,
        language: get(row, "language")?,
        status: status(row)?,
        published_at: time(row, "published_at")?,
        updated_at: from_secs(get(row, "updated_at")?)?,
        embargo_until: time(row, "embargo_until")?,
        lead_picture: rows::picture(row)?,
        seo: seo(row)?,
        corrections: filed.corrections.remove(&id).unwrap_or_default(),
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
    let Some((row, mut filed)) = with_filed(conn, Columns::Editor, Key::Id(id)).await? else {
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
        tags: filed.tags.remove(&id.0).unwrap_or_default(),
        authors: filed.authors.remove(&id.0).unwrap_or_default(),
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
