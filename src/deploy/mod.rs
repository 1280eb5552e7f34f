//! Plan, apply and destroy every module in deployment order with a real Terraform core.
//!
//! `bankgen plan|apply|destroy` render the environment (atomically), run the lint gate, then
//! drive `tofu` in every module folder `OUT/<env>/<MOD>/`, in the order of the deployment graph
//! ([`crate::model::graph`]), at most `-j N` at once:
//!
//! - `init -input=false -no-color`
//! - `plan -input=false -no-color -detailed-exitcode [-destroy] -out=tfplan` (exit 2: changes)
//! - `show -json tfplan` → adds / changes / destroys
//! - plan and apply: the plan guard ([`guard`]) stops a module whose plan deletes or replaces a
//!   resource that holds data, unless that is allowed
//! - apply and destroy: `apply -input=false -no-color tfplan`, the very plan that was shown
//! - drift: `plan -refresh-only -detailed-exitcode` and `show -json`: what changed outside
//!   Terraform ([`drift`])
//!
//! Provider plugins: `init` of many modules at once is safe with a filesystem mirror or a
//! network mirror (each module unpacks its own copy). Terraform's plugin cache
//! (`TF_PLUGIN_CACHE_DIR` / `plugin_cache_dir`) is not safe for concurrent init, so when one is
//! configured bankgen runs one init at a time ([`tofu::plugin_cache_in_use`]).
//!
//! Every apply leaves an [`record::ApplyRecord`] in `OUT/<env>/.bankgen/`; `bankgen rollback` and
//! `bankgen promote` render the catalogue at a git revision ([`revision`]).
//!
//! Interrupts: see [`process`]. Exit codes: 0 every module succeeded, 1 a module failed (or
//! was skipped because of one), 2 usage or input error, 130 interrupted.

pub mod aws;
pub mod bootstrap;
pub mod changes;
pub mod checks;
mod clock;
pub mod drift;
pub mod durations;
pub mod guard;
pub mod outcome;
pub mod probe;
pub mod process;
pub mod record;
pub mod report;
pub mod revision;
pub mod runner;
pub mod s3;
pub mod sched;
pub mod session;
pub mod tofu;
pub mod ui;
pub mod verify;
pub mod worker;

use crate::diag::Problem;
use crate::model::Catalog;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A run stopped by SIGINT or SIGTERM.
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Plan,
    Apply,
    Destroy,
    /// `plan -refresh-only`: what changed outside Terraform; changes nothing.
    Drift,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Plan => "plan",
            Action::Apply => "apply",
            Action::Destroy => "destroy",
            Action::Drift => "drift",
        }
    }
}

/// Everything a run needs, fixed before the first module starts.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub action: Action,
    pub env: String,
    /// `OUT/<env>`: one folder per module.
    pub env_dir: PathBuf,
    /// One `<MOD>.log` per module (and `<MOD>.plan.json`, the `show -json` output).
    pub logs: PathBuf,
    pub tofu: PathBuf,
    pub jobs: usize,
    pub fail_fast: bool,
    pub json: bool,
    /// `apply --plans DIR`: apply `DIR/<MOD>.tfplan` instead of planning.
    pub saved_plans: Option<PathBuf>,
    /// `plan --plans DIR`: keep each plan with changes as `DIR/<MOD>.tfplan`.
    pub keep_plans: Option<PathBuf>,
    /// Why `init` runs one at a time (a plugin cache is configured).
    pub serial_init: Option<String>,
    /// Expected seconds per module: the scheduler ranks by the heaviest remaining path.
    pub weights: sched::Weights,
    /// Modules that fail without running, and why: a `tofu` of a killed run may still hold
    /// their state ([`session::Session::open`]).
    pub refused: BTreeMap<String, String>,
    /// plan and apply: the plan guard (none for destroy and drift).
    pub guard: Option<guard::Guard>,
}

impl RunConfig {
    pub fn log_path(&self, module: &str) -> PathBuf {
        self.logs.join(format!("{module}.log"))
    }

    pub fn tofu_name(&self) -> String {
        self.tofu
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "tofu".into())
    }
}

/// Each module's resources that hold data, as render recorded them.
pub type StatefulMap = BTreeMap<String, Vec<crate::kinds::Stateful>>;

/// Render the environment into `out` (atomic swap of `out/<env>/`); the resources that hold
/// data, for the plan guard.
pub fn render(
    cat: &Catalog,
    env: &str,
    out: &Path,
    opts: &crate::render::Options,
) -> Result<StatefulMap, Vec<Problem>> {
    let mut tree = crate::render::render_env(cat, env, opts)?;
    let stateful = std::mem::take(&mut tree.stateful);
    crate::render::write_trees(out, &[tree]).map_err(|e| {
        vec![Problem::error(
            "BGD001",
            None,
            format!("cannot write the rendered tree to {}: {e}", out.display()),
            "check that the output folder is writable",
        )]
    })?;
    Ok(stateful)
}

/// What the lint gate found.
#[derive(Debug)]
pub struct LintGate {
    pub errors: usize,
    pub warnings: usize,
    /// The findings as `bankgen lint` prints them, and its summary line.
    pub text: String,
}

/// The lint gate: the catalogue rules and every rule on the rendered environment, as
/// `bankgen lint` runs them. The caller refuses to go on when `errors > 0`. `Err`: the policies
/// or the tree could not be read.
pub fn lint_gate(
    cat: &Catalog,
    env_dir: &Path,
    policies: Option<&Path>,
    short: bool,
) -> Result<LintGate, String> {
    let policies = crate::lint::Policies::load(policies.or(cat.policies_dir.as_deref()))?;
    let req = crate::lint::Request {
        paths: vec![env_dir.to_path_buf()],
        catalog: crate::lint::Catalogue::Ready(Some(cat)),
        catalogue_rules: true,
        policies: &policies,
        inputs: Default::default(),
    };
    let mut report = crate::lint::lint(&req).map_err(|crate::lint::Unreadable(e)| e)?;
    crate::lint::sort(&mut report.findings);
    Ok(LintGate {
        errors: report.errors(),
        warnings: report.warnings(),
        text: crate::lint::output::human(&report, Some(cat), short),
    })
}

/// `plan --plans DIR` writes this next to the saved plans; `apply --plans DIR` reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlansManifest {
    pub env: String,
    pub bankgen_version: String,
    /// Module → its saved plan file (relative to the folder) and what it changes.
    pub plans: BTreeMap<String, SavedPlan>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    pub file: String,
    pub adds: u32,
    pub changes: u32,
    pub destroys: u32,
}

pub const MANIFEST: &str = "plans.json";

impl PlansManifest {
    pub fn read(dir: &Path) -> Result<PlansManifest, String> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "cannot read {}: {e} (write it with `bankgen plan --plans DIR`)",
                path.display()
            )
        })?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a plans manifest: {e}", path.display()))
    }

    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).expect("manifest serialises");
        text.push('\n');
        std::fs::write(dir.join(MANIFEST), text)
    }
}
