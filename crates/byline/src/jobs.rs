//! The job runner: publishes scheduled stories when their time comes, whether or not anyone
//! visits the site, and catches up at start-up on what fell due while the server was down.

use std::sync::Arc;
use std::time::Duration;

use byline_core::store::Store;
use chrono::Utc;

/// The longest the runner sleeps; a schedule made meanwhile is picked up within this.
const MAX_NAP: Duration = Duration::from_secs(1);

/// Runs until the task is dropped. Each round is one store transaction, so stopping between
/// or during rounds never leaves a half-published story.
pub async fn run(store: Arc<dyn Store>) {
    loop {
        match store.publish_due(Utc::now()).await {
            Ok(published) => {
                for id in published {
                    tracing::info!(story = id.0, "published on schedule");
                }
            }
            Err(e) => tracing::error!(error = %e, "scheduled publishing failed; retrying"),
        }
        let nap = match store.next_due().await {
            Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or_default().min(MAX_NAP),
            _ => MAX_NAP,
        };
        tokio::time::sleep(nap.max(Duration::from_millis(20))).await;
    }
}
