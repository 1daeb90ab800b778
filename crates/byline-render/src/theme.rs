//! The theme: templates and static assets embedded in the binary, each overridable by a file
//! of the same name in a theme folder on disk (`templates/NAME`, `static/NAME`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use minijinja::Environment;
use serde::Serialize;

macro_rules! embedded {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../themes/default/", $dir, "/", $name)))),*]
    };
}

/// The default theme's templates, by name.
const TEMPLATES: &[(&str, &str)] = embedded!("templates":
    "base.html", "macros.html", "home.html", "article.html", "article_rails.html", "page.html", "listing.html", "not_found.html",
    "error.html", "subscribe.html", "archive.html", "search.html", "admin/base.html", "admin/login.html", "admin/setup.html",
    "admin/password.html", "admin/dashboard.html", "admin/editor.html", "admin/conflict.html",
    "admin/revisions.html", "admin/curation.html", "admin/library.html", "admin/picture.html", "admin/newsletter.html", "admin/newsletter_draft.html", "admin/newsletter_issue.html", "admin/subscribers.html", "admin/redirects.html", "admin/pages.html", "admin/members.html", "admin/integrations.html", "admin/api.html", "admin/tokens.html", "newsletter.html", "email/confirm.html", "email/confirm.txt", "email/issue.html", "email/issue.txt",
);

/// The default theme's static files, by logical name.
const STATIC: &[(&str, &str)] = embedded!("static": "site.css", "admin.css", "admin.js");

/// Why the theme could not be loaded or a page not rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot read theme file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("theme template {0}")]
    Template(#[from] minijinja::Error),
}

/// A static file with a content-hashed URL, served with far-future caching.
#[derive(Debug, Clone)]
pub struct Asset {
    pub url: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Loaded templates and assets, ready to render pages.
pub struct Theme {
    env: Environment<'static>,
    /// The templates a theme folder replaced.
    overridden: Vec<String>,
    assets_by_url: HashMap<String, Asset>,
    urls_by_name: HashMap<String, String>,
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme")
            .field("assets", &self.urls_by_name)
            .finish_non_exhaustive()
    }
}

