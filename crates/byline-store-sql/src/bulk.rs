//! Saving many stories in one transaction: runs of new stories written with a few statements
//! per run (an import's fast path), everything else one story at a time on a savepoint.

use std::collections::{HashMap, HashSet};

use byline_core::changes::CacheKey;
use byline_core::integrations::EventKind;
use byline_core::store::{SaveOutcome, StoreError, StoryInput};
use byline_core::{Slug, StoryId};
use sqlx::AssertSqlSafe;

use crate::db::DbConn;
use crate::failure::db_error;
use crate::rows::{get, to_secs};
use crate::stories::{self, Content};
use crate::taxonomy::Kind;

mod names;

/// The most new stories written by one statement: 25 values each stay within SQLite's and
/// PostgreSQL's limits on a statement's values.
const RUN_MAX: usize = 500;

/// What each saved input came to, in the inputs' order.
type Outcomes = Vec<Result<SaveOutcome, StoreError>>;

/// Saves every input in one transaction, so one commit carries many stories. Consecutive new
/// stories are written together on one savepoint; should that write fail, they are saved
/// again one by one, each on a savepoint of its own, as every other input is: a failed input
/// (or a dry run) is rolled back alone and the rest are kept, and an interrupted transaction
/// leaves no story half-written. See docs/decisions/0034-import-batches.md.
pub(crate) async fn save_all(
    store: &crate::SqlStore,
    inputs: Vec<StoryInput>,
) -> Result<Outcomes, StoreError> {
    let marks = Marks::of(store);
    let mut tx = store.writing().await?;
    let new = new_stories(&mut tx, marks, &inputs).await?;
    let mut outcomes = Vec::with_capacity(inputs.len());
    let mut run = Vec::new();
    for (input, new) in inputs.into_iter().zip(new) {
        if new && run.len() < RUN_MAX {
            run.push(input);
            continue;
        }
        if new {
            outcomes
                .extend(save_run(&mut tx, marks, std::mem::replace(&mut run, vec![input])).await?);
            continue;
        }
        outcomes.extend(save_run(&mut tx, marks, std::mem::take(&mut run)).await?);
        outcomes.push(save_alone(&mut tx, input).await?);
    }
    outcomes.extend(save_run(&mut tx, marks, run).await?);
    tx.commit().await.map_err(db_error)?;
    Ok(outcomes)
}

/// Which inputs are sure to make a new story: not a dry run, not a page, and neither their
/// identity nor a former one is stored or came earlier in the inputs. (Anything else is saved
/// alone, which finds what it updates.)
async fn new_stories(
    conn: &mut DbConn,
    marks: Marks,
    inputs: &[StoryInput],
) -> Result<Vec<bool>, StoreError> {
    let identities: Vec<&str> = inputs
        .iter()
        .flat_map(|input| input.external_id.iter().chain(&input.former_external_ids))
        .map(String::as_str)
        .collect();
    let mut seen: HashSet<String> = select_in(
        conn,
        marks,
        "SELECT external_id AS value FROM stories WHERE external_id IN",
        &identities,
    )
    .await?
    .into_iter()
    .collect();
    Ok(inputs
        .iter()
        .map(|input| {
            let mut names = input.external_id.iter().chain(&input.former_external_ids);
            let unknown = names.all(|name| !seen.contains(name));
            seen.extend(input.external_id.iter().cloned());
            unknown && !input.dry_run && input.page.is_none()
        })
        .collect())
}

/// The `value` column of `select` (ending in `IN`) for the distinct `values`, asked
/// [`VALUES_PER_LIST`] at a time.
async fn select_in(
    conn: &mut DbConn,
    marks: Marks,
    select: &'static str,
    values: &[&str],
) -> Result<Vec<String>, StoreError> {
    let distinct: Vec<&str> = {
        let mut once = HashSet::new();
        values.iter().copied().filter(|v| once.insert(*v)).collect()
    };
    let mut found = Vec::new();
    for chunk in distinct.chunks(VALUES_PER_LIST) {
        // `select` is one of this module's fixed statements; the values are bound.
        let sql = format!("{select} ({})", marks.list(chunk.len()));
        let mut query = sqlx::query_scalar(AssertSqlSafe(sql));
        for value in chunk {
            query = query.bind((*value).to_owned());
        }
        found.extend(query.fetch_all(&mut *conn).await.map_err(db_error)?);
    }
    Ok(found)
}

/// The most values one statement binds outside the stories' rows (well within SQLite's 32,766
/// and PostgreSQL's 65,535).
pub(crate) const VALUES_PER_LIST: usize = 3_000;

/// Writes a statement's value marks the store's way ([`crate::Dialect::positional_values`]).
#[derive(Clone, Copy)]
pub(crate) struct Marks {
    positional: bool,
}

impl Marks {
    fn of(store: &crate::SqlStore) -> Marks {
        Marks {
            positional: store.dialect.positional_values(),
        }
    }

