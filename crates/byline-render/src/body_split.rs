//! Where in a sanitized story body something may be put between paragraphs (an in-article
//! ad slot): after the n-th paragraph that stands at the body's top level.

/// Elements that have no end tag.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param",
];

/// `html` cut after its `n`-th top-level `<p>` (counting from 1), when it has that many and
/// more follows; `None` otherwise, so that a slot never ends a body or sits inside a quote,
/// list or figure.
///
/// `html` is the sanitizer's output: well-formed, with no comments or scripts; quoted
/// attribute values may hold `>`, and are skipped as a whole.
pub fn after_paragraph(html: &str, n: usize) -> Option<(&str, &str)> {
    if n == 0 {
        return None;
    }
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut seen = 0usize;
    let mut at = 0usize;
    while let Some(open) = html[at..].find('<').map(|i| at + i) {
        let end = tag_end(bytes, open)?;
        let tag = &html[open + 1..end];
        at = end + 1;
        if let Some(name) = tag.strip_prefix('/') {
            depth = depth.saturating_sub(1);
            if depth == 0 && name.trim().eq_ignore_ascii_case("p") {
                seen += 1;
                if seen == n {
                    let rest = &html[at..];
                    return (!rest.trim().is_empty()).then(|| (&html[..at], rest));
                }
            }
        } else {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if !(VOID.contains(&name.as_str()) || tag.ends_with('/')) {
                depth += 1;
            }
        }
    }
    None
}

/// The position of the `>` that ends the tag opened at `open`, quoted values skipped.
fn tag_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate().skip(open + 1) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_after_top_level_paragraphs_only() {
        let body = "<p>One</p><blockquote><p>Quoted</p></blockquote><p>Two <a href=\"/x?a>b\" title='1>2'>link</a><br></p><ul><li><p>In a list</p></li></ul><p>Three</p>";
        let (before, after) = after_paragraph(body, 2).unwrap();
        assert!(before.ends_with("<br></p>"), "{before}");
        assert!(after.starts_with("<ul>"), "{after}");
        let (before, _) = after_paragraph(body, 1).unwrap();
        assert_eq!(before, "<p>One</p>");
    }

    #[test]
    fn no_cut_at_the_end_past_the_end_or_before_the_first() {
        let body = "<p>One</p>\n<p>Two</p>\n";
        assert!(after_paragraph(body, 1).is_some());
        assert_eq!(after_paragraph(body, 2), None, "nothing follows");
        assert_eq!(after_paragraph(body, 3), None);
        assert_eq!(after_paragraph(body, 0), None);
        assert_eq!(after_paragraph("", 1), None);
        assert_eq!(after_paragraph("<p>unclosed <b", 1), None);
    }

    #[test]
    fn figures_and_void_elements_do_not_confuse_the_depth() {
        let body = "<figure><img src=\"a.jpg\" alt=\"\"><figcaption>c</figcaption></figure><p>One</p><hr><p>Two</p>";
        let (before, after) = after_paragraph(body, 1).unwrap();
        assert!(before.ends_with("<p>One</p>"));
        assert_eq!(after, "<hr><p>Two</p>");
    }
}
