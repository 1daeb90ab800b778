//! The files an import reads: those named, and the `.EXTENSION` files in folders named,
//! without following links out of a folder or round in a loop.

use std::path::{Path, PathBuf};

/// The files to import and what was passed over while looking for them.
#[derive(Debug, Default)]
pub struct Collected {
    pub files: Vec<PathBuf>,
    /// Symbolic links not followed, with why (outside the folder named, or a loop).
    pub passed_over: Vec<String>,
}

/// The files named by `paths`, folders searched recursively for `.EXTENSION` files, in a
/// stable order. Inside a folder, a symbolic link is followed only to somewhere within that
/// folder, and a folder already searched is not searched again (so a link loop ends).
pub fn collect_files(paths: &[PathBuf], extension: &str) -> Result<Collected, String> {
    let mut collected = Collected::default();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.is_dir() {
            let root = path
                .canonicalize()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let mut searched = std::collections::HashSet::new();
            walk(path, &root, extension, &mut searched, &mut collected)?;
        } else {
            collected.files.push(path.clone());
        }
    }
    Ok(collected)
}

fn walk(
    dir: &Path,
    root: &Path,
    extension: &str,
    searched: &mut std::collections::HashSet<PathBuf>,
    collected: &mut Collected,
) -> Result<(), String> {
    let real = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    if !searched.insert(real) {
        collected.passed_over.push(format!(
            "{}: a link back to a folder already searched",
            dir.display()
        ));
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let linked = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if linked {
            match path.canonicalize() {
                Ok(target) if target.starts_with(root) => {}
                Ok(_) => {
                    let why = format!("{}: a link to outside {}", path.display(), root.display());
                    collected.passed_over.push(why);
                    continue;
                }
                Err(e) => {
                    collected
                        .passed_over
                        .push(format!("{}: {e}", path.display()));
                    continue;
                }
            }
        }
        if path.is_dir() {
            walk(&path, root, extension, searched, collected)?;
        } else if path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case(extension))
        {
            collected.files.push(path);
        }
    }
    Ok(())
}
