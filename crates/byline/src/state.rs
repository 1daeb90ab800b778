//! What every request handler shares: the store, the theme, the settings.

use std::sync::{Arc, Mutex};

use byline_core::store::Store;
use byline_render::Theme;
use byline_render::views::ArticleAds;

use crate::config::Config;
use crate::newsletter::RateLimiter;
use crate::session_cookie::SessionPolicy;

/// Cheap to clone; everything is behind one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    /// The store, for the server's own machinery (page cache, jobs, health); requests reach
    /// it through [`Inner::newsroom`]'s use cases.
    pub store: Arc<dyn Store>,
    /// The newsroom's operations: every handler's way to the store.
    pub newsroom: crate::usecases::Newsroom,
    pub theme: Theme,
    pub site: SiteSettings,
    /// What the feeds, sitemaps and well-known files are made from.
    pub discovery: crate::site::files::Discovery,
    pub ads: ArticleAds,
    /// Where pictures live: a local folder or an S3-compatible bucket.
    pub media: byline_media::MediaStore,
    pub signup_limiter: RateLimiter,
    /// Confirmation mails sent by the whole site per hour.
    pub confirmation_limiter: RateLimiter,
    pub sessions: SessionPolicy,
    /// While no member exists: the one-time token that lets the first administrator be made.
    pub setup_token: Mutex<Option<String>>,
    /// Largest upload accepted, in bytes.
    pub upload_limit: usize,
    /// Whether a lead photo must carry a credit before its story goes out.
    pub credit_required: bool,
    /// How a credit read from a picture file is printed.
    pub credit_pattern: byline_media::metadata::credit::CreditPattern,
    /// Woken when a picture needs renditions, so this node's worker starts at once.
    pub renditions_wanted: tokio::sync::Notify,
    /// The SMTP server of `[mail]`; without one, sign-ups are kept but no mail goes out.
    pub mailer: Option<crate::mail::Mailer>,
    /// `[mail]`'s limits, for the newsletter sender.
    pub mail_limits: Option<crate::newsletter::sender::Limits>,
    /// `[newsletter.digest]`, when the daily digest is wanted.
    pub digest: Option<crate::config::DigestConfig>,
    /// The secret newsletter links are signed with, read from the store once.
    pub newsletter_secret: tokio::sync::OnceCell<Vec<u8>>,
    /// Who has which story open in the editor.
    pub presence: crate::admin::presence::Presence,
    /// Public pages, ready to send.
    pub cache: crate::cache::PageCache,
    /// Request counts and latencies for `/metrics`.
    pub metrics: crate::ops::Metrics,
    /// Whether `/metrics` is served on its own address (`[metrics] addr`) instead of the
    /// site's port.
    pub metrics_elsewhere: bool,
    /// The reverse proxies whose forwarding headers name the client (`[server]`).
    pub proxies: crate::guards::Proxies,
    /// Where Argon2 runs, at most one per core.
    pub password_checks: crate::admin::auth::PasswordChecks,
    /// How many password guesses are let through.
    pub sign_in_limits: byline_core::accounts::SignInLimits,
    /// How long a story's private preview link works.
    pub preview_days: i64,
    /// Whether the site is served over HTTPS (`[site] base_url`): browsers are told to keep it so.
    pub https: bool,
    /// The Content-Security-Policy of public pages, when `[ads] script_origins` asks for one.
    pub public_policy: Option<crate::site::policy::PublicPolicy>,
    /// The site's stylesheet, put inside each public page when it is small.
    pub inline_css: Option<String>,
    /// That stylesheet compressed once, joined with every article kept as parts.
    pub style_part: Option<Arc<crate::parted_page::FixedPart>>,
    /// The theme's static files compressed, by URL: (Brotli, gzip).
    pub compressed_assets:
        std::collections::HashMap<String, (axum::body::Bytes, axum::body::Bytes)>,
    /// Renditions made on a reader's request: at most one per core at a time.
    pub rendition_slots: tokio::sync::Semaphore,
    /// `[api]`'s request limits.
    pub api_limits: crate::api::limits::ApiLimits,
    /// `[api] content_key_required`.
    pub api_content_key_required: bool,
    /// The last health check and when it ran: load balancers ask often, storage is asked at
    /// most once a second.
    pub health: tokio::sync::Mutex<Option<crate::ops::Health>>,
    /// This node's search index and the task keeping it.
    pub search: Arc<crate::searching::Searching>,
    /// Searches run at once; more wait their turn.
    pub search_slots: tokio::sync::Semaphore,
    /// Searches per client address and minute.
    pub search_limiter: RateLimiter,
    /// Readers' views counted since the last batch went to the store.
    pub views: crate::views::ViewCounter,
    /// How often the counts go to the store (`[views] flush_seconds`).
    pub views_every: std::time::Duration,
    /// `[theme] related_stories`: 0 leaves the block out.
    pub related_stories: usize,
    pub related: crate::site::extras::RelatedLists,
    /// `[theme] most_read`: the rail's window, if it is shown.
    pub most_read_window: Option<byline_core::views::MostReadWindow>,
    pub most_read: crate::site::extras::MostReadList,
    /// How often the Most read list is read again (`[views] most_read_seconds`).
    pub most_read_every: std::time::Duration,
}

