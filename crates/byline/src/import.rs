//! The ninjs import use case: files in, stories saved one transaction per item, one report
//! line per item out. A bad item never stops the batch.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use byline_core::store::{SaveOutcome, SectionRef, Store};
use byline_core::{Picture, PictureSource, Status};
use byline_import::ninjs;
use byline_import::{PubStatus, RenditionHref, WirePicture, WireStory};
use byline_render::views::paths;
use chrono::{DateTime, Utc};

use crate::media;
use crate::stories::{self, Draft};
use byline_media::decode::decode;
use byline_media::metadata::credit::CreditPattern;
use byline_media::metadata::read_metadata;

/// Largest picture file an import copies.
const MAX_PICTURE_BYTES: u64 = 25 * 1024 * 1024;

/// Settings of one import run.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub section: Option<SectionRef>,
    pub default_language: String,
    /// Where copied pictures go.
    pub media: byline_media::MediaStore,
    pub now: DateTime<Utc>,
    /// How a credit read from a picture file is printed (`[photos] credit_pattern`).
    pub credit_pattern: CreditPattern,
}

/// What happened to one item (or to a file that held no readable items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemReport {
    pub action: Action,
    /// The item's uri, or `FILE#N` when it has none.
    pub id: String,
    /// The story's public path, or why the item was skipped.
    pub detail: String,
    /// Things that went wrong without stopping the item (a picture that could not be read).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    /// Not applied on purpose: an older version than the stored one.
    Skipped,
    /// Not applied because the file or item is not valid ninjs.
    Invalid,
}

impl fmt::Display for ItemReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = match self.action {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Skipped | Action::Invalid => "skipped",
        };
        write!(f, "{action:<8} {} {}", self.id, self.detail)
    }
}

/// The `.json` files named by `paths`, directories searched recursively, in a stable order.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.is_dir() {
            walk(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, files)?;
        } else if path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
        {
            files.push(path);
        }
    }
    Ok(())
}

/// Imports every item of one file.
pub async fn import_file(
    store: &dyn Store,
    path: &Path,
    options: &ImportOptions,
) -> Vec<ItemReport> {
    let invalid = |id: String, reason: String| ItemReport {
        action: Action::Invalid,
        id,
        detail: reason,
        warnings: vec![],
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            return vec![invalid(
                path.display().to_string(),
                format!("cannot read the file: {e}"),
            )];
        }
    };
    let items = match ninjs::parse_file(&text) {
        Ok(items) => items,
        Err(e) => {
            return vec![invalid(path.display().to_string(), e.to_string())];
        }
    };
    let several = items.len() > 1;
    let mut reports = Vec::with_capacity(items.len());
    for (n, item) in items.into_iter().enumerate() {
        let location = if several {
            format!("{}#{}", path.display(), n + 1)
        } else {
            path.display().to_string()
        };
        reports.push(match item {
            Ok(story) => import_item(store, path, story, options).await,
            Err(e) => invalid(location, e.to_string()),
        });
    }
    reports
}

async fn import_item(
    store: &dyn Store,
    file: &Path,
    item: WireStory,
    options: &ImportOptions,
) -> ItemReport {
    let mut warnings = Vec::new();
    let lead_picture = match &item.picture {
        Some(p) => match resolve_picture(file, p, options).await {
            Ok(picture) => Some(picture),
            Err(why) => {
                warnings.push(format!(
                    "{}: lead picture not imported: {why}",
                    file.display()
                ));
                None
            }
        },
        None => None,
    };
    let embargo = item.embargoed.filter(|t| *t > options.now);
    let (status, note) = match item.pub_status {
        PubStatus::Canceled => (
            Status::Unpublished,
            Some("unpublished: the item is canceled".to_owned()),
        ),
        PubStatus::Withheld => (
            Status::Unpublished,
            Some("unpublished: the item is withheld".to_owned()),
        ),
        PubStatus::Usable => match embargo {
            Some(until) => (
                Status::Scheduled,
                Some(format!("scheduled: embargoed until {}", until.to_rfc3339())),
            ),
            None => (Status::Published, None),
        },
    };
    let id = item.external_id.clone();
    let draft = Draft {
        external_id: Some(item.external_id),
        version: item.version,
        headline: item.headline,
        standfirst: item.standfirst,
        body: item.body,
        section: options.section.clone(),
        tags: item.subjects,
        byline: item.byline,
        language: item
            .language
            .unwrap_or_else(|| options.default_language.clone()),
        status,
        // An embargoed story is published by the job runner when its embargo lifts.
        published_at: Some(embargo.unwrap_or_else(|| {
            item.first_created
                .or(item.version_created)
                .unwrap_or(options.now)
        })),
        embargo_until: embargo,
        lead_picture,
        updated_at: item
            .version_created
            .or(item.first_created)
            .unwrap_or(options.now),
    };
    let with_note = |path: String| match &note {
        Some(note) => format!("{path} ({note})"),
        None => path,
    };
    let (action, detail) = match stories::save(store, draft).await {
        Ok(SaveOutcome::Created { slug, .. }) => (Action::Created, with_note(paths::story(&slug))),
        Ok(SaveOutcome::Updated { slug, .. }) => (Action::Updated, with_note(paths::story(&slug))),
        Ok(SaveOutcome::SkippedOlder {
            slug,
            stored_version,
        }) => (
            Action::Skipped,
            format!(
                "version {} is older than the stored version {stored_version} of {}",
                item.version.unwrap_or(0),
                paths::story(&slug)
            ),
        ),
        Err(e) => (
            Action::Invalid,
            format!("{}: not saved: {e}", file.display()),
        ),
    };
    ItemReport {
        action,
        id,
        detail,
        warnings,
    }
}

/// Copies a relative rendition into the media store (checking it is a picture) or keeps a
/// remote URL as it is.
async fn resolve_picture(
    file: &Path,
    picture: &WirePicture,
    options: &ImportOptions,
) -> Result<Picture, String> {
    let mut from_file = None;
    let (source, width, height, content_type) = match &picture.href {
        RenditionHref::Remote(url) => (
            PictureSource::Remote { url: url.clone() },
            picture.width,
            picture.height,
            picture.content_type.clone(),
        ),
        RenditionHref::Relative(href) => {
            let relative = Path::new(href);
            // A wire item may only point at files beside it, never elsewhere on the disk.
            if !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
            {
                return Err(format!("{href:?} points outside the item's folder"));
            }
            let path = file.parent().unwrap_or(Path::new(".")).join(relative);
            let size = std::fs::metadata(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .len();
            if size > MAX_PICTURE_BYTES {
                return Err(format!("{} is larger than 25 MB", path.display()));
            }
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            // Only a picture that decodes completely is kept.
            let (_, decoded) = decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            from_file = read_metadata(&bytes).ok();
            let (key, _) = media::store_image(&options.media, &bytes)
                .await
                .map_err(|e| format!("{}: {e}", path.display()))?;
            (
                PictureSource::Local { key },
                Some(decoded.width),
                Some(decoded.height),
                Some(decoded.content_type.to_owned()),
            )
        }
    };
    // The item's own credit and caption win; what it lacks comes from the file.
    let from_file = from_file.unwrap_or_default();
    Ok(Picture {
        source,
        credit: picture
            .credit
            .clone()
            .or_else(|| options.credit_pattern.apply(&from_file)),
        caption: picture.caption.clone().or(from_file.caption),
        alt: picture.alt.clone().or(from_file.alt_text),
        width,
        height,
        content_type,
        keywords: from_file.keywords,
        focus: Default::default(),
    })
}
