//! An article page kept as parts: its own bytes before and after the rails, compressed once
//! per change to the story, joined as bytes with the rails part current when a reader asks
//! (see docs/decisions/0033-election-night-design.md).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};
use byline_core::StoryId;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::cached_page::{CachedPage, PAGE_OVERHEAD};
use crate::page_parts::{self, Grade, Place};

/// The rails of article pages as one version of them renders: the part pages are joined with.
#[derive(Debug)]
pub struct RailsPart {
    /// The rendered rails.
    plain: String,
    /// The rails as a part joined into pages, and looked for in whole pages.
    part: FixedPart,
    digest: [u8; 32],
    /// The newest publication the rails show.
    last_modified: Option<DateTime<Utc>>,
    /// Which version of the rails it is: parts of one version are joined once per page.
    generation: u64,
}

impl RailsPart {
    /// The rails rendered as `plain`, of version `generation`.
    pub fn new(plain: String, last_modified: Option<DateTime<Utc>>, generation: u64) -> Self {
        RailsPart {
            part: FixedPart::of(&plain),
            digest: Sha256::digest(plain.as_bytes()).into(),
            plain,
            last_modified,
            generation,
        }
    }

    /// The bytes it holds.
    pub fn held(&self) -> usize {
        self.plain.len() + self.part.brotli.len()
    }

    /// The rails as HTML, for pages to show as they are.
    pub fn html(&self) -> &str {
        &self.plain
    }
}

/// Bytes pages carry as they are, compressed once at full quality and joined into pages: a
/// version of the rails, and the bytes every article carries whatever the story (the site's
/// inline style sheet, a third of an article's bytes), which are joined with a page's quick
/// parts instead of being compressed again for every reader who waits on a miss.
/// Full-quality parts keep these bytes in the head: compressed with what follows them, the
/// page is some 7 % smaller than joined from separate parts (decision 0037).
#[derive(Debug)]
pub struct FixedPart {
    /// Finds the bytes in a page (made once, not for every page split).
    finder: memchr::memmem::Finder<'static>,
    brotli: Bytes,
}

impl FixedPart {
    /// The part of `plain`; `None` for no bytes (nothing to look for).
    pub fn new(plain: &str) -> Option<Self> {
        (!plain.is_empty()).then(|| FixedPart::of(plain))
    }

    /// The part of `plain`, even of no bytes (which are found everywhere).
    fn of(plain: &str) -> Self {
        FixedPart {
            brotli: page_parts::compress(plain.as_bytes(), Place::Later, Grade::Full),
            finder: memchr::memmem::Finder::new(plain.as_bytes()).into_owned(),
        }
    }

    fn len(&self) -> usize {
        self.finder.needle().len()
    }

    /// Where the bytes are in `text`, when they are there exactly once.
    fn find_once(&self, text: &[u8]) -> Option<usize> {
        let mut found = self.finder.find_iter(text);
        let at = found.next()?;
        found.next().is_none().then_some(at)
    }
}

/// The `Last-Modified` value of `time`.
pub fn http_date(time: DateTime<Utc>) -> Option<HeaderValue> {
    HeaderValue::from_str(&time.format("%a, %d %b %Y %H:%M:%S GMT").to_string()).ok()
}

/// An article page without its rails: what comes before them and after them, each as Brotli
/// made to be joined, and the page last joined. The parts are made quick for the reader who
/// waits and compressed again at full quality in idle time (decision 0035).
#[derive(Debug)]
pub struct PartedPage {
    story: StoryId,
    /// The plain length of what comes before the rails.
    head_len: usize,
    /// The bytes shared by every article found in the head, and where: quick parts are
    /// joined with them as a part of their own instead of compressing them again.
    fixed: Option<(usize, Arc<FixedPart>)>,
    /// The plain length of head and tail together.
    own_len: usize,
    /// Of the head's and the tail's plain bytes and where one ends.
    digest: [u8; 32],
    /// The story's own time; the joined page's is the newer of it and the rails'.
    last_modified: Option<DateTime<Utc>>,
    /// Every answer's headers but `Last-Modified` and `ETag`.
    headers: HeaderMap,
    /// The parts and the page last joined; locked by readers' threads only.
    current: Mutex<Current>,
    /// Full-quality parts made in idle time, taken in by a reader's thread once the idle thread
    /// has said they are there (so that a reader never waits on that thread).
    recompressed: Mutex<Option<OwnParts>>,
    /// Whether idle time has been asked to compress the parts again.
    offered: AtomicBool,
}

/// The page's own parts, as Brotli of one grade: the head (before the fixed part, when one is
/// joined), what follows the fixed part, and what follows the rails.
#[derive(Debug)]
struct OwnParts {
    head: Bytes,
    /// The fixed part joined after the head, and what follows it up to the rails.
    fixed: Option<(Arc<FixedPart>, Bytes)>,
    tail: Bytes,
    grade: Grade,
}

#[derive(Debug)]
struct Current {
    parts: OwnParts,
    /// The page joined with the rails of one generation, from these parts.
    joined: Option<(u64, Arc<CachedPage>)>,
}

impl OwnParts {
    /// The parts of `head` and `tail` at `grade`: quick ones leave out of the head the `fixed`
    /// part found at the offset given, full ones keep it in.
    fn of(
        head: &[u8],
        fixed: Option<&(usize, Arc<FixedPart>)>,
        tail: &[u8],
        grade: Grade,
    ) -> OwnParts {
        let fixed = fixed.filter(|_| grade == Grade::Quick);
        let before = fixed.map_or(head, |(at, _)| &head[..*at]);
        OwnParts {
            head: page_parts::compress(before, Place::First, grade),
            fixed: fixed.map(|(at, part)| {
                let after = &head[at + part.len()..];
                (
                    part.clone(),
                    page_parts::compress(after, Place::Later, grade),
                )
            }),
            tail: page_parts::compress(tail, Place::Later, grade),
            grade,
        }
    }

