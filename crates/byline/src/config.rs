//! Typed settings from `DATA/byline.toml` (or `--config FILE`); unknown keys are refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use byline_media::metadata::credit::CreditPattern;
use serde::Deserialize;

mod ads;
mod discovery;
mod newsletter;
mod search;
mod server;
mod views;
pub use ads::{AdSize, AdsConfig, Placement};
pub use discovery::{FeedsConfig, SeoConfig};
pub use newsletter::{DigestConfig, MailConfig, MailTls, NewsletterConfig};
pub use search::SearchConfig;
pub use server::{ForwardedHeader, Network, ServerConfig};
pub use views::ViewsConfig;

/// The whole configuration file. Every table and key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the store lives when it is not `byline.db` in the data folder: a PostgreSQL URL
    /// (`--database-url` and `BYLINE_DATABASE_URL` override it).
    #[serde(default)]
    pub database_url: Option<String>,
    /// `[site]`: what the site is called and where it lives.
    #[serde(default)]
    pub site: SiteConfig,
    /// `[ads]`: advertisement placements; a placement that is not configured renders nothing.
    #[serde(default)]
    pub ads: AdsConfig,
    /// `[theme]`: where a theme folder overriding the default theme lives.
    #[serde(default)]
    pub theme: ThemeConfig,
    /// `[newsletter]`: limits of the sign-up box.
    #[serde(default)]
    pub newsletter: NewsletterConfig,
    /// `[admin]`: how long newsroom sessions last.
    #[serde(default)]
    pub admin: AdminConfig,
    /// `[cache]`: the page cache.
    #[serde(default)]
    pub cache: CacheConfig,
    /// `[metrics]`: where Prometheus reads `/metrics`.
    #[serde(default)]
    pub metrics: MetricsConfig,
    /// `[media]`: where pictures are kept.
    #[serde(default)]
    pub media: MediaConfig,
    /// `[photos]`: the photo desk's rules.
    #[serde(default)]
    pub photos: PhotosConfig,
    /// `[mail]`: the SMTP server newsletter mail goes through. Without it, sign-ups are kept
    /// but no mail is sent.
    #[serde(default)]
    pub mail: Option<MailConfig>,
    /// `[server]`: the reverse proxies in front.
    #[serde(default)]
    pub server: ServerConfig,
    /// `[api]`: who may read the Content API, and how often callers may ask.
    #[serde(default)]
    pub api: ApiConfig,
    /// `[feeds]`: what the RSS, Atom and JSON feeds carry.
    #[serde(default)]
    pub feeds: FeedsConfig,
    /// `[seo]`: extra robots rules and who is told of new stories.
    #[serde(default)]
    pub seo: SeoConfig,
    /// `[search]`: how search ranks what it finds (see docs/search.md).
    #[serde(default)]
    pub search: SearchConfig,
    /// `[views]`: counting readers' views for `Most read`.
    #[serde(default)]
    pub views: ViewsConfig,
}

/// `[api]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// The Content API answers only callers with a token (a content key or any admin token).
    /// Default: false (it is public, like the site).
    #[serde(default)]
    pub content_key_required: bool,
    /// Requests a minute per token (content key or admin token). Default: 600.
    #[serde(default = "default_per_token")]
    pub requests_per_minute: u32,
    /// Requests a minute per client address without a token. Default: 120.
    #[serde(default = "default_per_address")]
    pub anonymous_requests_per_minute: u32,
}

impl Default for ApiConfig {
    fn default() -> ApiConfig {
        ApiConfig {
            content_key_required: false,
            requests_per_minute: default_per_token(),
            anonymous_requests_per_minute: default_per_address(),
        }
    }
}

fn default_per_token() -> u32 {
    600
}

fn default_per_address() -> u32 {
    120
}

