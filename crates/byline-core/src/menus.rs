//! Menus: ordered trees of links (to sections, pages, stories or any URL) that the theme shows
//! in the header and the footer, written by editors one item per line.

use serde::Serialize;

use crate::slug::Slug;

/// Most items a menu holds, at every level together.
pub const MAX_ITEMS: usize = 200;
/// Deepest level of a menu (top level is 1).
pub const MAX_DEPTH: usize = 3;
/// Longest label, in characters.
pub const MAX_LABEL: usize = 100;

/// Where the theme shows a menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MenuLocation {
    Header,
    Footer,
}

impl MenuLocation {
    pub const ALL: [MenuLocation; 2] = [MenuLocation::Header, MenuLocation::Footer];

    pub fn as_str(self) -> &'static str {
        match self {
            MenuLocation::Header => "header",
            MenuLocation::Footer => "footer",
        }
    }

    pub fn parse(text: &str) -> Option<MenuLocation> {
        MenuLocation::ALL.into_iter().find(|l| l.as_str() == text)
    }
}

/// One entry of a menu: a label, where it leads (none for a heading over its children), and
/// the entries under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MenuItem {
    pub label: String,
    pub link: Option<String>,
    pub children: Vec<MenuItem>,
}

/// A named menu and where, if anywhere, the theme shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Menu {
    pub slug: Slug,
    pub name: String,
    pub location: Option<MenuLocation>,
    pub items: Vec<MenuItem>,
}

/// Why menu lines cannot be read, naming the line (counted from 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct MenuError {
    pub line: usize,
    pub problem: String,
}

/// Reads a menu as editors write it: one item per line, `Label | /link` (or `Label` alone for
/// a heading), each level two spaces deeper than the one above; blank lines are skipped.
pub fn parse_items(text: &str) -> Result<Vec<MenuItem>, MenuError> {
    // The open branch: the depth and child list of each level above the next line.
    let mut roots: Vec<MenuItem> = Vec::new();
    let mut count = 0;
    let mut last_depth = 0;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let fail = |problem: String| MenuError { line, problem };
        if raw.trim().is_empty() {
            continue;
        }
        let indent = raw.len() - raw.trim_start_matches([' ', '\t']).len();
        let indent = raw[..indent]
            .chars()
            .map(|c| if c == '\t' { 2 } else { 1 })
            .sum::<usize>();
        let depth = indent / 2 + 1;
        if depth > MAX_DEPTH {
            return Err(fail(format!("a menu is at most {MAX_DEPTH} levels deep.")));
        }
        if depth > last_depth + 1 {
            return Err(fail(
                "this line is indented deeper than the item above it allows (two spaces per level)."
                    .into(),
            ));
        }
        count += 1;
        if count > MAX_ITEMS {
            return Err(fail(format!("a menu holds at most {MAX_ITEMS} items.")));
        }
        let item = parse_line(raw.trim()).map_err(fail)?;
        let mut level = &mut roots;
        for _ in 1..depth {
            level = &mut level.last_mut().expect("depth checked above").children;
        }
        level.push(item);
        last_depth = depth;
    }
    Ok(roots)
}

fn parse_line(line: &str) -> Result<MenuItem, String> {
    // A label holds no `|` (an imported one writes it as `/`), so the first one ends it and a
    // link may hold more.
    let (label, link) = match line.split_once('|') {
        Some((label, link)) => {
            let link = crate::redirects::link(link).map_err(|e| format!("the link: {e}"))?;
            (label, Some(link))
        }
        None => (line, None),
    };
    let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
    if label.is_empty() {
        return Err("give the item a label before the |.".into());
    }
    if label.chars().count() > MAX_LABEL {
        return Err(format!("a label is at most {MAX_LABEL} characters."));
    }
    if label.chars().any(char::is_control) {
        return Err("a label holds no control characters.".into());
    }
    Ok(MenuItem {
        label,
        link,
        children: Vec::new(),
    })
}

/// Whether `items` read back from their line form exactly as they are (a label with a `|`,
/// line breaks or surrounding space would not): what a store may keep.
pub fn round_trips(items: &[MenuItem]) -> bool {
    parse_items(&format_items(items)).is_ok_and(|read| read == items)
}

/// Writes items in the form [`parse_items`] reads, which is also how the store keeps them.
pub fn format_items(items: &[MenuItem]) -> String {
    fn write(out: &mut String, items: &[MenuItem], depth: usize) {
        for item in items {
            out.push_str(&"  ".repeat(depth));
            out.push_str(&item.label);
            if let Some(link) = &item.link {
                out.push_str(" | ");
                out.push_str(link);
            }
            out.push('\n');
            write(out, &item.children, depth + 1);
        }
    }
    let mut out = String::new();
    write(&mut out, items, 0);
    out
}

/// A label as it may be kept: `|` separates the link in the line format, so a label brought
/// by an import writes it as `/`; white space collapsed; cut to [`MAX_LABEL`] characters.
pub fn clean_label(text: &str) -> String {
    let label = text
        .replace('|', "/")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    label
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_LABEL)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_items_and_writes_them_back() {
        let text = "News | /section/news\n  World | /section/world\n\nAbout\n  Imprint | /imprint\n    Team | https://example.com/team\n";
        let items = parse_items(text).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].children[0].label, "World");
        assert_eq!(items[1].link, None);
        assert_eq!(
            items[1].children[0].children[0].link.as_deref(),
            Some("https://example.com/team")
        );
        assert_eq!(format_items(&items), text.replace("\n\n", "\n"));
    }

    #[test]
    fn names_the_line_of_a_bad_link_or_indent() {
        let err = parse_items("Home | /\nBad | javascript:alert(1)").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.problem.starts_with("the link:"), "{err}");
        let err = parse_items("Home | /\n    Deep | /x").unwrap_err();
        assert_eq!(err.line, 2);
        let err = parse_items(" | /x").unwrap_err();
        assert!(err.problem.contains("label"), "{err}");
        let err = parse_items("a|/\n  b|/\n    c|/\n      d|/").unwrap_err();
        assert_eq!(err.line, 4);
        assert!(parse_items("x | //evil.example").is_err());
    }

    #[test]
    fn bounds_the_number_of_items() {
        let text = "x | /\n".repeat(MAX_ITEMS + 1);
        assert_eq!(parse_items(&text).unwrap_err().line, MAX_ITEMS + 1);
    }

    #[test]
    fn a_link_may_hold_a_bar_and_a_label_may_not() {
        let items = parse_items("Pipe | https://example.com/?a=1|2").unwrap();
        assert_eq!(items[0].link.as_deref(), Some("https://example.com/?a=1|2"));
        assert!(round_trips(&items));
        let bad = vec![MenuItem {
            label: "A | B".into(),
            link: None,
            children: Vec::new(),
        }];
        assert!(!round_trips(&bad));
    }

    #[test]
    fn cleans_imported_labels() {
        assert_eq!(clean_label(" News |  Sport\n"), "News / Sport");
    }
}
