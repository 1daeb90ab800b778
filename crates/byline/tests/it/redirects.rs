//! Redirects: editors list, set, change and remove them on /admin/redirects and readers follow
//! them; `byline redirects export` and `import` move them as CSV, all or nothing; no redirect
//! takes one of the site's own addresses or sends readers round in a circle.

use axum::http::StatusCode;
use byline_core::StoryId;
use byline_core::redirects::{Destination, OldAddress};

use crate::editorial::member;
use crate::support::{Site, enc, follow, get, sections, send};

fn form(from: &str, to: &str) -> String {
    format!("from={}&to={}", enc(from), enc(to))
}

#[tokio::test]
async fn editors_set_change_and_remove_redirects_and_readers_follow_them() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let author = member(&app, &site, "au@example.org", "author").await;
    let id = ed.write(&app, "Harbour opens", "Text.").await;
    ed.act(&app, id, "publish", "").await;

    assert_eq!(
        author.get(&app, "/admin/redirects").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _, _) = author
        .post(&app, "/admin/redirects", &form("/x", "/y"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "authors manage no redirects");
    assert_eq!(follow(&app, "/x").await.0, StatusCode::NOT_FOUND);
    let forged = format!("csrf=wrong&{}", form("/x", "/y"));
    let (status, _, _) = send(
        &app,
        "POST",
        "/admin/redirects",
        Some(&ed.cookie),
        Some(&forged),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a form without the member's token"
    );

    let old = "https://old.example/2019/05/harbour/";
    let (status, location, page) = ed
        .post(&app, "/admin/redirects", &form(old, "/story/harbour-opens"))
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/redirects?done=set"),
        "{page}"
    );
    assert_eq!(
        follow(&app, "/2019/05/harbour/?utm_source=x").await,
        (
            StatusCode::MOVED_PERMANENTLY,
            "/story/harbour-opens".to_owned()
        )
    );
    let (status, page) = ed.get(&app, "/admin/redirects").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("<code>/2019/05/harbour</code>") && page.contains("by hand"),
        "{page}"
    );

    // Elsewhere on the web, and changed later: the address leads to the new place.
    ed.post(
        &app,
        "/admin/redirects",
        &form("/gone", "https://archive.example/gone?x=1"),
    )
    .await;
    assert_eq!(
        follow(&app, "/gone").await,
        (
            StatusCode::MOVED_PERMANENTLY,
            "https://archive.example/gone?x=1".to_owned()
        )
    );
    ed.post(
        &app,
        "/admin/redirects",
        &form("/gone", "/story/harbour-opens"),
    )
    .await;
    assert_eq!(follow(&app, "/gone").await.1, "/story/harbour-opens");

    // Refused, naming the field, and nothing set.
    for (from, to, says) in [
        (
            "/latest",
            "/story/harbour-opens",
            "from: /latest is an address the site itself serves",
        ),
        (
            "/admin/stories",
            "/",
            "from: /admin/stories is an address the site itself serves",
        ),
        (
            "/",
            "/story/harbour-opens",
            "from: the front page cannot be sent elsewhere",
        ),
        ("/loop", "/loop/", "to: this is the address itself"),
        (
            "/story/harbour-opens",
            "/gone",
            "to: /gone is redirected back to /story/harbour-opens",
        ),
        ("/bad", "javascript:alert(1)", "to: a path of this site"),
    ] {
        let (status, _, page) = ed.post(&app, "/admin/redirects", &form(from, to)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{from} -> {to}");
        assert!(page.contains(says), "{from} -> {to}: {page}");
    }
    assert_eq!(follow(&app, "/latest").await.0, StatusCode::OK);
    assert_eq!(follow(&app, "/bad").await.0, StatusCode::NOT_FOUND);

    // A published story's old slug is listed; an editor may send it elsewhere or remove it.
    let revision = ed.revision(&app, id).await;
    ed.save(
        &app,
        id,
        &revision,
        "Harbour opens",
        "Text.",
        "harbour-opens-today",
    )
    .await;
    assert_eq!(
        follow(&app, "/story/harbour-opens").await.0,
        StatusCode::PERMANENT_REDIRECT
    );
    let (_, page) = ed.get(&app, "/admin/redirects?q=HARBOUR-OPENS").await;
    assert!(
        page.contains("<code>/story/harbour-opens</code>") && page.contains("slug change"),
        "{page}"
    );
    let (status, _, _) = ed
        .post(
            &app,
            "/admin/redirects",
            &form("/story/harbour-opens", "/section/news"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        follow(&app, "/story/harbour-opens").await,
        (StatusCode::MOVED_PERMANENTLY, "/section/news".to_owned())
    );
    let (status, location, _) = ed
        .post(
            &app,
            "/admin/redirects/remove",
            &format!("address={}", enc("/story/harbour-opens")),
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/redirects?done=removed")
    );
    assert_eq!(
        follow(&app, "/story/harbour-opens").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _, _) = ed
        .post(
            &app,
            "/admin/redirects/remove",
            &format!("address={}", enc("/story/harbour-opens")),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing left to remove");
    let (status, _, _) = author
        .post(
            &app,
            "/admin/redirects/remove",
            &format!("address={}", enc("/gone")),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(follow(&app, "/gone").await.0, StatusCode::MOVED_PERMANENTLY);

    // A longer way round is refused too.
    ed.post(&app, "/admin/redirects", &form("/c1", "/c2")).await;
    ed.post(&app, "/admin/redirects", &form("/c2", "/c3")).await;
    let (status, _, page) = ed.post(&app, "/admin/redirects", &form("/c3", "/c1")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("to: /c1 is redirected back to /c3"), "{page}");
    let (status, _, _) = ed
        .post(
            &app,
            "/admin/redirects",
            &form(
                "/.well-known/acme-challenge/x",
                "https://elsewhere.example/",
            ),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "certificates are not an editor's"
    );

    // Under a live story's address, however it is written, the story answers first.
    let (status, _, _) = ed
        .post(
            &app,
            "/admin/redirects",
            &form("/story/harbour-opens-today", "/elsewhere"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, "/story/harbour-opens-today").await.0,
        StatusCode::OK
    );
    assert_eq!(
        follow(&app, "/story/harbour-opens-today/").await,
        (
            StatusCode::MOVED_PERMANENTLY,
            "/story/harbour-opens-today".to_owned()
        )
    );
}

#[tokio::test]
async fn redirects_go_out_and_come_back_as_csv_all_or_nothing() {
    let site = Site::new("");
    let app = site.app().await;
    sections(&site, &["News"]).await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Ferry returns", "Text.").await;
    ed.act(&app, id, "publish", "").await;
    // What an import keeps.
    let store = site.data_dir().open_store().await.unwrap();
    let kept = [
        ("/?p=12", Destination::Story(StoryId(id))),
        (
            "/category/news",
            Destination::Section(byline_core::Slug::parse("news").unwrap()),
        ),
    ]
    .map(|(address, destination)| OldAddress {
        address: address.into(),
        destination,
    });
    store
        .keep_old_addresses(&kept, chrono::Utc::now())
        .await
        .unwrap();

    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("redirects.csv");
    std::fs::write(
        &file,
        "\u{feff}From,To,note\r\n/old-ferry,/story/ferry-returns,\"a, note\"\r\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let done = site.cli(&["redirects", "import", path]);
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(done.status.success(), "{done:?}");
    assert!(
        said.contains("redirects: 1 added, 0 changed, 0 unchanged"),
        "{said}"
    );
    assert_eq!(
        follow(&app, "/old-ferry").await,
        (
            StatusCode::MOVED_PERMANENTLY,
            "/story/ferry-returns".to_owned()
        )
    );

    let export = || {
        let out = site.cli(&["redirects", "export"]);
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let csv = export();
    assert_eq!(
        csv,
        "from,to,origin,followed\r\n\
         /?p=12,/story/ferry-returns,import,yes\r\n\
         /category/news,/section/news,import,yes\r\n\
         /old-ferry,/story/ferry-returns,by hand,yes\r\n"
    );
    // Read back, an export changes nothing.
    std::fs::write(&file, &csv).unwrap();
    let again = site.cli(&["redirects", "import", path]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 added, 0 changed, 3 unchanged"),
        "{again:?}"
    );

    // One bad row and nothing is written; every bad row is named by its line.
    std::fs::write(
        &file,
        "from,to\n/new-one,/story/ferry-returns\n/latest,/x\n/a,/b\n/b,/a\n/new-one,/elsewhere\n/c,ftp://x\n/d\n",
    )
    .unwrap();
    let refused = site.cli(&["redirects", "import", path]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        err.contains(&format!("{path}:8: the row has 1 fields")),
        "{err}"
    );
    std::fs::write(
        &file,
        "from,to\n/new-one,/story/ferry-returns\n/latest,/x\n/a,/b\n/b,/a\n/new-one,/elsewhere\n/c,ftp://x\n",
    )
    .unwrap();
    let refused = site.cli(&["redirects", "import", path]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    for said in [
        format!("{path}:3: from: /latest is an address the site itself serves"),
        format!("{path}:4: to: /b is redirected back to /a"),
        format!("{path}:5: to: /a is redirected back to /b"),
        format!("{path}:6: from: /new-one is already set on line 2"),
        format!("{path}:7: to: a path of this site"),
        format!("{path}: 5 rows refused; nothing was written"),
    ] {
        assert!(err.contains(&said), "{said}\n{err}");
    }
    assert_eq!(follow(&app, "/new-one").await.0, StatusCode::NOT_FOUND);
    assert_eq!(export(), csv, "nothing was written");

    // A dry run reports and writes nothing; then the same file is written.
    std::fs::write(
        &file,
        "to,from\n/story/ferry-returns,/new-one\n/section/news,/old-ferry\n",
    )
    .unwrap();
    let dry = site.cli(&["redirects", "import", "--dry-run", path]);
    let said = String::from_utf8_lossy(&dry.stdout);
    assert!(
        said.contains("1 added, 1 changed, 0 unchanged (2 would be written)"),
        "{said}"
    );
    assert_eq!(export(), csv);
    assert!(site.cli(&["redirects", "import", path]).status.success());
    assert_eq!(follow(&app, "/new-one").await.1, "/story/ferry-returns");
    assert_eq!(follow(&app, "/old-ferry").await.1, "/section/news");

    let missing = site.cli(&["redirects", "import", "/nonexistent/redirects.csv"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/redirects.csv"));
    std::fs::write(&file, "old,new\n/a,/b\n").unwrap();
    let headless = site.cli(&["redirects", "import", path]);
    let err = String::from_utf8_lossy(&headless.stderr);
    assert!(
        err.contains(&format!("{path}:1: the first row names the columns")),
        "{err}"
    );
}
