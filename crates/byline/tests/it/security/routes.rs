//! Every admin route, read from the router's own table (a new route is covered without being
//! named here) × no member and every role × the member's own story and someone else's × a
//! well-formed body and malformed ones: the status is the one the route's declared need
//! gives, nothing of another member's unpublished story is in any answer to a member who may
//! not see it, and a malformed request changes nothing.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use byline::router::{AdminRoute, App, admin_routes};
use byline_core::access::{Ownership, Role};
use byline_core::accounts::{NewUser, UserId};
use byline_core::editorial::{PreviewLink, StoryFields};
use byline_core::newsletter::{DraftInput, IssueContent};
use byline_core::store::Store;
use byline_core::workflow::{Need, sees_others_work};
use byline_core::{Email, Picture, PictureId, PictureSource, StoryId};
use chrono::Utc;
use tower::ServiceExt;

use crate::editorial::multipart;
use crate::support::{Site, shared};

/// Written into the other member's draft (headline, body, its photo's caption) and its
/// preview token: none of it may reach a member who may not see that draft.
const SECRET: &str = "zq7secretmarker";

/// What an answer must be, from the route's need and the member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Sent to the sign-in page.
    SignIn,
    /// 403, before anything is read.
    Refused,
    /// Let through: whatever the handler says, but not a refusal, a sign-in or a failure.
    Admitted,
}

fn expect(need: Need, role: Option<Role>, ownership: Ownership) -> Expect {
    let Some(role) = role else {
        return if need == Need::Anyone {
            Expect::Admitted
        } else {
            Expect::SignIn
        };
    };
    let admitted = match need {
        Need::Anyone | Need::Member => true,
        Need::Role(permission) => byline_core::access::allows(role, permission, Ownership::Own),
        Need::Story(access) => access.allows(role, ownership, byline_core::Status::Draft),
    };
    if admitted {
        Expect::Admitted
    } else {
        Expect::Refused
    }
}

/// Declarations checked by hand, so that a route declared too loosely fails here too.
const BY_HAND: &[(&str, &str, Role, Ownership, Expect)] = &[
    (
        "GET",
        "/admin/subscribers",
        Role::Editor,
        Ownership::Own,
        Expect::Refused,
    ),
    (
        "GET",
        "/admin/subscribers",
        Role::Admin,
        Ownership::Own,
        Expect::Admitted,
    ),
    (
        "POST",
        "/admin/subscribers/erase",
        Role::Editor,
        Ownership::Own,
        Expect::Refused,
    ),
    (
        "GET",
        "/admin/members",
        Role::Editor,
        Ownership::Own,
        Expect::Refused,
    ),
    (
        "POST",
        "/admin/members/{id}/disable",
        Role::Editor,
        Ownership::Own,
        Expect::Refused,
    ),
    (
        "POST",
        "/admin/sections",
        Role::Editor,
        Ownership::Own,
        Expect::Refused,
    ),
    (
        "POST",
        "/admin/media/{id}",
        Role::Author,
        Ownership::Own,
        Expect::Refused,
    ),
    (
        "POST",
        "/admin/media/{id}",
        Role::Editor,
        Ownership::Own,
        Expect::Admitted,
    ),
    (
        "GET",
        "/admin/curation",
        Role::Author,
        Ownership::Own,
        Expect::Refused,
    ),
    (
        "GET",
        "/admin/newsletter",
        Role::Author,
        Ownership::Own,
        Expect::Refused,
    ),
    (
        "GET",
        "/admin/newsletter",
        Role::Editor,
        Ownership::Own,
        Expect::Admitted,
    ),
    (
        "GET",
        "/admin/stories/{id}",
        Role::Author,
        Ownership::Others,
        Expect::Refused,
    ),
    (
        "GET",
        "/admin/stories/{id}",
        Role::Editor,
        Ownership::Others,
        Expect::Admitted,
    ),
    (
        "POST",
        "/admin/stories/{id}/photo",
        Role::Contributor,
        Ownership::Others,
        Expect::Refused,
    ),
    (
        "POST",
        "/admin/stories/{id}/photo",
        Role::Contributor,
        Ownership::Own,
        Expect::Admitted,
    ),
    (
        "GET",
        "/admin/stories/{id}/revisions",
        Role::Author,
        Ownership::Others,
        Expect::Refused,
    ),
    (
        "POST",
        "/admin/stories/{id}/corrections",
        Role::Author,
        Ownership::Own,
        Expect::Refused,
    ),
];

