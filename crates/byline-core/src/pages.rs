//! Pages: the site's own pages (About, Imprint, Privacy, Contact), stories of another kind
//! that live at the site root, with no date and no rails, placed in a tree among each other.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ids::StoryId;
use crate::slug::Slug;
use crate::story::Status;

/// What a story is: a dated news story, or one of the site's own pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StoryKind {
    Story,
    Page,
}

impl StoryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StoryKind::Story => "story",
            StoryKind::Page => "page",
        }
    }

    pub fn parse(text: &str) -> Option<StoryKind> {
        [StoryKind::Story, StoryKind::Page]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// Where the editor places a page: under another page (or at the top), at a position among
/// its siblings (lower first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PagePlace {
    pub parent: Option<StoryId>,
    pub position: i64,
}

/// Where an import places a page: under the page imported with `parent` as its external id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportedPage {
    pub parent: Option<String>,
    pub position: i64,
}

/// One page as lists of pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageEntry {
    pub id: StoryId,
    pub slug: Slug,
    pub title: String,
    pub parent: Option<StoryId>,
    pub position: i64,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl PageEntry {
    pub fn is_public_at(&self, now: DateTime<Utc>) -> bool {
        self.status == Status::Published && self.published_at.is_some_and(|t| t <= now)
    }
}

/// Deepest a page may sit (a page at the top is at depth 1).
pub const MAX_DEPTH: usize = 8;

/// A page's place in the tree as its reader sees it: the pages above it, top first, and
/// those directly under it, in order. Only the entries given are considered (the caller
/// passes public ones to readers); a cycle in stored parents ends the walk up. One pass over
/// the entries, whatever their number or depth.
pub fn family(pages: &[PageEntry], id: StoryId) -> (Vec<&PageEntry>, Vec<&PageEntry>) {
    let by_id: HashMap<StoryId, &PageEntry> = pages.iter().map(|p| (p.id, p)).collect();
    let mut ancestors: Vec<&PageEntry> = Vec::new();
    let mut seen: HashSet<StoryId> = HashSet::from([id]);
    let mut next = by_id.get(&id).and_then(|p| p.parent);
    while let Some(parent) = next.and_then(|p| by_id.get(&p).copied()) {
        if !seen.insert(parent.id) {
            break;
        }
        ancestors.push(parent);
        next = parent.parent;
    }
    ancestors.reverse();
    let mut children: Vec<&PageEntry> = pages.iter().filter(|p| p.parent == Some(id)).collect();
    children.sort_by(|a, b| (a.position, &a.title).cmp(&(b.position, &b.title)));
    (ancestors, children)
}

/// Pages in tree order (each followed by the pages under it, siblings by position), with
/// each one's depth (0 at the top); a page whose parent is missing, or that only a cycle of
/// parents leads to, is at the top.
pub fn tree(pages: &[PageEntry]) -> Vec<(usize, &PageEntry)> {
    let known: HashSet<StoryId> = pages.iter().map(|p| p.id).collect();
    let mut under: HashMap<Option<StoryId>, Vec<&PageEntry>> = HashMap::new();
    for page in pages {
        let parent = page.parent.filter(|p| known.contains(p) && *p != page.id);
        under.entry(parent).or_default().push(page);
    }
    for siblings in under.values_mut() {
        siblings.sort_by(|a, b| (a.position, &a.title).cmp(&(b.position, &b.title)));
    }
    let mut out = Vec::with_capacity(pages.len());
    let mut placed: HashSet<StoryId> = HashSet::new();
    let roots = under.get(&None).into_iter().flatten().copied();
    // The roots first, then (pages only a cycle of parents leads to never reach one) each
    // page not placed yet starts a walk of its own.
    for start in roots.chain(pages.iter()) {
        let mut stack = vec![(0, start)];
        while let Some((depth, page)) = stack.pop() {
            if !placed.insert(page.id) {
                continue;
            }
            out.push((depth, page));
            if let Some(children) = under.get(&Some(page.id)) {
                stack.extend(children.iter().rev().map(|c| (depth + 1, *c)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(id: i64, parent: Option<i64>, position: i64) -> PageEntry {
        PageEntry {
            id: StoryId(id),
            slug: Slug::parse(&format!("p{id}")).unwrap(),
            title: format!("Page {id}"),
            parent: parent.map(StoryId),
            position,
            status: Status::Published,
            published_at: None,
            updated_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn walks_up_and_down_the_tree() {
        let pages = [
            page(1, None, 0),
            page(2, Some(1), 2),
            page(3, Some(1), 1),
            page(4, Some(3), 0),
        ];
        let (up, down) = family(&pages, StoryId(4));
        assert_eq!(up.iter().map(|p| p.id.0).collect::<Vec<_>>(), [1, 3]);
        assert!(down.is_empty());
        let (_, down) = family(&pages, StoryId(1));
        assert_eq!(down.iter().map(|p| p.id.0).collect::<Vec<_>>(), [3, 2]);
        let order: Vec<_> = tree(&pages).iter().map(|(d, p)| (*d, p.id.0)).collect();
        assert_eq!(order, [(0, 1), (1, 3), (2, 4), (1, 2)]);
    }

    #[test]
    fn a_cycle_of_parents_ends() {
        let pages = [page(1, Some(2), 0), page(2, Some(1), 0)];
        let (up, _) = family(&pages, StoryId(1));
        assert_eq!(up.len(), 1);
        assert_eq!(tree(&pages).len(), 2);
    }
}
