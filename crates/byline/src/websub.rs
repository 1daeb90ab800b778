//! WebSub publish notices: what a hub named in `[seo] ping_urls` is sent when a story is
//! published or corrected (the webhooks' queue carries them; see `crate::webhooks`).

use byline_core::StoryId;
use byline_core::integrations::Event;

use crate::usecases::{Newsroom, integrations};

/// A WebSub publish notice for a story's event: `hub.mode=publish` and a `hub.url` for each
/// feed the story is in (the site's and its section's, tags' and authors', in every format).
pub async fn notice(
    nr: &Newsroom,
    event: &Event,
    base_url: &str,
) -> Result<String, crate::usecases::Refusal> {
    let mut listings = vec![String::new()];
    if let Some(story) = integrations::story_of_event(nr, StoryId(event.subject)).await? {
        use byline_render::views::paths;
        listings.extend(story.section.iter().map(|s| paths::section(&s.slug)));
        listings.extend(story.tags.iter().map(|t| paths::tag(&t.slug)));
        listings.extend(story.authors.iter().map(|a| paths::author(&a.slug)));
    }
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("hub.mode", "publish");
    for listing in &listings {
        for format in byline_render::syndication::FeedFormat::ALL {
            form.append_pair("hub.url", &format!("{base_url}{listing}/{}", format.file()));
        }
    }
    Ok(form.finish())
}
