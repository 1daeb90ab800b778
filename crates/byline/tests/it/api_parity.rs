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
