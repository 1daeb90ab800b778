//! WordPress exports (WXR 1.0–1.2) → story drafts: each post with its author's display name,
//! categories (the first becomes the section) and tags, excerpt, status and dates, and its
//! featured image with the caption, alt text and credit WordPress kept for it.

use std::collections::HashMap;
use std::path::PathBuf;

use byline_core::{Headline, RawBody};
use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::NsReader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use crate::ninjs::{PubStatus, RenditionHref, WirePicture, WireStory};
use crate::php::{Php, unserialize};

/// Why an export cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WxrError {
    #[error("not well-formed XML at line {line}: {message}")]
    Xml { line: usize, message: String },
    #[error("not a WordPress export: {0}")]
    NotWxr(String),
}

/// Which vocabulary an element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Ns {
    Wp,
    Excerpt,
    Content,
    Dc,
    None,
    Other,
}

fn ns_of(uri: Option<&str>) -> Ns {
    let Some(uri) = uri else { return Ns::None };
    let uri = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"));
    let Some(uri) = uri else { return Ns::Other };
    if uri.starts_with("wordpress.org/export/") {
        if uri.trim_end_matches('/').ends_with("/excerpt") {
            Ns::Excerpt
        } else {
            Ns::Wp
        }
    } else if uri == "purl.org/rss/1.0/modules/content/" {
        Ns::Content
    } else if uri == "purl.org/dc/elements/1.1/" {
        Ns::Dc
    } else {
        Ns::Other
    }
}

/// One `<item>`: its simple fields, categories and meta.
#[derive(Debug, Default)]
struct Item {
    fields: HashMap<(Ns, String), String>,
    /// (domain, name) of each `<category>`.
    categories: Vec<(String, String)>,
    meta: HashMap<String, String>,
    /// The line the item starts on, for messages.
    line: usize,
}

impl Item {
    fn get(&self, ns: Ns, name: &str) -> Option<&str> {
        self.fields
            .get(&(ns, name.to_owned()))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
}

/// A whole export, read.
#[derive(Debug, Default)]
struct Export {
    items: Vec<Item>,
    /// Author login → display name.
    authors: HashMap<String, String>,
    site: Option<String>,
}

/// An item of the export that is not imported as a story, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub reason: String,
}

/// What an export holds: its posts as drafts (or why one cannot be), and what was left out.
#[derive(Debug)]
pub struct WxrFile {
    pub stories: Vec<(usize, Result<WireStory, String>)>,
    pub skipped: Vec<Skipped>,
}

/// Reads an export. `uploads`, when given, is a copy of the site's `wp-content/uploads`
/// folder: featured images are taken from there instead of being linked where they live.
pub fn parse_file(text: &str, uploads: Option<PathBuf>) -> Result<WxrFile, WxrError> {
    let export = read(text)?;
    let by_id: HashMap<&str, &Item> = export
        .items
        .iter()
        .filter(|i| i.get(Ns::Wp, "post_type") == Some("attachment"))
        .filter_map(|i| Some((i.get(Ns::Wp, "post_id")?, i)))
        .collect();
    let mut file = WxrFile {
        stories: Vec::new(),
        skipped: Vec::new(),
    };
    for item in &export.items {
        match item.get(Ns::Wp, "post_type").unwrap_or("post") {
            "post" => {
                let story = story(&export, item, &by_id, uploads.as_ref());
                file.stories.push((item.line, story));
            }
            "attachment" => {}
            other => file.skipped.push(Skipped {
                line: item.line,
                reason: format!("a {other}, not a post"),
            }),
        }
    }
    Ok(file)
}

