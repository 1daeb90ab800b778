//! The administrator's integrations page: API tokens (made, shown once, revoked), webhooks
//! (added, removed), the delivery log with resend, and the API's reference.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::WebhookDeliveryId;
use byline_core::access::Role;
use byline_core::integrations::{EventKind, TokenKind};
use byline_render::views::{PageMeta, SiteView, TimeView};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::SignedIn;
use super::dashboard::{MemberView, me_view};
use super::stories::see_other;
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::state::AppState;
use crate::usecases::integrations::{self, TokenRequest, WebhookRequest};
use crate::usecases::{Actor, Refusal};

#[derive(Serialize)]
struct TokenRow {
    name: String,
    kind: &'static str,
    role: &'static str,
    acts_as: String,
    created: TimeView,
    last_used: Option<TimeView>,
    revoked: Option<TimeView>,
}

#[derive(Serialize)]
struct HookRow {
    name: String,
    url: String,
    events: String,
    allow_private: bool,
    /// A WebSub hub from `[seo] ping_urls`, kept by the config rather than here.
    websub: bool,
}

#[derive(Serialize)]
struct DeliveryRow {
    id: i64,
    webhook: String,
    event: String,
    kind: &'static str,
    state: &'static str,
    attempts: u32,
    last_status: Option<u16>,
    last_error: Option<String>,
    at: TimeView,
}

impl From<byline_core::integrations::TokenRecord> for TokenRow {
    fn from(t: byline_core::integrations::TokenRecord) -> TokenRow {
        TokenRow {
            kind: t.kind.as_str(),
            role: t.role.map_or("-", Role::as_str),
            acts_as: t.acts_as.unwrap_or_else(|| "-".into()),
            created: t.created_at.into(),
            last_used: t.last_used_at.map(TimeView::from),
            revoked: t.revoked_at.map(TimeView::from),
            name: t.name,
        }
    }
}

impl From<byline_core::integrations::Webhook> for HookRow {
    fn from(h: byline_core::integrations::Webhook) -> HookRow {
        let events: Vec<&str> = h.events.iter().map(|e| e.as_str()).collect();
        HookRow {
            events: events.join(", "),
            name: h.name,
            url: h.url,
            allow_private: h.allow_private,
            websub: h.kind == byline_core::integrations::HookKind::WebSub,
        }
    }
}

impl From<byline_core::integrations::WebhookDelivery> for DeliveryRow {
    fn from(d: byline_core::integrations::WebhookDelivery) -> DeliveryRow {
        DeliveryRow {
            id: d.id.0,
            event: crate::webhooks::event_id(d.event),
            kind: d.kind.as_str(),
            state: d.state.as_str(),
            attempts: d.attempts,
            last_status: d.last_status,
            at: d.delivered_at.unwrap_or(d.created_at).into(),
            last_error: d.last_error,
            webhook: d.webhook_name,
        }
    }
}

