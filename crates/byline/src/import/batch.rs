//! An import's items saved a batch at a time: many stories in one transaction, each answered
//! on its own, and every report told in the order the items were read, once its batch is
//! written (so a report never tells of a story an interrupted run did not keep).

use std::path::PathBuf;

use byline_core::store::SaveOutcome;
use byline_core::{Slug, Status, StoryKind};
use byline_render::views::paths;

use super::{Action, ItemReport, Progress};
use crate::usecases::imports::{self, Draft};
use crate::usecases::{Actor, Newsroom};

/// How many items one transaction saves at most: enough that the commit's cost is shared,
/// few enough that the write lock is held for a fraction of a second and memory holds a
/// hundred items, not the file.
pub(super) const ITEMS_PER_BATCH: usize = 100;

/// How many reports wait behind an item being saved before the batch is saved anyway (a
/// file of a few posts among thousands of entries left out would otherwise hold them all).
const REPORTS_HELD: usize = 10 * ITEMS_PER_BATCH;

/// An item read and made ready to save: its draft and what its report needs.
pub(super) struct ReadyItem {
    pub draft: Draft,
    /// The item's uri.
    pub id: String,
    pub warnings: Vec<String>,
    /// The file it was read from, named when it is not saved.
    pub file: PathBuf,
    /// Why its status is not the one the source gave (an embargo, say).
    pub note: Option<String>,
    /// Its source kept it at the top: a "Don't miss" pick once saved.
    pub sticky: bool,
}

enum Entry {
    /// Boxed: a draft holds a whole story, a report a line.
    Ready(Box<ReadyItem>),
    /// An item with nothing to save (invalid, left out on purpose): told in its turn.
    Told(ItemReport),
}

/// The items read since the last save, across the files of a run: a folder of one-item wire
/// files is saved a hundred items at a time too. The caller saves what is left at the end.
#[derive(Default)]
pub struct Batch {
    entries: Vec<Entry>,
    ready: usize,
}

impl Batch {
    /// Tells `report` after the items read before it.
    pub(super) async fn tell(
        &mut self,
        nr: &Newsroom,
        report: ItemReport,
        tell: &mut (dyn FnMut(Progress) + Send),
    ) {
        if self.entries.is_empty() {
            tell(Progress::Item(report));
            return;
        }
        self.entries.push(Entry::Told(report));
        if self.entries.len() >= REPORTS_HELD {
            self.save(nr, tell).await;
        }
    }

    /// Adds an item to save, saving the batch once it is full.
    pub(super) async fn add(
        &mut self,
        nr: &Newsroom,
        item: ReadyItem,
        tell: &mut (dyn FnMut(Progress) + Send),
    ) {
        self.entries.push(Entry::Ready(Box::new(item)));
        self.ready += 1;
        if self.ready >= ITEMS_PER_BATCH {
            self.save(nr, tell).await;
        }
    }

    /// Saves the items added since the last save in one transaction, then tells every report
    /// in turn.
    pub async fn save(&mut self, nr: &Newsroom, tell: &mut (dyn FnMut(Progress) + Send)) {
        let entries = std::mem::take(&mut self.entries);
        self.ready = 0;
        // The batch is saved at one moment: what is public, and the revisions' and changes'
        // times, are judged by it.
        let now = chrono::Utc::now();
        let mut drafts = Vec::new();
        let slots: Vec<Slot> = entries
            .into_iter()
            .map(|entry| match entry {
                Entry::Told(report) => Slot::Told(report),
                Entry::Ready(item) => {
                    let (draft, saving) = item.split(now);
                    drafts.push(draft);
                    Slot::Saving(saving)
                }
            })
            .collect();
        let count = drafts.len();
        let outcomes: Vec<Result<SaveOutcome, String>> = if count == 0 {
            Vec::new()
        } else {
            match imports::import_items(nr, Actor::System, drafts, now).await {
                Ok(outcomes) => outcomes
                    .into_iter()
                    .map(|o| o.map_err(|e| e.to_string()))
                    .collect(),
                Err(e) => vec![Err(e.to_string()); count],
            }
        };
        let mut outcomes = outcomes.into_iter();
        for slot in slots {
            let report = match slot {
                Slot::Told(report) => report,
                Slot::Saving(saving) => {
                    let outcome = outcomes.next().unwrap_or_else(|| Err("not saved".into()));
                    report_of(saving, outcome, tell)
                }
            };
            tell(Progress::Item(report));
        }
    }
}

