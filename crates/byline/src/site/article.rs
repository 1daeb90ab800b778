//! The article page: the story with its lead photo, ad slots, sign-up box and rails.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use byline_core::changes::CacheKey;
use byline_core::curation::Rails;
use byline_core::{Crop, Format, Shape, Slug, Story};
use byline_render::views::{ArticleAds, ArticleView, PageMeta, RailsView, SiteView, paths};
use chrono::Utc;
use serde::Serialize;

use super::article_rails::{RailsParts, RailsSplit};
use super::delivery::PageInfo;
use super::moved;
use super::structured::{self, absolute};
use super::{html_response, site_view};
use crate::error::AppError;
use crate::parted_page::RailsPart;
use crate::state::AppState;
use crate::usecases::reading::{self, Article, RailSources};

/// What `article.html` shows: the story, its rails, ad slots and the sign-up box.
#[derive(Serialize)]
struct ArticlePage<'a> {
    site: SiteView,
    page: PageMeta,
    article: ArticleView,
    page_language: &'a str,
    /// The rails for the theme to render, unless `rails_html` has them rendered already.
    rails: Option<RailsView>,
    /// The rails as their part renders them, when the page is kept as parts: rendered once
    /// per version of the rails, not again in every article.
    rails_html: Option<&'a str>,
    /// `Related` and `Most read`, when the theme shows them.
    extras: super::extras::Extras,
    ads: &'a ArticleAds,
    newsletter: NewsletterBox,
}

/// The newsletter sign-up box: where its form posts.
#[derive(Serialize)]
struct NewsletterBox {
    action: &'static str,
}

pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    let Ok(slug) = Slug::parse(&slug) else {
        return moved::instead_of_missing(&state, &uri).await;
    };
    let now = Utc::now();
    match reading::article(&state.newsroom, &slug, now).await? {
        Article::Story(story) => render(&state, &story, now, false).await,
        // A published story whose slug changed keeps its old address.
        Article::Moved(current) => Ok(Redirect::permanent(&paths::story(&current)).into_response()),
        Article::Page(slug) => Ok(Redirect::permanent(&paths::page(&slug)).into_response()),
        Article::Missing => moved::instead_of_missing(&state, &uri).await,
    }
}

/// The full article page of a story in any status, at its private preview address; never
/// cached, never indexed.
pub async fn preview(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let story = reading::preview(&state.newsroom, &token, Utc::now())
        .await?
        .ok_or(AppError::NotFound)?;
    if story.kind == byline_core::StoryKind::Page {
        return super::page::preview(&state, story, site_view(&state).await?);
    }
    let mut response = render(&state, &story, Utc::now(), true).await?;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    Ok(response)
}

async fn render(
    state: &AppState,
    story: &Story,
    now: chrono::DateTime<Utc>,
    preview: bool,
) -> Result<Response, AppError> {
    let (parts, sources) = rail_parts(state, now, preview).await?;
    let rails = sources.rails(Some(story.id));
    let site = site_view(state).await?;
    let article = article_view(state, story);
    let mut page = head(&site, story, &article, preview);
    let mut trail = sections_trail(state, story).await?;
    trail.push((article.headline.clone(), page.path.clone()));
    page.json_ld = vec![
        structured::news_article(state, &site, story, &page.canonical),
        structured::breadcrumbs(&site, &trail),
    ];
    let on_page: Vec<_> = shown(&rails).map(|c| c.id).collect();
    let extras = super::extras::for_article(state, story.id, &on_page, now).await;
    let own_keys = own_keys(state, story, &extras);
    let rails_part = parts.as_ref().and_then(|p| p.part_for(state, story.id));
    let info = PageInfo {
        keys: with_rails(&own_keys),
        last_modified: shown(&rails)
            .map(|c| c.published_at)
            .chain([story.updated_at])
            .max(),
    };
    let mut html = state.theme.render(
        "article.html",
        ArticlePage {
            site,
            page,
            article,
            page_language: &story.language,
            rails: rails_part.is_none().then(|| RailsView::from(&rails)),
            rails_html: rails_part.as_deref().map(RailsPart::html),
            extras,
            ads: &state.ads,
            newsletter: NewsletterBox {
                action: paths::SUBSCRIBE,
            },
        },
    )?;
    // The server's, not the theme's: a theme of its own keeps its views counted.
    if !preview && state.views.enabled() {
        crate::views::add_beacon(&mut html);
    }
    let mut response = html_response(state, html, info);
    if let Some(parts) = parts {
        response.extensions_mut().insert(RailsSplit {
            parts,
            story: story.id,
            own_keys,
            own_last_modified: Some(story.updated_at),
        });
    }
    Ok(response)
}

