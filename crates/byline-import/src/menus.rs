//! Menus as a source (a WordPress export, a Ghost site) describes them, for the import to
//! make Byline's.

/// Where a menu item of a source leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuTarget {
    /// A post or page of the source: its identity (the story's external id) and title.
    Item {
        external_id: String,
        title: String,
    },
    /// A category (a section) or a tag, by name.
    Section(String),
    Tag(String),
    /// A URL as WordPress kept it.
    Url(String),
    /// Nothing: a heading over its children (WordPress's `#`), or a target the source lacks
    /// (named in `missing`).
    Nothing {
        missing: Option<String>,
    },
}

/// One menu of a source, its items nested as the source nested them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMenu {
    pub slug: String,
    pub name: String,
    pub items: Vec<SourceMenuItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMenuItem {
    /// The item's own label; `None` when WordPress shows the target's title.
    pub label: Option<String>,
    pub target: MenuTarget,
    pub children: Vec<SourceMenuItem>,
    /// The line of the export the item starts on, for messages.
    pub line: usize,
}
