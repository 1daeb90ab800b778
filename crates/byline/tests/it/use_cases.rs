//! The permission table of the newsroom's use cases, asked of each use case itself (not of
//! the admin's routes): every use case × every role × the member's own story or another's,
//! on a real store. The expected answers are written out by hand.

use std::sync::Arc;

use byline::usecases::stories::OpenStory;
use byline::usecases::{self, Actor, Newsroom, Refusal, Rules};
use byline_core::access::Role;
use byline_core::accounts::User;
use byline_core::editorial::{PreviewLink, StatusChange};
use byline_core::library::{Describing, PictureEdit};
use byline_core::store::{AdminQuery, Store};
use byline_core::workflow::{StoryAccess, Transition};
use byline_core::{Email, Headline, Picture, PictureSource, RawBody, Slug, Status};
use chrono::{Duration, Utc};

use crate::store_contract::editorial::{fields, member};
use crate::store_contract::library::photo;
use crate::store_contract::{at, fresh, wire};

/// A use case the table covers.
#[derive(Debug, Clone, Copy)]
enum Case {
    CreateDraft,
    OpenForEditing,
    SaveEdit,
    Submit,
    PublishNow,
    Schedule,
    Correct,
    PreviewLink,
    Revisions,
    RemoveLeadPicture,
    ChooseLibraryPicture,
    ListStories,
    Curate,
    RenameTag,
    SaveSection,
    Library,
    UpdateLibraryPicture,
    DeletePicture,
    NewsletterDesk,
    Subscribers,
    Members,
    AddMember,
    ImportItem,
    ImportItems,
    RefreshStatistics,
    PublishDue,
}

/// (use case, allowed on the member's own story, allowed on another's), each written for
/// contributor, author, editor, admin: `y` allowed, `-` refused.
const TABLE: [(Case, &str, &str); 26] = [
    (Case::CreateDraft, "yyyy", "yyyy"),
    (Case::OpenForEditing, "yyyy", "--yy"),
    (Case::SaveEdit, "yyyy", "--yy"),
    (Case::Submit, "yyyy", "--yy"),
    (Case::PublishNow, "-yyy", "--yy"),
    (Case::Schedule, "-yyy", "--yy"),
    (Case::Correct, "--yy", "--yy"),
    (Case::PreviewLink, "yyyy", "--yy"),
    (Case::Revisions, "yyyy", "--yy"),
    (Case::RemoveLeadPicture, "yyyy", "--yy"),
    (Case::ChooseLibraryPicture, "yyyy", "--yy"),
    (Case::ListStories, "yyyy", "yyyy"),
    (Case::Curate, "--yy", "--yy"),
    (Case::RenameTag, "--yy", "--yy"),
    (Case::SaveSection, "---y", "---y"),
    (Case::Library, "yyyy", "yyyy"),
    (Case::UpdateLibraryPicture, "--yy", "--yy"),
    (Case::DeletePicture, "--yy", "--yy"),
    (Case::NewsletterDesk, "--yy", "--yy"),
    (Case::Subscribers, "---y", "---y"),
    (Case::Members, "---y", "---y"),
    (Case::AddMember, "---y", "---y"),
    (Case::ImportItem, "--yy", "--yy"),
    (Case::ImportItems, "--yy", "--yy"),
    (Case::RefreshStatistics, "--yy", "--yy"),
    (Case::PublishDue, "--yy", "--yy"),
];

/// The newsroom the table is asked in: one member of each role, and an editor whose stories
/// are "another's" for everyone else.
struct Desk {
    store: Arc<dyn Store>,
    nr: Newsroom,
    members: Vec<User>,
    other: User,
}

impl Desk {
    async fn new() -> (crate::support::Site, Desk) {
        let (site, store) = fresh().await;
        let mut members = Vec::new();
        for role in Role::ALL {
            members.push(member(store.as_ref(), role.as_str(), role).await);
        }
        let other = member(store.as_ref(), "Otto", Role::Editor).await;
        // A public story with a tag, for the curation cases.
        crate::store_contract::created(store.as_ref(), wire("urn:table", "On the table", at(5)))
            .await;
        let rules = Rules {
            credit_required: true,
            preview_days: 7,
            language: "en".to_owned(),
        };
        let nr = Newsroom::new(store.clone(), rules);
        (
            site,
            Desk {
                store,
                nr,
                members,
                other,
            },
        )
    }

