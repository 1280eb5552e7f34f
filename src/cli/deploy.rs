//! `bankgen plan`, `bankgen apply`, `bankgen destroy`, and the pipeline they share with
//! `bankgen rollback` and `bankgen promote`: a [`Session`] holds the environment's lock and the
//! signal handler; each [`Pass`] renders a catalogue, runs the lint gate and drives `tofu` over a
//! selection of its modules.

use super::{EXIT_USAGE, load_or_report, print_problems};
use crate::catalog::CatalogSource;
use crate::deploy::record::ApplyRecord;
use crate::deploy::report::RunReport;
use crate::deploy::revision::{self, Revision};
use crate::deploy::runner::Runner;
use crate::deploy::sched::Weights;
use crate::deploy::ui::Ui;
use crate::deploy::{self, PlansManifest, RunConfig, SavedPlan, changes, checks, durations, tofu};
use crate::model::graph::DeployGraph;
use crate::model::{Catalog, Profile};
use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::deploy::Action;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Environment to deploy (from platform.yaml)
    #[arg(long, value_name = "ENV")]
    pub env: String,

    /// Only these modules (space or comma separated); modules they need must already be deployed
    #[arg(long, value_name = "MOD", num_args = 1.., value_delimiter = ',')]
    pub only: Vec<String>,

    /// Only modules whose catalogue entry, templates or policies changed since this git revision,
    /// and everything downstream of them
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,

    /// Destroy without asking
    #[arg(long)]
    pub auto_approve: bool,

    /// plan: keep each plan with changes in DIR (with plans.json); apply: apply exactly the
    /// saved plans in DIR
    #[arg(long, value_name = "DIR")]
    pub plans: Option<PathBuf>,

    #[command(flatten)]
    pub run: RunFlags,
}

/// How the modules run: the flags every command that drives `tofu` shares.
#[derive(clap::Args, Debug, Clone)]
pub struct RunFlags {
    /// Modules running at once (default: the number of CPUs)
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,

    /// The Terraform CLI: OpenTofu or Terraform [default: tofu on PATH]
    #[arg(long, value_name = "BIN")]
    pub tofu: Option<String>,

    /// Write a JSON report: per-module status, duration, adds/changes/destroys, log; a summary
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Stop starting modules after the first failure (running ones finish)
    #[arg(long)]
    pub fail_fast: bool,

    /// apply: do not run the phase completion checks (emergencies only; the report says so)
    #[arg(long)]
    pub skip_checks: bool,

    /// Stream events as JSON, one object per line, on stdout
    #[arg(long)]
    pub json: bool,

    /// Output folder of the rendered tree
    #[arg(long, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,

    /// Folder for the per-module logs [default: OUT/<env>/.bankgen/logs]
    #[arg(long, value_name = "DIR")]
    pub logs: Option<PathBuf>,

    /// Templates folder replacing the embedded templates
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Lint rule parameters: a folder replacing the embedded `policies/` files
    #[arg(long, value_name = "DIR")]
    pub policies: Option<PathBuf>,

    /// Provider profile instead of the environment's: v6 or legacy
    #[arg(long, value_parser = ["v6", "legacy"])]
    pub profile: Option<String>,

    /// Module durations to rank the critical path by: a previous run's --report
    /// [default: the durations recorded in OUT/<env>/.bankgen/durations.json]
    #[arg(long, value_name = "REPORT")]
    pub durations: Option<PathBuf>,
}

pub(super) fn usage(msg: impl std::fmt::Display) -> u8 {
    eprintln!("error: {msg}");
    EXIT_USAGE
}

