//! A Ghost export imported post by post, each made a story and saved a batch at a time (one
//! transaction each); then the old addresses of its tags and authors (`/tag/{slug}/`,
//! `/author/{slug}/`), which exist once their stories do. Each post keeps Ghost's own
//! address, `/{slug}/`, as a redirect.

use std::path::Path;

use byline_import::ghost::{self, Entry};

use super::{Batch, ImportOptions, Progress, Source, invalid, ready_item};
use crate::usecases::{Actor, Newsroom, imports};

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
    let root = match ghost::read(&text) {
        Ok(root) => root,
        Err(e) => return tell(whole(e.to_string())),
    };
    let bytes = text.len() as u64;
    // The JSON is read: the file's text is no longer needed while the posts are saved.
    drop(text);
    let posts = match ghost::Posts::of(&root, images) {
        Ok(posts) if posts.is_empty() => return tell(whole("the export holds no posts".into())),
        Ok(posts) => posts,
        Err(e) => return tell(whole(e.to_string())),
    };
    let at = |id: &str| format!("{}: {id}", path.display());
    let mut batch = Batch::default();
    for (n, entry) in posts.entries().enumerate() {
        match entry {
            Entry::Post { id, story } => match *story {
                Ok(story) => {
                    let ready = ready_item(path, &at(&id), story, options).await;
                    batch.add(nr, ready, tell).await;
                }
                Err(why) => batch.tell(nr, invalid(at(&id), why), tell).await,
            },
        }
        tell(Progress::Read(bytes * (n as u64 + 1) / posts.len() as u64));
    }
    batch.save(nr, tell).await;
    super::wordpress::keep_term_addresses(nr, path, options, posts.term_addresses(), tell).await;
    tell(Progress::Menus(posts.menus.clone()));
    if !options.dry_run {
        let bios = posts.author_bios();
        let now = chrono::Utc::now();
        if let Err(e) = imports::keep_author_bios(nr, Actor::System, &bios, now).await {
            tell(Progress::Item(invalid(
                path.display().to_string(),
                format!("the authors' bios were not kept: {e}"),
            )));
        }
    }
}
