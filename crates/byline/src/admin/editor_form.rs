//! The story editor's form: parsed and checked into core types, or sent back with messages
//! and the writer's input kept.

use byline_core::editorial::{BodyFormat, EditorStory, StoryFields};
use byline_core::pages::PagePlace;
use byline_core::store::SectionRef;
use byline_core::{Headline, Seo, Slug, StoryId};
use byline_render::markdown::render_body;
use byline_render::plain_text;
use serde::{Deserialize, Serialize};

/// The editor's fields exactly as the browser sent them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct EditorForm {
    #[serde(default)]
    pub headline: String,
    #[serde(default)]
    pub standfirst: String,
    #[serde(default)]
    pub body: String,
    #[serde(default = "markdown")]
    pub body_format: String,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub authors: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub language: String,
    /// The page's title for search engines, when it is not the headline.
    #[serde(default)]
    pub seo_title: String,
    /// The page's description for search engines, when it is not the summary.
    #[serde(default)]
    pub seo_description: String,
    #[serde(default)]
    pub revision: i64,
    /// A page's parent page (its id, empty for the top) and its position among its siblings;
    /// a form without them keeps the page where it is.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub position: Option<String>,
    /// Whether the form edits one of the site's pages (set by the handler, never the browser).
    #[serde(skip_deserializing)]
    pub page: bool,
    #[serde(default, skip_serializing)]
    pub csrf: String,
}

fn markdown() -> String {
    "markdown".into()
}

/// A problem with one field, shown next to it.
#[derive(Debug, Clone, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn list(text: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for item in text
        .split(',')
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
    {
        if !item.is_empty() && !seen.iter().any(|s| s.eq_ignore_ascii_case(&item)) {
            seen.push(item);
        }
    }
    seen
}

impl EditorForm {
    /// The form filled from a stored story.
    pub fn from_story(story: &EditorStory) -> EditorForm {
        EditorForm {
            headline: story.headline.as_str().to_owned(),
            standfirst: story.standfirst.clone().unwrap_or_default(),
            body: story.body_source.clone(),
            body_format: story.body_format.as_str().to_owned(),
            section: story
                .section
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            tags: story
                .tags
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            authors: story
                .authors
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            slug: story.slug.to_string(),
            language: String::new(),
            seo_title: story.seo.title.clone().unwrap_or_default(),
            seo_description: story.seo.description.clone().unwrap_or_default(),
            revision: story.revision,
            parent: Some(
                story
                    .place
                    .parent
                    .map(|p| p.0.to_string())
                    .unwrap_or_default(),
            ),
            position: Some(story.place.position.to_string()),
            page: story.kind == byline_core::StoryKind::Page,
            csrf: String::new(),
        }
    }

    /// Where a page goes among the pages, as the form says: its parent's id (empty for the
    /// top) and its position (empty for 0); what the form leaves out stays as in `current`.
    pub fn place(&self, current: PagePlace) -> Result<PagePlace, FieldError> {
        let parent = match self.parent.as_deref().map(str::trim) {
            None => current.parent,
            Some("") => None,
            Some(id) => Some(StoryId(id.parse().map_err(|_| FieldError {
                field: "parent",
                message: "Choose the parent page from the list.".into(),
            })?)),
        };
        let position = match self.position.as_deref().map(str::trim) {
            None => current.position,
            Some("") => 0,
            Some(n) => n
                .parse::<i64>()
                .ok()
                .filter(|n| n.abs() <= 1_000_000)
                .ok_or_else(|| FieldError {
                    field: "position",
                    message: "The position is a whole number such as 0, 1 or 10.".into(),
                })?,
        };
        Ok(PagePlace { parent, position })
    }

