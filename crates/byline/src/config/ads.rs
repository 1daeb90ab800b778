//! `[ads]`: the label, the placements with their sizes per breakpoint, the origins ad tags
//! load from, and `ads.txt`.

use serde::Deserialize;

use super::discovery;

/// Room left beside a creative when its breakpoint is not given: a size is used from a
/// viewport this much wider than the creative (the page's side padding).
const DEFAULT_BREAKPOINT_MARGIN: u32 = 32;
/// The largest creative side and breakpoint accepted, in CSS pixels.
const LARGEST_PIXELS: u32 = 4_000;
/// The paragraph an in-article placement follows when none is given.
const DEFAULT_AFTER_PARAGRAPH: u32 = 3;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdsConfig {
    /// The label shown above every ad. Default: "- Advertisement -".
    #[serde(default = "default_ad_label")]
    pub label: String,
    /// Above the article body.
    #[serde(default, deserialize_with = "outside_the_body")]
    pub article_top: Option<Placement>,
    /// Below the article body.
    #[serde(default, deserialize_with = "outside_the_body")]
    pub article_bottom: Option<Placement>,
    /// In the article's sidebar on wide screens (after the rails on narrow ones).
    #[serde(default, deserialize_with = "outside_the_body")]
    pub sidebar: Option<Placement>,
    /// Inside the article body, after paragraph `after_paragraph`.
    pub in_article: Option<Placement>,
    /// The origins the ad tags load scripts, frames and pictures from
    /// (`["https://ads.example"]`). Given, public pages carry a Content-Security-Policy built
    /// from them (an empty list allows no third party); absent (the default), none, since ad
    /// tags are the operator's own HTML.
    #[serde(default, deserialize_with = "origins")]
    pub script_origins: Option<Vec<String>>,
    /// The lines of `/ads.txt` (IAB ads.txt 1.1); without it there is no `/ads.txt`.
    #[serde(default, deserialize_with = "discovery::ads_txt")]
    pub ads_txt: Option<String>,
}

impl Default for AdsConfig {
    fn default() -> AdsConfig {
        AdsConfig {
            label: default_ad_label(),
            article_top: None,
            article_bottom: None,
            sidebar: None,
            in_article: None,
            script_origins: None,
            ads_txt: None,
        }
    }
}

/// One placement: operator-owned HTML (an ad tag or a house ad), emitted as written, in a
/// box that reserves the size of the creative the current screen gets.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "PlacementToml")]
pub struct Placement {
    pub html: String,
    /// Overrides `[ads] label` for this placement.
    pub label: Option<String>,
    /// The sizes reserved, for the widest screens first; the last one has no breakpoint.
    pub sizes: Vec<AdSize>,
    /// For `in_article`: the top-level paragraph of the body the slot follows (given, or
    /// [`Placement::after_paragraph`]'s default).
    pub after_paragraph: Option<u32>,
}

/// A creative's size and the narrowest viewport (CSS pixels) it is used from; 0 for the
/// size every narrower screen gets. A side left out is not reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdSize {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub from_viewport: u32,
}

/// A placement as written: one size (`width`, `height`) or several (`sizes = [[728, 90],
/// [320, 50]]`, widest screens first, with `breakpoints = [760]` giving the narrowest
/// viewport each size but the last is used from).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacementToml {
    html: String,
    width: Option<u32>,
    height: Option<u32>,
    sizes: Option<Vec<[u32; 2]>>,
    breakpoints: Option<Vec<u32>>,
    label: Option<String>,
    after_paragraph: Option<u32>,
}

impl TryFrom<PlacementToml> for Placement {
    type Error = String;

    fn try_from(raw: PlacementToml) -> Result<Placement, String> {
        let sizes = match (raw.sizes, raw.width.or(raw.height)) {
            (Some(_), Some(_)) => {
                return Err("give either `width`/`height` or `sizes`, not both".into());
            }
            (Some(sizes), None) => sized(&sizes, raw.breakpoints)?,
            (None, _) if raw.breakpoints.is_some() => {
                return Err("`breakpoints` choose between `sizes`; give `sizes` too".into());
            }
            (None, _) => {
                for (name, side) in [("width", raw.width), ("height", raw.height)] {
                    check_pixels(name, side.unwrap_or(1))?;
                }
                vec![AdSize {
                    width: raw.width,
                    height: raw.height,
                    from_viewport: 0,
                }]
            }
        };
        if raw.after_paragraph == Some(0) {
            return Err("after_paragraph: paragraphs are counted from 1".into());
        }
        Ok(Placement {
            html: raw.html,
            label: raw.label,
            sizes,
            after_paragraph: raw.after_paragraph,
        })
    }
}

impl Placement {
    /// The paragraph an in-article slot follows.
    pub fn after_paragraph(&self) -> u32 {
        self.after_paragraph.unwrap_or(DEFAULT_AFTER_PARAGRAPH)
    }
}

/// A placement that is not in the body, refused when it says where in the body it goes.
fn outside_the_body<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Placement>, D::Error> {
    let placement = Placement::deserialize(d)?;
    if placement.after_paragraph.is_some() {
        return Err(serde::de::Error::custom(
            "after_paragraph: only [ads.in_article] goes between the body's paragraphs",
        ));
    }
    Ok(Some(placement))
}

