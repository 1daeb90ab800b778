//! What an export says of the site's structure beyond its posts, gathered on the first pass:
//! which items are pages and under which page each sits, the categories' and tags' ids, and
//! the menus (`nav_menu_item`s) with their order and nesting.

use std::collections::{HashMap, HashSet};

/// Levels of a menu kept nested as the export nests them; deeper items come flat (Byline
/// shows three levels; the import lifts the rest).
const NESTED_LEVELS: usize = 8;

use super::{Item, Ns};
use crate::html::decode_entities;
use crate::menus::{MenuTarget, SourceMenu as WxrMenu, SourceMenuItem as WxrMenuItem};

/// A category, tag or other term of the export (kept by taxonomy and id: before WordPress 4.2
/// a category and a tag of one name shared their id).
#[derive(Debug, Clone, PartialEq, Eq)]
struct TermFacts {
    name: String,
}

/// A post or page: its identity (the story's external id) and title; a page's parent page.
#[derive(Debug, Clone)]
struct PostFacts {
    identity: String,
    title: String,
    is_page: bool,
    parent: Option<String>,
}

/// A menu item as the export gives it.
#[derive(Debug, Clone)]
struct MenuItemFacts {
    id: String,
    menu_slug: String,
    menu_name: String,
    order: i64,
    parent: Option<String>,
    title: Option<String>,
    target: RawTarget,
    line: usize,
}

/// Where a menu item leads, by the export's ids.
#[derive(Debug, Clone)]
enum RawTarget {
    Post(String),
    /// A term's taxonomy and id.
    Term(String, String),
    Url(String),
    Nothing(Option<String>),
}

/// The site's structure, gathered over the first pass.
#[derive(Debug, Default)]
pub struct Structure {
    terms: HashMap<(String, String), TermFacts>,
    posts: HashMap<String, PostFacts>,
    menu_items: Vec<MenuItemFacts>,
}

fn meta<'a>(item: &'a Item, key: &str) -> Option<&'a str> {
    item.meta
        .get(key)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

impl Structure {
    pub(super) fn add_term(&mut self, id: &str, taxonomy: String, name: String) {
        if !id.is_empty() {
            self.terms
                .insert((taxonomy, id.to_owned()), TermFacts { name });
        }
    }

    /// Takes note of a post, page or menu item read on the first pass.
    pub(super) fn note(&mut self, identity: Option<String>, item: &Item) {
        let Some(post_id) = item.get(Ns::Wp, "post_id") else {
            return;
        };
        match item.get(Ns::Wp, "post_type").unwrap_or_default() {
            kind @ ("post" | "page") => {
                let Some(identity) = identity else {
                    return;
                };
                let parent = item.get(Ns::Wp, "post_parent").filter(|p| *p != "0");
                self.posts.insert(
                    post_id.to_owned(),
                    PostFacts {
                        identity,
                        title: decode_entities(item.get(Ns::None, "title").unwrap_or_default()),
                        is_page: kind == "page",
                        parent: parent.map(str::to_owned),
                    },
                );
            }
            "nav_menu_item" => {
                if let Some(facts) = menu_item(post_id, item) {
                    self.menu_items.push(facts);
                }
            }
            _ => {}
        }
    }

    /// The external id of the page `post_id` sits under, when it is a page of the export
    /// under another page of it.
    pub(super) fn page_parent(&self, post_id: &str) -> Option<(&str, &str)> {
        let page = self.posts.get(post_id).filter(|p| p.is_page)?;
        let parent_id = page.parent.as_deref()?;
        let parent = self.posts.get(parent_id).filter(|p| p.is_page)?;
        Some((parent_id, parent.identity.as_str()))
    }

    /// The export's menus with their items nested and in order, each menu once, by name.
    pub fn menus(&self) -> Vec<WxrMenu> {
        let mut by_menu: Vec<(&MenuItemFacts, Vec<&MenuItemFacts>)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for facts in &self.menu_items {
            match index.get(facts.menu_slug.as_str()) {
                Some(&n) => by_menu[n].1.push(facts),
                None => {
                    index.insert(&facts.menu_slug, by_menu.len());
                    by_menu.push((facts, vec![facts]));
                }
            }
        }
        let mut menus: Vec<WxrMenu> = by_menu
            .into_iter()
            .map(|(first, items)| WxrMenu {
                slug: first.menu_slug.clone(),
                name: first.menu_name.clone(),
                items: self.tree_of(&items),
            })
            .collect();
        menus.sort_by(|a, b| a.name.cmp(&b.name));
        menus
    }

