//! Every URL of Byline, in one place, with the layers that wrap them all.

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, get, on, post};
use byline_core::access::Permission as P;
use byline_core::workflow::{Need, StoryAccess};

use crate::error::{self, AppError};
pub use crate::front::App;
use crate::state::AppState;
use crate::{admin, api, layers, newsletter, ops, site};

/// Largest sign-up form accepted; an address is at most 254 bytes.
const SIGNUP_BODY_LIMIT: usize = 16 * 1024;
/// Largest form accepted anywhere else: a story's text with room to spare.
const FORM_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The whole application: cached public pages answered at the front door, everything else
/// routed below.
pub fn router(state: AppState) -> App {
    App::new(state.clone(), routes(state))
}

fn routes(state: AppState) -> Router {
    // Public pages: validators, compression and CDN headers from the delivery layer.
    let pages = Router::new()
        .route("/", get(site::home::show))
        .route("/latest", get(site::listing::latest))
        .route("/story/{slug}", get(site::article::show))
        .route("/{slug}", get(site::page::show))
        .route("/page/{slug}", get(site::page::under_prefix))
        .route("/section/{slug}", get(site::listing::section))
        .route("/tag/{slug}", get(site::listing::tag))
        .route("/author/{slug}", get(site::listing::author))
        .route("/preview/{token}", get(site::article::preview))
        .route("/archive", get(site::archive::years))
        .route("/archive/{year}", get(site::archive::year))
        .route("/archive/{year}/{month}", get(site::archive::month))
        .route("/archive/{year}/{month}/{day}", get(site::archive::day))
        .route("/feed.xml", get(site::feeds::site_feed))
        .route("/atom.xml", get(site::feeds::site_feed))
        .route("/feed.json", get(site::feeds::site_feed))
        .route("/section/{slug}/{file}", get(site::feeds::listing_feed))
        .route("/tag/{slug}/{file}", get(site::feeds::listing_feed))
        .route("/author/{slug}/{file}", get(site::feeds::listing_feed))
        .route("/sitemap.xml", get(site::sitemaps::index))
        .route("/sitemap-news.xml", get(site::sitemaps::news))
        .route("/sitemaps/{file}", get(site::sitemaps::file))
        .route("/robots.txt", get(site::files::robots))
        .route("/ads.txt", get(site::files::ads_txt))
        .route("/manifest.webmanifest", get(site::files::manifest))
        .route(
            "/speculation-rules.json",
            get(site::files::speculation_rules),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            site::delivery::deliver,
        ));
    let mut router = Router::new().merge(pages).merge(api_routes(&state));
    for route in admin_routes(state.upload_limit) {
        let gate = middleware::from_fn_with_state((state.clone(), route.need), admin::gate::gate);
        router = router.route(route.path, route.handler.route_layer(gate));
    }
    router
        // Search results depend on the words asked: not kept in the page cache.
        .route("/search", get(site::search::show))
        .route("/static/{file}", get(site::assets::theme_file))
        .route("/feed", get(site::feeds::feed_redirect))
        .route("/favicon.ico", get(site::files::favicon))
        .route("/icon.png", get(site::files::icon))
        .route("/icon.svg", get(site::files::icon))
        .route("/media/{*key}", get(site::assets::media_file))
        .route(
            "/newsletter/subscribe",
            post(newsletter::subscribe).layer(DefaultBodyLimit::max(SIGNUP_BODY_LIMIT)),
        )
        .route(
            newsletter::confirm::CONFIRM,
            get(newsletter::confirm::confirm_page)
                .post(newsletter::confirm::confirm)
                .layer(DefaultBodyLimit::max(SIGNUP_BODY_LIMIT)),
        )
        .route(
            newsletter::confirm::UNSUBSCRIBE,
            get(newsletter::confirm::unsubscribe_page)
                .post(newsletter::confirm::unsubscribe)
                .layer(DefaultBodyLimit::max(SIGNUP_BODY_LIMIT)),
        )
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_error_pages,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layers::security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layers::follow_writes,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layers::log_request,
        ))
        .with_state(state)
}

