//! The newsroom's writes: drafts, lost-update detection, workflow moves and their schedule,
//! revisions, corrections, preview links and redirects.

use byline_core::access::Role;
use byline_core::accounts::{NewUser, User};
use byline_core::editorial::{
    BodyFormat, EditOutcome, PreviewLink, StatusChange, StoryEdit, StoryFields,
};
use byline_core::store::{Store, StoreError};
use byline_core::{Email, Headline, SafeHtml, Slug, Status, StoryId};
use chrono::{Duration, Utc};

use super::{changes_after, fresh};

pub async fn member(store: &dyn Store, name: &str, role: Role) -> User {
    let email = Email::parse(&format!("{}@example.org", name.to_lowercase())).unwrap();
    store
        .create_user(NewUser {
            email,
            name: name.to_owned(),
            role,
            password_hash: None,
            created_at: Utc::now(),
        })
        .await
        .unwrap()
}

pub fn fields(headline: &str, slug: &str) -> StoryFields {
    StoryFields {
        headline: Headline::parse(headline).unwrap(),
        standfirst: Some("A standfirst.".to_owned()),
        body_source: "Body text.".to_owned(),
        body_format: BodyFormat::Markdown,
        body_html: SafeHtml::from_sanitized("<p>Body text.</p>".to_owned()),
        summary: "A standfirst.".to_owned(),
        section: None,
        tags: vec![],
        authors: vec!["Ana".to_owned()],
        language: "en".to_owned(),
        slug: Slug::parse(slug).unwrap(),
        seo: Default::default(),
        place: None,
    }
}

pub fn link(days: i64) -> PreviewLink {
    PreviewLink {
        token: byline::secrets::random_token(),
        expires_at: Utc::now() + Duration::days(days),
    }
}

pub async fn draft(store: &dyn Store, owner: &User, headline: &str, slug: &str) -> StoryId {
    store
        .create_draft(fields(headline, slug), owner.id, &link(7), Utc::now())
        .await
        .unwrap()
}

pub async fn publish(store: &dyn Store, id: StoryId) {
    let change = StatusChange {
        from: Status::Draft,
        to: Status::Published,
        at: None,
        now: Utc::now(),
    };
    store.change_status(id, change).await.unwrap();
}

#[tokio::test]
async fn a_save_against_an_old_revision_is_a_conflict_and_changes_nothing() {
    let (_site, store) = fresh().await;
    let ana = member(store.as_ref(), "Ana", Role::Author).await;
    let id = draft(store.as_ref(), &ana, "First words", "first-words").await;
    let story = store.editor_story(id).await.unwrap().unwrap();
    assert_eq!((story.revision, story.created_by), (1, Some(ana.id)));

    let edit = |headline: &str, expected_revision| StoryEdit {
        fields: fields(headline, "first-words"),
        expected_revision,
        user: ana.id,
        now: Utc::now(),
    };
    match store.save_edit(id, edit("Second words", 1)).await.unwrap() {
        EditOutcome::Saved { revision, .. } => assert_eq!(revision, 2),
        other => panic!("{other:?}"),
    }
    match store.save_edit(id, edit("Stale words", 1)).await.unwrap() {
        EditOutcome::Conflict(current) => assert_eq!(current.headline.as_str(), "Second words"),
        other => panic!("a stale save was applied: {other:?}"),
    }
    let revisions = store.revisions(id).await.unwrap();
    let numbers: Vec<i64> = revisions.iter().map(|r| r.number).collect();
    assert_eq!(numbers.len(), 2, "{numbers:?}");
    assert!(numbers.contains(&1) && numbers.contains(&2));
    assert_eq!(
        store
            .editor_story(id)
            .await
            .unwrap()
            .unwrap()
            .headline
            .as_str(),
        "Second words"
    );
}

