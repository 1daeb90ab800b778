//! Byline's HTML: body sanitizing, plain-text extraction, the theme and the page view models.

pub mod html;
pub mod markdown;
pub mod theme;
pub mod views;

pub use html::{paragraphs_from_text, plain_text, sanitize};
pub use theme::{Asset, RenderError, Theme};

pub use minijinja::Value;

/// Any serializable view as a template value.
pub fn to_value<T: serde::Serialize + ?Sized>(value: &T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// Two contexts as one; keys of `first` win.
pub fn merge(first: Value, second: Value) -> Value {
    minijinja::value::merge_maps([first, second])
}

/// A template context from `name` or `name => value` pairs whose values are any serializable
/// views: `page! { site, page, article => view }`.
#[macro_export]
macro_rules! page {
    ($($key:ident $(=> $value:expr)?),* $(,)?) => {{
        let mut map = ::std::collections::BTreeMap::<String, $crate::Value>::new();
        $( $crate::page!(@insert map, $key $(=> $value)?); )*
        $crate::Value::from(map)
    }};
    (@insert $map:ident, $key:ident) => { $crate::page!(@insert $map, $key => $key) };
    (@insert $map:ident, $key:ident => $value:expr) => {
        $map.insert(stringify!($key).to_owned(), $crate::to_value(&$value));
    };
}
