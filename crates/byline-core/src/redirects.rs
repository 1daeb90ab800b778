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
    /// A path of this site or an http(s) URL, as an editor typed it ([`HandRedirect`]).
    Url(String),
}

impl Destination {
    pub fn kind(&self) -> &'static str {
        match self {
            Destination::Story(_) => "story",
            Destination::Section(_) => "section",
            Destination::Tag(_) => "tag",
            Destination::Author(_) => "author",
            Destination::Url(_) => "url",
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
/// section, tag or author, or the path or URL an editor set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Story(Slug),
    /// One of the site's pages, at the site root.
    Page(Slug),
    Section(Slug),
    Tag(Slug),
    Author(Slug),
    Url(String),
}

/// How a redirect came to be, as the newsroom's list names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Kept by an import: where the content lived on the site the newsroom moved from.
    Import,
    /// Left behind when a published story's slug changed (`/story/{old slug}`).
    SlugChange,
    /// Set by an editor, on the admin's screen or from a CSV file.
    ByHand,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Import => "import",
            Origin::SlugChange => "slug change",
            Origin::ByHand => "by hand",
        }
    }
}

/// One redirect in the newsroom's list: its address, where it leads and whether readers are
/// sent there now (a story only while it is public, a section, tag or author while it
/// exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// As [`address_key`] writes it.
    pub address: String,
    pub origin: Origin,
    pub leads_to: Found,
    pub followed: bool,
}

/// Which redirects a page of the list shows: those whose address contains `containing`
/// (ignoring case), after the address `after`, at most `limit`.
#[derive(Debug, Clone, Default)]
pub struct RedirectQuery {
    pub containing: Option<String>,
    pub after: Option<String>,
    pub limit: u32,
}

/// A redirect an editor sets: an address of this site (in [`address_key`] form) and where it
/// leads, checked by [`hand_redirect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandRedirect {
    pub address: String,
    pub target: String,
}

/// Longest target kept: a URL longer than this is no page's address.
pub const MAX_TARGET_LEN: usize = 2000;

/// Why a redirect cannot be set, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectError {
    #[error("from: {0}")]
    From(&'static str),
    #[error("to: {0}")]
    To(&'static str),
}

/// Checks a redirect as an editor typed it: `from` is a path of this site or a whole URL
/// (whose host is ignored: it may be the old site's), `to` a path of this site (`/…`) or an
/// `http(s)://` URL. The front page itself and an address leading to itself are refused; whether
/// a fixed route of the site would shadow it is the caller's check.
pub fn hand_redirect(from: &str, to: &str) -> Result<HandRedirect, RedirectError> {
    let from = from.trim();
    if from.is_empty() {
        return Err(RedirectError::From(
            "give the old address, such as /2019/05/old-story/.",
        ));
    }
    let address = address_key_of_url(from).ok_or(RedirectError::From(
        "not a path of this site (it starts with /) or a whole URL, of at most 512 characters.",
    ))?;
    if address == "/" {
        return Err(RedirectError::From(
            "the front page cannot be sent elsewhere; give a longer path.",
        ));
    }
    let target = link(to).map_err(RedirectError::To)?;
    let target = target.as_str();
    let on_this_site = target.starts_with('/');
    if on_this_site && address_key_of_url(target).as_deref() == Some(address.as_str()) {
        return Err(RedirectError::To(
            "this is the address itself; a redirect must lead elsewhere.",
        ));
    }
    Ok(HandRedirect {
        address,
        target: target.to_owned(),
    })
}

/// Checks where a link leads, as an editor typed it (a redirect's target, a menu item): a path
/// of this site (`/…`) or an `http(s)://` URL with a host and no user name, in ASCII (other
/// characters percent-encoded), with no white space or backslash.
pub fn link(text: &str) -> Result<String, &'static str> {
    let target = ascii_only(text.trim());
    if target.is_empty() {
        return Err("say where it leads: a path such as /story/new-story or a whole URL.");
    }
    if target.len() > MAX_TARGET_LEN {
        return Err("at most 2,000 characters.");
    }
    if target.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("an address holds no spaces or line breaks (write a space as %20).");
    }
    // Browsers read `\` as `/`: `/\host` would leave the site.
    if target.contains('\\') {
        return Err("an address holds no backslash (write it as %5C).");
    }
    let on_this_site = target.starts_with('/') && !target.starts_with("//");
    let elsewhere = ["http://", "https://"].iter().any(|scheme| {
        target
            .get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
            && target[scheme.len()..]
                .split(['/', '?', '#'])
                .next()
                .is_some_and(|host| !host.is_empty() && !host.contains('@'))
    });
    if !on_this_site && !elsewhere {
        return Err(
            "a path of this site (starting with one /) or a URL starting with http:// or https://, with a host and no user name.",
        );
    }
    Ok(target)
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

/// `text` with every character outside ASCII percent-encoded (its UTF-8 bytes), as a
/// `Location` header must carry it.
fn ascii_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
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
    /// tag or author only while it exists, a path or URL set by hand always.
    async fn old_address(&self, key: &str, now: DateTime<Utc>)
    -> Result<Option<Found>, StoreError>;

    /// Every redirect (kept by imports, left by slug changes, set by hand) in address order,
    /// a page at a time; `followed` as at `now`.
    async fn redirects(
        &self,
        query: &RedirectQuery,
        now: DateTime<Utc>,
    ) -> Result<Vec<Redirect>, StoreError>;

    /// The redirect at `address` (in [`address_key`] form), if any.
    async fn redirect_at(
        &self,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Redirect>, StoreError>;

    /// Sets every one of `redirects` in one transaction, replacing whatever each address led
    /// to before (also a slug change's redirect of the same address).
    async fn set_redirects(
        &self,
        redirects: &[HandRedirect],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Removes the redirect at `address`, whatever made it; false when there is none.
    async fn remove_redirect(&self, address: &str) -> Result<bool, StoreError>;
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

    #[test]
    fn hand_redirects_are_checked_field_by_field() {
        let set = hand_redirect(" https://old.example/2019/05/old/?utm=1 ", "/story/new").unwrap();
        assert_eq!(set.address, "/2019/05/old");
        assert_eq!(set.target, "/story/new");
        assert!(hand_redirect("/old", "HTTPS://elsewhere.example/x?y=1#z").is_ok());
        let accented = hand_redirect("/alt", "/tag/nähe").unwrap();
        assert_eq!(accented.target, "/tag/n%C3%A4he");
        assert!(
            hand_redirect("/tag/nähe", "/tag/n%C3%A4he").is_err(),
            "the same address, however it is written"
        );
        for (from, to, field) in [
            ("", "/story/new", "from"),
            ("mailto:x@example.org", "/story/new", "from"),
            ("/", "/story/new", "from"),
            ("https://old.example/", "/story/new", "from"),
            ("/old", "", "to"),
            ("/old", "story/new", "to"),
            ("/old", "//evil.example/", "to"),
            ("/old", "javascript:alert(1)", "to"),
            ("/old", "https://user@evil.example/", "to"),
            ("/old", "https:///nohost", "to"),
            ("/old", "/a b", "to"),
            ("/old", "/a\nb", "to"),
            ("/old", "/\\evil.example/", "to"),
            ("/old/", "/old?utm=2", "to"),
        ] {
            let error = hand_redirect(from, to).unwrap_err();
            assert!(
                error.to_string().starts_with(field),
                "{from} -> {to}: {error}"
            );
        }
        assert!(hand_redirect("/old", &format!("/{}", "x".repeat(2000))).is_err());
    }
}
