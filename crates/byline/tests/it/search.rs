//! Search through the real server: relevance on the imported fixtures and generated stories,
//! stemming per language, accents, phrases and exclusion, filters, suggestions, hostile
//! queries, and the index kept in step with writes from the CLI, the admin and other nodes.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Item, Server, Site, enc, http_exchange, http_get, shared};

/// Tests poll the search many times a second: no per-address limit for them.
pub(crate) const UNLIMITED: &str = "[search]\nrequests_per_minute = 1000000\n";

const LEAD: &str = "Libya’s warlord Haftar rejects call for ceasefire";

/// Headlines the public search answers for `query`, best first (`Accept: application/json`).
pub(crate) fn found(server: &Server, query: &str) -> Vec<String> {
    answer(server, query).unwrap_or_else(|| panic!("{query}: the index is not ready"))
}

/// The headlines found, or `None` while the index is being built (503).
pub(crate) fn answer(server: &Server, query: &str) -> Option<Vec<String>> {
    let (status, _, body) = http_exchange(
        "GET",
        &format!("{}/search?q={}", server.url, enc(query)),
        "Accept: application/json\r\n",
        "",
    );
    if status == 503 {
        return None;
    }
    assert_eq!(status, 200, "{query}: {body}");
    let json: Value = serde_json::from_str(&body).unwrap();
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["headline"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .into()
}

fn top3(server: &Server, query: &str) -> Vec<String> {
    found(server, query).into_iter().take(3).collect()
}

/// Waits (at most `within`) until `query` finds (or no longer finds) `headline`.
pub(crate) fn wait_for(
    server: &Server,
    query: &str,
    headline: &str,
    present: bool,
    within: Duration,
) -> Duration {
    let started = Instant::now();
    loop {
        let answer = answer(server, query);
        if answer.is_some_and(|hits| hits.iter().any(|h| h == headline) == present) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{query}: {headline} still {} after {within:?}",
            if present { "missing" } else { "found" }
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn seed_items(dir: &std::path::Path) {
    crate::support::python([shared().join("seed/seed_to_ninjs.py").as_path(), dir]);
}

fn json_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
}

/// The seed's 13 stories, the WordPress theme-test export, and generated stories in German,
/// French and English (one about Zürich, one withheld, 40 fillers).
fn corpus(site: &Site) {
    let items = tempfile::tempdir().unwrap();
    seed_items(items.path());
    let generated = items.path().join("generated");
    let german = "Waffenruhe in Libyen gebrochen";
    Item::new("urn:test:search:de", german)
        .set("language", serde_json::json!("de"))
        .body("<p>Die Kämpfe um Tripolis gehen weiter, obwohl die Waffenruhe vereinbart war.</p>")
        .created("2024-11-20T08:00:00Z")
        .write(&generated, "de");
    Item::new("urn:test:search:fr", "Les élections municipales approchent")
        .set("language", serde_json::json!("fr"))
        .body("<p>Les électeurs choisiront leurs maires en mars.</p>")
        .created("2024-11-19T08:00:00Z")
        .write(&generated, "fr");
    Item::new("urn:test:search:zh", "Bankers gather in Zürich")
        .body("<p>The annual meeting of central bankers opened on the lake.</p>")
        .created("2024-11-18T08:00:00Z")
        .write(&generated, "zh");
    Item::new("urn:test:search:withheld", "Confidential memo about quinoa")
        .set("pubstatus", serde_json::json!("withheld"))
        .body("<p>Quinoa prices are not public yet.</p>")
        .created("2024-11-17T08:00:00Z")
        .write(&generated, "withheld");
    for n in 0..40 {
        Item::new(
            &format!("urn:test:search:filler:{n}"),
            &format!("Quorvex notes number {n}"),
        )
        .body(
            "<p>The quorvex committee met again and agreed on the minutes of the last meeting.</p>",
        )
        .created(&format!("2024-10-{:02}T08:00:00Z", n % 28 + 1))
        .write(&generated, &format!("filler-{n}"));
    }
    let mut paths = json_files(items.path());
    paths.extend(json_files(&generated));
    let (_, err, ok) = site.import(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    assert!(ok, "{err}");
    let export = shared().join("fixtures/wxr/theme-test-data/themeunittestdata.wordpress.xml");
    let out = site.cli(&["import", "wordpress", &export.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn named_queries_find_named_stories_in_every_language_and_spelling() {
    let site = Site::new(UNLIMITED);
    corpus(&site);
    let server = site.serve();
    wait_for(&server, "Haftar", LEAD, true, Duration::from_secs(30));

    for query in [
        "Haftar",
        "ceasefires",
        "haftar ceasefire",
        "\"Berlin peace process\"",
        "Tripoli Haftar",
    ] {
        assert!(
            top3(&server, query).contains(&LEAD.to_owned()),
            "{query}: {:?}",
            top3(&server, query)
        );
    }
    assert!(top3(&server, "Waffenruhen").contains(&"Waffenruhe in Libyen gebrochen".to_owned()));
    assert!(
        top3(&server, "élection municipale")
            .contains(&"Les élections municipales approchent".to_owned())
    );
    for query in ["Zurich", "ZÜRICH", "zürich"] {
        assert_eq!(
            top3(&server, query),
            vec!["Bankers gather in Zürich"],
            "{query}"
        );
    }
    assert!(
        top3(&server, "HTML tags formatting")
            .contains(&"Markup: HTML Tags and Formatting".to_owned())
    );

    // Phrases keep their order; excluded words exclude.
    assert!(!found(&server, "\"process peace Berlin\"").contains(&LEAD.to_owned()));
    assert!(!found(&server, "ceasefire -Haftar").contains(&LEAD.to_owned()));
    // A withheld story and a WordPress draft are never found by readers.
    assert!(found(&server, "quinoa").is_empty());
    assert!(found(&server, "Confidential memo").is_empty());

    // Suggestions while typing match the last word as a prefix.
    assert!(found(&server, "Waffenru").contains(&"Waffenruhe in Libyen gebrochen".to_owned()));
}

#[test]
fn the_results_page_pages_filters_highlights_and_survives_hostile_queries() {
    let site = Site::new(UNLIMITED);
    corpus(&site);
    let server = site.serve();
    wait_for(
        &server,
        "quorvex",
        "Quorvex notes number 0",
        true,
        Duration::from_secs(30),
    );

    let (status, page) = http_get(&format!("{}/search?q=quorvex+minutes", server.url));
    assert_eq!(status, 200);
    assert!(page.contains("40 stories found."), "{page}");
    assert!(
        page.contains("<mark>minutes</mark>"),
        "snippets mark the matches"
    );
    assert!(
        page.contains("rel=\"next\""),
        "40 results are more than one page"
    );
    assert!(page.contains("<meta name=\"robots\" content=\"noindex, follow\">"));
    let (status, page4) = http_get(&format!("{}/search?q=quorvex+minutes&page=4", server.url));
    assert_eq!(status, 200);
    assert_eq!(page4.matches("<li>\n<h2>").count(), 10, "{page4}");
    assert!(!page4.contains("rel=\"next\""));
    let (status, _) = http_get(&format!("{}/search?q=quorvex&page=51", server.url));
    assert_eq!(
        status, 400,
        "deeper than the deepest page is refused by name"
    );

    // Filters by date range.
    let (_, ranged) = http_get(&format!(
        "{}/search?q=quorvex&from=2024-10-01&to=2024-10-02",
        server.url
    ));
    assert!(
        ranged.contains("4 stories found."),
        "days 1 and 2 of October (two each): {ranged}"
    );
    let (status, _) = http_get(&format!("{}/search?q=quorvex&from=yesterday", server.url));
    assert_eq!(status, 400);

    // The search box on every page, and the site's SearchAction on the front page.
    let (_, home) = http_get(&format!("{}/", server.url));
    assert!(home.contains("<form class=\"site-search\" role=\"search\" action=\"/search\""));
    assert!(home.contains("<label for=\"site-search-q\""));
    assert!(home.contains("\"SearchAction\"") && home.contains("/search?q={search_term_string}"));

    let long = "a".repeat(10_000);
    for query in [
        "%22",
        "(((",
        "AND+OR+NOT",
        "%00%07%1B",
        "%FF%FE",
        "-",
        "*",
        "title:x",
        &long,
    ] {
        let (status, body) = http_get(&format!("{}/search?q={query}", server.url));
        assert!(status == 200 || status == 400, "{query}: {status} {body}");
    }
    let (status, _, body) = http_exchange(
        "GET",
        &format!("{}/search?q={long}", server.url),
        "Accept: text/html\r\n",
        "",
    );
    assert_eq!(status, 400);
    assert!(body.contains("at most 500"), "the reason is given: {body}");
}

#[test]
fn the_index_follows_the_cli_at_once_and_reindex_switches_while_serving() {
    let site = Site::new(UNLIMITED);
    let items = tempfile::tempdir().unwrap();
    let first = Item::new("urn:test:search:live", "Harbour reopens after the storm")
        .body("<p>The harbour master praised the divers.</p>")
        .created("2024-06-01T10:00:00Z")
        .write(items.path(), "live");
    let server = site.serve();
    let headline = "Harbour reopens after the storm";
    let started = Instant::now();
    while answer(&server, "harbour").is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the new site's index is built"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(found(&server, "harbour").is_empty());

    assert!(site.import(&[&first]).2);
    let took = wait_for(
        &server,
        "harbour divers",
        headline,
        true,
        Duration::from_secs(1),
    );
    eprintln!("an imported story was found {took:?} after the import returned");

    // A correction changes what is found; taking it down removes it at once.
    let corrected = Item::new("urn:test:search:live", headline)
        .body("<p>The harbour master praised the lifeboat crew.</p>")
        .created("2024-06-01T10:00:00Z")
        .version(2)
        .write(items.path(), "live");
    assert!(site.import(&[&corrected]).2);
    wait_for(
        &server,
        "harbour divers",
        headline,
        false,
        Duration::from_secs(1),
    );
    wait_for(&server, "lifeboat", headline, true, Duration::from_secs(1));
    let canceled = Item::new("urn:test:search:live", headline)
        .set("pubstatus", serde_json::json!("canceled"))
        .created("2024-06-01T10:00:00Z")
        .version(3)
        .write(items.path(), "live");
    assert!(site.import(&[&canceled]).2);
    wait_for(&server, "lifeboat", headline, false, Duration::from_secs(1));

    // `byline reindex` builds a new folder while the server searches the old one.
    let second = Item::new("urn:test:search:second", "Lighthouse keeper retires")
        .created("2024-06-02T10:00:00Z")
        .write(items.path(), "second");
    assert!(site.import(&[&second]).2);
    wait_for(
        &server,
        "lighthouse",
        "Lighthouse keeper retires",
        true,
        Duration::from_secs(1),
    );
    let before = std::fs::read_to_string(site.data.join("search/CURRENT")).unwrap();
    let out = site.cli(&["reindex"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.starts_with("indexed 2 stories"), "{said}");
    let after = std::fs::read_to_string(site.data.join("search/CURRENT")).unwrap();
    assert_ne!(before, after);
    assert_eq!(
        found(&server, "lighthouse"),
        vec!["Lighthouse keeper retires"]
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while site.data.join("search").join(&before).exists() {
        assert!(
            Instant::now() < deadline,
            "the old index folder is removed once switched"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        found(&server, "lifeboat").is_empty(),
        "the rebuilt index keeps it unpublished"
    );
}

#[test]
fn an_old_or_broken_index_is_rebuilt_at_start() {
    let site = Site::new(UNLIMITED);
    let items = tempfile::tempdir().unwrap();
    let item = Item::new("urn:test:search:restart", "Orchestra tours the fjords")
        .created("2024-06-01T10:00:00Z")
        .write(items.path(), "restart");
    assert!(site.import(&[&item]).2);
    let server = site.serve();
    wait_for(
        &server,
        "orchestra",
        "Orchestra tours the fjords",
        true,
        Duration::from_secs(10),
    );
    drop(server);
    // Break the index in use: its metadata is not tantivy's any more.
    let current = std::fs::read_to_string(site.data.join("search/CURRENT")).unwrap();
    std::fs::write(
        site.data
            .join("search")
            .join(current.trim())
            .join("meta.json"),
        "{",
    )
    .unwrap();
    let server = site.serve();
    wait_for(
        &server,
        "fjords",
        "Orchestra tours the fjords",
        true,
        Duration::from_secs(10),
    );
}

#[test]
fn a_site_restored_from_an_archive_is_searchable() {
    let old = Site::new(UNLIMITED);
    let items = tempfile::tempdir().unwrap();
    let item = Item::new("urn:test:search:moved", "Archive moved to the new server")
        .created("2024-06-01T10:00:00Z")
        .write(items.path(), "moved");
    assert!(old.import(&[&item]).2);
    let archive = old.dir.path().join("site.byline.gz");
    let out = old.cli(&["export", &archive.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The new site served once (its empty index built at change 0), then restored.
    let new = Site::new(UNLIMITED);
    let empty = new.serve();
    let started = Instant::now();
    while answer(&empty, "anything").is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the empty index is built"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(empty);
    assert!(new.data.join("search/CURRENT").exists());
    let out = new.cli(&["import", "site", &archive.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = new.serve();
    wait_for(
        &server,
        "archive moved",
        "Archive moved to the new server",
        true,
        Duration::from_secs(10),
    );
}

#[test]
fn search_without_words_is_a_form_and_filters_are_checked() {
    let site = Site::new(UNLIMITED);
    let server = site.serve();
    let (status, page) = http_get(&format!("{}/search", server.url));
    assert_eq!(status, 200);
    assert!(page.contains("Search every story"));
    // One address may search so often a minute.
    let limited = Site::new("[search]\nrequests_per_minute = 3\n");
    let node = limited.serve();
    let statuses: Vec<u16> = (0..4)
        .map(|_| http_get(&format!("{}/search?q=harbour", node.url)).0)
        .collect();
    assert_eq!(&statuses[3..], [429], "{statuses:?}");
    let (status, _, body) = http_exchange(
        "GET",
        &format!("{}/search?q=x&section=Not%20A%20Slug", server.url),
        "Accept: text/html\r\n",
        "",
    );
    assert_eq!(status, 400);
    assert!(body.contains("section"), "{body}");
}
