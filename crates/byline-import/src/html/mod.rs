//! Reshaping imported HTML before it is sanitized: a wire item's whole HTML document reduced
//! to the article it holds, and WordPress's stored text given the paragraphs WordPress gives it.

pub(crate) mod autop;
pub(crate) mod tokens;

use tokens::{Piece, html_of, matching_ends, pieces, text_of};

/// The text of an HTML-escaped name (WordPress stores term names, titles and display names
/// escaped: `Secrets &amp; Lies`): entities decoded, tags dropped.
pub(crate) fn decode_entities(text: &str) -> String {
    if !text.contains(['&', '<']) {
        return text.to_owned();
    }
    pieces(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Text(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// Elements that only wrap an article's content: a leading headline inside them still leads.
const WRAPPERS: [&str; 6] = ["article", "section", "header", "div", "hgroup", "main"];

/// Inline elements whose boundaries a plain rendition may show as a space.
const INLINE: [&str; 12] = [
    "span", "a", "b", "strong", "em", "i", "small", "time", "abbr", "cite", "mark", "u",
];

/// The article of a wire item's HTML body. A whole document (`<html>`, `<head>`, `<body>`)
/// is reduced to its `<body>`'s content; a leading heading that repeats the headline goes
/// (the page shows the headline); so does any figure or picture of the lead picture, known
/// by `lead` (its renditions' addresses, its uri and its name in the item). Where two inline
/// elements meet with nothing between them, a space is put where the item's plain text
/// (`plain`) shows one, as the source's page rendered them apart.
pub(crate) fn article_body(
    html: &str,
    headline: &str,
    lead: &[String],
    plain: Option<&str>,
) -> String {
    let mut pieces = body_of(pieces(html));
    drop_leading_headline(&mut pieces, headline);
    if !lead.is_empty() {
        drop_lead_picture(&mut pieces, lead);
    }
    if let Some(plain) = plain {
        space_inline_boundaries(&mut pieces, plain);
    }
    figures_of_old_captions(&mut pieces);
    drop_empty_blocks(&mut pieces);
    level_headings(&mut pieces);
    html_of(&pieces).trim().to_owned()
}

/// The content of `<body>` when there is one; otherwise everything but `<head>` and the
/// document's own tags.
fn body_of(pieces: Vec<Piece>) -> Vec<Piece> {
    if let Some(start) = pieces.iter().position(|p| p.opens() == Some("body")) {
        let end = pieces[start..]
            .iter()
            .position(|p| matches!(p.closes(), Some("body" | "html")))
            .map_or(pieces.len(), |e| start + e);
        return pieces[start + 1..end].to_vec();
    }
    let ends = matching_ends(&pieces);
    let mut kept = Vec::with_capacity(pieces.len());
    let mut at = 0;
    while at < pieces.len() {
        match pieces[at].opens().or(pieces[at].closes()) {
            Some("head" | "title") if pieces[at].opens().is_some() => {
                // An unclosed head or title takes nothing with it.
                at = ends[at].map_or(at, |end| end) + 1;
                continue;
            }
            Some("html" | "head" | "body") => {}
            _ => kept.push(pieces[at].clone()),
        }
        at += 1;
    }
    kept
}

fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let (a, b) = (words(a), words(b));
    let trim = |s: &str| s.trim_end_matches(['.', ':']).to_owned();
    !a.is_empty() && trim(&a) == trim(&b)
}

/// Removes the first content element when it is a heading (or paragraph) saying the headline.
fn drop_leading_headline(pieces: &mut Vec<Piece>, headline: &str) {
    for at in 0..pieces.len() {
        match &pieces[at] {
            Piece::Text(t) if t.trim().is_empty() => continue,
            Piece::Comment(_) => continue,
            Piece::Start { name, .. } if WRAPPERS.contains(&name.as_str()) => continue,
            Piece::Start { name, .. }
                if matches!(name.as_str(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "p") =>
            {
                // Only a closed element is the headline; one left open runs to the end.
                if let Some(end) = matching_ends(pieces)[at]
                    && same_words(&text_of(&pieces[at..=end]), headline)
                {
                    pieces.drain(at..=end);
                }
                return;
            }
            _ => return,
        }
    }
}

/// Whether an `<img>` or `<source>` shows the lead picture.
fn shows_lead(piece: &Piece, lead: &[String]) -> bool {
    let file = |url: &str| {
        let path = url.split(['?', '#']).next().unwrap_or_default();
        path.rsplit('/').next().unwrap_or_default().to_owned()
    };
    let lead_files: Vec<String> = lead
        .iter()
        .map(|l| file(l))
        .filter(|f| !f.is_empty())
        .collect();
    ["src", "data-uri", "uri", "data-assoc-ref", "srcset"]
        .iter()
        .filter_map(|key| piece.attr(key))
        .flat_map(|value| {
            value
                .split(',')
                .map(|v| v.split_whitespace().next().unwrap_or_default())
        })
        .any(|value| {
            !value.is_empty()
                && (lead.iter().any(|l| l == value) || lead_files.contains(&file(value)))
        })
}

/// Removes figures and pictures (or bare images) of the lead picture: the outermost figure or
/// picture around an image of it, else the image alone.
fn drop_lead_picture(pieces: &mut Vec<Piece>, lead: &[String]) {
    let ends = matching_ends(pieces);
    let mut gone = vec![false; pieces.len()];
    let mut around: Vec<usize> = Vec::new();
    for (at, piece) in pieces.iter().enumerate() {
        while around
            .last()
            .is_some_and(|start| ends[*start].is_some_and(|end| end < at))
        {
            around.pop();
        }
        match piece.opens() {
            Some("figure" | "picture") if ends[at].is_some() => around.push(at),
            Some("img" | "source") if shows_lead(piece, lead) => match around.first() {
                Some(outer) => {
                    let end = ends[*outer].unwrap_or(*outer);
                    gone[*outer..=end].iter_mut().for_each(|g| *g = true);
                }
                None => gone[at] = true,
            },
            _ => {}
        }
    }
    let mut at = 0;
    pieces.retain(|_| {
        at += 1;
        !gone[at - 1]
    });
}

/// How far (in pieces) a boundary looks for the words on each side.
const NEAR: usize = 8;

/// The first word of the text from `at` on, and the last before it, within [`NEAR`] pieces.
fn word_after(pieces: &[Piece], at: usize) -> Option<&str> {
    pieces[at..].iter().take(NEAR).find_map(|p| match p {
        Piece::Text(t) if !t.trim().is_empty() => t.split_whitespace().next(),
        _ => None,
    })
}

fn word_before(pieces: &[Piece], at: usize) -> Option<&str> {
    pieces[..at].iter().rev().take(NEAR).find_map(|p| match p {
        Piece::Text(t) if !t.trim().is_empty() => t.split_whitespace().last(),
        _ => None,
    })
}

/// Puts a space between two inline elements that meet (`</span><span>`) when the plain text
/// has their words apart and never together.
fn space_inline_boundaries(pieces: &mut Vec<Piece>, plain: &str) {
    let plain_words: Vec<&str> = plain.split_whitespace().collect();
    let apart_pairs: std::collections::HashSet<(&str, &str)> =
        plain_words.windows(2).map(|w| (w[0], w[1])).collect();
    let mut spaced = Vec::with_capacity(pieces.len());
    for at in 0..pieces.len() {
        let meets = at > 0
            && pieces[at - 1].closes().is_some_and(|n| INLINE.contains(&n))
            && pieces[at].opens().is_some_and(|n| INLINE.contains(&n));
        if meets
            && let (Some(before), Some(after)) = (word_before(pieces, at), word_after(pieces, at))
            && apart_pairs.contains(&(before, after))
        {
            let joined = format!("{before}{after}");
            if !plain_words.iter().any(|w| w.contains(&joined)) {
                spaced.push(Piece::Text(" ".into()));
            }
        }
        spaced.push(pieces[at].clone());
    }
    *pieces = spaced;
}

/// Headings renumbered so that none skips a level: the page's headline is the one `h1`, a
/// body's first heading is at most an `h2`, and each next one at most one level deeper than
/// the one before (`h3`, `h3`, `h5` after the headline read `h2`, `h2`, `h3`).
pub(crate) fn level_headings(pieces: &mut [Piece]) {
    let level_of = |name: &str| match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
    };
    let mut previous = 1u8;
    let mut open: Vec<(u8, u8)> = Vec::new();
    for piece in pieces.iter_mut() {
        match piece {
            Piece::Start { name, .. } => {
                if let Some(level) = level_of(name) {
                    let new = level.max(2).min(previous + 1);
                    previous = new;
                    // Headings left open are forgotten past a few: the search stays short.
                    if open.len() == 16 {
                        open.remove(0);
                    }
                    open.push((level, new));
                    *name = format!("h{new}");
                }
            }
            Piece::End(name) => {
                if let Some(level) = level_of(name) {
                    let new = match open.iter().rposition(|(l, _)| *l == level) {
                        Some(at) => open.remove(at).1,
                        None => level.max(2).min(previous + 1),
                    };
                    *name = format!("h{new}");
                }
            }
            _ => {}
        }
    }
}

/// WordPress's old caption markup (`<dl class="wp-caption"><dt>image</dt><dd>caption</dd>
/// </dl>`) as the figure it stands for.
pub(crate) fn figures_of_old_captions(pieces: &mut Vec<Piece>) {
    let is_caption = |p: &Piece| {
        p.opens() == Some("dl")
            && p.attr("class")
                .is_some_and(|c| c.split_whitespace().any(|c| c == "wp-caption"))
    };
    if !pieces.iter().any(is_caption) {
        return;
    }
    let ends = matching_ends(pieces);
    let mut out = Vec::with_capacity(pieces.len());
    // The end indices of the captions being turned into figures, innermost last.
    let mut inside: Vec<usize> = Vec::new();
    for (at, piece) in pieces.drain(..).enumerate() {
        if is_caption(&piece)
            && let Some(end) = ends[at]
        {
            inside.push(end);
            out.push(Piece::start("figure", &[]));
            continue;
        }
        if inside.last() == Some(&at) {
            inside.pop();
            out.push(Piece::End("figure".into()));
            continue;
        }
        if !inside.is_empty() {
            match (piece.opens(), piece.closes()) {
                (Some("dt"), _) | (_, Some("dt")) => continue,
                (Some("dd"), _) => {
                    out.push(Piece::start("figcaption", &[]));
                    continue;
                }
                (_, Some("dd")) => {
                    out.push(Piece::End("figcaption".into()));
                    continue;
                }
                _ => {}
            }
        }
        out.push(piece);
    }
    *pieces = out;
}

/// Removes paragraphs, divisions and figures left with nothing in them (and so the ones
/// holding only such), in one pass. An element never closed is kept with what follows it.
pub(crate) fn drop_empty_blocks(pieces: &mut Vec<Piece>) {
    const EMPTIABLE: [&str; 4] = ["p", "div", "figure", "figcaption"];
    let ends = matching_ends(pieces);
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    // Open emptiable elements: (where they start in `out`, where they end in `pieces`, whether
    // anything is in them yet).
    let mut open: Vec<(usize, usize, bool)> = Vec::new();
    for (at, piece) in pieces.drain(..).enumerate() {
        if let Some(end) =
            ends[at].filter(|_| piece.opens().is_some_and(|n| EMPTIABLE.contains(&n)))
        {
            open.push((out.len(), end, false));
            out.push(piece);
            continue;
        }
        if let Some(&(start, end, full)) = open.last()
            && end == at
        {
            open.pop();
            if full {
                out.push(piece);
                if let Some(parent) = open.last_mut() {
                    parent.2 = true;
                }
            } else {
                out.truncate(start);
            }
            continue;
        }
        let content = match &piece {
            Piece::Text(t) => !t.trim().is_empty(),
            Piece::Comment(_) => false,
            _ => true,
        };
        if content && let Some(parent) = open.last_mut() {
            parent.2 = true;
        }
        out.push(piece);
    }
    *pieces = out;
}

#[cfg(test)]
mod tests;
