//! Several `byline serve` nodes on one store: a story an editor publishes through one node is
//! served by another, in its `Latest` and at its address, within a second (on PostgreSQL the
//! commit is announced with `NOTIFY`; on SQLite the other node reads the change log).

use std::time::{Duration, Instant};

use crate::admin_accounts::{add_user, csrf_of, login_form};
use crate::support::{Item, Site, enc, http_exchange, http_get};

/// An editor signed in to one node over HTTP.
pub struct Editor {
    pub url: String,
    pub cookie: String,
    pub csrf: String,
}

impl Editor {
    pub fn sign_in(url: &str, email: &str, password: &str) -> Editor {
        let (status, head, _) = form_post(url, "/admin/login", "", &login_form(email, password));
        assert_eq!(status, 303, "signed in");
        let cookie = head
            .lines()
            .find_map(|l| l.strip_prefix("set-cookie: byline_session="))
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let (_, _, admin) = http_exchange(
            "GET",
            &format!("{url}/admin"),
            &format!("Cookie: byline_session={cookie}\r\n"),
            "",
        );
        Editor {
            url: url.to_owned(),
            csrf: csrf_of(&admin),
            cookie,
        }
    }

    /// POSTs a form with the session and CSRF token; the status and the `Location` header.
    pub fn post(&self, path: &str, form: &str) -> (u16, String) {
        let (status, head, _) = form_post(
            &self.url,
            path,
            &format!("Cookie: byline_session={}\r\n", self.cookie),
            &format!("csrf={}&{form}", self.csrf),
        );
        let location = head
            .lines()
            .find_map(|l| l.strip_prefix("location: "))
            .unwrap_or_default()
            .to_owned();
        (status, location)
    }
}

fn form_post(url: &str, path: &str, headers: &str, form: &str) -> (u16, String, String) {
    http_exchange(
        "POST",
        &format!("{url}{path}"),
        &format!(
            "{headers}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            form.len()
        ),
        form,
    )
}

#[test]
fn a_story_published_through_one_node_is_served_by_another_within_a_second() {
    let site = Site::new("");
    let items = tempfile::tempdir().unwrap();
    let first = Item::new("urn:test:nodes:1", "The first story on the wire")
        .created("2024-06-01T10:00:00Z")
        .write(items.path(), "1.json");
    assert!(site.import(&[&first]).2);
    add_user(&site, "ed@example.org", "editor", "two nodes passphrase");
    let node_a = site.serve();
    let node_b = site.serve();
    // Node B has its pages cached before the publication.
    let old_article = format!("{}/story/the-first-story-on-the-wire", node_b.url);
    for url in [format!("{}/latest", node_b.url), old_article.clone()] {
        assert_eq!(http_get(&url).0, 200);
        assert_eq!(http_get(&url).0, 200);
    }

    let editor = Editor::sign_in(&node_a.url, "ed@example.org", "two nodes passphrase");
    let headline = "Ferry returns after the storm";
    let (status, location) = editor.post(
        "/admin/stories",
        &format!(
            "headline={}&body=Service+resumed.&body_format=markdown&authors=Ed",
            enc(headline)
        ),
    );
    assert_eq!(status, 303);
    let published = Instant::now();
    let (status, _) = editor.post(&format!("{location}/status"), "action=publish&at=");
    assert_eq!(status, 303, "published through node A");

    let shown = |url: &str| http_get(url).1.contains(headline);
    while !shown(&format!("{}/latest", node_b.url)) {
        assert!(
            published.elapsed() < Duration::from_secs(1),
            "node B's Latest still lacks the story after a second"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        shown(&old_article),
        "node B's other articles show it in their Latest rail"
    );
    let (status, page) = http_get(&format!(
        "{}/story/ferry-returns-after-the-storm",
        node_b.url
    ));
    assert_eq!(status, 200);
    assert!(page.contains(headline));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_publications_run_once_across_nodes_when_one_is_killed() {
    let site = Site::new("");
    let items = tempfile::tempdir().unwrap();
    // 100 stories embargoed (so scheduled) for two moments a second apart, soon.
    let first = chrono::Utc::now() + chrono::Duration::seconds(3);
    let paths: Vec<_> = (0..100)
        .map(|n| {
            let due = first + chrono::Duration::seconds(n % 2);
            Item::new(
                &format!("urn:test:jobs:{n}"),
                &format!("Embargoed story {n}"),
            )
            .created("2024-06-01T10:00:00Z")
            .set(
                "embargoed",
                serde_json::json!(due.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            )
            .write(items.path(), &format!("{n}.json"))
        })
        .collect();
    let (_, err, ok) = site.import(&paths.iter().map(|p| p.as_path()).collect::<Vec<_>>());
    assert!(ok, "{err}");
    let store = site.data_dir().open_store().await.unwrap();
    let before = store.last_change().await.unwrap();

    let node_a = site.serve();
    let node_b = site.serve();
    // Kill node A with SIGKILL as the first publications fall due.
    let wait = (first - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(5)).await;
    drop(node_a);

    let published = || async {
        let query = byline_core::store::AdminQuery {
            status: Some(byline_core::Status::Published),
            limit: 200,
            ..Default::default()
        };
        store.admin_stories(&query).await.unwrap().0.len()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while published().await < 100 {
        assert!(Instant::now() < deadline, "node B did not publish the rest");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Each publication recorded its change exactly once: no job ran twice.
    let changes = store.changes_since(before).await.unwrap();
    let mut per_story = std::collections::HashMap::new();
    for (_, keys) in &changes {
        for key in keys
            .iter()
            .filter(|k| matches!(k, byline_core::changes::CacheKey::Story(_)))
        {
            *per_story.entry(key.clone()).or_insert(0) += 1;
        }
    }
    assert_eq!(per_story.len(), 100);
    assert!(
        per_story.values().all(|&n| n == 1),
        "a publication ran twice: {per_story:?}"
    );
    assert_eq!(store.pending_jobs().await.unwrap(), 0);
    drop(node_b);
}
