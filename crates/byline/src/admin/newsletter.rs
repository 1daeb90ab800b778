//! The newsletter desk in the admin: drafts written from chosen stories and an intro,
//! previewed as the email (HTML and text), tested on oneself; the issues sent, with how far
//! each has gone. Sending and scheduling are in `newsletter_send`.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use byline_core::DraftId;
use byline_core::newsletter::{Draft, DraftInput, IssueContent, UNSUBSCRIBE_MARK};
use byline_core::store::{ListQuery, Listing, StoreError};
use byline_render::views::{PageMeta, SiteView};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::SignedIn;
use super::dashboard::{MemberView, me_view};
use super::stories::see_other;
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::newsletter::issue::compose;
use crate::state::AppState;
use crate::usecases::newsletter::{self as cases, DraftFields, version};
use crate::usecases::{Actor, Refusal};

/// Recent stories offered as checkboxes in a draft.
const RECENT_STORIES: u32 = 40;

/// A draft as the desk lists it.
#[derive(Serialize)]
struct DraftRow<'a> {
    id: DraftId,
    subject: &'a str,
    author: &'a str,
    /// How many stories it links.
    stories: usize,
    updated: String,
    send_at: Option<String>,
}

pub fn when(t: DateTime<Utc>) -> String {
    t.format("%-d %B %Y, %H:%M UTC").to_string()
}

pub fn notice(done: &str) -> Option<&'static str> {
    match done {
        "saved" => Some("Saved. The preview below is the email as subscribers will see it."),
        "tested" => Some("A test copy is on its way to your address."),
        "scheduled" => Some("Scheduled. Its content is frozen as previewed."),
        "unscheduled" => Some("No longer scheduled: it is a draft again."),
        "deleted" => Some("The draft was deleted."),
        "queued" => Some("The issue is in the outbox and going out to every active subscriber."),
        "requeued" => Some("The deliveries of unknown outcome are queued again."),
        _ => None,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneParams {
    #[serde(default)]
    pub done: String,
}

/// The newsletter desk, as `admin/newsletter.html` shows it.
#[derive(Serialize)]
struct DeskPage<'a> {
    site: SiteView,
    page: PageMeta,
    /// Subscribers by status.
    counts: &'a [(String, u64)],
    active: u64,
    drafts: Vec<DraftRow<'a>>,
    issues: Vec<super::newsletter_issues::IssueRow<'a>>,
    mail: bool,
    /// When the daily digest goes out (`HH:MM`, UTC), if it does.
    digest: Option<String>,
    notice: Option<&'static str>,
    me: MemberView<'a>,
    csrf: &'a str,
}

/// A newsletter draft with its preview, as `admin/newsletter_draft.html` shows it.
#[derive(Serialize)]
struct DraftPage<'a> {
    site: SiteView,
    page: PageMeta,
    choices: Vec<Choice>,
    text: Option<String>,
    problem: Option<String>,
    error: Option<String>,
    id: DraftId,
    subject: &'a str,
    intro: &'a str,
    author: &'a str,
    /// The draft's version, sent back to detect a lost update.
    updated: String,
    updated_at: String,
    send_at: Option<String>,
    suggested_at: String,
    mail: bool,
    notice: Option<&'static str>,
    me: MemberView<'a>,
    csrf: &'a str,
}

/// `/admin/newsletter`: subscribers counted, the drafts and the latest issues.
pub async fn desk(
    State(state): State<AppState>,
    me: SignedIn,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let desk = cases::desk(&state.newsroom, Actor::Member(&me.user)).await?;
    let active = desk
        .counts
        .iter()
        .find(|(status, _)| status == "active")
        .map_or(0, |(_, n)| *n);
    let drafts: Vec<_> = desk
        .drafts
        .iter()
        .map(|d| DraftRow {
            id: d.id,
            subject: &d.input.subject,
            author: &d.input.author,
            stories: d.input.stories.len(),
            updated: when(d.updated_at),
            send_at: d.send_at.map(when),
        })
        .collect();
    let issues: Vec<_> = desk
        .issues
        .iter()
        .map(super::newsletter_issues::issue_view)
        .collect();
    let site = bare_site_view(&state);
    let meta = PageMeta::new(&site, "Newsletter", "/admin/newsletter");
    let digest = state
        .digest
        .as_ref()
        .map(|d| d.time_utc.format("%H:%M").to_string());
    let view = DeskPage {
        site,
        page: meta,
        counts: &desk.counts,
        active,
        drafts,
        issues,
        mail: state.mailer.is_some(),
        digest,
        notice: notice(&params.done),
        me: me_view(&me),
        csrf: &me.csrf_token,
    };
    admin_page(&state, "admin/newsletter.html", view)
}

