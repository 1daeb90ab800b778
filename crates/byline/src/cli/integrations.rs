//! `byline token …` and `byline webhook …`: API tokens and webhooks from the command line, made
//! by the system (whoever runs the server).

use std::process::ExitCode;

use anyhow::Context;
use byline_core::Email;
use byline_core::access::Role;
use byline_core::integrations::TokenKind;
use chrono::Utc;
use clap::{Args, Subcommand};

use crate::config::Config;
use crate::server::DataDir;
use crate::usecases::Actor;
use crate::usecases::integrations::{self, TokenRequest, WebhookRequest};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make an API token and print it once, on a line of its own: only its SHA-256 is kept.
    /// Without --member it is an integration's token (an app, a partner, a script) acting as
    /// its own account with --role; with --member, that member's personal token; with
    /// --content, a content key that reads the public Content API only.
    Add(TokenAddArgs),
    /// List the tokens (never their secrets): name, kind, role, account, created, last used.
    List,
    /// Revoke a token: it stops working at once, on every node.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenAddArgs {
    /// A name to tell it by (and revoke it by).
    #[arg(long)]
    pub name: String,
    /// contributor, author, editor or admin: what the token may do (a personal token takes
    /// its member's role when none is given, and never more).
    #[arg(long)]
    pub role: Option<String>,
    /// Make a personal token of the member who signs in with this address.
    #[arg(long, value_name = "EMAIL", conflicts_with = "content")]
    pub member: Option<String>,
    /// Make a content key for the Content API.
    #[arg(long, conflicts_with = "role")]
    pub content: bool,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's name.
    #[arg(value_name = "NAME")]
    pub name: String,
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Send events to a URL, signed with a secret (see docs/api.md).
    Add(WebhookAddArgs),
    /// List the webhooks (never their secrets).
    List,
    /// Remove a webhook and its pending deliveries.
    Remove(WebhookRemoveArgs),
}

#[derive(Debug, Args)]
pub struct WebhookAddArgs {
    /// Where events are posted (http or https).
    #[arg(long)]
    pub url: String,
    /// The events to send, separated by commas: story.published, story.updated,
    /// story.unpublished, story.corrected, picture.updated, subscriber.confirmed,
    /// newsletter.sent.
    #[arg(long, value_delimiter = ',')]
    pub events: Vec<String>,
    /// The signing secret the receiver checks signatures with (16 to 256 characters).
    #[arg(long, env = "BYLINE_WEBHOOK_SECRET", hide_env_values = true)]
    pub secret: String,
    /// A name to tell it by; the URL's host when none is given.
    #[arg(long)]
    pub name: Option<String>,
    /// Allow a URL on a loopback, link-local or private address (a receiver on this machine
    /// or the newsroom's own network).
    #[arg(long)]
    pub allow_private: bool,
}

#[derive(Debug, Args)]
pub struct WebhookRemoveArgs {
    #[arg(value_name = "NAME")]
    pub name: String,
}

fn role(text: &str) -> anyhow::Result<Role> {
    Role::parse(text)
        .with_context(|| format!("--role {text:?}: choose contributor, author, editor or admin"))
}

/// `byline token add`: the token alone on standard output, once.
async fn add_token(newsroom: &crate::usecases::Newsroom, args: TokenAddArgs) -> anyhow::Result<()> {
    let kind = match (&args.member, args.content) {
        (_, true) => TokenKind::Content,
        (Some(_), false) => TokenKind::Personal,
        (None, false) => TokenKind::Integration,
    };
    let member = args
        .member
        .as_deref()
        .map(|m| Email::parse(m).map_err(|e| anyhow::anyhow!("--member {m:?}: {e}")))
        .transpose()?;
    let request = TokenRequest {
        name: args.name,
        kind,
        role: args.role.as_deref().map(role).transpose()?,
        member,
    };
    let issued = integrations::issue_token(newsroom, Actor::System, request, Utc::now()).await?;
    eprintln!("token {} made; it is shown once, here:", issued.name);
    println!("{}", issued.secret);
    Ok(())
}

pub(super) async fn token(
    data: &DataDir,
    config: &Config,
    command: TokenCommand,
) -> anyhow::Result<ExitCode> {
    let newsroom = data.open_newsroom(config).await?;
    let actor = Actor::System;
    match command {
        TokenCommand::Add(args) => add_token(&newsroom, args).await?,
        TokenCommand::List => {
            for token in integrations::tokens(&newsroom, actor).await? {
                let time = |t: Option<chrono::DateTime<Utc>>| {
                    t.map_or_else(
                        || "-".to_owned(),
                        |t| t.format("%Y-%m-%d %H:%M").to_string(),
                    )
                };
                println!(
                    "{}\t{}\t{}\t{}\tcreated {}\tlast used {}{}",
                    token.name,
                    token.kind.as_str(),
                    token.role.map_or("-", Role::as_str),
                    token.acts_as.as_deref().unwrap_or("-"),
                    time(Some(token.created_at)),
                    time(token.last_used_at),
                    token
                        .revoked_at
                        .map_or(String::new(), |t| format!("\trevoked {}", time(Some(t)))),
                );
            }
        }
        TokenCommand::Revoke(args) => {
            integrations::revoke_token(&newsroom, actor, &args.name, Utc::now())
                .await
                .map_err(|e| match e {
                    crate::usecases::Refusal::NotFound => {
                        anyhow::anyhow!("no live token is called {:?}", args.name)
                    }
                    other => other.into(),
                })?;
            eprintln!("token {} revoked", args.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `byline webhook add`, named after the URL's host unless `--name` says otherwise.
async fn add_webhook(
    newsroom: &crate::usecases::Newsroom,
    args: WebhookAddArgs,
) -> anyhow::Result<()> {
    let name = match args.name {
        Some(name) => name,
        None => crate::webhooks::Target::parse(&args.url)
            .map_err(|why| anyhow::anyhow!("--url: {why}"))?
            .host(),
    };
    let request = WebhookRequest {
        name: name.clone(),
        url: args.url,
        events: args.events,
        secret: args.secret,
        allow_private: args.allow_private,
    };
    integrations::add_webhook(newsroom, Actor::System, request, Utc::now())
        .await
        .map_err(|e| match e {
            crate::usecases::Refusal::Invalid { field, message } => {
                anyhow::anyhow!("--{field}: {message}")
            }
            other => other.into(),
        })?;
    eprintln!("webhook {name} added");
    Ok(())
}

pub(super) async fn webhook(
    data: &DataDir,
    config: &Config,
    command: WebhookCommand,
) -> anyhow::Result<ExitCode> {
    let newsroom = data.open_newsroom(config).await?;
    let actor = Actor::System;
    match command {
        WebhookCommand::Add(args) => add_webhook(&newsroom, args).await?,
        WebhookCommand::List => {
            for hook in integrations::webhooks(&newsroom, actor).await? {
                let events: Vec<&str> = hook.events.iter().map(|e| e.as_str()).collect();
                println!(
                    "{}\t{}\t{}{}",
                    hook.name,
                    hook.url,
                    events.join(","),
                    if hook.allow_private {
                        "\tprivate addresses allowed"
                    } else {
                        ""
                    }
                );
            }
        }
        WebhookCommand::Remove(args) => {
            integrations::remove_webhook(&newsroom, actor, &args.name)
                .await
                .map_err(|e| match e {
                    crate::usecases::Refusal::NotFound => {
                        anyhow::anyhow!("no webhook is called {:?}", args.name)
                    }
                    other => other.into(),
                })?;
            eprintln!("webhook {} removed", args.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}
