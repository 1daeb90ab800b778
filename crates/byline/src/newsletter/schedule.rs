//! The newsletter's clock: scheduled drafts go into the outbox when due, and the daily digest
//! is made once a day (on one node, whichever gets there first), or skipped when there are no
//! stories.

use std::time::Duration;

use byline_core::store::{ListQuery, Listing};
use chrono::{DateTime, Utc};

use super::issue::{IssueError, compose};
use crate::config::DigestConfig;
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::Actor;
use crate::usecases::newsletter as cases;

/// How often the clock looks.
const TICK: Duration = Duration::from_secs(5);

/// Runs until the task is dropped.
pub async fn run(state: AppState) {
    loop {
        tick(&state, Utc::now()).await;
        tokio::time::sleep(TICK).await;
    }
}

/// One look at the clock: releases what is due, and makes the digest when it is time.
pub async fn tick(state: &AppState, now: DateTime<Utc>) {
    match cases::release_due_drafts(&state.newsroom, Actor::System, now).await {
        Ok(released) => {
            for (issue, queued) in released {
                tracing::info!(
                    issue = issue.0,
                    queued,
                    "scheduled newsletter issue released"
                );
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot release scheduled newsletter issues"),
    }
    if let Some(digest) = &state.digest
        && let Err(e) = digest_if_due(state, digest, now).await
    {
        tracing::error!(error = %e, "cannot make the daily digest");
    }
}

async fn digest_if_due(
    state: &AppState,
    config: &DigestConfig,
    now: DateTime<Utc>,
) -> Result<(), IssueError> {
    let due = now.date_naive().and_time(config.time_utc).and_utc();
    if now < due {
        return Ok(());
    }
    let day = now.date_naive().format("%Y-%m-%d").to_string();
    if cases::digest_done(&state.newsroom, Actor::System, &day)
        .await
        .map_err(AppError::from)?
    {
        return Ok(());
    }
    let slugs = day_stories(state, config, due).await?;
    let content = if slugs.is_empty() {
        None
    } else {
        let date = now.format("%-d %B %Y").to_string();
        let subject = config.subject.replace("{date}", &date);
        Some(compose(state, &subject, &config.intro, &slugs).await?)
    };
    let recorded = cases::queue_digest(&state.newsroom, Actor::System, &day, content.as_ref(), now)
        .await
        .map_err(AppError::from)?;
    match recorded {
        Some(Some((issue, queued))) => {
            tracing::info!(issue = issue.0, queued, stories = slugs.len(), %day, "daily digest queued");
        }
        Some(None) => tracing::info!(%day, "no stories today: the daily digest was skipped"),
        None => tracing::debug!(%day, "the daily digest was made elsewhere"),
    }
    Ok(())
}

/// The newest stories (at most `max_stories`) public at `due` and published in the 24 hours
/// before it, from the configured sections, by slug.
async fn day_stories(
    state: &AppState,
    config: &DigestConfig,
    due: DateTime<Utc>,
) -> Result<Vec<String>, IssueError> {
    let since = due - chrono::Duration::hours(24);
    let listings: Vec<Listing> = if config.sections.is_empty() {
        vec![Listing::All]
    } else {
        config
            .sections
            .iter()
            .cloned()
            .map(Listing::Section)
            .collect()
    };
    let mut found = Vec::new();
    for listing in listings {
        // Listings are newest first: the newest `max_stories` of the day are in the first page.
        let query = ListQuery {
            listing,
            limit: config.max_stories.clamp(1, 100),
            offset: 0,
            now: due,
        };
        let page = crate::usecases::reading::cards(&state.newsroom, &query)
            .await
            .map_err(AppError::from)?;
        found.extend(
            page.cards
                .into_iter()
                .filter(|card| card.published_at > since)
                .map(|card| (card.published_at, card.slug.to_string())),
        );
    }
    found.sort_by(|a, b| b.cmp(a));
    found.dedup_by(|a, b| a.1 == b.1);
    found.truncate(config.max_stories.clamp(1, 100) as usize);
    Ok(found.into_iter().map(|(_, slug)| slug).collect())
}
