//! Static theme files and media, served with far-future caching (their names change with content).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use byline_render::Theme;

use super::delivery::{self, Coding};
use crate::usecases::reading;

use crate::error::AppError;
use crate::media;
use crate::state::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The largest stylesheet put inside each page (bytes, uncompressed): about 4 KiB compressed,
/// so that a page with it still arrives in the first round trip. See
/// docs/decisions/0031-reader-pages.md.
const INLINE_CSS_LIMIT: usize = 16 * 1024;

/// The theme's `site.css` when it may travel inside each page: small enough, with nothing
/// that would end the `<style>` element early, and no address (`url(…)`, `@import`) that
/// would resolve against the page's path instead of the stylesheet's.
pub fn inline_css(theme: &Theme) -> Option<String> {
    let css = theme.asset_text("site.css")?;
    let lower = css.to_ascii_lowercase();
    let fits = css.len() <= INLINE_CSS_LIMIT
        && !lower.contains("</")
        && !lower.contains("url(")
        && !lower.contains("@import");
    fits.then(|| css.to_owned())
}

/// Every static file of the theme compressed once, at start-up: (Brotli, gzip) by URL.
pub fn compressed(theme: &Theme) -> HashMap<String, (Bytes, Bytes)> {
    theme
        .assets()
        .map(|asset| {
            let br = delivery::compress(&asset.bytes, Coding::Brotli);
            let gz = delivery::compress(&asset.bytes, Coding::Gzip);
            (asset.url.clone(), (Bytes::from(br), Bytes::from(gz)))
        })
        .collect()
}

pub async fn theme_file(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let asset = state.theme.asset(uri.path()).ok_or(AppError::NotFound)?;
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let compressed = state.compressed_assets.get(&asset.url);
    let (body, coding) = match (delivery::negotiate(accept), compressed) {
        (Coding::Brotli, Some((br, _))) if br.len() < asset.bytes.len() => (br.clone(), "br"),
        (Coding::Gzip, Some((_, gz))) if gz.len() < asset.bytes.len() => (gz.clone(), "gzip"),
        _ => (Bytes::from(asset.bytes.clone()), ""),
    };
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            (header::VARY, HeaderValue::from_static("Accept-Encoding")),
        ],
        body,
    )
        .into_response();
    if !coding.is_empty() {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    Ok(response)
}

pub async fn media_file(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, AppError> {
    let found = reading::media_file(&state.newsroom, &state.media, &state.rendition_slots, &key)
        .await
        .map_err(|e| match e {
            media::MediaError::Busy => AppError::Busy,
            other => AppError::Internal(other.to_string()),
        })?;
    let (bytes, content_type) = found.ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            // A picture is never a document: nothing in it may run, even an SVG opened directly.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
            ),
        ],
        bytes,
    )
        .into_response())
}
