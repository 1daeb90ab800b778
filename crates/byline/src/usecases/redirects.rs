//! Redirects: the newsroom's list of every one (kept by imports, left by slug changes, set by
//! hand), set one at a time or a CSV file's worth at once (all or nothing), and removed. Needs
//! `ManageRedirects` (editors and administrators).

use std::collections::HashMap;

use byline_core::access::{Ownership, Permission};
use byline_core::redirects::{
    Found, HandRedirect, Redirect, RedirectError, RedirectQuery, address_key_of_url, hand_redirect,
};
use byline_render::views::paths;
use chrono::{DateTime, Utc};

use super::{Actor, Newsroom, Outcome, Refusal};

/// Redirects read per page when all of them are wanted.
const EXPORT_PAGE: u32 = 1000;

/// Where a redirect sends readers: a path of this site or a URL.
pub fn location(found: &Found) -> String {
    match found {
        Found::Story(slug) => paths::story(slug),
        Found::Page(slug) => paths::page(slug),
        Found::Section(slug) => paths::section(slug),
        Found::Tag(slug) => paths::tag(slug),
        Found::Author(slug) => paths::author(slug),
        Found::Url(target) => target.clone(),
    }
}

fn require(actor: Actor<'_>) -> Result<(), Refusal> {
    if actor.may(Permission::ManageRedirects, Ownership::Own) {
        Ok(())
    } else {
        Err(Refusal::Forbidden(
            "Only editors and administrators manage redirects.".into(),
        ))
    }
}

/// A page of the list.
pub async fn list(
    nr: &Newsroom,
    actor: Actor<'_>,
    query: &RedirectQuery,
    now: DateTime<Utc>,
) -> Outcome<Vec<Redirect>> {
    require(actor)?;
    Ok(nr.store().redirects(query, now).await?)
}

/// Every redirect, in address order (for `byline redirects export`).
pub async fn all(nr: &Newsroom, actor: Actor<'_>, now: DateTime<Utc>) -> Outcome<Vec<Redirect>> {
    require(actor)?;
    let mut every: Vec<Redirect> = Vec::new();
    loop {
        let query = RedirectQuery {
            containing: None,
            after: every.last().map(|r| r.address.clone()),
            limit: EXPORT_PAGE,
        };
        let page = nr.store().redirects(&query, now).await?;
        let done = page.len() < EXPORT_PAGE as usize;
        every.extend(page);
        if done {
            return Ok(every);
        }
    }
}

/// Sets one redirect from `from` to `to`, replacing whatever `from` led to.
pub async fn set(
    nr: &Newsroom,
    actor: Actor<'_>,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Outcome<HandRedirect> {
    require(actor)?;
    let redirect = checked(from, to)?;
    if leads_back(nr, &redirect, &HashMap::new(), now).await? {
        return Err(circle(&redirect));
    }
    nr.store()
        .set_redirects(std::slice::from_ref(&redirect), now)
        .await?;
    Ok(redirect)
}

/// Removes the redirect at `address` (as the list shows it), whatever made it.
pub async fn remove(nr: &Newsroom, actor: Actor<'_>, address: &str) -> Outcome<()> {
    require(actor)?;
    if nr.store().remove_redirect(address).await? {
        Ok(())
    } else {
        Err(Refusal::NotFound)
    }
}

/// One row of a CSV file: the line it starts on, `from` and `to`.
#[derive(Debug, Clone)]
pub struct Line {
    pub line: usize,
    pub from: String,
    pub to: String,
}

/// What setting a file's redirects would do; with any `problems`, nothing may be written.
#[derive(Debug, Default)]
pub struct Plan {
    /// The redirects to write: new ones and ones that lead elsewhere now.
    pub changes: Vec<HandRedirect>,
    pub added: usize,
    pub changed: usize,
    /// Rows that say what the site already does (an export read back changes nothing).
    pub unchanged: usize,
    /// Each refused row's line and why, naming the field.
    pub problems: Vec<(usize, String)>,
}