/// The current rails parts when the page cache may keep the article as parts, and what the
/// rails are made from (the parts' own, so that the page and its parts show the same rails).
async fn rail_parts(
    state: &AppState,
    now: chrono::DateTime<Utc>,
    preview: bool,
) -> Result<(Option<Arc<RailsParts>>, Arc<RailSources>), AppError> {
    if !preview && super::article_rails::parts_apply(state) {
        let parts = super::article_rails::current(state, now).await?;
        let sources = parts.sources.clone();
        return Ok((Some(parts), sources));
    }
    Ok((None, super::rail_sources(state, now).await?))
}

/// The story as the template shows it, its text split around the in-article ad slot.
fn article_view(state: &AppState, story: &Story) -> ArticleView {
    let mut article = ArticleView::from(story);
    if state.ads.in_article.is_some() {
        article.body_parts =
            byline_render::body_split::after_paragraph(&article.body, state.ads.in_article_after)
                .map(|(before, after)| (before.to_owned(), after.to_owned()));
    }
    article
}

/// The stories the rails show.
pub(super) fn shown(rails: &Rails) -> impl Iterator<Item = &byline_core::StoryCard> {
    rails
        .latest
        .iter()
        .chain(&rails.dont_miss)
        .chain(&rails.more)
}

/// All the article page depends on: its own keys and the rails, the story's key first (view
/// counting reads the story from the first `Surrogate-Key`).
fn with_rails(own: &[CacheKey]) -> Vec<CacheKey> {
    let mut keys = own.to_vec();
    keys.insert(1.min(keys.len()), CacheKey::Rails);
    keys
}

/// What the article page depends on besides the rails: the story, the site, its section, tags
/// and authors, and the extra blocks it shows.
fn own_keys(state: &AppState, story: &Story, extras: &super::extras::Extras) -> Vec<CacheKey> {
    let mut keys = vec![CacheKey::Story(story.id), CacheKey::Site];
    keys.extend(
        story
            .section
            .iter()
            .map(|s| CacheKey::Section(s.slug.clone())),
    );
    keys.extend(story.tags.iter().map(|t| CacheKey::Tag(t.slug.clone())));
    keys.extend(
        story
            .authors
            .iter()
            .map(|a| CacheKey::Author(a.slug.clone())),
    );
    keys.extend(super::extras::keys(state, extras));
    keys
}

/// The article's head: its title and description (the desk's own words for search engines
/// win over the headline and the excerpt) and the picture link previews show.
fn head(site: &SiteView, story: &Story, article: &ArticleView, preview: bool) -> PageMeta {
    let title = story.seo.title.as_deref().unwrap_or(&article.headline);
    let mut page = PageMeta::new(site, title, paths::story(&story.slug));
    page.description = story
        .seo
        .description
        .clone()
        .or_else(|| Some(article.excerpt.clone()).filter(|e| !e.is_empty()));
    page.og_type = "article";
    page.robots = preview.then_some("noindex, nofollow");
    if let Some(p) = &article.picture {
        page.image = Some(absolute(
            &site.base_url,
            p.share_url.as_ref().unwrap_or(&p.url),
        ));
        let share = story.lead_picture.as_ref().and_then(|picture| {
            picture
                .renditions(Shape::crop(Crop::Wide), Format::Jpeg)
                .pop()
        });
        (page.image_width, page.image_height) = match share {
            Some((width, _)) => (Some(width), Some(width * 9 / 16)),
            None => (p.width, p.height),
        };
        // The caption says what the picture shows when the desk left the alt text empty.
        page.image_alt = Some(p.alt.clone())
            .filter(|a| !a.is_empty())
            .or_else(|| p.caption.clone());
    }
    page
}

/// The sections above the story's and its own, outermost first, as (name, path).
async fn sections_trail(
    state: &AppState,
    story: &Story,
) -> Result<Vec<(String, String)>, AppError> {
    let mut trail = Vec::new();
    if let Some(section) = &story.section {
        if section.parent.is_some() {
            let all = crate::frame::sections(state).await?;
            for above in byline_core::story::sections_above(&all, section) {
                trail.push((above.name.clone(), paths::section(&above.slug)));
            }
        }
        trail.push((section.name.clone(), paths::section(&section.slug)));
    }
    Ok(trail)
}
