//! A run's tags or authors: the names new to the site made, and every link written, with one
//! statement each.

use std::collections::{HashMap, HashSet};

use byline_core::Slug;
use byline_core::store::{StoreError, StoryInput};
use sqlx::AssertSqlSafe;

use super::{Marks, VALUES_PER_LIST};
use crate::db::DbConn;
use crate::failure::db_error;
use crate::taxonomy::Kind;

/// Links each story to its names of `kind` (tags or authors), in their order, skipping
/// repeats, as [`crate::taxonomy::link_names`] does for one story; names new to the site are
/// created first, in the order they appear.
pub(super) async fn link_all<'a>(
    conn: &mut DbConn,
    marks: Marks,
    kind: Kind,
    stories: &[(i64, &'a StoryInput)],
    names_of: impl Fn(&'a StoryInput) -> &'a [String],
) -> Result<(), StoreError> {
    let mut named: Vec<(i64, Slug, &str, i64)> = Vec::new();
    for (story, input) in stories {
        for (position, name) in names_of(input).iter().enumerate() {
            if let Some(slug) = Slug::derive(name) {
                named.push((*story, slug, name.trim(), position as i64));
            }
        }
    }
    if named.is_empty() {
        return Ok(());
    }
    let mut names: Vec<(&Slug, &str)> = Vec::new();
    let mut once = HashSet::new();
    for (_, slug, name, _) in &named {
        if once.insert(slug) {
            names.push((slug, *name));
        }
    }
    let ids = ensure_names(conn, marks, kind, &names).await?;
    let mut links: Vec<(i64, i64, i64)> = Vec::with_capacity(named.len());
    for (story, slug, _, position) in &named {
        let id = ids.get(slug.as_str()).copied().ok_or_else(|| {
            StoreError::Defect(format!("the name {slug} was not found after it was made"))
        })?;
        links.push((id, *story, *position));
    }
    // In the names' id order, as one story's links are: writers lock the calendar's rows in
    // one order. A repeated name keeps its first position.
    links.sort_unstable();
    links.dedup_by_key(|(id, story, _)| (*id, *story));
    insert_links(conn, marks, kind, &links).await
}

/// The ids of the named rows of `kind` by slug, inserting those new to the site in order
/// (a stored name is kept, as [`crate::taxonomy::ensure`] keeps it).
async fn ensure_names(
    conn: &mut DbConn,
    marks: Marks,
    kind: Kind,
    names: &[(&Slug, &str)],
) -> Result<HashMap<String, i64>, StoreError> {
    let table = kind.table();
    let mut ids = HashMap::with_capacity(names.len());
    for chunk in names.chunks(VALUES_PER_LIST / 2) {
        // `table` is one of three fixed names; the values are bound.
        let sql = format!(
            "INSERT INTO {table} (slug, name) VALUES {} ON CONFLICT (slug) DO NOTHING",
            marks.rows(chunk.len(), 2)
        );
        let mut insert = sqlx::query(AssertSqlSafe(sql));
        for (slug, name) in chunk {
            insert = insert
                .bind(slug.as_str().to_owned())
                .bind((*name).to_owned());
        }
        insert.execute(&mut *conn).await.map_err(db_error)?;
        let sql = format!(
            "SELECT id, slug FROM {table} WHERE slug IN ({})",
            marks.list(chunk.len())
        );
        let mut select = sqlx::query_as::<_, (i64, String)>(AssertSqlSafe(sql));
        for (slug, _) in chunk {
            select = select.bind(slug.as_str().to_owned());
        }
        let rows = select.fetch_all(&mut *conn).await.map_err(db_error)?;
        ids.extend(rows.into_iter().map(|(id, slug)| (slug, id)));
    }
    Ok(ids)
}

/// Inserts `(name id, story, position)` links of `kind`; the link triggers keep the listings.
async fn insert_links(
    conn: &mut DbConn,
    marks: Marks,
    kind: Kind,
    links: &[(i64, i64, i64)],
) -> Result<(), StoreError> {
    let (table, column) = kind.links()?;
    for chunk in links.chunks(VALUES_PER_LIST / 3) {
        // `table` and `column` are fixed names; the values are bound.
        let sql = format!(
            "INSERT INTO {table} (story_id, {column}, position) VALUES {} ON CONFLICT DO NOTHING",
            marks.rows(chunk.len(), 3)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (name, story, position) in chunk {
            query = query.bind(*story).bind(*name).bind(*position);
        }
        query.execute(&mut *conn).await.map_err(db_error)?;
    }
    Ok(())
}
