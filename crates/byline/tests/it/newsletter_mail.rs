//! The newsletter's mail through a real SMTP server (Python's aiosmtpd, storing what it
//! receives in a maildir): double opt-in end to end through the real endpoints, the list
//! headers, the parts, tampered links, one-click unsubscribe, and a mail server that is down.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::Value;

use crate::newsletter::{post, subscriber_status};
use crate::support::{Site, get, send};

/// aiosmtpd on a free port of 127.0.0.1, keeping every message in a maildir.
pub struct SmtpServer {
    pub port: u16,
    maildir: tempfile::TempDir,
    child: Child,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let port = free_port();
        let maildir = tempfile::tempdir().unwrap();
        let mut command = Command::new("python3");
        command
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"));
        SmtpServer::spawn(command, port, maildir)
    }

    /// A server on `port` that refuses for good (550) every recipient starting with `refuse`
    /// and keeps the rest.
    pub fn refusing(port: u16, refuse: &str) -> SmtpServer {
        const SCRIPT: &str = r#"
import mailbox, sys, threading
from aiosmtpd.controller import Controller
port, folder, refuse = int(sys.argv[1]), sys.argv[2], sys.argv[3]
box = mailbox.Maildir(folder, create=True)
class Handler:
    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith(refuse):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"
    async def handle_DATA(self, server, session, envelope):
        box.add(envelope.original_content)
        return "250 Message accepted for delivery"
Controller(Handler(), hostname="127.0.0.1", port=port).start()
threading.Event().wait()
"#;
        let maildir = tempfile::tempdir().unwrap();
        let mut command = Command::new("python3");
        command
            .args(["-c", SCRIPT, &port.to_string()])
            .arg(maildir.path().join("mail"))
            .arg(refuse);
        SmtpServer::spawn(command, port, maildir)
    }

    fn spawn(mut command: Command, port: u16, maildir: tempfile::TempDir) -> SmtpServer {
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/setup installs it)");
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the SMTP server did not start in 15 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpServer {
            port,
            maildir,
            child,
        }
    }

    pub fn messages(&self) -> Vec<PathBuf> {
        let new = self.maildir.path().join("mail/new");
        let mut found: Vec<PathBuf> = std::fs::read_dir(new)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        found.sort();
        found
    }

    /// Waits (at most 15 s) until `n` messages have arrived, letting the sender run.
    pub async fn wait_for(&self, n: usize) -> Vec<PathBuf> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let found = self.messages();
            if found.len() >= n {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "{n} messages not received in 15 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port of 127.0.0.1 nothing listens on (just now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A received message read by Python's `email` package: its headers, decoded text and HTML
/// parts, and whether the HTML parses.
pub fn parsed(path: &Path) -> Value {
    const SCRIPT: &str = r#"
import email, email.policy, json, sys
from html.parser import HTMLParser
message = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
parts = {p.get_content_type(): p.get_content() for p in message.walk() if not p.is_multipart()}
class Strict(HTMLParser):
    def error(self, message): raise ValueError(message)
try:
    Strict().feed(parts.get("text/html", "")); html_ok = True
except Exception:
    html_ok = False
headers = {k: str(v) for k, v in message.items()}
print(json.dumps({"headers": headers, "type": message.get_content_type(),
    "text": parts.get("text/plain"), "html": parts.get("text/html"), "html_ok": html_ok,
    "defects": [str(d) for p in message.walk() for d in p.defects]}))
"#;
    let out = crate::support::python([std::ffi::OsStr::new("-c"), SCRIPT.as_ref(), path.as_ref()]);
    serde_json::from_slice(&out).unwrap()
}

/// Sign-ups from many addresses cannot make the site mail without end: confirmation mails are
/// capped for the whole site, and the sign-ups beyond the cap are kept.
#[tokio::test]
async fn confirmation_mails_are_capped_for_the_whole_site() {
    let smtp = SmtpServer::start();
    let config = mail_config(smtp.port).replace(
        "[mail]",
        "[newsletter]\nconfirmations_per_hour = 2\n\n[mail]",
    );
    let site = Site::new(&config);
    let app = site.app().await;
    for n in 0..4 {
        let form = format!("email=flood{n}%40example.org&source=%2F&website=");
        let from = format!("203.0.113.{}", 10 + n);
        assert_eq!(
            post(&app, &form, &from, SAME_ORIGIN).await.0,
            StatusCode::OK
        );
    }
    smtp.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(smtp.messages().len(), 2);
    assert_eq!(
        subscriber_status(&site, "flood3@example.org")
            .await
            .as_deref(),
        Some("pending"),
        "kept, to be asked when it signs up again"
    );
}

pub fn mail_config(port: u16) -> String {
    format!(
        "[site]\nbase_url = \"http://byline.test\"\n\n[mail]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"Port Alder Gazette <news@byline.test>\"\n"
    )
}

pub const SAME_ORIGIN: &[(&str, &str)] =
    &[("origin", "http://byline.test"), ("host", "byline.test")];

/// The path and query of the link in `text` that starts with `prefix`.
pub fn link(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).expect("the link");
    let url: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '"')
        .collect();
    url.trim_start_matches("http://byline.test").to_owned()
}

