//! How public pages leave the server: validators (`ETag`, `Last-Modified`) with 304 answers,
//! Brotli or gzip chosen by `Accept-Encoding`, and the cache headers a CDN in front needs
//! (`Cache-Control` with `s-maxage` and `stale-while-revalidate`, `Surrogate-Key`).

use std::borrow::Cow;
use std::sync::Arc;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use sha2::{Digest, Sha256};

use super::article_rails::{self, RailsSplit};
use crate::cache::{CachedPage, Kept};
pub use crate::codings::{Coding, compress, negotiate};
use crate::state::AppState;

/// Browsers revalidate every time (so an edit shows at once); a CDN may keep a page a minute
/// and serve it stale while it fetches a new one. Purges go by `Surrogate-Key`.
pub const PAGE_CACHE_CONTROL: &str =
    "public, max-age=0, must-revalidate, s-maxage=60, stale-while-revalidate=30";

/// Largest page the delivery layer buffers to compress; larger bodies pass through as they are.
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

pub use crate::frame::PageInfo;

/// The validator of a page's content, whatever coding it travels in.
fn entity_tag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// What of a request decides the answer, taken before the request goes on.
struct Ask {
    if_none_match: Option<HeaderValue>,
    coding: Coding,
    head: bool,
}

impl Ask {
    fn of(request: &Request) -> Ask {
        let headers = request.headers();
        Ask {
            if_none_match: headers.get(header::IF_NONE_MATCH).cloned(),
            coding: negotiate(
                headers
                    .get(header::ACCEPT_ENCODING)
                    .and_then(|v| v.to_str().ok()),
            ),
            head: request.method() == Method::HEAD,
        }
    }
}

/// Whether `If-None-Match` names this content (any coding of it, weak or strong).
fn matches_etag(value: &HeaderValue, tag: &str) -> bool {
    let Ok(value) = value.to_str() else {
        return false;
    };
    value.split(',').take(64).map(str::trim).any(|candidate| {
        let candidate = candidate
            .strip_prefix("W/")
            .unwrap_or(candidate)
            .trim_matches('"');
        candidate == "*" || candidate.split('-').next() == Some(tag)
    })
}

/// Whether a request presents a session cookie. The front door leaves such requests to the
/// delivery layer, which looks the session up: only a live one sees pages fresh.
fn has_session_cookie(headers: &HeaderMap) -> bool {
    crate::session_cookie::session_token(headers).is_some()
}

/// A request signed in to the admin (a live session, not just a cookie) sees pages as they
/// are, never from or into the cache; a stale or forged cookie is no reason to render.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> bool {
    matches!(
        crate::session_cookie::live_session(state, headers).await,
        Ok(Some(_))
    )
}

/// The listings that read `?page=N`; every other page reads no query parameter.
fn paginated(path: &str) -> bool {
    path == "/latest"
        || ["/section/", "/tag/", "/author/"].iter().any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| !rest.contains('/'))
        })
        || path
            .strip_prefix("/archive/")
            .is_some_and(|rest| rest.matches('/').count() == 2)
}

/// The news sitemap, whose window moves with the clock: its cache key names the hour.
const NEWS_SITEMAP: &str = "/sitemap-news.xml";

/// The cache key of a public URL: its path, and for a listing its page number. Parameters a
/// page does not read do not change it, so they cannot be used to fill the cache. Previews
/// are never cached.
fn cache_key(uri: &axum::http::Uri) -> Option<Cow<'_, str>> {
    let raw = uri.path();
    if raw.starts_with("/preview/") || raw.len() > 300 {
        return None;
    }
    // Routes read the path decoded, so `/tag/%70orts` is `/tag/ports`: one key for both.
    let path = if raw.contains('%') {
        Cow::Owned(
            percent_encoding::percent_decode_str(raw)
                .decode_utf8()
                .ok()?
                .into_owned(),
        )
    } else {
        Cow::Borrowed(raw)
    };
    if path == NEWS_SITEMAP {
        let hour = crate::site::sitemaps::news_hour(chrono::Utc::now());
        return Some(Cow::Owned(format!("{path}#{hour}")));
    }
    // The front page asked with WordPress's `?p=12` is an old address, answered apart.
    if path == "/" && crate::site::moved::old_address_key(uri).is_some() {
        return None;
    }
    let page = if paginated(&path) {
        // A page in another spelling is a 404, never kept.
        crate::site::requested_page(uri.query()).ok()?
    } else {
        None
    };
    Some(match page {
        Some(n) if n != 1 => Cow::Owned(format!("{path}?page={n}")),
        _ => path,
    })
}

