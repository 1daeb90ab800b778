//! Benchmark: saving a story through the editor's use case (Markdown rendered, sanitized, a new
//! revision written, lost-update check) and publishing it, with 10,000 stories and 100,000
//! revisions in a real SQLite file. Prints median and p99. Run: `cargo bench -p byline`.

use std::time::Instant;

use byline::admin::editor_form::EditorForm;
use byline_core::StoryId;
use byline_core::accounts::NewUser;
use byline_core::editorial::{EditOutcome, StatusChange, StoryEdit};
use byline_core::{Email, Status};
use chrono::Utc;

const STORIES: usize = 10_000;
const REVISIONS_PER_STORY: usize = 10;
const MEASURED: usize = 1_000;

fn body(n: usize) -> String {
    let paragraph = "The council met on Tuesday and agreed the harbour budget after a long debate about dues, \
                     dredging and the ferry timetable for the coming winter season. ";
    (0..12)
        .map(|k| format!("{}{n} {k}\n\n", paragraph.repeat(3)))
        .collect()
}

fn form(headline: &str, body: String, revision: i64) -> EditorForm {
    EditorForm {
        headline: headline.to_owned(),
        body,
        revision,
        authors: "Bench Writer".into(),
        ..EditorForm::default()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = byline::server::DataDir::create(dir.path())?;
    let store = data.open_store().await?;
    let user = store
        .create_user(NewUser {
            email: Email::parse("bench@example.org").map_err(anyhow::Error::msg)?,
            name: "Bench Writer".into(),
            role: byline_core::access::Role::Editor,
            password_hash: None,
            created_at: Utc::now(),
        })
        .await?;
    let started = Instant::now();
    for n in 0..STORIES {
        let fields = form(&format!("Story number {n}"), body(n), 0)
            .check("en", None)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let id = store
            .create_draft(fields, user.id, &preview(n), Utc::now())
            .await?;
        for r in 1..REVISIONS_PER_STORY {
            let fields = form(&format!("Story number {n}"), body(n + r), 0)
                .check("en", None)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let edit = StoryEdit {
                fields,
                expected_revision: r as i64,
                user: user.id,
                now: Utc::now(),
            };
            store.save_edit(id, edit).await?;
        }
    }
    println!(
        "filled: {STORIES} stories, {} revisions in {:.1} s",
        STORIES * REVISIONS_PER_STORY,
        started.elapsed().as_secs_f64()
    );

    let mut saves = Vec::with_capacity(MEASURED);
    let mut publishes = Vec::with_capacity(MEASURED);
    for k in 0..MEASURED {
        let id = StoryId((k * 7 % STORIES) as i64 + 1);
        let current = store.editor_story(id).await?.expect("a story");
        let t0 = Instant::now();
        let fields = form(current.headline.as_str(), body(k + 100), current.revision)
            .check("en", Some(&current.slug))
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let edit = StoryEdit {
            fields,
            expected_revision: current.revision,
            user: user.id,
            now: Utc::now(),
        };
        let EditOutcome::Saved { .. } = store.save_edit(id, edit).await? else {
            anyhow::bail!("unexpected conflict")
        };
        saves.push(t0.elapsed().as_secs_f64() * 1000.0);
        if current.status == Status::Draft {
            let t1 = Instant::now();
            let change = StatusChange {
                from: Status::Draft,
                to: Status::Published,
                at: None,
                now: Utc::now(),
            };
            store.change_status(id, change).await?;
            publishes.push(t1.elapsed().as_secs_f64() * 1000.0);
        }
    }
    saves.sort_by(f64::total_cmp);
    publishes.sort_by(f64::total_cmp);
    println!(
        "save (render, sanitize, revision): {} saves, median {:.2} ms, p99 {:.2} ms",
        saves.len(),
        percentile(&saves, 0.5),
        percentile(&saves, 0.99)
    );
    println!(
        "publish: {} publications, median {:.2} ms, p99 {:.2} ms",
        publishes.len(),
        percentile(&publishes, 0.5),
        percentile(&publishes, 0.99)
    );
    Ok(())
}

/// A preview link for the `n`th story.
fn preview(n: usize) -> byline_core::editorial::PreviewLink {
    byline_core::editorial::PreviewLink {
        token: format!("{n:064x}"),
        expires_at: Utc::now() + chrono::Duration::days(7),
    }
}