/// A site with a member of every role and the author whose drafts are "someone else's".
struct World {
    site: Site,
    app: App,
    store: Arc<dyn Store>,
    owner: UserId,
    members: Vec<(Role, UserId)>,
    photo: Vec<u8>,
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

async fn world() -> World {
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
struct Fixture {
    cookie: Option<String>,
    csrf: String,
    own: StoryId,
    other: StoryId,
    picture: PictureId,
    draft: i64,
    issue: i64,
    target: UserId,
    /// A live sign-in link of the target member.
    invitation: String,
}

/// The other member's draft's preview token (hex, like every token).
fn secret_token(n: usize) -> String {
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

async fn fixture(world: &World, role: Option<Role>, n: usize) -> Fixture {
    let store = world.store.as_ref();
    let now = Utc::now();
    let link = |token: String| PreviewLink {
        token,
        expires_at: now + chrono::Duration::days(1),
    };
    let actor = role.map(|r| world.members.iter().find(|(m, _)| *m == r).unwrap().1);
    let (cookie, csrf) = match actor {
        Some(id) => {
            let token = byline::admin::auth::random_token();
            let csrf = byline::admin::auth::random_token();
            store
                .create_session(&byline::admin::auth::token_hash(&token), id, &csrf, now)
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
    store
        .use_picture(other, picture, Some(format!("Caption {SECRET}")), now)
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
    let invitation = byline::admin::auth::random_token();
    store
        .create_signin_link(
            &byline::admin::auth::token_hash(&invitation),
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
fn path_of(route: &AdminRoute, f: &Fixture, ownership: Ownership) -> String {
    let id = if route.path.starts_with("/admin/stories/") {
        match ownership {
            Ownership::Own => f.own.0,
            Ownership::Others => f.other.0,
        }
    } else if route.path.starts_with("/admin/media/") {
        f.picture.0
    } else if route.path.starts_with("/admin/newsletter/drafts/") {
        f.draft
    } else if route.path.starts_with("/admin/newsletter/issues/") {
        f.issue
    } else {
        f.target.0
    };
    route
        .path
        .replace("{id}", &id.to_string())
        .replace("{number}", "1")
        .replace("{token}", &f.invitation)
}

/// A request the route's handler can act on: its form fields (with the CSRF token).
fn well_formed(route: &AdminRoute, f: &Fixture, photo: &[u8]) -> (String, Vec<u8>) {
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
        return multipart(&all, Some(photo));
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
fn malformed() -> Vec<(String, Vec<u8>)> {
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

/// Status, `Location` (with `+cookie` when the answer sets one) and page.
async fn send(
    app: &App,
    method: &Method,
    path: &str,
    cookie: Option<&str>,
    body: Option<(String, Vec<u8>)>,
) -> (StatusCode, String, String) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = cookie {
        request = request.header("cookie", format!("byline_session={token}"));
    }
    let body = match body {
        Some((content_type, bytes)) => {
            request = request.header("content-type", content_type);
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let mut location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    if response.headers().contains_key("set-cookie") {
        location.push_str("+cookie");
    }
    let bytes = axum::body::to_bytes(response.into_body(), 50 << 20)
        .await
        .unwrap();
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// What a malformed request must not have changed.
async fn snapshot(world: &World, f: &Fixture) -> String {
    let store = world.store.as_ref();
    let mut seen = String::new();
    for id in [f.own, f.other] {
        let s = store.editor_story(id).await.unwrap().unwrap();
        seen += &format!(
            "{} {} {} {:?} {:?}|",
            s.revision,
            s.status.as_str(),
            s.headline.as_str(),
            s.lead_picture.map(|p| (p.credit, p.caption)),
            s.preview_token
        );
    }
    let picture = store.library_picture(f.picture).await.unwrap();
    seen += &format!("{:?}|", picture.map(|p| p.picture.credit));
    seen += &format!(
        "{:?}|",
        store.draft(f.draft).await.unwrap().map(|d| d.input)
    );
    let members = store.members().await.unwrap();
    let target = members.iter().find(|m| m.user.id == f.target).unwrap();
    seen += &format!(
        "{:?}|{}",
        target.disabled_at,
        members.iter().map(|m| m.sessions.len()).sum::<usize>()
    );
    seen
}

fn check(
    case: &str,
    expected: Expect,
    (status, location, page): &(StatusCode, String, String),
    malformed: bool,
) {
    match expected {
        Expect::SignIn => assert!(
            *status == StatusCode::SEE_OTHER && location == "/admin/login",
            "{case}: {status} {location} (expected the sign-in page)"
        ),
        Expect::Refused => assert_eq!(*status, StatusCode::FORBIDDEN, "{case}: {page}"),
        Expect::Admitted if malformed => assert!(
            status.is_client_error(),
            "{case}: {status} (a malformed request is a 4xx): {page}"
        ),
        // Signing out also leads to the sign-in page, with the cookie removed; the gate's
        // refusal sets none.
        Expect::Admitted => assert!(
            *status != StatusCode::FORBIDDEN
                && location != "/admin/login"
                && !status.is_server_error(),
            "{case}: {status} {location}: {page}"
        ),
    }
}

#[tokio::test]
async fn every_admin_route_refuses_before_reading_and_shows_no_one_elses_work() {
    let world = world().await;
    let routes = admin_routes(25 << 20);
    let actors: Vec<Option<Role>> = std::iter::once(None)
        .chain(Role::ALL.into_iter().map(Some))
        .collect();
    let mut cases = 0;
    let mut n = 0;
    for route in &routes {
        let ownerships: &[Ownership] = if route.path.starts_with("/admin/stories/{id}") {
            &[Ownership::Own, Ownership::Others]
        } else {
            &[Ownership::Own]
        };
        for &role in &actors {
            for &ownership in ownerships {
                let expected = expect(route.need, role, ownership);
                if let Some(by_hand) = BY_HAND.iter().find(|(m, p, r, o, _)| {
                    *m == route.method.as_str()
                        && *p == route.path
                        && Some(*r) == role
                        && *o == ownership
                }) {
                    assert_eq!(
                        expected, by_hand.4,
                        "{} {} declared",
                        route.method, route.path
                    );
                }
                let may_see_others = role.is_some_and(sees_others_work);
                let mut bodies: Vec<(Option<(String, Vec<u8>)>, bool)> = Vec::new();
                n += 1;
                let f = fixture(&world, role, n).await;
                let path = path_of(route, &f, ownership);
                if route.method == Method::GET {
                    bodies.push((None, false));
                } else {
                    bodies.push((Some(well_formed(route, &f, &world.photo)), false));
                    bodies.extend(malformed().into_iter().map(|b| (Some(b), true)));
                }
                // Malformed requests first, on an untouched fixture; then the real one.
                bodies.sort_by_key(|(_, bad)| !bad);
                for (body, bad) in bodies {
                    let case = format!(
                        "{} {path} as {} on {ownership:?}{}",
                        route.method,
                        role.map_or("nobody", Role::as_str),
                        if bad { " (malformed)" } else { "" }
                    );
                    let before = snapshot(&world, &f).await;
                    let answer =
                        send(&world.app, &route.method, &path, f.cookie.as_deref(), body).await;
                    check(&case, expected, &answer, bad);
                    if !may_see_others {
                        assert!(
                            !answer.2.contains(SECRET) && !answer.2.contains(&secret_token(n)),
                            "{case}: another member's draft shows: {}",
                            answer.2
                        );
                    }
                    if bad || expected != Expect::Admitted {
                        assert_eq!(
                            snapshot(&world, &f).await,
                            before,
                            "{case} changed something"
                        );
                    }
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 500, "{cases} cases");
    drop(world.site);
}
