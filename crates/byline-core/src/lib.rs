//! Byline's newsroom language: stories, pictures, sections, slugs, excerpts, curation, store traits.
//!
//! This crate does no I/O. Storage backends implement [`store::Store`]; the application holds
//! it as `Arc<dyn Store>` so that it compiles once whatever the backend.

pub mod access;
pub mod accounts;
pub mod archive;
pub mod calendar;
pub mod changes;
pub mod credit;
pub mod curation;
pub mod editorial;
pub mod email;
pub mod excerpt;
pub mod front;
pub mod ids;
pub mod integrations;
pub mod library;
pub mod menus;
pub mod newsletter;
pub mod pages;
pub mod picture;
pub mod redirects;
pub mod search;
pub mod slug;
pub mod store;
pub mod story;
#[cfg(test)]
mod testing;
pub mod views;
pub mod workflow;

pub use curation::{CardKind, Rails};
pub use email::Email;
pub use excerpt::excerpt;
pub use ids::{
    AttemptId, AuthorId, ChangeId, DeliveryId, DraftId, EventId, IssueId, JobId, PictureId,
    SectionId, StoryId, TokenId, WebhookDeliveryId, WebhookId,
};
pub use pages::StoryKind;
pub use picture::{Crop, Focus, Format, Picture, PictureSource, Rendition, Rights, Shape};
pub use slug::Slug;
pub use story::{Author, Headline, RawBody, SafeHtml, Section, Seo, Status, Story, StoryCard, Tag};
