//! `byline import wordpress`: real exports through the real CLI, featured images copied from
//! an uploads folder with credits from the item else from the file, re-imports in place,
//! broken exports refused with their line and nothing written.

use crate::support::{Site, get, shared};

/// Runs `byline import wordpress ARGS`: its output, errors and whether it succeeded.
pub fn wordpress(site: &Site, args: &[&str]) -> (String, String, bool) {
    let mut all = vec!["import", "wordpress"];
    all.extend_from_slice(args);
    let out = site.cli(&all);
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.success(),
    )
}

fn wxr(path: &str) -> String {
    shared()
        .join("fixtures/wxr")
        .join(path)
        .display()
        .to_string()
}

#[tokio::test]
async fn featured_images_come_from_the_uploads_folder_with_credits_from_item_or_file() {
    let site = Site::new("");
    let uploads = tempfile::tempdir().unwrap();
    let june = uploads.path().join("2013/06");
    std::fs::create_dir_all(&june).unwrap();
    let photos = shared().join("fixtures/photos");
    std::fs::copy(
        photos.join("superdesk-core/IPTC-PhotometadataRef-Std2017.1.jpg"),
        june.join("described-image.jpg"),
    )
    .unwrap();
    std::fs::copy(
        photos.join("exiftool/XMP.jpg"),
        june.join("title-only-image.jpg"),
    )
    .unwrap();
    let export = wxr("tryghost-migrate/feature-image-captions.xml");
    let folder = uploads.path().display().to_string();
    let (out, err, ok) = wordpress(&site, &["--uploads", &folder, &export]);
    assert!(ok, "{out}{err}");
    assert!(
        err.contains("1 files: 3 created, 0 updated, 0 unchanged, 0 skipped, 0 not valid"),
        "{err}"
    );
    let app = site.app().await;

    // The item's caption wins; the credit, which the item lacks, is the file's: its creator
    // from EXIF's Artist, which the MWG guidelines (and `exiftool -use MWG`) read before XMP's
    // two creators.
    let (status, _, page) = get(&app, "/story/post-with-described-image").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"<p class="credit">Credit Line (ref2017.1)/Creator1 (ref2017.1)</p>"#),
        "{page}"
    );
    assert!(
        page.contains("The caption from the attachment description."),
        "{page}"
    );
    assert!(
        !page.contains("aka caption"),
        "the file's caption gives way: {page}"
    );
    // An attachment with nothing but a title takes both from the file.
    let (_, _, page) = get(&app, "/story/post-with-title-only-image").await;
    assert!(
        page.contains(r#"<p class="credit">My Credit/Phil Harvey</p>"#),
        "{page}"
    );
    // The caption is EXIF's, which the MWG guidelines read before XMP's.
    assert!(page.contains("A witty caption"), "{page}");
    assert!(
        page.contains("/media/") && !page.contains("example.com/wp-content"),
        "copied: {page}"
    );
    let (_, _, page) = get(&app, "/story/post-without-featured-image").await;
    assert!(!page.contains("class=\"lead-photo\""), "{page}");

    // Importing the same export again finds the same stories, unchanged.
    let (_, err, ok) = wordpress(&site, &["--uploads", &folder, &export]);
    assert!(
        ok && err.contains("0 created, 0 updated, 3 unchanged"),
        "{err}"
    );
}

