//! WordPress exports (WXR 1.0–1.2) → story drafts: each post with its author's display name,
//! categories (the first becomes the section) and tags, excerpt, status and dates, and its
//! featured image with the caption, alt text and credit WordPress kept for it.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use byline_core::{Headline, RawBody};
use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::NsReader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use crate::html::autop;
use crate::html::decode_entities;
use crate::ninjs::{PubStatus, WireStory};

mod addresses;
mod attachments;
mod embeds;
mod shortcodes;

pub use addresses::TermKind;
use addresses::{old_addresses, term_addresses};
use attachments::featured;
use byline_core::redirects::percent_decode;

pub use shortcodes::Removed;

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
    /// Each `<category>`: its domain (`category`, `post_tag`, …), `nicename` and name.
    categories: Vec<Term>,
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

/// A category or tag of an item.
#[derive(Debug, Default)]
struct Term {
    domain: String,
    nicename: Option<String>,
    name: String,
}

/// A whole export, read.
#[derive(Debug, Default)]
struct Export {
    items: Vec<Item>,
    /// Author login → display name.
    authors: HashMap<String, String>,
    site: Option<String>,
    /// The channel's `<language>` (`de-DE`): the language of every post.
    language: Option<String>,
    /// A category's nicename → its parent's, from the channel's `<wp:category>` list.
    category_parents: HashMap<String, String>,
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
    /// Shortcodes removed from the posts' text, by name, over the whole file.
    pub removed_shortcodes: Removed,
    /// The old site's addresses of the posts' sections, tags and authors: address → (kind,
    /// name).
    pub term_addresses: BTreeMap<String, (TermKind, String)>,
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
        removed_shortcodes: Removed::new(),
        term_addresses: BTreeMap::new(),
    };
    for item in &export.items {
        if let Some(missing) = not_well_formed(item) {
            file.skipped.push(Skipped {
                line: item.line,
                reason: format!("not a well-formed post: it has no {missing}"),
            });
            continue;
        }
        let reason = match item.get(Ns::Wp, "post_type").unwrap_or_default() {
            "post" => {
                let story = story(&export, item, &by_id, uploads.as_ref());
                if let Ok(story) = &story {
                    for (name, n) in &story.removed_shortcodes {
                        *file.removed_shortcodes.entry(name.clone()).or_default() += n;
                    }
                    term_addresses(&export, item, &mut file.term_addresses);
                }
                file.stories.push((item.line, story.map(|s| s.story)));
                continue;
            }
            "attachment" => continue,
            "page" => "a page: Byline has no pages yet".to_owned(),
            "nav_menu_item" => "a menu item: Byline has no menus yet".to_owned(),
            other => format!("a {other}, not a post"),
        };
        file.skipped.push(Skipped {
            line: item.line,
            reason,
        });
    }
    Ok(file)
}

