//! View models: what templates see, built from core types. Templates never see store rows.

use byline_core::curation::Rails;
use byline_core::excerpt::MORE_EXCERPT_WORDS;
use byline_core::{CardKind, Crop, Format, Picture, Shape, Slug, Story, StoryCard, excerpt};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Public URL paths. The router matches the same shapes.
pub mod paths {
    use byline_core::Slug;

    pub fn story(slug: &Slug) -> String {
        format!("/story/{slug}")
    }
    pub fn section(slug: &Slug) -> String {
        format!("/section/{slug}")
    }
    pub fn tag(slug: &Slug) -> String {
        format!("/tag/{slug}")
    }
    pub fn author(slug: &Slug) -> String {
        format!("/author/{slug}")
    }
    /// One of the site's own pages, at the site root.
    pub fn page(slug: &Slug) -> String {
        format!("/{slug}")
    }
    /// Where a story or page lives, as its kind says.
    pub fn of(kind: byline_core::StoryKind, slug: &Slug) -> String {
        match kind {
            byline_core::StoryKind::Story => story(slug),
            byline_core::StoryKind::Page => page(slug),
        }
    }
    pub const LATEST: &str = "/latest";
    pub const SUBSCRIBE: &str = "/newsletter/subscribe";
}

/// Site-wide settings every page shows.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub language: String,
    /// Scheme and host, without a trailing slash, for canonical URLs.
    pub base_url: String,
    pub css_url: String,
    /// The stylesheet itself, when it is small enough to travel inside each page (it then
    /// blocks no rendering and costs no request); pages link `css_url` otherwise.
    pub inline_css: Option<String>,
    pub nav: Vec<Link>,
    /// The menus the newsroom placed in the header and the footer; empty where it placed
    /// none (the header then names the sections, the footer the site's fixed pages).
    pub header_menu: Vec<byline_core::menus::MenuItem>,
    pub footer_menu: Vec<byline_core::menus::MenuItem>,
    /// The site icon's path and media type.
    pub icon_url: String,
    pub icon_type: String,
    /// The site-wide feeds, linked from every page's head.
    pub feeds: Vec<FeedLink>,
}

/// A feed as a page's head links it (`<link rel="alternate">`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedLink {
    pub title: String,
    pub url: String,
    pub media_type: String,
}

impl FeedLink {
    /// The three feeds of a listing whose feeds live under `base` (`` for the site).
    pub fn all(name: &str, base: &str) -> Vec<FeedLink> {
        crate::syndication::FeedFormat::ALL
            .into_iter()
            .map(|f| FeedLink {
                title: format!("{name} ({})", f.label()),
                url: format!("{base}/{}", f.file()),
                media_type: f.media_type().to_owned(),
            })
            .collect()
    }
}

/// What identifies one page: its `<title>`, description and canonical URL.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    pub title: String,
    pub description: Option<String>,
    pub path: String,
    pub canonical: String,
    /// An absolute URL of the picture that represents the page when shared.
    pub image: Option<String>,
    pub image_width: Option<u32>,
    pub image_height: Option<u32>,
    pub image_alt: Option<String>,
    /// OpenGraph's type: `website`, or `article` on articles.
    pub og_type: &'static str,
    /// This page's own feeds (a listing's), besides the site's.
    pub feeds: Vec<FeedLink>,
    /// The previous and next page of a listing, for `rel="prev"`/`rel="next"`.
    pub prev: Option<String>,
    pub next: Option<String>,
    /// Schema.org descriptions, each written as one JSON-LD script.
    pub json_ld: Vec<serde_json::Value>,
    /// `noindex` and the like, for pages search engines should leave alone.
    pub robots: Option<&'static str>,
}

