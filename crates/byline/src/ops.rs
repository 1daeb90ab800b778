//! What operators watch: the health check (store and media storage reachable) and metrics in
//! the Prometheus text format (requests and their latency, the page cache, the job queue, the
//! store's connections).

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::guards::ClientAddr;
use crate::state::AppState;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Request counters, updated by every request without a lock.
#[derive(Default)]
pub struct Metrics {
    /// Answers by status class: 1xx … 5xx.
    by_class: [AtomicU64; 5],
    /// Requests that took at most each bucket's bound (not cumulative; summed when shown).
    buckets: [AtomicU64; BUCKETS.len()],
    slower: AtomicU64,
    micros: AtomicU64,
}

impl Metrics {
    pub fn record(&self, status: StatusCode, took: Duration) {
        let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        let seconds = took.as_secs_f64();
        match BUCKETS.iter().position(|bound| seconds <= *bound) {
            Some(bucket) => self.buckets[bucket].fetch_add(1, Ordering::Relaxed),
            None => self.slower.fetch_add(1, Ordering::Relaxed),
        };
        self.micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    fn write_requests(&self, out: &mut String) {
        out.push_str("# HELP byline_http_requests_total Requests answered, by status class.\n");
        out.push_str("# TYPE byline_http_requests_total counter\n");
        for (n, count) in self.by_class.iter().enumerate() {
            let _ = writeln!(
                out,
                "byline_http_requests_total{{class=\"{}xx\"}} {}",
                n + 1,
                count.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP byline_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE byline_http_request_duration_seconds histogram\n");
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.buckets) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "byline_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += self.slower.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "byline_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
        );
        let _ = writeln!(
            out,
            "byline_http_request_duration_seconds_sum {}",
            self.micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(
            out,
            "byline_http_request_duration_seconds_count {cumulative}"
        );
    }
}

fn gauge(out: &mut String, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
    );
}

/// `GET /metrics`. Without `[metrics] addr` it answers only clients on this machine that
/// ask for it by a loopback name and not through a proxy (the page would tell the world how
/// busy the newsroom is; a reverse proxy on this machine is a loopback peer too, but it names
/// the site and says whom it forwards for); with `[metrics] addr`, only that address serves it.
pub async fn metrics(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let local = client.0.is_none_or(|ip| ip.is_loopback());
    let asked_locally = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_none_or(loopback_host);
    if state.metrics_elsewhere || !local || !asked_locally || crate::guards::forwarded(&headers) {
        return Err(AppError::NotFound);
    }
    metrics_page(&state).await
}

/// Whether a `Host` header names this machine by a loopback name or address.
fn loopback_host(host: &str) -> bool {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return ip.is_loopback();
    }
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The metrics page itself, for the main port and for the metrics-only address.
pub async fn metrics_page(state: &AppState) -> Result<Response, AppError> {
    let mut out = String::with_capacity(4096);
    state.metrics.write_requests(&mut out);
    let cache = &state.cache;
    gauge(
        &mut out,
        "byline_page_cache_hits_total",
        "counter",
        "Pages answered from the page cache.",
        cache.hits(),
    );
    gauge(
        &mut out,
        "byline_page_cache_renders_total",
        "counter",
        "Pages rendered into the page cache.",
        cache.renders_total(),
    );
    gauge(
        &mut out,
        "byline_page_cache_bytes",
        "gauge",
        "Memory held by the page cache.",
        cache.bytes(),
    );
    gauge(
        &mut out,
        "byline_page_cache_pages",
        "gauge",
        "Pages held by the page cache.",
        cache.len(),
    );
    gauge(
        &mut out,
        "byline_jobs_pending",
        "gauge",
        "Scheduled jobs not yet run.",
        state.store.pending_jobs().await?,
    );
    let pool = state.store.connections();
    gauge(
        &mut out,
        "byline_store_connections_open",
        "gauge",
        "Store connections open.",
        pool.open,
    );
    gauge(
        &mut out,
        "byline_store_connections_in_use",
        "gauge",
        "Store connections in use.",
        pool.open.saturating_sub(pool.idle),
    );
    let mut response = out.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}

/// How often at most `/healthz` asks the store and the media storage; in between it answers
/// what they said last.
const HEALTH_FOR: Duration = Duration::from_secs(1);

/// What the last health check found, and when.
#[derive(Debug, Clone)]
pub struct Health {
    at: std::time::Instant,
    store: bool,
    media: bool,
}

/// `GET /healthz` for load balancers: 200 when the store answers and the media storage takes
/// writes, else 503; the body says which. Storage is asked at most once a second, however
/// often the check is asked for (and by one request at a time).
pub async fn healthz(State(state): State<AppState>) -> Response {
    let mut last = state.health.lock().await;
    let health = match last.as_ref().filter(|h| h.at.elapsed() < HEALTH_FOR) {
        Some(fresh) => fresh.clone(),
        None => {
            let checked = check_health(&state).await;
            *last = Some(checked.clone());
            checked
        }
    };
    drop(last);
    let word = |ok: bool| if ok { "ok" } else { "unreachable" };
    let body = format!(
        "store {}\nmedia {}\n",
        word(health.store),
        word(health.media)
    );
    let status = if health.store && health.media {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, [(header::CACHE_CONTROL, "no-store")], body).into_response()
}

async fn check_health(state: &AppState) -> Health {
    let store = state.store.ping().await;
    let media = state.media.check().await;
    if let Err(e) = &store {
        tracing::warn!(error = %e, "health check: store unreachable");
    }
    if let Err(e) = &media {
        tracing::warn!(error = %e, "health check: media storage unusable");
    }
    Health {
        at: std::time::Instant::now(),
        store: store.is_ok(),
        media: media.is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::loopback_host;

    #[test]
    fn loopback_hosts() {
        for host in [
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:9",
            "[::1]:8080",
            "::1",
        ] {
            assert!(loopback_host(host), "{host}");
        }
        for host in [
            "news.example",
            "10.0.0.5:8080",
            "[2001:db8::1]:80",
            "localhost.evil",
        ] {
            assert!(!loopback_host(host), "{host}");
        }
    }
}