/// Paths served whatever the store holds (the routes above that name no story, section, tag
/// or author): a redirect at one would never be followed, so none may be set there. See
/// docs/decisions/0029-one-url-space.md for the order in which addresses are answered.
const FIXED_PATHS: &[&str] = &[
    "/latest",
    "/search",
    "/archive",
    "/feed",
    "/feed.xml",
    "/atom.xml",
    "/feed.json",
    "/sitemap.xml",
    "/sitemap-news.xml",
    "/robots.txt",
    "/ads.txt",
    "/manifest.webmanifest",
    "/speculation-rules.json",
    "/favicon.ico",
    "/icon.png",
    "/icon.svg",
    "/healthz",
    "/metrics",
];

/// Route families served whatever the store holds, each a folder of [`FIXED_PATHS`]' kind.
const FIXED_FOLDERS: &[&str] = &[
    // Certificates, security contacts and sign-in discovery: never an editor's to send
    // elsewhere, even where the site does not serve them.
    "/.well-known/",
    "/admin/",
    "/api/",
    "/static/",
    "/media/",
    "/newsletter/",
    "/preview/",
    "/sitemaps/",
    "/archive/",
];

/// Whether the path of an old address (as `address_key` writes it) is one of the site's fixed
/// routes, which no redirect may take.
pub fn is_fixed_address(address: &str) -> bool {
    let path = address.split("/?").next().unwrap_or_default();
    FIXED_PATHS.contains(&path)
        || FIXED_FOLDERS
            .iter()
            .any(|folder| path.starts_with(folder) || path == folder.trim_end_matches('/'))
}

/// One admin URL (of the admin's pages or of the Admin API) with one method: what it needs of
/// the member (checked by the gate before the body is read) and what answers it.
pub struct AdminRoute {
    pub method: Method,
    pub path: &'static str,
    pub need: Need,
    handler: MethodRouter<AppState>,
}

impl AdminRoute {
    fn at<H: Handler<T, AppState>, T: 'static>(
        method: Method,
        path: &'static str,
        need: Need,
        handler: H,
    ) -> AdminRoute {
        let filter = MethodFilter::try_from(method.clone()).expect("a routable method");
        AdminRoute {
            method,
            path,
            need,
            handler: on(filter, handler),
        }
    }

    fn get<H: Handler<T, AppState>, T: 'static>(path: &'static str, need: Need, h: H) -> Self {
        AdminRoute::at(Method::GET, path, need, h)
    }

    fn post<H: Handler<T, AppState>, T: 'static>(path: &'static str, need: Need, h: H) -> Self {
        AdminRoute::at(Method::POST, path, need, h)
    }

    /// Room for an upload of `limit` bytes and the form's other fields; the handler enforces
    /// the upload's own limit.
    fn uploading(mut self, limit: usize) -> AdminRoute {
        self.handler = self.handler.layer(DefaultBodyLimit::max(limit + 64 * 1024));
        self
    }
}

