//! The rendition job queue: a job per picture that needs its sizes made, claimed with a lease
//! by any node's worker, retried with back-off and given up after a few tries.

use crate::failure::db_error;
use async_trait::async_trait;
use byline_core::JobId;
use byline_core::PictureId;
use byline_core::library::{RenditionJob, RenditionQueue};
use byline_core::store::StoreError;
use chrono::{DateTime, Utc};

use crate::db::DbConn;
use crate::rows::{corrupt, to_secs};

/// Tries before a rendition job is given up.
const RENDITION_TRIES: i64 = 5;

/// Queues the renditions of picture `id`, in the caller's transaction.
pub(crate) async fn queue(
    conn: &mut DbConn,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO rendition_jobs (picture_id, run_at) VALUES ($1, $2)")
        .bind(id)
        .bind(to_secs(now))
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

#[async_trait]
impl RenditionQueue for crate::SqlStore {
    async fn claim_rendition_job(
        &self,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Result<Option<RenditionJob>, StoreError> {
        let mut tx = self.writing().await?;
        let due: Option<(i64, i64, i64, String, String, i64, i64)> = sqlx::query_as(
            "SELECT j.id, j.picture_id, j.attempts, p.source_kind, p.location, p.focus_x, p.focus_y \
             FROM rendition_jobs j JOIN pictures p ON p.id = j.picture_id \
             WHERE j.state = 'pending' AND j.run_at <= $1 ORDER BY j.run_at, j.id LIMIT 1",
        )
        .bind(to_secs(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let Some((job, picture, attempts, kind, key, x, y)) = due else {
            return Ok(None);
        };
        if kind != "local" {
            return Err(corrupt(format!("rendition job {job} for a remote picture")));
        }
        let lease = i64::try_from(lease.as_secs()).unwrap_or(i64::MAX / 2);
        sqlx::query("UPDATE rendition_jobs SET run_at = $2, attempts = attempts + 1 WHERE id = $1")
            .bind(job)
            .bind(to_secs(now).saturating_add(lease))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(Some(RenditionJob {
            id: JobId(job),
            picture: PictureId(picture),
            key,
            focus: byline_core::Focus::new(x, y),
            attempts: u32::try_from(attempts + 1).unwrap_or(u32::MAX),
        }))
    }

    async fn finish_rendition_job(
        &self,
        id: JobId,
        outcome: Result<(), String>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writing().await?;
        let query = match &outcome {
            Ok(()) => sqlx::query(
                "UPDATE rendition_jobs SET state = 'done', last_error = NULL WHERE id = $1",
            )
            .bind(id.0),
            // Back off 30 s, 1 min, 2 min, … and give up after the last try.
            Err(reason) => sqlx::query(
                "UPDATE rendition_jobs SET last_error = $2, \
                 state = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'pending' END, \
                 run_at = $4 + 30 * (attempts * attempts) WHERE id = $1",
            )
            .bind(id.0)
            .bind(reason.clone())
            .bind(RENDITION_TRIES)
            .bind(to_secs(now)),
        };
        query.execute(&mut *tx).await.map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }
}
