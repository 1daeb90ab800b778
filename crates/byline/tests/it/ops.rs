//! What operators watch: `/healthz` (store and media storage) and `/metrics` (Prometheus).

use axum::http::StatusCode;

use crate::editorial::member;
use crate::support::{Site, get, http_get};

/// The value of an unlabelled or labelled sample line, `NAME VALUE`.
fn sample(page: &str, name: &str) -> f64 {
    page.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("{name} missing from\n{page}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn metrics_count_requests_cache_hits_and_the_job_queue() {
    let site = Site::new("");
    let (app, _) = site.cached_app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Tomorrow's ferry timetable", "Text.").await;
    let at = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M");
    ed.act(&app, id, "schedule", &at.to_string()).await;
    for _ in 0..3 {
        assert_eq!(get(&app, "/latest").await.0, StatusCode::OK);
    }
    assert_eq!(get(&app, "/no-such-page").await.0, StatusCode::NOT_FOUND);

    let (status, headers, page) = get(&app, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert!(sample(&page, "byline_http_requests_total{class=\"2xx\"}") >= 3.0);
    assert!(sample(&page, "byline_http_requests_total{class=\"4xx\"}") >= 1.0);
    assert_eq!(sample(&page, "byline_page_cache_hits_total"), 2.0);
    assert_eq!(sample(&page, "byline_page_cache_renders_total"), 1.0);
    assert!(sample(&page, "byline_page_cache_bytes") > 1000.0);
    assert_eq!(sample(&page, "byline_page_cache_pages"), 1.0, "/latest");
    assert_eq!(
        sample(&page, "byline_jobs_pending"),
        1.0,
        "the scheduled story"
    );
    assert!(sample(&page, "byline_store_connections_open") >= 1.0);
    // The histogram's buckets are cumulative and end with every request.
    let buckets: Vec<f64> = page
        .lines()
        .filter(|l| l.starts_with("byline_http_request_duration_seconds_bucket"))
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(buckets.len(), 13);
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(
        *buckets.last().unwrap(),
        sample(&page, "byline_http_request_duration_seconds_count")
    );
}

#[test]
fn metrics_stay_private_to_the_machine_or_their_own_address() {
    let free_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let site = Site::new(&format!("[metrics]\naddr = \"127.0.0.1:{free_port}\"\n"));
    let server = site.serve();
    assert_eq!(
        http_get(&format!("{}/metrics", server.url)).0,
        404,
        "not on the site's port when it has an address of its own"
    );
    let (status, page) = http_get(&format!("http://127.0.0.1:{free_port}/metrics"));
    assert_eq!(status, 200);
    assert!(page.contains("byline_http_requests_total"));

    let open = Site::new("");
    let server = open.serve();
    let (status, _) = http_get(&format!("{}/metrics", server.url));
    assert_eq!(status, 200, "a client on this machine reads them");
}

#[tokio::test]
async fn the_health_check_names_what_is_unreachable() {
    let site = Site::new("");
    let app = site.app().await;
    let (status, _, body) = get(&app, "/healthz").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "store ok\nmedia ok\n")
    );
    // Asked again at once, storage is not asked again: nothing is written per request.
    let probes_before = probes(&site);
    for _ in 0..50 {
        assert_eq!(get(&app, "/healthz").await.0, StatusCode::OK);
    }
    assert_eq!(probes(&site), probes_before, "answered from the last check");
    // The media folder replaced by a file: nothing can be written there any more. The next
    // check (within the second or two a result is kept) says so.
    let media = site.data.join("media");
    std::fs::remove_dir_all(&media).unwrap();
    std::fs::write(&media, "not a folder").unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let (status, body) = loop {
        let (status, _, body) = get(&app, "/healthz").await;
        if status != StatusCode::OK || std::time::Instant::now() > deadline {
            break (status, body);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(
        (status, body.as_str()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "store ok\nmedia unreachable\n"
        )
    );
}

/// When the media folder last changed (each health probe writes and removes a file in it).
fn probes(site: &Site) -> std::time::SystemTime {
    std::fs::metadata(site.data.join("media"))
        .unwrap()
        .modified()
        .unwrap()
}
