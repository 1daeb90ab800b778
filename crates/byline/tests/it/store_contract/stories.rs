//! Saving stories from a source, finding them, listing them, and the changes saves record.

use byline_core::Status;
use byline_core::store::{ListQuery, Listing, SaveOutcome};
use chrono::Utc;

use super::{at, changes_after, created, fresh, wire};

#[tokio::test]
async fn an_item_saved_again_is_updated_in_place_skipped_unchanged_or_kept_when_older() {
    let (_site, store) = fresh().await;
    let id = created(store.as_ref(), wire("urn:a", "Harbour reopens", at(30))).await;

    let again = store
        .save_story(wire("urn:a", "Harbour reopens", at(30)))
        .await
        .unwrap();
    assert!(
        matches!(again, SaveOutcome::SkippedUnchanged { .. }),
        "{again:?}"
    );

    let mut newer = wire("urn:a", "Harbour reopens at dawn", at(30));
    newer.version = Some(2);
    match store.save_story(newer).await.unwrap() {
        SaveOutcome::Updated { id: updated, slug } => {
            assert_eq!(updated, id);
            assert_eq!(
                slug.as_str(),
                "harbour-reopens",
                "an existing story keeps its slug"
            );
        }
        other => panic!("not updated: {other:?}"),
    }
    let mut older = wire("urn:a", "Harbour reopens (old)", at(30));
    older.version = Some(1);
    older.origin.fingerprint = "older".into();
    match store.save_story(older).await.unwrap() {
        SaveOutcome::SkippedOlder { stored_version, .. } => assert_eq!(stored_version, 2),
        other => panic!("an older version was applied: {other:?}"),
    }
    let slug = byline_core::Slug::parse("harbour-reopens").unwrap();
    let story = store.story_by_slug(&slug).await.unwrap().unwrap();
    assert_eq!(story.headline.as_str(), "Harbour reopens at dawn");
    assert_eq!(store.story_count().await.unwrap(), 1);
}

/// A story saved under an identity an earlier version gave its item takes the new identity
/// on: saved again, it is updated, not copied; a dry run leaves the old identity; a second
/// item claiming the same former identity is a story of its own.
#[tokio::test]
async fn an_item_found_under_its_former_identity_takes_the_new_one() {
    let (_site, store) = fresh().await;
    let id = created(
        store.as_ref(),
        wire("wordpress:g1", "Harbour reopens", at(30)),
    )
    .await;
    let renamed = |new: &str, headline: &str| {
        let mut input = wire(new, headline, at(30));
        input.former_external_ids = vec!["wordpress:g1".to_owned()];
        input
    };
    let mut dry = renamed("wordpress:g1#post-1", "Harbour reopens at dawn");
    dry.dry_run = true;
    let outcome = store.save_story(dry).await.unwrap();
    assert!(
        matches!(outcome, SaveOutcome::Updated { id: same, .. } if same == id),
        "{outcome:?}"
    );
    let outcome = store
        .save_story(renamed("wordpress:g1#post-1", "Harbour reopens at dawn"))
        .await
        .unwrap();
    assert!(
        matches!(outcome, SaveOutcome::Updated { id: same, .. } if same == id),
        "{outcome:?}"
    );
    let outcome = store
        .save_story(renamed("wordpress:g1#post-2", "A copy sharing the guid"))
        .await
        .unwrap();
    assert!(
        matches!(outcome, SaveOutcome::Created { .. }),
        "{outcome:?}"
    );
    assert_eq!(store.story_count().await.unwrap(), 2);
}

