//! Byline's HTML and XML: body sanitizing, plain-text extraction, the theme, the page view models,
//! feeds and sitemaps.

pub mod body_split;
pub mod html;
mod html_repair;
pub mod markdown;
pub mod sitemaps;
pub mod syndication;
pub mod theme;
pub mod views;
pub mod words;
pub mod xml;

pub use html::{paragraphs_from_text, plain_text, sanitize};
pub use theme::{Asset, RenderError, Theme};
pub use words::word_count;

pub use minijinja::Value;

/// Any serializable view as a template value.
pub fn to_value<T: serde::Serialize + ?Sized>(value: &T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// Two contexts as one; keys of `first` win.
pub fn merge(first: Value, second: Value) -> Value {
    minijinja::value::merge_maps([first, second])
}
