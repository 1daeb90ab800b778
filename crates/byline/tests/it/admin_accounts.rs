//! Newsroom accounts through the real router: first-run setup, sign-in and its limits,
//! sessions, sign-out, sign-in links and the admin's protections.

use std::io::Write;
use std::process::Stdio;

use axum::http::StatusCode;

use crate::support::{Item, Site, enc, send, session_cookie};

/// `byline user add … --password-stdin` with `password` on standard input.
pub fn add_user(site: &Site, email: &str, role: &str, password: &str) {
    let mut child = site
        .command(&[
            "user",
            "add",
            "--email",
            email,
            "--name",
            "Test Member",
            "--role",
            role,
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn login_form(email: &str, password: &str) -> String {
    format!("email={}&password={}", enc(email), enc(password))
}

/// The CSRF token of the admin page's sign-out form.
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_first_administrator_is_created_with_the_start_up_token() {
    let site = Site::new("");
    let app = site.app_with_setup_token("s3cret-setup-token").await;
    assert_eq!(
        send(&app, "GET", "/admin/setup?token=wrong", None, None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, _, form) = send(
        &app,
        "GET",
        "/admin/setup?token=s3cret-setup-token",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Create the administrator"));

    let short = "token=s3cret-setup-token&name=Ada+Editor&email=ada%40example.org&password=short";
    let (status, _, page) = send(&app, "POST", "/admin/setup", None, Some(short)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("The password must have at least 10 characters."));
    assert!(
        page.contains(r#"value="ada@example.org""#),
        "the input is kept"
    );

    let good = "token=s3cret-setup-token&name=Ada+Editor&email=Ada%40Example.org&password=a+long+passphrase";
    let (status, headers, _) = send(&app, "POST", "/admin/setup", None, Some(good)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/admin");
    let cookie_header = headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie_header.contains("HttpOnly") && cookie_header.contains("SameSite=Lax"),
        "{cookie_header}"
    );
    assert!(!cookie_header.contains("Secure"), "plain http site");
    let cookie = session_cookie(&headers).unwrap();
    let (status, headers, dashboard) = send(&app, "GET", "/admin", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(dashboard.contains("Ada Editor (admin)"));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(headers["cache-control"], "no-store");

    assert_eq!(
        send(
            &app,
            "GET",
            "/admin/setup?token=s3cret-setup-token",
            None,
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND,
        "setup exists only while there is no account"
    );
}

#[tokio::test]
async fn sign_in_sign_out_and_sessions() {
    let site = Site::new("");
    add_user(&site, "rita@example.org", "author", "reporter passphrase");
    let app = site.app().await;
    let (status, headers, _) = send(&app, "GET", "/admin", None, None).await;
    assert_eq!(
        (status, headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/admin/login")
    );

    let (status, _, page) = send(
        &app,
        "POST",
        "/admin/login",
        None,
        Some(&login_form("rita@example.org", "wrong")),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("That email address and password do not match an account."));
    assert!(page.contains(r#"value="rita@example.org""#));

    let (status, headers, _) = send(
        &app,
        "POST",
        "/admin/login",
        None,
        Some(&login_form("Rita@Example.org", "reporter passphrase")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let first = session_cookie(&headers).unwrap();
    let (_, _, dashboard) = send(&app, "GET", "/admin", Some(&first), None).await;
    assert!(dashboard.contains("Test Member (author)"));

    // Signing in again from the same browser rotates the session: the old token dies.
    let (_, headers, _) = send(
        &app,
        "POST",
        "/admin/login",
        Some(&first),
        Some(&login_form("rita@example.org", "reporter passphrase")),
    )
    .await;
    let second = session_cookie(&headers).unwrap();
    assert_ne!(first, second);
    assert_eq!(
        send(&app, "GET", "/admin", Some(&first), None).await.0,
        StatusCode::SEE_OTHER
    );

    // Sign-out needs the session's CSRF token.
    let (_, _, dashboard) = send(&app, "GET", "/admin", Some(&second), None).await;
    let csrf = csrf_of(&dashboard);
    assert_eq!(
        send(
            &app,
            "POST",
            "/admin/logout",
            Some(&second),
            Some("csrf=forged")
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, headers, _) = send(
        &app,
        "POST",
        "/admin/logout",
        Some(&second),
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        send(&app, "GET", "/admin", Some(&second), None).await.0,
        StatusCode::SEE_OTHER
    );

    // Sign-out everywhere ends every session of the member.
    let login = login_form("rita@example.org", "reporter passphrase");
    let a = session_cookie(
        &send(&app, "POST", "/admin/login", None, Some(&login))
            .await
            .1,
    )
    .unwrap();
    let b = session_cookie(
        &send(&app, "POST", "/admin/login", None, Some(&login))
            .await
            .1,
    )
    .unwrap();
    let csrf = csrf_of(&send(&app, "GET", "/admin", Some(&a), None).await.2);
    send(
        &app,
        "POST",
        "/admin/logout-everywhere",
        Some(&a),
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(
        send(&app, "GET", "/admin", Some(&a), None).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        send(&app, "GET", "/admin", Some(&b), None).await.0,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_account_and_per_address() {
    let site = Site::new("");
    add_user(&site, "ed@example.org", "editor", "editor passphrase");
    let app = site.app().await;
    for _ in 0..10 {
        let (status, _, _) = send(
            &app,
            "POST",
            "/admin/login",
            None,
            Some(&login_form("ed@example.org", "guess")),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, page) = send(
        &app,
        "POST",
        "/admin/login",
        None,
        Some(&login_form("ed@example.org", "editor passphrase")),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(page.contains("Too many requests"));

    // The same address trying other accounts is stopped too (these requests have no peer
    // address in-process, so they share the "unknown" address).
    let (status, _, _) = send(
        &app,
        "POST",
        "/admin/login",
        None,
        Some(&login_form("nobody@example.org", "x")),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn sign_in_links_set_a_password_once() {
    let site = Site::new("[site]\nbase_url = \"https://news.example\"\n");
    let out = site.cli(&[
        "user",
        "add",
        "--email",
        "new@example.org",
        "--name",
        "New Reporter",
        "--role",
        "contributor",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("added New Reporter (new@example.org) as contributor"),
        "{text}"
    );
    let link = text
        .split("https://news.example")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    assert!(link.starts_with("/admin/signin/"), "{link}");

    let app = site.app().await;
    assert_eq!(send(&app, "GET", &link, None, None).await.0, StatusCode::OK);
    let (status, _, page) = send(&app, "POST", &link, None, Some("password=short")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("at least 10 characters"));
    let (status, headers, _) = send(
        &app,
        "POST",
        &link,
        None,
        Some("password=my+new+passphrase"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        headers["set-cookie"].to_str().unwrap().contains("; Secure"),
        "an https site's cookie is Secure"
    );
    assert_eq!(
        send(
            &app,
            "POST",
            &link,
            None,
            Some("password=another+passphrase")
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, _, _) = send(
        &app,
        "POST",
        "/admin/login",
        None,
        Some(&login_form("new@example.org", "my new passphrase")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn bad_account_input_is_refused_on_the_command_line() {
    let site = Site::new("");
    let out = site.cli(&[
        "user",
        "add",
        "--email",
        "not-an-address",
        "--name",
        "X",
        "--role",
        "editor",
    ]);
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("--email \"not-an-address\"")
    );
    let out = site.cli(&[
        "user",
        "add",
        "--email",
        "a@example.org",
        "--name",
        "X",
        "--role",
        "owner",
    ]);
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("choose contributor, author, editor or admin")
    );
    add_user(&site, "a@example.org", "editor", "first passphrase");
    let out = site.cli(&[
        "user",
        "add",
        "--email",
        "A@example.org",
        "--name",
        "X",
        "--role",
        "editor",
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("a@example.org already has an account")
    );
}

#[tokio::test]
async fn the_dashboard_lists_stories_by_status() {
    let site = Site::new("");
    let dir = site.dir.path().join("items");
    let live = Item::new("urn:t:live", "A published story")
        .created("2024-01-01T00:00:00Z")
        .write(&dir, "live");
    let held = Item::new("urn:t:held", "A held story")
        .set("embargoed", serde_json::json!("2099-01-01T00:00:00Z"))
        .write(&dir, "held");
    assert!(site.import(&[&live, &held]).2);
    add_user(&site, "ed@example.org", "editor", "editor passphrase");
    let app = site.app().await;
    let cookie = session_cookie(
        &send(
            &app,
            "POST",
            "/admin/login",
            None,
            Some(&login_form("ed@example.org", "editor passphrase")),
        )
        .await
        .1,
    )
    .unwrap();
    let (_, _, all) = send(&app, "GET", "/admin", Some(&cookie), None).await;
    assert!(all.contains("A published story") && all.contains("A held story"));
    let (_, _, drafts) = send(&app, "GET", "/admin?status=scheduled", Some(&cookie), None).await;
    assert!(drafts.contains("A held story") && !drafts.contains("A published story"));
    assert_eq!(
        send(&app, "GET", "/admin?status=bogus", Some(&cookie), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}
