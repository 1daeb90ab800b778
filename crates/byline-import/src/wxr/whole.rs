//! A whole export read at once, for exports small enough to hold in memory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::reader::Items;
use super::{Channel, Entry, Gathered, Posts, Removed, Skipped, TermKind, WxrError};
use crate::ninjs::WireStory;

/// What an export held, all at once: its posts as drafts (or why one cannot be), and what was
/// left out. For exports small enough to hold in memory; an import streams [`Posts`].
#[derive(Debug)]
pub struct WxrFile {
    pub stories: Vec<(usize, Result<WireStory, String>)>,
    pub skipped: Vec<Skipped>,
    /// Shortcodes removed from the posts' text, by name, over the whole file.
    pub removed_shortcodes: Removed,
    /// The old site's addresses of the posts' sections, tags and authors: address → (kind,
    /// name).
    pub term_addresses: BTreeMap<String, (TermKind, String)>,
    /// The site's menus.
    pub menus: Vec<crate::menus::SourceMenu>,
}

/// Reads a whole export held in memory (both passes over `text`).
pub fn parse_file(text: &str, uploads: Option<PathBuf>) -> Result<WxrFile, WxrError> {
    let lines = |offset: u64| {
        let end = (offset as usize).min(text.len());
        text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    };
    let mut channel = Channel::default();
    channel.read(text.as_bytes(), Path::new(""), uploads.as_ref(), &lines)?;
    let mut posts = Posts {
        items: Items::new(text.as_bytes()),
        channel: &channel,
        again: Channel::default(),
        lines: Box::new(lines),
        items_read: 0,
        held: Default::default(),
        ready: Default::default(),
        pages_out: Default::default(),
    };
    let mut gathered = Gathered::default();
    let mut stories = Vec::new();
    let mut skipped = Vec::new();
    while let Some(entry) = posts.next_entry()? {
        match entry {
            Entry::Post(post) => stories.push(gathered.add(*post)),
            Entry::Skipped(left_out) => skipped.push(left_out),
        }
    }
    let menus = channel.menus();
    Ok(WxrFile {
        menus,
        stories,
        skipped,
        removed_shortcodes: gathered.removed_shortcodes,
        term_addresses: gathered.term_addresses,
    })
}
