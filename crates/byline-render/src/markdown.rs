//! Markdown bodies: rendered to HTML, then through the same sanitizer as every other body, so
//! the editor's preview and the published page are the same bytes.

use byline_core::SafeHtml;
use byline_core::editorial::BodyFormat;
use pulldown_cmark::{Options, Parser, html};

use crate::html::sanitize;

/// The sanitized HTML of a body as the writer wrote it.
pub fn render_body(source: &str, format: BodyFormat) -> SafeHtml {
    match format {
        BodyFormat::Html => sanitize(source),
        BodyFormat::Markdown => {
            let options = Options::ENABLE_TABLES
                | Options::ENABLE_STRIKETHROUGH
                | Options::ENABLE_SMART_PUNCTUATION;
            let mut out = String::with_capacity(source.len() * 5 / 4);
            html::push_html(&mut out, Parser::new_ext(source, options));
            sanitize(&out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_is_sanitized() {
        let html = render_body(
            "## Sub\n\nSome *text* and [a link](https://example.com).\n\n- one\n- two",
            BodyFormat::Markdown,
        );
        assert_eq!(
            html.as_str(),
            "<h2>Sub</h2>\n<p>Some <em>text</em> and <a href=\"https://example.com\" rel=\"noopener noreferrer\">a link</a>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
        );
        let hostile = render_body(
            "[x](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=alert(3)>",
            BodyFormat::Markdown,
        );
        for bad in ["javascript:", "<script", "onerror", "alert(2)"] {
            assert!(
                !hostile.as_str().contains(bad),
                "{bad} in {}",
                hostile.as_str()
            );
        }
        assert_eq!(
            render_body("\"Quoted\" -- dash", BodyFormat::Markdown).as_str(),
            "<p>“Quoted” – dash</p>"
        );
    }

    #[test]
    fn pasted_html_is_sanitized_the_same_way() {
        let html = render_body("<p onclick=\"x()\">Pasted</p>", BodyFormat::Html);
        assert_eq!(html.as_str(), "<p>Pasted</p>");
    }
}