/// `[photos]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotosConfig {
    /// A story whose lead photo has no credit cannot be published or scheduled. Default: true.
    #[serde(default = "default_true")]
    pub credit_required: bool,
    /// How the credit line is printed from a picture's own metadata: alternatives separated by
    /// `|`, the first whose fields all exist (and differ) winning. Fields: `{credit}`,
    /// `{byline}`, `{source}`, `{copyright}`. Default: `{credit}/{byline} | {credit} | {byline}`.
    #[serde(default, deserialize_with = "credit_pattern")]
    pub credit_pattern: CreditPattern,
}

impl Default for PhotosConfig {
    fn default() -> PhotosConfig {
        PhotosConfig {
            credit_required: true,
            credit_pattern: CreditPattern::default(),
        }
    }
}

fn credit_pattern<'de, D: serde::Deserializer<'de>>(d: D) -> Result<CreditPattern, D::Error> {
    let text = String::deserialize(d)?;
    CreditPattern::parse(&text)
        .map_err(|e| serde::de::Error::custom(format!("credit_pattern {text:?}: {e}")))
}

fn default_true() -> bool {
    true
}

/// `[media]`. Without `store`, pictures live in the data folder's `media/`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaConfig {
    /// `s3://BUCKET/PREFIX` for an S3-compatible bucket, or a folder (relative to the data
    /// folder).
    pub store: Option<String>,
    /// The S3 service's address when it is not AWS (`https://s3.example.net`).
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// Better given as `BYLINE_S3_ACCESS_KEY_ID` in the environment, which wins.
    pub access_key_id: Option<String>,
    /// Better given as `BYLINE_S3_SECRET_ACCESS_KEY` in the environment, which wins.
    pub secret_access_key: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// An address of its own for `/metrics` (such as `127.0.0.1:9100`); without it the site's
    /// port serves `/metrics` to clients on this machine only.
    pub addr: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    /// Memory the page cache may hold, in megabytes. Default: 256.
    #[serde(default = "default_cache_mb")]
    pub max_mb: u32,
}

impl Default for CacheConfig {
    fn default() -> CacheConfig {
        CacheConfig {
            max_mb: default_cache_mb(),
        }
    }
}

fn default_cache_mb() -> u32 {
    256
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// A session unused this long ends. Default: 12 hours.
    #[serde(default = "default_idle_hours")]
    pub session_idle_hours: u32,
    /// A session ends this long after sign-in, used or not. Default: 14 days.
    #[serde(default = "default_max_days")]
    pub session_max_days: u32,
    /// Largest picture the editor accepts, in megabytes. Default: 25.
    #[serde(default = "default_upload_mb")]
    pub upload_max_mb: u32,
    /// A story's private preview link works this many days. Default: 7.
    #[serde(default = "default_preview_days")]
    pub preview_days: u32,
}

impl Default for AdminConfig {
    fn default() -> AdminConfig {
        AdminConfig {
            session_idle_hours: default_idle_hours(),
            session_max_days: default_max_days(),
            upload_max_mb: default_upload_mb(),
            preview_days: default_preview_days(),
        }
    }
}

fn default_preview_days() -> u32 {
    7
}

fn default_idle_hours() -> u32 {
    12
}

fn default_max_days() -> u32 {
    14
}

fn default_upload_mb() -> u32 {
    25
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's name in the header and titles. Default: "Byline".
    #[serde(default = "default_title")]
    pub title: String,
    /// One or two sentences on what the site is: the front page's description in search
    /// results and link previews. Default: "The latest news from TITLE."
    #[serde(default)]
    pub description: Option<String>,
    /// Scheme and host of the public site, used for canonical URLs. Default: the serve address.
    pub base_url: Option<String>,
    /// BCP 47 language of the site and of stories that do not say theirs. Default: "en".
    #[serde(default = "default_language")]
    pub language: String,
    /// A square PNG (at least 48 pixels wide) or SVG file: the site's icon in browser tabs,
    /// feeds and the web app manifest. Default: Byline's.
    #[serde(default)]
    pub icon: Option<PathBuf>,
}

impl Default for SiteConfig {
    fn default() -> SiteConfig {
        SiteConfig {
            title: default_title(),
            description: None,
            base_url: None,
            language: default_language(),
            icon: None,
        }
    }
}

