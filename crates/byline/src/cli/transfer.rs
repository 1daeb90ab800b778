//! Moving content in and out from the command line: imports of wire items and exports with a
//! progress bar and a line per item, whole-site exports and restores.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use byline_core::Slug;
use byline_core::store::SectionRef;
use indicatif::{ProgressBar, ProgressStyle};

use crate::archive;
use crate::config::Config;
use crate::import::{self, Action, ImportOptions, Progress};
use crate::server::DataDir;
use crate::usecases::imports::LibraryAddition;

/// Imports `paths` (`--section`, `--overwrite` and the paths of the command line).
pub(super) async fn import_files(
    data: &DataDir,
    config: &Config,
    source: import::Source,
    (section, overwrite, dry_run, paths): (Option<String>, bool, bool, Vec<PathBuf>),
) -> anyhow::Result<ExitCode> {
    let collected =
        import::collect_files(&paths, source.extension()).map_err(anyhow::Error::msg)?;
    for why in &collected.passed_over {
        eprintln!("warning: not followed: {why}");
    }
    let files = collected.files;
    let section = match &section {
        Some(slug) => Some(section_ref(slug)?),
        None => None,
    };
    let newsroom = data.open_newsroom(config).await?;
    let options = ImportOptions {
        section,
        default_language: config.site.language.clone(),
        media: data.media_store(config)?,
        now: chrono::Utc::now(),
        credit_pattern: config.photos.credit_pattern.clone(),
        source,
        overwrite,
        dry_run,
    };
    let sizes: Vec<u64> = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .collect();
    let progress = progress_bar(sizes.iter().sum());
    progress.set_message("reading the exports' channels and attachments");
    let prepared = import::prepare(&files, &options);
    let mut tally = Tally::default();
    add_library(&newsroom, &options, &prepared, &progress, &mut tally).await;
    let mut removed_shortcodes = byline_import::wxr::Removed::new();
    // What the files before this one weighed, and this one's size: the bar's position.
    let done_before = AtomicU64::new(0);
    let file_size = AtomicU64::new(0);
    let mut picked: Vec<byline_core::Slug> = Vec::new();
    let mut stored: std::collections::HashMap<String, String> = Default::default();
    let mut told_menus = Vec::new();
    let mut tell = |said: Progress| match said {
        Progress::Item(report) => {
            if let Some(path) = &report.path {
                stored.insert(report.id.clone(), path.clone());
            }
            progress.suspend(|| {
                for warning in &report.warnings {
                    eprintln!("warning: {warning}");
                }
                println!("{report}");
            });
            tally.count(&report);
            progress.set_message(format!("{} items", tally.items()));
        }
        Progress::Read(bytes) => progress.set_position(
            done_before.load(Ordering::Relaxed) + bytes.min(file_size.load(Ordering::Relaxed)),
        ),
        Progress::Picked(slug) => picked.push(slug),
        Progress::Library(outcome) => tally.library(&outcome),
        Progress::Menus(menus) => told_menus.extend(menus),
    };
    let mut batch = import::Batch::default();
    for (file, size) in files.iter().zip(&sizes) {
        progress.set_message(file.display().to_string());
        file_size.store(*size, Ordering::Relaxed);
        let removed =
            import::import_file(&newsroom, file, &options, &prepared, &mut batch, &mut tell).await;
        byline_import::wxr::add_removed(&mut removed_shortcodes, removed);
        let done = done_before.fetch_add(*size, Ordering::Relaxed) + size;
        progress.set_position(done);
    }
    batch.save(&newsroom, &mut tell).await;
    progress.finish_and_clear();
    // A site grown by thousands of stories is planned for its new size from the first request,
    // not once the database's own maintenance notices.
    if !dry_run
        && tally.created + tally.updated >= STATISTICS_AFTER
        && let Err(e) = import::refresh_statistics(&newsroom).await
    {
        eprintln!("warning: {e}");
    }
    if !picked.is_empty() && !dry_run {
        import::pick(&newsroom, &picked).await?;
        eprintln!("picked for Don't miss: {} sticky stories", picked.len());
    }
    let menus = import::menus(&prepared, told_menus, &stored);
    for warning in &menus.warnings {
        eprintln!("warning: {warning}");
    }
    if !menus.menus.is_empty() {
        let names: Vec<String> = menus
            .menus
            .iter()
            .map(|m| match m.location {
                Some(place) => format!("{} (in the {})", m.name, place.as_str()),
                None => m.name.clone(),
            })
            .collect();
        eprintln!("menus: {}", names.join(", "));
        if !dry_run {
            for slug in import::save_menus(&newsroom, menus.menus).await? {
                eprintln!("warning: menu {slug} is the site's already: left as it is");
            }
        }
    }
    let nothing_written = if dry_run {
        " (a dry run: nothing written)"
    } else {
        ""
    };
    eprintln!(
        "{} files: {}{nothing_written}",
        files.len(),
        tally.summary()
    );
    if let Some(library) = tally.library_summary() {
        eprintln!("library: {library}");
    }
    if !removed_shortcodes.is_empty() {
        eprintln!(
            "shortcodes removed: {}",
            byline_import::wxr::counted(&removed_shortcodes)
        );
    }
    std::io::stdout().flush()?;
    Ok(if tally.invalid > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Adds the sites' pictures to the library before their posts, counting what became of each
/// and warning of those not imported.
async fn add_library(
    newsroom: &crate::usecases::Newsroom,
    options: &ImportOptions,
    prepared: &import::Prepared,
    progress: &ProgressBar,
    tally: &mut Tally,
) {
    progress.set_message("adding the sites' pictures to the library");
    import::add_attachments(newsroom, options, prepared, &mut |said| {
        if let Progress::Library(outcome) = said {
            if let Err(why) = &outcome {
                progress.suspend(|| eprintln!("warning: {why}"));
            }
            tally.library(&outcome);
        }
    })
    .await;
}

/// How many stories a run writes before it refreshes the store's statistics.
const STATISTICS_AFTER: u64 = 1_000;

/// What a run did, by kind.
#[derive(Debug, Default)]
struct Tally {
    created: u64,
    updated: u64,
    unchanged: u64,
    skipped: u64,
    invalid: u64,
    warnings: u64,
    /// The sites' pictures: added, already in the library, linked where they live, failed.
    pictures: [u64; 4],
}

impl Tally {
    fn count(&mut self, report: &import::ItemReport) {
        self.warnings += report.warnings.len() as u64;
        match report.action {
            Action::Created => self.created += 1,
            Action::Updated => self.updated += 1,
            Action::Unchanged => self.unchanged += 1,
            Action::Skipped => self.skipped += 1,
            Action::Invalid => self.invalid += 1,
        }
    }

    fn library(&mut self, outcome: &Result<LibraryAddition, String>) {
        let slot = match outcome {
            Ok(LibraryAddition::Added) => 0,
            Ok(LibraryAddition::Known) => 1,
            Ok(LibraryAddition::Linked) => 2,
            Err(_) => {
                self.warnings += 1;
                3
            }
        };
        self.pictures[slot] += 1;
    }

    fn library_summary(&self) -> Option<String> {
        let [added, known, linked, failed] = self.pictures;
        (self.pictures.iter().sum::<u64>() > 0).then(|| {
            format!(
                "{added} pictures added, {known} already there, {linked} linked where they \
                 live, {failed} not imported"
            )
        })
    }

    fn items(&self) -> u64 {
        self.created + self.updated + self.unchanged + self.skipped + self.invalid
    }

    fn summary(&self) -> String {
        format!(
            "{} created, {} updated, {} unchanged, {} skipped, {} not valid, {} warnings",
            self.created, self.updated, self.unchanged, self.skipped, self.invalid, self.warnings
        )
    }
}

/// A progress bar on standard error, shown only for long runs on a terminal.
pub(super) async fn export(
    data: &DataDir,
    config: &Config,
    out: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    let store = data.open_store().await?;
    let spinner = ProgressBar::new_spinner().with_message("reading the site");
    let site = archive::collect(store.as_ref(), &data.media_store(config)?).await?;
    spinner.set_message("writing the archive");
    let bytes = archive::write(&site, out)?;
    spinner.finish_and_clear();
    println!(
        "exported {} rows in {} tables and {} media files to {} ({bytes} bytes)",
        site.rows(),
        site.tables.len(),
        site.media.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn import_site(
    data: &DataDir,
    config: &Config,
    path: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    let site = archive::read(path)?;
    let store = data.open_store().await?;
    let spinner = ProgressBar::new_spinner().with_message("restoring the site");
    let accounts = archive::restore(store.as_ref(), &data.media_store(config)?, &site).await?;
    spinner.finish_and_clear();
    // Whoever restores a site should know who can sign in to it now.
    for (email, role) in &accounts {
        println!("account {email} ({role})");
    }
    println!(
        "restored {} rows in {} tables and {} media files into {}",
        site.rows(),
        site.tables.len(),
        site.media.len(),
        data.store_location()
    );
    Ok(ExitCode::SUCCESS)
}

/// A progress bar of the bytes read, on standard error (indicatif draws it only on a
/// terminal); hidden for small runs.
fn progress_bar(bytes: u64) -> ProgressBar {
    if bytes < 4 * 1024 * 1024 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(bytes);
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} {elapsed_precise} {wide_msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

fn section_ref(slug: &str) -> anyhow::Result<SectionRef> {
    let slug = Slug::parse(slug).with_context(|| format!("--section {slug:?}"))?;
    let name = slug
        .as_str()
        .split('-')
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    Ok(SectionRef::new(slug, name))
}