/// Every admin URL with the permission it needs. A new route must name its need here; the
/// gate refuses before the handler runs, and the route-walking test covers it by itself.
pub fn admin_routes(upload_limit: usize) -> Vec<AdminRoute> {
    use admin::*;
    let story = |access| Need::Story(access);
    let role = Need::Role;
    let (edit, write) = (story(StoryAccess::Edit), role(P::CreateStory));
    let desk = role(P::SendNewsletter);
    vec![
        AdminRoute::get("/admin", Need::Member, dashboard::show),
        AdminRoute::get("/admin/login", Need::Anyone, login::form),
        AdminRoute::post("/admin/login", Need::Anyone, login::submit),
        AdminRoute::post("/admin/logout", Need::Member, login::logout),
        AdminRoute::post(
            "/admin/logout-everywhere",
            Need::Member,
            login::logout_everywhere,
        ),
        AdminRoute::get("/admin/setup", Need::Anyone, setup::setup_form),
        AdminRoute::post("/admin/setup", Need::Anyone, setup::setup_submit),
        AdminRoute::get("/admin/signin/{token}", Need::Anyone, setup::link_form),
        AdminRoute::post("/admin/signin/{token}", Need::Anyone, setup::link_submit),
        AdminRoute::post("/admin/stories", write, stories::create),
        AdminRoute::get("/admin/stories/new", write, stories::new_form),
        AdminRoute::get("/admin/stories/{id}", edit, stories::edit),
        AdminRoute::post("/admin/stories/{id}", edit, stories::save),
        AdminRoute::post(
            "/admin/stories/{id}/status",
            story(StoryAccess::Open),
            workflow::change_status,
        ),
        AdminRoute::post(
            "/admin/stories/{id}/corrections",
            story(StoryAccess::Act(P::Correct)),
            workflow::add_correction,
        ),
        AdminRoute::post("/admin/stories/{id}/autosave", edit, live::autosave),
        AdminRoute::post("/admin/stories/{id}/presence", edit, presence::heartbeat),
        AdminRoute::post(
            "/admin/stories/{id}/preview-link",
            edit,
            stories::preview_link,
        ),
        AdminRoute::get("/admin/stories/{id}/revisions", edit, revisions::list),
        AdminRoute::post(
            "/admin/stories/{id}/revisions/{number}/restore",
            edit,
            revisions::restore,
        ),
        AdminRoute::post("/admin/stories/{id}/photo", edit, photo::update).uploading(upload_limit),
        AdminRoute::post("/admin/stories/{id}/photo/use", edit, library::use_in_story),
        AdminRoute::post("/admin/preview", write, live::preview),
        AdminRoute::get("/admin/media", write, library::show),
        AdminRoute::post("/admin/media", write, library::add).uploading(upload_limit),
        AdminRoute::get("/admin/media/{id}", write, library::show_picture),
        AdminRoute::post("/admin/media/{id}", role(P::ManagePictures), library::edit),
        AdminRoute::post(
            "/admin/media/{id}/delete",
            role(P::ManagePictures),
            library::delete,
        ),
        AdminRoute::get("/admin/curation", role(P::Curate), curation::show),
        AdminRoute::post("/admin/curation", role(P::Curate), curation::save),
        AdminRoute::post("/admin/tags", role(P::Curate), curation::rename_tag),
        AdminRoute::post("/admin/authors", role(P::Curate), curation::save_author_bio),
        AdminRoute::post(
            "/admin/sections",
            role(P::ManageSections),
            curation::save_section,
        ),
        AdminRoute::get("/admin/newsletter", desk, newsletter::desk),
        AdminRoute::post("/admin/newsletter/drafts", desk, newsletter::create),
        AdminRoute::get(
            "/admin/newsletter/drafts/{id}",
            desk,
            newsletter::show_draft,
        ),
        AdminRoute::post(
            "/admin/newsletter/drafts/{id}",
            desk,
            newsletter::save_draft,
        ),
        AdminRoute::get(
            "/admin/newsletter/drafts/{id}/email",
            desk,
            newsletter::draft_email,
        ),
        AdminRoute::post(
            "/admin/newsletter/drafts/{id}/send",
            desk,
            newsletter_send::send,
        ),
        AdminRoute::post(
            "/admin/newsletter/drafts/{id}/schedule",
            desk,
            newsletter_send::schedule,
        ),
        AdminRoute::post(
            "/admin/newsletter/drafts/{id}/unschedule",
            desk,
            newsletter_send::unschedule,
        ),
        AdminRoute::post(
            "/admin/newsletter/drafts/{id}/delete",
            desk,
            newsletter_send::delete,
        ),
        AdminRoute::get(
            "/admin/newsletter/issues/{id}",
            desk,
            newsletter_issues::show_issue,
        ),
        AdminRoute::get(
            "/admin/newsletter/issues/{id}/email",
            desk,
            newsletter_issues::issue_email,
        ),
        AdminRoute::post(
            "/admin/newsletter/issues/{id}/resend-unknown",
            desk,
            newsletter_send::resend_unknown,
        ),
        AdminRoute::get(
            "/admin/subscribers",
            role(P::ManageSubscribers),
            subscribers::list,
        ),
        AdminRoute::get(
            "/admin/subscribers.csv",
            role(P::ManageSubscribers),
            subscribers::download,
        ),
        AdminRoute::post(
            "/admin/subscribers/erase",
            role(P::ManageSubscribers),
            subscribers::erase,
        ),
        AdminRoute::get("/admin/pages", role(P::ManagePages), pages::list),
        AdminRoute::get("/admin/pages/new", role(P::ManagePages), pages::new_form),
        AdminRoute::post("/admin/pages", role(P::ManagePages), pages::create),
        AdminRoute::post("/admin/menus", role(P::ManagePages), pages::save_menu),
        AdminRoute::post(
            "/admin/menus/remove",
            role(P::ManagePages),
            pages::remove_menu,
        ),
        AdminRoute::get(
            "/admin/redirects",
            role(P::ManageRedirects),
            redirects::list,
        ),
        AdminRoute::post("/admin/redirects", role(P::ManageRedirects), redirects::set),
        AdminRoute::post(
            "/admin/redirects/remove",
            role(P::ManageRedirects),
            redirects::remove,
        ),
        AdminRoute::get("/admin/members", role(P::ManageUsers), members::list),
        AdminRoute::get("/admin/api", write, integrations::reference),
        AdminRoute::get("/admin/tokens", Need::Member, tokens::show),
        AdminRoute::post("/admin/tokens", Need::Member, tokens::add),
        AdminRoute::post("/admin/tokens/revoke", Need::Member, tokens::revoke),
        AdminRoute::get(
            "/admin/integrations",
            role(P::ManageSettings),
            integrations::show,
        ),
        AdminRoute::post(
            "/admin/integrations/tokens",
            role(P::ManageSettings),
            integrations::add_token,
        ),
        AdminRoute::post(
            "/admin/integrations/tokens/revoke",
            role(P::ManageSettings),
            integrations::revoke_token,
        ),
        AdminRoute::post(
            "/admin/integrations/webhooks",
            role(P::ManageSettings),
            integrations::add_webhook,
        ),
        AdminRoute::post(
            "/admin/integrations/webhooks/remove",
            role(P::ManageSettings),
            integrations::remove_webhook,
        ),
        AdminRoute::post(
            "/admin/integrations/deliveries/resend",
            role(P::ManageSettings),
            integrations::resend,
        ),
        AdminRoute::post(
            "/admin/members/{id}/disable",
            role(P::ManageUsers),
            members::disable,
        ),
        AdminRoute::post(
            "/admin/members/{id}/enable",
            role(P::ManageUsers),
            members::enable,
        ),
        AdminRoute::post(
            "/admin/members/{id}/sessions/end",
            role(P::ManageUsers),
            members::end_sessions,
        ),
    ]
}

