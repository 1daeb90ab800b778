//! Who may change what the whole newsroom shares: a library picture's credit and alt text
//! (the photo desk), sections (administrators); and administrators stopping a member.

use axum::http::StatusCode;
use byline_core::PictureId;

use crate::admin_accounts::login_form;
use crate::editorial::{member, post_multipart, upload};
use crate::support::{Site, get, sections, send, shared};

#[tokio::test]
async fn only_the_photo_desk_changes_a_shared_pictures_credit() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let writer = member(&app, &site, "writer@example.org", "contributor").await;
    let photo = std::fs::read(shared().join("seed/lead-photo.jpg")).unwrap();
    // The desk's picture, on a published story.
    let published = ed.write(&app, "Ferry returns", "Text.").await;
    let fields = [
        ("credit", "AGENCY/Jo Photographer"),
        ("alt", "A ferry at the quay"),
    ];
    assert_eq!(
        upload(&app, &ed, published, &fields, Some(&photo)).await.0,
        StatusCode::SEE_OTHER
    );
    ed.act(&app, published, "publish", "").await;
    let (_, _, page) = get(&app, "/story/ferry-returns").await;
    assert!(page.contains("AGENCY/Jo Photographer"));
    let store = site.data_dir().open_store().await.unwrap();
    let picture = PictureId(1);
    let credit = || {
        let store = store.clone();
        async move {
            store
                .library_picture(picture)
                .await
                .unwrap()
                .unwrap()
                .picture
                .credit
        }
    };

    // A contributor reuses it on their own draft…
    let draft = writer.write(&app, "My ferry piece", "Text.").await;
    let (status, _, _) = writer
        .post(
            &app,
            &format!("/admin/stories/{draft}/photo/use"),
            "picture=1&caption=Mine",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // …and cannot rewrite its credit or alt text through the photo form,
    let rewrite = [("credit", "Stolen credit"), ("alt", "Something else")];
    let (status, page) = upload(&app, &writer, draft, &rewrite, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    // nor by uploading the same bytes again.
    let (status, _, page) =
        post_multipart(&app, &writer, "/admin/media", &rewrite, Some(&photo)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert_eq!(credit().await.as_deref(), Some("AGENCY/Jo Photographer"));
    let (_, _, page) = get(&app, "/story/ferry-returns").await;
    assert!(page.contains("AGENCY/Jo Photographer") && !page.contains("Stolen credit"));
    // Uploading the same bytes with nothing to change reuses the picture as it is; the
    // contributor's own caption for their story is theirs to write.
    let (status, _, _) = post_multipart(&app, &writer, "/admin/media", &[], Some(&photo)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = upload(&app, &writer, draft, &[("caption", "My own caption")], None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(credit().await.as_deref(), Some("AGENCY/Jo Photographer"));
    // The desk can.
    let fix = [("credit", "AGENCY/Jo Photographer (corrected)")];
    assert_eq!(
        upload(&app, &ed, published, &fix, None).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        credit().await.as_deref(),
        Some("AGENCY/Jo Photographer (corrected)")
    );
}

#[tokio::test]
async fn a_photo_of_someone_elses_draft_stays_theirs() {
    let site = Site::new("");
    let app = site.app().await;
    let ana = member(&app, &site, "ana@example.org", "author").await;
    let bob = member(&app, &site, "bob@example.org", "author").await;
    let photo = std::fs::read(shared().join("seed/lead-photo.jpg")).unwrap();
    let hers = ana.write(&app, "Embargoed", "Text.").await;
    let secret = [
        ("credit", "Agency/Photographer"),
        ("caption", "Minister resigns tonight"),
        ("alt", "The minister leaving"),
    ];
    assert_eq!(
        upload(&app, &ana, hers, &secret, Some(&photo)).await.0,
        StatusCode::SEE_OTHER
    );
    // Bob does not find it in the library…
    let (_, library) = bob.get(&app, "/admin/media?q=minister").await;
    assert!(!library.contains("Minister resigns"), "{library}");
    assert_eq!(
        bob.get(&app, "/admin/media/1").await.0,
        StatusCode::NOT_FOUND
    );
    // …and uploading the same bytes does not hand him its words.
    let his = bob.write(&app, "Mine", "Text.").await;
    let (status, page) = upload(&app, &bob, his, &[], Some(&photo)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(!page.contains("Minister"), "{page}");
    let (status, _, page) = post_multipart(&app, &bob, "/admin/media", &[], Some(&photo)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    let (_, editor) = bob.get(&app, &format!("/admin/stories/{his}")).await;
    assert!(!editor.contains("Minister"), "{editor}");
    // Once her story is out, the picture is anyone's to find.
    let (status, _, page) = ana.act(&app, hers, "publish", "").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (_, library) = bob.get(&app, "/admin/media?q=minister").await;
    assert!(library.contains("Minister resigns"), "{library}");
}

#[tokio::test]
async fn writers_choose_among_the_sections_and_only_admins_make_new_ones() {
    let site = Site::new("");
    let app = site.app().await;
    sections(&site, &["News"]).await;
    let writer = member(&app, &site, "writer@example.org", "contributor").await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let admin = member(&app, &site, "admin@example.org", "admin").await;
    let story = |section: &str| format!("headline=Filed&body=Text.&section={section}");
    let (status, _, page) = writer
        .post(&app, "/admin/stories", &story("Secret+Desk"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("There is no section"), "{page}");
    assert!(
        page.contains(r#"<option value="News">"#),
        "the sections are offered"
    );
    let (status, _, _) = ed.post(&app, "/admin/stories", &story("Secret+Desk")).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "editors do not make sections either"
    );
    assert_eq!(
        writer.post(&app, "/admin/stories", &story("News")).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        admin
            .post(&app, "/admin/stories", &story("Letters"))
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    let (_, _, home) = get(&app, "/").await;
    assert!(home.contains("/section/letters") && !home.contains("secret-desk"));
}

#[tokio::test]
async fn a_disabled_member_is_signed_out_at_once_and_cannot_sign_in() {
    let site = Site::new("");
    let app = site.app().await;
    let admin = member(&app, &site, "admin@example.org", "admin").await;
    let author = member(&app, &site, "author@example.org", "author").await;
    let (_, page) = admin.get(&app, "/admin/members").await;
    assert!(
        page.contains("author@example.org") && page.contains("signed in"),
        "{page}"
    );
    let store = site.data_dir().open_store().await.unwrap();
    let id_of = async |email: &str| {
        let members = store.members().await.unwrap();
        members
            .iter()
            .find(|m| m.user.email.as_str() == email)
            .unwrap()
            .user
            .id
            .0
    };
    let id = id_of("author@example.org").await;
    let (status, location, _) = admin
        .post(&app, &format!("/admin/members/{id}/disable"), "")
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/members?disabled")
    );
    let (status, headers, _) = send(&app, "GET", "/admin", Some(&author.cookie), None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session ended");
    assert_eq!(headers["location"], "/admin/login");
    let form = login_form("author@example.org", "member passphrase");
    assert_eq!(
        send(&app, "POST", "/admin/login", None, Some(&form))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (_, page) = admin.get(&app, "/admin/members").await;
    assert!(page.contains("Disabled since"), "{page}");
    admin
        .post(&app, &format!("/admin/members/{id}/enable"), "")
        .await;
    let (status, headers, _) = send(&app, "POST", "/admin/login", None, Some(&form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "back in");
    // Ending someone's sessions signs them out everywhere.
    let cookie = crate::support::session_cookie(&headers).unwrap();
    admin
        .post(&app, &format!("/admin/members/{id}/sessions/end"), "")
        .await;
    assert_eq!(
        send(&app, "GET", "/admin", Some(&cookie), None).await.0,
        StatusCode::SEE_OTHER
    );
    // An administrator cannot lock themselves out.
    let me = id_of("admin@example.org").await;
    let (status, _, page) = admin
        .post(&app, &format!("/admin/members/{me}/disable"), "")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("cannot disable your own account"), "{page}");
    assert_eq!(admin.get(&app, "/admin").await.0, StatusCode::OK);
}
