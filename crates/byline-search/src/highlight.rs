//! Matches shown to readers: the headline with its matched words marked, and a passage of the
//! text around the best matches, both HTML-escaped.

use tantivy::snippet::SnippetGenerator;

/// Characters of text around the matches a snippet shows.
pub(crate) const SNIPPET_CHARS: usize = 220;

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
pub(crate) fn snippet(generator: &SnippetGenerator, text: &str) -> String {
    let snippet = generator.snippet(text);
    if snippet.highlighted().is_empty() {
        let cut = byline_core::excerpt::excerpt(text, 32);
        return escape(&cut);
    }
    let mut html = mark(snippet.fragment(), snippet.highlighted());
    let range = snippet.fragment_range();
    if range.start > 0 {
        html.insert_str(0, "… ");
    }
    if range.end < text.len() {
        html.push_str(" …");
    }
    html
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
