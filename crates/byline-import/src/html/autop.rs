//! WordPress's paragraphs (`wpautop`) on a post's stored text: blank lines separate `<p>`s and
//! a single line break inside text is a `<br>`, but never inside `<pre>`, between list items
//! or table rows, or around block elements, and no paragraph is left empty. Block-editor
//! content (`<!-- wp:… -->`) is HTML already: WordPress does not add paragraphs to it, so
//! only its block comments go.

use super::tokens::{Piece, html_of, is_void, pieces};
use super::{drop_empty_blocks, figures_of_old_captions, level_headings};

/// Elements that are blocks: a paragraph ends before them.
const BLOCKS: [&str; 50] = [
    "address",
    "article",
    "aside",
    "audio",
    "blockquote",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "iframe",
    "legend",
    "li",
    "main",
    "math",
    "menu",
    "nav",
    "object",
    "ol",
    "p",
    "pre",
    "script",
    "section",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Blocks whose text gets paragraphs of its own (the post itself is one too).
const FLOW: [&str; 9] = [
    "blockquote",
    "div",
    "section",
    "article",
    "aside",
    "main",
    "header",
    "footer",
    "details",
];

/// Blocks that hold only other blocks: text in them is layout whitespace.
const STRUCTURE: [&str; 10] = [
    "ul", "ol", "table", "thead", "tbody", "tfoot", "tr", "dl", "colgroup", "menu",
];

/// Blocks whose text is kept exactly as written.
const VERBATIM: [&str; 6] = ["pre", "script", "style", "textarea", "svg", "math"];

/// The post's text as WordPress shows it.
pub(crate) fn paragraphs(text: &str) -> String {
    let pieces = pieces(&text.replace("\r\n", "\n"));
    let is_block_content = pieces
        .iter()
        .any(|p| matches!(p, Piece::Comment(c) if c.trim_start().starts_with("wp:")));
    let mut out = if is_block_content {
        without_block_comments(pieces)
    } else {
        let mut autop = Autop::default();
        for piece in pieces {
            autop.take(piece);
        }
        autop.close_paragraph();
        autop.out
    };
    figures_of_old_captions(&mut out);
    drop_empty_blocks(&mut out);
    level_headings(&mut out);
    html_of(&out).trim().to_owned()
}

/// Block-editor content without its comments, the blank lines they stood on squeezed to one
/// line break (outside `<pre>`, whose text is kept as it is).
fn without_block_comments(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut kept: Vec<Piece> = Vec::with_capacity(pieces.len());
    let mut verbatim = 0usize;
    for piece in pieces {
        match &piece {
            Piece::Comment(_) => continue,
            Piece::Start { name, .. } if VERBATIM.contains(&name.as_str()) => verbatim += 1,
            Piece::End(name) if VERBATIM.contains(&name.as_str()) => {
                verbatim = verbatim.saturating_sub(1)
            }
            Piece::Text(t) if verbatim == 0 && t.trim().is_empty() => {
                if !matches!(kept.last(), Some(Piece::Text(_))) {
                    kept.push(Piece::Text("\n".into()));
                }
                continue;
            }
            _ => {}
        }
        match (kept.last_mut(), &piece) {
            (Some(Piece::Text(before)), Piece::Text(t))
                if before.trim().is_empty() && verbatim == 0 =>
            {
                *before = t.clone();
            }
            _ => kept.push(piece),
        }
    }
    kept
}

#[derive(Default)]
struct Autop {
    out: Vec<Piece>,
    /// Open blocks (inline elements are not tracked).
    blocks: Vec<String>,
    /// How many of each are open, so that an end tag is matched without a search.
    open_by_name: std::collections::HashMap<String, usize>,
    /// How many of the open blocks keep their text as written (`pre`, …).
    verbatim_open: usize,
    paragraph: bool,
    /// Whitespace after the last text, held until it is known whether a `<br>` stands there.
    pending: String,
}

impl Autop {
    fn innermost(&self) -> Option<&str> {
        self.blocks.last().map(String::as_str)
    }

    fn in_flow(&self) -> bool {
        self.innermost().is_none_or(|b| FLOW.contains(&b))
    }

    fn verbatim(&self) -> bool {
        self.verbatim_open > 0
    }

    fn push_block(&mut self, name: String) {
        if VERBATIM.contains(&name.as_str()) {
            self.verbatim_open += 1;
        }
        *self.open_by_name.entry(name.clone()).or_default() += 1;
        self.blocks.push(name);
    }

    fn pop_block(&mut self) -> Option<String> {
        let name = self.blocks.pop()?;
        if VERBATIM.contains(&name.as_str()) {
            self.verbatim_open -= 1;
        }
        if let Some(n) = self.open_by_name.get_mut(&name) {
            *n -= 1;
        }
        Some(name)
    }

    fn take(&mut self, piece: Piece) {
        match piece {
            Piece::Comment(_) => {}
            Piece::Start { ref name, .. } if BLOCKS.contains(&name.as_str()) => {
                let name = name.clone();
                self.close_paragraph();
                self.out.push(piece);
                if !is_void(&name) {
                    self.push_block(name);
                }
            }
            Piece::End(ref name) if BLOCKS.contains(&name.as_str()) => {
                if self.open_by_name.get(name).is_some_and(|n| *n > 0) {
                    self.close_paragraph();
                    while let Some(open) = self.pop_block() {
                        if &open == name {
                            break;
                        }
                    }
                    self.pending.clear();
                    self.out.push(piece);
                    self.out.push(Piece::Text("\n".into()));
                }
            }
            Piece::Text(text) if self.verbatim() => self.out.push(Piece::Text(text)),
            Piece::Text(text) => self.text(&text),
            inline => self.inline(inline),
        }
    }

    /// An inline tag: it starts a paragraph in flow content.
    fn inline(&mut self, piece: Piece) {
        if self.verbatim() {
            self.out.push(piece);
            return;
        }
        if self.in_flow() && !self.paragraph {
            if piece.closes().is_some() {
                // An end tag with no paragraph open belongs to one already closed.
                self.out.push(piece);
                return;
            }
            self.open_paragraph();
        }
        self.flush_pending();
        self.out.push(piece);
    }

    fn text(&mut self, text: &str) {
        if self.innermost().is_some_and(|b| STRUCTURE.contains(&b)) {
            if !text.trim().is_empty() {
                self.out.push(Piece::Text(text.to_owned()));
            }
            return;
        }
        let flow = self.in_flow();
        for (n, segment) in split_blank_lines(text).into_iter().enumerate() {
            if n > 0 {
                if flow {
                    self.close_paragraph();
                } else {
                    // A blank line inside a text block is one line break there.
                    self.pending.push('\n');
                }
            }
            let words = segment.trim();
            if words.is_empty() {
                self.pending.push_str(segment);
                continue;
            }
            if flow && !self.paragraph {
                self.open_paragraph();
            } else {
                let leading = &segment[..segment.len() - segment.trim_start().len()];
                self.pending.push_str(leading);
                self.flush_pending();
            }
            let lines: Vec<&str> = words.split('\n').map(str::trim).collect();
            for (i, line) in lines.iter().enumerate() {
                if i > 0 {
                    self.out.push(Piece::start("br", &[]));
                    self.out.push(Piece::Text("\n".into()));
                }
                self.out.push(Piece::Text((*line).to_owned()));
            }
            self.pending = segment[segment.trim_end().len()..].to_owned();
        }
    }

    /// Whitespace held since the last text: a `<br>` when it broke a line inside text (and no
    /// `<br>` stands there already), else as it was.
    fn flush_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return;
        }
        let after_br = matches!(self.out.last(), Some(p) if p.opens() == Some("br"));
        let starts_block = self.at_block_start();
        if after_br && pending.contains('\n') {
            self.out.push(Piece::Text("\n".into()));
        } else if pending.contains('\n') && !starts_block {
            self.out.push(Piece::start("br", &[]));
            self.out.push(Piece::Text("\n".into()));
        } else if !starts_block {
            self.out.push(Piece::Text(" ".into()));
        }
    }

    /// Whether nothing has been written since the innermost block (or paragraph) opened.
    fn at_block_start(&self) -> bool {
        match self
            .out
            .iter()
            .rev()
            .find(|p| !matches!(p, Piece::Text(t) if t.trim().is_empty()))
        {
            None => true,
            Some(p) => {
                p.opens().is_some_and(|n| BLOCKS.contains(&n))
                    || p.closes().is_some_and(|n| BLOCKS.contains(&n))
            }
        }
    }

    fn open_paragraph(&mut self) {
        self.pending.clear();
        self.out.push(Piece::start("p", &[]));
        self.paragraph = true;
    }

    fn close_paragraph(&mut self) {
        self.pending.clear();
        if self.paragraph {
            self.out.push(Piece::End("p".into()));
            self.out.push(Piece::Text("\n".into()));
            self.paragraph = false;
        }
    }
}

/// `text` split where a line holding only whitespace (a blank line) stands.
fn split_blank_lines(text: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'\n' {
            let mut next = at + 1;
            while next < bytes.len() && matches!(bytes[next], b' ' | b'\t' | b'\r') {
                next += 1;
            }
            if next < bytes.len() && bytes[next] == b'\n' {
                let mut end = next;
                while end + 1 < bytes.len()
                    && matches!(bytes[end + 1], b'\n' | b' ' | b'\t' | b'\r')
                {
                    end += 1;
                }
                segments.push(&text[start..at]);
                start = end + 1;
                at = start;
                continue;
            }
        }
        at += 1;
    }
    segments.push(&text[start..]);
    segments
}
