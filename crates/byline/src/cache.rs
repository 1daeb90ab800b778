//! The page cache: public pages kept as ready bytes (plain, and gzip and Brotli once a reader
//! asks for them), each valid
//! while every key it depends on (`story-ID`, `rails`, `lists`, `home`, `site`, …) is still at
//! the version it had when the page was rendered. Writes bump versions through the store's
//! change log, so changes from any process are followed. Bounded in bytes, least recently used
//! pages go first. See docs/decisions/0008-page-cache.md.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use byline_core::store::{Store, StoreError};

/// A rendered page in every coding it is sent in.
#[derive(Debug)]
pub struct CachedPage {
    pub identity: Bytes,
    /// Made the first time a reader asks for gzip, then kept.
    pub gzip: std::sync::OnceLock<Bytes>,
    /// Made the first time a reader asks for Brotli, then kept.
    pub brotli: std::sync::OnceLock<Bytes>,
    /// The entity tag of the identity bytes (without quotes or coding suffix).
    pub tag: String,
    /// The headers every answer carries (content type, cache control, surrogate keys, …).
    pub headers: HeaderMap,
}

impl CachedPage {
    /// The bytes the page may come to hold: its compressed forms are made on demand, so
    /// they are counted up front at a generous estimate (HTML compresses to under a third).
    fn size(&self) -> usize {
        self.identity.len() + self.identity.len() * 2 / 3 + 512
    }
}

struct Entry {
    page: Arc<CachedPage>,
    deps: Vec<(String, u64)>,
    tick: u64,
}

#[derive(Default)]
struct Pages {
    versions: HashMap<String, u64>,
    entries: HashMap<String, Entry>,
    /// Last use → page key, oldest first.
    order: BTreeMap<u64, String>,
    tick: u64,
    bytes: usize,
}

impl Pages {
    fn remove(&mut self, key: &str) {
        if let Some(old) = self.entries.remove(key) {
            self.order.remove(&old.tick);
            self.bytes -= old.page.size();
        }
    }
}

pub struct PageCache {
    max_bytes: usize,
    pages: Mutex<Pages>,
    /// One lock per page being rendered, so concurrent misses render it once.
    inflight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    renders: Mutex<HashMap<String, u64>>,
    last_change: AtomicI64,
}

impl PageCache {
    pub fn new(max_bytes: usize) -> PageCache {
        PageCache {
            max_bytes,
            pages: Mutex::new(Pages::default()),
            inflight: Mutex::new(HashMap::new()),
            renders: Mutex::new(HashMap::new()),
            last_change: AtomicI64::new(0),
        }
    }

