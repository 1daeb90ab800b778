//! Who made a picture and who may use it, as agencies write it into the file: IPTC-IIM
//! (APP13), XMP (APP1, UTF-8 or UTF-16, with Extended XMP) and EXIF (APP1), reconciled as the
//! Metadata Working Group's guidelines say ([`reconcile`]).

pub mod credit;
mod exif;
mod iim;
use iim::IimState;
pub(crate) mod jpeg;
mod xmp;

/// The rights and description fields of one picture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhotoMetadata {
    /// By-line / `dc:creator` / EXIF Artist, in order.
    pub creators: Vec<String>,
    /// Credit line as the agency gives it (`photoshop:Credit`, IIM 2:110).
    pub credit: Option<String>,
    pub source: Option<String>,
    pub copyright: Option<String>,
    /// Caption / description.
    pub caption: Option<String>,
    pub headline: Option<String>,
    pub keywords: Vec<String>,
    pub usage_terms: Option<String>,
    /// XMP Web Statement of Rights.
    pub web_statement: Option<String>,
    pub licensor_urls: Vec<String>,
    /// IPTC's Alt Text (Accessibility), for readers who cannot see the picture.
    pub alt_text: Option<String>,
}

impl PhotoMetadata {
    /// The credit shown under the picture, as agencies print it: `Credit/By-line` when both
    /// exist and differ (`EPA/MAXIM SHIPENKOV`), else whichever exists. A newsroom's own
    /// pattern is applied with [`credit::CreditPattern::apply`].
    pub fn credit_line(&self) -> Option<String> {
        credit::CreditPattern::default().apply(self)
    }

    /// Fills every field this one lacks from `other`.
    fn or(self, other: PhotoMetadata) -> PhotoMetadata {
        let list = |a: Vec<String>, b: Vec<String>| if a.is_empty() { b } else { a };
        PhotoMetadata {
            creators: list(self.creators, other.creators),
            credit: self.credit.or(other.credit),
            source: self.source.or(other.source),
            copyright: self.copyright.or(other.copyright),
            caption: self.caption.or(other.caption),
            headline: self.headline.or(other.headline),
            keywords: list(self.keywords, other.keywords),
            usage_terms: self.usage_terms.or(other.usage_terms),
            web_statement: self.web_statement.or(other.web_statement),
            licensor_urls: list(self.licensor_urls, other.licensor_urls),
            alt_text: self.alt_text.or(other.alt_text),
        }
    }
}

/// Why a picture's metadata could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("the JPEG is cut short at byte {0}")]
    Truncated(usize),
    #[error("the JPEG has a segment of impossible length at byte {0}")]
    BadSegment(usize),
}

/// Reads the metadata of a picture file: a JPEG's IIM, XMP and EXIF, or a WebP's XMP chunk.
/// Other files, and files without metadata, yield an empty result; a damaged JPEG is an error
/// naming where.
pub fn read_metadata(bytes: &[u8]) -> Result<PhotoMetadata, MetadataError> {
    if let Some(packet) = webp_chunk(bytes, b"XMP ") {
        return Ok(xmp::read_packet(packet));
    }
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Ok(PhotoMetadata::default());
    }
    let segments = jpeg::segments(bytes)?;
    let from_xmp = xmp::read(&segments);
    let (from_iim, iim) = iim::read(&segments);
    let from_exif = exif::read(&segments);
    Ok(reconcile(from_exif, from_iim, from_xmp, iim))
}

/// The Metadata Working Group's reading rules, as `exiftool -use MWG` applies them.
/// Description, creator and copyright, which EXIF also holds, come from EXIF when it has them.
/// Otherwise, and for keywords, XMP's value is read unless the IIM digest shows the IIM was
/// edited after XMP was last brought in step; then IIM's value is (even none), except that an
/// IIM value cut at its dataset's length limit gives way to the XMP value it starts. The
/// fields the guidelines leave out (credit, source, headline, …) come from XMP, else IIM —
/// IIM first when it is the newer — and EXIF fills nothing of them.
fn reconcile(
    exif: PhotoMetadata,
    iim: PhotoMetadata,
    xmp: PhotoMetadata,
    state: IimState,
) -> PhotoMetadata {
    let xmp_wins = |has_xmp: bool| !state.present || (has_xmp && !state.edited_after_xmp);
    let text = |exif: Option<String>, iim: Option<String>, xmp: Option<String>, limit: usize| {
        if exif.is_some() {
            return exif;
        }
        if xmp_wins(xmp.is_some()) {
            return xmp;
        }
        match (iim, xmp) {
            (Some(cut), Some(whole))
                if cut.chars().count() == limit
                    && whole.len() > cut.len()
                    && whole.starts_with(&cut) =>
            {
                Some(whole)
            }
            (iim, _) => iim,
        }
    };
    let list = |exif: Vec<String>, iim: Vec<String>, xmp: Vec<String>| {
        if !exif.is_empty() {
            return exif;
        }
        if xmp_wins(!xmp.is_empty()) { xmp } else { iim }
    };
    let (first, second) = if state.edited_after_xmp {
        (iim.clone(), xmp.clone())
    } else {
        (xmp.clone(), iim.clone())
    };
    let rest = first.or(second);
    PhotoMetadata {
        creators: list(exif.creators, iim.creators, xmp.creators),
        copyright: text(exif.copyright, iim.copyright, xmp.copyright, 128),
        caption: text(exif.caption, iim.caption, xmp.caption, 2000),
        keywords: list(Vec::new(), iim.keywords, xmp.keywords),
        ..rest
    }
}

/// The data of the first chunk named `name` in a WebP (RIFF) file.
pub(crate) fn webp_chunk<'a>(bytes: &'a [u8], name: &[u8; 4]) -> Option<&'a [u8]> {
    if bytes.get(..4)? != b"RIFF" || bytes.get(8..12)? != b"WEBP" {
        return None;
    }
    let mut at = 12usize;
    while let Some(header) = bytes.get(at..at + 8) {
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let data = bytes.get(at + 8..(at + 8).checked_add(size)?)?;
        if &header[..4] == name {
            return Some(data);
        }
        // Chunks are padded to an even length.
        at = at + 8 + size + (size & 1);
    }
    None
}

/// Text with surrounding blanks and NULs removed; `None` when nothing is left.
fn clean(text: &str) -> Option<String> {
    let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod mwg_tests;
#[cfg(test)]
mod tests;
