//! `bankgen plan`, `bankgen apply`, `bankgen destroy`.

use super::{EXIT_USAGE, load_or_report, print_problems};
use crate::catalog::CatalogSource;
use crate::deploy::report::RunReport;
use crate::deploy::runner::Runner;
use crate::deploy::ui::Ui;
use crate::deploy::{self, PlansManifest, RunConfig, SavedPlan, changes, checks, tofu};
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

    /// Modules running at once (default: the number of CPUs)
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Only these modules (space or comma separated); modules they need must already be deployed
    #[arg(long, value_name = "MOD", num_args = 1.., value_delimiter = ',')]
    pub only: Vec<String>,

    /// Only modules whose catalogue entry, templates or policies changed since this git revision,
    /// and everything downstream of them
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,

    /// The Terraform CLI: OpenTofu or Terraform [default: tofu on PATH]
    #[arg(long, value_name = "BIN")]
    pub tofu: Option<String>,

    /// Write a JSON report: per-module status, duration, adds/changes/destroys, log; a summary
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Stop starting modules after the first failure (running ones finish)
    #[arg(long)]
    pub fail_fast: bool,

    /// Destroy without asking
    #[arg(long)]
    pub auto_approve: bool,

    /// apply: do not run the phase completion checks (emergencies only; the report says so)
    #[arg(long)]
    pub skip_checks: bool,

    /// Stream events as JSON, one object per line, on stdout
    #[arg(long)]
    pub json: bool,

    /// plan: keep each plan with changes in DIR (with plans.json); apply: apply exactly the
    /// saved plans in DIR
    #[arg(long, value_name = "DIR")]
    pub plans: Option<PathBuf>,

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
}

fn usage(msg: impl std::fmt::Display) -> u8 {
    eprintln!("error: {msg}");
    EXIT_USAGE
}

pub fn run(source: &CatalogSource, short: bool, action: Action, args: Args) -> u8 {
    let cat = match load_or_report(source, short) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if cat.environment(&args.env).is_none() {
        let known: Vec<&str> = cat
            .platform
            .environments
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        return usage(format!(
            "unknown environment `{}` (platform.yaml has: {})",
            args.env,
            known.join(", ")
        ));
    }
    if action == Action::Destroy && args.plans.is_some() {
        return usage("--plans is for plan and apply; destroy plans and applies by itself");
    }
    if args.jobs == Some(0) {
        return usage("-j needs at least 1");
    }
    let tofu_bin = match tofu::resolve(args.tofu.as_deref()) {
        Ok(b) => b,
        Err(e) => return usage(e),
    };
    let full = DeployGraph::build(&cat);
    let selected = match select(source, &cat, &full, action, &args) {
        Ok(s) => s,
        Err(code) => return code,
    };

    if action == Action::Destroy && !args.auto_approve && !selected.is_empty() {
        match confirm_destroy(&args.env, selected.len()) {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("destroy cancelled");
                return EXIT_USAGE;
            }
            Err(e) => return usage(e),
        }
    }

    let env_dir = args.out.join(&args.env);
    let _lock = match lock_env(&args.out, &args.env) {
        Ok(l) => l,
        Err(e) => return usage(e),
    };
    // From here on, SIGINT and SIGTERM are ours: nothing new starts after one.
    let runner = match Runner::new() {
        Ok(r) => r,
        Err(e) => return usage(format!("cannot install the signal handler: {e}")),
    };

    let opts = crate::render::Options {
        templates: args.templates.clone(),
        profile: args.profile.as_deref().and_then(Profile::parse),
    };
    match deploy::render(&cat, &args.env, &args.out, &opts) {
        Ok(_) => {}
        Err(problems) => {
            print_problems(&problems, short);
            eprintln!("render failed: nothing was planned");
            return EXIT_USAGE;
        }
    }
    match deploy::lint_gate(&cat, &env_dir, args.policies.as_deref(), short) {
        Ok(gate) if gate.errors > 0 => {
            eprint!("{}", gate.text);
            eprintln!(
                "lint found {} error(s) in {}: nothing was planned",
                gate.errors,
                env_dir.display()
            );
            return super::EXIT_FINDINGS;
        }
        Ok(gate) if gate.warnings > 0 => eprint!("{}", gate.text),
        Ok(_) => {}
        Err(e) => return usage(format!("lint: {e}")),
    }
    if runner.interrupted() {
        eprintln!("interrupted before any module started");
        return deploy::EXIT_INTERRUPTED;
    }

    let logs = args
        .logs
        .clone()
        .unwrap_or_else(|| env_dir.join(".bankgen").join("logs"));
    if let Err(e) = std::fs::create_dir_all(&logs) {
        return usage(format!(
            "cannot create the log folder {}: {e}",
            logs.display()
        ));
    }
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
    let serial_init = tofu::plugin_cache_in_use();
    if let Some(why) = &serial_init {
        eprintln!(
            "note: a Terraform plugin cache is configured ({why}); running `init` one module at a time"
        );
    }
    let cfg = Arc::new(RunConfig {
        action,
        env: args.env.clone(),
        env_dir: absolute(&env_dir),
        logs: absolute(&logs),
        tofu: tofu_bin,
        jobs: args.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        }),
        fail_fast: args.fail_fast,
        json: args.json,
        saved_plans,
        keep_plans,
        serial_init,
    });

    let mut graph = full.restrict(&selected);
    if action == Action::Destroy {
        graph = graph.reversed();
    }
    let checks = if action == Action::Apply {
        let env = cat.environment(&args.env).expect("checked above");
        let context = checks::Context {
            region: cat.platform.region.clone(),
            account_id: env.account_id.clone(),
            endpoint: env.emulator.clone(),
            catalog_dir: match source {
                CatalogSource::Dir(d) => Some(absolute(d)),
                _ => None,
            },
        };
        checks::add(&mut graph, &cat, args.skip_checks, context)
    } else {
        checks::Checks::default()
    };
    if !checks.skipped.is_empty() {
        eprintln!(
            "WARNING: --skip-checks: the completion checks of phase(s) {:?} will not run",
            checks.skipped
        );
    }
    let mut ui = Ui::new(args.json);
    let report = runner.run(&graph, &cfg, &Arc::new(checks), &mut ui);
    ui.finish();
    finish(&cfg, &args, &report, &ui)
}

fn finish(cfg: &RunConfig, args: &Args, report: &RunReport, ui: &Ui) -> u8 {
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
    if let Some(path) = &args.report
        && let Err(e) = report.write(path)
    {
        eprintln!("error: cannot write the report {}: {e}", path.display());
        code = code.max(1);
    }
    let table = report.table();
    if args.json {
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
        let mut inputs = changes::Inputs::conventional(dir, args.templates.as_deref());
        inputs.platform_dirs.extend(args.policies.clone());
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

fn confirm_destroy(env: &str, n: usize) -> Result<bool, String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(format!(
            "destroy asks for confirmation and stdin is not a terminal: pass --auto-approve to destroy {n} module(s) of `{env}`"
        ));
    }
    eprint!("Destroy {n} module(s) of environment `{env}`? Type the environment name to confirm: ");
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

fn prepare_plans_dir(d: &Path) -> std::io::Result<()> {
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

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}
