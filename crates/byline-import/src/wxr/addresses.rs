//! The addresses a WordPress site served its content at: each post's permalinks, and its
//! sections', tags' and authors' archive pages, so that they keep leading somewhere.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use super::{Channel, Item, Ns};
use crate::html::decode_entities;

/// Every address WordPress served the post at: its `link` and `guid`, `?p=ID`, and the
/// permalinks of each structure a site may have used (`/2024/03/01/name/`, `/2024/03/name/`,
/// `/name/`, `/archives/ID`), under the site's own path.
pub(super) fn old_addresses(channel: &Channel, item: &Item) -> Vec<String> {
    let post_id = item.get(Ns::Wp, "post_id");
    let mut found: Vec<String> = ["link", "guid"]
        .iter()
        .filter_map(|key| item.get(Ns::None, key))
        .filter(|url| url.starts_with("http://") || url.starts_with("https://"))
        // WordPress's own guids are `?p=ID` at the time of writing; the post's id says which
        // post `?p=` names (a copied post keeps the guid of its original), and an item with no
        // id cannot say it is the post a `?p=` names.
        .filter(|url| !url.contains("?p=") && !url.contains("&p="))
        // An address on another site's host is not this site's.
        .filter(
            |url| match (host_of(url), channel.site.as_deref().and_then(host_of)) {
                (Some(host), Some(site)) => host == site,
                _ => true,
            },
        )
        .map(str::to_owned)
        .collect();
    let base = site_path(channel);
    if let Some(id) = post_id {
        found.push(format!("{base}/?p={id}"));
        found.push(format!("{base}/archives/{id}"));
        // WordPress's default address of a page.
        if item.get(Ns::Wp, "post_type") == Some("page") {
            found.push(format!("{base}/?page_id={id}"));
        }
    }
    let date = item
        .get(Ns::Wp, "post_date")
        .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok());
    if let Some(name) = item.get(Ns::Wp, "post_name") {
        found.push(format!("{base}/{name}/"));
        if let Some(date) = date {
            found.push(format!("{base}/{}/{name}/", date.format("%Y/%m/%d")));
            found.push(format!("{base}/{}/{name}/", date.format("%Y/%m")));
        }
    }
    found
}

/// What a category, tag or author address of the old site leads to in Byline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TermKind {
    Section,
    Tag,
    Author,
}

/// The addresses WordPress served a post's section (its first category, with the category's
/// parents in the path), tags, author and co-authors at, each with its kind and name.
pub(super) fn term_addresses(
    channel: &Channel,
    item: &Item,
    into: &mut BTreeMap<String, (TermKind, String)>,
) {
    let base = site_path(channel);
    let section = item
        .categories
        .iter()
        .filter(|t| t.domain == "category")
        .map(|t| (t, decode_entities(&t.name).trim().to_owned()))
        .find(|(_, name)| !name.is_empty() && name != "Uncategorized");
    if let Some((term, name)) = section
        && let Some(nicename) = &term.nicename
    {
        let mut path = vec![nicename.clone()];
        while let Some(parent) = channel
            .category_parents
            .get(path.last().unwrap_or(nicename))
        {
            if path.len() > 16 || path.contains(parent) {
                break;
            }
            path.push(parent.clone());
        }
        path.reverse();
        let address = format!("{base}/category/{}/", path.join("/"));
        into.insert(address, (TermKind::Section, name));
    }
    for term in item.categories.iter().filter(|t| t.domain == "post_tag") {
        let name = decode_entities(&term.name).trim().to_owned();
        if let Some(nicename) = &term.nicename
            && !name.is_empty()
        {
            into.insert(format!("{base}/tag/{nicename}/"), (TermKind::Tag, name));
        }
    }
    if let Some(login) = item.get(Ns::Dc, "creator") {
        let name = channel
            .authors
            .get(login)
            .cloned()
            .unwrap_or_else(|| login.to_owned());
        into.insert(format!("{base}/author/{login}/"), (TermKind::Author, name));
    }
    // Co-Authors Plus gives each co-author an archive of their own.
    for (slug, name) in super::terms::co_author_terms(channel, item) {
        if let Some(slug) = slug.filter(|s| !s.is_empty())
            && !name.is_empty()
        {
            into.insert(format!("{base}/author/{slug}/"), (TermKind::Author, name));
        }
    }
}

/// The host of an http(s) URL, lower-case, without `www.`.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest
        .split(['/', '\\', '?', '#'])
        .next()?
        .to_ascii_lowercase();
    let host = host.rsplit('@').next()?.split(':').next()?.to_owned();
    Some(host.strip_prefix("www.").map(str::to_owned).unwrap_or(host))
}

/// The path the old site lived under (`/news` for `https://example.com/news`), or nothing.
fn site_path(channel: &Channel) -> String {
    channel
        .site
        .as_deref()
        .and_then(|site| site.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| {
            rest.find('/')
                .map(|at| rest[at..].trim_end_matches('/').to_owned())
        })
        .unwrap_or_default()
}
