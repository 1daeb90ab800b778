//! Ghost's cards as clean HTML, whichever editor wrote them (mobiledoc's cards and lexical's
//! card nodes carry the same payloads): pictures as figures, bookmarks and embeds as links that
//! load nothing, callouts as asides, toggles as `<details>`, buttons as links. The HTML is
//! still untrusted: the import sanitizes every body.

use serde_json::{Map, Value};

use crate::html::tokens::escape_into;

/// The most HTML one post's document may become: no real post comes near it, and a hostile
/// mobiledoc naming one big card again and again cannot exhaust memory.
pub(super) const MAX_HTML: usize = 8 * 1024 * 1024;

/// A document as HTML, with the cards it left out (by name).
#[derive(Debug, Default)]
pub(super) struct Converted {
    pub html: String,
    pub dropped: Vec<String>,
}

/// How a left-out card is named when the web hid it from readers who are not members.
pub(super) const FOR_MEMBERS: &str = "for members only";

/// Whether Ghost shows the card on the web to readers who are not members (a card's
/// `visibility.web.nonMember`, Ghost 5.x; cards without it are shown to all).
fn shown_to_everyone(payload: &Map<String, Value>) -> bool {
    let web = payload.get("visibility").and_then(|v| v.get("web"));
    web.and_then(|w| w.get("nonMember"))
        .and_then(Value::as_bool)
        != Some(false)
}

/// The card's HTML; a card readers never see on the web (a paywall marker, email-only content)
/// gives nothing, and one this import does not know, or one only members see, is named in
/// `dropped`.
pub(super) fn card_or_dropped(
    name: &str,
    payload: &Map<String, Value>,
    dropped: &mut Vec<String>,
) -> String {
    if !shown_to_everyone(payload) {
        dropped.push(format!("{name} ({FOR_MEMBERS})"));
        return String::new();
    }
    if matches!(name, "paywall" | "email" | "email-cta") {
        return String::new();
    }
    card(name, payload).unwrap_or_else(|| {
        dropped.push(name.to_owned());
        String::new()
    })
}

/// Ghost's HTML with each embedded frame (a video, a post of another site) as a link card to
/// what it showed: the sanitizer drops frames whole, and a link loads nothing until clicked.
pub(super) fn embeds_as_links(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = find_ignoring_case(rest, "<iframe") {
        out.push_str(&rest[..at]);
        let frame = &rest[at..];
        let opening_end = frame.find('>').map_or(frame.len(), |end| end + 1);
        let closing = find_ignoring_case(frame, "</iframe>")
            .map_or(opening_end, |end| end + "</iframe>".len());
        let whole = closing.max(opening_end);
        if let Some(src) = attribute(&frame[..opening_end], "src") {
            let src = match src.strip_prefix("//") {
                Some(rest) => format!("https://{rest}"),
                None => src.to_owned(),
            };
            // `src` is attribute text already (its `&` written `&amp;`).
            out.push_str(&format!(
                "<p class=\"embed\"><a href=\"{src}\">{src}</a></p>"
            ));
        }
        rest = &frame[whole..];
    }
    out.push_str(rest);
    out
}

fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A quoted attribute's value in an opening tag, as written.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut from = 0;
    while let Some(at) = find_ignoring_case(&tag[from..], name) {
        let start = from + at;
        from = start + name.len();
        let before_ok = tag[..start].ends_with(char::is_whitespace);
        let after = tag[from..].trim_start();
        if let (true, Some(value)) = (before_ok, after.strip_prefix('=')) {
            let value = value.trim_start();
            let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
            let inner = &value[1..];
            return inner.find(quote).map(|end| &inner[..end]);
        }
    }
    None
}

/// Escaped text.
pub(super) fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    escape_into(&mut out, value, true);
    out
}

fn field<'a>(payload: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| payload.get(*k).and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Markdown (Ghost 1.x's one big card) as HTML.
pub(super) fn markdown(source: &str) -> String {
    let mut out = String::new();
    let options = pulldown_cmark::Options::ENABLE_TABLES
        | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
        | pulldown_cmark::Options::ENABLE_FOOTNOTES;
    pulldown_cmark::html::push_html(&mut out, pulldown_cmark::Parser::new_ext(source, options));
    out
}

/// A caption as Ghost keeps it: HTML of its own (links, emphasis).
fn caption(payload: &Map<String, Value>) -> String {
    field(payload, &["caption"])
        .map(|c| format!("<figcaption>{c}</figcaption>"))
        .unwrap_or_default()
}

fn image(payload: &Map<String, Value>) -> String {
    let Some(src) = field(payload, &["src"]) else {
        return String::new();
    };
    let alt = field(payload, &["alt"]).unwrap_or_default();
    let img = format!("<img src=\"{}\" alt=\"{}\">", text(src), text(alt));
    let img = match field(payload, &["href"]) {
        Some(href) => format!("<a href=\"{}\">{img}</a>", text(href)),
        None => img,
    };
    format!("<figure>{img}{}</figure>", caption(payload))
}

