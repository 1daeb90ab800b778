//! Moving a site: `byline export` writes it to one archive, `byline import site` restores it
//! into an empty store. SQLite → archive → PostgreSQL → archive gives the same bytes, and the
//! restored site serves the same pages. Bad archives are refused before anything is written.

use std::path::Path;

use crate::admin_accounts::add_user;
use crate::postgres;
use crate::support::{Item, Site, http_exchange, http_get, shared};

/// A site on SQLite with the IPTC and Superdesk fixtures, a local lead picture, a member and
/// picks.
fn newsroom() -> Site {
    let mut site = Site::new("");
    site.database_url = None;
    let fixtures = shared().join("fixtures/ninjs");
    let (_, err, _) = site.import(&[
        &fixtures.join("iptc-examples"),
        &fixtures.join("superdesk-core"),
    ]);
    assert!(!err.contains("panicked"), "{err}");
    let items = tempfile::tempdir().unwrap();
    std::fs::copy(
        shared().join("fixtures/photos/exiftool/IPTC.jpg"),
        items.path().join("lead.jpg"),
    )
    .unwrap();
    let item = Item::new("urn:test:archive", "Harbour photo story")
        .created("2024-06-01T10:00:00Z")
        .picture("lead.jpg", "EPA/TEST", "The harbour.")
        .write(items.path(), "item.json");
    let (_, err, ok) = site.import(&[&item]);
    assert!(ok, "{err}");
    add_user(&site, "ed@example.org", "editor", "archive passphrase");
    assert!(site.cli(&["picks", "harbour-photo-story"]).status.success());
    let redirects = items.path().join("redirects.csv");
    std::fs::write(
        &redirects,
        "from,to\n/old/harbour,/story/harbour-photo-story\n/gone,https://archive.example/gone\n",
    )
    .unwrap();
    let set = site.cli(&["redirects", "import", redirects.to_str().unwrap()]);
    assert!(set.status.success(), "{set:?}");
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(newsletter(&site));
    site
}

/// Subscribers, an issue with its deliveries, a scheduled draft, a skipped digest day and an
/// erased address.
async fn newsletter(site: &Site) {
    use byline_core::newsletter::{DraftInput, IssueContent};
    use chrono::{TimeZone, Utc};
    let store = site.data_dir().open_store().await.unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 6, 0, 0).unwrap();
    for email in ["one@example.org", "two@example.org", "gone@example.org"] {
        let email = byline_core::Email::parse(email).unwrap();
        let signup = byline_core::store::NewSubscriber {
            email: email.clone(),
            source: "/".into(),
            consented_at: at,
            ip_hash: Some("ab12".into()),
        };
        store.add_subscriber(signup).await.unwrap();
        store.confirm_subscriber(&email, at).await.unwrap();
    }
    let content = IssueContent {
        subject: "Morning briefing".into(),
        text: "Text".into(),
        html: "<p>HTML</p>".into(),
    };
    store.queue_issue(&content, "Desk", at).await.unwrap();
    let input = DraftInput {
        subject: "Weekend".into(),
        intro: "Hello".into(),
        stories: vec!["harbour-photo-story".into()],
        author: "Desk".into(),
    };
    let draft = store.save_draft(None, &input, at).await.unwrap().unwrap();
    let later = at + chrono::Duration::days(400);
    assert!(store.schedule_draft(draft, &content, later).await.unwrap());
    store.queue_digest("2026-11-28", None, at).await.unwrap();
    let gone = byline_core::Email::parse("gone@example.org").unwrap();
    assert!(store.erase_subscriber(&gone, "cafe", at).await.unwrap());
}

