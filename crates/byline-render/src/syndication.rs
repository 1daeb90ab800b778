//! Feeds of public stories: RSS 2.0 (with Media RSS for the lead photo), Atom 1.0 and JSON
//! Feed 1.1, written from the same entries so that the three always say the same.

use byline_core::{Format, Shape, Story};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::views::paths;
use crate::xml::{clean, element, escape, escape_into};

/// The three formats, with their addresses' last segment and media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

impl FeedFormat {
    pub const ALL: [FeedFormat; 3] = [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::Json];

    /// The file name a feed has under its listing (`/feed.xml`, `/section/x/atom.xml`).
    pub fn file(self) -> &'static str {
        match self {
            FeedFormat::Rss => "feed.xml",
            FeedFormat::Atom => "atom.xml",
            FeedFormat::Json => "feed.json",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }

    /// How discovery links name it.
    pub fn label(self) -> &'static str {
        match self {
            FeedFormat::Rss => "RSS",
            FeedFormat::Atom => "Atom",
            FeedFormat::Json => "JSON Feed",
        }
    }

    pub fn of_file(file: &str) -> Option<FeedFormat> {
        FeedFormat::ALL.into_iter().find(|f| f.file() == file)
    }
}

/// What a feed is of: the site or one listing.
#[derive(Debug, Clone)]
pub struct FeedMeta {
    pub title: String,
    pub description: String,
    pub language: String,
    /// Scheme and host, without a trailing slash.
    pub base_url: String,
    /// The listing's page (`/`, `/section/world`).
    pub page_path: String,
    /// Where the feed's three formats live (`` for the site, `/section/world`).
    pub feed_base: String,
    pub icon_path: String,
    /// The whole body in each entry, else only the summary.
    pub full_content: bool,
}

impl FeedMeta {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    fn feed_url(&self, format: FeedFormat) -> String {
        format!("{}{}/{}", self.base_url, self.feed_base, format.file())
    }

    /// A permanent id for a story, whatever its slug becomes (RFC 4151 tag URI).
    fn entry_id(&self, story: &Story) -> String {
        let host = self
            .base_url
            .split("://")
            .nth(1)
            .unwrap_or(&self.base_url)
            .split(['/', ':'])
            .next()
            .unwrap_or("localhost");
        format!("tag:{host},2024:story-{}", story.id.0)
    }
}

/// The lead photo as feeds carry it.
struct FeedImage {
    url: String,
    media_type: String,
    width: Option<u32>,
    height: Option<u32>,
    credit: Option<String>,
    caption: Option<String>,
}

/// One story as every format writes it.
struct Entry<'a> {
    story: &'a Story,
    id: String,
    url: String,
    content: Option<String>,
    authors: Vec<(String, Option<String>)>,
    categories: Vec<String>,
    image: Option<FeedImage>,
}

