//! URL slugs: lower-case ASCII words joined by hyphens, derived from any Unicode text.

use std::fmt;

use serde::Serialize;

/// Longest slug we derive; long headlines are cut on a word boundary.
pub const MAX_SLUG_LEN: usize = 80;

/// A URL path segment made only of `a-z`, `0-9` and single inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

/// Why a string is not a slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("a slug cannot be empty")]
    Empty,
    #[error("a slug may hold only a-z, 0-9 and single hyphens between words: {0:?}")]
    Invalid(String),
    #[error("a slug is at most {MAX_SLUG_LEN} characters")]
    TooLong,
}

impl Slug {
    /// Derives a slug from free text: transliterated to ASCII (`Łódź` → `lodz`), lower-cased,
    /// runs of anything else collapsed to one hyphen, cut to [`MAX_SLUG_LEN`] on a word
    /// boundary. Returns `None` when nothing usable is left (text of only punctuation).
    pub fn derive(text: &str) -> Option<Slug> {
        let ascii = deunicode::deunicode_with_tofu(text, "-");
        let mut words: Vec<String> = Vec::new();
        let mut current = String::new();
        for ch in ascii.chars() {
            if ch.is_ascii_alphanumeric() {
                current.push(ch.to_ascii_lowercase());
            } else if ch == '\'' || ch == '’' {
                // "Libya's" reads better as "libyas" than as "libya-s".
            } else if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            words.push(current);
        }
        let mut slug = String::new();
        for word in words {
            let extra = if slug.is_empty() {
                word.len()
            } else {
                word.len() + 1
            };
            if slug.len() + extra > MAX_SLUG_LEN {
                if slug.is_empty() {
                    slug.push_str(&word[..MAX_SLUG_LEN]);
                }
                break;
            }
            if !slug.is_empty() {
                slug.push('-');
            }
            slug.push_str(&word);
        }
        (!slug.is_empty()).then_some(Slug(slug))
    }

    /// Accepts a string that already is a well-formed slug.
    pub fn parse(text: &str) -> Result<Slug, SlugError> {
        if text.is_empty() {
            return Err(SlugError::Empty);
        }
        if text.len() > MAX_SLUG_LEN {
            return Err(SlugError::TooLong);
        }
        let well_formed = text.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if well_formed {
            Ok(Slug(text.to_owned()))
        } else {
            Err(SlugError::Invalid(text.to_owned()))
        }
    }

    /// The `n`th alternative for a taken slug: `slug-2`, `slug-3`, … kept within the length limit.
    pub fn with_suffix(&self, n: u32) -> Slug {
        let suffix = format!("-{n}");
        let mut base = self.0.clone();
        while base.len() + suffix.len() > MAX_SLUG_LEN {
            base.pop();
        }
        let base = base.trim_end_matches('-');
        Slug(format!("{base}{suffix}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derive(s: &str) -> String {
        Slug::derive(s).unwrap().to_string()
    }

    #[test]
    fn derives_from_headlines() {
        assert_eq!(
            derive("Libya’s warlord Haftar rejects call for ceasefire"),
            "libyas-warlord-haftar-rejects-call-for-ceasefire"
        );
        assert_eq!(
            derive("COP29: Multilateral diplomatic stalemate"),
            "cop29-multilateral-diplomatic-stalemate"
        );
        assert_eq!(
            derive("  U.S. sanctions -- Russian banks!  "),
            "u-s-sanctions-russian-banks"
        );
    }

    #[test]
    fn transliterates_unicode() {
        assert_eq!(
            derive("Łódź płonie: Straße über Köln"),
            "lodz-plonie-strasse-uber-koln"
        );
        assert_eq!(derive("Привет мир"), "privet-mir");
        assert_eq!(derive("東京"), "dong-jing");
    }

    #[test]
    fn nothing_usable_gives_none() {
        assert_eq!(Slug::derive("!!! ... ---"), None);
        assert_eq!(Slug::derive(""), None);
    }

    #[test]
    fn long_text_is_cut_on_a_word_boundary() {
        let slug = derive(&"word ".repeat(40));
        assert!(slug.len() <= MAX_SLUG_LEN);
        assert!(slug.ends_with("word") && !slug.ends_with('-'));
        let one_long_word = derive(&"x".repeat(200));
        assert_eq!(one_long_word.len(), MAX_SLUG_LEN);
    }

    #[test]
    fn parse_accepts_only_well_formed_slugs() {
        assert!(Slug::parse("good-slug-2").is_ok());
        assert_eq!(Slug::parse(""), Err(SlugError::Empty));
        for bad in ["Bad", "two--hyphens", "-lead", "trail-", "sp ace", "ünï"] {
            assert!(
                matches!(Slug::parse(bad), Err(SlugError::Invalid(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn suffix_keeps_the_length_limit() {
        let slug = Slug::derive(&"a".repeat(MAX_SLUG_LEN)).unwrap();
        let next = slug.with_suffix(12);
        assert!(next.as_str().len() <= MAX_SLUG_LEN);
        assert!(next.as_str().ends_with("-12"));
        assert_eq!(
            Slug::parse("story").unwrap().with_suffix(2).as_str(),
            "story-2"
        );
    }
}
