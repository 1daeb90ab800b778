//! `byline import ninjs`: IPTC's examples, updates in place, wire statuses, hostile input.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{Item, Site, get, get_bytes, shared};

/// The story path a `created`/`updated` line reports.
fn story_path(line: &str) -> &str {
    line.split_whitespace().nth(2).unwrap()
}

#[tokio::test]
async fn iptc_and_superdesk_examples_import_and_the_invalid_one_is_named() {
    let site = Site::new("");
    let fixtures = shared().join("fixtures/ninjs");
    let (out, err, ok) = site.import(&[
        &fixtures.join("iptc-examples"),
        &fixtures.join("superdesk-core"),
    ]);
    assert!(!ok, "invalid items make the exit status a failure");
    let refused: BTreeSet<String> = out
        .lines()
        .filter(|l| l.starts_with("skipped "))
        .map(|l| {
            let file = l.split_whitespace().nth(1).unwrap();
            file.strip_prefix(&format!("{}/", fixtures.display()))
                .unwrap()
                .to_owned()
        })
        .collect();
    // The one invalid example, two schema-only fragments without a headline in three ninjs
    // versions, and a JSON schema that is not an item at all.
    let expected: BTreeSet<String> = [
        "iptc-examples/not-valid/008_extension.json",
        "iptc-examples/1.6/002_renditions_example.json",
        "iptc-examples/2.2/002_renditions_example.json",
        "iptc-examples/3.1/002_renditions_example.json",
        "iptc-examples/2.1/schema-extension/extension-schema.json",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(refused, expected, "{out}");
    let not_valid = out
        .lines()
        .find(|l| l.contains("not-valid/008_extension.json"))
        .unwrap();
    assert!(
        not_valid.ends_with("item has no headline (headline, headlines, title)"),
        "{not_valid}"
    );
    assert!(
        err.contains("69 files: 30 created, 13 updated, 21 unchanged, 0 skipped, 5 not valid"),
        "{err}"
    );

    // Every imported story is served, except the Superdesk item still under embargo.
    let app = site.app().await;
    let paths: BTreeSet<&str> = out
        .lines()
        // Items with no text (events, planning items) are imported as drafts, not served.
        .filter(|l| !l.starts_with("skipped ") && !l.ends_with("(a draft)"))
        .map(story_path)
        .collect();
    for path in paths {
        let (status, _, html) = get(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {html}");
    }
}

#[tokio::test]
async fn reimporting_updates_in_place_and_older_versions_are_skipped() {
    let site = Site::new("");
    let dir = site.dir.path().join("items");
    let v2 = Item::new("urn:test:story", "First headline")
        .version(2)
        .created("2024-05-01T10:00:00Z");
    let (out, _, ok) = site.import(&[&v2.write(&dir, "v2")]);
    assert!(ok);
    assert_eq!(out.trim(), "created  urn:test:story /story/first-headline");

    let v3 = Item::new("urn:test:story", "Corrected headline")
        .version(3)
        .created("2024-05-01T10:00:00Z");
    let (out, _, _) = site.import(&[&v3.write(&dir, "v3")]);
    assert_eq!(
        out.trim(),
        "updated  urn:test:story /story/first-headline",
        "a published slug is stable"
    );

    let v1 = Item::new("urn:test:story", "Stale headline").version(1);
    let (out, _, ok) = site.import(&[&v1.write(&dir, "v1")]);
    assert!(ok, "an older version is a note, not a failure");
    assert_eq!(
        out.trim(),
        "skipped  urn:test:story version 1 is older than the stored version 3 of /story/first-headline"
    );

    let app = site.app().await;
    let (_, _, html) = get(&app, "/story/first-headline").await;
    assert!(html.contains("<h1>Corrected headline</h1>"));
    let (_, _, latest) = get(&app, "/latest").await;
    assert_eq!(
        latest.matches("href=\"/story/").count(),
        1,
        "one story, never duplicated"
    );
}

#[tokio::test]
async fn canceled_items_unpublish_and_embargoed_items_wait() {
    let site = Site::new("");
    let dir = site.dir.path().join("items");
    let live = Item::new("urn:test:kill", "Story to be killed")
        .version(1)
        .created("2024-01-01T00:00:00Z");
    site.import(&[&live.write(&dir, "live")]);
    let app = site.app().await;
    assert_eq!(
        get(&app, "/story/story-to-be-killed").await.0,
        StatusCode::OK
    );

    let kill = Item::new("urn:test:kill", "Story to be killed")
        .version(2)
        .set("pubstatus", json!("canceled"));
    let (out, _, _) = site.import(&[&kill.write(&dir, "kill")]);
    assert_eq!(
        out.trim(),
        "updated  urn:test:kill /story/story-to-be-killed (unpublished: the item is canceled)"
    );
    assert_eq!(
        get(&app, "/story/story-to-be-killed").await.0,
        StatusCode::NOT_FOUND
    );

    let embargoed = Item::new("urn:test:embargo", "Budget details under embargo")
        .created("2024-01-02T00:00:00Z")
        .set("embargoed", json!("2099-01-01T06:00:00Z"));
    let (out, _, ok) = site.import(&[&embargoed.write(&dir, "embargo")]);
    assert!(ok);
    assert!(
        out.contains("(scheduled: embargoed until 2099-01-01T06:00:00+00:00)"),
        "{out}"
    );
    assert_eq!(
        get(&app, "/story/budget-details-under-embargo").await.0,
        StatusCode::NOT_FOUND
    );
    let (_, _, latest) = get(&app, "/latest").await;
    assert!(!latest.contains("Budget details"), "not listed either");
}

#[tokio::test]
async fn hostile_html_is_removed_before_storage() {
    let site = Site::new("");
    let dir = site.dir.path().join("items");
    let item = Item::new("urn:test:xss", "Hostile body").body(
        r#"<p onmouseover="steal()">Kept text</p><script>alert('x')</script><img src="x.jpg" onerror="steal()"><a href="javascript:steal()">link</a><iframe src="https://evil.example/"></iframe>"#,
    );
    site.import(&[&item.write(&dir, "xss")]);
    let (_, _, html) = get(&site.app().await, "/story/hostile-body").await;
    let body = html
        .split("<div class=\"article-body\">")
        .nth(1)
        .unwrap()
        .split("</div>")
        .next()
        .unwrap();
    for bad in [
        "steal",
        "alert",
        "<script",
        "javascript:",
        "iframe",
        "onmouseover",
        "onerror",
    ] {
        assert!(!body.contains(bad), "{bad} survived: {body}");
    }
    assert!(body.contains("<p>Kept text</p>"));
    // The link lost its `javascript:` address, and with it its `rel`: it is no link now.
    assert!(body.contains("<a>link</a>"), "{body}");
}

#[tokio::test]
async fn bad_files_are_named_and_the_rest_of_the_batch_imports() {
    let site = Site::new("");
    let dir = site.dir.path().join("batch");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("a-broken.json"),
        "{\n  \"uri\": \"urn:x\",\n  nope\n}",
    )
    .unwrap();
    std::fs::write(dir.join("b-number.json"), "42").unwrap();
    let array = json!([
        {"uri": "urn:test:ok-1", "headline": "First good item"},
        {"uri": "urn:test:no-headline", "body_text": "A body but no headline"},
        {"uri": "urn:test:ok-2", "headline": "Second good item", "body_text": "Line one\nLine two"},
    ]);
    std::fs::write(dir.join("c-array.json"), array.to_string()).unwrap();
    std::fs::write(dir.join("ignored.txt"), "not json, not looked at").unwrap();
    let (out, err, ok) = site.import(&[&dir]);
    assert!(!ok);
    let lines: Vec<&str> = out.lines().collect();
    let broken = format!(
        "skipped  {}/a-broken.json not JSON: key must be a string at line 3, column 3",
        dir.display()
    );
    assert_eq!(lines[0], broken);
    assert_eq!(
        lines[1],
        format!(
            "skipped  {}/b-number.json not a ninjs item: the file holds a JSON number, not an object or array",
            dir.display()
        )
    );
    // An item with a headline but no body is kept, as a draft, and said so.
    assert_eq!(
        lines[2],
        "created  urn:test:ok-1 /story/first-good-item (a draft)"
    );
    assert!(
        err.contains(&format!(
            "warning: {}/c-array.json#1 (urn:test:ok-1): the item has no body: imported as a draft",
            dir.display()
        )),
        "{err}"
    );
    assert_eq!(
        lines[3],
        format!(
            "skipped  {}/c-array.json#2 item has no headline (headline, headlines, title)",
            dir.display()
        )
    );
    assert_eq!(lines[4], "created  urn:test:ok-2 /story/second-good-item");
    assert_eq!(lines.len(), 5);
    let (_, _, html) = get(&site.app().await, "/story/second-good-item").await;
    assert!(
        html.contains("<p>Line one</p><p>Line two</p>"),
        "plain text becomes paragraphs"
    );
}

#[tokio::test]
async fn lead_pictures_are_copied_checked_and_served() {
    let site = Site::new("");
    let dir = site.dir.path().join("items");
    std::fs::create_dir_all(&dir).unwrap();
    let photo = std::fs::read(shared().join("seed/lead-photo.jpg")).unwrap();
    std::fs::write(dir.join("photo.jpg"), &photo).unwrap();
    std::fs::write(dir.join("fake.jpg"), "this is text, not a JPEG").unwrap();
    let good = Item::new("urn:test:pic", "Story with a photo").picture(
        "photo.jpg",
        "EPA/TEST PHOTOGRAPHER",
        "A caption.",
    );
    let fake = Item::new("urn:test:fake", "Story with a fake photo").picture("fake.jpg", "X", "Y");
    let missing =
        Item::new("urn:test:gone", "Story with a missing photo").picture("gone.jpg", "X", "Y");
    let escape = Item::new("urn:test:escape", "Story pointing outside").picture(
        "../../byline.toml",
        "X",
        "Y",
    );
    let paths: Vec<_> = [
        (&good, "good"),
        (&fake, "fake"),
        (&missing, "missing"),
        (&escape, "escape"),
    ]
    .iter()
    .map(|(item, name)| item.write(&dir, name))
    .collect();
    let (out, err, ok) = site.import(&paths.iter().map(|p| p.as_path()).collect::<Vec<_>>());
    assert!(ok, "a picture that cannot be read is a warning: {out}{err}");
    assert_eq!(out.lines().filter(|l| l.starts_with("created ")).count(), 4);
    assert!(
        err.contains("fake.json (urn:test:fake): lead picture not imported:")
            && err.contains("not a JPEG, PNG, GIF or WebP picture"),
        "{err}"
    );
    assert!(
        err.contains("missing.json (urn:test:gone): lead picture not imported:")
            && err.contains("gone.jpg"),
        "{err}"
    );
    assert!(
        err.contains("\"../../byline.toml\" points outside the item's folder"),
        "{err}"
    );

    let app = site.app().await;
    let (_, _, html) = get(&app, "/story/story-with-a-photo").await;
    let src = html
        .split("<img src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(src.starts_with("/media/") && src.ends_with(".jpg"), "{src}");
    assert!(
        html.contains(r#"width="1200" height="675""#),
        "dimensions read from the file"
    );
    assert!(html.contains("<p class=\"credit\">EPA/TEST PHOTOGRAPHER</p>"));
    assert!(
        !html.contains("loading=\"lazy\""),
        "the lead photo is not lazy-loaded"
    );
    let (status, headers, bytes) = get_bytes(&app, &src).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // The page shows a rendition of the photo's own width (the original is kept, not shown),
    // with the narrower ones in its srcset.
    let (_, shown) = byline_media::decode::decode(&bytes).unwrap();
    assert_eq!((shown.width, shown.height), (1200, 675));
    assert!(src.ends_with("-w1200.jpg"), "{src}");
    for width in [320, 640, 960] {
        let narrower = src.replace("-w1200.jpg", &format!("-w{width}.jpg"));
        assert!(html.contains(&format!("{narrower} {width}w")), "{html}");
        let (status, _, bytes) = get_bytes(&app, &narrower).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(byline_media::decode::decode(&bytes).unwrap().1.width, width);
    }
    let original = src.replace("-w1200.jpg", ".jpg");
    // The original is kept, byte for byte, but never served: it may carry camera and GPS data.
    assert_eq!(get_bytes(&app, &original).await.0, StatusCode::NOT_FOUND);
    let stored = site
        .data
        .join("media")
        .join(original.trim_start_matches("/media/"));
    assert_eq!(
        std::fs::read(stored).unwrap(),
        photo,
        "the original is kept"
    );
    let (_, _, without) = get(&app, "/story/story-with-a-fake-photo").await;
    assert!(
        !without.contains("<figure"),
        "the story is imported without the picture"
    );
}
