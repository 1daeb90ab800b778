//! The editorial workflow: the legal moves between a story's states, and who may make them.

use chrono::{DateTime, Utc};

use crate::access::{Ownership, Permission, Role, allows};
use crate::story::Status;

/// A move a member asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transition {
    /// Draft → in review.
    Submit,
    /// Draft, in review or scheduled → scheduled for a future time.
    Schedule,
    /// Draft, in review, scheduled or unpublished → published now.
    Publish,
    /// Published → unpublished.
    Unpublish,
    /// In review, scheduled or unpublished → draft.
    ReturnToDraft,
}

/// Why a move was refused; the message is shown on the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("a story that is {} cannot be moved that way", .0.label().to_lowercase())]
    Illegal(Status),
    #[error("your role does not allow this")]
    Forbidden,
    #[error("the publication time must be in the future")]
    TimeInPast,
    #[error("the story is under embargo until {0}")]
    Embargoed(DateTime<Utc>),
    #[error(
        "the lead photo has no credit. Add the credit line (as the agency gives it) or \
         remove the photo before publishing"
    )]
    UncreditedPhoto,
}

impl Transition {
    pub const ALL: [Transition; 5] = [
        Transition::Submit,
        Transition::Schedule,
        Transition::Publish,
        Transition::Unpublish,
        Transition::ReturnToDraft,
    ];

    /// The state a legal move leads to.
    pub fn target(self) -> Status {
        match self {
            Transition::Submit => Status::InReview,
            Transition::Schedule => Status::Scheduled,
            Transition::Publish => Status::Published,
            Transition::Unpublish => Status::Unpublished,
            Transition::ReturnToDraft => Status::Draft,
        }
    }

    /// The states the move may start from.
    pub fn sources(self) -> &'static [Status] {
        match self {
            Transition::Submit => &[Status::Draft],
            Transition::Schedule => &[Status::Draft, Status::InReview, Status::Scheduled],
            Transition::Publish => &[
                Status::Draft,
                Status::InReview,
                Status::Scheduled,
                Status::Unpublished,
            ],
            Transition::Unpublish => &[Status::Published],
            Transition::ReturnToDraft => {
                &[Status::InReview, Status::Scheduled, Status::Unpublished]
            }
        }
    }

    pub fn permission(self) -> Permission {
        match self {
            Transition::Submit => Permission::Submit,
            Transition::Schedule => Permission::Schedule,
            Transition::Publish => Permission::Publish,
            Transition::Unpublish => Permission::Unpublish,
            Transition::ReturnToDraft => Permission::ReturnToDraft,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Submit => "submit",
            Transition::Schedule => "schedule",
            Transition::Publish => "publish",
            Transition::Unpublish => "unpublish",
            Transition::ReturnToDraft => "return_to_draft",
        }
    }

    pub fn parse(text: &str) -> Option<Transition> {
        Transition::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// A request to move a story, with everything that decides whether it may.
#[derive(Debug, Clone, Copy)]
pub struct Move {
    pub from: Status,
    pub transition: Transition,
    pub role: Role,
    pub ownership: Ownership,
    /// For `Schedule`: when to publish.
    pub at: Option<DateTime<Utc>>,
    pub embargo_until: Option<DateTime<Utc>>,
    /// The story's lead photo, as far as the credit rule cares.
    pub photo: LeadPhoto,
    /// The newsroom's rule (`[photos] credit_required`): a story whose lead photo has no
    /// credit is neither published nor scheduled.
    pub credit_required: bool,
    pub now: DateTime<Utc>,
}

/// A story's lead photo, as the credit rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadPhoto {
    None,
    Credited,
    Uncredited,
}

impl LeadPhoto {
    pub fn of(picture: Option<&crate::picture::Picture>) -> LeadPhoto {
        match picture {
            None => LeadPhoto::None,
            Some(p) if p.is_credited() => LeadPhoto::Credited,
            Some(_) => LeadPhoto::Uncredited,
        }
    }
}

/// Whether a member may change a story's text now: contributors only their own drafts (once
/// submitted, a story is in an editor's hands until it comes back to draft).
pub fn may_edit(role: Role, ownership: Ownership, status: Status) -> bool {
    allows(role, Permission::EditStory, ownership)
        && (role != Role::Contributor || status == Status::Draft)
}

