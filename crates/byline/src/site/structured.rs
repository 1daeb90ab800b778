//! Schema.org descriptions of public pages, written as JSON-LD: `NewsArticle` on articles,
//! `BreadcrumbList` on articles and listings, `WebSite` on the front page.

use byline_core::{Crop, Format, Picture, Shape, Story};
use byline_render::views::{SiteView, paths};
use serde_json::{Value, json};

use crate::state::AppState;

/// A path made absolute on the site's base URL; URLs elsewhere stay as they are.
pub fn absolute(base: &str, url: &str) -> String {
    if url.starts_with('/') && !url.starts_with("//") {
        format!("{base}{url}")
    } else {
        url.to_owned()
    }
}

/// The newsroom as publisher, with its icon as logo.
fn organization(state: &AppState) -> Value {
    let icon = &state.discovery.icon;
    let mut logo = json!({
        "@type": "ImageObject",
        "url": absolute(&state.site.base_url, icon.path),
    });
    if let Some(size) = icon.size {
        logo["width"] = json!(size);
        logo["height"] = json!(size);
    }
    json!({
        "@type": "Organization",
        "name": state.site.title,
        "url": format!("{}/", state.site.base_url),
        "logo": logo,
    })
}

/// The lead photo in every crop it has (16:9, 4:3, 1:1), else whole, with its credit.
fn images(base: &str, picture: &Picture) -> Vec<Value> {
    let mut found: Vec<Value> = Crop::ALL
        .into_iter()
        .filter_map(|crop| {
            let (width, url) = picture.renditions(Shape::crop(crop), Format::Jpeg).pop()?;
            let (rw, rh) = crop.ratio();
            Some(image_object(
                picture,
                absolute(base, &url),
                Some((width, width * rh / rw)),
            ))
        })
        .collect();
    if found.is_empty() {
        let size = picture.size_in(Shape::Original);
        let (url, size) = match picture.renditions(Shape::Original, Format::Jpeg).pop() {
            Some((width, url)) => (
                url,
                size.map(|(w, h)| {
                    let height = u64::from(width) * u64::from(h) / u64::from(w.max(1));
                    (width, u32::try_from(height).unwrap_or(0))
                }),
            ),
            None => (picture.url(), size),
        };
        found.push(image_object(picture, absolute(base, &url), size));
    }
    found
}

fn image_object(picture: &Picture, url: String, size: Option<(u32, u32)>) -> Value {
    let mut image = json!({"@type": "ImageObject", "url": url, "contentUrl": url});
    if let Some((width, height)) = size.filter(|(w, h)| *w > 0 && *h > 0) {
        image["width"] = json!(width);
        image["height"] = json!(height);
    }
    if let Some(credit) = &picture.credit {
        image["creditText"] = json!(credit);
    }
    if let Some(caption) = &picture.caption {
        image["caption"] = json!(caption);
    }
    let rights = &picture.rights;
    if let Some(creator) = &rights.creator {
        image["creator"] = json!({"@type": "Person", "name": creator});
    }
    if let Some(copyright) = &rights.copyright {
        image["copyrightNotice"] = json!(copyright);
    }
    if let Some(license) = &rights.license_url {
        image["license"] = json!(license);
    }
    if let Some(licensor) = &rights.licensor_url {
        image["acquireLicensePage"] = json!(licensor);
    }
    image
}

/// A story as `NewsArticle`.
pub fn news_article(state: &AppState, site: &SiteView, story: &Story, canonical: &str) -> Value {
    let base = &site.base_url;
    let published = story.published_at.map(|t| t.to_rfc3339());
    let modified = story
        .updated_at
        .max(story.published_at.unwrap_or(story.updated_at));
    let mut authors: Vec<Value> = story
        .authors
        .iter()
        .map(|a| json!({"@type": "Person", "name": a.name, "url": absolute(base, &paths::author(&a.slug))}))
        .collect();
    if authors.is_empty()
        && let Some(byline) = story.byline.as_ref().filter(|b| !b.trim().is_empty())
    {
        authors.push(json!({"@type": "Person", "name": byline}));
    }
    let mut article = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.headline.as_str(),
        "description": story.summary,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "datePublished": published,
        "dateModified": modified.to_rfc3339(),
        "author": authors,
        "publisher": organization(state),
        "inLanguage": story.language,
        "wordCount": byline_render::word_count(story.body.as_str()),
        "isAccessibleForFree": true,
    });
    if let Some(section) = &story.section {
        article["articleSection"] = json!(section.name);
    }
    if !story.tags.is_empty() {
        article["keywords"] = json!(
            story
                .tags
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
        );
    }
    if let Some(picture) = &story.lead_picture {
        article["image"] = json!(images(base, picture));
    }
    article
}

/// The trail from the front page to this page: `(name, path)` after "Home".
pub fn breadcrumbs(site: &SiteView, trail: &[(String, String)]) -> Value {
    let home = (site.title.clone(), "/".to_owned());
    let items: Vec<Value> = std::iter::once(&home)
        .chain(trail)
        .enumerate()
        .map(|(i, (name, path))| {
            json!({
                "@type": "ListItem",
                "position": i + 1,
                "name": name,
                "item": absolute(&site.base_url, path),
            })
        })
        .collect();
    json!({
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": items,
    })
}

/// The site itself, on the front page.
pub fn website(state: &AppState, site: &SiteView) -> Value {
    json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site.title,
        "url": format!("{}/", site.base_url),
        "inLanguage": site.language,
        "publisher": organization(state),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": format!("{}/search?q={{search_term_string}}", site.base_url),
            },
            "query-input": "required name=search_term_string",
        },
    })
}
