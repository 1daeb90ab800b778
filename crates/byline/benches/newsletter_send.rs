//! Benchmark: sending one newsletter issue to 10,000 subscribers through a real SMTP server on
//! 127.0.0.1 (Python's aiosmtpd with its discarding handler, so the figure is Byline's side
//! plus SMTP, not a mailbox's disk), with the outbox in a real SQLite file. Prints messages per
//! second and the process's peak resident memory before and during the send.
//! Run: `cargo bench -p byline --bench newsletter_send` (needs python3 with aiosmtpd:
//! `scripts/setup` installs it).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use byline_core::Email;
use byline_core::newsletter::IssueContent;
use byline_core::store::NewSubscriber;
use chrono::Utc;

const SUBSCRIBERS: usize = 10_000;

fn peak_resident_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

struct Smtp(std::process::Child);

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_smtp() -> (Smtp, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port();
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Sink"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd");
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "aiosmtpd did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (Smtp(child), port)
}

#[tokio::main]
async fn main() {
    let (_smtp, port) = start_smtp();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = byline::server::DataDir::create(dir.path()).expect("a data folder");
    let store = data.open_store().await.expect("the store");
    for n in 0..SUBSCRIBERS {
        let email = Email::parse(&format!("reader{n:05}@example.org")).expect("an address");
        let subscriber = NewSubscriber {
            email: email.clone(),
            source: "/".into(),
            consented_at: Utc::now(),
            ip_hash: None,
        };
        store.add_subscriber(subscriber).await.expect("added");
        store
            .confirm_subscriber(&email, Utc::now())
            .await
            .expect("confirmed");
    }
    let config = byline::config::Config::parse(&format!(
        "[site]\nbase_url = \"http://byline.test\"\n[mail]\nhost = \"127.0.0.1\"\nport = {port}\n\
         tls = \"none\"\nfrom = \"Bench <news@byline.test>\"\nmessages_per_second = 100000\n\
         connections = 8\n"
    ))
    .expect("the config");
    let theme = byline_render::Theme::load(None).expect("the theme");
    let state = byline::AppState::new(
        store.clone(),
        theme,
        &config,
        "http://byline.test".into(),
        &data,
    )
    .expect("the application state");
    let body = "The day's news in a few lines. ".repeat(60);
    let issue = IssueContent {
        subject: "Morning briefing".into(),
        text: format!(
            "{body}\nUnsubscribe: {}\n",
            byline_core::newsletter::UNSUBSCRIBE_MARK
        ),
        html: format!(
            "<p>{body}</p><p><a href=\"{}\">Unsubscribe</a></p>",
            byline_core::newsletter::UNSUBSCRIBE_MARK
        ),
    };
    let before = peak_resident_mb();
    let queueing = Instant::now();
    let (id, queued) = store
        .queue_issue(&issue, "benchmark", Utc::now())
        .await
        .expect("queued");
    let queueing = queueing.elapsed();
    let started = Instant::now();
    let sender = tokio::spawn(byline::newsletter::sender::run(state.clone()));
    let progress = loop {
        let progress = store.issue_progress(id).await.expect("progress");
        if progress.queued == 0 && progress.claimed == 0 {
            break progress;
        }
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "not sent in 15 minutes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let elapsed = started.elapsed();
    sender.abort();
    println!(
        "{queued} deliveries: {} sent, {} failed in {:.1} s = {:.0} messages/s (8 connections); \
         peak resident memory {:.0} MB (before the send: {before:.0} MB)",
        progress.sent,
        progress.failed,
        elapsed.as_secs_f64(),
        progress.sent as f64 / elapsed.as_secs_f64(),
        peak_resident_mb()
    );
    println!(
        "queueing the issue (one transaction, {queued} deliveries): {:.0} ms",
        queueing.as_secs_f64() * 1000.0
    );
    subscribers_page(store.as_ref()).await;
}

/// The subscribers' admin page's work over the same 10,000: a search and an erasure.
async fn subscribers_page(store: &dyn byline_core::store::Store) {
    let query = byline_core::newsletter::SubscriberQuery {
        search: Some("reader0999".into()),
        status: None,
        limit: 50,
        offset: 0,
    };
    let started = Instant::now();
    let (_, total) = store.search_subscribers(&query).await.expect("a search");
    let search = started.elapsed();
    let email = Email::parse("reader09990@example.org").expect("an address");
    let started = Instant::now();
    let erased = store
        .erase_subscriber(&email, "bench", Utc::now())
        .await
        .expect("an erasure");
    println!(
        "subscriber search among {SUBSCRIBERS} (substring, {total} found): {:.1} ms; \
         erasing one (subscriber, its deliveries, suppression entry; {erased}): {:.1} ms",
        search.as_secs_f64() * 1000.0,
        started.elapsed().as_secs_f64() * 1000.0
    );
}
