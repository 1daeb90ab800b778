//! One Ghost post as a story: its status (what readers may see of it), feature image, body
//! (converted, with what it lost or holds for members only named) and the rest of its fields.

use byline_core::{Headline, RawBody, Seo};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::cards::{self, Converted};
use super::{CONTENT_IMAGES, Site, id_of, lexical, mobiledoc};
use crate::ninjs::{PubStatus, RenditionHref, WirePicture, WireStory};
use crate::values::{text, time};

/// A time as Ghost writes it: ISO 8601, or milliseconds since 1970 (0.x).
fn when(value: Option<&Value>) -> Option<DateTime<Utc>> {
    match value? {
        Value::String(s) => time(s),
        Value::Number(n) => DateTime::from_timestamp_millis(n.as_i64()?),
        _ => None,
    }
}

/// The body's HTML (with the cards left out): `html`, else converted from `lexical`,
/// `mobiledoc` or `markdown`.
fn body_html(post: &Map<String, Value>) -> Result<Option<Converted>, String> {
    if let Some(html) = text(post, "html") {
        let mut converted = Converted {
            html: cards::embeds_as_links(html),
            dropped: Vec::new(),
        };
        // Ghost 5 marks parts of a public post's HTML as for members only.
        if html.contains(GATED_BLOCK) {
            converted
                .dropped
                .push(format!("gated blocks ({})", cards::FOR_MEMBERS));
        }
        return Ok(Some(converted));
    }
    // Ghost stores both editors' documents as JSON in a string (an object in some tools' files).
    let document = |key: &str| -> Result<Option<Value>, String> {
        match post.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => serde_json::from_str(s)
                .map(Some)
                .map_err(|e| format!("its {key} is not JSON: {e}")),
            Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
            _ => Ok(None),
        }
    };
    if let Some(doc) = document("lexical")? {
        return lexical::to_html(&doc)
            .map(Some)
            .map_err(|e| format!("its lexical: {e}"));
    }
    if let Some(doc) = document("mobiledoc")? {
        return mobiledoc::to_html(&doc)
            .map(Some)
            .map_err(|e| format!("its mobiledoc: {e}"));
    }
    Ok(text(post, "markdown").map(|m| Converted {
        html: cards::markdown(m),
        dropped: Vec::new(),
    }))
}

/// How Ghost 5 opens a part of a post's HTML shown only to some readers.
const GATED_BLOCK: &str = "<!--kg-gated-block:begin";

/// Ghost's placeholder for its own address in stored URLs.
const GHOST_URL: &str = "__GHOST_URL__";

