//! A public story as an IPTC ninjs 2.2 news item, so partners and agencies get a standard back.

use byline_core::{Picture, Story};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::Site;

/// The version of ninjs written.
pub const NINJS_VERSION: &str = "2.2";

/// A ninjs 2.2 item (only the properties Byline fills).
#[derive(Debug, Serialize, ToSchema)]
pub struct NinjsItem {
    pub uri: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub representationtype: &'static str,
    /// The story's revision, as ninjs versions are strings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firstcreated: Option<String>,
    pub versioncreated: String,
    pub pubstatus: &'static str,
    pub language: String,
    pub headlines: Vec<NinjsText>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub descriptions: Vec<NinjsText>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bodies: Vec<NinjsText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<NinjsName>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<NinjsName>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub genres: Vec<NinjsName>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub associations: Vec<NinjsPicture>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub renditions: Vec<NinjsRendition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ednote: Option<String>,
    pub standard: NinjsStandard,
}

/// A headline, description or body.
#[derive(Debug, Serialize, ToSchema)]
pub struct NinjsText {
    pub role: &'static str,
    pub contenttype: &'static str,
    pub value: String,
}

/// A person or subject, by name and address.
#[derive(Debug, Serialize, ToSchema)]
pub struct NinjsName {
    pub name: String,
    pub rel: &'static str,
    pub uri: String,
}

/// The lead picture, as an associated item.
#[derive(Debug, Serialize, ToSchema)]
pub struct NinjsPicture {
    pub name: &'static str,
    pub uri: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub descriptions: Vec<NinjsText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copyrightnotice: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub renditions: Vec<NinjsRendition>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NinjsRendition {
    pub name: &'static str,
    pub href: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contenttype: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NinjsStandard {
    pub name: &'static str,
    pub version: &'static str,
    pub schema: &'static str,
}

fn text(role: &'static str, contenttype: &'static str, value: String) -> NinjsText {
    NinjsText {
        role,
        contenttype,
        value,
    }
}

impl NinjsItem {
    pub fn of(story: &Story, site: Site<'_>) -> NinjsItem {
        let mut descriptions = Vec::new();
        if let Some(standfirst) = &story.standfirst {
            descriptions.push(text("summary", "text/plain", standfirst.clone()));
        }
        let ednote = (!story.corrections.is_empty()).then(|| {
            let notes: Vec<String> = story
                .corrections
                .iter()
                .map(|c| format!("Correction {}: {}", c.created_at.format("%Y-%m-%d"), c.note))
                .collect();
            notes.join("\n")
        });
        NinjsItem {
            uri: site.story_uri(story.id),
            kind: "text",
            representationtype: "full",
            version: None,
            firstcreated: story.published_at.map(|t| t.to_rfc3339()),
            versioncreated: story.updated_at.to_rfc3339(),
            pubstatus: "usable",
            language: story.language.clone(),
            headlines: vec![text(
                "main",
                "text/plain",
                story.headline.as_str().to_owned(),
            )],
            descriptions,
            bodies: vec![text("main", "text/html", story.body.as_str().to_owned())],
            by: story.byline.clone().or_else(|| {
                let names: Vec<&str> = story.authors.iter().map(|a| a.name.as_str()).collect();
                (!names.is_empty()).then(|| names.join(", "))
            }),
            people: names(
                &story.authors,
                "author",
                |a| (&a.name, format!("/author/{}", a.slug)),
                site,
            ),
            subjects: names(
                &story.tags,
                "about",
                |t| (&t.name, format!("/tag/{}", t.slug)),
                site,
            ),
            genres: names(
                story.section.as_slice(),
                "section",
                |s| (&s.name, format!("/section/{}", s.slug)),
                site,
            ),
            associations: story
                .lead_picture
                .iter()
                .map(|p| picture(p, site))
                .collect(),
            renditions: vec![NinjsRendition {
                name: "web",
                href: site.story_url(story.kind, &story.slug),
                contenttype: Some("text/html".into()),
                width: None,
                height: None,
            }],
            ednote,
            standard: NinjsStandard {
                name: "ninjs",
                version: NINJS_VERSION,
                schema: "https://www.iptc.org/std/ninjs/ninjs-schema_2.2.json",
            },
        }
    }
}

/// People, subjects or genres: each a name, its relation and its page on the site.
fn names<T>(
    items: &[T],
    rel: &'static str,
    of: impl Fn(&T) -> (&String, String),
    site: Site<'_>,
) -> Vec<NinjsName> {
    items
        .iter()
        .map(|item| {
            let (name, path) = of(item);
            NinjsName {
                name: name.clone(),
                rel,
                uri: site.absolute(&path),
            }
        })
        .collect()
}

fn picture(picture: &Picture, site: Site<'_>) -> NinjsPicture {
    let href = site.absolute(&picture.url());
    let mut descriptions = Vec::new();
    if let Some(caption) = &picture.caption {
        descriptions.push(text("caption", "text/plain", caption.clone()));
    }
    if let Some(alt) = &picture.alt {
        descriptions.push(text("alternative", "text/plain", alt.clone()));
    }
    NinjsPicture {
        name: "featureimage",
        uri: href.clone(),
        kind: "picture",
        descriptions,
        copyrightnotice: picture.credit.clone(),
        by: picture.credit.clone(),
        renditions: vec![NinjsRendition {
            name: "original",
            href,
            contenttype: picture.content_type.clone(),
            width: picture.width,
            height: picture.height,
        }],
    }
}
