//! Matches shown to readers: the headline with its matched words marked, and a passage of the
//! text around the best matches, both HTML-escaped.

use std::collections::{BTreeMap, BTreeSet};

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;
use tantivy::{Searcher, Term};

use crate::SearchError;
use crate::analysis::{self, Stemming};

/// Characters of text around the matches a snippet shows.
pub(crate) const SNIPPET_CHARS: usize = 220;

/// A snippet maker for text analyzed by `stemming`, marking the query's terms in `field`;
/// the rarer a term, the more a passage holding it counts.
pub(crate) fn generator(
    searcher: &Searcher,
    query: &dyn Query,
    field: Field,
    stemming: &Stemming,
    max_chars: usize,
) -> Result<SnippetGenerator, SearchError> {
    let mut terms: BTreeSet<Term> = BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            terms.insert(term.clone());
        }
    });
    let mut weights = BTreeMap::new();
    for term in terms {
        let Some(text) = term.value().as_str().map(str::to_owned) else {
            continue;
        };
        let documents = searcher.doc_freq(&term)?;
        if documents > 0 {
            weights.insert(text, 1.0 / (1.0 + documents as f32));
        }
    }
    let analyzer = analysis::analyzer(stemming);
    Ok(SnippetGenerator::new(weights, analyzer, field, max_chars))
}

/// The whole text, HTML-escaped, with the generator's matches in `<mark>`.
pub(crate) fn marked(generator: &SnippetGenerator, text: &str) -> String {
    let snippet = generator.snippet(text);
    let start = snippet.fragment_range().start;
    let ranges: Vec<std::ops::Range<usize>> = snippet
        .highlighted()
        .iter()
        .map(|r| r.start + start..r.end + start)
        .collect();
    mark(text, &ranges)
}

/// `text` HTML-escaped with the byte ranges `ranges` (in order, not overlapping) in `<mark>`.
fn mark(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len() + ranges.len() * 13);
    let mut at = 0;
    for range in ranges {
        let (Some(before), Some(inside)) = (text.get(at..range.start), text.get(range.clone()))
        else {
            continue;
        };
        out.push_str(&escape(before));
        out.push_str("<mark>");
        out.push_str(&escape(inside));
        out.push_str("</mark>");
        at = range.end;
    }
    out.push_str(&escape(text.get(at..).unwrap_or("")));
    out
}

/// The passage of the text around the best matches; its opening when nothing matched in it.
///
/// Only a window of the text is analyzed (stemming a whole long story for each hit would cost
/// more than the search): the one around the first place a word of the search appears as
/// typed, else the opening.
pub(crate) fn snippet(generator: &SnippetGenerator, text: &str, probes: &[String]) -> String {
    let window = window(text, probes);
    let snippet = generator.snippet(&text[window.clone()]);
    if snippet.highlighted().is_empty() {
        let cut = byline_core::excerpt::excerpt(text, 32);
        return escape(&cut);
    }
    let mut html = mark(snippet.fragment(), snippet.highlighted());
    let range = snippet.fragment_range();
    if window.start + range.start > 0 {
        html.insert_str(0, "… ");
    }
    if window.start + range.end < text.len() {
        html.push_str(" …");
    }
    html
}

/// Bytes of text analyzed for a snippet, and how many of them come before the first match:
/// room for a snippet of [`SNIPPET_CHARS`] on either side of it and a little more (analysis
/// is most of a snippet's cost, so the window is no wider than a snippet can use).
const WINDOW: usize = 720;
const BEFORE: usize = 240;

/// The window of `text` a snippet is cut from, on character boundaries.
fn window(text: &str, probes: &[String]) -> std::ops::Range<usize> {
    if text.len() <= WINDOW {
        return 0..text.len();
    }
    let lower = text.to_ascii_lowercase();
    let first = probes
        .iter()
        .filter_map(|p| lower.find(p.as_str()))
        .min()
        .unwrap_or(0);
    let mut start = first.saturating_sub(BEFORE);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + WINDOW).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    start..end
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
