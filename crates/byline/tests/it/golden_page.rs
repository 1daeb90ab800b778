//! The golden page end to end: the seed's items imported with the CLI, served, read by w3m.

use std::path::Path;
use std::process::Command;

use crate::support::{ADS_CONFIG, Item, Server, Site, http_get, shared};

const LEAD_HEADLINE: &str = "Libya’s warlord Haftar rejects call for ceasefire";

fn seed_items(dir: &Path, shift_days: Option<i64>) {
    let mut command = Command::new("python3");
    command.arg(shared().join("seed/seed_to_ninjs.py")).arg(dir);
    if let Some(days) = shift_days {
        command.args(["--shift-days", &days.to_string()]);
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Finds a story's URL the way a reader would: on the front page, then through the pages of
/// all stories.
fn find_story_url(server: &Server, headline: &str) -> String {
    let link_to = |html: &str| {
        html.split("<a href=\"").skip(1).find_map(|rest| {
            let (href, after) = rest.split_once('"')?;
            let text = after.strip_prefix('>')?.split_once("</a>")?.0;
            (text == headline && href.starts_with("/story/")).then(|| href.to_owned())
        })
    };
    let (status, home) = http_get(&format!("{}/", server.url));
    assert_eq!(status, 200);
    if let Some(href) = link_to(&home) {
        return format!("{}{href}", server.url);
    }
    for page in 1..=50 {
        let (status, html) = http_get(&format!("{}/latest?page={page}", server.url));
        assert_eq!(status, 200, "ran out of pages looking for {headline:?}");
        if let Some(href) = link_to(&html) {
            return format!("{}{href}", server.url);
        }
    }
    panic!("{headline:?} is not linked from the site");
}

/// `fetch` again until `ready` holds, for at most 3 s (a change made by another process is
/// followed within a second); returns the last result, for the assertions to judge.
fn eventually(fetch: impl Fn() -> String, ready: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let text = fetch();
        if ready(&text) || std::time::Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The numbered card titles w3m prints between two headings.
fn rail_titles(dump: &str, heading: &str, next_heading: &str) -> Vec<String> {
    let lines: Vec<&str> = dump.lines().map(str::trim).collect();
    let start = lines
        .iter()
        .position(|l| *l == heading)
        .expect("rail heading")
        + 1;
    let end = start
        + lines[start..]
            .iter()
            .position(|l| *l == next_heading)
            .unwrap_or_else(|| panic!("next heading {next_heading:?} in {dump}"));
    lines[start..end]
        .iter()
        .filter_map(|l| {
            l.split_once(". ")
                .filter(|(n, _)| n.parse::<u32>().is_ok())
                .map(|(_, t)| t.to_owned())
        })
        .collect()
}

/// Every placement filled: the slots in the body and beside it keep the seed's order.
const ALL_PLACEMENTS: &str = r#"
[ads.sidebar]
html = '<a href="/newsletter">House ad</a>'
width = 300
height = 250

[ads.in_article]
html = '<a href="/latest">More news</a>'
height = 250
after_paragraph = 3
"#;

#[test]
fn the_article_page_carries_every_block_of_the_seed() {
    let site = Site::new(&format!("{ADS_CONFIG}{ALL_PLACEMENTS}"));
    let items = site.dir.path().join("items");
    seed_items(&items, None);
    let (out, err, ok) = site.import(&[&items]);
    assert!(ok, "{out}\n{err}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("created ")).count(),
        13,
        "{out}"
    );
    let server = site.serve();
    let url = find_story_url(&server, LEAD_HEADLINE);
    let dump = w3m_dump(&url);
    let (figure, _) = seed_match(&dump);
    assert_eq!(
        figure, "matched 44/44 seed lines",
        "the page as w3m reads it:\n{dump}"
    );
    assert!(
        dump.contains("More news") && dump.contains("House ad"),
        "all four slots drawn:\n{dump}"
    );
    assert!(server.stop().success(), "SIGTERM stops the server cleanly");
}

/// A house theme written from scratch: its own page shell and article template, using only
/// the article page's view model (no default macro or stylesheet).
const HOUSE_BASE: &str = r#"<!DOCTYPE html>
<html lang="{{ page_language | default(site.language) }}">
<head><meta charset="utf-8"><title>{{ page.title }}</title><link rel="stylesheet" href="{{ site.css_url }}"></head>
<body><header><a href="/">{{ site.title }}</a></header>
<main>{% block main %}{% endblock %}</main>
</body>
</html>
"#;

const HOUSE_ARTICLE: &str = r#"{% extends "base.html" %}
{% macro slot(ad) %}{% if ad %}<aside aria-label="{{ ad.name }}"><p>{{ ad.label }}</p><div>{{ ad.html | safe }}</div></aside>{% endif %}{% endmacro %}
{% macro cards(list) %}{% for c in list %}<div class="teaser"><h3><a href="{{ c.url }}">{{ c.title }}</a></h3><p>{{ c.excerpt }}</p></div>{% endfor %}{% endmacro %}
{% block main %}
<article>
<h1>{{ article.headline }}</h1>
{% if article.picture %}<figure><img src="{{ article.picture.url }}" alt="{{ article.picture.alt }}"><figcaption><p>{{ article.picture.credit }}</p><p>{{ article.picture.caption }}</p></figcaption></figure>{% endif %}
{{ slot(ads.article_top) }}
{{ article.body | safe }}
{{ slot(ads.article_bottom) }}
</article>
<h2>Subscribe to our newsletter</h2>
<form method="post" action="{{ newsletter.action }}"><label>Email address <input type="email" name="email"></label></form>
<h2>Latest</h2>{{ cards(rails.latest) }}
<h2>Don't miss</h2>{{ cards(rails.dont_miss) }}
{{ cards(rails.more) }}
{% endblock %}
"#;

#[test]
fn a_minimal_house_theme_still_serves_the_golden_page() {
    let site = Site::new(&format!("{ADS_CONFIG}\n[theme]\npath = \"house\"\n"));
    let theme = site.dir.path().join("house");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    std::fs::create_dir_all(theme.join("static")).unwrap();
    std::fs::write(theme.join("templates/base.html"), HOUSE_BASE).unwrap();
    std::fs::write(theme.join("templates/article.html"), HOUSE_ARTICLE).unwrap();
    std::fs::write(
        theme.join("static/site.css"),
        "body { font: 18px/1.5 serif; }",
    )
    .unwrap();
    let items = site.dir.path().join("items");
    seed_items(&items, None);
    assert!(site.import(&[&items]).2);
    let server = site.serve();
    let url = find_story_url(&server, LEAD_HEADLINE);
    let (status, html) = http_get(&url);
    assert_eq!(status, 200);
    assert!(
        html.contains("<div class=\"teaser\">") && !html.contains("class=\"article-body\""),
        "the house templates drew the page"
    );
    assert!(
        html.contains("navigational-prefetch"),
        "the server adds the view beacon to a theme's own article"
    );
    let dump = w3m_dump(&url);
    assert_eq!(
        seed_match(&dump).0,
        "matched 44/44 seed lines",
        "the page as w3m reads it:\n{dump}"
    );
}

/// The seed's site without ads, served in process, and the address of its lead article.
async fn seed_app() -> (Site, byline::router::App, String) {
    let site = Site::new("");
    let items = site.dir.path().join("items");
    seed_items(&items, None);
    assert!(site.import(&[&items]).2);
    let app = site.app().await;
    let (_, _, latest) = crate::support::get(&app, "/latest").await;
    let path = latest
        .split("href=\"")
        .filter_map(|rest| rest.split_once('"'))
        .find(|(href, rest)| {
            href.starts_with("/story/")
                && rest
                    .split_once("</a>")
                    .is_some_and(|(a, _)| a.contains(LEAD_HEADLINE))
        })
        .map(|(href, _)| href.to_owned())
        .expect("the lead is listed");
    (site, app, path)
}

/// The seed's article without ads: at most 12 KiB over the wire, HTML, stylesheet and script
/// in one Brotli response.
#[tokio::test]
async fn the_seed_article_travels_in_twelve_kib() {
    let (_site, app, path) = seed_app().await;
    let asked = axum::http::Request::get(&path).header("accept-encoding", "br, gzip");
    let (status, headers, body) = crate::support::send_built(&app, asked, None).await;
    assert_eq!(
        (
            status.as_u16(),
            headers["content-encoding"].to_str().unwrap()
        ),
        (200, "br")
    );
    assert!(body.len() <= 12 * 1024, "{} bytes", body.len());
    let mut html = String::new();
    std::io::Read::read_to_string(&mut brotli::Decompressor::new(&body[..], 4096), &mut html)
        .unwrap();
    assert!(
        !html.contains("rel=\"stylesheet\"") && !html.contains("<script src"),
        "nothing else to fetch before the page shows"
    );
}

/// Pages name the speculation rules, which prefetch this site's story links on hover or
/// touch (never a `nofollow` one); the article ends with the beacon that counts a view shown
/// from a prefetch.
#[tokio::test]
async fn story_links_are_prefetched_and_their_views_still_counted() {
    let (_site, app, path) = seed_app().await;
    for page in ["/", "/latest", path.as_str()] {
        let (_, headers, _) = crate::support::get(&app, page).await;
        assert_eq!(
            headers["speculation-rules"], "\"/speculation-rules.json\"",
            "{page}"
        );
    }
    let (_, _, html) = crate::support::get(&app, &path).await;
    let beacon = html
        .rfind("navigational-prefetch")
        .expect("the view beacon");
    assert!(
        beacon > html.rfind("</footer>").unwrap(),
        "at the end of the page"
    );
    let (status, headers, rules) = crate::support::get_bytes(&app, "/speculation-rules.json").await;
    assert_eq!(
        (status.as_u16(), headers["content-type"].to_str().unwrap()),
        (200, "application/speculationrules+json")
    );
    let rules: serde_json::Value = serde_json::from_slice(&rules).unwrap();
    assert_eq!(
        rules,
        serde_json::json!({"prefetch": [{
            "source": "document",
            "where": {"and": [
                {"href_matches": "/story/*"},
                {"not": {"selector_matches": "[rel~=nofollow]"}},
            ]},
            "eagerness": "moderate",
        }]})
    );
    let (_, headers, _) = crate::support::get(&app, "/admin/login").await;
    assert!(
        !headers.contains_key("speculation-rules"),
        "not the admin's"
    );
}

#[test]
fn the_rails_follow_the_content_not_the_seed() {
    let site = Site::new(ADS_CONFIG);
    let items = site.dir.path().join("items");
    seed_items(&items, Some(300));
    assert!(site.import(&[&items]).2);
    let server = site.serve();
    let url = find_story_url(&server, LEAD_HEADLINE);
    assert_eq!(
        seed_match(&w3m_dump(&url)).0,
        "matched 44/44 seed lines",
        "shifted dates keep the order"
    );

    // A story published afterwards, imported while the server runs, leads every rail at once.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let fresh = Item::new("urn:test:fresh", "Harbour bridge reopens after repairs")
        .created(&now)
        .body("<p>The bridge reopened to traffic on Monday morning after six weeks of repairs to its deck.</p>")
        .write(&site.dir.path().join("fresh"), "fresh");
    let (out, _, ok) = site.import(&[&fresh]);
    assert!(ok && out.starts_with("created "), "{out}");
    // The server follows writes by other processes within a second.
    let dump = eventually(
        || w3m_dump(&url),
        |d| {
            rail_titles(d, "Latest", "Don't miss")
                .first()
                .map(String::as_str)
                == Some("Harbour bridge reopens after repairs")
        },
    );
    assert_eq!(
        rail_titles(&dump, "Latest", "Don't miss"),
        [
            "Harbour bridge reopens after repairs",
            "COP29: Multilateral diplomatic stalemate circumvented",
            "An Italian parliamentarian’s perspectives on COP29"
        ]
    );
    assert!(
        dump.contains("The bridge reopened to traffic on Monday morning after..."),
        "9-word excerpt"
    );
    assert_ne!(
        seed_match(&dump).0,
        "matched 44/44 seed lines",
        "the rails no longer repeat the seed"
    );

    // The editor's picks replace the newest in "Don't miss", in the editor's order.
    let picks = site.cli(&[
        "picks",
        "/story/the-complex-politics-of-caspian-gas",
        "starvation-in-sudan",
    ]);
    assert!(
        picks.status.success(),
        "{}",
        String::from_utf8_lossy(&picks.stderr)
    );
    let dump = eventually(
        || w3m_dump(&url),
        |d| {
            rail_titles(d, "Don't miss", "More stories")
                .first()
                .map(String::as_str)
                == Some("The complex politics of Caspian gas")
        },
    );
    let dont_miss = rail_titles(&dump, "Don't miss", "More stories");
    assert_eq!(
        dont_miss,
        ["The complex politics of Caspian gas", "Starvation in Sudan"]
    );
    let more = rail_titles(
        &dump,
        "More stories",
        "The Test Review · All stories · Archive · RSS",
    );
    assert_eq!(more.len(), 8);
    assert!(
        !more
            .iter()
            .any(|t| t == "Starvation in Sudan" || t == "The complex politics of Caspian gas")
    );
}

/// `w3m -dump -cols 2000 -O UTF-8 URL`: the page as a text browser reads it.
fn w3m_dump(url: &str) -> String {
    let out = Command::new("w3m")
        .args(["-dump", "-cols", "2000", "-O", "UTF-8", url])
        .output()
        .expect("w3m is installed");
    assert!(
        out.status.success(),
        "w3m failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `seed_match.py` on a dump; returns its last line and whether it matched all.
fn seed_match(dump: &str) -> (String, bool) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), dump).unwrap();
    let out = Command::new("python3")
        .arg(shared().join("seed/seed_match.py"))
        .arg(file.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    (
        text.lines().last().unwrap_or_default().to_owned(),
        out.status.success(),
    )
}
