//! An export read as a stream: one `<item>` at a time, with the line it starts on, while the
//! channel's own facts (authors, site, language, categories) are gathered on the way. Memory
//! holds one item, never the file.

use std::io::{BufRead, BufReader};
use std::path::Path;

use quick_xml::NsReader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use super::{Channel, Item, Ns, Term, WxrError, ns_of};

/// Why the next item could not be read: the XML broke at a byte (the caller knows the lines),
/// or the export as a whole is wrong.
pub(super) enum ReadError {
    At { offset: u64, message: String },
    Whole(WxrError),
}

impl ReadError {
    /// As the error an import reports, with the line `lines` finds for the byte.
    pub(super) fn at_line(self, lines: &dyn Fn(u64) -> usize) -> WxrError {
        match self {
            ReadError::At { offset, message } => WxrError::Xml {
                line: lines(offset),
                message,
            },
            ReadError::Whole(e) => e,
        }
    }
}
use crate::html::decode_entities;

/// A reader that counts the line breaks it has handed on, so that an item's line is known
/// without keeping what came before it.
pub(super) struct Counting<R> {
    inner: R,
    newlines: usize,
    bytes: u64,
}

impl<R: BufRead> std::io::Read for Counting<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(available) = self.inner.fill_buf() {
            let taken = &available[..amount.min(available.len())];
            self.newlines += taken.iter().filter(|b| **b == b'\n').count();
        }
        self.bytes += amount as u64;
        self.inner.consume(amount);
    }
}

/// The items of one export, in order.
pub(super) struct Items<R: BufRead> {
    reader: NsReader<Counting<R>>,
    event: Vec<u8>,
    /// Open elements: (namespace, local name).
    path: Vec<(Ns, String)>,
    text: String,
    saw_rss: bool,
    category: (String, Option<String>),
    /// The channel's `<wp:category>` being read: its nicename, parent's nicename and name.
    defined_category: (String, String, String),
    /// The other fields of the channel's `<wp:category>`, `<wp:tag>` or `<wp:term>` being read
    /// (its `term_id`, a tag's slug and name, a term's taxonomy).
    defined_term: Vec<(String, String)>,
    meta_key: String,
    author_login: String,
    finished: bool,
}

impl<R: BufRead> Items<R> {
    pub(super) fn new(source: R) -> Items<R> {
        let counting = Counting {
            inner: source,
            newlines: 0,
            bytes: 0,
        };
        Items {
            reader: NsReader::from_reader(counting),
            event: Vec::new(),
            path: Vec::new(),
            text: String::new(),
            saw_rss: false,
            category: (String::new(), None),
            defined_category: Default::default(),
            defined_term: Vec::new(),
            meta_key: String::new(),
            author_login: String::new(),
            finished: false,
        }
    }

    /// Bytes of the export read so far.
    pub(super) fn bytes_read(&self) -> u64 {
        self.reader.get_ref().bytes
    }

    fn line(&self) -> usize {
        self.reader.get_ref().newlines + 1
    }

