//! The excerpt rule of story cards: the first N words, cut on word boundaries.
//!
//! A word is a run of non-space characters, so punctuation stays with its word
//! (`(November...`); `...` is appended only when the text was actually cut.

/// Words in a `Latest` or `Don't miss` card's excerpt.
pub const RAIL_EXCERPT_WORDS: usize = 9;
/// Words in a card of the more-stories list.
pub const MORE_EXCERPT_WORDS: usize = 24;

/// Words of plain text a story keeps as its summary, whatever its source (the editor, an
/// import, the API); the longest excerpt shown is [`MORE_EXCERPT_WORDS`].
pub const SUMMARY_WORDS: usize = 80;

/// A story's summary: the first [`SUMMARY_WORDS`] words of its standfirst when it has one,
/// else of its body's plain text; whitespace normalised, never marked as cut.
pub fn summary(standfirst: Option<&str>, body_text: &str) -> String {
    let source = standfirst
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(body_text);
    source
        .split_whitespace()
        .take(SUMMARY_WORDS)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first `words` words of `text`, whitespace normalised, with `...` when cut.
pub fn excerpt(text: &str, words: usize) -> String {
    let mut parts = text.split_whitespace();
    let kept: Vec<&str> = parts.by_ref().take(words).collect();
    let mut out = kept.join(" ");
    if parts.next().is_some() {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_is_the_standfirst_else_the_body_up_to_its_word_limit() {
        assert_eq!(summary(Some(" A  standfirst "), "the body"), "A standfirst");
        assert_eq!(summary(Some("  "), "the\nbody"), "the body");
        assert_eq!(summary(None, "the body"), "the body");
        let long = "word ".repeat(SUMMARY_WORDS + 5);
        assert_eq!(summary(None, &long).split(' ').count(), SUMMARY_WORDS);
    }

    #[test]
    fn cuts_on_words_and_marks_the_cut() {
        assert_eq!(excerpt("one two three four", 2), "one two...");
        assert_eq!(excerpt("one two", 2), "one two");
        assert_eq!(excerpt("  one\n two\tthree ", 5), "one two three");
        assert_eq!(excerpt("", 9), "");
    }

    #[test]
    fn punctuation_stays_with_its_word() {
        assert_eq!(
            excerpt("On the second day (November 12) of", 5),
            "On the second day (November..."
        );
        assert_eq!(
            excerpt("Syensqo’s Head of Hydrogen", 2),
            "Syensqo’s Head..."
        );
    }

    /// The 15 cards of the golden page: each excerpt, rebuilt into a longer text the way the
    /// seed's stories carry it, must come back exactly as the page prints it.
    #[test]
    fn reproduces_every_card_of_the_seed_page() {
        let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seed/page.txt");
        let page = std::fs::read_to_string(seed).expect("the seed page is in ../shared/seed");
        let lines: Vec<&str> = page
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let start = lines
            .iter()
            .position(|l| *l == "Subscribe to our newsletter")
            .unwrap()
            + 1;
        let card_lines: Vec<&str> = lines[start..]
            .iter()
            .copied()
            .filter(|l| *l != "Latest" && *l != "Don't miss")
            .collect();
        let cards: Vec<&[&str]> = card_lines.chunks(2).collect();
        assert_eq!(cards.len(), 15, "3 Latest + 4 Don't miss + 8 more");
        for (i, card) in cards.iter().enumerate() {
            let shown = card[1];
            let words = if i < 7 {
                RAIL_EXCERPT_WORDS
            } else {
                MORE_EXCERPT_WORDS
            };
            let full = format!(
                "{} and the story goes on for a while longer.",
                shown.trim_end_matches('.')
            );
            assert_eq!(excerpt(&full, words), shown, "card {} ({})", i + 1, card[0]);
            assert_eq!(
                excerpt(shown.trim_end_matches('.'), words),
                shown.trim_end_matches('.')
            );
        }
    }
}
