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
    let mut stager = Stager::new(out, &tree.env)?;
    stager.add(tree)?;
    stager.finish()
}

/// Stages an environment's tree part by part ([`super::render_env_in_parts`]), so memory
/// holds one part. While every part matches the live tree nothing is written (the usual case
/// in CI and pre-commit); at the first difference the staging folder is started with copies of
/// the live files seen so far (equal to what was rendered) and the rest is written there.
pub struct Stager {
    env: String,
    live: PathBuf,
    stage: PathBuf,
    /// `MOD/file` paths rendered so far.
    names: BTreeSet<String>,
    staging: bool,
    written: usize,
    unchanged: usize,
}

impl Stager {
    pub fn new(out: &Path, env: &str) -> io::Result<Stager> {
        fs::create_dir_all(out)?;
        recover(out, env)?;
        Ok(Stager {
            env: env.to_string(),
            live: out.join(env),
            stage: staging(out, env),
            names: BTreeSet::new(),
            staging: false,
            written: 0,
            unchanged: 0,
        })
    }

    /// Add one part of the environment's tree.
    pub fn add(&mut self, part: &Tree) -> io::Result<()> {
        if !self.staging {
            if self.live.exists() && changed(&self.live, part).is_empty() {
                self.unchanged += part.files.len();
                self.names.extend(part.files.keys().cloned());
                return Ok(());
            }
            self.start_staging()?;
        }
        for (rel, text) in &part.files {
            let target = self.stage.join(rel);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            let before = fs::read(self.live.join(rel)).ok();
            if before.as_deref() == Some(text.as_bytes()) {
                self.unchanged += 1;
            } else {
                self.written += 1;
            }
            fs::write(&target, text)?;
            self.names.insert(rel.clone());
        }
        Ok(())
    }

    fn start_staging(&mut self) -> io::Result<()> {
        fs::create_dir_all(&self.stage)?;
        for rel in &self.names {
            let target = self.stage.join(rel);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::copy(self.live.join(rel), &target)?;
        }
        self.staging = true;
        Ok(())
    }

    /// The staged tree, or the live one found unchanged. A generated file that is no longer
    /// rendered is a change too (the swap removes it).
    pub fn finish(mut self) -> io::Result<Staged> {
        if !self.staging {
            let unchanged =
                self.live.exists() && generated_files_besides(&self.live, &self.names)?.is_empty();
            if unchanged {
                return Ok(Staged {
                    env: self.env,
                    files: None,
                    written: 0,
                    unchanged: self.unchanged,
                });
            }
            self.start_staging()?;
        }
        Ok(Staged {
            env: self.env,
            files: Some(self.names),
            written: self.written,
            unchanged: self.unchanged,
        })
    }

    /// Remove what was staged (after a problem in a later part).
    pub fn abandon(self) -> io::Result<()> {
        if self.staging {
            fs::remove_dir_all(&self.stage)?;
        }
        Ok(())
    }
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
            for rel in generated_files_besides(&live, &files)? {
                summary.removed.push(format!("{}/{rel}", s.env));
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

/// `MOD-104/kms.tf`-style paths of the generated files under an environment folder that are
/// not in `rendered`. Only those are opened to read their header: a render of an unchanged tree
/// opens no file twice.
fn generated_files_besides(env_dir: &Path, rendered: &BTreeSet<String>) -> io::Result<Vec<String>> {
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
            let rel = format!("{name}/{}", inner.file_name().to_string_lossy());
            if !rendered.contains(&rel) && is_generated(&inner.path()) {
                out.push(rel);
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
        let mut checker = Checker::new(out, &tree.env);
        checker.add(tree);
        stale.extend(checker.finish()?);
    }
    stale.sort();
    Ok(stale)
}

/// Compares an environment's tree with the one on disk part by part, like [`Stager`].
pub struct Checker {
    env: String,
    live: PathBuf,
    names: BTreeSet<String>,
    stale: Vec<String>,
}

impl Checker {
    pub fn new(out: &Path, env: &str) -> Checker {
        Checker {
            env: env.to_string(),
            live: out.join(env),
            names: BTreeSet::new(),
            stale: Vec::new(),
        }
    }

    pub fn add(&mut self, part: &Tree) {
        for rel in changed(&self.live, part) {
            self.stale.push(format!("{}/{rel}", self.env));
        }
        self.names.extend(part.files.keys().cloned());
    }

    /// The stale paths, sorted.
    pub fn finish(mut self) -> io::Result<Vec<String>> {
        for rel in generated_files_besides(&self.live, &self.names)? {
            self.stale.push(format!("{}/{rel}", self.env));
        }
        self.stale.sort();
        Ok(self.stale)
    }
}

/// The files of `part` whose content under `live` differs or is missing.
fn changed<'a>(live: &Path, part: &'a Tree) -> Vec<&'a String> {
    // Reads in parallel: on a large tree the time is in the file system, not in comparing.
    part.files
        .par_iter()
        .filter(|(rel, text)| {
            fs::read(live.join(rel)).map_or(true, |bytes| bytes != text.as_bytes())
        })
        .map(|(rel, _)| rel)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn tree(files: &[(&str, &str)]) -> Tree {
        Tree {
            env: "dev".into(),
            files: files
                .iter()
                .map(|(rel, text)| (rel.to_string(), format!("{HEADER_PREFIX}x\n{text}\n")))
                .collect(),
            ..Tree::default()
        }
    }

