//! Newsletter subscribers: pending sign-ups with their consent record.

use byline_core::store::{NewSubscriber, StoreError, SubscribeOutcome};
use sqlx::SqlitePool;

use crate::rows::to_secs;
use crate::unavailable;

pub(crate) async fn add(
    pool: &SqlitePool,
    subscriber: NewSubscriber,
) -> Result<SubscribeOutcome, StoreError> {
    let result = sqlx::query(
        "INSERT INTO subscribers (email, status, source, consented_at) VALUES (?1, 'pending', ?2, ?3) \
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(subscriber.email.as_str())
    .bind(&subscriber.source)
    .bind(to_secs(subscriber.consented_at))
    .execute(pool)
    .await
    .map_err(unavailable)?;
    Ok(if result.rows_affected() == 1 {
        SubscribeOutcome::Added
    } else {
        SubscribeOutcome::AlreadyKnown
    })
}
