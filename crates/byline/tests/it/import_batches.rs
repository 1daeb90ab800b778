//! Imports saved many items per transaction: an item the store refuses halfway through its
//! save is rolled back alone, the reports keep the file's order, and an import killed
//! mid-run leaves only whole stories, so running it again completes the site.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use axum::http::StatusCode;

use crate::items::Item;
use crate::postgres;
use crate::support::{Site, get};

/// Runs `sqlite` on the site's SQLite store, or `postgres` on its PostgreSQL schema.
async fn on_store(site: &Site, sqlite: &str, postgres: &str) {
    match &site.database_url {
        Some(url) => postgres::execute(url, postgres),
        None => {
            use sqlx::Connection;
            let url = format!("sqlite://{}", site.data.join("byline.db").display());
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sqlite.to_owned()))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

/// Makes the store fail any save that links a story to the tag `poison`: after the story's
/// row and its other names are written, so the failure comes halfway through a save.
async fn poison_the_tag(site: &Site) {
    on_store(
        site,
        "CREATE TRIGGER poison BEFORE INSERT ON story_tags \
         WHEN NEW.tag_id IN (SELECT id FROM tags WHERE slug = 'poison') \
         BEGIN SELECT RAISE(ABORT, 'the poison tag is refused'); END;",
        "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN \
         IF NEW.tag_id IN (SELECT id FROM tags WHERE slug = 'poison') THEN \
         RAISE EXCEPTION 'the poison tag is refused'; END IF; RETURN NEW; END $$ \
         LANGUAGE plpgsql; \
         CREATE TRIGGER poison BEFORE INSERT ON story_tags FOR EACH ROW EXECUTE FUNCTION poison();",
    )
    .await;
}

async fn cure(site: &Site) {
    on_store(
        site,
        "DROP TRIGGER poison",
        "DROP TRIGGER poison ON story_tags; DROP FUNCTION poison();",
    )
    .await;
}

/// `count` items, `urn:batch:1`… in one file, the `poisoned` one tagged `Poison` (after
/// `Harbour`, so its save has written rows before it fails).
fn items_file(dir: &Path, count: usize, poisoned: usize) -> std::path::PathBuf {
    let items = (1..=count)
        .map(|k| {
            let tags: &[&str] = if k == poisoned {
                &["Harbour", "Poison"]
            } else {
                &["Harbour"]
            };
            Item::new(&format!("urn:batch:{k}"), &format!("Batch story {k}"))
                .created("2026-03-01T10:00:00Z")
                .subjects(tags)
        })
        .collect();
    Item::write_all(items, dir, "batch")
}

#[tokio::test]
async fn an_item_refused_halfway_is_rolled_back_alone_and_its_batch_is_kept() {
    let site = Site::new("");
    let dir = site.dir.path().join("items");
    // A first import makes the store; then the store is made to refuse one tag.
    let (_, _, ok) = site.import(&[&Item::new("urn:first", "First story").write(&dir, "first")]);
    assert!(ok);
    poison_the_tag(&site).await;
    // 250 items: three transactions, the refused item in the middle of the second.
    let file = items_file(&dir, 250, 150);
    let (out, err, ok) = site.import(&[&file]);
    assert!(!ok, "an item not saved fails the run: {err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 250, "{out}");
    for (k, line) in (1..).zip(&lines) {
        if k == 150 {
            assert!(
                line.starts_with("skipped  urn:batch:150 ")
                    && line.contains("not saved")
                    && line.contains("the poison tag is refused"),
                "{line}"
            );
        } else {
            assert_eq!(
                *line,
                format!("created  urn:batch:{k} /story/batch-story-{k}"),
                "the reports keep the file's order"
            );
        }
    }
    assert!(err.contains("249 created"), "{err}");
    let app = site.app().await;
    for k in [1, 100, 101, 149, 151, 200, 201, 250] {
        let (status, _, page) = get(&app, &format!("/story/batch-story-{k}")).await;
        assert_eq!(status, StatusCode::OK, "story {k}");
        assert!(page.contains(&format!("Batch story {k}")));
    }
    // Nothing of the refused item was kept: not its story, nor the tag it brought.
    assert_eq!(
        get(&app, "/story/batch-story-150").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&app, "/tag/poison").await.0, StatusCode::NOT_FOUND);

    // Once the store accepts it, the item takes its own address (no half-written story held
    // it), and the others are known unchanged.
    cure(&site).await;
    let (out, err, ok) = site.import(&[&file]);
    assert!(ok, "{err}");
    assert!(
        out.contains("created  urn:batch:150 /story/batch-story-150\n"),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("unchanged ")).count(),
        249
    );
    let (status, _, page) = get(&app, "/tag/poison").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Batch story 150"));
}

#[tokio::test]
async fn an_import_killed_midway_keeps_whole_stories_and_completes_when_run_again() {
    let site = Site::new("");
    let dir = site.dir.path().join("items");
    let count = 2_000;
    for file in 0..count / 100 {
        let items = (1..=100)
            .map(|k| {
                let n = file * 100 + k;
                Item::new(&format!("urn:killed:{n}"), &format!("Killed run story {n}"))
                    .created("2026-03-01T10:00:00Z")
                    .subjects(&["Harbour", "Council"])
            })
            .collect();
        Item::write_all(items, &dir, &format!("items-{file:03}"));
    }
    let mut run = site
        .command(&["import", "ninjs", dir.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed (SIGKILL: no chance to finish a transaction) once the first batch is reported.
    let mut reported = Vec::new();
    let mut lines = BufReader::new(run.stdout.take().unwrap()).lines();
    if let Some(line) = lines.next() {
        reported.push(line.unwrap());
    }
    run.kill().unwrap();
    reported.extend(lines.map_while(Result::ok));
    run.wait().unwrap();
    assert!(!reported.is_empty());
    assert!(reported.len() < count, "the run was stopped before its end");
    assert!(reported.iter().all(|l| l.starts_with("created ")));

    // Every story told of is whole; the run again finds each of them unchanged and creates
    // every other, each at its own address.
    let (out, err, ok) = site.import(&[&dir]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), count);
    for line in &reported {
        let id = line.split_whitespace().nth(1).unwrap();
        assert!(
            out.contains(&format!("unchanged {id} ")),
            "{id} was whole: {out}"
        );
    }
    for line in out.lines() {
        let mut words = line.split_whitespace();
        let (action, id, path) = (words.next(), words.next(), words.next());
        assert!(matches!(action, Some("unchanged" | "created")), "{line}");
        // No address was held by a half-written story.
        let n = id.unwrap().strip_prefix("urn:killed:").unwrap();
        assert_eq!(path, Some(format!("/story/killed-run-story-{n}").as_str()));
    }
    let app = site.app().await;
    for n in [1, 1_000, count] {
        let (status, _, page) = get(&app, &format!("/story/killed-run-story-{n}")).await;
        assert_eq!(status, StatusCode::OK, "story {n}");
        assert!(page.contains("Harbour") && page.contains("Council"));
    }
}
