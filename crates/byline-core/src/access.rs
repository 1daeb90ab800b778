//! Who may do what: the newsroom's roles and the one permission table every admin route asks.

use serde::Serialize;

/// A newsroom member's role; each includes everything the one before it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Writes and submits their own drafts.
    Contributor,
    /// Also publishes their own stories.
    Author,
    /// Edits, schedules, publishes, unpublishes and corrects any story; curates.
    Editor,
    /// Also manages users, sections and settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Contributor, Role::Author, Role::Editor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Contributor => "contributor",
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Something a member may try to do in the admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Create a new story (it is theirs).
    CreateStory,
    /// Change a story's text and metadata.
    EditStory,
    /// Ask an editor to review a draft.
    Submit,
    /// Make a story public now.
    Publish,
    /// Set a future publication time.
    Schedule,
    /// Take a public story down.
    Unpublish,
    /// Send a story back to draft.
    ReturnToDraft,
    /// Append a correction note to a published story.
    Correct,
    /// Choose the front page's lead and the "Don't miss" picks.
    Curate,
    /// Change a library picture's credit, caption, keywords and focus for every story that
    /// uses it, and delete unused pictures.
    ManagePictures,
    /// Compose, test, schedule and send newsletter issues.
    SendNewsletter,
    /// See, search, export and erase newsletter subscribers (their personal data).
    ManageSubscribers,
    ManageSections,
    /// See, add, change and remove the site's redirects.
    ManageRedirects,
    /// Write, publish and arrange the site's own pages (About, Imprint) and its menus.
    ManagePages,
    ManageUsers,
    ManageSettings,
}

impl Permission {
    pub const ALL: [Permission; 17] = [
        Permission::CreateStory,
        Permission::EditStory,
        Permission::Submit,
        Permission::Publish,
        Permission::Schedule,
        Permission::Unpublish,
        Permission::ReturnToDraft,
        Permission::Correct,
        Permission::Curate,
        Permission::ManagePictures,
        Permission::SendNewsletter,
        Permission::ManageSubscribers,
        Permission::ManageSections,
        Permission::ManageRedirects,
        Permission::ManagePages,
        Permission::ManageUsers,
        Permission::ManageSettings,
    ];
}

/// Whose story an action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// The member wrote it (or the action is not about a story).
    Own,
    /// Someone else's story.
    Others,
}

impl Ownership {
    /// Whose story one created by `owner` is, for `member` (a story without a known owner,
    /// such as an imported one, is nobody's own).
    pub fn of(
        owner: Option<crate::accounts::UserId>,
        member: crate::accounts::UserId,
    ) -> Ownership {
        if owner == Some(member) {
            Ownership::Own
        } else {
            Ownership::Others
        }
    }
}

