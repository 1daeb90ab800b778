//! WordPress exports (WXR 1.0–1.2) → story drafts: each post with its author's display name,
//! categories (the first becomes the section, under its parents; the others tags) and tags,
//! excerpt, status and dates, Yoast's title and description, and its featured image with the
//! caption, alt text and credit WordPress kept for it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use byline_core::{Headline, RawBody};
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::html::autop;
use crate::html::decode_entities;
use crate::ninjs::{PubStatus, WirePicture, WireStory};

mod addresses;
mod attachments;
mod embeds;
mod posts;
mod reader;
mod seo;
mod shortcodes;
mod structure;
mod terms;
mod whole;

pub use addresses::TermKind;
use addresses::{old_addresses, term_addresses};
use attachments::featured;
use byline_core::redirects::percent_decode;
pub use posts::{Entry, Gathered, PostEntry, Posts, Skipped};
use reader::{Items, line_in_file};
use terms::{Filing, co_authors, display_name, filing};

use crate::menus::SourceMenu;

#[cfg(test)]
pub(crate) use shortcodes::expand as expand_shortcodes;
pub use shortcodes::{Removed, add_removed};
pub use whole::{WxrFile, parse_file};

/// Why an export cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WxrError {
    #[error("not well-formed XML at line {line}: {message}")]
    Xml { line: usize, message: String },
    #[error("not a WordPress export: {0}")]
    NotWxr(String),
    #[error("cannot read the file: {0}")]
    Unreadable(String),
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

/// What every post of a site needs from its whole export (or from all its files, when the
/// site was exported in parts): the authors, the site's address and language, the categories'
/// parents, and the featured images its attachments describe.
#[derive(Debug, Default)]
pub struct Channel {
    /// Author login → display name.
    authors: HashMap<String, String>,
    site: Option<String>,
    /// The channel's `<language>` (`de-DE`): the language of every post.
    language: Option<String>,
    /// A category's nicename → its parent's, from the channel's `<wp:category>` list.
    category_parents: HashMap<String, String>,
    /// A category's nicename → its name, from the same list.
    category_names: HashMap<String, String>,
    /// Each image attachment's picture, by its post id.
    pictures: HashMap<String, Attachment>,
    /// The pages' places, the terms' ids and the menus.
    structure: structure::Structure,
}

/// An image attachment: a picture of the site's media library.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The export that describes it and the line its item starts on, for messages.
    pub file: PathBuf,
    pub line: usize,
    /// Its identity (`guid` + `post_id`), for messages.
    pub id: String,
    pub picture: WirePicture,
}

impl Channel {
    /// Reads an export's channel and attachments (the first of two passes over the files);
    /// `uploads`, when given, is a copy of the site's `wp-content/uploads` folder, where
    /// featured images are taken from instead of being linked where they live. An export that
    /// is not well-formed is refused whole, with the line where it breaks.
    pub fn read_file(&mut self, path: &Path, uploads: Option<&PathBuf>) -> Result<(), WxrError> {
        let file = std::fs::File::open(path).map_err(|e| WxrError::Unreadable(e.to_string()))?;
        let lines = |offset| line_in_file(path, offset);
        self.read(BufReader::new(file), path, uploads, &lines)
    }

    fn read(
        &mut self,
        source: impl BufRead,
        path: &Path,
        uploads: Option<&PathBuf>,
        lines: &dyn Fn(u64) -> usize,
    ) -> Result<(), WxrError> {
        let mut items = Items::new(source);
        while let Some(item) = items.next_item(self).map_err(|e| e.at_line(lines))? {
            self.structure.note(identity(self, &item).ok(), &item);
            if item.get(Ns::Wp, "post_type") == Some("attachment")
                && let Some(post_id) = item.get(Ns::Wp, "post_id")
                && let Some(picture) = featured(&item, uploads)
            {
                let attachment = Attachment {
                    file: path.to_owned(),
                    line: item.line,
                    id: identity(self, &item).unwrap_or_else(|_| format!("attachment {post_id}")),
                    picture,
                };
                self.pictures.insert(post_id.to_owned(), attachment);
            }
        }
        Ok(())
    }

    /// The export's menus, nested and in order.
    pub fn menus(&self) -> Vec<SourceMenu> {
        self.structure.menus()
    }

    /// The old site's address, as its channel gives it.
    pub fn site(&self) -> Option<&str> {
        self.site.as_deref()
    }

    /// The site's image attachments, in the order the exports give them: its media library.
    pub fn attachments(&self) -> Vec<&Attachment> {
        let mut all: Vec<&Attachment> = self.pictures.values().collect();
        all.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        all
    }
}

