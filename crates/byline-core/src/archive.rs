//! A whole site as plain tables, for moving it from one store to another (`byline export`,
//! `byline import site`). The file format around these lives in the application.

/// One value of a stored row: every column of the schema is an integer or text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
}

/// The rows of one table, each in the order of `columns`, sorted by the table's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRows {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}
