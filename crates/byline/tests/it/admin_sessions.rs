//! Sessions over time: what the log keeps of failed sign-ins, idle expiry, the first-run path
//! and sessions that outlive a restart.

use axum::http::StatusCode;

use crate::admin_accounts::{add_user, login_form};
use crate::support::{Site, send, session_cookie};

#[tokio::test]
async fn failed_sign_ins_are_logged_without_the_password() {
    let site = Site::new("");
    add_user(&site, "logged@example.org", "editor", "the real passphrase");
    let server = site.serve();
    let status = crate::support::http_post(
        &format!("{}/admin/login", server.url),
        &login_form("logged@example.org", "Wr0ng-Secret-Guess"),
    );
    assert_eq!(status, 401);
    let log = server.stop_and_read_log();
    assert!(
        log.contains("failed sign-in") && log.contains("logged@example.org"),
        "{log}"
    );
    assert!(
        !log.contains("Wr0ng-Secret-Guess"),
        "the password is never logged: {log}"
    );
}

#[tokio::test]
async fn idle_sessions_end() {
    let site = Site::new("[admin]\nsession_idle_hours = 0\n");
    add_user(&site, "idle@example.org", "editor", "idle passphrase");
    let app = site.app().await;
    let (_, headers, _) = send(
        &app,
        "POST",
        "/admin/login",
        None,
        Some(&login_form("idle@example.org", "idle passphrase")),
    )
    .await;
    let cookie = session_cookie(&headers).unwrap();
    // With no idle time allowed, the session ends as soon as a second has passed.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (status, headers, _) = send(&app, "GET", "/admin", Some(&cookie), None).await;
    assert_eq!(
        (status, headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/admin/login")
    );
}

#[tokio::test]
async fn a_fresh_install_offers_the_setup_and_sessions_survive_a_restart() {
    let site = Site::new("");
    let app = site.app_with_setup_token("printed-token").await;
    let (status, headers, _) = send(&app, "GET", "/admin", None, None).await;
    assert_eq!(
        (status, headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/admin/login")
    );
    let (status, headers, _) = send(&app, "GET", "/admin/login", None, None).await;
    assert_eq!(
        (status, headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/admin/setup")
    );
    let (status, _, form) = send(&app, "GET", "/admin/setup", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains(r#"<input id="token" name="token" required"#),
        "asks for the printed token"
    );
    let setup = "token=printed-token&name=First+Admin&email=first%40example.org&password=first+admin+passphrase";
    let (_, headers, _) = send(&app, "POST", "/admin/setup", None, Some(setup)).await;
    let cookie = session_cookie(&headers).unwrap();

    // A new server process over the same database knows the session.
    let restarted = site.app().await;
    let (status, _, page) = send(&restarted, "GET", "/admin", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("First Admin (admin)"));
}