/// What an admin route asks of the member before anything else of the request is read: the
/// router declares one per route and one gate checks it (the finer rules, such as which move
/// or which field, are checked after, by the operation itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone, signed in or not (sign-in, first setup, invitation links).
    Anyone,
    /// Any signed-in member.
    Member,
    /// A signed-in member whose role has this permission.
    Role(Permission),
    /// The story the route names, which the member may reach this way.
    Story(StoryAccess),
}

/// How a route reaches the story it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryAccess {
    /// Open it to ask for a workflow move: one's own story, or anyone's with the right to edit
    /// others' stories (the move itself is decided by [`decide`]).
    Open,
    /// Change its text, photo or revisions now ([`may_edit`]).
    Edit,
    /// Act on it with this permission.
    Act(Permission),
}

impl StoryAccess {
    /// Whether a member of `role` may reach a story they own or not, in `status`, this way.
    pub fn allows(self, role: Role, ownership: Ownership, status: Status) -> bool {
        match self {
            StoryAccess::Open => allows(role, Permission::EditStory, ownership),
            StoryAccess::Edit => may_edit(role, ownership, status),
            StoryAccess::Act(permission) => allows(role, permission, ownership),
        }
    }
}

/// Whether a member of `role` may see another member's story that is not public (in lists,
/// picture uses, searches): only those who may edit others' stories.
pub fn sees_others_work(role: Role) -> bool {
    allows(role, Permission::EditStory, Ownership::Others)
}

