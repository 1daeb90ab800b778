//! Mobiledoc (Ghost 1.x to 4.x) as HTML: markup sections, lists, images and cards in order,
//! markers with their markups (links, emphasis) opened and closed as the format counts them.

use serde_json::Value;

use super::cards::{Converted, MAX_HTML, text};

/// The HTML of a mobiledoc document (with the cards left out, by name); an error names what is
/// not mobiledoc, or a document that would grow past [`MAX_HTML`] (its cards and atoms can be
/// named again and again).
pub(super) fn to_html(doc: &Value) -> Result<Converted, String> {
    let sections = doc
        .get("sections")
        .and_then(Value::as_array)
        .ok_or("mobiledoc without sections")?;
    let empty = Vec::new();
    let list = |key: &str| doc.get(key).and_then(Value::as_array).unwrap_or(&empty);
    let (markups, atoms, cards) = (list("markups"), list("atoms"), list("cards"));
    let mut out = String::new();
    let mut dropped = Vec::new();
    for section in sections {
        if out.len() > MAX_HTML {
            return Err(too_long());
        }
        let parts = section.as_array().ok_or("a section that is not a list")?;
        match parts.first().and_then(Value::as_i64) {
            // Markup section: [1, tag, markers].
            Some(1) => {
                let tag = block_tag(parts.get(1).and_then(Value::as_str).unwrap_or("p"));
                let inner = markers(parts.get(2), markups, atoms);
                out.push_str(&format!("<{tag}>{inner}</{tag}>"));
            }
            // Image section: [2, src].
            Some(2) => {
                if let Some(src) = parts.get(1).and_then(Value::as_str) {
                    out.push_str(&format!(
                        "<figure><img src=\"{}\" alt=\"\"></figure>",
                        text(src)
                    ));
                }
            }
            // List section: [3, "ul" | "ol", [markers, …]].
            Some(3) => {
                let tag = if parts.get(1).and_then(Value::as_str) == Some("ol") {
                    "ol"
                } else {
                    "ul"
                };
                out.push_str(&format!("<{tag}>"));
                for item in parts.get(2).and_then(Value::as_array).into_iter().flatten() {
                    out.push_str(&format!("<li>{}</li>", markers(Some(item), markups, atoms)));
                }
                out.push_str(&format!("</{tag}>"));
            }
            // Card section: [10, index].
            Some(10) => {
                let index = parts.get(1).and_then(Value::as_u64).unwrap_or(u64::MAX);
                let found = usize::try_from(index).ok().and_then(|i| cards.get(i));
                let (name, payload) = match found.and_then(Value::as_array).map(Vec::as_slice) {
                    Some([name, payload, ..]) => (name.as_str().unwrap_or_default(), payload),
                    _ => {
                        return Err(format!(
                            "a card section names card {index}, which is not there"
                        ));
                    }
                };
                let empty = serde_json::Map::new();
                let payload = payload.as_object().unwrap_or(&empty);
                out.push_str(&super::cards::card_or_dropped(name, payload, &mut dropped));
            }
            _ => return Err("a section of an unknown kind".into()),
        }
    }
    if out.len() > MAX_HTML {
        return Err(too_long());
    }
    Ok(Converted { html: out, dropped })
}

fn too_long() -> String {
    format!(
        "the document grows past {} MB of HTML",
        MAX_HTML / (1024 * 1024)
    )
}

/// The block element a markup section may be: anything else is a paragraph.
fn block_tag(tag: &str) -> &'static str {
    match tag.to_ascii_lowercase().as_str() {
        "h1" => "h1",
        "h2" => "h2",
        "h3" => "h3",
        "h4" => "h4",
        "h5" => "h5",
        "h6" => "h6",
        "blockquote" => "blockquote",
        "aside" => "blockquote",
        "pre" => "pre",
        _ => "p",
    }
}