/// A draft's form: repeated `story` fields, so it is read as pairs.
#[derive(Debug, Default)]
pub struct DraftForm {
    pub csrf: String,
    pub subject: String,
    pub intro: String,
    pub stories: Vec<String>,
    pub action: String,
    pub updated: String,
    pub send_at: String,
}

impl From<Vec<(String, String)>> for DraftForm {
    fn from(pairs: Vec<(String, String)>) -> DraftForm {
        let mut form = DraftForm::default();
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => form.csrf = value,
                "subject" => form.subject = value,
                "intro" => form.intro = value,
                "story" => form.stories.push(value),
                // A story added by its address or slug.
                "add" => form.stories.extend(story_slug(&value)),
                "action" => form.action = value,
                "updated" => form.updated = value,
                "send_at" => form.send_at = value,
                _ => {}
            }
        }
        let mut seen = std::collections::HashSet::new();
        form.stories
            .retain(|s| !s.is_empty() && seen.insert(s.clone()));
        form
    }
}

/// The slug in a story's address (`https://site/story/SLUG`, `/story/SLUG`) or a bare slug.
fn story_slug(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches('/');
    let slug = text.rsplit_once("/story/").map_or(text, |(_, slug)| slug);
    let slug = slug.split(['?', '#']).next().unwrap_or_default();
    (!slug.is_empty()).then(|| slug.to_owned())
}

impl DraftForm {
    /// The draft's words as the form gives them, for the use cases to check.
    pub fn fields(&self) -> DraftFields {
        DraftFields {
            subject: self.subject.clone(),
            intro: self.intro.clone(),
            stories: self.stories.clone(),
        }
    }
}

/// `POST /admin/newsletter/drafts`: a new draft, opened at once.
pub async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = DraftForm::from(pairs);
    me.check_csrf(&form.csrf)?;
    let actor = Actor::Member(&me.user);
    let id = cases::create_draft(&state.newsroom, actor, &form.fields(), Utc::now()).await?;
    tracing::info!(
        draft = id.0,
        user = me.user.id.0,
        "newsletter draft started"
    );
    Ok(see_other(&format!("/admin/newsletter/drafts/{id}")))
}

/// The draft, for a member of the newsletter desk.
pub async fn load_draft(state: &AppState, me: &SignedIn, id: DraftId) -> Result<Draft, AppError> {
    Ok(cases::draft(&state.newsroom, Actor::Member(&me.user), id).await?)
}

/// What the draft would send now: its frozen content when scheduled, else composed afresh.
pub async fn content_of(state: &AppState, draft: &Draft) -> Result<IssueContent, String> {
    if let Some(frozen) = &draft.frozen {
        return Ok(frozen.clone());
    }
    let input = &draft.input;
    if input.stories.is_empty() && input.intro.is_empty() {
        return Err("Choose at least one story or write an intro.".into());
    }
    compose(state, &input.subject, &input.intro, &input.stories)
        .await
        .map_err(|e| match e {
            crate::newsletter::issue::IssueError::App(e) => e.to_string(),
            e => format!("This issue cannot be sent as it is: {e}."),
        })
}

