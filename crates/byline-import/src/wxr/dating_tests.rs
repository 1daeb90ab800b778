//! Which addresses and dates an item may claim: `?p=` only by its own id, and a readable date
//! for a post that goes out.

use super::*;

/// `?p=N` names the post whose id is N: an item without an id cannot claim another post's
/// address through its link or guid, and one with an id keeps its own.
#[test]
fn only_a_posts_own_id_gives_it_a_p_address() {
    let text = r#"<?xml version="1.0"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><link>https://site.example</link>
<item><title>Impostor</title><link>https://site.example/?p=6</link><guid>urn:other:1</guid>
<wp:post_date>2024-01-01 00:00:00</wp:post_date><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
<item><title>Six</title><link>https://site.example/?p=6</link><guid>https://site.example/?p=6</guid>
<wp:post_id>6</wp:post_id><wp:post_date>2024-01-02 00:00:00</wp:post_date><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type></item>
</channel></rss>"#;
    let file = parse_file(text, None).unwrap();
    let addresses: Vec<&Vec<String>> = file
        .stories
        .iter()
        .map(|(_, s)| &s.as_ref().unwrap().old_addresses)
        .collect();
    assert!(
        !addresses[0].iter().any(|a| a.contains("?p=")),
        "{:?}",
        addresses[0]
    );
    assert!(
        addresses[1].iter().any(|a| a.ends_with("/?p=6")),
        "{:?}",
        addresses[1]
    );
}

/// A post that goes out needs a date that can be read (WordPress's form or ISO 8601); a draft
/// only needs one at all.
#[test]
fn a_published_post_needs_a_date_that_can_be_read() {
    let item = |status: &str, date: &str| {
        format!(
            "<item><title>T</title><guid>urn:t:{status}{date}</guid><wp:post_id>1</wp:post_id>\
             <wp:post_date>{date}</wp:post_date><wp:status>{status}</wp:status>\
             <wp:post_type>post</wp:post_type></item>"
        )
    };
    let text = format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><link>https://site.example</link>{}{}{}</channel></rss>"#,
        item("publish", "2024-03-01T10:00:00"),
        item("publish", "yesterday"),
        item("draft", "0000-00-00 00:00:00"),
    );
    let file = parse_file(&text, None).unwrap();
    assert_eq!(file.stories.len(), 2, "{:?}", file.skipped);
    let dated = file.stories[0].1.as_ref().unwrap().first_created;
    assert_eq!(dated.unwrap().to_rfc3339(), "2024-03-01T10:00:00+00:00");
    assert_eq!(file.skipped.len(), 1);
    assert!(
        file.skipped[0].reason.contains("date"),
        "{:?}",
        file.skipped
    );
}
