//! Pictures and their credits: the credit line and caption travel with the image.

use serde::Serialize;

/// Where the image bytes are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PictureSource {
    /// A file in the site's media store, by its key (a relative path such as `ab/cdef.jpg`).
    Local { key: String },
    /// An image the newsroom links to where it already lives (an agency's CDN).
    Remote { url: String },
}

/// A picture as a story uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Picture {
    pub source: PictureSource,
    /// Shown under the picture, as agencies print it: `EPA/MAXIM SHIPENKOV`.
    pub credit: Option<String>,
    pub caption: Option<String>,
    /// Text for readers who cannot see the picture; empty when the caption says it all.
    pub alt: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub content_type: Option<String>,
}

impl Picture {
    /// The URL a page uses for the picture; local media are served under `/media/`.
    pub fn url(&self) -> String {
        match &self.source {
            PictureSource::Local { key } => format!("/media/{key}"),
            PictureSource::Remote { url } => url.clone(),
        }
    }

    /// Whether the picture says whom to credit (a credit line that is not blank).
    pub fn is_credited(&self) -> bool {
        self.credit.as_deref().is_some_and(|c| !c.trim().is_empty())
    }

    /// The sized copies pages offer of a stored raster picture, as (width, URL), narrowest
    /// first; none for remote pictures, SVG or a picture of unknown width.
    pub fn renditions(&self) -> Vec<(u32, String)> {
        let raster = matches!(
            self.content_type.as_deref(),
            Some("image/jpeg" | "image/png" | "image/gif" | "image/webp")
        );
        match (&self.source, self.width) {
            (PictureSource::Local { key }, Some(width)) if raster && width > 0 => {
                rendition_widths(width)
                    .into_iter()
                    .map(|w| (w, format!("/media/{}", rendition_key(key, w))))
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}

/// The widths renditions are made in, narrowest first.
pub const RENDITION_WIDTHS: [u32; 6] = [320, 640, 960, 1280, 1600, 2048];

/// The rendition widths of a picture `width` pixels wide: those narrower than it, and its own
/// width (up to the widest), so that the original is never what readers download.
pub fn rendition_widths(width: u32) -> Vec<u32> {
    let widest = width.min(RENDITION_WIDTHS[RENDITION_WIDTHS.len() - 1]);
    let mut widths: Vec<u32> = RENDITION_WIDTHS
        .iter()
        .copied()
        .filter(|w| *w < widest)
        .collect();
    widths.push(widest);
    widths
}

/// The key of a rendition of the picture stored under `key` (`ab/cdef.jpg` → `ab/cdef-w640.jpg`).
pub fn rendition_key(key: &str, width: u32) -> String {
    let stem = key.rsplit_once('.').map_or(key, |(stem, _)| stem);
    format!("{stem}-w{width}.jpg")
}
