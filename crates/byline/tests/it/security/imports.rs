//! Importing again respects the newsroom: an unchanged item is left alone, an unedited story
//! follows its source, a story the newsroom changed is skipped unless `--overwrite`, every
//! import leaves a revision, and symbolic links never lead an import out of its folder.

use axum::http::StatusCode;
use byline_core::StoryId;

use crate::editorial::member;
use crate::support::{Item, Site, get};

#[tokio::test]
async fn a_reimport_never_undoes_the_newsroom_and_leaves_every_text_restorable() {
    let site = Site::new("");
    let wire = site.dir.path().join("wire");
    let item = |version: u32, body: &str| {
        Item::new("urn:test:harbour", "Harbour reopens")
            .created("2026-11-20T08:00:00Z")
            .version(version)
            .body(body)
            .write(&wire, "harbour")
    };
    let path = item(1, "<p>First version.</p>");
    let (out, _, ok) = site.import(&[&path]);
    assert!(ok && out.starts_with("created "), "{out}");
    let store = site.data_dir().open_store().await.unwrap();
    let id = StoryId(1);
    let revisions = store.revisions(id).await.unwrap();
    assert_eq!(revisions.len(), 1, "an import writes a revision");
    assert!(
        revisions[0]
            .source
            .as_deref()
            .is_some_and(|s| s.starts_with("import: ") && s.ends_with("harbour.json")),
        "{revisions:?}"
    );

    let (out, err, _) = site.import(&[&path]);
    assert!(
        out.starts_with("unchanged urn:test:harbour /story/harbour-reopens"),
        "{out}"
    );
    assert!(err.contains("0 updated, 1 unchanged"), "{err}");
    assert_eq!(
        store.revisions(id).await.unwrap().len(),
        1,
        "nothing written"
    );

    item(2, "<p>Second version.</p>");
    let (out, _, _) = site.import(&[&path]);
    assert!(
        out.starts_with("updated "),
        "an unedited story follows its source: {out}"
    );
    assert_eq!(store.revisions(id).await.unwrap().len(), 2);

    // An editor takes the story down and corrects its text.
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let (status, _, _) = ed.act(&app, id.0, "unpublish", "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    item(3, "<p>Third version.</p>");
    let (out, _, ok) = site.import(&[&path]);
    assert!(ok, "a skipped story is not an error");
    assert!(
        out.starts_with(
            "skipped  urn:test:harbour /story/harbour-reopens: changed in the newsroom"
        ),
        "{out}"
    );
    assert_eq!(
        get(&app, "/story/harbour-reopens").await.0,
        StatusCode::NOT_FOUND,
        "still down"
    );
    let story = store.editor_story(id).await.unwrap().unwrap();
    assert!(story.body_source.contains("Second version"));

    // --overwrite replaces it; what it replaced stays among the revisions.
    let out = site.cli(&["import", "ninjs", "--overwrite", path.to_str().unwrap()]);
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.starts_with("updated "), "{out}");
    assert_eq!(get(&app, "/story/harbour-reopens").await.0, StatusCode::OK);
    let texts: Vec<String> = store
        .revisions(id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.body_source)
        .collect();
    for version in ["First", "Second", "Third"] {
        assert!(
            texts
                .iter()
                .any(|t| t.contains(&format!("{version} version"))),
            "{version}: {texts:?}"
        );
    }
}

#[test]
fn symbolic_links_do_not_lead_an_import_out_of_its_folder_or_round_in_circles() {
    let site = Site::new("");
    let root = site.dir.path().join("wire");
    let elsewhere = site.dir.path().join("elsewhere");
    std::fs::create_dir_all(root.join("desk")).unwrap();
    Item::new("urn:test:inside", "Inside story").write(&root.join("desk"), "inside");
    Item::new("urn:test:outside", "Outside story").write(&elsewhere, "outside");
    std::os::unix::fs::symlink(&root, root.join("desk/loop")).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("outside.json"), root.join("outside.json")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, root.join("away")).unwrap();
    // An item whose picture is a link to a file elsewhere on the disk.
    std::fs::write(elsewhere.join("secret.jpg"), b"\xFF\xD8\xFFnot really").unwrap();
    std::os::unix::fs::symlink(elsewhere.join("secret.jpg"), root.join("desk/photo.jpg")).unwrap();
    Item::new("urn:test:photo", "Photo story")
        .picture("photo.jpg", "Agency", "A caption")
        .write(&root.join("desk"), "photo");

    let (out, err, ok) = site.import(&[&root]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("created  urn:test:inside"), "{out}");
    assert!(!out.contains("urn:test:outside"), "{out}");
    assert!(
        err.contains("not followed") && err.contains("outside.json"),
        "{err}"
    );
    assert!(
        err.contains("already searched"),
        "the loop is noticed: {err}"
    );
    assert!(
        err.contains("photo.jpg links to outside the item's folder"),
        "{err}"
    );
}

#[tokio::test]
async fn an_item_without_times_is_recognised_and_keeps_its_date() {
    let site = Site::new("");
    let wire = site.dir.path().join("wire");
    let path = Item::new("urn:test:undated", "Undated item").write(&wire, "undated");
    let (out, _, _) = site.import(&[&path]);
    assert!(out.starts_with("created "), "{out}");
    let store = site.data_dir().open_store().await.unwrap();
    let dated = |store: std::sync::Arc<dyn byline_core::store::Store>| async move {
        store
            .editor_story(StoryId(1))
            .await
            .unwrap()
            .unwrap()
            .published_at
    };
    let first = dated(store.clone()).await;
    assert!(first.is_some());
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (out, _, _) = site.import(&[&path]);
    assert!(
        out.starts_with("unchanged "),
        "its import time is not a change: {out}"
    );
    Item::new("urn:test:undated", "Undated item")
        .body("<p>Changed.</p>")
        .write(&wire, "undated");
    let (out, _, _) = site.import(&[&path]);
    assert!(out.starts_with("updated "), "{out}");
    assert_eq!(
        dated(store).await,
        first,
        "the story keeps its publication time"
    );
}

/// Runs `sql` on the site's store, whichever it is.
pub(crate) async fn run_sql(site: &Site, sql: &str) {
    match &site.database_url {
        Some(url) => crate::postgres::execute(url, sql),
        None => {
            let url = format!("sqlite://{}", site.data.join("byline.db").display());
            let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn a_story_imported_before_imports_were_recorded_waits_for_a_newer_version() {
    let site = Site::new("");
    let wire = site.dir.path().join("wire");
    let item = |version: u32, body: &str| {
        Item::new("urn:test:legacy", "Legacy story")
            .created("2026-11-20T08:00:00Z")
            .version(version)
            .body(body)
            .write(&wire, "legacy")
    };
    let path = item(1, "<p>As imported.</p>");
    assert!(site.import(&[&path]).0.starts_with("created "));
    // As a story imported by an earlier Byline looks: nothing recorded of its import.
    run_sql(&site, "UPDATE stories SET import_hash = NULL").await;
    let (out, _, ok) = site.import(&[&path]);
    assert!(ok);
    assert!(
        out.starts_with(
            "skipped  urn:test:legacy /story/legacy-story: imported before Byline recorded"
        ),
        "{out}"
    );
    item(2, "<p>The agency's update.</p>");
    let (out, _, _) = site.import(&[&path]);
    assert!(
        out.starts_with("updated "),
        "a newer version goes in: {out}"
    );
    let (out, _, _) = site.import(&[&path]);
    assert!(out.starts_with("unchanged "), "and is recorded: {out}");
}
