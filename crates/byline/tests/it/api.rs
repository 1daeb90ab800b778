//! The API through the real router and command line: the Content API's pages, filters,
//! representations and validators; tokens made, used and revoked; the Admin API answering as
//! the admin does for the same member, with If-Match and idempotency keys.

use axum::http::StatusCode;
use byline::router::App;
use serde_json::{Value, json};

use crate::editorial::member;
use crate::support::{Item, Site};

/// An in-process API request with an optional bearer token, JSON body and extra headers.
pub async fn call(
    app: &App,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Value) {
    use tower::ServiceExt;
    let mut builder = axum::http::Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let body = match body {
        Some(json) => {
            builder = builder.header("content-type", "application/json");
            axum::body::Body::from(json.to_string())
        }
        None => axum::body::Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(builder.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 50 << 20)
        .await
        .unwrap();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, headers, value)
}

/// `byline token add ARGS`: the token printed on its own line.
pub fn token(site: &Site, args: &[&str]) -> String {
    let mut all = vec!["token", "add"];
    all.extend(args);
    let out = site.cli(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "the token alone on standard output: {stdout:?}"
    );
    assert!(
        lines[0].starts_with("byl_") && lines[0].len() == 68,
        "{stdout}"
    );
    lines[0].to_owned()
}

fn import_stories(site: &Site, n: usize) {
    let dir = site.dir.path().join("items");
    let paths: Vec<_> = (0..n)
        .map(|i| {
            let item = Item::new(&format!("urn:test:api:{i}"), &format!("Harbour story {i}"))
                .created(&format!("2024-11-{:02}T10:00:00Z", 1 + i))
                .subjects(if i % 2 == 0 { &["Ports"] } else { &["Weather"] });
            item.write(&dir, &format!("item{i}"))
        })
        .collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let (_, err, ok) = site.import(&refs);
    assert!(ok, "{err}");
}