    fn held(&self) -> usize {
        let after_fixed = self.fixed.as_ref().map_or(0, |(_, after)| after.len());
        self.head.len() + after_fixed + self.tail.len()
    }
}

impl PartedPage {
    /// `page`, the whole article of `story`, without `rails`: `None` unless the rails appear in
    /// it exactly once (a theme that shows them otherwise, or not at all, is kept whole).
    pub fn split(
        page: &[u8],
        rails: &RailsPart,
        fixed: Option<&Arc<FixedPart>>,
        story: StoryId,
        last_modified: Option<DateTime<Utc>>,
        mut headers: HeaderMap,
    ) -> Option<PartedPage> {
        let rails_part = &rails.part;
        if rails_part.len() == 0 {
            return None;
        }
        let at = rails_part.find_once(page)?;
        let (head, tail) = (&page[..at], &page[at + rails_part.len()..]);
        // Not found exactly once in the head, or first in it (where the head's first part
        // goes), the fixed bytes stay in it.
        let fixed = fixed.and_then(|part| {
            let at = part.find_once(head).filter(|at| *at > 0)?;
            Some((at, part.clone()))
        });
        let parts = OwnParts::of(head, fixed.as_ref(), tail, Grade::Quick);
        let mut digest = Sha256::new();
        digest.update((head.len() as u64).to_le_bytes());
        digest.update(head);
        digest.update(tail);
        headers.remove(header::LAST_MODIFIED);
        headers.remove(header::ETAG);
        Some(PartedPage {
            story,
            head_len: head.len(),
            fixed,
            own_len: head.len() + tail.len(),
            digest: digest.finalize().into(),
            last_modified,
            headers,
            current: Mutex::new(Current {
                parts,
                joined: None,
            }),
            recompressed: Mutex::new(None),
            offered: AtomicBool::new(false),
        })
    }

    /// The story the page shows.
    pub fn story(&self) -> StoryId {
        self.story
    }

    /// The page with `rails` (made for this story), and whether it was joined now (the page
    /// then holds other bytes than before). `None` if the parts do not join.
    pub fn joined(&self, rails: &RailsPart) -> Option<(Arc<CachedPage>, bool)> {
        let mut current = self.current();
        if let Some((generation, page)) = &current.joined
            && *generation == rails.generation
        {
            return Some((page.clone(), false));
        }
        let parts = &current.parts;
        let rails_brotli = &rails.part.brotli;
        let brotli = match &parts.fixed {
            Some((fixed, after)) => {
                page_parts::join(&[&parts.head, &fixed.brotli, after, rails_brotli, &parts.tail])
            }
            None => page_parts::join(&[&parts.head, rails_brotli, &parts.tail]),
        }?;
        let mut digest = Sha256::new();
        digest.update(self.digest);
        digest.update(rails.digest);
        let tag: String = digest
            .finalize()
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut headers = self.headers.clone();
        let modified = self.last_modified.max(rails.last_modified);
        if let Some(value) = modified.and_then(http_date) {
            headers.insert(header::LAST_MODIFIED, value);
        }
        let page = Arc::new(CachedPage::from_brotli(
            Bytes::from(brotli),
            parts.grade,
            self.own_len + rails.plain.len(),
            tag,
            headers,
        ));
        current.joined = Some((rails.generation, page.clone()));
        Some((page, true))
    }

    /// Whether the parts are still quick and idle time has not been asked to redo them: the
    /// caller then offers [`PartedPage::recompress`] to idle time (once, until it refuses).
    pub fn wants_recompressing(&self) -> bool {
        self.current().parts.grade == Grade::Quick && !self.offered.swap(true, Ordering::AcqRel)
    }

    /// Marks the offer to idle time refused: a later reader offers again.
    pub fn recompressing_refused(&self) {
        self.offered.store(false, Ordering::Release);
    }

    /// Compresses the parts again at full quality from `joined`, a page joined from them, and
    /// leaves them for a reader's thread to take in ([`PartedPage::take_in_recompressed`]). For
    /// idle time: it locks nothing a reader waits on (readers take the slot in only when told).
    pub fn recompress(&self, joined: &CachedPage) {
        let plain = joined.plain_now();
        let rails_len = joined.plain_len.saturating_sub(self.own_len);
        let (Some(head), Some(tail)) = (
            plain.get(..self.head_len),
            plain.get(self.head_len + rails_len..),
        ) else {
            return;
        };
        let parts = OwnParts::of(head, self.fixed.as_ref(), tail, Grade::Full);
        *self.recompressed.lock().unwrap_or_else(|p| p.into_inner()) = Some(parts);
    }

    /// Takes in the parts idle time compressed again, if they are ready: pages are joined from
    /// them from now on. Whether they were.
    pub fn take_in_recompressed(&self) -> bool {
        let Some(parts) = self
            .recompressed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        else {
            return false;
        };
        let mut current = self.current();
        current.parts = parts;
        current.joined = None;
        true
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The bytes it holds now.
    pub fn held(&self) -> usize {
        let current = self.current();
        let joined = current.joined.as_ref().map_or(0, |(_, page)| page.held());
        let waiting = self
            .recompressed
            .try_lock()
            .ok()
            .and_then(|parts| parts.as_ref().map(OwnParts::held))
            .unwrap_or(0);
        current.parts.held() + waiting + joined + PAGE_OVERHEAD
    }
}

#[cfg(test)]
#[path = "parted_page_tests.rs"]
mod tests;