/// The media types the delivery layer caches and compresses: pages, API answers, feeds,
/// sitemaps and the well-known text files.
const PAGE_TYPES: &[&[u8]] = &[
    b"text/html",
    b"text/plain",
    b"application/json",
    b"application/ninjs+json",
    b"application/rss+xml",
    b"application/atom+xml",
    b"application/feed+json",
    b"application/xml",
    b"application/speculationrules+json",
    b"application/manifest+json",
];

/// A page just rendered: its bytes and the headers every answer from it carries.
struct Rendered {
    bytes: Bytes,
    headers: HeaderMap,
    info: PageInfo,
    /// Whether it may be kept and shared (the cache, a CDN).
    shareable: bool,
}

impl Rendered {
    /// The page with the entity tag of its bytes (not needed by an article kept as parts,
    /// whose tag comes from its parts).
    fn page(self) -> CachedPage {
        let tag = entity_tag(&self.bytes);
        CachedPage::new(self.bytes, tag, self.headers)
    }
}

/// A 200 HTML answer turned into a rendered page; anything else is handed back.
async fn into_page(state: &AppState, response: Response) -> Result<Rendered, Response> {
    let is_page = response.status() == StatusCode::OK
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| PAGE_TYPES.iter().any(|p| t.as_bytes().starts_with(p)));
    if !is_page {
        return Err(response);
    }
    let info = response
        .extensions()
        .get::<PageInfo>()
        .cloned()
        .unwrap_or_default();
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE_BYTES).await else {
        return Err((StatusCode::INTERNAL_SERVER_ERROR, "page too large").into_response());
    };
    let (headers, shareable) = super::page_headers::of(state, &parts.headers, &info);
    Ok(Rendered {
        bytes,
        headers,
        info,
        shareable,
    })
}

/// The answer to one request from a made page: 304 when the reader has it, else its bytes in
/// the best coding the reader accepts (HEAD: the headers only); with the bytes the page newly
/// holds for that coding.
fn answer(page: &CachedPage, ask: &Ask) -> (Response, usize) {
    let etag = match ask.coding {
        Coding::Identity => &page.etags[0],
        Coding::Gzip => &page.etags[1],
        Coding::Brotli => &page.etags[2],
    };
    let mut headers = page.headers.clone();
    headers.insert(header::ETAG, etag.clone());
    // Only the entity tag decides a 304: a page's Last-Modified is the newest time it shows,
    // but a curation change moves no time, so If-Modified-Since alone could serve a stale page.
    let unchanged = ask
        .if_none_match
        .as_ref()
        .is_some_and(|value| matches_etag(value, &page.tag));
    let mut added = 0;
    let mut response = if unchanged {
        headers.remove(header::CONTENT_TYPE);
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        if let Some(token) = ask.coding.token() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(token));
        }
        // A Range header is ignored: pages are small and always sent whole (200). A HEAD
        // of the plain page needs only its length, not the bytes read back from Brotli.
        let body = (!ask.head || ask.coding != Coding::Identity).then(|| {
            let (body, made) = page.body(ask.coding);
            added = made;
            body
        });
        let length = body.as_ref().map_or(page.plain_len, Bytes::len);
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        Response::new(match body {
            Some(body) if !ask.head => Body::from(body),
            _ => Body::empty(),
        })
    };
    *response.headers_mut() = headers;
    (response, added)
}

/// The answer from `page`, kept under `key` as `kept`: the bytes a reader's coding made it
/// hold are counted against the cache's budget.
fn answer_kept(state: &AppState, key: &str, kept: &Kept, page: &CachedPage, ask: &Ask) -> Response {
    let (response, added) = answer(page, ask);
    if added > 0 {
        state.cache.recount(key, kept);
    }
    response
}

/// The answer from the page cache, when the request is for a public page it holds (an article
/// kept as parts only while its rails parts are current): the front door serves these before
/// any routing or other layer (see `crate::front`).
pub fn from_cache(state: &AppState, request: &Request) -> Option<Response> {
    if !matches!(*request.method(), Method::GET | Method::HEAD)
        || has_session_cookie(request.headers())
    {
        return None;
    }
    let key = cache_key(request.uri())?;
    let kept = state.cache.get(&key)?;
    let page = match &kept {
        Kept::Whole(page) => page.clone(),
        Kept::Parted(parted) => {
            article_rails::joined(state, &key, parted, &*article_rails::kept(state)?)?
        }
    };
    Some(answer_kept(state, &key, &kept, &page, &Ask::of(request)))
}

/// What the cache keeps under `key`, and the page to answer from (an article kept as parts
/// joined with the current rails, made first when they changed).
async fn kept_page(state: &AppState, key: &str) -> Option<(Kept, Arc<CachedPage>)> {
    let kept = state.cache.get(key)?;
    let page = match &kept {
        Kept::Whole(page) => page.clone(),
        Kept::Parted(parted) => {
            let parts = article_rails::current(state, chrono::Utc::now())
                .await
                .ok()?;
            article_rails::joined(state, key, parted, &parts)?
        }
    };
    Some((kept, page))
}

