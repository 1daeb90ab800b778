//! The site as plain tables: read out in a fixed order with fixed columns, so that SQLite and
//! PostgreSQL dump the same site identically, and written back into an empty store.

use crate::failure::db_error;
use byline_core::archive::{Cell, TableRows};
use byline_core::store::StoreError;
use sqlx::{AssertSqlSafe, Row};

use crate::db::{DbConn, DbPool};

#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    Text,
}

use Kind::{Int, Text};

/// A table of the site: its name, its key (the dump's order) and its columns.
struct Table {
    name: &'static str,
    key: &'static str,
    columns: &'static [(&'static str, Kind)],
}

/// Every table of a site, each after the tables it refers to. Sessions, sign-in attempts and
/// links, and the change log belong to a running store, not to the site.
const TABLES: &[Table] = &[
    Table {
        name: "sections",
        key: "id",
        columns: &[
            ("id", Int),
            ("slug", Text),
            ("name", Text),
            ("position", Int),
            ("description", Text),
            ("parent_id", Int),
        ],
    },
    Table {
        name: "authors",
        key: "id",
        columns: &[("id", Int), ("slug", Text), ("name", Text), ("bio", Text)],
    },
    Table {
        name: "tags",
        key: "id",
        columns: &[("id", Int), ("slug", Text), ("name", Text)],
    },
    Table {
        name: "pictures",
        key: "id",
        columns: &[
            ("id", Int),
            ("source_kind", Text),
            ("location", Text),
            ("credit", Text),
            ("caption", Text),
            ("alt", Text),
            ("width", Int),
            ("height", Int),
            ("content_type", Text),
            ("keywords", Text),
            ("focus_x", Int),
            ("focus_y", Int),
            ("added_at", Int),
            ("shared", Int),
            ("rights_creator", Text),
            ("rights_copyright", Text),
            ("rights_license_url", Text),
            ("rights_licensor_url", Text),
        ],
    },
    Table {
        name: "users",
        key: "id",
        columns: &[
            ("id", Int),
            ("email", Text),
            ("name", Text),
            ("role", Text),
            ("password_hash", Text),
            ("created_at", Int),
            ("disabled_at", Int),
        ],
    },
    Table {
        name: "stories",
        key: "id",
        columns: &[
            ("id", Int),
            ("external_id", Text),
            ("version", Int),
            ("slug", Text),
            ("headline", Text),
            ("standfirst", Text),
            ("body_html", Text),
            ("summary", Text),
            ("section_id", Int),
            ("byline", Text),
            ("language", Text),
            ("status", Text),
            ("published_at", Int),
            ("embargo_until", Int),
            ("updated_at", Int),
            ("created_at", Int),
            ("lead_picture_id", Int),
            ("created_by", Int),
            ("revision", Int),
            ("body_source", Text),
            ("body_format", Text),
            ("preview_token", Text),
            ("first_published_at", Int),
            ("lead_caption", Text),
            ("preview_expires_at", Int),
            ("import_hash", Text),
            ("edited_since_import", Int),
            ("seo_title", Text),
            ("seo_description", Text),
            ("kind", Text),
            ("parent_id", Int),
            ("position", Int),
        ],
    },
    Table {
        name: "story_tags",
        key: "story_id, tag_id",
        columns: &[("story_id", Int), ("tag_id", Int), ("position", Int)],
    },
    Table {
        name: "story_authors",
        key: "story_id, author_id",
        columns: &[("story_id", Int), ("author_id", Int), ("position", Int)],
    },
    Table {
        name: "story_views",
        key: "story_id, hour",
        columns: &[("story_id", Int), ("hour", Int), ("views", Int)],
    },
    Table {
        name: "picks",
        key: "position",
        columns: &[("position", Int), ("story_id", Int)],
    },
    Table {
        name: "subscribers",
        key: "id",
        columns: &[
            ("id", Int),
            ("email", Text),
            ("status", Text),
            ("source", Text),
            ("consented_at", Int),
            ("confirmed_at", Int),
            ("ip_hash", Text),
            ("unsubscribed_at", Int),
            ("bounces", Int),
        ],
    },
    Table {
        name: "suppressions",
        key: "email_hash",
        columns: &[("email_hash", Text), ("created_at", Int)],
    },
    Table {
        name: "newsletter_issues",
        key: "id",
        columns: &[
            ("id", Int),
            ("subject", Text),
            ("text_body", Text),
            ("html_body", Text),
            ("state", Text),
            ("created_at", Int),
            ("sent_at", Int),
            ("origin", Text),
        ],
    },
    Table {
        name: "deliveries",
        key: "id",
        columns: &[
            ("id", Int),
            ("issue_id", Int),
            ("email", Text),
            ("state", Text),
            ("attempts", Int),
            ("next_at", Int),
            ("claimed_at", Int),
            ("last_error", Text),
            ("sent_at", Int),
        ],
    },
    Table {
        name: "newsletter_drafts",
        key: "id",
        columns: &[
            ("id", Int),
            ("subject", Text),
            ("intro", Text),
            ("stories", Text),
            ("author", Text),
            ("updated_at", Int),
            ("send_at", Int),
            ("text_body", Text),
            ("html_body", Text),
        ],
    },
    Table {
        name: "newsletter_digests",
        key: "day",
        columns: &[("day", Text), ("issue_id", Int), ("created_at", Int)],
    },
    Table {
        name: "revisions",
        key: "id",
        columns: &[
            ("id", Int),
            ("story_id", Int),
            ("number", Int),
            ("user_id", Int),
            ("created_at", Int),
            ("headline", Text),
            ("standfirst", Text),
            ("body_source", Text),
            ("body_format", Text),
            ("summary", Text),
            ("source", Text),
        ],
    },
    Table {
        name: "jobs",
        key: "id",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("story_id", Int),
            ("run_at", Int),
            ("state", Text),
            ("attempts", Int),
            ("last_error", Text),
        ],
    },
    Table {
        name: "corrections",
        key: "id",
        columns: &[
            ("id", Int),
            ("story_id", Int),
            ("user_id", Int),
            ("created_at", Int),
            ("note", Text),
        ],
    },
    Table {
        name: "slug_redirects",
        key: "old_slug",
        columns: &[("old_slug", Text), ("story_id", Int)],
    },
    Table {
        name: "old_addresses",
        key: "address",
        columns: &[
            ("address", Text),
            ("kind", Text),
            ("story_id", Int),
            ("slug", Text),
            ("target", Text),
            ("created_at", Int),
        ],
    },
    Table {
        name: "menus",
        key: "slug",
        columns: &[
            ("slug", Text),
            ("name", Text),
            ("location", Text),
            ("items", Text),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "settings",
        key: "key",
        columns: &[("key", Text), ("value", Text)],
    },
];

