//! Tests of the API and webhook rules: tokens, idempotent creates, the event log, deliveries.

use super::*;

#[test]
fn event_names_read_back() {
    for kind in EventKind::ALL {
        assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            serde_json::Value::from(kind.as_str())
        );
    }
    assert_eq!(EventKind::parse("story.exploded"), None);
}

#[test]
fn retries_back_off_and_end() {
    let now = Utc::now();
    let waits: Vec<i64> = (1..WEBHOOK_ATTEMPTS)
        .map(|n| (next_webhook_attempt(n, now).unwrap() - now).num_seconds())
        .collect();
    assert_eq!(&waits[..5], &[10, 20, 40, 80, 160]);
    assert!(waits.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(*waits.last().unwrap(), 6 * 3600);
    assert_eq!(next_webhook_attempt(WEBHOOK_ATTEMPTS, now), None);
}

#[test]
fn visibility_names_the_story_event() {
    assert_eq!(
        EventKind::of_story(false, true),
        Some(EventKind::StoryPublished)
    );
    assert_eq!(
        EventKind::of_story(true, true),
        Some(EventKind::StoryUpdated)
    );
    assert_eq!(
        EventKind::of_story(true, false),
        Some(EventKind::StoryUnpublished)
    );
    assert_eq!(EventKind::of_story(false, false), None);
}
