//! Every kind of public page passes the Nu HTML Checker (vnu) with no errors.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{ADS_CONFIG, Item, Site, http_get, shared};

fn vnu_jar() -> PathBuf {
    let jar =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(
        jar.exists(),
        "{} is missing: run `npm ci` (the .ci/run script does)",
        jar.display()
    );
    jar
}

#[test]
fn public_pages_pass_the_nu_html_checker() {
    let site = Site::new(ADS_CONFIG);
    let items = site.dir.path().join("items");
    let out = Command::new("python3")
        .arg(shared().join("seed/seed_to_ninjs.py"))
        .arg(&items)
        .output()
        .unwrap();
    assert!(out.status.success());
    let imported = site.cli(&[
        "import",
        "ninjs",
        "--section",
        "europe",
        items.to_str().unwrap(),
    ]);
    assert!(imported.status.success());
    let tagged = Item::new("urn:test:tags", "A tagged story by two people")
        .subjects(&["Energy", "Trade"])
        .set("by", serde_json::json!("Ana Lima and Bo Chen"))
        .write(&site.dir.path().join("more"), "tagged");
    assert!(site.import(&[&tagged]).2);

    let server = site.serve();
    // The archive's first year, its first month and that month's first day.
    let mut archive = vec![("archive".to_owned(), "/archive".to_owned())];
    for level in ["year", "month", "day"] {
        let (_, html) = http_get(&format!("{}{}", server.url, archive.last().unwrap().1));
        let start = html
            .find("<li><a href=\"/archive/")
            .expect("an archive link")
            + 13;
        let href = html[start..].split('"').next().unwrap().to_owned();
        archive.push((format!("archive-{level}"), href));
    }
    let pages = [
        ("home", "/"),
        (
            "article",
            "/story/libyas-warlord-haftar-rejects-call-for-ceasefire",
        ),
        ("section", "/section/europe"),
        ("tag", "/tag/energy"),
        ("author", "/author/ana-lima"),
        ("latest", "/latest"),
        ("not-found", "/no/such/page"),
    ]
    .map(|(name, path)| (name.to_owned(), path.to_owned()))
    .into_iter()
    .chain(archive);
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, path) in pages {
        let name = name.as_str();
        let (status, html) = http_get(&format!("{}{path}", server.url));
        assert!(status == 200 || name == "not-found", "{path}: {status}");
        let file = dir.path().join(format!("{name}.html"));
        std::fs::write(&file, html).unwrap();
        files.push(file);
    }
    let errors = nu_errors(&files);
    assert!(
        errors.is_empty(),
        "vnu found errors:\n{}",
        errors.join("\n")
    );
}

/// The Nu HTML Checker's errors in `files`, one line each (file, line, message).
pub(crate) fn nu_errors(files: &[PathBuf]) -> Vec<String> {
    let out = Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--errors-only", "--format", "json"])
        .args(files)
        .output()
        .expect("java runs");
    let report: serde_json::Value =
        serde_json::from_slice(&out.stderr).expect("vnu writes a JSON report");
    let messages = report["messages"].as_array().expect("a list of messages");
    let errors: Vec<String> = messages
        .iter()
        .filter(|m| m["type"] != "info")
        .map(|m| format!("{} line {}: {}", m["url"], m["lastLine"], m["message"]))
        .collect();
    assert!(
        out.status.success() || !errors.is_empty(),
        "vnu failed without naming an error"
    );
    errors
}
