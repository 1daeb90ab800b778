//! Paginated listings: all stories, a section, a tag, an author.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use byline_core::changes::CacheKey;
use byline_core::store::{ListQuery, Listing};
use byline_core::{CardKind, Slug};
use byline_render::views::{CardView, PageMeta, Pager, SiteView, paths};
use chrono::Utc;
use serde::Serialize;

use super::delivery::PageInfo;
use super::{html_page, page_number, site_view};
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::reading::{self, Named};

/// Stories per listing page.
pub const PAGE_SIZE: u32 = 20;

/// What a listing page is about, as its header shows it.
struct Heading {
    kind: &'static str,
    name: String,
    description: String,
    path: String,
}

/// What `listing.html` shows: one page of cards under the listing's heading.
#[derive(Serialize)]
struct ListingPage<'a> {
    site: SiteView,
    page: PageMeta,
    cards: Vec<CardView>,
    pager: Pager,
    kind: &'static str,
    heading: &'a str,
    description: &'a str,
}

pub async fn latest(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let heading = Heading {
        kind: "Latest",
        name: "All stories".into(),
        description: String::new(),
        path: paths::LATEST.into(),
    };
    render(&state, Listing::All, heading, query).await
}

fn slug(text: &str) -> Result<Slug, AppError> {
    Slug::parse(text).map_err(|_| AppError::NotFound)
}

/// The section, tag or author a listing's address names, or 404.
async fn named(state: &AppState, listing: Listing) -> Result<Named, AppError> {
    reading::listing_named(&state.newsroom, &listing)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn section(
    State(state): State<AppState>,
    Path(slug_text): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let Named::Section(section) = named(&state, Listing::Section(slug(&slug_text)?)).await? else {
        return Err(AppError::NotFound);
    };
    let path = paths::section(&section.slug);
    let heading = Heading {
        kind: "Section",
        name: section.name,
        description: section.description,
        path,
    };
    render(&state, Listing::Section(section.slug), heading, query).await
}

pub async fn tag(
    State(state): State<AppState>,
    Path(slug_text): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let Named::Tag(tag) = named(&state, Listing::Tag(slug(&slug_text)?)).await? else {
        return Err(AppError::NotFound);
    };
    let heading = Heading {
        kind: "Topic",
        name: tag.name,
        description: String::new(),
        path: paths::tag(&tag.slug),
    };
    render(&state, Listing::Tag(tag.slug), heading, query).await
}

pub async fn author(
    State(state): State<AppState>,
    Path(slug_text): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let Named::Author(author) = named(&state, Listing::Author(slug(&slug_text)?)).await? else {
        return Err(AppError::NotFound);
    };
    let path = paths::author(&author.slug);
    let heading = Heading {
        kind: "Author",
        name: author.name,
        description: String::new(),
        path,
    };
    render(&state, Listing::Author(author.slug), heading, query).await
}

async fn render(
    state: &AppState,
    listing: Listing,
    heading: Heading,
    query: Option<String>,
) -> Result<Response, AppError> {
    let page_no = page_number(query.as_deref())?;
    let query = ListQuery {
        listing,
        limit: PAGE_SIZE,
        offset: (page_no - 1) * PAGE_SIZE,
        now: Utc::now(),
    };
    let found = reading::cards(&state.newsroom, &query).await?;
    if found.cards.is_empty() && page_no > 1 {
        return Err(AppError::NotFound);
    }
    let site = site_view(state).await?;
    let pager = Pager::new(&heading.path, page_no, found.has_more);
    let (page_path, title) = if page_no == 1 {
        (heading.path.clone(), heading.name.clone())
    } else {
        (
            format!("{}?page={page_no}", heading.path),
            format!("{} (page {page_no})", heading.name),
        )
    };
    let mut page = PageMeta::new(&site, title, page_path);
    page.description = Some(heading.description.clone()).filter(|d| !d.is_empty());
    let mut keys = vec![CacheKey::Lists, CacheKey::Site];
    keys.extend(
        heading
            .path
            .strip_prefix('/')
            .filter(|p| p.contains('/'))
            .map(|p| CacheKey::parse(&p.replace('/', "-"))),
    );
    let info = PageInfo {
        keys,
        last_modified: found.cards.iter().map(|c| c.published_at).max(),
    };
    let cards = CardView::list(&found.cards, CardKind::More);
    html_page(
        state,
        "listing.html",
        ListingPage {
            site,
            page,
            cards,
            pager,
            kind: heading.kind,
            heading: &heading.name,
            description: &heading.description,
        },
        info,
    )
}
