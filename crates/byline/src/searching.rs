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
use byline_core::store::{Listing, Store, StoreError};
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
    /// The index found to hold every story of the store once it had caught up.
    verified: std::sync::Mutex<Option<PathBuf>>,
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
            verified: std::sync::Mutex::new(None),
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

    /// Keeps the index in step with the store until the server stops, telling `listeners`
    /// when another index is opened and which stories each catch-up changed. Failures are
    /// retried after a pause that doubles up to a minute.
    pub async fn run(self: Arc<Self>, store: Arc<dyn Store>, listeners: Listeners) {
        self.folder.remove_abandoned();
        let mut pause = POLL;
        loop {
            let before = self.index().map(|i| i.path().to_owned());
            let stepped = self.step(store.as_ref()).await;
            if self.index().map(|i| i.path().to_owned()) != before {
                (listeners.opened)();
            }
            match stepped {
                Ok(touched) => {
                    if !touched.is_empty() {
                        (listeners.touched)(&touched);
                    }
                    pause = POLL;
                }
                Err(e) => {
                    tracing::error!(error = format!("{e:#}"), retry_in = ?pause, "cannot keep the search index");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(std::time::Duration::from_secs(60));
                    continue;
                }
            }
            tokio::select! {
                () = store.wait_for_changes(POLL) => {}
                () = self.wake.notified() => {}
            }
        }
    }

    /// Opens, switches to or builds the index as needed, then takes in the change log;
    /// returns the stories that changed in it.
    pub async fn step(&self, store: &dyn Store) -> anyhow::Result<Vec<StoryId>> {
        let open = self.index();
        let current = self.folder.current();
        let index = match (&open, &current) {
            (Some(open), Some(current)) if open.path() == current => open.clone(),
            _ => self.open_or_build(store, current).await?,
        };
        let mut touched = catch_up(store, &index).await?;
        let verified = self
            .verified
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if verified.as_deref() == Some(index.path()) {
            self.replace(open, index);
            return Ok(touched);
        }
        if !in_step(store, &index).await? {
            // Caught up yet not holding every story: the store was replaced (a restored
            // archive) or the index lost stories. Only a rebuild can tell what is there.
            tracing::warn!(path = %index.path().display(), "the search index does not hold every story: rebuilding it");
            let dir = rebuild(store, &self.folder, self.ranking, &|_, _| {}).await?;
            let rebuilt = open_index(dir, self.ranking).await?;
            self.folder.remove(index.path());
            touched = catch_up(store, &rebuilt).await?;
            *self.verified.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(rebuilt.path().to_owned());
            self.replace(open, rebuilt);
            return Ok(touched);
        }
        *self.verified.lock().unwrap_or_else(|p| p.into_inner()) = Some(index.path().to_owned());
        self.replace(open, index);
        Ok(touched)
    }

    /// Makes `index` the one searched, and removes the folder of the one it replaces.
    fn replace(&self, open: Option<Arc<SearchIndex>>, index: Arc<SearchIndex>) {
        *self.index.write().unwrap_or_else(|p| p.into_inner()) = Some(index.clone());
        if let Some(old) = open
            && old.path() != index.path()
        {
            tracing::info!(from = %old.path().display(), to = %index.path().display(), "search switched to another index");
            self.folder.remove(old.path());
        }
    }

    async fn open_or_build(
        &self,
        store: &dyn Store,
        current: Option<PathBuf>,
    ) -> anyhow::Result<Arc<SearchIndex>> {
        if let Some(dir) = current {
            // The index's position is read before the store's, so that a writer committing
            // in between cannot make the index look ahead of the store.
            let opened = open_index(dir.clone(), self.ranking).await;
            let position = opened.as_ref().ok().and_then(|i| i.position());
            let last = store.last_change().await?;
            match opened {
                Ok(index) if position.is_some_and(|p| p.change <= last.0) => return Ok(index),
                Ok(_) => {
                    tracing::warn!(path = %dir.display(), "the search index is ahead of the store (a restored database?): rebuilding it")
                }
                Err(e) => {
                    tracing::warn!(path = %dir.display(), error = format!("{e:#}"), "the search index cannot be used: rebuilding it")
                }
            }
        }
        let dir = rebuild(store, &self.folder, self.ranking, &|_, _| {}).await?;
        open_index(dir, self.ranking).await
    }
}

/// Told which stories changed in the index.
pub type Touched = Box<dyn Fn(&[StoryId]) + Send + Sync>;

/// What the keeper tells the rest of the node.
pub struct Listeners {
    /// Another index was opened: whatever was made from the old one is to be made again.
    pub opened: Box<dyn Fn() + Send + Sync>,
    /// These stories changed in the index.
    pub touched: Touched,
}

async fn open_index(dir: PathBuf, ranking: Ranking) -> anyhow::Result<Arc<SearchIndex>> {
    let opened = tokio::task::spawn_blocking(move || SearchIndex::open(&dir, ranking)).await??;
    Ok(Arc::new(opened))
}

/// Whether the index holds as many stories as the store, asked twice (catching up between)
/// so that a story saved meanwhile does not count as a difference.
async fn in_step(store: &dyn Store, index: &Arc<SearchIndex>) -> anyhow::Result<bool> {
    for _ in 0..2 {
        if index.len() == store.story_count().await? {
            return Ok(true);
        }
        catch_up(store, index).await?;
    }
    Ok(index.len() == store.story_count().await?)
}

