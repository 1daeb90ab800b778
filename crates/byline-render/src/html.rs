//! Untrusted HTML in, safe HTML out; and the plain text that excerpts are cut from.

use std::collections::HashSet;
use std::sync::LazyLock;

use byline_core::SafeHtml;

/// One sanitizer for every stored body, so that what is stored, previewed and served agree.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "a",
        "abbr",
        "address",
        "aside",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
    ]
    .into_iter()
    .collect();
    let mut builder = ammonia::Builder::default();
    builder
        .tags(tags)
        // Scripts and styles go with their content; other unknown tags keep their text.
        .clean_content_tags(
            [
                "script", "style", "template", "iframe", "object", "noscript", "title",
            ]
            .into_iter()
            .collect(),
        )
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        // Link cards of embedded posts (the import makes them): the theme draws them as cards.
        .allowed_classes(
            [("p", EMBED_CLASSES.iter().copied().collect())]
                .into_iter()
                .collect(),
        )
        .link_rel(Some("noopener noreferrer"))
        .url_relative(ammonia::UrlRelative::PassThrough)
        .generic_attributes(["lang", "dir", "title"].into_iter().collect())
        .tag_attributes(
            [
                ("a", ["href", "hreflang"].into_iter().collect()),
                (
                    "img",
                    ["src", "alt", "width", "height"].into_iter().collect(),
                ),
                ("td", ["colspan", "rowspan"].into_iter().collect()),
                ("th", ["colspan", "rowspan", "scope"].into_iter().collect()),
                ("time", ["datetime"].into_iter().collect()),
                ("ol", ["start", "reversed"].into_iter().collect()),
                ("blockquote", ["cite"].into_iter().collect()),
                ("q", ["cite"].into_iter().collect()),
            ]
            .into_iter()
            .collect(),
        );
    builder
});

/// The classes of a link card standing for an embedded post or player.
const EMBED_CLASSES: [&str; 11] = [
    "embed",
    "embed-youtube",
    "embed-vimeo",
    "embed-x",
    "embed-instagram",
    "embed-facebook",
    "embed-tiktok",
    "embed-soundcloud",
    "embed-spotify",
    "embed-audio",
    "embed-video",
];

/// Obsolete elements renamed to the ones that say the same today (`<strike>` → `<s>`,
/// `<acronym>` → `<abbr>`, `<tt>` → `<code>`) before sanitizing, which would otherwise keep
/// only their text.
fn modernized(html: &str) -> std::borrow::Cow<'_, str> {
    const RENAMED: [(&str, &str); 3] = [("strike", "s"), ("acronym", "abbr"), ("tt", "code")];
    let lower = html.to_ascii_lowercase();
    if !RENAMED
        .iter()
        .any(|(old, _)| lower.contains(&format!("<{old}")) || lower.contains(&format!("</{old}")))
    {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find('<') {
        let open = at + found;
        out.push_str(&html[at..open]);
        let closing = lower[open + 1..].starts_with('/');
        let name_at = open + 1 + usize::from(closing);
        let renamed = RENAMED.iter().find(|(old, _)| {
            lower[name_at..].starts_with(old)
                && lower[name_at + old.len()..]
                    .starts_with(|c: char| c == '>' || c == '/' || c.is_ascii_whitespace())
        });
        match renamed {
            Some((old, new)) => {
                out.push_str(if closing { "</" } else { "<" });
                out.push_str(new);
                at = name_at + old.len();
            }
            None => {
                out.push('<');
                at = open + 1;
            }
        }
    }
    out.push_str(&html[at..]);
    std::borrow::Cow::Owned(out)
}

/// Removes everything that could run code or restyle the page (scripts, event handlers,
/// `javascript:` URLs, styles, frames) and keeps the text and its structure. A body's own
/// `h1` is dropped to its text: the page's one `h1` is the headline.
pub fn sanitize(untrusted: &str) -> SafeHtml {
    let html = modernized(untrusted);
    let clean = SANITIZER.clean(&html).to_string();
    let clean = crate::html_repair::repaired(&without_rel_on_placeholders(&clean));
    SafeHtml::from_sanitized(clean.trim().to_owned())
}

/// The sanitizer gives every `<a>` a `rel`, but `rel` is only allowed on a link: an `<a>` left
/// with no `href` (a placeholder, or one whose address was removed) loses it again.
fn without_rel_on_placeholders(html: &str) -> String {
    const REL: &str = " rel=\"noopener noreferrer\"";
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    while let Some(found) = html[at..].find("<a ") {
        let open = at + found;
        let close = crate::html_repair::tag_end(html, open);
        let tag = &html[open..close];
        out.push_str(&html[at..open]);
        if tag.contains(" href=\"") {
            out.push_str(tag);
        } else {
            out.push_str(&tag.replacen(REL, "", 1));
        }
        at = close;
    }
    out.push_str(&html[at..]);
    out
}

