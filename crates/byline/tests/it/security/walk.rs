//! What the route walk acts on: a site with a member of every role, and for each case fresh
//! stories (the member's own and someone else's, with secrets in it), a library picture, a
//! newsletter draft and issue, a member to act on and an invitation; and the bodies sent.

use std::sync::Arc;

use byline::router::{AdminRoute, App};
use byline_core::access::{Ownership, Role};
use byline_core::accounts::{NewUser, UserId};
use byline_core::editorial::{PreviewLink, StoryFields};
use byline_core::newsletter::{DraftInput, IssueContent};
use byline_core::store::Store;
use byline_core::{Email, Picture, PictureId, PictureSource, StoryId};
use chrono::Utc;

use super::routes::SECRET;
use crate::editorial::multipart;
use crate::support::{Site, shared};

/// A site with a member of every role and the author whose drafts are "someone else's".
pub struct World {
    pub site: Site,
    pub app: App,
    pub store: Arc<dyn Store>,
    pub owner: UserId,
    pub members: Vec<(Role, UserId)>,
    pub photo: Vec<u8>,
}

async fn user(store: &dyn Store, email: &str, role: Role) -> UserId {
    store
        .create_user(NewUser {
            email: Email::parse(email).unwrap(),
            name: format!("{} member", role.as_str()),
            role,
            password_hash: None,
            created_at: Utc::now(),
        })
        .await
        .unwrap()
        .id
}

pub async fn world() -> World {
    let site = Site::new("");
    let app = site.app().await;
    let store = site.data_dir().open_store().await.unwrap();
    let owner = user(store.as_ref(), "owner@example.org", Role::Author).await;
    let mut members = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@example.org", role.as_str());
        members.push((role, user(store.as_ref(), &email, role).await));
    }
    let photo = std::fs::read(shared().join("seed/lead-photo.jpg")).unwrap();
    World {
        site,
        app,
        store,
        owner,
        members,
        photo,
    }
}

/// What one case acts on, made fresh for it.
pub struct Fixture {
    pub cookie: Option<String>,
    pub csrf: String,
    pub own: StoryId,
    pub other: StoryId,
    pub picture: PictureId,
    pub draft: byline_core::DraftId,
    pub issue: byline_core::IssueId,
    pub target: UserId,
    /// A live sign-in link of the target member.
    pub invitation: String,
}

/// The other member's draft's preview token (hex, like every token).
pub fn secret_token(n: usize) -> String {
    format!("5ec7e7{n:058x}")
}

fn fields(headline: &str, body: &str) -> StoryFields {
    let form = byline::admin::editor_form::EditorForm {
        headline: headline.into(),
        body: body.into(),
        ..Default::default()
    };
    form.check("en", None).unwrap()
}

