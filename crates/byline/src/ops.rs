//! What operators watch: the health check (store and media storage reachable) and metrics in
//! the Prometheus text format (requests and their latency, the page cache, the job queue, the
//! store's connections).

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
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

/// `GET /metrics`. Without `[metrics] addr` it answers only clients on this machine (the
/// page would tell the world how busy the newsroom is); with it, only that address serves it.
pub async fn metrics(
    State(state): State<AppState>,
    client: ClientAddr,
) -> Result<Response, AppError> {
    let local = client.0.is_none_or(|addr| addr.ip().is_loopback());
    if state.metrics_elsewhere || !local {
        return Err(AppError::NotFound);
    }
    metrics_page(&state).await
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

/// `GET /healthz` for load balancers: 200 when the store answers and the media storage takes
/// writes, else 503; the body says which.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let store = state.store.ping().await;
    let media = state.media.check().await;
    if let Err(e) = &store {
        tracing::warn!(error = %e, "health check: store unreachable");
    }
    if let Err(e) = &media {
        tracing::warn!(error = %e, "health check: media storage unusable");
    }
    let word = |ok: bool| if ok { "ok" } else { "unreachable" };
    let body = format!(
        "store {}\nmedia {}\n",
        word(store.is_ok()),
        word(media.is_ok())
    );
    let status = if store.is_ok() && media.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, body).into_response()
}
