//! The command line: help, where flags may go, configuration errors, the demo newsroom.

use std::process::Command;

use crate::support::{Site, http_get};

fn byline(args: &[&str]) -> (String, String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_byline"))
        .args(args)
        .env("BYLINE_LOG", "warn")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.success(),
    )
}

#[test]
fn every_command_explains_itself() {
    let (top, _, ok) = byline(&["--help"]);
    assert!(ok);
    for word in [
        "serve",
        "import",
        "picks",
        "--data",
        "--config",
        "BYLINE_DATA",
    ] {
        assert!(top.contains(word), "{word} in:\n{top}");
    }
    let (serve, _, _) = byline(&["serve", "--help"]);
    for word in ["--addr", "--demo", "BYLINE_ADDR", "127.0.0.1:8080"] {
        assert!(serve.contains(word), "{word} in:\n{serve}");
    }
    let (ninjs, _, _) = byline(&["import", "ninjs", "--help"]);
    assert!(
        ninjs.contains("--section") && ninjs.contains("<PATH>..."),
        "{ninjs}"
    );
    let (picks, _, _) = byline(&["picks", "--help"]);
    assert!(picks.contains("Don't miss"), "{picks}");
}

#[test]
fn data_and_config_go_before_or_after_the_command_or_in_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let item = dir.path().join("item.json");
    std::fs::write(
        &item,
        r#"{"uri": "urn:test:cli", "headline": "Where flags go"}"#,
    )
    .unwrap();
    let data = dir.path().join("data");
    let item = item.to_str().unwrap();
    let data = data.to_str().unwrap();
    let (out, err, ok) = byline(&["--data", data, "import", "ninjs", item]);
    assert!(ok, "{err}");
    assert!(out.starts_with("created "));
    let (out, _, _) = byline(&["import", "ninjs", item, "--data", data]);
    assert!(
        out.starts_with("unchanged "),
        "the same data folder, where the item is already: {out}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_byline"))
        .args(["import", "ninjs", item])
        .env("BYLINE_DATA", data)
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("unchanged ")
    );
    assert!(std::path::Path::new(data).join("byline.db").exists());
    assert!(std::path::Path::new(data).join("media").is_dir());
}

#[test]
fn a_malformed_config_stops_start_up_naming_file_line_and_key() {
    let site = Site::new("[site]\ntitle = \"Ok\"\ntitel = \"typo\"\n");
    let out = site.cli(&["serve", "--addr", "127.0.0.1:0"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!("config file {}, line 3", site.config.display())),
        "{err}"
    );
    assert!(err.contains("titel"), "{err}");

    let bad_toml = Site::new("[ads.article_top\nhtml = 1\n");
    let err = String::from_utf8(bad_toml.cli(&["serve"]).stderr).unwrap();
    assert!(err.contains("line 1"), "{err}");

    let data = site.data.to_str().unwrap();
    let (_, err, ok) = byline(&[
        "--config",
        "/nonexistent/byline.toml",
        "--data",
        data,
        "serve",
        "--addr",
        "127.0.0.1:0",
    ]);
    assert!(!ok);
    assert!(
        err.contains("cannot read config file /nonexistent/byline.toml"),
        "{err}"
    );
}

#[test]
fn the_demo_newsroom_serves_and_loads_once() {
    let site = Site::new("[site]\ntitle = \"Port Alder Post\"\n");
    let server = site.serve_with(&["--demo"]);
    let (status, home) = http_get(&format!("{}/", server.url));
    assert_eq!(status, 200);
    assert!(home.contains("Port Alder Post"));
    for section in ["Politics", "Business", "Climate", "Culture"] {
        assert!(home.contains(&format!(">{section}</a>")), "{section}");
    }
    let (_, latest) = http_get(&format!("{}/latest", server.url));
    assert_eq!(latest.matches("<li class=\"card\">").count(), 20);
    let src = home
        .split("<img src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let (status, svg) = http_get(&format!("{}{src}", server.url));
    assert_eq!(status, 200);
    assert!(svg.starts_with("<svg"));
    assert!(server.stop().success());

    let server = site.serve_with(&["--demo"]);
    let (_, latest) = http_get(&format!("{}/latest", server.url));
    assert_eq!(
        latest.matches("<li class=\"card\">").count(),
        20,
        "a second --demo adds nothing"
    );
}

#[test]
fn picks_must_name_stories() {
    let site = Site::new("");
    let out = site.cli(&["picks", "no-such-story"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("no story has the slug no-such-story")
    );
    let out = site.cli(&["picks", "Not A Slug"]);
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("is neither a story slug nor a /story/SLUG path")
    );
}
