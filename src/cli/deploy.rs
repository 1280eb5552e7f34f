//! `bankgen plan`, `bankgen apply`, `bankgen destroy`, and the pipeline they share with
//! `bankgen rollback` and `bankgen promote`: a [`Console`] opens the [`Session`] (the
//! environment's lock and the signal handler) and prints what each [`Pass`] did.

use super::{EXIT_USAGE, load_or_report, print_problems};
use crate::catalog::CatalogSource;
use crate::deploy::record::{self, ApplyRecord, RunRecord};
use crate::deploy::report::RunReport;
use crate::deploy::revision::{self, Revision};
use crate::deploy::session::{Options, Refusal, Session};
use crate::deploy::ui::Ui;
use crate::deploy::{self, PlansManifest, StatefulMap, changes, guard};
use crate::model::graph::DeployGraph;
use crate::model::{Catalog, Profile};
use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

pub use crate::deploy::Action;
pub(super) use crate::deploy::session::{Pass, absolute, prepare_plans_dir};

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
    pub guard: GuardFlags,

    #[command(flatten)]
    pub run: RunFlags,
}

/// The plan guard's allowances on the command line.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct GuardFlags {
    /// plan, apply: let the plan delete or replace this resource that holds data (its data is
    /// lost): a Terraform address (every instance of it and, for `module.x`, all inside), or
    /// MOD-ID/ADDRESS for one module's; repeatable; needs --reason
    #[arg(long, value_name = "[MOD-ID/]ADDRESS", requires = "reason")]
    pub allow_replace: Vec<String>,

    /// Why the --allow-replace replacements are allowed (recorded in the report with the user)
    #[arg(long, value_name = "TEXT", requires = "allow_replace")]
    pub reason: Option<String>,
}

impl GuardFlags {
    /// The allowances, checked against the catalogue's modules.
    pub(super) fn allowances(&self, cat: &Catalog) -> Result<Vec<guard::Allowance>, u8> {
        let reason = self.reason.as_deref().unwrap_or("");
        self.allow_replace
            .iter()
            .map(|a| guard::Allowance::parse(a, reason, |m| cat.module(m).is_some()))
            .collect::<Result<_, _>>()
            .map_err(usage)
    }

    fn is_empty(&self) -> bool {
        self.allow_replace.is_empty() && self.reason.is_none()
    }
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

    /// Seconds to wait for a tofu that a killed bankgen run left running on a module's state,
    /// before refusing that module
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 120,
        env = "BANKGEN_WAIT_KILLED"
    )]
    pub wait_killed: u64,
}

impl RunFlags {
    pub(super) fn options(&self, short: bool) -> Options {
        Options {
            out: self.out.clone(),
            jobs: self.jobs,
            tofu: self.tofu.clone(),
            fail_fast: self.fail_fast,
            skip_checks: self.skip_checks,
            json: self.json,
            logs: self.logs.clone(),
            templates: self.templates.clone(),
            policies: self.policies.clone(),
            profile: self.profile.as_deref().and_then(Profile::parse),
            durations: self.durations.clone(),
            short,
            wait_killed: std::time::Duration::from_secs(self.wait_killed),
            allow_replace: Vec::new(),
        }
    }
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
    if action == Action::Destroy && !args.guard.is_empty() {
        return usage(
            "--allow-replace and --reason are for plan and apply; destroy asks for the environment's name instead",
        );
    }
    let allow = match args.guard.allowances(&cat) {
        Ok(a) => a,
        Err(code) => return code,
    };
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

