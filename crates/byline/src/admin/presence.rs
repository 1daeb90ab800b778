//! Who else has a story open: the editor reports every few seconds, and is told the others.
//! Kept in memory on this node (the cluster issue moves it to the shared store).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::{Form, Json};
use byline_core::StoryId;
use byline_core::accounts::UserId;

use super::auth::SignedIn;
use super::gate::AllowedStory;
use super::login::CsrfForm;
use crate::error::AppError;
use crate::state::AppState;

/// Someone not heard from for this long has left the story.
const GONE_AFTER: Duration = Duration::from_secs(30);

/// The members in one story: name and when last heard, by member.
type Visitors = HashMap<UserId, (String, Instant)>;

/// Who is in which story.
#[derive(Default)]
pub struct Presence(Mutex<HashMap<StoryId, Visitors>>);

impl Presence {
    /// Records `me` in `story` and returns the names of the others there, sorted.
    pub fn visit(&self, story: StoryId, me: UserId, name: &str, now: Instant) -> Vec<String> {
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        all.retain(|_, people| {
            people.retain(|_, (_, seen)| now.duration_since(*seen) < GONE_AFTER);
            !people.is_empty()
        });
        let people = all.entry(story).or_default();
        people.insert(me, (name.to_owned(), now));
        let mut others: Vec<String> = people
            .iter()
            .filter(|(id, _)| **id != me)
            .map(|(_, (name, _))| name.clone())
            .collect();
        others.sort();
        others
    }
}

/// The editor's heartbeat: answers who else is in the story.
pub async fn heartbeat(
    State(state): State<AppState>,
    me: SignedIn,
    story: AllowedStory,
    Form(form): Form<CsrfForm>,
) -> Result<Json<Vec<String>>, AppError> {
    me.check_csrf(form.csrf())?;
    Ok(Json(state.presence.visit(
        story.id,
        me.user.id,
        &me.user.name,
        Instant::now(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn others_are_listed_until_they_go_quiet() {
        let presence = Presence::default();
        let t0 = Instant::now();
        let story = StoryId(1);
        assert!(presence.visit(story, UserId(1), "Ana", t0).is_empty());
        assert_eq!(presence.visit(story, UserId(2), "Bo", t0), ["Ana"]);
        assert_eq!(
            presence.visit(story, UserId(1), "Ana", t0 + Duration::from_secs(5)),
            ["Bo"]
        );
        assert!(
            presence.visit(StoryId(2), UserId(3), "Cy", t0).is_empty(),
            "per story"
        );
        assert!(
            presence
                .visit(story, UserId(1), "Ana", t0 + Duration::from_secs(40))
                .is_empty(),
            "Bo went quiet"
        );
    }
}