pub async fn fixture(world: &World, role: Option<Role>, n: usize) -> Fixture {
    let store = world.store.as_ref();
    let now = Utc::now();
    let link = |token: String| PreviewLink {
        token,
        expires_at: now + chrono::Duration::days(1),
    };
    let actor = role.map(|r| world.members.iter().find(|(m, _)| *m == r).unwrap().1);
    let (cookie, csrf) = match actor {
        Some(id) => {
            let token = byline::secrets::random_token();
            let csrf = byline::secrets::random_token();
            store
                .create_session(&byline::secrets::token_hash(&token), id, &csrf, now)
                .await
                .unwrap();
            (Some(token), csrf)
        }
        None => (None, "no-session".into()),
    };
    let own_author = actor.unwrap_or(world.owner);
    let own = store
        .create_draft(
            fields(&format!("My own draft {n}"), "My text."),
            own_author,
            &link(format!("{:064x}", n * 2)),
            now,
        )
        .await
        .unwrap();
    let other = store
        .create_draft(
            fields(
                &format!("Headline {SECRET} {n}"),
                &format!("Body {SECRET}."),
            ),
            world.owner,
            &link(secret_token(n)),
            now,
        )
        .await
        .unwrap();
    let mut picture = Picture::at(PictureSource::Remote {
        url: format!("https://pictures.example/{n}.jpg"),
    });
    picture.credit = Some("Agency/Photographer".into());
    let picture = store
        .add_picture(&picture, byline_core::library::Describing::Desk, now)
        .await
        .unwrap();
    // The other draft's own photo: in the library, but its words are that draft's.
    let mut hidden = Picture::at(PictureSource::Remote {
        url: format!("https://pictures.example/hidden-{n}.jpg"),
    });
    hidden.credit = Some("Agency".into());
    hidden.caption = Some(format!("Caption {SECRET}"));
    hidden.alt = Some(format!("Alt {SECRET}"));
    store
        .set_lead_picture(
            other,
            Some(hidden),
            byline_core::library::Describing::Desk,
            now,
        )
        .await
        .unwrap();
    let draft = store
        .save_draft(
            None,
            &DraftInput {
                subject: format!("Issue {n}"),
                author: "Desk".into(),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap()
        .unwrap();
    let content = IssueContent {
        subject: format!("Sent {n}"),
        text: "Text".into(),
        html: "<p>Text</p>".into(),
    };
    let (issue, _) = store.queue_issue(&content, "test", now).await.unwrap();
    let target = user(store, &format!("target{n}@example.org"), Role::Contributor).await;
    let invitation = byline::secrets::random_token();
    store
        .create_signin_link(
            &byline::secrets::token_hash(&invitation),
            target,
            now + chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    Fixture {
        invitation,
        cookie,
        csrf,
        own,
        other,
        picture,
        draft,
        issue,
        target,
    }
}

/// The route's path with its parameters filled from the fixture.
pub fn path_of(route: &AdminRoute, f: &Fixture, ownership: Ownership) -> String {
    let id = if route.path.starts_with("/admin/stories/") {
        match ownership {
            Ownership::Own => f.own.0,
            Ownership::Others => f.other.0,
        }
    } else if route.path.starts_with("/admin/media/") {
        f.picture.0
    } else if route.path.starts_with("/admin/newsletter/drafts/") {
        f.draft.0
    } else if route.path.starts_with("/admin/newsletter/issues/") {
        f.issue.0
    } else {
        f.target.0
    };
    route
        .path
        .replace("{id}", &id.to_string())
        .replace("{number}", "1")
        .replace("{token}", &f.invitation)
}

/// `jpeg` with a comment segment holding `note` after its start: the same picture as another
/// file, so each case uploads a picture of its own.
fn distinct(jpeg: &[u8], note: &str) -> Vec<u8> {
    let length = u16::try_from(note.len() + 2).unwrap().to_be_bytes();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xFE, length[0], length[1]]);
    out.extend_from_slice(note.as_bytes());
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A request the route's handler can act on: its form fields (with the CSRF token).
pub fn well_formed(route: &AdminRoute, f: &Fixture, photo: &[u8]) -> (String, Vec<u8>) {
    let csrf = f.csrf.as_str();
    let picture = f.picture.0.to_string();
    let fields: Vec<(&str, &str)> = match route.path {
        "/admin/login" => vec![("email", "nobody@example.org"), ("password", "not the one")],
        "/admin/setup" => vec![("token", "x"), ("email", "a@example.org"), ("name", "A")],
        "/admin/signin/{token}" => vec![("password", "a long enough password")],
        "/admin/stories" | "/admin/stories/{id}" | "/admin/stories/{id}/autosave" => vec![
            ("headline", "A new headline"),
            ("body", "New text."),
            ("body_format", "markdown"),
            ("revision", "1"),
        ],
        "/admin/stories/{id}/status" => vec![("action", "submit")],
        "/admin/stories/{id}/corrections" => vec![("note", "A name was misspelt.")],
        "/admin/stories/{id}/preview-link" => vec![("action", "new")],
        "/admin/stories/{id}/photo" | "/admin/media" => {
            vec![
                ("credit", "Photo Desk"),
                ("caption", "A caption"),
                ("alt", "A harbour"),
            ]
        }
        "/admin/stories/{id}/photo/use" => vec![("picture", picture.as_str())],
        "/admin/preview" => vec![("body", "Some *text*"), ("body_format", "markdown")],
        "/admin/media/{id}" => vec![
            ("credit", "Agency/Photographer"),
            ("focus_x", "50"),
            ("focus_y", "50"),
        ],
        "/admin/tags" => vec![("slug", "ports"), ("name", "Ports")],
        "/admin/sections" => vec![("name", "Letters"), ("position", "9")],
        "/admin/newsletter/drafts" | "/admin/newsletter/drafts/{id}" => {
            vec![("subject", "This week")]
        }
        "/admin/subscribers/erase" => vec![("email", "reader@example.org"), ("confirm", "yes")],
        _ => vec![],
    };
    let mut all = vec![("csrf", csrf)];
    all.extend(fields);
    if matches!(route.path, "/admin/stories/{id}/photo" | "/admin/media") {
        return multipart(&all, Some(&distinct(photo, &f.invitation)));
    }
    let body = all
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::support::enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    (
        "application/x-www-form-urlencoded".to_owned(),
        body.into_bytes(),
    )
}

/// Bodies that are not forms the handler can read.
pub fn malformed() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "multipart/form-data; boundary=X".to_owned(),
            b"junk".to_vec(),
        ),
        (
            "application/x-www-form-urlencoded".to_owned(),
            b"csrf=%FF%FE&headline=\xff\xfe&&==".to_vec(),
        ),
        ("application/json".to_owned(), b"{\"csrf\": 1}".to_vec()),
    ]
}
