//! A WordPress site's menus made Byline's: each item's link found among what the import
//! stored (a post, a page), the sections and tags, or kept as a URL; the menus named like a
//! header or a footer shown there, unless the newsroom already placed one.

use std::collections::HashMap;

use byline_core::Slug;
use byline_core::menus::{MAX_DEPTH, MAX_ITEMS, Menu, MenuItem, MenuLocation, clean_label};
use byline_core::redirects::link;
use byline_import::menus::{MenuTarget, SourceMenu, SourceMenuItem};
use byline_render::views::paths;

/// Most menus an import brings (a site has a few; each is a form on the curation screen).
const MAX_MENUS: usize = 50;

/// The menus made of an export's, with what could not be carried over.
#[derive(Debug, Default)]
pub struct ImportedMenus {
    pub menus: Vec<Menu>,
    pub warnings: Vec<String>,
}

/// Makes Byline's menus of `menus`; `stored` maps each imported item's external id to its
/// path, and `site` is the old site's address (its links become paths of this site).
pub fn convert(
    file: &str,
    menus: Vec<SourceMenu>,
    stored: &HashMap<String, String>,
    site: Option<&str>,
) -> ImportedMenus {
    let mut out = ImportedMenus::default();
    for menu in menus {
        if out.menus.len() == MAX_MENUS {
            out.warnings.push(format!(
                "{file}: more than {MAX_MENUS} menus; menu {:?} and those after it are left out",
                menu.name
            ));
            break;
        }
        let Some(slug) = Slug::derive(&menu.slug).or_else(|| Slug::derive(&menu.name)) else {
            out.warnings.push(format!(
                "{file}: menu {:?} has no name to keep it by",
                menu.name
            ));
            continue;
        };
        let mut converting = Converting {
            file,
            menu: &menu.name,
            stored,
            site,
            count: 0,
            warnings: &mut out.warnings,
        };
        let items = converting.items(menu.items, 1);
        if items.is_empty() {
            continue;
        }
        out.menus.push(Menu {
            location: location_of(&menu.slug, &menu.name),
            name: clean_label(&menu.name),
            slug,
            items,
        });
    }
    // One menu per place: the first named for it.
    for location in MenuLocation::ALL {
        let mut seen = false;
        for menu in out
            .menus
            .iter_mut()
            .filter(|m| m.location == Some(location))
        {
            if seen {
                menu.location = None;
            }
            seen = true;
        }
    }
    out
}

/// Where a menu named like this is shown: WordPress themes call their places `primary`,
/// `main`, `header`, `top` and `footer`, and sites name their menus after them.
fn location_of(slug: &str, name: &str) -> Option<MenuLocation> {
    let text = format!("{slug} {name}").to_lowercase();
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
    let named = |w: &[&str]| words.iter().any(|word| w.contains(word));
    if named(&["footer"]) {
        Some(MenuLocation::Footer)
    } else if named(&["header", "primary", "main", "top"]) {
        Some(MenuLocation::Header)
    } else {
        None
    }
}

struct Converting<'a> {
    file: &'a str,
    menu: &'a str,
    stored: &'a HashMap<String, String>,
    site: Option<&'a str>,
    count: usize,
    warnings: &'a mut Vec<String>,
}

