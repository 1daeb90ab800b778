//! Ghost exports (the JSON of Ghost 0.x to 6.x, with or without its `db` wrapper) → story
//! drafts: each post with its authors, primary tag as section (internal `#tags` dropped), other
//! tags, excerpt, status, dates, search-engine words and feature image (caption, alt), its body
//! from `html`, else converted from `lexical`, `mobiledoc` or `markdown`, and the addresses Ghost
//! served it at. Pages are listed as skipped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::menus::{MenuTarget, SourceMenu, SourceMenuItem};

use crate::ninjs::{RenditionHref, WireStory};
use crate::values::text;
pub use crate::wxr::TermKind;
use story::story;

mod cards;
mod lexical;
mod mobiledoc;
mod story;
#[cfg(test)]
mod tests;

/// Why an export cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GhostError {
    #[error("not JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("not a Ghost export: {0}")]
    NotGhost(String),
}

/// One post of the export, as read.
#[derive(Debug)]
pub enum Entry {
    /// A post: its story, or why it cannot be one. `id` names it in reports.
    Post {
        id: String,
        story: Box<Result<WireStory, String>>,
    },
}

/// A whole export, read.
#[derive(Debug, Default)]
pub struct GhostExport {
    pub entries: Vec<Entry>,
    /// Ghost's addresses of the tags and authors the posts use (`/tag/{slug}/`,
    /// `/author/{slug}/`), with what each is and its name.
    pub term_addresses: Vec<(String, TermKind, String)>,
    /// The export's Ghost version, as its `meta` says.
    pub version: String,
    /// The site's navigation and secondary navigation.
    pub menus: Vec<SourceMenu>,
}

/// Where Ghost keeps uploaded pictures, in the addresses a post's fields use.
const CONTENT_IMAGES: &str = "/content/images/";

/// The export's site: what every post needs from the rest of the file.
struct Site<'a> {
    users: HashMap<String, &'a Map<String, Value>>,
    tags: HashMap<String, &'a Map<String, Value>>,
    /// Post id → its tags' and authors' ids, in their order.
    post_tags: HashMap<String, Vec<String>>,
    post_authors: HashMap<String, Vec<String>>,
    /// Post id → its `posts_meta` row (Ghost 4 and later keep the feature image's caption and
    /// alt text and the search-engine words there).
    post_meta: HashMap<String, &'a Map<String, Value>>,
    language: Option<String>,
    /// `--content`: a copy of Ghost's `content/images` folder.
    images: Option<PathBuf>,
}

/// An id as Ghost writes it: a string, or a number in 0.x exports.
fn id_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn rows<'a>(
    data: &'a Map<String, Value>,
    table: &str,
) -> impl Iterator<Item = &'a Map<String, Value>> {
    data.get(table)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// `table`'s rows grouped by `post_id`, each group's `column` in `sort_order`.
fn links(data: &Map<String, Value>, table: &str, column: &str) -> HashMap<String, Vec<String>> {
    let mut grouped: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    for row in rows(data, table) {
        if let (Some(post), Some(other)) = (id_of(row.get("post_id")), id_of(row.get(column))) {
            let order = row.get("sort_order").and_then(Value::as_i64).unwrap_or(0);
            grouped.entry(post).or_default().push((order, other));
        }
    }
    grouped
        .into_iter()
        .map(|(post, mut list)| {
            list.sort_by_key(|(order, _)| *order);
            (post, list.into_iter().map(|(_, id)| id).collect())
        })
        .collect()
}

/// A JSON object.
type Object = Map<String, Value>;

/// The `meta` and `data` of an export, with or without the `db` wrapper.
fn unwrap(root: &Value) -> Result<(&Object, Option<&Object>), GhostError> {
    let export = match root.get("db") {
        Some(Value::Array(dbs)) => dbs
            .first()
            .ok_or_else(|| GhostError::NotGhost("`db` is empty".into()))?,
        Some(db) => db,
        None => root,
    };
    let data = export
        .get("data")
        .and_then(Value::as_object)
        .ok_or_else(|| GhostError::NotGhost("it has no `data` object".into()))?;
    if !data.get("posts").is_some_and(Value::is_array) {
        return Err(GhostError::NotGhost(
            "its `data` has no `posts` list".into(),
        ));
    }
    Ok((data, export.get("meta").and_then(Value::as_object)))
}

