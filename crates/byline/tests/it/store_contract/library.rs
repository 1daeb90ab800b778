//! The media library: pictures kept once, used by stories, described by the desk, deleted
//! only when unused, and the queue of renditions to make.

use byline_core::library::{DeleteOutcome, Describing, LibraryQuery, PictureEdit};
use byline_core::{Picture, PictureSource};
use chrono::{Duration, Utc};

use super::{at, created, fresh, wire};

/// A described photo kept under `key`.
pub fn photo(key: &str, credit: Option<&str>) -> Picture {
    Picture {
        source: PictureSource::Local {
            key: key.to_owned(),
        },
        credit: credit.map(str::to_owned),
        caption: Some("A caption".to_owned()),
        alt: Some("Alt text".to_owned()),
        width: Some(1200),
        height: Some(800),
        content_type: Some("image/jpeg".to_owned()),
        keywords: vec!["harbour".to_owned()],
        focus: Default::default(),
        rights: Default::default(),
    }
}

#[tokio::test]
async fn a_picture_is_kept_once_and_the_desk_words_replace_others_only_for_the_desk() {
    let (_site, store) = fresh().await;
    let now = Utc::now();
    let id = store
        .add_picture(&photo("ab/one.jpg", Some("AGENCY")), Describing::Desk, now)
        .await
        .unwrap();
    let again = store
        .add_picture(
            &photo("ab/one.jpg", Some("SOMEONE ELSE")),
            Describing::GapsOnly,
            now,
        )
        .await
        .unwrap();
    assert_eq!(again, id, "the same file is the same picture");
    let kept = store.library_picture(id).await.unwrap().unwrap();
    assert_eq!(
        kept.picture.credit.as_deref(),
        Some("AGENCY"),
        "gaps only: the credit stays"
    );
    store
        .add_picture(&photo("ab/one.jpg", Some("DESK")), Describing::Desk, now)
        .await
        .unwrap();
    let kept = store
        .library_picture_at("ab/one.jpg")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.id, kept.picture.credit.as_deref()),
        (id, Some("DESK"))
    );
    let page = store
        .library(&LibraryQuery {
            search: None,
            page: 0,
            per_page: 10,
            visible_to: None,
        })
        .await
        .unwrap();
    assert_eq!((page.total, page.pictures.len()), (1, 1));
}

#[tokio::test]
async fn a_used_picture_cannot_be_deleted_and_an_edit_reaches_every_story_using_it() {
    let (_site, store) = fresh().await;
    let now = Utc::now();
    let id = store
        .add_picture(&photo("cd/two.jpg", None), Describing::Desk, now)
        .await
        .unwrap();
    let story = created(store.as_ref(), wire("urn:p", "With a photo", at(5))).await;
    store
        .use_picture(story, id, Some("Our caption".to_owned()), now)
        .await
        .unwrap();
    let uses = store.picture_uses(id).await.unwrap();
    assert_eq!(uses.len(), 1);
    let (outcome, _) = store.delete_picture(id).await.unwrap();
    assert_eq!(outcome, DeleteOutcome::InUse(1));
    assert!(
        store.library_picture(id).await.unwrap().is_some(),
        "nothing was changed"
    );

    let before = store.last_change().await.unwrap();
    let edit = PictureEdit {
        credit: Some("NEW CREDIT".to_owned()),
        caption: Some("Library caption".to_owned()),
        alt: Some("New alt".to_owned()),
        keywords: vec![],
        focus: Default::default(),
    };
    store.edit_picture(id, edit, now).await.unwrap();
    let slug = byline_core::Slug::parse("with-a-photo").unwrap();
    let shown = store.story_by_slug(&slug).await.unwrap().unwrap();
    let lead = shown.lead_picture.unwrap();
    assert_eq!(lead.credit.as_deref(), Some("NEW CREDIT"));
    assert_eq!(
        lead.caption.as_deref(),
        Some("Our caption"),
        "the story's own caption stays"
    );
    let changes = super::changes_after(store.as_ref(), before).await;
    assert!(
        changes
            .iter()
            .any(|keys| keys.contains(&format!("story-{story}"))),
        "{changes:?}"
    );

    let unused = store
        .add_picture(&photo("ef/three.jpg", None), Describing::Desk, now)
        .await
        .unwrap();
    let (outcome, place) = store.delete_picture(unused).await.unwrap();
    assert_eq!(outcome, DeleteOutcome::Deleted);
    assert_eq!(place, "ef/three.jpg");
    assert!(store.library_picture(unused).await.unwrap().is_none());
}

#[tokio::test]
async fn a_rendition_job_goes_to_one_worker_at_a_time_until_it_is_finished() {
    let (_site, store) = fresh().await;
    let now = Utc::now();
    let id = store
        .add_picture(&photo("gh/four.jpg", None), Describing::Desk, now)
        .await
        .unwrap();
    let lease = std::time::Duration::from_secs(600);
    let job = store
        .claim_rendition_job(now, lease)
        .await
        .unwrap()
        .expect("a job queued");
    assert_eq!((job.picture, job.key.as_str()), (id, "gh/four.jpg"));
    assert!(
        store
            .claim_rendition_job(now, lease)
            .await
            .unwrap()
            .is_none(),
        "leased"
    );
    store
        .finish_rendition_job(job.id, Ok(()), now)
        .await
        .unwrap();
    let after_lease = now + Duration::seconds(601);
    assert!(
        store
            .claim_rendition_job(after_lease, lease)
            .await
            .unwrap()
            .is_none(),
        "done"
    );
}

#[tokio::test]
async fn a_rendition_finds_its_picture_by_stem_and_a_new_lead_photo_joins_the_library() {
    let (_site, store) = fresh().await;
    let now = Utc::now();
    store
        .add_picture(&photo("ij/five.jpg", Some("AGENCY")), Describing::Desk, now)
        .await
        .unwrap();
    let found = store
        .picture_of_stem("ij/five", &["png", "jpg"])
        .await
        .unwrap();
    assert_eq!(found.map(|p| p.credit), Some(Some("AGENCY".to_owned())));
    assert!(
        store
            .picture_of_stem("ij/five", &["png"])
            .await
            .unwrap()
            .is_none()
    );

    let story = created(store.as_ref(), wire("urn:l", "With a lead", at(5))).await;
    let before = store.last_change().await.unwrap();
    let lead = photo("kl/six.jpg", Some("NEW AGENCY"));
    store
        .set_lead_picture(story, Some(lead), Describing::Desk, now)
        .await
        .unwrap();
    let kept = store
        .library_picture_at("kl/six.jpg")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.uses, 1);
    let changes = super::changes_after(store.as_ref(), before).await;
    assert!(
        changes
            .iter()
            .any(|keys| keys.contains(&format!("story-{story}"))),
        "{changes:?}"
    );
    store
        .set_lead_picture(story, None, Describing::Desk, now)
        .await
        .unwrap();
    let slug = byline_core::Slug::parse("with-a-lead").unwrap();
    assert!(
        store
            .story_by_slug(&slug)
            .await
            .unwrap()
            .unwrap()
            .lead_picture
            .is_none()
    );
}
