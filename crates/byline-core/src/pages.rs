//! Pages: the site's own pages (About, Imprint, Privacy, Contact), stories of another kind
//! that live at the site root, with no date and no rails, placed in a tree among each other.

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

/// A page's place in the tree as its reader sees it: the pages above it, top first, and
/// those directly under it, in order. Only the entries given are considered (the caller
/// passes public ones to readers); a cycle in stored parents ends the walk up.
pub fn family(pages: &[PageEntry], id: StoryId) -> (Vec<&PageEntry>, Vec<&PageEntry>) {
    let by_id = |id: StoryId| pages.iter().find(|p| p.id == id);
    let mut ancestors = Vec::new();
    let mut next = by_id(id).and_then(|p| p.parent);
    while let Some(parent) = next.and_then(by_id) {
        if parent.id == id || ancestors.iter().any(|a: &&PageEntry| a.id == parent.id) {
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
/// each one's depth; a page whose parent is missing (or in a cycle) is at the top.
pub fn tree(pages: &[PageEntry]) -> Vec<(usize, &PageEntry)> {
    let known = |id: Option<StoryId>| id.is_some_and(|id| pages.iter().any(|p| p.id == id));
    let mut out = Vec::with_capacity(pages.len());
    let mut roots: Vec<&PageEntry> = pages.iter().filter(|p| !known(p.parent)).collect();
    roots.sort_by(|a, b| (a.position, &a.title).cmp(&(b.position, &b.title)));
    let mut stack: Vec<(usize, &PageEntry)> = roots.into_iter().rev().map(|p| (0, p)).collect();
    while let Some((depth, page)) = stack.pop() {
        if out
            .iter()
            .any(|(_, seen): &(usize, &PageEntry)| seen.id == page.id)
        {
            continue;
        }
        out.push((depth, page));
        let (_, children) = family(pages, page.id);
        stack.extend(children.into_iter().rev().map(|c| (depth + 1, c)));
    }
    // Pages only in a cycle of parents never reach a root: list them at the top too.
    for page in pages {
        if !out.iter().any(|(_, seen)| seen.id == page.id) {
            out.push((0, page));
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
