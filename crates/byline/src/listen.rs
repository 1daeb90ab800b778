//! The accept loop: each connection served over HTTP/1.1 with time limits on reading a
//! request's headers (which also closes a kept-alive connection left idle that long) and on the
//! pauses in its body, at most so many connections at once and so many from one address, so
//! that slow or idle clients cannot hold the server's connections; on shutdown, no new
//! connections, and the ones in flight finish their requests.

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

/// How the accept loop bounds its clients.
#[derive(Debug, Clone)]
pub struct Limits {
    /// For a request's headers, and for each pause while its body arrives.
    pub header_timeout: Duration,
    pub max_connections: usize,
    /// Connections one address may hold at once (a trusted proxy may hold any number).
    pub per_address: usize,
    pub proxies: crate::guards::Proxies,
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
    let open = Arc::new(OpenPerAddress::default());
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
        let trusted = limits.proxies.trusted.iter().any(|n| n.contains(peer.ip()));
        let Some(held) = open.take(peer.ip(), limits.per_address, trusted) else {
            tracing::warn!(client = %peer.ip(), "too many connections from one address");
            continue;
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
            drop((slot, held));
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

/// How many connections each address holds.
#[derive(Default)]
struct OpenPerAddress(std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>);

/// One connection counted for its address; uncounted when dropped.
struct Held {
    open: Arc<OpenPerAddress>,
    ip: std::net::IpAddr,
}

impl OpenPerAddress {
    /// Counts a connection from `ip`, unless it already holds `limit` (a trusted proxy is
    /// counted but never refused).
    fn take(self: &Arc<Self>, ip: std::net::IpAddr, limit: usize, trusted: bool) -> Option<Held> {
        let mut open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(ip).or_default();
        if *count >= limit && !trusted {
            return None;
        }
        *count += 1;
        Some(Held {
            open: self.clone(),
            ip,
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.open.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// A request body that may pause at most `patience` between two pieces (as a web server's
/// client body timeout): a slow upload goes on as long as it moves, a stalled one is cut.
struct Deadline {
    body: Incoming,
    patience: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl Deadline {
    fn new(body: Incoming, patience: Duration) -> Deadline {
        Deadline {
            body,
            patience,
            timer: Box::pin(tokio::time::sleep(patience)),
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
        match Pin::new(&mut this.body).poll_frame(cx) {
            Poll::Ready(frame) => {
                let next = tokio::time::Instant::now() + this.patience;
                this.timer.as_mut().reset(next);
                Poll::Ready(frame.map(|f| f.map_err(Into::into)))
            }
            Poll::Pending if this.timer.as_mut().poll(cx).is_ready() => {
                Poll::Ready(Some(Err("the request body stopped arriving".into())))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
