//! A WordPress export imported as it is read: each post saved in its own transaction the
//! moment it is parsed, so memory holds one post, not the file. The old addresses of the
//! posts' sections, tags and authors are kept once those exist, at the end of the file.

use std::collections::BTreeMap;
use std::path::Path;

use byline_core::redirects::address_key_of_url;
use byline_import::wxr::{self, Entry, Posts, TermKind};

use super::{ImportOptions, Progress, import_item, invalid, skipped};
use crate::usecases::imports::{self, TermAddresses};
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
    let mut removed = wxr::Removed::new();
    let mut terms = BTreeMap::new();
    let mut posts = match Posts::of_file(path, channel) {
        Ok(posts) => posts,
        Err(e) => {
            tell(Progress::Item(invalid(
                path.display().to_string(),
                e.to_string(),
            )));
            return removed;
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
                tell(Progress::Item(invalid(
                    path.display().to_string(),
                    e.to_string(),
                )));
                break;
            }
        };
        seen += 1;
        let report = match entry {
            Entry::Post {
                line,
                story,
                removed_shortcodes,
                term_addresses,
            } => {
                let lost = (!removed_shortcodes.is_empty()).then(|| {
                    losses += 1;
                    shortcode_warning(&at(line), &removed_shortcodes, losses)
                });
                wxr::add_removed(&mut removed, removed_shortcodes);
                terms.extend(term_addresses);
                let mut report = match *story {
                    Ok(story) => import_item(nr, path, story, options, tell).await,
                    Err(why) => invalid(at(line), why),
                };
                report.warnings.extend(lost.flatten());
                report
            }
            Entry::Skipped(left_out) => skipped(at(left_out.line), left_out.reason),
        };
        tell(Progress::Item(report));
        if seen.is_multiple_of(TELL_BYTES_EVERY) {
            tell(Progress::Read(posts.bytes_read()));
        }
    }
    tell(Progress::Read(posts.bytes_read()));
    if posts.items_read() == 0 {
        tell(Progress::Item(invalid(
            path.display().to_string(),
            "the file holds no items".into(),
        )));
    }
    keep_term_addresses(nr, path, options, terms, tell).await;
    removed
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

/// Keeps the old addresses of the file's sections, tags and authors, which exist now that
/// their stories do.
async fn keep_term_addresses(
    nr: &Newsroom,
    path: &Path,
    options: &ImportOptions,
    terms: BTreeMap<String, (TermKind, String)>,
    tell: &mut (dyn FnMut(Progress) + Send),
) {
    let addresses: TermAddresses = terms
        .into_iter()
        .filter_map(|(url, (kind, name))| {
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