impl Theme {
    /// The default theme, with any file in `dir` taking the place of the embedded one.
    /// Template errors are reported now, with the template's name and line.
    pub fn load(dir: Option<&Path>) -> Result<Theme, RenderError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        // minijinja's own HTML escaping also escapes `/`, which makes every URL in the page
        // `&#x2f;`-encoded; escape only what HTML needs.
        env.set_formatter(|out, state, value| {
            if matches!(state.auto_escape(), minijinja::AutoEscape::Html)
                && !value.is_safe()
                && let Some(text) = value.as_str()
            {
                return std::fmt::Write::write_str(out, &crate::html::escape(text)).map_err(|_| {
                    minijinja::Error::new(
                        minijinja::ErrorKind::WriteFailure,
                        "cannot write the page",
                    )
                });
            }
            minijinja::escape_formatter(out, state, value)
        });
        let mut overridden = Vec::new();
        for (name, source) in TEMPLATES {
            let source = match read_override(dir, "templates", name)? {
                Some(text) => {
                    overridden.push((*name).to_owned());
                    text
                }
                None => (*source).to_owned(),
            };
            env.add_template_owned(*name, source)?;
        }
        let mut assets_by_url = HashMap::new();
        let mut urls_by_name = HashMap::new();
        for (name, bytes) in STATIC {
            let bytes = read_override(dir, "static", name)?
                .unwrap_or_else(|| (*bytes).to_owned())
                .into_bytes();
            let url = hashed_url(name, &bytes);
            urls_by_name.insert((*name).to_owned(), url.clone());
            assets_by_url.insert(
                url.clone(),
                Asset {
                    url,
                    content_type: content_type(name),
                    bytes,
                },
            );
        }
        // Compile every template now so that a broken theme stops start-up, not a request.
        for (name, _) in TEMPLATES {
            env.get_template(name)?;
        }
        Ok(Theme {
            env,
            overridden,
            assets_by_url,
            urls_by_name,
        })
    }

    /// Renders the named template with `context`.
    pub fn render(&self, name: &str, context: impl Serialize) -> Result<String, RenderError> {
        Ok(self
            .env
            .get_template(name)?
            .render(minijinja::Value::from(minijinja::value::Serde(context)))?)
    }

    /// Whether every one of `names` is the default theme's own template (no theme folder
    /// replaced it).
    pub fn all_default(&self, names: &[&str]) -> bool {
        !names
            .iter()
            .any(|name| self.overridden.iter().any(|o| o == name))
    }

    /// The static file served at `url`, if any.
    pub fn asset(&self, url: &str) -> Option<&Asset> {
        self.assets_by_url.get(url)
    }

    /// The hashed URL of a static file by its logical name (`site.css`).
    pub fn asset_url(&self, name: &str) -> Option<&str> {
        self.urls_by_name.get(name).map(String::as_str)
    }

    /// The text of a static file by its logical name, when it is text.
    pub fn asset_text(&self, name: &str) -> Option<&str> {
        let url = self.urls_by_name.get(name)?;
        std::str::from_utf8(&self.assets_by_url.get(url)?.bytes).ok()
    }

    /// Every static file, for serving them compressed.
    pub fn assets(&self) -> impl Iterator<Item = &Asset> {
        self.assets_by_url.values()
    }

    /// Adds `text` to the end of the static file `name` (rules made from the configuration,
    /// such as the ad slots' sizes); its URL changes with its content. Nothing happens when
    /// the theme has no such file or `text` is empty.
    pub fn append(&mut self, name: &str, text: &str) {
        let Some(old_url) = self.urls_by_name.get(name).cloned() else {
            return;
        };
        if text.is_empty() {
            return;
        }
        let Some(mut asset) = self.assets_by_url.remove(&old_url) else {
            return;
        };
        // On a line of its own, after anything the theme's file left open.
        asset.bytes.extend_from_slice(b"\n/**/\n");
        asset.bytes.extend_from_slice(text.as_bytes());
        asset.url = hashed_url(name, &asset.bytes);
        self.urls_by_name.insert(name.to_owned(), asset.url.clone());
        self.assets_by_url.insert(asset.url.clone(), asset);
    }
}

fn read_override(
    dir: Option<&Path>,
    kind: &str,
    name: &str,
) -> Result<Option<String>, RenderError> {
    let Some(dir) = dir else { return Ok(None) };
    let path = dir.join(kind).join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(RenderError::Read { path, source }),
    }
}

/// `site.css` → `/static/site.0123456789.css`, the hash taken over the content so that a
/// changed file gets a new URL and an old one can be cached forever.
fn hashed_url(name: &str, bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    format!("/static/{stem}.{:010x}.{ext}", hash & 0xff_ffff_ffff)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_get_content_hashed_urls() {
        let theme = Theme::load(None).unwrap();
        let url = theme.asset_url("site.css").unwrap().to_owned();
        assert!(
            url.starts_with("/static/site.") && url.ends_with(".css"),
            "{url}"
        );
        assert_eq!(
            theme.asset(&url).unwrap().content_type,
            "text/css; charset=utf-8"
        );
        assert!(theme.asset("/static/site.css").is_none());
    }

    #[test]
    fn a_theme_folder_overrides_files_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/site.css"), "body{color:red}").unwrap();
        std::fs::write(
            dir.path().join("templates/error.html"),
            "custom {{ message }}",
        )
        .unwrap();
        let theme = Theme::load(Some(dir.path())).unwrap();
        let default = Theme::load(None).unwrap();
        assert_ne!(theme.asset_url("site.css"), default.asset_url("site.css"));
        let url = theme.asset_url("site.css").unwrap();
        assert_eq!(theme.asset(url).unwrap().bytes, b"body{color:red}");
        let page = theme
            .render(
                "error.html",
                std::collections::HashMap::from([("message", "<b>")]),
            )
            .unwrap();
        assert_eq!(page, "custom &lt;b&gt;");
    }

    #[test]
    fn a_broken_template_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/home.html"), "line one\n{% if %}").unwrap();
        let err = Theme::load(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("home.html:2"), "{err}");
    }
}
