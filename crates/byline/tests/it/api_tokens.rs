//! Tokens from the command line: shown once, listed without their secrets, revoked at once,
//! never above their member's role and at most twenty a member.

use axum::http::StatusCode;
use serde_json::json;

use crate::api::{call, token};
use crate::editorial::member;
use crate::support::Site;

#[tokio::test]
async fn tokens_are_shown_once_listed_without_secrets_and_revoked_at_once() {
    let site = Site::new("");
    let app = site.app().await;
    let secret = token(&site, &["--name", "Social desk", "--role", "author"]);
    let listed = site.cli(&["token", "list"]);
    let listing = String::from_utf8(listed.stdout).unwrap();
    assert!(
        listing.contains("Social desk\tintegration\tauthor"),
        "{listing}"
    );
    assert!(!listing.contains(&secret[4..]), "never the secret");
    let draft = json!({"headline": "From the social desk", "body": "Text."});
    let (status, _, made) = call(
        &app,
        "POST",
        "/api/v1/admin/stories",
        Some(&secret),
        Some(draft.clone()),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["status"], "draft");
    let out = site.cli(&["token", "revoke", "Social desk"]);
    assert!(out.status.success());
    let (status, _, _) = call(
        &app,
        "POST",
        "/api/v1/admin/stories",
        Some(&secret),
        Some(draft),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let again = site.cli(&["token", "revoke", "Social desk"]);
    assert!(
        !again.status.success(),
        "a revoked token cannot be revoked twice"
    );
    let content = token(&site, &["--name", "Partner feed", "--content"]);
    let (status, _, _) = call(&app, "GET", "/api/v1/stories", Some(&content), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "a content key reads");
    let (status, _, _) = call(
        &app,
        "POST",
        "/api/v1/admin/stories",
        Some(&content),
        Some(json!({"headline": "No"})),
        &[],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a content key does not write"
    );
}

/// A personal token acts with at most its member's role (the rest of the parity between
/// the API and the admin is in `api_parity`).
#[tokio::test]
async fn a_personal_token_never_exceeds_its_member() {
    let site = Site::new("");
    let app = site.app().await;
    member(&app, &site, "author@example.com", "author").await;
    let out = site.cli(&[
        "token",
        "add",
        "--name",
        "too high",
        "--member",
        "author@example.com",
        "--role",
        "admin",
    ]);
    assert!(
        !out.status.success(),
        "a personal token never exceeds its member's role"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("author"));
    for n in 0..20 {
        let name = format!("laptop {n}");
        token(&site, &["--name", &name, "--member", "author@example.com"]);
    }
    let out = site.cli(&[
        "token",
        "add",
        "--name",
        "one more",
        "--member",
        "author@example.com",
    ]);
    assert!(!out.status.success(), "at most 20 live tokens a member");
}
