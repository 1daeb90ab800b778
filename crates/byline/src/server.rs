//! `byline serve`: open the data folder, bind, serve until Ctrl-C or SIGTERM.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use byline_core::changes::CacheKey;
use byline_core::store::Store;
use byline_render::Theme;
use byline_store_postgres::PgStore;
use byline_store_sqlite::SqliteStore;
use tokio::net::TcpListener;

use byline_media::{MediaStore, S3Settings};

use crate::config::Config;
use crate::state::AppState;
use crate::{demo, router};

/// The data folder: `byline.db`, `media/` and the default `byline.toml`; and where the store
/// lives when it is not the SQLite file in it (a PostgreSQL URL).
#[derive(Debug, Clone)]
pub struct DataDir {
    pub root: PathBuf,
    database_url: Option<String>,
}

impl DataDir {
    /// Creates the folder and its `media/` when missing.
    pub fn create(root: &Path) -> anyhow::Result<DataDir> {
        let dir = DataDir {
            root: root.to_owned(),
            database_url: None,
        };
        let new = !root.exists();
        std::fs::create_dir_all(dir.media_dir())
            .with_context(|| format!("cannot create the data folder {}", root.display()))?;
        // A new data folder is its owner's only: it holds the database, and the originals of
        // pictures, which may carry camera and location data.
        #[cfg(unix)]
        if new {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("cannot protect the data folder {}", root.display()))?;
        }
        Ok(dir)
    }

    pub fn database(&self) -> PathBuf {
        self.root.join("byline.db")
    }

    pub fn media_dir(&self) -> PathBuf {
        self.root.join("media")
    }

    pub fn config_file(&self) -> PathBuf {
        self.root.join("byline.toml")
    }

    /// Where pictures are kept: `[media] store` (a bucket or a folder), else `media/` here.
    pub fn media_store(&self, config: &Config) -> anyhow::Result<MediaStore> {
        let media = &config.media;
        let store = match media.store.as_deref() {
            Some(url) if url.starts_with("s3://") => {
                let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
                MediaStore::s3(&S3Settings {
                    url: url.to_owned(),
                    endpoint: media.endpoint.clone(),
                    region: media.region.clone(),
                    access_key_id: env("BYLINE_S3_ACCESS_KEY_ID")
                        .or_else(|| media.access_key_id.clone()),
                    secret_access_key: env("BYLINE_S3_SECRET_ACCESS_KEY")
                        .or_else(|| media.secret_access_key.clone()),
                })?
            }
            Some(folder) => MediaStore::local(&self.root.join(folder))?,
            None => MediaStore::local(&self.media_dir())?,
        };
        Ok(store)
    }

    /// Keeps the store in the database at `url` (`postgres://…`) instead of `byline.db`.
    pub fn with_database(mut self, url: Option<String>) -> DataDir {
        self.database_url = url.filter(|u| !u.is_empty());
        self
    }

    /// Where the store lives, fit to print (a URL's password is hidden).
    pub fn store_location(&self) -> String {
        match &self.database_url {
            Some(url) => byline_store_postgres::redact(url),
            None => self.database().display().to_string(),
        }
    }

    /// Opens the store and the newsroom's operations on it, with `config`'s rules: what the
    /// command line acts through.
    pub async fn open_newsroom(
        &self,
        config: &Config,
    ) -> anyhow::Result<crate::usecases::Newsroom> {
        let rules = crate::usecases::Rules::from_config(config);
        Ok(crate::usecases::Newsroom::new(
            self.open_store().await?,
            rules,
        ))
    }

    /// Opens the store, applying pending migrations.
    pub async fn open_store(&self) -> anyhow::Result<Arc<dyn Store>> {
        match self.database_url.as_deref() {
            None => Ok(Arc::new(SqliteStore::open(&self.database()).await?)),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Arc::new(PgStore::connect(url).await?))
            }
            Some(url) => anyhow::bail!(
                "the database URL {} is not a PostgreSQL URL (postgres://USER@HOST/DATABASE); \
                 leave it out to use SQLite in the data folder",
                byline_store_postgres::redact(url)
            ),
        }
    }
}

