//! Advertisement placements: configured slots become labelled boxes, each with a name of its
//! own for assistive technology, and the stylesheet rules that reserve each box's size at
//! each breakpoint (so a fixed-size creative shifts nothing and is never cut).

use std::fmt::Write;

use byline_render::views::{AdSlot, ArticleAds};

use crate::config::{AdsConfig, Placement};

/// Each placement's name, and the accessible name of its slot: landmarks of one kind need
/// names of their own (axe `landmark-unique`), while the visible label stays the same.
const PLACEMENTS: [(&str, &str); 4] = [
    ("article_top", "Advertisement before the story"),
    ("article_bottom", "Advertisement after the story"),
    ("sidebar", "Advertisement beside the story"),
    ("in_article", "Advertisement within the story"),
];

fn placement<'a>(config: &'a AdsConfig, name: &str) -> Option<&'a Placement> {
    match name {
        "article_top" => config.article_top.as_ref(),
        "article_bottom" => config.article_bottom.as_ref(),
        "sidebar" => config.sidebar.as_ref(),
        "in_article" => config.in_article.as_ref(),
        _ => None,
    }
}

/// The article page's slots from the `[ads]` table; unconfigured ones stay `None`.
pub fn article_ads(config: &AdsConfig) -> ArticleAds {
    let slot = |name: &str| {
        let (_, accessible) = PLACEMENTS.iter().find(|(p, _)| *p == name)?;
        placement(config, name).map(|p| AdSlot {
            placement: name.to_owned(),
            label: p.label.clone().unwrap_or_else(|| config.label.clone()),
            name: (*accessible).to_owned(),
            html: p.html.clone(),
            width: p.sizes.last().and_then(|s| s.width),
            height: p.sizes.last().and_then(|s| s.height),
        })
    };
    ArticleAds {
        article_top: slot("article_top"),
        article_bottom: slot("article_bottom"),
        sidebar: slot("sidebar"),
        in_article: slot("in_article"),
        in_article_after: config
            .in_article
            .as_ref()
            .map_or(0, |p| p.after_paragraph() as usize),
    }
}

/// The rules that reserve each configured slot's size: the narrowest screens' size first,
/// then one `@media (min-width: …)` rule per wider breakpoint, so the widest that fits wins.
/// Appended to the theme's stylesheet.
pub fn stylesheet(config: &AdsConfig) -> String {
    let mut css = String::new();
    for (name, _) in PLACEMENTS {
        let Some(placement) = placement(config, name) else {
            continue;
        };
        for size in placement.sizes.iter().rev() {
            let mut rule = String::new();
            if let Some(width) = size.width {
                let _ = write!(rule, "width:{width}px;max-width:100%;");
            }
            if let Some(height) = size.height {
                let _ = write!(rule, "min-height:{height}px;");
            }
            if rule.is_empty() {
                continue;
            }
            let selector = format!(".ad-{name} .ad-box{{{rule}}}");
            if size.from_viewport == 0 {
                let _ = writeln!(css, "{selector}");
            } else {
                let _ = writeln!(
                    css,
                    "@media (min-width:{}px){{{selector}}}",
                    size.from_viewport
                );
            }
        }
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn each_slot_has_its_own_name_and_its_sizes_per_breakpoint() {
        let config = Config::parse(
            "[ads.article_top]\nhtml = 'a'\nsizes = [[728, 90], [320, 50]]\n[ads.sidebar]\nhtml = 's'\nwidth = 300\nheight = 600\n[ads.in_article]\nhtml = 'i'\nheight = 250\nafter_paragraph = 2\n",
        )
        .unwrap();
        let ads = article_ads(&config.ads);
        let names: Vec<String> = [&ads.article_top, &ads.sidebar, &ads.in_article]
            .iter()
            .map(|s| s.as_ref().unwrap().name.clone())
            .collect();
        assert_eq!(names.len(), 3);
        assert!(names.iter().all(|n| n.starts_with("Advertisement ")));
        assert!(names[0] != names[1] && names[1] != names[2] && names[0] != names[2]);
        assert!(ads.article_bottom.is_none());
        assert_eq!(
            stylesheet(&config.ads),
            ".ad-article_top .ad-box{width:320px;max-width:100%;min-height:50px;}\n\
             @media (min-width:760px){.ad-article_top .ad-box{width:728px;max-width:100%;min-height:90px;}}\n\
             .ad-sidebar .ad-box{width:300px;max-width:100%;min-height:600px;}\n\
             .ad-in_article .ad-box{min-height:250px;}\n"
        );
    }
}
