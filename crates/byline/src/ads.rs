//! Advertisement placements: configured slots become labelled boxes of reserved size.

use byline_render::views::{AdSlot, ArticleAds};

use crate::config::{AdsConfig, Placement};

/// The article page's slots from the `[ads]` table; unconfigured ones stay `None`.
pub fn article_ads(config: &AdsConfig) -> ArticleAds {
    let slot = |name: &str, placement: &Option<Placement>| {
        placement.as_ref().map(|p| AdSlot {
            placement: name.to_owned(),
            label: p.label.clone().unwrap_or_else(|| config.label.clone()),
            html: p.html.clone(),
            width: p.width,
            height: p.height,
        })
    };
    ArticleAds {
        article_top: slot("article_top", &config.article_top),
        article_bottom: slot("article_bottom", &config.article_bottom),
    }
}