#[tokio::test]
async fn the_content_api_walks_every_public_story_by_cursor() {
    let site = Site::new("");
    import_stories(&site, 7);
    let app = site.app().await;
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/stories?limit=3".to_owned());
    let mut pages = 0;
    while let Some(url) = next.take() {
        let path = url.trim_start_matches("http://byline.test");
        let (status, headers, page) = call(&app, "GET", path, None, None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(headers["content-type"], "application/json");
        assert!(headers.contains_key("etag"));
        for item in page["items"].as_array().unwrap() {
            seen.push(item["headline"].as_str().unwrap().to_owned());
            assert!(
                item["url"]
                    .as_str()
                    .unwrap()
                    .starts_with("http://byline.test/story/")
            );
            assert!(
                item["uri"]
                    .as_str()
                    .unwrap()
                    .starts_with("http://byline.test/api/v1/stories/")
            );
        }
        next = page["next"].as_str().map(str::to_owned);
        pages += 1;
        assert!(pages <= 3, "three pages of 3, 3 and 1");
    }
    let expected: Vec<String> = (0..7).rev().map(|i| format!("Harbour story {i}")).collect();
    assert_eq!(seen, expected, "newest first, each once");

    let (_, _, ports) = call(
        &app,
        "GET",
        "/api/v1/stories?tag=ports&limit=100",
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(ports["items"].as_array().unwrap().len(), 4);
    assert!(ports["next"].is_null());
    let (_, _, tags) = call(&app, "GET", "/api/v1/tags", None, None, &[]).await;
    let counts: Vec<(String, u64)> = tags["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["slug"].as_str().unwrap().to_owned(),
                t["stories"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, [("ports".to_owned(), 4), ("weather".to_owned(), 3)]);

    let since = "/api/v1/stories?updated_since=2000-01-01T00:00:00Z&limit=100";
    let (status, _, changed) = call(&app, "GET", since, None, None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["items"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn the_content_api_refuses_bad_parameters_with_problems() {
    let site = Site::new("");
    import_stories(&site, 1);
    let app = site.app().await;
    for (path, field) in [
        ("/api/v1/stories?limit=101", "limit"),
        ("/api/v1/stories?limit=0", "limit"),
        ("/api/v1/stories?cursor=forged", "cursor"),
        ("/api/v1/stories?tag=ports&section=news", "section"),
        ("/api/v1/stories?tag=Not%20A%20Slug", "tag"),
    ] {
        let (status, headers, problem) = call(&app, "GET", path, None, None, &[]).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {problem}"
        );
        assert_eq!(headers["content-type"], "application/problem+json");
        assert_eq!(problem["field"], field, "{path}");
        assert_eq!(problem["status"], 422);
    }
    let (status, _, problem) =
        call(&app, "GET", "/api/v1/stories?limit=many", None, None, &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (status, headers, _) = call(&app, "GET", "/api/v1/stories/999999", None, None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "application/problem+json");
    let (status, _, _) = call(&app, "GET", "/api/v1/nothing-here", None, None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, headers, _) = call(
        &app,
        "GET",
        "/api/v1/stories",
        Some(&format!("byl_{}", "0".repeat(64))),
        None,
        &[],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an unknown token is refused, not ignored"
    );
    assert!(headers.contains_key("www-authenticate"));
}

#[tokio::test]
async fn a_story_comes_as_json_or_as_valid_ninjs_and_drafts_stay_hidden() {
    let site = Site::new("");
    import_stories(&site, 1);
    let app = site.app().await;
    let (_, _, page) = call(&app, "GET", "/api/v1/stories", None, None, &[]).await;
    let story = &page["items"][0];
    let id = story["id"].as_i64().unwrap();
    let slug = story["slug"].as_str().unwrap();
    let (status, _, by_slug) = call(
        &app,
        "GET",
        &format!("/api/v1/stories/{slug}"),
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_slug["id"], id);
    let accept = [("accept", "application/ninjs+json")];
    let (status, headers, ninjs) = call(
        &app,
        "GET",
        &format!("/api/v1/stories/{id}"),
        None,
        None,
        &accept,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/ninjs+json");
    assert_eq!(ninjs["headlines"][0]["value"], "Harbour story 0");
    assert_eq!(ninjs["uri"], story["uri"]);
    assert_eq!(ninjs["standard"]["version"], "2.2");
    validate_ninjs(&ninjs);

    let editor = member(&app, &site, "ed@example.com", "editor").await;
    let draft = editor.write(&app, "A secret draft", "Not yet.").await;
    let (status, _, _) = call(
        &app,
        "GET",
        &format!("/api/v1/stories/{draft}"),
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a draft is not public");
}

/// Checks a ninjs document against IPTC's own 2.2 schema with Python's jsonschema.
fn validate_ninjs(item: &Value) {
    let schema = crate::support::shared().join("fixtures/ninjs/iptc-spec/ninjs-schema_2.2.json");
    let script = "import json,sys,jsonschema\n\
        schema=json.load(open(sys.argv[1]))\n\
        jsonschema.validate(json.load(sys.stdin), schema, format_checker=jsonschema.FormatChecker())\n";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(item.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "not valid ninjs 2.2: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn cached_reads_answer_304_and_change_with_the_story() {
    let site = Site::new("");
    import_stories(&site, 2);
    let (app, state) = site.cached_app().await;
    let (_, headers, first) = call(&app, "GET", "/api/v1/stories", None, None, &[]).await;
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(headers["surrogate-key"].to_str().unwrap().contains("lists"));
    let (status, _, _) = call(
        &app,
        "GET",
        "/api/v1/stories",
        None,
        None,
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    let token = token(&site, &["--name", "desk", "--role", "editor"]);
    let id = first["items"][0]["id"].as_i64().unwrap();
    let (status, _, corrected) = call(
        &app,
        "POST",
        &format!("/api/v1/admin/stories/{id}/corrections"),
        Some(&token),
        Some(json!({"note": "The harbour is in the north."})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{corrected}");
    state.cache.sync(state.store.as_ref()).await.unwrap();
    let (status, _, now) = call(
        &app,
        "GET",
        "/api/v1/stories",
        None,
        None,
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the correction changed the list");
    assert_eq!(
        now["items"][0]["corrections"][0]["note"],
        "The harbour is in the north."
    );
}

#[tokio::test]
async fn saves_need_the_current_revision_and_creates_happen_once_per_key() {
    let site = Site::new("");
    let app = site.app().await;
    let token = token(&site, &["--name", "wire desk", "--role", "editor"]);
    let draft = json!({"headline": "Ferry strike", "body": "Ferries stop.", "tags": ["Ports"]});
    let key = [("idempotency-key", "create-ferry-1")];
    let create = |body: Value| {
        call(
            &app,
            "POST",
            "/api/v1/admin/stories",
            Some(&token),
            Some(body),
            &key,
        )
    };
    let (status, headers, first) = create(draft.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(headers["etag"], "\"r1\"");
    let (status, _, retry) = create(draft.clone()).await;
    assert_eq!(status, StatusCode::OK, "a retry gets the first answer");
    assert_eq!(retry["id"], first["id"]);
    let (status, _, problem) = create(json!({"headline": "Something else"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "Idempotency-Key");

    let (status, _, problem) = call(
        &app,
        "POST",
        "/api/v1/admin/stories",
        Some(&token),
        Some(json!({"headline": "\u{17};"})),
        &[],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a headline with nothing to make an address of: {problem}"
    );
    assert_eq!(problem["field"], "slug");

    let path = format!("/api/v1/admin/stories/{}", first["id"]);
    let edit = json!({"headline": "Ferry strike ends", "body": "Ferries run."});
    let (status, _, _) = call(&app, "PUT", &path, Some(&token), Some(edit.clone()), &[]).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    let (status, headers, saved) = call(
        &app,
        "PUT",
        &path,
        Some(&token),
        Some(edit.clone()),
        &[("if-match", "\"r1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(headers["etag"], "\"r2\"");
    let (status, _, stale) = call(
        &app,
        "PUT",
        &path,
        Some(&token),
        Some(edit),
        &[("if-match", "\"r1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["revision"], 2);
    let (status, _, refused) = call(
        &app,
        "PUT",
        &path,
        Some(&token),
        Some(json!({"headline": "x", "unknown": 1})),
        &[("if-match", "\"r2\"")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused: {refused}"
    );
    let (status, _, refused) = call(
        &app,
        "PUT",
        &path,
        Some(&token),
        Some(json!(["Ferry strike ends", "Ferries run."])),
        &[("if-match", "\"r2\"")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a body is an object: {refused}"
    );
}
