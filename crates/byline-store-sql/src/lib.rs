//! The store's SQL, written once and compiled once: [`SqlStore`] implements every store
//! trait over sqlx's `Any` driver, and a backend crate supplies its [`Dialect`] — how a write
//! begins, how ids follow a restore, how other processes' changes are heard — with its own
//! migrations and connection. See docs/decisions/0011-one-sql-store.md.

mod accounts;
mod archive;
mod archive_tables;
mod bulk;
mod calendar;
mod changes;
mod desk;
mod dialect;
mod editorial;
mod failure;
mod idempotency;
mod integrations;
mod library;
mod listing;
mod load;
mod outbox;
mod pages;
mod redirects;
mod renditions;
mod rows;
mod search;
mod store;
mod stories;
mod subscribers;
mod taxonomy;
mod tokens;
mod views;

use std::sync::Arc;

use byline_core::store::StoreError;
use sqlx::any::AnyPoolOptions;

pub use dialect::Dialect;
pub use failure::db_error;

/// The store every backend is: the shared SQL over one connection pool, with the backend's
/// dialect.
#[derive(Clone)]
pub struct SqlStore {
    pub(crate) pool: sqlx::AnyPool,
    pub(crate) dialect: Arc<dyn Dialect>,
}

impl SqlStore {
    /// Connects to the database at `url`, whose schema the backend has migrated, with the
    /// backend's pool settings (its size, and what runs on each new connection).
    pub async fn connect(
        url: &str,
        pool: AnyPoolOptions,
        dialect: Arc<dyn Dialect>,
    ) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let pool = pool.connect(url).await.map_err(db_error)?;
        Ok(SqlStore { pool, dialect })
    }

    /// Begins a write transaction the backend's way, queued behind other writers.
    pub(crate) async fn writing(&self) -> Result<db::Tx, StoreError> {
        self.dialect.writing(&self.pool).await
    }
}

/// The sqlx types every query module uses.
pub(crate) mod db {
    pub(crate) type Db = sqlx::Any;
    pub(crate) type DbConn = sqlx::AnyConnection;
    pub(crate) type DbPool = sqlx::AnyPool;
    pub(crate) type DbRow = sqlx::any::AnyRow;
    pub(crate) type DbArgs = sqlx::any::AnyArguments;
    pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;
}
