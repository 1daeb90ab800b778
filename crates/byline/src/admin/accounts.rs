//! `byline user add`: members created from the command line.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::Context;
use byline_core::Email;
use byline_core::access::Role;
use byline_core::accounts::NewUser;
use chrono::{Duration, Utc};

use super::auth::{check_new_password, hash_password, random_token, token_hash};
use super::setup::SIGNIN_LINK_HOURS;
use crate::cli::UserAddArgs;
use crate::config::Config;
use crate::server::DataDir;

pub async fn add_user(
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
    let name = args.name.split_whitespace().collect::<Vec<_>>().join(" ");
    anyhow::ensure!(!name.is_empty(), "--name cannot be empty");
    let password_hash = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']);
        check_new_password(password).map_err(anyhow::Error::msg)?;
        Some(hash_password(password).map_err(|e| anyhow::anyhow!("{e}"))?)
    } else {
        None
    };
    let store = data.open_store().await?;
    let has_password = password_hash.is_some();
    let user = store
        .create_user(NewUser {
            email,
            name,
            role,
            password_hash,
            created_at: Utc::now(),
        })
        .await?;
    println!(
        "added {} ({}) as {}",
        user.name,
        user.email,
        user.role.as_str()
    );
    if !has_password {
        let token = random_token();
        let expires = Utc::now() + Duration::hours(SIGNIN_LINK_HOURS);
        store
            .create_signin_link(&token_hash(&token), user.id, expires)
            .await?;
        let base = config
            .site
            .base_url
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
        println!(
            "sign-in link (one use, until {}): {}/admin/signin/{token}",
            expires.to_rfc3339(),
            base.trim_end_matches('/')
        );
    }
    Ok(ExitCode::SUCCESS)
}
