//! Sitemaps as search engines read them: the index, URL sets with image entries, and the
//! Google News sitemap. Each writer appends to one buffer as entries arrive from the store.

use byline_core::{Format, Picture, Shape};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use crate::xml::element;

/// Most URLs one sitemap file may list. The protocol allows 50,000; each URL costs 20–45 µs to
/// read from SQLite through sqlx (a row at a time across a thread, measured with perf) and
/// write, and a part of 1,000 took up to 73 ms cold at a million stories, so 500 keep a file's
/// cold build well under 50 ms and small enough for the page cache.
pub const URLS_PER_SITEMAP: u32 = 500;
/// Most stories the news sitemap may list (Google News' limit).
pub const NEWS_STORIES: u32 = 1_000;

/// When a sitemap's entry last changed, as precisely as it is known.
#[derive(Debug, Clone, Copy)]
pub enum LastMod {
    Day(NaiveDate),
    At(DateTime<Utc>),
}

impl LastMod {
    fn text(self) -> String {
        match self {
            LastMod::Day(day) => day.format("%Y-%m-%d").to_string(),
            LastMod::At(at) => at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }
}

/// One sitemap file being written: the index (`<sitemapindex>`), a set of pages with image
/// entries (`<urlset>`), or the Google News sitemap. Entries are appended as they arrive.
pub struct SitemapWriter {
    out: String,
    close: &'static str,
    /// The publication's name, in a news sitemap.
    publication: String,
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const SITEMAP_NS: &str = "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"";
const IMAGE_NS: &str = "xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\"";
const NEWS_NS: &str = "xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\"";

impl SitemapWriter {
    /// `/sitemap.xml`: the sitemaps of the site.
    pub fn index() -> SitemapWriter {
        SitemapWriter {
            out: format!("{XML_HEAD}<sitemapindex {SITEMAP_NS}>\n"),
            close: "</sitemapindex>\n",
            publication: String::new(),
        }
    }

    /// A sitemap of pages, with image entries.
    pub fn pages() -> SitemapWriter {
        SitemapWriter {
            out: format!("{XML_HEAD}<urlset {SITEMAP_NS} {IMAGE_NS}>\n"),
            close: "</urlset>\n",
            publication: String::new(),
        }
    }

    /// The Google News sitemap of `publication`.
    pub fn news(publication: &str) -> SitemapWriter {
        SitemapWriter {
            out: format!("{XML_HEAD}<urlset {SITEMAP_NS} {NEWS_NS} {IMAGE_NS}>\n"),
            close: "</urlset>\n",
            publication: publication.to_owned(),
        }
    }

    /// An entry of the index.
    pub fn sitemap(&mut self, loc: &str, lastmod: Option<LastMod>) {
        self.out.push_str("<sitemap>");
        element(&mut self.out, "loc", loc);
        if let Some(lastmod) = lastmod {
            element(&mut self.out, "lastmod", &lastmod.text());
        }
        self.out.push_str("</sitemap>\n");
    }

    /// A page, with its picture.
    pub fn page(&mut self, loc: &str, lastmod: Option<LastMod>, image: Option<&MapImage>) {
        self.out.push_str("<url>");
        element(&mut self.out, "loc", loc);
        if let Some(lastmod) = lastmod {
            element(&mut self.out, "lastmod", &lastmod.text());
        }
        if let Some(image) = image {
            image_entry(&mut self.out, image);
        }
        self.out.push_str("</url>\n");
    }

    /// A story of the news sitemap.
    pub fn story(&mut self, loc: &str, story: NewsStory<'_>, image: Option<&MapImage>) {
        self.out.push_str("<url>");
        element(&mut self.out, "loc", loc);
        self.out.push_str("<news:news><news:publication>");
        element(&mut self.out, "news:name", &self.publication);
        element(
            &mut self.out,
            "news:language",
            &news_language(story.language),
        );
        self.out.push_str("</news:publication>");
        let published = story.published.to_rfc3339_opts(SecondsFormat::Secs, true);
        element(&mut self.out, "news:publication_date", &published);
        element(&mut self.out, "news:title", story.title);
        self.out.push_str("</news:news>");
        if let Some(image) = image {
            image_entry(&mut self.out, image);
        }
        self.out.push_str("</url>\n");
    }

    pub fn finish(mut self) -> String {
        self.out.push_str(self.close);
        self.out
    }
}

/// What the news sitemap says of a story.
pub struct NewsStory<'a> {
    pub title: &'a str,
    pub language: &'a str,
    pub published: DateTime<Utc>,
}

/// A picture as an image sitemap lists it: its largest rendition, caption and credit.
pub struct MapImage {
    pub loc: String,
    pub caption: Option<String>,
    /// The page of the licence the picture is under, when its file names one.
    pub license: Option<String>,
}

impl MapImage {
    /// The picture's widest JPEG rendition (or the file itself) made absolute on `base`, with
    /// its caption and credit.
    pub fn of(base: &str, picture: &Picture) -> MapImage {
        let url = picture
            .renditions(Shape::Original, Format::Jpeg)
            .pop()
            .map_or_else(|| picture.url(), |(_, url)| url);
        let loc = if url.starts_with('/') && !url.starts_with("//") {
            format!("{base}{url}")
        } else {
            url
        };
        let caption = match (&picture.caption, &picture.credit) {
            (Some(caption), Some(credit)) => Some(format!("{caption} ({credit})")),
            (Some(text), None) | (None, Some(text)) => Some(text.clone()),
            (None, None) => picture.alt.clone(),
        };
        MapImage {
            loc,
            caption,
            license: picture.rights.license_url.clone(),
        }
    }
}

fn image_entry(out: &mut String, image: &MapImage) {
    out.push_str("<image:image>");
    element(out, "image:loc", &image.loc);
    if let Some(caption) = &image.caption {
        element(out, "image:caption", caption);
    }
    if let Some(license) = &image.license {
        element(out, "image:license", license);
    }
    out.push_str("</image:image>");
}

/// Google News wants an ISO 639 code (`en`, `de`), with only Chinese keeping its script
/// (`zh-cn`, `zh-tw`).
fn news_language(tag: &str) -> String {
    let lower = tag.to_ascii_lowercase();
    if lower.starts_with("zh") {
        return match lower.as_str() {
            "zh-tw" | "zh-hant" | "zh-hk" => "zh-tw".into(),
            _ => "zh-cn".into(),
        };
    }
    lower.split(['-', '_']).next().unwrap_or("en").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_languages_are_iso_639() {
        assert_eq!(news_language("en-GB"), "en");
        assert_eq!(news_language("nb"), "nb");
        assert_eq!(news_language("zh-Hant"), "zh-tw");
        assert_eq!(news_language("zh"), "zh-cn");
    }

    #[test]
    fn writers_close_what_they_open() {
        let mut index = SitemapWriter::index();
        index.sitemap("https://n.example/sitemaps/sections.xml", None);
        let text = index.finish();
        assert!(text.ends_with("</sitemapindex>\n"));
        let mut set = SitemapWriter::pages();
        set.page(
            "https://n.example/story/a&b",
            Some(LastMod::Day(NaiveDate::from_ymd_opt(2024, 11, 24).unwrap())),
            None,
        );
        let text = set.finish();
        assert!(
            text.contains(
                "<loc>https://n.example/story/a&amp;b</loc><lastmod>2024-11-24</lastmod>"
            )
        );
    }
}