/// What an item lacks to be a post WordPress wrote: its type, status or date.
fn not_well_formed(item: &Item) -> Option<String> {
    let mut missing = Vec::new();
    if item.get(Ns::Wp, "post_type").is_none() {
        missing.push("wp:post_type");
    }
    if item.get(Ns::Wp, "status").is_none() {
        missing.push("wp:status");
    }
    let dated = item.get(Ns::Wp, "post_date").is_some()
        || item.get(Ns::Wp, "post_date_gmt").is_some()
        || item.get(Ns::None, "pubDate").is_some();
    if !dated {
        missing.push("date (wp:post_date, pubDate)");
    }
    (!missing.is_empty()).then(|| missing.join(", "))
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
    let (mut category_domain, mut category_nicename) = (String::new(), None);
    let mut defined_category = (String::new(), String::new());
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
                    category_nicename = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == "nicename")
                        .map(|a| a.value.to_string())
                        .filter(|n| !n.is_empty());
                }
                path.push((ns, name));
                buffer.clear();
            }
            Event::Text(t) => buffer.push_str(&t.xml10_content()),
            Event::CData(t) => buffer.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) => buffer.push(c),
                // An HTML entity in an export that did not escape it (`&uuml;`) is kept, to
                // be read where the text is read as HTML.
                _ => {
                    let name = r.into_inner();
                    match resolve_predefined_entity(&name) {
                        Some(text) => buffer.push_str(text),
                        None => {
                            buffer.push('&');
                            buffer.push_str(&name);
                            buffer.push(';');
                        }
                    }
                }
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
                        i.categories.push(Term {
                            domain: category_domain.clone(),
                            nicename: category_nicename.take(),
                            name: value.trim().to_owned(),
                        });
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
                        let display = decode_entities(value.trim());
                        if !display.is_empty() {
                            export.authors.insert(author_login.clone(), display);
                        }
                    }
                    (None, Some((Ns::None, "channel")), Ns::None, "link") => {
                        export.site = Some(value.trim().to_owned()).filter(|s| !s.is_empty());
                    }
                    (None, Some((Ns::Wp, "category")), Ns::Wp, "category_nicename") => {
                        defined_category.0 = value.trim().to_owned();
                    }
                    (None, Some((Ns::Wp, "category")), Ns::Wp, "category_parent") => {
                        defined_category.1 = value.trim().to_owned();
                    }
                    (None, Some((Ns::None, "channel")), Ns::Wp, "category") => {
                        let (nicename, parent) = std::mem::take(&mut defined_category);
                        if !nicename.is_empty() && !parent.is_empty() {
                            export.category_parents.insert(nicename, parent);
                        }
                    }
                    (None, Some((Ns::None, "channel")), Ns::None, "language") => {
                        export.language = Some(value.trim().to_owned()).filter(|s| !s.is_empty());
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

/// A post read from the export, with the shortcodes its text lost.
struct Post {
    story: WireStory,
    removed_shortcodes: Removed,
}

fn story(
    export: &Export,
    item: &Item,
    attachments: &HashMap<&str, &Item>,
    uploads: Option<&PathBuf>,
) -> Result<Post, String> {
    let mut removed = Removed::new();
    let body = item
        .get(Ns::Content, "encoded")
        .map(|html| autop::paragraphs(&embeds::bare_urls(&shortcodes::expand(html, &mut removed))))
        .filter(|html| !html.trim().is_empty());
    let title = match item.get(Ns::None, "title").map(decode_entities) {
        Some(title) if !title.trim().is_empty() => title,
        // WordPress allows untitled posts; their first words stand in, as in its own lists.
        _ => body
            .as_deref()
            .and_then(first_words)
            .ok_or("the post has neither a title nor any text")?,
    };
    let headline = Headline::parse(&title).map_err(|e| format!("title: {e}"))?;
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
            .filter(|t| t.domain == domain)
            .map(|t| decode_entities(&t.name).trim().to_owned())
            .filter(|name| !name.is_empty() && name != "Uncategorized")
            .collect()
    };
    let picture = item
        .meta
        .get("_thumbnail_id")
        .and_then(|id| attachments.get(id.trim()))
        .and_then(|attachment| featured(attachment, uploads));
    let standfirst = item
        .get(Ns::Excerpt, "encoded")
        .map(|excerpt| shortcodes::expand(excerpt, &mut removed))
        .filter(|e| !e.trim().is_empty());
    let mut warnings = Vec::new();
    if !removed.is_empty() {
        warnings.push(format!("shortcodes removed: {}", counted(&removed)));
    }
    let story = WireStory {
        external_id: identity(export, item)?,
        version: None,
        headline,
        standfirst,
        body: body.map_or(RawBody::Empty, RawBody::Html),
        byline,
        language: export.language.clone(),
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
        slug: item.get(Ns::Wp, "post_name").map(percent_decode),
        old_addresses: old_addresses(export, item),
        warnings,
    };
    Ok(Post {
        story,
        removed_shortcodes: removed,
    })
}

/// `name ×2, other ×1`.
pub fn counted(removed: &Removed) -> String {
    removed
        .iter()
        .map(|(name, n)| format!("[{name}] ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A post's identity: its `guid` together with its `post_id`, since exports (and sites that
/// copied posts) repeat guids; either alone only when the other is missing.
fn identity(export: &Export, item: &Item) -> Result<String, String> {
    let post_id = item.get(Ns::Wp, "post_id");
    Ok(match (item.get(Ns::None, "guid"), post_id, &export.site) {
        (Some(guid), Some(id), _) => format!("wordpress:{guid}#post-{id}"),
        (Some(guid), None, _) => format!("wordpress:{guid}"),
        (None, Some(id), Some(site)) => format!("wordpress:{site}/?p={id}"),
        (None, Some(id), None) => format!("wordpress:?p={id}"),
        (None, None, _) => return Err("the post has neither a guid nor a post id".into()),
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

#[cfg(test)]
mod tests;
