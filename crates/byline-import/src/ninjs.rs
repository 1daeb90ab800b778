//! IPTC ninjs 1.x, 2.x and 3.x items → [`WireStory`].
//!
//! ninjs grew by renaming: `headline` became `headlines[]`, `body_html` became `bodies[]`,
//! keys went camelCase in 3.0. Each field is read from every shape it has had, newest first.

use byline_core::{Headline, RawBody as Body};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::values::{integer, lowercase_keys, named_entries, text, time};

/// A story as a wire item describes it, before it meets the newsroom's store.
#[derive(Debug, Clone, PartialEq)]
pub struct WireStory {
    /// The item's `uri` (or `guid`): its identity across versions.
    pub external_id: String,
    pub version: Option<i64>,
    pub headline: Headline,
    /// A summary (`description_text`, `descriptions[role=summary]`) of a text item.
    pub standfirst: Option<String>,
    /// Still untrusted HTML, or plain text.
    pub body: Body,
    pub byline: Option<String>,
    pub language: Option<String>,
    pub first_created: Option<DateTime<Utc>>,
    pub version_created: Option<DateTime<Utc>>,
    pub embargoed: Option<DateTime<Utc>>,
    pub pub_status: PubStatus,
    /// The identities earlier versions of Byline gave the same item.
    pub former_ids: Vec<String>,
    /// The section the source files it under (a WordPress category), if any.
    pub section: Option<String>,
    /// The names of the sections above it in the source's hierarchy, outermost first.
    pub section_above: Vec<String>,
    /// The source's own title and description for search engines (WordPress's Yoast fields).
    pub seo: byline_core::Seo,
    /// Subject names, which become tags.
    pub subjects: Vec<String>,
    pub picture: Option<WirePicture>,
    /// The address the source gave the story (WordPress's `post_name`), if any.
    pub slug: Option<String>,
    /// Every URL (or path) the source served the story at.
    pub old_addresses: Vec<String>,
    /// The source's editors kept it at the top (a WordPress sticky post): a pick.
    pub sticky: bool,
    /// What the item lacked or held that the import changed (reported, never fatal).
    pub warnings: Vec<String>,
    /// One of the site's own pages (a WordPress or Ghost page), where it sits among them;
    /// `None` for a story.
    pub page: Option<byline_core::pages::ImportedPage>,
    /// Pictures the body shows that the import copies: each `src` as the body has it, and
    /// where its file is (Ghost's uploads, with `--content`).
    pub body_pictures: Vec<(String, RenditionHref)>,
}

/// ninjs `pubstatus` (a WordPress draft, pending or private post arrives as `Draft`): core's
/// wire status, whose rule decides the story's status.
pub use byline_core::story::WireStatus as PubStatus;

/// The lead picture of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WirePicture {
    pub href: RenditionHref,
    /// The credit line: the picture's `by` or `byline`.
    pub credit: Option<String>,
    pub caption: Option<String>,
    pub alt: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub content_type: Option<String>,
}

/// Where a rendition's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenditionHref {
    /// A path relative to the item's file.
    Relative(String),
    /// An http(s) URL.
    Remote(String),
    /// A path inside a folder given on the command line (a copy of WordPress's uploads).
    InFolder {
        folder: std::path::PathBuf,
        path: String,
    },
}