impl Converting<'_> {
    /// The items at `depth`; those deeper than a menu may go are lifted to the deepest level.
    fn items(&mut self, items: Vec<SourceMenuItem>, depth: usize) -> Vec<MenuItem> {
        let mut out = Vec::new();
        for item in items {
            if self.count == MAX_ITEMS {
                self.warnings.push(format!(
                    "{}:{}: menu {:?} holds more than {MAX_ITEMS} items; the rest are left out",
                    self.file, item.line, self.menu
                ));
                break;
            }
            self.count += 1;
            let (label, link) = self.label_and_link(&item);
            let mut children = Vec::new();
            let mut lifted = Vec::new();
            if depth < MAX_DEPTH {
                children = self.items(item.children, depth + 1);
            } else {
                lifted = self.items(item.children, depth);
            }
            // A link no menu may hold (a Ghost portal's `#/portal/`, a `javascript:` URL)
            // leaves nothing to show unless items sit under it; an item readers may not see
            // (a draft page) is not named at all: what sits under it takes its place.
            let hidden = matches!(item.target, MenuTarget::Item { .. }) && link.is_none();
            let broken = matches!(item.target, MenuTarget::Url(_)) && link.is_none();
            if hidden || (broken && children.is_empty()) {
                self.count -= 1;
                out.extend(children);
                out.extend(lifted);
                continue;
            }
            out.push(MenuItem {
                label,
                link,
                children,
            });
            out.extend(lifted);
        }
        out
    }

    fn label_and_link(&mut self, item: &SourceMenuItem) -> (String, Option<String>) {
        let at = format!("{}:{}", self.file, item.line);
        let (title, link) = match &item.target {
            MenuTarget::Item { external_id, title } => match self.stored.get(external_id) {
                Some(path) => (title.clone(), Some(path.clone())),
                None => {
                    self.warnings.push(format!(
                        "{at}: menu {:?} links to an item that is not public or was not imported: left out",
                        self.menu
                    ));
                    (title.clone(), None)
                }
            },
            MenuTarget::Section(name) => {
                (name.clone(), Slug::derive(name).map(|s| paths::section(&s)))
            }
            MenuTarget::Tag(name) => (name.clone(), Slug::derive(name).map(|s| paths::tag(&s))),
            MenuTarget::Url(url) => (url.clone(), self.url(url, &at)),
            MenuTarget::Nothing { missing } => {
                if let Some(missing) = missing {
                    self.warnings.push(format!(
                        "{at}: menu {:?} links to {missing}: kept as a heading",
                        self.menu
                    ));
                }
                (String::new(), None)
            }
        };
        let label = clean_label(item.label.as_deref().unwrap_or(&title));
        let label = if label.is_empty() {
            clean_label(&title)
        } else {
            label
        };
        (
            if label.is_empty() {
                "Untitled".into()
            } else {
                label
            },
            link,
        )
    }

    /// A URL of the old site as a path of this one (its old address leads on), any other
    /// http(s) URL as it is; one no menu may hold is left out with a warning.
    fn url(&mut self, url: &str, at: &str) -> Option<String> {
        let on_old_site = self.site.and_then(|site| {
            let rest = url.strip_prefix(site.trim_end_matches('/'))?;
            Some(if rest.is_empty() {
                "/".to_owned()
            } else {
                rest.to_owned()
            })
        });
        let wanted = on_old_site.as_deref().unwrap_or(url);
        // A path is written as this site writes it: `/about/` is `/about`.
        let wanted = match wanted.strip_suffix('/') {
            Some(trimmed)
                if wanted.starts_with('/') && !trimmed.is_empty() && !wanted.contains('?') =>
            {
                trimmed
            }
            _ => wanted,
        };
        match link(wanted) {
            Ok(link) => Some(link),
            Err(why) => {
                self.warnings.push(format!(
                    "{at}: menu {:?} links to {url:?}, which is left out: {why}",
                    self.menu
                ));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(
        label: Option<&str>,
        target: MenuTarget,
        children: Vec<SourceMenuItem>,
    ) -> SourceMenuItem {
        SourceMenuItem {
            label: label.map(str::to_owned),
            target,
            children,
            line: 1,
        }
    }

    #[test]
    fn an_item_readers_may_not_see_is_not_named() {
        let draft = MenuTarget::Item {
            external_id: "wp:draft".into(),
            title: "Secret merger plan".into(),
        };
        let under = item(Some("Kept"), MenuTarget::Url("/kept".into()), vec![]);
        let menu = SourceMenu {
            slug: "main".into(),
            name: "Main".into(),
            items: vec![item(None, draft, vec![under])],
        };
        let out = convert("site.xml", vec![menu], &HashMap::new(), None);
        let items = &out.menus[0].items;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].label, "Kept", "what sat under it takes its place");
        let all = format!("{out:?}");
        assert!(!all.contains("Secret"), "{all}");
    }

    #[test]
    fn links_follow_what_was_stored_and_deep_items_are_lifted() {
        let stored = HashMap::from([("wp:about".to_owned(), "/about".to_owned())]);
        let about = MenuTarget::Item {
            external_id: "wp:about".into(),
            title: "About us".into(),
        };
        let deep = item(
            Some("L4"),
            MenuTarget::Url("https://old.example/x/".into()),
            vec![],
        );
        let l3 = item(
            Some("L3"),
            MenuTarget::Nothing { missing: None },
            vec![deep],
        );
        let l2 = item(None, MenuTarget::Section("World News".into()), vec![l3]);
        let menu = SourceMenu {
            slug: "footer-links".into(),
            name: "Footer links".into(),
            items: vec![
                item(None, about, vec![l2]),
                item(
                    Some("Bad"),
                    MenuTarget::Url("javascript:alert(1)".into()),
                    vec![],
                ),
            ],
        };
        let out = convert("site.xml", vec![menu], &stored, Some("https://old.example"));
        let menu = &out.menus[0];
        assert_eq!(menu.location, Some(MenuLocation::Footer));
        assert_eq!(menu.items[0].label, "About us");
        assert_eq!(menu.items[0].link.as_deref(), Some("/about"));
        let l2 = &menu.items[0].children[0];
        assert_eq!(l2.link.as_deref(), Some("/section/world-news"));
        assert_eq!(l2.children.len(), 2, "L4 is lifted beside L3");
        assert_eq!(l2.children[1].link.as_deref(), Some("/x"));
        assert_eq!(menu.items.len(), 1, "the javascript: link is left out");
        assert!(
            out.warnings.iter().any(|w| w.contains("javascript")),
            "{:?}",
            out.warnings
        );
    }
}
