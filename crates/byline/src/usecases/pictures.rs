//! Pictures: a story's lead photo and the media library (find, add, reuse, describe, delete).

use byline_core::access::{Ownership, Permission};
use byline_core::editorial::EditorStory;
use byline_core::library::{
    DeleteOutcome, Describing, LibraryPage, LibraryPicture, LibraryQuery, PictureEdit, PictureUse,
    picture_seen_by,
};
use byline_core::workflow::{StoryAccess, sees_others_work};
use byline_core::{Picture, PictureId, PictureSource};
use chrono::{DateTime, Utc};

use super::stories::OpenStory;
use super::{Actor, Newsroom, Outcome, Refusal};

/// Refused to a member who may not describe shared pictures and would change one's words.
const SHARED_WORDS: &str = "This picture is in the library and other stories may use it: only \
     the photo desk (an editor) changes its credit or alt text. Your caption can be changed.";

/// Refused to such a member who would change a library picture's own caption.
const SHARED_CAPTION: &str = "This picture is already in the library; only the photo desk (an \
     editor) changes its caption there. Give the caption in your story instead.";

/// Refused to a member for a picture that came in with a story they may not see.
const SEEN_ELSEWHERE: &str = "This picture is already in the library with a story you cannot \
     see. Ask the photo desk (an editor) to share it.";

/// The words a member's form gives a picture, tidied; `None` where a field was left empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words {
    pub credit: Option<String>,
    pub caption: Option<String>,
    pub alt: Option<String>,
}

impl Words {
    /// Refuses words longer than the library keeps: a credit of 300 characters, a caption of
    /// 2,000, alt text of 500.
    pub fn check_lengths(&self) -> Outcome<()> {
        for (field, text, max) in [
            ("credit", &self.credit, 300),
            ("caption", &self.caption, 2000),
            ("alt", &self.alt, 500),
        ] {
            if text.as_ref().is_some_and(|t| t.chars().count() > max) {
                return Err(Refusal::invalid(
                    field,
                    format!("The {field} is longer than {max} characters."),
                ));
            }
        }
        Ok(())
    }

    /// The words `picture` carries.
    fn of(picture: &Picture) -> Words {
        Words {
            credit: picture.credit.clone(),
            caption: picture.caption.clone(),
            alt: picture.alt.clone(),
        }
    }

    /// These words with the library's `known` picture's where none was given: the desk's
    /// wording, not the file's again.
    fn or_library(&self, known: Option<&Picture>) -> Words {
        let Some(known) = known else {
            return self.clone();
        };
        let or = |given: &Option<String>, library: &Option<String>| {
            given
                .clone()
                .or_else(|| library.as_deref().and_then(tidied))
        };
        Words {
            credit: or(&self.credit, &known.credit),
            caption: or(&self.caption, &known.caption),
            alt: or(&self.alt, &known.alt),
        }
    }
}

/// Whitespace runs as single spaces, trimmed; `None` when nothing is left.
fn tidied(text: &str) -> Option<String> {
    Some(super::curation::words(text)).filter(|t| !t.is_empty())
}

/// Whose words the actor's picture forms carry: the desk's, or someone's who may only
/// describe pictures new to the library.
fn describing(actor: Actor<'_>) -> Describing {
    if actor.may(Permission::ManagePictures, Ownership::Own) {
        Describing::Desk
    } else {
        Describing::GapsOnly
    }
}

/// Whether the actor may see a library picture at all (core's [`picture_seen_by`]); the
/// system sees every one.
fn sees_picture(actor: Actor<'_>, shared: bool, uses: &[PictureUse]) -> bool {
    actor
        .member()
        .is_none_or(|me| picture_seen_by(shared, uses, me.role, me.id))
}

/// Whether the actor may know that this story uses a picture ([`PictureUse::seen_by`]).
fn sees_use(actor: Actor<'_>, picture_use: &PictureUse) -> bool {
    actor
        .member()
        .is_none_or(|me| picture_use.seen_by(me.role, me.id))
}

/// Refuses unless the actor may change `story` now.
fn reach_edit(actor: Actor<'_>, story: &EditorStory) -> Outcome<()> {
    super::stories::reach(actor, story, StoryAccess::Edit)
}

/// The library's picture stored at `source`'s place, when it has one; refused when the actor
/// may not see it (it came in with a story they may not see: its words are that story's, and
/// reusing it would show them). Anyone may ask.
pub async fn known_picture(
    nr: &Newsroom,
    actor: Actor<'_>,
    source: &PictureSource,
) -> Outcome<Option<Picture>> {
    let PictureSource::Local { key } = source else {
        return Ok(None);
    };
    let store = nr.store();
    let Some(item) = store.library_picture_at(key).await? else {
        return Ok(None);
    };
    let uses = store.picture_uses(item.id).await?;
    if sees_picture(actor, item.shared, &uses) {
        Ok(Some(item.picture))
    } else {
        Err(Refusal::Forbidden(SEEN_ELSEWHERE.into()))
    }
}

