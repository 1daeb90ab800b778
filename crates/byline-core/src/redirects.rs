//! Old addresses: where a story, section, tag or author lived on the site a newsroom moved
//! from (WordPress's permalinks, `?p=ID`, `/category/…`), kept so that every link on the web
//! still leads to it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::ids::StoryId;
use crate::slug::Slug;
use crate::store::StoreError;

/// What an old address leads to. A story is held by id, so its address follows any later
/// change of slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Story(StoryId),
    Section(Slug),
    Tag(Slug),
    Author(Slug),
}

impl Destination {
    pub fn kind(&self) -> &'static str {
        match self {
            Destination::Story(_) => "story",
            Destination::Section(_) => "section",
            Destination::Tag(_) => "tag",
            Destination::Author(_) => "author",
        }
    }
}

/// One old address and where it leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldAddress {
    /// As [`address_key`] writes it.
    pub address: String,
    pub destination: Destination,
}

/// Where an old address leads now: the current slug of its story, or the slug of its
/// section, tag or author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Story(Slug),
    Section(Slug),
    Tag(Slug),
    Author(Slug),
}

/// Query parameters that name content on a WordPress site (`?p=12`, `?cat=3`); every other
/// parameter (tracking, paging) is not part of an old address.
const NAMING_PARAMETERS: [&str; 8] = [
    "p",
    "page_id",
    "attachment_id",
    "cat",
    "tag",
    "author",
    "name",
    "category_name",
];

/// Longest address kept (and looked up): longer ones are no site's permalinks.
pub const MAX_ADDRESS_LEN: usize = 512;

/// The form an address is stored and looked up in: the path percent-decoded, without a
/// trailing slash or `index.php`, plus the content-naming query parameters in a fixed order.
/// `https://old.example/2024/03/story/?utm_source=x` and `/2024/03/story` are the same
/// address; `/?p=12` and `/index.php?p=12` too. `None` for what is no path.
pub fn address_key(path: &str, query: Option<&str>) -> Option<String> {
    let path = path.split('#').next().unwrap_or_default();
    let decoded = percent_decode(path);
    let mut path = decoded.trim().trim_end_matches('/').to_owned();
    if let Some(stripped) = path.strip_suffix("/index.php") {
        path = stripped.to_owned();
    }
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if path.contains(['\0', '\n', '\r']) {
        return None;
    }
    let mut pairs: Vec<(String, String)> = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            let key = key.to_ascii_lowercase();
            let value = percent_decode(&value.replace('+', " "));
            (NAMING_PARAMETERS.contains(&key.as_str()) && !value.trim().is_empty())
                .then(|| (key, value.trim().to_owned()))
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    let mut key = path;
    if !pairs.is_empty() {
        if key == "/" {
            key.clear();
        }
        key.push_str("/?");
        let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        key.push_str(&joined.join("&"));
    }
    (key.len() <= MAX_ADDRESS_LEN).then_some(key)
}

/// The key of a whole URL (`https://host/path?query`) or of a path with its query.
pub fn address_key_of_url(url: &str) -> Option<String> {
    let rest = match url.split_once("://") {
        Some((scheme, rest)) if scheme.chars().all(|c| c.is_ascii_alphanumeric()) => {
            match rest.find('/') {
                Some(at) => &rest[at..],
                None if rest.contains('?') => &rest[rest.find('?').unwrap_or(0)..],
                None => "/",
            }
        }
        _ if url.starts_with('/') || url.starts_with('?') => url,
        _ => return None,
    };
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (if path.is_empty() { "/" } else { path }, Some(query)),
        None => (rest, None),
    };
    address_key(path, query)
}

/// `text` with its `%XX` escapes decoded (invalid UTF-8 replaced), as WordPress stores a
/// non-ASCII slug and browsers send a path.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[at] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(at + 1).and_then(|b| hex(*b)),
                bytes.get(at + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((h * 16 + l) as u8);
            at += 3;
            continue;
        }
        out.push(bytes[at]);
        at += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where old addresses are kept.
#[async_trait]
pub trait RedirectStore {
    /// Keeps `addresses` (an address already kept is pointed at its new destination).
    async fn keep_old_addresses(
        &self,
        addresses: &[OldAddress],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Where the old address `key` leads at `now`: a story only while it is public, a section,
    /// tag or author only while it exists.
    async fn old_address(&self, key: &str, now: DateTime<Utc>)
    -> Result<Option<Found>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_keyed_as_wordpress_serves_them() {
        for (url, key) in [
            ("https://old.example/2024/03/story/", Some("/2024/03/story")),
            (
                "https://old.example/2024/03/story/?utm_source=x#top",
                Some("/2024/03/story"),
            ),
            ("https://old.example/?p=12", Some("/?p=12")),
            ("https://old.example/index.php?p=12&utm=1", Some("/?p=12")),
            ("https://old.example/news/?p=12", Some("/news/?p=12")),
            ("https://old.example", Some("/")),
            ("/category/n%C3%A4he/", Some("/category/nähe")),
            ("/?cat=3&p=", Some("/?cat=3")),
            ("mailto:x@example.com", None),
            ("https://old.example/a%0Ab", None),
        ] {
            assert_eq!(address_key_of_url(url).as_deref(), key, "{url}");
        }
        assert_eq!(address_key("/", Some("P=7")).as_deref(), Some("/?p=7"));
        assert_eq!(address_key(&"/x".repeat(300), None), None);
    }
}
