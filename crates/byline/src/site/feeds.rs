//! Feeds of the whole site and of every section, tag and author, in RSS 2.0, Atom 1.0 and
//! JSON Feed 1.1 (`/feed.xml`, `/atom.xml`, `/feed.json`, and the same under each listing).
//! They are cached and purged like the listing pages they follow.

use axum::extract::{Path, State};
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use byline_core::changes::CacheKey;
use byline_core::store::Listing;
use byline_render::syndication::{self, FeedFormat, FeedMeta};
use chrono::Utc;

use super::delivery::PageInfo;
use super::listing::{listing_keys, named_listing};
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::finding;

/// Most a feed may weigh (the page cache keeps pages up to 8 MB): a feed of very long stories
/// carries fewer of them rather than fail.
const MAX_FEED_BYTES: usize = 4 * 1024 * 1024;

/// The format a feed's address ends in, or 404.
fn format_of(uri: &Uri) -> Result<FeedFormat, AppError> {
    let file = uri.path().rsplit('/').next().unwrap_or_default();
    FeedFormat::of_file(file).ok_or(AppError::NotFound)
}

/// `/feed.xml`, `/atom.xml`, `/feed.json`: the newest stories of the whole site.
pub async fn site_feed(State(state): State<AppState>, uri: Uri) -> Result<Response, AppError> {
    let format = format_of(&uri)?;
    let meta = FeedMeta {
        title: state.site.title.clone(),
        description: format!("The newest stories from {}.", state.site.title),
        language: state.site.language.clone(),
        base_url: state.site.base_url.clone(),
        page_path: "/".into(),
        feed_base: String::new(),
        icon_path: state.discovery.icon.path.into(),
        full_content: state.discovery.full_content,
    };
    serve(&state, format, Listing::All, &meta, listing_keys("/")).await
}

/// `/section/SLUG/feed.xml` and the like: the newest stories of one listing.
pub async fn listing_feed(
    State(state): State<AppState>,
    Path((slug, _file)): Path<(String, String)>,
    uri: Uri,
) -> Result<Response, AppError> {
    let format = format_of(&uri)?;
    let prefix = uri.path().split('/').nth(1).unwrap_or_default();
    let (listing, heading) = named_listing(&state, prefix, &slug).await?;
    let meta = FeedMeta {
        title: format!("{} | {}", heading.name, state.site.title),
        description: heading.description,
        language: state.site.language.clone(),
        base_url: state.site.base_url.clone(),
        page_path: heading.path.clone(),
        feed_base: heading.path.clone(),
        icon_path: state.discovery.icon.path.into(),
        full_content: state.discovery.full_content,
    };
    serve(&state, format, listing, &meta, listing_keys(&heading.path)).await
}

/// `/feed`, where many readers look first.
pub async fn feed_redirect() -> Redirect {
    Redirect::permanent("/feed.xml")
}

async fn serve(
    state: &AppState,
    format: FeedFormat,
    listing: Listing,
    meta: &FeedMeta,
    keys: Vec<CacheKey>,
) -> Result<Response, AppError> {
    let now = Utc::now();
    let mut stories =
        finding::newest_stories(&state.newsroom, listing, state.discovery.feed_items, now).await?;
    let mut body = syndication::render(format, meta, &stories);
    // A feed stays small enough for the page cache: very long stories make it carry fewer.
    while body.len() > MAX_FEED_BYTES && stories.len() > 1 {
        let keep = stories.len() * MAX_FEED_BYTES / body.len();
        stories.truncate(keep.clamp(1, stories.len() - 1));
        body = syndication::render(format, meta, &stories);
    }
    let media_type = match format {
        FeedFormat::Json => "application/feed+json; charset=utf-8",
        FeedFormat::Atom => "application/atom+xml; charset=utf-8",
        FeedFormat::Rss => "application/rss+xml; charset=utf-8",
    };
    let mut response = ([(header::CONTENT_TYPE, media_type)], body).into_response();
    let mut keys = keys;
    // Entries carry whole stories and their dates, which corrections move.
    keys.push(CacheKey::Feeds);
    response.extensions_mut().insert(PageInfo {
        keys,
        last_modified: stories.iter().map(|s| s.updated_at).max(),
    });
    Ok(response)
}