/// `/admin/newsletter/drafts/{id}`: the form, the preview, and the ways to send.
pub async fn draft_page(
    state: &AppState,
    me: &SignedIn,
    draft: &Draft,
    status: StatusCode,
    error: Option<String>,
    done: &str,
) -> Result<Response, AppError> {
    let content = content_of(state, draft).await;
    let (text, problem) = match &content {
        Ok(content) => (
            Some(
                content
                    .text
                    .replace(UNSUBSCRIBE_MARK, "(your unsubscribe link)"),
            ),
            None,
        ),
        Err(problem) => (None, Some(problem.clone())),
    };
    let choices = choices(state, draft).await?;
    let site = bare_site_view(state);
    let meta = PageMeta::new(
        &site,
        "Newsletter issue",
        format!("/admin/newsletter/drafts/{}", draft.id),
    );
    let suggested_at = (Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:00");
    let view = DraftPage {
        site,
        page: meta,
        choices,
        text,
        problem,
        error,
        id: draft.id,
        subject: &draft.input.subject,
        intro: &draft.input.intro,
        author: &draft.input.author,
        updated: version(draft),
        updated_at: when(draft.updated_at),
        send_at: draft.send_at.map(when),
        suggested_at: suggested_at.to_string(),
        mail: state.mailer.is_some(),
        notice: notice(done),
        me: me_view(me),
        csrf: &me.csrf_token,
    };
    let mut response = admin_page(state, "admin/newsletter_draft.html", view)?;
    *response.status_mut() = status;
    Ok(response)
}

/// The draft's stories first, in order, then the latest published ones to tick.
async fn choices(state: &AppState, draft: &Draft) -> Result<Vec<Choice>, AppError> {
    let query = ListQuery {
        listing: Listing::All,
        limit: RECENT_STORIES,
        offset: 0,
        now: Utc::now(),
    };
    let recent = crate::usecases::reading::cards(&state.newsroom, &query).await?;
    let mut choices: Vec<Choice> = draft
        .input
        .stories
        .iter()
        .map(|slug| Choice {
            slug: slug.clone(),
            headline: recent
                .cards
                .iter()
                .find(|c| c.slug.to_string() == *slug)
                .map_or_else(|| slug.clone(), |c| c.headline.as_str().to_owned()),
            chosen: true,
        })
        .collect();
    for card in &recent.cards {
        let slug = card.slug.to_string();
        if !draft.input.stories.contains(&slug) {
            choices.push(Choice {
                slug,
                headline: card.headline.as_str().to_owned(),
                chosen: false,
            });
        }
    }
    Ok(choices)
}

#[derive(Serialize)]
struct Choice {
    slug: String,
    headline: String,
    chosen: bool,
}

pub async fn show_draft(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<DraftId>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let draft = load_draft(&state, &me, id).await?;
    draft_page(&state, &me, &draft, StatusCode::OK, None, &params.done).await
}

/// `POST /admin/newsletter/drafts/{id}`: saves, and with `action=test` mails the saved issue
/// to the editor.
pub async fn save_draft(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<DraftId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = DraftForm::from(pairs);
    me.check_csrf(&form.csrf)?;
    let draft = load_draft(&state, &me, id).await?;
    let (actor, fields) = (Actor::Member(&me.user), form.fields());
    let saved = if form.action == "test" {
        cases::save_for_test(&state.newsroom, actor, id, &fields, Utc::now())
            .await
            .map(Some)
    } else {
        cases::save_draft(&state.newsroom, actor, id, &fields, Utc::now())
            .await
            .map(|()| None)
    };
    let tested = match saved {
        Ok(None) => {
            return Ok(see_other(&format!(
                "/admin/newsletter/drafts/{id}?done=saved"
            )));
        }
        Ok(Some(tested)) => tested,
        Err(Refusal::Store(StoreError::Conflict(message))) => {
            let status = StatusCode::CONFLICT;
            return draft_page(&state, &me, &draft, status, Some(message), "").await;
        }
        Err(Refusal::Invalid { message, .. }) => {
            let typed = Draft {
                input: DraftInput {
                    subject: form.subject.clone(),
                    intro: form.intro.clone(),
                    stories: form.stories.clone(),
                    ..draft.input.clone()
                },
                ..draft
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return draft_page(&state, &me, &typed, status, Some(message), "").await;
        }
        Err(refusal) => return Err(refusal.into()),
    };
    match super::newsletter_send::test_copy(&state, &me, &tested).await {
        Ok(()) => Ok(see_other(&format!(
            "/admin/newsletter/drafts/{id}?done=tested"
        ))),
        Err(problem) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            draft_page(&state, &me, &tested, status, Some(problem), "").await
        }
    }
}

/// An email's HTML on its own, for the preview frame: the email's inline styles allowed, no
/// script, framed only by the admin.
pub fn email_frame(html: String) -> Response {
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self' https: http: data:; style-src 'unsafe-inline'; \
             frame-ancestors 'self'; form-action 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /admin/newsletter/drafts/{id}/email`: the draft's HTML as the editor would receive it.
pub async fn draft_email(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<DraftId>,
) -> Result<Response, AppError> {
    let draft = load_draft(&state, &me, id).await?;
    let content = content_of(&state, &draft)
        .await
        .map_err(AppError::Unprocessable)?;
    let copy = crate::newsletter::sender::personal_copy(&state, &me.user.email, &content).await?;
    Ok(email_frame(copy.html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stories_are_added_by_address_or_slug() {
        assert_eq!(
            story_slug("https://news.example/story/a-b/").as_deref(),
            Some("a-b")
        );
        assert_eq!(story_slug("/story/a-b?x=1#top").as_deref(), Some("a-b"));
        assert_eq!(story_slug(" a-b ").as_deref(), Some("a-b"));
        assert_eq!(story_slug("  "), None);
        let form = DraftForm::from(vec![
            ("story".into(), "one".into()),
            ("add".into(), "/story/two".into()),
            ("story".into(), "one".into()),
        ]);
        assert_eq!(form.stories, ["one", "two"], "in order, once each");
    }
}