/// An export's JSON (Ghost writes one document).
pub fn read(text_of_file: &str) -> Result<Value, GhostError> {
    serde_json::from_str(text_of_file).map_err(|e| GhostError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// An export's posts, each made a story only when its turn comes (memory holds the file's
/// JSON and one story), with what every post needs from the rest of the file.
pub struct Posts<'a> {
    site: Site<'a>,
    posts: Vec<&'a Map<String, Value>>,
    /// The export's Ghost version, as its `meta` says.
    pub version: String,
    /// The site's navigation (Ghost's header menu) and secondary navigation (its footer's).
    pub menus: Vec<SourceMenu>,
}

impl<'a> Posts<'a> {
    /// The posts of an export read by [`read`]. `images` is a copy of Ghost's `content/images`
    /// folder, where the posts' uploaded pictures are.
    pub fn of(root: &'a Value, images: Option<&Path>) -> Result<Posts<'a>, GhostError> {
        let (data, meta) = unwrap(root)?;
        let settings: HashMap<&str, &str> = rows(data, "settings")
            .filter_map(|s| Some((s.get("key")?.as_str()?, s.get("value")?.as_str()?)))
            .collect();
        let site = Site {
            users: rows(data, "users")
                .filter_map(|u| Some((id_of(u.get("id"))?, u)))
                .collect(),
            tags: rows(data, "tags")
                .filter_map(|t| Some((id_of(t.get("id"))?, t)))
                .collect(),
            post_tags: links(data, "posts_tags", "tag_id"),
            post_authors: links(data, "posts_authors", "author_id"),
            post_meta: rows(data, "posts_meta")
                .filter_map(|m| Some((id_of(m.get("post_id"))?, m)))
                .collect(),
            language: ["locale", "lang"]
                .iter()
                .find_map(|k| settings.get(k))
                .map(|l| l.trim().replace('_', "-"))
                .filter(|l| !l.is_empty()),
            images: images.map(Path::to_path_buf),
        };
        let version = meta
            .and_then(|m| m.get("version"))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .unwrap_or_default();
        Ok(Posts {
            menus: navigation(&settings),
            site,
            posts: rows(data, "posts").collect(),
            version,
        })
    }

    pub fn len(&self) -> usize {
        self.posts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.posts.is_empty()
    }

    /// Each post as a story, or why it is none or is left out, in the file's order.
    pub fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        self.posts.iter().enumerate().map(|(n, post)| {
            let id = id_of(post.get("uuid"))
                .or_else(|| id_of(post.get("id")))
                .unwrap_or_else(|| format!("post #{}", n + 1));
            Entry::Post {
                id,
                story: Box::new(story(post, &self.site)),
            }
        })
    }

    /// The bios of the authors of the posts (each author once, by name; those with none left
    /// out), as plain text.
    pub fn author_bios(&self) -> Vec<(String, String)> {
        let mut seen = std::collections::HashSet::new();
        let mut bios = Vec::new();
        for post in &self.posts {
            let post_id = id_of(post.get("id")).unwrap_or_default();
            for author in self.site.authors_of(post, &post_id) {
                let (Some(name), Some(bio)) = (text(author, "name"), text(author, "bio")) else {
                    continue;
                };
                let bio = bio.split_whitespace().collect::<Vec<_>>().join(" ");
                if !bio.is_empty() && seen.insert(name.to_owned()) {
                    bios.push((name.to_owned(), bio));
                }
            }
        }
        bios
    }

    /// Ghost's addresses of the tags and authors the posts use (`/tag/{slug}/`,
    /// `/author/{slug}/`), with what each is and its name; each once.
    pub fn term_addresses(&self) -> Vec<(String, TermKind, String)> {
        let mut seen = std::collections::HashSet::new();
        self.posts
            .iter()
            .filter(|post| !is_page(post))
            .flat_map(|post| self.site.term_addresses(post))
            .filter(|(address, _, _)| seen.insert(address.clone()))
            .collect()
    }
}

/// Ghost's two menus, from the settings `navigation` and `secondary_navigation` (each a JSON
/// list of `{label, url}`; the site's own address written `__GHOST_URL__` since Ghost 4).
fn navigation(settings: &HashMap<&str, &str>) -> Vec<SourceMenu> {
    let menu = |key: &str, slug: &str, name: &str| {
        let list: Vec<Value> = serde_json::from_str(settings.get(key)?).ok()?;
        let items: Vec<SourceMenuItem> = list
            .iter()
            .filter_map(|entry| {
                let label = text(entry.as_object()?, "label")?;
                let url = text(entry.as_object()?, "url")?;
                let url = url.strip_prefix("__GHOST_URL__").unwrap_or(url);
                let url = if url.is_empty() { "/" } else { url };
                Some(SourceMenuItem {
                    label: Some(label.to_owned()),
                    target: MenuTarget::Url(url.to_owned()),
                    children: Vec::new(),
                    line: 0,
                })
            })
            .collect();
        (!items.is_empty()).then(|| SourceMenu {
            slug: slug.to_owned(),
            name: name.to_owned(),
            items,
        })
    };
    [
        menu(
            "navigation",
            "ghost-navigation",
            "Header (Ghost navigation)",
        ),
        menu(
            "secondary_navigation",
            "ghost-secondary-navigation",
            "Footer (Ghost secondary navigation)",
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn is_page(post: &Map<String, Value>) -> bool {
    post.get("type").and_then(Value::as_str) == Some("page")
        || matches!(post.get("page"), Some(Value::Bool(true)))
        || post.get("page").and_then(Value::as_i64) == Some(1)
}

/// Reads a whole export at once (its stories all made): for tests and small files.
pub fn parse(text_of_file: &str, images: Option<&Path>) -> Result<GhostExport, GhostError> {
    let root = read(text_of_file)?;
    let posts = Posts::of(&root, images)?;
    Ok(GhostExport {
        entries: posts.entries().collect(),
        term_addresses: posts.term_addresses(),
        version: posts.version.clone(),
        menus: posts.menus.clone(),
    })
}

impl Site<'_> {
    /// The post's public tags (internal `#tags` and internal visibility left out), in order.
    fn tags_of(&self, post_id: &str) -> Vec<&Map<String, Value>> {
        self.post_tags
            .get(post_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.tags.get(id).copied())
            .filter(|t| {
                let name = text(t, "name").unwrap_or_default();
                !name.is_empty()
                    && !name.starts_with('#')
                    && t.get("visibility").and_then(Value::as_str) != Some("internal")
            })
            .collect()
    }

    /// The post's authors: `posts_authors` (1.x and later), else its `author_id` (0.x).
    fn authors_of(&self, post: &Map<String, Value>, post_id: &str) -> Vec<&Map<String, Value>> {
        let ids = match self.post_authors.get(post_id) {
            Some(ids) if !ids.is_empty() => ids.clone(),
            _ => id_of(post.get("author_id")).into_iter().collect(),
        };
        ids.iter()
            .filter_map(|id| self.users.get(id).copied())
            .collect()
    }

    fn term_addresses(&self, post: &Map<String, Value>) -> Vec<(String, TermKind, String)> {
        let post_id = id_of(post.get("id")).unwrap_or_default();
        let mut found = Vec::new();
        for (n, tag) in self.tags_of(&post_id).into_iter().enumerate() {
            if let (Some(slug), Some(name)) = (text(tag, "slug"), text(tag, "name")) {
                let kind = if n == 0 {
                    TermKind::Section
                } else {
                    TermKind::Tag
                };
                found.push((format!("/tag/{slug}/"), kind, name.to_owned()));
            }
        }
        for author in self.authors_of(post, &post_id) {
            if let (Some(slug), Some(name)) = (text(author, "slug"), text(author, "name")) {
                found.push((
                    format!("/author/{slug}/"),
                    TermKind::Author,
                    name.to_owned(),
                ));
            }
        }
        found
    }

    /// Where a picture Ghost names is: in `--content` when it is one of Ghost's uploads and
    /// the folder was given, else at its URL.
    fn picture_href(&self, url: &str) -> Result<RenditionHref, String> {
        let url = url.trim();
        let uploaded = url
            .find(CONTENT_IMAGES)
            .map(|at| &url[at + CONTENT_IMAGES.len()..]);
        if let (Some(path), Some(folder)) = (uploaded, &self.images) {
            let path = path.split(['?', '#']).next().unwrap_or_default();
            // `size/w600/2024/05/x.jpg` is Ghost's resized copy of `2024/05/x.jpg`.
            let path = match path.strip_prefix("size/").and_then(|p| p.split_once('/')) {
                Some((size, original)) if size.starts_with('w') || size.starts_with('h') => {
                    original
                }
                _ => path,
            };
            return Ok(RenditionHref::InFolder {
                folder: folder.clone(),
                path: byline_core::redirects::percent_decode(path),
            });
        }
        if let Some(rest) = url.strip_prefix("//") {
            return Ok(RenditionHref::Remote(format!("https://{rest}")));
        }
        if url.starts_with("https://") || url.starts_with("http://") {
            return Ok(RenditionHref::Remote(url.to_owned()));
        }
        Err(format!(
            "the feature image {url} is one of Ghost's uploads: give its content/images folder with --content"
        ))
    }
}