/// Checks every row and compares it with the site; writes nothing.
pub async fn plan(
    nr: &Newsroom,
    actor: Actor<'_>,
    lines: &[Line],
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize),
) -> Outcome<Plan> {
    require(actor)?;
    let mut plan = Plan::default();
    let mut seen: HashMap<String, (usize, String)> = HashMap::new();
    let mut checked_lines = Vec::new();
    for line in lines {
        match checked(&line.from, &line.to) {
            Ok(redirect) => match seen.get(&redirect.address) {
                Some((first, _)) => plan.problems.push((
                    line.line,
                    format!("from: {} is already set on line {first}.", redirect.address),
                )),
                None => {
                    seen.insert(
                        redirect.address.clone(),
                        (line.line, redirect.target.clone()),
                    );
                    checked_lines.push((line.line, redirect));
                }
            },
            Err(refusal) => plan.problems.push((line.line, refusal.to_string())),
        }
    }
    let file: HashMap<String, String> = seen.into_iter().map(|(k, (_, to))| (k, to)).collect();
    for (done, (line, redirect)) in checked_lines.into_iter().enumerate() {
        progress(done + 1);
        if leads_back(nr, &redirect, &file, now).await? {
            plan.problems.push((line, circle(&redirect).to_string()));
            continue;
        }
        match nr.store().redirect_at(&redirect.address, now).await? {
            Some(now_there) if location(&now_there.leads_to) == redirect.target => {
                plan.unchanged += 1;
            }
            Some(_) => {
                plan.changed += 1;
                plan.changes.push(redirect);
            }
            None => {
                plan.added += 1;
                plan.changes.push(redirect);
            }
        }
    }
    plan.problems.sort();
    Ok(plan)
}

/// Writes a plan's changes in one transaction: all of them or, on failure, none.
pub async fn apply(
    nr: &Newsroom,
    actor: Actor<'_>,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Outcome<()> {
    require(actor)?;
    if !plan.problems.is_empty() {
        return Err(Refusal::invalid(
            "file",
            "The file has refused rows: nothing was written.",
        ));
    }
    Ok(nr.store().set_redirects(&plan.changes, now).await?)
}

/// Core's checks of a redirect, and the site's: no fixed route may be taken.
fn checked(from: &str, to: &str) -> Result<HandRedirect, Refusal> {
    let redirect = hand_redirect(from, to).map_err(|e| match e {
        RedirectError::From(m) => Refusal::invalid("from", format!("from: {m}")),
        RedirectError::To(m) => Refusal::invalid("to", format!("to: {m}")),
    })?;
    if crate::router::is_fixed_address(&redirect.address) {
        return Err(Refusal::invalid(
            "from",
            format!(
                "from: {} is an address the site itself serves, which no redirect can take.",
                redirect.address
            ),
        ));
    }
    Ok(redirect)
}

/// Hops followed from a new redirect's target when looking for a way back to its address.
const HOPS: usize = 10;

/// Whether following `redirect`'s target (on this site) from redirect to redirect, through
/// `file` (other rows being set with it) and the site's own, leads back to its address
/// within [`HOPS`] hops.
async fn leads_back(
    nr: &Newsroom,
    redirect: &HandRedirect,
    file: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Outcome<bool> {
    let mut next = redirect.target.clone();
    for _ in 0..HOPS {
        if !next.starts_with('/') {
            return Ok(false);
        }
        let Some(key) = address_key_of_url(&next) else {
            return Ok(false);
        };
        if key == redirect.address {
            return Ok(true);
        }
        next = match file.get(&key) {
            Some(to) => to.clone(),
            None => match nr.store().redirect_at(&key, now).await? {
                Some(found) => location(&found.leads_to),
                None => return Ok(false),
            },
        };
    }
    Ok(false)
}

fn circle(redirect: &HandRedirect) -> Refusal {
    Refusal::invalid(
        "to",
        format!(
            "to: {} is redirected back to {}: readers would go round in a circle.",
            redirect.target, redirect.address
        ),
    )
}
