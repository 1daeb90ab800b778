//! A walk over an imported WordPress site: every published story served with its headline and
//! no WordPress syntax left, and every post's old address leading to its story.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{follow, get};

/// Raw WordPress syntax that must never reach a reader: block comments, double-escaped
/// entities and shortcodes.
pub const RAW: [&str; 7] = [
    "<!-- wp:",
    "&amp;amp;",
    "&amp;#",
    "[/",
    "[caption",
    "[gallery",
    "[embed",
];

/// The path (and query) of `url`, whatever its host.
fn path_of(url: &str) -> &str {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => rest.find('/').map_or("/", |at| &rest[at..]),
        None => url,
    }
}

/// The text of a page's `<h1>`, with the entities templates write turned back.
fn headline_of(page: &str) -> String {
    let start = page.find("<h1").expect("a headline");
    let text = &page[start..];
    let text = &text[text.find('>').unwrap() + 1..text.find("</h1>").unwrap()];
    [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#x27;", "'"),
        ("&#39;", "'"),
        ("&#x2f;", "/"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(text.to_owned(), |t, (entity, c)| t.replace(entity, c))
}

/// Whether `body` still holds a shortcode with attributes (`[contact_form id="4"]`).
fn has_shortcode(body: &str) -> bool {
    body.match_indices('[').any(|(at, _)| {
        let rest = &body[at + 1..];
        let name = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        name > 0
            && rest[name..].starts_with(' ')
            && rest[name..]
                .split(']')
                .next()
                .is_some_and(|attributes| attributes.contains('='))
    })
}

/// Walks the site's published `stories` (the Content API's items) and the file's published
/// `posts` (title and link, as Python read them); each story page is written into `dir` and
/// named in `pages`, for one run of the Nu checker over all of them.
pub async fn walk(
    app: &byline::router::App,
    stories: &[Value],
    posts: &[Value],
    dir: &std::path::Path,
    pages: &mut Vec<PathBuf>,
    what: &str,
) {
    let mut paths = Vec::new();
    for story in stories {
        let path = path_of(story["url"].as_str().unwrap()).to_owned();
        let (status, _, page) = get(app, &path).await;
        assert_eq!(status, 200, "{path}\n{what}");
        assert_eq!(
            headline_of(&page),
            story["headline"].as_str().unwrap(),
            "{path}\n{what}"
        );
        let body = &page[page.find("<article").expect("an article")..];
        let body = &body[..body.find("</article>").unwrap_or(body.len())];
        for raw in RAW {
            assert!(!body.contains(raw), "{path}: {raw:?} in {body}\n{what}");
        }
        assert!(
            !has_shortcode(body),
            "{path}: a shortcode in {body}\n{what}"
        );
        // Named by the export and the story, so that the Nu checker's findings say which.
        let export = what
            .lines()
            .next()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let file = dir.join(format!(
            "{}-{export}{}.html",
            pages.len(),
            path.replace('/', "_")
        ));
        std::fs::write(&file, &page).unwrap();
        pages.push(file);
        paths.push((path, story["headline"].as_str().unwrap().to_owned()));
    }
    for post in posts {
        let link = path_of(post["link"].as_str().unwrap());
        // An address the site itself serves (`/search/`) is never sent elsewhere.
        let bare = link.split(['?', '#']).next().unwrap_or(link);
        if link.is_empty()
            || link == "/"
            || byline::router::is_fixed_address(bare.trim_end_matches('/'))
        {
            continue;
        }
        let (status, location) = follow(app, link).await;
        assert_eq!(status, 301, "{link}\n{what}");
        let location = path_of(&location);
        // The story of that title (an untitled post's story is named otherwise); a title's
        // markup is shown as its text.
        let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        let text: String = post["title"]
            .as_str()
            .unwrap()
            .split('<')
            .enumerate()
            .map(|(n, part)| match part.split_once('>') {
                Some((_, after)) if n > 0 => after,
                _ => part,
            })
            .collect();
        let title = words(&text);
        let candidates: Vec<&str> = paths
            .iter()
            .filter(|(_, headline)| title.is_empty() || words(headline) == title)
            .map(|(path, _)| path.as_str())
            .collect();
        assert!(
            candidates.contains(&location),
            "{link} leads to {location}, not to the story {title:?}\n{what}"
        );
    }
}

#[test]
fn shortcodes_with_attributes_are_told_from_brackets_in_text() {
    assert!(has_shortcode(
        r#"<p>Write to us: [contact_form id="4"]</p>"#
    ));
    assert!(!has_shortcode("<p>He said [sic] and cited [1].</p>"));
    assert!(!has_shortcode("<p>[a] = b</p>"));
}
