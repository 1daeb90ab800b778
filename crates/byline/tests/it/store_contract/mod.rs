//! The stores' contract: every promise a store makes, checked through the `Store` trait on a
//! fresh store — SQLite here, PostgreSQL when `BYLINE_TEST_DATABASE_URL` is set (CI runs
//! both) — with no server, router or CLI in between, so it runs in seconds.

mod accounts;
mod archive;
mod batches;
mod curation;
mod desk;
pub mod editorial;
mod integrations;
pub mod library;
mod newsletter;
mod stories;

use std::sync::Arc;

use byline_core::store::{ImportOrigin, SaveOutcome, SectionRef, Store, StoryInput};
use byline_core::{Headline, SafeHtml, Slug, Status, StoryId};
use chrono::{DateTime, Utc};

use crate::support::Site;

/// A fresh store of its own (the site folder must outlive it).
pub async fn fresh() -> (Site, Arc<dyn Store>) {
    let site = Site::new("");
    let store = site.data_dir().open_store().await.unwrap();
    (site, store)
}

/// A moment in the past, whole seconds (stores keep seconds).
pub fn at(minutes_ago: i64) -> DateTime<Utc> {
    let now = Utc::now().timestamp();
    DateTime::from_timestamp(now - now % 60 - minutes_ago * 60, 0).unwrap()
}

/// A published wire story, as an import saves it.
pub fn wire(external_id: &str, headline: &str, published: DateTime<Utc>) -> StoryInput {
    StoryInput {
        external_id: Some(external_id.to_owned()),
        former_external_ids: Vec::new(),
        version: Some(1),
        slug: Slug::derive(headline).unwrap(),
        headline: Headline::parse(headline).unwrap(),
        standfirst: None,
        body: SafeHtml::default(),
        summary: format!("About {headline}"),
        section: Some(SectionRef::new(Slug::parse("news").unwrap(), "News")),
        tags: vec!["Harbour".to_owned()],
        authors: vec!["Ana Reporter".to_owned()],
        byline: Some("Ana Reporter".to_owned()),
        language: "en".to_owned(),
        status: Status::Published,
        published_at: Some(published),
        embargo_until: None,
        lead_picture: None,
        seo: Default::default(),
        updated_at: published,
        origin: ImportOrigin {
            source: "contract".to_owned(),
            fingerprint: format!("{external_id}:{headline}"),
            overwrite: false,
            undated: false,
        },
        now: Utc::now(),
        old_addresses: Vec::new(),
        dry_run: false,
        page: None,
    }
}

/// Saves a story and returns its id, which must be new.
pub async fn created(store: &dyn Store, input: StoryInput) -> StoryId {
    match store.save_story(input).await.unwrap() {
        SaveOutcome::Created { id, .. } => id,
        other => panic!("not created: {other:?}"),
    }
}

/// Every change recorded after `after`, as key texts, oldest first.
pub async fn changes_after(store: &dyn Store, after: byline_core::ChangeId) -> Vec<Vec<String>> {
    store
        .changes_since(after)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, keys)| keys.iter().map(ToString::to_string).collect())
        .collect()
}