/// The sizes with their breakpoints, checked: every size but the last has one, and they
/// narrow from first to last.
fn sized(sizes: &[[u32; 2]], breakpoints: Option<Vec<u32>>) -> Result<Vec<AdSize>, String> {
    if sizes.is_empty() {
        return Err("sizes: give at least one [width, height]".into());
    }
    for [width, height] in sizes {
        check_pixels("sizes: a width", *width)?;
        check_pixels("sizes: a height", *height)?;
    }
    for pair in sizes.windows(2) {
        if pair[1][0] > pair[0][0] {
            return Err(format!(
                "sizes: [{}, {}] after [{}, {}]: list them widest first, for the widest screens",
                pair[1][0], pair[1][1], pair[0][0], pair[0][1]
            ));
        }
    }
    let breakpoints = match breakpoints {
        Some(given) => given,
        None => sizes[..sizes.len() - 1]
            .iter()
            .map(|[width, _]| width + DEFAULT_BREAKPOINT_MARGIN)
            .collect(),
    };
    if breakpoints.len() != sizes.len() - 1 {
        return Err(format!(
            "breakpoints: {} sizes need {} breakpoints (every size but the last), not {}",
            sizes.len(),
            sizes.len() - 1,
            breakpoints.len()
        ));
    }
    for (i, pair) in breakpoints.windows(2).enumerate() {
        if pair[1] >= pair[0] {
            return Err(format!(
                "breakpoints: {} after {} (number {}): they must narrow, widest screens first",
                pair[1],
                pair[0],
                i + 2
            ));
        }
    }
    for (breakpoint, [width, _]) in breakpoints.iter().zip(sizes) {
        check_pixels("breakpoints: a breakpoint", *breakpoint)?;
        if breakpoint < width {
            return Err(format!(
                "breakpoints: {breakpoint} px is narrower than the {width} px creative it \
                 chooses, which would be cut; give at least {width}"
            ));
        }
    }
    Ok(sizes
        .iter()
        .enumerate()
        .map(|(i, [width, height])| AdSize {
            width: Some(*width),
            height: Some(*height),
            from_viewport: breakpoints.get(i).copied().unwrap_or(0),
        })
        .collect())
}

fn check_pixels(name: &str, value: u32) -> Result<(), String> {
    if value == 0 || value > LARGEST_PIXELS {
        return Err(format!(
            "{name} of {value} px: give 1 to {LARGEST_PIXELS} CSS pixels"
        ));
    }
    Ok(())
}

/// Origins as `https://host[:port]`: anything else could widen a policy past what was meant.
fn origins<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let list = Vec::<String>::deserialize(d)?;
    for origin in &list {
        let host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        let fine = host.is_some_and(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'*'))
        });
        if !fine {
            return Err(serde::de::Error::custom(format!(
                "script_origins: {origin:?} is not an origin such as \"https://ads.example\""
            )));
        }
    }
    Ok(Some(list))
}

fn default_ad_label() -> String {
    "- Advertisement -".into()
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    use super::*;

    fn sizes(toml: &str) -> Result<Vec<AdSize>, String> {
        Config::parse(toml)
            .map(|c| c.ads.article_top.unwrap().sizes)
            .map_err(|(line, _, message)| format!("line {line}: {message}"))
    }

    fn size(width: u32, height: u32, from_viewport: u32) -> AdSize {
        AdSize {
            width: Some(width),
            height: Some(height),
            from_viewport,
        }
    }

    #[test]
    fn sizes_per_breakpoint_widest_first() {
        assert_eq!(
            sizes("[ads.article_top]\nhtml = ''\nsizes = [[728, 90], [320, 50]]\n").unwrap(),
            [size(728, 90, 760), size(320, 50, 0)]
        );
        assert_eq!(
            sizes(
                "[ads.article_top]\nhtml = ''\nsizes = [[970, 250], [728, 90], [300, 250]]\nbreakpoints = [1200, 800]\n"
            )
            .unwrap(),
            [size(970, 250, 1200), size(728, 90, 800), size(300, 250, 0)]
        );
        let one = sizes("[ads.article_top]\nhtml = ''\nheight = 250\n").unwrap();
        assert_eq!(
            one,
            [AdSize {
                width: None,
                height: Some(250),
                from_viewport: 0
            }]
        );
    }

    #[test]
    fn wrong_sizes_are_named() {
        for (toml, expected) in [
            ("sizes = [[728, 90]]\nwidth = 728", "not both"),
            ("sizes = []", "at least one"),
            ("sizes = [[728, 0]]", "a height of 0 px"),
            (
                "sizes = [[728, 90], [320, 50]]\nbreakpoints = [760, 400]",
                "need 1 breakpoints",
            ),
            (
                "sizes = [[728, 90], [468, 60], [320, 50]]\nbreakpoints = [900, 1000]",
                "must narrow",
            ),
            ("sizes = [[320, 50], [728, 90]]", "widest first"),
            (
                "sizes = [[728, 90], [320, 50]]\nbreakpoints = [600]",
                "would be cut",
            ),
            ("breakpoints = [760]", "give `sizes` too"),
            ("width = 100000", "width of 100000 px"),
            ("after_paragraph = 0", "counted from 1"),
            ("after_paragraph = 2", "only [ads.in_article]"),
            ("size = [1, 2]", "unknown field `size`"),
        ] {
            let error = sizes(&format!("[ads.article_top]\nhtml = ''\n{toml}\n")).unwrap_err();
            assert!(error.contains(expected), "{toml}: {error}");
            assert!(
                error.starts_with("line 1:") || error.starts_with("line 3:"),
                "{error}"
            );
        }
    }
}
