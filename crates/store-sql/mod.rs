//! The store's SQL, written once: compiled into each backend crate, which supplies `crate::db`
//! (its sqlx types, write transactions, change announcements), `crate::Backend` and
//! `crate::unavailable`. See docs/decisions/0011-one-sql-store.md.

pub(crate) mod accounts;
pub(crate) mod archive;
pub(crate) mod changes;
pub(crate) mod desk;
pub(crate) mod editorial;
pub(crate) mod failure;
pub(crate) mod library;
pub(crate) mod listing;
pub(crate) mod load;
pub(crate) mod outbox;
pub(crate) mod renditions;
pub(crate) mod rows;
pub(crate) mod store;
pub(crate) mod stories;
pub(crate) mod subscribers;
pub(crate) mod taxonomy;
