//! Putting rendered trees on disk without ever losing a file bankgen did not write.
//!
//! Each environment is rendered into a staging folder next to it and swapped in with renames,
//! so an interrupted render leaves either the previous tree or the new one. Anything in the old
//! tree that bankgen did not generate (Terraform state, `.terraform/`, saved plans, a user's
//! own files) is moved into the new tree before the swap. Generated files of modules that are no
//! longer in the catalogue disappear with the old tree; a module folder that still holds other
//! files is kept, with those files only.

use super::{HEADER_PREFIX, Tree};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct WriteSummary {
    pub written: usize,
    pub unchanged: usize,
    pub removed: Vec<String>,
    /// Module folders of modules no longer in the catalogue, kept because they hold other files.
    pub orphans: Vec<String>,
}

fn staging(out: &Path, env: &str) -> PathBuf {
    out.join(format!(".bankgen-staging-{env}"))
}

fn retired(out: &Path, env: &str) -> PathBuf {
    out.join(format!(".bankgen-retired-{env}"))
}

/// A file bankgen wrote: a `.tf` file whose first line is the generated header.
pub fn is_generated(path: &Path) -> bool {
    use std::io::Read;
    if path.extension().is_none_or(|e| e != "tf") {
        return false;
    }
    let mut buf = [0u8; 64];
    let Ok(mut f) = fs::File::open(path) else {
        return false;
    };
    let n = f.read(&mut buf).unwrap_or(0);
    buf[..n].starts_with(HEADER_PREFIX.as_bytes())
}

/// Finish a swap that an interruption left half done.
fn recover(out: &Path, env: &str) -> io::Result<()> {
    let live = out.join(env);
    let old = retired(out, env);
    if old.exists() {
        if live.exists() {
            fs::remove_dir_all(&old)?;
        } else {
            fs::rename(&old, &live)?;
        }
    }
    let stage = staging(out, env);
    if stage.exists() {
        // Files moved into the staging tree before the interruption go back first.
        if live.exists() {
            move_kept(&stage, &live, &mut Vec::new())?;
        }
        fs::remove_dir_all(&stage)?;
    }
    Ok(())
}

/// Write trees (stage each, then swap them all in).
pub fn write_trees(out: &Path, trees: &[Tree]) -> io::Result<WriteSummary> {
    let mut staged = Vec::with_capacity(trees.len());
    for tree in trees {
        match stage(out, tree) {
            Ok(s) => staged.push(s),
            Err(e) => {
                let _ = discard(out, &staged);
                return Err(e);
            }
        }
    }
    swap_in(out, staged)
}

/// An environment's new tree in its staging folder (or found unchanged), not yet swapped in.
/// It keeps only the tree's file names, so environments can be rendered and staged one at a
/// time.
pub struct Staged {
    env: String,
    /// `MOD/file` paths of the new tree; `None` when the live tree is already the same.
    files: Option<BTreeSet<String>>,
    written: usize,
    unchanged: usize,
}

/// Write `tree` into its staging folder next to the live one; the live tree is not touched.
pub fn stage(out: &Path, tree: &Tree) -> io::Result<Staged> {
    fs::create_dir_all(out)?;
    recover(out, &tree.env)?;
    let live = out.join(&tree.env);
    let mut staged = Staged {
        env: tree.env.clone(),
        files: None,
        written: 0,
        unchanged: 0,
    };
    // Nothing changed (the usual case in CI and pre-commit): leave the tree as it is.
    if live.exists() && check_trees(out, std::slice::from_ref(tree))?.is_empty() {
        staged.unchanged = tree.files.len();
        return Ok(staged);
    }
    let stage = staging(out, &tree.env);
    fs::create_dir_all(&stage)?;
    for (rel, text) in &tree.files {
        let target = stage.join(rel);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        let before = fs::read(live.join(rel)).ok();
        if before.as_deref() == Some(text.as_bytes()) {
            staged.unchanged += 1;
        } else {
            staged.written += 1;
        }
        fs::write(&target, text)?;
    }
    staged.files = Some(tree.files.keys().cloned().collect());
    Ok(staged)
}