/// The metrics-only server of `[metrics] addr`.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move { ops::metrics_page(&state).await }),
        )
        .with_state(state)
}

/// What no route serves: the API's 404, an old address kept by an import (301), or 404.
async fn not_found(
    State(state): State<AppState>,
    method: Method,
    uri: axum::http::Uri,
) -> Response {
    if uri.path().starts_with("/api/") {
        return api::ApiError::NotFound.into_response();
    }
    if let Some(page) = site::page::with_slash(&state, &uri).await {
        return page;
    }
    match site::moved::old_address_key(&uri) {
        Some(key) => site::moved::answer(&state, &method, &uri, &key)
            .await
            .unwrap_or_else(IntoResponse::into_response),
        None => AppError::NotFound.into_response(),
    }
}

/// Every Admin API URL with the permission it needs.
pub fn api_admin_routes(upload_limit: usize) -> Vec<AdminRoute> {
    use api::desk::*;
    use api::newsroom::*;
    let story = |access| Need::Story(access);
    let edit = story(StoryAccess::Edit);
    vec![
        AdminRoute::at(
            Method::POST,
            "/api/v1/admin/stories",
            Need::Role(P::CreateStory),
            create_story,
        ),
        AdminRoute::at(Method::GET, "/api/v1/admin/stories/{id}", edit, get_story),
        AdminRoute::at(Method::PUT, "/api/v1/admin/stories/{id}", edit, save_story),
        AdminRoute::at(
            Method::POST,
            "/api/v1/admin/stories/{id}/status",
            story(StoryAccess::Open),
            change_status,
        ),
        AdminRoute::at(
            Method::POST,
            "/api/v1/admin/stories/{id}/corrections",
            story(StoryAccess::Act(P::Correct)),
            correct,
        ),
        AdminRoute::at(
            Method::PUT,
            "/api/v1/admin/stories/{id}/lead-picture",
            edit,
            set_lead_picture,
        ),
        AdminRoute::at(
            Method::POST,
            "/api/v1/admin/pictures",
            Need::Role(P::CreateStory),
            upload_picture,
        )
        .uploading(upload_limit),
        AdminRoute::at(
            Method::GET,
            "/api/v1/admin/pictures/{id}",
            Need::Role(P::CreateStory),
            get_picture,
        ),
        AdminRoute::at(
            Method::PUT,
            "/api/v1/admin/pictures/{id}",
            Need::Role(P::ManagePictures),
            update_picture,
        ),
        AdminRoute::at(
            Method::PUT,
            "/api/v1/admin/curation",
            Need::Role(P::Curate),
            curate,
        ),
        AdminRoute::at(
            Method::PUT,
            "/api/v1/admin/sections/{slug}",
            Need::Role(P::ManageSections),
            save_section,
        ),
        AdminRoute::at(
            Method::POST,
            "/api/v1/admin/newsletter/drafts",
            Need::Role(P::SendNewsletter),
            create_newsletter_draft,
        ),
    ]
}