fn gallery(payload: &Map<String, Value>) -> String {
    let images: String = payload
        .get("images")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(image)
        .collect();
    if images.is_empty() {
        return String::new();
    }
    format!("<figure>{images}{}</figure>", caption(payload))
}

/// A link card: what it points to, named by its title where the source gave one.
fn link_card(payload: &Map<String, Value>) -> String {
    let Some(url) = field(payload, &["url"]) else {
        return String::new();
    };
    let metadata = payload.get("metadata").and_then(Value::as_object);
    let title = metadata.and_then(|m| field(m, &["title"])).unwrap_or(url);
    let description = metadata
        .and_then(|m| field(m, &["description"]))
        .map(|d| format!(" {}", text(d)))
        .unwrap_or_default();
    let link = format!("<a href=\"{}\">{}</a>", text(url), text(title));
    figure_if_captioned(
        format!("<p class=\"embed\">{link}{description}</p>"),
        payload,
    )
}

/// `block` with its card's caption, in a figure when there is one.
fn figure_if_captioned(block: String, payload: &Map<String, Value>) -> String {
    match caption(payload) {
        figcaption if figcaption.is_empty() => block,
        figcaption => format!("<figure>{block}{figcaption}</figure>"),
    }
}

/// Text of a field Ghost keeps as HTML where only a line of text may stand (a summary, a
/// heading): its tags left out, its text escaped again.
fn inline_text(payload: &Map<String, Value>, keys: &[&str]) -> String {
    text(&plain(field(payload, keys).unwrap_or_default()))
}

/// The text of a short piece of HTML (a caption, a heading): tags left out, entities decoded.
pub(super) fn plain(html: &str) -> String {
    let mut plain = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    crate::html::decode_entities(&plain)
}

/// A callout: its text (HTML in lexical, text in mobiledoc) in an aside, the emoji leading its
/// first paragraph.
fn callout(payload: &Map<String, Value>) -> String {
    let body = field(payload, &["calloutText"]).unwrap_or_default();
    let body = if body.starts_with('<') {
        body.to_owned()
    } else {
        format!("<p>{body}</p>")
    };
    let body = match field(payload, &["calloutEmoji"]) {
        Some(emoji) if body.starts_with("<p>") => {
            body.replacen("<p>", &format!("<p>{} ", text(emoji)), 1)
        }
        Some(emoji) => format!("<p>{}</p>{body}", text(emoji)),
        None => body,
    };
    format!("<aside>{body}</aside>")
}

fn toggle(payload: &Map<String, Value>) -> String {
    let heading = inline_text(payload, &["heading"]);
    let content = field(payload, &["content"]).unwrap_or_default();
    format!("<details><summary>{heading}</summary>{content}</details>")
}

fn button(payload: &Map<String, Value>) -> String {
    match (
        field(payload, &["buttonUrl", "url"]),
        field(payload, &["buttonText", "text"]),
    ) {
        (Some(url), Some(label)) => {
            format!("<p><a href=\"{}\">{}</a></p>", text(url), text(label))
        }
        _ => String::new(),
    }
}

fn header(payload: &Map<String, Value>) -> String {
    let heading = inline_text(payload, &["header", "heading"]);
    let sub = field(payload, &["subheader", "subheading"])
        .map(|s| format!("<p>{s}</p>"))
        .unwrap_or_default();
    let button = button(payload);
    format!("<h2>{heading}</h2>{sub}{button}")
}

fn code(payload: &Map<String, Value>) -> String {
    let code = field(payload, &["code"]).unwrap_or_default();
    let class = field(payload, &["language"])
        .map(|l| format!(" class=\"language-{}\"", text(l)))
        .unwrap_or_default();
    figure_if_captioned(
        format!("<pre><code{class}>{}</code></pre>", text(code)),
        payload,
    )
}

/// Media that plays elsewhere (audio, video, a file): a link to it.
fn media(payload: &Map<String, Value>) -> String {
    match field(payload, &["src"]) {
        Some(src) => {
            let name = field(payload, &["title", "fileName", "fileTitle"]).unwrap_or(src);
            format!("<p><a href=\"{}\">{}</a></p>", text(src), text(name))
        }
        None => String::new(),
    }
}

