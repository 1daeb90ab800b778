//! Saving many stories at once: the same stories, pages, revisions, links, redirects, jobs,
//! events and cache keys as saving each alone, and the same outcome for every input.

use std::collections::{BTreeSet, HashMap};

use byline_core::archive::{Cell, TableRows};
use byline_core::pages::ImportedPage;
use byline_core::store::{SaveOutcome, SectionRef, Store, StoreError, StoryInput};
use byline_core::{ChangeId, SafeHtml, Slug, Status};
use chrono::{DateTime, Duration, Utc};

use super::library::photo;
use super::{created, fresh, wire};

/// A mix of inputs: new stories whose slugs collide with each other and with a stored one,
/// an update of a story made earlier in the same batch, a draft, a scheduled story, a dry
/// run, a page, a story that adopts a stored one by a former identity, one with no identity,
/// repeated tags, a lead picture with its caption and old addresses.
fn mixed_inputs(now: DateTime<Utc>) -> Vec<StoryInput> {
    let published = now - Duration::hours(2);
    let story = |id: &str, headline: &str| {
        let mut input = wire(id, headline, published);
        input.now = now;
        input.body = SafeHtml::from_sanitized(format!("<p>{headline} in full.</p>"));
        input
    };
    let mut first = story("w-1", "Harbour reopens");
    first.tags = vec!["Harbour".into(), "harbour".into(), "Ferry".into()];
    first.authors = vec!["Ana Reporter".into(), "Bo Writer".into()];
    first.lead_picture = Some(photo("ab/harbour.jpg", Some("AGENCY")));
    first.old_addresses = vec!["/2019/01/harbour-reopens".into()];
    // The same section slug under two parents: each parent is made, as saving each alone does.
    let local_under = |parent: &str| {
        let mut local = SectionRef::new(Slug::parse("local").unwrap(), "Local");
        let slug = Slug::derive(parent).unwrap();
        local.parent = Some(Box::new(SectionRef::new(slug, parent)));
        local
    };
    first.section = Some(local_under("World"));
    let mut second = story("w-2", "Harbour reopens");
    second.section = Some(local_under("Sports"));
    let mut again = story("w-1", "Harbour reopens at last");
    again.version = Some(2);
    let mut draft = story("w-3", "Council budget");
    draft.status = Status::Draft;
    draft.published_at = None;
    let mut scheduled = story("w-4", "Ferry timetable");
    scheduled.status = Status::Scheduled;
    scheduled.published_at = Some(now + Duration::hours(3));
    let mut dry = story("w-5", "Dry run story");
    dry.dry_run = true;
    let mut page = story("w-6", "About us");
    page.page = Some(ImportedPage {
        parent: None,
        position: 2,
    });
    let collides = story("w-7", "Old news");
    let mut adopts = story("w-8", "Renamed wire story");
    adopts.former_external_ids = vec!["w-old".into()];
    let mut anonymous = story("unused", "No identity");
    anonymous.external_id = None;
    let last = story("w-9", "Harbour reopens");
    vec![
        first, second, again, draft, scheduled, dry, page, collides, adopts, anonymous, last,
    ]
}

/// A fresh store holding what both sides start from: a story at `old-news` and one stored
/// under the identity `w-old`.
async fn seeded(now: DateTime<Utc>) -> (crate::support::Site, std::sync::Arc<dyn Store>) {
    let (site, store) = fresh().await;
    let mut old = wire("w-0", "Old news", now - Duration::days(1));
    old.now = now;
    created(store.as_ref(), old).await;
    let mut former = wire("w-old", "Former wire story", now - Duration::days(1));
    former.now = now;
    created(store.as_ref(), former).await;
    (site, store)
}

fn outcome_text(outcome: &Result<SaveOutcome, StoreError>) -> String {
    format!("{outcome:?}")
}