/// What in an HTML document (an email as sent) could run: a script, frame, object or form
/// element, an event-handler attribute or a `javascript:` URL; `None` when nothing could.
/// Documents Byline writes itself never hold any; one that does came from elsewhere.
pub fn active_content(html: &str) -> Option<&'static str> {
    let lower = html.to_ascii_lowercase();
    for (needle, what) in [
        ("<script", "a script"),
        ("<iframe", "a frame"),
        ("<frame", "a frame"),
        ("<object", "an embedded object"),
        ("<embed", "an embedded object"),
        ("<form", "a form"),
        ("<base", "a base address"),
        ("<meta http-equiv", "a meta refresh"),
        ("javascript:", "a javascript: address"),
        ("vbscript:", "a vbscript: address"),
    ] {
        if lower.contains(needle) {
            return Some(what);
        }
    }
    // An attribute `on…=` inside a tag: an event handler.
    let bytes = lower.as_bytes();
    let mut in_tag = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'<' => in_tag = true,
            b'>' => in_tag = false,
            b'o' if in_tag
                && i > 0
                && (bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b'/')
                && bytes.get(i + 1) == Some(&b'n') =>
            {
                let name: Vec<u8> = bytes[i..]
                    .iter()
                    .copied()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                let after = bytes[i + name.len()..]
                    .iter()
                    .find(|c| !c.is_ascii_whitespace());
                if name.len() > 2 && after == Some(&b'=') {
                    return Some("an event handler");
                }
            }
            _ => {}
        }
    }
    None
}

/// Turns plain text into paragraphs, one per non-empty line (wire services end paragraphs
/// with a single line break). The text is escaped, never interpreted; the result is written
/// the way the sanitizer writes HTML, so that sanitizing it again (a restored archive) leaves
/// every byte as it is.
pub fn paragraphs_from_text(text: &str) -> SafeHtml {
    let html: String = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| format!("<p>{}</p>", escape(line)))
        .collect();
    sanitize(&html)
}

/// Escapes text for HTML content and quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The readable text of (sanitized) HTML: tags removed, blocks separated by spaces,
/// character references decoded, white space collapsed.
pub fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    read_text(html, |piece| text.push_str(piece));
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Hands `read` the text of `html` piece by piece, in order: text as written, a space for each
/// tag, each character reference decoded (what [`plain_text`] and word counts read).
pub(crate) fn read_text(html: &str, mut read: impl FnMut(&str)) {
    let mut rest = html;
    while let Some(start) = rest.find(['<', '&']) {
        read(&rest[..start]);
        rest = &rest[start..];
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            read(" ");
            rest = &rest[end..];
        } else {
            let (decoded, used) = decode_reference(rest);
            read(&decoded);
            rest = &rest[used..];
        }
    }
    read(rest);
}

