//! The page cache's tests: dependency keys, the byte budget, codings counted, shared values.

use super::*;
use axum::body::Bytes;
use axum::http::HeaderMap;
use byline_core::StoryId;

/// A page of `size` random bytes, which Brotli cannot make smaller.
fn page(size: usize) -> CachedPage {
    let random: Vec<u8> = (0..size)
        .scan(0x2545_f491_4f6c_dd1du64, |x, _| {
            *x ^= *x << 13;
            *x ^= *x >> 7;
            *x ^= *x << 17;
            Some(*x as u8)
        })
        .collect();
    CachedPage::new(Bytes::from(random), "t".into(), HeaderMap::new())
}

/// Keeps `page` as a page rendered for a reader who asked for Brotli.
fn insert(
    cache: &PageCache,
    key: &str,
    page: CachedPage,
    deps: &[CacheKey],
    read_at: u64,
) -> Arc<CachedPage> {
    cache.rendered(key);
    let page = Arc::new(page.kept(Coding::Brotli));
    cache.insert(key, Kept::Whole(page.clone()), deps, read_at);
    page
}

#[test]
fn a_page_is_valid_until_a_key_it_depends_on_changes() {
    let cache = PageCache::new(1 << 20);
    insert(
        &cache,
        "/a",
        page(10),
        &[CacheKey::Story(StoryId(1)), CacheKey::Rails],
        cache.epoch(),
    );
    insert(
        &cache,
        "/b",
        page(10),
        &[CacheKey::Story(StoryId(2)), CacheKey::Rails],
        cache.epoch(),
    );
    insert(&cache, "/", page(10), &[CacheKey::Home], cache.epoch());
    cache.bump(&[CacheKey::Story(StoryId(1))]);
    assert!(cache.get("/a").is_none());
    assert!(cache.get("/b").is_some() && cache.get("/").is_some());
    cache.bump(&[CacheKey::Rails]);
    assert!(cache.get("/b").is_none());
    assert!(
        cache.get("/").is_some(),
        "the front page does not show the rails"
    );
}

#[test]
fn memory_stays_within_the_bound_least_recently_used_first() {
    let one = page(100).kept(Coding::Brotli).held();
    let cache = PageCache::new(3 * one);
    for key in ["/1", "/2", "/3"] {
        insert(&cache, key, page(100), &[], cache.epoch());
    }
    assert!(cache.get("/1").is_some(), "touch /1 so /2 is the oldest");
    insert(&cache, "/4", page(100), &[], cache.epoch());
    assert!(cache.get("/2").is_none());
    assert!(cache.get("/1").is_some() && cache.get("/3").is_some() && cache.get("/4").is_some());
    assert!(cache.bytes() <= 3 * one);
    insert(&cache, "/huge", page(10_000), &[], cache.epoch());
    assert!(
        cache.get("/huge").is_none(),
        "larger than the whole budget: not kept"
    );
    assert_eq!(cache.renders("/huge"), 1);
}

#[test]
fn the_codings_a_reader_makes_are_counted_and_a_page_that_outgrows_the_budget_goes() {
    let html = "<p>Harbour news, council votes.</p>\n".repeat(400);
    let made = || CachedPage::new(Bytes::from(html.clone()), "t".into(), HeaderMap::new());
    let cache = PageCache::new(1 << 20);
    let page = insert(&cache, "/a", made(), &[], cache.epoch());
    let kept = page.held();
    assert_eq!(cache.bytes(), kept);
    assert!(kept < html.len() / 4, "{kept} counted");
    for coding in [Coding::Gzip, Coding::Identity, Coding::Brotli] {
        page.body(coding);
        cache.recount("/a", &Kept::Whole(page.clone()));
    }
    assert_eq!(cache.bytes(), page.held(), "every coding held is counted");
    assert!(cache.bytes() > kept + html.len());

    // A page that grows past the budget is let go.
    let small = PageCache::new(kept + 10);
    let page = insert(&small, "/a", made(), &[], small.epoch());
    assert!(small.get("/a").is_some());
    page.body(Coding::Identity);
    small.recount("/a", &Kept::Whole(page.clone()));
    assert!(small.get("/a").is_none() && small.bytes() == 0);
    assert!(PAGE_OVERHEAD < kept);
}

#[test]
fn a_page_rendered_while_a_change_arrived_is_sent_but_not_kept() {
    let cache = PageCache::new(1 << 20);
    let read_at = cache.epoch();
    cache.bump(&[CacheKey::Story(StoryId(1))]);
    insert(
        &cache,
        "/a",
        page(10),
        &[CacheKey::Story(StoryId(2))],
        read_at,
    );
    assert!(
        cache.get("/a").is_none(),
        "it may show what the change replaced"
    );
    insert(
        &cache,
        "/a",
        page(10),
        &[CacheKey::Story(StoryId(2))],
        cache.epoch(),
    );
    assert!(cache.get("/a").is_some());
}

#[test]
fn shared_values_last_until_their_keys_change() {
    let cache = PageCache::new(1 << 20);
    cache.share(
        "rails",
        &[CacheKey::Rails],
        Arc::new(vec![1, 2, 3]),
        cache.epoch(),
    );
    assert_eq!(*cache.shared::<Vec<i32>>("rails").unwrap(), vec![1, 2, 3]);
    assert!(
        cache.shared::<String>("rails").is_none(),
        "another type is not it"
    );
    cache.bump(&[CacheKey::Home]);
    assert!(cache.shared::<Vec<i32>>("rails").is_some());
    cache.bump(&[CacheKey::Rails]);
    assert!(cache.shared::<Vec<i32>>("rails").is_none());
    let read_at = cache.epoch();
    cache.bump(&[CacheKey::Home]);
    cache.share("rails", &[CacheKey::Rails], Arc::new(vec![4]), read_at);
    assert!(
        cache.shared::<Vec<i32>>("rails").is_none(),
        "read across a change"
    );
    let none = PageCache::new(0);
    none.share("rails", &[CacheKey::Rails], Arc::new(vec![1]), none.epoch());
    assert!(
        none.shared::<Vec<i32>>("rails").is_none(),
        "no budget keeps nothing"
    );
}
