//! The public site: front page, articles, listings, assets. Handlers extract, call, render.

pub mod article;
pub mod assets;
pub mod delivery;
pub mod home;
pub mod listing;
pub mod policy;

use axum::response::{Html, IntoResponse, Response};
use byline_render::views::{SiteView, nav_links};
use serde::Serialize;

use std::sync::Arc;

use byline_core::Section;

use crate::error::AppError;
use crate::state::AppState;
use crate::stories::RailSources;

/// Site-wide view with the section navigation, read from the store (or the page cache's copy
/// while no section changed).
pub async fn site_view(state: &AppState) -> Result<SiteView, AppError> {
    let sections = match state.cache.shared::<Vec<Section>>("sections") {
        Some(sections) => sections,
        None => {
            let read_at = state.cache.epoch();
            let sections = Arc::new(state.store.sections().await?);
            state
                .cache
                .share("sections", &["site"], sections.clone(), read_at);
            sections
        }
    };
    Ok(SiteView {
        nav: nav_links(&sections),
        ..bare_site_view(state)
    })
}

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
    let sources = Arc::new(RailSources::read(state.store.as_ref(), now).await?);
    state
        .cache
        .share("rails", &["rails"], sources.clone(), read_at);
    Ok(sources)
}

/// Site-wide view without anything from the store, for pages that must render when it fails.
pub fn bare_site_view(state: &AppState) -> SiteView {
    SiteView {
        title: state.site.title.clone(),
        language: state.site.language.clone(),
        base_url: state.site.base_url.clone(),
        css_url: state
            .theme
            .asset_url("site.css")
            .unwrap_or_default()
            .to_owned(),
        nav: Vec::new(),
    }
}

/// Renders a public page as an HTML response carrying what it depends on, for the delivery
/// layer's headers.
pub fn html_page(
    state: &AppState,
    template: &str,
    context: impl Serialize,
    info: delivery::PageInfo,
) -> Result<Response, AppError> {
    let html = state.theme.render(template, context)?;
    let policy = public_policy(state, &html);
    let mut response = Html(html).into_response();
    if let Some(policy) = policy {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, policy);
    }
    response.extensions_mut().insert(info);
    Ok(response)
}

/// The Content-Security-Policy header of a public page of `html`, when the site has one.
pub fn public_policy(state: &AppState, html: &str) -> Option<axum::http::HeaderValue> {
    let policy = state.public_policy.as_ref()?.header_for(html);
    axum::http::HeaderValue::from_str(&policy).ok()
}

/// The `page` number of a listing from its query string: absent means 1; anything that is not
/// a page number is a page that does not exist.
pub fn page_number(query: Option<&str>) -> Result<u32, AppError> {
    let Some(query) = query else { return Ok(1) };
    let mut page = 1;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("page", value)) => {
                page = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=100_000).contains(n))
                    .ok_or(AppError::NotFound)?
            }
            _ => continue,
        }
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some("page=3")).unwrap(), 3);
        assert_eq!(page_number(Some("utm_source=x&page=2")).unwrap(), 2);
        for bad in ["page=0", "page=-1", "page=abc", "page="] {
            assert!(page_number(Some(bad)).is_err(), "{bad}");
        }
    }
}
