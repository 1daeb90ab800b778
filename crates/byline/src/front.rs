//! The front door: public pages the page cache holds are answered before routing and every
//! other layer; all other requests go on to the router. Readers' views of articles are counted
//! here, whichever way they were answered.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use axum::routing::future::RouteFuture;
use tower::Service;

use crate::site::delivery;
use crate::state::AppState;

/// The application as a service: what `serve` runs and the tests call.
#[derive(Clone)]
pub struct App {
    state: AppState,
    routes: Router,
    /// The peer of the connection this copy serves (absent for in-process requests).
    peer: Option<SocketAddr>,
}

impl App {
    pub fn new(state: AppState, routes: Router) -> App {
        App {
            state,
            routes,
            peer: None,
        }
    }

    /// The copy of the application that serves a connection from `peer` (the rate limits of
    /// sign-in and sign-up count by the client address it gives).
    pub fn for_peer(&self, peer: SocketAddr) -> App {
        App {
            peer: Some(peer),
            ..self.clone()
        }
    }
}

impl Service<Request> for App {
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request) -> Answer {
        let started = Instant::now();
        let view = self.state.views.wanted(&request);
        if let Some(response) = delivery::from_cache(&self.state, &request) {
            if view {
                self.state.views.count(&response);
            }
            crate::layers::answered(
                &self.state,
                request.method(),
                request.uri().path(),
                response.status(),
                started,
            );
            return Answer::Ready(Some(response));
        }
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(ConnectInfo(peer));
        }
        let counted = view.then(|| self.state.clone());
        Answer::Routed(Box::pin(self.routes.call(request)), counted)
    }
}

/// The answer of [`App`]: ready at once from the cache, or coming from the router (with the
/// state to count it in when it is a reader's view).
pub enum Answer {
    Ready(Option<Response>),
    Routed(Pin<Box<RouteFuture<Infallible>>>, Option<AppState>),
}

impl Future for Answer {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Answer::Ready(response) => Poll::Ready(Ok(response
                .take()
                .expect("an answer is polled to its end once"))),
            Answer::Routed(routed, counted) => {
                let answer = routed.as_mut().poll(cx);
                if let Poll::Ready(Ok(response)) = &answer
                    && let Some(state) = counted.take()
                {
                    state.views.count(response);
                }
                answer
            }
        }
    }
}
