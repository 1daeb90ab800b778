//! Composing a newsletter issue from published stories (headline, standfirst, lead photo,
//! link) and an intro, rendered by the theme's `email/issue.html` and `email/issue.txt`.

use byline_core::Slug;
use byline_core::newsletter::{IssueContent, UNSUBSCRIBE_MARK};
use byline_core::{Format, Shape};
use chrono::Utc;
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;

#[derive(Serialize)]
struct IssueStory {
    title: String,
    standfirst: Option<String>,
    url: String,
    photo: Option<String>,
    photo_alt: String,
    credit: Option<String>,
}

/// What `email/issue.txt` and `email/issue.html` show: the subject, the intro and the stories.
#[derive(Serialize)]
struct IssueMail<'a> {
    title: &'a str,
    subject: &'a str,
    intro: &'a str,
    stories: Vec<IssueStory>,
    site_url: &'a str,
    unsubscribe: &'static str,
}

/// Why an issue cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("the subject is empty or longer than 200 characters")]
    Subject,
    #[error("the subject holds a line break or another control character")]
    SubjectControl,
    #[error("no published story has the slug {0:?}")]
    NoStory(String),
    #[error(transparent)]
    App(#[from] AppError),
}

/// The issue: the subject, the intro and each story, in order, as email text and HTML, with
/// [`UNSUBSCRIBE_MARK`] where each reader's own unsubscribe link goes.
pub async fn compose(
    state: &AppState,
    subject: &str,
    intro: &str,
    slugs: &[String],
) -> Result<IssueContent, IssueError> {
    let subject = subject.trim();
    if subject.is_empty() || subject.chars().count() > 200 {
        return Err(IssueError::Subject);
    }
    if subject.chars().any(char::is_control) {
        return Err(IssueError::SubjectControl);
    }
    let base = &state.site.base_url;
    let mut stories = Vec::with_capacity(slugs.len());
    for wanted in slugs {
        let slug = Slug::parse(wanted).map_err(|_| IssueError::NoStory(wanted.clone()))?;
        let story = crate::usecases::reading::public_story(&state.newsroom, &slug, Utc::now())
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| IssueError::NoStory(wanted.clone()))?;
        let photo = story.lead_picture.as_ref().map(|p| {
            let url = p
                .renditions(Shape::Original, Format::Jpeg)
                .into_iter()
                .find(|(w, _)| *w >= 640)
                .map_or_else(|| p.url(), |(_, url)| url);
            if url.starts_with('/') {
                format!("{base}{url}")
            } else {
                url
            }
        });
        stories.push(IssueStory {
            title: story.headline.as_str().to_owned(),
            standfirst: story.standfirst.clone(),
            url: format!(
                "{base}{}",
                byline_render::views::paths::of(story.kind, &story.slug)
            ),
            photo,
            photo_alt: story
                .lead_picture
                .as_ref()
                .and_then(|p| p.alt.clone())
                .unwrap_or_default(),
            credit: story.lead_picture.as_ref().and_then(|p| p.credit.clone()),
        });
    }
    let context = IssueMail {
        title: &state.site.title,
        subject,
        intro: intro.trim(),
        stories,
        site_url: base,
        unsubscribe: UNSUBSCRIBE_MARK,
    };
    Ok(IssueContent {
        subject: subject.to_owned(),
        text: state
            .theme
            .render("email/issue.txt", &context)
            .map_err(AppError::from)?,
        html: state
            .theme
            .render("email/issue.html", &context)
            .map_err(AppError::from)?,
    })
}
