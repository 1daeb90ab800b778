//! `[feeds]` and `[seo]`, and the checks of `[ads] ads_txt` and `[seo] robots_extra`: what
//! machines read to find the site's stories.

use serde::{Deserialize, Deserializer};

/// `[feeds]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedsConfig {
    /// Entries carry the whole story, not only its summary. Default: false.
    #[serde(default)]
    pub full_content: bool,
    /// Stories in each feed, newest first (1 to 500). Default: 50.
    #[serde(default = "default_items", deserialize_with = "feed_items")]
    pub items: u32,
}

impl Default for FeedsConfig {
    fn default() -> FeedsConfig {
        FeedsConfig {
            full_content: false,
            items: default_items(),
        }
    }
}

fn default_items() -> u32 {
    50
}

fn feed_items<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let items = u32::deserialize(d)?;
    if !(1..=500).contains(&items) {
        return Err(serde::de::Error::custom(format!(
            "items: {items} is not between 1 and 500"
        )));
    }
    Ok(items)
}

/// `[seo]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeoConfig {
    /// Lines added to `/robots.txt` before the sitemaps (`"User-agent: GPTBot\nDisallow: /"`).
    #[serde(default, deserialize_with = "robots_lines")]
    pub robots_extra: Option<String>,
    /// URLs told when a story is published or corrected: a WebSub hub (sent
    /// `hub.mode=publish` with each changed feed) or any endpoint taking the same form. Off
    /// (empty) by default.
    #[serde(default, deserialize_with = "ping_urls")]
    pub ping_urls: Vec<String>,
}

/// Robots rules as `Field: value` lines, comments or blank lines; anything else would be read
/// by crawlers as garbage or, worse, as a rule that was not meant.
fn robots_lines<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?.replace("\r\n", "\n");
    if text.contains('\r') {
        return Err(serde::de::Error::custom(
            "robots_extra: a carriage return alone would start a line crawlers read and this check did not",
        ));
    }
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        let fine = line.is_empty()
            || line.starts_with('#')
            || line.split_once(':').is_some_and(|(field, _)| {
                !field.is_empty()
                    && field
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !fine {
            return Err(serde::de::Error::custom(format!(
                "robots_extra line {}: {line:?} is not a `Field: value` rule",
                n + 1
            )));
        }
    }
    Ok(Some(text.trim_end().to_owned()))
}

fn ping_urls<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let urls = Vec::<String>::deserialize(d)?;
    for url in &urls {
        let parsed = reqwest::Url::parse(url).ok();
        if !parsed
            .as_ref()
            .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        {
            return Err(serde::de::Error::custom(format!(
                "ping_urls: {url:?} is not an http(s) URL"
            )));
        }
        if parsed.is_some_and(|u| !u.username().is_empty() || u.password().is_some()) {
            return Err(serde::de::Error::custom(
                "ping_urls: a URL with a user name or password is not sent; put a key in the path or query",
            ));
        }
    }
    Ok(urls)
}

/// `[ads] ads_txt`: the lines of `/ads.txt` as the IAB's ads.txt 1.1 defines them: records
/// `domain, account id, DIRECT|RESELLER[, certification id]`, variables `name=value`,
/// comments and blank lines.
pub fn ads_txt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?.replace("\r\n", "\n");
    if text.contains('\r') {
        return Err(serde::de::Error::custom(
            "ads_txt: a carriage return alone would start a line buyers read and this check did not",
        ));
    }
    for (n, line) in text.lines().enumerate() {
        let record = line.split('#').next().unwrap_or_default().trim();
        if record.is_empty() {
            continue;
        }
        if let Some((name, _)) = record.split_once('=')
            && !name.trim().is_empty()
            && name.trim().bytes().all(|b| b.is_ascii_alphabetic())
        {
            continue;
        }
        let fields: Vec<&str> = record.split(',').map(str::trim).collect();
        let relation = fields.get(2).map(|r| r.to_ascii_uppercase());
        let fine = (3..=4).contains(&fields.len())
            && !fields[0].is_empty()
            && !fields[1].is_empty()
            && matches!(relation.as_deref(), Some("DIRECT" | "RESELLER"));
        if !fine {
            return Err(serde::de::Error::custom(format!(
                "ads_txt line {}: {line:?} is not `domain, account id, DIRECT|RESELLER[, certification id]`",
                n + 1
            )));
        }
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn feeds_seo_and_ads_txt_are_checked() {
        let config = Config::parse(
            "[feeds]\nfull_content = true\nitems = 20\n[seo]\nrobots_extra = \"User-agent: GPTBot\\nDisallow: /\"\nping_urls = [\"https://hub.example/\"]\n[ads]\nads_txt = \"google.com, pub-1, DIRECT, f08c47fec0942fa0\\ncontact=ads@news.example\\n# ok\"\n",
        )
        .unwrap();
        assert!(config.feeds.full_content);
        assert_eq!(config.feeds.items, 20);
        assert_eq!(config.seo.ping_urls.len(), 1);
        assert!(config.ads.ads_txt.unwrap().contains("pub-1"));
        for bad in [
            "[feeds]\nitems = 0",
            "[seo]\nrobots_extra = \"<html>\"",
            "[seo]\nping_urls = [\"ftp://x\"]",
            "[seo]\nping_urls = [\"https://user:pass@hub.example/\"]",
            "[ads]\nads_txt = \"google.com pub-1 DIRECT\"",
            "[ads]\nads_txt = \"google.com, pub-1, SOMETIMES\"",
            "[ads]\nads_txt = \"=x\"",
            "[ads]\nads_txt = \"a.com, 1, DIRECT\\rb.com, 2, DIRECT, x, y\"",
            "[seo]\nrobots_extra = \"Allow: /\\rSitemap: https://evil.example/\"",
        ] {
            let error = Config::parse(bad).unwrap_err();
            assert!(!error.2.is_empty(), "{bad}");
        }
        let error = Config::parse("[ads]\nads_txt = \"a.com, 1, DIRECT\\nnonsense\"").unwrap_err();
        assert!(error.2.contains("line 2"), "{}", error.2);
    }
}