/// The HTML of the card `name` with `payload`; `None` for a card that holds nothing readers
/// see (a paywall marker, email-only content) or that this import does not know.
pub(super) fn card(name: &str, payload: &Map<String, Value>) -> Option<String> {
    let html = match name {
        "image" => image(payload),
        "gallery" => gallery(payload),
        "bookmark" => link_card(payload),
        "embed" => match field(payload, &["url"]) {
            Some(_) => link_card(payload),
            None => field(payload, &["html"]).unwrap_or_default().to_owned(),
        },
        "callout" => callout(payload),
        "toggle" => toggle(payload),
        "button" => button(payload),
        "header" => header(payload),
        "code" | "codeblock" => code(payload),
        "markdown" | "card-markdown" => markdown(field(payload, &["markdown"]).unwrap_or_default()),
        "html" => field(payload, &["html"]).unwrap_or_default().to_owned(),
        "hr" | "horizontalrule" => "<hr>".to_owned(),
        "audio" | "video" | "file" => media(payload),
        "blockquote" | "aside" => format!(
            "<blockquote>{}</blockquote>",
            field(payload, &["text", "html"]).unwrap_or_default()
        ),
        _ => return None,
    };
    Some(html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn of(name: &str, payload: Value) -> String {
        card(name, payload.as_object().unwrap()).unwrap()
    }

    #[test]
    fn every_card_becomes_plain_html() {
        assert_eq!(
            of(
                "image",
                json!({"src": "/content/images/a.jpg", "alt": "A \"boat\"", "caption": "The <b>boat</b>."})
            ),
            "<figure><img src=\"/content/images/a.jpg\" alt=\"A &quot;boat&quot;\"><figcaption>The <b>boat</b>.</figcaption></figure>"
        );
        let gallery = of(
            "gallery",
            json!({"images": [{"src": "/a.jpg"}, {"src": "/b.jpg", "alt": "B"}]}),
        );
        assert_eq!(gallery.matches("<img").count(), 2, "{gallery}");
        let bookmark = of(
            "bookmark",
            json!({"url": "https://example.com/x", "metadata": {"title": "X & Y", "description": "About X."}}),
        );
        assert_eq!(
            bookmark,
            "<p class=\"embed\"><a href=\"https://example.com/x\">X &amp; Y</a> About X.</p>"
        );
        assert!(
            of(
                "embed",
                json!({"url": "https://www.youtube.com/watch?v=1", "html": "<iframe></iframe>"})
            )
            .contains("href=\"https://www.youtube.com/watch?v=1\"")
        );
        assert_eq!(
            of(
                "callout",
                json!({"calloutEmoji": "💡", "calloutText": "Note <i>this</i>."})
            ),
            "<aside><p>💡 Note <i>this</i>.</p></aside>"
        );
        assert_eq!(
            of(
                "callout",
                json!({"calloutEmoji": "⚠️", "calloutText": "<p>Careful.</p>"})
            ),
            "<aside><p>⚠️ Careful.</p></aside>"
        );
        assert_eq!(
            of(
                "toggle",
                json!({"heading": "Why?", "content": "<p>Because.</p>"})
            ),
            "<details><summary>Why?</summary><p>Because.</p></details>"
        );
        assert_eq!(
            of(
                "button",
                json!({"buttonText": "Subscribe", "buttonUrl": "https://example.com/s"})
            ),
            "<p><a href=\"https://example.com/s\">Subscribe</a></p>"
        );
        assert_eq!(
            of(
                "header",
                json!({"header": "Big news", "subheader": "Read on"})
            ),
            "<h2>Big news</h2><p>Read on</p>"
        );
        assert_eq!(
            of("code", json!({"code": "a < b", "language": "rust"})),
            "<pre><code class=\"language-rust\">a &lt; b</code></pre>"
        );
        assert_eq!(
            of("markdown", json!({"markdown": "Some *text*."})),
            "<p>Some <em>text</em>.</p>\n"
        );
        assert_eq!(
            embeds_as_links(
                "<p>A</p><figure class=\"kg-card kg-embed-card\"><IFRAME width=\"200\" \
                 src=\"//www.youtube.com/embed/x1?feature=oembed&amp;a=b\" allowfullscreen></iframe>\
                 <figcaption>Clip</figcaption></figure><iframe data-src=\"x\"></iframe><p>B</p>"
            ),
            "<p>A</p><figure class=\"kg-card kg-embed-card\"><p class=\"embed\">\
             <a href=\"https://www.youtube.com/embed/x1?feature=oembed&amp;a=b\">\
             https://www.youtube.com/embed/x1?feature=oembed&amp;a=b</a></p>\
             <figcaption>Clip</figcaption></figure><p>B</p>"
        );
        assert_eq!(
            embeds_as_links("<p>an <iframe src='/x'"),
            "<p>an <p class=\"embed\"><a href=\"/x\">/x</a></p>"
        );
        let mut dropped = Vec::new();
        let hidden = json!({"src": "/x.jpg", "visibility": {"web": {"nonMember": false}}});
        let mut drop = |name: &str, payload: Value| {
            card_or_dropped(name, payload.as_object().unwrap(), &mut dropped)
        };
        assert_eq!(drop("image", hidden), "");
        assert_eq!(drop("paywall", json!({})), "");
        assert_eq!(drop("product", json!({})), "");
        assert_eq!(dropped, ["image (for members only)", "product"]);
        assert_eq!(
            of(
                "toggle",
                json!({"heading": "<p>Why <b>this</b>?</p>", "content": "<p>Because.</p>"})
            ),
            "<details><summary>Why this?</summary><p>Because.</p></details>"
        );
    }
}
