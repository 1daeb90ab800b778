//! Webhooks end to end: a receiver written in Python checks every signature; events written
//! by another process (`byline import`) arrive; the server is killed in the middle of a
//! delivery and restarted, and every event still arrives, a repeat carrying the same id.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Item, Site};

const SECRET: &str = "a-shared-secret-of-some-length";

/// Standard Webhooks' check, written independently of the server: HMAC-SHA256 over
/// `id.timestamp.body`, base64, after `v1,`. The first request waits 3 s before answering
/// (so the test can kill the server mid-delivery); every request is logged before it answers.
const RECEIVER: &str = r#"
import base64, hashlib, hmac, http.server, json, sys, time
secret, log = sys.argv[1].encode(), sys.argv[2]
class Receiver(http.server.BaseHTTPRequestHandler):
    seen = 0
    def do_POST(self):
        body = self.rfile.read(int(self.headers['content-length']))
        event, stamp = self.headers['webhook-id'], self.headers['webhook-timestamp']
        mac = hmac.new(secret, f'{event}.{stamp}.'.encode() + body, hashlib.sha256).digest()
        good = hmac.compare_digest('v1,' + base64.b64encode(mac).decode(), self.headers['webhook-signature'])
        fresh = abs(time.time() - int(stamp)) < 300
        with open(log, 'a') as f:
            f.write(json.dumps({'good': good and fresh, 'id': event, 'body': json.loads(body)}) + '\n')
        Receiver.seen += 1
        if Receiver.seen == 1:
            time.sleep(3)
        self.send_response(204 if good else 400)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Receiver)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

struct Receiver {
    child: Child,
    port: u16,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn receiver(log: &Path) -> Receiver {
    listening(RECEIVER, &[SECRET.as_ref(), log.as_os_str()])
}

/// A Python server from `script` and its arguments, once it has printed its port.
fn listening(script: &str, args: &[&std::ffi::OsStr]) -> Receiver {
    let mut child = Command::new("python3")
        .args(["-c", script])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    Receiver {
        port: line.trim().parse().expect("the server's port"),
        child,
    }
}

fn received(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Waits (at most `limit`) until `done` holds for what arrived.
fn wait_for(log: &Path, limit: Duration, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let arrived = received(log);
        if done(&arrived) || start.elapsed() > limit {
            return arrived;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn distinct_ids(arrived: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = arrived
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn import(site: &Site, n: u32) {
    let item = Item::new(&format!("urn:test:hook:{n}"), &format!("Hook story {n}"));
    let path = item.write(&site.dir.path().join("items"), &format!("hook{n}"));
    let (_, err, ok) = site.import(&[&path]);
    assert!(ok, "{err}");
}

#[test]
fn every_event_arrives_signed_across_a_kill_in_mid_delivery() {
    let site = Site::new("");
    let log = site.dir.path().join("received.jsonl");
    let receiver = receiver(&log);
    let url = format!("http://127.0.0.1:{}/hooks/byline", receiver.port);
    let add = |extra: &[&str]| {
        let mut args = vec![
            "webhook",
            "add",
            "--name",
            "receiver",
            "--url",
            &url,
            "--events",
            "story.published,story.updated",
            "--secret",
            SECRET,
        ];
        args.extend(extra);
        site.cli(&args)
    };
    let refused = add(&[]);
    assert!(
        !refused.status.success(),
        "a loopback URL needs --allow-private"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("private"));
    let added = add(&["--allow-private"]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );

    let server = site.serve();
    import(&site, 1);
    let first = wait_for(&log, Duration::from_secs(15), |a| !a.is_empty());
    assert_eq!(
        first.len(),
        1,
        "an import by another process is delivered within seconds"
    );
    // The receiver holds the first request 3 s: the server dies with it in flight.
    let _ = server.stop_and_read_log();
    import(&site, 2);
    let server = site.serve();
    let arrived = wait_for(&log, Duration::from_secs(60), |a| {
        distinct_ids(a).len() == 2 && a.len() >= 3
    });
    drop(server);
    assert_eq!(
        distinct_ids(&arrived).len(),
        2,
        "both events arrived: {arrived:?}"
    );
    assert!(
        arrived.len() >= 3,
        "the interrupted delivery was made again: {arrived:?}"
    );
    let first_id = first[0]["id"].as_str().unwrap();
    assert!(
        arrived.iter().filter(|a| a["id"] == first_id).count() >= 2,
        "the repeat carries the same event id"
    );
    for event in &arrived {
        assert_eq!(event["good"], true, "every signature checks: {event}");
        let body = &event["body"];
        assert_eq!(body["type"], "story.published");
        assert_eq!(body["id"], event["id"]);
        assert!(body["created_at"].is_string());
        let story = &body["data"];
        assert_eq!(story["object"], "story");
        assert_eq!(story["status"], "published");
        assert!(
            story["headline"]
                .as_str()
                .unwrap()
                .starts_with("Hook story")
        );
        assert!(story["url"].as_str().unwrap().contains("/story/"));
    }
}

/// A WebSub hub, as far as a publisher sees one: it logs each form it is sent and answers
/// 503 to the first (a hub that is briefly down), 204 after.
const HUB: &str = r#"
import http.server, json, sys, urllib.parse
log = sys.argv[1]
class Hub(http.server.BaseHTTPRequestHandler):
    seen = 0
    def do_POST(self):
        body = self.rfile.read(int(self.headers['content-length'])).decode()
        with open(log, 'a') as f:
            f.write(json.dumps({'type': self.headers['content-type'], 'form': urllib.parse.parse_qs(body)}) + '\n')
        Hub.seen += 1
        self.send_response(503 if Hub.seen == 1 else 204)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Hub)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

#[test]
fn a_websub_hub_is_told_of_a_publication_and_told_again_after_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("hub.log");
    let hub = listening(HUB, &[log.as_os_str()]);
    let site = Site::new(&format!(
        "[seo]\nping_urls = [\"http://127.0.0.1:{}/hub\"]\n",
        hub.port
    ));
    // Started twice, the server keeps one hook for the hub.
    drop(site.serve());
    let server = site.serve();
    let listed = String::from_utf8(site.cli(&["webhook", "list"]).stdout).unwrap();
    assert_eq!(listed.matches("/hub").count(), 1, "{listed}");
    let item = Item::new("urn:test:websub", "Hub story").subjects(&["Ports"]);
    let path = item.write(&site.dir.path().join("items"), "websub");
    assert!(site.import(&[&path]).2);
    // The first notice meets a 503; the retry comes 10 s later.
    let arrived = wait_for(&log, Duration::from_secs(30), |a| a.len() >= 2);
    assert_eq!(arrived.len(), 2, "told, refused, told again: {arrived:?}");
    let base = &server.url;
    for notice in &arrived {
        assert_eq!(notice["type"], "application/x-www-form-urlencoded");
        assert_eq!(notice["form"]["hub.mode"], serde_json::json!(["publish"]));
        let urls: Vec<&str> = notice["form"]["hub.url"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap())
            .collect();
        for feed in [
            "/feed.xml",
            "/atom.xml",
            "/feed.json",
            "/tag/ports/feed.xml",
        ] {
            assert!(
                urls.contains(&format!("{base}{feed}").as_str()),
                "{feed}: {urls:?}"
            );
        }
    }
    drop(server);
}
