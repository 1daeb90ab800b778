//! The optional Content-Security-Policy of public pages (`[ads] script_origins`). Pages are
//! cached bytes and cannot carry a per-request nonce, so every inline block a page holds (the
//! theme's JSON-LD, an ad tag's inline script, the ad boxes' reserved sizes) is allowed by the
//! SHA-256 of its text. Story bodies are sanitized and can hold none of these.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

/// The policy's fixed part, from the configuration.
#[derive(Debug, Clone)]
pub struct PublicPolicy {
    origins: String,
}

impl PublicPolicy {
    pub fn new(origins: Vec<String>) -> PublicPolicy {
        PublicPolicy {
            origins: origins.join(" "),
        }
    }

    /// The `Content-Security-Policy` value for a page of `html`.
    pub fn header_for(&self, html: &str) -> String {
        let hashes = |blocks: Vec<String>| -> String {
            let mut hashes: Vec<String> = blocks
                .iter()
                .map(|block| format!("'sha256-{}'", BASE64.encode(Sha256::digest(block))))
                .collect();
            hashes.sort();
            hashes.dedup();
            hashes.join(" ")
        };
        let scripts = hashes(inline_elements(html, "script"));
        let mut styles = inline_elements(html, "style");
        let attributes = style_attributes(html);
        let unsafe_hashes = if attributes.is_empty() {
            ""
        } else {
            " 'unsafe-hashes'"
        };
        styles.extend(attributes);
        let styles = hashes(styles);
        let origins = &self.origins;
        let policy = format!(
            "default-src 'self'; script-src 'self' {origins} {scripts}; \
             style-src 'self'{unsafe_hashes} {styles}; img-src 'self' data: https:; \
             frame-src {origins}; connect-src 'self' {origins}; font-src 'self' {origins}; \
             media-src 'self' {origins}; object-src 'none'; base-uri 'self'; \
             form-action 'self'; frame-ancestors 'self'"
        );
        // Empty lists leave double spaces; and a directive with no source at all is 'none'.
        let policy = policy
            .split(';')
            .map(|directive| {
                let words: Vec<&str> = directive.split_whitespace().collect();
                if words.len() == 1 {
                    format!("{} 'none'", words[0])
                } else {
                    words.join(" ")
                }
            })
            .collect::<Vec<_>>();
        policy.join("; ")
    }
}

/// The text of every `<NAME …>…</NAME>` element without a `src` attribute.
fn inline_elements(html: &str, name: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let (open, close) = (format!("<{name}"), format!("</{name}"));
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find(&open).map(|i| i + at) {
        let after_name = start + open.len();
        // `<scripts>` or `<style-x>` are other elements.
        if !lower[after_name..].starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            at = after_name;
            continue;
        }
        let Some(tag_end) = lower[after_name..].find('>').map(|i| i + after_name) else {
            break;
        };
        let Some(end) = lower[tag_end..].find(&close).map(|i| i + tag_end) else {
            break;
        };
        if !lower[after_name..tag_end].contains("src=") {
            found.push(html[tag_end + 1..end].to_owned());
        }
        at = end + close.len();
    }
    found
}

/// The values of every `style="…"` attribute, as the browser reads them (entities decoded).
fn style_attributes(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (index, _) in html.match_indices(" style=") {
        let rest = &html[index + " style=".len()..];
        let Some(quote) = rest.chars().next().filter(|q| *q == '"' || *q == '\'') else {
            continue;
        };
        if let Some(end) = rest[1..].find(quote) {
            found.push(decode_entities(&rest[1..=end]));
        }
    }
    found
}

fn decode_entities(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_blocks_are_allowed_by_their_hash_only() {
        let html = r#"<head><script type="application/ld+json">{"a":1}</script>
            <script async src="https://ads.example/tag.js"></script><style>p{color:red}</style></head>
            <body><div class="ad-box" style="min-height:90px;">x</div><script>go()</script></body>"#;
        let policy = PublicPolicy::new(vec!["https://ads.example".into()]).header_for(html);
        let hash = |text: &str| format!("'sha256-{}'", BASE64.encode(Sha256::digest(text)));
        assert!(
            policy.contains(&format!(
                "script-src 'self' https://ads.example {}",
                [hash("go()"), hash(r#"{"a":1}"#)].join(" ")
            )) || policy.contains(&format!(
                "script-src 'self' https://ads.example {}",
                [hash(r#"{"a":1}"#), hash("go()")].join(" ")
            )),
            "{policy}"
        );
        assert!(policy.contains("'unsafe-hashes'"), "{policy}");
        assert!(policy.contains(&hash("min-height:90px;")), "{policy}");
        assert!(policy.contains(&hash("p{color:red}")), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(policy.contains("frame-src https://ads.example"), "{policy}");
        let none = PublicPolicy::new(vec![]).header_for("<p>plain</p>");
        assert!(none.contains("frame-src 'none'"), "{none}");
        assert!(none.contains("script-src 'self';"), "{none}");
    }
}