#[tokio::test]
async fn a_slug_taken_by_another_story_is_a_named_conflict_and_the_story_stays_whole() {
    let (_site, store) = fresh().await;
    let ana = member(store.as_ref(), "Ana", Role::Editor).await;
    draft(store.as_ref(), &ana, "Taken", "taken").await;
    let id = draft(store.as_ref(), &ana, "Mine", "mine").await;
    let edit = StoryEdit {
        fields: fields("Mine, renamed", "taken"),
        expected_revision: 1,
        user: ana.id,
        now: Utc::now(),
    };
    match store.save_edit(id, edit).await {
        Err(StoreError::Conflict(why)) => assert!(why.contains("taken"), "{why}"),
        other => panic!("expected a named conflict, got {other:?}"),
    }
    let story = store.editor_story(id).await.unwrap().unwrap();
    assert_eq!(
        (story.headline.as_str(), story.slug.as_str(), story.revision),
        ("Mine", "mine", 1)
    );
    assert_eq!(store.revisions(id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_scheduled_story_is_published_once_when_its_time_comes_and_recorded_then() {
    let (_site, store) = fresh().await;
    let ana = member(store.as_ref(), "Ana", Role::Editor).await;
    let id = draft(store.as_ref(), &ana, "At noon", "at-noon").await;
    let when = Utc::now() + Duration::minutes(30);
    let when = chrono::DateTime::from_timestamp(when.timestamp(), 0).unwrap();
    let change = StatusChange {
        from: Status::Draft,
        to: Status::Scheduled,
        at: Some(when),
        now: Utc::now(),
    };
    let before = store.last_change().await.unwrap();
    store.change_status(id, change).await.unwrap();
    assert_eq!(store.next_due().await.unwrap(), Some(when));
    assert_eq!(
        changes_after(store.as_ref(), before).await,
        vec![vec![format!("story-{id}")]],
        "nothing public changed yet: only the story's own key, for the search index"
    );
    assert!(store.publish_due(Utc::now()).await.unwrap().is_empty());

    let after = when + Duration::seconds(1);
    assert_eq!(store.publish_due(after).await.unwrap(), vec![id]);
    assert!(
        store.publish_due(after).await.unwrap().is_empty(),
        "published once"
    );
    assert_eq!(store.next_due().await.unwrap(), None);
    let story = store.editor_story(id).await.unwrap().unwrap();
    assert_eq!(
        (story.status, story.published_at),
        (Status::Published, Some(when))
    );
    let changes = changes_after(store.as_ref(), before).await;
    assert_eq!(
        changes,
        vec![
            vec![format!("story-{id}")],
            vec![format!("story-{id}"), "rails".into(), "lists".into()]
        ]
    );
}

#[tokio::test]
async fn a_correction_is_kept_in_order_and_touches_only_its_article() {
    let (_site, store) = fresh().await;
    let ana = member(store.as_ref(), "Ana", Role::Editor).await;
    let id = draft(store.as_ref(), &ana, "Corrected", "corrected").await;
    publish(store.as_ref(), id).await;
    let before = store.last_change().await.unwrap();
    store
        .add_correction(id, ana.id, "The date was wrong.", Utc::now())
        .await
        .unwrap();
    store
        .add_correction(id, ana.id, "The name was misspelt.", Utc::now())
        .await
        .unwrap();
    let notes: Vec<String> = store
        .corrections(id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.note)
        .collect();
    assert_eq!(notes, ["The date was wrong.", "The name was misspelt."]);
    let changes = changes_after(store.as_ref(), before).await;
    assert_eq!(
        changes,
        vec![vec![format!("story-{id}"), "feeds".to_owned()]; 2]
    );
}

#[tokio::test]
async fn a_preview_link_shows_an_unpublished_story_until_it_ends() {
    let (_site, store) = fresh().await;
    let ana = member(store.as_ref(), "Ana", Role::Author).await;
    let id = draft(store.as_ref(), &ana, "Sneak peek", "sneak-peek").await;
    let live = link(1);
    store.set_preview_link(id, Some(&live)).await.unwrap();
    let found = store
        .story_by_preview_token(&live.token, Utc::now())
        .await
        .unwrap();
    assert_eq!(found.map(|s| s.id), Some(id));
    let too_late = Utc::now() + Duration::days(2);
    assert!(
        store
            .story_by_preview_token(&live.token, too_late)
            .await
            .unwrap()
            .is_none()
    );
    store.set_preview_link(id, None).await.unwrap();
    assert!(
        store
            .story_by_preview_token(&live.token, Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    // Published, the public address takes over.
    store.set_preview_link(id, Some(&live)).await.unwrap();
    publish(store.as_ref(), id).await;
    assert!(
        store
            .story_by_preview_token(&live.token, Utc::now())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_published_story_whose_slug_changes_keeps_its_old_address() {
    let (_site, store) = fresh().await;
    let ana = member(store.as_ref(), "Ana", Role::Editor).await;
    let id = draft(store.as_ref(), &ana, "Old name", "old-name").await;
    publish(store.as_ref(), id).await;
    let edit = StoryEdit {
        fields: fields("New name", "new-name"),
        expected_revision: store.editor_story(id).await.unwrap().unwrap().revision,
        user: ana.id,
        now: Utc::now(),
    };
    assert!(matches!(
        store.save_edit(id, edit).await.unwrap(),
        EditOutcome::Saved { .. }
    ));
    let old = Slug::parse("old-name").unwrap();
    assert_eq!(
        store
            .redirect_for(&old)
            .await
            .unwrap()
            .map(|s| s.to_string()),
        Some("new-name".into())
    );
    assert!(
        store
            .redirect_for(&Slug::parse("never-was").unwrap())
            .await
            .unwrap()
            .is_none()
    );
}
