//! Readers' views: what counts as one (no bots, no prefetches), the windows `Most read` covers,
//! and how the store keeps the counts every node adds in batches.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use async_trait::async_trait;
use chrono::{DateTime, Duration, DurationRound, Utc};

use crate::ids::StoryId;
use crate::store::StoreError;
use crate::story::StoryCard;

/// What a `Most read` list covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub enum MostReadWindow {
    /// The last 24 hours.
    #[serde(rename = "24h")]
    Day,
    /// The last 7 days.
    #[serde(rename = "7d")]
    Week,
}

impl MostReadWindow {
    /// The first hour the window counts at `now`.
    pub fn since(self, now: DateTime<Utc>) -> DateTime<Utc> {
        let span = match self {
            MostReadWindow::Day => Duration::hours(24),
            MostReadWindow::Week => Duration::days(7),
        };
        hour_of(now - span)
    }

    /// The rail's heading.
    pub fn label(self) -> &'static str {
        match self {
            MostReadWindow::Day => "Most read today",
            MostReadWindow::Week => "Most read this week",
        }
    }
}

/// The hour a view counted at `at` is filed under.
pub fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::hours(1)).unwrap_or(at)
}

/// Words in a user agent that mark a crawler, a link preview or a script rather than a reader.
const NOT_READERS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "preview",
    "fetch",
    "scan",
    "monitor",
    "checker",
    "facebookexternalhit",
    "embedly",
    "curl",
    "wget",
    "python",
    "java/",
    "go-http",
    "okhttp",
    "libwww",
    "httpclient",
    "axios",
    "node-fetch",
    "headless",
    "lighthouse",
    "pingdom",
    "feed",
    "rss",
    "wordpress",
    "archive.org",
];

/// Whether a request with this user agent and `Sec-Purpose`/`Purpose` header is a reader's
/// view: browsers name themselves and do not prefetch or prerender when the reader asks.
pub fn is_reader(user_agent: Option<&str>, purpose: Option<&str>) -> bool {
    if purpose.is_some_and(|p| {
        let p = p.to_ascii_lowercase();
        p.contains("prefetch") || p.contains("prerender")
    }) {
        return false;
    }
    let Some(agent) = user_agent.filter(|a| a.starts_with("Mozilla/") || a.starts_with("Opera/"))
    else {
        return false;
    };
    !not_readers().is_match(agent)
}

/// [`NOT_READERS`] as one automaton that ignores ASCII case: every request of an article asks
/// it, so it reads the user agent once, without copying it.
fn not_readers() -> &'static AhoCorasick {
    static WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(NOT_READERS)
            .expect("a few short words always build")
    });
    &WORDS
}

#[async_trait]
pub trait ViewStore: Send + Sync {
    /// Adds views counted in `hour` to each story's count, in one transaction; counts of
    /// stories that do not exist are dropped.
    async fn add_views(
        &self,
        hour: DateTime<Utc>,
        counts: &[(StoryId, u64)],
    ) -> Result<(), StoreError>;
    /// Stories public at `now` most viewed since `since`, most first, with their views.
    async fn most_read(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(StoryCard, u64)>, StoreError>;
    /// The views since `since` of each of `ids` that has any.
    async fn views_of(
        &self,
        ids: &[StoryId],
        since: DateTime<Utc>,
    ) -> Result<Vec<(StoryId, u64)>, StoreError>;
    /// Forgets views counted before `before`.
    async fn forget_views(&self, before: DateTime<Utc>) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_count_and_machines_do_not() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert!(is_reader(Some(firefox), None));
        assert!(!is_reader(Some(firefox), Some("prefetch")));
        assert!(!is_reader(Some(firefox), Some("prefetch;prerender")));
        for agent in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0)",
            "facebookexternalhit/1.1",
            "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
            "Mozilla/5.0 (Linux; Android 11) AppleWebKit/537.36 Chrome-Lighthouse",
            "Mozilla/5.0 (compatible; FEEDLY/1.0)",
            "curl/8.5.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0",
            "",
        ] {
            assert!(!is_reader(Some(agent), None), "{agent}");
        }
        assert!(!is_reader(None, None));
    }

    #[test]
    fn windows_start_on_the_hour() {
        let now = DateTime::parse_from_rfc3339("2026-12-02T14:37:12Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            MostReadWindow::Day.since(now).to_rfc3339(),
            "2026-12-01T14:00:00+00:00"
        );
        assert_eq!(
            MostReadWindow::Week.since(now).to_rfc3339(),
            "2026-11-25T14:00:00+00:00"
        );
    }
}
