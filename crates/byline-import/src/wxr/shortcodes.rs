//! WordPress shortcodes in a post's text: `[caption]` becomes a figure with its caption,
//! `[embed]` and the embed plugins' codes become link cards ([`super::embeds`]), `[audio]` and
//! `[video]` a link to their file; every other shortcode is removed (an enclosing one keeps
//! its content, `[dropcap]M[/dropcap]` → `M`) and counted for the report. `[[code]]` is
//! WordPress's way of writing a literal `[code]`.

use std::collections::{BTreeMap, HashMap};

use super::embeds;

/// Square-bracketed text is a shortcode when its name is known, or when it has what only a
/// shortcode has: attributes (`=`), a closing `[/name]`, a self-closing `/`, or a `_`/`-` in
/// its name. A bare `[sic]` or `[1]` in a story's text stays text.
const KNOWN: [&str; 20] = [
    "caption",
    "wp_caption",
    "gallery",
    "embed",
    "audio",
    "video",
    "playlist",
    "wpvideo",
    "youtube",
    "vimeo",
    "tweet",
    "twitter",
    "instagram",
    "facebook",
    "tiktok",
    "soundcloud",
    "spotify",
    "contact-form",
    "contact_form",
    "googlemaps",
];

/// Shortcodes removed from one text, by name.
pub type Removed = BTreeMap<String, usize>;

/// Adds the counts of `more` to `into`.
pub fn add_removed(into: &mut Removed, more: Removed) {
    for (name, n) in more {
        *into.entry(name).or_default() += n;
    }
}

/// One opening `[name attrs]` found at a position.
struct Opening<'a> {
    name: &'a str,
    attrs: &'a str,
    /// Byte just after the `]`.
    end: usize,
    self_closing: bool,
}

/// Longest opening tag read as a shortcode (`[name attributes]`).
const MAX_TAG: usize = 4096;

/// How deep shortcodes are expanded inside one another; deeper ones stay as written.
const MAX_DEPTH: usize = 8;

fn opening_at(text: &str, at: usize) -> Option<Opening<'_>> {
    let rest = &text[at + 1..];
    let name_len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        .map_or(rest.len(), |(i, _)| i);
    let name = &rest[..name_len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let after = &rest[name_len..];
    if !(after.starts_with(']') || after.starts_with(char::is_whitespace) || after.starts_with('/'))
    {
        return None;
    }
    // The closing bracket, outside quoted attribute values. A `[` ends the search (so that
    // searches from one `[` to the next never overlap), and so does the length limit.
    let mut quote = None;
    let mut close = None;
    for (i, c) in after.char_indices() {
        if i > MAX_TAG || c == '[' {
            return None;
        }
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, ']') => {
                close = Some(i);
                break;
            }
            _ => {}
        }
    }
    let close = close?;
    let inside = after[..close].trim();
    let self_closing = inside.ends_with('/');
    Some(Opening {
        name,
        attrs: inside.trim_end_matches('/').trim(),
        end: at + 1 + name_len + close + 1,
        self_closing,
    })
}

/// Where each shortcode name is closed (`[/name]`), in order: one pass over the text.
fn closings(text: &str) -> HashMap<&str, Vec<usize>> {
    let mut found: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut at = 0;
    while let Some(offset) = text[at..].find("[/") {
        let start = at + offset;
        let rest = &text[start + 2..];
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        if name_len > 0 && rest[name_len..].starts_with(']') {
            found.entry(&rest[..name_len]).or_default().push(start);
        }
        at = start + 2;
    }
    found
}

/// The text with its shortcodes expanded or removed; what was removed is added to `removed`.
/// Linear in the text's length: closing tags are found once, openings never read past the
/// next `[`, and nesting deeper than [`MAX_DEPTH`] is left as written.
pub(crate) fn expand(text: &str, removed: &mut Removed) -> String {
    if !text.contains('[') {
        return text.to_owned();
    }
    let closings = closings(text);
    let mut out = String::with_capacity(text.len());
    expand_range(text, (0, text.len()), 0, &closings, removed, &mut out);
    out
}

