//! Every admin route, read from the router's own table (a new route is covered without being
//! named here) × no member and every role × the member's own story and someone else's × a
//! well-formed body and malformed ones: the status is the one the route's declared need
//! gives, nothing of another member's unpublished story is in any answer to a member who may
//! not see it, and a malformed request changes nothing.

use axum::http::{Method, StatusCode};
use byline::router::{App, admin_routes};
use byline_core::access::{Ownership, Role};
use byline_core::workflow::{Need, sees_others_work};

use super::walk::{Fixture, World, fixture, malformed, path_of, secret_token, well_formed, world};

/// Written into the other member's draft (headline, body, its photo's caption) and its
/// preview token: none of it may reach a member who may not see that draft.
pub(super) const SECRET: &str = "zq7secretmarker";

/// A request body as sent: its content type and bytes.
pub(super) type Sent = (String, Vec<u8>);

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

/// Declarations checked by hand, so that a route declared too loosely fails here too:
/// method, route, role, whose story, expected.
const BY_HAND: &str = "
    GET  /admin/subscribers                 editor      own    refused
    GET  /admin/subscribers                 admin       own    admitted
    POST /admin/subscribers/erase           editor      own    refused
    GET  /admin/members                     editor      own    refused
    POST /admin/members/{id}/disable        editor      own    refused
    POST /admin/sections                    editor      own    refused
    POST /admin/media/{id}                  author      own    refused
    POST /admin/media/{id}                  editor      own    admitted
    GET  /admin/curation                    author      own    refused
    GET  /admin/newsletter                  author      own    refused
    GET  /admin/newsletter                  editor      own    admitted
    GET  /admin/stories/{id}                author      others refused
    GET  /admin/stories/{id}                editor      others admitted
    POST /admin/stories/{id}/photo          contributor others refused
    POST /admin/stories/{id}/photo          contributor own    admitted
    GET  /admin/stories/{id}/revisions      author      others refused
    POST /admin/stories/{id}/corrections    author      own    refused
";

/// The expectation written by hand for this case, if any.
fn by_hand(
    method: &Method,
    path: &str,
    role: Option<Role>,
    ownership: Ownership,
) -> Option<Expect> {
    BY_HAND.lines().find_map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [m, p, r, o, e] = words[..] else {
            return None;
        };
        let whose = if o == "own" {
            Ownership::Own
        } else {
            Ownership::Others
        };
        let matches = m == method.as_str()
            && p == path
            && role.map(Role::as_str) == Some(r)
            && whose == ownership;
        matches.then(|| {
            if e == "refused" {
                Expect::Refused
            } else {
                Expect::Admitted
            }
        })
    })
}

/// Status, `Location` (with `+cookie` when the answer sets one) and page.
async fn send(
    app: &App,
    method: &Method,
    path: &str,
    session: Option<&str>,
    body: Option<Sent>,
) -> (StatusCode, String, String) {
    let (status, headers, bytes) =
        crate::support::request(app, method.as_str(), path, session, body).await;
    let mut location = headers
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    if headers.contains_key("set-cookie") {
        location.push_str("+cookie");
    }
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
                if let Some(written) = by_hand(&route.method, route.path, role, ownership) {
                    assert_eq!(
                        expected, written,
                        "{} {} declared",
                        route.method, route.path
                    );
                }
                let may_see_others = role.is_some_and(sees_others_work);
                let mut bodies: Vec<(Option<Sent>, bool)> = Vec::new();
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
