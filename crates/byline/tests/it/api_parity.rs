//! The API and the admin give one member the same answers: every role runs the same story
//! operations once through the admin's forms and once through the Admin API with the
//! member's personal token, on their own stories and on another member's, and each step
//! ends alike (done, or refused the same way).

use axum::http::StatusCode;
use byline::router::App;
use serde_json::json;

use crate::api::{call, token};
use crate::editorial::{Member, member};
use crate::support::Site;

/// How a step ended, whatever the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Done,
    Refused(u16),
}

fn ended(status: StatusCode) -> Ended {
    if status.is_success() || status == StatusCode::SEE_OTHER {
        Ended::Done
    } else {
        Ended::Refused(status.as_u16())
    }
}

/// One operation on one story.
#[derive(Debug, Clone, Copy)]
enum Step {
    Edit,
    Move(&'static str),
    Correct,
}

async fn through_admin(app: &App, who: &Member, id: i64, step: Step) -> Ended {
    let (status, _, _) = match step {
        Step::Edit => {
            let revision = match who.get(app, &format!("/admin/stories/{id}")).await {
                (StatusCode::OK, _) => who.revision(app, id).await,
                _ => "1".to_owned(),
            };
            who.save(app, id, &revision, "Edited headline", "Edited.", "")
                .await
        }
        Step::Move(action) => who.act(app, id, action, "").await,
        Step::Correct => {
            let path = format!("/admin/stories/{id}/corrections");
            who.post(app, &path, "note=A+correction").await
        }
    };
    ended(status)
}

async fn through_api(app: &App, token: &str, id: i64, step: Step) -> Ended {
    let path = format!("/api/v1/admin/stories/{id}");
    let (status, _, _) = match step {
        Step::Edit => {
            let (_, headers, _) = call(app, "GET", &path, Some(token), None, &[]).await;
            let etag = headers
                .get("etag")
                .map_or("\"r1\"".to_owned(), |v| v.to_str().unwrap().to_owned());
            let body = json!({"headline": "Edited headline", "body": "Edited.", "authors": ["Test Member"]});
            call(
                app,
                "PUT",
                &path,
                Some(token),
                Some(body),
                &[("if-match", &etag)],
            )
            .await
        }
        Step::Move(transition) => {
            let body = json!({"transition": transition});
            call(
                app,
                "POST",
                &format!("{path}/status"),
                Some(token),
                Some(body),
                &[],
            )
            .await
        }
        Step::Correct => {
            let body = json!({"note": "A correction"});
            call(
                app,
                "POST",
                &format!("{path}/corrections"),
                Some(token),
                Some(body),
                &[],
            )
            .await
        }
    };
    ended(status)
}

const OWN: [Step; 6] = [
    Step::Edit,
    Step::Move("submit"),
    Step::Move("publish"),
    Step::Correct,
    Step::Move("unpublish"),
    Step::Move("return_to_draft"),
];

const OTHERS: [Step; 5] = [
    Step::Edit,
    Step::Correct,
    Step::Move("unpublish"),
    Step::Move("publish"),
    Step::Move("return_to_draft"),
];

/// A public story's slug, as the Content API gives it.
async fn slug_of(app: &App, id: i64) -> String {
    let path = format!("/api/v1/stories/{id}");
    call(app, "GET", &path, None, None, &[]).await.2["slug"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A published story of `owner`, made through the admin.
async fn published(app: &App, owner: &Member, n: usize) -> i64 {
    let id = owner
        .write(app, &format!("Owner's story {n}"), "Text.")
        .await;
    let (status, _, page) = owner.act(app, id, "publish", "").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    id
}

#[tokio::test]
async fn every_role_gets_the_same_answers_from_the_api_and_the_admin() {
    let site = Site::new("");
    let app = site.app().await;
    let owner = member(&app, &site, "owner@example.com", "editor").await;
    for (n, role) in ["contributor", "author", "editor", "admin"]
        .into_iter()
        .enumerate()
    {
        let email = format!("{role}@example.com");
        let who = member(&app, &site, &email, role).await;
        let api = token(
            &site,
            &["--name", &format!("{role}'s token"), "--member", &email],
        );
        let mine_admin = who
            .write(&app, &format!("{role} via the admin"), "Text.")
            .await;
        let body = json!({"headline": format!("{role} via the API"), "body": "Text.", "authors": ["Test Member"]});
        let (status, _, made) = call(
            &app,
            "POST",
            "/api/v1/admin/stories",
            Some(&api),
            Some(body),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{role}: {made}");
        let mine_api = made["id"].as_i64().unwrap();
        let mut outcomes = Vec::new();
        for step in OWN {
            let by_admin = through_admin(&app, &who, mine_admin, step).await;
            let by_api = through_api(&app, &api, mine_api, step).await;
            assert_eq!(by_admin, by_api, "{role}, own story, {step:?}");
            outcomes.push(by_api);
        }
        let (theirs_admin, theirs_api) = (
            published(&app, &owner, 2 * n).await,
            published(&app, &owner, 2 * n + 1).await,
        );
        for step in OTHERS {
            let by_admin = through_admin(&app, &who, theirs_admin, step).await;
            let by_api = through_api(&app, &api, theirs_api, step).await;
            assert_eq!(by_admin, by_api, "{role}, another's story, {step:?}");
            outcomes.push(by_api);
        }
        // The table is not vacuous: each role is allowed some steps and refused others as
        // the permission table says.
        let done = outcomes.iter().filter(|o| **o == Ended::Done).count();
        match role {
            "contributor" => assert_eq!(done, 2, "{role} edits and submits its own: {outcomes:?}"),
            "author" => assert!((3..OWN.len() + 1).contains(&done), "{role}: {outcomes:?}"),
            _ => assert!(done >= OWN.len() + 2, "{role}: {outcomes:?}"),
        }
    }
}

/// The desk's operations beyond stories, for every role, through the admin's forms and the
/// Admin API: curation, sections, newsletter drafts, a library picture's words and a story's
/// lead picture from the library.
#[tokio::test]
async fn every_role_gets_the_same_answers_for_the_desk() {
    let site = Site::new("");
    let app = site.app().await;
    let owner = member(&app, &site, "owner@example.com", "admin").await;
    let (a, b) = (
        published(&app, &owner, 1).await,
        published(&app, &owner, 2).await,
    );
    let (slug_a, slug_b) = (slug_of(&app, a).await, slug_of(&app, b).await);
    let chief = token(&site, &["--name", "chief", "--member", "owner@example.com"]);
    let photo = std::fs::read(
        crate::support::shared()
            .join("fixtures/photos/superdesk-core/IPTC-PhotometadataRef-Std2017.1.jpg"),
    )
    .unwrap();
    let body = Some(("image/jpeg".to_owned(), photo));
    let headers = [("authorization".to_owned(), format!("Bearer {chief}"))];
    let (status, _, made) =
        crate::support::request_with(&app, "POST", "/api/v1/admin/pictures", &headers, body).await;
    assert_eq!(status, StatusCode::CREATED);
    let picture = serde_json::from_slice::<serde_json::Value>(&made).unwrap()["id"]
        .as_i64()
        .unwrap();
    for (n, role) in ["contributor", "author", "editor", "admin"]
        .into_iter()
        .enumerate()
    {
        let email = format!("{role}@example.com");
        let who = member(&app, &site, &email, role).await;
        let api = token(
            &site,
            &["--name", &format!("{role}'s token"), "--member", &email],
        );
        let mut steps: Vec<(&str, Ended, Ended)> = Vec::new();

        let (status, _, _) = who
            .post(
                &app,
                "/admin/curation",
                &format!("lead={slug_a}&pick1={slug_b}"),
            )
            .await;
        let body = json!({"lead": slug_b, "picks": [slug_a]});
        let (api_status, _, _) = call(
            &app,
            "PUT",
            "/api/v1/admin/curation",
            Some(&api),
            Some(body),
            &[],
        )
        .await;
        steps.push(("curate", ended(status), ended(api_status)));

        let form = format!("name=Desk+{n}&slug=desk-{n}&description=&position=1");
        let (status, _, _) = who.post(&app, "/admin/sections", &form).await;
        let body = json!({"name": format!("Desk {n} by API"), "position": 2});
        let path = format!("/api/v1/admin/sections/api-desk-{n}");
        let (api_status, _, _) = call(&app, "PUT", &path, Some(&api), Some(body), &[]).await;
        steps.push(("section", ended(status), ended(api_status)));

        let form = format!("subject=Week+{n}&intro=Hello&story={slug_a}");
        let (status, _, _) = who.post(&app, "/admin/newsletter/drafts", &form).await;
        let body = json!({"subject": format!("Week {n}"), "intro": "Hello", "stories": [slug_a]});
        let drafts = "/api/v1/admin/newsletter/drafts";
        let (api_status, _, _) = call(&app, "POST", drafts, Some(&api), Some(body), &[]).await;
        steps.push(("newsletter draft", ended(status), ended(api_status)));

        let form =
            "credit=Desk+credit&caption=A+caption&alt=Alt&keywords=harbour&focus_x=40&focus_y=60";
        let (status, _, _) = who
            .post(&app, &format!("/admin/media/{picture}"), form)
            .await;
        let body = json!({"credit": "Desk credit", "caption": "A caption", "alt": "Alt", "keywords": ["harbour"], "focus_x": 40, "focus_y": 60});
        let path = format!("/api/v1/admin/pictures/{picture}");
        let (api_status, _, _) = call(&app, "PUT", &path, Some(&api), Some(body), &[]).await;
        steps.push(("picture words", ended(status), ended(api_status)));

        let mine_admin = who
            .write(&app, &format!("{role}'s photo story"), "Text.")
            .await;
        let body = json!({"headline": format!("{role}'s API photo story"), "body": "Text."});
        let (_, _, made) = call(
            &app,
            "POST",
            "/api/v1/admin/stories",
            Some(&api),
            Some(body),
            &[],
        )
        .await;
        let form = format!("picture={picture}&caption=");
        let (status, _, _) = who
            .post(
                &app,
                &format!("/admin/stories/{mine_admin}/photo/use"),
                &form,
            )
            .await;
        let path = format!("/api/v1/admin/stories/{}/lead-picture", made["id"]);
        let body = json!({"picture_id": picture});
        let (api_status, _, _) = call(&app, "PUT", &path, Some(&api), Some(body), &[]).await;
        steps.push(("lead picture", ended(status), ended(api_status)));

        for (step, by_admin, by_api) in &steps {
            assert_eq!(by_admin, by_api, "{role}: {step}");
        }
        let done: Vec<&str> = steps
            .iter()
            .filter(|(_, _, e)| *e == Ended::Done)
            .map(|(s, _, _)| *s)
            .collect();
        let expected: &[&str] = match role {
            "contributor" | "author" => &["lead picture"],
            "editor" => &[
                "curate",
                "newsletter draft",
                "picture words",
                "lead picture",
            ],
            _ => &[
                "curate",
                "section",
                "newsletter draft",
                "picture words",
                "lead picture",
            ],
        };
        assert_eq!(done, expected, "{role}: what the permission table allows");
    }
}
