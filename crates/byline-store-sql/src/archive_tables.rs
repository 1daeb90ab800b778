//! The tables a site archive holds, in the order they are dumped and restored, with their
//! columns and kinds.

#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Int,
    Text,
}

use Kind::{Int, Text};

/// A table of the site: its name, its key (the dump's order) and its columns.
pub(crate) struct Table {
    pub(crate) name: &'static str,
    pub(crate) key: &'static str,
    pub(crate) columns: &'static [(&'static str, Kind)],
}

/// Every table of a site, each after the tables it refers to. Sessions, sign-in attempts and
/// links, and the change log belong to a running store, not to the site.
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "sections",
        key: "id",
        columns: &[
            ("id", Int),
            ("slug", Text),
            ("name", Text),
            ("position", Int),
            ("description", Text),
            ("parent_id", Int),
        ],
    },
    Table {
        name: "authors",
        key: "id",
        columns: &[("id", Int), ("slug", Text), ("name", Text), ("bio", Text)],
    },
    Table {
        name: "tags",
        key: "id",
        columns: &[("id", Int), ("slug", Text), ("name", Text)],
    },
    Table {
        name: "pictures",
        key: "id",
        columns: &[
            ("id", Int),
            ("source_kind", Text),
            ("location", Text),
            ("credit", Text),
            ("caption", Text),
            ("alt", Text),
            ("width", Int),
            ("height", Int),
            ("content_type", Text),
            ("keywords", Text),
            ("focus_x", Int),
            ("focus_y", Int),
            ("added_at", Int),
            ("shared", Int),
            ("rights_creator", Text),
            ("rights_copyright", Text),
            ("rights_license_url", Text),
            ("rights_licensor_url", Text),
        ],
    },
    Table {
        name: "users",
        key: "id",
        columns: &[
            ("id", Int),
            ("email", Text),
            ("name", Text),
            ("role", Text),
            ("password_hash", Text),
            ("created_at", Int),
            ("disabled_at", Int),
        ],
    },
    Table {
        name: "stories",
        key: "id",
        columns: &[
            ("id", Int),
            ("external_id", Text),
            ("version", Int),
            ("slug", Text),
            ("headline", Text),
            ("standfirst", Text),
            ("body_html", Text),
            ("summary", Text),
            ("section_id", Int),
            ("byline", Text),
            ("language", Text),
            ("status", Text),
            ("published_at", Int),
            ("embargo_until", Int),
            ("updated_at", Int),
            ("created_at", Int),
            ("lead_picture_id", Int),
            ("created_by", Int),
            ("revision", Int),
            ("body_source", Text),
            ("body_format", Text),
            ("preview_token", Text),
            ("first_published_at", Int),
            ("lead_caption", Text),
            ("preview_expires_at", Int),
            ("import_hash", Text),
            ("edited_since_import", Int),
            ("seo_title", Text),
            ("seo_description", Text),
            ("kind", Text),
            ("parent_id", Int),
            ("position", Int),
        ],
    },
    Table {
        name: "story_tags",
        key: "story_id, tag_id",
        columns: &[("story_id", Int), ("tag_id", Int), ("position", Int)],
    },
    Table {
        name: "story_authors",
        key: "story_id, author_id",
        columns: &[("story_id", Int), ("author_id", Int), ("position", Int)],
    },
    Table {
        name: "story_views",
        key: "story_id, hour",
        columns: &[("story_id", Int), ("hour", Int), ("views", Int)],
    },
    Table {
        name: "picks",
        key: "position",
        columns: &[("position", Int), ("story_id", Int)],
    },
    Table {
        name: "subscribers",
        key: "id",
        columns: &[
            ("id", Int),
            ("email", Text),
            ("status", Text),
            ("source", Text),
            ("consented_at", Int),
            ("confirmed_at", Int),
            ("ip_hash", Text),
            ("unsubscribed_at", Int),
            ("bounces", Int),
        ],
    },
    Table {
        name: "suppressions",
        key: "email_hash",
        columns: &[("email_hash", Text), ("created_at", Int)],
    },
    Table {
        name: "newsletter_issues",
        key: "id",
        columns: &[
            ("id", Int),
            ("subject", Text),
            ("text_body", Text),
            ("html_body", Text),
            ("state", Text),
            ("created_at", Int),
            ("sent_at", Int),
            ("origin", Text),
        ],
    },
    Table {
        name: "deliveries",
        key: "id",
        columns: &[
            ("id", Int),
            ("issue_id", Int),
            ("email", Text),
            ("state", Text),
            ("attempts", Int),
            ("next_at", Int),
            ("claimed_at", Int),
            ("last_error", Text),
            ("sent_at", Int),
        ],
    },
    Table {
        name: "newsletter_drafts",
        key: "id",
        columns: &[
            ("id", Int),
            ("subject", Text),
            ("intro", Text),
            ("stories", Text),
            ("author", Text),
            ("updated_at", Int),
            ("send_at", Int),
            ("text_body", Text),
            ("html_body", Text),
        ],
    },
    Table {
        name: "newsletter_digests",
        key: "day",
        columns: &[("day", Text), ("issue_id", Int), ("created_at", Int)],
    },
    Table {
        name: "revisions",
        key: "id",
        columns: &[
            ("id", Int),
            ("story_id", Int),
            ("number", Int),
            ("user_id", Int),
            ("created_at", Int),
            ("headline", Text),
            ("standfirst", Text),
            ("body_source", Text),
            ("body_format", Text),
            ("summary", Text),
            ("source", Text),
        ],
    },
    Table {
        name: "jobs",
        key: "id",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("story_id", Int),
            ("run_at", Int),
            ("state", Text),
            ("attempts", Int),
            ("last_error", Text),
        ],
    },
    Table {
        name: "corrections",
        key: "id",
        columns: &[
            ("id", Int),
            ("story_id", Int),
            ("user_id", Int),
            ("created_at", Int),
            ("note", Text),
        ],
    },
    Table {
        name: "slug_redirects",
        key: "old_slug",
        columns: &[("old_slug", Text), ("story_id", Int)],
    },
    Table {
        name: "old_addresses",
        key: "address",
        columns: &[
            ("address", Text),
            ("kind", Text),
            ("story_id", Int),
            ("slug", Text),
            ("target", Text),
            ("created_at", Int),
        ],
    },
    Table {
        name: "menus",
        key: "slug",
        columns: &[
            ("slug", Text),
            ("name", Text),
            ("location", Text),
            ("items", Text),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "settings",
        key: "key",
        columns: &[("key", Text), ("value", Text)],
    },
];