/// Why a file or an item could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NinjsError {
    #[error("not JSON: {message} at line {line}, column {column}")]
    NotJson {
        message: String,
        line: usize,
        column: usize,
    },
    #[error("not a ninjs item: {0}")]
    NotNinjs(String),
    #[error("item has no {0}")]
    Missing(&'static str),
    #[error("field {field}: {reason}")]
    BadField { field: &'static str, reason: String },
}

/// Parses a file holding one ninjs item, an array of them, or an API envelope around them
/// ([`envelope`]). A file that is not JSON, or JSON that holds no ninjs, fails as a whole;
/// otherwise each item succeeds or fails on its own.
pub fn parse_file(text: &str) -> Result<Vec<Result<WireStory, NinjsError>>, NinjsError> {
    let value: Value = serde_json::from_str(text).map_err(|e| NinjsError::NotJson {
        message: e
            .to_string()
            .split(" at line")
            .next()
            .unwrap_or_default()
            .to_owned(),
        line: e.line(),
        column: e.column(),
    })?;
    Ok(envelope::items_of(value)?
        .into_iter()
        .map(parse_item)
        .collect())
}

pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Maps one ninjs item.
pub fn parse_item(value: Value) -> Result<WireStory, NinjsError> {
    let value = lowercase_keys(value);
    let Value::Object(item) = value else {
        return Err(NinjsError::NotNinjs(format!(
            "expected an object, found a JSON {}",
            kind(&value)
        )));
    };
    // Superdesk and early ninjs name the identity `guid`.
    let external_id = text(&item, "uri")
        .or_else(|| text(&item, "guid"))
        .ok_or(NinjsError::Missing("uri"))?
        .to_owned();
    let headline_text =
        headline(&item).ok_or(NinjsError::Missing("headline (headline, headlines, title)"))?;
    let headline = Headline::parse(headline_text).map_err(|e| NinjsError::BadField {
        field: "headline",
        reason: e.to_string(),
    })?;
    let item_type = text(&item, "type").unwrap_or("text");
    let is_media = matches!(item_type, "picture" | "graphic" | "video" | "audio");
    let description = description(&item, &["summary", "caption", "text"]);
    let mut body = body(&item);
    let mut pub_status = pub_status(&item)?;
    let mut warnings = Vec::new();
    if body == Body::Empty {
        if is_media {
            // A photo's description is the text of a photo story.
            body = description.clone().map_or(Body::Empty, Body::Text);
        } else {
            // A text item is never published empty: its text may exist only elsewhere.
            // The address without its query, which may carry an agency's key.
            warnings.push(match text_elsewhere(&item) {
                Some(href) => format!(
                    "the item's text is not in the file, only at {}: imported as a draft",
                    href.split(['?', '#']).next().unwrap_or_default()
                ),
                None => "the item has no body: imported as a draft".to_owned(),
            });
            if pub_status == PubStatus::Usable {
                pub_status = PubStatus::Draft;
            }
        }
    }
    let standfirst =
        if is_media || matches!(body, Body::Text(ref t) if Some(t) == description.as_ref()) {
            None
        } else {
            description.clone()
        };
    let picture = lead_picture(&item).or_else(|| {
        if is_media {
            own_picture(&item, description.as_deref())
        } else {
            None
        }
    });
    if let Body::Html(html) = &body {
        let lead = lead_association(&item).map(identities).unwrap_or_default();
        let plain = plain_body(&item);
        body = Body::Html(crate::html::article_body(
            html,
            headline.as_str(),
            &lead,
            plain,
        ));
    }
    Ok(WireStory {
        external_id,
        version: item.get("version").and_then(integer),
        headline,
        standfirst,
        body,
        byline: text(&item, "byline")
            .or_else(|| text(&item, "by"))
            .map(str::to_owned),
        language: text(&item, "language").map(str::to_owned),
        first_created: timestamp(&item, "firstcreated")?,
        version_created: timestamp(&item, "versioncreated")?,
        embargoed: timestamp(&item, "embargoed")?,
        pub_status,
        former_ids: Vec::new(),
        section: None,
        section_above: Vec::new(),
        subjects: subjects(&item),
        seo: Default::default(),
        picture,
        slug: None,
        old_addresses: Vec::new(),
        sticky: false,
        warnings,
        page: None,
        body_pictures: Vec::new(),
    })
}

fn headline(item: &Map<String, Value>) -> Option<&str> {
    if let Some(h) = text(item, "headline") {
        return Some(h);
    }
    if let Some(Value::Array(list)) = item.get("headlines") {
        let objects: Vec<&Map<String, Value>> = list.iter().filter_map(Value::as_object).collect();
        let main = objects
            .iter()
            .find(|h| text(h, "role") == Some("main"))
            .or(objects.first());
        if let Some(h) = main.and_then(|h| text(h, "value")) {
            return Some(h);
        }
    }
    // ninjs 1.5/1.6 wrote `headline_main`, `headline_simple`, …; 3.x events carry a `title`.
    text(item, "headline_main")
        .or_else(|| {
            item.iter()
                .find(|(k, _)| k.starts_with("headline_"))
                .and_then(|(k, _)| text(item, k))
        })
        .or_else(|| text(item, "title"))
}

/// The body, rich text preferred over plain text in every shape ninjs has used.
fn body(item: &Map<String, Value>) -> Body {
    for key in ["body_html", "body_xhtml", "body_richtext"] {
        if let Some(html) = text(item, key) {
            return Body::Html(html.to_owned());
        }
    }
    if let Some(Value::Array(bodies)) = item.get("bodies") {
        let bodies: Vec<&Map<String, Value>> = bodies.iter().filter_map(Value::as_object).collect();
        let is_html = |b: &&&Map<String, Value>| {
            text(b, "contenttype").is_some_and(|c| c.contains("html"))
                || text(b, "role").is_some_and(|r| r == "richtext")
        };
        if let Some(html) = bodies.iter().find(is_html).and_then(|b| text(b, "value")) {
            return Body::Html(html.to_owned());
        }
        if let Some(plain) = bodies.iter().find_map(|b| text(b, "value")) {
            return Body::Text(plain.to_owned());
        }
    }
    for key in ["body_text", "body_main"] {
        if let Some(plain) = text(item, key) {
            return Body::Text(plain.to_owned());
        }
    }
    Body::Empty
}

/// `description_text`, else the first of `descriptions[]` with one of `roles`, else the first.
fn description(obj: &Map<String, Value>, roles: &[&str]) -> Option<String> {
    if let Some(d) = text(obj, "description_text") {
        return Some(d.to_owned());
    }
    let Some(Value::Array(list)) = obj.get("descriptions") else {
        return None;
    };
    let objects: Vec<&Map<String, Value>> = list.iter().filter_map(Value::as_object).collect();
    let chosen = roles
        .iter()
        .find_map(|role| objects.iter().find(|d| text(d, "role") == Some(role)))
        .or(objects.first());
    chosen.and_then(|d| text(d, "value")).map(str::to_owned)
}

fn timestamp(
    item: &Map<String, Value>,
    key: &'static str,
) -> Result<Option<DateTime<Utc>>, NinjsError> {
    match text(item, key) {
        None => Ok(None),
        Some(raw) => time(raw).map(Some).ok_or_else(|| NinjsError::BadField {
            field: key,
            reason: format!("{raw:?} is not an ISO 8601 time"),
        }),
    }
}

fn pub_status(item: &Map<String, Value>) -> Result<PubStatus, NinjsError> {
    match text(item, "pubstatus").map(str::to_lowercase).as_deref() {
        None | Some("usable") => Ok(PubStatus::Usable),
        Some("withheld") => Ok(PubStatus::Withheld),
        Some("canceled" | "cancelled") => Ok(PubStatus::Canceled),
        Some(other) => Err(NinjsError::BadField {
            field: "pubstatus",
            reason: format!("{other:?} is not usable, withheld or canceled"),
        }),
    }
}

fn subjects(item: &Map<String, Value>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for key in ["subject", "subjects"] {
        if let Some(Value::Array(list)) = item.get(key) {
            for name in list
                .iter()
                .filter_map(Value::as_object)
                .filter_map(|s| text(s, "name"))
            {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    names.push(name.to_owned());
                }
            }
        }
    }
    names
}