#[tokio::test]
async fn a_reader_confirms_by_mail_and_leaves_with_one_click() {
    let smtp = SmtpServer::start();
    let site = Site::new(&mail_config(smtp.port));
    let app = site.app().await;
    let form = "email=reader%40example.org&source=%2F&website=";
    let (status, first_page) = post(&app, form, "192.0.2.10", SAME_ORIGIN).await;
    assert_eq!(status, StatusCode::OK);
    let mail = parsed(&smtp.wait_for(1).await[0]);

    let headers = &mail["headers"];
    assert_eq!(headers["To"], "reader@example.org");
    assert_eq!(headers["From"], "Port Alder Gazette <news@byline.test>");
    assert_eq!(headers["Subject"], "Confirm your subscription to Byline");
    assert_eq!(
        headers["List-Unsubscribe-Post"],
        "List-Unsubscribe=One-Click"
    );
    let list = headers["List-Unsubscribe"].as_str().unwrap();
    assert!(
        list.starts_with("<http://byline.test/newsletter/unsubscribe?token="),
        "{list}"
    );
    assert!(
        list.ends_with(", <mailto:news@byline.test?subject=unsubscribe>"),
        "{list}"
    );
    assert_eq!(mail["type"], "multipart/alternative");
    assert_eq!(mail["defects"], serde_json::json!([]));
    assert_eq!(mail["html_ok"], true);
    let text = mail["text"].as_str().unwrap();
    let html = mail["html"].as_str().unwrap();
    let confirm = link(text, "http://byline.test/newsletter/confirm?token=");
    assert!(html.contains("/newsletter/confirm?token="), "{html}");
    assert_eq!(
        subscriber_status(&site, "reader@example.org")
            .await
            .as_deref(),
        Some("pending")
    );

    // Following the link shows a button; only pressing it confirms.
    let (status, headers, page) = get(&app, &confirm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Confirm my subscription"), "{page}");
    assert_eq!(
        headers["referrer-policy"], "no-referrer",
        "the link's token goes nowhere"
    );
    assert!(!headers.contains_key("speculation-rules"));
    assert_eq!(
        subscriber_status(&site, "reader@example.org")
            .await
            .as_deref(),
        Some("pending")
    );
    let token = confirm.split("token=").nth(1).unwrap();
    let (status, _, page) = send(
        &app,
        "POST",
        "/newsletter/confirm",
        None,
        Some(&format!("token={token}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Thank you for subscribing"), "{page}");
    assert_eq!(
        subscriber_status(&site, "reader@example.org")
            .await
            .as_deref(),
        Some("active")
    );

    // A changed link is refused and changes nothing.
    let mut forged = token.to_owned();
    forged.replace_range(3..4, if &forged[3..4] == "A" { "B" } else { "A" });
    let (status, _, page) = send(
        &app,
        "POST",
        "/newsletter/confirm",
        None,
        Some(&format!("token={forged}")),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("This link does not work"), "{page}");

    // Signing up again with an active address: the same page, and no new mail.
    let (status, again) = post(&app, form, "192.0.2.10", SAME_ORIGIN).await;
    assert_eq!(status, StatusCode::OK);
    let words = |page: &str| page.split("<main").nth(1).unwrap().to_owned();
    assert_eq!(
        words(&again),
        words(&first_page),
        "nothing reveals the address was known"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(smtp.messages().len(), 1);
    // From somewhere else, so is a pending address signed up again so soon: one mail stands.
    let other = "email=second%40example.org&source=%2F&website=";
    assert_eq!(
        post(&app, other, "192.0.2.11", SAME_ORIGIN).await.0,
        StatusCode::OK
    );
    smtp.wait_for(2).await;
    for from in ["192.0.2.12", "198.51.100.7"] {
        assert_eq!(post(&app, other, from, SAME_ORIGIN).await.0, StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        smtp.messages().len(),
        2,
        "one inbox cannot be flooded from many addresses"
    );

    // The mail program's one-click POST: no page, no login, no cookie.
    let leave = link(list, "http://byline.test/newsletter/unsubscribe?token=");
    let (status, _, _) = send(
        &app,
        "POST",
        &leave,
        None,
        Some("List-Unsubscribe=One-Click"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        subscriber_status(&site, "reader@example.org")
            .await
            .as_deref(),
        Some("unsubscribed")
    );
}

#[tokio::test]
async fn a_sign_up_is_kept_while_the_mail_server_is_down() {
    let closed = free_port();
    let site = Site::new(&mail_config(closed));
    let app = site.app().await;
    let form = "email=early%40example.org&source=%2F&website=";
    let (status, page) = post(&app, form, "192.0.2.11", SAME_ORIGIN).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("We have recorded your sign-up for early@example.org."),
        "{page}"
    );
    assert_eq!(
        subscriber_status(&site, "early@example.org")
            .await
            .as_deref(),
        Some("pending")
    );
}

/// The recipient of each received message.
fn recipients(smtp: &SmtpServer) -> Vec<String> {
    smtp.messages()
        .iter()
        .map(|path| {
            let raw = std::fs::read_to_string(path).unwrap();
            raw.lines()
                .find_map(|l| l.strip_prefix("To: "))
                .expect("a To header")
                .trim()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn an_issue_reaches_a_thousand_subscribers_once_each_though_the_sender_is_killed() {
    let smtp = SmtpServer::start();
    let config = format!(
        "{}messages_per_second = 400\ndelivery_lease_seconds = 3\nconnections = 8\n",
        mail_config(smtp.port)
    );
    let site = Site::new(&config);
    let item = crate::support::Item::new("urn:test:issue", "Harbour reopens after storm")
        .write(&site.dir.path().join("items"), "issue");
    assert!(site.import(&[&item]).2);
    let store = site.data_dir().open_store().await.unwrap();
    let readers: Vec<String> = (0..1000)
        .map(|n| format!("reader{n:04}@example.org"))
        .collect();
    let readers: Vec<&str> = readers.iter().map(String::as_str).collect();
    crate::newsletter_desk::subscribe(store.as_ref(), &readers).await;

    let server = site.serve();
    let out = site.cli(&[
        "newsletter",
        "send",
        "--subject",
        "Morning briefing",
        "harbour-reopens-after-storm",
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("issue 1 queued for 1000 active subscribers"),
        "{said}"
    );

    // SIGKILL in the middle of the send.
    let deadline = Instant::now() + Duration::from_secs(60);
    while smtp.messages().len() < 300 {
        assert!(Instant::now() < deadline, "300 messages not sent in 60 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(server);
    let at_kill = smtp.messages().len();
    assert!(
        at_kill < 1000,
        "the kill came in the middle ({at_kill} sent)"
    );

    // A restarted sender delivers the rest; the delivery it was holding is recorded as of
    // unknown outcome once its lease runs out, and is not sent again.
    let _server = site.serve();
    let deadline = Instant::now() + Duration::from_secs(90);
    let progress = loop {
        let progress = store.issue_progress(byline_core::IssueId(1)).await.unwrap();
        if progress.queued == 0 && progress.claimed == 0 {
            break progress;
        }
        assert!(
            Instant::now() < deadline,
            "not finished in 90 s: {progress:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(progress.failed, 0);
    assert!(
        progress.unknown <= 8,
        "at most the deliveries in flight: {progress:?}"
    );
    assert_eq!(progress.sent + progress.unknown, 1000, "{progress:?}");

    let got = recipients(&smtp);
    let mut unique = got.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), got.len(), "nobody got the issue twice");
    // The server may or may not have taken the deliveries that were in flight.
    let received = got.len() as u64;
    assert!(
        (progress.sent..=progress.sent + progress.unknown).contains(&received),
        "{received} received, {progress:?}"
    );
    let one = parsed(&smtp.messages()[0]);
    assert_eq!(one["headers"]["Subject"], "Morning briefing");
    assert_eq!(
        one["headers"]["List-Unsubscribe-Post"],
        "List-Unsubscribe=One-Click"
    );
    assert_eq!(one["html_ok"], true);
    let text = one["text"].as_str().unwrap();
    let html = one["html"].as_str().unwrap();
    assert!(text.contains("Harbour reopens after storm"), "{text}");
    assert!(
        text.contains("http://byline.test/story/harbour-reopens-after-storm"),
        "{text}"
    );
    assert!(
        text.contains("Unsubscribe: http://byline.test/newsletter/unsubscribe?token="),
        "{text}"
    );
    assert!(!text.contains("%%UNSUBSCRIBE_URL%%") && !html.contains("%%UNSUBSCRIBE_URL%%"));
    // Every link of the HTML part is in the text part too.
    for href in html
        .split("href=\"")
        .skip(1)
        .map(|h| h.split('"').next().unwrap())
    {
        assert!(text.contains(href), "{href} missing from the text part");
    }
}