impl<'a> Entry<'a> {
    fn new(meta: &FeedMeta, story: &'a Story) -> Entry<'a> {
        let mut authors: Vec<(String, Option<String>)> = story
            .authors
            .iter()
            .map(|a| (a.name.clone(), Some(meta.url(&paths::author(&a.slug)))))
            .collect();
        if authors.is_empty()
            && let Some(byline) = story.byline.as_ref().filter(|b| !b.trim().is_empty())
        {
            authors.push((byline.clone(), None));
        }
        let categories = story
            .section
            .iter()
            .map(|s| s.name.clone())
            .chain(story.tags.iter().map(|t| t.name.clone()))
            .collect();
        let image = story.lead_picture.as_ref().map(|p| {
            let jpeg = p.renditions(Shape::Original, Format::Jpeg);
            let size = p.size_in(Shape::Original);
            let (url, media_type, width, height) = match jpeg.last() {
                Some((w, url)) => {
                    let h = size.map(|(sw, sh)| {
                        u32::try_from(u64::from(*w) * u64::from(sh) / u64::from(sw.max(1)))
                            .unwrap_or(u32::MAX)
                    });
                    (url.clone(), "image/jpeg".to_owned(), Some(*w), h)
                }
                None => (
                    p.url(),
                    p.content_type
                        .clone()
                        .unwrap_or_else(|| "image/jpeg".into()),
                    size.map(|s| s.0),
                    size.map(|s| s.1),
                ),
            };
            FeedImage {
                url: absolute(&meta.base_url, &url),
                media_type,
                width,
                height,
                credit: p.credit.clone(),
                caption: p.caption.clone().or_else(|| p.alt.clone()),
            }
        });
        Entry {
            story,
            id: meta.entry_id(story),
            url: meta.url(&paths::story(&story.slug)),
            content: meta.full_content.then(|| full_content(meta, story)),
            authors,
            categories,
            image,
        }
    }

    fn published(&self) -> DateTime<Utc> {
        self.story.published_at.unwrap_or(self.story.updated_at)
    }

    /// When the story last changed: an edit or a correction moves it.
    fn updated(&self) -> DateTime<Utc> {
        self.story.updated_at.max(self.published())
    }
}

/// The story's body as a feed carries it, with its corrections after it, as the page shows
/// them.
fn full_content(meta: &FeedMeta, story: &Story) -> String {
    let mut html = absolute_links(&meta.base_url, story.body.as_str());
    for correction in &story.corrections {
        html.push_str("<p class=\"correction\"><strong>Correction, ");
        escape_into(
            &mut html,
            &correction.created_at.format("%-d %B %Y").to_string(),
        );
        html.push_str(":</strong> ");
        escape_into(&mut html, &correction.note);
        html.push_str("</p>");
    }
    html
}

/// A path made absolute on `base`; URLs with a scheme or host stay as they are.
fn absolute(base: &str, url: &str) -> String {
    if url.starts_with('/') && !url.starts_with("//") {
        format!("{base}{url}")
    } else {
        url.to_owned()
    }
}

/// Sanitized HTML with its root-relative `src` and `href` made absolute, since a feed is read
/// away from the site.
fn absolute_links(base: &str, html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("=\"/") {
        let (before, after) = rest.split_at(at + 2);
        out.push_str(before);
        let is_link = before.ends_with(" src=\"") || before.ends_with(" href=\"");
        if is_link && !after.starts_with("//") {
            out.push_str(base);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The newest change among the entries: the feed's own date (the epoch when it is empty, so
/// that an empty feed's bytes do not change from one render to the next).
fn feed_updated(entries: &[Entry]) -> DateTime<Utc> {
    entries
        .iter()
        .map(Entry::updated)
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// The feed of `stories` (newest first) in `format`.
pub fn render(format: FeedFormat, meta: &FeedMeta, stories: &[Story]) -> String {
    let entries: Vec<Entry> = stories.iter().map(|s| Entry::new(meta, s)).collect();
    match format {
        FeedFormat::Rss => rss(meta, &entries),
        FeedFormat::Atom => atom(meta, &entries),
        FeedFormat::Json => json_feed(meta, &entries),
    }
}

fn rss(meta: &FeedMeta, entries: &[Entry]) -> String {
    let mut out = String::with_capacity(4096 + entries.len() * 2048);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:media=\"http://search.yahoo.com/mrss/\">\n<channel>\n",
    );
    element(&mut out, "title", &meta.title);
    element(&mut out, "link", &meta.url(&meta.page_path));
    element(&mut out, "description", &meta.description);
    element(&mut out, "language", &meta.language);
    element(
        &mut out,
        "lastBuildDate",
        &feed_updated(entries).to_rfc2822(),
    );
    element(&mut out, "generator", "Byline");
    out.push_str(&format!(
        "\n<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"{}\"/>\n",
        escape(&meta.feed_url(FeedFormat::Rss))
    ));
    for entry in entries {
        out.push_str("<item>");
        element(&mut out, "title", entry.story.headline.as_str());
        element(&mut out, "link", &entry.url);
        out.push_str("<guid isPermaLink=\"false\">");
        escape_into(&mut out, &entry.id);
        out.push_str("</guid>");
        element(&mut out, "description", &entry.story.summary);
        if let Some(content) = &entry.content {
            element(&mut out, "content:encoded", content);
        }
        for (name, _) in &entry.authors {
            element(&mut out, "dc:creator", name);
        }
        for category in &entry.categories {
            element(&mut out, "category", category);
        }
        element(&mut out, "pubDate", &entry.published().to_rfc2822());
        element(&mut out, "dc:date", &entry.updated().to_rfc3339());
        if let Some(image) = &entry.image {
            out.push_str(&format!(
                "<enclosure url=\"{}\" length=\"0\" type=\"{}\"/>",
                escape(&image.url),
                escape(&image.media_type)
            ));
            media_content(&mut out, image);
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

/// The lead photo as Media RSS describes it, with its credit and caption.
fn media_content(out: &mut String, image: &FeedImage) {
    out.push_str(&format!(
        "<media:content url=\"{}\" medium=\"image\" type=\"{}\"",
        escape(&image.url),
        escape(&image.media_type)
    ));
    if let (Some(w), Some(h)) = (image.width, image.height) {
        out.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
    }
    out.push('>');
    if let Some(credit) = &image.credit {
        element(out, "media:credit", credit);
    }
    if let Some(caption) = &image.caption {
        out.push_str("<media:description type=\"plain\">");
        escape_into(out, caption);
        out.push_str("</media:description>");
    }
    out.push_str("</media:content>");
}

fn atom(meta: &FeedMeta, entries: &[Entry]) -> String {
    let mut out = String::with_capacity(4096 + entries.len() * 2048);
    out.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" \
         xmlns:media=\"http://search.yahoo.com/mrss/\" xml:lang=\"{}\">\n",
        escape(&meta.language)
    ));
    element(&mut out, "id", &meta.feed_url(FeedFormat::Atom));
    element(&mut out, "title", &meta.title);
    if !meta.description.is_empty() {
        element(&mut out, "subtitle", &meta.description);
    }
    element(&mut out, "updated", &feed_updated(entries).to_rfc3339());
    out.push_str(&format!(
        "\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<author><name>",
        escape(&meta.feed_url(FeedFormat::Atom)),
        escape(&meta.url(&meta.page_path)),
    ));
    escape_into(&mut out, &meta.title);
    out.push_str("</name></author>\n");
    element(&mut out, "icon", &meta.url(&meta.icon_path));
    element(&mut out, "generator", "Byline");
    out.push('\n');
    for entry in entries {
        atom_entry(&mut out, entry);
    }
    out.push_str("</feed>\n");
    out
}

fn atom_entry(out: &mut String, entry: &Entry) {
    out.push_str("<entry>");
    element(out, "id", &entry.id);
    element(out, "title", entry.story.headline.as_str());
    out.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&entry.url)
    ));
    element(out, "published", &entry.published().to_rfc3339());
    element(out, "updated", &entry.updated().to_rfc3339());
    for (name, url) in &entry.authors {
        out.push_str("<author>");
        element(out, "name", name);
        if let Some(url) = url {
            element(out, "uri", url);
        }
        out.push_str("</author>");
    }
    for category in &entry.categories {
        out.push_str(&format!("<category term=\"{}\"/>", escape(category)));
    }
    out.push_str("<summary type=\"text\">");
    escape_into(out, &entry.story.summary);
    out.push_str("</summary>");
    if let Some(content) = &entry.content {
        out.push_str("<content type=\"html\">");
        escape_into(out, content);
        out.push_str("</content>");
    }
    if let Some(image) = &entry.image {
        out.push_str(&format!(
            "<link rel=\"enclosure\" type=\"{}\" href=\"{}\"/>",
            escape(&image.media_type),
            escape(&image.url)
        ));
        media_content(out, image);
    }
    out.push_str("</entry>\n");
}

fn json_feed(meta: &FeedMeta, entries: &[Entry]) -> String {
    let items: Vec<Value> = entries.iter().map(json_item).collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": clean(&meta.title),
        "home_page_url": meta.url(&meta.page_path),
        "feed_url": meta.feed_url(FeedFormat::Json),
        "description": clean(&meta.description),
        "language": meta.language,
        "icon": meta.url(&meta.icon_path),
        "favicon": meta.url(&meta.icon_path),
        "authors": [{"name": clean(&meta.title), "url": meta.url("/")}],
        "items": items,
    });
    let mut text = serde_json::to_string_pretty(&feed).expect("JSON values serialize");
    text.push('\n');
    text
}

