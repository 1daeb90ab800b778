//! The newsroom's operations, one function each: who may do it, core's rules, then the store.
//!
//! A use case takes the [`Newsroom`], the acting member (or the system, for jobs, imports and
//! the command line) and `now`; it checks ownership and permission itself, applies core's
//! rules and calls the store. The admin's handlers, the API and the command line call these,
//! never the store, so one member gets the same answer from each. See
//! docs/decisions/0022-use-cases.md.

pub mod curation;
pub mod finding;
pub mod imports;
pub mod integrations;
pub mod members;
pub mod newsletter;
pub mod pages;
pub mod pictures;
pub mod reading;
pub mod redirects;
pub mod search;
pub mod sessions;
pub mod stories;
pub mod subscribers;

use std::sync::Arc;

use byline_core::access::{Ownership, Permission, Role, allows};
use byline_core::accounts::{User, UserId};
use byline_core::editorial::EditorStory;
use byline_core::store::{Store, StoreError};

/// What every use case works with: the store and the newsroom's rules from the config.
#[derive(Clone)]
pub struct Newsroom {
    store: Arc<dyn Store>,
    pub rules: Rules,
}

impl Newsroom {
    pub fn new(store: Arc<dyn Store>, rules: Rules) -> Newsroom {
        Newsroom { store, rules }
    }

    /// The store, for the use cases only.
    pub(crate) fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }
}

/// The newsroom's settings that decide what an operation may do.
#[derive(Debug, Clone)]
pub struct Rules {
    /// `[photos] credit_required`: a lead photo needs a credit before its story goes out.
    pub credit_required: bool,
    /// `[admin] preview_days`: how long a private preview link works.
    pub preview_days: i64,
    /// `[site] language`: the language of a story that names none.
    pub language: String,
}

impl Rules {
    pub fn from_config(config: &crate::config::Config) -> Rules {
        Rules {
            credit_required: config.photos.credit_required,
            preview_days: i64::from(config.admin.preview_days.max(1)),
            language: config.site.language.clone(),
        }
    }
}

/// Who asks for an operation.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// A signed-in member (the admin, later the API with the member's token).
    Member(&'a User),
    /// Byline itself: scheduled jobs, imports and the command line, run by whoever runs the
    /// server.
    System,
}

impl<'a> Actor<'a> {
    /// The member, if a member acts.
    pub fn member(self) -> Option<&'a User> {
        match self {
            Actor::Member(user) => Some(user),
            Actor::System => None,
        }
    }

    pub fn user_id(self) -> Option<UserId> {
        self.member().map(|u| u.id)
    }

    /// The role the actor acts with; the system may do what an administrator may.
    pub fn role(self) -> Role {
        self.member().map_or(Role::Admin, |u| u.role)
    }

    /// Whose story `story` is, for this actor (the system owns none).
    pub fn ownership(self, story: &EditorStory) -> Ownership {
        match self.user_id() {
            Some(me) => Ownership::of(story.created_by, me),
            None => Ownership::Others,
        }
    }

    /// Whether the actor's role allows `permission` with this ownership.
    pub fn may(self, permission: Permission, ownership: Ownership) -> bool {
        allows(self.role(), permission, ownership)
    }

    /// Refuses unless the actor's role allows `permission` with this ownership.
    pub fn require(self, permission: Permission, ownership: Ownership) -> Result<(), Refusal> {
        if self.may(permission, ownership) {
            Ok(())
        } else {
            Err(Refusal::forbidden())
        }
    }
}

/// Why an operation did not happen, in terms every caller (admin, API, command line) maps to
/// its own answer in one place.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The actor may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// What the operation names does not exist, or the actor may not know it does (404).
    #[error("not found")]
    NotFound,
    /// The request cannot be carried out as given; `field` names what to change (422).
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// Someone saved the story since the actor's copy was made: the current one (409).
    #[error("someone else saved this story since it was opened")]
    Stale(Box<EditorStory>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Refusal {
    pub fn forbidden() -> Refusal {
        Refusal::Forbidden("Your role does not allow this.".into())
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Refusal {
        Refusal::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// What a use case returns.
pub type Outcome<T> = Result<T, Refusal>;
