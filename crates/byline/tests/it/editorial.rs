//! The editorial workflow through the real router: drafts, roles, lost updates, slugs,
//! scheduling (with the real server's job runner), corrections, revisions and previews.

use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use byline_core::StoryId;

use crate::admin_accounts::{add_user, csrf_of, login_form};
use crate::support::{Site, enc, get, send, session_cookie};

/// A signed-in member of an in-process app: their cookie and CSRF token.
struct Member {
    cookie: String,
    csrf: String,
}

async fn member(app: &Router, site: &Site, email: &str, role: &str) -> Member {
    add_user(site, email, role, "member passphrase");
    let (_, headers, _) = send(
        app,
        "POST",
        "/admin/login",
        None,
        Some(&login_form(email, "member passphrase")),
    )
    .await;
    let cookie = session_cookie(&headers).expect("signed in");
    let (_, _, page) = send(app, "GET", "/admin", Some(&cookie), None).await;
    Member {
        csrf: csrf_of(&page),
        cookie,
    }
}

impl Member {
    async fn post(&self, app: &Router, path: &str, form: &str) -> (StatusCode, String, String) {
        let body = format!("csrf={}&{form}", self.csrf);
        let (status, headers, page) =
            send(app, "POST", path, Some(&self.cookie), Some(&body)).await;
        let location = headers
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, location, page)
    }

    async fn get(&self, app: &Router, path: &str) -> (StatusCode, String) {
        let (status, _, page) = send(app, "GET", path, Some(&self.cookie), None).await;
        (status, page)
    }

    /// Creates a story and returns its id.
    async fn write(&self, app: &Router, headline: &str, body: &str) -> i64 {
        let form = format!(
            "headline={}&body={}&body_format=markdown&authors=Test+Member",
            enc(headline),
            enc(body)
        );
        let (status, location, page) = self.post(app, "/admin/stories", &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        location.rsplit('/').next().unwrap().parse().unwrap()
    }

    async fn revision(&self, app: &Router, id: i64) -> String {
        let (_, page) = self.get(app, &format!("/admin/stories/{id}")).await;
        page.split("name=\"revision\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    }

    async fn save(
        &self,
        app: &Router,
        id: i64,
        revision: &str,
        headline: &str,
        body: &str,
        slug: &str,
    ) -> (StatusCode, String, String) {
        let form = format!(
            "revision={revision}&headline={}&body={}&body_format=markdown&authors=Test+Member&slug={}",
            enc(headline),
            enc(body),
            enc(slug)
        );
        self.post(app, &format!("/admin/stories/{id}"), &form).await
    }

    async fn act(
        &self,
        app: &Router,
        id: i64,
        action: &str,
        at: &str,
    ) -> (StatusCode, String, String) {
        self.post(
            app,
            &format!("/admin/stories/{id}/status"),
            &format!("action={action}&at={}", enc(at)),
        )
        .await
    }
}

#[tokio::test]
async fn a_story_goes_from_draft_through_review_to_the_site() {
    let site = Site::new("");
    let app = site.app().await;
    let reporter = member(&app, &site, "rep@example.org", "contributor").await;
    let editor = member(&app, &site, "ed@example.org", "editor").await;

    let (status, _, page) = reporter
        .post(&app, "/admin/stories", "headline=++&body=text")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("The headline: the headline is empty."),
        "{page}"
    );
    assert!(page.contains(">text</textarea>"), "the body is kept");

    let id = reporter
        .write(
            &app,
            "Ferry returns to the bay",
            "The *ferry* is back.\n\n<script>alert(1)</script>",
        )
        .await;
    assert_eq!(
        get(&app, "/story/ferry-returns-to-the-bay").await.0,
        StatusCode::NOT_FOUND,
        "a draft is private"
    );
    let (status, _, _) = reporter.act(&app, id, "publish", "").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a contributor cannot publish"
    );
    let (status, location, _) = reporter.act(&app, id, "submit", "").await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin?status=in_review")
    );
    let (status, _, page) = reporter.act(&app, id, "submit", "").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "already in review"
    );
    assert!(
        page.contains("A story that is in review cannot be moved that way."),
        "{page}"
    );

    let (status, _, _) = editor.act(&app, id, "publish", "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, html) = get(&app, "/story/ferry-returns-to-the-bay").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<p>The <em>ferry</em> is back.</p>"));
    assert!(
        !html.contains("<script>alert"),
        "scripts in Markdown are neutralised"
    );
    assert!(html.contains(r#"By <a href="/author/test-member" rel="author">Test Member</a>"#));
    let latest = get(&app, "/").await.2;
    assert!(
        latest.contains("Ferry returns to the bay"),
        "on the front page at once"
    );

    assert_eq!(
        reporter.get(&app, &format!("/admin/stories/{id}")).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _, _) = reporter.save(&app, id, "3", "Changed", "x", "").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "once submitted, a contributor's story is the editors'"
    );
}

