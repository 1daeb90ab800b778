//! Credits and captions read from the picture file: an import or an upload that does not
//! give them takes them from the file's IPTC/XMP, as the agency wrote them; what the item or
//! the editor gives wins.

use crate::editorial::{member, upload};
use crate::support::{Item, Site, get, shared};

fn photo(name: &str) -> Vec<u8> {
    std::fs::read(shared().join("fixtures/photos").join(name)).unwrap()
}

#[tokio::test]
async fn an_imported_picture_without_a_credit_takes_the_files() {
    let site = Site::new("");
    let items = tempfile::tempdir().unwrap();
    std::fs::write(items.path().join("iptc.jpg"), photo("exiftool/IPTC.jpg")).unwrap();
    let other = photo("superdesk-core/picture_bug.jpg");
    std::fs::write(items.path().join("other.jpg"), other).unwrap();
    let bare = serde_json::json!([{"name": "featureimage", "type": "picture",
        "renditions": [{"name": "original", "href": "iptc.jpg", "contenttype": "image/jpeg"}]}]);
    let from_file = Item::new("urn:test:credit:file", "Credited by the file")
        .created("2024-06-01T10:00:00Z")
        .set("associations", bare)
        .write(items.path(), "file");
    let own = Item::new("urn:test:credit:own", "Credited by the wire")
        .created("2024-06-01T11:00:00Z")
        .picture("other.jpg", "AP/ANA LIMA", "The wire's own caption.")
        .write(items.path(), "own");
    let (_, err, ok) = site.import(&[&from_file, &own]);
    assert!(ok, "{err}");
    let app = site.app().await;

    let (_, _, page) = get(&app, "/story/credited-by-the-file").await;
    assert!(
        page.contains(r#"<p class="credit">My Credit/Phil Harvey</p>"#),
        "{page}"
    );
    assert!(page.contains("A witty caption"), "{page}");
    let (_, _, page) = get(&app, "/story/credited-by-the-wire").await;
    assert!(
        page.contains(r#"<p class="credit">AP/ANA LIMA</p>"#),
        "{page}"
    );
    assert!(
        page.contains("The wire&#39;s own caption.") || page.contains("The wire's own caption.")
    );
    assert!(!page.contains("My Credit"), "the item's credit wins");
}

#[tokio::test]
async fn an_uploaded_photo_fills_what_the_editor_left_empty() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Reference photo story", "Text.").await;
    let reference = photo("superdesk-core/IPTC-PhotometadataRef-Std2017.1.jpg");
    let (status, _) = upload(&app, &ed, id, &[], Some(&reference)).await;
    assert_eq!(status, axum::http::StatusCode::SEE_OTHER);
    ed.act(&app, id, "publish", "").await;
    let (_, _, page) = get(&app, "/story/reference-photo-story").await;
    assert!(
        page.contains(
            // The creator is EXIF's Artist, read first as the MWG guidelines say.
            r#"<p class="credit">Credit Line (ref2017.1)/Creator1 (ref2017.1)</p>"#
        ),
        "{page}"
    );
    assert!(
        page.contains("The description aka caption (ref2017.1)"),
        "{page}"
    );

    let fields = [("credit", "BYLINE/STAFF"), ("caption", "Our own words.")];
    let (status, _) = upload(&app, &ed, id, &fields, Some(&reference)).await;
    assert_eq!(status, axum::http::StatusCode::SEE_OTHER);
    let (_, _, page) = get(&app, "/story/reference-photo-story").await;
    assert!(
        page.contains(r#"<p class="credit">BYLINE/STAFF</p>"#),
        "{page}"
    );
    assert!(page.contains("Our own words.") && !page.contains("aka caption"));
}

#[tokio::test]
async fn uploads_are_checked_by_decoding_them() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Checked photo story", "Text.").await;
    let whole = std::fs::read(shared().join("seed/lead-photo.jpg")).unwrap();
    let cut = &whole[..whole.len() * 2 / 3];
    let (status, page) = upload(&app, &ed, id, &[("credit", "X")], Some(cut)).await;
    assert_eq!(status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("damaged or cut short"), "{page}");
    // A GIF whose header claims 65,535 × 65,535 pixels in 13 bytes.
    let bomb = b"GIF89a\xff\xff\xff\xff\x00\x00\x00";
    let (status, page) = upload(&app, &ed, id, &[("credit", "X")], Some(bomb)).await;
    assert_eq!(status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("more than the 80 million accepted"), "{page}");
    // Nothing was kept: the story still has no photo, and no file was stored.
    let (_, editor) = ed.get(&app, &format!("/admin/stories/{id}")).await;
    assert!(!editor.contains("/media/"), "{editor}");
    assert!(
        site.data.join("media").read_dir().unwrap().all(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with('.')),
        "no picture stored"
    );
}

#[tokio::test]
async fn a_lead_photo_without_a_credit_keeps_its_story_in_unless_the_rule_is_off() {
    for (config, required) in [("", true), ("[photos]\ncredit_required = false\n", false)] {
        let site = Site::new(config);
        let app = site.app().await;
        let ed = member(&app, &site, "ed@example.org", "editor").await;
        let id = ed.write(&app, "Uncredited photo story", "Text.").await;
        // The seed photo carries no metadata, so nothing fills the credit.
        let plain = std::fs::read(shared().join("seed/lead-photo.jpg")).unwrap();
        upload(&app, &ed, id, &[("caption", "A harbour.")], Some(&plain)).await;
        let (status, _, page) = ed.act(&app, id, "publish", "").await;
        if required {
            assert_eq!(status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
            assert!(page.contains("The lead photo has no credit"), "{page}");
            assert_eq!(get(&app, "/story/uncredited-photo-story").await.0, 404);
            upload(&app, &ed, id, &[("credit", "BYLINE/STAFF")], None).await;
            let (status, _, _) = ed.act(&app, id, "publish", "").await;
            assert_eq!(status, axum::http::StatusCode::SEE_OTHER, "credited now");
        } else {
            assert_eq!(status, axum::http::StatusCode::SEE_OTHER, "the rule is off");
        }
        assert_eq!(get(&app, "/story/uncredited-photo-story").await.0, 200);
    }
}

/// A photo whose only rights line is a copyright notice is credited to its holder (the credit
/// pattern's last resort), so its story can be published where a credit is required.
#[tokio::test]
async fn a_photo_with_only_a_copyright_notice_is_credited_to_its_holder() {
    let site = Site::new("");
    let photo = site.dir.path().join("notice.jpg");
    std::fs::copy(shared().join("seed/lead-photo.jpg"), &photo).unwrap();
    let written = std::process::Command::new("exiftool")
        .args([
            "-q",
            "-overwrite_original",
            "-EXIF:Copyright=Copyright 2026 Harbour Photo Agency",
        ])
        .arg(&photo)
        .status()
        .expect("exiftool (scripts/setup installs it)");
    assert!(written.success());
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Noticed photo story", "Text.").await;
    let bytes = std::fs::read(&photo).unwrap();
    upload(&app, &ed, id, &[("caption", "A quay.")], Some(&bytes)).await;
    let (status, _, page) = ed.act(&app, id, "publish", "").await;
    assert_eq!(status, axum::http::StatusCode::SEE_OTHER, "{page}");
    let (_, _, article) = get(&app, "/story/noticed-photo-story").await;
    assert!(article.contains("© 2026 Harbour Photo Agency"), "{article}");
}
