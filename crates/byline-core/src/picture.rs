//! Pictures and their credits: the credit line and caption travel with the image, and the
//! sized and cropped copies (renditions) pages offer of it.

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

/// The point crops keep in view, in thousandths of the width and height from the top left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Focus {
    pub x: u16,
    pub y: u16,
}

impl Default for Focus {
    /// The centre.
    fn default() -> Focus {
        Focus { x: 500, y: 500 }
    }
}

impl Focus {
    /// A focus from thousandths, each clamped to 0–1000.
    pub fn new(x: i64, y: i64) -> Focus {
        let clamp = |v: i64| v.clamp(0, 1000) as u16;
        Focus {
            x: clamp(x),
            y: clamp(y),
        }
    }
}

/// A picture as a story uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Picture {
    pub source: PictureSource,
    /// Shown under the picture, as agencies print it: `EPA/MAXIM SHIPENKOV`.
    pub credit: Option<String>,
    /// This use's caption (or, in the media library, the caption new uses start from).
    pub caption: Option<String>,
    /// Text for readers who cannot see the picture; empty when the caption says it all.
    pub alt: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub content_type: Option<String>,
    /// Subject keywords, as the agency or the desk gave them; the library searches them.
    pub keywords: Vec<String>,
    pub focus: Focus,
    /// What the picture's file says of its rights, for search engines' licensing details.
    pub rights: Rights,
}

/// Who made a picture and on what terms, as its file says (IPTC/XMP): for structured data,
/// never shown in place of the credit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rights {
    /// The photographers, as one line (`Jo Doe, Ana Lima`).
    pub creator: Option<String>,
    /// The copyright notice.
    pub copyright: Option<String>,
    /// The page of the licence the picture is under (XMP's Web Statement of Rights).
    pub license_url: Option<String>,
    /// Where a licence can be had (IPTC's Licensor URL).
    pub licensor_url: Option<String>,
}

impl Picture {
    /// A picture with nothing known about it but where it is.
    pub fn at(source: PictureSource) -> Picture {
        Picture {
            source,
            credit: None,
            caption: None,
            alt: None,
            width: None,
            height: None,
            content_type: None,
            keywords: Vec::new(),
            focus: Focus::default(),
            rights: Rights::default(),
        }
    }

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

    /// Whether Byline makes renditions of it: a stored raster picture of known size.
    pub fn has_renditions(&self) -> bool {
        let raster = matches!(
            self.content_type.as_deref(),
            Some("image/jpeg" | "image/png" | "image/gif" | "image/webp")
        );
        raster
            && matches!(self.source, PictureSource::Local { .. })
            && self.width.is_some_and(|w| w > 0)
            && self.height.is_some_and(|h| h > 0)
    }

    /// The sized copies pages offer of a stored raster picture in `shape` and `format`, as
    /// (width, URL), narrowest first; none for remote pictures, SVG or a picture of unknown size.
    pub fn renditions(&self, shape: Shape, format: Format) -> Vec<(u32, String)> {
        let (PictureSource::Local { key }, Some(width), Some(height)) =
            (&self.source, self.width, self.height)
        else {
            return Vec::new();
        };
        if !self.has_renditions() {
            return Vec::new();
        }
        let shape = shape.with_focus(self.focus);
        shape
            .widths(width, height)
            .into_iter()
            .map(|w| {
                let rendition = Rendition {
                    shape,
                    width: w,
                    format,
                };
                (w, format!("/media/{}", rendition.key(key)))
            })
            .collect()
    }

    /// Whether pages offer `rendition` of this picture: a stored raster picture, a width its
    /// shape is made in, and for a crop the picture's focus now.
    pub fn offers(&self, rendition: Rendition) -> bool {
        let (Some(width), Some(height)) = (self.width, self.height) else {
            return false;
        };
        let current_focus = match rendition.shape {
            Shape::Original => true,
            Shape::Crop(_, focus) => focus == self.focus,
        };
        self.has_renditions()
            && current_focus
            && rendition
                .shape
                .widths(width, height)
                .contains(&rendition.width)
    }

