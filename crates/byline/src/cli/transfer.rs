//! Moving content in and out from the command line: imports of wire items and exports with a
//! progress bar and a line per item, whole-site exports and restores.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use byline_core::Slug;
use byline_core::store::SectionRef;
use indicatif::{ProgressBar, ProgressStyle};

use crate::archive;
use crate::config::Config;
use crate::import::{self, Action, ImportOptions};
use crate::server::DataDir;

/// Imports `paths` (`--section`, `--overwrite` and the paths of the command line).
pub(super) async fn import_files(
    data: &DataDir,
    config: &Config,
    source: import::Source,
    (section, overwrite, paths): (Option<String>, bool, Vec<PathBuf>),
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
    };
    let progress = progress_bar(files.len() as u64);
    let (mut created, mut updated, mut unchanged, mut skipped, mut invalid) = (0, 0, 0, 0, 0);
    let mut warnings = 0;
    let mut removed_shortcodes = byline_import::wxr::Removed::new();
    for file in &files {
        progress.set_message(file.display().to_string());
        let report = import::import_file(&newsroom, file, &options).await;
        for (name, n) in report.removed_shortcodes {
            *removed_shortcodes.entry(name).or_default() += n;
        }
        for report in report.items {
            warnings += report.warnings.len();
            progress.suspend(|| {
                for warning in &report.warnings {
                    eprintln!("warning: {warning}");
                }
                println!("{report}");
            });
            match report.action {
                Action::Created => created += 1,
                Action::Updated => updated += 1,
                Action::Unchanged => unchanged += 1,
                Action::Skipped => skipped += 1,
                Action::Invalid => invalid += 1,
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    eprintln!(
        "{} files: {created} created, {updated} updated, {unchanged} unchanged, {skipped} skipped, \
         {invalid} not valid, {warnings} warnings",
        files.len()
    );
    if !removed_shortcodes.is_empty() {
        eprintln!(
            "shortcodes removed: {}",
            byline_import::wxr::counted(&removed_shortcodes)
        );
    }
    std::io::stdout().flush()?;
    Ok(if invalid > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
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

fn progress_bar(len: u64) -> ProgressBar {
    if len < 20 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} files {elapsed_precise} {wide_msg}")
    {
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
    Ok(SectionRef { slug, name })
}