/// Decodes the character reference at the start of `s` (which starts with `&`); returns the
/// text and how many bytes it used. An unknown reference stays as written.
fn decode_reference(s: &str) -> (String, usize) {
    let Some(end) = s[1..].find(';').map(|i| i + 1).filter(|&i| i <= 12) else {
        return ("&".into(), 1);
    };
    let name = &s[1..end];
    let decoded = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => name
            .strip_prefix("#x")
            .or_else(|| name.strip_prefix("#X"))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .or_else(|| name.strip_prefix('#').and_then(|dec| dec.parse().ok()))
            .and_then(char::from_u32),
    };
    match decoded {
        Some(c) => (c.to_string(), end + 1),
        None => ("&".into(), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_content_is_found_and_styles_are_not() {
        let email = r#"<!DOCTYPE html><html><body style="margin: 0"><p style="font-size: 1rem">Hi
            <a href="https://news.example/one">one</a> <img src="x.png" alt="only words"></p></body></html>"#;
        assert_eq!(active_content(email), None);
        for (html, what) in [
            ("<p>x</p><SCRIPT>alert(1)</SCRIPT>", "a script"),
            (
                "<a href=\"JavaScript:alert(1)\">x</a>",
                "a javascript: address",
            ),
            ("<img src=x onerror=alert(1)>", "an event handler"),
            ("<body onload = \"go()\">", "an event handler"),
            ("<iframe src=x></iframe>", "a frame"),
            ("<form action=x><input></form>", "a form"),
        ] {
            assert_eq!(active_content(html), Some(what), "{html}");
        }
        assert_eq!(
            active_content("<p>Go on, online: one=two</p>"),
            None,
            "text, not a tag"
        );
    }

    #[test]
    fn obsolete_elements_keep_their_meaning_and_addresses_their_lines() {
        let clean = sanitize(
            "<p><STRIKE>old</STRIKE> <strike class=\"x\">price</strike> <tt>code</tt> \
             <acronym title=\"North\">N</acronym> <strikeout>t</strikeout></p>\
             <address>1 Harbour Street<br>Oslo</address>",
        );
        assert_eq!(
            clean.as_str(),
            "<p><s>old</s> <s>price</s> <code>code</code> <abbr title=\"North\">N</abbr> t</p>\
             <address>1 Harbour Street<br>Oslo</address>"
        );
    }

    #[test]
    fn placeholder_anchors_get_no_rel() {
        let clean = sanitize(
            "<a>Button</a> <a href=\"javascript:x()\" title=\"a>b\">gone</a> <a href=\"/x\">kept</a>",
        );
        assert_eq!(
            clean.as_str(),
            "<a>Button</a> <a title=\"a&gt;b\">gone</a> <a href=\"/x\" rel=\"noopener noreferrer\">kept</a>"
        );
    }

    #[test]
    fn link_cards_keep_only_their_own_classes() {
        let clean = sanitize(
            "<p class=\"embed embed-youtube evil\"><a href=\"https://youtu.be/x\">Watch</a></p>\
             <div class=\"embed\">d</div>",
        );
        assert_eq!(
            clean.as_str(),
            "<p class=\"embed embed-youtube\"><a href=\"https://youtu.be/x\" rel=\"noopener noreferrer\">Watch</a></p><div>d</div>"
        );
    }

    #[test]
    fn hostile_html_is_removed() {
        let dirty = r#"<p onclick="x()">Hi<script>alert(1)</script></p><img src="x.jpg" onerror="steal()"><a href="javascript:alert(1)">link</a><iframe src="https://evil.example"></iframe><style>p{}</style>"#;
        let clean = sanitize(dirty);
        let html = clean.as_str();
        for bad in [
            "script",
            "alert",
            "onclick",
            "onerror",
            "javascript:",
            "iframe",
            "style",
            "steal",
        ] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(html.contains("<p>Hi</p>"));
        assert!(html.contains(r#"<img src="x.jpg" alt="">"#));
        let document =
            sanitize("<html><head><title>T</title></head><body><p>Text</p></body></html>");
        assert_eq!(document.as_str(), "<p>Text</p>");
    }

    #[test]
    fn text_and_typography_survive() {
        let body = "<p>“We welcome Putin’s call for a ceasefire.”</p><h1>Big</h1><p>A cease-fire &amp; more</p>";
        let html = sanitize(body);
        assert_eq!(
            html.as_str(),
            "<p>“We welcome Putin’s call for a ceasefire.”</p>Big<p>A cease-fire &amp; more</p>"
        );
        let link = sanitize(r#"<a href="https://example.com/x" target="_blank">x</a>"#);
        assert_eq!(
            link.as_str(),
            r#"<a href="https://example.com/x" rel="noopener noreferrer">x</a>"#
        );
    }

    #[test]
    fn plain_text_strips_and_decodes() {
        assert_eq!(
            plain_text("<p>One &amp; two</p><p>three&nbsp;four &#8217; &#x2019;</p>"),
            "One & two three four ’ ’"
        );
        assert_eq!(plain_text("AT&T & co"), "AT&T & co");
        assert_eq!(plain_text(""), "");
    }

    #[test]
    fn text_becomes_escaped_paragraphs() {
        let html = paragraphs_from_text("First <b>line</b>\nnext para\r\n\r\n  Third \n");
        assert_eq!(
            html.as_str(),
            "<p>First &lt;b&gt;line&lt;/b&gt;</p><p>next para</p><p>Third</p>"
        );
    }

    #[test]
    fn sanitizing_again_changes_nothing() {
        let quoted = paragraphs_from_text("Sport, \"Doping\" & 'Society'\u{a0}2014");
        assert_eq!(sanitize(quoted.as_str()).as_str(), quoted.as_str());
        for html in [
            "<p>A <a href=\"https://x.example/?a=1&b=2\">link</a> &amp; more</p>",
            "<figure><img src=\"/media/a.jpg\" alt=\"A \\\"quote\\\"\"><figcaption>C</figcaption></figure>",
            "<h1>Title</h1><ul><li>one<li>two</ul><script>x()</script>",
            "<pre><p>\nline one</p><p>line two</p></pre>",
            "<p>a<button><p>b</p></button>c</p><img src=\"/media/b.jpg\">",
        ] {
            let once = sanitize(html);
            assert_eq!(sanitize(once.as_str()).as_str(), once.as_str(), "{html}");
        }
    }
}
