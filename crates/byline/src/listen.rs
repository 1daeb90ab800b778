//! The accept loop: each connection served over HTTP/1.1 and watched. A connection that has
//! no request in hand and has made no progress (a request arriving, an answer going out) for
//! the header timeout is closed: a client sending its headers slowly, reading its answer
//! slowly, or idling on a kept-alive connection cannot hold it. A request body may not pause
//! longer than the same. At most so many connections at once and so many from one address.
//! On shutdown, no new connections, and the ones in flight finish their requests.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

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
    // The time limits are kept by each connection's watchdog (below) rather than by a timer
    // per request, which cost a tenth of the cached pages' rate here.
    http.timer(TokioTimer::new())
        .header_read_timeout(None::<Duration>)
        .keep_alive(true);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let max = limits.max_connections.max(1);
    let slots = Arc::new(Semaphore::new(max));
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
        let activity = Arc::new(Activity::new());
        let service = Tracked {
            app: app.for_peer(peer),
            activity: activity.clone(),
            patience: limits.header_timeout,
        };
        let io = TokioIo::new(Written {
            tcp,
            activity: activity.clone(),
        });
        let connection = http.serve_connection(io, TowerToHyperService::new(service));
        let watchdog = Watchdog {
            activity,
            patience: limits.header_timeout,
            stopping: stopping.clone(),
        };
        tokio::spawn(async move {
            watchdog.run(connection).await;
            drop((slot, held));
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Every slot back: every connection finished.
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    if tokio::time::timeout(DRAIN, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {DRAIN:?}; stopping anyway");
    }
    Ok(())
}

/// When a connection last made progress (a request arrived, an answer was written), on a
/// clock of its own, and how many of its requests are in hand.
struct Activity {
    since: std::time::Instant,
    last_ms: AtomicU64,
    in_hand: AtomicUsize,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            since: std::time::Instant::now(),
            last_ms: AtomicU64::new(0),
            in_hand: AtomicUsize::new(0),
        }
    }

    fn touch(&self) {
        let now = self.since.elapsed().as_millis() as u64;
        self.last_ms.store(now, Ordering::Relaxed);
    }

    /// Whether the connection has waited longer than `patience` for a request (or for its
    /// reader to take an answer) with none in hand: a slow or idle client.
    fn stalled(&self, patience: Duration) -> bool {
        let idle_ms = (self.since.elapsed().as_millis() as u64)
            .saturating_sub(self.last_ms.load(Ordering::Relaxed));
        self.in_hand.load(Ordering::Relaxed) == 0 && idle_ms > patience.as_millis() as u64
    }
}

/// Watches one connection: closes it when it stalls, and lets it finish its request and close
/// when the server stops.
struct Watchdog {
    activity: Arc<Activity>,
    patience: Duration,
    stopping: tokio::sync::watch::Receiver<bool>,
}

impl Watchdog {
    async fn run<C>(
        mut self,
        connection: hyper::server::conn::http1::Connection<TokioIo<Written>, C>,
    ) where
        C: hyper::service::HttpService<Incoming, ResBody = Body>,
        C::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        tokio::pin!(connection);
        let mut stopped = *self.stopping.borrow();
        if stopped {
            connection.as_mut().graceful_shutdown();
        }
        loop {
            tokio::select! {
                ended = connection.as_mut() => {
                    if let Err(e) = ended {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                    return;
                }
                _ = self.stopping.changed(), if !stopped => {
                    stopped = true;
                    connection.as_mut().graceful_shutdown();
                }
                () = tokio::time::sleep(self.patience / 2) => {
                    if self.activity.stalled(self.patience) {
                        // Dropped: the socket closes.
                        return;
                    }
                }
            }
        }
    }
}

/// The application for one connection, counting the requests it has in hand.
#[derive(Clone)]
struct Tracked {
    app: App,
    activity: Arc<Activity>,
    patience: Duration,
}

impl tower::Service<Request<Incoming>> for Tracked {
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = InHand;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        tower::Service::<Request>::poll_ready(&mut self.app, cx)
    }

    fn call(&mut self, request: Request<Incoming>) -> InHand {
        self.activity.in_hand.fetch_add(1, Ordering::Relaxed);
        self.activity.touch();
        let patience = self.patience;
        let request = request.map(|body| {
            // Most requests have no body: no timer for them.
            if http_body::Body::is_end_stream(&body) {
                Body::new(body)
            } else {
                Body::new(Deadline::new(body, patience))
            }
        });
        InHand {
            answer: self.app.call(request),
            activity: Some(self.activity.clone()),
        }
    }
}

/// A request being answered; its connection counts it until the answer is ready.
struct InHand {
    answer: crate::front::Answer,
    activity: Option<Arc<Activity>>,
}

impl InHand {
    fn done(&mut self) {
        if let Some(activity) = self.activity.take() {
            activity.in_hand.fetch_sub(1, Ordering::Relaxed);
            activity.touch();
        }
    }
}

impl Future for InHand {
    type Output = Result<axum::response::Response, std::convert::Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let answer = Pin::new(&mut this.answer).poll(cx);
        if answer.is_ready() {
            this.done();
        }
        answer
    }
}

impl Drop for InHand {
    fn drop(&mut self) {
        self.done();
    }
}

/// The connection's socket; every write that goes out counts as progress (a reader taking a
/// long answer slowly is not stalled; one that stops reading is).
struct Written {
    tcp: tokio::net::TcpStream,
    activity: Arc<Activity>,
}

impl tokio::io::AsyncRead for Written {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Written {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.tcp).poll_write(cx, bytes);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch();
        }
        written
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.tcp).poll_write_vectored(cx, bufs);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch();
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
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
