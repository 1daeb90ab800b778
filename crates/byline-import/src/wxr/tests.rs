//! The WXR reader on real exports from `../shared/fixtures/wxr/`, with expectations written by
//! hand from reading the files.

use super::*;
use crate::ninjs::RenditionHref;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../../shared/fixtures/wxr/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn stories(path: &str) -> Vec<WireStory> {
    parse_file(&fixture(path), None)
        .unwrap()
        .stories
        .into_iter()
        .map(|(line, story)| story.unwrap_or_else(|e| panic!("{path}:{line}: {e}")))
        .collect()
}

fn utc(text: &str) -> Option<DateTime<Utc>> {
    Some(
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc),
    )
}

#[test]
fn a_news_sites_post_keeps_its_author_section_tags_and_time() {
    let all = stories("superdesk-core/wordpress_wxr.xml");
    let first = &all[0];
    assert_eq!(
        first.headline.as_str(),
        "Starafrica to dispose assets for $6 million to clear debt"
    );
    assert_eq!(
        first.external_id,
        "wordpress:http://sdnewtester.org/?p=216#post-216"
    );
    assert_eq!(first.byline.as_deref(), Some("admin"));
    assert_eq!(first.section.as_deref(), Some("Business"));
    // Its second category is a tag: a story has one section, and no category is lost.
    assert_eq!(first.subjects, ["companies", "Economy"]);
    assert_eq!(first.first_created, utc("2013-07-29T16:03:54Z"));
    assert_eq!(first.pub_status, PubStatus::Usable);
    assert_eq!(first.standfirst, None, "an empty excerpt is none");
    let RawBody::Html(body) = &first.body else {
        panic!("HTML body")
    };
    assert!(
        body.starts_with("<p>By Tester<br>\nHarare, July 19"),
        "{body}"
    );
}

#[test]
fn featured_images_bring_their_caption_and_alt_text() {
    let all = stories("tryghost-migrate/feature-image-captions.xml");
    assert_eq!(
        all.len(),
        3,
        "two posts with images, one without; attachments are not stories"
    );
    let described = all[0].picture.as_ref().unwrap();
    assert_eq!(
        described.href,
        RenditionHref::Remote(
            "https://example.com/wp-content/uploads/2013/06/described-image.jpg".into()
        )
    );
    assert_eq!(
        described.caption.as_deref(),
        Some("The caption from the attachment description.")
    );
    assert_eq!(all[1].picture.as_ref().unwrap().caption, None);
    assert_eq!(all[2].picture, None);

    let with_alt = stories("tryghost-migrate/sample-with-alt.xml");
    let picture = with_alt[0].picture.as_ref().unwrap();
    assert_eq!(
        picture.alt.as_deref(),
        Some("Sunset over mountains with orange and pink sky")
    );
    assert_eq!(with_alt[0].section.as_deref(), Some("Company News"));
    assert_eq!(with_alt[0].subjects, vec!["Has Images".to_owned()]);
    assert_eq!(
        with_alt[0].standfirst.as_deref(),
        Some("<p>This post has a featured image with alt text and caption.</p>")
    );
}

#[test]
fn an_uploads_folder_turns_image_urls_into_files_there() {
    let text = fixture("tryghost-migrate/feature-image-captions.xml");
    let file = parse_file(&text, Some(PathBuf::from("/srv/uploads"))).unwrap();
    let (_, first) = &file.stories[0];
    assert_eq!(
        first.as_ref().unwrap().picture.as_ref().unwrap().href,
        RenditionHref::InFolder {
            folder: PathBuf::from("/srv/uploads"),
            path: "2013/06/described-image.jpg".into()
        }
    );
}

