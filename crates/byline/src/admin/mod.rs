//! The newsroom's admin: sign-in, sessions, the first-administrator setup and the dashboard.

pub mod auth;
pub mod browser;
pub mod curation;
pub mod dashboard;
pub mod editor_form;
pub mod gate;
pub mod integrations;
pub mod library;
pub mod live;
pub mod login;
pub mod members;
pub mod newsletter;
pub mod newsletter_issues;
pub mod newsletter_send;
pub mod pages;
pub mod photo;
pub mod presence;
pub mod redirects;
pub mod revisions;
pub mod setup;
pub mod stories;
pub mod subscribers;
pub mod tokens;
pub mod workflow;

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;

/// Admin pages never run inline script, are never framed and are never cached.
const ADMIN_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
                         frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// The admin's own stylesheet and script, added to every admin page's context.
#[derive(Serialize)]
struct AdminAssets<'a> {
    admin_css: &'a str,
    admin_js: &'a str,
}

/// Renders an admin page (its stylesheet added to `context`) with the admin's security headers.
pub fn admin_page(
    state: &AppState,
    template: &str,
    context: impl Serialize,
) -> Result<Response, AppError> {
    let admin_css = state.theme.asset_url("admin.css").unwrap_or_default();
    let admin_js = state.theme.asset_url("admin.js").unwrap_or_default();
    let assets = AdminAssets {
        admin_css,
        admin_js,
    };
    let context = byline_render::merge(
        byline_render::to_value(&assets),
        byline_render::to_value(&context),
    );
    let html = state.theme.render(template, context)?;
    let mut response = Html(html).into_response();
    secure_admin_headers(&mut response);
    Ok(response)
}

pub fn secure_admin_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(ADMIN_CSP),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}
