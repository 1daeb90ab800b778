//! `byline user add`: members added from the command line, by the system.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::Context;
use byline_core::Email;
use byline_core::access::Role;
use chrono::Utc;

use super::UserAddArgs;
use crate::admin::auth::{check_new_password, hash_password};
use crate::config::Config;
use crate::server::DataDir;
use crate::usecases::Actor;
use crate::usecases::members::{self, NewMember};

/// Adds the member the arguments describe, with the password read from standard input or,
/// without one, a printed one-time sign-in link where they choose it.
pub(super) async fn add_user(
    data: &DataDir,
    config: &Config,
    args: UserAddArgs,
) -> anyhow::Result<ExitCode> {
    let email =
        Email::parse(&args.email).map_err(|e| anyhow::anyhow!("--email {:?}: {e}", args.email))?;
    let role = Role::parse(&args.role).with_context(|| {
        format!(
            "--role {:?}: choose contributor, author, editor or admin",
            args.role
        )
    })?;
    let name =
        members::member_name(&args.name).map_err(|_| anyhow::anyhow!("--name cannot be empty"))?;
    let password_hash = if args.password_stdin {
        Some(read_password()?)
    } else {
        None
    };
    let newsroom = data.open_newsroom(config).await?;
    let has_password = password_hash.is_some();
    let new = NewMember {
        email,
        name,
        role,
        password_hash,
    };
    let user = members::add_member(&newsroom, Actor::System, new, Utc::now()).await?;
    println!(
        "added {} ({}) as {}",
        user.name,
        user.email,
        user.role.as_str()
    );
    if !has_password {
        let link =
            members::create_signin_link(&newsroom, Actor::System, user.id, Utc::now()).await?;
        let base = config
            .site
            .base_url
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
        println!(
            "sign-in link (one use, until {}): {}/admin/signin/{}",
            link.expires_at.to_rfc3339(),
            base.trim_end_matches('/'),
            link.token
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// One line of standard input, checked as a new password and hashed.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']);
    check_new_password(password).map_err(anyhow::Error::msg)?;
    hash_password(password).map_err(|e| anyhow::anyhow!("{e}"))
}