/// Checks a move and returns the new status.
pub fn decide(m: Move) -> Result<Status, WorkflowError> {
    if !allows(m.role, m.transition.permission(), m.ownership) {
        return Err(WorkflowError::Forbidden);
    }
    if !m.transition.sources().contains(&m.from) {
        return Err(WorkflowError::Illegal(m.from));
    }
    let embargo = m.embargo_until.filter(|t| *t > m.now);
    match m.transition {
        Transition::Publish => {
            if let Some(until) = embargo {
                return Err(WorkflowError::Embargoed(until));
            }
        }
        Transition::Schedule => {
            let at =
                m.at.filter(|t| *t > m.now)
                    .ok_or(WorkflowError::TimeInPast)?;
            if let Some(until) = embargo.filter(|until| at < *until) {
                return Err(WorkflowError::Embargoed(until));
            }
        }
        _ => {}
    }
    let target = m.transition.target();
    if m.credit_required
        && m.photo == LeadPhoto::Uncredited
        && matches!(target, Status::Published | Status::Scheduled)
    {
        return Err(WorkflowError::UncreditedPhoto);
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn mv(from: Status, transition: Transition, role: Role) -> Move {
        Move {
            from,
            transition,
            role,
            ownership: Ownership::Own,
            at: Some(Utc::now() + Duration::hours(1)),
            embargo_until: None,
            photo: LeadPhoto::None,
            credit_required: false,
            now: Utc::now(),
        }
    }

    #[test]
    fn an_uncredited_lead_photo_stops_publication_only_where_credits_are_required() {
        for transition in [Transition::Publish, Transition::Schedule] {
            let mut m = mv(Status::Draft, transition, Role::Editor);
            m.photo = LeadPhoto::Uncredited;
            assert!(decide(m).is_ok(), "{transition:?} without the rule");
            m.credit_required = true;
            assert_eq!(decide(m), Err(WorkflowError::UncreditedPhoto));
            m.photo = LeadPhoto::Credited;
            assert!(decide(m).is_ok());
            m.photo = LeadPhoto::None;
            assert!(decide(m).is_ok());
        }
        let mut submit = mv(Status::Draft, Transition::Submit, Role::Contributor);
        submit.photo = LeadPhoto::Uncredited;
        submit.credit_required = true;
        assert_eq!(decide(submit), Ok(Status::InReview));
    }

    #[test]
    fn every_legal_and_illegal_move() {
        // (from, transition, legal?) for every pair, written out by hand.
        use Status::*;
        use Transition::*;
        let legal = [
            (Draft, Submit),
            (Draft, Schedule),
            (InReview, Schedule),
            (Scheduled, Schedule),
            (Draft, Publish),
            (InReview, Publish),
            (Scheduled, Publish),
            (Unpublished, Publish),
            (Published, Unpublish),
            (InReview, ReturnToDraft),
            (Scheduled, ReturnToDraft),
            (Unpublished, ReturnToDraft),
        ];
        for from in Status::ALL {
            for transition in Transition::ALL {
                let result = decide(mv(from, transition, Role::Admin));
                if legal.contains(&(from, transition)) {
                    assert_eq!(result, Ok(transition.target()), "{from:?} {transition:?}");
                } else {
                    assert_eq!(
                        result,
                        Err(WorkflowError::Illegal(from)),
                        "{from:?} {transition:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn roles_decide_who_moves_what() {
        assert_eq!(
            decide(mv(Status::Draft, Transition::Submit, Role::Contributor)),
            Ok(Status::InReview)
        );
        assert_eq!(
            decide(mv(Status::Draft, Transition::Publish, Role::Contributor)),
            Err(WorkflowError::Forbidden)
        );
        assert_eq!(
            decide(mv(Status::Draft, Transition::Publish, Role::Author)),
            Ok(Status::Published)
        );
        let others = Move {
            ownership: Ownership::Others,
            ..mv(Status::Draft, Transition::Publish, Role::Author)
        };
        assert_eq!(decide(others), Err(WorkflowError::Forbidden));
        let editor = Move {
            ownership: Ownership::Others,
            ..mv(Status::InReview, Transition::Publish, Role::Editor)
        };
        assert_eq!(decide(editor), Ok(Status::Published));
    }

    #[test]
    fn contributors_edit_only_their_own_drafts() {
        for status in Status::ALL {
            assert_eq!(
                may_edit(Role::Contributor, Ownership::Own, status),
                status == Status::Draft,
                "{status:?}"
            );
            assert!(!may_edit(Role::Contributor, Ownership::Others, status));
            assert!(may_edit(Role::Author, Ownership::Own, status));
            assert!(!may_edit(Role::Author, Ownership::Others, status));
            assert!(may_edit(Role::Editor, Ownership::Others, status));
        }
    }

    #[test]
    fn story_access_follows_ownership_and_status() {
        use StoryAccess::*;
        assert!(Open.allows(Role::Contributor, Ownership::Own, Status::InReview));
        assert!(!Edit.allows(Role::Contributor, Ownership::Own, Status::InReview));
        assert!(!Open.allows(Role::Author, Ownership::Others, Status::Draft));
        assert!(Open.allows(Role::Editor, Ownership::Others, Status::Draft));
        assert!(!Act(Permission::Correct).allows(Role::Author, Ownership::Own, Status::Published));
        assert!(Act(Permission::Correct).allows(
            Role::Editor,
            Ownership::Others,
            Status::Published
        ));
        assert!(!sees_others_work(Role::Author) && sees_others_work(Role::Editor));
    }

    #[test]
    fn schedules_must_be_future_and_respect_embargoes() {
        let now = Utc::now();
        let past = Move {
            at: Some(now - Duration::minutes(1)),
            ..mv(Status::Draft, Transition::Schedule, Role::Editor)
        };
        assert_eq!(decide(past), Err(WorkflowError::TimeInPast));
        let until = now + Duration::hours(5);
        let early = Move {
            embargo_until: Some(until),
            ..mv(Status::Draft, Transition::Schedule, Role::Editor)
        };
        assert_eq!(decide(early), Err(WorkflowError::Embargoed(until)));
        let after = Move {
            at: Some(until + Duration::minutes(1)),
            ..early
        };
        assert_eq!(decide(after), Ok(Status::Scheduled));
        let publish = Move {
            embargo_until: Some(until),
            ..mv(Status::Draft, Transition::Publish, Role::Editor)
        };
        assert_eq!(decide(publish), Err(WorkflowError::Embargoed(until)));
        let lifted = Move {
            embargo_until: Some(now - Duration::hours(1)),
            ..publish
        };
        assert_eq!(decide(lifted), Ok(Status::Published));
    }
}
