//! Readers' views, counted in the front door so that pages answered from the page cache count
//! too: a GET of an article answered 200 or 304 to a browser that is not prefetching, or the
//! marked HEAD of an article the browser showed from a prefetch. Counts are kept in memory per
//! node and added to the store in one batch every few seconds; no cookie, no address, nothing
//! about the reader is kept. See docs/decisions/0027-most-read.md and 0031.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use byline_core::StoryId;
use byline_core::store::Store;
use byline_core::views::{hour_of, is_reader};
use chrono::Utc;
use std::time::{Duration, Instant};

use byline_core::changes::CacheKey;

/// The header [`PREFETCH_BEACON`] marks its request with.
const BEACON_HEADER: &str = "byline-view";

/// The script at the end of an article: when the browser showed the article from a prefetch
/// (the speculation rules', which the front door does not count), it asks for the article's
/// headers once, marked, so the view counts after all. A normal visit sends nothing more.
/// The server adds it ([`add_beacon`]), so a theme's own templates cannot leave it out.
pub const PREFETCH_BEACON: &str = concat!(
    "<script>(function(){var n=performance.getEntriesByType(\"navigation\")[0];",
    "if(n&&n.deliveryType===\"navigational-prefetch\")fetch(location.pathname,",
    "{method:\"HEAD\",headers:{\"Byline-View\":\"prefetched\"},cache:\"no-store\"})})()</script>"
);

/// Puts [`PREFETCH_BEACON`] at the end of an article's `html`: before its last `</body>`, or
/// after everything when it has none.
pub fn add_beacon(html: &mut String) {
    let at = html
        .to_ascii_lowercase()
        .rfind("</body>")
        .unwrap_or(html.len());
    html.insert_str(at, PREFETCH_BEACON);
}

/// Views not yet added to the store, per story.
#[derive(Default)]
pub struct ViewCounter {
    enabled: bool,
    counts: Mutex<HashMap<i64, u64>>,
}

impl ViewCounter {
    pub fn new(enabled: bool) -> ViewCounter {
        ViewCounter {
            enabled,
            counts: Mutex::default(),
        }
    }

    /// Whether views are counted at all (`[views] count`).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Whether the request would be a reader's view of an article, if answered: a GET, or the
    /// HEAD that [`PREFETCH_BEACON`] sends when the article was shown from a prefetch.
    pub fn wanted(&self, request: &Request) -> bool {
        let headers = request.headers();
        let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
        let asked = match *request.method() {
            Method::GET => true,
            Method::HEAD => text(BEACON_HEADER) == Some("prefetched"),
            _ => false,
        };
        self.enabled
            && asked
            && request.uri().path().starts_with("/story/")
            && is_reader(
                text("user-agent"),
                text("sec-purpose").or_else(|| text("purpose")),
            )
    }

    /// Counts the view when the answer shows an article: its first `Surrogate-Key` names it.
    pub fn count(&self, response: &Response) {
        if !matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
            return;
        }
        let story = response
            .headers()
            .get("surrogate-key")
            .and_then(|v| v.to_str().ok())
            .and_then(|keys| keys.split(' ').next())
            .and_then(|key| key.strip_prefix("story-"))
            .and_then(|id| id.parse::<i64>().ok());
        if let Some(story) = story {
            *self.lock().entry(story).or_default() += 1;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, u64>> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds what was counted to the store. A batch the store refuses is kept for the next
    /// flush; a node that dies loses at most what it counted since its last flush.
    pub async fn flush(&self, store: &dyn Store) {
        let batch = std::mem::take(&mut *self.lock());
        if batch.is_empty() {
            return;
        }
        let counts: Vec<(StoryId, u64)> = batch.iter().map(|(id, n)| (StoryId(*id), *n)).collect();
        if let Err(e) = store.add_views(hour_of(Utc::now()), &counts).await {
            tracing::warn!(error = %e, stories = counts.len(), "cannot add views; kept for the next flush");
            let mut counts = self.lock();
            for (id, n) in batch {
                *counts.entry(id).or_default() += n;
            }
        }
    }
}

/// Hours of views kept in the store: the longest window, a week, and a day to spare.
const KEPT: chrono::Duration = chrono::Duration::days(8);

/// Adds the counts to the store every `every`, and forgets views older than the longest
/// window once an hour; returns after a last batch once `stop` says so. It is told rather than
/// aborted, so that a batch on its way to the store is never dropped half-way.
pub async fn run(
    state: crate::AppState,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticks = 0u64;
    let per_hour = (3600 / every.as_secs().max(1)).max(1);
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.changed() => {
                state.views.flush(state.store.as_ref()).await;
                return;
            }
        }
        state.views.flush(state.store.as_ref()).await;
        ticks += 1;
        if ticks.is_multiple_of(per_hour)
            && let Err(e) = state.store.forget_views(Utc::now() - KEPT).await
        {
            tracing::warn!(error = %e, "cannot forget old views");
        }
    }
}

/// Stories in the Most read rail.
pub const MOST_READ: u32 = 5;

/// Keeps the Most read list: read again every minute, and within seconds of a change to the
/// site when a story in it is no longer public. Articles show a new list only when it differs.
pub async fn keep_most_read(state: crate::AppState) {
    let Some(window) = state.most_read_window else {
        return;
    };
    let mut read_at: Option<Instant> = None;
    let mut seen_change = byline_core::ChangeId(0);
    loop {
        let now = Utc::now();
        let last = state.store.last_change().await.unwrap_or(seen_change);
        let due = read_at.is_none_or(|t| t.elapsed() >= state.most_read_every);
        if due || last != seen_change {
            let read =
                crate::usecases::finding::most_read(&state.newsroom, window, now, MOST_READ + 1);
            match read.await {
                Ok(fresh) => {
                    let old = state.most_read.cards();
                    let dropped = old.iter().any(|c| !fresh.iter().any(|f| f.id == c.id));
                    if (due && *old != fresh) || dropped {
                        state.most_read.replace(fresh);
                        state.cache.bump(&[CacheKey::MostRead]);
                    }
                    if due {
                        read_at = Some(Instant::now());
                    }
                    seen_change = last;
                }
                Err(e) => tracing::warn!(error = %e, "cannot read the most read stories"),
            }
        }
        tokio::time::sleep(state.most_read_every.min(Duration::from_secs(5))).await;
    }
}