fn json_item(entry: &Entry) -> Value {
    let mut item = json!({
        "id": entry.id,
        "url": entry.url,
        "title": clean(entry.story.headline.as_str()),
        "summary": clean(&entry.story.summary),
        "date_published": entry.published().to_rfc3339(),
        "date_modified": entry.updated().to_rfc3339(),
        "language": entry.story.language,
        "authors": entry.authors.iter().map(|(name, url)| {
            let mut author = json!({"name": clean(name)});
            if let Some(url) = url {
                author["url"] = json!(url);
            }
            author
        }).collect::<Vec<_>>(),
        "tags": entry.categories.iter().map(|c| clean(c)).collect::<Vec<_>>(),
    });
    match &entry.content {
        Some(html) => item["content_html"] = json!(clean(html)),
        None => item["content_text"] = json!(clean(&entry.story.summary)),
    }
    if let Some(image) = &entry.image {
        item["image"] = json!(image.url);
        item["_byline"] = json!({
            "image": {
                "url": image.url,
                "mime_type": image.media_type,
                "width": image.width,
                "height": image.height,
                "credit": image.credit.as_deref().map(clean),
                "caption": image.caption.as_deref().map(clean),
            }
        });
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_relative_links_become_absolute() {
        let html = r#"<p><a href="/story/a">a</a> <img src="/media/x.jpg" alt=""> <a href="//cdn.example/y">y</a> <a href="https://e.example/">e</a> <a title="/x">t</a></p>"#;
        assert_eq!(
            absolute_links("https://news.example", html),
            r#"<p><a href="https://news.example/story/a">a</a> <img src="https://news.example/media/x.jpg" alt=""> <a href="//cdn.example/y">y</a> <a href="https://e.example/">e</a> <a title="/x">t</a></p>"#
        );
    }

    #[test]
    fn formats_are_named_by_their_files() {
        for format in FeedFormat::ALL {
            assert_eq!(FeedFormat::of_file(format.file()), Some(format));
        }
        assert_eq!(FeedFormat::of_file("feed.rss"), None);
    }
}
