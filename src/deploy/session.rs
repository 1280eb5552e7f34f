//! A session: what the passes of one command (`plan`, `apply`, `destroy`, `rollback`,
//! `promote`) share — the lock on the environment, the signal handler and the Terraform CLI.
//! Each [`Pass`] renders a catalogue, runs the lint gate and drives `tofu` over a selection of
//! its modules. Nothing here prints but through [`Ui`]; the command line says what a
//! [`Refusal`] means.

use super::checks::{self, Checks};
use super::process;
use super::record::{ApplyRecord, Journal, ModuleRun, RunRecord, RunStatus};
use super::report::RunReport;
use super::runner::Runner;
use super::sched::Weights;
use super::ui::Ui;
use super::{
    Action, LintGate, MANIFEST, PlansManifest, RunConfig, SavedPlan, StatefulMap, durations, guard,
    tofu,
};
use crate::catalog::CatalogSource;
use crate::diag::Problem;
use crate::model::graph::DeployGraph;
use crate::model::{Catalog, Profile};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the modules run: the flags every command that drives `tofu` shares.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Output folder of the rendered tree.
    pub out: PathBuf,
    /// Modules running at once (None: the number of CPUs).
    pub jobs: Option<usize>,
    /// `--tofu BIN` (see [`tofu::resolve`]).
    pub tofu: Option<String>,
    pub fail_fast: bool,
    pub skip_checks: bool,
    /// Stream events as JSON on stdout.
    pub json: bool,
    /// Folder for the per-module logs (None: `OUT/<env>/.bankgen/logs`).
    pub logs: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    pub policies: Option<PathBuf>,
    pub profile: Option<Profile>,
    /// A previous run's report to rank the critical path by.
    pub durations: Option<PathBuf>,
    /// `--short`: the lint gate's findings one line each.
    pub short: bool,
    /// How long to wait for a `tofu` that a killed run left running ([`Session::settle`]).
    pub wait_killed: Duration,
    /// plan and apply: `--allow-replace` with its `--reason` (the plan guard).
    pub allow_replace: Vec<guard::Allowance>,
}

/// Why a pass ran no module.
#[derive(Debug)]
pub enum Refusal {
    /// A usage error or input that could not be read or written.
    Usage(String),
    /// The catalogue did not render.
    Render(Vec<Problem>),
    /// The lint gate found errors in the rendered environment (`OUT/<env>`).
    Lint(LintGate, PathBuf),
    /// SIGINT or SIGTERM arrived before any module started.
    Interrupted,
}

/// One pass of the pipeline: render `cat`, run the lint gate, drive `tofu` over `modules` in
/// deployment order (reverse for destroy).
pub struct Pass<'a> {
    /// Where `cat` was read from: a `bankgen` phase check reads the same catalogue.
    pub source: &'a CatalogSource,
    pub cat: &'a Catalog,
    pub action: Action,
    pub modules: &'a BTreeSet<String>,
    /// plan: keep each plan with changes in this folder (with plans.json).
    pub keep_plans: Option<PathBuf>,
    /// apply: apply exactly the saved plans in this folder.
    pub saved_plans: Option<PathBuf>,
    /// Write the run's JSON report here.
    pub report: Option<&'a Path>,
}

/// What the passes of one command share: the lock on the environment, the signal handler and
/// the Terraform CLI.
pub struct Session {
    opts: Options,
    env: String,
    tofu: PathBuf,
    runner: Runner,
    /// The last run on the environment, when it was killed.
    killed: Option<RunRecord>,
    /// Modules not to run, and why ([`Session::settle`]).
    refused: BTreeMap<String, String>,
    _lock: std::fs::File,
}

/// The state file of a module with the local backend (the rendered `backend.tf`'s path).
const LOCAL_STATE: &str = "terraform.tfstate";

impl Session {
    /// After any confirmation: from here on SIGINT and SIGTERM are ours.
    pub fn open(opts: Options, env: &str) -> Result<Session, Refusal> {
        if opts.jobs == Some(0) {
            return Err(Refusal::Usage("-j needs at least 1".into()));
        }
        let tofu = tofu::resolve(opts.tofu.as_deref()).map_err(Refusal::Usage)?;
        let lock = lock_env(&opts.out, env).map_err(Refusal::Usage)?;
        // From here on, SIGINT and SIGTERM are ours: nothing new starts after one.
        let runner = Runner::new()
            .map_err(|e| Refusal::Usage(format!("cannot install the signal handler: {e}")))?;
        // We hold the environment's lock, which dies with its holder: a record still `running`
        // is of a bankgen that is gone without finishing.
        let killed =
            RunRecord::read(&opts.out.join(env)).filter(|r| r.status == RunStatus::Running);
        Ok(Session {
            opts,
            env: env.to_string(),
            tofu,
            runner,
            killed,
            refused: BTreeMap::new(),
            _lock: lock,
        })
    }

    /// The last run on the environment, when it was killed before it finished (its record
    /// says so; see [`super::record`]).
    pub fn killed(&self) -> Option<&RunRecord> {
        self.killed.as_ref()
    }

