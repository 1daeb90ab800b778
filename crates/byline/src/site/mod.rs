//! The public site: front page, articles, listings, archives, feeds, sitemaps, assets.
//! Handlers extract, call, render.

use byline_core::changes::CacheKey;
pub mod archive;
pub mod article;
pub mod article_rails;
pub mod assets;
pub mod delivery;
pub mod extras;
pub mod feeds;
pub mod files;
pub mod home;
pub mod listing;
pub mod moved;
pub mod page;
mod page_headers;
pub mod policy;
pub mod search;
pub mod sitemaps;
pub mod structured;

use std::sync::Arc;

use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::reading::RailSources;

pub use crate::frame::{bare_site_view, html_page, html_response, public_policy, site_view};

/// What the rails of article pages are made from, read from the store (or the page cache's
/// copy while no publication or pick changed them).
pub async fn rail_sources(
    state: &AppState,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Arc<RailSources>, AppError> {
    if let Some(sources) = state.cache.shared::<RailSources>("rails") {
        return Ok(sources);
    }
    let read_at = state.cache.epoch();
    let sources = Arc::new(RailSources::read(&state.newsroom, now).await?);
    state
        .cache
        .share("rails", &[CacheKey::Rails], sources.clone(), read_at);
    Ok(sources)
}

/// A `page` parameter that names no page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoSuchPage;

/// The `page` a listing's query string asks for: `None` when it names none. A page named in
/// any other spelling than a plain number from 1 to 100,000, or named twice, is a page that
/// does not exist (`Err`): each page has one address, which is also its cache key.
pub fn requested_page(query: Option<&str>) -> Result<Option<u32>, NoSuchPage> {
    let Some(query) = query else { return Ok(None) };
    let mut page = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let Some(value) = pair.strip_prefix("page=") else {
            if pair == "page" {
                return Err(NoSuchPage);
            }
            continue;
        };
        let canonical = !value.is_empty()
            && value.len() <= 6
            && value.bytes().all(|b| b.is_ascii_digit())
            && !value.starts_with('0');
        let number = value
            .parse()
            .ok()
            .filter(|n| canonical && (1..=100_000).contains(n));
        match (page, number) {
            (None, Some(n)) => page = Some(n),
            _ => return Err(NoSuchPage),
        }
    }
    Ok(page)
}

/// The `page` number of a listing from its query string: absent means 1; anything that is not
/// a page number is a page that does not exist.
pub fn page_number(query: Option<&str>) -> Result<u32, AppError> {
    requested_page(query)
        .map(|page| page.unwrap_or(1))
        .map_err(|NoSuchPage| AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some("page=3")).unwrap(), 3);
        assert_eq!(page_number(Some("utm_source=x&page=2")).unwrap(), 2);
        for bad in [
            "page=0",
            "page=-1",
            "page=abc",
            "page=",
            "page=02",
            "page=+2",
            "page=2&page=1",
            "page",
            "page=1000000",
        ] {
            assert!(page_number(Some(bad)).is_err(), "{bad}");
        }
    }
}
