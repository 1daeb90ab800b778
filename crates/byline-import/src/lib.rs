//! Turns wire and archive formats into Byline story drafts. Parsing only: no files are copied
//! and nothing is stored here; the application's import use case does that.

pub mod ninjs;
mod values;

pub use ninjs::{NinjsError, PubStatus, RenditionHref, WirePicture, WireStory};
