//! `byline redirects export` and `byline redirects import`: the site's redirects as CSV, out
//! and in, as the system (whoever runs the server). An import is checked whole and written in
//! one transaction, or not at all.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;
use crate::csv::{field, rows, undefused};
use crate::server::DataDir;
use crate::usecases::Actor;
use crate::usecases::redirects::{self as cases, Line};

#[derive(Debug, Subcommand)]
pub enum RedirectsCommand {
    /// Write every redirect as CSV to standard output: `from` (the address), `to` (where it
    /// leads now), `origin` (import, slug change or by hand) and `followed` (yes, or no while
    /// its story is not public or its section, tag or author is gone).
    Export,
    /// Set the redirects of a CSV file whose first row names the columns `from` and `to` (others
    /// are ignored, so an export reads back unchanged). Every row is checked first; with any
    /// refused row, each is named by line and nothing is written. The rows are written in one
    /// transaction, which other writers wait for: import a very large file at a quiet hour.
    Import(RedirectsImportArgs),
}

#[derive(Debug, Args)]
pub struct RedirectsImportArgs {
    /// The CSV file (UTF-8).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Check the file and report what it would change, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn redirects(
    data: &DataDir,
    config: &Config,
    command: RedirectsCommand,
) -> anyhow::Result<ExitCode> {
    let newsroom = data.open_newsroom(config).await?;
    match command {
        RedirectsCommand::Export => {
            let every = cases::all(&newsroom, Actor::System, Utc::now()).await?;
            let mut out = std::io::stdout().lock();
            write!(out, "from,to,origin,followed\r\n")?;
            for r in &every {
                let followed = if r.followed { "yes" } else { "no" };
                let to = cases::location(&r.leads_to);
                // Addresses are kept decoded: a `%` of their own is written `%25`, so that
                // reading the file back (which decodes) gives the same address.
                let from = r.address.replace('%', "%25");
                let row = [field(&from), field(&to), field(r.origin.as_str())];
                write!(out, "{},{followed}\r\n", row.join(","))?;
            }
            out.flush()?;
            eprintln!("{} redirects", every.len());
            Ok(ExitCode::SUCCESS)
        }
        RedirectsCommand::Import(args) => {
            let lines = read_lines(&args.file)?;
            let bar = progress_bar(lines.len());
            let now = Utc::now();
            let plan = cases::plan(&newsroom, Actor::System, &lines, now, |n| {
                bar.set_position(n as u64);
            })
            .await?;
            bar.finish_and_clear();
            let file = args.file.display();
            for (line, problem) in &plan.problems {
                eprintln!("{file}:{line}: {problem}");
            }
            if !plan.problems.is_empty() {
                eprintln!(
                    "{file}: {} rows refused; nothing was written",
                    plan.problems.len()
                );
                return Ok(ExitCode::FAILURE);
            }
            let verb = if args.dry_run {
                "would be"
            } else {
                cases::apply(&newsroom, Actor::System, &plan, now).await?;
                "were"
            };
            println!(
                "redirects: {} added, {} changed, {} unchanged ({} {verb} written)",
                plan.added,
                plan.changed,
                plan.unchanged,
                plan.changes.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The file's rows under its header, as `from`/`to` pairs with their lines.
fn read_lines(path: &Path) -> anyhow::Result<Vec<Line>> {
    let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("{}: not UTF-8 text ({e})", path.display()))?;
    let mut read = rows(&text).map_err(|e| anyhow::anyhow!("{}:{e}", path.display()))?;
    if read.is_empty() {
        anyhow::bail!("{}: the file is empty", path.display());
    }
    let header = read.remove(0);
    let column = |name: &str| {
        header
            .fields
            .iter()
            .position(|f| f.trim().eq_ignore_ascii_case(name))
    };
    let (Some(from), Some(to)) = (column("from"), column("to")) else {
        anyhow::bail!(
            "{}:{}: the first row names the columns, and needs `from` and `to`",
            path.display(),
            header.line
        );
    };
    read.into_iter()
        .map(|row| {
            let cell = |at: usize| row.fields.get(at).map(|f| undefused(f).to_owned());
            match (cell(from), cell(to)) {
                (Some(from), Some(to)) => Ok(Line {
                    line: row.line,
                    from,
                    to,
                }),
                _ => Err(anyhow::anyhow!(
                    "{}:{}: the row has {} fields; `from` and `to` are columns {} and {}",
                    path.display(),
                    row.line,
                    row.fields.len(),
                    from + 1,
                    to + 1
                )),
            }
        })
        .collect()
}

/// A bar of the rows compared with the site, on standard error; hidden for small files.
fn progress_bar(rows: usize) -> ProgressBar {
    if rows < 5_000 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(rows as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} rows {elapsed_precise}") {
        bar.set_style(style);
    }
    bar
}