/// The API: the Content API (cached like pages, behind the caller's limit) and the Admin API
/// (a token's account, each route's need checked first), with the OpenAPI description.
fn api_routes(state: &AppState) -> Router<AppState> {
    let content = Router::new()
        .route("/api/v1/stories", get(api::content::list_stories))
        .route("/api/v1/stories/{story}", get(api::content::story))
        .route("/api/v1/sections", get(api::content::sections))
        .route("/api/v1/tags", get(api::content::tags))
        .route("/api/v1/authors", get(api::content::authors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            api::content::cached,
        ))
        .layer(middleware::from_fn_with_state(
            (state.clone(), false),
            api::admit,
        ));
    let mut admin = Router::new();
    for route in api_admin_routes(state.upload_limit) {
        let need = middleware::from_fn_with_state((state.clone(), route.need), api::newsroom::need);
        admin = admin.route(route.path, route.handler.route_layer(need));
    }
    let admin = admin.layer(middleware::from_fn_with_state(
        (state.clone(), true),
        api::admit,
    ));
    Router::new()
        .merge(content)
        .merge(admin)
        .route("/api/v1/openapi.json", get(api::openapi::description))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_admin_route_is_under_admin_and_declared_once() {
        let routes = admin_routes(1);
        let mut seen = std::collections::HashSet::new();
        for route in &routes {
            assert!(route.path.starts_with("/admin"), "{}", route.path);
            assert!(
                seen.insert((route.method.clone(), route.path)),
                "{} {}",
                route.method,
                route.path
            );
            if route.path.contains("{id}") && route.path.starts_with("/admin/stories/") {
                assert!(
                    matches!(route.need, Need::Story(_)),
                    "{} names a story but does not load it through the gate",
                    route.path
                );
            }
        }
    }
}
