//! The Ghost reader on real exports from `../shared/fixtures/ghost/` (0.x markdown, 2.x
//! mobiledoc, 5.x lexical with and without the `db` wrapper) and on small hand-written ones.

use super::*;
use crate::menus::MenuTarget;
use crate::ninjs::PubStatus;
use crate::values::time;
use byline_core::RawBody;
use serde_json::json;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../../shared/fixtures/ghost/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn posts(export: &GhostExport) -> Vec<&WireStory> {
    export
        .entries
        .iter()
        .filter_map(|e| match e {
            Entry::Post { story, .. } => story.as_ref().as_ref().ok(),
        })
        .collect()
}

fn html(story: &WireStory) -> &str {
    match &story.body {
        RawBody::Html(html) => html,
        _ => "",
    }
}

#[test]
fn a_ghost_0_x_export_with_markdown_and_numeric_ids() {
    let export = parse(&fixture("jekyll_ghost_importer/version-003.json"), None).unwrap();
    assert_eq!(export.version, "003");
    let posts = posts(&export);
    assert_eq!(posts.len(), 3);
    let welcome = posts
        .iter()
        .find(|p| p.slug.as_deref() == Some("welcome-to-ghost"))
        .unwrap();
    assert_eq!(welcome.headline.as_str(), "Welcome to Ghost");
    assert_eq!(html(welcome), "<p>You're live!</p>");
    assert_eq!(
        welcome.external_id,
        "ghost:ccb64228-dfbd-49e6-a02f-f4cf4651c4fd"
    );
    assert_eq!(
        welcome.first_created.unwrap().timestamp_millis(),
        1_424_346_554_966,
        "0.x writes milliseconds"
    );
    assert_eq!(welcome.language.as_deref(), Some("en-US"));
    assert_eq!(welcome.old_addresses, ["/welcome-to-ghost/"]);
    assert!(
        posts.iter().all(|p| p.byline.is_some()),
        "author_id names the author"
    );
}

#[test]
fn a_ghost_2_x_export_with_mobiledoc_authors_and_a_primary_tag() {
    let export = parse(&fixture("jekyll_ghost_importer/version-004.json"), None).unwrap();
    let post = posts(&export)[0];
    assert_eq!(post.byline.as_deref(), Some("DH"));
    assert_eq!(
        post.section.as_deref(),
        Some("The Maker's Guide to the Zombie Apocalypse")
    );
    assert!(
        post.standfirst
            .as_deref()
            .unwrap()
            .starts_with("The Maker's Guide")
    );
    assert!(html(post).contains("<a href=\"http://amzn.to/1spRqwW\">authored various books</a>"));
    assert_eq!(
        post.picture.as_ref().unwrap().href,
        RenditionHref::Remote(
            "https://d1a0j00khen1nw.cloudfront.net/2018/02/IMG_0695-1-.jpg".into()
        )
    );
    assert!(export.term_addresses.contains(&(
        "/author/daniel/".into(),
        TermKind::Author,
        "DH".into()
    )));
}

#[test]
fn a_lexical_export_with_and_without_the_db_wrapper() {
    let wrapped = parse(&fixture("tryghost-migrate/ghost.json"), None).unwrap();
    let posts = posts(&wrapped);
    assert_eq!(posts.len(), 3);
    let lexical = posts
        .iter()
        .find(|p| p.slug.as_deref() == Some("post-3-lexical"))
        .unwrap();
    assert!(
        html(lexical).contains("<img src=\"https://example.com/images/lexical-image.jpg\""),
        "{}",
        html(lexical)
    );
    let first = posts
        .iter()
        .find(|p| p.slug.as_deref() == Some("post-1"))
        .unwrap();
    assert_eq!(first.byline.as_deref(), Some("Alice Johnson"));
    assert_eq!(first.section.as_deref(), Some("News"));
    let flat = parse(&fixture("tryghost-migrate/ghost-flat.json"), None).unwrap();
    assert_eq!(flat.entries.len(), 1);
}

