//! Webhook delivery: events from the store's event log are handed to the webhooks that want
//! them, then posted, signed as Standard Webhooks describes, retried with back-off, and never
//! sent to a private address unless the webhook allows it. See docs/webhooks.md.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use byline_core::integrations::{
    AttemptResult, Event, EventKind, HookKind, WebhookDelivery, next_webhook_attempt,
};
use byline_core::{StoryId, WebhookId};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::state::AppState;
use crate::usecases::{Newsroom, integrations};

/// How long a delivery attempt is this node's before another may take it over.
const LEASE: Duration = Duration::from_secs(20);
/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How often a node looks for events written by other processes and for due retries.
const POLL: Duration = Duration::from_millis(500);
/// How often a node forgets finished deliveries and old events.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// Deliveries a node attempts at once.
const SENDERS: usize = 4;

/// A webhook's address, checked.
#[derive(Debug, Clone)]
pub struct Target {
    url: reqwest::Url,
}

impl Target {
    /// An `http` or `https` URL with a host and no user name or password.
    pub fn parse(text: &str) -> Result<Target, String> {
        if text.len() > 2000 {
            return Err("A webhook URL is at most 2,000 characters.".into());
        }
        let url = reqwest::Url::parse(text).map_err(|e| format!("This is not a URL: {e}."))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("A webhook URL starts with http:// or https://.".into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("A webhook URL names a host.".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "A webhook URL carries no user name or password; sign with the secret.".into(),
            );
        }
        Ok(Target { url })
    }

    /// The host, to name a webhook by.
    pub fn host(&self) -> String {
        self.url.host_str().unwrap_or_default().to_owned()
    }

    /// Whether the host is an address (not a name) that is loopback, link-local or private.
    pub fn names_private_address(&self) -> bool {
        let Some(host) = self.url.host_str() else {
            return true;
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        match host.parse::<IpAddr>() {
            Ok(ip) => is_private(ip),
            Err(_) => {
                let name = host.trim_end_matches('.').to_ascii_lowercase();
                name == "localhost" || name.ends_with(".localhost")
            }
        }
    }
}

/// Whether an address is one a webhook must not reach by default: loopback, unspecified,
/// private, shared (carrier-grade NAT), link-local, multicast, broadcast or documentation.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let segments = v6.segments();
            // Addresses that carry an IPv4 address inside: NAT64 (64:ff9b::/96), 6to4
            // (2002::/16) and Teredo (2001::/32, the client's address inverted).
            let embedded = match segments {
                [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(v4_of(hi, lo)),
                // IPv4-translated (::ffff:0:a.b.c.d).
                [0, 0, 0, 0, 0xffff, 0, hi, lo] => Some(v4_of(hi, lo)),
                [0x2002, hi, lo, ..] => Some(v4_of(hi, lo)),
                [0x2001, 0, .., hi, lo] => Some(v4_of(!hi, !lo)),
                _ => None,
            };
            if embedded.is_some_and(|v4| is_private(IpAddr::V4(v4))) {
                return true;
            }
            let first = segments[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfec0
                || (first == 0x64 && segments[1] == 0xff9b && segments[2] == 1)
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
                || v6.segments()[..6] == [0, 0, 0, 0, 0, 0]
        }
    }
}

fn v4_of(hi: u16, lo: u16) -> std::net::Ipv4Addr {
    let [a, b] = hi.to_be_bytes();
    let [c, d] = lo.to_be_bytes();
    std::net::Ipv4Addr::new(a, b, c, d)
}

