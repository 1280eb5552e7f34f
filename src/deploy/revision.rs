//! The catalogue and git: the commit the catalogue folder is at (and whether it has uncommitted
//! changes), for the apply record; and a copy of the catalogue folder as committed at a
//! revision, for `bankgen rollback` and `bankgen promote`. The copy comes from `git archive`
//! into a temporary folder: the working tree, the index and HEAD are never touched.

use super::changes::{git, relative};
use crate::catalog::CatalogSource;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The catalogue's git revision as an apply record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// The full commit id.
    pub commit: String,
    /// The catalogue folder had uncommitted changes (or untracked files): what was applied is
    /// not that commit.
    pub dirty: bool,
}

/// The repository holding the catalogue folder.
#[derive(Debug, Clone)]
pub struct Repo {
    pub top: PathBuf,
    /// The catalogue folder relative to `top` (`catalog`; empty when it is the top).
    pub rel: String,
}

/// The catalogue folder as committed at one revision, in a temporary folder (removed on drop).
pub struct Exported {
    dir: tempfile::TempDir,
    pub commit: String,
}

impl Exported {
    pub fn source(&self) -> CatalogSource {
        CatalogSource::Dir(self.dir.path().to_path_buf())
    }
}

impl Repo {
    /// The repository of a catalogue folder; `Err` for the embedded catalogue or a folder
    /// outside git.
    pub fn locate(source: &CatalogSource) -> Result<Repo, String> {
        let CatalogSource::Dir(dir) = source else {
            return Err(
                "the catalogue is the one embedded in bankgen, not a folder in a git \
                        repository (pass --catalog DIR)"
                    .into(),
            );
        };
        let top = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|_| {
            format!(
                "the catalogue folder {} is not in a git repository",
                dir.display()
            )
        })?;
        let top = PathBuf::from(top.trim());
        let rel = relative(&top, dir).ok_or_else(|| {
            format!(
                "cannot place {} inside the repository {}",
                dir.display(),
                top.display()
            )
        })?;
        Ok(Repo { top, rel })
    }

    fn pathspec(&self) -> &str {
        if self.rel.is_empty() { "." } else { &self.rel }
    }

    /// HEAD, and whether the catalogue folder differs from it.
    pub fn current(&self) -> Result<Revision, String> {
        let commit = git(
            &self.top,
            &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
        )
        .map_err(|_| format!("the repository {} has no commit yet", self.top.display()))?;
        let status = git(
            &self.top,
            &[
                "status",
                "--porcelain",
                "--untracked-files=all",
                "--",
                self.pathspec(),
            ],
        )?;
        Ok(Revision {
            commit: commit.trim().to_string(),
            dirty: !status.trim().is_empty(),
        })
    }

    /// The commit id `rev` names (a commit id, branch, tag, `HEAD~1`).
    pub fn resolve(&self, rev: &str) -> Result<String, String> {
        let spec = format!("{rev}^{{commit}}");
        git(&self.top, &["rev-parse", "--verify", "--quiet", &spec])
            .map(|c| c.trim().to_string())
            .map_err(|_| {
                format!(
                    "`{rev}` is not a commit of the repository at {} (see `git log --oneline`; \
                     fetch it first if it comes from elsewhere)",
                    self.top.display()
                )
            })
    }

    /// Copy the catalogue folder as it is in `commit` into a temporary folder.
    pub fn export(&self, commit: &str) -> Result<Exported, String> {
        let tree = if self.rel.is_empty() {
            commit.to_string()
        } else {
            format!("{commit}:{}", self.rel)
        };
        let kind = git(&self.top, &["cat-file", "-t", &tree]).unwrap_or_default();
        if kind.trim() != "tree" {
            return Err(format!(
                "commit {} has no catalogue folder `{}`",
                short(commit),
                self.pathspec()
            ));
        }
        let dir = tempfile::Builder::new()
            .prefix(&format!("bankgen-catalog-{}-", short(commit)))
            .tempdir()
            .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
        untar(&self.top, &tree, dir.path())?;
        Ok(Exported {
            dir,
            commit: commit.to_string(),
        })
    }
}

/// `git archive TREE | tar -x -C DEST`.
fn untar(top: &Path, tree: &str, dest: &Path) -> Result<(), String> {
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["archive", "--format=tar", tree])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let stdout = archive.stdout.take().expect("piped stdout");
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(dest)
        .stdin(stdout)
        .output()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let git_out = archive
        .wait_with_output()
        .map_err(|e| format!("git archive: {e}"))?;
    if !git_out.status.success() {
        return Err(format!(
            "git archive {tree} failed: {}",
            String::from_utf8_lossy(&git_out.stderr).trim()
        ));
    }
    if !tar.status.success() {
        return Err(format!(
            "tar could not unpack the catalogue of {tree}: {}",
            String::from_utf8_lossy(&tar.stderr).trim()
        ));
    }
    Ok(())
}

/// The first 12 characters of a commit id, for messages.
pub fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}