#[tokio::test]
async fn authors_publish_their_own_stories_only() {
    let site = Site::new("");
    let app = site.app().await;
    let ana = member(&app, &site, "ana@example.org", "author").await;
    let bo = member(&app, &site, "bo@example.org", "author").await;
    let mine = ana.write(&app, "Ana's story", "Text.").await;
    assert_eq!(
        bo.act(&app, mine, "publish", "").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bo.get(&app, &format!("/admin/stories/{mine}")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ana.act(&app, mine, "publish", "").await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(get(&app, "/story/anas-story").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_stale_save_is_refused_with_both_versions() {
    let site = Site::new("");
    let app = site.app().await;
    let one = member(&app, &site, "one@example.org", "editor").await;
    let two = member(&app, &site, "two@example.org", "editor").await;
    let id = one.write(&app, "Original headline", "Original body.").await;
    let opened_by_two = two.revision(&app, id).await;
    let opened_by_one = one.revision(&app, id).await;
    let (status, _, _) = one
        .save(
            &app,
            id,
            &opened_by_one,
            "Headline by one",
            "Body by one.",
            "",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, page) = two
        .save(
            &app,
            id,
            &opened_by_two,
            "Headline by two",
            "Body by two.",
            "",
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("Someone else saved this story"));
    assert!(
        page.contains("Headline by one") && page.contains("Body by one."),
        "theirs is shown"
    );
    assert!(
        page.contains("Headline by two") && page.contains("Body by two."),
        "yours is kept"
    );
    let (_, editor) = one.get(&app, &format!("/admin/stories/{id}")).await;
    assert!(
        editor.contains(r#"value="Headline by one""#),
        "nothing was overwritten"
    );

    // Sending it again from the conflict page (with the revision it now names) is a choice.
    let current = page
        .split("name=\"revision\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (status, _, _) = two
        .save(&app, id, &current, "Headline by two", "Body by two.", "")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Autosave answers the new revision, and a stale autosave is a conflict too.
    let rev = two.revision(&app, id).await;
    let form = format!("revision={rev}&headline=Autosaved&body=draft+text&body_format=markdown");
    let (status, _, json) = two
        .post(&app, &format!("/admin/stories/{id}/autosave"), &form)
        .await;
    assert_eq!(status, StatusCode::OK);
    let next: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        next["revision"].as_i64().unwrap(),
        rev.parse::<i64>().unwrap() + 1
    );
    assert_eq!(
        two.post(&app, &format!("/admin/stories/{id}/autosave"), &form)
            .await
            .0,
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn slugs_are_free_until_publication_then_old_urls_redirect() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let other = ed.write(&app, "Taken slug", "Text.").await;
    let id = ed.write(&app, "First title", "Text.").await;
    let (status, _, page) = ed
        .save(
            &app,
            id,
            &ed.revision(&app, id).await,
            "First title",
            "Text.",
            "taken-slug",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("The slug taken-slug is taken by another story"),
        "{page}"
    );
    assert!(other > 0);
    ed.save(
        &app,
        id,
        &ed.revision(&app, id).await,
        "First title",
        "Text.",
        "draft-slug",
    )
    .await;
    ed.act(&app, id, "publish", "").await;
    assert_eq!(get(&app, "/story/draft-slug").await.0, StatusCode::OK);
    assert_eq!(
        get(&app, "/story/first-title").await.0,
        StatusCode::NOT_FOUND,
        "unpublished slugs leave nothing"
    );

    let (status, _, _) = ed
        .save(
            &app,
            id,
            &ed.revision(&app, id).await,
            "First title",
            "Text.",
            "final-slug",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, headers, _) = get(&app, "/story/draft-slug").await;
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(headers["location"], "/story/final-slug");
    assert_eq!(get(&app, "/story/final-slug").await.0, StatusCode::OK);
}

#[tokio::test]
async fn corrections_show_dated_under_the_article() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let rep = member(&app, &site, "rep@example.org", "author").await;
    let id = rep
        .write(&app, "A story with an error", "The bridge is 40 m long.")
        .await;
    let (status, _, page) = ed
        .post(
            &app,
            &format!("/admin/stories/{id}/corrections"),
            "note=early",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Only a published story can be corrected"));
    rep.act(&app, id, "publish", "").await;
    let path = format!("/admin/stories/{id}/corrections");
    assert_eq!(
        rep.post(&app, &path, "note=x").await.0,
        StatusCode::FORBIDDEN,
        "authors do not correct"
    );
    let (status, _, _) = ed
        .post(&app, &path, "note=The+bridge+is+400+m+long%2C+not+40+m.")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = get(&app, "/story/a-story-with-an-error").await;
    assert!(
        html.contains(":</strong> The bridge is 400 m long, not 40 m.</p>"),
        "{html}"
    );
    assert!(html.contains("<strong>Correction, <time datetime=\""));
    let ld = html
        .split("application/ld+json\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
    assert!(ld["dateModified"].as_str().unwrap() >= ld["datePublished"].as_str().unwrap());
}

#[tokio::test]
async fn revisions_compare_and_restore() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Version one", "Body one.").await;
    ed.save(
        &app,
        id,
        &ed.revision(&app, id).await,
        "Version two",
        "Body one.",
        "",
    )
    .await;
    ed.save(
        &app,
        id,
        &ed.revision(&app, id).await,
        "Version two",
        "Body three.",
        "",
    )
    .await;
    let (_, page) = ed
        .get(&app, &format!("/admin/stories/{id}/revisions"))
        .await;
    assert!(
        page.contains("<td>created</td>")
            && page.contains("<td>headline</td>")
            && page.contains("<td>body</td>"),
        "{page}"
    );
    let (_, compare) = ed
        .get(&app, &format!("/admin/stories/{id}/revisions?compare=1"))
        .await;
    assert!(compare.contains("Body one.") && compare.contains("Body three."));
    let (status, _, _) = ed
        .post(
            &app,
            &format!("/admin/stories/{id}/revisions/1/restore"),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, editor) = ed.get(&app, &format!("/admin/stories/{id}")).await;
    assert!(editor.contains(r#"value="Version one""#) && editor.contains(">Body one.</textarea>"));
    let (_, page) = ed
        .get(&app, &format!("/admin/stories/{id}/revisions"))
        .await;
    assert_eq!(
        page.matches("?compare=").count(),
        4,
        "restoring adds a revision, losing none"
    );
}

#[tokio::test]
async fn drafts_have_a_private_preview_and_a_live_body_preview() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Secret draft", "Hidden *text*.").await;
    let (_, page) = ed.get(&app, &format!("/admin/stories/{id}")).await;
    let link = page
        .split("http://byline.test/preview/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (status, headers, html) = get(&app, &format!("/preview/{link}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-robots-tag"], "noindex, nofollow");
    assert!(html.contains("<h1>Secret draft</h1>") && html.contains("<em>text</em>"));
    assert_eq!(
        get(&app, &format!("/preview/{}", "0".repeat(64))).await.0,
        StatusCode::NOT_FOUND
    );

    let (status, _, fragment) = ed
        .post(
            &app,
            "/admin/preview",
            "body=%2A%2Abold%2A%2A&body_format=markdown",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fragment, "<p><strong>bold</strong></p>");
    let (status, _, _) = send(
        &app,
        "POST",
        "/admin/preview",
        Some(&ed.cookie),
        Some("csrf=wrong&body=x"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "CSRF is checked on every admin POST"
    );
    let (status, _, _) = send(
        &app,
        "POST",
        &format!("/admin/stories/{id}"),
        Some(&ed.cookie),
        Some("headline=x"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn schedules_publish_without_visitors_and_across_a_restart() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Scheduled story", "Text.").await;
    let past = (chrono::Utc::now() - chrono::Duration::minutes(5))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let (status, _, page) = ed.act(&app, id, "schedule", &past).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("The publication time must be in the future."));

    // Scheduled while no server runs; due before the server starts.
    let due = chrono::Utc::now() + chrono::Duration::seconds(1);
    let (status, _, _) = ed
        .act(
            &app,
            id,
            "schedule",
            &due.format("%Y-%m-%dT%H:%M:%S").to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, "/story/scheduled-story").await.0,
        StatusCode::NOT_FOUND
    );
    let second = ed.write(&app, "Second scheduled story", "Text.").await;
    // Whole seconds, as the form sends them.
    let later = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp() + 3, 0).unwrap();
    ed.act(
        &app,
        second,
        "schedule",
        &later.format("%Y-%m-%dT%H:%M:%S").to_string(),
    )
    .await;
    while chrono::Utc::now() < due {
        std::thread::sleep(Duration::from_millis(50));
    }

    let server = site.serve();
    let store = site.data_dir().open_store().await.unwrap();
    let status_of = |story: i64| {
        let store = store.clone();
        async move {
            store
                .editor_story(StoryId(story))
                .await
                .unwrap()
                .unwrap()
                .status
        }
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    // Nobody requests a page: only the store is read until both are published.
    while status_of(second).await != byline_core::Status::Published {
        assert!(
            Instant::now() < deadline,
            "the scheduled stories were not published within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        status_of(id).await,
        byline_core::Status::Published,
        "the overdue one was published at start-up"
    );
    assert!(chrono::Utc::now() >= later, "not before its time");
    let (status, _) =
        crate::support::http_get(&format!("{}/story/second-scheduled-story", server.url));
    assert_eq!(status, 200);
}

/// A multipart/form-data body with text fields and an optional file named `photo`.
fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "bylinetestboundary7c1d";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(bytes) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &Router,
    who: &Member,
    id: i64,
    fields: &[(&str, &str)],
    file: Option<&[u8]>,
) -> (StatusCode, String) {
    use tower::ServiceExt;
    let mut all = vec![("csrf", who.csrf.as_str())];
    all.extend_from_slice(fields);
    let (content_type, body) = multipart(&all, file);
    let request = axum::http::Request::post(format!("/admin/stories/{id}/photo"))
        .header("cookie", format!("byline_session={}", who.cookie))
        .header("content-type", content_type)
        .body(axum::body::Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 10 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn the_lead_photo_is_uploaded_checked_and_credited() {
    let site = Site::new("[admin]\nupload_max_mb = 1\n");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Story with a photo", "Text.").await;
    let photo = std::fs::read(crate::support::shared().join("seed/lead-photo.jpg")).unwrap();

    let (status, page) = upload(&app, &ed, id, &[], Some(b"just some text, not an image")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("That file is not a picture"), "{page}");
    let (status, page) = upload(&app, &ed, id, &[], Some(&vec![0xFF; 1_200_000])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.contains("The photo is larger than 1 MB."), "{page}");

    let fields = [
        ("credit", "EPA/TEST"),
        ("caption", "The harbour at dawn."),
        ("alt", "Boats moored in a calm harbour"),
    ];
    let (status, _) = upload(&app, &ed, id, &fields, Some(&photo)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    ed.act(&app, id, "publish", "").await;
    let (_, _, html) = get(&app, "/story/story-with-a-photo").await;
    assert!(
        html.contains(r#"alt="Boats moored in a calm harbour" width="1200" height="675""#),
        "{html}"
    );
    assert!(
        html.contains(r#"<p class="credit">EPA/TEST</p>"#)
            && html.contains(r#"<p class="caption">The harbour at dawn.</p>"#)
    );

    // A new caption without a new file keeps the picture.
    let (status, _) = upload(
        &app,
        &ed,
        id,
        &[("credit", "EPA/TEST"), ("caption", "A better caption.")],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = get(&app, "/story/story-with-a-photo").await;
    assert!(html.contains("A better caption.") && html.contains(r#"width="1200" height="675""#));
    let (status, _) = upload(&app, &ed, id, &[("remove", "yes")], None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        !get(&app, "/story/story-with-a-photo")
            .await
            .2
            .contains("<figure")
    );
}

#[tokio::test]
async fn editors_choose_the_lead_and_the_picks_and_admins_manage_sections() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let author = member(&app, &site, "au@example.org", "author").await;
    let admin = member(&app, &site, "ad@example.org", "admin").await;
    for title in ["Oldest story", "Middle story", "Newest story"] {
        let id = ed.write(&app, title, &format!("{title} text.")).await;
        ed.act(&app, id, "publish", "").await;
    }
    assert_eq!(
        author.get(&app, "/admin/curation").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _, _) = author
        .post(&app, "/admin/curation", "lead=oldest-story")
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the server checks, whatever the page shows"
    );

    let (status, _, page) = ed
        .post(
            &app,
            "/admin/curation",
            "lead=&pick1=middle-story&pick2=middle-story",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("A story can be picked only once."));
    let (status, _, _) = ed
        .post(
            &app,
            "/admin/curation",
            "lead=oldest-story&pick1=middle-story&pick2=oldest-story",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, home) = get(&app, "/").await;
    assert!(
        home.contains(
            r#"<h2 class="lead-title"><a href="/story/oldest-story">Oldest story</a></h2>"#
        ),
        "{home}"
    );
    let (_, _, article) = get(&app, "/story/newest-story").await;
    let dont_miss = article
        .split("Don't miss")
        .nth(1)
        .unwrap()
        .split("</ol>")
        .next()
        .unwrap();
    assert!(dont_miss.find("Middle story").unwrap() < dont_miss.find("Oldest story").unwrap());
    assert_eq!(dont_miss.matches("class=\"card\"").count(), 2);

    let section = "name=World&slug=&description=News+from+everywhere+else.&position=2";
    assert_eq!(
        ed.post(&app, "/admin/sections", section).await.0,
        StatusCode::FORBIDDEN,
        "editors do not manage sections"
    );
    assert_eq!(
        admin.post(&app, "/admin/sections", section).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        admin
            .post(&app, "/admin/sections", "name=Arts&position=1")
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    let (status, _, page) = admin
        .post(&app, "/admin/sections", "name=Other+World&slug=world")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("the slug world is used by another section"));
    let (_, _, world) = get(&app, "/section/world").await;
    assert!(world.contains(r#"<p class="listing-description">News from everywhere else.</p>"#));
    let nav = world.split("aria-label=\"Sections\"").nth(1).unwrap();
    assert!(
        nav.find(">Arts<").unwrap() < nav.find(">World<").unwrap(),
        "navigation follows the position"
    );

    let tagged = "headline=Tagged+story&body=Text.&tags=harbour+dues";
    let (_, location, _) = ed.post(&app, "/admin/stories", tagged).await;
    let tagged_id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    ed.act(&app, tagged_id, "publish", "").await;
    assert_eq!(
        author
            .post(&app, "/admin/tags", "slug=harbour-dues&name=Harbour+Dues")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ed.post(&app, "/admin/tags", "slug=harbour-dues&name=++")
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        ed.post(&app, "/admin/tags", "slug=harbour-dues&name=Harbour+Dues")
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    let (_, _, tag_page) = get(&app, "/tag/harbour-dues").await;
    assert!(
        tag_page.contains("<h1>Harbour Dues</h1>"),
        "renamed, at the same address"
    );
}

#[tokio::test]
async fn the_story_list_filters_sorts_and_shows_the_schedule() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let mut ids = Vec::new();
    for (title, section, author) in [
        ("Harbour dues rise", "Business", "Ana Lima"),
        ("Choir wins prize", "Culture", "Bo Chen"),
        ("Ferry timetable 100% changed", "Business", "Bo Chen"),
    ] {
        let form = format!(
            "headline={}&body=Text.&section={section}&authors={}",
            enc(title),
            enc(author)
        );
        let (_, location, _) = ed.post(&app, "/admin/stories", &form).await;
        ids.push(location.rsplit('/').next().unwrap().parse::<i64>().unwrap());
    }
    let soon = chrono::Utc::now() + chrono::Duration::hours(2);
    let later = chrono::Utc::now() + chrono::Duration::hours(5);
    ed.act(
        &app,
        ids[0],
        "schedule",
        &later.format("%Y-%m-%dT%H:%M").to_string(),
    )
    .await;
    ed.act(
        &app,
        ids[2],
        "schedule",
        &soon.format("%Y-%m-%dT%H:%M").to_string(),
    )
    .await;

    let rows = |page: &str| page.matches("<span class=\"status status-").count();
    let (_, business) = ed.get(&app, "/admin?section=business").await;
    assert_eq!(rows(&business), 2);
    assert!(!business.contains("Choir wins prize</a>"));
    let (_, bo) = ed.get(&app, "/admin?author=chen").await;
    assert!(
        bo.contains("Choir wins prize</a>")
            && bo.contains("Ferry timetable")
            && !bo.contains("Harbour dues rise</a>")
    );
    let (_, percent) = ed.get(&app, "/admin?q=100%25").await;
    assert!(
        percent.contains("Ferry timetable 100% changed</a>")
            && !percent.contains("Choir wins prize</a>"),
        "% is literal"
    );
    let (_, schedule) = ed.get(&app, "/admin?status=scheduled&sort=soonest").await;
    let first = schedule.find("Ferry timetable").unwrap();
    let second = schedule.find("Harbour dues rise").unwrap();
    assert!(first < second, "the schedule lists the soonest first");
    assert!(!schedule.contains("Choir wins prize</a>"));
    assert_eq!(
        ed.get(&app, "/admin?sort=sideways").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn editors_see_who_else_has_the_story_open() {
    let site = Site::new("");
    let app = site.app().await;
    let one = member(&app, &site, "one@example.org", "editor").await;
    let two = member(&app, &site, "two@example.org", "editor").await;
    let id = one.write(&app, "Busy story", "Text.").await;
    let (_, alone) = one.get(&app, &format!("/admin/stories/{id}")).await;
    assert!(!alone.contains("Also in this story now"));
    let (_, page) = two.get(&app, &format!("/admin/stories/{id}")).await;
    assert!(
        page.contains("Also in this story now: Test Member."),
        "the second editor sees the first"
    );
    let (status, _, json) = one
        .post(&app, &format!("/admin/stories/{id}/presence"), "")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Vec<String>>(&json).unwrap(),
        ["Test Member"]
    );
    let (status, _, _) = send(
        &app,
        "POST",
        &format!("/admin/stories/{id}/presence"),
        Some(&one.cookie),
        Some("csrf=no"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Puts a fresh story of `owner` into `state`, moved there by an administrator.
async fn story_in(
    app: &Router,
    owner: &Member,
    admin: &Member,
    state: byline_core::Status,
    n: usize,
) -> i64 {
    use byline_core::Status::*;
    let id = owner
        .write(app, &format!("Story {n} for the table"), "Text.")
        .await;
    let soon = (chrono::Utc::now() + chrono::Duration::hours(3))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let steps: &[(&str, &str)] = match state {
        Draft => &[],
        InReview => &[("submit", "")],
        Scheduled => &[("schedule", &soon)],
        Published => &[("publish", "")],
        Unpublished => &[("publish", ""), ("unpublish", "")],
    };
    for (action, at) in steps {
        assert_eq!(
            admin.act(app, id, action, at).await.0,
            StatusCode::SEE_OTHER,
            "{action}"
        );
    }
    id
}

#[tokio::test]
async fn every_workflow_move_through_the_router_follows_the_permission_table() {
    use byline_core::access::{Ownership, Role, allows};
    use byline_core::workflow::Transition;
    let site = Site::new("");
    let app = site.app().await;
    let admin = member(&app, &site, "root@example.org", "admin").await;
    let other = member(&app, &site, "other@example.org", "author").await;
    let soon = (chrono::Utc::now() + chrono::Duration::hours(5))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let mut n = 0;
    for role in Role::ALL {
        let me = member(
            &app,
            &site,
            &format!("{}@example.org", role.as_str()),
            role.as_str(),
        )
        .await;
        for transition in Transition::ALL {
            for from in transition.sources() {
                for ownership in [Ownership::Own, Ownership::Others] {
                    n += 1;
                    let owner = if ownership == Ownership::Own {
                        &me
                    } else {
                        &other
                    };
                    let id = story_in(&app, owner, &admin, *from, n).await;
                    let at = if transition == Transition::Schedule {
                        soon.as_str()
                    } else {
                        ""
                    };
                    let (status, _, _) = me.act(&app, id, transition.as_str(), at).await;
                    let allowed = allows(role, transition.permission(), ownership);
                    let expected = if allowed {
                        StatusCode::SEE_OTHER
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(
                        status, expected,
                        "{role:?} {transition:?} from {from:?} on {ownership:?} story"
                    );
                    let (_, page) = admin.get(&app, &format!("/admin/stories/{id}")).await;
                    let now = if allowed { transition.target() } else { *from };
                    assert!(
                        page.contains(&format!("status-{}\"", now.as_str())),
                        "{role:?} {transition:?}: now {now:?}"
                    );
                }
            }
        }
        // Illegal moves are refused for everyone, with a message.
        let id = story_in(&app, &me, &admin, byline_core::Status::Draft, 1000 + n).await;
        let (status, _, page) = admin.act(&app, id, "unpublish", "").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("A story that is draft cannot be moved that way."),
            "{page}"
        );
    }
}