/// A WordPress time: `post_date_gmt` (`0000-00-00 00:00:00` for "not yet"), else the RSS
/// `pubDate`, else `post_date`, the site's local time, taken as UTC: the export names no time
/// zone, and a post dated within hours of its time beats one dated at the import.
fn published(item: &Item) -> Option<DateTime<Utc>> {
    // WordPress writes `2024-03-01 10:00:00`; other tools' exports, ISO 8601.
    let wordpress_time = |name| {
        let text = item.get(Ns::Wp, name)?.trim();
        ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
            .map(|t| t.and_utc())
            .or_else(|| {
                DateTime::parse_from_rfc3339(text)
                    .ok()
                    .map(|t| t.with_timezone(&Utc))
            })
    };
    wordpress_time("post_date_gmt")
        .or_else(|| {
            item.get(Ns::None, "pubDate")
                .and_then(|t| DateTime::parse_from_rfc2822(t).ok())
                .map(|t| t.with_timezone(&Utc))
        })
        .or_else(|| wordpress_time("post_date"))
}

/// A post's status as a wire status, and the time a scheduled one goes out.
fn status(item: &Item, first_created: Option<DateTime<Utc>>) -> (PubStatus, Option<DateTime<Utc>>) {
    // A password-protected post was never public: it stays a draft rather than go out bare.
    if item.get(Ns::Wp, "post_password").is_some() {
        return (PubStatus::Draft, None);
    }
    match item.get(Ns::Wp, "status").unwrap_or("publish") {
        "publish" => (PubStatus::Usable, None),
        // A scheduled post is published at its time, as WordPress would.
        "future" => (PubStatus::Usable, first_created),
        "trash" => (PubStatus::Canceled, None),
        _ => (PubStatus::Draft, None),
    }
}

/// A post read from the export, with the shortcodes its text lost.
struct Post {
    story: WireStory,
    removed_shortcodes: Removed,
}

fn story(channel: &Channel, item: &Item) -> Result<Post, String> {
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
    let (pub_status, embargoed) = status(item, first_created);
    let byline = co_authors(channel, item).or_else(|| {
        item.get(Ns::Dc, "creator")
            .map(|login| display_name(channel, login))
    });
    let Filing {
        section,
        section_above,
        subjects,
    } = filing(channel, item);
    let picture = item
        .meta
        .get("_thumbnail_id")
        .and_then(|id| channel.pictures.get(id.trim()))
        .map(|attachment| attachment.picture.clone());
    let standfirst = item
        .get(Ns::Excerpt, "encoded")
        .map(|excerpt| shortcodes::expand(excerpt, &mut removed))
        .filter(|e| !e.trim().is_empty());
    let seo = seo::yoast(
        item.meta.get("_yoast_wpseo_title").map(String::as_str),
        item.meta.get("_yoast_wpseo_metadesc").map(String::as_str),
        &seo::Facts {
            title: headline.as_str(),
            excerpt: standfirst.as_deref(),
            category: section.as_deref(),
            author: byline.as_deref(),
        },
    );
    let story = WireStory {
        external_id: identity(channel, item)?,
        // Byline once knew a post by its guid alone.
        former_ids: item
            .get(Ns::None, "guid")
            .filter(|_| item.get(Ns::Wp, "post_id").is_some())
            .map(|guid| vec![format!("wordpress:{guid}")])
            .unwrap_or_default(),
        version: None,
        headline,
        standfirst,
        body: body.map_or(RawBody::Empty, RawBody::Html),
        byline,
        language: channel.language.clone(),
        first_created,
        version_created: item
            .get(Ns::Wp, "post_modified_gmt")
            .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok())
            .map(|t| t.and_utc())
            .or(first_created),
        embargoed,
        pub_status,
        section,
        section_above,
        subjects,
        seo,
        picture,
        slug: item.get(Ns::Wp, "post_name").map(percent_decode),
        old_addresses: old_addresses(channel, item),
        sticky: item.get(Ns::Wp, "is_sticky") == Some("1"),
        // The shortcodes a post lost come with its entry, for the import to tell.
        warnings: Vec::new(),
        // The caller places a page.
        page: None,
        body_pictures: Vec::new(),
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
fn identity(channel: &Channel, item: &Item) -> Result<String, String> {
    let post_id = item.get(Ns::Wp, "post_id");
    Ok(match (item.get(Ns::None, "guid"), post_id, &channel.site) {
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
mod dating_tests;
#[cfg(test)]
mod tests;
