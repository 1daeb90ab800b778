//! The front page: the lead story, the latest list and a block per section.

use axum::extract::State;
use axum::response::Response;
use byline_core::CardKind;
use byline_core::store::{ListQuery, Listing};
use byline_render::views::{CardView, PageMeta, paths};
use chrono::Utc;
use serde::Serialize;

use super::{html_page, site_view};
use crate::error::AppError;
use crate::state::AppState;

/// Stories in the front page's latest list, after the lead.
const HOME_LATEST: u32 = 12;
/// Stories per section block.
const SECTION_BLOCK: u32 = 4;

#[derive(Serialize)]
struct SectionBlock {
    name: String,
    url: String,
    cards: Vec<CardView>,
}

pub async fn show(State(state): State<AppState>) -> Result<Response, AppError> {
    let now = Utc::now();
    let newest = state
        .store
        .list_cards(&ListQuery {
            listing: Listing::All,
            limit: HOME_LATEST + 1,
            offset: 0,
            now,
        })
        .await?;
    let mut cards = CardView::list(&newest.cards, CardKind::Rail).into_iter();
    let lead = cards.next().map(|mut lead| {
        lead.excerpt = newest.cards[0]
            .summary
            .split_whitespace()
            .take(40)
            .collect::<Vec<_>>()
            .join(" ");
        lead
    });
    let latest: Vec<CardView> = cards.collect();
    let mut sections = Vec::new();
    for section in state.store.sections().await? {
        let query = ListQuery {
            listing: Listing::Section(section.slug.clone()),
            limit: SECTION_BLOCK,
            offset: 0,
            now,
        };
        let page = state.store.list_cards(&query).await?;
        if !page.cards.is_empty() {
            sections.push(SectionBlock {
                name: section.name.clone(),
                url: paths::section(&section.slug),
                cards: CardView::list(&page.cards, CardKind::Rail),
            });
        }
    }
    let site = site_view(&state).await?;
    let page = PageMeta::new(&site, site.title.clone(), "/");
    html_page(
        &state,
        "home.html",
        byline_render::page! { site, page, lead, latest, sections },
    )
}