pub fn run(source: &CatalogSource, short: bool, action: Action, args: Args) -> u8 {
    let cat = match load_or_report(source, short) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Err(code) = known_env(&cat, &args.env) {
        return code;
    }
    if action == Action::Destroy && args.plans.is_some() {
        return usage("--plans is for plan and apply; destroy plans and applies by itself");
    }
    let full = DeployGraph::build(&cat);
    let selected = match select(source, &cat, &full, action, &args) {
        Ok(s) => s,
        Err(code) => return code,
    };

    if action == Action::Destroy && !args.auto_approve && !selected.is_empty() {
        let question = format!(
            "Destroy {} module(s) of environment `{}`?",
            selected.len(),
            args.env
        );
        let refusal = format!(
            "destroy asks for confirmation and stdin is not a terminal: pass --auto-approve to destroy {} module(s) of `{}`",
            selected.len(),
            args.env
        );
        match confirm(&question, &args.env, &refusal) {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("destroy cancelled");
                return EXIT_USAGE;
            }
            Err(e) => return usage(e),
        }
    }
    // What an apply record will say; looked up before rendering, as the catalogue is then.
    let revision = (action == Action::Apply).then(|| apply_revision(source));

    let session = match Session::open(&args.run, &args.env, short) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let keep_plans = match (action, &args.plans) {
        (Action::Plan, Some(d)) => {
            if let Err(e) = prepare_plans_dir(d) {
                return usage(format!("cannot prepare {}: {e}", d.display()));
            }
            Some(absolute(d))
        }
        _ => None,
    };
    let saved_plans = match (action, &args.plans) {
        (Action::Apply, Some(d)) => Some(absolute(d)),
        _ => None,
    };
    let pass = Pass {
        source,
        cat: &cat,
        action,
        modules: &selected,
        keep_plans,
        saved_plans,
        report: args.run.report.as_deref(),
    };
    let report = match session.run(&pass) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut code = report.exit_code;
    if let Some(revision) = revision {
        let partial = selected.len() < cat.modules.len();
        let record = ApplyRecord::new("apply", &args.env, revision, partial).with_run(&report);
        code = code.max(session.write_record(&record));
    }
    code
}

/// The catalogue's revision for the apply record; says why an apply without one (or from a
/// catalogue with uncommitted changes) cannot be promoted.
fn apply_revision(source: &CatalogSource) -> Option<Revision> {
    match revision::Repo::locate(source).and_then(|r| r.current()) {
        Ok(rev) => {
            if rev.dirty {
                eprintln!(
                    "note: the catalogue has uncommitted changes: this apply is recorded as dirty and cannot be promoted"
                );
            }
            Some(rev)
        }
        Err(e) => {
            eprintln!(
                "note: no git revision for the apply record ({e}): this apply cannot be promoted"
            );
            None
        }
    }
}

/// `Err(exit code)` after saying which environments there are.
pub(super) fn known_env(cat: &Catalog, env: &str) -> Result<(), u8> {
    if cat.environment(env).is_some() {
        return Ok(());
    }
    let known = cat.environment_names();
    Err(usage(format!(
        "unknown environment `{env}` (platform.yaml has: {})",
        known.join(", ")
    )))
}

/// One pass of the pipeline: render `cat`, run the lint gate, drive `tofu` over `modules` in
/// deployment order (reverse for destroy).
pub(super) struct Pass<'a> {
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
pub(super) struct Session<'a> {
    flags: &'a RunFlags,
    env: String,
    short: bool,
    tofu: PathBuf,
    runner: Runner,
    _lock: std::fs::File,
}

