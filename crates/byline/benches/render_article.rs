//! Benchmark (criterion): the cold render of an article page, a 1,500-word story with full
//! rails, lead photo and four picks, in a real SQLite file holding 10,000 published stories.
//! The request goes through the whole application as a reader's would, but carries a session
//! cookie, which makes the page cache step aside, so every iteration renders from the store.
//! Two cases: the rails' stories still shared from an earlier render (a reader's cache miss
//! after an edit of that story), and the rails read from the store too (the first render after
//! a publication). Run: `cargo bench -p byline --bench render_article`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use byline::router::App;
use byline::usecases::imports::Draft;
use byline::usecases::{Actor, Newsroom as Desk, Rules};
use byline_core::store::{SaveOutcome, SectionRef};
use byline_core::{Headline, Picture, PictureSource, RawBody, Slug, Status};
use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use tower::ServiceExt;

const STORIES: usize = 10_000;
const WORDS: &[&str] = &[
    "harbour", "council", "budget", "ferry", "school", "energy", "festival", "market", "wage",
    "election", "hospital", "report", "agency", "union", "tax", "river", "bridge", "museum",
];

/// About 1,500 words in 15 paragraphs, different for each story.
fn body(n: usize) -> String {
    (0..15)
        .map(|p| {
            let words: Vec<&str> = (0..100)
                .map(|w| WORDS[(n * 31 + p * 7 + w * 13) % WORDS.len()])
                .collect();
            format!("<p>{}.</p>", words.join(" "))
        })
        .collect()
}

fn draft(n: usize) -> Draft {
    let desk = ["News", "Business", "Culture", "Sport"][n % 4];
    let now = Utc::now();
    Draft {
        external_id: Some(format!("urn:bench:render:{n}")),
        former_external_ids: Vec::new(),
        version: Some(1),
        headline: Headline::parse(&format!("Harbour council story number {n} makes the news"))
            .expect("a headline"),
        slug: None,
        old_addresses: Vec::new(),
        dry_run: false,
        page: None,
        standfirst: Some(format!("What the council decided, part {n}.")),
        body: RawBody::Html(body(n)),
        section: Some(SectionRef::new(
            Slug::derive(desk).expect("desk names make slugs"),
            desk,
        )),
        tags: vec![desk.to_owned(), WORDS[n % WORDS.len()].to_owned()],
        byline: Some("Ana Reporter and Ben Writer".to_owned()),
        language: "en".to_owned(),
        status: Status::Published,
        published_at: Some(now - Duration::minutes((STORIES - n) as i64)),
        embargo_until: None,
        seo: Default::default(),
        lead_picture: Some(Picture {
            source: PictureSource::Remote {
                url: format!("https://images.example.org/{n}.jpg"),
            },
            credit: Some("EPA/MAXIM SHIPENKOV".to_owned()),
            caption: Some(format!("The harbour at dawn, picture {n}.")),
            alt: Some("Boats in a harbour".to_owned()),
            width: Some(1200),
            height: Some(800),
            content_type: Some("image/jpeg".to_owned()),
            keywords: Vec::new(),
            focus: Default::default(),
            rights: Default::default(),
        }),
        updated_at: now,
        source: "benchmark".to_owned(),
        overwrite: false,
        undated: false,
    }
}

struct Newsroom {
    _dir: tempfile::TempDir,
    app: App,
    state: byline::AppState,
    path: String,
}

async fn newsroom() -> Newsroom {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = byline::server::DataDir::create(dir.path()).expect("a data folder");
    let store = data.open_store().await.expect("the store");
    let rules = Rules {
        credit_required: false,
        preview_days: 1,
        language: "en".to_owned(),
    };
    let desk = Desk::new(store.clone(), rules);
    let mut slugs = Vec::new();
    for n in 0..STORIES {
        let now = chrono::Utc::now();
        match byline::usecases::imports::import_item(&desk, Actor::System, draft(n), now)
            .await
            .expect("saved")
        {
            SaveOutcome::Created { slug, .. } | SaveOutcome::Updated { slug, .. } => {
                slugs.push(slug)
            }
            other => panic!("not saved: {other:?}"),
        }
    }
    store
        .set_picks(&slugs[100..104], chrono::Utc::now())
        .await
        .expect("picks set");
    let config =
        byline::config::Config::load(&dir.path().join("none.toml"), false).expect("config");
    let theme = byline_render::Theme::load(None).expect("the theme");
    let state = byline::AppState::new(
        Arc::clone(&store),
        theme,
        &config,
        "http://byline.test".into(),
        &data,
    )
    .expect("the application state");
    state
        .cache
        .start_at_end(store.as_ref())
        .await
        .expect("the change log");
    Newsroom {
        _dir: dir,
        app: byline::router::router(state.clone()),
        state,
        path: format!("/story/{}", slugs[STORIES / 2]),
    }
}

async fn render(app: &App, path: &str) -> usize {
    let request = Request::get(path)
        .header("cookie", "byline_session=bench")
        .body(Body::empty())
        .expect("a request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    axum::body::to_bytes(response.into_body(), 1 << 22)
        .await
        .expect("the page")
        .len()
}

fn cold_render(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let newsroom = runtime.block_on(newsroom());
    let bytes = runtime.block_on(render(&newsroom.app, &newsroom.path));
    println!("article page: {bytes} bytes, {STORIES} stories in the store");
    let mut group = c.benchmark_group("article page, cold");
    group.bench_function("rails shared", |b| {
        b.to_async(&runtime)
            .iter(|| render(&newsroom.app, &newsroom.path));
    });
    group.bench_function("rails read too", |b| {
        b.to_async(&runtime).iter(|| async {
            newsroom
                .state
                .cache
                .bump(&[byline_core::changes::CacheKey::Rails]);
            render(&newsroom.app, &newsroom.path).await
        });
    });
    group.finish();
}

criterion_group!(benches, cold_render);
criterion_main!(benches);
