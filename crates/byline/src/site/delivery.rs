//! How public pages leave the server: validators (`ETag`, `Last-Modified`) with 304 answers,
//! Brotli or gzip chosen by `Accept-Encoding`, and the cache headers a CDN in front needs
//! (`Cache-Control` with `s-maxage` and `stale-while-revalidate`, `Surrogate-Key`).

use std::borrow::Cow;
use std::io::Write;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use sha2::{Digest, Sha256};

use crate::cache::CachedPage;
use crate::state::AppState;

/// Browsers revalidate every time (so an edit shows at once); a CDN may keep a page a minute
/// and serve it stale while it fetches a new one. Purges go by `Surrogate-Key`.
pub const PAGE_CACHE_CONTROL: &str =
    "public, max-age=0, must-revalidate, s-maxage=60, stale-while-revalidate=30";

/// Largest page the delivery layer buffers to compress; larger bodies pass through as they are.
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

pub use crate::frame::PageInfo;

/// A content coding the server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Coding {
    fn token(self) -> Option<&'static str> {
        match self {
            Coding::Brotli => Some("br"),
            Coding::Gzip => Some("gzip"),
            Coding::Identity => None,
        }
    }
}

/// The best coding `Accept-Encoding` allows: Brotli, then gzip, then none. Malformed or
/// enormous headers are read only as far as their first 32 entries.
pub fn negotiate(accept: Option<&str>) -> Coding {
    let Some(accept) = accept else {
        return Coding::Identity;
    };
    let q = |coding: &str| -> Option<f32> {
        let mut found = None;
        for entry in accept.split(',').take(32) {
            let mut parts = entry.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            if name != coding && name != "*" {
                continue;
            }
            let weight = parts
                .filter_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.trim().parse::<f32>().ok())
                })
                .next()
                .unwrap_or(1.0);
            // An exact name beats the wildcard.
            if name == coding || found.is_none() {
                found = Some(weight);
            }
        }
        found
    };
    let (br, gzip) = (q("br").unwrap_or(0.0), q("gzip").unwrap_or(0.0));
    if br > 0.0 && br >= gzip {
        Coding::Brotli
    } else if gzip > 0.0 {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

/// Brotli quality for pages. Quality 9 made a cache miss cost ~11 ms (p50, 1,500-word
/// article); 5 compresses about as well as gzip at a fraction of that.
const BROTLI_QUALITY: u32 = 5;

pub fn compress(body: &[u8], coding: Coding) -> Vec<u8> {
    match coding {
        Coding::Identity => body.to_vec(),
        Coding::Gzip => {
            let mut encoder = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 3),
                flate2::Compression::new(6),
            );
            encoder.write_all(body).expect("writing to memory");
            encoder.finish().expect("writing to memory")
        }
        Coding::Brotli => {
            let mut out = Vec::with_capacity(body.len() / 3);
            {
                let mut writer =
                    brotli::CompressorWriter::new(&mut out, 16 * 1024, BROTLI_QUALITY, 22);
                writer.write_all(body).expect("writing to memory");
            }
            out
        }
    }
}

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

/// A 200 HTML answer turned into a page; anything else is handed back.
async fn into_page(
    state: &AppState,
    response: Response,
) -> Result<(CachedPage, PageInfo, bool), Response> {
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
    let tag = entity_tag(&bytes);
    let etag = |suffix: &str| {
        HeaderValue::from_str(&format!("\"{tag}{suffix}\"")).expect("hex digits and a token")
    };
    let page = CachedPage {
        etags: [etag(""), etag("-gzip"), etag("-br")],
        tag,
        gzip: Default::default(),
        brotli: Default::default(),
        identity: bytes,
        headers,
    };
    Ok((page, info, shareable))
}

