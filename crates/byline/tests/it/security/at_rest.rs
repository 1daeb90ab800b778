//! Secrets at rest and on the wire: files holding them are their owner's only, database
//! passwords are never printed, an archive is not trusted more than an import, HTTPS sites
//! pin themselves, and a Content-Security-Policy built from the configuration allows the
//! page's own inline blocks by hash.

use std::os::unix::fs::PermissionsExt;

use axum::http::StatusCode;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::editorial::member;
use crate::support::{Site, get};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn the_database_and_exports_are_their_owners_only() {
    let site = Site::new("");
    let app = site.app().await;
    member(&app, &site, "ed@example.org", "editor").await;
    assert_eq!(mode(&site.data), 0o700, "a new data folder is its owner's");
    if site.database_url.is_none() {
        let db = site.data.join("byline.db");
        assert_eq!(mode(&db), 0o600, "byline.db");
        for journal in ["byline.db-wal", "byline.db-shm"] {
            let path = site.data.join(journal);
            if path.exists() {
                assert_eq!(mode(&path) & 0o077, 0, "{journal}");
            }
        }
    }
    let out = site.dir.path().join("site.byline.gz");
    let done = site.cli(&["export", out.to_str().unwrap()]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(mode(&out), 0o600, "the archive holds password hashes");
}

#[test]
fn a_database_password_is_never_printed() {
    let site = Site::new("");
    for url in [
        "postgres://news:hunter2secret@127.0.0.1:1/site",
        "postgres://news@127.0.0.1:1/site?password=hunter2secret&sslmode=disable",
    ] {
        let out = site
            .command(&["migrate"])
            .env("BYLINE_DATABASE_URL", url)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            printed.contains("127.0.0.1:1"),
            "the URL is named: {printed}"
        );
        assert!(!printed.contains("hunter2secret"), "{printed}");
    }
}

/// The archive of a real site (an administrator, a story, a sent issue) with the story's body
/// and the issue's HTML replaced by `body` and `email`.
async fn archive_with(body: &str, email: &str) -> (Site, std::path::PathBuf) {
    use byline_core::archive::Cell;
    let source = Site::new("");
    let app = source.app().await;
    let admin = member(&app, &source, "planted-admin@example.org", "admin").await;
    admin.write(&app, "Planted", "Text.").await;
    let store = source.data_dir().open_store().await.unwrap();
    let content = byline_core::newsletter::IssueContent {
        subject: "Old".into(),
        text: "Old".into(),
        html: "<p>Old</p>".into(),
    };
    store
        .queue_issue(&content, "test", chrono::Utc::now())
        .await
        .unwrap();
    let path = source.dir.path().join("site.byline.gz");
    assert!(
        source
            .cli(&["export", path.to_str().unwrap()])
            .status
            .success()
    );
    let mut archive = byline::archive::read(&path).unwrap();
    for (table, column, value) in [
        ("stories", "body_html", body),
        ("newsletter_issues", "html_body", email),
    ] {
        let rows = archive
            .tables
            .iter_mut()
            .find(|t| t.table == table)
            .unwrap();
        let at = rows.columns.iter().position(|c| c == column).unwrap();
        rows.rows[0][at] = Cell::Text(value.to_owned());
    }
    let planted = source.dir.path().join("planted.byline.gz");
    byline::archive::write(&archive, &planted).unwrap();
    (source, planted)
}

#[tokio::test]
async fn a_restored_archive_is_sanitized_again_and_names_its_accounts() {
    let site = Site::new("");
    let planted = "<p>Hello</p><script>steal()</script><img src=x onerror=steal()>";
    let (_source, path) = archive_with(planted, "<p>An issue</p>").await;
    let out = site.cli(&["import", "site", path.to_str().unwrap()]);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        printed.contains("account planted-admin@example.org (admin)"),
        "{printed}"
    );
    let store = site.data_dir().open_store().await.unwrap();
    let dump = store.dump_site().await.unwrap();
    let stories = dump.iter().find(|t| t.table == "stories").unwrap();
    let body = format!("{:?}", stories.rows[0]);
    assert!(body.contains("<p>Hello</p>"), "{body}");
    assert!(
        !body.contains("script") && !body.contains("onerror"),
        "{body}"
    );

    let other = Site::new("");
    let (_source, path) = archive_with(
        "<p>Fine</p>",
        "<p>Click</p><a href=\"javascript:steal()\">x</a>",
    )
    .await;
    let out = other.cli(&["import", "site", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("newsletter_issues row 1") && err.contains("javascript:"),
        "{err}"
    );
    let store = other.data_dir().open_store().await.unwrap();
    assert_eq!(store.user_count().await.unwrap(), 0, "nothing was written");
}

#[tokio::test]
async fn https_sites_pin_themselves_and_the_policy_hashes_each_inline_block() {
    let plain = Site::new("");
    let app = plain.app().await;
    let (_, headers, _) = get(&app, "/").await;
    assert!(!headers.contains_key("strict-transport-security"));
    assert!(
        !headers.contains_key("content-security-policy"),
        "off by default"
    );

    let config = r#"
[site]
base_url = "https://news.example"

[ads]
script_origins = ["https://ads.example"]

[ads.article_top]
html = '<script>window.adQueue = [];</script><script async src="https://ads.example/tag.js"></script>'
height = 90
"#;
    let site = Site::new(config);
    let (app, state) = site.cached_app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Policy story", "Text.").await;
    ed.act(&app, id, "publish", "").await;
    state.cache.sync(state.store.as_ref()).await.unwrap();
    for round in ["rendered", "from the cache"] {
        let (status, headers, page) = get(&app, "/story/policy-story").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers["strict-transport-security"], "max-age=31536000",
            "{round}"
        );
        let policy = headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        let hash = |text: &str| {
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text))
            )
        };
        assert!(
            policy.contains(&hash("window.adQueue = [];")),
            "{round}: {policy}"
        );
        // The article's own view beacon runs too.
        let beacon = page
            .split("<script>")
            .find(|s| s.contains("navigational-prefetch"))
            .and_then(|s| s.split("</script>").next())
            .expect("the view beacon");
        assert!(policy.contains(&hash(beacon)), "{round}: {policy}");
        let json_ld = page
            .split("<script type=\"application/ld+json\">")
            .nth(1)
            .unwrap()
            .split("</script>")
            .next()
            .unwrap();
        assert!(
            !policy.contains(&hash(json_ld)),
            "data needs no allowance: {policy}"
        );
        assert!(
            policy.contains("script-src 'self' https://ads.example"),
            "{policy}"
        );
        assert!(!policy.contains("'unsafe-inline'"), "{policy}");
        // The ad box's size is in the stylesheet: the page needs no style attribute allowed.
        assert!(!page.contains("style=\""), "{round}");
        assert!(!policy.contains("'unsafe-hashes'"), "{round}: {policy}");
    }
    let (_, headers, _) = get(&app, "/no-such-page").await;
    assert!(
        headers.contains_key("content-security-policy"),
        "error pages too"
    );
}
