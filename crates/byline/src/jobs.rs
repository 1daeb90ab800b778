//! The job runners: one publishes scheduled stories when their time comes, whether or not
//! anyone visits the site, and catches up at start-up on what fell due while the server was
//! down; the other makes pictures' renditions from the store's queue.

use std::time::Duration;

use chrono::Utc;

use crate::usecases::{Actor, Newsroom, pictures, stories};

/// The longest the runner sleeps; a schedule made meanwhile is picked up within this.
const MAX_NAP: Duration = Duration::from_secs(1);

/// Runs until the task is dropped. Each round is one store transaction, so stopping between
/// or during rounds never leaves a half-published story.
pub async fn run(nr: Newsroom) {
    loop {
        match stories::publish_due(&nr, Actor::System, Utc::now()).await {
            Ok(published) => {
                for id in published {
                    tracing::info!(story = id.0, "published on schedule");
                }
            }
            Err(e) => tracing::error!(error = %e, "scheduled publishing failed; retrying"),
        }
        let nap = match stories::next_due(&nr).await {
            Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or_default().min(MAX_NAP),
            _ => MAX_NAP,
        };
        tokio::time::sleep(nap.max(Duration::from_millis(20))).await;
    }
}

/// How long a claimed rendition job is this node's before another node may take it over (a
/// node that dies mid-job loses it then).
const RENDITION_LEASE: Duration = Duration::from_secs(600);

/// How often a node without a wake-up looks for rendition work queued by another node.
const RENDITION_POLL: Duration = Duration::from_secs(2);

/// Makes the renditions of pictures as the store's job queue asks, one picture at a time,
/// until the task is dropped. A failure is recorded on the job, which the store retries later.
pub async fn make_renditions(state: crate::state::AppState) {
    loop {
        match pictures::claim_rendition_job(&state.newsroom, Utc::now(), RENDITION_LEASE).await {
            Ok(Some(job)) => {
                // The same slots as renditions made on a reader's request: never more at once
                // than the machine has cores.
                let made = match state.rendition_slots.acquire().await {
                    Ok(_slot) => {
                        crate::media::make_renditions(&state.media, &job.key, job.focus).await
                    }
                    Err(e) => Err(crate::media::MediaError::Read(e.to_string())),
                };
                let outcome = match made {
                    Ok(count) => {
                        tracing::info!(
                            picture = job.picture.0,
                            key = job.key,
                            count,
                            "renditions made"
                        );
                        Ok(())
                    }
                    Err(e) => {
                        tracing::warn!(picture = job.picture.0, key = job.key, attempt = job.attempts, error = %e, "cannot make renditions");
                        Err(e.to_string())
                    }
                };
                let finished =
                    pictures::finish_rendition_job(&state.newsroom, job.id, outcome, Utc::now());
                if let Err(e) = finished.await {
                    tracing::error!(job = job.id.0, error = %e, "cannot record a rendition job");
                }
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "cannot read the rendition queue; retrying"),
        }
        tokio::select! {
            () = state.renditions_wanted.notified() => {}
            () = tokio::time::sleep(RENDITION_POLL) => {}
        }
    }
}