/// The newsroom's rule on shared words: someone who may not manage pictures describes only
/// pictures new to the library; one it already has keeps its credit and alt text (other
/// stories show them) and, with `caption_shared` (the library's own upload), its caption.
fn check_words(
    describing: Describing,
    known: Option<&Picture>,
    words: &Words,
    caption_shared: bool,
) -> Outcome<()> {
    let Some(known) = known.filter(|_| describing == Describing::GapsOnly) else {
        return Ok(());
    };
    if words.credit != known.credit || words.alt != known.alt {
        return Err(Refusal::Forbidden(SHARED_WORDS.into()));
    }
    if caption_shared && words.caption != known.caption {
        return Err(Refusal::Forbidden(SHARED_CAPTION.into()));
    }
    Ok(())
}

/// `offered` (the picture as its file describes itself) with the `given` words, the
/// library's where none were given and the file's where neither has any, once the rule on
/// shared words allows them. Words the library keeps (the member may not change them, and the
/// store leaves them as they are) are not taken from the file.
fn worded(
    describing: Describing,
    known: Option<&Picture>,
    mut offered: Picture,
    given: &Words,
    caption_shared: bool,
) -> Outcome<Picture> {
    let words = given.or_library(known);
    check_words(describing, known, &words, caption_shared)?;
    let keeps = known.is_some() && describing == Describing::GapsOnly;
    let fill = |chosen: Option<String>, file: Option<String>, shared: bool| {
        if keeps && shared {
            chosen
        } else {
            chosen.or(file)
        }
    };
    offered.credit = fill(words.credit, offered.credit.take(), true);
    offered.caption = fill(words.caption, offered.caption.take(), caption_shared);
    offered.alt = fill(words.alt, offered.alt.take(), true);
    Ok(offered)
}

/// Checks a new lead picture for `story` before its file is kept: the actor may change the
/// story now, may see the library's picture at the same place, and gives no words only the
/// desk changes. Returns the picture for [`set_lead_picture`]. For anyone who may edit the
/// story now.
pub async fn check_lead_picture(
    nr: &Newsroom,
    actor: Actor<'_>,
    story: &OpenStory,
    offered: Picture,
    given: &Words,
) -> Outcome<Picture> {
    reach_edit(actor, story)?;
    let known = known_picture(nr, actor, &offered.source).await?;
    worded(describing(actor), known.as_ref(), offered, given, false)
}

/// Makes `picture` the lead of `story`, or with `None` leaves it without one; a picture new
/// to the library joins it. For anyone who may edit the story now; the picture is checked as
/// [`check_lead_picture`] checks it (its file must be kept before).
pub async fn set_lead_picture(
    nr: &Newsroom,
    actor: Actor<'_>,
    story: &OpenStory,
    picture: Option<Picture>,
    now: DateTime<Utc>,
) -> Outcome<()> {
    reach_edit(actor, story)?;
    let describing = describing(actor);
    if let Some(picture) = &picture {
        let known = known_picture(nr, actor, &picture.source).await?;
        check_words(describing, known.as_ref(), &Words::of(picture), false)?;
    }
    nr.store()
        .set_lead_picture(story.id, picture, describing, now)
        .await?;
    tracing::info!(
        story = story.id.0,
        user = actor.user_id().map(|u| u.0),
        "lead photo changed"
    );
    Ok(())
}

/// Makes the library's picture `id` the lead of `story`, with `caption` as this story's own
/// (the library's when none is given). For anyone who may edit the story now and may see the
/// picture.
pub async fn choose_library_picture(
    nr: &Newsroom,
    actor: Actor<'_>,
    story: &OpenStory,
    id: PictureId,
    caption: Option<String>,
    now: DateTime<Utc>,
) -> Outcome<()> {
    reach_edit(actor, story)?;
    let store = nr.store();
    let item = store.library_picture(id).await?;
    let uses = store.picture_uses(id).await?;
    if !sees_picture(actor, item.as_ref().is_some_and(|i| i.shared), &uses) {
        return Err(Refusal::NotFound);
    }
    let item = item
        .ok_or_else(|| Refusal::invalid("picture", "That picture is no longer in the library."))?;
    let caption = caption.or(item.picture.caption);
    store.use_picture(story.id, id, caption, now).await?;
    tracing::info!(
        story = story.id.0,
        picture = id.0,
        user = actor.user_id().map(|u| u.0),
        "library picture used"
    );
    Ok(())
}

/// A page of the library (`page` counts from 0), newest first, matching `search` in caption,
/// credit or keywords. A member who may not see others' unpublished work does not get the
/// pictures only such work uses. Needs `CreateStory`.
pub async fn library(
    nr: &Newsroom,
    actor: Actor<'_>,
    search: Option<String>,
    page: u32,
    per_page: u32,
) -> Outcome<LibraryPage> {
    actor.require(Permission::CreateStory, Ownership::Own)?;
    let visible_to = actor
        .member()
        .filter(|me| !sees_others_work(me.role))
        .map(|me| me.id);
    let query = LibraryQuery {
        search,
        page,
        per_page,
        visible_to,
    };
    Ok(nr.store().library(&query).await?)
}

