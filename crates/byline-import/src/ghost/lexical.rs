//! Lexical (Ghost 5.x and later) as HTML: the editor's tree of paragraphs, headings, quotes,
//! lists, links and formatted text, with Ghost's cards where they stand.

use serde_json::Value;

use super::cards::{Converted, MAX_HTML, card_or_dropped, text};

/// How deep a document may nest before the rest is left out (a list in a list in a quote…);
/// no real post comes near it, and a hostile file cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// The HTML of a lexical document (with the cards left out, by name); an error names what is
/// not lexical.
pub(super) fn to_html(doc: &Value) -> Result<Converted, String> {
    let root = doc.get("root").ok_or("lexical without a root")?;
    let mut out = Out::default();
    children(root, &mut out, 0);
    if out.html.len() > MAX_HTML {
        let megabytes = MAX_HTML / (1024 * 1024);
        return Err(format!("the document grows past {megabytes} MB of HTML"));
    }
    Ok(Converted {
        html: out.html,
        dropped: out.dropped,
    })
}

/// The HTML so far, and the cards left out.
#[derive(Default)]
struct Out {
    html: String,
    dropped: Vec<String>,
}

impl Out {
    fn push_str(&mut self, text: &str) {
        self.html.push_str(text);
    }

    fn push(&mut self, c: char) {
        self.html.push(c);
    }
}

fn children(node: &Value, out: &mut Out, depth: usize) {
    if depth > MAX_DEPTH || out.html.len() > MAX_HTML {
        return;
    }
    for child in node
        .get("children")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        one(child, out, depth + 1);
    }
}

/// Wraps a node's children in `tag`.
fn wrapped(tag: &str, node: &Value, out: &mut Out, depth: usize) {
    out.push_str(&format!("<{tag}>"));
    children(node, out, depth);
    out.push_str(&format!("</{tag}>"));
}

fn one(node: &Value, out: &mut Out, depth: usize) {
    let kind = node.get("type").and_then(Value::as_str).unwrap_or_default();
    match kind {
        "paragraph" => wrapped("p", node, out, depth),
        "heading" | "extended-heading" => {
            let tag = node
                .get("tag")
                .and_then(Value::as_str)
                .filter(|t| matches!(*t, "h1" | "h2" | "h3" | "h4" | "h5" | "h6"))
                .unwrap_or("h2");
            wrapped(tag, node, out, depth);
        }
        "quote" | "extended-quote" | "aside" => wrapped("blockquote", node, out, depth),
        "list" => {
            let tag = match node.get("listType").and_then(Value::as_str) {
                Some("number") => "ol",
                _ => match node.get("tag").and_then(Value::as_str) {
                    Some("ol") => "ol",
                    _ => "ul",
                },
            };
            wrapped(tag, node, out, depth);
        }
        "listitem" => wrapped("li", node, out, depth),
        "link" | "autolink" => {
            let url = node.get("url").and_then(Value::as_str).unwrap_or_default();
            out.push_str(&format!("<a href=\"{}\">", text(url)));
            children(node, out, depth);
            out.push_str("</a>");
        }
        "text" | "extended-text" => formatted(node, out),
        "linebreak" => out.push_str("<br>"),
        "tab" => out.push(' '),
        _ => match node.as_object() {
            // A node with children is no card: whatever text it holds is kept.
            Some(payload) if !payload.contains_key("children") => {
                let html = card_or_dropped(kind, payload, &mut out.dropped);
                out.push_str(&html);
            }
            _ => children(node, out, depth),
        },
    }
}

/// Text with its format bits as elements: 1 bold, 2 italic, 4 struck through, 8 underlined,
/// 16 code, 32 subscript, 64 superscript, 128 highlighted.
fn formatted(node: &Value, out: &mut Out) {
    let value = node.get("text").and_then(Value::as_str).unwrap_or_default();
    let format = node.get("format").and_then(Value::as_u64).unwrap_or(0);
    let tags: Vec<&str> = [
        (1, "strong"),
        (2, "em"),
        (4, "s"),
        (8, "u"),
        (16, "code"),
        (32, "sub"),
        (64, "sup"),
        (128, "mark"),
    ]
    .iter()
    .filter(|(bit, _)| format & bit != 0)
    .map(|(_, tag)| *tag)
    .collect();
    for tag in &tags {
        out.push_str(&format!("<{tag}>"));
    }
    out.push_str(&text(value));
    for tag in tags.iter().rev() {
        out.push_str(&format!("</{tag}>"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_tree_becomes_html_with_its_cards() {
        let doc = json!({"root": {"type": "root", "children": [
            {"type": "heading", "tag": "h3", "children": [{"type": "text", "text": "Section"}]},
            {"type": "paragraph", "children": [
                {"type": "text", "text": "Bold and italic", "format": 3},
                {"type": "linebreak"},
                {"type": "link", "url": "https://example.com/?a&b", "children": [{"type": "text", "text": "a <link>"}]}
            ]},
            {"type": "list", "listType": "number", "children": [
                {"type": "listitem", "children": [{"type": "text", "text": "one"}]},
                {"type": "listitem", "children": [{"type": "list", "listType": "bullet", "children": [
                    {"type": "listitem", "children": [{"type": "text", "text": "nested"}]}]}]}
            ]},
            {"type": "quote", "children": [{"type": "text", "text": "Said."}]},
            {"type": "callout", "calloutText": "<p>Careful.</p>", "calloutEmoji": "⚠️"},
            {"type": "paywall"},
            {"type": "horizontalrule"},
            {"type": "unknown-thing", "children": [{"type": "text", "text": "kept"}]}
        ]}});
        assert_eq!(
            to_html(&doc).unwrap().html,
            "<h3>Section</h3>\
             <p><strong><em>Bold and italic</em></strong><br><a href=\"https://example.com/?a&amp;b\">a &lt;link&gt;</a></p>\
             <ol><li>one</li><li><ul><li>nested</li></ul></li></ol>\
             <blockquote>Said.</blockquote>\
             <aside><p>⚠️ Careful.</p></aside>\
             <hr>kept"
        );
        assert!(to_html(&json!({"nodes": []})).is_err());
    }

    #[test]
    fn a_hostile_depth_is_cut_not_followed() {
        let mut node = json!({"type": "text", "text": "deep"});
        for _ in 0..500 {
            node = json!({"type": "quote", "children": [node]});
        }
        let html = to_html(&json!({"root": {"children": [node]}}))
            .unwrap()
            .html;
        assert!(!html.contains("deep"));
    }
}