    /// Stage `parts` one after another, then swap them in.
    fn stage_parts(out: &Path, parts: &[Tree]) -> WriteSummary {
        let mut stager = Stager::new(out, "dev").unwrap();
        for p in parts {
            stager.add(p).unwrap();
        }
        swap_in(out, vec![stager.finish().unwrap()]).unwrap()
    }

    fn on_disk(out: &Path) -> BTreeMap<String, String> {
        walkdir::WalkDir::new(out)
            .sort_by_file_name()
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(out).unwrap();
                (
                    rel.to_string_lossy().into_owned(),
                    fs::read_to_string(e.path()).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn a_tree_staged_in_parts_is_the_tree_staged_whole() {
        let (whole, parts) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let a = tree(&[("MOD-001/a.tf", "a"), ("MOD-001/b.tf", "b")]);
        let b = tree(&[("MOD-002/a.tf", "c")]);
        let mut all = a.files.clone();
        all.extend(b.files.clone());
        write_trees(
            whole.path(),
            &[Tree {
                env: "dev".into(),
                files: all,
                ..Tree::default()
            }],
        )
        .unwrap();
        let s = stage_parts(parts.path(), &[a.clone(), b.clone()]);
        assert_eq!((s.written, s.unchanged), (3, 0));
        assert_eq!(on_disk(whole.path()), on_disk(parts.path()));

        // Unchanged: nothing staged, nothing written.
        let s = stage_parts(parts.path(), &[a.clone(), b.clone()]);
        assert_eq!((s.written, s.unchanged), (0, 3));
        assert!(!staging(parts.path(), "dev").exists());

        // A change in the second part: the first part's files are carried over from the
        // live tree, a file of the user's is kept.
        fs::write(parts.path().join("dev/MOD-001/notes.txt"), "mine").unwrap();
        let b2 = tree(&[("MOD-002/a.tf", "changed")]);
        let s = stage_parts(parts.path(), &[a.clone(), b2.clone()]);
        assert_eq!((s.written, s.unchanged), (1, 2));
        let disk = on_disk(parts.path());
        assert_eq!(disk["dev/MOD-001/a.tf"], a.files["MOD-001/a.tf"]);
        assert_eq!(disk["dev/MOD-002/a.tf"], b2.files["MOD-002/a.tf"]);
        assert_eq!(disk["dev/MOD-001/notes.txt"], "mine");
        assert_eq!(disk.len(), 4);
    }

    #[test]
    fn a_generated_file_no_longer_rendered_is_a_change_even_when_every_part_matches() {
        let out = tempfile::tempdir().unwrap();
        let a = tree(&[("MOD-001/a.tf", "a")]);
        let b = tree(&[("MOD-002/a.tf", "b")]);
        stage_parts(out.path(), &[a.clone(), b]);
        let s = stage_parts(out.path(), &[a]);
        assert_eq!(s.removed, vec!["dev/MOD-002/a.tf".to_string()]);
        assert!(!out.path().join("dev/MOD-002/a.tf").exists());
        assert!(out.path().join("dev/MOD-001/a.tf").exists());
    }

    #[test]
    fn an_abandoned_stage_leaves_the_live_tree_and_no_staging_folder() {
        let out = tempfile::tempdir().unwrap();
        let a = tree(&[("MOD-001/a.tf", "a")]);
        stage_parts(out.path(), std::slice::from_ref(&a));
        let before = on_disk(out.path());
        let mut stager = Stager::new(out.path(), "dev").unwrap();
        stager.add(&tree(&[("MOD-001/a.tf", "new")])).unwrap();
        assert!(staging(out.path(), "dev").exists());
        stager.abandon().unwrap();
        assert!(!staging(out.path(), "dev").exists());
        assert_eq!(on_disk(out.path()), before);
    }

    #[test]
    fn a_tree_checked_in_parts_names_what_differs_and_what_is_gone() {
        let out = tempfile::tempdir().unwrap();
        let a = tree(&[("MOD-001/a.tf", "a")]);
        let b = tree(&[("MOD-002/a.tf", "b"), ("MOD-002/b.tf", "b")]);
        stage_parts(out.path(), &[a.clone(), b]);
        let mut checker = Checker::new(out.path(), "dev");
        checker.add(&a);
        checker.add(&tree(&[("MOD-002/a.tf", "changed")]));
        assert_eq!(
            checker.finish().unwrap(),
            vec![
                "dev/MOD-002/a.tf".to_string(),
                "dev/MOD-002/b.tf".to_string()
            ]
        );
    }
}