    /// The width and height the picture has in `shape`, for the page to reserve its box.
    pub fn size_in(&self, shape: Shape) -> Option<(u32, u32)> {
        let (width, height) = (self.width?, self.height?);
        Some(match shape {
            Shape::Original => (width, height),
            Shape::Crop(crop, _) => crop.region(width, height, Focus::default()).size(),
        })
    }
}

/// The widths renditions are made in, narrowest first.
pub const RENDITION_WIDTHS: [u32; 6] = [320, 640, 960, 1280, 1600, 2048];

/// The widths crops are made in: cards, rails and link previews never need more.
pub const CROP_WIDTHS: [u32; 4] = [320, 640, 960, 1280];

/// The widths of a picture `width` pixels wide among `offered`: those narrower than it, and its
/// own width (up to the widest offered), so that the original is never what readers download.
fn widths_among(offered: &[u32], width: u32) -> Vec<u32> {
    let widest = width.min(offered[offered.len() - 1]).max(1);
    let mut widths: Vec<u32> = offered.iter().copied().filter(|w| *w < widest).collect();
    widths.push(widest);
    widths
}

/// The rendition widths of a whole picture `width` pixels wide.
pub fn rendition_widths(width: u32) -> Vec<u32> {
    widths_among(&RENDITION_WIDTHS, width)
}

/// The fixed aspect ratios pictures are cropped to for cards and link previews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Crop {
    Wide,
    Standard,
    Square,
}

impl Crop {
    pub const ALL: [Crop; 3] = [Crop::Wide, Crop::Standard, Crop::Square];

    /// Width and height of the ratio.
    pub fn ratio(self) -> (u32, u32) {
        match self {
            Crop::Wide => (16, 9),
            Crop::Standard => (4, 3),
            Crop::Square => (1, 1),
        }
    }

    /// The name in rendition keys: `16x9`, `4x3`, `1x1`.
    pub fn name(self) -> &'static str {
        match self {
            Crop::Wide => "16x9",
            Crop::Standard => "4x3",
            Crop::Square => "1x1",
        }
    }

    pub fn parse(name: &str) -> Option<Crop> {
        Crop::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The largest region of this ratio inside a `width`×`height` picture, centred on `focus`
    /// as far as the picture's edges allow.
    pub fn region(self, width: u32, height: u32, focus: Focus) -> Region {
        let (rw, rh) = self.ratio();
        let (w, h) = (u64::from(width.max(1)), u64::from(height.max(1)));
        let (crop_w, crop_h) = if w * u64::from(rh) > h * u64::from(rw) {
            ((h * u64::from(rw) / u64::from(rh)).max(1), h)
        } else {
            (w, (w * u64::from(rh) / u64::from(rw)).max(1))
        };
        let place = |size: u64, crop: u64, thousandths: u16| -> u64 {
            let centre = size * u64::from(thousandths) / 1000;
            centre.saturating_sub(crop / 2).min(size - crop)
        };
        Region {
            x: place(w, crop_w, focus.x) as u32,
            y: place(h, crop_h, focus.y) as u32,
            width: crop_w as u32,
            height: crop_h as u32,
        }
    }
}

/// A rectangle of a picture, in its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Region {
    pub fn size(self) -> (u32, u32) {
        (self.width, self.height)
    }
}

/// What part of the picture a rendition shows: all of it, or a crop around a focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Original,
    Crop(Crop, Focus),
}

impl Shape {
    /// A crop of the picture's own focus (filled in by [`Picture::renditions`]).
    pub fn crop(crop: Crop) -> Shape {
        Shape::Crop(crop, Focus::default())
    }

    fn with_focus(self, focus: Focus) -> Shape {
        match self {
            Shape::Original => Shape::Original,
            Shape::Crop(crop, _) => Shape::Crop(crop, focus),
        }
    }

