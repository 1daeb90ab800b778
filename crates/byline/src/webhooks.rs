//! Webhook delivery: events from the store's event log are handed to the webhooks that want
//! them, then posted, signed as Standard Webhooks describes, retried with back-off, and never
//! sent to a private address unless the webhook allows it. See docs/api.md.

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

mod address;
use crate::usecases::{Newsroom, integrations};
pub use address::{Senders, Target};

/// How long a delivery attempt is this node's before another may take it over.
const LEASE: Duration = Duration::from_secs(20);
/// How often a node looks for events written by other processes and for due retries.
const POLL: Duration = Duration::from_millis(500);
/// How often a node forgets finished deliveries and old events.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// Deliveries a node attempts at once.
const SENDERS: usize = 4;

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
                    "url": format!(
                        "{base_url}{}",
                        byline_render::views::paths::of(story.kind, &story.slug)
                    ),
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

/// Waiting events marked in one statement when no webhook exists.
const SKIPPED_AT_ONCE: u32 = 20_000;

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
    if hooks.is_empty() {
        // Nothing wants any event: a bulk import's 100,000 are marked in a few statements
        // rather than read and marked 200 at a time beside the readers' requests.
        let skipped = integrations::skip_events_nobody_wants(nr, SKIPPED_AT_ONCE).await?;
        return Ok(usize::try_from(skipped).unwrap_or(usize::MAX));
    }
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
