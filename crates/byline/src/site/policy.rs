//! The optional Content-Security-Policy of public pages (`[ads] script_origins`). Pages are
//! cached bytes and cannot carry a per-request nonce, so inline blocks are allowed by the
//! SHA-256 of their text: the inline scripts of the operator's ad HTML (hashed once, from the
//! configuration), the articles' view beacon and a page's styles (the inlined stylesheet). A
//! page's JSON-LD is data and is never run. Any other inline script a page came to hold is not
//! allowed; story bodies are sanitized and hold none. A theme's own scripts belong in its
//! `static/` files.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

/// The policy's fixed part, from the configuration.
#[derive(Debug, Clone)]
pub struct PublicPolicy {
    origins: String,
    /// The hashes of the inline scripts a page may run: the configured ad HTML's and the view
    /// beacon the server adds to articles.
    allowed_scripts: Vec<String>,
}

impl PublicPolicy {
    /// The policy for `origins`, allowing the inline scripts of the ad HTML `ads` and the
    /// articles' own view beacon.
    pub fn new(origins: Vec<String>, ads: &[&str]) -> PublicPolicy {
        let mut allowed_scripts: Vec<String> = ads
            .iter()
            .chain([&crate::views::PREFETCH_BEACON])
            .flat_map(|html| inline_elements(html, "script"))
            .map(|(_, text)| source_hash(&text))
            .collect();
        allowed_scripts.sort();
        allowed_scripts.dedup();
        PublicPolicy {
            origins: origins.join(" "),
            allowed_scripts,
        }
    }

    /// The `Content-Security-Policy` value for a page of `html`.
    pub fn header_for(&self, html: &str) -> String {
        let joined = |mut hashes: Vec<String>| -> String {
            hashes.sort();
            hashes.dedup();
            hashes.join(" ")
        };
        // Data blocks (JSON-LD) never run and need no allowance; any other inline script must be
        // one of the ad configuration's or the view beacon.
        let scripts: Vec<String> = inline_elements(html, "script")
            .into_iter()
            .map(|(_, text)| source_hash(&text))
            .filter(|hash| self.allowed_scripts.contains(hash))
            .collect();
        let scripts = joined(scripts);
        let mut styles: Vec<String> = inline_elements(html, "style")
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        let attributes = style_attributes(html);
        let unsafe_hashes = if attributes.is_empty() {
            ""
        } else {
            " 'unsafe-hashes'"
        };
        styles.extend(attributes);
        let styles = joined(styles.iter().map(|s| source_hash(s)).collect());
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

/// A CSP source allowing exactly `text`.
fn source_hash(text: &str) -> String {
    format!("'sha256-{}'", BASE64.encode(Sha256::digest(text)))
}

/// The opening tag (lower case) and text of every `<NAME …>…</NAME>` element without a `src`
/// attribute.
fn inline_elements(html: &str, name: &str) -> Vec<(String, String)> {
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
        let tag = &lower[after_name..tag_end];
        if !tag.contains("src=") {
            found.push((tag.to_owned(), html[tag_end + 1..end].to_owned()));
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
        let ads = ["<script>go()</script><script async src=\"https://ads.example/t.js\"></script>"];
        let policy = PublicPolicy::new(vec!["https://ads.example".into()], &ads).header_for(html);
        let hash = |text: &str| format!("'sha256-{}'", BASE64.encode(Sha256::digest(text)));
        assert!(
            policy.contains(&format!(
                "script-src 'self' https://ads.example {};",
                hash("go()")
            )),
            "only the ad's own inline script: {policy}"
        );
        assert!(policy.contains("'unsafe-hashes'"), "{policy}");
        assert!(policy.contains(&hash("min-height:90px;")), "{policy}");
        assert!(policy.contains(&hash("p{color:red}")), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(policy.contains("frame-src https://ads.example"), "{policy}");
        let injected = PublicPolicy::new(vec![], &ads)
            .header_for("<script data-x=\"application/ld+json\">steal()</script>");
        assert!(!injected.contains(&hash("steal()")), "{injected}");
        let none = PublicPolicy::new(vec![], &[]).header_for("<p>plain</p>");
        assert!(none.contains("frame-src 'none'"), "{none}");
        assert!(none.contains("script-src 'self';"), "{none}");
    }
}