/// The inline HTML of markers `[type, opened markups, closed count, value]`: type 0 is text,
/// 1 an atom (its text, or a line break for Ghost's `soft-return`). Markups close innermost
/// first; a markup left out still counts when they close.
fn markers(list: Option<&Value>, markups: &[Value], atoms: &[Value]) -> String {
    let mut out = String::new();
    let mut open: Vec<Option<String>> = Vec::new();
    for marker in list.and_then(Value::as_array).into_iter().flatten() {
        if out.len() > MAX_HTML {
            break;
        }
        let Some(parts) = marker.as_array() else {
            continue;
        };
        for index in parts.get(1).and_then(Value::as_array).into_iter().flatten() {
            let found = index
                .as_u64()
                .and_then(|i| markups.get(usize::try_from(i).ok()?));
            let opened = found.and_then(markup).map(|(tag, attributes)| {
                out.push_str(&format!("<{tag}{attributes}>"));
                tag
            });
            open.push(opened);
        }
        match parts.first().and_then(Value::as_i64) {
            Some(1) => {
                let atom = parts
                    .get(3)
                    .and_then(Value::as_u64)
                    .and_then(|i| atoms.get(usize::try_from(i).ok()?));
                let name = atom.and_then(|a| a.get(0)).and_then(Value::as_str);
                let value = atom
                    .and_then(|a| a.get(1))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                match name {
                    Some("soft-return") => out.push_str("<br>"),
                    _ => out.push_str(&text(value)),
                }
            }
            _ => out.push_str(&text(
                parts.get(3).and_then(Value::as_str).unwrap_or_default(),
            )),
        }
        // Never more than are open: the file's count is not trusted.
        let closed = parts.get(2).and_then(Value::as_u64).unwrap_or(0);
        let closed = usize::try_from(closed)
            .unwrap_or(usize::MAX)
            .min(open.len());
        for _ in 0..closed {
            if let Some(Some(tag)) = open.pop() {
                out.push_str(&format!("</{tag}>"));
            }
        }
    }
    while let Some(tag) = open.pop() {
        if let Some(tag) = tag {
            out.push_str(&format!("</{tag}>"));
        }
    }
    out
}

/// A markup `[tag, [name, value, …]]` as a tag and its attributes (only a link's `href` and
/// `rel` are kept).
fn markup(value: &Value) -> Option<(String, String)> {
    let parts = value.as_array()?;
    let tag = parts.first()?.as_str()?.to_ascii_lowercase();
    let allowed = [
        "a", "b", "strong", "i", "em", "u", "s", "sub", "sup", "code",
    ];
    if !allowed.contains(&tag.as_str()) {
        return None;
    }
    let mut attributes = String::new();
    if let Some(pairs) = parts.get(1).and_then(Value::as_array) {
        for pair in pairs.chunks(2) {
            if let [Value::String(name), Value::String(value)] = pair
                && matches!(name.as_str(), "href" | "rel")
            {
                attributes.push_str(&format!(" {name}=\"{}\"", text(value)));
            }
        }
    }
    Some((tag, attributes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sections_markers_and_cards_in_order() {
        let doc = json!({
            "version": "0.3.1",
            "atoms": [["soft-return", "", {}]],
            "markups": [["a", ["href", "https://example.com/?a=1&b=2"]], ["strong"]],
            "cards": [["image", {"src": "/content/images/x.jpg", "caption": "X."}], ["paywall", {}]],
            "sections": [
                [1, "h2", [[0, [], 0, "A heading"]]],
                [1, "p", [[0, [1], 0, "Bold "], [0, [0], 2, "link"], [0, [], 0, " & more"]]],
                [3, "ol", [[[0, [], 0, "one"]], [[0, [], 0, "two"]]]],
                [10, 0],
                [10, 1],
                [1, "blockquote", [[0, [], 0, "Said."]]]
            ]
        });
        assert_eq!(
            to_html(&doc).unwrap().html,
            "<h2>A heading</h2>\
             <p><strong>Bold <a href=\"https://example.com/?a=1&amp;b=2\">link</a></strong> &amp; more</p>\
             <ol><li>one</li><li>two</li></ol>\
             <figure><img src=\"/content/images/x.jpg\" alt=\"\"><figcaption>X.</figcaption></figure>\
             <blockquote>Said.</blockquote>"
        );
        let markdown = json!({"version": "0.3.1", "markups": [], "atoms": [],
            "cards": [["card-markdown", {"cardName": "card-markdown", "markdown": "# Title\n\nText with [a link](https://example.com)."}]],
            "sections": [[10, 0]]});
        assert!(
            to_html(&markdown)
                .unwrap()
                .html
                .contains("<a href=\"https://example.com\">a link</a>")
        );
        assert!(to_html(&json!({"sections": [[10, 4]], "cards": []})).is_err());
        assert!(to_html(&json!({"atoms": []})).is_err());
    }
}
