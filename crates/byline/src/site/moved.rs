//! Redirects: an address no route serves (or the front page asked with WordPress's `?p=`,
//! `?cat=`, …) that an import kept or an editor set answers 301 to where its content lives
//! now. One indexed lookup per request; nothing is rendered.

use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use byline_core::redirects::{Found, address_key};
use chrono::Utc;

use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::{reading, redirects};

/// The old address `uri` names, when it names one: the front page only with a parameter that
/// names content, any other path as it is.
pub fn old_address_key(uri: &Uri) -> Option<String> {
    let key = address_key(uri.path(), uri.query())?;
    (key != "/").then_some(key)
}

/// 301 to where the old address of `uri` (its `key`) leads, else 404 (also when that is the
/// very page asked for, so an address never leads to itself).
pub async fn answer(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    key: &str,
) -> Result<Response, AppError> {
    // The site's own addresses are never sent elsewhere, whatever an import or an archive
    // kept for them.
    if !matches!(*method, Method::GET | Method::HEAD) || crate::router::is_fixed_address(key) {
        return Err(AppError::NotFound);
    }
    let found = reading::old_address(&state.newsroom, key, Utc::now()).await?;
    let found = found.ok_or(AppError::NotFound)?;
    // `/story/x/` is `/story/x` written another way: its own page answers first, so that an
    // editor's redirect kept there is followed only when nothing lives at `/story/x`.
    let location = match own_page(uri, key) {
        Some(own) if matches!(found, Found::Url(_)) => own,
        _ => redirects::location(&found),
    };
    if location == uri.path() {
        return Err(AppError::NotFound);
    }
    let location = HeaderValue::try_from(location).map_err(|_| AppError::NotFound)?;
    // 301, as search engines move a page's standing to its new address; cached for an hour,
    // as an editor may still point an old address elsewhere.
    Ok((
        StatusCode::MOVED_PERMANENTLY,
        [
            (header::LOCATION, location),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
    )
        .into_response())
}

/// Where a story, section, tag or author would live if `uri` is its address written another
/// way (a trailing slash, `index.php`), as `key` says.
fn own_page(uri: &Uri, key: &str) -> Option<String> {
    let content = ["/story/", "/section/", "/tag/", "/author/"];
    let path = uri.path();
    if key == path || key.contains("/?") || !content.iter().any(|p| key.starts_with(p)) {
        return None;
    }
    let trimmed = path.trim_end_matches('/');
    let trimmed = trimmed.strip_suffix("/index.php").unwrap_or(trimmed);
    Some(trimmed.trim_end_matches('/').to_owned()).filter(|own| own != path && !own.is_empty())
}

/// For a page that is not there: 301 to where an old address kept under the same path leads,
/// else 404.
pub async fn instead_of_missing(state: &AppState, uri: &Uri) -> Result<Response, AppError> {
    match address_key(uri.path(), uri.query()) {
        Some(key) => answer(state, &Method::GET, uri, &key).await,
        None => Err(AppError::NotFound),
    }
}
