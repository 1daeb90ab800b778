//! What each backend supplies besides its migrations and its connection: the only behaviour
//! in which SQLite and PostgreSQL differ.

use std::time::Duration;

use async_trait::async_trait;
use byline_core::store::StoreError;

use crate::db::{DbConn, DbPool, Tx};

/// A backend's way with the things the shared SQL cannot say the same way to both.
#[async_trait]
pub trait Dialect: Send + Sync + 'static {
    /// Begins a write transaction that queues behind other writers instead of deadlocking
    /// with them (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: one advisory lock per write).
    async fn writing(&self, pool: &DbPool) -> Result<Tx, StoreError>;

    /// After rows were restored with their ids, makes each of the `numbered` tables give new
    /// rows ids after the largest present (PostgreSQL's sequences; SQLite does so by itself).
    async fn after_restore(&self, conn: &mut DbConn, numbered: &[&str]) -> Result<(), StoreError>;

    /// Returns when another process may have committed a change (PostgreSQL hears of it by
    /// `LISTEN`, also after it lost and regained its connection), or after `within` at the
    /// latest (SQLite can only wait).
    async fn wait_for_changes(&self, within: Duration);

    /// Whether a statement's values are marked by position (`?`) rather than by number
    /// (`$1`). SQLite finds each numbered mark's name by walking the list of all of them, which
    /// costs a statement of thousands of values more than running it; PostgreSQL knows only
    /// numbers.
    fn positional_values(&self) -> bool {
        false
    }

    /// The statement that brings the planner's statistics up to date. PostgreSQL plans a
    /// deep listing page by them, and its autovacuum may take a minute to notice an import;
    /// SQLite's `PRAGMA optimize` analyzes what changed enough.
    fn refresh_statistics(&self) -> &'static str;
}
