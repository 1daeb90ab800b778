//! Test fixtures: temporary sites, the CLI, a served site, an HTTP client and ninjs builders.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use byline::config::Config;
use byline::router::App;
use byline::server::DataDir;
use byline_render::Theme;
use tower::ServiceExt;

/// `../shared/` beside the project.
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .canonicalize()
        .expect("../shared exists")
}

/// Ad placements as the golden page needs them.
pub const ADS_CONFIG: &str = r#"
[site]
title = "The Test Review"

[ads.article_top]
html = '<a href="/latest">Support independent journalism</a>'
width = 728
height = 90

[ads.article_bottom]
html = '<div class="house-ad"></div>'
height = 250
"#;

/// A data folder and config file in a temporary directory; the store is `byline.db` in the
/// data folder, or, when `BYLINE_TEST_DATABASE_URL` names a PostgreSQL database, a schema of
/// its own in that database (CI runs the whole suite both ways: it is the stores' contract
/// suite).
pub struct Site {
    pub dir: tempfile::TempDir,
    pub data: PathBuf,
    pub config: PathBuf,
    pub database_url: Option<String>,
}

impl Site {
    pub fn new(config: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let config_path = dir.path().join("byline.toml");
        std::fs::write(&config_path, config).unwrap();
        Site {
            dir,
            data,
            config: config_path,
            database_url: crate::postgres::suite_schema(),
        }
    }

    /// `byline ARGS --data DATA --config CONFIG`, on this site's store, ready to run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_byline"));
        command
            .args(args)
            .arg("--data")
            .arg(&self.data)
            .arg("--config")
            .arg(&self.config)
            .env("BYLINE_LOG", "warn");
        if let Some(url) = &self.database_url {
            command.env("BYLINE_DATABASE_URL", url);
        }
        command
    }

    /// Runs `byline ARGS --data DATA --config CONFIG`.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// `byline import ninjs PATHS…`, returning stdout, stderr and success.
    pub fn import(&self, paths: &[&Path]) -> (String, String, bool) {
        let mut args = vec!["import", "ninjs"];
        let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        args.extend(paths.iter().map(String::as_str));
        let out = self.cli(&args);
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
            out.status.success(),
        )
    }

    /// The application's state over this site's store, config and theme, as `serve` builds it;
    /// `cache: false` gives it no page-cache budget.
    async fn state(&self, cache: bool) -> byline::AppState {
        let data = self.data_dir();
        let mut config = Config::load(&self.config, true).unwrap();
        if !cache {
            config.cache.max_mb = 0;
        }
        let store = data.open_store().await.unwrap();
        let theme = Theme::load(config.theme.path.as_deref()).unwrap();
        byline::AppState::new(store, theme, &config, "http://byline.test".into(), &data).unwrap()
    }

    /// The router over this site's store and theme, for in-process requests.
    ///
    /// It runs without the page cache (a budget of 0 keeps nothing), so that what the CLI
    /// writes in another process shows at once; the cache has tests of its own
    /// ([`Site::cached_app`]).
    pub async fn app(&self) -> App {
        byline::router::router(self.state(false).await)
    }

    /// The router with the page cache, and its state to look into the cache and follow the
    /// change log as `serve` does.
    pub async fn cached_app(&self) -> (App, byline::AppState) {
        let state = self.state(true).await;
        state
            .cache
            .start_at_end(state.store.as_ref())
            .await
            .unwrap();
        (byline::router::router(state.clone()), state)
    }

    /// The router (without the page cache) with the rendition worker `serve` runs, and its
    /// state.
    pub async fn app_with_jobs(&self) -> (App, byline::AppState, tokio::task::JoinHandle<()>) {
        let state = self.state(false).await;
        let worker = tokio::spawn(byline::jobs::make_renditions(state.clone()));
        (byline::router::router(state.clone()), state, worker)
    }

    /// The router with a known first-administrator setup token, as `serve` makes on a new site.
    pub async fn app_with_setup_token(&self, token: &str) -> App {
        let state = self.state(true).await;
        *state.setup_token.lock().unwrap() = Some(token.to_owned());
        byline::router::router(state)
    }

    pub fn data_dir(&self) -> DataDir {
        DataDir::create(&self.data)
            .unwrap()
            .with_database(self.database_url.clone())
    }

    /// Starts `byline serve` on a free port and waits until it says where it listens.
    pub fn serve(&self) -> Server {
        self.serve_with(&[])
    }

    /// `serve` with extra flags (such as `--demo`).
    pub fn serve_with(&self, flags: &[&str]) -> Server {
        self.serve_env(flags, &[])
    }

    /// `serve` with extra flags and environment variables (`BYLINE_LOG=info` to read the log).
    pub fn serve_env(&self, flags: &[&str], env: &[(&str, &str)]) -> Server {
        let mut args = vec!["serve", "--addr", "127.0.0.1:0"];
        args.extend(flags);
        let mut command = self.command(&args);
        command.envs(env.iter().copied());
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("Byline is serving ")
            .map(|u| u.trim_end_matches('/').to_owned());
        let server = Server {
            url: url.clone().unwrap_or_default(),
            child,
        };
        if url.is_none() {
            let mut server = server;
            let mut err = String::new();
            server
                .child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("serve did not start: {line:?} {err}");
        }
        server
    }
}