    let session = match Console::open(&args.run, allow, &args.env, short) {
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

/// The command line's side of a [`Session`]: what a [`Refusal`] means, the lint gate's
/// warnings, the final table.
pub(super) struct Console {
    session: Session,
    json: bool,
    short: bool,
}

impl Console {
    /// After any confirmation: from here on SIGINT and SIGTERM are ours. `allow`: the plan
    /// guard's allowances from the command line.
    pub fn open(
        flags: &RunFlags,
        allow: Vec<guard::Allowance>,
        env: &str,
        short: bool,
    ) -> Result<Console, u8> {
        let mut opts = flags.options(short);
        opts.allow_replace = allow;
        let mut session = Session::open(opts, env).map_err(|r| refused(r, short))?;
        if let Some(killed) = session.killed() {
            eprintln!("{}", killed_run(killed));
        }
        session.settle(&mut |line| eprintln!("{line}"));
        Ok(Console {
            session,
            json: flags.json,
            short,
        })
    }

    /// `OUT/<env>`.
    pub fn env_dir(&self) -> PathBuf {
        self.session.env_dir()
    }

    /// Render `cat` into `OUT/<env>` and run the lint gate on it; the resources that hold data.
    /// `Err`: the exit code.
    pub fn prepare(&self, cat: &Catalog) -> Result<StatefulMap, u8> {
        let (gate, stateful) = self
            .session
            .prepare(cat)
            .map_err(|r| refused(r, self.short))?;
        if gate.warnings > 0 {
            eprint!("{}", gate.text);
        }
        Ok(stateful)
    }

    /// Prepare and run, printing nothing at the end. `Err`: nothing ran.
    pub fn execute(&self, pass: &Pass, ui: &mut Ui) -> Result<RunReport, u8> {
        let stateful = self.prepare(pass.cat)?;
        self.session
            .execute(pass, stateful, ui)
            .map_err(|r| refused(r, self.short))
    }

    /// Prepare, run, then print the table. `Err`: nothing ran.
    pub fn run(&self, pass: &Pass) -> Result<RunReport, u8> {
        let mut ui = Ui::new(self.json);
        let report = self.execute(pass, &mut ui)?;
        let table = report.table();
        if self.json {
            eprint!("{table}");
            ui.event(
                "summary",
                serde_json::json!({"summary": report.summary, "exit_code": report.exit_code,
                                   "interrupted": report.interrupted, "duration_s": report.duration_s}),
            );
        } else {
            out!("{table}");
        }
        Ok(report)
    }

    /// Write the environment's apply record; the exit code it adds (1 when it cannot be written).
    pub fn write_record(&self, record: &ApplyRecord) -> u8 {
        match self.session.write_record(record) {
            Ok(_) => 0,
            Err(e) => {
                eprintln!("error: cannot write the apply record: {e}");
                1
            }
        }
    }
}

/// What a killed run left: the modules it was running (and the step), how many it never
/// started.
fn killed_run(r: &RunRecord) -> String {
    let running: Vec<String> = r
        .modules
        .iter()
        .filter(|m| m.status == record::RUNNING)
        .map(|m| match (&m.step, m.tofu_pid) {
            (Some(step), Some(pid)) => format!("{} (at {step}, tofu pid {pid})", m.id),
            (Some(step), None) => format!("{} (at {step})", m.id),
            _ => m.id.clone(),
        })
        .collect();
    let waiting = r
        .modules
        .iter()
        .filter(|m| m.status == record::WAITING)
        .count();
    let gone = if deploy::process::alive(r.pid, None) {
        String::new()
    } else {
        format!(", pid {} is gone", r.pid)
    };
    let mut text = format!(
        "warning: the last {} of `{}` (bankgen pid {}, started {}) was killed: it never finished{gone}",
        r.action, r.env, r.pid, r.started
    );
    if running.is_empty() {
        text.push_str("; no module was running");
    } else {
        text.push_str(&format!("; it left unfinished: {}", running.join(", ")));
    }
    if waiting > 0 {
        text.push_str(&format!("; {waiting} module(s) it never started"));
    }
    text
}

/// Say why nothing ran; the exit code.
fn refused(r: Refusal, short: bool) -> u8 {
    match r {
        Refusal::Usage(msg) => usage(msg),
        Refusal::Render(problems) => {
            print_problems(&problems, short);
            eprintln!("render failed: nothing was planned");
            EXIT_USAGE
        }
        Refusal::Lint(gate, env_dir) => {
            eprint!("{}", gate.text);
            eprintln!(
                "lint found {} error(s) in {}: nothing was planned",
                gate.errors,
                env_dir.display()
            );
            super::EXIT_FINDINGS
        }
        Refusal::Interrupted => {
            eprintln!("interrupted before any module started");
            deploy::EXIT_INTERRUPTED
        }
    }
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
