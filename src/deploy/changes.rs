//! `--changed-since REV`: the modules whose inputs changed since a git revision, and everything
//! that must be re-deployed after them (seed 001: "a change in MOD-104 re-deploys what depends
//! on it").
//!
//! What a changed file selects (paths from `git diff --name-only REV` plus untracked files, so
//! the working tree is compared with REV):
//! - `modules/MOD-X.yaml` → MOD-X;
//! - `events/BUS.yaml` → the consumers of the subscriptions written in that file and of every
//!   subscription to an event defined there;
//! - `platform.yaml`, `domains.yaml`, the templates folder and the policies folder → every module;
//!
//! then every module downstream of the selection in the deployment graph.

use crate::model::Catalog;
use crate::model::graph::DeployGraph;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, Default)]
pub struct ChangeSet {
    /// The selected modules: changed ones and everything downstream.
    pub selected: BTreeSet<String>,
    /// Why each module was selected.
    pub reasons: BTreeMap<String, String>,
    /// The changed files, relative to the repository root.
    pub files: Vec<String>,
    /// Set when a platform-wide file changed (the first one): every module is selected.
    pub all_because: Option<String>,
    /// Things worth saying (a removed module file: its resources stay until destroyed).
    pub notes: Vec<String>,
}

/// Folders whose change selects every module, besides platform.yaml and domains.yaml.
pub struct Inputs<'a> {
    /// The catalogue folder (holds platform.yaml).
    pub catalog_dir: &'a Path,
    /// Template and policy folders (platform-wide).
    pub platform_dirs: Vec<PathBuf>,
}

impl Inputs<'_> {
    /// The catalogue folder with `templates/` and `policies/` next to it (the repository layout).
    pub fn conventional<'a>(catalog_dir: &'a Path, templates: Option<&Path>) -> Inputs<'a> {
        let parent = catalog_dir
            .canonicalize()
            .ok()
            .and_then(|c| c.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."));
        let mut platform_dirs = vec![parent.join("templates"), parent.join("policies")];
        if let Some(t) = templates {
            platform_dirs.push(t.to_path_buf());
        }
        Inputs {
            catalog_dir,
            platform_dirs,
        }
    }
}

pub(super) fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The files changed since `rev` (tracked changes and untracked files), relative to the root of
/// the repository that holds `dir`, and that root.
pub fn changed_files(dir: &Path, rev: &str) -> Result<(PathBuf, Vec<String>), String> {
    let top = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?.trim());
    let spec = format!("{rev}^{{commit}}");
    git(&top, &["rev-parse", "--verify", "--quiet", &spec]).map_err(|_| {
        format!(
            "`{rev}` is not a commit of the repository at {}",
            top.display()
        )
    })?;
    let mut files: BTreeSet<String> = BTreeSet::new();
    for out in [
        git(
            &top,
            &["diff", "--name-only", "-z", "--no-renames", rev, "--"],
        )?,
        git(&top, &["ls-files", "--others", "--exclude-standard", "-z"])?,
    ] {
        files.extend(out.split('\0').filter(|s| !s.is_empty()).map(String::from));
    }
    Ok((top, files.into_iter().collect()))
}

/// `path` relative to `top`, with `/` separators, when it is inside it.
pub(super) fn relative(top: &Path, path: &Path) -> Option<String> {
    let abs = path.canonicalize().ok()?;
    let rel = abs.strip_prefix(top.canonicalize().ok()?).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

fn under(file: &str, dir: &str) -> bool {
    dir.is_empty() || file.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The selection for `--changed-since REV`.
pub fn changed_since(
    cat: &Catalog,
    graph: &DeployGraph,
    inputs: &Inputs,
    rev: &str,
) -> Result<ChangeSet, String> {
    let (top, files) = changed_files(inputs.catalog_dir, rev)?;
    Ok(select(cat, graph, inputs, &top, files))
}

/// The selection for a list of changed files (relative to `top`).
pub fn select(
    cat: &Catalog,
    graph: &DeployGraph,
    inputs: &Inputs,
    top: &Path,
    files: Vec<String>,
) -> ChangeSet {
    let cat_rel = relative(top, inputs.catalog_dir).unwrap_or_default();
    let platform_rel: Vec<String> = inputs
        .platform_dirs
        .iter()
        .filter_map(|d| relative(top, d))
        .filter(|d| !d.is_empty())
        .collect();
    let platform_files = [
        join(&cat_rel, "platform.yaml"),
        join(&cat_rel, "domains.yaml"),
    ];
    let modules_dir = join(&cat_rel, "modules");
    let events_dir = join(&cat_rel, "events");

    let mut set = ChangeSet {
        files: files.clone(),
        ..ChangeSet::default()
    };
    let mut direct: BTreeMap<String, String> = BTreeMap::new();
    for f in &files {
        if platform_files.contains(f) || platform_rel.iter().any(|d| under(f, d)) {
            set.all_because.get_or_insert_with(|| f.clone());
            continue;
        }
        let name = f.rsplit('/').next().unwrap_or(f);
        let stem = name
            .strip_suffix(".yaml")
            .or_else(|| name.strip_suffix(".yml"));
        let parent = f.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
        if parent == modules_dir
            && let Some(id) = stem
        {
            if cat.module(id).is_some() {
                direct
                    .entry(id.to_string())
                    .or_insert_with(|| format!("{f} changed"));
            } else {
                set.notes.push(format!(
                    "{f} was removed: --changed-since does not destroy what {id} deployed"
                ));
            }
        } else if parent == events_dir && stem.is_some() {
            let same_file = |file: &str| file.rsplit(['/', '\\']).next() == Some(name);
            let defined: Vec<_> = cat
                .events
                .iter()
                .filter(|e| same_file(&e.loc.file.name))
                .collect();
            for s in &cat.subscriptions {
                let listed_here = same_file(&s.loc.file.name);
                let on_event_here = defined
                    .iter()
                    .any(|e| e.bus == s.bus && s.events.contains(&e.name));
                if (listed_here || on_event_here) && cat.module(&s.consumer).is_some() {
                    direct
                        .entry(s.consumer.clone())
                        .or_insert_with(|| format!("{f} changed (subscription {})", s.name));
                }
            }
        }
    }
    if let Some(f) = &set.all_because {
        for m in &cat.modules {
            set.reasons
                .insert(m.id.clone(), format!("platform-wide file {f} changed"));
        }
        set.selected = cat.modules.iter().map(|m| m.id.clone()).collect();
        return set;
    }
    set.selected = graph.downstream(direct.keys().map(String::as_str));
    for id in &set.selected {
        let reason = match direct.get(id) {
            Some(r) => r.clone(),
            None => {
                let up = graph.upstream(id);
                let via: Vec<&str> = direct
                    .keys()
                    .filter(|d| up.contains(*d))
                    .map(String::as_str)
                    .collect();
                format!("downstream of {}", via.join(", "))
            }
        };
        set.reasons.insert(id.clone(), reason);
    }
    set
}
