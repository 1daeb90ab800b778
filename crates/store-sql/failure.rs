//! What a database error means for the caller: a moment of unavailability or a defect of
//! Byline's own; decided here once for every query of both backends. A conflict the caller can
//! name (a slug or an address in use) is named where it can happen, never guessed here.

use byline_core::store::StoreError;

/// Maps a database error to the store's error. Connection and pool trouble, and the codes the
/// backend calls passing (`crate::db::retryable`: busy, locked, a lost connection, a
/// failover) are unavailability (try again shortly); anything else — a constraint no code path
/// names, a value that does not decode, a row that should be there — is a defect, logged and
/// answered 500 without its details.
pub(crate) fn db_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
        sqlx::Error::Database(db) if crate::db::retryable(&db.code().unwrap_or_default()) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Defect(e.to_string()),
    }
}
