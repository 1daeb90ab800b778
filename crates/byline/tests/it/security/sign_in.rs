//! Guessing passwords against the real server: a burst is counted before any password is
//! checked; behind trusted proxies each reader is their own address; an address that is
//! locked out does not lock the member out elsewhere; `/metrics` stays private behind a proxy.

use std::time::{Duration, Instant};

use crate::admin_accounts::{add_user, login_form};
use crate::support::{Site, http_exchange};

/// A sign-in POST over a fresh connection, with extra headers: the status and the
/// `Retry-After` seconds if any.
fn sign_in(url: &str, email: &str, password: &str, headers: &str) -> (u16, Option<u64>) {
    let form = login_form(email, password);
    let headers = format!(
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n{headers}",
        form.len()
    );
    let (status, head, _) = http_exchange("POST", &format!("{url}/admin/login"), &headers, &form);
    let retry = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("retry-after: ")
                .map(str::to_owned)
        })
        .and_then(|v| v.trim().parse().ok());
    (status, retry)
}

fn forwarded_for(ip: &str) -> String {
    format!("X-Forwarded-For: {ip}\r\n")
}

#[test]
fn a_burst_of_wrong_passwords_gets_ten_checks_and_the_rest_wait() {
    let site = Site::new("");
    add_user(&site, "ana@example.org", "editor", "the right passphrase");
    let server = site.serve();
    let url = server.url.clone();
    let answers: Vec<(u16, Option<u64>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..40)
            .map(|n| {
                let url = url.clone();
                scope.spawn(move || {
                    sign_in(&url, "ana@example.org", &format!("guess number {n}"), "")
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let checked = answers.iter().filter(|(s, _)| *s == 401).count();
    let waited = answers.iter().filter(|(s, _)| *s == 429).count();
    assert_eq!(checked, 10, "exactly the limit was checked: {answers:?}");
    assert_eq!(waited, 30, "{answers:?}");
    assert!(
        answers
            .iter()
            .filter(|(s, _)| *s == 429)
            .all(|(_, r)| r.is_some_and(|r| r > 0)),
        "every refusal says when to come back: {answers:?}"
    );
    // Without a trusted proxy a forwarding header changes nothing: still the same address.
    let (status, _) = sign_in(&url, "bo@example.org", "x", &forwarded_for("203.0.113.9"));
    assert_eq!(status, 429, "the header is not believed");
}

#[test]
fn behind_trusted_proxies_each_reader_is_their_own_address() {
    let site = Site::new("[server]\ntrusted_proxies = [\"127.0.0.0/8\"]\n");
    add_user(&site, "ana@example.org", "editor", "the right passphrase");
    let server = site.serve();
    let url = &server.url;
    let attacker = forwarded_for("198.51.100.7, 203.0.113.1");
    for n in 0..10 {
        let (status, _) = sign_in(url, "ana@example.org", &format!("guess {n}"), &attacker);
        assert_eq!(status, 401);
    }
    assert_eq!(
        sign_in(url, "ana@example.org", "guess 11", &attacker).0,
        429,
        "that address is locked"
    );
    assert_eq!(
        sign_in(
            url,
            "someone@example.org",
            "guess",
            &forwarded_for("203.0.113.2")
        )
        .0,
        401,
        "another reader behind the same proxy is not"
    );
    // The member, from elsewhere, with the right password: let in, at most a moment later
    // (the account's attempts are spaced, not stopped).
    let member = forwarded_for("192.0.2.44");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        match sign_in(url, "ana@example.org", "the right passphrase", &member) {
            (429, Some(wait)) if Instant::now() < deadline => {
                assert!(wait <= 2, "a short wait, not a lock-out: {wait} s");
                std::thread::sleep(Duration::from_secs(wait));
            }
            (status, _) => break status,
        }
    };
    assert_eq!(status, 303, "signed in from another address");
    assert_eq!(
        sign_in(url, "ana@example.org", "guess 12", &attacker).0,
        429,
        "the attacker's address stays locked"
    );
    let padded = format!(
        "X-Forwarded-For: {}198.51.100.7, 203.0.113.1\r\n",
        "192.0.2.1, ".repeat(40)
    );
    assert_eq!(
        sign_in(url, "ana@example.org", "guess 13", &padded).0,
        429,
        "padding the chain does not make the attacker someone else"
    );
}

/// The `byline_browser_ID=MARK` cookie a sign-in answer sets.
fn browser_cookie(url: &str, email: &str, password: &str, headers: &str) -> String {
    let form = login_form(email, password);
    let headers = format!(
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n{headers}",
        form.len()
    );
    let (status, head, _) = http_exchange("POST", &format!("{url}/admin/login"), &headers, &form);
    assert_eq!(status, 303, "{head}");
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.trim())
        .find(|v| v.starts_with("byline_browser_"))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("a browser mark")
}

#[test]
fn guessing_from_many_addresses_cannot_keep_the_member_out() {
    let site = Site::new("[server]\ntrusted_proxies = [\"127.0.0.1\"]\n");
    add_user(&site, "ana@example.org", "editor", "the right passphrase");
    let server = site.serve();
    let url = &server.url;
    let mark = browser_cookie(url, "ana@example.org", "the right passphrase", "");
    // Someone guesses ten times: the account is now slowed for browsers it does not know.
    for n in 0..10 {
        let guess = format!("guess {n}");
        let (status, _) = sign_in(
            url,
            "ana@example.org",
            &guess,
            &forwarded_for("203.0.113.1"),
        );
        assert_eq!(status, 401);
    }
    let last_guess = Instant::now();
    let unknown = sign_in(
        url,
        "ana@example.org",
        "the right passphrase",
        &forwarded_for("192.0.2.9"),
    );
    let (name, _) = mark.split_once('=').unwrap();
    let forged_mark = format!(
        "{}Cookie: {name}={}\r\n",
        forwarded_for("192.0.2.11"),
        "0".repeat(64)
    );
    let forged = sign_in(url, "ana@example.org", "the right passphrase", &forged_mark);
    // Within the second the account's last failure holds others back:
    if last_guess.elapsed() < Duration::from_millis(900) {
        assert_eq!(
            unknown.0, 429,
            "a browser the account does not know waits a moment"
        );
        assert!(unknown.1.is_some_and(|w| w >= 1), "{unknown:?}");
        assert_eq!(forged.0, 429, "a made-up mark is no mark");
    }
    // The member's own browser, from yet another address, gets in at once.
    let known = format!("{}Cookie: {mark}\r\n", forwarded_for("192.0.2.10"));
    assert_eq!(
        sign_in(url, "ana@example.org", "the right passphrase", &known).0,
        303
    );
}

#[test]
fn sign_ups_and_metrics_behind_a_proxy() {
    let site = Site::new("[server]\ntrusted_proxies = [\"127.0.0.1\"]\n");
    let server = site.serve();
    let url = &server.url;
    let subscribe = |ip: &str, n: usize| {
        let form = format!("email=reader{n}%40example.org&source=%2F");
        let headers = format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n{}",
            form.len(),
            forwarded_for(ip)
        );
        http_exchange(
            "POST",
            &format!("{url}/newsletter/subscribe"),
            &headers,
            &form,
        )
        .0
    };
    for n in 0..10 {
        assert_ne!(subscribe("203.0.113.5", n), 429, "sign-up {n}");
    }
    assert_eq!(
        subscribe("203.0.113.5", 10),
        429,
        "one reader's hourly limit"
    );
    assert_ne!(subscribe("203.0.113.6", 11), 429, "not everyone's");

    let metrics = |headers: &str| http_exchange("GET", &format!("{url}/metrics"), headers, "").0;
    assert_eq!(metrics(""), 200, "asked on this machine");
    assert_eq!(
        metrics(&forwarded_for("203.0.113.5")),
        404,
        "forwarded by the proxy"
    );
    assert_eq!(
        metrics("X-Forwarded-For: 127.0.0.1\r\n"),
        404,
        "through a proxy, whatever it says"
    );
    assert_eq!(
        raw_get(url, "/metrics", "news.example"),
        404,
        "asked for by the site's public name"
    );
}

/// A GET with the `Host` header given (as a reverse proxy passes the site's name on).
fn raw_get(url: &str, path: &str, host: &str) -> u16 {
    use std::io::{Read, Write};
    let address = url.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.split(' ').nth(1).unwrap().parse().unwrap()
}

#[test]
fn an_address_with_control_characters_is_a_failed_sign_in_not_a_fault() {
    let site = Site::new("");
    add_user(&site, "ana@example.org", "editor", "the right passphrase");
    let server = site.serve();
    // PostgreSQL refuses a NUL in text: the attempt must be counted and refused like any
    // other wrong address, never answered 500 (or logged as a fault).
    for email in ["ana\0@example.org", "ana@example.org\u{7}", "\0"] {
        let (status, _) = sign_in(&server.url, email, "anything at all", "");
        assert_eq!(status, 401, "{email:?}");
    }
}
