//! The import use case for wire items (ninjs), WordPress exports (WXR) and Ghost exports
//! (JSON): files in, stories saved a batch of items per transaction, one report line per item
//! out. A bad item never stops the others.

use std::fmt;
use std::path::{Path, PathBuf};

use byline_core::Slug;
use byline_core::Status;
use byline_core::redirects::address_key_of_url;
use byline_core::store::SectionRef;
use byline_import::WireStory;
use byline_import::{ninjs, wxr};
use chrono::{DateTime, Utc};

use crate::usecases::imports::{Draft, LibraryAddition};
use crate::usecases::{Actor, Newsroom};
use byline_media::metadata::credit::CreditPattern;

mod batch;
mod files;
mod ghost;
mod menus;
mod pictures;
mod wordpress;

pub use batch::Batch;
use batch::ReadyItem;
pub use menus::ImportedMenus;
use pictures::{copy_body_pictures, resolve_picture};

pub use files::{Collected, collect_files};

/// Settings of one import run.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub section: Option<SectionRef>,
    pub default_language: String,
    /// Where copied pictures go.
    pub media: byline_media::MediaStore,
    /// When the run started: the date of items that give none, and the moment embargoes are
    /// judged against. Each item is saved at its own moment.
    pub now: DateTime<Utc>,
    /// How a credit read from a picture file is printed (`[photos] credit_pattern`).
    pub credit_pattern: CreditPattern,
    pub source: Source,
    /// Replace stories the newsroom changed since their import.
    pub overwrite: bool,
    /// Read, check and report everything, write nothing: each save is rolled back, pictures
    /// are decoded but not copied, old addresses are not kept.
    pub dry_run: bool,
}

/// What the files are.
#[derive(Debug, Clone)]
pub enum Source {
    Ninjs,
    /// WordPress exports; `uploads` is a copy of the site's `wp-content/uploads` folder.
    Wordpress {
        uploads: Option<PathBuf>,
    },
    /// Ghost exports; `content` is a copy of the site's `content/images` folder.
    Ghost {
        content: Option<PathBuf>,
    },
}

impl Source {
    /// The file extension searched for in folders.
    pub fn extension(&self) -> &'static str {
        match self {
            Source::Ninjs | Source::Ghost { .. } => "json",
            Source::Wordpress { .. } => "xml",
        }
    }
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
    /// Where the story (or page) it became lives, when it is stored (for the menus that link
    /// to it).
    pub path: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    /// Exactly what was imported before: nothing to do.
    Unchanged,
    /// Not applied on purpose: an older version than the stored one, or a story the newsroom
    /// changed since its import.
    Skipped,
    /// Not applied because the file or item is not valid.
    Invalid,
}

impl fmt::Display for ItemReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = match self.action {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Unchanged => "unchanged",
            Action::Skipped | Action::Invalid => "skipped",
        };
        write!(f, "{action:<8} {} {}", self.id, self.detail)
    }
}

/// What an import run tells as it goes.
#[derive(Debug)]
pub enum Progress {
    /// What happened to one item (or to a whole file).
    Item(ItemReport),
    /// Bytes of the current file read so far.
    Read(u64),
    /// A published story its source kept at the top (a sticky post): a "Don't miss" pick.
    Picked(Slug),
    /// A picture of the site's media library: what became of it, or why it was not imported
    /// (with the export's file and line).
    Library(Result<LibraryAddition, String>),
    /// The menus a file describes (a Ghost site's navigation), to be made once every item is
    /// stored.
    Menus(Vec<byline_import::menus::SourceMenu>),
}

/// The menus of the WordPress exports read by `prepare` and those the files told of
/// (`told`), linking to what the import stored (`stored`: each item's external id and path).
pub fn menus(
    prepared: &Prepared,
    told: Vec<byline_import::menus::SourceMenu>,
    stored: &std::collections::HashMap<String, String>,
) -> ImportedMenus {
    let mut all = prepared.channel.menus();
    all.extend(told);
    menus::convert("the export", all, stored, prepared.channel.site())
}

