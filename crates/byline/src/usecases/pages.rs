//! The site's own pages and its menus, as the newsroom arranges them: who may (editors and
//! administrators: `ManagePages`), where a page may live, and what a menu may hold. A page is
//! written, revised and published as a story is ([`super::stories`]); this adds its rules.

use byline_core::access::{Ownership, Permission};
use byline_core::editorial::StoryFields;
use byline_core::menus::{Menu, MenuLocation, parse_items, round_trips};
use byline_core::pages::{PageEntry, PagePlace, tree};
use byline_core::{Slug, StoryId};
use byline_render::views::paths;
use chrono::{DateTime, Utc};

use super::{Actor, Newsroom, Outcome, Refusal};

/// Longest menu name, in characters.
const MAX_MENU_NAME: usize = 100;

/// Refuses unless the actor may work on the site's pages and menus.
pub fn require(actor: Actor<'_>) -> Outcome<()> {
    if actor.may(Permission::ManagePages, Ownership::Own) {
        Ok(())
    } else {
        Err(Refusal::Forbidden(
            "Only editors and administrators work on the site's pages and menus.".into(),
        ))
    }
}

/// Every page in tree order with its depth, in any status (for the admin's list and the
/// editor's choice of parent).
pub async fn list(nr: &Newsroom, actor: Actor<'_>) -> Outcome<Vec<(usize, PageEntry)>> {
    require(actor)?;
    let pages = nr.store().pages().await?;
    Ok(tree(&pages)
        .into_iter()
        .map(|(depth, page)| (depth, page.clone()))
        .collect())
}

/// Checks the fields of a page before it is saved (`this` is the page, `None` for a new one)
/// and leaves out what a page has not (a section, tags, authors): its address must not be one
/// of the site's fixed routes, and its parent must be another page not under it.
pub async fn check(
    nr: &Newsroom,
    actor: Actor<'_>,
    this: Option<StoryId>,
    fields: &mut StoryFields,
) -> Outcome<()> {
    require(actor)?;
    let Some(place) = fields.place else {
        return Ok(());
    };
    let address = paths::page(&fields.slug);
    if crate::router::is_fixed_address(&address) {
        return Err(Refusal::invalid(
            "slug",
            format!("The address {address} belongs to the site itself; choose another slug."),
        ));
    }
    if let Some(parent) = place.parent {
        check_parent(nr, this, parent).await?;
    }
    fields.section = None;
    fields.tags.clear();
    fields.authors.clear();
    fields.place = Some(PagePlace {
        parent: place.parent,
        position: place.position,
    });
    Ok(())
}

async fn check_parent(nr: &Newsroom, this: Option<StoryId>, parent: StoryId) -> Outcome<()> {
    let pages = nr.store().pages().await?;
    if !pages.iter().any(|p| p.id == parent) {
        return Err(Refusal::invalid(
            "parent",
            "Choose the parent page from the list.",
        ));
    }
    let (above, _) = byline_core::pages::family(&pages, parent);
    if let Some(this) = this
        && (parent == this || above.iter().any(|p| p.id == this))
    {
        return Err(Refusal::invalid(
            "parent",
            "A page cannot sit under itself or under a page that sits under it.",
        ));
    }
    if above.len() + 2 > byline_core::pages::MAX_DEPTH {
        return Err(Refusal::invalid(
            "parent",
            format!(
                "Pages sit at most {} levels deep; choose a page higher up.",
                byline_core::pages::MAX_DEPTH
            ),
        ));
    }
    Ok(())
}

/// Every menu (for the curation screen).
pub async fn menus(nr: &Newsroom, actor: Actor<'_>) -> Outcome<Vec<Menu>> {
    require(actor)?;
    Ok(nr.store().menus().await?)
}

/// A menu as an editor wrote it: its name, where it is shown (`header`, `footer` or nothing)
/// and its items, one per line.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct MenuInput {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub items: String,
}

/// Checks a menu as written into the one the store keeps.
pub fn checked_menu(input: &MenuInput) -> Outcome<Menu> {
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(Refusal::invalid(
            "name",
            "Give the menu a name, such as Footer.",
        ));
    }
    if name.chars().count() > MAX_MENU_NAME {
        return Err(Refusal::invalid(
            "name",
            format!("A menu name is at most {MAX_MENU_NAME} characters."),
        ));
    }
    let slug = match input.slug.trim() {
        "" => Slug::derive(&name),
        given => Slug::parse(given).ok(),
    }
    .ok_or_else(|| Refusal::invalid("name", "The name needs letters or digits."))?;
    let location = match input.location.trim() {
        "" | "none" => None,
        given => Some(MenuLocation::parse(given).ok_or_else(|| {
            Refusal::invalid(
                "location",
                "A menu is shown in the header, the footer or nowhere.",
            )
        })?),
    };
    let items = parse_items(&input.items)
        .map_err(|e| Refusal::invalid("items", format!("Menu items, {e}")))?;
    if !round_trips(&items) {
        return Err(Refusal::invalid(
            "items",
            "Menu items: a label holds no | (it starts the link).",
        ));
    }
    Ok(Menu {
        slug,
        name,
        location,
        items,
    })
}

/// Adds or replaces a menu.
pub async fn save_menu(
    nr: &Newsroom,
    actor: Actor<'_>,
    input: &MenuInput,
    now: DateTime<Utc>,
) -> Outcome<Menu> {
    require(actor)?;
    let menu = checked_menu(input)?;
    nr.store().save_menu(&menu, now).await?;
    tracing::info!(menu = %menu.slug, items = menu.items.len(), "menu saved");
    Ok(menu)
}

/// Removes a menu.
pub async fn delete_menu(
    nr: &Newsroom,
    actor: Actor<'_>,
    slug: &Slug,
    now: DateTime<Utc>,
) -> Outcome<()> {
    require(actor)?;
    nr.store().delete_menu(slug, now).await?;
    tracing::info!(menu = %slug, "menu removed");
    Ok(())
}

/// Adds the menus an import brought that the site has none of yet (by slug: a menu the
/// newsroom has, imported before or its own, is never replaced); a location is given only
/// where no menu has it yet. Returns the slugs of the menus left as they were.
pub async fn import_menus(
    nr: &Newsroom,
    actor: Actor<'_>,
    menus: Vec<Menu>,
    now: DateTime<Utc>,
) -> Outcome<Vec<Slug>> {
    require(actor)?;
    let mut existing = nr.store().menus().await?;
    let mut kept = Vec::new();
    for mut menu in menus {
        if existing.iter().any(|m| m.slug == menu.slug) || !round_trips(&menu.items) {
            kept.push(menu.slug);
            continue;
        }
        if let Some(location) = menu.location
            && existing.iter().any(|m| m.location == Some(location))
        {
            menu.location = None;
        }
        nr.store().save_menu(&menu, now).await?;
        existing.push(menu);
    }
    Ok(kept)
}
