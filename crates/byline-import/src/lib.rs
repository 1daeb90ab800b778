//! Turns wire and archive formats (IPTC ninjs, WordPress WXR) into Byline story drafts. Parsing only: no files are copied
//! and nothing is stored here; the application's import use case does that.

mod html;
pub mod ninjs;
mod php;
mod values;
pub mod wxr;

pub use ninjs::{NinjsError, PubStatus, RenditionHref, WirePicture, WireStory};