/// A running `byline serve`, killed when dropped.
pub struct Server {
    pub url: String,
    child: Child,
}

impl Server {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then the exit status once in-flight requests are done (at most 10 s).
    pub fn stop(mut self) -> ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server did not stop within 10 s of SIGTERM");
    }
}

impl Server {
    /// Stops the server and returns everything it logged.
    pub fn stop_and_read_log(mut self) -> String {
        let _ = self.child.kill();
        let mut log = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            err.read_to_string(&mut log).unwrap();
        }
        log
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 exchange with a served site over a fresh connection: status, the response's
/// header block and its body (chunked bodies decoded). `extra_headers` end in CRLF each.
pub fn http_exchange(
    method: &str,
    url: &str,
    extra_headers: &str,
    body: &str,
) -> (u16, String, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra_headers}\r\n{body}"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    (status, head.to_owned(), body)
}

/// A plain GET to a served site: status and body.
pub fn http_get(url: &str) -> (u16, String) {
    let (status, _, body) = http_exchange("GET", url, "", "");
    (status, body)
}

/// A form POST to a served site: the status.
pub fn http_post(url: &str, form: &str) -> u16 {
    let headers = format!(
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        form.len()
    );
    http_exchange("POST", url, &headers, form).0
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// An in-process GET: status, headers and body text.
pub async fn get(app: &App, path: &str) -> (StatusCode, HeaderMap, String) {
    send(app, "GET", path, None, None).await
}

/// An in-process request with an optional session cookie and form body: status, headers and
/// the body's bytes.
async fn send_raw(
    app: &App,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let body = form.map(|f| {
        (
            "application/x-www-form-urlencoded".to_owned(),
            f.as_bytes().to_vec(),
        )
    });
    request(app, method, path, cookie, body).await
}

/// An in-process request with extra headers and a body of any content type: status, headers
/// and the body's bytes.
pub async fn request_with(
    app: &App,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<(String, Vec<u8>)>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    send_built(app, request, body).await
}

/// An in-process request with an optional session token and a body of any content type:
/// status, headers and the body's bytes.
pub async fn request(
    app: &App,
    method: &str,
    path: &str,
    session: Option<&str>,
    body: Option<(String, Vec<u8>)>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = session {
        request = request.header("cookie", format!("byline_session={token}"));
    }
    send_built(app, request, body).await
}

pub async fn send_built(
    app: &App,
    mut request: axum::http::request::Builder,
    body: Option<(String, Vec<u8>)>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let body = match body {
        Some((content_type, bytes)) => {
            request = request.header("content-type", content_type);
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 50 << 20)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

/// An in-process request with an optional session cookie and form body, its body as text.
pub async fn send(
    app: &App,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let (status, headers, bytes) = send_raw(app, method, path, cookie, form).await;
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// The session token a response sets, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("byline_session="))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .filter(|v| !v.is_empty())
}

/// Percent-encodes a form value.
pub fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An in-process GET of a binary body.
pub async fn get_bytes(app: &App, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    send_raw(app, "GET", path, None, None).await
}

pub use crate::items::Item;

/// Adds the newsroom's sections by name, as an administrator would (editors and writers file
/// stories under existing sections only).
pub async fn sections(site: &Site, names: &[&str]) {
    let store = site.data_dir().open_store().await.unwrap();
    for (position, name) in names.iter().enumerate() {
        let section = byline_core::store::SectionEdit {
            id: None,
            slug: byline_core::Slug::derive(name).unwrap(),
            name: (*name).to_owned(),
            description: String::new(),
            position: position as i64,
            parent: None,
        };
        store
            .save_section(section, chrono::Utc::now())
            .await
            .unwrap();
    }
}

/// Runs `python3` with `args` and returns what it printed; a failing script fails the test
/// with what it said.
pub fn python<I, S>(args: I) -> Vec<u8>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = Command::new("python3").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Where `path` sends a reader of the in-process app: the status and the `Location`.
pub async fn follow(app: &App, path: &str) -> (axum::http::StatusCode, String) {
    let (status, headers, _) = get(app, path).await;
    let location = headers
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location)
}
