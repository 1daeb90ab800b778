//! Idempotency keys: what a key made before, and recording what it makes, on the caller's
//! transaction so the key and its object are written together or not at all.

use byline_core::integrations::{CreatedOnce, Once};
use byline_core::store::StoreError;
use chrono::{DateTime, Utc};

use crate::db::DbConn;
use crate::failure::db_error;
use crate::rows::to_secs;

/// What an idempotency key made before, on the caller's transaction: the object's id when the
/// same request of the same kind used it, a mismatch for anything else, none when unused.
pub(crate) async fn recall(
    conn: &mut DbConn,
    once: &Once,
    kind: &str,
) -> Result<Option<CreatedOnce<i64>>, StoreError> {
    let before: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT request_hash, object_kind, object_id FROM idempotency_keys \
         WHERE token_id = $1 AND key = $2",
    )
    .bind(once.token.0)
    .bind(&once.key)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(before.map(|(request, made, id)| {
        if request == once.request && made == kind {
            CreatedOnce::Before(id)
        } else {
            CreatedOnce::Mismatch
        }
    }))
}

/// Records what a key made, on the caller's transaction (so with the object, or not at all).
pub(crate) async fn remember(
    conn: &mut DbConn,
    once: &Once,
    kind: &str,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO idempotency_keys (token_id, key, request_hash, object_kind, object_id, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(once.token.0)
    .bind(&once.key)
    .bind(&once.request)
    .bind(kind)
    .bind(id)
    .bind(to_secs(now))
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}
