//! Turns wire and archive formats (IPTC ninjs, WordPress WXR, Ghost JSON) into Byline story drafts. Parsing only: no files are copied
//! and nothing is stored here; the application's import use case does that.

pub mod ghost;
mod html;
pub mod menus;
pub mod ninjs;
mod php;
mod values;
pub mod wxr;

pub use ninjs::{NinjsError, PubStatus, RenditionHref, WirePicture, WireStory};
