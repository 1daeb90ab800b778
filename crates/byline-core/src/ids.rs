//! Typed identifiers, so that a section id can never be passed where a story id is meant.

use serde::Serialize;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