    /// A story of `owner` in `status`, opened as the system may open any.
    async fn story(&self, owner: &User, status: Status, n: usize) -> OpenStory {
        let link = PreviewLink {
            token: byline::secrets::random_token(),
            expires_at: Utc::now() + Duration::days(1),
        };
        let slug = format!("case-{n}");
        let id = self
            .store
            .create_draft(fields("A case", &slug), owner.id, &link, Utc::now())
            .await
            .unwrap();
        if status != Status::Draft {
            let change = StatusChange {
                from: Status::Draft,
                to: status,
                at: None,
                now: Utc::now(),
            };
            self.store.change_status(id, change).await.unwrap();
        }
        let everything = StoryAccess::Open;
        usecases::stories::open(&self.nr, Actor::System, id, everything)
            .await
            .unwrap()
    }

    async fn picture(&self, n: usize) -> byline_core::PictureId {
        let picture = photo(&format!("aa/case-{n}.jpg"), Some("AGENCY"));
        self.store
            .add_picture(&picture, Describing::Desk, Utc::now())
            .await
            .unwrap()
    }
}

/// Runs `case` as `me` on a story that is `me`'s own or another's: whether it was allowed.
/// Anything but success or a refusal for the role is a failure of the test.
async fn attempt(desk: &Desk, case: Case, me: &User, own: bool, n: usize) -> bool {
    let result = match case {
        Case::ListStories
        | Case::Curate
        | Case::RenameTag
        | Case::SaveSection
        | Case::Library
        | Case::UpdateLibraryPicture
        | Case::DeletePicture
        | Case::NewsletterDesk
        | Case::Subscribers
        | Case::Members
        | Case::AddMember
        | Case::ImportItem
        | Case::ImportItems
        | Case::RefreshStatistics
        | Case::PublishDue => desk_case(desk, case, me, n).await,
        _ => story_case(desk, case, me, own, n).await,
    };
    match result {
        Ok(()) => true,
        Err(Refusal::Forbidden(_)) => false,
        Err(other) => panic!(
            "{case:?} as {} ({}): {other:?}",
            me.name,
            if own { "own" } else { "other's" }
        ),
    }
}

/// The use cases about one story, on `me`'s own or another's (one arm per use case: the
/// table's rows, kept together).
async fn story_case(
    desk: &Desk,
    case: Case,
    me: &User,
    own: bool,
    n: usize,
) -> Result<(), Refusal> {
    let (nr, actor, now) = (&desk.nr, Actor::Member(me), Utc::now());
    let owner = if own { me } else { &desk.other };
    let draft = || desk.story(owner, Status::Draft, n);
    match case {
        Case::CreateDraft => {
            let fields = fields("Fresh", &format!("fresh-{n}"));
            usecases::stories::create_draft(nr, actor, fields, now)
                .await
                .map(drop)
        }
        Case::OpenForEditing => {
            let id = draft().await.id;
            usecases::stories::open(nr, actor, id, StoryAccess::Edit)
                .await
                .map(drop)
        }
        Case::SaveEdit => {
            let story = draft().await;
            let fields = fields("Edited", &story.slug.to_string());
            usecases::stories::save_edit(nr, actor, &story, fields, story.revision, now)
                .await
                .map(drop)
        }
        Case::Submit | Case::PublishNow | Case::Schedule => {
            let story = draft().await;
            let (transition, when) = match case {
                Case::Submit => (Transition::Submit, None),
                Case::PublishNow => (Transition::Publish, None),
                _ => (Transition::Schedule, Some(now + Duration::hours(1))),
            };
            usecases::stories::change_status(nr, actor, &story, transition, when, now)
                .await
                .map(drop)
        }
        Case::Correct => {
            let story = desk.story(owner, Status::Published, n).await;
            usecases::stories::add_correction(nr, actor, &story, "It was Tuesday.", now).await
        }
        Case::PreviewLink => {
            let story = draft().await;
            let renew = usecases::stories::PreviewAction::Renew;
            usecases::stories::set_preview_link(nr, actor, &story, renew, now).await
        }
        Case::Revisions => {
            let story = draft().await;
            usecases::stories::revisions(nr, actor, &story)
                .await
                .map(drop)
        }
        Case::RemoveLeadPicture => {
            let story = draft().await;
            usecases::pictures::set_lead_picture(nr, actor, &story, None, now).await
        }
        Case::ChooseLibraryPicture => {
            let story = draft().await;
            let picture = desk.picture(n).await;
            usecases::pictures::choose_library_picture(nr, actor, &story, picture, None, now).await
        }
        other => unreachable!("{other:?} is not about a story"),
    }
}

