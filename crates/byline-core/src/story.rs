//! Stories and what they are filed under: sections, tags and authors.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ids::{AuthorId, SectionId, StoryId};
use crate::picture::Picture;
use crate::slug::Slug;

/// Longest headline accepted, in characters.
pub const MAX_HEADLINE_CHARS: usize = 300;

/// A story's headline: trimmed, never empty, on one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Headline(String);

/// Why a text cannot be a headline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadlineError {
    #[error("the headline is empty")]
    Empty,
    #[error("the headline is longer than {MAX_HEADLINE_CHARS} characters")]
    TooLong,
}

impl Headline {
    /// Collapses inner white space (a headline is one line), leaves out control characters
    /// (no page, feed or sitemap could carry them) and checks the length.
    pub fn parse(text: &str) -> Result<Headline, HeadlineError> {
        let text: String = text
            .chars()
            .filter(|c| c.is_whitespace() || !c.is_control())
            .collect();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return Err(HeadlineError::Empty);
        }
        if text.chars().count() > MAX_HEADLINE_CHARS {
            return Err(HeadlineError::TooLong);
        }
        Ok(Headline(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// HTML that has been through the sanitizer of `byline-render` and is safe to emit as is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SafeHtml(String);

impl SafeHtml {
    /// Wraps HTML that a sanitizer produced or that the store returns (the store only ever
    /// holds sanitized HTML). Never call this on input from outside.
    pub fn from_sanitized(html: String) -> SafeHtml {
        SafeHtml(html)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A body as a source hands it over: untrusted HTML or plain text, not yet sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawBody {
    Html(String),
    Text(String),
    Empty,
}

/// Where a story is in its life. Only `Published` stories whose time has come are public;
/// the legal moves between states are in [`crate::workflow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being written, or held (for example under embargo).
    Draft,
    /// Submitted for an editor's review.
    InReview,
    /// To be published by the job runner at `published_at`.
    Scheduled,
    /// Public from `published_at` on.
    Published,
    /// Taken down after publication (a wire kill or withdrawal).
    Unpublished,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::InReview,
        Status::Scheduled,
        Status::Published,
        Status::Unpublished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in_review",
            Status::Scheduled => "scheduled",
            Status::Published => "published",
            Status::Unpublished => "unpublished",
        }
    }

    /// How the admin names the state.
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::InReview => "In review",
            Status::Scheduled => "Scheduled",
            Status::Published => "Published",
            Status::Unpublished => "Unpublished",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The status a story saved as `self` with this publication time has at `now`: a story
    /// "published" in the future is scheduled (the job runner makes it public when its time
    /// comes, and so records the change the page cache follows).
    pub fn at(self, published_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Status {
        match self {
            Status::Published if published_at.is_some_and(|t| t > now) => Status::Scheduled,
            other => other,
        }
    }

    /// The status a wire item arrives in, and why when it is not simply published: usable
    /// items are published (scheduled while under embargo), drafts stay drafts, withheld and
    /// canceled items are taken down.
    pub fn for_wire(
        wire: WireStatus,
        embargo_until: Option<DateTime<Utc>>,
    ) -> (Status, Option<String>) {
        match wire {
            WireStatus::Canceled => (
                Status::Unpublished,
                Some("unpublished: the item is canceled".to_owned()),
            ),
            WireStatus::Withheld => (
                Status::Unpublished,
                Some("unpublished: the item is withheld".to_owned()),
            ),
            WireStatus::Draft => (Status::Draft, Some("a draft".to_owned())),
            WireStatus::Usable => match embargo_until {
                Some(until) => (
                    Status::Scheduled,
                    Some(format!("scheduled: embargoed until {}", until.to_rfc3339())),
                ),
                None => (Status::Published, None),
            },
        }
    }
}

/// A wire item's publication status as agencies send it (ninjs `pubstatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireStatus {
    Usable,
    Withheld,
    Canceled,
    Draft,
}

/// A desk of the newsroom, with its own front page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub id: SectionId,
    pub slug: Slug,
    pub name: String,
    /// A sentence or two shown on the section's page.
    pub description: String,
    /// Order in the navigation, smallest first.
    pub position: i64,
    /// The section it belongs under, if any (its page links here, and here to it).
    pub parent: Option<SectionId>,
}

/// The sections above `section` in `all` (the site's sections), outermost first; a broken or
/// circular hierarchy ends where it turns back, and it never climbs more than eight levels.
pub fn sections_above<'a>(all: &'a [Section], section: &Section) -> Vec<&'a Section> {
    let mut above: Vec<&Section> = Vec::new();
    let mut next = section.parent;
    while let Some(id) = next {
        let Some(parent) = all.iter().find(|s| s.id == id) else {
            break;
        };
        if parent.id == section.id || above.iter().any(|s| s.id == id) || above.len() == 8 {
            break;
        }
        above.push(parent);
        next = parent.parent;
    }
    above.reverse();
    above
}