#[test]
fn other_content_is_listed_as_skipped() {
    let file = parse_file(&fixture("tryghost-migrate/multiple/posts-only.xml"), None).unwrap();
    assert_eq!(file.stories.len(), 3, "a draft and two posts");
    assert_eq!(
        file.skipped,
        vec![Skipped {
            line: 92,
            guid: None,
            reason: "a customcpt, not a post".into()
        }]
    );
    // https namespaces (the theme unit test data) are WordPress's too.
    let theme = parse_file(
        &fixture("theme-test-data/themeunittestdata.wordpress.xml"),
        None,
    )
    .unwrap();
    assert!(theme.stories.iter().all(|(_, s)| s.is_ok()));
    assert!(theme.skipped.iter().all(|s| !s.reason.contains("menu")));
}

#[test]
fn pages_come_placed_under_their_parents_after_them() {
    let theme = parse_file(
        &fixture("theme-test-data/themeunittestdata.wordpress.xml"),
        None,
    )
    .unwrap();
    let pages: Vec<&WireStory> = theme
        .stories
        .iter()
        .filter_map(|(_, s)| s.as_ref().ok())
        .filter(|s| s.page.is_some())
        .collect();
    assert_eq!(pages.len(), 21, "every page of the export");
    assert_eq!(theme.stories.len() - pages.len(), 58, "and every post");
    let position = |slug: &str| pages.iter().position(|p| p.slug.as_deref() == Some(slug));
    let parent = |slug: &str| {
        let page = pages[position(slug).unwrap()].page.as_ref().unwrap();
        page.parent.clone()
    };
    // The file lists Level 3 before Level 2 before Level 1; each comes after its parent.
    for (child, above) in [("level-3", "level-2"), ("level-2", "level-1")] {
        assert!(position(above) < position(child), "{above} before {child}");
        let above_id = &pages[position(above).unwrap()].external_id;
        assert_eq!(parent(child).as_ref(), Some(above_id));
    }
    assert_eq!(parent("level-1"), None);
    let about = pages[position("about").unwrap()];
    assert_eq!(about.page.as_ref().unwrap().position, 1, "menu_order");
    assert!(
        about
            .old_addresses
            .iter()
            .any(|a| a.ends_with("/?page_id=2")),
        "{:?}",
        about.old_addresses
    );
}

