//! The API's OpenAPI 3.1 description, generated from the handlers and types, and its reference
//! page in the admin.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{content, desk, model, newsroom, ninjs};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Byline API",
        version = "1",
        description = "The Content API reads public stories (anonymously or with a content key; \
            any token may read it). The Admin API acts for a token's account with the role the \
            token allows, on the same rules as the admin. Tokens go in `Authorization: Bearer \
            TOKEN`. Errors are RFC 9457 problem details."
    ),
    paths(
        content::list_stories,
        content::story,
        content::sections,
        content::tags,
        content::authors,
        newsroom::create_story,
        newsroom::get_story,
        newsroom::save_story,
        newsroom::change_status,
        newsroom::correct,
        newsroom::set_lead_picture,
        desk::upload_picture,
        desk::get_picture,
        desk::update_picture,
        desk::curate,
        desk::save_section,
        desk::create_newsletter_draft,
    ),
    components(schemas(
        model::Problem,
        model::StoryPage,
        model::StoryOut,
        model::SectionList,
        model::TagList,
        model::AuthorList,
        model::DraftIn,
        model::DraftOut,
        model::StatusIn,
        model::CorrectionIn,
        model::LeadPictureIn,
        ninjs::NinjsItem,
        desk::LibraryPictureOut,
        desk::PictureEditIn,
        desk::CurationIn,
        desk::SectionIn,
        desk::NewsletterDraftIn,
        desk::NewsletterDraftOut,
    )),
    modifiers(&BearerTokens),
    tags(
        (name = "content", description = "Public stories, sections, tags and authors"),
        (name = "admin", description = "The newsroom's operations, for a token's account"),
    )
)]
pub struct ApiDescription;

struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The description as JSON, made once per process.
pub fn description_json() -> &'static str {
    static JSON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    JSON.get_or_init(|| {
        ApiDescription::openapi()
            .to_json()
            .expect("the description serializes")
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn description() -> Response {
    let mut response = description_json().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// One operation of the reference page.
#[derive(Debug, serde::Serialize)]
pub struct Operation {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub tag: String,
    pub parameters: Vec<String>,
    pub responses: Vec<String>,
}

/// The operations of the description, for the admin's reference page.
pub fn operations() -> Vec<Operation> {
    let value: serde_json::Value =
        serde_json::from_str(description_json()).expect("the description is JSON");
    let mut operations = Vec::new();
    let Some(paths) = value["paths"].as_object() else {
        return operations;
    };
    for (path, methods) in paths {
        let Some(methods) = methods.as_object() else {
            continue;
        };
        for (method, op) in methods {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
            operations.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(&op["description"])
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
                    + &text(&op["summary"]),
                tag: op["tags"][0].as_str().unwrap_or_default().to_owned(),
                parameters: op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .map(|p| {
                                format!(
                                    "{} ({}): {}",
                                    text(&p["name"]),
                                    text(&p["in"]),
                                    text(&p["description"])
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                responses: op["responses"]
                    .as_object()
                    .map(|rs| {
                        rs.iter()
                            .map(|(code, r)| format!("{code}: {}", text(&r["description"])))
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    operations
}
