//! What every page is framed by — the site's name, language, stylesheet and sections, and the
//! HTML answer with what it depends on — shared by the public site, the newsletter's pages
//! and the admin, so that none of them borrows from another.

use std::sync::Arc;

use axum::response::{Html, IntoResponse, Response};
use byline_core::Section;
use byline_core::changes::CacheKey;
use byline_core::menus::{Menu, MenuLocation};
use byline_render::views::{SiteView, nav_links};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::reading;

/// What a public page depends on, set by its handler: the names a CDN purges it by, and
/// when its content last changed.
#[derive(Debug, Clone, Default)]
pub struct PageInfo {
    pub keys: Vec<CacheKey>,
    pub last_modified: Option<DateTime<Utc>>,
}

/// The site's sections in navigation order, read from the store once per change to them (the
/// page cache keeps a copy until a section changes).
pub async fn sections(state: &AppState) -> Result<Arc<Vec<Section>>, AppError> {
    if let Some(sections) = state.cache.shared::<Vec<Section>>("sections") {
        return Ok(sections);
    }
    let read_at = state.cache.epoch();
    let sections = Arc::new(reading::sections(&state.newsroom).await?);
    state
        .cache
        .share("sections", &[CacheKey::Site], sections.clone(), read_at);
    Ok(sections)
}

/// The site's menus, read from the store once per change to what every page shows.
pub async fn menus(state: &AppState) -> Result<Arc<Vec<Menu>>, AppError> {
    if let Some(menus) = state.cache.shared::<Vec<Menu>>("menus") {
        return Ok(menus);
    }
    let read_at = state.cache.epoch();
    // Pages are drawn without menus rather than not at all when they cannot be read.
    let menus = match reading::menus(&state.newsroom).await {
        Ok(menus) => menus,
        Err(e) => {
            tracing::warn!(error = %e, "the menus cannot be read: pages are drawn without them");
            Vec::new()
        }
    };
    let menus = Arc::new(menus);
    state
        .cache
        .share("menus", &[CacheKey::Site], menus.clone(), read_at);
    Ok(menus)
}

/// Site-wide view with the section navigation and the menus.
pub async fn site_view(state: &AppState) -> Result<SiteView, AppError> {
    let sections = sections(state).await?;
    let menus = menus(state).await?;
    let placed = |location| {
        menus
            .iter()
            .find(|m| m.location == Some(location))
            .map(|m| m.items.clone())
            .unwrap_or_default()
    };
    Ok(SiteView {
        nav: nav_links(&sections),
        header_menu: placed(MenuLocation::Header),
        footer_menu: placed(MenuLocation::Footer),
        ..bare_site_view(state)
    })
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
        inline_css: state.inline_css.clone(),
        nav: Vec::new(),
        header_menu: Vec::new(),
        footer_menu: Vec::new(),
        icon_url: state.discovery.icon.path.to_owned(),
        icon_type: state.discovery.icon.media_type.to_owned(),
        feeds: byline_render::views::FeedLink::all(&state.site.title, ""),
    }
}

/// Renders a public page as an HTML response carrying what it depends on, for the delivery
/// layer's headers.
pub fn html_page(
    state: &AppState,
    template: &str,
    context: impl Serialize,
    info: PageInfo,
) -> Result<Response, AppError> {
    let html = state.theme.render(template, context)?;
    Ok(html_response(state, html, info))
}

/// A rendered public page as a response: its policy (when the site has one) and what it
/// depends on.
pub fn html_response(state: &AppState, html: String, info: PageInfo) -> Response {
    let policy = public_policy(state, &html);
    let mut response = Html(html).into_response();
    if let Some(policy) = policy {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, policy);
    }
    response.extensions_mut().insert(info);
    response
}

/// The Content-Security-Policy header of a public page of `html`, when the site has one.
pub fn public_policy(state: &AppState, html: &str) -> Option<axum::http::HeaderValue> {
    let policy = state.public_policy.as_ref()?.header_for(html);
    axum::http::HeaderValue::from_str(&policy).ok()
}