/// Columns added since archive version 1: an older archive may lack any of them, and what it
/// lacks takes the column's default (a story's caption comes from its picture, as it did
/// then). Tables added since are simply absent from an older archive.
const ADDED_SINCE_1: &[(&str, &str)] = &[
    ("pictures", "keywords"),
    ("pictures", "focus_x"),
    ("pictures", "focus_y"),
    ("pictures", "added_at"),
    ("stories", "lead_caption"),
    ("subscribers", "ip_hash"),
    ("subscribers", "unsubscribed_at"),
    // Version 3.
    ("subscribers", "bounces"),
    // Version 4.
    ("pictures", "shared"),
    ("users", "disabled_at"),
    ("stories", "preview_expires_at"),
    ("stories", "import_hash"),
    ("stories", "edited_since_import"),
    ("revisions", "source"),
    // Version 5.
    ("pictures", "rights_creator"),
    ("pictures", "rights_copyright"),
    ("pictures", "rights_license_url"),
    ("pictures", "rights_licensor_url"),
    // Version 6.
    ("sections", "parent_id"),
    ("stories", "seo_title"),
    ("stories", "seo_description"),
    // Version 7.
    ("old_addresses", "target"),
    // Version 8.
    ("stories", "kind"),
    ("stories", "parent_id"),
    ("stories", "position"),
    ("authors", "bio"),
];

/// Tables whose `id` the store assigns, so its counter must move past restored ids.
const NUMBERED: &[&str] = &[
    "sections",
    "authors",
    "tags",
    "pictures",
    "users",
    "stories",
    "subscribers",
    "newsletter_issues",
    "deliveries",
    "newsletter_drafts",
    "revisions",
    "jobs",
    "corrections",
];

pub(crate) async fn dump(pool: &DbPool) -> Result<Vec<TableRows>, StoreError> {
    let mut conn = pool.acquire().await.map_err(db_error)?;
    let mut tables = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let names: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        // Names and keys are the constants above, never input.
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            names.join(", "),
            table.name,
            table.key
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?;
        let rows = rows
            .iter()
            .map(|row| {
                table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, (name, kind))| cell(row, i, *kind, table.name, name))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        tables.push(TableRows {
            table: table.name.to_owned(),
            columns: names.iter().map(|n| (*n).to_owned()).collect(),
            rows,
        });
    }
    Ok(tables)
}

