//! The front page: the lead story, the secondary stories, the latest list and a block per
//! section, each story shown once (see `byline_core::front`).

use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::Response;
use byline_core::CardKind;
use byline_render::views::{CardView, PageMeta, SiteView, paths};
use chrono::Utc;
use serde::Serialize;

use super::delivery::PageInfo;
use super::moved;
use super::{html_page, site_view};
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::reading;

/// Words of the lead story's excerpt.
const LEAD_EXCERPT_WORDS: usize = 40;

#[derive(Serialize)]
struct SectionBlock {
    name: String,
    url: String,
    cards: Vec<CardView>,
}

/// What `home.html` shows: the lead story, the latest list and the section blocks.
#[derive(Serialize)]
struct HomePage {
    site: SiteView,
    page: PageMeta,
    lead: Option<CardView>,
    /// Stories after the lead, with their photos.
    secondary: Vec<CardView>,
    latest: Vec<CardView>,
    sections: Vec<SectionBlock>,
}

pub async fn show(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
) -> Result<Response, AppError> {
    // `/?p=12`: an old WordPress address, not the front page.
    if let Some(key) = moved::old_address_key(&uri) {
        return moved::answer(&state, &method, &uri, &key).await;
    }
    let now = Utc::now();
    let reading::FrontPage { front, sections } = reading::front_page(&state.newsroom, now).await?;
    let newest = front.shown_cards().map(|c| c.published_at).max();
    let lead = front.lead.as_ref().map(|card| {
        let mut view = CardView::new(card, CardKind::Rail);
        view.excerpt = card
            .summary
            .split_whitespace()
            .take(LEAD_EXCERPT_WORDS)
            .collect::<Vec<_>>()
            .join(" ");
        view
    });
    let secondary = CardView::list(&front.secondary, CardKind::Rail);
    let latest = CardView::list(&front.latest, CardKind::Rail);
    let sections = sections
        .iter()
        .map(|(section, cards)| SectionBlock {
            name: section.name.clone(),
            url: paths::section(&section.slug),
            cards: CardView::list(cards, CardKind::Rail),
        })
        .collect();
    let site = site_view(&state).await?;
    let mut page = PageMeta::new(&site, site.title.clone(), "/");
    page.description = Some(state.site.description.clone());
    page.json_ld = vec![super::structured::website(&state, &site)];
    let info = PageInfo {
        keys: vec![
            byline_core::changes::CacheKey::Home,
            byline_core::changes::CacheKey::Lists,
            byline_core::changes::CacheKey::Site,
        ],
        last_modified: newest,
    };
    html_page(
        &state,
        "home.html",
        HomePage {
            site,
            page,
            lead,
            secondary,
            latest,
            sections,
        },
        info,
    )
}