fn line_at(text: &str, offset: u64) -> usize {
    let end = (offset as usize).min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Reads the items, authors and site address of an export.
fn read(text: &str) -> Result<Export, WxrError> {
    let mut reader = NsReader::from_str(text);
    let mut export = Export::default();
    // Open elements: (namespace, local name).
    let mut path: Vec<(Ns, String)> = Vec::new();
    let mut item: Option<Item> = None;
    let mut buffer = String::new();
    let mut category_domain = String::new();
    let (mut meta_key, mut author_login) = (String::new(), String::new());
    let mut saw_rss = false;
    loop {
        let at = reader.buffer_position();
        let (namespace, event) = match reader.read_resolved_event() {
            Ok(read) => read,
            Err(e) => {
                let message = e.to_string();
                return Err(WxrError::Xml {
                    line: line_at(text, reader.error_position()),
                    message,
                });
            }
        };
        let ns = match namespace {
            ResolveResult::Bound(uri) => ns_of(Some(uri.as_ref())),
            _ => ns_of(None),
        };
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                saw_rss |= path.is_empty() && name == "rss";
                if name == "item" && ns == Ns::None && item.is_none() {
                    item = Some(Item {
                        line: line_at(text, at),
                        ..Item::default()
                    });
                }
                if name == "category" && ns == Ns::None {
                    category_domain = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == "domain")
                        .map(|a| a.value.to_string())
                        .unwrap_or_else(|| "category".into());
                }
                path.push((ns, name));
                buffer.clear();
            }
            Event::Text(t) => buffer.push_str(&t.xml10_content()),
            Event::CData(t) => buffer.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) => buffer.push(c),
                _ => buffer.push_str(resolve_predefined_entity(&r.into_inner()).unwrap_or("")),
            },
            Event::End(_) => {
                let Some((ns, name)) = path.pop() else { break };
                let value = std::mem::take(&mut buffer);
                let parent = path.last().map(|(n, l)| (*n, l.as_str()));
                if ns == Ns::None && name == "item" {
                    export.items.extend(item.take());
                    continue;
                }
                match (&mut item, parent, ns, name.as_str()) {
                    (Some(i), Some((Ns::None, "item")), Ns::None, "category") => {
                        i.categories
                            .push((category_domain.clone(), value.trim().to_owned()));
                    }
                    (Some(i), Some((Ns::None, "item")), _, _) => {
                        i.fields.insert((ns, name), value);
                    }
                    (Some(_), Some((Ns::Wp, "postmeta")), Ns::Wp, "meta_key") => {
                        meta_key = value.trim().to_owned();
                    }
                    (Some(i), Some((Ns::Wp, "postmeta")), Ns::Wp, "meta_value") => {
                        i.meta.insert(std::mem::take(&mut meta_key), value);
                    }
                    (None, Some((Ns::Wp, "author")), Ns::Wp, "author_login") => {
                        author_login = value.trim().to_owned();
                    }
                    (None, Some((Ns::Wp, "author")), Ns::Wp, "author_display_name") => {
                        let display = value.trim().to_owned();
                        if !display.is_empty() {
                            export.authors.insert(author_login.clone(), display);
                        }
                    }
                    (None, Some((Ns::None, "channel")), Ns::None, "link") => {
                        export.site = Some(value.trim().to_owned()).filter(|s| !s.is_empty());
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(WxrError::Xml {
            line: line_at(text, text.len() as u64),
            message: format!(
                "the file ends inside <{}>",
                path.last().map_or("", |p| &p.1)
            ),
        });
    }
    if !saw_rss {
        return Err(WxrError::NotWxr("its root element is not <rss>".into()));
    }
    Ok(export)
}

/// A WordPress time: `post_date_gmt` (`0000-00-00 00:00:00` for "not yet"), else the RSS
/// `pubDate`.
fn published(item: &Item) -> Option<DateTime<Utc>> {
    let gmt = item
        .get(Ns::Wp, "post_date_gmt")
        .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok())
        .map(|t| t.and_utc());
    gmt.or_else(|| {
        item.get(Ns::None, "pubDate")
            .and_then(|t| DateTime::parse_from_rfc2822(t).ok())
            .map(|t| t.with_timezone(&Utc))
    })
}

fn story(
    export: &Export,
    item: &Item,
    attachments: &HashMap<&str, &Item>,
    uploads: Option<&PathBuf>,
) -> Result<WireStory, String> {
    let title = match item.get(Ns::None, "title") {
        Some(title) => title.to_owned(),
        // WordPress allows untitled posts; their first words stand in, as in its own lists.
        None => item
            .get(Ns::Content, "encoded")
            .and_then(first_words)
            .ok_or("the post has neither a title nor any text")?,
    };
    let headline = Headline::parse(&title).map_err(|e| format!("title: {e}"))?;
    let post_id = item.get(Ns::Wp, "post_id");
    let external_id = match (item.get(Ns::None, "guid"), post_id, &export.site) {
        (Some(guid), _, _) => format!("wordpress:{guid}"),
        (None, Some(id), Some(site)) => format!("wordpress:{site}/?p={id}"),
        (None, Some(id), None) => format!("wordpress:?p={id}"),
        (None, None, _) => return Err("the post has neither a guid nor a post id".into()),
    };
    let first_created = published(item);
    let status = item.get(Ns::Wp, "status").unwrap_or("publish");
    // A password-protected post was never public: it stays a draft rather than go out bare.
    let protected = item.get(Ns::Wp, "post_password").is_some();
    let (pub_status, embargoed) = match status {
        _ if protected => (PubStatus::Draft, None),
        "publish" => (PubStatus::Usable, None),
        // A scheduled post is published at its time, as WordPress would.
        "future" => (PubStatus::Usable, first_created),
        "trash" => (PubStatus::Canceled, None),
        _ => (PubStatus::Draft, None),
    };
    let body = match item.get(Ns::Content, "encoded") {
        Some(html) => RawBody::Html(paragraphs(&strip_shortcodes(html))),
        None => RawBody::Empty,
    };
    let byline = item.get(Ns::Dc, "creator").map(|login| {
        export
            .authors
            .get(login)
            .cloned()
            .unwrap_or_else(|| login.to_owned())
    });
    let named = |domain: &str| -> Vec<String> {
        item.categories
            .iter()
            .filter(|(d, name)| d == domain && !name.is_empty() && name != "Uncategorized")
            .map(|(_, name)| name.clone())
            .collect()
    };
    let picture = item
        .meta
        .get("_thumbnail_id")
        .and_then(|id| attachments.get(id.trim()))
        .and_then(|attachment| featured(attachment, uploads));
    Ok(WireStory {
        external_id,
        version: None,
        headline,
        standfirst: item.get(Ns::Excerpt, "encoded").map(str::to_owned),
        body,
        byline,
        language: None,
        first_created,
        version_created: item
            .get(Ns::Wp, "post_modified_gmt")
            .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok())
            .map(|t| t.and_utc())
            .or(first_created),
        embargoed,
        pub_status,
        section: named("category").into_iter().next(),
        subjects: named("post_tag"),
        picture,
    })
}