/// The use cases about the newsroom as a whole (one arm per use case, as above).
async fn desk_case(desk: &Desk, case: Case, me: &User, n: usize) -> Result<(), Refusal> {
    let (nr, actor, now) = (&desk.nr, Actor::Member(me), Utc::now());
    match case {
        Case::ListStories => usecases::stories::list(nr, actor, listing())
            .await
            .map(drop),
        Case::Curate => {
            let picks = vec![Slug::parse("on-the-table").unwrap()];
            usecases::curation::set_picks(nr, actor, &picks, now).await
        }
        Case::RenameTag => {
            let tag = Slug::parse("harbour").unwrap();
            usecases::curation::rename_tag(nr, actor, &tag, &format!("Harbour {n}"), now).await
        }
        Case::SaveSection => {
            let input = usecases::curation::SectionInput {
                id: None,
                name: format!("Desk {n}"),
                slug: String::new(),
                description: String::new(),
                position: 0,
                parent: None,
            };
            usecases::curation::save_section(nr, actor, input, now).await
        }
        Case::Library => usecases::pictures::library(nr, actor, None, 0, 10)
            .await
            .map(drop),
        Case::UpdateLibraryPicture => {
            let picture = desk.picture(n).await;
            let edit = PictureEdit {
                credit: Some("DESK".to_owned()),
                caption: None,
                alt: None,
                keywords: vec![],
                focus: Default::default(),
            };
            usecases::pictures::update_library_picture(nr, actor, picture, edit, now).await
        }
        Case::DeletePicture => {
            let picture = desk.picture(n).await;
            usecases::pictures::delete_picture(nr, actor, picture)
                .await
                .map(drop)
        }
        Case::NewsletterDesk => usecases::newsletter::desk(nr, actor).await.map(drop),
        Case::Subscribers => usecases::subscribers::counts(nr, actor).await.map(drop),
        Case::Members => usecases::members::list_members(nr, actor).await.map(drop),
        Case::AddMember => {
            let new = usecases::members::NewMember {
                email: Email::parse(&format!("new{n}@example.org")).unwrap(),
                name: format!("New {n}"),
                role: Role::Contributor,
                password_hash: None,
            };
            usecases::members::add_member(nr, actor, new, now)
                .await
                .map(drop)
        }
        Case::ImportItem => {
            let draft = wire_draft(n);
            usecases::imports::import_item(nr, actor, draft, now)
                .await
                .map(drop)
        }
        Case::ImportItems => {
            let drafts = vec![wire_draft(n)];
            match usecases::imports::import_items(nr, actor, drafts, now).await {
                Ok(mut answers) => answers.remove(0).map(drop),
                Err(refused) => Err(refused),
            }
        }
        Case::RefreshStatistics => usecases::imports::refresh_statistics(nr, actor).await,
        Case::PublishDue => usecases::stories::publish_due(nr, actor, now)
            .await
            .map(drop),
        other => unreachable!("{other:?} is about a story"),
    }
}

fn listing() -> AdminQuery {
    AdminQuery {
        limit: 10,
        ..AdminQuery::default()
    }
}