/// The permission table. `ownership` matters only for story actions.
pub fn allows(role: Role, permission: Permission, ownership: Ownership) -> bool {
    use Permission as P;
    let own = ownership == Ownership::Own;
    match role {
        Role::Admin | Role::Editor => {
            !matches!(
                permission,
                P::ManageSections | P::ManageUsers | P::ManageSettings | P::ManageSubscribers
            ) || role == Role::Admin
        }
        Role::Author => match permission {
            P::CreateStory => true,
            P::EditStory
            | P::Submit
            | P::Publish
            | P::Schedule
            | P::Unpublish
            | P::ReturnToDraft => own,
            P::Correct
            | P::Curate
            | P::ManagePictures
            | P::SendNewsletter
            | P::ManageSubscribers
            | P::ManageSections
            | P::ManageRedirects
            | P::ManagePages
            | P::ManageUsers
            | P::ManageSettings => false,
        },
        Role::Contributor => match permission {
            P::CreateStory => true,
            P::EditStory | P::Submit => own,
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ownership::{Others, Own};
    use Permission as P;

    /// The whole table, written out by hand: (role, permission, on own story, on others').
    const TABLE: &[(Role, Permission, bool, bool)] = &[
        (Role::Contributor, P::CreateStory, true, true),
        (Role::Contributor, P::EditStory, true, false),
        (Role::Contributor, P::Submit, true, false),
        (Role::Contributor, P::Publish, false, false),
        (Role::Contributor, P::Schedule, false, false),
        (Role::Contributor, P::Unpublish, false, false),
        (Role::Contributor, P::ReturnToDraft, false, false),
        (Role::Contributor, P::Correct, false, false),
        (Role::Contributor, P::ManagePictures, false, false),
        (Role::Contributor, P::Curate, false, false),
        (Role::Contributor, P::SendNewsletter, false, false),
        (Role::Contributor, P::ManageSubscribers, false, false),
        (Role::Contributor, P::ManageSections, false, false),
        (Role::Contributor, P::ManageRedirects, false, false),
        (Role::Contributor, P::ManagePages, false, false),
        (Role::Contributor, P::ManageUsers, false, false),
        (Role::Contributor, P::ManageSettings, false, false),
        (Role::Author, P::CreateStory, true, true),
        (Role::Author, P::EditStory, true, false),
        (Role::Author, P::Submit, true, false),
        (Role::Author, P::Publish, true, false),
        (Role::Author, P::Schedule, true, false),
        (Role::Author, P::Unpublish, true, false),
        (Role::Author, P::ReturnToDraft, true, false),
        (Role::Author, P::Correct, false, false),
        (Role::Author, P::ManagePictures, false, false),
        (Role::Author, P::Curate, false, false),
        (Role::Author, P::SendNewsletter, false, false),
        (Role::Author, P::ManageSubscribers, false, false),
        (Role::Author, P::ManageSections, false, false),
        (Role::Author, P::ManageRedirects, false, false),
        (Role::Author, P::ManagePages, false, false),
        (Role::Author, P::ManageUsers, false, false),
        (Role::Author, P::ManageSettings, false, false),
        (Role::Editor, P::CreateStory, true, true),
        (Role::Editor, P::EditStory, true, true),
        (Role::Editor, P::Submit, true, true),
        (Role::Editor, P::Publish, true, true),
        (Role::Editor, P::Schedule, true, true),
        (Role::Editor, P::Unpublish, true, true),
        (Role::Editor, P::ReturnToDraft, true, true),
        (Role::Editor, P::Correct, true, true),
        (Role::Editor, P::ManagePictures, true, true),
        (Role::Editor, P::Curate, true, true),
        (Role::Editor, P::SendNewsletter, true, true),
        (Role::Editor, P::ManageSubscribers, false, false),
        (Role::Editor, P::ManageSections, false, false),
        (Role::Editor, P::ManageRedirects, true, true),
        (Role::Editor, P::ManagePages, true, true),
        (Role::Editor, P::ManageUsers, false, false),
        (Role::Editor, P::ManageSettings, false, false),
        (Role::Admin, P::CreateStory, true, true),
        (Role::Admin, P::EditStory, true, true),
        (Role::Admin, P::Submit, true, true),
        (Role::Admin, P::Publish, true, true),
        (Role::Admin, P::Schedule, true, true),
        (Role::Admin, P::Unpublish, true, true),
        (Role::Admin, P::ReturnToDraft, true, true),
        (Role::Admin, P::Correct, true, true),
        (Role::Admin, P::ManagePictures, true, true),
        (Role::Admin, P::Curate, true, true),
        (Role::Admin, P::SendNewsletter, true, true),
        (Role::Admin, P::ManageSubscribers, true, true),
        (Role::Admin, P::ManageSections, true, true),
        (Role::Admin, P::ManageRedirects, true, true),
        (Role::Admin, P::ManagePages, true, true),
        (Role::Admin, P::ManageUsers, true, true),
        (Role::Admin, P::ManageSettings, true, true),
    ];

    #[test]
    fn the_table_is_exactly_as_written() {
        assert_eq!(
            TABLE.len(),
            Role::ALL.len() * Permission::ALL.len(),
            "every pair is written out"
        );
        for role in Role::ALL {
            for permission in Permission::ALL {
                let row = TABLE
                    .iter()
                    .find(|r| r.0 == role && r.1 == permission)
                    .expect("a row");
                assert_eq!(
                    allows(role, permission, Own),
                    row.2,
                    "{role:?} {permission:?} own"
                );
                assert_eq!(
                    allows(role, permission, Others),
                    row.3,
                    "{role:?} {permission:?} others'"
                );
            }
        }
    }

    #[test]
    fn each_role_includes_the_one_before() {
        for pair in Role::ALL.windows(2) {
            for permission in Permission::ALL {
                for ownership in [Own, Others] {
                    if allows(pair[0], permission, ownership) {
                        assert!(
                            allows(pair[1], permission, ownership),
                            "{:?} lacks {permission:?}",
                            pair[1]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("owner"), None);
    }
}
