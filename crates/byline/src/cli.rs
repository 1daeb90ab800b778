//! The `byline` command line: parse, set up logging, run the chosen command.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use byline_core::Slug;
use byline_render::views::story_slug_from_path;
use clap::{Args, Parser, Subcommand};

use crate::config::Config;
use crate::import;
use crate::server::{self, DataDir};
use crate::usecases::subscribers as subscriber_cases;

mod integrations;
mod members;
mod redirects;
mod transfer;
use transfer::{export, import_files, import_site};

/// Byline: a newsroom publishing platform. One binary, fast, correct, secure.
#[derive(Debug, Parser)]
#[command(name = "byline", version, propagate_version = true)]
pub struct Cli {
    /// The data folder: holds byline.db (SQLite), media/ and byline.toml.
    #[arg(
        long,
        global = true,
        env = "BYLINE_DATA",
        value_name = "DIR",
        default_value = "./byline-data"
    )]
    pub data: PathBuf,

    /// The configuration file [default: DIR/byline.toml, when it exists].
    #[arg(long, global = true, env = "BYLINE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Keep the store in PostgreSQL (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE) instead
    /// of DIR/byline.db; overrides `database_url` in the config.
    #[arg(long, global = true, env = "BYLINE_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the public site.
    Serve(ServeArgs),
    /// Import stories from other systems.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Manage newsroom accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// The newsletter's subscribers.
    #[command(subcommand)]
    Subscribers(SubscribersCommand),
    /// Newsletter issues.
    #[command(subcommand)]
    Newsletter(NewsletterCommand),
    /// Set the editor's "Don't miss" picks, in order; with none, clear them (the rail then
    /// shows the newest stories).
    Picks(PicksArgs),
    /// Apply pending database migrations, then exit (`serve` applies them too).
    Migrate,
    /// API tokens: personal, integration and content keys.
    #[command(subcommand)]
    Token(integrations::TokenCommand),
    /// Webhooks: where the newsroom's events are posted.
    #[command(subcommand)]
    Webhook(integrations::WebhookCommand),
    /// Redirects: every address that leads readers on (from imports, slug changes and editors),
    /// as CSV.
    #[command(subcommand)]
    Redirects(redirects::RedirectsCommand),
    /// Write the whole site (stories, revisions, users, settings, subscribers, media) to one
    /// archive file, to move it to another store (see docs/archive.md).
    Export(ExportArgs),
    /// Rebuild this node's search index from the store into a new folder, then switch to it;
    /// a running server keeps searching the old index until the new one is complete.
    Reindex,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The archive to write (conventionally NAME.byline.gz).
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// An archive written by `byline export`.
    #[arg(value_name = "ARCHIVE")]
    pub archive: PathBuf,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(
        long,
        env = "BYLINE_ADDR",
        value_name = "HOST:PORT",
        default_value = "127.0.0.1:8080"
    )]
    pub addr: String,

    /// Load a demo newsroom first (sections, stories, pictures) unless there are stories.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import IPTC ninjs (1.x, 2.x, 3.x) items: files or folders (searched for *.json); a file
    /// holds one item or an array. Re-importing an item updates its story in place, unless it
    /// is unchanged or the newsroom changed the story since (see --overwrite).
    Ninjs(NinjsArgs),
    /// Import a WordPress export (WXR 1.0–1.2, from Tools → Export): its posts, with their
    /// authors, first category as section (under its parent categories; the others as tags),
    /// tags, excerpt, status, dates, Yoast title and description, and featured image (caption,
    /// alt text, credit); every image attachment into the media library; pages as the site's
    /// pages (under their parent pages, in their order) and menus with their nesting (those
    /// named for the header or footer shown there); old addresses kept as redirects. Other
    /// content is listed as skipped.
    /// Re-importing a post updates its story in place, unless it is unchanged or the newsroom
    /// changed the story since (see --overwrite).
    Wordpress(WordpressArgs),
    /// Import a Ghost export (the JSON of Settings → Labs → Export, Ghost 0.x to 6.x): its
    /// posts, with their authors, primary tag as section (internal #tags dropped), other tags,
    /// excerpt, status (scheduled posts wait for their time; members-only posts arrive as
    /// drafts), dates, search-engine words and feature image (caption, alt text); bodies from
    /// Ghost's HTML, else converted from lexical or mobiledoc with their cards. Ghost's
    /// addresses (/{slug}/, /tag/{slug}/, /author/{slug}/) are kept as redirects. Pages become
    /// the site's pages, and the navigation and secondary navigation its header and footer
    /// menus. Re-importing a post updates its story in place, unless it is unchanged
    /// or the newsroom changed the story since (see --overwrite).
    Ghost(GhostArgs),
    /// Restore a whole site from an archive written by `byline export` into an empty store
    /// (SQLite or PostgreSQL). The archive is checked completely before anything is written.
    Site(SiteArgs),
}