#[derive(Serialize)]
struct IntegrationsPage<'a> {
    site: SiteView,
    page: PageMeta,
    tokens: Vec<TokenRow>,
    hooks: Vec<HookRow>,
    deliveries: Vec<DeliveryRow>,
    events: Vec<&'static str>,
    roles: Vec<&'static str>,
    new_token: Option<(String, String)>,
    error: Option<String>,
    me: MemberView<'a>,
    csrf: &'a str,
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    new_token: Option<(String, String)>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let (nr, actor) = (&state.newsroom, Actor::Member(&me.user));
    let tokens = integrations::tokens(nr, actor).await?;
    let hooks = integrations::webhooks(nr, actor).await?;
    let deliveries = integrations::deliveries(nr, actor, 50).await?;
    let site = bare_site_view(state);
    let meta = PageMeta::new(&site, "Integrations", "/admin/integrations");
    let view = IntegrationsPage {
        site,
        page: meta,
        tokens: tokens.into_iter().map(TokenRow::from).collect(),
        hooks: hooks.into_iter().map(HookRow::from).collect(),
        deliveries: deliveries.into_iter().map(DeliveryRow::from).collect(),
        events: EventKind::ALL.iter().map(|e| e.as_str()).collect(),
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        new_token,
        error,
        me: me_view(me),
        csrf: &me.csrf_token,
    };
    let mut response = admin_page(state, "admin/integrations.html", view)?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /admin/integrations`.
pub async fn show(State(state): State<AppState>, me: SignedIn) -> Result<Response, AppError> {
    page(&state, &me, StatusCode::OK, None, None).await
}

/// A refusal with a field to fix is shown on the page; anything else is the usual error.
async fn refused(state: &AppState, me: &SignedIn, refusal: Refusal) -> Result<Response, AppError> {
    match refusal {
        Refusal::Invalid { message, .. } => {
            page(
                state,
                me,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(message),
            )
            .await
        }
        other => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    role: String,
}

/// `POST /admin/integrations/tokens`: makes a token and shows its secret on this answer only.
pub async fn add_token(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let kind = TokenKind::parse(&form.kind)
        .ok_or_else(|| AppError::BadRequest("Choose what the token is for.".into()))?;
    let request = TokenRequest {
        name: form.name,
        kind,
        role: Role::parse(&form.role),
        member: None,
    };
    match integrations::issue_token(
        &state.newsroom,
        Actor::Member(&me.user),
        request,
        Utc::now(),
    )
    .await
    {
        Ok(issued) => {
            let shown = Some((issued.name, issued.secret));
            let mut response = page(&state, &me, StatusCode::OK, shown, None).await?;
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            Ok(response)
        }
        Err(refusal) => refused(&state, &me, refusal).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

/// `POST /admin/integrations/tokens/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<NameForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    integrations::revoke_token(
        &state.newsroom,
        Actor::Member(&me.user),
        &form.name,
        Utc::now(),
    )
    .await?;
    Ok(see_other("/admin/integrations"))
}

#[derive(Debug, Deserialize)]
pub struct WebhookForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    secret: String,
    /// The events, separated by commas.
    #[serde(default)]
    events: String,
    #[serde(default)]
    allow_private: Option<String>,
}

/// `POST /admin/integrations/webhooks`.
pub async fn add_webhook(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<WebhookForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let request = WebhookRequest {
        name: form.name,
        url: form.url,
        events: form.events.split(',').map(str::to_owned).collect(),
        secret: form.secret,
        allow_private: form.allow_private.is_some(),
    };
    match integrations::add_webhook(
        &state.newsroom,
        Actor::Member(&me.user),
        request,
        Utc::now(),
    )
    .await
    {
        Ok(_) => Ok(see_other("/admin/integrations")),
        Err(refusal) => refused(&state, &me, refusal).await,
    }
}

/// `POST /admin/integrations/webhooks/remove`.
pub async fn remove_webhook(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<NameForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    integrations::remove_webhook(&state.newsroom, Actor::Member(&me.user), &form.name).await?;
    Ok(see_other("/admin/integrations"))
}

#[derive(Debug, Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    csrf: String,
    delivery: i64,
}

/// `POST /admin/integrations/deliveries/resend`.
pub async fn resend(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<ResendForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let id = WebhookDeliveryId(form.delivery);
    match integrations::resend(&state.newsroom, Actor::Member(&me.user), id, Utc::now()).await {
        Ok(()) => Ok(see_other("/admin/integrations")),
        Err(refusal) => refused(&state, &me, refusal).await,
    }
}

#[derive(Serialize)]
struct ReferencePage<'a> {
    site: SiteView,
    page: PageMeta,
    operations: Vec<crate::api::openapi::Operation>,
    me: MemberView<'a>,
    csrf: &'a str,
}

/// `GET /admin/api`: the API's reference, drawn from its OpenAPI description.
pub async fn reference(State(state): State<AppState>, me: SignedIn) -> Result<Response, AppError> {
    let site = bare_site_view(&state);
    let meta = PageMeta::new(&site, "API reference", "/admin/api");
    let view = ReferencePage {
        site,
        page: meta,
        operations: crate::api::openapi::operations(),
        me: me_view(&me),
        csrf: &me.csrf_token,
    };
    admin_page(&state, "admin/api.html", view)
}