/// Builds a new index of every story into a fresh folder and makes it the one in use;
/// `progress(done, total)` is told as stories are read. Returns the new folder.
pub async fn rebuild(
    store: &dyn Store,
    folder: &IndexFolder,
    ranking: Ranking,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> anyhow::Result<PathBuf> {
    let dir = folder.fresh()?;
    let built = build(store, &dir, ranking, progress).await;
    let done = match built {
        Ok(done) => done,
        Err(e) => {
            // A failed rebuild leaves nothing behind (a large site's partial index is big).
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
    };
    folder
        .make_current(&dir)
        .with_context(|| format!("cannot make {} the search index", dir.display()))?;
    tracing::info!(stories = done, path = %dir.display(), "built the search index");
    Ok(dir)
}

/// Writes every story into a new index in `dir`; returns how many.
async fn build(
    store: &dyn Store,
    dir: &std::path::Path,
    ranking: Ranking,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> anyhow::Result<u64> {
    let total = store.story_count().await?;
    // Changes from here on are taken in after the switch: the log is read from this point.
    let from = store.last_change().await?;
    let index = {
        let dir = dir.to_owned();
        Arc::new(tokio::task::spawn_blocking(move || SearchIndex::create(&dir, ranking)).await??)
    };
    let mut after = StoryId(0);
    let mut done = 0;
    loop {
        let batch = match store.stories_after(after, BATCH).await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(error = %e, "a batch of stories cannot be read: reading them one by one");
                let ids = store.story_ids_filed(&Listing::All).await?;
                let next: Vec<StoryId> = ids
                    .into_iter()
                    .filter(|id| *id > after)
                    .take(BATCH as usize)
                    .collect();
                let Some(last) = next.last() else { break };
                after = *last;
                let batch = readable(store, &next).await?;
                done += batch.len() as u64;
                let documents: Vec<Document> = batch.iter().map(document_of).collect();
                let writer = index.clone();
                tokio::task::spawn_blocking(move || writer.add_new(&documents)).await??;
                continue;
            }
        };
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
    Ok(done)
}

/// Takes in every change after the index's position: the stories they name are read again
/// (or removed when gone), and so are the stories of a renamed section, tag or author. While
/// another process on this data folder writes the index, its commits are followed instead.
async fn catch_up(store: &dyn Store, index: &Arc<SearchIndex>) -> anyhow::Result<Vec<StoryId>> {
    let writing = {
        let index = index.clone();
        tokio::task::spawn_blocking(move || index.try_to_write()).await??
    };
    if !writing {
        index.refresh()?;
        return Ok(Vec::new());
    }
    let mut touched = Vec::new();
    loop {
        let position = index.position().map_or(0, |p| p.change);
        let changes = store.changes_since(ChangeId(position)).await?;
        let Some(through) = changes.last().map(|(id, _)| id.0) else {
            return Ok(touched);
        };
        let ids = stories_named(store, &changes).await?;
        let chunks: Vec<&[StoryId]> = ids.chunks(BATCH as usize).collect();
        if chunks.is_empty() {
            let writer = index.clone();
            tokio::task::spawn_blocking(move || writer.apply(&[], &[], through)).await??;
        }
        for (n, chunk) in chunks.iter().enumerate() {
            let found = readable(store, chunk).await?;
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
        touched.extend_from_slice(&ids);
    }
}

/// The stories of `ids` that exist and can be read. A story the store cannot read (a row
/// broken by hand) is left out with a warning rather than holding up every other one; a
/// store that cannot answer at all is an error, retried later.
async fn readable(store: &dyn Store, ids: &[StoryId]) -> anyhow::Result<Vec<Searchable>> {
    match store.stories_by_id(ids).await {
        Ok(found) => Ok(found),
        Err(StoreError::Unavailable(e)) => Err(StoreError::Unavailable(e).into()),
        Err(_) => {
            let mut found = Vec::with_capacity(ids.len());
            for id in ids {
                match store.stories_by_id(&[*id]).await {
                    Ok(one) => found.extend(one),
                    Err(StoreError::Unavailable(e)) => {
                        return Err(StoreError::Unavailable(e).into());
                    }
                    Err(e) => {
                        tracing::warn!(story = id.0, error = %e, "a story cannot be read for the search index: left out")
                    }
                }
            }
            Ok(found)
        }
    }
}

/// The stories a run of changes names: by their own key, or as filed under a section, tag or
/// author that changed.
async fn stories_named(
    store: &dyn Store,
    changes: &[(ChangeId, Vec<CacheKey>)],
) -> anyhow::Result<Vec<StoryId>> {
    let mut ids = BTreeSet::new();
    for key in changes.iter().flat_map(|(_, keys)| keys) {
        let filed = match key {
            CacheKey::Story(id) => {
                ids.insert(*id);
                continue;
            }
            CacheKey::Section(slug) => Listing::Section(slug.clone()),
            CacheKey::Tag(slug) => Listing::Tag(slug.clone()),
            CacheKey::Author(slug) => Listing::Author(slug.clone()),
            _ => continue,
        };
        ids.extend(store.story_ids_filed(&filed).await?);
    }
    Ok(ids.into_iter().collect())
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
