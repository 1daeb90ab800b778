//! Where a node keeps its index: `DATA/search/`, holding index folders and a `CURRENT` file
//! naming the one in use. A rebuild writes a new folder and then replaces `CURRENT` by an
//! atomic rename, so a server reading the old index never sees a half-built one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::SearchError;

const CURRENT: &str = "CURRENT";
const PREFIX: &str = "index-";
/// A folder that is not current and unchanged for this long is a rebuild that died.
const ABANDONED_AFTER: Duration = Duration::from_secs(6 * 3600);

/// The search folder of one data folder.
#[derive(Debug, Clone)]
pub struct IndexFolder {
    root: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Folder {
        path: path.to_owned(),
        source,
    }
}

impl IndexFolder {
    pub fn new(root: PathBuf) -> IndexFolder {
        IndexFolder { root }
    }

    /// The index folder in use, if `CURRENT` names one that exists.
    pub fn current(&self) -> Option<PathBuf> {
        let name = std::fs::read_to_string(self.root.join(CURRENT)).ok()?;
        let name = name.trim();
        let valid = name.starts_with(PREFIX)
            && name[PREFIX.len()..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        let path = self.root.join(name);
        (valid && path.is_dir()).then_some(path)
    }

    /// A new, empty folder for an index being built, readable by its owner only (an index
    /// holds drafts' text).
    pub fn fresh(&self) -> Result<PathBuf, SearchError> {
        std::fs::create_dir_all(&self.root).map_err(io(&self.root))?;
        owner_only(&self.root)?;
        let path = self.root.join(format!("{PREFIX}{}", unique()));
        std::fs::create_dir(&path).map_err(io(&path))?;
        owner_only(&path)?;
        Ok(path)
    }

    /// Makes `dir` (a folder of this search folder) the one in use, atomically.
    pub fn make_current(&self, dir: &Path) -> Result<(), SearchError> {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| n.starts_with(PREFIX))
            .ok_or_else(|| SearchError::Folder {
                path: dir.to_owned(),
                source: std::io::Error::other("not an index folder of this data folder"),
            })?;
        let temporary = self.root.join(format!("{CURRENT}.{}", unique()));
        let mut file = std::fs::File::create(&temporary).map_err(io(&temporary))?;
        file.write_all(name.as_bytes()).map_err(io(&temporary))?;
        file.sync_all().map_err(io(&temporary))?;
        std::fs::rename(&temporary, self.root.join(CURRENT)).map_err(io(&self.root))?;
        if let Ok(folder) = std::fs::File::open(&self.root) {
            let _ = folder.sync_all();
        }
        Ok(())
    }

    /// Removes `dir`, an index folder no longer in use.
    pub fn remove(&self, dir: &Path) {
        if dir.starts_with(&self.root)
            && Some(dir.to_owned()) != self.current()
            && let Err(e) = std::fs::remove_dir_all(dir)
        {
            tracing::warn!(path = %dir.display(), error = %e, "cannot remove an old search index");
        }
    }

    /// Removes index folders that are not in use and have not changed for hours: rebuilds
    /// that were interrupted. A rebuild still running writes to its folder and is kept.
    pub fn remove_abandoned(&self) {
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return;
        };
        let current = self.current();
        for entry in entries.flatten() {
            let path = entry.path();
            let is_index = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX));
            let idle = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > ABANDONED_AFTER);
            if is_index && idle && Some(&path) != current.as_ref() {
                self.remove(&path);
            }
        }
    }
}

/// A name no other process makes: the time in nanoseconds and the process id (processes in
/// different containers may share an id, not a nanosecond as well).
fn unique() -> String {
    let stamp = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!("{stamp}-{}", std::process::id())
}

fn owner_only(path: &Path) -> Result<(), SearchError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(io(path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_follows_the_last_folder_made_current() {
        let data = tempfile::tempdir().unwrap();
        let folder = IndexFolder::new(data.path().join("search"));
        assert_eq!(folder.current(), None);
        let first = folder.fresh().unwrap();
        folder.make_current(&first).unwrap();
        assert_eq!(folder.current(), Some(first.clone()));
        let second = folder.fresh().unwrap();
        folder.make_current(&second).unwrap();
        assert_eq!(folder.current(), Some(second.clone()));
        folder.remove(&first);
        assert!(!first.exists());
        folder.remove(&second);
        assert!(second.exists(), "the folder in use is never removed");
    }

    #[test]
    fn a_current_file_naming_anything_else_is_ignored() {
        let data = tempfile::tempdir().unwrap();
        let root = data.path().join("search");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join(CURRENT), "../../etc").unwrap();
        assert_eq!(IndexFolder::new(root).current(), None);
    }
}
