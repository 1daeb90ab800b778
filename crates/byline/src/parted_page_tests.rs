//! The parted page's tests: joining with each version of the rails, quick and full parts, the
//! fixed part, entity tags and times.

use super::*;
use crate::codings::{Coding, decompress_brotli};

fn rails(text: &str, generation: u64) -> RailsPart {
    RailsPart::new(text.to_owned(), None, generation)
}

const STYLE: &str = "body{margin:0 auto;max-width:40rem;font:1.1rem/1.5 Georgia,serif}\
    .rails li{list-style:none;border-top:1px solid #ddd;padding:.4rem 0}\
    .site-header{display:flex;gap:1rem;align-items:center;background:#111;color:#fafafa}\
    .skip-link{position:absolute;left:-999px}.skip-link:focus{left:1rem;top:1rem}\
    figure{margin:0}figcaption{font-size:.85rem;color:#555}img{max-width:100%;height:auto}\
    .ad-slot{min-height:250px;background:#f4f4f4;text-align:center}.ad-slot::before{\
    content:'Advertisement';font-size:.7rem;text-transform:uppercase;letter-spacing:.1em}\
    .newsletter form{display:grid;grid-template-columns:1fr auto;gap:.5rem}\
    .newsletter input[type=email]{padding:.5rem;border:1px solid #888;border-radius:3px}";

fn style() -> Arc<FixedPart> {
    Arc::new(FixedPart::new(STYLE).unwrap())
}

/// `plain` kept as parts around `rails`, with `fixed` as its own part when given.
fn parted(plain: &str, rails: &RailsPart, fixed: Option<&Arc<FixedPart>>) -> PartedPage {
    PartedPage::split(
        plain.as_bytes(),
        rails,
        fixed,
        StoryId(5),
        None,
        HeaderMap::new(),
    )
    .expect("the rails are in the page once")
}

fn article(rails: &str) -> String {
    format!(
        "<html><head><style>{STYLE}</style></head><body><h1>Harbour</h1>{}{rails}\n\
         <nav>tags</nav></body></html>\n",
        "<p>The council voted on the harbour.</p>".repeat(50)
    )
}

#[test]
fn a_parted_page_joins_with_each_version_of_the_rails_to_the_whole_page() {
    let first = rails("<div class=\"rails\"><li>Ferry returns</li></div>", 1);
    let parted = PartedPage::split(
        article(&first.plain).as_bytes(),
        &first,
        Some(&style()),
        StoryId(7),
        None,
        HeaderMap::new(),
    )
    .expect("the rails are in the page once");
    let (page, new) = parted.joined(&first).unwrap();
    assert!(new);
    assert_eq!(page.body(Coding::Identity).0, article(&first.plain));
    let (again, new) = parted.joined(&first).unwrap();
    assert!(
        !new && Arc::ptr_eq(&page, &again),
        "joined once per version"
    );

    let second = rails(
        "<div class=\"rails\"><li>Storm closes the bridge</li></div>",
        2,
    );
    let (page2, new) = parted.joined(&second).unwrap();
    assert!(new);
    let (brotli, _) = page2.body(Coding::Brotli);
    assert_eq!(
        decompress_brotli(&brotli).unwrap(),
        article(&second.plain).as_bytes()
    );
    assert_ne!(page.tag, page2.tag, "another page, another entity tag");
    assert!(parted.held() > page2.held());
}

#[test]
fn parts_compressed_again_in_idle_time_join_to_the_same_page_at_full_quality() {
    let part = rails("<div class=\"rails\"><li>Ferry returns</li></div>", 1);
    let plain = article(&part.plain);
    let parted = parted(&plain, &part, Some(&style()));
    let (quick, _) = parted.joined(&part).unwrap();
    assert_eq!(quick.etags[2], format!("\"{}-br-quick\"", quick.tag));
    assert!(parted.wants_recompressing());
    assert!(!parted.wants_recompressing(), "offered once");
    parted.recompress(&quick);
    let held = parted.held();
    assert!(parted.take_in_recompressed());
    assert!(parted.held() < held, "the quick parts are let go");
    let (full, new) = parted.joined(&part).unwrap();
    assert!(new, "joined again from the new parts");
    assert_eq!(full.tag, quick.tag, "the same content");
    assert_eq!(full.etags[2], format!("\"{}-br\"", full.tag));
    assert!(full.body(Coding::Brotli).0.len() <= quick.body(Coding::Brotli).0.len());
    assert_eq!(
        decompress_brotli(&full.body(Coding::Brotli).0).unwrap(),
        plain.as_bytes()
    );
    assert!(!parted.wants_recompressing(), "full parts are not redone");
}

#[test]
fn rails_missing_or_shown_twice_keep_the_page_whole() {
    let part = rails("<div class=\"rails\">Latest</div>", 1);
    let twice = format!("{0}{0}", article(&part.plain));
    for page in [article("<div>other</div>"), twice] {
        assert!(
            PartedPage::split(
                page.as_bytes(),
                &part,
                Some(&style()),
                StoryId(1),
                None,
                HeaderMap::new()
            )
            .is_none()
        );
    }
}

#[test]
fn the_joined_page_is_as_new_as_its_newest_part() {
    let older = "2026-11-01T10:00:00Z".parse().unwrap();
    let newer: DateTime<Utc> = "2026-11-03T08:30:00Z".parse().unwrap();
    let part = RailsPart::new("<ol>rails</ol>".into(), Some(newer), 1);
    let parted = PartedPage::split(
        article("<ol>rails</ol>").as_bytes(),
        &part,
        None,
        StoryId(1),
        Some(older),
        HeaderMap::new(),
    )
    .unwrap();
    let (page, _) = parted.joined(&part).unwrap();
    assert_eq!(
        page.headers[header::LAST_MODIFIED],
        "Tue, 03 Nov 2026 08:30:00 GMT"
    );
}

#[test]
fn fixed_bytes_are_a_quick_part_of_their_own_only_when_the_head_has_them_once() {
    let part = rails("<div class=\"rails\">Latest</div>", 1);
    let once = article(&part.plain);
    let twice = once.replacen("<h1>", &format!("<h1>{STYLE}"), 1);
    let without = once.replacen(STYLE, "", 1);
    for plain in [once, twice, without] {
        let parted = parted(&plain, &part, Some(&style()));
        let (quick, _) = parted.joined(&part).unwrap();
        assert_eq!(quick.body(Coding::Identity).0, plain);
        parted.recompress(&quick);
        assert!(parted.take_in_recompressed());
        let (full, _) = parted.joined(&part).unwrap();
        assert_eq!(
            decompress_brotli(&full.body(Coding::Brotli).0).unwrap(),
            plain.as_bytes()
        );
    }
    let whole = parted(&article(&part.plain), &part, None);
    let shared = parted(&article(&part.plain), &part, Some(&style()));
    let (whole_quick, _) = whole.joined(&part).unwrap();
    let (shared_quick, _) = shared.joined(&part).unwrap();
    assert_eq!(
        whole_quick.tag, shared_quick.tag,
        "the same page, the same entity tag, however it is kept"
    );
    assert!(
        shared.held() < whole.held(),
        "quick parts do not hold the fixed bytes"
    );
    for (parted, quick) in [(&whole, whole_quick), (&shared, shared_quick)] {
        parted.recompress(&quick);
        assert!(parted.take_in_recompressed());
    }
    assert_eq!(
        whole.joined(&part).unwrap().0.body(Coding::Brotli).0,
        shared.joined(&part).unwrap().0.body(Coding::Brotli).0,
        "at full quality readers get the bytes of a head compressed whole"
    );
}