/// Saves the menus an import brought that the site has none of yet; returns the slugs of
/// those left as the site has them.
pub async fn save_menus(
    nr: &Newsroom,
    menus: Vec<byline_core::menus::Menu>,
) -> anyhow::Result<Vec<Slug>> {
    let now = chrono::Utc::now();
    crate::usecases::pages::import_menus(nr, Actor::System, menus, now)
        .await
        .map_err(|e| anyhow::anyhow!("the menus were not saved: {e}"))
}

/// Makes the stories an import found sticky "Don't miss" picks, after the editor's own.
pub async fn pick(nr: &Newsroom, slugs: &[Slug]) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    crate::usecases::curation::add_picks(nr, Actor::System, slugs, now)
        .await
        .map_err(|e| anyhow::anyhow!("the sticky stories were not picked: {e}"))
}

/// Brings the store's statistics up to date after a run that wrote many stories.
pub async fn refresh_statistics(nr: &Newsroom) -> anyhow::Result<()> {
    crate::usecases::imports::refresh_statistics(nr, Actor::System)
        .await
        .map_err(|e| anyhow::anyhow!("the store's statistics were not refreshed: {e}"))
}

/// What a run over several files needs before the first story: a WordPress site's channel
/// (authors, language, categories, attachments) gathered from all its files, since a site
/// exported in parts keeps attachments in one file and posts in another.
#[derive(Debug, Default)]
pub struct Prepared {
    channel: wxr::Channel,
    /// Exports refused whole in the first pass, with why.
    refused: std::collections::HashMap<PathBuf, String>,
}

/// The first pass over `files`: nothing for wire items; a WordPress site's channel.
pub fn prepare(files: &[PathBuf], options: &ImportOptions) -> Prepared {
    let mut prepared = Prepared::default();
    if let Source::Wordpress { uploads } = &options.source {
        for file in files {
            if let Err(e) = prepared.channel.read_file(file, uploads.as_ref()) {
                prepared.refused.insert(file.clone(), e.to_string());
            }
        }
    }
    prepared
}

fn invalid(id: String, reason: String) -> ItemReport {
    ItemReport {
        action: Action::Invalid,
        id,
        detail: reason,
        warnings: vec![],
        path: None,
    }
}

fn skipped(id: String, reason: String) -> ItemReport {
    ItemReport {
        action: Action::Skipped,
        id,
        detail: reason,
        warnings: vec![],
        path: None,
    }
}

/// Adds a WordPress site's pictures (its image attachments, from every file) to the library,
/// before its posts, so that the posts' featured images are the library's. A dry run reads
/// and decodes them and writes nothing.
pub async fn add_attachments(
    nr: &Newsroom,
    options: &ImportOptions,
    prepared: &Prepared,
    tell: &mut (dyn FnMut(Progress) + Send),
) {
    wordpress::add_attachments(nr, options, &prepared.channel, tell).await;
}

/// Imports every item of one file, telling each item's report as it is done; returns the
/// shortcodes removed from the file's posts, by name.
pub async fn import_file(
    nr: &Newsroom,
    path: &Path,
    options: &ImportOptions,
    prepared: &Prepared,
    batch: &mut Batch,
    tell: &mut (dyn FnMut(Progress) + Send),
) -> wxr::Removed {
    match &options.source {
        Source::Ninjs => {
            import_ninjs(nr, path, options, batch, tell).await;
            wxr::Removed::new()
        }
        Source::Ghost { .. } => {
            ghost::import(nr, path, options, tell).await;
            wxr::Removed::new()
        }
        Source::Wordpress { .. } => match prepared.refused.get(path) {
            Some(why) => {
                tell(Progress::Item(invalid(
                    path.display().to_string(),
                    why.clone(),
                )));
                wxr::Removed::new()
            }
            None => wordpress::import(nr, path, options, &prepared.channel, tell).await,
        },
    }
}