    /// One menu's items as a tree: an item whose parent is not in the menu is at the top;
    /// siblings by their order. Below [`NESTED_LEVELS`] the items under an item come flat
    /// after it (a file may nest without end); an item is taken once, so a cycle of parents
    /// ends, and items only in a cycle are left out.
    fn tree_of(&self, items: &[&MenuItemFacts]) -> Vec<WxrMenuItem> {
        let ids: HashSet<&str> = items.iter().map(|m| m.id.as_str()).collect();
        let mut under: HashMap<Option<&str>, Vec<&MenuItemFacts>> = HashMap::new();
        for item in items {
            let parent = item.parent.as_deref().filter(|p| ids.contains(p));
            under.entry(parent).or_default().push(item);
        }
        for siblings in under.values_mut() {
            siblings.sort_by_key(|m| (m.order, m.line));
        }
        let mut taken = HashSet::new();
        self.level(&under, None, 0, &mut taken)
    }

    fn level<'a>(
        &self,
        under: &HashMap<Option<&'a str>, Vec<&'a MenuItemFacts>>,
        parent: Option<&'a str>,
        depth: usize,
        taken: &mut HashSet<&'a str>,
    ) -> Vec<WxrMenuItem> {
        let mut out = Vec::new();
        for m in under.get(&parent).into_iter().flatten() {
            if !taken.insert(m.id.as_str()) {
                continue;
            }
            let children = if depth + 1 < NESTED_LEVELS {
                self.level(under, Some(&m.id), depth + 1, taken)
            } else {
                Vec::new()
            };
            out.push(self.item(m, children));
            if depth + 1 >= NESTED_LEVELS {
                // Deeper items follow flat, each after the one it sits under, walked without
                // recursion.
                let mut stack: Vec<&MenuItemFacts> = under
                    .get(&Some(m.id.as_str()))
                    .into_iter()
                    .flatten()
                    .rev()
                    .copied()
                    .collect();
                while let Some(next) = stack.pop() {
                    if !taken.insert(next.id.as_str()) {
                        continue;
                    }
                    out.push(self.item(next, Vec::new()));
                    let more = under.get(&Some(next.id.as_str())).into_iter().flatten();
                    stack.extend(more.rev().copied());
                }
            }
        }
        out
    }

    fn item(&self, m: &MenuItemFacts, children: Vec<WxrMenuItem>) -> WxrMenuItem {
        WxrMenuItem {
            label: m.title.clone(),
            target: self.resolve(&m.target),
            children,
            line: m.line,
        }
    }

    /// A target as the export names it (a post id, a term id) made one the import can follow.
    fn resolve(&self, target: &RawTarget) -> MenuTarget {
        match target {
            RawTarget::Post(id) => match self.posts.get(id) {
                Some(post) => MenuTarget::Item {
                    external_id: post.identity.clone(),
                    title: post.title.clone(),
                },
                None => MenuTarget::Nothing {
                    missing: Some(format!("post {id}, which the export lacks")),
                },
            },
            RawTarget::Term(taxonomy, id) => {
                match self.terms.get(&(taxonomy.clone(), id.clone())) {
                    Some(term) if taxonomy == "category" => MenuTarget::Section(term.name.clone()),
                    Some(term) => MenuTarget::Tag(term.name.clone()),
                    None => MenuTarget::Nothing {
                        missing: Some(format!("term {id}, which the export lacks")),
                    },
                }
            }
            RawTarget::Url(url) => MenuTarget::Url(url.clone()),
            RawTarget::Nothing(missing) => MenuTarget::Nothing {
                missing: missing.clone(),
            },
        }
    }
}

/// A menu item's facts; the target still names the export's ids.
fn menu_item(post_id: &str, item: &Item) -> Option<MenuItemFacts> {
    let menu = item.categories.iter().find(|c| c.domain == "nav_menu")?;
    let menu_slug = menu.nicename.clone().unwrap_or_else(|| menu.name.clone());
    let object = meta(item, "_menu_item_object_id")
        .unwrap_or_default()
        .to_owned();
    let target = match (
        meta(item, "_menu_item_type").unwrap_or_default(),
        meta(item, "_menu_item_object").unwrap_or_default(),
    ) {
        ("post_type", _) => RawTarget::Post(object),
        ("taxonomy", taxonomy @ ("category" | "post_tag")) => {
            RawTarget::Term(taxonomy.to_owned(), object)
        }
        ("custom", _) => match meta(item, "_menu_item_url") {
            Some(url) if !url.starts_with('#') => RawTarget::Url(url.to_owned()),
            _ => RawTarget::Nothing(None),
        },
        (kind, object) => RawTarget::Nothing(Some(format!(
            "a {kind} {object} link, which Byline has no page for"
        ))),
    };
    Some(MenuItemFacts {
        id: post_id.to_owned(),
        menu_name: decode_entities(&menu.name),
        menu_slug,
        order: item
            .get(Ns::Wp, "menu_order")
            .and_then(|o| o.parse().ok())
            .unwrap_or(0),
        parent: meta(item, "_menu_item_menu_item_parent")
            .filter(|p| *p != "0")
            .map(str::to_owned),
        title: item
            .get(Ns::None, "title")
            .map(decode_entities)
            .filter(|t| !t.trim().is_empty()),
        target,
        line: item.line,
    })
}