    /// The widths this shape is offered in, for a `width`×`height` picture.
    pub fn widths(self, width: u32, height: u32) -> Vec<u32> {
        match self {
            Shape::Original => rendition_widths(width),
            Shape::Crop(crop, focus) => {
                widths_among(&CROP_WIDTHS, crop.region(width, height, focus).width)
            }
        }
    }
}

/// The encodings renditions are made in: WebP for browsers that take it, JPEG for all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Webp,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Jpeg, Format::Webp];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Webp => "webp",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Webp => "image/webp",
        }
    }
}

/// One rendition of a picture: its shape, width and encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rendition {
    pub shape: Shape,
    pub width: u32,
    pub format: Format,
}

impl Rendition {
    /// Every rendition of a `width`×`height` picture whose crops keep `focus` in view.
    pub fn all(width: u32, height: u32, focus: Focus) -> Vec<Rendition> {
        let shapes = std::iter::once(Shape::Original)
            .chain(Crop::ALL.into_iter().map(|c| Shape::Crop(c, focus)));
        shapes
            .flat_map(|shape| {
                shape.widths(width, height).into_iter().flat_map(move |w| {
                    Format::ALL.into_iter().map(move |format| Rendition {
                        shape,
                        width: w,
                        format,
                    })
                })
            })
            .collect()
    }

    /// The key of this rendition of the picture stored under `key`: `ab/cdef.jpg` →
    /// `ab/cdef-w640.jpg`, or for a crop `ab/cdef-16x9-at500x300-w640.webp`. The focus is in
    /// the key, so moving it makes new files and a cached old crop stays valid for its URL.
    pub fn key(&self, key: &str) -> String {
        let stem = key.rsplit_once('.').map_or(key, |(stem, _)| stem);
        let shape = match self.shape {
            Shape::Original => String::new(),
            Shape::Crop(crop, focus) => format!("-{}-at{}x{}", crop.name(), focus.x, focus.y),
        };
        format!("{stem}{shape}-w{}.{}", self.width, self.format.extension())
    }

    /// The original's key stem and the rendition, when `key` names one; only the one spelling
    /// [`Rendition::key`] writes is accepted.
    pub fn parse(key: &str) -> Option<(&str, Rendition)> {
        let (rest, extension) = key.rsplit_once('.')?;
        let format = Format::ALL
            .into_iter()
            .find(|f| f.extension() == extension)?;
        let (rest, width) = rest.rsplit_once("-w")?;
        let width = number(width)?;
        let (stem, shape) = match rest.rsplit_once("-at") {
            Some((before, at)) => {
                let (stem, crop) = before.rsplit_once('-')?;
                let (x, y) = at.split_once('x')?;
                let focus = Focus::new(number(x)?.into(), number(y)?.into());
                (stem, Shape::Crop(Crop::parse(crop)?, focus))
            }
            None => (rest, Shape::Original),
        };
        let rendition = Rendition {
            shape,
            width,
            format,
        };
        let widest = match shape {
            Shape::Original => RENDITION_WIDTHS[RENDITION_WIDTHS.len() - 1],
            Shape::Crop(..) => CROP_WIDTHS[CROP_WIDTHS.len() - 1],
        };
        let canonical = rendition.key(&format!("{stem}.x")) == key;
        (canonical && width <= widest && !stem.is_empty()).then_some((stem, rendition))
    }
}

/// Digits only, no sign or leading zero: one spelling per number.
fn number(text: &str) -> Option<u32> {
    let plain = !text.is_empty()
        && (text == "0" || !text.starts_with('0'))
        && text.bytes().all(|b| b.is_ascii_digit());
    if plain { text.parse().ok() } else { None }
}

/// The key of the JPEG rendition `width` wide of the whole picture stored under `key`.
pub fn rendition_key(key: &str, width: u32) -> String {
    Rendition {
        shape: Shape::Original,
        width,
        format: Format::Jpeg,
    }
    .key(key)
}

#[cfg(test)]
#[path = "picture_tests.rs"]
mod tests;