/// A hand-written Ghost 5 export: a page, a members-only post, a scheduled one, internal
/// tags, posts_meta, uploads under `--content`, a lexical body and a mobiledoc body.
fn ghost_5() -> String {
    let lexical = json!({"root": {"children": [
        {"type": "paragraph", "children": [{"type": "text", "text": "First paragraph."}]},
        {"type": "image", "src": "__GHOST_URL__/content/images/2024/05/inline.jpg", "caption": "Inline."},
        {"type": "toggle", "heading": "<span>More</span>", "content": "<p>Hidden text.</p>"}
    ]}});
    let mobiledoc = json!({"version": "0.3.1", "markups": [], "atoms": [], "cards": [],
        "sections": [[1, "p", [[0, [], 0, "Old editor text."]]]]});
    json!({"meta": {"version": "5.80.0"}, "data": {
        "posts": [
            {"id": "p1", "uuid": "u-1", "title": "Lexical post", "slug": "lexical-post", "type": "post",
             "status": "published", "visibility": "public", "lexical": lexical.to_string(), "html": null,
             "feature_image": "__GHOST_URL__/content/images/2024/05/lead%20photo.jpg",
             "published_at": "2024-05-01T10:00:00.000Z", "featured": true},
            {"id": "p2", "title": "Mobiledoc post", "slug": "mobiledoc-post", "type": "post",
             "status": "scheduled", "visibility": "public", "mobiledoc": mobiledoc.to_string(),
             "published_at": "2099-01-01T08:00:00.000Z"},
            {"id": "p3", "title": "Members only", "slug": "members-only", "status": "published",
             "visibility": "paid", "html": "<p>Paid.</p>"},
            {"id": "p4", "title": "About us", "slug": "about", "type": "page", "status": "published",
             "html": "<p>Us.</p>"},
            {"id": "p5", "title": "  ", "slug": "untitled", "status": "published", "html": "<p>x</p>"}
        ],
        "posts_meta": [{"post_id": "p1", "feature_image_alt": "The harbour", "feature_image_caption": "Photo: Ana Lima",
                        "meta_title": "Search title", "meta_description": "Search description"}],
        "tags": [{"id": "t1", "name": "#internal", "slug": "hash-internal", "visibility": "internal"},
                 {"id": "t2", "name": "Politics", "slug": "politics"},
                 {"id": "t3", "name": "Elections", "slug": "elections"}],
        "posts_tags": [{"post_id": "p1", "tag_id": "t1", "sort_order": 0},
                       {"post_id": "p1", "tag_id": "t3", "sort_order": 2},
                       {"post_id": "p1", "tag_id": "t2", "sort_order": 1}],
        "users": [{"id": "a1", "name": "Ana Lima", "slug": "ana"}, {"id": "a2", "name": "Bo Chen", "slug": "bo"},
                  {"id": "a3", "name": "Cy Dow", "slug": "cy"}],
        "posts_authors": [{"post_id": "p1", "author_id": "a2", "sort_order": 1},
                          {"post_id": "p1", "author_id": "a1", "sort_order": 0},
                          {"post_id": "p1", "author_id": "a3", "sort_order": 2}],
        "settings": [{"key": "locale", "value": "de"},
                     {"key": "navigation", "value": "[{\"label\":\"Home\",\"url\":\"__GHOST_URL__/\"},{\"label\":\"About\",\"url\":\"__GHOST_URL__/about/\"}]"},
                     {"key": "secondary_navigation", "value": "[{\"label\":\"Sign up\",\"url\":\"#/portal/\"}]"}]
    }})
    .to_string()
}

#[test]
fn a_ghost_5_export_reads_as_a_newsroom_expects() {
    let content = Path::new("/ghost/content/images");
    let export = parse(&ghost_5(), Some(content)).unwrap();
    let story = |slug: &str| {
        export.entries.iter().find_map(|e| match e {
            Entry::Post { story, .. } => story
                .as_ref()
                .as_ref()
                .ok()
                .filter(|s| s.slug.as_deref() == Some(slug)),
        })
    };
    let lexical = story("lexical-post").unwrap();
    assert_eq!(
        lexical.byline.as_deref(),
        Some("Ana Lima, Bo Chen and Cy Dow")
    );
    assert_eq!(
        lexical.section.as_deref(),
        Some("Politics"),
        "the first public tag"
    );
    assert_eq!(lexical.subjects, ["Elections"], "internal tags are dropped");
    assert_eq!(lexical.language.as_deref(), Some("de"));
    assert!(lexical.sticky);
    assert_eq!(lexical.seo.title.as_deref(), Some("Search title"));
    let picture = lexical.picture.as_ref().unwrap();
    assert_eq!(
        picture.href,
        RenditionHref::InFolder {
            folder: content.to_path_buf(),
            path: "2024/05/lead photo.jpg".into()
        }
    );
    assert_eq!(picture.caption.as_deref(), Some("Photo: Ana Lima"));
    assert_eq!(picture.alt.as_deref(), Some("The harbour"));
    let body = html(lexical);
    for part in [
        "<p>First paragraph.</p>",
        "<figcaption>Inline.</figcaption>",
        "<details><summary>More</summary><p>Hidden text.</p></details>",
    ] {
        assert!(body.contains(part), "{part}: {body}");
    }

    let scheduled = story("mobiledoc-post").unwrap();
    assert_eq!(html(scheduled), "<p>Old editor text.</p>");
    assert_eq!(scheduled.pub_status, PubStatus::Usable);
    assert_eq!(
        scheduled.embargoed,
        time("2099-01-01T08:00:00Z"),
        "scheduled: held until then"
    );

    let paid = story("members-only").unwrap();
    assert_eq!(
        paid.pub_status,
        PubStatus::Draft,
        "never published for free"
    );
    assert!(paid.warnings[0].contains("paid readers only"));

    type Items<'a> = Vec<(Option<&'a str>, &'a MenuTarget)>;
    let menus: Vec<(&str, Items)> = export
        .menus
        .iter()
        .map(|m| {
            let items = m
                .items
                .iter()
                .map(|i| (i.label.as_deref(), &i.target))
                .collect();
            (m.slug.as_str(), items)
        })
        .collect();
    assert_eq!(
        menus,
        [
            (
                "ghost-navigation",
                vec![
                    (Some("Home"), &MenuTarget::Url("/".into())),
                    (Some("About"), &MenuTarget::Url("/about/".into()))
                ]
            ),
            (
                "ghost-secondary-navigation",
                vec![(Some("Sign up"), &MenuTarget::Url("#/portal/".into()))]
            )
        ]
    );
    let about = story("about").unwrap();
    assert_eq!(
        about.page,
        Some(Default::default()),
        "a Ghost page is a page, at the top"
    );
    assert!(story("lexical-post").unwrap().page.is_none());
    assert!(export.entries.iter().any(|e| matches!(e, Entry::Post { story, .. } if story.as_ref().as_ref().is_err_and(|why| why.contains("no title")))));
    let addresses: Vec<&str> = export
        .term_addresses
        .iter()
        .map(|(a, _, _)| a.as_str())
        .collect();
    assert_eq!(
        addresses,
        [
            "/tag/politics/",
            "/tag/elections/",
            "/author/ana/",
            "/author/bo/",
            "/author/cy/"
        ]
    );
}

