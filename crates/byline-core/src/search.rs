//! What the search index is built and kept from: whole stories in any status, read in id order
//! for a rebuild, by id for the changes the change log names, and by what they are filed under
//! when a section, tag or author is renamed.

use async_trait::async_trait;

use crate::accounts::UserId;
use crate::ids::StoryId;
use crate::store::{Listing, StoreError};
use crate::story::Story;

/// A story as the index keeps it: its text and filing, and whose it is (members who see only
/// their own work find only their own unpublished stories).
#[derive(Debug, Clone)]
pub struct Searchable {
    pub story: Story,
    pub owner: Option<UserId>,
}

#[async_trait]
pub trait SearchSource: Send + Sync {
    /// Up to `limit` whole stories in any status with ids above `after`, lowest id first.
    async fn stories_after(
        &self,
        after: StoryId,
        limit: u32,
    ) -> Result<Vec<Searchable>, StoreError>;
    /// The whole stories of `ids` in any status, in the order first asked and each once; ids
    /// of stories that do not exist are left out.
    async fn stories_by_id(&self, ids: &[StoryId]) -> Result<Vec<Searchable>, StoreError>;
    /// The ids of the stories, in any status, filed under a section, tag or author (every
    /// story for [`Listing::All`]).
    async fn story_ids_filed(&self, listing: &Listing) -> Result<Vec<StoryId>, StoreError>;
}
