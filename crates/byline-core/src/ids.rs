//! Typed identifiers, so that a section id can never be passed where a story id is meant.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A story's row id.
    StoryId
);
id_type!(
    /// A section's row id.
    SectionId
);
id_type!(
    /// An author's row id.
    AuthorId
);
id_type!(
    /// A picture's row in the media library.
    PictureId
);
id_type!(
    /// A newsletter draft on the desk.
    DraftId
);
id_type!(
    /// A newsletter issue, sent or being sent.
    IssueId
);
id_type!(
    /// One issue's delivery to one subscriber, in the outbox.
    DeliveryId
);
id_type!(
    /// A job in the rendition queue.
    JobId
);
id_type!(
    /// A sign-in attempt reserved before its password is checked.
    AttemptId
);
id_type!(
    /// An API token (personal, integration or content key).
    TokenId
);
id_type!(
    /// A webhook: a URL that receives the events it subscribes to.
    WebhookId
);
id_type!(
    /// An event in the newsroom's event log, the id receivers de-duplicate by.
    EventId
);
id_type!(
    /// One event's delivery to one webhook.
    WebhookDeliveryId
);
id_type!(
    /// A position in the change log the page caches follow.
    ChangeId
);
