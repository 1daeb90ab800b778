//! A whole site out of one store and into another: every row kept, ids continued after, and
//! a restore that cannot be done leaving the store as it was.

use byline_core::archive::{Cell, TableRows};
use byline_core::store::StoreError;

use super::{at, created, fresh, wire};

#[tokio::test]
async fn a_dumped_site_restores_whole_into_an_empty_store_and_its_ids_continue() {
    let (_a, source) = fresh().await;
    let first = created(source.as_ref(), wire("urn:1", "First story", at(20))).await;
    created(source.as_ref(), wire("urn:2", "Second story", at(10))).await;
    let dump = source.dump_site().await.unwrap();

    let (_b, target) = fresh().await;
    target.restore_site(&dump).await.unwrap();
    assert_eq!(
        target.dump_site().await.unwrap(),
        dump,
        "every row as it was"
    );
    let slug = byline_core::Slug::parse("first-story").unwrap();
    assert_eq!(
        target.story_by_slug(&slug).await.unwrap().unwrap().id,
        first
    );
    // New rows get ids after the restored ones.
    let third = created(target.as_ref(), wire("urn:3", "Third story", at(5))).await;
    assert!(third.0 > first.0 + 1, "{third} after {first}");

    let again = target.restore_site(&dump).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
}

#[tokio::test]
async fn a_restore_that_fails_halfway_writes_nothing() {
    let (_a, source) = fresh().await;
    created(source.as_ref(), wire("urn:1", "Kept out", at(20))).await;
    let mut dump = source.dump_site().await.unwrap();
    // The story's row twice: its sections, tags and authors go in first, then the second
    // copy fails.
    let stories = dump.iter_mut().find(|t| t.table == "stories").unwrap();
    let row = stories.rows[0].clone();
    stories.rows.push(row);
    let (_b, target) = fresh().await;
    let before = target.dump_site().await.unwrap();
    let refused = target.restore_site(&dump).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    assert_eq!(
        target.dump_site().await.unwrap(),
        before,
        "nothing of the site was written"
    );

    let mut unknown = source.dump_site().await.unwrap();
    unknown.push(TableRows {
        table: "no_such_table".to_owned(),
        columns: vec!["id".to_owned()],
        rows: vec![vec![Cell::Int(1)]],
    });
    let refused = target.restore_site(&unknown).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    assert_eq!(target.story_count().await.unwrap(), 0);
}
