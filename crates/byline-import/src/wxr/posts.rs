//! The posts of an export read one at a time (the second pass): each item as the import
//! takes it (a post or page as a story, or why it is left out), pages held back until the
//! page they sit under has come.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader};
use std::path::Path;

use byline_core::pages::ImportedPage;

use super::reader::{Items, line_in_file, not_well_formed};
use super::shortcodes::{Removed, add_removed};
use super::{Channel, Item, Ns, TermKind, WxrError, story, term_addresses};
use crate::ninjs::{PubStatus, WireStory};

/// An item of the export that is not imported as a story, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    /// The item's `guid`, when it has one: what the report names it by.
    pub guid: Option<String>,
    pub reason: String,
}

/// One item of an export, as the import takes it.
#[derive(Debug)]
pub enum Entry {
    Post(Box<PostEntry>),
    /// Anything else, with why it is left out (picture attachments are not listed: they come
    /// with the site's library).
    Skipped(Skipped),
}

/// A post: its story (or why it cannot be one), the shortcodes its text lost, and the old
/// addresses of its section, tags and author: address → (kind, name).
#[derive(Debug)]
pub struct PostEntry {
    pub line: usize,
    pub story: Result<WireStory, String>,
    pub removed_shortcodes: Removed,
    pub term_addresses: BTreeMap<String, (TermKind, String)>,
    /// A page's post id, so that the pages under it can follow it.
    page_id: Option<String>,
    /// The post id of the page this page sits under: it is saved after that one.
    after_page: Option<String>,
}

/// What a run gathers over the posts it reads: the shortcodes removed, by name, and the old
/// addresses of the posts' sections, tags and authors.
#[derive(Debug, Default)]
pub struct Gathered {
    pub removed_shortcodes: Removed,
    pub term_addresses: BTreeMap<String, (TermKind, String)>,
}

impl Gathered {
    /// Takes in a post's removed shortcodes and old addresses; returns its line and story.
    pub fn add(&mut self, post: PostEntry) -> (usize, Result<WireStory, String>) {
        add_removed(&mut self.removed_shortcodes, post.removed_shortcodes);
        self.term_addresses.extend(post.term_addresses);
        (post.line, post.story)
    }
}

/// The posts of one export, read one at a time (the second pass).
pub struct Posts<'a, R: BufRead> {
    pub(super) items: Items<R>,
    pub(super) channel: &'a Channel,
    /// Channel facts read again on this pass; already known from the first.
    pub(super) again: Channel,
    pub(super) lines: Box<dyn Fn(u64) -> usize + 'a>,
    /// Items read so far, attachments too.
    pub(super) items_read: usize,
    /// Pages read before the page they sit under, each with that page's post id: given out
    /// once it has been, so that an import saves every parent before its children.
    pub(super) held: VecDeque<(String, Entry)>,
    /// Entries ready to be given out (pages whose parent was just given out).
    pub(super) ready: VecDeque<Entry>,
    /// The post ids of the pages given out so far.
    pub(super) pages_out: HashSet<String>,
}

impl<'a> Posts<'a, BufReader<std::fs::File>> {
    /// The posts of the export at `path`, read with what `channel` gathered.
    pub fn of_file(path: &'a Path, channel: &'a Channel) -> Result<Self, WxrError> {
        let file = std::fs::File::open(path).map_err(|e| WxrError::Unreadable(e.to_string()))?;
        Ok(Posts {
            items: Items::new(BufReader::new(file)),
            channel,
            again: Channel::default(),
            lines: Box::new(move |offset| line_in_file(path, offset)),
            items_read: 0,
            held: Default::default(),
            ready: Default::default(),
            pages_out: Default::default(),
        })
    }
}