/// Middleware for public HTML pages: served from the page cache when it holds them (filling
/// it on a miss, one render per page however many readers wait), always with validators,
/// compression and CDN headers.
pub async fn deliver(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let key = cache_key(request.uri()).map(Cow::into_owned);
    let key = match key {
        Some(key) if !signed_in(&state, request.headers()).await => Some(key),
        _ => None,
    };
    deliver_as(&state, key, request, next).await
}

/// Serves a GET from the page cache under `key` (filling it on a miss, one render per key),
/// or without the cache when there is no key; always with validators, compression and CDN
/// headers. The API's reads come here with keys of their own.
pub async fn deliver_as(
    state: &AppState,
    key: Option<String>,
    request: Request,
    next: Next,
) -> Response {
    let state = state.clone();
    let ask = Ask::of(&request);
    let Some(key) = key else {
        return match into_page(&state, next.run(request).await).await {
            Ok(rendered) => answer(&rendered.page(), &ask).0,
            Err(response) => response,
        };
    };
    if let Some((kept, page)) = kept_page(&state, &key).await {
        return answer_kept(&state, &key, &kept, &page, &ask);
    }
    let _rendering = state.cache.render_lock(&key).await;
    if let Some((kept, page)) = kept_page(&state, &key).await {
        return answer_kept(&state, &key, &kept, &page, &ask);
    }
    let read_at = state.cache.epoch();
    let response = next.run(request).await;
    let split = response.extensions().get::<RailsSplit>().cloned();
    match into_page(&state, response).await {
        Ok(rendered) if rendered.shareable => keep(&state, &key, rendered, split, read_at, &ask),
        Ok(rendered) => answer(&rendered.page(), &ask).0,
        Err(response) => response,
    }
}

/// Answers from a page just rendered from what was read since `read_at`, and keeps it under
/// `key` when it may be: an article whose rails are found in it as parts (`split`), any other
/// page whole, holding its Brotli (and its plain bytes when this reader asked for them).
fn keep(
    state: &AppState,
    key: &str,
    rendered: Rendered,
    split: Option<RailsSplit>,
    read_at: u64,
    ask: &Ask,
) -> Response {
    state.cache.rendered(key);
    if !state.cache.may_keep(read_at) {
        return answer(&rendered.page(), ask).0;
    }
    if let Some(split) = split
        && let Some(parted) = split.parted(state, &rendered.bytes, &rendered.headers)
    {
        let parted = Arc::new(parted);
        let kept = Kept::Parted(parted.clone());
        state
            .cache
            .insert(key, kept.clone(), &split.own_keys, read_at);
        // Answered from the joined page, so the first reader gets the entity tag of the next.
        if let Some(joined) = article_rails::joined(state, key, &parted, &split.parts) {
            return answer_kept(state, key, &kept, &joined, ask);
        }
    }
    let keys = rendered.info.keys.clone();
    let page = rendered.page();
    // Answered first, while the page still holds its plain bytes; what the answer made is
    // kept with it.
    let (response, _) = answer(&page, ask);
    let page = Kept::Whole(Arc::new(page.kept(ask.coding)));
    state.cache.insert(key, page, &keys, read_at);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listings_are_keyed_by_their_page() {
        let key = |uri: &str| cache_key(&uri.parse().unwrap()).map(Cow::into_owned);
        assert_eq!(key("/latest?page=3").as_deref(), Some("/latest?page=3"));
        assert_eq!(key("/latest?page=1").as_deref(), Some("/latest"));
        assert_eq!(key("/latest?page=003"), None, "a page has one spelling");
        assert_eq!(key("/latest?page=2&page=1"), None);
        assert_eq!(key("/tag/%70orts").as_deref(), Some("/tag/ports"));
        assert_eq!(key("/%ff"), None);
        assert_eq!(
            key("/tag/ports?utm=x&page=2").as_deref(),
            Some("/tag/ports?page=2")
        );
        assert_eq!(
            key("/story/harbour?page=7").as_deref(),
            Some("/story/harbour")
        );
        assert_eq!(key("/?page=7").as_deref(), Some("/"));
        assert_eq!(key("/section/a/b?page=2").as_deref(), Some("/section/a/b"));
        assert_eq!(key("/preview/abc"), None);
        assert_eq!(
            key("/archive/2024/11/24?page=2").as_deref(),
            Some("/archive/2024/11/24?page=2")
        );
        assert_eq!(
            key("/archive/2024/11?page=2").as_deref(),
            Some("/archive/2024/11")
        );
        assert!(
            key("/sitemap-news.xml")
                .unwrap()
                .starts_with("/sitemap-news.xml#")
        );
    }
}