/// Names joined as a byline reads: `A`, `A and B`, `A, B and C`.
fn byline_of(names: &[&str]) -> Option<String> {
    match names {
        [] => None,
        [one] => Some((*one).to_owned()),
        [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
    }
}

/// What readers may see of a post: its wire status and, for a scheduled post, when.
fn status_of(
    post: &Map<String, Value>,
    published: Option<DateTime<Utc>>,
    warnings: &mut Vec<String>,
) -> (PubStatus, Option<DateTime<Utc>>) {
    let visibility = text(post, "visibility").unwrap_or("public");
    match text(post, "status").unwrap_or("draft") {
        "published" if visibility == "public" => (PubStatus::Usable, None),
        "scheduled" if visibility == "public" && published.is_some() => {
            (PubStatus::Usable, published)
        }
        "scheduled" if visibility == "public" => {
            warnings.push("scheduled in Ghost with no time: imported as a draft".into());
            (PubStatus::Draft, None)
        }
        "published" | "scheduled" => {
            warnings.push(format!(
                "for {visibility} readers only in Ghost: imported as a draft (Byline has no paywall)"
            ));
            (PubStatus::Draft, None)
        }
        "sent" => {
            warnings.push("sent by email only in Ghost: imported as a draft".into());
            (PubStatus::Draft, None)
        }
        _ => (PubStatus::Draft, None),
    }
}

/// The feature image with its caption and alt text (from `posts_meta` first).
fn picture_of(
    post: &Map<String, Value>,
    site: &Site<'_>,
    field: impl Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> Option<WirePicture> {
    let url = text(post, "feature_image").or_else(|| text(post, "image"))?;
    match site.picture_href(url) {
        Ok(href) => Some(WirePicture {
            href,
            credit: None,
            // Ghost keeps the caption as HTML (a credit's link); the story's is text.
            caption: field("feature_image_caption").map(|c| cards::plain(&c)),
            alt: field("feature_image_alt").map(|a| cards::plain(&a)),
            width: None,
            height: None,
            content_type: None,
        }),
        Err(why) => {
            warnings.push(why);
            None
        }
    }
}

/// The body as the story keeps it, with the pictures it shows from Ghost's uploads (each
/// `src` as the body has it, and where the file is). Parts for members only make the post a
/// draft; cards left out, and uploads when no `--content` folder was given, are named in
/// `warnings`.
fn body_of(
    post: &Map<String, Value>,
    site: &Site<'_>,
    headline: &Headline,
    (status, warnings): (&mut PubStatus, &mut Vec<String>),
) -> Result<(RawBody, Vec<(String, RenditionHref)>), String> {
    let Some(converted) = body_html(post)? else {
        return Ok((RawBody::Empty, Vec::new()));
    };
    let members_only = format!("({})", cards::FOR_MEMBERS);
    let (gated, dropped): (Vec<&String>, Vec<&String>) = converted
        .dropped
        .iter()
        .partition(|d| d.ends_with(&members_only));
    if !gated.is_empty() && *status == PubStatus::Usable {
        warnings.push(
            "parts of it are for members only in Ghost: imported as a draft (Byline has no paywall)"
                .into(),
        );
        *status = PubStatus::Draft;
    }
    if !dropped.is_empty() {
        let names: Vec<&str> = dropped.iter().map(|d| d.as_str()).collect();
        warnings.push(format!("cards left out: {}", names.join(", ")));
    }
    let html = converted.html.replace(GHOST_URL, "");
    let lead: Vec<String> = text(post, "feature_image")
        .map(str::to_owned)
        .into_iter()
        .collect();
    let html = crate::html::article_body(&html, headline.as_str(), &lead, None);
    let uploads = uploads_in(&html);
    if !uploads.is_empty() && site.images.is_none() {
        warnings.push(format!(
            "its body shows {} of Ghost's uploads (/content/images/…), which stay where they are: give Ghost's content/images folder with --content to copy them",
            uploads.len()
        ));
    }
    let pictures = match site.images {
        Some(_) => uploads
            .into_iter()
            .filter_map(|src| Some((src.to_owned(), site.picture_href(src).ok()?)))
            .collect(),
        None => Vec::new(),
    };
    Ok((RawBody::Html(html), pictures))
}

/// The distinct `src` values of a body's pictures that are Ghost's uploads.
fn uploads_in(html: &str) -> Vec<&str> {
    let mut found: Vec<&str> = Vec::new();
    for part in html.split("src=\"").skip(1) {
        let src = part.split('"').next().unwrap_or_default();
        if src.contains(CONTENT_IMAGES) && !found.contains(&src) {
            found.push(src);
        }
    }
    found
}

/// The story of one post, or why it cannot be one.
pub(super) fn story(post: &Map<String, Value>, site: &Site<'_>) -> Result<WireStory, String> {
    let post_id = id_of(post.get("id")).ok_or("it has no id")?;
    let title = text(post, "title").ok_or("it has no title")?;
    let headline = Headline::parse(title).map_err(|e| format!("its title: {e}"))?;
    let mut warnings = Vec::new();
    let meta = site.post_meta.get(&post_id).copied();
    let field = |key: &str| {
        meta.and_then(|m| text(m, key))
            .or_else(|| text(post, key))
            .map(str::to_owned)
    };
    let slug = text(post, "slug").map(str::to_owned);
    let published = when(post.get("published_at"));
    let (mut pub_status, embargoed) = status_of(post, published, &mut warnings);
    let tags = site.tags_of(&post_id);
    let mut names = tags.iter().filter_map(|t| text(t, "name"));
    let section = names.next().map(str::to_owned);
    let subjects: Vec<String> = names.map(str::to_owned).collect();
    let authors = site.authors_of(post, &post_id);
    let author_names: Vec<&str> = authors.iter().filter_map(|a| text(a, "name")).collect();
    let picture = picture_of(post, site, field, &mut warnings);
    let (body, body_pictures) = body_of(post, site, &headline, (&mut pub_status, &mut warnings))?;
    Ok(WireStory {
        external_id: format!("ghost:{}", id_of(post.get("uuid")).unwrap_or(post_id)),
        version: None,
        standfirst: text(post, "custom_excerpt").map(str::to_owned),
        body,
        byline: byline_of(&author_names),
        language: text(post, "locale")
            .or_else(|| text(post, "language"))
            .map(|l| l.replace('_', "-"))
            .or_else(|| site.language.clone()),
        first_created: published.or_else(|| when(post.get("created_at"))),
        version_created: when(post.get("updated_at")).or(published),
        embargoed,
        pub_status,
        former_ids: Vec::new(),
        section,
        section_above: Vec::new(),
        seo: Seo::new(
            field("meta_title").as_deref(),
            field("meta_description").as_deref(),
        ),
        subjects,
        picture,
        old_addresses: slug.iter().map(|s| format!("/{s}/")).collect(),
        slug,
        sticky: matches!(post.get("featured"), Some(Value::Bool(true)))
            || post.get("featured").and_then(Value::as_i64) == Some(1),
        warnings,
        headline,
        // Ghost's pages have no hierarchy: each is at the top, in the file's order.
        page: super::is_page(post).then(byline_core::pages::ImportedPage::default),
        body_pictures,
    })
}