impl<R: BufRead> Posts<'_, R> {
    /// Bytes of the export read so far.
    pub fn bytes_read(&self) -> u64 {
        self.items.bytes_read()
    }

    /// Items read so far, attachments too.
    pub fn items_read(&self) -> usize {
        self.items_read
    }

    /// The next entry; `None` at the end of the export. A page comes after the page it sits
    /// under (held back until that one has come, or to the end when it never does).
    pub fn next_entry(&mut self) -> Result<Option<Entry>, WxrError> {
        loop {
            if let Some(entry) = self.ready.pop_front() {
                return Ok(Some(self.given_out(entry)));
            }
            let item = self.items.next_item(&mut self.again);
            let Some(item) = item.map_err(|e| e.at_line(&*self.lines))? else {
                // Pages under a page that never came (a cycle, another file): as they are.
                return Ok(self
                    .held
                    .pop_front()
                    .map(|(_, entry)| self.given_out(entry)));
            };
            self.items_read += 1;
            let Some(entry) = entry_of(self.channel, &item) else {
                continue;
            };
            if let Entry::Post(post) = &entry
                && let Some(parent) = &post.after_page
                && !self.pages_out.contains(parent)
            {
                self.held.push_back((parent.clone(), entry));
                continue;
            }
            return Ok(Some(self.given_out(entry)));
        }
    }

    /// Marks a page given out, making the pages held for it ready.
    fn given_out(&mut self, entry: Entry) -> Entry {
        if let Entry::Post(post) = &entry
            && let Some(id) = &post.page_id
        {
            self.pages_out.insert(id.clone());
            let (now_ready, still): (VecDeque<_>, VecDeque<_>) = std::mem::take(&mut self.held)
                .into_iter()
                .partition(|(p, _)| p == id);
            self.held = still;
            self.ready.extend(now_ready.into_iter().map(|(_, e)| e));
        }
        entry
    }
}

/// What an item is to the import; `None` for a picture attachment.
fn entry_of(channel: &Channel, item: &Item) -> Option<Entry> {
    if let Some(missing) = not_well_formed(item) {
        return Some(Entry::Skipped(Skipped {
            line: item.line,
            guid: guid_of(item),
            reason: format!("not a well-formed post: it has no {missing}"),
        }));
    }
    let reason = match item.get(Ns::Wp, "post_type").unwrap_or_default() {
        "post" => return Some(post_entry(channel, item, false)),
        "page" => return Some(post_entry(channel, item, true)),
        "attachment" => match item.get(Ns::Wp, "post_mime_type") {
            Some(mime) if !mime.starts_with("image/") => {
                format!("an attachment that is not a picture ({mime}): the library holds pictures")
            }
            // Pictures come with the site's media library, before the posts.
            _ if item
                .get(Ns::Wp, "post_id")
                .is_some_and(|id| channel.pictures.contains_key(id)) =>
            {
                return None;
            }
            _ => "a picture with no address to take it from (an http(s) URL, or a file under \
                  wp-content/uploads with --uploads)"
                .to_owned(),
        },
        // Menu items come with the site's menus, after the posts.
        "nav_menu_item" if item.categories.iter().any(|c| c.domain == "nav_menu") => {
            return None;
        }
        "nav_menu_item" => "a menu item in no menu".to_owned(),
        other => format!("a {other}, not a post"),
    };
    Some(Entry::Skipped(Skipped {
        line: item.line,
        guid: guid_of(item),
        reason,
    }))
}

fn guid_of(item: &Item) -> Option<String> {
    item.get(Ns::None, "guid")
        .filter(|g| !g.trim().is_empty())
        .map(|g| g.trim().to_owned())
}

/// A post or page as an entry: its story (a page placed under its parent page) and what the
/// run gathers of it.
fn post_entry(channel: &Channel, item: &Item, page: bool) -> Entry {
    let mut terms = BTreeMap::new();
    let post_id = item.get(Ns::Wp, "post_id");
    let parent = post_id.and_then(|id| channel.structure.page_parent(id));
    let (story, removed_shortcodes) = match story(channel, item) {
        Ok(mut post) => {
            // Only a public post's archives were public: a draft's author says nothing.
            if !page && post.story.pub_status == PubStatus::Usable && post.story.embargoed.is_none()
            {
                term_addresses(channel, item, &mut terms);
            }
            if page {
                post.story.page = Some(ImportedPage {
                    parent: parent.map(|(_, identity)| identity.to_owned()),
                    position: item
                        .get(Ns::Wp, "menu_order")
                        .and_then(|o| o.parse().ok())
                        .unwrap_or(0),
                });
            }
            (Ok(post.story), post.removed_shortcodes)
        }
        Err(why) => (Err(why), Removed::new()),
    };
    Entry::Post(Box::new(PostEntry {
        line: item.line,
        story,
        removed_shortcodes,
        term_addresses: terms,
        page_id: post_id.filter(|_| page).map(str::to_owned),
        after_page: parent.map(|(id, _)| id.to_owned()),
    }))
}
