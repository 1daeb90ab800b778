//! How public pages leave the server: validators (`ETag`, `Last-Modified`) with 304 answers,
//! Brotli or gzip chosen by `Accept-Encoding`, and the cache headers a CDN in front needs
//! (`Cache-Control` with `s-maxage` and `stale-while-revalidate`, `Surrogate-Key`).

use std::io::Write;

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// Browsers revalidate every time (so an edit shows at once); a CDN may keep a page a minute
/// and serve it stale while it fetches a new one. Purges go by `Surrogate-Key`.
pub const PAGE_CACHE_CONTROL: &str =
    "public, max-age=0, must-revalidate, s-maxage=60, stale-while-revalidate=30";

/// Largest page the delivery layer buffers to compress; larger bodies pass through as they are.
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// What a public page depends on, set by its handler: the names a CDN purges it by, and
/// when its content last changed.
#[derive(Debug, Clone, Default)]
pub struct PageInfo {
    pub keys: Vec<String>,
    pub last_modified: Option<DateTime<Utc>>,
}

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
                let mut writer = brotli::CompressorWriter::new(&mut out, 16 * 1024, 5, 22);
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

/// Whether `If-None-Match` names this content (any coding of it, weak or strong).
fn matches_etag(headers: &HeaderMap, tag: &str) -> bool {
    let Some(value) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
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

/// Middleware for public HTML pages.
pub async fn deliver(request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let request_headers = request.headers().clone();
    let response = next.run(request).await;
    let is_page = response.status() == StatusCode::OK
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    if !is_page {
        return response;
    }
    let info = response
        .extensions()
        .get::<PageInfo>()
        .cloned()
        .unwrap_or_default();
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "page too large").into_response();
    };
    let tag = entity_tag(&bytes);
    let coding = negotiate(
        request_headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    let headers = &mut parts.headers;
    // Pages marked no-store (previews) get validators but never shared-cache headers.
    if !headers.contains_key(header::CACHE_CONTROL) || headers[header::CACHE_CONTROL] != "no-store"
    {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(PAGE_CACHE_CONTROL),
        );
        if !info.keys.is_empty()
            && let Ok(keys) = HeaderValue::from_str(&info.keys.join(" "))
        {
            headers.insert("surrogate-key", keys);
        }
    }
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    let suffix = coding.token().map(|t| format!("-{t}")).unwrap_or_default();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{tag}{suffix}\"")) {
        headers.insert(header::ETAG, etag);
    }
    if let Some(modified) = info.last_modified
        && let Ok(value) =
            HeaderValue::from_str(&modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        headers.insert(header::LAST_MODIFIED, value);
    }
    // Only the entity tag decides a 304: a page's Last-Modified is the newest time it shows,
    // but a curation change moves no time, so If-Modified-Since alone could serve a stale page.
    if matches_etag(&request_headers, &tag) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    // A Range header is ignored: pages are small and always sent whole (200).
    let encoded = compress(&bytes, coding);
    if let Some(token) = coding.token() {
        parts
            .headers
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(token));
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(encoded))
}

#[cfg(test)]
mod tests {
    use super::*;

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