/// Remove the staging folders of trees that will not be swapped in (they hold only generated
/// files: kept files move in at the swap).
pub fn discard(out: &Path, staged: &[Staged]) -> io::Result<()> {
    for s in staged.iter().filter(|s| s.files.is_some()) {
        fs::remove_dir_all(staging(out, &s.env))?;
    }
    Ok(())
}

/// Swap staged trees in, each keeping what bankgen did not generate in the old one.
pub fn swap_in(out: &Path, staged: Vec<Staged>) -> io::Result<WriteSummary> {
    let mut summary = WriteSummary::default();
    for s in staged {
        summary.written += s.written;
        summary.unchanged += s.unchanged;
        let Some(files) = s.files else { continue };
        let live = out.join(&s.env);
        let stage = staging(out, &s.env);
        if live.exists() {
            for rel in generated_files(&live)? {
                if !files.contains(&rel) {
                    summary.removed.push(format!("{}/{rel}", s.env));
                }
            }
            let mut orphans = Vec::new();
            move_kept(&live, &stage, &mut orphans)?;
            let modules: BTreeSet<&str> =
                files.iter().filter_map(|k| k.split('/').next()).collect();
            for o in orphans {
                if !modules.contains(o.as_str()) {
                    summary.orphans.push(format!("{}/{o}", s.env));
                }
            }
            let old = retired(out, &s.env);
            fs::rename(&live, &old)?;
            fs::rename(&stage, &live)?;
            fs::remove_dir_all(&old)?;
        } else {
            fs::rename(&stage, &live)?;
        }
    }
    summary.orphans.sort();
    summary.orphans.dedup();
    Ok(summary)
}

/// Move every entry of `from` that bankgen did not generate into the same place under `to`.
/// `modules` collects the module folders that held such entries.
fn move_kept(from: &Path, to: &Path, modules: &mut Vec<String>) -> io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_dir() && is_module_dir(&name) {
            for inner in fs::read_dir(&path)? {
                let inner = inner?;
                let p = inner.path();
                if !is_generated(&p) {
                    let dest_dir = to.join(&name);
                    fs::create_dir_all(&dest_dir)?;
                    let dest = dest_dir.join(inner.file_name());
                    if !dest.exists() {
                        fs::rename(&p, &dest)?;
                        modules.push(name.clone());
                    }
                }
            }
        } else {
            let dest = to.join(&name);
            if !dest.exists() && !is_generated(&path) {
                fs::rename(&path, &dest)?;
            }
        }
    }
    Ok(())
}

fn is_module_dir(name: &str) -> bool {
    crate::model::names::MODULE_ID.matches(name)
}

/// `MOD-104/kms.tf`-style paths of the generated files under an environment folder.
fn generated_files(env_dir: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    if !env_dir.is_dir() {
        return Ok(out);
    }
    for entry in fs::read_dir(env_dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_dir() {
            continue;
        }
        for inner in fs::read_dir(entry.path())? {
            let inner = inner?;
            if is_generated(&inner.path()) {
                out.push(format!("{name}/{}", inner.file_name().to_string_lossy()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Paths (`<env>/<MOD>/<file>`) whose content on disk differs from the rendered tree: changed,
/// missing, or generated but no longer rendered.
pub fn check_trees(out: &Path, trees: &[Tree]) -> io::Result<Vec<String>> {
    let mut stale = Vec::new();
    for tree in trees {
        let live = out.join(&tree.env);
        // Reads in parallel: on a large tree the time is in the file system, not in comparing.
        stale.par_extend(
            tree.files
                .par_iter()
                .filter(|(rel, text)| {
                    fs::read(live.join(rel)).map_or(true, |bytes| bytes != text.as_bytes())
                })
                .map(|(rel, _)| format!("{}/{rel}", tree.env)),
        );
        for rel in generated_files(&live)? {
            if !tree.files.contains_key(&rel) {
                stale.push(format!("{}/{rel}", tree.env));
            }
        }
    }
    stale.sort();
    Ok(stale)
}
