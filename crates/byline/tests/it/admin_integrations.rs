//! The administrator's integrations page: a token made in the admin is shown once and works,
//! webhooks are added (private addresses only when allowed) and removed, and the API's
//! reference lists every operation of its description.

use axum::http::StatusCode;

use crate::api::call;
use crate::editorial::member;
use crate::support::{Site, enc};

#[tokio::test]
async fn an_administrator_makes_tokens_and_webhooks_in_the_admin() {
    let site = Site::new("");
    let app = site.app().await;
    let admin = member(&app, &site, "chief@example.com", "admin").await;
    let editor = member(&app, &site, "desk@example.com", "editor").await;
    let (status, _) = editor.get(&app, "/admin/integrations").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "integrations are the administrator's"
    );

    let (status, _, page) = admin
        .post(
            &app,
            "/admin/integrations/tokens",
            "name=Print+desk&kind=integration&role=author",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let secret = page
        .split("value=\"byl_")
        .nth(1)
        .map(|rest| format!("byl_{}", &rest[..64]))
        .expect("the new token is shown");
    let (_, again) = admin.get(&app, "/admin/integrations").await;
    assert!(
        again.contains("Print desk") && !again.contains(&secret),
        "shown once only"
    );
    let body = serde_json::json!({"headline": "From the print desk"});
    let (status, _, _) = call(
        &app,
        "POST",
        "/api/v1/admin/stories",
        Some(&secret),
        Some(body),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "the token works");

    let hook = |extra: &str| {
        format!(
            "name=Receiver&url={}&events={}&secret=a-long-enough-secret{extra}",
            enc("http://127.0.0.1:9/hook"),
            enc("story.published,story.updated")
        )
    };
    let (status, _, page) = admin
        .post(&app, "/admin/integrations/webhooks", &hook(""))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("private address"), "the refusal says why");
    let (status, _, _) = admin
        .post(
            &app,
            "/admin/integrations/webhooks",
            &hook("&allow_private=1"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, listed) = admin.get(&app, "/admin/integrations").await;
    assert!(listed.contains("http://127.0.0.1:9/hook") && !listed.contains("a-long-enough-secret"));
    let (status, _, _) = admin
        .post(&app, "/admin/integrations/tokens/revoke", "name=Print+desk")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let body = serde_json::json!({"headline": "Again"});
    let (status, _, _) = call(
        &app,
        "POST",
        "/api/v1/admin/stories",
        Some(&secret),
        Some(body),
        &[],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "revoked in the admin, refused at once"
    );

    let (status, reference) = editor.get(&app, "/admin/api").await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, description) = call(&app, "GET", "/api/v1/openapi.json", None, None, &[]).await;
    assert_eq!(description["openapi"], "3.1.0");
    for (path, methods) in description["paths"].as_object().unwrap() {
        for method in methods.as_object().unwrap().keys() {
            let shown = format!("{} {path}", method.to_uppercase());
            assert!(reference.contains(&shown), "the reference shows {shown}");
        }
    }
}

#[tokio::test]
async fn every_member_makes_personal_tokens_that_act_as_them() {
    let site = Site::new("");
    let app = site.app().await;
    let writer = member(&app, &site, "writer@example.com", "contributor").await;
    let other = member(&app, &site, "other@example.com", "author").await;
    let (status, page) = writer.get(&app, "/admin/tokens").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains("<option>editor"),
        "no role above the member's is offered"
    );
    let (status, _, refused) = writer
        .post(&app, "/admin/tokens", "name=Laptop&role=editor")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _, page) = writer
        .post(&app, "/admin/tokens", "name=Laptop&role=contributor")
        .await;
    assert_eq!(status, StatusCode::OK);
    let secret = page
        .split("value=\"byl_")
        .nth(1)
        .map(|rest| format!("byl_{}", &rest[..64]))
        .expect("shown once");
    let body = serde_json::json!({"headline": "Written on the laptop"});
    let (status, _, made) = call(
        &app,
        "POST",
        "/api/v1/admin/stories",
        Some(&secret),
        Some(body),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, dashboard) = writer.get(&app, "/admin").await;
    assert!(
        dashboard.contains("Written on the laptop"),
        "the story is the member's own"
    );
    let publish = format!("/api/v1/admin/stories/{}/status", made["id"]);
    let body = serde_json::json!({"transition": "publish"});
    let (status, _, _) = call(&app, "POST", &publish, Some(&secret), Some(body), &[]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a contributor's token cannot publish"
    );
    let (status, _, _) = other
        .post(&app, "/admin/tokens/revoke", "name=Laptop")
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another member's token is not theirs to revoke"
    );
    let (status, _, _) = writer
        .post(&app, "/admin/tokens/revoke", "name=Laptop")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let body = serde_json::json!({"headline": "Again"});
    let (status, _, _) = call(
        &app,
        "POST",
        "/api/v1/admin/stories",
        Some(&secret),
        Some(body),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