    fn pages(&self) -> std::sync::MutexGuard<'_, Pages> {
        self.pages.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The page under `key` if every key it depends on is unchanged since it was rendered.
    pub fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        let mut pages = self.pages();
        let fresh = {
            let entry = pages.entries.get(key)?;
            entry
                .deps
                .iter()
                .all(|(dep, version)| pages.versions.get(dep).copied().unwrap_or(0) == *version)
        };
        if !fresh {
            pages.remove(key);
            return None;
        }
        pages.tick += 1;
        let tick = pages.tick;
        let entry = pages.entries.get_mut(key).expect("checked above");
        let old = std::mem::replace(&mut entry.tick, tick);
        let page = entry.page.clone();
        pages.order.remove(&old);
        pages.order.insert(tick, key.to_owned());
        Some(page)
    }

    /// Keeps `page` under `key`, depending on `deps` at their current versions; the least
    /// recently used pages make room. A page larger than the whole budget is not kept.
    pub fn insert(&self, key: &str, page: CachedPage, deps: &[String]) -> Arc<CachedPage> {
        let page = Arc::new(page);
        *self
            .renders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.to_owned())
            .or_default() += 1;
        if page.size() > self.max_bytes {
            return page;
        }
        let mut pages = self.pages();
        pages.remove(key);
        while pages.bytes + page.size() > self.max_bytes {
            let Some((_, oldest)) = pages.order.pop_first() else {
                break;
            };
            pages.remove(&oldest);
        }
        let deps = deps
            .iter()
            .map(|d| (d.clone(), pages.versions.get(d).copied().unwrap_or(0)))
            .collect();
        pages.tick += 1;
        let tick = pages.tick;
        pages.bytes += page.size();
        pages.order.insert(tick, key.to_owned());
        pages.entries.insert(
            key.to_owned(),
            Entry {
                page: page.clone(),
                deps,
                tick,
            },
        );
        page
    }

    /// Marks everything that depends on `keys` as changed.
    pub fn bump(&self, keys: &[String]) {
        let mut pages = self.pages();
        for key in keys {
            *pages.versions.entry(key.clone()).or_default() += 1;
        }
    }

    /// Follows the store's change log from where it was last read.
    pub async fn sync(&self, store: &dyn Store) -> Result<(), StoreError> {
        let after = self.last_change.load(Ordering::Acquire);
        for (id, keys) in store.changes_since(after).await? {
            self.bump(&keys);
            self.last_change.fetch_max(id, Ordering::AcqRel);
        }
        Ok(())
    }

    /// Starts following the change log from its current end (at start-up, when the cache is
    /// empty and nothing earlier matters).
    pub async fn start_at_end(&self, store: &dyn Store) -> Result<(), StoreError> {
        self.last_change
            .store(store.last_change().await?, Ordering::Release);
        Ok(())
    }

    /// The render lock of `key`: the first request for a missing page renders it, the others
    /// wait and then find it cached.
    pub async fn render_lock(&self, key: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut inflight = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
            if inflight.len() > 10_000 {
                inflight.retain(|_, l| Arc::strong_count(l) > 1);
            }
            inflight.entry(key.to_owned()).or_default().clone()
        };
        lock.lock_owned().await
    }

    /// How many times the page under `key` was rendered into the cache.
    pub fn renders(&self, key: &str) -> u64 {
        self.renders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .copied()
            .unwrap_or(0)
    }

    /// Bytes held now.
    pub fn bytes(&self) -> usize {
        self.pages().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(size: usize) -> CachedPage {
        CachedPage {
            identity: Bytes::from(vec![b'x'; size]),
            gzip: Default::default(),
            brotli: Default::default(),
            tag: "t".into(),
            headers: HeaderMap::new(),
        }
    }

    #[test]
    fn a_page_is_valid_until_a_key_it_depends_on_changes() {
        let cache = PageCache::new(1 << 20);
        cache.insert("/a", page(10), &["story-1".into(), "rails".into()]);
        cache.insert("/b", page(10), &["story-2".into(), "rails".into()]);
        cache.insert("/", page(10), &["home".into()]);
        cache.bump(&["story-1".into()]);
        assert!(cache.get("/a").is_none());
        assert!(cache.get("/b").is_some() && cache.get("/").is_some());
        cache.bump(&["rails".into()]);
        assert!(cache.get("/b").is_none());
        assert!(
            cache.get("/").is_some(),
            "the front page does not show the rails"
        );
    }

    #[test]
    fn memory_stays_within_the_bound_least_recently_used_first() {
        let cache = PageCache::new(3 * (100 + 66 + 512));
        for key in ["/1", "/2", "/3"] {
            cache.insert(key, page(100), &[]);
        }
        assert!(cache.get("/1").is_some(), "touch /1 so /2 is the oldest");
        cache.insert("/4", page(100), &[]);
        assert!(cache.get("/2").is_none());
        assert!(
            cache.get("/1").is_some() && cache.get("/3").is_some() && cache.get("/4").is_some()
        );
        assert!(cache.bytes() <= 3 * (100 + 66 + 512));
        cache.insert("/huge", page(10_000), &[]);
        assert!(
            cache.get("/huge").is_none(),
            "larger than the whole budget: not kept"
        );
        assert_eq!(cache.renders("/huge"), 1);
    }
}
