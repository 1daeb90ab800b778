//! What a change to the public site touches: the keys cached pages depend on and the change
//! log records, written one way for the store that records them and the cache that follows.

use std::fmt;

use crate::ids::StoryId;
use crate::slug::Slug;

/// A part of the public site that pages depend on and writes change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CacheKey {
    /// One story's own page (its text, photo, corrections).
    Story(StoryId),
    /// The `Latest` and `Don't miss` rails every article shows.
    Rails,
    /// Every listing of stories (the home page's blocks, sections, tags, authors).
    Lists,
    /// The front page's chosen lead.
    Home,
    /// What feeds and sitemaps carry of public stories beyond their cards: whole texts,
    /// corrections and modification times.
    Feeds,
    /// What every page shows: the site's sections and navigation.
    Site,
    Section(Slug),
    Tag(Slug),
    Author(Slug),
    /// The `Most read` rail, which each node reads again on its own schedule (never in the
    /// change log).
    MostRead,
    /// The `Related` blocks, made anew when this node's search index is opened or replaced
    /// (never in the change log).
    Related,
}

impl CacheKey {
    /// The keys a change to one public story touches: its page, the rails and the lists.
    pub fn of_story(id: StoryId) -> Vec<CacheKey> {
        vec![CacheKey::Story(id), CacheKey::Rails, CacheKey::Lists]
    }

    /// A key as [`fmt::Display`] writes it. A key this version does not know (written by a
    /// newer node) is read as [`CacheKey::Site`], which every page depends on: a cache
    /// never keeps a page a change may have touched.
    pub fn parse(text: &str) -> CacheKey {
        let slug = |s: &str| Slug::parse(s).ok();
        let known = match text.split_once('-') {
            None => match text {
                "rails" => Some(CacheKey::Rails),
                "lists" => Some(CacheKey::Lists),
                "home" => Some(CacheKey::Home),
                "feeds" => Some(CacheKey::Feeds),
                "site" => Some(CacheKey::Site),
                "related" => Some(CacheKey::Related),
                _ => None,
            },
            Some(("story", id)) => id.parse().ok().map(|id| CacheKey::Story(StoryId(id))),
            Some(("section", s)) => slug(s).map(CacheKey::Section),
            Some(("tag", s)) => slug(s).map(CacheKey::Tag),
            Some(("author", s)) => slug(s).map(CacheKey::Author),
            Some(("most", "read")) => Some(CacheKey::MostRead),
            Some(_) => None,
        };
        known.unwrap_or(CacheKey::Site)
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheKey::Story(id) => write!(f, "story-{id}"),
            CacheKey::Rails => f.write_str("rails"),
            CacheKey::Lists => f.write_str("lists"),
            CacheKey::Home => f.write_str("home"),
            CacheKey::Feeds => f.write_str("feeds"),
            CacheKey::Site => f.write_str("site"),
            CacheKey::Section(slug) => write!(f, "section-{slug}"),
            CacheKey::Tag(slug) => write!(f, "tag-{slug}"),
            CacheKey::Author(slug) => write!(f, "author-{slug}"),
            CacheKey::MostRead => f.write_str("most-read"),
            CacheKey::Related => f.write_str("related"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_reads_back_as_written() {
        let slug = Slug::parse("city-hall").unwrap();
        for key in [
            CacheKey::Story(StoryId(42)),
            CacheKey::Rails,
            CacheKey::Lists,
            CacheKey::Home,
            CacheKey::Feeds,
            CacheKey::Site,
            CacheKey::Section(slug.clone()),
            CacheKey::Tag(slug.clone()),
            CacheKey::Author(slug),
            CacheKey::MostRead,
            CacheKey::Related,
        ] {
            assert_eq!(CacheKey::parse(&key.to_string()), key);
        }
    }

    #[test]
    fn an_unknown_key_touches_every_page() {
        assert_eq!(CacheKey::parse("menu-footer"), CacheKey::Site);
        assert_eq!(CacheKey::parse("story-x"), CacheKey::Site);
        assert_eq!(CacheKey::parse(""), CacheKey::Site);
    }
}