impl<'a> Session<'a> {
    /// After any confirmation: from here on SIGINT and SIGTERM are ours.
    pub fn open(flags: &'a RunFlags, env: &str, short: bool) -> Result<Session<'a>, u8> {
        if flags.jobs == Some(0) {
            return Err(usage("-j needs at least 1"));
        }
        let tofu = tofu::resolve(flags.tofu.as_deref()).map_err(usage)?;
        let lock = lock_env(&flags.out, env).map_err(usage)?;
        // From here on, SIGINT and SIGTERM are ours: nothing new starts after one.
        let runner =
            Runner::new().map_err(|e| usage(format!("cannot install the signal handler: {e}")))?;
        Ok(Session {
            flags,
            env: env.to_string(),
            short,
            tofu,
            runner,
            _lock: lock,
        })
    }

    /// `OUT/<env>`.
    pub fn env_dir(&self) -> PathBuf {
        self.flags.out.join(&self.env)
    }

    /// Render `cat` into `OUT/<env>` and run the lint gate on it. `Err`: the exit code.
    pub fn prepare(&self, cat: &Catalog) -> Result<(), u8> {
        let env_dir = self.env_dir();
        let opts = crate::render::Options {
            templates: self.flags.templates.clone(),
            profile: self.flags.profile.as_deref().and_then(Profile::parse),
        };
        if let Err(problems) = deploy::render(cat, &self.env, &self.flags.out, &opts) {
            print_problems(&problems, self.short);
            eprintln!("render failed: nothing was planned");
            return Err(EXIT_USAGE);
        }
        match deploy::lint_gate(cat, &env_dir, self.flags.policies.as_deref(), self.short) {
            Ok(gate) if gate.errors > 0 => {
                eprint!("{}", gate.text);
                eprintln!(
                    "lint found {} error(s) in {}: nothing was planned",
                    gate.errors,
                    env_dir.display()
                );
                Err(super::EXIT_FINDINGS)
            }
            Ok(gate) => {
                if gate.warnings > 0 {
                    eprint!("{}", gate.text);
                }
                Ok(())
            }
            Err(e) => Err(usage(format!("lint: {e}"))),
        }
    }

    /// Prepare, run, then print the table (and write the report). `Err`: nothing ran.
    pub fn run(&self, pass: &Pass) -> Result<RunReport, u8> {
        self.prepare(pass.cat)?;
        if self.runner.interrupted() {
            eprintln!("interrupted before any module started");
            return Err(deploy::EXIT_INTERRUPTED);
        }
        let env_dir = self.env_dir();
        let logs = self
            .flags
            .logs
            .clone()
            .unwrap_or_else(|| env_dir.join(".bankgen").join("logs"));
        if let Err(e) = std::fs::create_dir_all(&logs) {
            return Err(usage(format!(
                "cannot create the log folder {}: {e}",
                logs.display()
            )));
        }
        let serial_init = tofu::plugin_cache_in_use();
        if let Some(why) = &serial_init {
            eprintln!(
                "note: a Terraform plugin cache is configured ({why}); running `init` one module at a time"
            );
        }
        let weights = match &self.flags.durations {
            Some(f) => std::fs::read_to_string(f)
                .map_err(|e| e.to_string())
                .and_then(|t| Weights::from_report(&t))
                .map_err(|e| usage(format!("--durations {}: {e}", f.display())))?,
            None => durations::recorded(&env_dir, pass.action),
        };
        let cfg = Arc::new(RunConfig {
            action: pass.action,
            env: self.env.clone(),
            env_dir: absolute(&env_dir),
            logs: absolute(&logs),
            tofu: self.tofu.clone(),
            jobs: self.flags.jobs.unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            }),
            fail_fast: self.flags.fail_fast,
            json: self.flags.json,
            saved_plans: pass.saved_plans.clone(),
            keep_plans: pass.keep_plans.clone(),
            serial_init,
            weights,
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
            checks::add(&mut graph, pass.cat, self.flags.skip_checks, context)
        } else {
            checks::Checks::default()
        };
        if !checks.skipped.is_empty() {
            eprintln!(
                "WARNING: --skip-checks: the completion checks of phase(s) {:?} will not run",
                checks.skipped
            );
        }
        let mut ui = Ui::new(self.flags.json);
        let mut report = self.runner.run(&graph, &cfg, &Arc::new(checks), &mut ui);
        ui.finish();
        report.exit_code = finish(&cfg, pass.report, self.flags.json, &report, &ui);
        if let Err(e) = durations::record(&env_dir, pass.action, &report) {
            eprintln!(
                "note: cannot record the module durations in {}: {e}",
                durations::path(&env_dir).display()
            );
        }
        Ok(report)
    }

    /// Write the environment's apply record; the exit code it adds (1 when it cannot be written).
    pub fn write_record(&self, record: &ApplyRecord) -> u8 {
        match record.write(&self.env_dir()) {
            Ok(_) => 0,
            Err(e) => {
                eprintln!("error: cannot write the apply record: {e}");
                1
            }
        }
    }
}

fn finish(
    cfg: &RunConfig,
    report_file: Option<&Path>,
    json: bool,
    report: &RunReport,
    ui: &Ui,
) -> u8 {
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
            eprintln!(
                "error: cannot write {}: {e}",
                dir.join(deploy::MANIFEST).display()
            );
            code = code.max(1);
        }
    }
    if let Some(path) = report_file
        && let Err(e) = report.write(path)
    {
        eprintln!("error: cannot write the report {}: {e}", path.display());
        code = code.max(1);
    }
    let table = report.table();
    if json {
        eprint!("{table}");
        ui.event(
            "summary",
            serde_json::json!({"summary": report.summary, "exit_code": code,
                               "interrupted": report.interrupted, "duration_s": report.duration_s}),
        );
    } else {
        print!("{table}");
    }
    code
}