fn export(site: &Site, out: &Path) {
    let done = site.cli(&["export", out.to_str().unwrap()]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
}

fn import_site(site: &Site, archive: &Path) -> (bool, String) {
    let done = site.cli(&["import", "site", archive.to_str().unwrap()]);
    (
        done.status.success(),
        String::from_utf8_lossy(&done.stderr).into_owned(),
    )
}

/// A PostgreSQL schema of its own (also when the suite runs on SQLite).
fn on_postgres(site: &mut Site) -> String {
    let base = std::env::var("BYLINE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let (schema, url) = postgres::schema_in(&base);
    site.database_url = Some(url);
    postgres::execute(&base, "SELECT 1");
    schema
}

#[test]
fn a_site_moves_between_sqlite_and_postgresql_byte_for_byte() {
    let from = newsroom();
    let work = tempfile::tempdir().unwrap();
    let first = work.path().join("site.byline.gz");
    export(&from, &first);

    let mut to = Site::new("");
    let schema = on_postgres(&mut to);
    let (ok, err) = import_site(&to, &first);
    assert!(ok, "{err}");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = to.data_dir().open_store().await.unwrap();
        let issues = store.issues(10).await.unwrap();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].progress.queued, 2, "its deliveries moved too");
        assert!(store.drafts().await.unwrap()[0].frozen.is_some());
        assert!(store.digest_done("2026-11-28").await.unwrap());
        assert_eq!(store.suppressed_count().await.unwrap(), 1);
    });
    let second = work.path().join("again.byline.gz");
    export(&to, &second);
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap(),
        "SQLite → archive → PostgreSQL → archive is the same archive"
    );

    // The restored site serves what the original served, picture included.
    let (old, new) = (from.serve(), to.serve());
    for path in ["/", "/latest", "/story/harbour-photo-story"] {
        let (a, b) = (
            http_get(&format!("{}{path}", old.url)),
            http_get(&format!("{}{path}", new.url)),
        );
        assert_eq!(a.0, 200, "{path}");
        assert_eq!(
            a.1.replace(&old.url, ""),
            b.1.replace(&new.url, ""),
            "{path} differs after the move"
        );
    }
    let page = http_get(&format!("{}/story/harbour-photo-story", new.url)).1;
    let picture = page
        .split("src=\"/media/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(
        http_exchange("HEAD", &format!("{}/media/{picture}", new.url), "", "").0,
        200,
        "the picture moved with the site"
    );
    let (status, head, _) = http_exchange("GET", &format!("{}/gone", new.url), "", "");
    assert_eq!(status, 301, "a redirect set by hand moved with the site");
    assert!(
        head.to_ascii_lowercase()
            .contains("location: https://archive.example/gone"),
        "{head}"
    );
    drop((old, new));

    // The new store holds the site now: a second restore is refused.
    let (ok, err) = import_site(&to, &first);
    assert!(!ok && err.contains("already holds a site"), "{err}");
    postgres::execute(
        &std::env::var("BYLINE_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned()),
        &format!("DROP SCHEMA {schema} CASCADE"),
    );
}

#[test]
fn corrupted_and_newer_archives_are_refused_before_anything_is_written() {
    let from = newsroom();
    let work = tempfile::tempdir().unwrap();
    let good = work.path().join("site.byline.gz");
    export(&from, &good);
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&good).unwrap()),
        &mut text,
    )
    .unwrap();
    let write = |name: &str, text: &str| {
        let path = work.path().join(name);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        path
    };
    let cases = [
        (
            write(
                "flipped.gz",
                &text.replacen("Harbour photo story", "Harbour photo storm", 1),
            ),
            "corrupted",
        ),
        (
            write(
                "newer.gz",
                &text.replacen(
                    &format!("\"version\":{}", byline::archive::VERSION),
                    "\"version\":9",
                    1,
                ),
            ),
            "newer",
        ),
        (write("cut.gz", &text[..text.len() / 2]), "truncated"),
    ];
    for (archive, why) in cases {
        let to = Site::new("");
        let (ok, err) = import_site(&to, &archive);
        assert!(!ok && err.contains(why), "{why}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        // Nothing was written: no story, no media file.
        let media = to.data.join("media");
        assert!(
            media.read_dir().map_or(true, |mut d| d.next().is_none()),
            "{why}"
        );
        let out = to.cli(&["picks"]);
        assert!(out.status.success());
    }
    let (ok, err) = import_site(&Site::new(""), &work.path().join("missing.gz"));
    assert!(!ok && err.contains("missing.gz"), "{err}");
}
