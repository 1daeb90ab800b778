//! This node's search index, kept in step with the store through the change log (so writes
//! by the import CLI and by other nodes are indexed too), rebuilt when it is missing, written
//! by another version or ahead of the store, and switched to a newer one that `byline
//! reindex` made while the server kept searching the old. See docs/decisions/0026-search-index.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use anyhow::Context;
use byline_core::changes::CacheKey;
use byline_core::search::Searchable;
use byline_core::store::{Listing, Store};
use byline_core::{ChangeId, StoryId};
use byline_search::{Document, IndexFolder, Ranking, SearchIndex};

/// Stories read from the store at a time.
const BATCH: u32 = 200;
/// How often at the latest the index reads the change log (and looks for a rebuilt index).
const POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// The index a node searches, and the task that keeps it.
pub struct Searching {
    folder: IndexFolder,
    ranking: Ranking,
    index: RwLock<Option<Arc<SearchIndex>>>,
    /// Woken after this node's own writes, so they are searchable at once.
    wake: tokio::sync::Notify,
}

impl Searching {
    /// The search of the data folder `root`; the index is opened (or built) by [`Searching::run`].
    pub fn new(root: &Path, ranking: Ranking) -> Searching {
        Searching {
            folder: IndexFolder::new(root.join("search")),
            ranking,
            index: RwLock::new(None),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// The index to search, once there is one.
    pub fn index(&self) -> Option<Arc<SearchIndex>> {
        self.index.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Opens the index in use, if there is a usable one, without reading the change log (at
    /// start-up, so that searches are answered at once; [`Searching::run`] catches up).
    pub async fn open_current(&self, store: &dyn Store) {
        let Some(dir) = self.folder.current() else {
            return;
        };
        let ranking = self.ranking;
        let opened = tokio::task::spawn_blocking(move || SearchIndex::open(&dir, ranking)).await;
        let last = store.last_change().await.map_or(0, |c| c.0);
        if let Ok(Ok(index)) = opened
            && index.position().is_some_and(|p| p.change <= last)
        {
            *self.index.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(index));
        }
    }

    /// Asks the keeper to read the change log now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Keeps the index in step with the store until the server stops; `opened` is called
    /// whenever another index is opened (pages made from the index are then made again).
    pub async fn run(self: Arc<Self>, store: Arc<dyn Store>, opened: Box<dyn Fn() + Send + Sync>) {
        self.folder.remove_abandoned();
        loop {
            let before = self.index().map(|i| i.path().to_owned());
            let stepped = self.step(store.as_ref()).await;
            if self.index().map(|i| i.path().to_owned()) != before {
                opened();
            }
            if let Err(e) = stepped {
                tracing::error!(error = format!("{e:#}"), "cannot keep the search index");
            }
            tokio::select! {
                () = store.wait_for_changes(POLL) => {}
                () = self.wake.notified() => {}
            }
        }
    }

    /// Opens, switches to or builds the index as needed, then takes in the change log.
    pub async fn step(&self, store: &dyn Store) -> anyhow::Result<()> {
        let open = self.index();
        let current = self.folder.current();
        let index = match (open, current) {
            (Some(open), Some(current)) if open.path() == current => open,
            (open, current) => {
                let index = self.open_or_build(store, current).await?;
                *self.index.write().unwrap_or_else(|p| p.into_inner()) = Some(index.clone());
                if let Some(old) = open {
                    let old = old.path().to_owned();
                    tracing::info!(from = %old.display(), to = %index.path().display(), "search switched to a rebuilt index");
                    self.folder.remove(&old);
                }
                index
            }
        };
        catch_up(store, &index).await
    }

    async fn open_or_build(
        &self,
        store: &dyn Store,
        current: Option<PathBuf>,
    ) -> anyhow::Result<Arc<SearchIndex>> {
        if let Some(dir) = current {
            let ranking = self.ranking;
            let opened = {
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || SearchIndex::open(&dir, ranking)).await?
            };
            let last = store.last_change().await?;
            match opened {
                Ok(index) if index.position().is_some_and(|p| p.change <= last.0) => {
                    return Ok(Arc::new(index));
                }
                Ok(_) => {
                    tracing::warn!(path = %dir.display(), "the search index is ahead of the store (a restored database?): rebuilding it")
                }
                Err(e) => {
                    tracing::warn!(path = %dir.display(), error = %e, "the search index cannot be used: rebuilding it")
                }
            }
        }
        let dir = rebuild(store, &self.folder, self.ranking, &|_, _| {}).await?;
        let ranking = self.ranking;
        Ok(Arc::new(
            tokio::task::spawn_blocking(move || SearchIndex::open(&dir, ranking)).await??,
        ))
    }
}

/// Builds a new index of every story into a fresh folder and makes it the one in use;
/// `progress(done, total)` is told as stories are read. Returns the new folder.
pub async fn rebuild(
    store: &dyn Store,
    folder: &IndexFolder,
    ranking: Ranking,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> anyhow::Result<PathBuf> {
    let total = store.story_count().await?;
    // Changes from here on are taken in after the switch: the log is read from this point.
    let from = store.last_change().await?;
    let dir = folder.fresh()?;
    let index = {
        let dir = dir.clone();
        Arc::new(tokio::task::spawn_blocking(move || SearchIndex::create(&dir, ranking)).await??)
    };
    let mut after = StoryId(0);
    let mut done = 0;
    loop {
        let batch = store.stories_after(after, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.story.id;
        done += batch.len() as u64;
        let documents: Vec<Document> = batch.iter().map(document_of).collect();
        let writer = index.clone();
        tokio::task::spawn_blocking(move || writer.add_new(&documents)).await??;
        progress(done, total.max(done));
    }
    let writer = index.clone();
    tokio::task::spawn_blocking(move || writer.finish(from.0)).await??;
    drop(index);
    folder
        .make_current(&dir)
        .with_context(|| format!("cannot make {} the search index", dir.display()))?;
    tracing::info!(stories = done, path = %dir.display(), "built the search index");
    Ok(dir)
}

/// Takes in every change after the index's position: the stories they name are read again
/// (or removed when gone), and so are the stories of a renamed section, tag or author. While
/// another process on this data folder writes the index, its commits are followed instead.
async fn catch_up(store: &dyn Store, index: &Arc<SearchIndex>) -> anyhow::Result<()> {
    let writing = {
        let index = index.clone();
        tokio::task::spawn_blocking(move || index.try_to_write()).await??
    };
    if !writing {
        index.refresh()?;
        return Ok(());
    }
    loop {
        let position = index.position().map_or(0, |p| p.change);
        let changes = store.changes_since(ChangeId(position)).await?;
        let Some(through) = changes.last().map(|(id, _)| id.0) else {
            return Ok(());
        };
        let mut ids = BTreeSet::new();
        for key in changes.iter().flat_map(|(_, keys)| keys) {
            match key {
                CacheKey::Story(id) => {
                    ids.insert(*id);
                }
                CacheKey::Section(slug) => ids.extend(
                    store
                        .story_ids_filed(&Listing::Section(slug.clone()))
                        .await?,
                ),
                CacheKey::Tag(slug) => {
                    ids.extend(store.story_ids_filed(&Listing::Tag(slug.clone())).await?)
                }
                CacheKey::Author(slug) => ids.extend(
                    store
                        .story_ids_filed(&Listing::Author(slug.clone()))
                        .await?,
                ),
                _ => {}
            }
        }
        let ids: Vec<StoryId> = ids.into_iter().collect();
        let chunks: Vec<&[StoryId]> = ids.chunks(BATCH as usize).collect();
        if chunks.is_empty() {
            let writer = index.clone();
            tokio::task::spawn_blocking(move || writer.apply(&[], &[], through)).await??;
        }
        for (n, chunk) in chunks.iter().enumerate() {
            let found = store.stories_by_id(chunk).await?;
            let documents: Vec<Document> = found.iter().map(document_of).collect();
            let gone: Vec<i64> = chunk
                .iter()
                .filter(|id| !found.iter().any(|s| s.story.id == **id))
                .map(|id| id.0)
                .collect();
            // Only the last chunk moves the position, so an interruption reads them all again.
            let to = if n + 1 == chunks.len() {
                through
            } else {
                position
            };
            let writer = index.clone();
            tokio::task::spawn_blocking(move || writer.apply(&documents, &gone, to)).await??;
        }
    }
}

/// What the index keeps of a story.
pub fn document_of(searchable: &Searchable) -> Document {
    let story = &searchable.story;
    let mut captions = Vec::new();
    if let Some(picture) = &story.lead_picture {
        captions.extend(picture.caption.iter().cloned());
        captions.extend(picture.credit.iter().cloned());
    }
    Document {
        id: story.id.0,
        slug: story.slug.as_str().to_owned(),
        status: story.status.as_str().to_owned(),
        owner: searchable.owner.map(|u| u.0),
        when: story.published_at.unwrap_or(story.updated_at).timestamp(),
        updated: story.updated_at.timestamp(),
        language: story.language.clone(),
        headline: story.headline.as_str().to_owned(),
        standfirst: story.standfirst.clone().unwrap_or_default(),
        body: byline_render::html::plain_text(story.body.as_str()),
        section: story
            .section
            .as_ref()
            .map(|s| (s.slug.as_str().to_owned(), s.name.clone())),
        authors: story
            .authors
            .iter()
            .map(|a| (a.slug.as_str().to_owned(), a.name.clone()))
            .collect(),
        tags: story
            .tags
            .iter()
            .map(|t| (t.slug.as_str().to_owned(), t.name.clone()))
            .collect(),
        captions,
    }
}
