//! Work a stranger can make the server do is bounded: renditions no page offers are refused
//! before any file is read, made-up `?page=` URLs do not fill memory, a forged session cookie
//! does not bypass the page cache, a slow client's headers time out, and oversize fields are
//! refused before anything is stored.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use byline_core::{Crop, Focus, Format, Rendition, Shape};

use crate::admin_accounts::login_form;
use crate::editorial::{member, post_multipart};
use crate::support::{Site, get, get_bytes, send, shared};

#[tokio::test]
async fn renditions_no_page_offers_are_refused_before_any_file_is_read() {
    let site = Site::new("");
    let (app, state) = site.cached_app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let photo = std::fs::read(shared().join("seed/lead-photo.jpg")).unwrap();
    let (status, location, page) = post_multipart(
        &app,
        &ed,
        "/admin/media",
        &[("credit", "Agency/Photographer")],
        Some(&photo),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let id: i64 = location
        .trim_start_matches("/admin/media/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let picture = state
        .store
        .library_picture(byline_core::PictureId(id))
        .await
        .unwrap()
        .unwrap()
        .picture;
    let byline_core::PictureSource::Local { key } = &picture.source else {
        panic!("a stored picture")
    };
    let mut unoffered = Vec::new();
    for width in [321, 500, 700, 800, 1000, 1100, 1199, 1300, 1400, 1600, 2048] {
        for format in Format::ALL {
            let whole = Rendition {
                shape: Shape::Original,
                width,
                format,
            };
            unoffered.push(whole.key(key));
        }
    }
    for (x, y) in [(0, 0), (100, 900), (499, 501)] {
        for crop in Crop::ALL {
            for (width, format) in [(320, Format::Webp), (640, Format::Jpeg)] {
                let rendition = Rendition {
                    shape: Shape::Crop(crop, Focus::new(x, y)),
                    width,
                    format,
                };
                unoffered.push(rendition.key(key));
            }
        }
    }
    unoffered.push(
        key.replace(".jpg", "-w640.jpg")
            .replacen(&key[..2], "zz", 1),
    );
    assert!(unoffered.len() >= 40);
    let reads = state.media.reads();
    let started = Instant::now();
    for wanted in &unoffered {
        let (status, _, _) = get_bytes(&app, &format!("/media/{wanted}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{wanted}");
    }
    assert_eq!(state.media.reads(), reads, "no file was read for them");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // What pages offer is made on request (the job has not run in this app) and then kept.
    let offered = Rendition {
        shape: Shape::Original,
        width: 640,
        format: Format::Webp,
    }
    .key(key);
    let (status, headers, _) = get_bytes(&app, &format!("/media/{offered}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/webp");
}

#[tokio::test]
async fn made_up_page_numbers_and_forged_cookies_do_not_fill_memory_or_skip_the_cache() {
    let site = Site::new("[cache]\nmax_mb = 1\n");
    let (app, state) = site.cached_app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Only story", "Text.").await;
    ed.act(&app, id, "publish", "").await;
    state.cache.sync(state.store.as_ref()).await.unwrap();
    for n in 0..100_000u32 {
        let path = match n % 4 {
            0 => format!("/story/only-story?page={n}"),
            1 => format!("/?page={n}&utm_source=x{n}"),
            2 => format!("/latest?ref={n}"),
            _ => format!("/story/only-story?utm_campaign={n}"),
        };
        assert_eq!(get(&app, &path).await.0, StatusCode::OK, "{path}");
    }
    // Pages past the end of a listing are not pages: answered 404, kept nowhere.
    for n in 2..1_000u32 {
        assert_eq!(
            get(&app, &format!("/latest?page={n}")).await.0,
            StatusCode::NOT_FOUND
        );
    }
    assert!(
        state.cache.bytes() <= 1 << 20,
        "{} bytes",
        state.cache.bytes()
    );
    assert!(
        state.cache.keys_held() < 600,
        "{} keys held after 100,000 URLs",
        state.cache.keys_held()
    );
    assert_eq!(
        state.cache.renders("/story/only-story"),
        1,
        "one page, one render"
    );

    // A session cookie that is no session: the reader gets the cached page.
    let before = state.cache.renders("/story/only-story");
    let forged = "f".repeat(64);
    for _ in 0..20 {
        let (status, _, _) = send(&app, "GET", "/story/only-story", Some(&forged), None).await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(
        state.cache.renders("/story/only-story"),
        before,
        "served from the cache"
    );
    // A member's real session sees the page fresh.
    let (status, _, _) = send(&app, "GET", "/story/only-story", Some(&ed.cookie), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let site = Site::new("[server]\nheader_timeout_seconds = 1\n");
    let server = site.serve();
    let address = server.url.strip_prefix("http://").unwrap().to_owned();
    let mut slow = std::net::TcpStream::connect(&address).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "closed after {took:?}"
    );
    // An idle kept-alive connection goes the same way; a normal request is unaffected.
    let mut idle = std::net::TcpStream::connect(&address).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = idle.read_to_end(&mut answer);
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_client_that_never_finishes_its_body_is_disconnected() {
    let site = Site::new("[server]\nheader_timeout_seconds = 1\n");
    let server = site.serve();
    let address = server.url.strip_prefix("http://").unwrap().to_owned();
    let mut slow = std::net::TcpStream::connect(&address).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let started = Instant::now();
    slow.write_all(
        b"POST /admin/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail=a",
    )
    .unwrap();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    // One second of grace and one per 64 KiB announced: about 2.5 s.
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "closed after {took:?}");
}

#[test]
fn one_address_cannot_hold_every_connection() {
    let site = Site::new("[server]\nmax_connections_per_address = 3\n");
    let server = site.serve();
    let address = server.url.strip_prefix("http://").unwrap().to_owned();
    let held: Vec<std::net::TcpStream> = (0..3)
        .map(|_| std::net::TcpStream::connect(&address).unwrap())
        .collect();
    // Wait until the server has taken the three (each answers a request).
    for mut connection in &held {
        connection
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut answer = [0u8; 12];
        connection.read_exact(&mut answer).unwrap();
        assert_eq!(&answer, b"HTTP/1.1 200");
    }
    let mut fourth = std::net::TcpStream::connect(&address).unwrap();
    fourth
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = fourth.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut answer = Vec::new();
    let _ = fourth.read_to_end(&mut answer);
    assert!(answer.is_empty(), "a fourth is closed at once: {answer:?}");
    drop(held);
    // Once they are gone, the address is served again.
    let deadline = Instant::now() + Duration::from_secs(5);
    let served = || -> bool {
        let Ok(mut again) = std::net::TcpStream::connect(&address) else {
            return false;
        };
        let _ = again.set_read_timeout(Some(Duration::from_secs(5)));
        let mut answer = [0u8; 12];
        again
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .and_then(|()| again.read_exact(&mut answer))
            .is_ok_and(|()| &answer == b"HTTP/1.1 200")
    };
    while !served() {
        assert!(Instant::now() < deadline, "not served again");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn oversize_sign_in_fields_are_refused_without_being_counted() {
    let site = Site::new("");
    let app = site.app().await;
    crate::admin_accounts::add_user(&site, "ana@example.org", "editor", "the right passphrase");
    let long = format!("{}@example.org", "a".repeat(5000));
    for _ in 0..20 {
        let (status, _, page) = send(
            &app,
            "POST",
            "/admin/login",
            None,
            Some(&login_form(&long, "x")),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!page.contains(&"a".repeat(300)), "not echoed back");
    }
    // They were not attempts: the address still has its ten.
    for n in 0..10 {
        let form = login_form("ana@example.org", &format!("wrong {n}"));
        assert_eq!(
            send(&app, "POST", "/admin/login", None, Some(&form))
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, headers, _) = send(
        &app,
        "POST",
        "/admin/login",
        None,
        Some(&login_form("ana@example.org", "wrong again")),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key("retry-after"));
}
