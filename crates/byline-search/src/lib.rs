//! Full-text search of stories: a tantivy index kept by each node under its data folder,
//! a forgiving query language, language-aware stemming, ranking and highlighted snippets.
//!
//! The index knows nothing of the store: the application turns stories into [`Document`]s,
//! tells the index which change of the store's change log they bring it to, and asks
//! [`SearchIndex::search`] questions. See docs/decisions/0026-search-index.md.

mod analysis;
mod find;
mod folder;
mod highlight;
mod index;
mod query;
mod related;

pub use folder::IndexFolder;
pub use index::{Position, SearchIndex};
pub use query::{QueryError, UserQuery};
pub use related::Related;

use serde::Serialize;

/// What the index keeps of one story.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: i64,
    pub slug: String,
    /// The story's status as the store writes it (`published`, `draft`, …).
    pub status: String,
    /// The member who created it.
    pub owner: Option<i64>,
    /// When it was (or is to be) published, in Unix seconds; stories never published are
    /// dated by their last change.
    pub when: i64,
    /// When it last changed, in Unix seconds.
    pub updated: i64,
    /// BCP 47 language tag; its primary subtag chooses the stemmer.
    pub language: String,
    pub headline: String,
    pub standfirst: String,
    /// The body as plain text.
    pub body: String,
    /// The section's slug and name.
    pub section: Option<(String, String)>,
    /// Authors' slugs and names, in byline order.
    pub authors: Vec<(String, String)>,
    /// Tags' slugs and names.
    pub tags: Vec<(String, String)>,
    /// Captions and credits of the story's pictures.
    pub captions: Vec<String>,
}

/// How relevance is weighed (`[search]` in the config).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranking {
    /// How much more a match in the headline counts than one in the text.
    pub headline_boost: f32,
    /// How much a story published just now gains over an old one: its score is multiplied by
    /// `1 + recency_boost × 0.5^(age / recency_half_life_days)`.
    pub recency_boost: f32,
    /// After how many days the recency gain has halved.
    pub recency_half_life_days: f32,
}

impl Default for Ranking {
    fn default() -> Ranking {
        Ranking {
            headline_boost: 3.0,
            recency_boost: 1.0,
            recency_half_life_days: 30.0,
        }
    }
}

/// Who is asking: readers find published stories only, the newsroom finds every status.
#[derive(Debug, Clone, PartialEq)]
pub enum Audience {
    /// Stories public at this time (Unix seconds).
    Readers { now: i64 },
    /// Every story, or those of one status; with `own_or_public`, only that member's own
    /// stories and published ones (for members who see only their own work).
    Newsroom {
        status: Option<String>,
        own_or_public: Option<i64>,
    },
}

/// Narrowing a search down, beyond its words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub section: Option<String>,
    pub author: Option<String>,
    pub tag: Option<String>,
    /// Published at or after (Unix seconds).
    pub since: Option<i64>,
    /// Published before (Unix seconds).
    pub until: Option<i64>,
}

/// One question to the index.
#[derive(Debug, Clone)]
pub struct Search<'a> {
    pub query: &'a UserQuery,
    pub audience: Audience,
    pub filters: Filters,
    /// Hits skipped (for later pages).
    pub offset: usize,
    pub limit: usize,
}

/// One story found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: i64,
    pub slug: String,
    pub status: String,
    pub when: i64,
    pub updated: i64,
    pub section: Option<String>,
    /// The headline, HTML-escaped, matched words in `<mark>`.
    pub headline_html: String,
    /// A passage of the text around the best matches, HTML-escaped, matched words in `<mark>`.
    pub snippet_html: String,
    pub score: f32,
}

/// A page of hits and how many there are in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// What can go wrong with the index itself (a query never fails: see [`UserQuery`]).
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("the search index folder {path}: {source}")]
    Folder {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("the search index at {0} was written by another version of Byline")]
    OtherFormat(std::path::PathBuf),
    #[error("another process on this data folder writes the search index")]
    ReadOnly,
}

#[cfg(test)]
mod tests;
