//! The newsletter sender: a few senders take deliveries from the outbox one at a time each,
//! together at most `[mail] messages_per_second`, and each records an outcome before taking
//! the next, so that a crash loses at most the deliveries in flight — recorded as `unknown`,
//! never resent.

use std::time::Duration;

use byline_core::Email;
use byline_core::newsletter::{
    Delivery, DeliveryOutcome, IssueContent, RetryLimits, UNSUBSCRIBE_MARK,
};
use chrono::Utc;

use super::confirm::unsubscribe_link;
use crate::error::AppError;
use crate::mail::{MailError, Outgoing};
use crate::state::AppState;
use crate::usecases::newsletter::{claim_delivery, record_delivery};

/// `[mail]`'s limits on sending.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub messages_per_second: f64,
    pub bounce_limit: u32,
    /// How long a claimed delivery is its sender's.
    pub lease: Duration,
    /// Deliveries in flight at once.
    pub connections: u32,
    /// The first wait before a deferred delivery is tried again.
    pub retry_after: Duration,
}

impl From<&crate::config::MailConfig> for Limits {
    fn from(mail: &crate::config::MailConfig) -> Limits {
        Limits {
            messages_per_second: mail.messages_per_second,
            bounce_limit: mail.bounce_limit,
            lease: Duration::from_secs(mail.delivery_lease_seconds.max(2)),
            connections: mail.connections.clamp(1, 64),
            retry_after: Duration::from_secs(mail.retry_seconds.max(1)),
        }
    }
}

/// How often an idle sender looks for queued deliveries.
const POLL: Duration = Duration::from_secs(1);

/// Tries of a delivery the mail server keeps deferring before it is given up.
const MAX_ATTEMPTS: u32 = 8;

/// Runs until the task is dropped (only when `[mail]` is configured): `connections` senders,
/// taking turns at the pace `messages_per_second` allows.
pub async fn run(state: AppState) {
    let Some(limits) = state.mail_limits else {
        return;
    };
    let spacing = Duration::from_secs_f64(1.0 / limits.messages_per_second.max(0.01));
    let next_slot = std::sync::Arc::new(tokio::sync::Mutex::new(tokio::time::Instant::now()));
    let senders: Vec<_> = (0..limits.connections)
        .map(|_| tokio::spawn(send_loop(state.clone(), limits, spacing, next_slot.clone())))
        .collect();
    // Dropping this task drops the senders with it.
    let _abort_on_drop = AbortAll(senders);
    std::future::pending::<()>().await;
}

struct AbortAll(Vec<tokio::task::JoinHandle<()>>);

impl Drop for AbortAll {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

async fn send_loop(
    state: AppState,
    limits: Limits,
    spacing: Duration,
    next_slot: std::sync::Arc<tokio::sync::Mutex<tokio::time::Instant>>,
) {
    loop {
        // Wait for this sender's turn: one message per `spacing` across all senders.
        {
            let mut slot = next_slot.lock().await;
            tokio::time::sleep_until(*slot).await;
            *slot = tokio::time::Instant::now().max(*slot) + spacing;
        }
        match claim_delivery(&state.newsroom, Utc::now(), limits.lease).await {
            Ok(Some(delivery)) => {
                let outcome = deliver(&state, &delivery).await;
                let counts = RetryLimits {
                    bounce_limit: limits.bounce_limit,
                    max_attempts: MAX_ATTEMPTS,
                    retry_after: limits.retry_after,
                };
                if let Err(e) =
                    record_delivery(&state.newsroom, &delivery, outcome, Utc::now(), counts).await
                {
                    tracing::error!(delivery = delivery.id.0, error = %e, "cannot record a delivery");
                }
            }
            Ok(None) => tokio::time::sleep(POLL).await,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the outbox; retrying");
                tokio::time::sleep(POLL).await;
            }
        }
    }
}

async fn deliver(state: &AppState, delivery: &Delivery) -> DeliveryOutcome {
    let Some(mailer) = &state.mailer else {
        return DeliveryOutcome::Deferred("no [mail] configured".into());
    };
    let outgoing = match personal_copy(state, &delivery.email, &delivery.content).await {
        Ok(outgoing) => outgoing,
        Err(e) => return DeliveryOutcome::Deferred(e.to_string()),
    };
    match mailer.send(&outgoing).await {
        Ok(()) => DeliveryOutcome::Sent,
        Err(MailError::Permanent(why) | MailError::Invalid(why)) => DeliveryOutcome::Refused(why),
        Err(e) => DeliveryOutcome::Deferred(e.to_string()),
    }
}

/// The issue as `to` receives it: with their own unsubscribe link in both bodies and headers.
pub async fn personal_copy(
    state: &AppState,
    to: &Email,
    content: &IssueContent,
) -> Result<Outgoing, AppError> {
    let unsubscribe = unsubscribe_link(state, to).await?;
    Ok(Outgoing {
        to: to.clone(),
        subject: content.subject.clone(),
        text: content.text.replace(UNSUBSCRIBE_MARK, &unsubscribe.url),
        html: content.html.replace(UNSUBSCRIBE_MARK, &unsubscribe.url),
        unsubscribe: Some(unsubscribe),
    })
}
