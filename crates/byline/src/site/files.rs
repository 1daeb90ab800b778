//! The site's well-known files: `/robots.txt`, `/ads.txt`, the site icon (and
//! `/favicon.ico`), `/manifest.webmanifest` and `/speculation-rules.json`.

use std::path::Path;

use anyhow::Context;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::delivery::PageInfo;
use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;
use byline_core::changes::CacheKey;

/// Byline's own icon, used when `[site] icon` names none.
const DEFAULT_ICON: &[u8] = include_bytes!("../../assets/icon.png");

/// How machines find the site: the settings the well-known files and feeds are made from.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub icon: SiteIcon,
    pub robots_extra: Option<String>,
    pub ads_txt: Option<String>,
    pub feed_items: u32,
    pub full_content: bool,
}

impl Discovery {
    /// Reads and checks the site icon; everything else comes from the config as it is.
    pub fn from_config(config: &Config) -> anyhow::Result<Discovery> {
        let icon = match &config.site.icon {
            Some(path) => SiteIcon::read(path)?,
            None => SiteIcon::png(Bytes::from_static(DEFAULT_ICON))
                .expect("the default icon is a square PNG"),
        };
        Ok(Discovery {
            icon,
            robots_extra: config.seo.robots_extra.clone(),
            ads_txt: config.ads.ads_txt.clone(),
            feed_items: config.feeds.items,
            full_content: config.feeds.full_content,
        })
    }
}

/// The site's icon: a square PNG or an SVG.
#[derive(Debug, Clone)]
pub struct SiteIcon {
    pub bytes: Bytes,
    pub media_type: &'static str,
    /// Where pages link it: `/icon.png` or `/icon.svg`.
    pub path: &'static str,
    /// Width and height of a PNG (an SVG scales).
    pub size: Option<u32>,
}

impl SiteIcon {
    fn read(path: &Path) -> anyhow::Result<SiteIcon> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("[site] icon: cannot read {}", path.display()))?;
        let is_svg = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
        let icon = if is_svg {
            SiteIcon::svg(Bytes::from(bytes))
        } else {
            SiteIcon::png(Bytes::from(bytes))
        };
        icon.with_context(|| format!("[site] icon {}", path.display()))
    }

    /// A PNG icon, accepted once it decodes as a square of at least 48 pixels.
    fn png(bytes: Bytes) -> anyhow::Result<SiteIcon> {
        let (_, decoded) = byline_media::decode::decode(&bytes)?;
        anyhow::ensure!(
            decoded.content_type == "image/png",
            "the icon is a {}, not a PNG or SVG",
            decoded.content_type
        );
        anyhow::ensure!(
            decoded.width == decoded.height && decoded.width >= 48,
            "the icon is {} × {} pixels; it must be square and at least 48 pixels wide",
            decoded.width,
            decoded.height
        );
        Ok(SiteIcon {
            bytes,
            media_type: "image/png",
            path: "/icon.png",
            size: Some(decoded.width),
        })
    }

    fn svg(bytes: Bytes) -> anyhow::Result<SiteIcon> {
        let text = std::str::from_utf8(&bytes).context("the SVG is not UTF-8 text")?;
        anyhow::ensure!(text.contains("<svg"), "the file has no <svg> element");
        anyhow::ensure!(
            !text.to_ascii_lowercase().contains("<script"),
            "the SVG holds a script"
        );
        Ok(SiteIcon {
            bytes,
            media_type: "image/svg+xml",
            path: "/icon.svg",
            size: None,
        })
    }

    /// The icon in an ICO container (one PNG image, as ICO allows since Windows Vista).
    fn ico(&self) -> Option<Vec<u8>> {
        let size = self.size?;
        let side = if size >= 256 { 0 } else { size as u8 };
        let length = u32::try_from(self.bytes.len()).ok()?;
        let mut ico = Vec::with_capacity(22 + self.bytes.len());
        ico.extend_from_slice(&[0, 0, 1, 0, 1, 0]);
        ico.extend_from_slice(&[side, side, 0, 0, 1, 0, 32, 0]);
        ico.extend_from_slice(&length.to_le_bytes());
        ico.extend_from_slice(&22u32.to_le_bytes());
        ico.extend_from_slice(&self.bytes);
        Some(ico)
    }
}

