//! Curation and the story list: lead, picks, sections, tags, filters.

use axum::http::StatusCode;

use super::*;
use crate::support::{Site, enc, get};

#[tokio::test]
async fn editors_choose_the_lead_and_the_picks_and_admins_manage_sections() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let author = member(&app, &site, "au@example.org", "author").await;
    let admin = member(&app, &site, "ad@example.org", "admin").await;
    for title in ["Oldest story", "Middle story", "Newest story"] {
        let id = ed.write(&app, title, &format!("{title} text.")).await;
        ed.act(&app, id, "publish", "").await;
    }
    assert_eq!(
        author.get(&app, "/admin/curation").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _, _) = author
        .post(&app, "/admin/curation", "lead=oldest-story")
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the server checks, whatever the page shows"
    );

    let (status, _, page) = ed
        .post(
            &app,
            "/admin/curation",
            "lead=&pick1=middle-story&pick2=middle-story",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("A story can be picked only once."));
    let (status, _, _) = ed
        .post(
            &app,
            "/admin/curation",
            "lead=oldest-story&pick1=middle-story&pick2=oldest-story",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, home) = get(&app, "/").await;
    assert!(
        home.contains(
            r#"<h2 class="lead-title"><a href="/story/oldest-story">Oldest story</a></h2>"#
        ),
        "{home}"
    );
    let (_, _, article) = get(&app, "/story/newest-story").await;
    let dont_miss = article
        .split("Don't miss")
        .nth(1)
        .unwrap()
        .split("</ol>")
        .next()
        .unwrap();
    assert!(dont_miss.find("Middle story").unwrap() < dont_miss.find("Oldest story").unwrap());
    assert_eq!(dont_miss.matches("class=\"card\"").count(), 2);

    let section = "name=World&slug=&description=News+from+everywhere+else.&position=2";
    assert_eq!(
        ed.post(&app, "/admin/sections", section).await.0,
        StatusCode::FORBIDDEN,
        "editors do not manage sections"
    );
    assert_eq!(
        admin.post(&app, "/admin/sections", section).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        admin
            .post(&app, "/admin/sections", "name=Arts&position=1")
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    let (status, _, page) = admin
        .post(&app, "/admin/sections", "name=Other+World&slug=world")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("the slug world is used by another section"));
    let (_, _, world) = get(&app, "/section/world").await;
    assert!(world.contains(r#"<p class="listing-description">News from everywhere else.</p>"#));
    let nav = world.split("aria-label=\"Sections\"").nth(1).unwrap();
    assert!(
        nav.find(">Arts<").unwrap() < nav.find(">World<").unwrap(),
        "navigation follows the position"
    );

    let tagged = "headline=Tagged+story&body=Text.&tags=harbour+dues";
    let (_, location, _) = ed.post(&app, "/admin/stories", tagged).await;
    let tagged_id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    ed.act(&app, tagged_id, "publish", "").await;
    assert_eq!(
        author
            .post(&app, "/admin/tags", "slug=harbour-dues&name=Harbour+Dues")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ed.post(&app, "/admin/tags", "slug=harbour-dues&name=++")
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        ed.post(&app, "/admin/tags", "slug=harbour-dues&name=Harbour+Dues")
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    let (_, _, tag_page) = get(&app, "/tag/harbour-dues").await;
    assert!(
        tag_page.contains("<h1>Harbour Dues</h1>"),
        "renamed, at the same address"
    );
}

#[tokio::test]
async fn the_story_list_filters_sorts_and_shows_the_schedule() {
    let site = Site::new("");
    let app = site.app().await;
    crate::support::sections(&site, &["Business", "Culture"]).await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let mut ids = Vec::new();
    for (title, section, author) in [
        ("Harbour dues rise", "Business", "Ana Lima"),
        ("Choir wins prize", "Culture", "Bo Chen"),
        ("Ferry timetable 100% changed", "Business", "Bo Chen"),
    ] {
        let form = format!(
            "headline={}&body=Text.&section={section}&authors={}",
            enc(title),
            enc(author)
        );
        let (_, location, _) = ed.post(&app, "/admin/stories", &form).await;
        ids.push(location.rsplit('/').next().unwrap().parse::<i64>().unwrap());
    }
    let soon = chrono::Utc::now() + chrono::Duration::hours(2);
    let later = chrono::Utc::now() + chrono::Duration::hours(5);
    ed.act(
        &app,
        ids[0],
        "schedule",
        &later.format("%Y-%m-%dT%H:%M").to_string(),
    )
    .await;
    ed.act(
        &app,
        ids[2],
        "schedule",
        &soon.format("%Y-%m-%dT%H:%M").to_string(),
    )
    .await;

    let rows = |page: &str| page.matches("<span class=\"status status-").count();
    let (_, business) = ed.get(&app, "/admin?section=business").await;
    assert_eq!(rows(&business), 2);
    assert!(!business.contains("Choir wins prize</a>"));
    let (_, bo) = ed.get(&app, "/admin?author=chen").await;
    assert!(
        bo.contains("Choir wins prize</a>")
            && bo.contains("Ferry timetable")
            && !bo.contains("Harbour dues rise</a>")
    );
    let (_, percent) = ed.get(&app, "/admin?q=100%25").await;
    assert!(
        percent.contains("Ferry timetable 100% changed</a>")
            && !percent.contains("Choir wins prize</a>"),
        "% is literal"
    );
    let (_, schedule) = ed.get(&app, "/admin?status=scheduled&sort=soonest").await;
    let first = schedule.find("Ferry timetable").unwrap();
    let second = schedule.find("Harbour dues rise").unwrap();
    assert!(first < second, "the schedule lists the soonest first");
    assert!(!schedule.contains("Choir wins prize</a>"));
    assert_eq!(
        ed.get(&app, "/admin?sort=sideways").await.0,
        StatusCode::NOT_FOUND
    );
}