/// A featured image: its file (from the uploads copy when given), the caption WordPress keeps
/// as the attachment's excerpt (else its description), its alt text, and the credit, caption
/// and size WordPress read from the file into `_wp_attachment_metadata`.
fn featured(attachment: &Item, uploads: Option<&PathBuf>) -> Option<WirePicture> {
    let url = attachment
        .get(Ns::Wp, "attachment_url")
        .or_else(|| attachment.get(Ns::None, "guid"))?;
    let metadata = attachment
        .meta
        .get("_wp_attachment_metadata")
        .and_then(|m| unserialize(m));
    let image_meta = metadata.as_ref().and_then(|m| m.get("image_meta"));
    let from_meta = |key: &str| image_meta.and_then(|m| m.get(key)).and_then(Php::text);
    let href = match (uploads, url.split_once("/wp-content/uploads/")) {
        (Some(folder), Some((_, path))) => RenditionHref::InFolder {
            folder: folder.clone(),
            path: path.to_owned(),
        },
        _ if url.starts_with("https://") || url.starts_with("http://") => {
            RenditionHref::Remote(url.to_owned())
        }
        _ => return None,
    };
    let dimension = |key: &str| {
        metadata
            .as_ref()
            .and_then(|m| m.get(key))
            .and_then(Php::dimension)
    };
    Some(WirePicture {
        href,
        credit: from_meta("credit"),
        caption: attachment
            .get(Ns::Excerpt, "encoded")
            .or_else(|| attachment.get(Ns::Content, "encoded"))
            .map(str::to_owned)
            .or_else(|| from_meta("caption")),
        alt: attachment
            .meta
            .get("_wp_attachment_image_alt")
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty()),
        width: dimension("width"),
        height: dimension("height"),
        content_type: attachment.get(Ns::Wp, "post_mime_type").map(str::to_owned),
    })
}

/// The first ten words of an HTML text, with an ellipsis when there are more.
fn first_words(html: &str) -> Option<String> {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut line = words.iter().take(10).copied().collect::<Vec<_>>().join(" ");
    if words.len() > 10 {
        line.push('…');
    }
    (!line.is_empty()).then_some(line)
}

/// WordPress's shortcodes (`[caption …]`, `[gallery]`, …) removed, their inner text kept.
fn strip_shortcodes(html: &str) -> String {
    const CODES: [&str; 8] = [
        "caption",
        "wp_caption",
        "gallery",
        "embed",
        "audio",
        "video",
        "playlist",
        "wpvideo",
    ];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name: String = after
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        match after.find(']') {
            Some(close) if CODES.contains(&name.as_str()) => rest = &after[close + 1..],
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// WordPress's paragraphs: text separated by blank lines becomes `<p>`s and single line
/// breaks `<br>`, as WordPress does when it shows a post; blocks already in HTML stay as they
/// are.
fn paragraphs(html: &str) -> String {
    const BLOCKS: [&str; 16] = [
        "<p",
        "<div",
        "<h1",
        "<h2",
        "<h3",
        "<h4",
        "<h5",
        "<h6",
        "<ul",
        "<ol",
        "<blockquote",
        "<figure",
        "<table",
        "<pre",
        "<!--",
        "<hr",
    ];
    let text = html.replace("\r\n", "\n");
    text.split("\n\n")
        .map(str::trim)
        .filter(|chunk| !chunk.is_empty())
        .map(|chunk| {
            let lower = chunk.to_ascii_lowercase();
            if BLOCKS.iter().any(|b| lower.starts_with(b)) {
                chunk.to_owned()
            } else {
                format!("<p>{}</p>", chunk.replace('\n', "<br>\n"))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests;