fn default_title() -> String {
    "Byline".into()
}

fn default_language() -> String {
    "en".into()
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeConfig {
    /// A folder with `templates/` and `static/` files that replace the default theme's files of
    /// the same name; relative to the config file. Default: none.
    pub path: Option<PathBuf>,
    /// How many stories the article's `Related` block shows; 0 (the default) leaves it out.
    #[serde(default)]
    pub related_stories: usize,
    /// The article's `Most read` rail: `"24h"` or `"7d"`; left out by default.
    #[serde(default)]
    pub most_read: Option<byline_core::views::MostReadWindow>,
}

/// A configuration file that could not be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}, line {line}, column {column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Config {
    /// Reads `path`; when `required` is false a missing file gives the defaults.
    pub fn load(path: &Path, required: bool) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(Config::default());
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let mut config =
            Config::parse(&text).map_err(|(line, column, message)| ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message,
            })?;
        if let (Some(theme), Some(dir)) = (&config.theme.path, path.parent()) {
            config.theme.path = Some(dir.join(theme));
        }
        if let (Some(mail), Some(dir)) = (&mut config.mail, path.parent())
            && let Some(key) = &mail.dkim_key
        {
            mail.dkim_key = Some(dir.join(key));
        }
        Ok(config)
    }

    /// Parses TOML text; an error gives the 1-based line and column and a message naming the key.
    pub fn parse(text: &str) -> Result<Config, (usize, usize, String)> {
        toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            (line, column, e.message().to_owned())
        })
    }

    /// The configured ad placements, by name.
    pub fn placements(&self) -> BTreeMap<&'static str, &Placement> {
        [
            ("article_top", &self.ads.article_top),
            ("article_bottom", &self.ads.article_bottom),
            ("sidebar", &self.ads.sidebar),
            ("in_article", &self.ads.in_article),
        ]
        .into_iter()
        .filter_map(|(name, p)| p.as_ref().map(|p| (name, p)))
        .collect()
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_placements() {
        let config =
            Config::parse("[ads.article_top]\nhtml = '<b>ad</b>'\nheight = 250\n").unwrap();
        assert_eq!(config.site.title, "Byline");
        assert_eq!(config.ads.label, "- Advertisement -");
        assert_eq!(
            config.ads.article_top.as_ref().unwrap().sizes[0].height,
            Some(250)
        );
        assert!(config.ads.article_bottom.is_none());
        assert_eq!(
            config.placements().keys().copied().collect::<Vec<_>>(),
            ["article_top"]
        );
    }

    #[test]
    fn a_credit_pattern_is_checked_when_the_config_is_read() {
        let config =
            Config::parse("[photos]\ncredit_pattern = '{byline} ({credit}) | {byline}'\n").unwrap();
        let photo = byline_media::metadata::PhotoMetadata {
            credit: Some("AP".into()),
            creators: vec!["Jo Doe".into()],
            ..Default::default()
        };
        assert_eq!(
            config.photos.credit_pattern.apply(&photo).as_deref(),
            Some("Jo Doe (AP)")
        );
        let (line, _, message) =
            Config::parse("[photos]\n\ncredit_pattern = '{credit}/{author}'\n").unwrap_err();
        assert_eq!(line, 3);
        assert!(message.contains("unknown field {author}"), "{message}");
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let (line, _, message) = Config::parse("[site]\ntitle = 'x'\ntitel = 'y'\n").unwrap_err();
        assert_eq!(line, 3);
        assert!(message.contains("titel"), "{message}");
        let (line, _, message) = Config::parse("[ads.popup]\nhtml = ''\n").unwrap_err();
        assert_eq!(line, 1);
        assert!(message.contains("popup"), "{message}");
        let (line, _, message) =
            Config::parse("[ads.article_top]\nheight = 'tall'\nhtml=''").unwrap_err();
        assert_eq!(line, 2);
        assert!(message.contains("invalid type"), "{message}");
    }
}