    /// The marks of `count` values, from the statement's first: `$1, $2, …` or `?, ?, …`.
    pub(crate) fn list(self, count: usize) -> String {
        self.from(1, count)
    }

    /// The marks of `count` rows of `width` values: `($1, $2), ($3, $4), …`.
    pub(crate) fn rows(self, count: usize, width: usize) -> String {
        (0..count)
            .map(|row| format!("({})", self.from(1 + row * width, width)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn from(self, first: usize, count: usize) -> String {
        (first..first + count)
            .map(|n| {
                if self.positional {
                    "?".to_owned()
                } else {
                    format!("${n}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Saves one input on a savepoint of its own: a failure or a dry run is rolled back alone.
async fn save_alone(
    conn: &mut DbConn,
    input: StoryInput,
) -> Result<Result<SaveOutcome, StoreError>, StoreError> {
    let dry_run = input.dry_run;
    execute(conn, "SAVEPOINT item").await?;
    let outcome = stories::save_on(conn, input).await;
    if dry_run || outcome.is_err() {
        execute(conn, "ROLLBACK TO SAVEPOINT item").await?;
    }
    execute(conn, "RELEASE SAVEPOINT item").await?;
    Ok(outcome)
}

/// Writes a run of new stories together; if that fails, saves each alone so that only the
/// inputs at fault fail, each with its own reason.
async fn save_run(
    conn: &mut DbConn,
    marks: Marks,
    run: Vec<StoryInput>,
) -> Result<Outcomes, StoreError> {
    if run.is_empty() {
        return Ok(Vec::new());
    }
    execute(conn, "SAVEPOINT run").await?;
    match write_run(conn, marks, &run).await {
        Ok(outcomes) => {
            execute(conn, "RELEASE SAVEPOINT run").await?;
            Ok(outcomes)
        }
        Err(_) => {
            execute(conn, "ROLLBACK TO SAVEPOINT run").await?;
            execute(conn, "RELEASE SAVEPOINT run").await?;
            let mut outcomes = Vec::with_capacity(run.len());
            for input in run {
                outcomes.push(save_alone(conn, input).await?);
            }
            Ok(outcomes)
        }
    }
}

async fn execute(conn: &mut DbConn, statement: &'static str) -> Result<(), StoreError> {
    sqlx::query(statement)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Writes new stories with what a save of each alone writes: the story at its first free
/// slug, its section, picture, tags and authors, its first revision, its old addresses, its
/// scheduled publication, and the change and event readers' caches and webhooks follow.
async fn write_run(
    conn: &mut DbConn,
    marks: Marks,
    run: &[StoryInput],
) -> Result<Outcomes, StoreError> {
    // A section is made once per run with the lineage it is named with: the same slug under
    // another parent still makes that parent, as saving each alone would.
    let mut sections: HashMap<Vec<&Slug>, i64> = HashMap::new();
    let mut contents = Vec::with_capacity(run.len());
    for input in run {
        let section_id = match &input.section {
            Some(section) => {
                let lineage: Vec<&Slug> = section.lineage().iter().map(|s| &s.slug).collect();
                Some(match sections.get(&lineage) {
                    Some(id) => *id,
                    None => {
                        let id = crate::taxonomy::ensure_section(conn, section, input.now).await?;
                        *sections.entry(lineage).or_insert(id)
                    }
                })
            }
            None => None,
        };
        let picture_id = match &input.lead_picture {
            Some(picture) => Some(
                crate::library::upsert(conn, picture, crate::library::Merge::FillGaps, input.now)
                    .await?,
            ),
            None => None,
        };
        contents.push(Content {
            input,
            section_id,
            picture_id,
        });
    }
    let slugs = free_slugs(conn, marks, run).await?;
    let ids = insert_rows(conn, marks, &contents, &slugs).await?;
    let linked: Vec<(i64, &StoryInput)> = ids.iter().copied().zip(run).collect();
    names::link_all(conn, marks, Kind::Tag, &linked, |input| &input.tags).await?;
    names::link_all(conn, marks, Kind::Author, &linked, |input| &input.authors).await?;
    first_revisions(conn, marks, &linked).await?;
    follow_ups(conn, marks, &linked).await?;
    Ok(ids
        .into_iter()
        .zip(slugs)
        .map(|(id, slug)| {
            Ok(SaveOutcome::Created {
                id: StoryId(id),
                slug,
            })
        })
        .collect())
}

/// Each input's wanted slug, or its first free variant: free of stored stories and of the
/// slugs given to the inputs before it, as saving them one by one would give.
async fn free_slugs(
    conn: &mut DbConn,
    marks: Marks,
    run: &[StoryInput],
) -> Result<Vec<Slug>, StoreError> {
    let wanted: Vec<&str> = run.iter().map(|input| input.slug.as_str()).collect();
    let taken: HashSet<String> = select_in(
        conn,
        marks,
        "SELECT slug AS value FROM stories WHERE slug IN",
        &wanted,
    )
    .await?
    .into_iter()
    .collect();
    let mut given: HashSet<Slug> = HashSet::with_capacity(run.len());
    let mut slugs = Vec::with_capacity(run.len());
    for input in run {
        let slug = if !taken.contains(input.slug.as_str()) && !given.contains(&input.slug) {
            input.slug.clone()
        } else {
            stories::free_slug_besides(conn, &input.slug, |slug| given.contains(slug)).await?
        };
        given.insert(slug.clone());
        slugs.push(slug);
    }
    Ok(slugs)
}

/// The columns of a new story after the content's fifteen.
const STORY_COLUMNS: &str = "version, headline, standfirst, body_html, summary, section_id, \
    byline, language, status, published_at, embargo_until, updated_at, lead_picture_id, \
    seo_title, seo_description, external_id, slug, created_at, kind, body_source, body_format, \
    revision, first_published_at, import_hash, lead_caption";
const STORY_WIDTH: usize = 25;

/// Inserts the stories as a save of each alone leaves them (their first revision, their text
/// as its source, the fingerprint of what they were imported from); their ids, in order.
async fn insert_rows(
    conn: &mut DbConn,
    marks: Marks,
    contents: &[Content<'_>],
    slugs: &[Slug],
) -> Result<Vec<i64>, StoreError> {
    let sql = format!(
        "INSERT INTO stories ({STORY_COLUMNS}) VALUES {} RETURNING id, slug",
        marks.rows(contents.len(), STORY_WIDTH)
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for (content, slug) in contents.iter().zip(slugs) {
        let input = content.input;
        let published = input.status.as_str() == "published";
        query = content
            .bind(query)
            .bind(input.external_id.clone())
            .bind(slug.as_str().to_owned())
            .bind(to_secs(input.now))
            .bind("story")
            .bind(input.body.as_str().to_owned())
            .bind("html")
            .bind(1_i64)
            .bind(input.published_at.filter(|_| published).map(to_secs))
            .bind(input.origin.fingerprint.clone())
            .bind(input.lead_picture.as_ref().and_then(|p| p.caption.clone()));
    }
    let rows = query.fetch_all(&mut *conn).await.map_err(db_error)?;
    let mut ids = HashMap::with_capacity(rows.len());
    for row in &rows {
        ids.insert(get::<String>(row, "slug")?, get::<i64>(row, "id")?);
    }
    slugs
        .iter()
        .map(|slug| {
            ids.get(slug.as_str()).copied().ok_or_else(|| {
                StoreError::Defect(format!("the story inserted at {slug} was not returned"))
            })
        })
        .collect()
}

/// The stories' first revisions: their text as imported, made by their source.
async fn first_revisions(
    conn: &mut DbConn,
    marks: Marks,
    stories: &[(i64, &StoryInput)],
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO revisions (story_id, number, created_at, headline, standfirst, \
         body_source, body_format, summary, source) VALUES {}",
        marks.rows(stories.len(), 9)
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for (id, input) in stories {
        query = query
            .bind(*id)
            .bind(1_i64)
            .bind(to_secs(input.now))
            .bind(input.headline.as_str().to_owned())
            .bind(input.standfirst.clone())
            .bind(input.body.as_str().to_owned())
            .bind("html")
            .bind("created")
            .bind(input.origin.source.clone());
    }
    query.execute(&mut *conn).await.map_err(db_error)?;
    Ok(())
}

/// What follows the stories' writing: their old addresses, their scheduled publications, one
/// change with every key they touch, and an event for each that readers can now see.
async fn follow_ups(
    conn: &mut DbConn,
    marks: Marks,
    stories: &[(i64, &StoryInput)],
) -> Result<(), StoreError> {
    let mut keys: Vec<CacheKey> = Vec::new();
    let mut published: Vec<(i64, i64)> = Vec::new();
    for (id, input) in stories {
        if !input.old_addresses.is_empty() {
            stories::keep_old_addresses(conn, *id, input, input.now).await?;
        }
        if input.status == byline_core::Status::Scheduled {
            crate::editorial::reschedule(conn, *id, input.status, input.published_at).await?;
        }
        let now = input.now;
        let public =
            crate::changes::public(input.status.as_str(), input.published_at.map(to_secs), now);
        for key in crate::changes::keys_of_story(*id, public) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        if public {
            published.push((*id, to_secs(now)));
        }
    }
    let last = stories.iter().map(|(_, input)| input.now).max();
    if let Some(now) = last {
        crate::changes::record(conn, &keys, now).await?;
    }
    if published.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO events (kind, subject, at) VALUES {}",
        marks.rows(published.len(), 3)
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for (id, at) in published {
        query = query
            .bind(EventKind::StoryPublished.as_str())
            .bind(id)
            .bind(at);
    }
    query.execute(&mut *conn).await.map_err(db_error)?;
    Ok(())
}