/// The site-wide settings pages need, resolved from the config.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    pub title: String,
    /// What the front page is, for search results and link previews.
    pub description: String,
    pub base_url: String,
    pub language: String,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        mut theme: Theme,
        config: &Config,
        base_url: String,
        data: &crate::server::DataDir,
    ) -> anyhow::Result<AppState> {
        // The ad slots' reserved sizes come from the configuration, into the one stylesheet.
        theme.append("site.css", &crate::ads::stylesheet(&config.ads));
        let inline_css = crate::site::assets::inline_css(&theme);
        let compressed_assets = crate::site::assets::compressed(&theme);
        let media = data.media_store(config)?;
        let mailer = config
            .mail
            .as_ref()
            .map(crate::mail::Mailer::new)
            .transpose()?;
        let base_url = config.site.base_url.clone().unwrap_or(base_url);
        let site_is_https = base_url.starts_with("https://");
        let site = SiteSettings {
            title: config.site.title.clone(),
            description: config
                .site
                .description
                .clone()
                .unwrap_or_else(|| format!("The latest news from {}.", config.site.title)),
            base_url: base_url.trim_end_matches('/').to_owned(),
            language: config.site.language.clone(),
        };
        let newsroom = crate::usecases::Newsroom::new(
            store.clone(),
            crate::usecases::Rules::from_config(config),
        );
        Ok(AppState(Arc::new(Inner {
            store,
            newsroom,
            theme,
            site,
            discovery: crate::site::files::Discovery::from_config(config)?,
            ads: crate::ads::article_ads(&config.ads),
            style_part: inline_css
                .as_deref()
                .and_then(crate::parted_page::FixedPart::new)
                .map(Arc::new),
            inline_css,
            compressed_assets,
            media,
            signup_limiter: RateLimiter::per_hour(config.newsletter.signups_per_ip_per_hour),
            confirmation_limiter: RateLimiter::per_hour(config.newsletter.confirmations_per_hour),
            sessions: SessionPolicy {
                idle: chrono::Duration::hours(i64::from(config.admin.session_idle_hours)),
                absolute: chrono::Duration::days(i64::from(config.admin.session_max_days)),
                secure: site_is_https,
            },
            setup_token: Mutex::new(None),
            upload_limit: config.admin.upload_max_mb as usize * 1024 * 1024,
            credit_required: config.photos.credit_required,
            credit_pattern: config.photos.credit_pattern.clone(),
            renditions_wanted: tokio::sync::Notify::new(),
            mailer,
            mail_limits: config
                .mail
                .as_ref()
                .map(crate::newsletter::sender::Limits::from),
            digest: config.newsletter.digest.clone(),
            newsletter_secret: tokio::sync::OnceCell::new(),
            presence: Default::default(),
            cache: crate::cache::PageCache::new(config.cache.max_mb as usize * 1024 * 1024),
            metrics: Default::default(),
            metrics_elsewhere: config.metrics.addr.is_some(),
            proxies: crate::guards::Proxies {
                trusted: config.server.trusted_proxies.clone(),
                header: config.server.forwarded_header,
            },
            password_checks: crate::admin::auth::PasswordChecks::for_this_machine(),
            sign_in_limits: byline_core::accounts::SignInLimits::default(),
            preview_days: i64::from(config.admin.preview_days.max(1)),
            https: site_is_https,
            public_policy: config.ads.script_origins.as_ref().map(|origins| {
                let ads: Vec<&str> = config
                    .placements()
                    .values()
                    .map(|p| p.html.as_str())
                    .collect();
                crate::site::policy::PublicPolicy::new(origins.clone(), &ads)
            }),
            rendition_slots: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            ),
            api_limits: crate::api::limits::ApiLimits::new(
                config.api.requests_per_minute,
                config.api.anonymous_requests_per_minute,
            ),
            api_content_key_required: config.api.content_key_required,
            health: tokio::sync::Mutex::new(None),
            search: Arc::new(crate::searching::Searching::new(
                &data.root,
                config.search.ranking(),
            )),
            search_slots: tokio::sync::Semaphore::new(
                2 * std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            ),
            search_limiter: RateLimiter::new(
                config.search.requests_per_minute.max(1),
                std::time::Duration::from_secs(60),
            ),
            views: crate::views::ViewCounter::new(config.views.count),
            views_every: std::time::Duration::from_secs(u64::from(
                config.views.flush_seconds.max(1),
            )),
            related_stories: config.theme.related_stories.min(12),
            related: Default::default(),
            most_read_window: config.theme.most_read,
            most_read: Default::default(),
            most_read_every: std::time::Duration::from_secs(u64::from(
                config.views.most_read_seconds.max(1),
            )),
        })))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
