//! Paginated listings: all stories, a section, a tag, an author.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use byline_core::store::{ListQuery, Listing};
use byline_core::{CardKind, Slug};
use byline_render::views::{CardView, PageMeta, Pager, paths};
use chrono::Utc;

use super::{html_page, page_number, site_view};
use crate::error::AppError;
use crate::state::AppState;

/// Stories per listing page.
pub const PAGE_SIZE: u32 = 20;

pub async fn latest(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    render(
        &state,
        Listing::All,
        "Latest",
        "All stories",
        paths::LATEST.to_owned(),
        query,
    )
    .await
}

pub async fn section(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let section = state
        .store
        .section(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    render(
        &state,
        Listing::Section(slug),
        "Section",
        &section.name,
        paths::section(&section.slug),
        query,
    )
    .await
}

pub async fn tag(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let tag = state.store.tag(&slug).await?.ok_or(AppError::NotFound)?;
    render(
        &state,
        Listing::Tag(slug),
        "Topic",
        &tag.name,
        paths::tag(&tag.slug),
        query,
    )
    .await
}

pub async fn author(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let author = state.store.author(&slug).await?.ok_or(AppError::NotFound)?;
    render(
        &state,
        Listing::Author(slug),
        "Author",
        &author.name,
        paths::author(&author.slug),
        query,
    )
    .await
}

async fn render(
    state: &AppState,
    listing: Listing,
    kind: &str,
    heading: &str,
    path: String,
    query: Option<String>,
) -> Result<Response, AppError> {
    let page_no = page_number(query.as_deref())?;
    let query = ListQuery {
        listing,
        limit: PAGE_SIZE,
        offset: (page_no - 1) * PAGE_SIZE,
        now: Utc::now(),
    };
    let found = state.store.list_cards(&query).await?;
    if found.cards.is_empty() && page_no > 1 {
        return Err(AppError::NotFound);
    }
    let site = site_view(state).await?;
    let pager = Pager::new(&path, page_no, found.has_more);
    let page_path = if page_no == 1 {
        path
    } else {
        format!("{path}?page={page_no}")
    };
    let title = if page_no == 1 {
        heading.to_owned()
    } else {
        format!("{heading} (page {page_no})")
    };
    let page = PageMeta::new(&site, title, page_path);
    let cards = CardView::list(&found.cards, CardKind::More);
    html_page(
        state,
        "listing.html",
        byline_render::page! { site, page, kind, heading, cards, pager },
    )
}