/// The modules of this run.
fn select(
    source: &CatalogSource,
    cat: &Catalog,
    full: &DeployGraph,
    action: Action,
    args: &Args,
) -> Result<BTreeSet<String>, u8> {
    let mut selected: BTreeSet<String> = cat.modules.iter().map(|m| m.id.clone()).collect();
    if action == Action::Apply
        && let Some(dir) = &args.plans
    {
        let manifest = PlansManifest::read(dir).map_err(usage)?;
        if manifest.env != args.env {
            return Err(usage(format!(
                "the plans in {} are for environment `{}`, not `{}`",
                dir.display(),
                manifest.env,
                args.env
            )));
        }
        let mut with_plans = BTreeSet::new();
        for (id, p) in &manifest.plans {
            if cat.module(id).is_none() {
                return Err(usage(format!(
                    "{} has a plan for {id}, which is not in the catalogue",
                    dir.display()
                )));
            }
            let file = dir.join(&p.file);
            if !file.is_file() {
                return Err(usage(format!("saved plan {} is missing", file.display())));
            }
            with_plans.insert(id.clone());
        }
        eprintln!(
            "applying the {} saved plan(s) in {}",
            with_plans.len(),
            dir.display()
        );
        selected = with_plans;
    }
    if let Some(rev) = &args.changed_since {
        let CatalogSource::Dir(dir) = source else {
            return Err(usage(
                "--changed-since needs a catalogue folder in a git repository (--catalog DIR)",
            ));
        };
        let mut inputs = changes::Inputs::conventional(dir, args.run.templates.as_deref());
        inputs.platform_dirs.extend(args.run.policies.clone());
        let set = changes::changed_since(cat, full, &inputs, rev).map_err(usage)?;
        for n in &set.notes {
            eprintln!("note: {n}");
        }
        match &set.all_because {
            Some(f) => eprintln!("{f} changed since {rev}: every module is selected"),
            None => eprintln!(
                "{} module(s) selected by changes since {rev}{}",
                set.selected.len(),
                if set.selected.is_empty() {
                    String::new()
                } else {
                    format!(
                        ": {}",
                        set.selected.iter().cloned().collect::<Vec<_>>().join(", ")
                    )
                }
            ),
        }
        selected = selected.intersection(&set.selected).cloned().collect();
    }
    if !args.only.is_empty() {
        let mut only = BTreeSet::new();
        for id in &args.only {
            let id = id.trim();
            if cat.module(id).is_none() {
                return Err(usage(format!("--only: unknown module `{id}`")));
            }
            only.insert(id.to_string());
        }
        selected = selected.intersection(&only).cloned().collect();
    }
    if selected.len() < cat.modules.len() {
        note_outside(full, &selected, action);
    }
    Ok(selected)
}

/// Say which modules outside the selection it relies on: those it names directly (depends_on,
/// subscriptions) by name; the rest (phase gates, the chain behind them) as a count.
fn note_outside(full: &DeployGraph, selected: &BTreeSet<String>, action: Action) {
    let mut direct = BTreeSet::new();
    let mut all = BTreeSet::new();
    for e in full.edge_list() {
        let (inside, outside) = if action == Action::Destroy {
            (&e.from, &e.to)
        } else {
            (&e.to, &e.from)
        };
        if selected.contains(inside)
            && !selected.contains(outside)
            && e.why != crate::model::graph::Why::PhaseGate
        {
            direct.insert(outside.clone());
        }
    }
    for id in selected {
        let rel = if action == Action::Destroy {
            full.downstream([id.as_str()])
        } else {
            full.upstream(id)
        };
        all.extend(rel.into_iter().filter(|m| !selected.contains(m)));
    }
    if all.is_empty() {
        return;
    }
    let mut list: Vec<String> = direct.iter().cloned().collect();
    if list.is_empty() {
        list.push(format!("{} module(s) through phase gates", all.len()));
    }
    let more = if direct.is_empty() {
        0
    } else {
        all.len() - direct.len()
    };
    let rest = if more > 0 {
        format!(" (and {more} more through phase gates and their dependencies)")
    } else {
        String::new()
    };
    if action == Action::Destroy {
        eprintln!(
            "note: modules that deploy after the selection are not selected; they must already be destroyed: {}{rest}",
            list.join(", ")
        );
    } else {
        eprintln!(
            "note: the selection needs modules that are not selected; they must already be deployed: {}{rest}",
            list.join(", ")
        );
    }
}

/// Ask on the terminal to type the environment's name. `Err(refusal)` when stdin is not a
/// terminal: nobody can be asked, and `refusal` says how to go on.
pub(super) fn confirm(question: &str, env: &str, refusal: &str) -> Result<bool, String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(refusal.to_string());
    }
    eprint!("{question} Type the environment name to confirm: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the confirmation: {e}"))?;
    Ok(line.trim() == env)
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

pub(super) fn prepare_plans_dir(d: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(d)?;
    for entry in std::fs::read_dir(d)? {
        let p = entry?.path();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.ends_with(".tfplan") || name == deploy::MANIFEST {
            std::fs::remove_file(&p)?;
        }
    }
    Ok(())
}

pub(super) fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}