/// The association named `featureimage`/`featuremedia`, else the first picture.
fn lead_picture(item: &Map<String, Value>) -> Option<WirePicture> {
    let (_, assoc) = lead_association(item)?;
    picture_of(assoc, description(assoc, &["caption"]).as_deref())
}

/// What a body's HTML may call the lead picture by: its uri, its name among the
/// associations, and its renditions' addresses.
fn identities((name, assoc): (String, &Map<String, Value>)) -> Vec<String> {
    let mut ids: Vec<String> = ["uri", "guid"]
        .iter()
        .filter_map(|key| text(assoc, key))
        .map(str::to_owned)
        .chain((!name.is_empty()).then_some(name))
        .collect();
    ids.extend(
        named_entries(assoc.get("renditions"))
            .into_iter()
            .filter_map(|(_, r)| text(r, "href").map(str::to_owned)),
    );
    ids
}

/// The item's plain-text body, when it also has one: how its text reads rendered.
fn plain_body(item: &Map<String, Value>) -> Option<&str> {
    if let Some(plain) = text(item, "body_text") {
        return Some(plain);
    }
    let Some(Value::Array(bodies)) = item.get("bodies") else {
        return None;
    };
    bodies
        .iter()
        .filter_map(Value::as_object)
        .find(|b| text(b, "contenttype").is_some_and(|c| c.starts_with("text/plain")))
        .and_then(|b| text(b, "value"))
}