    /// Checks every field. An empty slug keeps `current_slug` (an existing story never moves
    /// by accident) or, for a new story, is derived from the headline.
    pub fn check(
        &self,
        default_language: &str,
        current_slug: Option<&Slug>,
    ) -> Result<StoryFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let headline = Headline::parse(&self.headline)
            .map_err(|e| {
                errors.push(FieldError {
                    field: "headline",
                    message: format!("The headline: {e}."),
                })
            })
            .ok();
        let body_format = BodyFormat::parse(&self.body_format).unwrap_or(BodyFormat::Markdown);
        if self.body.len() > 2_000_000 {
            errors.push(FieldError {
                field: "body",
                message: "The body is longer than 2 MB.".into(),
            });
        }
        for (field, name, text, max) in [
            ("standfirst", "standfirst", &self.standfirst, 1_000),
            ("section", "section", &self.section, 100),
            ("tags", "tags", &self.tags, 2_000),
            ("authors", "authors", &self.authors, 1_000),
            ("language", "language", &self.language, 35),
            ("seo_title", "search title", &self.seo_title, Seo::MAX_TITLE),
            (
                "seo_description",
                "search description",
                &self.seo_description,
                Seo::MAX_DESCRIPTION,
            ),
        ] {
            if text.chars().count() > max {
                errors.push(FieldError {
                    field,
                    message: format!("The {name} field is longer than {max} characters."),
                });
            }
        }
        if list(&self.tags).iter().any(|t| t.chars().count() > 100) {
            errors.push(FieldError {
                field: "tags",
                message: "A tag is at most 100 characters.".into(),
            });
        }
        if list(&self.authors).iter().any(|a| a.chars().count() > 100) {
            errors.push(FieldError {
                field: "authors",
                message: "An author's name is at most 100 characters.".into(),
            });
        }
        let language = self.language.trim();
        if !language.is_empty()
            && !language.split('-').all(|part| {
                (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
            })
        {
            errors.push(FieldError {
                field: "language",
                message: "The language is a code such as en, de or pt-BR.".into(),
            });
        }
        let slug_text = self.slug.trim();
        let slug = if slug_text.is_empty() {
            current_slug
                .cloned()
                .or_else(|| headline.as_ref().and_then(|h| Slug::derive(h.as_str())))
        } else {
            Slug::parse(slug_text)
                .map_err(|e| {
                    errors.push(FieldError {
                        field: "slug",
                        message: format!("The slug: {e}."),
                    })
                })
                .ok()
        };
        let section_name = self
            .section
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let section = if section_name.is_empty() {
            None
        } else {
            match Slug::derive(&section_name) {
                Some(slug) => Some(SectionRef::new(slug, section_name)),
                None => {
                    errors.push(FieldError {
                        field: "section",
                        message: "The section needs letters or digits.".into(),
                    });
                    None
                }
            }
        };
        if slug.is_none() && headline.is_some() && slug_text.is_empty() {
            errors.push(FieldError {
                field: "slug",
                message: "The headline has no letters or digits to make an address of; write \
                          a slug."
                    .into(),
            });
        }
        let (Some(headline), Some(slug), true) = (headline, slug, errors.is_empty()) else {
            return Err(errors);
        };
        let body_html = render_body(&self.body, body_format);
        let standfirst = Some(
            self.standfirst
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        )
        .filter(|s| !s.is_empty());
        let summary =
            byline_core::excerpt::summary(standfirst.as_deref(), &plain_text(body_html.as_str()));
        let language = Some(self.language.trim())
            .filter(|l| !l.is_empty())
            .unwrap_or(default_language)
            .to_owned();
        Ok(StoryFields {
            headline,
            standfirst,
            body_source: self.body.replace("\r\n", "\n"),
            body_format,
            body_html,
            summary,
            section,
            tags: list(&self.tags),
            authors: list(&self.authors),
            language,
            slug,
            seo: Seo::new(Some(&self.seo_title), Some(&self.seo_description)),
            // A page's place is added by the caller, which knows what is being edited.
            place: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(headline: &str, slug: &str) -> EditorForm {
        EditorForm {
            headline: headline.into(),
            slug: slug.into(),
            body: "Some *text*".into(),
            ..EditorForm::default()
        }
    }

    #[test]
    fn a_good_form_becomes_fields() {
        let mut f = form("Port reopens", "");
        f.tags = "Ports, ports, Trade ,".into();
        f.authors = "Ana Lima,  Bo Chen".into();
        f.section = " Local  news ".into();
        let fields = f.check("en", None).unwrap();
        assert_eq!(fields.slug.as_str(), "port-reopens");
        assert_eq!(fields.tags, ["Ports", "Trade"]);
        assert_eq!(fields.authors, ["Ana Lima", "Bo Chen"]);
        assert_eq!(fields.section.unwrap().slug.as_str(), "local-news");
        assert_eq!(fields.body_html.as_str(), "<p>Some <em>text</em></p>");
        assert_eq!(fields.summary, "Some text");
    }

    #[test]
    fn an_empty_slug_keeps_the_current_one() {
        let current = Slug::parse("kept-slug").unwrap();
        assert_eq!(
            form("New headline", "")
                .check("en", Some(&current))
                .unwrap()
                .slug,
            current
        );
    }

    #[test]
    fn overlong_fields_are_refused_before_anything_is_stored() {
        let mut f = form("Fine", "");
        f.tags = format!("ok, {}", "t".repeat(101));
        f.standfirst = "s".repeat(1001);
        f.language = "en-<script>".into();
        let errors = f.check("en", None).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["standfirst", "tags", "language"]);
    }

    #[test]
    fn problems_are_named_per_field() {
        let errors = form("  ", "Bad Slug").check("en", None).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["headline", "slug"]);
        assert!(errors[0].message.contains("empty"));
    }
}