#[test]
fn what_is_no_ghost_export_is_named() {
    assert!(matches!(
        parse("{\"db\": [", None),
        Err(GhostError::Json { line: 1, .. })
    ));
    assert!(matches!(
        parse("{\"data\": {}}", None),
        Err(GhostError::NotGhost(_))
    ));
    assert!(matches!(parse("[]", None), Err(GhostError::NotGhost(_))));
    let bad_lexical =
        json!({"data": {"posts": [{"id": "1", "title": "T", "lexical": "{not json"}]}}).to_string();
    let export = parse(&bad_lexical, None).unwrap();
    assert!(
        matches!(&export.entries[0], Entry::Post { story, .. } if story.as_ref().as_ref().is_err_and(|why| why.contains("lexical is not JSON")))
    );
    let upload = json!({"data": {"posts": [{"id": "1", "title": "T", "html": "<p>x</p>", "feature_image": "/content/images/a.jpg"}]}}).to_string();
    let export = parse(&upload, None).unwrap();
    let story = posts(&export)[0];
    assert!(story.picture.is_none());
    assert!(
        story.warnings[0].contains("--content"),
        "{:?}",
        story.warnings
    );
}

#[test]
fn content_for_members_keeps_a_post_from_the_public_and_lost_cards_are_named() {
    let gated_html = "<p>Free.</p><!--kg-gated-block:begin nonMember:false memberSegment:\"status:-free\" --><p>Paid.</p><!--kg-gated-block:end-->";
    let hidden_card = json!({"root": {"children": [
        {"type": "paragraph", "children": [{"type": "text", "text": "Free."}]},
        {"type": "html", "html": "<p>Paid.</p>", "visibility": {"web": {"nonMember": false, "memberSegment": "status:-free"}}},
        {"type": "product", "productTitle": "A mug"}
    ]}});
    let huge_close = json!({"version": "0.3.1", "atoms": [["soft-return", "", {}]], "cards": [], "markups": [["em"], ["font"]],
        "sections": [[1, "p", [[0, [0, 1], 1, "a"], [1, [], 0, 0], [0, [], 1, "b"], [0, [], 18446744073709551615u64, "c"]]]]});
    let export = json!({"data": {"posts": [
        {"id": "1", "title": "Gated html", "slug": "gated-html", "status": "published", "html": gated_html},
        {"id": "2", "title": "Gated card", "slug": "gated-card", "status": "published", "lexical": hidden_card.to_string()},
        {"id": "3", "title": "Hostile counts", "slug": "hostile", "status": "published", "mobiledoc": huge_close.to_string()},
        {"id": "4", "title": "No time", "slug": "no-time", "status": "scheduled", "html": "<p>x</p>",
         "feature_image": "https://example.com/a.jpg"}
    ], "posts_meta": [{"post_id": "4", "feature_image_caption": "Photo by <a href=\"https://unsplash.com\">Unsplash</a> &amp; co"}]}});
    let export = parse(&export.to_string(), None).unwrap();
    let posts = posts(&export);
    assert_eq!(
        posts[0].pub_status,
        PubStatus::Draft,
        "{:?}",
        posts[0].warnings
    );
    assert!(posts[0].warnings[0].contains("for members only"));
    assert_eq!(posts[1].pub_status, PubStatus::Draft);
    assert!(!html(posts[1]).contains("Paid."));
    assert!(
        posts[1]
            .warnings
            .iter()
            .any(|w| w == "cards left out: product"),
        "{:?}",
        posts[1].warnings
    );
    assert_eq!(
        html(posts[2]),
        "<p><em>a<br>b</em>c</p>",
        "a skipped markup still counts; a soft return breaks the line"
    );
    assert_eq!(posts[3].pub_status, PubStatus::Draft);
    assert_eq!(
        posts[3].picture.as_ref().unwrap().caption.as_deref(),
        Some("Photo by Unsplash & co")
    );
}