#[tokio::test]
async fn a_news_archive_keeps_sections_tags_authors_and_its_pages_apart() {
    let site = Site::new("");
    let (out, err, ok) = wordpress(&site, &[&wxr("superdesk-core/wordpress_wxr.xml")]);
    assert!(ok, "{out}{err}");
    let app = site.app().await;
    let (status, _, page) = get(
        &app,
        "/story/starafrica-to-dispose-assets-for-6-million-to-clear-debt",
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert!(page.contains(r#"href="/section/business""#), "{page}");
    assert!(page.contains(r#"href="/tag/companies""#), "{page}");
    assert!(page.contains("2013-07-29T16:03:54Z"), "{page}");
    // Drafts are imported as drafts: not on the site.
    let draft = out
        .lines()
        .find(|l| l.ends_with("(a draft)"))
        .expect("the export has drafts");
    let path = draft.split_whitespace().nth(2).unwrap();
    assert_eq!(get(&app, path).await.0, 404, "{draft}");

    let (out, _, ok) = wordpress(&site, &[&wxr("tryghost-migrate/multiple/pages-only.xml")]);
    assert!(ok);
    assert!(
        out.contains(" /services\n"),
        "a page, at the site root: {out}"
    );
    let app = site.app().await;
    assert_eq!(get(&app, "/services").await.0, 200);
    let (_, _, latest) = get(&app, "/latest").await;
    assert!(!latest.contains("/services"), "no listing shows a page");
}

#[tokio::test]
async fn broken_exports_are_refused_naming_file_and_line_and_write_nothing() {
    let site = Site::new("");
    for (fixture, line, what) in [
        (
            "wordpress-importer/phpunit_data/malformed-simple.xml",
            14,
            "the file ends inside <item>",
        ),
        (
            "wordpress-importer/phpunit_data/malformed.xml",
            90,
            "expected `</notachanneltag>`",
        ),
        ("tryghost-migrate/sample.xml", 109, "not closed"),
    ] {
        let path = wxr(fixture);
        let (out, err, ok) = wordpress(&site, &[&path]);
        assert!(!ok, "{fixture}");
        assert!(
            out.contains(&format!("{path} not well-formed XML at line {line}"))
                && out.contains(what),
            "{fixture}: {out}"
        );
        assert!(
            err.contains("0 created, 0 updated, 0 unchanged, 0 skipped, 1 not valid"),
            "{err}"
        );
    }
    let (out, err, ok) = wordpress(
        &site,
        &[
            "--uploads",
            "/no/such/folder",
            &wxr("tryghost-migrate/sample-with-alt.xml"),
        ],
    );
    assert!(
        !ok && err.contains("--uploads /no/such/folder: not a folder"),
        "{out}{err}"
    );
    let app = site.app().await;
    let (_, _, latest) = get(&app, "/latest").await;
    assert!(
        !latest.contains("href=\"/story/"),
        "nothing was imported: {latest}"
    );
}

/// Every known service's post or video, as a bare URL on its own line or in `[embed]`,
/// becomes a link card that loads nothing from the service until the reader follows it.
#[tokio::test]
async fn known_embeds_become_link_cards_that_load_nothing() {
    let lines = [
        ("https://www.youtube.com/watch?v=abc123", "youtube"),
        ("https://vimeo.com/76979871", "vimeo"),
        ("https://x.com/newsroom/status/1234567890", "x"),
        ("https://twitter.com/newsroom/status/1234567891", "x"),
        ("https://www.instagram.com/p/C0abcdEF/", "instagram"),
        ("https://www.facebook.com/newsroom/posts/1234", "facebook"),
        (
            "https://www.tiktok.com/@newsroom/video/7234567890",
            "tiktok",
        ),
        ("https://soundcloud.com/newsroom/episode-1", "soundcloud"),
        (
            "[embed]https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk[/embed]",
            "spotify",
        ),
    ];
    let body: String = lines
        .iter()
        .map(|(line, _)| format!("Before the {line} card.\n\n{line}\n\n"))
        .collect();
    let export = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Embeds</title><link>https://embeds.example</link>
<item><title>Cards</title><guid>https://embeds.example/?p=1</guid><wp:post_id>1</wp:post_id>
<wp:post_date_gmt>2024-04-01 08:00:00</wp:post_date_gmt><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type><content:encoded><![CDATA[{body}]]></content:encoded></item>
</channel></rss>"#
    );
    let site = Site::new("");
    let file = site.dir.path().join("embeds.xml");
    std::fs::write(&file, export).unwrap();
    let (out, err, ok) = wordpress(&site, &[file.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let app = site.app().await;
    let (_, _, page) = get(&app, "/story/cards").await;
    for (line, service) in lines {
        let url = line
            .trim_start_matches("[embed]")
            .trim_end_matches("[/embed]");
        let card = format!("<p class=\"embed embed-{service}\"><a href=\"{url}\"");
        assert!(page.contains(&card), "{service}: {card} in {page}");
    }
    assert!(
        !page.contains("<iframe") && !page.contains("<script src") && !page.contains("[embed"),
        "{page}"
    );
}