#[test]
fn menus_keep_their_nesting_order_and_targets() {
    use crate::menus::MenuTarget;
    let theme = parse_file(
        &fixture("theme-test-data/themeunittestdata.wordpress.xml"),
        None,
    )
    .unwrap();
    let names: Vec<&str> = theme.menus.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "All Pages",
            "All Pages Flat",
            "Short",
            "Social menu",
            "Testing Menu"
        ]
    );
    let count = |items: &[crate::menus::SourceMenuItem]| -> usize {
        fn all(items: &[crate::menus::SourceMenuItem]) -> usize {
            items.iter().map(|i| 1 + all(&i.children)).sum()
        }
        all(items)
    };
    let sizes: Vec<usize> = theme.menus.iter().map(|m| count(&m.items)).collect();
    assert_eq!(sizes, [18, 18, 6, 5, 23], "every menu item of the file");
    let short = &theme.menus[2];
    let titles: Vec<String> = short
        .items
        .iter()
        .map(|i| match &i.target {
            MenuTarget::Item { title, .. } => i.label.clone().unwrap_or(title.clone()),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(titles, ["a Blog page", "About The Tests", "Lorem Ipsum"]);
    assert_eq!(
        short.items[1].children.len(),
        3,
        "About's own pages under it"
    );
    let testing = &theme.menus[4];
    let categories = testing
        .items
        .iter()
        .find(|i| i.label.as_deref() == Some("Categories"))
        .unwrap();
    let targets: Vec<&MenuTarget> = categories.children.iter().map(|c| &c.target).collect();
    assert!(
        targets.contains(&&MenuTarget::Section("Post Formats".into())),
        "{targets:?}"
    );
}

#[test]
fn statuses_map_to_drafts_schedules_and_withdrawals() {
    let export = |status: &str| {
        let (status, password) = status.split_once('+').unwrap_or((status, ""));
        format!(
            r#"<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>T</title>
<wp:post_id>7</wp:post_id><wp:post_type>post</wp:post_type><wp:status>{status}</wp:status><wp:post_password>{password}</wp:post_password>
<wp:post_date_gmt>2031-01-02 03:04:05</wp:post_date_gmt></item></channel></rss>"#
        )
    };
    let story = |status: &str| {
        let file = parse_file(&export(status), None).unwrap();
        file.stories.into_iter().next().unwrap().1.unwrap()
    };
    assert_eq!(story("draft").pub_status, PubStatus::Draft);
    assert_eq!(story("pending").pub_status, PubStatus::Draft);
    assert_eq!(story("private").pub_status, PubStatus::Draft);
    assert_eq!(story("trash").pub_status, PubStatus::Canceled);
    assert_eq!(story("publish").pub_status, PubStatus::Usable);
    assert_eq!(
        story("publish+secret").pub_status,
        PubStatus::Draft,
        "a password-protected post is not made public"
    );
    let future = story("future");
    assert_eq!(future.pub_status, PubStatus::Usable);
    assert_eq!(future.embargoed, utc("2031-01-02T03:04:05Z"));
    assert_eq!(future.external_id, "wordpress:?p=7");
}

#[test]
fn the_credit_wordpress_read_from_the_file_comes_along() {
    let meta = r#"a:3:{s:5:"width";i:1200;s:6:"height";i:800;s:10:"image_meta";a:2:{s:6:"credit";s:3:"EPA";s:7:"caption";s:9:"From file";}}"#;
    let text = format!(
        r#"<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<item><title>Post</title><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status><wp:post_date>2024-01-01 10:00:00</wp:post_date><wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>2</wp:meta_value></wp:postmeta></item>
<item><title>Photo</title><wp:post_id>2</wp:post_id><wp:post_type>attachment</wp:post_type>
<wp:post_mime_type>image/jpeg</wp:post_mime_type>
<wp:attachment_url>https://news.example/wp-content/uploads/p.jpg</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attachment_metadata</wp:meta_key><wp:meta_value><![CDATA[{meta}]]></wp:meta_value></wp:postmeta>
</item></channel></rss>"#
    );
    let file = parse_file(&text, None).unwrap();
    let picture = file.stories[0].1.as_ref().unwrap().picture.clone().unwrap();
    assert_eq!(picture.credit.as_deref(), Some("EPA"));
    assert_eq!(picture.caption.as_deref(), Some("From file"));
    assert_eq!((picture.width, picture.height), (Some(1200), Some(800)));
    assert_eq!(picture.content_type.as_deref(), Some("image/jpeg"));
}

#[test]
fn broken_exports_are_refused_with_the_line() {
    let error = |path: &str| parse_file(&fixture(path), None).unwrap_err();
    assert_eq!(
        error("wordpress-importer/phpunit_data/malformed-simple.xml"),
        WxrError::Xml {
            line: 14,
            message: "the file ends inside <item>".into()
        }
    );
    assert!(matches!(
        error("wordpress-importer/phpunit_data/malformed.xml"),
        WxrError::Xml { line: 90, .. }
    ));
    // A raw `&` in the text is not XML.
    assert!(matches!(
        error("tryghost-migrate/sample.xml"),
        WxrError::Xml { line: 109, .. }
    ));
    assert_eq!(
        parse_file("<html><body/></html>", None).unwrap_err(),
        WxrError::NotWxr("its root element is not <rss>".into())
    );
    // Elements in a namespace that only pretends to be WordPress's are not its fields.
    let file = parse_file(
        &fixture("wordpress-importer/phpunit_data/namespace-edge-cases.xml"),
        None,
    )
    .unwrap();
    let hijacked = file.skipped.iter().find(|s| s.line == 94).unwrap();
    assert_eq!(
        hijacked.reason,
        "not a well-formed post: it has no wp:post_type, wp:status, date (wp:post_date, pubDate)"
    );
}

#[test]
fn untitled_posts_are_named_by_their_first_words() {
    assert_eq!(
        first_words("<p>One <b>two</b> three four five six seven eight nine ten eleven</p>")
            .as_deref(),
        Some("One two three four five six seven eight nine ten…")
    );
    assert_eq!(first_words("<p> </p>"), None);
}

#[test]
fn shortcodes_become_figures_and_cards_or_go_and_are_counted() {
    let mut removed = Removed::new();
    let text = shortcodes::expand(
        r#"[caption id="attachment_6" align="alignright" width="300"]<a href="big.jpg"><img src="x.jpg" alt="Boats"></a> The boats[/caption]
[dropcap]M[/dropcap]any said [sic] and [1]. [contact_form id="2"] [gallery ids="1,2"] [[gallery]]
[embed]https://www.youtube.com/watch?v=abc[/embed] [custom-box /] [audio mp3="https://x.example/a.mp3"][/audio]"#,
        &mut removed,
    );
    assert!(
        text.starts_with(
            "\n<figure><a href=\"big.jpg\"><img src=\"x.jpg\" alt=\"Boats\"></a><figcaption>The boats</figcaption></figure>\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("\nMany said [sic] and [1].   [gallery]\n"),
        "{text}"
    );
    assert!(text.contains("<p class=\"embed embed-youtube\"><a href=\"https://www.youtube.com/watch?v=abc\">Watch on YouTube: www.youtube.com/watch?v=abc</a></p>"), "{text}");
    assert!(text.contains("<p class=\"embed embed-audio\"><a href=\"https://x.example/a.mp3\">Listen to the recording</a></p>"), "{text}");
    assert_eq!(
        removed.into_iter().collect::<Vec<_>>(),
        vec![
            ("contact_form".to_owned(), 1),
            ("custom-box".to_owned(), 1),
            ("dropcap".to_owned(), 1),
            ("gallery".to_owned(), 1)
        ]
    );
    // The old attribute form of a caption.
    let mut removed = Removed::new();
    assert_eq!(
        shortcodes::expand(
            r#"[caption caption="Old style"]<img src="y.jpg">[/caption]"#,
            &mut removed
        ),
        "\n<figure><img src=\"y.jpg\"><figcaption>Old style</figcaption></figure>\n"
    );
}

/// A small export written for one case each: repeated guids, items that are not posts, escaped
/// term names, WordPress's own slugs and the channel's language.
const CASES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Zeitung</title><link>https://zeitung.example</link><language>de-DE</language>
<wp:author><wp:author_login>hk</wp:author_login><wp:author_display_name><![CDATA[Hans K&ouml;nig]]></wp:author_display_name></wp:author>
<item><title>F&uuml;r die Zukunft</title><guid isPermaLink="false">https://zeitung.example/?p=1</guid>
<dc:creator>hk</dc:creator><wp:post_id>1</wp:post_id><wp:post_date>2024-03-01 10:00:00</wp:post_date>
<wp:post_name><![CDATA[f%c3%bcr-die-zukunft]]></wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<category domain="post_tag" nicename="secrets-lies"><![CDATA[Secrets &amp; Lies]]></category>
<content:encoded><![CDATA[Text.]]></content:encoded></item>
<item><title>Copy with the same guid</title><guid isPermaLink="false">https://zeitung.example/?p=1</guid>
<wp:post_id>2</wp:post_id><wp:post_date>2024-03-02 10:00:00</wp:post_date><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type><content:encoded><![CDATA[Other.]]></content:encoded></item>
<item><title>No type, status or date</title><guid>https://zeitung.example/?p=3</guid>
<content:encoded><![CDATA[Should not lead the front page.]]></content:encoded></item>
</channel></rss>"#;

#[test]
fn identity_is_guid_and_post_id_and_malformed_items_are_skipped_with_their_line() {
    let file = parse_file(CASES, None).unwrap();
    let stories: Vec<&WireStory> = file
        .stories
        .iter()
        .map(|(_, s)| s.as_ref().unwrap())
        .collect();
    assert_eq!(stories.len(), 2, "two posts sharing a guid stay two");
    assert_ne!(stories[0].external_id, stories[1].external_id);
    assert_eq!(
        file.skipped,
        vec![Skipped {
            line: 14,
            guid: Some("https://zeitung.example/?p=3".into()),
            reason: "not a well-formed post: it has no wp:post_type, wp:status, date (wp:post_date, pubDate)".into()
        }]
    );
    let first = stories[0];
    assert_eq!(first.headline.as_str(), "Für die Zukunft");
    assert_eq!(first.subjects, vec!["Secrets & Lies"]);
    assert_eq!(first.slug.as_deref(), Some("für-die-zukunft"));
    assert_eq!(first.language.as_deref(), Some("de-DE"));
    assert_eq!(first.byline.as_deref(), Some("Hans König"));
}

#[test]
fn co_authors_plus_terms_are_the_byline() {
    let all = stories("tryghost-migrate/co-authors-plus.xml");
    let bylines: Vec<Option<&str>> = all.iter().map(|s| s.byline.as_deref()).collect();
    assert_eq!(
        bylines,
        vec![
            Some("Alice Smith, Bob Jones"),
            Some("Alice Smith, Bob Jones, Carol White"),
            Some("Bob Jones"),
            Some("Alice Smith, Bob Jones"),
        ]
    );
    // Each co-author's archive is an old address, even one who wrote no post alone.
    let terms = parse_file(&fixture("tryghost-migrate/co-authors-plus.xml"), None)
        .unwrap()
        .term_addresses;
    assert_eq!(
        terms.get("/author/carol-white/"),
        Some(&(TermKind::Author, "Carol White".to_owned())),
        "{terms:?}"
    );
}

/// Pictures an import cannot take are named: one kept only as a path on the old server when no
/// uploads folder is given, and every attachment that is no picture.
#[test]
fn attachments_the_library_cannot_take_are_listed_with_their_line() {
    let text = r#"<?xml version="1.0"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><link>https://old.example</link>
<item><title>a</title><wp:post_id>5</wp:post_id><wp:post_date>2024-01-01 00:00:00</wp:post_date>
<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type><wp:post_mime_type>image/jpeg</wp:post_mime_type>
<wp:attachment_url>/wp-content/uploads/a.jpg</wp:attachment_url></item>
<item><title>b</title><wp:post_id>6</wp:post_id><wp:post_date>2024-01-01 00:00:00</wp:post_date>
<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type><wp:post_mime_type>audio/mpeg</wp:post_mime_type>
<wp:attachment_url>https://old.example/wp-content/uploads/b.mp3</wp:attachment_url></item>
<item><title>c</title><wp:post_id>7</wp:post_id><wp:post_date>2024-01-01 00:00:00</wp:post_date>
<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type><wp:post_mime_type>image/png</wp:post_mime_type>
<wp:attachment_url>https://old.example/wp-content/uploads/c.png</wp:attachment_url></item>
</channel></rss>"#;
    let file = parse_file(text, None).unwrap();
    let lines: Vec<usize> = file.skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, [3, 6], "{:?}", file.skipped);
    assert!(
        file.skipped[0].reason.contains("no address"),
        "{:?}",
        file.skipped
    );
    assert!(
        file.skipped[1].reason.contains("audio/mpeg"),
        "{:?}",
        file.skipped
    );
    // With the uploads folder the first is a picture too.
    let file = parse_file(text, Some(PathBuf::from("/srv/uploads"))).unwrap();
    assert_eq!(file.skipped.len(), 1);
}
