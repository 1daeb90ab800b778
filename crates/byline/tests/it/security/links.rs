//! Links that carry secrets: an invitation is used up when its password is set (a GET only
//! shows the form), a preview link expires, can be ended or replaced, and stops when the
//! story goes out; and no token of any of them reaches the request log.

use axum::http::StatusCode;
use byline_core::StoryId;
use byline_core::editorial::PreviewLink;

use crate::admin_accounts::csrf_of;
use crate::editorial::member;
use crate::support::{Site, enc, get, http_exchange};

/// The 64-hex token after `prefix` in `text`.
fn token_after(text: &str, prefix: &str) -> String {
    let at = text
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix} in {text}"))
        + prefix.len();
    text[at..at + 64].to_owned()
}

/// A header's value from a response's header block, whatever the case of its name.
fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

#[test]
fn tokens_never_reach_the_log_and_invitations_are_used_once() {
    let site = Site::new("");
    let out = site.cli(&[
        "user",
        "add",
        "--email",
        "new@example.org",
        "--name",
        "New Admin",
        "--role",
        "admin",
    ]);
    assert!(out.status.success());
    let invitation = token_after(&String::from_utf8(out.stdout).unwrap(), "/admin/signin/");
    let server = site.serve_env(&[], &[("BYLINE_LOG", "info")]);
    let url = &server.url;
    let link = format!("{url}/admin/signin/{invitation}");
    // Opening the link (a mail scanner does) spends nothing.
    for _ in 0..2 {
        assert_eq!(http_exchange("GET", &link, "", "").0, 200);
    }
    let form = "password=a+long+new+passphrase";
    let post = |form: &str| {
        let headers = format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            form.len()
        );
        http_exchange("POST", &link, &headers, form)
    };
    let (status, head, _) = post(form);
    assert_eq!(status, 303, "the password is set and the member signed in");
    let cookie = header(&head, "set-cookie")
        .and_then(|v| v.strip_prefix("byline_session=").map(str::to_owned))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("a session");
    assert_eq!(post(form).0, 403, "the link is used up");

    // A story's private preview, opened by a reader.
    let signed = format!("Cookie: byline_session={cookie}\r\n");
    let (_, _, admin) = http_exchange("GET", &format!("{url}/admin"), &signed, "");
    let csrf = csrf_of(&admin);
    let story = format!(
        "csrf={csrf}&headline={}&body=Embargoed.&body_format=markdown",
        enc("Budget leaks")
    );
    let headers = format!(
        "{signed}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        story.len()
    );
    let (status, head, _) =
        http_exchange("POST", &format!("{url}/admin/stories"), &headers, &story);
    assert_eq!(status, 303);
    let editor = header(&head, "location").unwrap();
    let (_, _, page) = http_exchange("GET", &format!("{url}{editor}"), &signed, "");
    let preview = token_after(&page, "/preview/");
    assert_eq!(
        http_exchange("GET", &format!("{url}/preview/{preview}"), "", "").0,
        200
    );
    // A confirmation link's token travels in the query string.
    let confirmation = "c0ffee".repeat(10);
    http_exchange(
        "GET",
        &format!("{url}/newsletter/confirm?token={confirmation}"),
        "",
        "",
    );

    let log = server.stop_and_read_log();
    assert!(
        log.contains("/admin/signin/…") && log.contains("/preview/…"),
        "{log}"
    );
    for secret in [&invitation, &preview, &confirmation, &cookie, &csrf] {
        assert!(
            !log.contains(secret.as_str()),
            "{secret} is in the log:\n{log}"
        );
    }
}

#[tokio::test]
async fn preview_links_expire_can_be_ended_and_stop_when_the_story_goes_out() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Harbour plans", "Not yet public.").await;
    let link_of = |page: &str| {
        page.find("/preview/")
            .map(|_| token_after(page, "/preview/"))
    };
    let (_, page) = ed.get(&app, &format!("/admin/stories/{id}")).await;
    let first = link_of(&page).expect("a new draft has a preview link");
    let preview = |token: &str| {
        let app = app.clone();
        let path = format!("/preview/{token}");
        async move { get(&app, &path).await.0 }
    };
    assert_eq!(preview(&first).await, StatusCode::OK);

    // A new link replaces the old one.
    let action = format!("/admin/stories/{id}/preview-link");
    assert_eq!(
        ed.post(&app, &action, "action=new").await.0,
        StatusCode::SEE_OTHER
    );
    let (_, page) = ed.get(&app, &format!("/admin/stories/{id}")).await;
    let second = link_of(&page).unwrap();
    assert_ne!(first, second);
    assert_eq!(
        preview(&first).await,
        StatusCode::NOT_FOUND,
        "the old link stopped"
    );
    assert_eq!(preview(&second).await, StatusCode::OK);

    // Ended from the editor.
    ed.post(&app, &action, "action=revoke").await;
    assert_eq!(preview(&second).await, StatusCode::NOT_FOUND);
    let (_, page) = ed.get(&app, &format!("/admin/stories/{id}")).await;
    assert!(link_of(&page).is_none() && page.contains("has no preview link"));

    // Expired: a link past its time shows nothing.
    let store = site.data_dir().open_store().await.unwrap();
    let old = PreviewLink {
        token: "e".repeat(64),
        expires_at: chrono::Utc::now() - chrono::Duration::minutes(1),
    };
    store
        .set_preview_link(StoryId(id), Some(&old))
        .await
        .unwrap();
    assert_eq!(preview(&old.token).await, StatusCode::NOT_FOUND, "expired");

    // Published: the public address takes over, the preview stops.
    ed.post(&app, &action, "action=new").await;
    let (_, page) = ed.get(&app, &format!("/admin/stories/{id}")).await;
    let third = link_of(&page).unwrap();
    assert_eq!(preview(&third).await, StatusCode::OK);
    ed.act(&app, id, "publish", "").await;
    assert_eq!(preview(&third).await, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/story/harbour-plans").await.0, StatusCode::OK);
    let (status, _, page) = ed.post(&app, &action, "action=new").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    // Taken down: still no preview.
    ed.act(&app, id, "unpublish", "").await;
    assert_eq!(preview(&third).await, StatusCode::NOT_FOUND);
}
