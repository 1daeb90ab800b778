//! The Admin API beyond stories: pictures uploaded and described, curation, sections and
//! newsletter drafts, each allowed to the roles the admin allows; and every Admin API route
//! refusing callers without an account before it reads a body.

use axum::http::StatusCode;
use serde_json::json;

use crate::api::{call, token};
use crate::support::{Site, get, request, shared};

const PHOTO: &str = "fixtures/photos/superdesk-core/IPTC-PhotometadataRef-Std2017.1.jpg";

async fn upload(
    app: &byline::router::App,
    token: &str,
    bytes: Vec<u8>,
    query: &str,
) -> (StatusCode, serde_json::Value) {
    use tower::ServiceExt;
    let request = axum::http::Request::post(format!("/api/v1/admin/pictures{query}"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "image/jpeg")
        .body(axum::body::Body::from(bytes))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn pictures_go_into_the_library_with_their_credit_and_lead_a_story() {
    let site = Site::new("");
    let app = site.app().await;
    let author = token(&site, &["--name", "author", "--role", "author"]);
    let editor = token(&site, &["--name", "desk", "--role", "editor"]);
    let photo = std::fs::read(shared().join(PHOTO)).unwrap();
    let (status, problem) = upload(&app, &author, b"not a picture at all".to_vec(), "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "body");
    let long = format!("?credit={}", "x".repeat(301));
    let (status, problem) = upload(&app, &author, photo.clone(), &long).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "credit");
    let (status, picture) = upload(&app, &author, photo, "?alt=A%20reference%20photo").await;
    assert_eq!(status, StatusCode::CREATED, "{picture}");
    // The creator is EXIF's Artist, read first as the MWG guidelines say.
    assert_eq!(
        picture["credit"],
        "Credit Line (ref2017.1)/Creator1 (ref2017.1)"
    );
    assert_eq!(picture["alt"], "A reference photo");
    let id = picture["id"].as_i64().unwrap();
    let path = format!("/api/v1/admin/pictures/{id}");
    let edit = json!({"credit": "Desk Credit", "caption": "The desk's caption", "keywords": ["harbour"], "focus_x": 30});
    let (status, _, _) = call(&app, "PUT", &path, Some(&author), Some(edit.clone()), &[]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the desk changes a library picture"
    );
    let (status, _, changed) = call(&app, "PUT", &path, Some(&editor), Some(edit), &[]).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["credit"], "Desk Credit");
    assert_eq!(changed["focus_x"], 30.0);
    let (status, _, bad) = call(
        &app,
        "PUT",
        &path,
        Some(&editor),
        Some(json!({"focus_x": 101})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

    let draft = json!({"headline": "Harbour photo story", "body": "Text."});
    let (_, _, story) = call(
        &app,
        "POST",
        "/api/v1/admin/stories",
        Some(&editor),
        Some(draft),
        &[],
    )
    .await;
    let lead = format!("/api/v1/admin/stories/{}/lead-picture", story["id"]);
    let (status, _, with_photo) = call(
        &app,
        "PUT",
        &lead,
        Some(&editor),
        Some(json!({"picture_id": id})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{with_photo}");
    assert_eq!(with_photo["lead_picture"]["credit"], "Desk Credit");
    assert_eq!(with_photo["lead_picture"]["caption"], "The desk's caption");
}

#[tokio::test]
async fn curation_sections_and_newsletter_drafts_follow_the_roles() {
    let site = Site::new("");
    let app = site.app().await;
    let author = token(&site, &["--name", "author", "--role", "author"]);
    let editor = token(&site, &["--name", "desk", "--role", "editor"]);
    let admin = token(&site, &["--name", "chief", "--role", "admin"]);
    let mut slugs = Vec::new();
    for headline in ["Lead story", "Picked story"] {
        let body = json!({"headline": headline, "body": "Text."});
        let (_, _, made) = call(
            &app,
            "POST",
            "/api/v1/admin/stories",
            Some(&editor),
            Some(body),
            &[],
        )
        .await;
        let status_path = format!("/api/v1/admin/stories/{}/status", made["id"]);
        let (status, _, _) = call(
            &app,
            "POST",
            &status_path,
            Some(&editor),
            Some(json!({"transition": "publish"})),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        slugs.push(made["slug"].as_str().unwrap().to_owned());
    }
    let curation = json!({"lead": slugs[0], "picks": [slugs[1]]});
    let (status, _, _) = call(
        &app,
        "PUT",
        "/api/v1/admin/curation",
        Some(&author),
        Some(curation.clone()),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = call(
        &app,
        "PUT",
        "/api/v1/admin/curation",
        Some(&editor),
        Some(curation),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, home) = get(&app, "/").await;
    assert!(home.contains("Lead story"), "the chosen lead leads");
    let unknown = json!({"picks": ["no-such-story"]});
    let (status, _, _) = call(
        &app,
        "PUT",
        "/api/v1/admin/curation",
        Some(&editor),
        Some(unknown),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let section =
        json!({"name": "Politics", "description": "Parliament and councils", "position": 1});
    let (status, _, _) = call(
        &app,
        "PUT",
        "/api/v1/admin/sections/politics",
        Some(&editor),
        Some(section.clone()),
        &[],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only administrators manage sections"
    );
    let (status, _, problem) = call(
        &app,
        "PUT",
        "/api/v1/admin/sections/politics",
        Some(&admin),
        Some(section),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{problem}");
    let renamed = json!({"name": "Politics and power", "position": 1});
    let (status, _, _) = call(
        &app,
        "PUT",
        "/api/v1/admin/sections/politics",
        Some(&admin),
        Some(renamed),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, sections) = call(&app, "GET", "/api/v1/sections", None, None, &[]).await;
    let names: Vec<&str> = sections["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Politics and power"],
        "changed in place, not added twice"
    );

    let issue = json!({"subject": "The week", "intro": "Hello.", "stories": [slugs[0]]});
    let drafts = "/api/v1/admin/newsletter/drafts";
    let (status, _, _) = call(
        &app,
        "POST",
        drafts,
        Some(&author),
        Some(issue.clone()),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let key = [("idempotency-key", "week-48")];
    let (status, _, draft) = call(
        &app,
        "POST",
        drafts,
        Some(&editor),
        Some(issue.clone()),
        &key,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["subject"], "The week");
    assert_eq!(draft["stories"][0], slugs[0].as_str());
    let (status, _, again) = call(&app, "POST", drafts, Some(&editor), Some(issue), &key).await;
    assert_eq!(status, StatusCode::OK, "a retry gets the first draft");
    assert_eq!(again["id"], draft["id"]);
    let story = json!({"headline": "Keyed"});
    let (status, _, problem) = call(
        &app,
        "POST",
        "/api/v1/admin/stories",
        Some(&editor),
        Some(story),
        &key,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a key is for one create: {problem}"
    );
}

/// Every Admin API route refuses a caller without a token (401) and a content key (403)
/// before reading its body: the body sent here is not even JSON.
#[tokio::test]
async fn every_admin_route_refuses_callers_without_an_account_before_the_body() {
    let site = Site::new("");
    let app = site.app().await;
    let content = token(&site, &["--name", "reader", "--content"]);
    for route in byline::router::api_admin_routes(1 << 20) {
        let path = route
            .path
            .replace("{id}", "1")
            .replace("{slug}", "politics");
        let body = Some(("application/json".to_owned(), b"{not json".to_vec()));
        let (status, headers, _) =
            request(&app, route.method.as_str(), &path, None, body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{} {path}", route.method);
        assert_eq!(headers["content-type"], "application/problem+json");
        let (status, _, _) = call(
            &app,
            route.method.as_str(),
            &path,
            Some(&content),
            None,
            &[],
        )
        .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "a content key: {} {path}",
            route.method
        );
    }
}
