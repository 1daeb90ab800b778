//! A Ghost export imported post by post, each saved in its own transaction; then the old
//! addresses of its tags and authors (`/tag/{slug}/`, `/author/{slug}/`), which exist once
//! their stories do. Each post keeps Ghost's own address, `/{slug}/`, as a redirect.

use std::path::Path;

use byline_import::ghost::{self, Entry};

use super::{ImportOptions, Progress, Source, import_item, invalid, skipped};
use crate::usecases::Newsroom;

/// Imports the posts of the export at `path`.
pub(super) async fn import(
    nr: &Newsroom,
    path: &Path,
    options: &ImportOptions,
    tell: &mut (dyn FnMut(Progress) + Send),
) {
    let whole = |reason: String| Progress::Item(invalid(path.display().to_string(), reason));
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => return tell(whole(format!("cannot read the file: {e}"))),
    };
    let images = match &options.source {
        Source::Ghost { content } => content.as_deref(),
        _ => None,
    };
    let export = match ghost::parse(&text, images) {
        Ok(export) => export,
        Err(e) => return tell(whole(e.to_string())),
    };
    if export.entries.is_empty() {
        return tell(whole("the export holds no posts".into()));
    }
    let at = |id: &str| format!("{}: {id}", path.display());
    for entry in export.entries {
        let report = match entry {
            Entry::Post { id, story } => match *story {
                Ok(story) => import_item(nr, path, story, options, tell).await,
                Err(why) => invalid(at(&id), why),
            },
            Entry::Skipped { id, reason } => skipped(at(&id), reason),
        };
        tell(Progress::Item(report));
    }
    tell(Progress::Read(text.len() as u64));
    super::wordpress::keep_term_addresses(nr, path, options, export.term_addresses, tell).await;
}