/// A library picture with the uses the actor may know of; not found when the actor may not
/// see the picture at all. Needs `CreateStory`.
pub async fn picture(
    nr: &Newsroom,
    actor: Actor<'_>,
    id: PictureId,
) -> Outcome<(LibraryPicture, Vec<PictureUse>)> {
    actor.require(Permission::CreateStory, Ownership::Own)?;
    let store = nr.store();
    let item = store.library_picture(id).await?.ok_or(Refusal::NotFound)?;
    let uses = store.picture_uses(id).await?;
    if !sees_picture(actor, item.shared, &uses) {
        return Err(Refusal::NotFound);
    }
    let uses = uses.into_iter().filter(|u| sees_use(actor, u)).collect();
    Ok((item, uses))
}

/// Checks a picture uploaded to the library before its file is kept: the actor may see the
/// library's picture at the same place and gives no words only the desk changes (its caption
/// included). Returns the picture for [`add_to_library`]. Needs `CreateStory`.
pub async fn check_library_upload(
    nr: &Newsroom,
    actor: Actor<'_>,
    offered: Picture,
    given: &Words,
) -> Outcome<Picture> {
    actor.require(Permission::CreateStory, Ownership::Own)?;
    given.check_lengths()?;
    let known = known_picture(nr, actor, &offered.source).await?;
    worded(describing(actor), known.as_ref(), offered, given, true)
}

/// Adds `picture` to the library for everyone, or finds it there (the desk's words replace
/// the library's). Its file must be kept before. Needs `CreateStory`; the picture is checked
/// as [`check_library_upload`] checks it.
pub async fn add_to_library(
    nr: &Newsroom,
    actor: Actor<'_>,
    picture: Picture,
    now: DateTime<Utc>,
) -> Outcome<PictureId> {
    actor.require(Permission::CreateStory, Ownership::Own)?;
    let describing = describing(actor);
    let known = known_picture(nr, actor, &picture.source).await?;
    check_words(describing, known.as_ref(), &Words::of(&picture), true)?;
    let id = nr.store().add_picture(&picture, describing, now).await?;
    tracing::info!(
        picture = id.0,
        user = actor.user_id().map(|u| u.0),
        "picture added to the library"
    );
    Ok(id)
}

/// "1 story uses" or "N stories use", for the messages naming a picture's uses.
pub fn stories_use(uses: u64) -> String {
    let verb = if uses == 1 {
        "story uses"
    } else {
        "stories use"
    };
    format!("{uses} {verb}")
}

/// Changes a library picture for every story that uses it. Needs `ManagePictures`. Refused on
/// `credit` when the newsroom requires a credit and the edit takes away that of a picture
/// stories use.
pub async fn update_library_picture(
    nr: &Newsroom,
    actor: Actor<'_>,
    id: PictureId,
    edit: PictureEdit,
    now: DateTime<Utc>,
) -> Outcome<()> {
    actor.require(Permission::ManagePictures, Ownership::Own)?;
    let store = nr.store();
    let item = store.library_picture(id).await?.ok_or(Refusal::NotFound)?;
    if edit.credit.is_none() && item.uses > 0 && nr.rules.credit_required {
        let message = format!(
            "The newsroom requires a credit, and {} this picture.",
            stories_use(item.uses)
        );
        return Err(Refusal::invalid("credit", message));
    }
    store.edit_picture(id, edit, now).await?;
    tracing::info!(
        picture = id.0,
        user = actor.user_id().map(|u| u.0),
        "library picture changed"
    );
    Ok(())
}

/// What asking to delete a library picture did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletion {
    /// The picture is gone; `files` is the media key its files are kept under (a local
    /// picture's), for the caller to delete them too.
    Deleted { files: Option<String> },
    /// Stories still use it; nothing was changed.
    InUse { uses: u64 },
}

/// Deletes a library picture once no story uses it. Needs `ManagePictures`.
pub async fn delete_picture(nr: &Newsroom, actor: Actor<'_>, id: PictureId) -> Outcome<Deletion> {
    actor.require(Permission::ManagePictures, Ownership::Own)?;
    let (outcome, place) = nr.store().delete_picture(id).await?;
    if let DeleteOutcome::InUse(uses) = outcome {
        return Ok(Deletion::InUse { uses });
    }
    tracing::info!(
        picture = id.0,
        user = actor.user_id().map(|u| u.0),
        "library picture deleted"
    );
    Ok(Deletion::Deleted {
        files: (!place.contains("://")).then_some(place),
    })
}

/// Claims the next picture whose renditions are wanted, for `lease` (the rendition worker,
/// Byline's own machinery).
pub(crate) async fn claim_rendition_job(
    nr: &Newsroom,
    now: DateTime<Utc>,
    lease: std::time::Duration,
) -> Outcome<Option<byline_core::library::RenditionJob>> {
    Ok(nr.store().claim_rendition_job(now, lease).await?)
}

/// Records how a claimed rendition job ended; a failed one is tried again later.
pub(crate) async fn finish_rendition_job(
    nr: &Newsroom,
    job: byline_core::JobId,
    outcome: Result<(), String>,
    now: DateTime<Utc>,
) -> Outcome<()> {
    Ok(nr.store().finish_rendition_job(job, outcome, now).await?)
}