/// The items of a ninjs file (one item, an array, or an API's envelope), each made ready and
/// added to the run's batch (which the caller saves at the end of the run).
async fn import_ninjs(
    nr: &Newsroom,
    path: &Path,
    options: &ImportOptions,
    batch: &mut Batch,
    tell: &mut (dyn FnMut(Progress) + Send),
) {
    let whole = |reason: String| invalid(path.display().to_string(), reason);
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            return batch
                .tell(nr, whole(format!("cannot read the file: {e}")), tell)
                .await;
        }
    };
    let items = match ninjs::parse_file(&text) {
        Ok(items) if items.is_empty() => {
            return batch
                .tell(nr, whole("the file holds no items".into()), tell)
                .await;
        }
        Ok(items) => items,
        Err(e) => return batch.tell(nr, whole(e.to_string()), tell).await,
    };
    let several = items.len() > 1;
    for (n, item) in items.into_iter().enumerate() {
        let location = if several {
            format!("{}#{}", path.display(), n + 1)
        } else {
            path.display().to_string()
        };
        match item {
            Ok(story) => {
                let ready = ready_item(path, &location, story, options).await;
                batch.add(nr, ready, tell).await;
            }
            Err(e) => batch.tell(nr, invalid(location, e.to_string()), tell).await,
        }
    }
    tell(Progress::Read(text.len() as u64));
}

/// Makes one item of `file`, found at `at` (`FILE:LINE`, `FILE#N` or `FILE: ID`), ready to
/// save: its pictures copied, its draft made. Its warnings name that place and the item's uri.
async fn ready_item(
    file: &Path,
    at: &str,
    mut item: WireStory,
    options: &ImportOptions,
) -> ReadyItem {
    let at = format!("{at} ({})", item.external_id);
    let mut warnings: Vec<String> = item.warnings.iter().map(|w| format!("{at}: {w}")).collect();
    copy_body_pictures(file, &at, &mut item, options, &mut warnings).await;
    let lead_picture = match &item.picture {
        Some(p) => match resolve_picture(file, p, options).await {
            Ok(picture) => Some(picture),
            Err(why) => {
                warnings.push(format!("{at}: lead picture not imported: {why}"));
                None
            }
        },
        None => None,
    };
    let embargo = item.embargoed.filter(|t| *t > options.now);
    let (status, note) = Status::for_wire(item.pub_status, embargo);
    let undated = item.first_created.is_none() && item.version_created.is_none();
    let draft = Draft {
        external_id: Some(item.external_id.clone()),
        former_external_ids: item.former_ids,
        version: item.version,
        headline: item.headline,
        slug: item.slug.as_deref().and_then(Slug::derive),
        old_addresses: item
            .old_addresses
            .iter()
            .filter_map(|url| address_key_of_url(url))
            .collect(),
        standfirst: item.standfirst,
        body: item.body,
        // The section asked for on the command line, else the source's own.
        section: options
            .section
            .clone()
            .or_else(|| section_of(item.section.as_deref()?, &item.section_above)),
        seo: item.seo,
        tags: item.subjects,
        byline: item.byline,
        language: item
            .language
            .unwrap_or_else(|| options.default_language.clone()),
        status,
        // An embargoed story is published by the job runner when its embargo lifts; a draft
        // has no publication time yet.
        published_at: (status != Status::Draft).then(|| {
            embargo.unwrap_or_else(|| {
                item.first_created
                    .or(item.version_created)
                    .unwrap_or(options.now)
            })
        }),
        embargo_until: embargo,
        lead_picture,
        updated_at: item
            .version_created
            .or(item.first_created)
            .unwrap_or(options.now),
        source: format!("import: {}", file.display()),
        overwrite: options.overwrite,
        dry_run: options.dry_run,
        page: item.page,
        undated,
    };
    ReadyItem {
        draft,
        id: item.external_id,
        warnings,
        file: file.to_owned(),
        note,
        sticky: item.sticky,
    }
}

/// The section named `name`, under the sections named `above` (outermost first); a name that
/// gives no slug is left out of the hierarchy.
fn section_of(name: &str, above: &[String]) -> Option<SectionRef> {
    let mut parent: Option<Box<SectionRef>> = None;
    for name in above {
        if let Some(slug) = Slug::derive(name) {
            parent = Some(Box::new(SectionRef {
                slug,
                name: name.clone(),
                parent: parent.take(),
            }));
        }
    }
    Some(SectionRef {
        slug: Slug::derive(name)?,
        name: name.to_owned(),
        parent,
    })
}
