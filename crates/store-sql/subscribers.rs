//! Newsletter subscribers: pending sign-ups with their consent record.

use crate::db::DbPool;
use byline_core::Email;
use byline_core::store::{NewSubscriber, StoreError, SubscribeOutcome, Subscriber};

use crate::rows::{corrupt, from_secs, get, to_secs};
use crate::unavailable;

pub(crate) async fn add(
    pool: &DbPool,
    subscriber: NewSubscriber,
) -> Result<SubscribeOutcome, StoreError> {
    let result = sqlx::query(
        "INSERT INTO subscribers (email, status, source, consented_at) VALUES ($1, 'pending', $2, $3) \
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

pub(crate) async fn find(pool: &DbPool, email: &Email) -> Result<Option<Subscriber>, StoreError> {
    let row =
        sqlx::query("SELECT email, status, source, consented_at FROM subscribers WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(pool)
            .await
            .map_err(unavailable)?;
    row.map(|row| {
        let stored: String = get(&row, "email")?;
        Ok(Subscriber {
            email: Email::parse(&stored).map_err(corrupt)?,
            status: get(&row, "status")?,
            source: get(&row, "source")?,
            consented_at: from_secs(get(&row, "consented_at")?)?,
        })
    })
    .transpose()
}