/// The sections directly under `section`, in the navigation's order.
pub fn sections_under<'a>(all: &'a [Section], section: &Section) -> Vec<&'a Section> {
    all.iter()
        .filter(|s| s.parent == Some(section.id) && s.id != section.id)
        .collect()
}

/// A subject label; stories share tags by slug.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub slug: Slug,
    pub name: String,
}

/// A person credited with writing stories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Author {
    pub id: AuthorId,
    pub slug: Slug,
    pub name: String,
    /// A short biography, plain text; empty when the newsroom wrote none.
    pub bio: String,
}

/// How a story presents itself to search engines and link previews, when that differs from
/// its headline and summary: the page's title (the theme adds the site's name) and its
/// description. Empty fields fall back to the headline and the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Seo {
    pub title: Option<String>,
    pub description: Option<String>,
}

impl Seo {
    /// The longest title kept, in characters (search engines show about 60).
    pub const MAX_TITLE: usize = 300;
    /// The longest description kept, in characters (search engines show about 160).
    pub const MAX_DESCRIPTION: usize = 1_000;

    /// Fields with their whitespace collapsed, an empty one as none, each cut to its longest
    /// (a source's text is kept as far as the editor would take it).
    pub fn new(title: Option<&str>, description: Option<&str>) -> Seo {
        let field = |text: Option<&str>, longest: usize| {
            let words = text?.split_whitespace().collect::<Vec<_>>().join(" ");
            let cut: String = words.chars().take(longest).collect();
            Some(cut.trim_end().to_owned()).filter(|t| !t.is_empty())
        };
        Seo {
            title: field(title, Self::MAX_TITLE),
            description: field(description, Self::MAX_DESCRIPTION),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.description.is_none()
    }
}

/// A whole story, as an article page needs it.
#[derive(Debug, Clone, Serialize)]
pub struct Story {
    pub id: StoryId,
    /// A news story, or one of the site's own pages (served at `/{slug}`, never listed).
    pub kind: crate::pages::StoryKind,
    pub slug: Slug,
    pub headline: Headline,
    pub standfirst: Option<String>,
    pub body: SafeHtml,
    /// Plain text that excerpts are cut from: the standfirst, else the body's text.
    pub summary: String,
    pub section: Option<Section>,
    pub tags: Vec<Tag>,
    /// In byline order.
    pub authors: Vec<Author>,
    /// The byline as the source printed it ("By Jane Doe, AP"), when it had one.
    pub byline: Option<String>,
    /// BCP 47 language tag, e.g. `en`.
    pub language: String,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub embargo_until: Option<DateTime<Utc>>,
    pub lead_picture: Option<Picture>,
    pub seo: Seo,
    /// Correction notes, oldest first.
    pub corrections: Vec<crate::editorial::Correction>,
}

impl Story {
    /// Whether readers may see the story at `now`.
    pub fn is_public_at(&self, now: DateTime<Utc>) -> bool {
        self.status == Status::Published && self.published_at.is_some_and(|t| t <= now)
    }
}

/// What a list or rail shows of a story.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryCard {
    pub id: StoryId,
    pub slug: Slug,
    pub headline: Headline,
    pub summary: String,
    pub published_at: DateTime<Utc>,
    pub lead_picture: Option<Picture>,
}

/// The words a byline starts with, by language (`By Anna Berg`, `Von Christian Hollmann`),
/// and the word that joins the last two names (`Anna Berg and Jon Lie`).
const BYLINE_WORDS: [(&str, &[&str], &str); 11] = [
    ("en", &["by"], "and"),
    ("de", &["von"], "und"),
    ("fr", &["par"], "et"),
    ("es", &["por"], "y"),
    ("pt", &["por"], "e"),
    ("it", &["di", "da"], "e"),
    ("nl", &["door"], "en"),
    ("sv", &["av"], "och"),
    ("no", &["av"], "og"),
    ("nb", &["av"], "og"),
    ("da", &["af"], "og"),
];

