//! Media in an S3-compatible bucket: a real S3 server (`s3s-fs`, installed by `scripts/setup`)
//! on 127.0.0.1. A photo uploaded through one node is stored in the bucket, not on the node's
//! disk, and the other node serves it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::admin_accounts::add_user;
use crate::editorial::multipart;
use crate::nodes::Editor;
use crate::support::{Site, enc, http_exchange, shared};

/// `s3s-fs` serving a folder on a free loopback port; killed when dropped.
struct S3Server {
    endpoint: String,
    root: tempfile::TempDir,
    child: Child,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_s3(bucket: &str) -> S3Server {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join(bucket)).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("s3s-fs")
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args([
            "--access-key",
            "bylinetest",
            "--secret-key",
            "bylinetestsecret",
        ])
        .arg(root.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("s3s-fs is installed (scripts/setup installs it)");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "s3s-fs did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    S3Server {
        endpoint: format!("http://127.0.0.1:{port}"),
        root,
        child,
    }
}

/// POSTs a multipart form with the editor's session over a fresh connection: the status.
fn post_multipart(editor: &Editor, path: &str, fields: &[(&str, &str)], file: &[u8]) -> u16 {
    let mut all = vec![("csrf", editor.csrf.as_str())];
    all.extend_from_slice(fields);
    let (content_type, body) = multipart(&all, Some(file));
    let host = editor.url.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nCookie: byline_session={}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        editor.cookie,
        body.len()
    )
    .unwrap();
    stream.write_all(&body).unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).unwrap();
    std::str::from_utf8(&head[9..12]).unwrap().parse().unwrap()
}

#[test]
fn a_photo_uploaded_on_one_node_lives_in_the_bucket_and_is_served_by_another() {
    let s3 = start_s3("newsroom");
    let site = Site::new(&format!(
        "[media]\nstore = \"s3://newsroom/site\"\nendpoint = \"{}\"\nregion = \"us-east-1\"\n\
         access_key_id = \"bylinetest\"\nsecret_access_key = \"bylinetestsecret\"\n",
        s3.endpoint
    ));
    add_user(&site, "ed@example.org", "editor", "bucket passphrase");
    let (node_a, node_b) = (site.serve(), site.serve());
    let (status, _, health) = http_exchange("GET", &format!("{}/healthz", node_b.url), "", "");
    assert_eq!((status, health.as_str()), (200, "store ok\nmedia ok\n"));

    let editor = Editor::sign_in(&node_a.url, "ed@example.org", "bucket passphrase");
    let (status, location) = editor.post(
        "/admin/stories",
        &format!("headline={}&body=Text.&authors=Ed", enc("Harbour at dawn")),
    );
    assert_eq!(status, 303);
    let photo = std::fs::read(shared().join("seed/lead-photo.jpg")).unwrap();
    let fields = [
        ("credit", "EPA/TEST"),
        ("caption", "Dawn."),
        ("alt", "Boats"),
    ];
    assert_eq!(
        post_multipart(&editor, &format!("{location}/photo"), &fields, &photo),
        303
    );
    assert_eq!(
        editor
            .post(&format!("{location}/status"), "action=publish&at=")
            .0,
        303
    );

    let (status, _, page) = http_exchange(
        "GET",
        &format!("{}/story/harbour-at-dawn", node_b.url),
        "",
        "",
    );
    assert_eq!(status, 200);
    let key = page
        .split("src=\"/media/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page shows the photo")
        .to_owned();
    // Node B reads the photo from the bucket: the same bytes, with the picture's type.
    let mut stream = TcpStream::connect(node_b.url.strip_prefix("http://").unwrap()).unwrap();
    write!(
        stream,
        "GET /media/{key} HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    assert!(
        head.starts_with("http/1.1 200") && head.contains("content-type: image/jpeg"),
        "{head}"
    );
    let shown = byline_media::decode::decode(&response[split + 4..])
        .unwrap()
        .1;
    assert_eq!(
        (shown.width, shown.height),
        (1200, 675),
        "a rendition of its width"
    );
    // The original and the rendition live in the bucket under the prefix, and not in either
    // node's data folder.
    let bucket = s3.root.path().join("newsroom/site");
    assert_eq!(
        std::fs::read(bucket.join(key.replace("-w1200.jpg", ".jpg"))).unwrap(),
        photo
    );
    assert!(bucket.join(&key).is_file());
    let local = site.data.join("media");
    assert!(
        local.read_dir().map_or(true, |mut d| d.next().is_none()),
        "nothing written to the local media folder"
    );
}
