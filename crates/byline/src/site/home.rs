//! The front page: the lead story, the latest list and a block per section.

use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::Response;
use byline_core::CardKind;
use byline_core::store::{ListQuery, Listing};
use byline_render::views::{CardView, PageMeta, SiteView, paths};
use chrono::Utc;
use serde::Serialize;

use super::delivery::PageInfo;
use super::moved;
use super::{html_page, site_view};
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::reading;

/// Stories in the front page's latest list, after the lead.
const HOME_LATEST: u32 = 12;
/// Words of the lead story's excerpt.
const LEAD_EXCERPT_WORDS: usize = 40;
/// Stories per section block.
const SECTION_BLOCK: u32 = 4;

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
    let newest = reading::cards(
        &state.newsroom,
        &ListQuery {
            listing: Listing::All,
            limit: HOME_LATEST + 1,
            offset: 0,
            now,
        },
    )
    .await?;
    // The editor's chosen lead, else the newest story.
    let mut cards = newest.cards;
    let lead_card = match reading::chosen_lead(&state.newsroom, now).await? {
        Some(chosen) => {
            cards.retain(|c| c.id != chosen.id);
            Some(chosen)
        }
        None => (!cards.is_empty()).then(|| cards.remove(0)),
    };
    cards.truncate(HOME_LATEST as usize);
    let newest = lead_card.iter().chain(&cards).map(|c| c.published_at).max();
    let lead = lead_card.map(|card| {
        let mut view = CardView::new(&card, CardKind::Rail);
        view.excerpt = card
            .summary
            .split_whitespace()
            .take(LEAD_EXCERPT_WORDS)
            .collect::<Vec<_>>()
            .join(" ");
        view
    });
    let latest = CardView::list(&cards, CardKind::Rail);
    let mut sections = Vec::new();
    for section in reading::sections(&state.newsroom).await? {
        let query = ListQuery {
            listing: Listing::Section(section.slug.clone()),
            limit: SECTION_BLOCK,
            offset: 0,
            now,
        };
        let page = reading::cards(&state.newsroom, &query).await?;
        if !page.cards.is_empty() {
            sections.push(SectionBlock {
                name: section.name.clone(),
                url: paths::section(&section.slug),
                cards: CardView::list(&page.cards, CardKind::Rail),
            });
        }
    }
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
            latest,
            sections,
        },
        info,
    )
}