/// The names in a byline written in `language` (a BCP 47 tag: `de-DE` reads as German):
/// the language's "by" word dropped from the front (English's always), split at commas,
/// semicolons, `&` and the language's "and". Italian's `Di`/`Da` are dropped only before a
/// name of two words or more, so `Di Stefano` stays a name.
pub fn byline_names(byline: &str, language: &str) -> Vec<String> {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let words = BYLINE_WORDS.iter().find(|(code, _, _)| *code == primary);
    let english = &BYLINE_WORDS[0];
    let prefixes = english.1.iter().chain(words.map_or(&[][..], |w| w.1));
    let joiners: Vec<String> = [english.2]
        .into_iter()
        .chain(words.map(|w| w.2))
        .map(|j| format!(" {j} "))
        .collect();
    let trimmed = byline.trim();
    let without_by = prefixes
        .filter_map(|prefix| {
            let (first, rest) = trimmed.split_once(char::is_whitespace)?;
            let first_name = rest.split([',', ';', '&']).next().unwrap_or_default();
            // Italian's words are also surnames' particles (Di Stefano).
            let particle = matches!(*prefix, "di" | "da");
            let named = !particle || first_name.split_whitespace().count() >= 2;
            (first.eq_ignore_ascii_case(prefix) && named).then_some(rest.trim_start())
        })
        .next()
        .unwrap_or(trimmed);
    without_by
        .split([',', ';', '&'])
        .flat_map(|part| split_all(part, &joiners))
        .map(|name| name.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|name| !name.is_empty() && Slug::derive(name).is_some())
        .collect()
}

/// `text` split at every one of `joiners`.
fn split_all(text: &str, joiners: &[String]) -> Vec<String> {
    let mut parts = vec![text.to_owned()];
    for joiner in joiners {
        parts = parts
            .iter()
            .flat_map(|p| {
                p.split(joiner.as_str())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_are_collapsed_and_cut_to_what_the_editor_takes() {
        let long = "é".repeat(Seo::MAX_TITLE + 50);
        let seo = Seo::new(Some(&long), Some("  two\n words  "));
        assert_eq!(seo.title.unwrap().chars().count(), Seo::MAX_TITLE);
        assert_eq!(seo.description.as_deref(), Some("two words"));
        assert!(Seo::new(Some(" "), None).is_empty());
    }

    #[test]
    fn headline_is_one_trimmed_line() {
        assert_eq!(
            Headline::parse("  A\n  headline ").unwrap().as_str(),
            "A headline"
        );
        assert_eq!(Headline::parse(" \n "), Err(HeadlineError::Empty));
        assert_eq!(
            Headline::parse("Bell\u{7}s & <toll> \u{1F514}")
                .unwrap()
                .as_str(),
            "Bells & <toll> \u{1F514}"
        );
        assert_eq!(Headline::parse("\u{0}\u{1b}"), Err(HeadlineError::Empty));
        assert_eq!(
            Headline::parse(&"x".repeat(301)),
            Err(HeadlineError::TooLong)
        );
    }

    #[test]
    fn bylines_split_into_names() {
        assert_eq!(
            byline_names("By Paulo Santalucia and Frances d'Emilio", "en"),
            vec!["Paulo Santalucia", "Frances d'Emilio"]
        );
        assert_eq!(
            byline_names("Anna Berg, Jon Lie & Kari Nord", "no"),
            vec!["Anna Berg", "Jon Lie", "Kari Nord"]
        );
        assert_eq!(byline_names("Bebeto Matthews", ""), vec!["Bebeto Matthews"]);
        assert!(byline_names("  , ", "en").is_empty());
    }

    #[test]
    fn bylines_lose_their_by_word_in_the_items_language() {
        for (byline, language, names) in [
            (
                "Von Christian Hollmann, dpa",
                "de-DE",
                &["Christian Hollmann", "dpa"][..],
            ),
            (
                "Par Jean Dupont et Marie Curie",
                "fr",
                &["Jean Dupont", "Marie Curie"],
            ),
            (
                "Por Ana García y Luis Pérez",
                "es",
                &["Ana García", "Luis Pérez"],
            ),
            (
                "Av Karin Svensson och Per Ek/TT",
                "sv",
                &["Karin Svensson", "Per Ek/TT"],
            ),
            ("Af Mette Hansen", "da", &["Mette Hansen"]),
            ("Door Jan de Vries", "nl", &["Jan de Vries"]),
            ("Di Mario Rossi", "it", &["Mario Rossi"]),
            // A surname, not Italian's "by".
            ("Di Stefano", "it", &["Di Stefano"]),
            // Only the item's language's word is dropped (and English's).
            ("Von Christian Hollmann", "fr", &["Von Christian Hollmann"]),
            ("BY ANNA BERG", "de", &["ANNA BERG"]),
            ("Von dpa", "de", &["dpa"]),
            ("By Reuters", "en", &["Reuters"]),
        ] {
            assert_eq!(
                byline_names(byline, language),
                names,
                "{byline} ({language})"
            );
        }
    }

    #[test]
    fn status_round_trips() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("live"), None);
    }
}