fn lead_association(item: &Map<String, Value>) -> Option<(String, &Map<String, Value>)> {
    let associations = named_entries(item.get("associations"));
    let is_picture =
        |o: &Map<String, Value>| matches!(text(o, "type"), Some("picture" | "graphic") | None);
    let featured = associations.iter().find(|(name, o)| {
        matches!(name.as_str(), "featureimage" | "featuremedia") && is_picture(o)
    });
    let first = || {
        associations
            .iter()
            .find(|(_, o)| text(o, "type") == Some("picture"))
    };
    featured
        .or_else(first)
        .map(|(name, assoc)| (name.clone(), *assoc))
}

/// A picture item's own rendition, for photo items that are stories in themselves.
fn own_picture(item: &Map<String, Value>, caption: Option<&str>) -> Option<WirePicture> {
    if !matches!(text(item, "type"), Some("picture" | "graphic")) {
        return None;
    }
    picture_of(item, caption)
}

fn picture_of(obj: &Map<String, Value>, caption: Option<&str>) -> Option<WirePicture> {
    let rendition = best_rendition(obj)?;
    let href = text(rendition, "href")?;
    let href = if href.starts_with("http://") || href.starts_with("https://") {
        RenditionHref::Remote(href.to_owned())
    } else {
        RenditionHref::Relative(href.to_owned())
    };
    let dimension = |key| {
        rendition
            .get(key)
            .and_then(integer)
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| *v > 0)
    };
    Some(WirePicture {
        href,
        credit: credit_of(obj),
        caption: text(obj, "description_caption")
            .or(caption)
            .map(str::to_owned),
        alt: text(obj, "alt_text")
            .or_else(|| text(obj, "alttext"))
            .map(str::to_owned),
        width: dimension("width"),
        height: dimension("height"),
        content_type: text(rendition, "contenttype")
            .or_else(|| text(rendition, "mimetype"))
            .map(str::to_owned),
    })
}

/// The credit line of a picture from the fields agencies write it in: the composed credit
/// line (`creditline`, `description_creditline`) first, as the supplier asks it printed; then
/// the photographer (`by`, `byline`); last the copyright notice as `© Holder`.
fn credit_of(obj: &Map<String, Value>) -> Option<String> {
    ["creditline", "description_creditline", "by", "byline"]
        .iter()
        .find_map(|key| text(obj, key))
        .map(str::to_owned)
        .or_else(|| text(obj, "copyrightnotice").and_then(byline_core::credit::from_copyright))
}

/// Where a text item's text is when the file does not hold it: a text rendition's `href`.
fn text_elsewhere(item: &Map<String, Value>) -> Option<String> {
    named_entries(item.get("renditions"))
        .into_iter()
        .filter(|(_, r)| {
            text(r, "contenttype")
                .or_else(|| text(r, "mimetype"))
                .is_none_or(|c| c.starts_with("text/") || c.contains("html") || c.contains("xml"))
        })
        .find_map(|(_, r)| text(r, "href").map(str::to_owned))
}

/// The `original` rendition, else the largest image rendition that has an `href`.
fn best_rendition(obj: &Map<String, Value>) -> Option<&Map<String, Value>> {
    let renditions: Vec<(String, &Map<String, Value>)> = named_entries(obj.get("renditions"))
        .into_iter()
        .filter(|(_, r)| text(r, "href").is_some())
        .collect();
    if let Some((_, original)) = renditions.iter().find(|(name, _)| name == "original") {
        return Some(original);
    }
    let is_image = |r: &Map<String, Value>| {
        text(r, "contenttype")
            .or_else(|| text(r, "mimetype"))
            .is_none_or(|c| c.starts_with("image/"))
    };
    let area = |r: &Map<String, Value>| {
        r.get("width").and_then(integer).unwrap_or(0)
            * r.get("height").and_then(integer).unwrap_or(0)
    };
    renditions
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| is_image(r))
        .max_by_key(|r| area(r))
}

mod envelope;
#[cfg(test)]
mod tests;
