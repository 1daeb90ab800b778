//! The front page's lead and picks, sections and tags, and the changes they record.

use byline_core::Slug;
use byline_core::store::{SectionEdit, StoreError};
use chrono::Utc;

use super::{at, changes_after, created, fresh, wire};

fn slug(text: &str) -> Slug {
    Slug::parse(text).unwrap()
}

#[tokio::test]
async fn picks_keep_their_order_and_a_bad_list_leaves_the_old_one_whole() {
    let (_site, store) = fresh().await;
    for n in 0..3 {
        created(
            store.as_ref(),
            wire(&format!("urn:{n}"), &format!("Pick {n}"), at(10 + n)),
        )
        .await;
    }
    let before = store.last_change().await.unwrap();
    store
        .set_picks(&[slug("pick-2"), slug("pick-0")], Utc::now())
        .await
        .unwrap();
    let shown = |cards: Vec<byline_core::StoryCard>| -> Vec<String> {
        cards.into_iter().map(|c| c.slug.to_string()).collect()
    };
    assert_eq!(
        shown(store.picks(Utc::now()).await.unwrap()),
        ["pick-2", "pick-0"]
    );
    assert_eq!(
        changes_after(store.as_ref(), before).await,
        vec![vec!["rails".to_owned()]]
    );

    let unknown = store
        .set_picks(&[slug("pick-1"), slug("no-such-story")], Utc::now())
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
    let twice = store
        .set_picks(&[slug("pick-1"), slug("pick-1")], Utc::now())
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    assert_eq!(
        shown(store.picks(Utc::now()).await.unwrap()),
        ["pick-2", "pick-0"],
        "a refused list changes nothing"
    );
}

#[tokio::test]
async fn the_chosen_lead_shows_while_it_is_public_and_records_the_home_page() {
    let (_site, store) = fresh().await;
    created(store.as_ref(), wire("urn:lead", "The lead", at(10))).await;
    assert!(store.home_lead(Utc::now()).await.unwrap().is_none());
    let before = store.last_change().await.unwrap();
    store
        .set_home_lead(Some(&slug("the-lead")), Utc::now())
        .await
        .unwrap();
    let lead = store.home_lead(Utc::now()).await.unwrap().unwrap();
    assert_eq!(lead.slug.as_str(), "the-lead");
    assert!(
        store.home_lead(at(20)).await.unwrap().is_none(),
        "not public then"
    );
    store.set_home_lead(None, Utc::now()).await.unwrap();
    assert!(store.home_lead(Utc::now()).await.unwrap().is_none());
    assert_eq!(
        changes_after(store.as_ref(), before).await,
        vec![vec!["home".to_owned()]; 2]
    );
}

#[tokio::test]
async fn sections_keep_their_order_and_a_taken_slug_is_a_conflict() {
    let (_site, store) = fresh().await;
    let edit = |name: &str, slug_text: &str, position| SectionEdit {
        id: None,
        slug: slug(slug_text),
        name: name.to_owned(),
        description: String::new(),
        position,
        parent: None,
    };
    let before = store.last_change().await.unwrap();
    store
        .save_section(edit("Sport", "sport", 2), Utc::now())
        .await
        .unwrap();
    store
        .save_section(edit("City", "city", 1), Utc::now())
        .await
        .unwrap();
    let names: Vec<String> = store
        .sections()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["City", "Sport"]);
    let city = store.section(&slug("city")).await.unwrap().unwrap();
    let taken = SectionEdit {
        id: Some(city.id),
        ..edit("City", "sport", 1)
    };
    assert!(matches!(
        store.save_section(taken, Utc::now()).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store.section(&slug("city")).await.unwrap().is_some(),
        "the refused change left it"
    );
    let changes = changes_after(store.as_ref(), before).await;
    assert_eq!(
        changes,
        vec![
            vec![
                "site".to_owned(),
                "lists".to_owned(),
                "section-sport".to_owned()
            ],
            vec![
                "site".to_owned(),
                "lists".to_owned(),
                "section-city".to_owned()
            ],
        ],
        "the section's own key tells the search index which stories to read again"
    );
}

#[tokio::test]
async fn a_renamed_tag_keeps_its_address() {
    let (_site, store) = fresh().await;
    created(store.as_ref(), wire("urn:t", "Tagged", at(10))).await;
    let tags = store.tags().await.unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!((tags[0].0.name.as_str(), tags[0].1), ("Harbour", 1));
    let before = store.last_change().await.unwrap();
    store
        .rename_tag(&slug("harbour"), "The Harbour", Utc::now())
        .await
        .unwrap();
    let tag = store.tag(&slug("harbour")).await.unwrap().unwrap();
    assert_eq!(tag.name, "The Harbour");
    assert_eq!(
        changes_after(store.as_ref(), before).await,
        vec![vec!["site".to_owned(), "tag-harbour".to_owned()]]
    );
}
