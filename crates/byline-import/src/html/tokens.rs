//! HTML as a flat list of tags, text and comments (html5ever's tokenizer, no tree), and back:
//! enough to reshape imported bodies without re-parsing them as a document.

use std::cell::RefCell;

use html5ever::buffer_queue::BufferQueue;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};

/// One piece of an HTML text. Names are lower-case; text is decoded (no entities).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    End(String),
    Text(String),
    Comment(String),
}

impl Piece {
    pub(crate) fn start(name: &str, attrs: &[(&str, &str)]) -> Piece {
        Piece::Start {
            name: name.to_owned(),
            attrs: attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    /// The name of a start tag.
    pub(crate) fn opens(&self) -> Option<&str> {
        match self {
            Piece::Start { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The name of an end tag.
    pub(crate) fn closes(&self) -> Option<&str> {
        match self {
            Piece::End(name) => Some(name),
            _ => None,
        }
    }

    pub(crate) fn attr(&self, wanted: &str) -> Option<&str> {
        match self {
            Piece::Start { attrs, .. } => attrs
                .iter()
                .find(|(k, _)| k == wanted)
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }
}

/// Elements with no end tag.
pub(crate) const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

pub(crate) fn is_void(name: &str) -> bool {
    VOID.contains(&name)
}

struct Sink {
    pieces: RefCell<Vec<Piece>>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut pieces = self.pieces.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                match tag.kind {
                    TagKind::StartTag => {
                        let attrs = tag
                            .attrs
                            .iter()
                            .map(|a| (a.name.local.to_string(), a.value.to_string()))
                            .collect();
                        let raw = raw_kind(&name);
                        pieces.push(Piece::Start { name, attrs });
                        if let Some(kind) = raw.filter(|_| !tag.self_closing) {
                            return TokenSinkResult::RawData(kind);
                        }
                    }
                    TagKind::EndTag => pieces.push(Piece::End(name)),
                }
            }
            Token::CharacterTokens(text) => match pieces.last_mut() {
                Some(Piece::Text(before)) => before.push_str(&text),
                _ => pieces.push(Piece::Text(text.to_string())),
            },
            Token::CommentToken(text) => pieces.push(Piece::Comment(text.to_string())),
            Token::NullCharacterToken
            | Token::DoctypeToken(_)
            | Token::EOFToken
            | Token::ParseError(_) => {}
        }
        TokenSinkResult::Continue
    }
}

/// The content model a tree builder would switch the tokenizer to after this start tag.
fn raw_kind(name: &str) -> Option<RawKind> {
    match name {
        "title" | "textarea" => Some(RawKind::Rcdata),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => Some(RawKind::Rawtext),
        "script" => Some(RawKind::ScriptData),
        _ => None,
    }
}

/// The pieces of `html`, as a browser's tokenizer reads them.
pub(crate) fn pieces(html: &str) -> Vec<Piece> {
    let sink = Sink {
        pieces: RefCell::new(Vec::new()),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.pieces.take()
}

/// HTML again: text and attribute values escaped, comments left out.
pub(crate) fn html_of(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        write_piece(&mut out, piece);
    }
    out
}

pub(crate) fn write_piece(out: &mut String, piece: &Piece) {
    match piece {
        Piece::Start { name, attrs } => {
            out.push('<');
            out.push_str(name);
            for (key, value) in attrs {
                out.push(' ');
                out.push_str(key);
                out.push_str("=\"");
                escape_into(out, value, true);
                out.push('"');
            }
            out.push('>');
        }
        Piece::End(name) => {
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        Piece::Text(text) => escape_into(out, text, false),
        Piece::Comment(_) => {}
    }
}

pub(crate) fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

/// For each piece that opens an element, the index of the piece that closes it; `None` for
/// every other piece, for void elements and for elements never closed. One pass: an end tag
/// closes the innermost open element of its name, and the elements opened inside that one
/// and still open stay unclosed (as `<p>a<p>b</p>` leaves the first `p` open).
pub(crate) fn matching_ends(pieces: &[Piece]) -> Vec<Option<usize>> {
    let mut ends = vec![None; pieces.len()];
    let mut open: Vec<(&str, usize)> = Vec::new();
    let mut open_by_name: std::collections::HashMap<&str, usize> = Default::default();
    for (at, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Start { name, .. } if !is_void(name) => {
                open.push((name, at));
                *open_by_name.entry(name).or_default() += 1;
            }
            Piece::End(name) if open_by_name.get(name.as_str()).is_some_and(|n| *n > 0) => {
                while let Some((opened, start)) = open.pop() {
                    if let Some(n) = open_by_name.get_mut(opened) {
                        *n -= 1;
                    }
                    if opened == name {
                        ends[start] = Some(at);
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    ends
}

/// The text inside `pieces`, whitespace collapsed.
pub(crate) fn text_of(pieces: &[Piece]) -> String {
    let mut text = String::new();
    for piece in pieces {
        if let Piece::Text(t) = piece {
            text.push_str(t);
        } else if piece.opens().is_some_and(|n| n == "br") {
            text.push(' ');
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
