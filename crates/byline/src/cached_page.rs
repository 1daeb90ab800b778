//! A page as the cache keeps it: Brotli bytes made once, gzip and plain bytes made when a reader
//! first asks for them.

use std::sync::OnceLock;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue};

use crate::codings::{Coding, compress, decompress_brotli};
use crate::page_parts::Grade;

/// A rendered page, kept the way most readers are sent it: compressed with Brotli. Gzip and
/// the plain bytes are made the first time a reader asks for them (gzip from the plain bytes,
/// these read back from Brotli) and then kept, and the cache counts them when they are made.
#[derive(Debug)]
pub struct CachedPage {
    /// The plain bytes: held while the page is new, and once a reader has asked for them.
    plain: OnceLock<Bytes>,
    /// Made when the page is kept, or the first time a reader asks for Brotli.
    brotli: OnceLock<Bytes>,
    /// Made the first time a reader asks for gzip.
    gzip: OnceLock<Bytes>,
    /// How long the plain bytes are (`Content-Length` of an uncompressed answer).
    pub plain_len: usize,
    /// The entity tag of the plain bytes (without quotes or coding suffix).
    pub tag: String,
    /// The `ETag` header of each coding: identity, gzip, Brotli.
    pub etags: [HeaderValue; 3],
    /// The headers every answer carries (content type, cache control, surrogate keys, …).
    pub headers: HeaderMap,
}

/// The `ETag` headers of a page whose content has `tag`: identity, gzip, Brotli. Each coding
/// has its own (a validator names bytes), and `If-None-Match` is compared by `tag` alone.
pub fn etags(tag: &str) -> [HeaderValue; 3] {
    etags_of_grade(tag, Grade::Full)
}

/// The `ETag` headers of a page whose Brotli is of `grade`.
fn etags_of_grade(tag: &str, grade: Grade) -> [HeaderValue; 3] {
    ["", "-gzip", grade.brotli_etag_suffix()].map(|suffix| {
        HeaderValue::from_str(&format!("\"{tag}{suffix}\"")).expect("hex digits and a token")
    })
}

/// What a page costs the cache beyond its bytes (headers, tags, the entry).
pub(crate) const PAGE_OVERHEAD: usize = 512;

impl CachedPage {
    /// A page of `plain` bytes with its validators and headers, not compressed yet.
    pub fn new(plain: Bytes, tag: String, headers: HeaderMap) -> Self {
        CachedPage {
            etags: etags(&tag),
            plain_len: plain.len(),
            plain: OnceLock::from(plain),
            brotli: OnceLock::new(),
            gzip: OnceLock::new(),
            tag,
            headers,
        }
    }

    /// A page kept as its Brotli bytes alone (of `grade`), which read back to `plain_len`
    /// bytes.
    pub fn from_brotli(
        brotli: Bytes,
        grade: Grade,
        plain_len: usize,
        tag: String,
        headers: HeaderMap,
    ) -> Self {
        CachedPage {
            plain_len,
            plain: OnceLock::new(),
            brotli: OnceLock::from(brotli),
            gzip: OnceLock::new(),
            etags: etags_of_grade(&tag, grade),
            tag,
            headers,
        }
    }

    /// The page as the cache keeps it: with its Brotli, and with its plain bytes only when
    /// the reader it was rendered for asked for them.
    pub(crate) fn kept(mut self, asked: Coding) -> Self {
        self.body(Coding::Brotli);
        if asked != Coding::Identity {
            self.plain.take();
        }
        self
    }

    /// The page in `coding`, and how many bytes the page newly holds for it (0 when it was
    /// made before).
    pub fn body(&self, coding: Coding) -> (Bytes, usize) {
        let slot = match coding {
            Coding::Identity => &self.plain,
            Coding::Brotli => &self.brotli,
            Coding::Gzip => &self.gzip,
        };
        if let Some(bytes) = slot.get() {
            return (bytes.clone(), 0);
        }
        // Made once however many readers ask at the same moment, and counted once.
        let mut ours = false;
        let kept = slot
            .get_or_init(|| {
                ours = true;
                match coding {
                    Coding::Identity => self.decompressed(),
                    _ => Bytes::from(compress(&self.plain_now(), coding)),
                }
            })
            .clone();
        let added = if ours { kept.len() } else { 0 };
        (kept, added)
    }

    /// The plain bytes: held, or read back from the Brotli this server made (not kept).
    pub(crate) fn plain_now(&self) -> Bytes {
        match self.plain.get() {
            Some(plain) => plain.clone(),
            None => self.decompressed(),
        }
    }

    /// The plain bytes read back from the Brotli this server made.
    fn decompressed(&self) -> Bytes {
        let brotli = self
            .brotli
            .get()
            .expect("a page without plain bytes has Brotli");
        Bytes::from(decompress_brotli(brotli).expect("Brotli this server made decodes"))
    }

    /// The bytes the page holds now.
    pub(crate) fn held(&self) -> usize {
        [&self.plain, &self.brotli, &self.gzip]
            .iter()
            .filter_map(|slot| slot.get().map(Bytes::len))
            .sum::<usize>()
            + PAGE_OVERHEAD
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_page_holds_brotli_and_answers_every_coding_with_the_same_bytes() {
        let html = "<p>Harbour news, council votes.</p>\n".repeat(400);
        let page = CachedPage::new(Bytes::from(html.clone()), "t".into(), HeaderMap::new())
            .kept(Coding::Brotli);
        assert!(page.plain.get().is_none(), "the plain bytes are not held");
        assert_eq!(page.plain_len, html.len());
        let brotli = page.brotli.get().unwrap().len();
        assert_eq!(page.held(), brotli + PAGE_OVERHEAD);

        let (gzip, added) = page.body(Coding::Gzip);
        assert_eq!(added, gzip.len());
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzip[..]), &mut out).unwrap();
        assert_eq!(out, html.as_bytes());
        assert!(
            page.plain.get().is_none(),
            "gzip is made without keeping the plain bytes"
        );
        assert_eq!(page.body(Coding::Gzip).1, 0, "made once");

        let (plain, added) = page.body(Coding::Identity);
        assert_eq!((&plain[..], added), (html.as_bytes(), html.len()));
        let (brotli_bytes, added) = page.body(Coding::Brotli);
        assert_eq!(added, 0);
        assert_eq!(decompress_brotli(&brotli_bytes).unwrap(), html.as_bytes());
        assert_eq!(
            page.held(),
            brotli + gzip.len() + html.len() + PAGE_OVERHEAD
        );
    }

    #[test]
    fn a_page_kept_for_a_plain_reader_keeps_its_plain_bytes() {
        let page = CachedPage::new(
            Bytes::from_static(b"<p>x</p>"),
            "t".into(),
            HeaderMap::new(),
        )
        .kept(Coding::Identity);
        assert!(page.plain.get().is_some() && page.brotli.get().is_some());
    }
}
