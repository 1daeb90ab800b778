//! Search across the newsroom and the nodes: members find the statuses their role may see,
//! and a story published on one node is found on every other.

use std::time::{Duration, Instant};

use crate::admin_accounts::add_user;
use crate::nodes::Editor;
use crate::search::{UNLIMITED, found, wait_for};
use crate::support::{Site, enc, http_exchange};

#[test]
fn the_newsroom_finds_every_status_its_role_may_see() {
    let site = Site::new(UNLIMITED);
    add_user(
        &site,
        "ed@example.org",
        "editor",
        "search editor passphrase",
    );
    add_user(
        &site,
        "co@example.org",
        "contributor",
        "search contributor passphrase",
    );
    let server = site.serve();
    let editor = Editor::sign_in(&server.url, "ed@example.org", "search editor passphrase");
    let (status, _) = editor.post(
        "/admin/stories",
        "headline=Secret+budget+leak&body=The+draft+names+the+walrus+fund.&body_format=markdown&authors=Ed",
    );
    assert_eq!(status, 303);
    let admin_search = |who: &Editor, q: &str| {
        let (status, _, body) = http_exchange(
            "GET",
            &format!("{}/admin?q={}", who.url, enc(q)),
            &format!("Cookie: byline_session={}\r\n", who.cookie),
            "",
        );
        assert_eq!(status, 200);
        body
    };
    let started = Instant::now();
    while !admin_search(&editor, "walruses").contains("Secret budget leak") {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the editor finds the new draft"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(found(&server, "walrus").is_empty(), "readers do not");
    let contributor = Editor::sign_in(
        &server.url,
        "co@example.org",
        "search contributor passphrase",
    );
    assert!(
        !admin_search(&contributor, "walrus").contains("Secret budget leak"),
        "nor a contributor"
    );
}

#[test]
fn two_nodes_both_find_a_story_published_on_the_other() {
    let site = Site::new(UNLIMITED);
    add_user(
        &site,
        "ed@example.org",
        "editor",
        "two node search passphrase",
    );
    // On PostgreSQL each node has its own data folder and index; on SQLite the nodes share
    // the data folder, one writing the index and the other reading it.
    let mut second = Site::new(UNLIMITED);
    if site.database_url.is_some() {
        second.database_url.clone_from(&site.database_url);
    } else {
        second.data.clone_from(&site.data);
    }
    let node_a = site.serve();
    let node_b = second.serve();
    for (publisher, other) in [(&node_a, &node_b), (&node_b, &node_a)] {
        let editor = Editor::sign_in(
            &publisher.url,
            "ed@example.org",
            "two node search passphrase",
        );
        let headline = if std::ptr::eq(publisher, &node_a) {
            "Glacier retreat measured by the first node"
        } else {
            "Glacier retreat measured by the second node"
        };
        let (status, location) = editor.post(
            "/admin/stories",
            &format!(
                "headline={}&body=Ice+lost.&body_format=markdown&authors=Ed",
                enc(headline)
            ),
        );
        assert_eq!(status, 303);
        let (status, _) = editor.post(&format!("{location}/status"), "action=publish&at=");
        assert_eq!(status, 303);
        for node in [publisher, other] {
            wait_for(
                node,
                "glacier retreat",
                headline,
                true,
                Duration::from_secs(2),
            );
        }
    }
}
