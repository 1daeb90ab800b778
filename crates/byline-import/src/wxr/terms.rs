//! Who wrote a post (display names, Co-Authors Plus) and where it is filed (categories).

use super::{Channel, Item};
use crate::html::decode_entities;

/// The names of the categories above the one named `nicename`, outermost first: WordPress's
/// hierarchy, as far as the channel lists it and a section's lineage goes (a loop is cut where
/// it turns).
pub(super) fn categories_above(channel: &Channel, nicename: &str) -> Vec<String> {
    let mut above: Vec<&String> = Vec::new();
    let mut next = channel.category_parents.get(nicename);
    while let Some(parent) = next {
        let full = above.len() + 1 == byline_core::store::SectionRef::MAX_DEPTH;
        if parent == nicename || above.contains(&parent) || full {
            break;
        }
        above.push(parent);
        next = channel.category_parents.get(parent);
    }
    above
        .into_iter()
        .rev()
        .map(|nicename| {
            channel
                .category_names
                .get(nicename)
                .cloned()
                .unwrap_or_else(|| nicename.clone())
        })
        .collect()
}

/// An author's display name from the export's authors, else the login itself.
pub(super) fn display_name(channel: &Channel, login: &str) -> String {
    channel
        .authors
        .get(login)
        .cloned()
        .unwrap_or_else(|| login.to_owned())
}

/// Co-Authors Plus's byline: the post's `author` terms in order, each a login (its term name,
/// or its nicename without `cap-`) shown by its display name, or a guest author's own name;
/// `None` when the post has no such terms.
pub(super) fn co_authors(channel: &Channel, item: &Item) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, shown) in co_author_terms(channel, item) {
        if !shown.is_empty() && !names.contains(&shown) {
            names.push(shown);
        }
    }
    (!names.is_empty()).then(|| names.join(", "))
}

/// A post's Co-Authors Plus terms: each one's archive slug (its nicename without `cap-`, as
/// in `/author/{slug}/`) and the name it is shown by.
pub(super) fn co_author_terms(channel: &Channel, item: &Item) -> Vec<(Option<String>, String)> {
    item.categories
        .iter()
        .filter(|t| t.domain == "author")
        .map(|term| {
            let name = decode_entities(&term.name).trim().to_owned();
            let slug = term
                .nicename
                .as_deref()
                .map(|n| n.strip_prefix("cap-").unwrap_or(n).to_owned());
            let shown = match (
                channel.authors.get(&name),
                slug.as_ref().and_then(|l| channel.authors.get(l)),
            ) {
                (Some(display), _) | (None, Some(display)) => display.clone(),
                (None, None) => name,
            };
            (slug, shown)
        })
        .collect()
}

/// Where a post is filed: its section (its first category), the sections above it, and its
/// tags (its tags, then its other categories: a story has one section, and none is lost).
pub(super) struct Filing {
    pub section: Option<String>,
    pub section_above: Vec<String>,
    pub subjects: Vec<String>,
}

pub(super) fn filing(channel: &Channel, item: &Item) -> Filing {
    let named = |domain: &'static str| {
        item.categories
            .iter()
            .filter(move |t| t.domain == domain)
            .map(|t| (t, decode_entities(&t.name).trim().to_owned()))
            .filter(|(_, name)| !name.is_empty() && name != "Uncategorized")
    };
    let mut categories = named("category");
    let first = categories.next();
    let mut subjects: Vec<String> = named("post_tag").map(|(_, name)| name).collect();
    for (_, name) in categories {
        if !subjects.iter().any(|s| s.eq_ignore_ascii_case(&name)) {
            subjects.push(name);
        }
    }
    Filing {
        section_above: first
            .as_ref()
            .and_then(|(term, _)| term.nicename.as_deref())
            .map(|nicename| categories_above(channel, nicename))
            .unwrap_or_default(),
        section: first.map(|(_, name)| name),
        subjects,
    }
}