/// A well-known file: cached and revalidated like a page, purged with the site's settings.
fn well_known(media_type: &'static str, body: impl Into<axum::body::Body>) -> Response {
    let mut response = ([(header::CONTENT_TYPE, media_type)], body.into()).into_response();
    response.extensions_mut().insert(PageInfo {
        keys: vec![CacheKey::Site],
        last_modified: None,
    });
    response
}

/// A picture file: kept by browsers and CDNs for a day (it changes only with the config).
fn binary(media_type: &'static str, body: impl Into<axum::body::Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body.into(),
    )
        .into_response()
}

pub async fn robots(State(state): State<AppState>) -> Response {
    let base = &state.site.base_url;
    let mut text = String::from(
        "User-agent: *\nDisallow: /admin/\nDisallow: /preview/\nDisallow: /api/\n\
         Disallow: /newsletter/\n",
    );
    if let Some(extra) = &state.discovery.robots_extra {
        text.push('\n');
        text.push_str(extra);
        text.push('\n');
    }
    text.push_str(&format!(
        "\nSitemap: {base}/sitemap.xml\nSitemap: {base}/sitemap-news.xml\n"
    ));
    well_known("text/plain; charset=utf-8", text)
}

pub async fn ads_txt(State(state): State<AppState>) -> Result<Response, AppError> {
    let lines = state.discovery.ads_txt.clone().ok_or(AppError::NotFound)?;
    Ok(well_known("text/plain; charset=utf-8", lines))
}

pub async fn icon(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let icon = &state.discovery.icon;
    if uri.path() != icon.path {
        return Err(AppError::NotFound);
    }
    let mut response = binary(icon.media_type, icon.bytes.clone());
    if icon.media_type == "image/svg+xml" {
        // An SVG opened on its own is a document: it may not run or load anything.
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
        );
    }
    Ok(response)
}

/// `/favicon.ico`, which browsers and tools ask for whatever the page links: the PNG icon in
/// an ICO container, or a redirect to the SVG.
pub async fn favicon(State(state): State<AppState>) -> Response {
    match state.discovery.icon.ico() {
        Some(ico) => binary("image/x-icon", ico),
        None => Redirect::permanent(state.discovery.icon.path).into_response(),
    }
}

pub async fn manifest(State(state): State<AppState>) -> Response {
    let icon = &state.discovery.icon;
    let sizes = icon.size.map_or("any".to_owned(), |s| format!("{s}x{s}"));
    let manifest = json!({
        "name": state.site.title,
        "short_name": state.site.title.chars().take(12).collect::<String>(),
        "lang": state.site.language,
        "start_url": "/",
        "scope": "/",
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": "#14213d",
        "icons": [{"src": icon.path, "sizes": sizes, "type": icon.media_type}],
    });
    well_known(
        "application/manifest+json",
        serde_json::to_string_pretty(&manifest).expect("JSON values serialize"),
    )
}

/// The `Speculation-Rules` header of every public page, naming [`speculation_rules`].
pub const SPECULATION_RULES_HEADER: &str = "\"/speculation-rules.json\"";

/// Which links the browser may fetch before they are followed: a story's, on this site only,
/// once the reader rests the pointer on it or touches it, and never a `nofollow` one. The
/// prefetched article is shown at once when followed; its view is counted by the article's
/// beacon (`crate::views::PREFETCH_BEACON`), since the front door counts no prefetch.
pub async fn speculation_rules() -> Response {
    let rules = json!({
        "prefetch": [{
            "source": "document",
            "where": {"and": [
                {"href_matches": "/story/*"},
                {"not": {"selector_matches": "[rel~=nofollow]"}},
            ]},
            "eagerness": "moderate",
        }],
    });
    well_known("application/speculationrules+json", rules.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_icon_makes_an_ico() {
        let icon = SiteIcon::png(Bytes::from_static(DEFAULT_ICON)).unwrap();
        let ico = icon.ico().unwrap();
        assert_eq!(&ico[..6], &[0, 0, 1, 0, 1, 0]);
        assert_eq!(ico[6], 192);
        assert_eq!(&ico[22..30], b"\x89PNG\r\n\x1a\n");
        assert!(SiteIcon::svg(Bytes::from_static(b"<svg><script>x</script></svg>")).is_err());
        assert!(SiteIcon::png(Bytes::from_static(b"not a picture")).is_err());
    }
}
