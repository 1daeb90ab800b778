//! Imported HTML reshaped: documents to articles, WordPress's paragraphs.

use super::autop::paragraphs;
use super::*;

#[test]
fn a_document_is_reduced_to_its_article() {
    let html = "<!DOCTYPE html><html><head><title>Storm hits coast</title>\
        <style>p{}</style></head><body><article><h1>Storm  hits coast</h1>\
        <p>First <b>paragraph</b> &amp; more.</p></article></body></html>";
    assert_eq!(
        article_body(html, "Storm hits coast", &[], None),
        "<article><p>First <b>paragraph</b> &amp; more.</p></article>"
    );
    // A heading that is not the headline stays.
    assert_eq!(
        article_body("<h2>Background</h2><p>x</p>", "Storm hits coast", &[], None),
        "<h2>Background</h2><p>x</p>"
    );
    // A fragment keeps everything but a stray head.
    assert_eq!(
        article_body("<head><title>t</title></head><p>x</p>", "h", &[], None),
        "<p>x</p>"
    );
}

#[test]
fn a_figure_of_the_lead_picture_goes_and_other_figures_stay() {
    let html = "<p>a</p><figure><img src=\"https://cdn.example/a001_Thumb.jpg\" \
        data-assoc-ref=\"a001\"><figcaption>Lead</figcaption></figure>\
        <figure><img src=\"https://cdn.example/other.jpg\"><figcaption>Other</figcaption></figure>\
        <p><img src=\"https://cdn.example/lead.jpg?w=200\"></p>";
    let lead = vec!["a001".to_owned(), "https://cdn.example/lead.jpg".to_owned()];
    assert_eq!(
        article_body(html, "h", &lead, None),
        "<p>a</p><figure><img src=\"https://cdn.example/other.jpg\">\
         <figcaption>Other</figcaption></figure>"
    );
}

#[test]
fn inline_elements_the_plain_text_shows_apart_get_a_space() {
    let html = "<div class=\"dat\"><span class=\"v\">Försvar</span><span class=\"s\">TT</span></div>\
        <p><b>Bold</b><i>italic</i></p>";
    let plain = "Headline\nFörsvar TT\nBolditalic";
    assert_eq!(
        article_body(html, "Headline", &[], Some(plain)),
        "<div class=\"dat\"><span class=\"v\">Försvar</span> <span class=\"s\">TT</span></div>\
         <p><b>Bold</b><i>italic</i></p>"
    );
    // Without a plain rendition nothing is guessed.
    assert!(article_body(html, "Headline", &[], None).contains("Försvar</span><span"));
}

#[test]
fn term_names_are_unescaped() {
    assert_eq!(decode_entities("Secrets &amp; Lies"), "Secrets & Lies");
    assert_eq!(
        decode_entities("Caf&eacute; &#8211; &quot;Q&quot;"),
        "Café – \"Q\""
    );
    assert_eq!(decode_entities("Plain"), "Plain");
}

#[test]
fn paragraphs_as_wordpress_makes_them() {
    let text = "First line\nsecond line\n\nNext paragraph\n<h2>Heading</h2>\nAfter heading\n\n\
        <ul>\n<li>One</li>\n<li>Two\nlines</li>\n</ul>\n\n<pre>code\n\n  indented</pre>\n\n\
        <blockquote>Quoted\n\nTwo</blockquote>\n\n&nbsp;\n\n<p></p>";
    assert_eq!(
        paragraphs(text),
        "<p>First line<br>\nsecond line</p>\n<p>Next paragraph</p>\n<h2>Heading</h2>\n\
         <p>After heading</p>\n<ul><li>One</li>\n<li>Two<br>\nlines</li>\n</ul>\n\
         <pre>code\n\n  indented</pre>\n<blockquote><p>Quoted</p>\n<p>Two</p>\n</blockquote>"
    );
}

#[test]
fn inline_markup_stays_inside_its_paragraph() {
    assert_eq!(
        paragraphs(
            "Hello <em>you</em>\nthere <a href=\"/x?a=1&amp;b=2\">link</a><br />\nnext\n\n<img src=\"a.jpg\" alt=\"A &quot;q&quot;\">"
        ),
        "<p>Hello <em>you</em><br>\nthere <a href=\"/x?a=1&amp;b=2\">link</a><br>\nnext</p>\n\
         <p><img src=\"a.jpg\" alt=\"A &quot;q&quot;\"></p>"
    );
}

#[test]
fn block_editor_content_loses_only_its_comments() {
    let text = "<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n\
        <!-- wp:preformatted -->\n<pre class=\"wp-block-preformatted\">a\n\nb</pre>\n<!-- /wp:preformatted -->";
    assert_eq!(
        paragraphs(text),
        "<p>One</p>\n<pre class=\"wp-block-preformatted\">a\n\nb</pre>"
    );
}

#[test]
fn unclosed_elements_keep_their_content() {
    assert_eq!(paragraphs("<p>Only text"), "<p>Only text");
    assert_eq!(paragraphs("<p>One<p>Two"), "<p>One<p>Two");
    assert_eq!(
        paragraphs("<p><img src=\"x.jpg\">"),
        "<p><img src=\"x.jpg\">"
    );
    for text in [
        "Hello<div>",
        "Hello<p>\n",
        "x<figure>",
        "a<dl class=\"wp-caption\">",
    ] {
        assert!(paragraphs(text).starts_with("<p>"), "{text}");
    }
    assert_eq!(
        article_body("<h1>Headline", "Headline and more", &[], None),
        "<h2>Headline"
    );
    assert_eq!(
        article_body("<p>Text<figure>", "h", &[], None),
        "<p>Text<figure>"
    );
}

/// Hostile bodies of a megabyte or more end, whole: every pass is one walk over the text.
#[test]
fn hostile_bodies_are_read_in_one_walk() {
    let mut removed = crate::wxr::Removed::new();
    let nested: String = (0..50_000).map(|n| format!("[a{n}]")).collect::<String>()
        + "x"
        + &(0..50_000)
            .rev()
            .map(|n| format!("[/a{n}]"))
            .collect::<String>();
    let expanded = crate::wxr::expand_shortcodes(&nested, &mut removed);
    assert!(expanded.contains('x'));
    for hostile in [
        "[x]".repeat(300_000),
        "[[".repeat(300_000),
        "[a \"".repeat(200_000),
        "<div>".repeat(200_000),
        "<p></p>".repeat(200_000),
        "<b></b>".repeat(200_000),
        "<h2>".repeat(100_000),
        "<pre>".repeat(100_000) + "text",
        "<figure><img src=\"lead.jpg\">".repeat(50_000),
    ] {
        let mut removed = crate::wxr::Removed::new();
        let text = crate::wxr::expand_shortcodes(&hostile, &mut removed);
        let _ = paragraphs(&text);
        let _ = article_body(&hostile, "h", &["lead.jpg".to_owned()], Some("a b"));
    }
}
