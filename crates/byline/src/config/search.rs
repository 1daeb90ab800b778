//! `[search]`: how search ranks what it finds (docs/search.md) and how often one client may ask.

use serde::Deserialize;

/// `[search]`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// A match in the headline counts this many times one in the text. Default: 3.
    #[serde(default = "default_headline_boost")]
    pub headline_boost: f32,
    /// A story published now scores up to (1 + this) times an old one. Default: 1.
    #[serde(default = "default_recency_boost")]
    pub recency_boost: f32,
    /// Days after which the recency gain has halved. Default: 30.
    #[serde(default = "default_half_life")]
    pub recency_half_life_days: f32,
    /// Searches (and suggestions) one client address may ask for a minute. Default: 120.
    #[serde(default = "default_requests_per_minute")]
    pub requests_per_minute: u32,
}

impl Default for SearchConfig {
    fn default() -> SearchConfig {
        SearchConfig {
            headline_boost: default_headline_boost(),
            recency_boost: default_recency_boost(),
            recency_half_life_days: default_half_life(),
            requests_per_minute: default_requests_per_minute(),
        }
    }
}

impl SearchConfig {
    /// The index's ranking settings.
    pub fn ranking(&self) -> byline_search::Ranking {
        byline_search::Ranking {
            headline_boost: self.headline_boost,
            recency_boost: self.recency_boost,
            recency_half_life_days: self.recency_half_life_days,
        }
    }
}

fn default_headline_boost() -> f32 {
    byline_search::Ranking::default().headline_boost
}

fn default_recency_boost() -> f32 {
    byline_search::Ranking::default().recency_boost
}

fn default_half_life() -> f32 {
    byline_search::Ranking::default().recency_half_life_days
}

fn default_requests_per_minute() -> u32 {
    120
}