/// A resolver that answers only with public addresses, so a name cannot lead a webhook to a
/// private one (checked at connection time, whatever the name resolved to when it was added).
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| !is_private(addr.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP clients deliveries go out with: one that reaches public addresses only, and one
/// for webhooks allowed to reach private ones.
#[derive(Clone)]
pub struct Senders {
    public: reqwest::Client,
    any: reqwest::Client,
}

impl Senders {
    pub fn new() -> Result<Senders, reqwest::Error> {
        let base = || {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(TIMEOUT)
                .no_proxy()
                .user_agent(concat!("Byline-Webhooks/", env!("CARGO_PKG_VERSION")))
        };
        Ok(Senders {
            public: base().dns_resolver(Arc::new(PublicOnly)).build()?,
            any: base().build()?,
        })
    }
}

/// The signature headers' value: `v1,` and the base64 HMAC-SHA256, keyed with the webhook's
/// secret, of `{event id}.{timestamp}.{body}`.
pub fn signature(secret: &str, event_id: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{event_id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The event's id as receivers see it.
pub fn event_id(event: byline_core::EventId) -> String {
    format!("evt_{event}")
}

/// The body every delivery of `event` carries: the event, its id and time, and the object.
async fn payload(
    nr: &Newsroom,
    event: &Event,
    base_url: &str,
) -> Result<String, crate::usecases::Refusal> {
    let object = match event.kind {
        EventKind::StoryPublished
        | EventKind::StoryUpdated
        | EventKind::StoryUnpublished
        | EventKind::StoryCorrected => {
            let story = integrations::story_of_event(nr, StoryId(event.subject)).await?;
            match story {
                Some(story) => json!({
                    "object": "story",
                    "id": story.id.0,
                    "uri": format!("{base_url}/api/v1/stories/{}", story.id),
                    "slug": story.slug.as_str(),
                    "url": format!("{base_url}/story/{}", story.slug),
                    "headline": story.headline.as_str(),
                    "status": story.status.as_str(),
                    "published_at": story.published_at,
                    "updated_at": story.updated_at,
                }),
                None => json!({ "object": "story", "id": event.subject, "status": "deleted" }),
            }
        }
        EventKind::PictureUpdated => json!({ "object": "picture", "id": event.subject }),
        EventKind::SubscriberConfirmed => json!({ "object": "subscriber", "id": event.subject }),
        EventKind::NewsletterSent => json!({ "object": "newsletter_issue", "id": event.subject }),
    };
    let body = json!({
        "id": event_id(event.id),
        "type": event.kind.as_str(),
        "created_at": event.at,
        "data": object,
    });
    Ok(body.to_string())
}

/// Hands the waiting events to the webhooks that want them; how many events were handled.
pub async fn fan_out_round(
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<usize, crate::usecases::Refusal> {
    let nr = &state.newsroom;
    let events = integrations::pending_events(nr, 200).await?;
    if events.is_empty() {
        return Ok(0);
    }
    let hooks = integrations::webhooks(nr, crate::usecases::Actor::System).await?;
    // Events no webhook wants are marked together: after a bulk import that is thousands.
    let mut unwanted = Vec::new();
    for event in &events {
        let mut deliveries = Vec::new();
        for kind in [HookKind::Webhook, HookKind::WebSub] {
            let wanting: Vec<WebhookId> = hooks
                .iter()
                .filter(|h| h.kind == kind && h.wants(event.kind))
                .map(|h| h.id)
                .collect();
            if wanting.is_empty() {
                continue;
            }
            let base = &state.site.base_url;
            let body = match kind {
                HookKind::Webhook => payload(nr, event, base).await,
                HookKind::WebSub => crate::websub::notice(nr, event, base).await,
            };
            match body {
                Ok(body) => deliveries.extend(wanting.into_iter().map(|id| (id, body.clone()))),
                // One event that cannot be described must not hold up the others.
                Err(e) => {
                    tracing::error!(event = event.id.0, error = %e, "cannot describe an event; it is skipped");
                }
            }
        }
        if deliveries.is_empty() {
            unwanted.push(event.id);
            continue;
        }
        integrations::fan_out(nr, event, &deliveries, now).await?;
    }
    integrations::fan_out_unwanted(nr, &unwanted).await?;
    Ok(events.len())
}

/// Posts one delivery and says how it went.
async fn attempt(
    senders: &Senders,
    delivery: &WebhookDelivery,
    now: DateTime<Utc>,
) -> AttemptResult {
    let failed = |status: Option<u16>, error: String| AttemptResult::Failed {
        status,
        error,
        retry_at: next_webhook_attempt(delivery.attempts, now),
    };
    let target = match Target::parse(&delivery.url) {
        Ok(target) => target,
        Err(why) => return failed(None, why),
    };
    if !delivery.allow_private && target.names_private_address() {
        return failed(None, "the URL names a private address".into());
    }
    let client = if delivery.allow_private {
        &senders.any
    } else {
        &senders.public
    };
    let id = event_id(delivery.event);
    let timestamp = now.timestamp();
    let request = match delivery.hook_kind {
        HookKind::Webhook => client
            .post(target.url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                signature(&delivery.secret, &id, timestamp, &delivery.payload),
            )
            .header("byline-event", delivery.kind.as_str()),
        // A hub reads a form and knows nothing of signatures.
        HookKind::WebSub => client
            .post(target.url)
            .header("content-type", "application/x-www-form-urlencoded"),
    };
    let sent = request.body(delivery.payload.clone()).send().await;
    match sent {
        Ok(response) if response.status().is_success() => AttemptResult::Delivered {
            status: response.status().as_u16(),
        },
        Ok(response) => failed(
            Some(response.status().as_u16()),
            format!("the receiver answered {}", response.status()),
        ),
        // The error names the host, never the secret or the body.
        Err(e) => failed(None, without_url(e)),
    }
}

fn without_url(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// Attempts due deliveries until none is due; how many were attempted.
pub async fn delivery_round(
    nr: &Newsroom,
    senders: &Senders,
) -> Result<usize, crate::usecases::Refusal> {
    let mut attempted = 0;
    while let Some(delivery) = integrations::claim_delivery(nr, Utc::now(), LEASE).await? {
        let result = attempt(senders, &delivery, Utc::now()).await;
        match &result {
            AttemptResult::Delivered { status } => {
                tracing::info!(
                    webhook = delivery.webhook_name,
                    event = delivery.event.0,
                    status,
                    "webhook delivered"
                );
            }
            AttemptResult::Failed {
                status,
                error,
                retry_at,
            } => {
                tracing::warn!(webhook = delivery.webhook_name, event = delivery.event.0, status, error = error.as_str(), retry_at = ?retry_at, "webhook not delivered");
            }
        }
        if !integrations::finish_delivery(nr, &delivery, result, Utc::now()).await? {
            tracing::warn!(
                webhook = delivery.webhook_name,
                event = delivery.event.0,
                "webhook attempt outlived its claim; its result is not recorded"
            );
        }
        attempted += 1;
    }
    Ok(attempted)
}

/// Runs the webhooks until the task is dropped: one task hands events out, a few post them.
pub async fn run(state: AppState) {
    let senders = match Senders::new() {
        Ok(senders) => senders,
        Err(e) => {
            tracing::error!(error = %e, "webhooks cannot start: no HTTP client");
            return;
        }
    };
    // The senders end with this task: dropping the set aborts them.
    let mut senders_running = tokio::task::JoinSet::new();
    for _ in 0..SENDERS {
        let (nr, senders) = (state.newsroom.clone(), senders.clone());
        senders_running.spawn(async move {
            loop {
                if let Err(e) = delivery_round(&nr, &senders).await {
                    tracing::error!(error = %e, "webhook deliveries failed; retrying");
                }
                tokio::time::sleep(POLL).await;
            }
        });
    }
    let mut pruned_at = std::time::Instant::now() - PRUNE_EVERY;
    loop {
        if pruned_at.elapsed() >= PRUNE_EVERY {
            pruned_at = std::time::Instant::now();
            match integrations::prune(&state.newsroom, Utc::now()).await {
                Ok(0) => {}
                Ok(gone) => {
                    tracing::info!(rows = gone, "old webhook deliveries and events forgotten")
                }
                Err(e) => tracing::warn!(error = %e, "cannot forget old webhook deliveries"),
            }
        }
        match fan_out_round(&state, Utc::now()).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "webhook events failed; retrying"),
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_known() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn names_that_resolve_only_to_private_addresses_are_not_reached() {
        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        let refused = PublicOnly.resolve(name).await;
        assert!(refused.is_err(), "localhost resolves to loopback only");
    }

    #[test]
    fn urls_are_checked() {
        assert!(Target::parse("ftp://example.com/").is_err());
        assert!(Target::parse("https://user:pw@example.com/").is_err());
        assert!(Target::parse("not a url").is_err());
        let local = Target::parse("http://localhost:8080/hook").unwrap();
        assert!(local.names_private_address());
        let metadata = Target::parse("http://169.254.169.254/latest").unwrap();
        assert!(metadata.names_private_address());
        let public = Target::parse("https://hooks.example.com/byline").unwrap();
        assert!(!public.names_private_address());
    }

    #[test]
    fn signatures_follow_standard_webhooks() {
        let a = signature("secret-secret-16", "evt_1", 1_700_000_000, "{}");
        assert!(a.starts_with("v1,"));
        assert_eq!(
            a,
            signature("secret-secret-16", "evt_1", 1_700_000_000, "{}")
        );
        assert_ne!(
            a,
            signature("secret-secret-16", "evt_1", 1_700_000_001, "{}")
        );
        assert_ne!(
            a,
            signature("another-secret-16", "evt_1", 1_700_000_000, "{}")
        );
    }
}
