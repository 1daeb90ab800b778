//! The headers a page keeps with its bytes in the page cache: the security headers, what the
//! page's own response said of its type, policy and robots, and the cache and CDN headers.

use axum::http::{HeaderMap, HeaderValue, header};

use super::delivery::{PAGE_CACHE_CONTROL, PageInfo};
use crate::state::AppState;

/// The headers of a page whose response said `source`, and whether it may be shared (kept in
/// the cache, sent to CDNs): a page marked `no-store` (a preview) may not.
pub(super) fn of(state: &AppState, source: &HeaderMap, info: &PageInfo) -> (HeaderMap, bool) {
    let mut headers = HeaderMap::with_capacity(16);
    crate::layers::add_security_headers(state, &mut headers);
    // A page's own referrer policy (a one-time link's `no-referrer`) wins over the default.
    for name in [
        header::CONTENT_TYPE,
        header::CONTENT_SECURITY_POLICY,
        header::REFERRER_POLICY,
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
    ] {
        if let Some(value) = source.get(&name) {
            headers.insert(name, value.clone());
        }
    }
    if let Some(value) = source.get("x-robots-tag") {
        headers.insert("x-robots-tag", value.clone());
    }
    let shareable = source
        .get(header::CACHE_CONTROL)
        .is_none_or(|v| v != "no-store");
    if shareable {
        shared_headers(&mut headers, info);
    } else {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let vary = source
        .get(header::VARY)
        .cloned()
        .unwrap_or(HeaderValue::from_static("Accept-Encoding"));
    headers.insert(header::VARY, vary);
    if let Some(value) = info.last_modified.and_then(crate::parted_page::http_date) {
        headers.insert(header::LAST_MODIFIED, value);
    }
    (headers, shareable)
}

/// What a shareable page adds: its cache lifetime, the keys a CDN purges it by, and for an
/// HTML page the speculation rules that prefetch the stories it links. A page that may not be
/// shared prefetches nothing: a prefetch would carry its address as its referrer.
fn shared_headers(headers: &mut HeaderMap, info: &PageInfo) {
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(PAGE_CACHE_CONTROL),
    );
    if !info.keys.is_empty()
        && let Ok(keys) = HeaderValue::from_str(&surrogate_keys(&info.keys))
    {
        headers.insert("surrogate-key", keys);
    }
    let html = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    if html {
        headers.insert(
            "speculation-rules",
            HeaderValue::from_static(super::files::SPECULATION_RULES_HEADER),
        );
    }
}

/// The keys a page depends on, as a CDN's `Surrogate-Key` header lists them.
fn surrogate_keys(keys: &[byline_core::changes::CacheKey]) -> String {
    let text: Vec<String> = keys.iter().map(ToString::to_string).collect();
    text.join(" ")
}