#[tokio::test]
async fn a_batch_saves_what_saving_each_alone_saves() {
    let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap();
    let (_one_site, one_by_one) = seeded(now).await;
    let (_batch_site, batched) = seeded(now).await;
    let one_start = one_by_one.last_change().await.unwrap();
    let batch_start = batched.last_change().await.unwrap();

    let mut alone = Vec::new();
    for input in mixed_inputs(now) {
        alone.push(one_by_one.save_story(input).await);
    }
    let together = batched.save_stories(mixed_inputs(now)).await.unwrap();

    let alone: Vec<String> = alone.iter().map(outcome_text).collect();
    let together: Vec<String> = together.iter().map(outcome_text).collect();
    assert_eq!(together, alone);
    assert!(together[1].contains("harbour-reopens-2"), "{together:?}");
    assert!(together[2].contains("Updated"), "{together:?}");
    assert!(together[7].contains("old-news-2"), "{together:?}");
    assert!(together[10].contains("harbour-reopens-3"), "{together:?}");
    let sections = batched.sections().await.unwrap();
    let slugs: Vec<&str> = sections.iter().map(|s| s.slug.as_str()).collect();
    assert!(
        slugs.contains(&"sports") && slugs.contains(&"world"),
        "{slugs:?}"
    );

    let (one_tables, batch_tables) = (
        ranked(one_by_one.dump_site().await.unwrap()),
        ranked(batched.dump_site().await.unwrap()),
    );
    for (one, batch) in one_tables.iter().zip(&batch_tables) {
        assert_eq!(batch, one, "table {} differs", one.table);
    }
    assert_eq!(batch_tables.len(), one_tables.len());
    let events = |events: Vec<byline_core::integrations::Event>| -> Vec<String> {
        let events = events.into_iter();
        events
            .map(|e| format!("{:?} {} {}", e.kind, e.subject, e.at))
            .collect()
    };
    assert_eq!(
        events(batched.pending_events(1000).await.unwrap()),
        events(one_by_one.pending_events(1000).await.unwrap())
    );
    assert_eq!(
        keys_after(batched.as_ref(), batch_start).await,
        keys_after(one_by_one.as_ref(), one_start).await
    );
}

/// The name tables and the columns that refer to their ids.
const NAME_TABLES: [(&str, &[(&str, &str)]); 3] = [
    (
        "sections",
        &[("sections", "parent_id"), ("stories", "section_id")],
    ),
    ("tags", &[("story_tags", "tag_id")]),
    ("authors", &[("story_authors", "author_id")]),
];

/// The dump with each name table's ids replaced by their rank, everywhere they are used:
/// PostgreSQL's sequences also count the inserts that found a name already there, and a batch
/// makes fewer of those, so the ids may skip differently while the names keep their order.
fn ranked(mut tables: Vec<TableRows>) -> Vec<TableRows> {
    for (name_table, uses) in NAME_TABLES {
        let ranks: HashMap<i64, i64> = tables
            .iter()
            .filter(|t| t.table == name_table)
            .flat_map(|t| column(t, "id").map(|i| (t, i)))
            .flat_map(|(t, i)| t.rows.iter().map(move |row| row[i].clone()))
            .filter_map(|cell| match cell {
                Cell::Int(id) => Some(id),
                _ => None,
            })
            .collect::<BTreeSet<i64>>()
            .into_iter()
            .zip(1..)
            .collect();
        for (table, col) in std::iter::once(&(name_table, "id")).chain(uses.iter()) {
            for t in tables.iter_mut().filter(|t| t.table == *table) {
                let Some(i) = column(t, col) else { continue };
                for row in &mut t.rows {
                    if let Cell::Int(id) = row[i] {
                        row[i] = Cell::Int(ranks[&id]);
                    }
                }
            }
        }
    }
    tables
}

fn column(table: &TableRows, name: &str) -> Option<usize> {
    table.columns.iter().position(|c| c == name)
}

/// Every cache key recorded after `after`.
async fn keys_after(store: &dyn Store, after: ChangeId) -> BTreeSet<String> {
    super::changes_after(store, after)
        .await
        .into_iter()
        .flatten()
        .collect()
}