    /// The next item, gathering the channel's facts met before it into `channel`; `None` at
    /// the end of the export. An error names the byte where the XML broke (the caller turns
    /// it into a line); a file that ends inside an element or is no RSS is an error too.
    pub(super) fn next_item(&mut self, channel: &mut Channel) -> Result<Option<Item>, ReadError> {
        if self.finished {
            return Ok(None);
        }
        let mut item: Option<Item> = None;
        loop {
            self.event.clear();
            let (namespace, event) = match self.reader.read_resolved_event_into(&mut self.event) {
                Ok(read) => read,
                Err(e) => {
                    self.finished = true;
                    return Err(ReadError::At {
                        offset: self.reader.error_position(),
                        message: e.to_string(),
                    });
                }
            };
            let ns = match namespace {
                ResolveResult::Bound(uri) => ns_of(Some(uri.as_ref())),
                _ => ns_of(None),
            };
            match event {
                Event::Start(e) => {
                    let name = e.local_name().as_ref().to_owned();
                    self.saw_rss |= self.path.is_empty() && name == "rss";
                    if !self.saw_rss {
                        self.finished = true;
                        return Err(ReadError::Whole(WxrError::NotWxr(
                            "its root element is not <rss>".into(),
                        )));
                    }
                    if name == "item" && ns == Ns::None && item.is_none() {
                        item = Some(Item {
                            line: self.reader.get_ref().newlines + 1,
                            ..Item::default()
                        });
                    }
                    if name == "category" && ns == Ns::None {
                        let attribute = |wanted: &str| {
                            e.attributes()
                                .flatten()
                                .find(|a| a.key.as_ref() == wanted)
                                .map(|a| a.value.to_string())
                        };
                        self.category = (
                            attribute("domain").unwrap_or_else(|| "category".into()),
                            attribute("nicename").filter(|n| !n.is_empty()),
                        );
                    }
                    self.path.push((ns, name));
                    self.text.clear();
                }
                Event::Empty(e) => {
                    let name = e.local_name();
                    if self.path.is_empty() && name.as_ref() != "rss" {
                        self.finished = true;
                        return Err(ReadError::Whole(WxrError::NotWxr(
                            "its root element is not <rss>".into(),
                        )));
                    }
                }
                Event::Text(t) => self.text.push_str(&t.xml10_content()),
                Event::CData(t) => self.text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) => match r.resolve_char_ref() {
                    Ok(Some(c)) => self.text.push(c),
                    // An HTML entity in an export that did not escape it (`&uuml;`) is kept,
                    // to be read where the text is read as HTML.
                    _ => {
                        let name = r.into_inner();
                        match resolve_predefined_entity(&name) {
                            Some(text) => self.text.push_str(text),
                            None => {
                                self.text.push('&');
                                self.text.push_str(&name);
                                self.text.push(';');
                            }
                        }
                    }
                },
                Event::End(_) => {
                    let Some((ns, name)) = self.path.pop() else {
                        break;
                    };
                    let value = std::mem::take(&mut self.text);
                    if ns == Ns::None && name == "item" && item.is_some() {
                        return Ok(item);
                    }
                    self.end_of(&mut item, channel, (ns, &name), value);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        self.finished = true;
        if let Some((_, open)) = self.path.last() {
            return Err(ReadError::Whole(WxrError::Xml {
                line: self.line(),
                message: format!("the file ends inside <{open}>"),
            }));
        }
        if !self.saw_rss {
            return Err(ReadError::Whole(WxrError::NotWxr(
                "its root element is not <rss>".into(),
            )));
        }
        Ok(None)
    }

    /// Files the text of an element that just ended where it belongs.
    fn end_of(
        &mut self,
        item: &mut Option<Item>,
        channel: &mut Channel,
        (ns, name): (Ns, &str),
        value: String,
    ) {
        let parent = self.path.last().map(|(n, l)| (*n, l.as_str()));
        match (item, parent, ns, name) {
            (Some(i), Some((Ns::None, "item")), Ns::None, "category") => {
                let (domain, nicename) = std::mem::take(&mut self.category);
                i.categories.push(Term {
                    domain,
                    nicename,
                    name: value.trim().to_owned(),
                });
            }
            (Some(i), Some((Ns::None, "item")), _, _) => {
                i.fields.insert((ns, name.to_owned()), value);
            }
            (Some(_), Some((Ns::Wp, "postmeta")), Ns::Wp, "meta_key") => {
                self.meta_key = value.trim().to_owned();
            }
            (Some(i), Some((Ns::Wp, "postmeta")), Ns::Wp, "meta_value") => {
                i.meta.insert(std::mem::take(&mut self.meta_key), value);
            }
            (None, Some((Ns::Wp, "author")), Ns::Wp, "author_login") => {
                self.author_login = value.trim().to_owned();
            }
            (None, Some((Ns::Wp, "author")), Ns::Wp, "author_display_name") => {
                let display = decode_entities(value.trim());
                if !display.is_empty() {
                    channel.authors.insert(self.author_login.clone(), display);
                }
            }
            (None, Some((Ns::Wp, "category")), Ns::Wp, "category_nicename") => {
                self.defined_category.0 = value.trim().to_owned();
            }
            (None, Some((Ns::Wp, "category")), Ns::Wp, "category_parent") => {
                self.defined_category.1 = value.trim().to_owned();
            }
            (None, Some((Ns::Wp, "category")), Ns::Wp, "cat_name") => {
                self.defined_category.2 = decode_entities(value.trim()).trim().to_owned();
            }
            (None, Some((Ns::Wp, "category" | "tag" | "term")), Ns::Wp, field) => {
                self.defined_term.push((
                    field.to_owned(),
                    decode_entities(value.trim()).trim().to_owned(),
                ));
            }
            (None, Some((Ns::None, "channel")), Ns::Wp, kind @ ("tag" | "term")) => {
                let fields = std::mem::take(&mut self.defined_term);
                let field = |name: &str| {
                    fields
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                let (taxonomy, name) = match kind {
                    "tag" => ("post_tag".to_owned(), field("tag_name")),
                    _ => (field("term_taxonomy"), field("term_name")),
                };
                channel
                    .structure
                    .add_term(&field("term_id"), taxonomy, name);
            }
            (None, Some((Ns::None, "channel")), Ns::Wp, "category") => {
                let fields = std::mem::take(&mut self.defined_term);
                if let Some((_, id)) = fields.iter().find(|(n, _)| n == "term_id") {
                    let name = self.defined_category.2.clone();
                    channel.structure.add_term(id, "category".to_owned(), name);
                }
                let (nicename, parent, name) = std::mem::take(&mut self.defined_category);
                if !nicename.is_empty() && !parent.is_empty() {
                    channel.category_parents.insert(nicename.clone(), parent);
                }
                if !nicename.is_empty() && !name.is_empty() {
                    channel.category_names.insert(nicename, name);
                }
            }
            (None, Some((Ns::None, "channel")), Ns::None, "link") => {
                let site = value.trim();
                if !site.is_empty() {
                    channel.site.get_or_insert_with(|| site.to_owned());
                }
            }
            (None, Some((Ns::None, "channel")), Ns::None, "language") => {
                let language = value.trim();
                if !language.is_empty() {
                    channel.language.get_or_insert_with(|| language.to_owned());
                }
            }
            _ => {}
        }
    }
}

/// The line of a file that holds byte `offset` (read again only when an export is broken).
pub(super) fn line_in_file(path: &Path, offset: u64) -> usize {
    let Ok(file) = std::fs::File::open(path) else {
        return 0;
    };
    let mut newlines = 0;
    let mut left = offset;
    let mut reader = BufReader::new(file);
    while left > 0 {
        let Ok(chunk) = reader.fill_buf() else { break };
        if chunk.is_empty() {
            break;
        }
        let take = chunk.len().min(left as usize);
        newlines += chunk[..take].iter().filter(|b| **b == b'\n').count();
        left -= take as u64;
        reader.consume(take);
    }
    newlines + 1
}

/// What an item lacks to be a post WordPress wrote: its type, status or date.
pub(super) fn not_well_formed(item: &Item) -> Option<String> {
    let mut missing = Vec::new();
    if item.get(Ns::Wp, "post_type").is_none() {
        missing.push("wp:post_type");
    }
    if item.get(Ns::Wp, "status").is_none() {
        missing.push("wp:status");
    }
    // A post that goes out needs a date that can be read, or it would be dated at the import
    // (and lead the front page); anything else needs one at all.
    let goes_out = matches!(item.get(Ns::Wp, "status"), Some("publish" | "future"))
        && matches!(item.get(Ns::Wp, "post_type"), Some("post" | "page"));
    let dated = if goes_out {
        super::published(item).is_some()
    } else {
        item.get(Ns::Wp, "post_date").is_some()
            || item.get(Ns::Wp, "post_date_gmt").is_some()
            || item.get(Ns::None, "pubDate").is_some()
    };
    if !dated {
        missing.push("date (wp:post_date, pubDate)");
    }
    (!missing.is_empty()).then(|| missing.join(", "))
}