fn cell(
    row: &crate::db::DbRow,
    index: usize,
    kind: Kind,
    table: &str,
    column: &str,
) -> Result<Cell, StoreError> {
    let bad = |e: sqlx::Error| StoreError::Invalid(format!("{table}.{column}: {e}"));
    Ok(match kind {
        Int => row
            .try_get::<Option<i64>, _>(index)
            .map_err(bad)?
            .map_or(Cell::Null, Cell::Int),
        Text => row
            .try_get::<Option<String>, _>(index)
            .map_err(bad)?
            .map_or(Cell::Null, Cell::Text),
    })
}

/// The table of the schema `rows` claim to be, checked column by column: all of its columns,
/// or (from an older archive) all but those added since.
fn schema_of(rows: &TableRows) -> Result<&'static Table, StoreError> {
    let table = TABLES
        .iter()
        .find(|t| t.name == rows.table)
        .ok_or_else(|| StoreError::Invalid(format!("unknown table {}", rows.table)))?;
    let expected: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    // The archive's columns must be the table's, in order, less only columns added later.
    let mut given = rows.columns.iter().map(String::as_str).peekable();
    let fits = expected.iter().all(|name| {
        if given.peek() == Some(name) {
            given.next();
            true
        } else {
            ADDED_SINCE_1.contains(&(table.name, name))
        }
    }) && given.peek().is_none();
    if !fits {
        return Err(StoreError::Invalid(format!(
            "table {} has columns {} where {} were expected",
            rows.table,
            rows.columns.join(", "),
            expected.join(", ")
        )));
    }
    if let Some((n, _)) = rows
        .rows
        .iter()
        .enumerate()
        .find(|(_, row)| row.len() != rows.columns.len())
    {
        return Err(StoreError::Invalid(format!(
            "table {} row {} has the wrong number of values",
            rows.table,
            n + 1
        )));
    }
    Ok(table)
}

pub(crate) async fn restore(
    store: &crate::SqlStore,
    tables: &[TableRows],
) -> Result<(), StoreError> {
    let schemas = tables
        .iter()
        .map(schema_of)
        .collect::<Result<Vec<_>, _>>()?;
    let mut tx = store.writing().await?;
    refuse_unless_empty(&mut tx).await?;
    // Parents before children, whatever order the dump came in.
    for table in TABLES {
        let Some(index) = schemas.iter().position(|s| s.name == table.name) else {
            continue;
        };
        insert_rows(&mut tx, table, &tables[index]).await?;
    }
    store.dialect.after_restore(&mut tx, NUMBERED).await?;
    // An archive from before pictures were marked shared: as the migration did, a picture no
    // story uses is the library's for everyone.
    let marked = tables
        .iter()
        .any(|t| t.table == "pictures" && t.columns.iter().any(|c| c == "shared"));
    if !marked {
        sqlx::query(
            "UPDATE pictures SET shared = 1 \
             WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.lead_picture_id = pictures.id)",
        )
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    }
    tx.commit().await.map_err(db_error)
}

async fn refuse_unless_empty(conn: &mut DbConn) -> Result<(), StoreError> {
    for table in [
        "stories",
        "users",
        "sections",
        "subscribers",
        "tags",
        "authors",
    ] {
        let count: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut *conn)
            .await
            .map_err(db_error)?;
        if count > 0 {
            return Err(StoreError::Conflict(format!(
                "the store already holds a site ({count} rows in {table}); restore into an empty one"
            )));
        }
    }
    Ok(())
}

async fn insert_rows(conn: &mut DbConn, table: &Table, rows: &TableRows) -> Result<(), StoreError> {
    let columns: Vec<(&str, Kind)> = table
        .columns
        .iter()
        .copied()
        .filter(|(name, _)| rows.columns.iter().any(|c| c == name))
        .collect();
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let slots: Vec<String> = (1..=names.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        table.name,
        names.join(", "),
        slots.join(", ")
    );
    for (n, row) in rows.rows.iter().enumerate() {
        let mut query = sqlx::query(AssertSqlSafe(sql.clone()));
        for ((column, kind), value) in columns.iter().zip(row) {
            query = match (kind, value) {
                (Int, Cell::Int(v)) => query.bind(Some(*v)),
                (Int, Cell::Null) => query.bind(None::<i64>),
                (Text, Cell::Text(v)) => query.bind(Some(v.clone())),
                (Text, Cell::Null) => query.bind(None::<String>),
                _ => {
                    return Err(StoreError::Invalid(format!(
                        "table {} row {}: {column} has a value of the wrong type",
                        table.name,
                        n + 1
                    )));
                }
            };
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(|e| StoreError::Invalid(format!("table {} row {}: {e}", table.name, n + 1)))?;
    }
    Ok(())
}
