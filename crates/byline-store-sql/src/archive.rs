//! The site as plain tables: read out in a fixed order with fixed columns, so that SQLite and
//! PostgreSQL dump the same site identically, and written back into an empty store.

use crate::failure::db_error;
use byline_core::archive::{Cell, TableRows};
use byline_core::store::StoreError;
use sqlx::{AssertSqlSafe, Row};

use crate::db::{DbConn, DbPool};

use crate::archive_tables::Kind::{self, Int, Text};
use crate::archive_tables::{ADDED_SINCE_1, NUMBERED, TABLES, Table};

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
