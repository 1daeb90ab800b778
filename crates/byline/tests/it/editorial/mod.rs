//! The editorial workflow through the real router: drafts, roles, lost updates, slugs,
//! scheduling (with the real server's job runner), corrections, revisions and previews.

mod curation;
mod editing;
mod workflow;

use axum::http::StatusCode;
use byline::router::App;

use crate::admin_accounts::{add_user, csrf_of, login_form};
use crate::support::{Site, enc, send, session_cookie};

/// A signed-in member of an in-process app: their cookie and CSRF token.
pub struct Member {
    pub cookie: String,
    pub csrf: String,
}

pub async fn member(app: &App, site: &Site, email: &str, role: &str) -> Member {
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
    pub async fn post(&self, app: &App, path: &str, form: &str) -> (StatusCode, String, String) {
        let body = format!("csrf={}&{form}", self.csrf);
        let (status, headers, page) =
            send(app, "POST", path, Some(&self.cookie), Some(&body)).await;
        let location = headers
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, location, page)
    }

    pub async fn get(&self, app: &App, path: &str) -> (StatusCode, String) {
        let (status, _, page) = send(app, "GET", path, Some(&self.cookie), None).await;
        (status, page)
    }

    /// Creates a story and returns its id.
    pub async fn write(&self, app: &App, headline: &str, body: &str) -> i64 {
        let form = format!(
            "headline={}&body={}&body_format=markdown&authors=Test+Member",
            enc(headline),
            enc(body)
        );
        let (status, location, page) = self.post(app, "/admin/stories", &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        location.rsplit('/').next().unwrap().parse().unwrap()
    }

    pub async fn revision(&self, app: &App, id: i64) -> String {
        let (_, page) = self.get(app, &format!("/admin/stories/{id}")).await;
        page.split("name=\"revision\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    }

    pub async fn save(
        &self,
        app: &App,
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

    pub async fn act(
        &self,
        app: &App,
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

/// A multipart/form-data body with text fields and an optional file named `photo`.
pub fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
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

pub async fn upload(
    app: &App,
    who: &Member,
    id: i64,
    fields: &[(&str, &str)],
    file: Option<&[u8]>,
) -> (StatusCode, String) {
    let path = format!("/admin/stories/{id}/photo");
    let (status, _, page) = post_multipart(app, who, &path, fields, file).await;
    (status, page)
}

/// Posts a multipart form (with the member's CSRF token) and returns the status, the
/// `Location` (if any) and the page.
pub async fn post_multipart(
    app: &App,
    who: &Member,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<&[u8]>,
) -> (StatusCode, String, String) {
    use tower::ServiceExt;
    let mut all = vec![("csrf", who.csrf.as_str())];
    all.extend_from_slice(fields);
    let (content_type, body) = multipart(&all, file);
    let request = axum::http::Request::post(path)
        .header("cookie", format!("byline_session={}", who.cookie))
        .header("content-type", content_type)
        .body(axum::body::Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), 10 << 20)
        .await
        .unwrap();
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// Puts a fresh story of `owner` into `state`, moved there by an administrator.
pub async fn story_in(
    app: &App,
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
