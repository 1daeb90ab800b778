//! Paginated listings: all stories, a section, a tag, an author.

use axum::extract::{Path, RawQuery, State};
use axum::http::Uri;
use axum::response::Response;
use byline_core::changes::CacheKey;
use byline_core::store::Listing;
use byline_core::{CardKind, Slug};
use byline_render::views::{CardView, FeedLink, PageMeta, Pager, SiteView, paths};
use chrono::Utc;
use serde::Serialize;

use super::delivery::PageInfo;
use super::moved;
use super::structured;
use super::{html_page, page_number, site_view};
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::finding;
use crate::usecases::reading::{self, Named};

/// Stories per listing page.
pub const PAGE_SIZE: u32 = 20;

/// What a listing page is about, as its header shows it.
pub struct Heading {
    pub kind: &'static str,
    pub name: String,
    /// The page's meta description.
    pub description: String,
    /// What the page says under its heading (a section's own description).
    pub intro: String,
    /// The listing's page, under which its feeds live too.
    pub path: String,
    /// A section's place among the sections: those above it, outermost first, and those
    /// under it, as (name, path).
    pub above: Vec<(String, String)>,
    pub under: Vec<(String, String)>,
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
    above: &'a [(String, String)],
    under: &'a [(String, String)],
}

/// The newest stories of the whole site.
pub fn everything(state: &AppState) -> Heading {
    Heading {
        kind: "Latest",
        name: "All stories".into(),
        description: format!("Every story from {}, newest first.", state.site.title),
        intro: String::new(),
        path: paths::LATEST.into(),
        above: Vec::new(),
        under: Vec::new(),
    }
}

pub async fn latest(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let heading = everything(&state);
    render(&state, Listing::All, heading, query).await
}

/// The listing a `/section/…`, `/tag/…` or `/author/…` address names, with its heading, or
/// 404 when there is no such section, tag or author.
pub async fn named_listing(
    state: &AppState,
    prefix: &str,
    slug_text: &str,
) -> Result<(Listing, Heading), AppError> {
    let slug = Slug::parse(slug_text).map_err(|_| AppError::NotFound)?;
    let listing = match prefix {
        "section" => Listing::Section(slug),
        "tag" => Listing::Tag(slug),
        "author" => Listing::Author(slug),
        _ => return Err(AppError::NotFound),
    };
    let named = reading::listing_named(&state.newsroom, &listing)
        .await?
        .ok_or(AppError::NotFound)?;
    let site = &state.site.title;
    let mut intro = String::new();
    let (mut above, mut under) = (Vec::new(), Vec::new());
    let (kind, name, description, path) = match named {
        Named::Section(s) => {
            let all = crate::frame::sections(state).await?;
            let link = |s: &byline_core::Section| (s.name.clone(), paths::section(&s.slug));
            above = byline_core::story::sections_above(&all, &s)
                .into_iter()
                .map(link)
                .collect();
            under = byline_core::story::sections_under(&all, &s)
                .into_iter()
                .map(link)
                .collect();
            let description = if s.description.is_empty() {
                format!("The latest {} stories from {site}.", s.name)
            } else {
                s.description.clone()
            };
            intro = s.description;
            ("Section", s.name, description, paths::section(&s.slug))
        }
        Named::Tag(t) => {
            let description = format!("Stories about {} from {site}.", t.name);
            ("Topic", t.name, description, paths::tag(&t.slug))
        }
        Named::Author(a) => {
            let description = if a.bio.is_empty() {
                format!("Stories by {} for {site}.", a.name)
            } else {
                a.bio.clone()
            };
            intro = a.bio;
            ("Author", a.name, description, paths::author(&a.slug))
        }
    };
    let heading = Heading {
        kind,
        name,
        description,
        intro,
        path,
        above,
        under,
    };
    Ok((listing, heading))
}

pub async fn section(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    named_page(&state, "section", &slug, &uri).await
}

pub async fn tag(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    named_page(&state, "tag", &slug, &uri).await
}

pub async fn author(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    named_page(&state, "author", &slug, &uri).await
}

/// A section's, tag's or author's page; when there is none by that slug, the old address an
/// import kept under this path (an old site's `/tag/…` or `/author/login`), else 404.
async fn named_page(
    state: &AppState,
    prefix: &str,
    slug: &str,
    uri: &Uri,
) -> Result<Response, AppError> {
    match named_listing(state, prefix, slug).await {
        Ok((listing, heading)) => {
            render(state, listing, heading, uri.query().map(str::to_owned)).await
        }
        Err(AppError::NotFound) => moved::instead_of_missing(state, uri).await,
        Err(e) => Err(e),
    }
}

async fn render(
    state: &AppState,
    listing: Listing,
    heading: Heading,
    query: Option<String>,
) -> Result<Response, AppError> {
    let page_no = page_number(query.as_deref())?;
    let found = finding::numbered_page(&state.newsroom, listing, page_no, PAGE_SIZE, Utc::now())
        .await?
        .ok_or(AppError::NotFound)?;
    let site = site_view(state).await?;
    let pager = Pager::of(&heading.path, page_no, found.pages);
    let (page_path, title, description) = if page_no == 1 {
        (
            heading.path.clone(),
            heading.name.clone(),
            heading.description.clone(),
        )
    } else {
        let position = format!("page {page_no} of {}", found.pages);
        (
            format!("{}?page={page_no}", heading.path),
            format!("{} ({position})", heading.name),
            format!("{} ({position})", heading.description.trim_end_matches('.')),
        )
    };
    let mut page = PageMeta::new(&site, title, page_path);
    page.description = Some(description);
    page.prev.clone_from(&pager.prev);
    page.next.clone_from(&pager.next);
    if heading.path != paths::LATEST {
        page.feeds = FeedLink::all(&heading.name, &heading.path);
    }
    let mut trail = heading.above.clone();
    trail.push((heading.name.clone(), heading.path.clone()));
    page.json_ld = vec![structured::breadcrumbs(&site, &trail)];
    let info = PageInfo {
        keys: listing_keys(&heading.path),
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
            description: &heading.intro,
            above: &heading.above,
            under: &heading.under,
        },
        info,
    )
}

/// What a listing's pages depend on: every public story's card, the site, and the section,
/// tag or author named by its path.
pub fn listing_keys(path: &str) -> Vec<CacheKey> {
    let mut keys = vec![CacheKey::Lists, CacheKey::Site];
    keys.extend(
        path.strip_prefix('/')
            .filter(|p| p.contains('/'))
            .map(|p| CacheKey::parse(&p.replace('/', "-"))),
    );
    keys
}
