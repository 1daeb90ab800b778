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
}