/// Columns added since archive version 1: an older archive may lack any of them, and what it
/// lacks takes the column's default (a story's caption comes from its picture, as it did
/// then). Tables added since are simply absent from an older archive.
pub(crate) const ADDED_SINCE_1: &[(&str, &str)] = &[
    ("pictures", "keywords"),
    ("pictures", "focus_x"),
    ("pictures", "focus_y"),
    ("pictures", "added_at"),
    ("stories", "lead_caption"),
    ("subscribers", "ip_hash"),
    ("subscribers", "unsubscribed_at"),
    // Version 3.
    ("subscribers", "bounces"),
    // Version 4.
    ("pictures", "shared"),
    ("users", "disabled_at"),
    ("stories", "preview_expires_at"),
    ("stories", "import_hash"),
    ("stories", "edited_since_import"),
    ("revisions", "source"),
    // Version 5.
    ("pictures", "rights_creator"),
    ("pictures", "rights_copyright"),
    ("pictures", "rights_license_url"),
    ("pictures", "rights_licensor_url"),
    // Version 6.
    ("sections", "parent_id"),
    ("stories", "seo_title"),
    ("stories", "seo_description"),
    // Version 7.
    ("old_addresses", "target"),
    // Version 8.
    ("stories", "kind"),
    ("stories", "parent_id"),
    ("stories", "position"),
    ("authors", "bio"),
];

/// Tables whose `id` the store assigns, so its counter must move past restored ids.
pub(crate) const NUMBERED: &[&str] = &[
    "sections",
    "authors",
    "tags",
    "pictures",
    "users",
    "stories",
    "subscribers",
    "newsletter_issues",
    "deliveries",
    "newsletter_drafts",
    "revisions",
    "jobs",
    "corrections",
];
