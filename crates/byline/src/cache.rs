//! The page cache: public pages kept as ready bytes (Brotli, and gzip once a reader asks for
//! it), each valid while every key it depends on (`story-ID`, `rails`, `lists`, `home`, `site`, …) is still at
//! the version it had when the page was rendered. Writes bump versions through the store's
//! change log, so changes from any process are followed. Bounded in bytes, least recently used
//! pages go first. See docs/decisions/0008-page-cache.md.

use byline_core::ChangeId;
use byline_core::changes::CacheKey;
use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use byline_core::store::{Store, StoreError};

pub use crate::cached_page::CachedPage;
#[cfg(test)]
use crate::cached_page::PAGE_OVERHEAD;
#[cfg(test)]
use crate::codings::Coding;
pub use crate::parted_page::PartedPage;

/// What the cache keeps under a page's key: the page whole, or an article as its own parts,
/// joined with the rails part current when a reader asks.
#[derive(Debug, Clone)]
pub enum Kept {
    Whole(Arc<CachedPage>),
    Parted(Arc<PartedPage>),
}

impl Kept {
    /// The bytes it holds now.
    fn held(&self) -> usize {
        match self {
            Kept::Whole(page) => page.held(),
            Kept::Parted(page) => page.held(),
        }
    }

    fn is(&self, other: &Kept) -> bool {
        match (self, other) {
            (Kept::Whole(a), Kept::Whole(b)) => Arc::ptr_eq(a, b),
            (Kept::Parted(a), Kept::Parted(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

struct Entry {
    page: Kept,
    /// The bytes counted for it: what it held when kept, and what readers made since.
    size: usize,
    deps: Vec<(CacheKey, u64)>,
    /// The last use.
    tick: u64,
    /// The use this entry is filed under in `Pages::order` (at most `tick`).
    filed: u64,
    /// The change epoch at which `deps` were last found current.
    checked: u64,
}

/// A value many pages share (the rails, the sections), kept like a page but outside the byte
/// budget: there are a handful of them, each small.
struct Shared {
    value: Arc<dyn Any + Send + Sync>,
    deps: Vec<(CacheKey, u64)>,
}

#[derive(Default)]
struct Pages {
    shared: HashMap<&'static str, Shared>,
    versions: HashMap<CacheKey, u64>,
    /// Counts every bump: an entry checked at the current epoch needs no dependency check.
    epoch: u64,
    entries: HashMap<String, Entry>,
    /// Use → page key, oldest first. A hit only moves the entry's `tick`; the entry is filed
    /// again under it when eviction reaches its old place, so a hit never touches this tree.
    order: BTreeMap<u64, String>,
    tick: u64,
    bytes: usize,
}

impl Pages {
    /// Whether every key in `deps` is still at the version recorded.
    fn current(&self, deps: &[(CacheKey, u64)]) -> bool {
        deps.iter()
            .all(|(dep, version)| self.versions.get(dep).copied().unwrap_or(0) == *version)
    }

    /// The current version of each of `deps`.
    fn stamp(&self, deps: &[CacheKey]) -> Vec<(CacheKey, u64)> {
        deps.iter()
            .map(|d| (d.clone(), self.versions.get(d).copied().unwrap_or(0)))
            .collect()
    }

    fn remove(&mut self, key: &str) {
        if let Some(old) = self.entries.remove(key) {
            self.order.remove(&old.filed);
            self.bytes -= old.size;
        }
    }

    /// Removes the least recently used page; false when there is none.
    fn evict_oldest(&mut self) -> bool {
        while let Some((filed, key)) = self.order.pop_first() {
            let Some(entry) = self.entries.get_mut(&key) else {
                continue;
            };
            if entry.tick == filed {
                let old = self.entries.remove(&key).expect("found above");
                self.bytes -= old.size;
                return true;
            }
            entry.filed = entry.tick;
            let tick = entry.tick;
            self.order.insert(tick, key);
        }
        false
    }
}

/// Render locks are pruned once the map holds this many.
const PRUNE_LOCKS_AT: usize = 256;
/// Render counts are kept for at most this many pages.
const MAX_COUNTED_PAGES: usize = 4096;

pub struct PageCache {
    max_bytes: usize,
    pages: Mutex<Pages>,
    /// One lock per page being rendered, so concurrent misses render it once.
    inflight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    renders: Mutex<HashMap<String, u64>>,
    renders_total: AtomicU64,
    hits: AtomicU64,
    last_change: AtomicI64,
    /// Articles whose parts idle time compressed again, told here for a reader's thread to
    /// take them in and count them. Readers only try the lock, so that none ever waits on the
    /// low-priority thread.
    recompressed: Arc<Mutex<Vec<Recompressed>>>,
}

/// An article kept under a key whose parts idle time compressed again.
pub type Recompressed = (String, Arc<PartedPage>);

impl PageCache {
    pub fn new(max_bytes: usize) -> PageCache {
        PageCache {
            max_bytes,
            pages: Mutex::new(Pages::default()),
            inflight: Mutex::new(HashMap::new()),
            renders: Mutex::new(HashMap::new()),
            renders_total: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            last_change: AtomicI64::new(0),
            recompressed: Arc::default(),
        }
    }

    fn pages(&self) -> std::sync::MutexGuard<'_, Pages> {
        self.pages.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the cache keeps anything (its budget is not 0).
    pub fn enabled(&self) -> bool {
        self.max_bytes > 0
    }

    /// The page under `key` if every key it depends on is unchanged since it was rendered.
    pub fn get(&self, key: &str) -> Option<Kept> {
        let mut guard = self.pages();
        let pages = &mut *guard;
        let entry = pages.entries.get_mut(key)?;
        if entry.checked != pages.epoch {
            let fresh = entry
                .deps
                .iter()
                .all(|(dep, version)| pages.versions.get(dep).copied().unwrap_or(0) == *version);
            if !fresh {
                pages.remove(key);
                return None;
            }
            entry.checked = pages.epoch;
        }
        pages.tick += 1;
        entry.tick = pages.tick;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(entry.page.clone())
    }

    /// The change epoch now. Whatever is read from the store to be kept here is read after
    /// taking it, and kept only if no change arrived meanwhile: a page rendered from data a
    /// change has already replaced must not be filed under the versions after that change.
    pub fn epoch(&self) -> u64 {
        self.pages().epoch
    }

    /// Counts a render of the page under `key`, kept or not.
    pub fn rendered(&self, key: &str) {
        self.renders_total.fetch_add(1, Ordering::Relaxed);
        let mut renders = self.renders.lock().unwrap_or_else(|p| p.into_inner());
        // Counts per page are a diagnostic: kept for the last few thousand pages rendered, so
        // that made-up URLs cannot grow this map without bound.
        if renders.len() >= MAX_COUNTED_PAGES && !renders.contains_key(key) {
            renders.clear();
        }
        *renders.entry(key.to_owned()).or_default() += 1;
    }

    /// Whether a page read from the store since `read_at` may be kept: the cache has a budget
    /// and no change arrived meanwhile (see [`PageCache::epoch`]). Asked before the work of
    /// compressing a page to keep it.
    pub fn may_keep(&self, read_at: u64) -> bool {
        self.enabled() && self.epoch() == read_at
    }

    /// Keeps `page` under `key`, depending on `deps` at their current versions, when no
    /// change arrived since `read_at` (see [`PageCache::epoch`]); the least recently used
    /// pages make room. A page larger than the whole budget is not kept.
    pub fn insert(&self, key: &str, page: Kept, deps: &[CacheKey], read_at: u64) {
        let size = page.held();
        let mut pages = self.pages();
        if !self.enabled() || size > self.max_bytes || pages.epoch != read_at {
            return;
        }
        pages.remove(key);
        while pages.bytes + size > self.max_bytes && pages.evict_oldest() {}
        let deps = pages.stamp(deps);
        pages.tick += 1;
        let tick = pages.tick;
        pages.bytes += size;
        pages.order.insert(tick, key.to_owned());
        let epoch = pages.epoch;
        pages.entries.insert(
            key.to_owned(),
            Entry {
                page,
                size,
                deps,
                tick,
                filed: tick,
                checked: epoch,
            },
        );
    }

    /// Counts again the bytes `page` holds (readers' codings, a new join), if it is still what
    /// is kept under `key`; the least recently used pages make room.
    pub fn recount(&self, key: &str, page: &Kept) {
        let mut pages = self.pages();
        let Some(entry) = pages.entries.get_mut(key) else {
            return;
        };
        if !entry.page.is(page) {
            return;
        }
        // Read under the cache's lock, so that two readers' counts cannot cross.
        let held = page.held();
        let before = std::mem::replace(&mut entry.size, held);
        pages.bytes = pages.bytes + held - before;
        while pages.bytes > self.max_bytes && pages.evict_oldest() {}
    }

    /// Where idle time tells which article's parts it compressed again (it locks the list;
    /// readers only try it).
    pub fn recompressed_list(&self) -> Arc<Mutex<Vec<Recompressed>>> {
        self.recompressed.clone()
    }

    /// Takes in the parts idle time compressed again and counts each article's bytes again if
    /// it is still kept; nothing when the idle thread holds the list.
    pub fn take_in_recompressed(&self) {
        let told = match self.recompressed.try_lock() {
            Ok(mut list) if !list.is_empty() => std::mem::take(&mut *list),
            _ => return,
        };
        for (key, parted) in told {
            if parted.take_in_recompressed() {
                self.recount(&key, &Kept::Parted(parted));
            }
        }
    }

    /// The shared value kept under `name`, if the keys it depends on are unchanged.
    pub fn shared<T: Send + Sync + 'static>(&self, name: &str) -> Option<Arc<T>> {
        let pages = self.pages();
        let shared = pages.shared.get(name)?;
        if !pages.current(&shared.deps) {
            return None;
        }
        shared.value.clone().downcast::<T>().ok()
    }

    /// Keeps a value read from the store since `read_at`, while `deps` are unchanged. A cache
    /// without a budget keeps nothing, shared values included.
    pub fn share<T: Send + Sync + 'static>(
        &self,
        name: &'static str,
        deps: &[CacheKey],
        value: Arc<T>,
        read_at: u64,
    ) {
        let mut pages = self.pages();
        if self.max_bytes == 0 || pages.epoch != read_at {
            return;
        }
        let deps = pages.stamp(deps);
        pages.shared.insert(name, Shared { value, deps });
    }

    /// Marks everything that depends on `keys` as changed.
    pub fn bump(&self, keys: &[CacheKey]) {
        if keys.is_empty() {
            return;
        }
        let mut pages = self.pages();
        pages.epoch += 1;
        for key in keys {
            *pages.versions.entry(key.clone()).or_default() += 1;
        }
    }

    /// Follows the store's change log from where it was last read.
    pub async fn sync(&self, store: &dyn Store) -> Result<(), StoreError> {
        let after = ChangeId(self.last_change.load(Ordering::Acquire));
        for (id, keys) in store.changes_since(after).await? {
            self.bump(&keys);
            self.last_change.fetch_max(id.0, Ordering::AcqRel);
        }
        Ok(())
    }

    /// Starts following the change log from its current end (at start-up, when the cache is
    /// empty and nothing earlier matters).
    pub async fn start_at_end(&self, store: &dyn Store) -> Result<(), StoreError> {
        self.last_change
            .store(store.last_change().await?.0, Ordering::Release);
        Ok(())
    }

    /// The render lock of `key`: the first request for a missing page renders it, the others
    /// wait and then find it cached.
    pub async fn render_lock(&self, key: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut inflight = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
            // Locks nobody holds or waits for any more are dropped, so the map holds about as
            // many entries as renders are in flight.
            if inflight.len() >= PRUNE_LOCKS_AT {
                inflight.retain(|_, l| Arc::strong_count(l) > 1);
            }
            inflight.entry(key.to_owned()).or_default().clone()
        };
        lock.lock_owned().await
    }

    /// Keys the cache keeps anything under (pages, render locks, render counts): bounded
    /// however many distinct URLs are asked for.
    pub fn keys_held(&self) -> usize {
        let pages = self.pages().entries.len();
        let locks = self
            .inflight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len();
        let counted = self.renders.lock().unwrap_or_else(|p| p.into_inner()).len();
        pages + locks + counted
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

    /// Pages answered from the cache so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Pages rendered into the cache so far.
    pub fn renders_total(&self) -> u64 {
        self.renders_total.load(Ordering::Relaxed)
    }

    /// Bytes held now.
    pub fn bytes(&self) -> usize {
        self.pages().bytes
    }

    /// Pages held now.
    pub fn len(&self) -> usize {
        self.pages().entries.len()
    }

    /// Whether no page is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