fn wire_draft(n: usize) -> usecases::imports::Draft {
    usecases::imports::Draft {
        external_id: Some(format!("urn:import:{n}")),
        former_external_ids: Vec::new(),
        version: None,
        headline: Headline::parse(&format!("Imported {n}")).unwrap(),
        slug: None,
        old_addresses: Vec::new(),
        dry_run: false,
        page: None,
        standfirst: None,
        body: RawBody::Text("Words.".to_owned()),
        section: None,
        tags: vec![],
        byline: None,
        language: "en".to_owned(),
        status: Status::Published,
        published_at: Some(at(1)),
        embargo_until: None,
        lead_picture: None,
        seo: Default::default(),
        updated_at: at(1),
        source: "table".to_owned(),
        overwrite: false,
        undated: false,
    }
}

#[tokio::test]
async fn every_use_case_answers_every_role_as_the_table_says() {
    let (_site, desk) = Desk::new().await;
    let mut n = 0;
    let mut wrong = Vec::new();
    for (case, own, others) in TABLE {
        for (expected, is_own) in [(own, true), (others, false)] {
            for (me, want) in desk.members.iter().zip(expected.chars()) {
                n += 1;
                let allowed = attempt(&desk, case, me, is_own, n).await;
                if allowed != (want == 'y') {
                    let whose = if is_own { "own" } else { "other's" };
                    wrong.push(format!(
                        "{case:?} by {} on {whose}: allowed {allowed}",
                        me.name
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "the table differs:\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn the_system_runs_jobs_and_imports_but_writes_no_member_s_words() {
    let (_site, desk) = Desk::new().await;
    let (nr, now) = (&desk.nr, Utc::now());
    assert!(
        usecases::imports::import_item(nr, Actor::System, wire_draft(1), now)
            .await
            .is_ok()
    );
    assert!(
        usecases::stories::publish_due(nr, Actor::System, now)
            .await
            .is_ok()
    );
    let picks = vec![Slug::parse("on-the-table").unwrap()];
    assert!(
        usecases::curation::set_picks(nr, Actor::System, &picks, now)
            .await
            .is_ok()
    );
    let made =
        usecases::stories::create_draft(nr, Actor::System, fields("Nobody's", "nobodys"), now)
            .await;
    assert!(matches!(made, Err(Refusal::Forbidden(_))), "{made:?}");
    let story = desk.story(&desk.other, Status::Published, 99).await;
    let corrected = usecases::stories::add_correction(nr, Actor::System, &story, "Note", now).await;
    assert!(
        matches!(corrected, Err(Refusal::Forbidden(_))),
        "{corrected:?}"
    );
}

#[tokio::test]
async fn an_uncredited_lead_photo_keeps_a_story_from_going_out_whoever_asks() {
    let (_site, desk) = Desk::new().await;
    let editor = &desk.members[2];
    let story = desk.story(editor, Status::Draft, 1).await;
    let uncredited = Picture {
        source: PictureSource::Remote {
            url: "https://cdn.example.org/a.jpg".to_owned(),
        },
        ..photo("unused", None)
    };
    let now = Utc::now();
    usecases::pictures::set_lead_picture(
        &desk.nr,
        Actor::Member(editor),
        &story,
        Some(uncredited),
        now,
    )
    .await
    .unwrap();
    let story =
        usecases::stories::open(&desk.nr, Actor::Member(editor), story.id, StoryAccess::Open)
            .await
            .unwrap();
    let publish = usecases::stories::change_status(
        &desk.nr,
        Actor::Member(editor),
        &story,
        Transition::Publish,
        None,
        now,
    )
    .await;
    match publish {
        Err(Refusal::Invalid { field, message }) => {
            assert_eq!(field, "status");
            assert!(
                message.starts_with("The lead photo has no credit."),
                "{message}"
            );
        }
        other => panic!("published without a credit: {other:?}"),
    }
    assert_eq!(
        desk.store
            .editor_story(story.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        Status::Draft
    );
}
