//! The layers hold: requests, the command line and the job runners reach the store only
//! through the use cases, and the admin, the public site and the newsletter do not borrow
//! from each other or from the command line (decision 0022). Read from the source, so a
//! shortcut fails here before review.

use std::path::{Path, PathBuf};

fn sources(under: &str) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(under);
    let mut found = Vec::new();
    let mut pending = vec![root];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                pending.push(entry.unwrap().path());
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            found.push((path, text));
        }
    }
    assert!(!found.is_empty(), "no sources under {under}");
    found
}

/// The code without comments and whitespace, so that `state\n    .store` reads as
/// `state.store`.
fn squeezed(text: &str) -> String {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Every method called on something named `store` (`store.save_story(` → `save_story`).
fn store_calls(code: &str) -> Vec<&str> {
    code.match_indices("store.")
        .filter(|(at, _)| {
            // `store` itself, not `media_store.` or `object_store.`.
            !code[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, found)| {
            let rest = &code[at + found.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[test]
fn no_handler_job_or_command_reaches_the_store_but_through_a_use_case() {
    let mut offenders = Vec::new();
    for under in [
        "admin",
        "site",
        "newsletter",
        "cli",
        "jobs.rs",
        "import.rs",
        "demo.rs",
    ] {
        for (path, text) in sources(under) {
            let code = squeezed(&text);
            if code.contains("state.store") || code.contains(".store()") {
                offenders.push(format!("{} reaches the state's store", path.display()));
            }
            // Handing the store on whole (to the archive's export and restore, the site's
            // own machinery) is not a newsroom operation; calling its methods is.
            for call in store_calls(&code) {
                if !["as_ref", "clone"].contains(&call) {
                    offenders.push(format!("{} calls store.{call}", path.display()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}

#[test]
fn the_admin_the_site_and_the_newsletter_share_pieces_instead_of_borrowing() {
    let rules = [
        ("admin", ["crate::site", "crate::cli"]),
        ("site", ["crate::admin", "crate::cli"]),
        ("newsletter", ["crate::admin", "crate::site"]),
        ("usecases", ["crate::admin", "crate::site"]),
    ];
    let mut offenders = Vec::new();
    for (under, forbidden) in rules {
        for (path, text) in sources(under) {
            for other in forbidden {
                if text.contains(other) {
                    offenders.push(format!("{} uses {other}", path.display()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}
