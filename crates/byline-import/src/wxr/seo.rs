//! Yoast SEO's title and description of a post, its `%%variables%%` filled in.

use byline_core::Seo;

use crate::html::decode_entities;

/// What a post's Yoast variables stand for.
pub(super) struct Facts<'a> {
    pub title: &'a str,
    pub excerpt: Option<&'a str>,
    pub category: Option<&'a str>,
    pub author: Option<&'a str>,
}

/// The post's own title and description for search engines; a field that says no more than
/// the headline (Yoast's default `%%title%% %%sep%% %%sitename%%`) is left empty, since
/// Byline's theme adds the site's name itself.
pub(super) fn yoast(title: Option<&str>, description: Option<&str>, facts: &Facts<'_>) -> Seo {
    let title = title.map(|t| filled(t, facts)).filter(|t| t != facts.title);
    let description = description.map(|d| filled(d, facts));
    Seo::new(title.as_deref(), description.as_deref())
}

/// `template` with its variables replaced, the site's name and separators at either end
/// dropped, entities decoded and whitespace collapsed.
fn filled(template: &str, facts: &Facts<'_>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("%%") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("%%") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = &after[..end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            // Not a variable: keep the first `%%` as text and look again after it.
            out.push_str("%%");
            rest = after;
            continue;
        }
        out.push_str(value(name, facts));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    let text = decode_entities(&out);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let separator = |c: char| c.is_whitespace() || "-–—|·•:»«/~*".contains(c);
    words.trim_matches(separator).to_owned()
}

/// What one variable stands for; the site's name and description, separators, page numbers
/// and anything unknown stand for nothing.
fn value<'a>(name: &str, facts: &Facts<'a>) -> &'a str {
    match name {
        "title" => facts.title,
        "excerpt" | "excerpt_only" => facts.excerpt.unwrap_or_default(),
        "category" | "primary_category" => facts.category.unwrap_or_default(),
        "name" => facts.author.unwrap_or_default(),
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FACTS: Facts<'static> = Facts {
        title: "Storm hits the coast",
        excerpt: Some("Winds of 120 km/h."),
        category: Some("Weather"),
        author: Some("Ada"),
    };

    #[test]
    fn the_default_template_says_no_more_than_the_headline() {
        let seo = yoast(Some("%%title%% %%sep%% %%sitename%%"), None, &FACTS);
        assert!(seo.is_empty(), "{seo:?}");
    }

    #[test]
    fn variables_are_filled_and_the_site_name_dropped() {
        let seo = yoast(
            Some("%%title%% in %%primary_category%% %%page%% %%sep%% %%sitename%%"),
            Some("%%excerpt%% Read &amp; share. %%unknown_var%%"),
            &FACTS,
        );
        assert_eq!(
            seo.title.as_deref(),
            Some("Storm hits the coast in Weather")
        );
        assert_eq!(
            seo.description.as_deref(),
            Some("Winds of 120 km/h. Read & share.")
        );
    }

    #[test]
    fn percent_signs_that_are_not_variables_stay() {
        let seo = yoast(Some("Prices up 5%% %% a year, 100%"), None, &FACTS);
        assert_eq!(seo.title.as_deref(), Some("Prices up 5%% %% a year, 100%"));
    }

    #[test]
    fn an_empty_field_is_none() {
        let seo = yoast(Some("  %%sitename%% "), Some(""), &FACTS);
        assert_eq!(seo, Seo::default());
    }
}