#[derive(Debug, Args)]
pub struct NinjsArgs {
    /// File the stories under this section (its slug; created when new).
    #[arg(long, value_name = "SLUG")]
    pub section: Option<String>,

    /// Replace stories the newsroom changed since they were imported (an edit, a status
    /// change, a correction, a new photo); their text stays in their revisions.
    #[arg(long)]
    pub overwrite: bool,

    /// Read, check and report every item as the import would, and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// ninjs files or folders.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GhostArgs {
    /// File every story under this section (its slug) instead of its primary tag.
    #[arg(long, value_name = "SLUG")]
    pub section: Option<String>,

    /// A copy of the site's `content/images` folder: uploaded feature images are copied from
    /// it into the media store (checked, credits read from the files).
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,

    /// Replace stories the newsroom changed since they were imported (an edit, a status
    /// change, a correction, a new photo); their text stays in their revisions.
    #[arg(long)]
    pub overwrite: bool,

    /// Read, check and report every post as the import would, and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Export files (.json) or folders.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct WordpressArgs {
    /// File every story under this section (its slug) instead of its first category.
    #[arg(long, value_name = "SLUG")]
    pub section: Option<String>,

    /// A copy of the site's `wp-content/uploads` folder: featured images are copied from it
    /// into the media store (checked, credits read from the files). Without it they stay
    /// linked where they are.
    #[arg(long, value_name = "DIR")]
    pub uploads: Option<PathBuf>,

    /// Replace stories the newsroom changed since they were imported (an edit, a status
    /// change, a correction, a new photo); their text stays in their revisions.
    #[arg(long)]
    pub overwrite: bool,

    /// Read, check and report every post as the import would, and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Export files (.xml) or folders; several files of one site are read together (its
    /// attachments may be in one file and its posts in another).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum NewsletterCommand {
    /// Compose an issue from published stories (in the order given) and queue it for every
    /// active subscriber; a running `byline serve` sends it, once to each, at `[mail]`'s rate.
    /// Needs `[mail]` and `[site] base_url` (the links' address).
    Send(NewsletterSendArgs),
}

