//! A rendition key that parses is the one spelling its rendition writes, so no two URLs name
//! the same file.
#![no_main]

use byline_core::Rendition;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Some((stem, rendition)) = Rendition::parse(text) {
        assert_eq!(rendition.key(&format!("{stem}.jpg")), text);
    }
});
