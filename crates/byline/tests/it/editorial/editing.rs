//! The editor: lost updates, slugs, revisions, previews, photos and presence.

use axum::http::StatusCode;

use super::*;
use crate::support::{Site, get, send};

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
    assert!(
        !headers.contains_key("speculation-rules") && !html.contains("navigational-prefetch"),
        "a preview prefetches nothing and counts nothing"
    );
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
