//! The photo desk through the real router and the rendition worker `serve` runs: an upload's
//! renditions (sizes, crops, formats, no camera or location data), the `<picture>` markup that
//! reserves their box, and the media library — search, reuse with a caption per story, one
//! credit per picture, focus, deletion only when unused.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use byline::router::App;
use byline_core::{Crop, Focus, Format, Picture, PictureSource, Rendition, Shape};

use crate::editorial::{Member, member, post_multipart, upload};
use crate::support::{Site, enc, get, get_bytes, send, shared};

/// The reference photo of the IPTC (1,000 × 500) with an EXIF GPS position spliced in, as a
/// phone would write it.
fn photo_with_gps() -> Vec<u8> {
    let original = std::fs::read(
        shared().join("fixtures/photos/superdesk-core/IPTC-PhotometadataRef-Std2017.1.jpg"),
    )
    .unwrap();
    // TIFF, little-endian: IFD0 holds only the GPS IFD's offset (26); the GPS IFD holds
    // latitude "N" 51° 30' 26".
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&[1, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0]);
    tiff.extend_from_slice(&[2, 0]);
    tiff.extend_from_slice(&[1, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
    tiff.extend_from_slice(&[2, 0, 5, 0, 3, 0, 0, 0, 56, 0, 0, 0, 0, 0, 0, 0]);
    for (numerator, denominator) in [(51u32, 1u32), (30, 1), (2617, 100)] {
        tiff.extend_from_slice(&numerator.to_le_bytes());
        tiff.extend_from_slice(&denominator.to_le_bytes());
    }
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend(tiff);
    let mut out = original[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&(segment.len() as u16 + 2).to_be_bytes());
    out.extend(segment);
    out.extend_from_slice(&original[2..]);
    out
}

/// Waits (up to 60 s) until every rendition of the picture under `key` is in the media folder,
/// letting the worker run meanwhile.
async fn wait_for_renditions(site: &Site, key: &str, renditions: &[Rendition]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let media = site.data.join("media");
    let missing = || -> Vec<String> {
        renditions
            .iter()
            .map(|r| r.key(key))
            .filter(|k| !media.join(k).is_file())
            .collect()
    };
    while !missing().is_empty() {
        assert!(
            Instant::now() < deadline,
            "not made in 60 s: {:?}",
            missing()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The media key of the (JPEG) picture a page shows, from its first `/media/` URL: renditions
/// are named after the original's content hash, then a `-`.
fn key_on(page: &str) -> String {
    let url = page.split("/media/").nth(1).expect("a picture on the page");
    let (stem, _) = url.split_once('-').expect("a rendition");
    format!("{stem}.jpg")
}

/// The id of the first picture the library page lists.
fn first_picture(library: &str) -> i64 {
    let after = library
        .split("href=\"/admin/media/")
        .nth(1)
        .expect("a picture");
    after.split('"').next().unwrap().parse().unwrap()
}

async fn upload_to_library(app: &App, who: &Member, fields: &[(&str, &str)], file: &[u8]) -> i64 {
    let (status, location, page) =
        post_multipart(app, who, "/admin/media", fields, Some(file)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    location
        .trim_start_matches("/admin/media/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn an_upload_gets_every_rendition_from_its_job_without_camera_or_location_data() {
    let site = Site::new("");
    let (app, _state, worker) = site.app_with_jobs().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Rendered photo story", "Text.").await;
    let original = photo_with_gps();
    assert!(original.windows(2).any(|w| w == [0x25, 0x88]));
    let (status, _) = upload(&app, &ed, id, &[], Some(&original)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    ed.act(&app, id, "publish", "").await;
    let (_, _, page) = get(&app, "/story/rendered-photo-story").await;
    let key = key_on(&page);
    let all = Rendition::all(1000, 500, Focus::default());
    assert_eq!(all.len(), 2 * (4 + 3 + 3 + 2));
    wait_for_renditions(&site, &key, &all).await;

    let gps_seconds = 2617u32.to_le_bytes();
    for rendition in &all {
        let (status, headers, bytes) =
            get_bytes(&app, &format!("/media/{}", rendition.key(&key))).await;
        assert_eq!(status, StatusCode::OK, "{rendition:?}");
        assert_eq!(headers["content-type"], rendition.format.content_type());
        assert!(
            headers["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        let (_, decoded) = byline_media::decode::decode(&bytes).unwrap();
        assert_eq!(decoded.width, rendition.width, "{rendition:?}");
        let height = match rendition.shape {
            Shape::Original => rendition.width / 2,
            Shape::Crop(crop, _) => rendition.width * crop.ratio().1 / crop.ratio().0,
        };
        assert_eq!(decoded.height, height, "{rendition:?}");
        assert!(!bytes.windows(6).any(|w| w == b"Exif\0\0"), "{rendition:?}");
        assert!(!bytes.windows(4).any(|w| w == gps_seconds), "{rendition:?}");
        let rights = byline_media::metadata::read_metadata(&bytes).unwrap();
        assert_eq!(rights.credit.as_deref(), Some("Credit Line (ref2017.1)"));
    }
    // The page offers WebP first, JPEG to every browser, and reserves the picture's box;
    // the lead photo loads at once.
    assert!(
        page.contains("<picture><source type=\"image/webp\" srcset=\"/media/"),
        "{page}"
    );
    assert!(page.contains("-w1000.webp 1000w\""), "{page}");
    assert!(page.contains(r#"width="1000" height="500""#), "{page}");
    let lead = page.split("class=\"lead-photo\"").nth(1).unwrap();
    let img = lead
        .split("<img")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap();
    assert!(!img.contains("loading=\"lazy\"") && img.contains("fetchpriority=\"high\""));
    // Link previews take the 16:9 crop.
    assert!(
        page.contains(&format!(
            "<meta property=\"og:image\" content=\"http://byline.test/media/{}\">",
            Rendition {
                shape: Shape::Crop(Crop::Wide, Focus::default()),
                width: 888,
                format: Format::Jpeg
            }
            .key(&key)
        )),
        "{page}"
    );
    // The original is kept, never served.
    assert!(site.data.join("media").join(&key).is_file());
    assert_eq!(
        get(&app, &format!("/media/{key}")).await.0,
        StatusCode::NOT_FOUND
    );
    worker.abort();
}

#[tokio::test]
async fn the_library_finds_reuses_and_keeps_one_credit_per_picture() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let author = member(&app, &site, "au@example.org", "author").await;
    let first = ed.write(&app, "First harbour story", "Text.").await;
    let second = ed.write(&app, "Second harbour story", "Text.").await;
    let photo = std::fs::read(shared().join("fixtures/photos/exiftool/IPTC.jpg")).unwrap();
    let fields = [("caption", "Boats at dawn, first story.")];
    assert_eq!(
        upload(&app, &ed, first, &fields, Some(&photo)).await.0,
        StatusCode::SEE_OTHER
    );

    // Found by keyword, credit and caption; not by what it does not say.
    let metadata = byline_media::metadata::read_metadata(&photo).unwrap();
    let keyword = metadata
        .keywords
        .first()
        .expect("the fixture has keywords")
        .clone();
    for (query, found) in [
        (keyword.as_str(), true),
        ("my credit", true),
        ("boats at", true),
        ("zebra", false),
    ] {
        let (_, library) = ed
            .get(&app, &format!("/admin/media?q={}", enc(query)))
            .await;
        assert_eq!(
            library.contains("1 picture matching"),
            found,
            "{query}: {library}"
        );
    }
    let (_, library) = ed.get(&app, &format!("/admin/media?for={second}")).await;
    assert!(
        library.contains("Choosing the lead photo of “Second harbour story”"),
        "{library}"
    );
    let picture = first_picture(&library);

    // Reused with its own caption; the credit is the picture's.
    let form = format!(
        "picture={picture}&caption={}",
        enc("The same boats, second story.")
    );
    let (status, location, _) = ed
        .post(&app, &format!("/admin/stories/{second}/photo/use"), &form)
        .await;
    assert_eq!(
        (status, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            &*format!("/admin/stories/{second}?saved")
        )
    );
    for id in [first, second] {
        ed.act(&app, id, "publish", "").await;
    }
    let page_of = |slug: &'static str| {
        let app = app.clone();
        async move { get(&app, &format!("/story/{slug}")).await.2 }
    };
    let one = page_of("first-harbour-story").await;
    let two = page_of("second-harbour-story").await;
    assert!(one.contains("Boats at dawn, first story.") && !one.contains("second story"));
    assert!(two.contains("The same boats, second story.") && !two.contains("first story"));
    for page in [&one, &two] {
        assert!(
            page.contains(r#"<p class="credit">My Credit/Phil Harvey</p>"#),
            "{page}"
        );
    }
    assert_eq!(key_on(&one), key_on(&two), "one file");

    // The credit changes for every story at once; an author may not change it.
    let edit = "credit=NEWSROOM%2FSTAFF&caption=Boats&alt=Boats&keywords=harbour%2C+dawn&focus_x=20&focus_y=50";
    let path = format!("/admin/media/{picture}");
    assert_eq!(
        author.post(&app, &path, edit).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(ed.post(&app, &path, edit).await.0, StatusCode::SEE_OTHER);
    for slug in ["first-harbour-story", "second-harbour-story"] {
        let page = page_of(slug).await;
        assert!(
            page.contains(r#"<p class="credit">NEWSROOM/STAFF</p>"#),
            "{page}"
        );
        assert!(
            page.contains("-16x9-at200x500-w"),
            "crops follow the new focus: {page}"
        );
    }
    // A used picture keeps its credit while the newsroom requires one.
    let (status, _, page) = ed.post(&app, &path, "credit=&focus_x=50&focus_y=50").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("requires a credit, and 2 stories use this picture"),
        "{page}"
    );
    let (status, _, page) = ed
        .post(&app, &path, "credit=X&focus_x=120&focus_y=50")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("The focus across must be from 0 to 100."),
        "{page}"
    );
    let (_, page) = ed.get(&app, &path).await;
    assert!(page.contains("First harbour story") && page.contains("Second harbour story"));

    // Deleted only once no story uses it; then its files go too.
    let key = key_on(&one);
    let (status, _, page) = ed.post(&app, &format!("{path}/delete"), "").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("2 stories use this picture"), "{page}");
    assert!(site.data.join("media").join(&key).is_file());
    for id in [first, second] {
        let path = format!("/admin/stories/{id}/photo");
        let removal = post_multipart(&app, &ed, &path, &[("remove", "yes")], None).await;
        assert_eq!(removal.0, StatusCode::SEE_OTHER);
    }
    let (_, page) = ed.get(&app, &path).await;
    assert!(page.contains("No story uses this picture."), "{page}");
    assert_eq!(
        author.post(&app, &format!("{path}/delete"), "").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _, _) = send(
        &app,
        "POST",
        &format!("{path}/delete"),
        Some(&ed.cookie),
        Some("csrf=wrong"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "no deletion without the form's token"
    );
    assert_eq!(
        ed.post(&app, &format!("{path}/delete"), "").await.1,
        "/admin/media?done=deleted"
    );
    assert!(!site.data.join("media").join(&key).exists());
    assert_eq!(ed.get(&app, &path).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn pictures_added_to_the_library_are_found_and_a_moved_focus_makes_new_crops() {
    let site = Site::new("");
    let (app, state, worker) = site.app_with_jobs().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let photo = std::fs::read(shared().join("seed/lead-photo.jpg")).unwrap();
    let fields = [("credit", "AFP/JO DOE"), ("caption", "A harbour.")];
    let picture = upload_to_library(&app, &ed, &fields, &photo).await;
    let (_, page) = ed
        .get(&app, &format!("/admin/media/{picture}?done=added"))
        .await;
    assert!(
        page.contains("The picture is in the library") && page.contains("AFP/JO DOE"),
        "{page}"
    );
    let (_, library) = ed.get(&app, "/admin/media?q=afp").await;
    assert!(
        library.contains("1 picture matching") && library.contains("Not used"),
        "{library}"
    );
    // A picture without alt text is still a link with a name (axe `link-name`).
    assert!(
        library.contains(&format!(
            r#"<a href="/admin/media/{picture}" aria-label="Edit picture {picture}"#
        )),
        "{library}"
    );

    let stored = state
        .store
        .library_picture(byline_core::PictureId(picture))
        .await
        .unwrap()
        .unwrap();
    let PictureSource::Local { key } = &stored.picture.source else {
        panic!("a stored picture")
    };
    let moved = Focus::new(900, 100);
    let crops_at = |focus: Focus| -> Vec<Rendition> {
        Rendition::all(1200, 675, focus)
            .into_iter()
            .filter(|r| r.shape != Shape::Original)
            .collect()
    };
    wait_for_renditions(&site, key, &crops_at(Focus::default())).await;
    let edit = "credit=AFP%2FJO+DOE&caption=A+harbour.&alt=&keywords=&focus_x=90&focus_y=10";
    let (status, _, page) = ed
        .post(&app, &format!("/admin/media/{picture}"), edit)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    wait_for_renditions(&site, key, &crops_at(moved)).await;
    let picture_now = Picture {
        focus: moved,
        rights: Default::default(),
        ..stored.picture.clone()
    };
    let square = picture_now.renditions(Shape::crop(Crop::Square), Format::Jpeg);
    assert_eq!(square.last().unwrap().0, 675);
    let (status, _, _) = get(&app, &square.last().unwrap().1).await;
    assert_eq!(status, StatusCode::OK);
    worker.abort();
}