#[tokio::test]
async fn a_taken_slug_gets_the_next_free_suffix() {
    let (_site, store) = fresh().await;
    let mut slugs = Vec::new();
    for n in 0..3 {
        let input = wire(&format!("urn:{n}"), "Same headline", at(10 + n));
        match store.save_story(input).await.unwrap() {
            SaveOutcome::Created { slug, .. } => slugs.push(slug.to_string()),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        slugs,
        ["same-headline", "same-headline-2", "same-headline-3"]
    );
}

#[tokio::test]
async fn listings_show_public_stories_newest_first_a_page_at_a_time() {
    let (_site, store) = fresh().await;
    for n in 0..5 {
        created(
            store.as_ref(),
            wire(&format!("urn:{n}"), &format!("Story {n}"), at(50 - n)),
        )
        .await;
    }
    let mut draft = wire("urn:draft", "A draft", at(1));
    draft.status = Status::Draft;
    created(store.as_ref(), draft).await;
    let mut later = wire("urn:later", "Not yet", at(1));
    later.published_at = Some(Utc::now() + chrono::Duration::hours(1));
    created(store.as_ref(), later).await;

    let page = |offset| ListQuery {
        listing: Listing::All,
        limit: 3,
        offset,
        now: Utc::now(),
    };
    let first = store.list_cards(&page(0)).await.unwrap();
    let headlines: Vec<&str> = first.cards.iter().map(|c| c.headline.as_str()).collect();
    assert_eq!(headlines, ["Story 4", "Story 3", "Story 2"]);
    assert!(first.has_more);
    let second = store.list_cards(&page(3)).await.unwrap();
    let headlines: Vec<&str> = second.cards.iter().map(|c| c.headline.as_str()).collect();
    assert_eq!(
        headlines,
        ["Story 1", "Story 0"],
        "no draft, nothing from the future"
    );
    assert!(!second.has_more);

    let section = ListQuery {
        listing: Listing::Section(byline_core::Slug::parse("news").unwrap()),
        ..page(0)
    };
    assert_eq!(store.list_cards(&section).await.unwrap().cards.len(), 3);
    let author = ListQuery {
        listing: Listing::Author(byline_core::Slug::parse("ana-reporter").unwrap()),
        limit: 10,
        ..page(0)
    };
    assert_eq!(store.list_cards(&author).await.unwrap().cards.len(), 5);
    // Any status by slug: callers decide what readers see.
    let slug = byline_core::Slug::parse("a-draft").unwrap();
    assert_eq!(
        store.story_by_slug(&slug).await.unwrap().unwrap().status,
        Status::Draft
    );
}

#[tokio::test]
async fn a_public_save_records_its_story_rails_and_lists_and_a_draft_only_its_own_key() {
    let (_site, store) = fresh().await;
    let before = store.last_change().await.unwrap();
    let id = created(store.as_ref(), wire("urn:a", "Public one", at(5))).await;
    let mut draft = wire("urn:b", "Private one", at(5));
    draft.status = Status::Draft;
    let draft = created(store.as_ref(), draft).await;
    // A draft touches no public page, but the newsroom's search index follows it. The first
    // save made the section "News", which every page's navigation names.
    let changes = changes_after(store.as_ref(), before).await;
    assert_eq!(
        changes,
        vec![
            vec!["site".to_owned()],
            vec![format!("story-{id}"), "rails".into(), "lists".into()],
            vec![format!("story-{draft}")]
        ]
    );
    assert!(store.last_change().await.unwrap() > before);
}

#[tokio::test]
async fn a_story_saved_with_a_publication_time_to_come_is_not_public_before_it() {
    let (_site, store) = fresh().await;
    let mut later = wire("urn:later", "Later today", at(0));
    later.published_at = Some(Utc::now() + chrono::Duration::hours(2));
    let id = created(store.as_ref(), later).await;
    let slug = byline_core::Slug::parse("later-today").unwrap();
    let story = store.story_by_slug(&slug).await.unwrap().unwrap();
    assert_eq!(story.id, id);
    assert!(!story.is_public_at(Utc::now()));
    assert!(story.is_public_at(Utc::now() + chrono::Duration::hours(3)));
}

#[tokio::test]
async fn the_admin_list_filters_orders_and_keeps_others_drafts_from_a_writer() {
    use byline_core::access::Role;
    use byline_core::store::{AdminOrder, AdminQuery};

    let (_site, store) = fresh().await;
    let ana = super::editorial::member(store.as_ref(), "Ana", Role::Contributor).await;
    let bo = super::editorial::member(store.as_ref(), "Bo", Role::Editor).await;
    super::editorial::draft(store.as_ref(), &ana, "Ana's draft", "anas-draft").await;
    super::editorial::draft(store.as_ref(), &bo, "Bo's draft", "bos-draft").await;
    created(store.as_ref(), wire("urn:p", "A published one", at(5))).await;
    let headlines = |rows: Vec<byline_core::store::AdminStoryRow>| -> Vec<String> {
        rows.into_iter()
            .map(|r| r.headline.as_str().to_owned())
            .collect()
    };
    let all = AdminQuery {
        limit: 10,
        order: AdminOrder::Headline,
        ..AdminQuery::default()
    };
    let (rows, more) = store.admin_stories(&all).await.unwrap();
    assert_eq!(
        headlines(rows),
        ["A published one", "Ana's draft", "Bo's draft"]
    );
    assert!(!more);
    let drafts = AdminQuery {
        status: Some(Status::Draft),
        ..all.clone()
    };
    assert_eq!(store.admin_stories(&drafts).await.unwrap().0.len(), 2);
    let hers = AdminQuery {
        own_or_public: Some(ana.id),
        ..all.clone()
    };
    let (rows, _) = store.admin_stories(&hers).await.unwrap();
    assert_eq!(headlines(rows), ["A published one", "Ana's draft"]);
    let found = AdminQuery {
        text: Some("PUBLISHED".to_owned()),
        ..all.clone()
    };
    assert_eq!(store.admin_stories(&found).await.unwrap().0.len(), 1);
    let first = AdminQuery { limit: 1, ..all };
    assert!(store.admin_stories(&first).await.unwrap().1, "more follow");
}

#[tokio::test]
async fn a_store_answers_counts_its_jobs_and_pool_and_waits_a_bounded_time() {
    let (_site, store) = fresh().await;
    store.ping().await.unwrap();
    created(store.as_ref(), wire("urn:a", "Some story", at(5))).await;
    let author = store
        .author(&byline_core::Slug::parse("ana-reporter").unwrap())
        .await
        .unwrap();
    assert_eq!(author.map(|a| a.name), Some("Ana Reporter".to_owned()));
    assert_eq!(store.pending_jobs().await.unwrap(), 0);
    let pool = store.connections();
    assert!(pool.open >= 1 && pool.idle <= pool.open, "{pool:?}");
    let started = std::time::Instant::now();
    store
        .wait_for_changes(std::time::Duration::from_millis(300))
        .await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn stories_read_by_the_batch_come_whole_in_the_order_asked_as_read_alone() {
    use byline_core::access::Role;
    let (_site, store) = fresh().await;
    let ana = super::editorial::member(store.as_ref(), "Ana", Role::Editor).await;
    // More than one batch (128), each story filed its own way: tags and authors in an order
    // that is not their names', a correction on every seventh.
    let mut ids = Vec::new();
    for n in 0..140 {
        let mut input = wire(&format!("urn:b{n}"), &format!("Batch {n}"), at(300 - n));
        input.tags = vec![format!("Zed {}", n % 5), "Alpha".to_owned()];
        input.authors = vec![format!("Writer {}", n % 3), "Ana Reporter".to_owned()];
        let id = created(store.as_ref(), input).await;
        if n % 7 == 0 {
            for note in ["First fix.", "Second fix."] {
                store
                    .add_correction(id, ana.id, note, Utc::now())
                    .await
                    .unwrap();
            }
        }
        ids.push(id);
    }
    // Asked out of order, one twice and one that does not exist.
    let mut asked: Vec<_> = ids.iter().rev().copied().collect();
    asked.insert(5, ids[3]);
    asked.push(byline_core::StoryId(ids[139].0 + 1000));
    let found = store.stories_by_id(&asked).await.unwrap();
    let order: Vec<_> = found.iter().map(|s| s.story.id).collect();
    let mut expected: Vec<_> = ids
        .iter()
        .rev()
        .copied()
        .filter(|id| *id != ids[3])
        .collect();
    expected.insert(5, ids[3]);
    assert_eq!(
        order, expected,
        "in the order first asked, each once, the missing left out"
    );
    for searchable in &found {
        let alone = store
            .story_by_slug(&searchable.story.slug)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(format!("{:?}", searchable.story), format!("{alone:?}"));
    }
    let seventh = &found.iter().find(|s| s.story.id == ids[7]).unwrap().story;
    let tags: Vec<&str> = seventh.tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tags, ["Zed 2", "Alpha"]);
    let authors: Vec<&str> = seventh.authors.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(authors, ["Writer 1", "Ana Reporter"]);
    let notes: Vec<&str> = seventh
        .corrections
        .iter()
        .map(|c| c.note.as_str())
        .collect();
    assert_eq!(notes, ["First fix.", "Second fix."]);
    // A few at a time (a smaller batch) read the same.
    let few = store.stories_by_id(&ids[..5]).await.unwrap();
    assert_eq!(few.len(), 5);
    assert_eq!(few[0].story.authors.len(), 2);
}