impl PageMeta {
    pub fn new(site: &SiteView, title: impl Into<String>, path: impl Into<String>) -> PageMeta {
        let path = path.into();
        PageMeta {
            title: title.into(),
            description: None,
            canonical: format!("{}{path}", site.base_url),
            path,
            image: None,
            image_width: None,
            image_height: None,
            image_alt: None,
            og_type: "website",
            feeds: Vec::new(),
            prev: None,
            next: None,
            json_ld: Vec::new(),
            robots: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PictureView {
    /// The widest JPEG rendition (or the picture itself when it has none).
    pub url: String,
    /// `URL 320w, URL 640w, …` of the JPEG renditions, when the picture has renditions.
    pub srcset: Option<String>,
    /// The same in WebP, offered first to browsers that take it.
    pub webp_srcset: Option<String>,
    /// A 16:9 JPEG for link previews (`og:image`).
    pub share_url: Option<String>,
    pub alt: String,
    pub credit: Option<String>,
    pub caption: Option<String>,
    /// The size of the shape shown, so the page reserves its box before the picture loads.
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl PictureView {
    /// The picture as a page shows it: whole, or cropped for a card.
    pub fn new(p: &Picture, shape: Shape) -> PictureView {
        let jpeg = p.renditions(shape, Format::Jpeg);
        let srcset = |renditions: &[(u32, String)]| {
            (!renditions.is_empty()).then(|| {
                renditions
                    .iter()
                    .map(|(w, url)| format!("{url} {w}w"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        };
        let size = p.size_in(shape);
        PictureView {
            url: jpeg.last().map_or_else(|| p.url(), |(_, url)| url.clone()),
            srcset: srcset(&jpeg),
            webp_srcset: srcset(&p.renditions(shape, Format::Webp)),
            share_url: p
                .renditions(Shape::crop(Crop::Wide), Format::Jpeg)
                .pop()
                .map(|(_, url)| url),
            alt: p.alt.clone().unwrap_or_default(),
            credit: p.credit.clone(),
            caption: p.caption.clone(),
            width: size.map(|(w, _)| w),
            height: size.map(|(_, h)| h),
        }
    }
}

impl From<&Picture> for PictureView {
    fn from(p: &Picture) -> PictureView {
        PictureView::new(p, Shape::Original)
    }
}

/// A time as a `datetime` attribute and as readers read it.
#[derive(Debug, Clone, Serialize)]
pub struct TimeView {
    pub iso: String,
    pub text: String,
}

impl From<DateTime<Utc>> for TimeView {
    fn from(t: DateTime<Utc>) -> TimeView {
        TimeView {
            iso: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            text: t.format("%-d %B %Y").to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CardView {
    pub title: String,
    pub url: String,
    pub excerpt: String,
    pub published: TimeView,
    pub picture: Option<PictureView>,
}

impl CardView {
    pub fn new(card: &StoryCard, kind: CardKind) -> CardView {
        CardView {
            title: card.headline.as_str().to_owned(),
            url: paths::story(&card.slug),
            excerpt: excerpt(&card.summary, kind.excerpt_words()),
            published: card.published_at.into(),
            picture: card
                .lead_picture
                .as_ref()
                .map(|p| PictureView::new(p, Shape::crop(Crop::Wide))),
        }
    }

    pub fn list(cards: &[StoryCard], kind: CardKind) -> Vec<CardView> {
        cards.iter().map(|c| CardView::new(c, kind)).collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RailsView {
    pub latest: Vec<CardView>,
    pub dont_miss: Vec<CardView>,
    pub more: Vec<CardView>,
}

impl From<&Rails> for RailsView {
    fn from(r: &Rails) -> RailsView {
        RailsView {
            latest: CardView::list(&r.latest, CardKind::Rail),
            dont_miss: CardView::list(&r.dont_miss, CardKind::Rail),
            more: CardView::list(&r.more, CardKind::More),
        }
    }
}

/// An advertisement placement: operator-owned HTML in a box whose reserved size the site's
/// stylesheet gives per breakpoint (`.ad-{placement} .ad-box`).
#[derive(Debug, Clone, Serialize)]
pub struct AdSlot {
    pub placement: String,
    /// The visible label (`- Advertisement -`).
    pub label: String,
    /// The slot's accessible name, unique on the page (`Advertisement before the story`).
    pub name: String,
    /// Trusted: written by the site's operator in the config file, emitted as is.
    pub html: String,
    /// The size reserved on the narrowest screens, for themes that size the box themselves.
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// The configured placements an article page can show.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ArticleAds {
    pub article_top: Option<AdSlot>,
    pub article_bottom: Option<AdSlot>,
    pub sidebar: Option<AdSlot>,
    pub in_article: Option<AdSlot>,
    /// The top-level paragraph of the body the in-article slot follows.
    pub in_article_after: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArticleView {
    pub headline: String,
    pub standfirst: Option<String>,
    pub body: String,
    /// The body cut where the in-article ad slot goes, when there is one and the body is
    /// long enough for it.
    pub body_parts: Option<(String, String)>,
    pub authors: Vec<Link>,
    /// The printed byline, shown when no author could be linked.
    pub byline: Option<String>,
    pub published: Option<TimeView>,
    /// Shown only when the story changed after publication.
    pub updated: Option<TimeView>,
    pub section: Option<Link>,
    pub tags: Vec<Link>,
    pub picture: Option<PictureView>,
    pub language: String,
    pub excerpt: String,
    /// Dated correction notes, oldest first.
    pub corrections: Vec<CorrectionView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CorrectionView {
    pub date: TimeView,
    pub note: String,
}

impl From<&Story> for ArticleView {
    fn from(s: &Story) -> ArticleView {
        let updated = s
            .published_at
            .filter(|p| s.updated_at > *p + chrono::Duration::minutes(1))
            .map(|_| s.updated_at);
        ArticleView {
            headline: s.headline.as_str().to_owned(),
            standfirst: s.standfirst.clone(),
            body: s.body.as_str().to_owned(),
            body_parts: None,
            authors: s
                .authors
                .iter()
                .map(|a| Link {
                    name: a.name.clone(),
                    url: paths::author(&a.slug),
                })
                .collect(),
            byline: s.byline.clone(),
            published: s.published_at.map(TimeView::from),
            updated: updated.map(TimeView::from),
            section: s.section.as_ref().map(|sec| Link {
                name: sec.name.clone(),
                url: paths::section(&sec.slug),
            }),
            tags: s
                .tags
                .iter()
                .map(|t| Link {
                    name: t.name.clone(),
                    url: paths::tag(&t.slug),
                })
                .collect(),
            picture: s.lead_picture.as_ref().map(PictureView::from),
            language: s.language.clone(),
            excerpt: excerpt(&s.summary, MORE_EXCERPT_WORDS),
            corrections: s
                .corrections
                .iter()
                .map(|c| CorrectionView {
                    date: c.created_at.into(),
                    note: c.note.clone(),
                })
                .collect(),
        }
    }
}

/// Previous and next page links of a paginated listing.
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub page: u32,
    /// How many pages the listing has, when known.
    pub pages: Option<u64>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Page `page` of `pages`.
    pub fn of(path: &str, page: u32, pages: u64) -> Pager {
        Pager {
            pages: Some(pages),
            ..Pager::new(path, page, u64::from(page) < pages)
        }
    }

    pub fn new(path: &str, page: u32, has_more: bool) -> Pager {
        let at = |n: u32| {
            if n == 1 {
                path.to_owned()
            } else {
                format!("{path}?page={n}")
            }
        };
        Pager {
            page,
            pages: None,
            prev: (page > 1).then(|| at(page - 1)),
            next: has_more.then(|| at(page + 1)),
        }
    }
}

/// Links for the section navigation, marking none as current.
pub fn nav_links(sections: &[byline_core::Section]) -> Vec<Link> {
    // Subsections are reached from their section's page; the header names the top level.
    sections
        .iter()
        .filter(|s| s.parent.is_none())
        .map(|s| Link {
            name: s.name.clone(),
            url: paths::section(&s.slug),
        })
        .collect()
}

/// The slug of a story URL path (`/story/SLUG`), for code that receives URLs.
pub fn story_slug_from_path(path: &str) -> Option<Slug> {
    path.strip_prefix("/story/")
        .and_then(|s| Slug::parse(s).ok())
}
