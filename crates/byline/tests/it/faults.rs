//! Faults of the database under a running server: PostgreSQL reached through a loopback proxy
//! the test cuts for a few seconds. Pages the cache holds keep being served, others answer
//! 503 with `Retry-After`, `/healthz` says the store is unreachable, and everything recovers
//! by itself once the database is back. A wrong database URL stops start-up with a clear
//! message and no password in it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::postgres;
use crate::support::{Item, Site, http_exchange, http_get};

/// The PostgreSQL database the fault tests use: the suite's, or the local server's `postgres`.
fn postgres_base() -> String {
    std::env::var("BYLINE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A TCP proxy on 127.0.0.1 to PostgreSQL that can be cut (connections dropped, new ones
/// refused) and restored on the same port.
struct Proxy {
    addr: SocketAddr,
    target: SocketAddr,
    accepting: Option<JoinHandle<()>>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut proxy = Proxy {
            addr: listener.local_addr().unwrap(),
            target,
            accepting: None,
            links: Arc::default(),
        };
        proxy.accept_on(listener);
        proxy
    }

    fn accept_on(&mut self, listener: TcpListener) {
        let (target, links) = (self.target, self.links.clone());
        self.accepting = Some(tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                links.lock().unwrap().push(link);
            }
        }));
    }

    fn cut(&mut self) {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
        }
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    async fn restore(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.accept_on(listener);
    }
}

fn get_with_headers(url: &str) -> (u16, String) {
    let (status, head, _) = http_exchange("GET", url, "", "");
    (status, head)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_answers_503_and_heals_without_a_restart() {
    let base = postgres_base();
    let mut proxy = Proxy::start("127.0.0.1:5432".parse().unwrap()).await;
    let through_proxy = base
        .replacen("@127.0.0.1:5432/", &format!("@{}/", proxy.addr), 1)
        .replacen("@127.0.0.1/", &format!("@{}/", proxy.addr), 1);
    assert_ne!(
        through_proxy, base,
        "the suite's database is on 127.0.0.1:5432"
    );
    let (schema, url) = postgres::schema_in(&through_proxy);
    let mut site = Site::new("");
    site.database_url = Some(url);
    let items = tempfile::tempdir().unwrap();
    let paths: Vec<_> = ["Harbour reopens", "Ferry strike ends"]
        .iter()
        .enumerate()
        .map(|(n, headline)| {
            Item::new(&format!("urn:test:fault:{n}"), headline)
                .created("2024-06-01T10:00:00Z")
                .write(items.path(), &format!("{n}.json"))
        })
        .collect();
    assert!(site.import(&[&paths[0], &paths[1]]).2);
    let server = site.serve();
    let cached = format!("{}/story/harbour-reopens", server.url);
    let uncached = format!("{}/story/ferry-strike-ends", server.url);
    assert_eq!(http_get(&cached).0, 200);

    proxy.cut();
    let url = uncached.clone();
    let (status, head) = tokio::task::spawn_blocking(move || get_with_headers(&url))
        .await
        .unwrap();
    assert_eq!(status, 503, "{head}");
    assert!(
        head.to_ascii_lowercase().contains("retry-after: 5"),
        "{head}"
    );
    let url = cached.clone();
    let (status, _) = tokio::task::spawn_blocking(move || http_get(&url))
        .await
        .unwrap();
    assert_eq!(status, 200, "a cached page is served through the outage");
    let health = format!("{}/healthz", server.url);
    let (status, body) = tokio::task::spawn_blocking(move || http_get(&health))
        .await
        .unwrap();
    assert_eq!(
        (status, body.as_str()),
        (503, "store unreachable\nmedia ok\n")
    );
    tokio::time::sleep(Duration::from_secs(2)).await;

    proxy.restore().await;
    let healed_by = Instant::now() + Duration::from_secs(10);
    loop {
        let url = uncached.clone();
        let (status, _) = tokio::task::spawn_blocking(move || http_get(&url))
            .await
            .unwrap();
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < healed_by,
            "still {status} after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(server);
    postgres::execute(&base, &format!("DROP SCHEMA {schema} CASCADE"));
}

#[test]
fn a_wrong_database_url_stops_start_up_with_a_clear_message() {
    let site = Site::new("");
    let refused = site
        .command(&["serve", "--addr", "127.0.0.1:0"])
        .env(
            "BYLINE_DATABASE_URL",
            "postgres://byline:s3cret-pass@127.0.0.1:1/news",
        )
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("postgres://byline:***@127.0.0.1:1/news") && err.contains("refused"),
        "{err}"
    );
    assert!(
        !err.contains("s3cret-pass"),
        "the password is never shown: {err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    let wrong = site
        .command(&["migrate"])
        .env("BYLINE_DATABASE_URL", "mysql://x@127.0.0.1/news")
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("not a PostgreSQL URL"));
}