/// The answer to one request from a made page: 304 when the reader has it, else its bytes in
/// the best coding the reader accepts (HEAD: the headers only).
fn answer(page: &CachedPage, ask: &Ask) -> Response {
    let made = |slot: &std::sync::OnceLock<Bytes>| {
        slot.get_or_init(|| Bytes::from(compress(&page.identity, ask.coding)))
            .clone()
    };
    let (body, etag) = match ask.coding {
        Coding::Identity => (page.identity.clone(), &page.etags[0]),
        Coding::Gzip => (made(&page.gzip), &page.etags[1]),
        Coding::Brotli => (made(&page.brotli), &page.etags[2]),
    };
    let mut headers = page.headers.clone();
    headers.insert(header::ETAG, etag.clone());
    // Only the entity tag decides a 304: a page's Last-Modified is the newest time it shows,
    // but a curation change moves no time, so If-Modified-Since alone could serve a stale page.
    let unchanged = ask
        .if_none_match
        .as_ref()
        .is_some_and(|value| matches_etag(value, &page.tag));
    let mut response = if unchanged {
        headers.remove(header::CONTENT_TYPE);
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        if let Some(token) = ask.coding.token() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(token));
        }
        // A Range header is ignored: pages are small and always sent whole (200).
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        Response::new(if ask.head {
            Body::empty()
        } else {
            Body::from(body)
        })
    };
    *response.headers_mut() = headers;
    response
}

/// The answer from the page cache, when the request is for a public page it holds: the front
/// door serves these before any routing or other layer (see `crate::front`).
pub fn from_cache(state: &AppState, request: &Request) -> Option<Response> {
    if !matches!(*request.method(), Method::GET | Method::HEAD)
        || has_session_cookie(request.headers())
    {
        return None;
    }
    let page = state.cache.get(&cache_key(request.uri())?)?;
    Some(answer(&page, &Ask::of(request)))
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
            Ok((page, _, _)) => answer(&page, &ask),
            Err(response) => response,
        };
    };
    if let Some(page) = state.cache.get(&key) {
        return answer(&page, &ask);
    }
    let _rendering = state.cache.render_lock(&key).await;
    if let Some(page) = state.cache.get(&key) {
        return answer(&page, &ask);
    }
    let read_at = state.cache.epoch();
    match into_page(&state, next.run(request).await).await {
        Ok((page, info, true)) => {
            answer(&state.cache.insert(&key, page, &info.keys, read_at), &ask)
        }
        Ok((page, _, false)) => answer(&page, &ask),
        Err(response) => response,
    }
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

    #[test]
    fn negotiation_prefers_brotli_and_honours_q() {
        assert_eq!(negotiate(None), Coding::Identity);
        assert_eq!(negotiate(Some("gzip, deflate, br")), Coding::Brotli);
        assert_eq!(negotiate(Some("gzip")), Coding::Gzip);
        assert_eq!(negotiate(Some("br;q=0, gzip;q=0.5")), Coding::Gzip);
        assert_eq!(negotiate(Some("br;q=0.2, gzip;q=0.8")), Coding::Gzip);
        assert_eq!(negotiate(Some("*")), Coding::Brotli);
        assert_eq!(negotiate(Some("*;q=0, identity")), Coding::Identity);
        assert_eq!(negotiate(Some("identity")), Coding::Identity);
        assert_eq!(
            negotiate(Some(";;;,,,q=x, br;q=abc")),
            Coding::Brotli,
            "an unreadable q counts as 1"
        );
        let absurd = "x, ".repeat(10_000) + "gzip";
        assert_eq!(
            negotiate(Some(&absurd)),
            Coding::Identity,
            "only the first 32 entries are read"
        );
    }

    #[test]
    fn compression_round_trips() {
        let page = "<p>Harbour news</p>".repeat(500);
        let gz = compress(page.as_bytes(), Coding::Gzip);
        let mut out = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out)
            .unwrap();
        assert_eq!(out, page);
        let br = compress(page.as_bytes(), Coding::Brotli);
        let mut out = String::new();
        std::io::Read::read_to_string(&mut brotli::Decompressor::new(&br[..], 4096), &mut out)
            .unwrap();
        assert_eq!(out, page);
        assert!(br.len() < page.len() / 10 && gz.len() < page.len() / 10);
    }
}
