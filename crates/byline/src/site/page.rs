//! The site's own pages (About, Imprint, Privacy) at the site root: a title, the body, the
//! pages above and under it; no date and no rails.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use byline_core::changes::CacheKey;
use byline_core::pages::PageEntry;
use byline_core::{Slug, Story};
use byline_render::views::{Link, PageMeta, SiteView, paths};
use chrono::Utc;
use serde::Serialize;

use super::delivery::PageInfo;
use super::moved;
use super::structured::{self, absolute};
use super::{html_page, site_view};
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::reading::{self, PageAnswer, PublicPage};

/// What `page.html` shows.
#[derive(Serialize)]
struct PageView<'a> {
    site: SiteView,
    page: PageMeta,
    page_language: &'a str,
    title: &'a str,
    body: &'a str,
    /// The pages above this one, top first, for the breadcrumb trail.
    above: Vec<Link>,
    /// The pages under this one, in order.
    under: Vec<Link>,
}

/// `/{slug}`: the public page, 308 to its new slug, else whatever an old address there leads
/// to (the order of docs/decisions/0029-one-url-space.md).
pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    answer(&state, &slug, &uri, false).await
}

/// `/page/{slug}`: the same page under the prefix some sites use, sent to its one address.
pub async fn under_prefix(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    answer(&state, &slug, &uri, true).await
}

/// The page at `slug` (or, when `elsewhere`, a 301 to it), else the old address's answer.
async fn answer(
    state: &AppState,
    slug: &str,
    uri: &Uri,
    elsewhere: bool,
) -> Result<Response, AppError> {
    let Ok(slug) = Slug::parse(slug) else {
        return moved::instead_of_missing(state, uri).await;
    };
    match reading::page(&state.newsroom, &slug, Utc::now()).await? {
        PageAnswer::Page(page) if elsewhere => Ok(moved_to(&paths::page(&page.story.slug))),
        PageAnswer::Page(page) => render(state, &page).await,
        PageAnswer::Moved(current) if elsewhere => Ok(moved_to(&paths::page(&current))),
        PageAnswer::Moved(current) => {
            Ok(Redirect::permanent(&paths::page(&current)).into_response())
        }
        PageAnswer::Missing => moved::instead_of_missing(state, uri).await,
    }
}

/// `/{slug}/` for a public page: 301 to `/{slug}`, as a page has one address; `None` when no
/// page lives there.
pub async fn with_slash(state: &AppState, uri: &Uri) -> Option<Response> {
    let inner = uri.path().strip_prefix('/')?.strip_suffix('/')?;
    let slug = Slug::parse(inner).ok()?;
    let now = Utc::now();
    let found = reading::page_address(&state.newsroom, &slug, now)
        .await
        .ok()??;
    Some(moved_to(&paths::page(&found)))
}

fn moved_to(path: &str) -> Response {
    let mut response = Redirect::permanent(path).into_response();
    *response.status_mut() = axum::http::StatusCode::MOVED_PERMANENTLY;
    response
}

/// A page at its private preview address (any status, never cached or indexed).
pub fn preview(state: &AppState, story: Story, site: SiteView) -> Result<Response, AppError> {
    let page = PublicPage {
        story,
        above: Vec::new(),
        under: Vec::new(),
    };
    let mut response = draw(state, &page, site, true)?;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    Ok(response)
}

async fn render(state: &AppState, page: &PublicPage) -> Result<Response, AppError> {
    let site = site_view(state).await?;
    draw(state, page, site, false)
}

fn draw(
    state: &AppState,
    page: &PublicPage,
    site: SiteView,
    preview: bool,
) -> Result<Response, AppError> {
    let story = &page.story;
    let links = |pages: &[PageEntry]| -> Vec<Link> {
        pages
            .iter()
            .map(|p| Link {
                name: p.title.clone(),
                url: paths::page(&p.slug),
            })
            .collect()
    };
    let (above, under) = (links(&page.above), links(&page.under));
    let mut meta = PageMeta::new(
        &site,
        story
            .seo
            .title
            .as_deref()
            .unwrap_or(story.headline.as_str()),
        paths::page(&story.slug),
    );
    meta.description = story
        .seo
        .description
        .clone()
        .or_else(|| Some(byline_core::excerpt(&story.summary, 30)).filter(|e| !e.is_empty()));
    meta.robots = preview.then_some("noindex, nofollow");
    let mut trail: Vec<(String, String)> = above
        .iter()
        .map(|l| (l.name.clone(), l.url.clone()))
        .collect();
    trail.push((story.headline.as_str().to_owned(), meta.path.clone()));
    meta.json_ld = vec![
        serde_json::json!({
            "@context": "https://schema.org",
            "@type": "WebPage",
            "name": story.headline.as_str(),
            "url": absolute(&site.base_url, &meta.path),
            "inLanguage": story.language,
            "dateModified": story.updated_at.to_rfc3339(),
        }),
        structured::breadcrumbs(&site, &trail),
    ];
    // The page, the titles of the pages around it (any page's change announces `Lists`) and
    // what every page shows.
    let info = PageInfo {
        keys: vec![CacheKey::Story(story.id), CacheKey::Lists, CacheKey::Site],
        last_modified: Some(story.updated_at),
    };
    html_page(
        state,
        "page.html",
        PageView {
            site,
            page: meta,
            page_language: &story.language,
            title: story.headline.as_str(),
            body: story.body.as_str(),
            above,
            under,
        },
        info,
    )
}
