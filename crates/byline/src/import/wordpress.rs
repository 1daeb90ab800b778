//! A WordPress export imported as it is read: posts saved a batch at a time as they are parsed
//! (one transaction each), so memory holds a batch of posts, not the file. The old addresses of the
//! posts' sections, tags and authors are kept once those exist, at the end of the file.

use std::path::Path;

use byline_core::PictureSource;
use byline_core::redirects::address_key_of_url;
use byline_import::wxr::{self, Entry, Gathered, Posts, TermKind};

use super::{Batch, ImportOptions, Progress, invalid, ready_item, resolve_picture, skipped};
use crate::usecases::imports::{self, LibraryAddition, TermAddresses};
use crate::usecases::{Actor, Newsroom};

/// How often (in posts) the bytes read are told, for a progress bar.
const TELL_BYTES_EVERY: usize = 64;

/// How many posts that lost shortcodes are named one by one; a site whose page builder left
/// shortcodes in every post would otherwise bury the report, and the run's totals count all.
const NAMED_SHORTCODE_LOSSES: usize = 20;

/// Imports the posts of the export at `path`; returns the shortcodes removed from them.
pub(super) async fn import(
    nr: &Newsroom,
    path: &Path,
    options: &ImportOptions,
    channel: &wxr::Channel,
    tell: &mut (dyn FnMut(Progress) + Send),
) -> wxr::Removed {
    let at = |line: usize| format!("{}:{line}", path.display());
    let mut gathered = Gathered::default();
    let mut batch = Batch::default();
    let mut posts = match Posts::of_file(path, channel) {
        Ok(posts) => posts,
        Err(e) => {
            tell(Progress::Item(invalid(
                path.display().to_string(),
                e.to_string(),
            )));
            return gathered.removed_shortcodes;
        }
    };
    let mut seen = 0usize;
    let mut losses = 0usize;
    loop {
        let entry = match posts.next_entry() {
            Ok(Some(entry)) => entry,
            Ok(None) => break,
            // The first pass read the whole file: only a file changed since can fail here.
            Err(e) => {
                let report = invalid(path.display().to_string(), e.to_string());
                batch.tell(nr, report, tell).await;
                break;
            }
        };
        seen += 1;
        match entry {
            Entry::Post(post) => {
                let place = at(post.line);
                let lost = (!post.removed_shortcodes.is_empty()).then(|| {
                    losses += 1;
                    shortcode_warning(&place, &post.removed_shortcodes, losses)
                });
                match gathered.add(*post) {
                    (_, Ok(story)) => {
                        let mut ready = ready_item(path, &place, story, options).await;
                        ready.warnings.extend(lost.flatten());
                        batch.add(nr, ready, tell).await;
                    }
                    (line, Err(why)) => {
                        let mut report = invalid(at(line), why);
                        report.warnings.extend(lost.flatten());
                        batch.tell(nr, report, tell).await;
                    }
                }
            }
            Entry::Skipped(left_out) => batch.tell(nr, left_out_report(path, left_out), tell).await,
        }
        if seen.is_multiple_of(TELL_BYTES_EVERY) {
            tell(Progress::Read(posts.bytes_read()));
        }
    }
    // The posts are saved before their sections', tags' and authors' old addresses.
    batch.save(nr, tell).await;
    tell(Progress::Read(posts.bytes_read()));
    if posts.items_read() == 0 {
        tell(Progress::Item(invalid(
            path.display().to_string(),
            "the file holds no items".into(),
        )));
    }
    keep_gathered_addresses(nr, path, options, gathered.term_addresses, tell).await;
    gathered.removed_shortcodes
}

/// The report of an entry left out: named by its guid, when it has one, and always by where
/// it is.
fn left_out_report(path: &Path, left_out: wxr::Skipped) -> super::ItemReport {
    let at = format!("{}:{}", path.display(), left_out.line);
    match left_out.guid {
        Some(guid) => skipped(guid, format!("{at}: {}", left_out.reason)),
        None => skipped(at, left_out.reason),
    }
}

/// Keeps the old addresses of the sections, tags and authors a file's posts named.
async fn keep_gathered_addresses(
    nr: &Newsroom,
    path: &Path,
    options: &ImportOptions,
    addresses: std::collections::BTreeMap<String, (TermKind, String)>,
    tell: &mut (dyn FnMut(Progress) + Send),
) {
    let terms = addresses
        .into_iter()
        .map(|(url, (kind, name))| (url, kind, name));
    keep_term_addresses(nr, path, options, terms.collect(), tell).await;
}

/// The warning for the `nth` post of a file that lost shortcodes, while they are named one by
/// one.
fn shortcode_warning(at: &str, lost: &wxr::Removed, nth: usize) -> Option<String> {
    let warning = format!("{at}: shortcodes removed: {}", wxr::counted(lost));
    match nth {
        n if n < NAMED_SHORTCODE_LOSSES => Some(warning),
        NAMED_SHORTCODE_LOSSES => Some(format!(
            "{warning} (further posts of this file that lose shortcodes are counted only in \
             the run's totals)"
        )),
        _ => None,
    }
}

/// Adds a WordPress site's pictures (its image attachments, from every file) to the library,
/// before its posts, so that the posts' featured images are the library's. A dry run reads
/// and decodes them and writes nothing.
pub(super) async fn add_attachments(
    nr: &Newsroom,
    options: &ImportOptions,
    channel: &wxr::Channel,
    tell: &mut (dyn FnMut(Progress) + Send),
) {
    for attachment in channel.attachments() {
        let at = format!(
            "{}:{}: {}",
            attachment.file.display(),
            attachment.line,
            attachment.id
        );
        let outcome = match resolve_picture(&attachment.file, &attachment.picture, options).await {
            Err(why) => Err(format!("{at}: picture not imported: {why}")),
            Ok(picture) if options.dry_run => Ok(match picture.source {
                PictureSource::Remote { .. } => LibraryAddition::Linked,
                PictureSource::Local { .. } => LibraryAddition::Added,
            }),
            Ok(picture) => {
                imports::add_library_picture(nr, Actor::System, &picture, chrono::Utc::now())
                    .await
                    .map_err(|e| format!("{at}: picture not added to the library: {e}"))
            }
        };
        tell(Progress::Library(outcome));
    }
}

/// Keeps the old addresses (URLs or paths) of the file's sections, tags and authors, which
/// exist now that their stories do.
pub(super) async fn keep_term_addresses(
    nr: &Newsroom,
    path: &Path,
    options: &ImportOptions,
    terms: Vec<(String, TermKind, String)>,
    tell: &mut (dyn FnMut(Progress) + Send),
) {
    let addresses: TermAddresses = terms
        .into_iter()
        .filter_map(|(url, kind, name)| {
            let kind = match kind {
                TermKind::Section => imports::TermKind::Section,
                TermKind::Tag => imports::TermKind::Tag,
                TermKind::Author => imports::TermKind::Author,
            };
            Some((address_key_of_url(&url)?, kind, name))
        })
        .collect();
    if options.dry_run {
        return;
    }
    let now = chrono::Utc::now();
    if let Err(e) = imports::keep_term_addresses(nr, Actor::System, &addresses, now).await {
        tell(Progress::Item(invalid(
            path.display().to_string(),
            format!("the old addresses of its sections, tags and authors were not kept: {e}"),
        )));
    }
}