impl ReadyItem {
    /// The draft to save, and what the item's report needs of it.
    fn split(self, now: chrono::DateTime<chrono::Utc>) -> (Draft, Saving) {
        let draft = self.draft;
        let saving = Saving {
            public: draft.status.at(draft.published_at, now) == Status::Published
                && draft.published_at.is_some_and(|t| t <= now),
            published: draft.status == Status::Published,
            page: draft.page.is_some(),
            version: draft.version,
            id: self.id,
            warnings: self.warnings,
            file: self.file,
            note: self.note,
            sticky: self.sticky,
        };
        (draft, saving)
    }
}

/// An item in its batch's turn: told as it was, or saved and then told.
enum Slot {
    Told(ItemReport),
    Saving(Saving),
}

/// An item being saved, as its report needs it.
struct Saving {
    /// Readers may see it once saved.
    public: bool,
    /// Its source published it.
    published: bool,
    page: bool,
    version: Option<i64>,
    id: String,
    warnings: Vec<String>,
    file: PathBuf,
    note: Option<String>,
    sticky: bool,
}

/// What became of one saved item; a sticky story saved public is told as a pick first.
fn report_of(
    item: Saving,
    saved: Result<SaveOutcome, String>,
    tell: &mut (dyn FnMut(Progress) + Send),
) -> ItemReport {
    let page = item.page;
    // A page is never a pick: picks are stories.
    let sticky = item.sticky && item.published && !page;
    if sticky
        && let Ok(
            SaveOutcome::Created { slug, .. }
            | SaveOutcome::Updated { slug, .. }
            | SaveOutcome::SkippedUnchanged { slug },
        ) = &saved
    {
        tell(Progress::Picked(slug.clone()));
    }
    let kind = if page {
        StoryKind::Page
    } else {
        StoryKind::Story
    };
    let address = |slug: &Slug| paths::of(kind, slug);
    // Only what readers may see is linked from a menu.
    let path = match &saved {
        Ok(
            SaveOutcome::Created { slug, .. }
            | SaveOutcome::Updated { slug, .. }
            | SaveOutcome::SkippedUnchanged { slug }
            | SaveOutcome::SkippedUnknown { slug }
            | SaveOutcome::SkippedEdited { slug }
            | SaveOutcome::SkippedOlder { slug, .. },
        ) if item.public => Some(address(slug)),
        _ => None,
    };
    let (action, detail) = told(&item, saved, address);
    ItemReport {
        action,
        id: item.id,
        detail,
        warnings: item.warnings,
        path,
    }
}

/// What a report says became of a saved item, and its detail line.
fn told(
    item: &Saving,
    saved: Result<SaveOutcome, String>,
    address: impl Fn(&Slug) -> String,
) -> (Action, String) {
    let with_note = |path: String| match &item.note {
        Some(note) => format!("{path} ({note})"),
        None => path,
    };
    match saved {
        Ok(SaveOutcome::Created { slug, .. }) => (Action::Created, with_note(address(&slug))),
        Ok(SaveOutcome::Updated { slug, .. }) => (Action::Updated, with_note(address(&slug))),
        Ok(SaveOutcome::SkippedUnchanged { slug }) => (Action::Unchanged, address(&slug)),
        Ok(SaveOutcome::SkippedUnknown { slug }) => (
            Action::Skipped,
            format!(
                "{}: imported before Byline recorded its imports, so changes made in the \
                 newsroom cannot be told apart; a newer version or --overwrite replaces it",
                address(&slug)
            ),
        ),
        Ok(SaveOutcome::SkippedEdited { slug }) => (
            Action::Skipped,
            format!(
                "{}: changed in the newsroom since it was imported; --overwrite replaces it",
                address(&slug)
            ),
        ),
        Ok(SaveOutcome::SkippedOlder {
            slug,
            stored_version,
        }) => (
            Action::Skipped,
            format!(
                "version {} is older than the stored version {stored_version} of {}",
                item.version.unwrap_or(0),
                address(&slug)
            ),
        ),
        Err(e) => (
            Action::Invalid,
            format!("{}: not saved: {e}", item.file.display()),
        ),
    }
}
