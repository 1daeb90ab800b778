//! Searching stories: readers find what is public now; members find every status their role
//! lets them see (a contributor: their own work and what is published).

use std::sync::Arc;

use byline_core::Slug;
use byline_core::Status;
use byline_core::store::StoreError;
use byline_search::{Audience, Filters, Found, Search, SearchIndex, UserQuery};
use chrono::{DateTime, NaiveDate, Utc};

use super::{Actor, Outcome, Refusal};

/// Deepest page of results served: past it, a reader should narrow the search.
pub const DEEPEST_PAGE: u32 = 50;

/// A search as asked for.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    /// Whether the last word is still being typed (suggestions).
    pub typing: bool,
    pub section: Option<Slug>,
    pub author: Option<Slug>,
    pub tag: Option<Slug>,
    /// From this day on (UTC).
    pub since: Option<NaiveDate>,
    /// Up to and including this day (UTC).
    pub until: Option<NaiveDate>,
    pub page: u32,
    pub per_page: u32,
}

/// One page of results.
#[derive(Debug)]
pub struct SearchPage {
    /// The search as it was understood (control characters and extra spaces removed).
    pub text: String,
    pub found: Found,
    pub page: u32,
    /// How many pages there are, at most [`DEEPEST_PAGE`].
    pub pages: u32,
}

/// Public stories at `now` that match.
pub async fn public(
    index: Option<Arc<SearchIndex>>,
    request: &SearchRequest,
    now: DateTime<Utc>,
) -> Outcome<SearchPage> {
    run(
        index,
        request,
        Audience::Readers {
            now: now.timestamp(),
        },
    )
    .await
}

/// Stories in any status (or `status`) that match, as far as the member may see them.
pub async fn newsroom(
    actor: Actor<'_>,
    index: Option<Arc<SearchIndex>>,
    request: &SearchRequest,
    status: Option<Status>,
) -> Outcome<SearchPage> {
    let own_or_public = match actor.member() {
        Some(me) if !byline_core::workflow::sees_others_work(me.role) => Some(me.id.0),
        _ => None,
    };
    let audience = Audience::Newsroom {
        status: status.map(|s| s.as_str().to_owned()),
        own_or_public,
    };
    run(index, request, audience).await
}

async fn run(
    index: Option<Arc<SearchIndex>>,
    request: &SearchRequest,
    audience: Audience,
) -> Outcome<SearchPage> {
    let query = UserQuery::parse(&request.text, request.typing)
        .map_err(|e| Refusal::invalid("q", e.to_string()))?;
    if request.page == 0 || request.page > DEEPEST_PAGE {
        return Err(Refusal::invalid(
            "page",
            format!("Results are shown up to page {DEEPEST_PAGE}; narrow the search instead."),
        ));
    }
    let Some(index) = index else {
        return Err(Refusal::Store(StoreError::Unavailable(
            "the search index is being built".into(),
        )));
    };
    let per_page = request.per_page.clamp(1, 50);
    let filters = Filters {
        section: request.section.as_ref().map(|s| s.as_str().to_owned()),
        author: request.author.as_ref().map(|s| s.as_str().to_owned()),
        tag: request.tag.as_ref().map(|s| s.as_str().to_owned()),
        since: request.since.map(start_of),
        until: request.until.and_then(|d| d.succ_opt()).map(start_of),
    };
    let offset = ((request.page - 1) * per_page) as usize;
    let text = query.text().to_owned();
    let found = tokio::task::spawn_blocking(move || {
        index.search(&Search {
            query: &query,
            audience,
            filters,
            offset,
            limit: per_page as usize,
        })
    })
    .await
    .map_err(|e| StoreError::Defect(format!("a search stopped: {e}")))?
    .map_err(|e| StoreError::Defect(e.to_string()))?;
    let pages = found
        .total
        .div_ceil(per_page as usize)
        .min(DEEPEST_PAGE as usize) as u32;
    Ok(SearchPage {
        text,
        found,
        page: request.page,
        pages,
    })
}

fn start_of(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp())
}
