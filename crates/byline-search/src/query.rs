//! What readers type, read forgivingly: words (all required), `"phrases"`, `-excluded` and
//! `+required` words, `a OR b`, `NOT a`; anything else is a word or nothing, never an error
//! beyond a length limit. Parsed once, then turned into a tantivy query per analyzer.

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;

use crate::analysis::{self, STEMMINGS};
use crate::index::FieldSet;

/// Longest query accepted, in characters.
pub const LONGEST_QUERY: usize = 500;
/// At most this many words and phrases are used; the rest are ignored.
const MOST_ATOMS: usize = 16;
/// A phrase keeps at most this many words.
const LONGEST_PHRASE: usize = 8;
/// How many index terms a word being typed may stand for.
const PREFIX_EXPANSIONS: u32 = 32;

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the search is {0} characters long; at most {LONGEST_QUERY} are searched")]
    TooLong(usize),
}

/// A word or a phrase, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Word(String),
    Phrase(String),
}

/// Atoms of which at least one must (or none may) match.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    excluded: bool,
    any_of: Vec<Atom>,
}

/// A parsed search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQuery {
    text: String,
    groups: Vec<Group>,
    /// Whether the last word is still being typed (matched as a prefix too).
    typing: bool,
}

impl UserQuery {
    /// Reads a search as typed; `typing` makes its last word a prefix (for suggestions while
    /// typing). Control characters count as spaces.
    pub fn parse(text: &str, typing: bool) -> Result<UserQuery, QueryError> {
        let length = text.chars().count();
        if length > LONGEST_QUERY {
            return Err(QueryError::TooLong(length));
        }
        let clean: String = text
            .chars()
            .map(|c| {
                if c.is_control() || invisible(c) {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let typing = typing && !clean.ends_with(char::is_whitespace);
        Ok(UserQuery {
            groups: groups(&clean),
            text: clean.split_whitespace().collect::<Vec<_>>().join(" "),
            typing,
        })
    }

    /// The search as it will be shown back: control characters and runs of spaces removed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The openings of the words looked for, lower-cased (ASCII), for finding where in a
    /// text a snippet should come from.
    pub(crate) fn probes(&self) -> Vec<String> {
        self.groups
            .iter()
            .filter(|g| !g.excluded)
            .flat_map(|g| &g.any_of)
            .flat_map(|atom| match atom {
                Atom::Word(w) | Atom::Phrase(w) => w.split_whitespace().collect::<Vec<_>>(),
            })
            .map(|word| {
                word.chars()
                    .take(5)
                    .collect::<String>()
                    .to_ascii_lowercase()
            })
            .filter(|probe| probe.chars().count() >= 3)
            .collect()
    }

    /// Whether there is anything to look for.
    pub fn is_empty(&self) -> bool {
        !self.groups.iter().any(|g| !g.excluded)
    }

    /// The query over every analyzer's fields, or `None` when no required word survives
    /// analysis (the search was only punctuation, say).
    pub(crate) fn to_query(
        &self,
        sets: &[&FieldSet],
        analyzers: &[usize],
        index: &tantivy::Index,
        headline_boost: f32,
    ) -> Option<Box<dyn Query>> {
        let last_word = self
            .typing
            .then(|| self.groups.iter().flat_map(|g| &g.any_of).last())
            .flatten();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut required = 0;
        for group in &self.groups {
            let alternatives: Vec<(Occur, Box<dyn Query>)> = group
                .any_of
                .iter()
                .filter_map(|atom| {
                    let prefix = last_word == Some(atom) && !group.excluded;
                    atom_query(atom, prefix, sets, analyzers, index, headline_boost)
                })
                .map(|q| (Occur::Should, q))
                .collect();
            if alternatives.is_empty() {
                continue;
            }
            let occur = if group.excluded {
                Occur::MustNot
            } else {
                Occur::Must
            };
            required += usize::from(!group.excluded);
            clauses.push((occur, Box::new(BooleanQuery::new(alternatives))));
        }
        (required > 0).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }
}

/// Characters that change how text around them is shown without being seen: direction
/// overrides and isolates (which would reorder the search as the page echoes it), zero-width
/// spaces and joiners, the byte-order mark.
fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Splits the text into groups: `OR` joins its neighbours, `-`/`NOT` exclude, `AND` and
/// `+` say what is meant anyway.
fn groups(text: &str) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut join_next = false;
    let mut exclude_next = false;
    let mut atoms = 0;
    for (raw, quoted) in pieces(text) {
        if atoms >= MOST_ATOMS {
            break;
        }
        if !quoted {
            match raw.as_str() {
                "OR" | "|" | "||" => {
                    join_next = !groups.is_empty();
                    continue;
                }
                "AND" | "&&" | "+" => continue,
                "NOT" | "-" => {
                    exclude_next = true;
                    continue;
                }
                _ => {}
            }
        }
        let (excluded, atom) = if quoted {
            (exclude_next, Atom::Phrase(raw))
        } else if let Some(rest) = raw.strip_prefix('-').filter(|r| !r.is_empty()) {
            (true, Atom::Word(rest.to_owned()))
        } else {
            let word = raw
                .strip_prefix('+')
                .filter(|r| !r.is_empty())
                .unwrap_or(&raw);
            (exclude_next, Atom::Word(word.to_owned()))
        };
        atoms += 1;
        match groups.last_mut() {
            Some(last) if join_next && !excluded && !last.excluded => last.any_of.push(atom),
            _ => groups.push(Group {
                excluded,
                any_of: vec![atom],
            }),
        }
        join_next = false;
        exclude_next = false;
    }
    groups
}

/// The whitespace-separated pieces of the text, a quoted stretch (`"…"`, `-"…"`, or an
/// unclosed quote to the end) as one piece; (text, whether quoted). A `-` before a quote is
/// returned as its own piece.
fn pieces(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (minus, body) = match rest.strip_prefix("-\"") {
            Some(after) => (true, after),
            None => (false, rest.strip_prefix('"').unwrap_or(rest)),
        };
        if minus || rest.starts_with('"') {
            if minus {
                out.push(("-".to_owned(), false));
            }
            let end = body.find('"').unwrap_or(body.len());
            let phrase: Vec<&str> = body[..end]
                .split_whitespace()
                .take(LONGEST_PHRASE)
                .collect();
            if !phrase.is_empty() {
                out.push((phrase.join(" "), true));
            }
            rest = body.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push((rest[..end].to_owned(), false));
            rest = rest[end..].trim_start();
        }
    }
    out
}

/// A word or phrase looked for in the headline and text fields of each set, as each analyzer
/// in use makes it (the same terms once: most analyzers agree on most words); `None` when it
/// has no terms under any of them. A word being typed is also matched as a prefix, in
/// headlines only (suggestions are headlines, and a prefix's expansions are many).
fn atom_query(
    atom: &Atom,
    prefix: bool,
    sets: &[&FieldSet],
    analyzers: &[usize],
    index: &tantivy::Index,
    headline_boost: f32,
) -> Option<Box<dyn Query>> {
    let text = match atom {
        Atom::Word(w) | Atom::Phrase(w) => w,
    };
    let mut folded = if prefix {
        analysis::terms(index, &STEMMINGS[STEMMINGS.len() - 1], text)
    } else {
        Vec::new()
    };
    folded.truncate(LONGEST_PHRASE);
    let mut readings: Vec<Vec<String>> = Vec::new();
    for &position in analyzers {
        // One word can analyze to many terms (`a-b-c-…`): a phrase keeps the first few.
        let mut terms = analysis::terms(index, &STEMMINGS[position], text);
        terms.truncate(LONGEST_PHRASE);
        if !terms.is_empty() && !readings.contains(&terms) {
            readings.push(terms);
        }
    }
    let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for set in sets {
        for (field, boost) in [(set.headline, headline_boost), (set.text, 1.0)] {
            for terms in &readings {
                if let Some(q) = terms_query(field, terms) {
                    per_field.push((Occur::Should, boosted(q, boost)));
                }
            }
        }
        if !folded.is_empty() {
            let words: Vec<Term> = folded
                .iter()
                .map(|t| Term::from_field_text(set.headline, t))
                .collect();
            let mut q = PhrasePrefixQuery::new(words);
            q.set_max_expansions(PREFIX_EXPANSIONS);
            per_field.push((Occur::Should, boosted(Box::new(q), headline_boost)));
        }
    }
    (!per_field.is_empty()).then(|| Box::new(BooleanQuery::new(per_field)) as Box<dyn Query>)
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

/// One term, or the terms in order as a phrase.
fn terms_query(field: tantivy::schema::Field, terms: &[String]) -> Option<Box<dyn Query>> {
    match terms {
        [] => None,
        [one] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, one),
            IndexRecordOption::WithFreqs,
        ))),
        many => Some(Box::new(PhraseQuery::new(
            many.iter()
                .map(|t| Term::from_field_text(field, t))
                .collect(),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Atom {
        Atom::Word(w.into())
    }

    fn group(excluded: bool, atoms: Vec<Atom>) -> Group {
        Group {
            excluded,
            any_of: atoms,
        }
    }

    #[test]
    fn words_phrases_and_exclusions() {
        assert_eq!(
            groups(r#"Haftar "peace process" -Moscow +Tripoli"#),
            vec![
                group(false, vec![word("Haftar")]),
                group(false, vec![Atom::Phrase("peace process".into())]),
                group(true, vec![word("Moscow")]),
                group(false, vec![word("Tripoli")]),
            ]
        );
        assert_eq!(
            groups(r#"a OR b NOT c -"d e""#),
            vec![
                group(false, vec![word("a"), word("b")]),
                group(true, vec![word("c")]),
                group(true, vec![Atom::Phrase("d e".into())]),
            ]
        );
    }

    #[test]
    fn hostile_text_parses_to_something_or_nothing() {
        for text in [
            "\"",
            "(((",
            "AND OR NOT",
            "-",
            "\"\"",
            "- - -",
            "OR a",
            "\u{0}\u{7}",
        ] {
            let q = UserQuery::parse(text, false).unwrap();
            assert!(q.groups.iter().all(|g| !g.any_of.is_empty()), "{text}");
        }
        assert_eq!(groups("(((").len(), 1);
        assert!(UserQuery::parse("AND OR NOT", false).unwrap().is_empty());
        assert_eq!(groups(&"word ".repeat(100)).len(), MOST_ATOMS);
    }

    #[test]
    fn a_word_is_looked_for_once_per_distinct_reading() {
        let (_dir, index) = crate::tests::empty_index();
        let sets = [&index.fields.public];
        let all: Vec<usize> = (0..STEMMINGS.len()).collect();
        let terms_of = |text: &str| {
            let query = UserQuery::parse(text, false)
                .unwrap()
                .to_query(&sets, &all, &index.index, 2.0)
                .unwrap();
            let mut terms = Vec::new();
            query.query_terms(&mut |term, _| terms.push(term.clone()));
            terms.sort();
            terms.dedup();
            terms
        };
        // Twelve analyzers, but a number reads the same under each: one term per field.
        assert_eq!(terms_of("2026").len(), 2);
        // `ceasefires` stems to `ceasefir` in English and stays whole unstemmed (and in
        // languages that do not strip the plural): a few readings, never twelve.
        let readings = terms_of("ceasefires").len() / 2;
        assert!((2..=4).contains(&readings), "{readings} readings");
    }

    #[test]
    fn too_long_is_refused_by_its_length() {
        let long = "a".repeat(LONGEST_QUERY + 1);
        assert_eq!(
            UserQuery::parse(&long, false),
            Err(QueryError::TooLong(LONGEST_QUERY + 1))
        );
        assert!(UserQuery::parse(&"a".repeat(LONGEST_QUERY), false).is_ok());
    }

    #[test]
    fn control_characters_are_spaces_and_typing_ends_at_a_space() {
        assert_eq!(
            UserQuery::parse("abc\u{202E}def\u{200B}", false)
                .unwrap()
                .text(),
            "abc def"
        );
        let q = UserQuery::parse("cease\u{1b}fire ", true).unwrap();
        assert_eq!(q.text(), "cease fire");
        assert!(!q.typing);
        assert!(UserQuery::parse("ceasef", true).unwrap().typing);
    }
}
