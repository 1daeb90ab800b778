//! Readers' views counted in the front door across nodes, exactly once each; bots and
//! prefetches not counted; the `Most read` rail and the `Related` block on the article.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use byline_core::StoryId;

use crate::support::{Item, Site, http_exchange, http_get};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// One view of `url` as a browser (or with extra headers) asks for it; the status.
fn view(url: &str, extra: &str) -> u16 {
    http_exchange("GET", url, &format!("User-Agent: {FIREFOX}\r\n{extra}"), "").0
}

/// The views counted in the store for `story` over the last day.
async fn counted(site: &Site, story: StoryId) -> u64 {
    let store = site.data_dir().open_store().await.unwrap();
    let since = chrono::Utc::now() - chrono::Duration::days(1);
    let views = store.views_of(&[story], since).await.unwrap();
    views.first().map_or(0, |(_, n)| *n)
}

fn story_id(site: &Site, slug: &str) -> StoryId {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = site.data_dir().open_store().await.unwrap();
        let slug = byline_core::Slug::parse(slug).unwrap();
        store.story_by_slug(&slug).await.unwrap().unwrap().id
    })
}

fn import(site: &Site, items: &[(&str, &str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<_> = items
        .iter()
        .enumerate()
        .map(|(n, (uri, headline, body))| {
            Item::new(uri, headline)
                .body(body)
                .created(&format!("2024-05-{:02}T10:00:00Z", n % 28 + 1))
                .write(dir.path(), &n.to_string())
        })
        .collect();
    let (_, err, ok) = site.import(&paths.iter().map(|p| p.as_path()).collect::<Vec<_>>());
    assert!(ok, "{err}");
}

#[test]
fn ten_thousand_concurrent_views_on_two_nodes_count_once_each_and_machines_not_at_all() {
    let site = Site::new("[views]\nflush_seconds = 1\n");
    import(
        &site,
        &[("urn:test:views:1", "Counted story", "<p>Read me.</p>")],
    );
    let mut second = Site::new("[views]\nflush_seconds = 1\n");
    if site.database_url.is_some() {
        second.database_url.clone_from(&site.database_url);
    } else {
        second.data.clone_from(&site.data);
    }
    let nodes = [site.serve(), second.serve()];
    let urls: Vec<String> = nodes
        .iter()
        .map(|n| format!("{}/story/counted-story", n.url))
        .collect();
    let sent = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(120);
    std::thread::scope(|scope| {
        for worker in 0..32 {
            let (urls, sent) = (&urls, sent.clone());
            scope.spawn(move || {
                loop {
                    let n = sent.fetch_add(1, Ordering::Relaxed);
                    if n >= 10_000 || Instant::now() > deadline {
                        break;
                    }
                    assert_eq!(view(&urls[(n + worker) % 2], ""), 200);
                }
            });
        }
    });
    assert!(
        sent.load(Ordering::Relaxed) >= 10_000,
        "all views sent in time"
    );
    // Not views: crawlers, scripts, prefetches and prerenders, HEAD, other pages.
    for url in &urls {
        let bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
        assert_eq!(
            http_exchange("GET", url, &format!("User-Agent: {bot}\r\n"), "").0,
            200
        );
        assert_eq!(
            http_exchange("GET", url, "User-Agent: curl/8.5.0\r\n", "").0,
            200
        );
        assert_eq!(view(url, "Sec-Purpose: prefetch\r\n"), 200);
        assert_eq!(view(url, "Sec-Purpose: prefetch;prerender\r\n"), 200);
        assert_eq!(
            http_exchange("HEAD", url, &format!("User-Agent: {FIREFOX}\r\n"), "").0,
            200
        );
        assert_eq!(
            view(&url.replace("/story/counted-story", "/latest"), ""),
            200
        );
        assert_eq!(
            view(&url.replace("counted-story", "no-such-story"), ""),
            404
        );
        let marked = |agent: &str, value: &str, more: &str| {
            let headers = format!("User-Agent: {agent}\r\nByline-View: {value}\r\n{more}");
            http_exchange("HEAD", url, &headers, "").0
        };
        let bot = "Mozilla/5.0 (compatible; bingbot/2.0)";
        assert_eq!(marked(FIREFOX, "twice", ""), 200, "not the beacon's mark");
        assert_eq!(marked(bot, "prefetched", ""), 200, "a machine's");
        let prefetching = "Sec-Purpose: prefetch\r\n";
        assert_eq!(marked(FIREFOX, "prefetched", prefetching), 200);
        // The beacon of an article shown from a prefetch, twice: two views.
        assert_eq!(marked(FIREFOX, "prefetched", ""), 200);
        assert_eq!(marked(FIREFOX, "prefetched", ""), 200);
    }
    // A stopped node sends what it counted before it exits.
    let [a, b] = nodes;
    assert!(a.stop().success());
    assert!(b.stop().success());
    let story = story_id(&site, "counted-story");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert_eq!(
        runtime.block_on(counted(&site, story)),
        10_000 + 2 * urls.len() as u64,
        "every view once, and each node's two beacons"
    );
}

#[test]
fn a_node_killed_between_flushes_loses_at_most_its_last_batch() {
    let site = Site::new("[views]\nflush_seconds = 1\n");
    import(
        &site,
        &[(
            "urn:test:views:kill",
            "Killed node story",
            "<p>Read me.</p>",
        )],
    );
    let story = story_id(&site, "killed-node-story");
    let node = site.serve();
    let url = format!("{}/story/killed-node-story", node.url);
    for _ in 0..300 {
        assert_eq!(view(&url, ""), 200);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    while runtime.block_on(counted(&site, story)) < 300 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the batch reached the store"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for _ in 0..200 {
        assert_eq!(view(&url, ""), 200);
    }
    drop(node); // SIGKILL: no goodbye flush.
    let total = runtime.block_on(counted(&site, story));
    assert!(
        (300..=500).contains(&total),
        "earlier batches kept, nothing twice: {total}"
    );
}

#[test]
fn the_most_read_rail_lists_the_most_viewed_and_drops_a_story_taken_down() {
    let site = Site::new(
        "[theme]\nmost_read = \"24h\"\n[views]\nflush_seconds = 1\nmost_read_seconds = 1\n",
    );
    import(
        &site,
        &[
            ("urn:test:mr:a", "Alpha story", "<p>A.</p>"),
            ("urn:test:mr:b", "Bravo story", "<p>B.</p>"),
            ("urn:test:mr:c", "Charlie story", "<p>C.</p>"),
        ],
    );
    let node = site.serve();
    let page = |slug: &str| format!("{}/story/{slug}", node.url);
    for _ in 0..5 {
        assert_eq!(view(&page("alpha-story"), ""), 200);
    }
    for _ in 0..3 {
        assert_eq!(view(&page("bravo-story"), ""), 200);
    }
    let rail = |html: &str| -> Vec<String> {
        let Some((_, rest)) = html.split_once("<h2 id=\"most-read-title\">Most read today</h2>")
        else {
            return Vec::new();
        };
        let list = rest.split("</ol>").next().unwrap();
        ["Alpha story", "Bravo story", "Charlie story"]
            .iter()
            .filter_map(|h| list.find(h).map(|at| (at, h.to_string())))
            .fold(Vec::new(), |mut acc, (at, h)| {
                acc.push((at, h));
                acc.sort();
                acc
            })
            .into_iter()
            .map(|(_, h)| h)
            .collect()
    };
    let started = Instant::now();
    while rail(&http_get(&page("charlie-story")).1) != ["Alpha story", "Bravo story"] {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the rail lists the most viewed first"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        rail(&http_get(&page("alpha-story")).1),
        ["Bravo story"],
        "a story is not in its own rail"
    );
    // Taken down, it leaves the rail within seconds.
    let dir = tempfile::tempdir().unwrap();
    let canceled = Item::new("urn:test:mr:a", "Alpha story")
        .set("pubstatus", serde_json::json!("canceled"))
        .created("2024-05-01T10:00:00Z")
        .version(2)
        .write(dir.path(), "a");
    assert!(site.import(&[&canceled]).2);
    let started = Instant::now();
    while rail(&http_get(&page("charlie-story")).1) != ["Bravo story"] {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the story taken down left the rail"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_related_block_shows_similar_stories_not_shown_elsewhere_on_the_page() {
    let site = Site::new("[theme]\nrelated_stories = 3\n");
    let mut items = vec![
        (
            "urn:test:rel:volcano",
            "Volcano erupts near the glacier",
            "<p>Lava from the volcano melted the glacier ice; the eruption closed the airport.</p>",
        ),
        (
            "urn:test:rel:ash",
            "Ash cloud from the volcano grounds flights",
            "<p>The eruption's ash over the glacier kept every airport shut.</p>",
        ),
    ];
    let fillers: Vec<(String, String)> = (0..20)
        .map(|n| {
            (
                format!("urn:test:rel:filler:{n}"),
                format!("Market report number {n}"),
            )
        })
        .collect();
    for (uri, headline) in &fillers {
        items.push((uri, headline, "<p>Shares rose and bonds fell.</p>"));
    }
    // The two volcano stories are the oldest: neither is in the rails of the other.
    import(&site, &items);
    let node = site.serve();
    let started = Instant::now();
    loop {
        let (status, html) = http_get(&format!(
            "{}/story/volcano-erupts-near-the-glacier",
            node.url
        ));
        assert_eq!(status, 200);
        let related = html
            .split_once("<h2 id=\"related-title\">Related</h2>")
            .map(|(_, rest)| rest.split("</ol>").next().unwrap().to_owned());
        if let Some(related) = related {
            assert!(
                related.contains("Ash cloud from the volcano grounds flights"),
                "{related}"
            );
            assert!(!related.contains("Volcano erupts"), "never itself");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the Related block appears"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // A story taken down leaves the Related blocks that showed it, at once.
    let dir = tempfile::tempdir().unwrap();
    let canceled = Item::new(
        "urn:test:rel:ash",
        "Ash cloud from the volcano grounds flights",
    )
    .set("pubstatus", serde_json::json!("canceled"))
    .created("2024-05-02T10:00:00Z")
    .version(2)
    .write(dir.path(), "ash");
    assert!(site.import(&[&canceled]).2);
    let started = Instant::now();
    while http_get(&format!(
        "{}/story/volcano-erupts-near-the-glacier",
        node.url
    ))
    .1
    .contains("Ash cloud")
    {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the withdrawn story left Related"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (_, default_page) = {
        let plain = Site::new("");
        import(
            &plain,
            &[("urn:test:rel:plain", "Plain story", "<p>Text.</p>")],
        );
        let node = plain.serve();
        http_get(&format!("{}/story/plain-story", node.url))
    };
    assert!(
        !default_page.contains("related-title") && !default_page.contains("most-read-title"),
        "both off by default"
    );
}
