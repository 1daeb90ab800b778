//! A bounded flood of odd requests against the real server on loopback: absurd
//! `Accept-Encoding`, `Range`, very long URLs and query strings, thousands of distinct URLs.
//! The server answers every one without a server error, stays up, and its memory stays
//! within the page cache's bound plus a fixed allowance.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::{Item, Site, http_get};

const STORIES: usize = 60;
/// What the flood may add to the server's resident memory once its 1 MB page cache is full:
/// allocator arenas and connection buffers (about 6 MB measured for some 13,000 requests in a
/// debug build). Anything kept per distinct URL, query string or header would exceed it.
const ALLOWANCE_KB: u64 = 24 * 1024;

fn resident_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .expect("the server's /proc entry")
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Sends one raw request and returns the status code (0 when the server closed the
/// connection without an answer, which it may do to a request too large to read).
fn raw_status(host: &str, request: &str) -> u16 {
    let mut stream = TcpStream::connect(host).expect("the server accepts connections");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    if stream.write_all(request.as_bytes()).is_err() {
        return 0;
    }
    let mut head = [0u8; 12];
    match stream.read_exact(&mut head) {
        Ok(()) => std::str::from_utf8(&head[9..12])
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        Err(_) => 0,
    }
}

/// The n-th request of the flood: a mix of everything a careless or hostile client sends.
fn odd_request(n: usize, host: &str, slugs: &[String]) -> String {
    let slug = &slugs[n % slugs.len()];
    let (path, headers) = match n % 6 {
        0 => (
            format!("/story/{slug}?utm_source={n}&x={}", "y".repeat(n % 3000)),
            format!(
                "Accept-Encoding: {}\r\n",
                "gzip;q=0.1, br;q=abc, x-unknown, ".repeat(200)
            ),
        ),
        1 => (
            format!("/story/{slug}"),
            format!("Range: bytes={}-{}\r\nAccept-Encoding: br\r\n", n % 100, n),
        ),
        2 => (
            format!("/story/{}", "a".repeat(6000 + n % 2000)),
            String::new(),
        ),
        3 => (format!("/latest?page={}", n % 999_999), String::new()),
        4 => (
            format!("/tag/t{n}?page={n}&q={}", "%".repeat(n % 500)),
            "If-None-Match: \"nope\", W/\"x\", *\r\n".to_owned(),
        ),
        _ => (
            format!("/section/no-such-desk-{n}"),
            "Accept-Encoding: gzip\r\n".to_owned(),
        ),
    };
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n")
}

#[test]
fn a_flood_of_odd_requests_neither_crashes_the_server_nor_grows_its_memory() {
    let site = Site::new("[cache]\nmax_mb = 1\n");
    let items = tempfile::tempdir().unwrap();
    let words = "The harbour council met again to weigh the dredging budget. ".repeat(150);
    let paths: Vec<_> = (0..STORIES)
        .map(|n| {
            Item::new(&format!("urn:test:flood:{n}"), &format!("Flood story {n}"))
                .created("2024-06-01T10:00:00Z")
                .body(&format!("<p>{words}</p>"))
                .write(items.path(), &format!("{n}.json"))
        })
        .collect();
    let (_, err, ok) = site.import(&paths.iter().map(|p| p.as_path()).collect::<Vec<_>>());
    assert!(ok, "{err}");
    let slugs: Vec<String> = (0..STORIES).map(|n| format!("flood-story-{n}")).collect();
    let server = site.serve();
    let host = server.url.strip_prefix("http://").unwrap().to_owned();
    // Fill the cache past its bound first, so what follows measures growth, not filling.
    for slug in &slugs {
        assert_eq!(http_get(&format!("{}/story/{slug}", server.url)).0, 200);
    }
    let before = resident_kb(server.pid());

    let deadline = Instant::now() + Duration::from_secs(4);
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (host, slugs) = (host.clone(), slugs.clone());
            std::thread::spawn(move || {
                let mut statuses = Vec::new();
                let mut n = t;
                while Instant::now() < deadline && n < 40_000 {
                    statuses.push((n, raw_status(&host, &odd_request(n, &host, &slugs))));
                    n += 4;
                }
                statuses
            })
        })
        .collect();
    let statuses: Vec<(usize, u16)> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();

    assert!(
        statuses.len() > 600,
        "only {} requests sent",
        statuses.len()
    );
    for (n, status) in &statuses {
        let expected: &[u16] = match n % 6 {
            0 | 1 => &[200],
            2 => &[404, 414, 431],
            3 => &[200, 404],
            4 => &[404],
            _ => &[404],
        };
        assert!(
            expected.contains(status),
            "request {n} got {status}: {}",
            &odd_request(*n, &host, &slugs)[..120.min(odd_request(*n, &host, &slugs).len())]
        );
    }
    let (status, _) = http_get(&format!("{}/healthz", server.url));
    assert_eq!(status, 200, "the server is still up");
    let after = resident_kb(server.pid());
    assert!(
        after < before + ALLOWANCE_KB,
        "resident memory grew from {before} kB to {after} kB over {} requests",
        statuses.len()
    );
}
