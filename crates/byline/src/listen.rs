//! The accept loop: each connection served over HTTP/1.1 with time limits on reading a
//! request's headers (which also closes a kept-alive connection left idle that long) and its
//! body, and at most so many connections at once, so that slow or idle clients cannot hold the
//! server's connections; on shutdown, no new connections, and the ones in flight finish their
//! requests.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::front::App;

/// How long connections still open at shutdown may take to finish.
const DRAIN: Duration = Duration::from_secs(30);

/// The slowest a request body may arrive, after the grace of one header timeout.
const MIN_BODY_BYTES_PER_SECOND: u64 = 64 * 1024;

/// How the accept loop bounds its clients.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub max_connections: usize,
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open connections finish
/// (at most [`DRAIN`]).
pub async fn serve(
    listener: TcpListener,
    app: App,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        // A free slot first: at the limit, new connections wait in the kernel's queue.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Pages go out in one write each; no need to wait for acknowledgements (Nagle).
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let grace = limits.header_timeout;
        let service = app
            .for_peer(peer)
            .map_request(move |request: Request<Incoming>| {
                request.map(|body| {
                    // Most requests have no body: no timer for them.
                    if http_body::Body::is_end_stream(&body) {
                        Body::new(body)
                    } else {
                        Body::new(Deadline::new(body, grace))
                    }
                })
            });
        let connection =
            http.serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service));
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = watched.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {DRAIN:?}; stopping anyway");
    }
    Ok(())
}

/// A request body that must have arrived by a deadline: the grace, plus a second for every
/// [`MIN_BODY_BYTES_PER_SECOND`] it announces (a body of unknown length gets the grace and
/// the time of the largest form).
struct Deadline {
    body: Incoming,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl Deadline {
    fn new(body: Incoming, grace: Duration) -> Deadline {
        let length = http_body::Body::size_hint(&body)
            .exact()
            .unwrap_or(4 * 1024 * 1024);
        let allowed = grace + Duration::from_secs(length / MIN_BODY_BYTES_PER_SECOND);
        Deadline {
            body,
            timer: Box::pin(tokio::time::sleep(allowed)),
        }
    }
}

impl http_body::Body for Deadline {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if this.timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err("the request body did not arrive in time".into())));
        }
        Pin::new(&mut this.body).poll_frame(cx).map_err(Into::into)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