/// Serves the site; returns when a shutdown signal arrived and in-flight requests finished.
pub async fn serve(data: &DataDir, config: &Config, addr: &str, demo: bool) -> anyhow::Result<()> {
    let store = data.open_store().await?;
    let media = data.media_store(config)?;
    media
        .check()
        .await
        .with_context(|| format!("the media storage {} cannot be written", media.location()))?;
    if demo {
        let newsroom = crate::usecases::Newsroom::new(
            store.clone(),
            crate::usecases::Rules::from_config(config),
        );
        let loaded = demo::load_if_empty(&newsroom, &media, chrono::Utc::now()).await?;
        if loaded > 0 {
            tracing::info!(stories = loaded, "loaded the demo newsroom");
        }
    }
    // The theme is loaded before binding, so that a broken theme stops start-up at once.
    let theme = Theme::load(config.theme.path.as_deref())?;
    warn_if_readable_by_others(data);
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let needs_setup = store.user_count().await? == 0;
    let state = AppState::new(store, theme, config, format!("http://{local}"), data)?;
    if state.mailer.is_none() {
        tracing::warn!(
            "no [mail] in the config: newsletter sign-ups are kept, but no mail is sent"
        );
    }
    // Ready once the config's hubs are in step: the line below is what scripts wait for.
    crate::usecases::integrations::keep_websub_hooks(
        &state.newsroom,
        &config.seo.ping_urls,
        chrono::Utc::now(),
    )
    .await?;
    state.search.open_current(state.store.as_ref()).await;
    say(&format!("Byline is serving http://{local}/"));
    if needs_setup {
        let token = crate::secrets::random_token();
        say(&format!(
            "No newsroom account exists yet. Create the administrator at {}/admin/setup?token={token}",
            state.site.base_url
        ));
        *state.setup_token.lock().unwrap_or_else(|p| p.into_inner()) = Some(token);
    }
    state.cache.start_at_end(state.store.as_ref()).await?;
    let workers = Workers::start(&state);
    let metrics = match &config.metrics.addr {
        Some(addr) => Some(serve_metrics(addr, state.clone()).await?),
        None => None,
    };
    let app = router::router(state.clone());
    tracing::info!(address = %local, data = %data.root.display(), store = %data.store_location(), "serving");
    let limits = crate::listen::Limits {
        header_timeout: std::time::Duration::from_secs(u64::from(
            config.server.header_timeout_seconds.max(1),
        )),
        max_connections: config.server.max_connections as usize,
        per_address: config.server.max_connections_per_address.max(1) as usize,
        proxies: crate::guards::Proxies {
            trusted: config.server.trusted_proxies.clone(),
            header: config.server.forwarded_header,
        },
    };
    crate::listen::serve(listener, app, limits, shutdown_signal()).await?;
    workers.stop().await;
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    tracing::info!("stopped");
    Ok(())
}

/// The node's background work: jobs, renditions, newsletters, webhooks, the change log's
/// followers (page cache, search), view counting and the Most read list.
struct Workers {
    aborted: Vec<tokio::task::JoinHandle<()>>,
    stop_counting: tokio::sync::watch::Sender<bool>,
    views: tokio::task::JoinHandle<()>,
}

impl Workers {
    fn start(state: &AppState) -> Workers {
        let (reopened, changed) = (state.clone(), state.clone());
        let listeners = crate::searching::Listeners {
            opened: Box::new(move || reopened.cache.bump(&[CacheKey::Related])),
            touched: Box::new(move |stories| crate::site::extras::indexed(&changed, stories)),
        };
        let aborted = vec![
            tokio::spawn(crate::jobs::run(state.newsroom.clone())),
            tokio::spawn(crate::jobs::make_renditions(state.clone())),
            tokio::spawn(crate::newsletter::sender::run(state.clone())),
            tokio::spawn(crate::newsletter::schedule::run(state.clone())),
            tokio::spawn(crate::webhooks::run(state.clone())),
            tokio::spawn(follow_changes(state.clone())),
            tokio::spawn(state.search.clone().run(state.store.clone(), listeners)),
            tokio::spawn(crate::views::keep_most_read(state.clone())),
        ];
        let (stop_counting, counting) = tokio::sync::watch::channel(false);
        let views = tokio::spawn(crate::views::run(
            state.clone(),
            state.views_every,
            counting,
        ));
        Workers {
            aborted,
            stop_counting,
            views,
        }
    }

    /// Stops them all; what this node counted since its last batch goes to the store first.
    async fn stop(self) {
        for worker in &self.aborted {
            worker.abort();
        }
        let _ = self.stop_counting.send(true);
        let _ = self.views.await;
    }
}

/// Warns when the data folder or the database in it can be read by other users of this
/// machine (they hold password hashes, the site's secrets and originals with location data).
fn warn_if_readable_by_others(data: &DataDir) {
    #[cfg(unix)]
    for path in [data.root.clone(), data.database()] {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(&path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                path = %path.display(),
                "readable by other users of this machine: chmod go-rwx it"
            );
        }
    }
}

/// Serves `/metrics` alone on `addr` (`[metrics] addr`), for Prometheus on a private network.
async fn serve_metrics(addr: &str, state: AppState) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen for metrics on {addr}"))?;
    say(&format!(
        "Metrics at http://{}/metrics",
        listener.local_addr()?
    ));
    let app = router::metrics_router(state);
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics address stopped");
        }
    }))
}

/// How often at the latest the page cache reads the change log for writes by other processes
/// (the import CLI, other nodes); this node's own writes are followed at once, and a store
/// that announces commits (PostgreSQL) wakes the follower as each one lands.
const CHANGE_POLL: std::time::Duration = std::time::Duration::from_millis(250);

async fn follow_changes(state: AppState) {
    loop {
        state.store.wait_for_changes(CHANGE_POLL).await;
        if let Err(e) = state.cache.sync(state.store.as_ref()).await {
            tracing::error!(error = %e, "cannot read the change log");
        }
    }
}

/// A line for the operator on standard output. A closed output (`byline serve | head -1`)
/// must not stop the server, so write errors are ignored.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