#[derive(Debug, Args)]
pub struct NewsletterSendArgs {
    /// The subject line.
    #[arg(long)]
    pub subject: String,
    /// A few words before the stories.
    #[arg(long, default_value = "")]
    pub intro: String,
    /// The stories' slugs.
    #[arg(required = true, value_name = "SLUG")]
    pub slugs: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum SubscribersCommand {
    /// Write the subscribers as CSV (email, status, source page, consent, confirmation and
    /// unsubscription times, UTC; bounces) to standard output; the counts per status go to standard
    /// error.
    Export(SubscribersExportArgs),
}

#[derive(Debug, Args)]
pub struct SubscribersExportArgs {
    /// Only subscribers with this status.
    #[arg(long, value_parser = crate::newsletter::export::STATUSES)]
    pub status: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a member. Without --password-stdin, prints a one-time sign-in link (valid 72 hours)
    /// where they choose their password.
    Add(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[arg(long, value_name = "EMAIL")]
    pub email: String,
    /// Full name, as bylines show it.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// contributor, author, editor or admin.
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    /// Read the password from standard input (one line) instead of printing a sign-in link.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct PicksArgs {
    /// Story slugs or story URL paths (/story/SLUG), in the order to show them.
    #[arg(value_name = "STORY")]
    pub stories: Vec<String>,
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BYLINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("BYLINE_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data = DataDir::create(&cli.data)?;
    let config = match &cli.config {
        Some(path) => Config::load(path, true)?,
        None => Config::load(&data.config_file(), false)?,
    };
    let data = data.with_database(cli.database_url.or_else(|| config.database_url.clone()));
    match cli.command {
        Command::Serve(args) => {
            server::serve(&data, &config, &args.addr, args.demo).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(ImportCommand::Ninjs(args)) => {
            let source = import::Source::Ninjs;
            let run = (args.section, args.overwrite, args.dry_run, args.paths);
            import_files(&data, &config, source, run).await
        }
        Command::Import(ImportCommand::Wordpress(args)) => {
            if let Some(uploads) = &args.uploads
                && !uploads.is_dir()
            {
                anyhow::bail!("--uploads {}: not a folder", uploads.display());
            }
            let source = import::Source::Wordpress {
                uploads: args.uploads,
            };
            let run = (args.section, args.overwrite, args.dry_run, args.paths);
            import_files(&data, &config, source, run).await
        }
        Command::Import(ImportCommand::Ghost(args)) => {
            if let Some(content) = &args.content
                && !content.is_dir()
            {
                anyhow::bail!("--content {}: not a folder", content.display());
            }
            let source = import::Source::Ghost {
                content: args.content,
            };
            let run = (args.section, args.overwrite, args.dry_run, args.paths);
            import_files(&data, &config, source, run).await
        }
        Command::Picks(args) => set_picks(&data, &config, &args.stories).await,
        Command::Export(args) => export(&data, &config, &args.out).await,
        Command::Import(ImportCommand::Site(args)) => {
            import_site(&data, &config, &args.archive).await
        }
        Command::Reindex => reindex(&data, &config).await,
        Command::Migrate => {
            data.open_store().await?;
            println!("{}: migrations applied", data.store_location());
            Ok(ExitCode::SUCCESS)
        }
        Command::Newsletter(NewsletterCommand::Send(args)) => {
            send_issue(&data, &config, args).await
        }
        Command::Subscribers(SubscribersCommand::Export(args)) => {
            let newsroom = data.open_newsroom(&config).await?;
            let actor = crate::usecases::Actor::System;
            let status = args.status.as_deref();
            let subscribers = subscriber_cases::export(&newsroom, actor, status).await?;
            let mut out = std::io::stdout().lock();
            crate::newsletter::export::write_csv(&mut out, &subscribers)?;
            out.flush()?;
            let counts: Vec<String> = subscriber_cases::counts(&newsroom, actor)
                .await?
                .iter()
                .map(|(status, n)| format!("{n} {status}"))
                .collect();
            eprintln!(
                "exported {} subscribers (in all: {})",
                subscribers.len(),
                if counts.is_empty() {
                    "none".to_owned()
                } else {
                    counts.join(", ")
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Add(args)) => members::add_user(&data, &config, args).await,
        Command::Token(command) => integrations::token(&data, &config, command).await,
        Command::Webhook(command) => integrations::webhook(&data, &config, command).await,
        Command::Redirects(command) => redirects::redirects(&data, &config, command).await,
    }
}

async fn send_issue(
    data: &DataDir,
    config: &Config,
    args: NewsletterSendArgs,
) -> anyhow::Result<ExitCode> {
    if config.mail.is_none() {
        anyhow::bail!("[mail] is not configured: there is no way to send the issue");
    }
    let Some(base_url) = config.site.base_url.clone() else {
        anyhow::bail!(
            "[site] base_url is not set: the newsletter's links need the site's public address"
        );
    };
    let store = data.open_store().await?;
    let theme = byline_render::Theme::load(config.theme.path.as_deref())?;
    let state = crate::AppState::new(store, theme, config, base_url, data)?;
    let issue = crate::newsletter::issue::compose(&state, &args.subject, &args.intro, &args.slugs)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let actor = crate::usecases::Actor::System;
    let now = chrono::Utc::now();
    let (id, queued) =
        crate::usecases::newsletter::queue_issue(&state.newsroom, actor, &issue, now).await?;
    println!("issue {id} queued for {queued} active subscribers");
    Ok(ExitCode::SUCCESS)
}

async fn set_picks(
    data: &DataDir,
    config: &Config,
    stories: &[String],
) -> anyhow::Result<ExitCode> {
    let slugs = stories
        .iter()
        .map(|s| {
            story_slug_from_path(s)
                .or_else(|| Slug::parse(s).ok())
                .with_context(|| format!("{s:?} is neither a story slug nor a /story/SLUG path"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let newsroom = data.open_newsroom(config).await?;
    let actor = crate::usecases::Actor::System;
    crate::usecases::curation::set_picks(&newsroom, actor, &slugs, chrono::Utc::now()).await?;
    if slugs.is_empty() {
        println!("Don't miss: no picks; the rail shows the newest stories");
    } else {
        println!("Don't miss: {} picks set", slugs.len());
    }
    Ok(ExitCode::SUCCESS)
}

/// `byline reindex`: every story read into a new index, with a progress bar.
async fn reindex(data: &DataDir, config: &Config) -> anyhow::Result<ExitCode> {
    let store = data.open_store().await?;
    let folder = byline_search::IndexFolder::new(data.root.join("search"));
    let bar = indicatif::ProgressBar::new(store.story_count().await?);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:30} {pos}/{len} stories {elapsed_precise} {per_sec}",
    ) {
        bar.set_style(style);
    }
    let started = std::time::Instant::now();
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let dir =
        crate::searching::rebuild(store.as_ref(), &folder, config.search.ranking(), &progress)
            .await?;
    bar.finish_and_clear();
    println!(
        "indexed {} stories in {:.1} s into {}",
        bar.position(),
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
