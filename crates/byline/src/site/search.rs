//! `/search`: the results page for readers, and the same results as JSON for suggestions
//! while typing (`Accept: application/json`).

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use byline_core::Slug;
use byline_render::views::{PageMeta, Pager, SiteView};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{html_page, site_view};
use crate::error::AppError;
use crate::frame::PageInfo;
use crate::state::AppState;
use crate::usecases::search::{self, SearchPage, SearchRequest};

/// Results per page, and suggestions per answer.
const PER_PAGE: u32 = 10;
const SUGGESTIONS: u32 = 8;

/// One result as the theme and the JSON show it.
#[derive(Serialize)]
struct ResultView {
    url: String,
    /// HTML-escaped, matches in `<mark>`.
    headline_html: String,
    /// Plain text.
    headline: String,
    snippet_html: String,
    section: Option<String>,
    published: String,
    date: String,
}

#[derive(Serialize)]
struct SearchView {
    site: SiteView,
    page: PageMeta,
    query: String,
    total: usize,
    results: Vec<ResultView>,
    pager: Pager,
    filters: Vec<(&'static str, String)>,
}

/// The search's parameters: `q`, `section`, `author`, `tag`, `from`, `to` (YYYY-MM-DD) and
/// `page`. Bytes that are not UTF-8 are read as U+FFFD; a filter that is no slug or date is
/// refused by name.
fn request_of(query: Option<&str>) -> Result<SearchRequest, AppError> {
    let mut request = SearchRequest {
        page: 1,
        per_page: PER_PAGE,
        ..SearchRequest::default()
    };
    let slug = |name: &str, value: &str| {
        Slug::parse(value).map_err(|_| {
            AppError::BadRequest(format!(
                "{name}: \"{value}\" is not a {name}'s name in an address"
            ))
        })
    };
    let date = |name: &str, value: &str| {
        NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
            AppError::BadRequest(format!("{name}: \"{value}\" is not a date (YYYY-MM-DD)"))
        })
    };
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if value.is_empty() {
            continue;
        }
        match name.as_ref() {
            "q" => request.text = value.into_owned(),
            "section" => request.section = Some(slug("section", &value)?),
            "author" => request.author = Some(slug("author", &value)?),
            "tag" => request.tag = Some(slug("tag", &value)?),
            "from" => request.since = Some(date("from", &value)?),
            "to" => request.until = Some(date("to", &value)?),
            "page" => {
                request.page = value.parse().map_err(|_| {
                    AppError::BadRequest(format!("page: \"{value}\" is not a page number"))
                })?;
            }
            _ => {}
        }
    }
    Ok(request)
}

/// Whether the client asked for JSON rather than a page.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json") && !accept.contains("text/html"))
}

/// How long a search waits for a free slot before the reader is told to try again.
const WAIT_FOR_SLOT: std::time::Duration = std::time::Duration::from_secs(2);

pub async fn show(
    State(state): State<AppState>,
    crate::guards::ClientAddr(client): crate::guards::ClientAddr,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    if let Some(ip) = client
        && !state.search_limiter.allow(ip, std::time::Instant::now())
    {
        return Err(AppError::TooManyRequests(60));
    }
    let json = wants_json(&headers);
    let mut request = request_of(query.as_deref())?;
    if json {
        request.typing = true;
        request.per_page = SUGGESTIONS;
    }
    let found = if request.text.trim().is_empty() {
        None
    } else {
        let _slot = tokio::time::timeout(WAIT_FOR_SLOT, state.search_slots.acquire())
            .await
            .map_err(|_| AppError::Busy)?
            .map_err(|_| AppError::Busy)?;
        Some(
            search::public(state.search.index(), &request, Utc::now())
                .await
                .map_err(bad_request)?,
        )
    };
    let results: Vec<ResultView> = found.as_ref().map_or_else(Vec::new, |f| views(&state, f));
    let mut response = if json {
        let total = found.as_ref().map_or(0, |f| f.found.total);
        let text = found.as_ref().map_or("", |f| f.text.as_str());
        axum::Json(serde_json::json!({ "query": text, "total": total, "results": results }))
            .into_response()
    } else {
        page(&state, &request, found.as_ref(), results).await?
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=30"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

/// A refused search is the reader's to fix: 400 with the reason, never 422 or 500.
fn bad_request(refusal: crate::usecases::Refusal) -> AppError {
    match refusal {
        crate::usecases::Refusal::Invalid { message, .. } => AppError::BadRequest(message),
        crate::usecases::Refusal::Store(byline_core::store::StoreError::Unavailable(_)) => {
            AppError::Busy
        }
        other => other.into(),
    }
}

fn views(state: &AppState, found: &SearchPage) -> Vec<ResultView> {
    found
        .found
        .hits
        .iter()
        .map(|hit| {
            let when = DateTime::<Utc>::from_timestamp(hit.when, 0).unwrap_or_default();
            ResultView {
                url: format!("{}/story/{}", state.site.base_url, hit.slug),
                headline: unmark(&hit.headline_html),
                headline_html: hit.headline_html.clone(),
                snippet_html: hit.snippet_html.clone(),
                section: hit.section.clone(),
                published: when.to_rfc3339(),
                date: when.format("%-d %B %Y").to_string(),
            }
        })
        .collect()
}

/// The plain text of an escaped, marked headline.
fn unmark(html: &str) -> String {
    byline_render::html::plain_text(&html.replace("<mark>", "").replace("</mark>", ""))
}

async fn page(
    state: &AppState,
    request: &SearchRequest,
    found: Option<&SearchPage>,
    results: Vec<ResultView>,
) -> Result<Response, AppError> {
    let site = site_view(state).await?;
    let text = found.map_or(String::new(), |f| f.text.clone());
    let title = if text.is_empty() {
        "Search".to_owned()
    } else {
        format!("Search: {text}")
    };
    let mut filters = Vec::new();
    for (name, value) in [
        ("section", &request.section),
        ("author", &request.author),
        ("tag", &request.tag),
    ] {
        if let Some(slug) = value {
            filters.push((name, slug.as_str().to_owned()));
        }
    }
    for (name, value) in [("from", request.since), ("to", request.until)] {
        if let Some(day) = value {
            filters.push((name, day.format("%Y-%m-%d").to_string()));
        }
    }
    let mut base = form_urlencoded::Serializer::new(String::new());
    base.append_pair("q", &text);
    for (name, value) in &filters {
        base.append_pair(name, value);
    }
    let path = format!("/search?{}", base.finish());
    let pager = match found {
        Some(f) => Pager::of(&path, f.page, u64::from(f.pages)),
        None => Pager::new(&path, 1, false),
    };
    let pager = Pager {
        prev: pager.prev.map(|p| p.replacen("?page=", "&page=", 1)),
        next: pager.next.map(|p| p.replacen("?page=", "&page=", 1)),
        ..pager
    };
    let mut page = PageMeta::new(&site, title, path);
    page.robots = Some("noindex, follow");
    let view = SearchView {
        site,
        page,
        query: text,
        total: found.map_or(0, |f| f.found.total),
        results,
        pager,
        filters,
    };
    html_page(state, "search.html", view, PageInfo::default())
}