fn expand_range(
    text: &str,
    (start, end): (usize, usize),
    depth: usize,
    closings: &HashMap<&str, Vec<usize>>,
    removed: &mut Removed,
    out: &mut String,
) {
    let mut at = start;
    while let Some(found) = text[at..end].find('[') {
        let open = at + found;
        out.push_str(&text[at..open]);
        // `[[name]]` is a literal `[name]`.
        if text[open..end].starts_with("[[")
            && let Some(inner) = opening_at(text, open + 1)
            && inner.end < end
            && text[inner.end..].starts_with(']')
        {
            out.push_str(&text[open + 1..inner.end]);
            at = inner.end + 1;
            continue;
        }
        let Some(opening) = opening_at(text, open).filter(|o| o.end <= end) else {
            out.push('[');
            at = open + 1;
            continue;
        };
        let closing_len = opening.name.len() + 3;
        let close = (!opening.self_closing)
            .then(|| closings.get(opening.name))
            .flatten()
            .and_then(|list| {
                let first = list.partition_point(|p| *p < opening.end);
                list.get(first).copied().filter(|p| p + closing_len <= end)
            });
        let is_shortcode = KNOWN.contains(&opening.name)
            || close.is_some()
            || opening.self_closing
            || opening.attrs.contains('=')
            || opening.name.contains(['_', '-']);
        if !is_shortcode || depth >= MAX_DEPTH {
            out.push('[');
            at = open + 1;
            continue;
        }
        let (inner, next) = match close {
            Some(c) => {
                let mut inner = String::new();
                expand_range(
                    text,
                    (opening.end, c),
                    depth + 1,
                    closings,
                    removed,
                    &mut inner,
                );
                (Some(inner), c + closing_len)
            }
            None => (None, opening.end),
        };
        out.push_str(&replacement(&opening, inner, removed));
        at = next;
    }
    out.push_str(&text[at..end]);
}

/// What a shortcode becomes, given its content already expanded.
fn replacement(opening: &Opening<'_>, inner: Option<String>, removed: &mut Removed) -> String {
    let attrs = attributes(opening.attrs);
    let attr = |key: &str| {
        attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let url_in = || {
        attr("url")
            .or_else(|| attr("src"))
            .or_else(|| {
                attrs
                    .iter()
                    .find(|(k, _)| k.is_empty())
                    .map(|(_, v)| v.as_str())
            })
            .map(str::to_owned)
            .or_else(|| inner.as_deref().map(|c| c.trim().to_owned()))
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
    };
    match opening.name {
        "caption" | "wp_caption" => figure(inner.as_deref().unwrap_or_default(), attr("caption")),
        "embed" | "youtube" | "vimeo" | "tweet" | "twitter" | "instagram" | "facebook"
        | "tiktok" | "soundcloud" | "spotify" => match url_in() {
            Some(url) => embeds::card(&url),
            None => count(removed, opening.name),
        },
        "audio" | "video" => {
            let file = [
                "src", "mp3", "m4a", "ogg", "wav", "mp4", "webm", "ogv", "m4v",
            ]
            .iter()
            .find_map(|k| attr(k))
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
            match file {
                Some(url) => embeds::media_link(opening.name, url),
                None => count(removed, opening.name),
            }
        }
        _ => {
            count(removed, opening.name);
            inner.unwrap_or_default()
        }
    }
}

fn count(removed: &mut Removed, name: &str) -> String {
    *removed.entry(name.to_owned()).or_default() += 1;
    String::new()
}

/// `[caption]`'s content: the image (with the link around it) then the caption text, or the
/// caption in the old `caption="…"` attribute.
fn figure(content: &str, caption_attr: Option<&str>) -> String {
    let content = content.trim();
    let lower = content.to_ascii_lowercase();
    let Some(img) = lower.find("<img") else {
        return content.to_owned();
    };
    let mut media_end = lower[img..]
        .find('>')
        .map_or(content.len(), |e| img + e + 1);
    let after = lower[media_end..].trim_start();
    if after.starts_with("</a>") {
        media_end = lower.len() - after.len() + "</a>".len();
    }
    let media = &content[..media_end];
    let caption = match content[media_end..].trim() {
        "" => caption_attr.unwrap_or_default().trim(),
        text => text,
    };
    if caption.is_empty() {
        format!("\n<figure>{media}</figure>\n")
    } else {
        format!("\n<figure>{media}<figcaption>{caption}</figcaption></figure>\n")
    }
}

/// `key="value"`, `key='value'`, `key=value` and bare values (key `""`), as WordPress reads
/// shortcode attributes.
fn attributes(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let key_len = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let (key, after) = rest.split_at(key_len);
        let after = after.trim_start();
        if let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start();
            let (v, next) = match value.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let end = value[1..].find(q).map_or(value.len(), |e| e + 1);
                    (&value[1..end], value.get(end + 1..).unwrap_or_default())
                }
                _ => {
                    let end = value.find(char::is_whitespace).unwrap_or(value.len());
                    (&value[..end], &value[end..])
                }
            };
            found.push((key.to_ascii_lowercase(), v.to_owned()));
            rest = next.trim_start();
        } else {
            let bare = key.trim_matches(['"', '\'']);
            found.push((String::new(), bare.to_owned()));
            rest = after;
        }
    }
    found
}