    /// Never two `tofu` on one state: wait (up to [`Options::wait_killed`]) for every `tofu`
    /// that the killed run left running — its recorded pid still alive, or the module's local
    /// state still locked — and refuse the modules whose `tofu` is still there then (they fail
    /// in every pass of this session, skipping what needs them). `say` is told what happens.
    pub fn settle(&mut self, say: &mut dyn FnMut(String)) {
        let Some(killed) = &self.killed else { return };
        let env_dir = self.env_dir();
        let mut left: Vec<&ModuleRun> = killed
            .modules
            .iter()
            .filter(|m| m.status == super::record::RUNNING)
            .filter(|m| still_running(m, &env_dir).is_some())
            .collect();
        if left.is_empty() {
            return;
        }
        say(format!(
            "waiting up to {} s for what the killed run left running: {}",
            self.opts.wait_killed.as_secs(),
            left.iter()
                .map(|m| format!(
                    "{} ({})",
                    m.id,
                    still_running(m, &env_dir).unwrap_or_default()
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let deadline = Instant::now() + self.opts.wait_killed;
        loop {
            left.retain(|m| {
                let still = still_running(m, &env_dir).is_some();
                if !still {
                    say(format!(
                        "{}: what the killed run left running has ended",
                        m.id
                    ));
                }
                still
            });
            if left.is_empty() || Instant::now() >= deadline || self.runner.interrupted() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        for m in left {
            let what = still_running(m, &env_dir).unwrap_or_default();
            let cause = format!(
                "refused: the killed run's {what} may still change its state (stop it, then run again)"
            );
            say(format!("{}: {cause}", m.id));
            self.refused.insert(m.id.clone(), cause);
        }
    }

    /// `OUT/<env>`.
    pub fn env_dir(&self) -> PathBuf {
        self.opts.out.join(&self.env)
    }

    /// Render `cat` into `OUT/<env>` and run the lint gate on it; the gate's warnings are the
    /// caller's to show. The resources that hold data, as render recorded them, go to
    /// [`Session::execute`] (the plan guard).
    pub fn prepare(&self, cat: &Catalog) -> Result<(LintGate, StatefulMap), Refusal> {
        let env_dir = self.env_dir();
        let opts = crate::render::Options {
            templates: self.opts.templates.clone(),
            profile: self.opts.profile,
        };
        let stateful =
            super::render(cat, &self.env, &self.opts.out, &opts).map_err(Refusal::Render)?;
        match super::lint_gate(
            cat,
            &env_dir,
            self.opts.policies.as_deref(),
            self.opts.short,
        ) {
            Ok(gate) if gate.errors > 0 => Err(Refusal::Lint(gate, env_dir)),
            Ok(gate) => Ok((gate, stateful)),
            Err(e) => Err(Refusal::Usage(format!("lint: {e}"))),
        }
    }

    /// Run a prepared pass ([`Session::prepare`], whose resources that hold data are
    /// `stateful`): every module of the selection, then the saved plans' manifest, the report
    /// file and the recorded durations.
    pub fn execute(
        &self,
        pass: &Pass,
        stateful: StatefulMap,
        ui: &mut Ui,
    ) -> Result<RunReport, Refusal> {
        if self.runner.interrupted() {
            return Err(Refusal::Interrupted);
        }
        let env_dir = self.env_dir();
        let logs = self
            .opts
            .logs
            .clone()
            .unwrap_or_else(|| env_dir.join(".bankgen").join("logs"));
        if let Err(e) = std::fs::create_dir_all(&logs) {
            return Err(Refusal::Usage(format!(
                "cannot create the log folder {}: {e}",
                logs.display()
            )));
        }
        let serial_init = tofu::plugin_cache_in_use();
        if let Some(why) = &serial_init {
            ui.line(&format!(
                "note: a Terraform plugin cache is configured ({why}); running `init` one module at a time"
            ));
        }
        let weights = match &self.opts.durations {
            Some(f) => std::fs::read_to_string(f)
                .map_err(|e| e.to_string())
                .and_then(|t| Weights::from_report(&t))
                .map_err(|e| Refusal::Usage(format!("--durations {}: {e}", f.display())))?,
            None => durations::recorded(&env_dir, pass.action),
        };
        let cfg = Arc::new(RunConfig {
            action: pass.action,
            env: self.env.clone(),
            env_dir: absolute(&env_dir),
            logs: absolute(&logs),
            tofu: self.tofu.clone(),
            jobs: self.opts.jobs.unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            }),
            fail_fast: self.opts.fail_fast,
            json: self.opts.json,
            saved_plans: pass.saved_plans.clone(),
            keep_plans: pass.keep_plans.clone(),
            serial_init,
            weights,
            refused: self.refused.clone(),
            guard: matches!(pass.action, Action::Plan | Action::Apply).then(|| guard::Guard {
                stateful,
                allowances: self.opts.allow_replace.clone(),
                user: guard::user(),
            }),
        });

        let mut graph = DeployGraph::build(pass.cat).restrict(pass.modules);
        if pass.action == Action::Destroy {
            graph = graph.reversed();
        }
        let checks = if pass.action == Action::Apply {
            let env = pass.cat.environment(&self.env).expect("checked above");
            let context = checks::Context {
                region: pass.cat.platform.region.clone(),
                account_id: env.account_id.clone(),
                endpoint: env.emulator.clone(),
                catalog_dir: match pass.source {
                    CatalogSource::Dir(d) => Some(absolute(d)),
                    _ => None,
                },
            };
            checks::add(&mut graph, pass.cat, self.opts.skip_checks, context)
        } else {
            Checks::default()
        };
        if !checks.skipped.is_empty() {
            ui.line(&format!(
                "WARNING: --skip-checks: the completion checks of phase(s) {:?} will not run",
                checks.skipped
            ));
        }
        let order = graph
            .topo_order()
            .unwrap_or_else(|| graph.index.keys().cloned().collect());
        let mut journal = Journal::new(&env_dir, &self.env, pass.action.name(), &order);
        let mut report = self
            .runner
            .run(&graph, &cfg, &Arc::new(checks), ui, &mut journal);
        if let Some(g) = &cfg.guard {
            report.allowances_unused = guard::unused(&g.allowances, &report.modules);
            for a in &report.allowances_unused {
                ui.line(&format!(
                    "warning: --allow-replace {a} matched no delete or replacement of a resource that holds data in this {}",
                    pass.action.name()
                ));
            }
        }
        ui.finish();
        report.exit_code = save(&cfg, pass.report, &report, ui);
        journal.close(report.exit_code);
        if let Err(e) = journal.flush() {
            ui.line(&format!(
                "warning: cannot write the run record {}: {e}",
                journal.path().display()
            ));
        }
        if let Err(e) = durations::record(&env_dir, pass.action, &report) {
            ui.line(&format!(
                "note: cannot record the module durations in {}: {e}",
                durations::path(&env_dir).display()
            ));
        }
        Ok(report)
    }

    /// Write the environment's apply record.
    pub fn write_record(&self, record: &ApplyRecord) -> std::io::Result<PathBuf> {
        record.write(&self.env_dir())
    }
}

/// What of `m` (a module the killed run left running) may still run: its `tofu`, or whatever
/// holds its local state's lock.
fn still_running(m: &ModuleRun, env_dir: &Path) -> Option<String> {
    if let Some(pid) = m.tofu_pid
        && process::alive(pid, m.tofu_start)
    {
        let step = m.step.as_deref().unwrap_or("tofu");
        return Some(format!("`tofu {step}` (pid {pid})"));
    }
    let state = env_dir.join(&m.id).join(LOCAL_STATE);
    process::state_lock_holder(&state).map(|pid| format!("lock on {} (pid {pid})", state.display()))
}

/// Write what the run leaves besides the tree: the plans' manifest (`plan --plans DIR`) and the
/// report file. The run's exit code, 1 at least when one of them cannot be written.
fn save(cfg: &RunConfig, report_file: Option<&Path>, report: &RunReport, ui: &Ui) -> u8 {
    let mut code = report.exit_code;
    if let Some(dir) = &cfg.keep_plans {
        let plans = report
            .modules
            .iter()
            .filter(|m| m.has_changes() || m.plan.is_some())
            .filter_map(|m| {
                let plan = m.plan.as_ref()?;
                let file = Path::new(plan).file_name()?.to_string_lossy().into_owned();
                Some((
                    m.id.clone(),
                    SavedPlan {
                        file,
                        adds: m.adds.unwrap_or(0),
                        changes: m.changes.unwrap_or(0),
                        destroys: m.destroys.unwrap_or(0),
                    },
                ))
            })
            .collect();
        let manifest = PlansManifest {
            env: cfg.env.clone(),
            bankgen_version: env!("CARGO_PKG_VERSION").into(),
            plans,
        };
        if let Err(e) = manifest.write(dir) {
            ui.line(&format!(
                "error: cannot write {}: {e}",
                dir.join(MANIFEST).display()
            ));
            code = code.max(1);
        }
    }
    if let Some(path) = report_file
        && let Err(e) = report.write(path)
    {
        ui.line(&format!(
            "error: cannot write the report {}: {e}",
            path.display()
        ));
        code = code.max(1);
    }
    code
}

/// One bankgen run per environment and output folder at a time.
fn lock_env(out: &Path, env: &str) -> Result<std::fs::File, String> {
    use std::os::fd::AsRawFd;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let path = out.join(format!(".bankgen-{env}.lock"));
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    // SAFETY: flock on a file descriptor we own; released when the file is closed.
    let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc != 0 {
        return Err(format!(
            "another bankgen run is using {} (lock {})",
            out.join(env).display(),
            path.display()
        ));
    }
    Ok(f)
}

/// Empty a plans folder of earlier plans and their manifest (creating it).
pub fn prepare_plans_dir(d: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(d)?;
    for entry in std::fs::read_dir(d)? {
        let p = entry?.path();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.ends_with(".tfplan") || name == MANIFEST {
            std::fs::remove_file(&p)?;
        }
    }
    Ok(())
}

/// `p` from the current folder: each module runs in its own working directory.
pub fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}
