//! Running the modules: one worker thread per running module drives its `tofu` steps; the main
//! thread owns the scheduler and every line of output, so nothing interleaves.

use super::checks::{CheckResult, Checks};
use super::process::{Children, Spawned};
use super::report::{CheckReport, ModuleReport, RunReport};
use super::sched::{Scheduler, State};
use super::tofu::Changes;
use super::ui::Ui;
use super::{Action, RunConfig};
use crate::model::graph::DeployGraph;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub enum Msg {
    Step {
        module: String,
        step: &'static str,
    },
    Done {
        module: String,
        outcome: Outcome,
    },
    Signal {
        sig: i32,
        count: u32,
        signalled: Vec<String>,
    },
}

/// How a module's worker ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub state: State,
    pub changes: Option<Changes>,
    /// The step that failed or was interrupted, and why.
    pub cause: Option<String>,
    pub plan: Option<PathBuf>,
    /// A phase check's attempts and output.
    pub check: Option<CheckResult>,
    /// The SSM parameters in the module's state after it succeeded (only for the modules whose
    /// outputs a phase check gets): name → value.
    pub ssm_outputs: BTreeMap<String, String>,
    /// When the module started, from the start of the run.
    pub started: Duration,
    pub duration: Duration,
}

/// The process-wide parts of a run: the child registry and the message channel. Created (and
/// the signal handler installed) before rendering, so an interrupt at any time is honoured.
pub struct Runner {
    pub children: Arc<Children>,
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
}

impl Runner {
    pub fn new() -> std::io::Result<Runner> {
        let (tx, rx) = channel();
        let children = Arc::new(Children::default());
        let (c, t) = (children.clone(), Mutex::new(tx.clone()));
        super::process::install(move |sig| {
            let (count, signalled) = c.interrupt();
            let tx = t.lock().unwrap_or_else(|e| e.into_inner());
            let _ = tx.send(Msg::Signal {
                sig,
                count,
                signalled,
            });
        })?;
        Ok(Runner { children, tx, rx })
    }

    pub fn interrupted(&self) -> bool {
        self.children.interrupts() > 0
    }

    /// Run every module of `graph` (restricted to the run, reversed for destroy), and the phase
    /// checks among its nodes ([`super::checks::add`]).
    pub fn run(
        &self,
        graph: &DeployGraph,
        cfg: &Arc<RunConfig>,
        checks: &Arc<Checks>,
        ui: &mut Ui,
    ) -> RunReport {
        let started = Instant::now();
        let mut sched = Scheduler::with_weights(graph, &cfg.weights);
        let init_lock = Arc::new(Mutex::new(()));
        let mut results: BTreeMap<String, Outcome> = Default::default();
        let mut running = 0usize;
        let total = sched.states().len();
        ui.begin(cfg, total);
        // Signals that arrived before the run (during render and lint) still count.
        if self.interrupted() {
            sched.stop("interrupted before it started");
        }
        loop {
            while running < cfg.jobs.max(1) {
                let Some(m) = sched.start_next() else { break };
                running += 1;
                ui.started(&m);
                if let Some(spec) = checks.get(&m) {
                    let outputs = spec
                        .modules
                        .iter()
                        .filter_map(|x| results.get(x))
                        .flat_map(|o| o.ssm_outputs.clone())
                        .collect();
                    self.spawn_check(m, cfg.clone(), checks.clone(), outputs, started);
                } else {
                    let reads_outputs = checks.reads_outputs(&m);
                    self.spawn_worker(m, cfg.clone(), init_lock.clone(), reads_outputs, started);
                }
            }
            ui.progress(&sched);
            if running == 0 && sched.done() {
                break;
            }
            let Ok(msg) = self.rx.recv() else { break };
            match msg {
                Msg::Step { module, step } => ui.step(&module, step),
                Msg::Signal {
                    sig,
                    count,
                    signalled,
                } => {
                    sched.stop("interrupted before it started");
                    ui.signal(sig, count, &signalled);
                }
                Msg::Done { module, outcome } => {
                    running -= 1;
                    let failed = matches!(outcome.state, State::Failed);
                    let skipped = sched.finish(&module, outcome.state.clone());
                    ui.finished(&module, &outcome, &cfg.log_path(&module));
                    for (m, cause) in &skipped {
                        ui.skipped(m, cause);
                    }
                    results.insert(module.clone(), outcome);
                    if failed && cfg.fail_fast {
                        sched.stop(&format!("not started: --fail-fast after {module} failed"));
                    }
                }
            }
        }
        for (m, cause) in sched.close() {
            ui.not_started(&m, &cause);
        }
        let check_reports = sched
            .states()
            .iter()
            .filter_map(|(id, state)| {
                let spec = checks.get(id)?;
                Some(CheckReport::new(
                    spec,
                    state,
                    results.get(id),
                    cfg.log_path(id),
                ))
            })
            .collect();
        let modules = sched
            .states()
            .iter()
            .filter(|(id, _)| checks.get(id).is_none())
            .map(|(id, state)| {
                let o = results.get(id);
                ModuleReport::new(
                    id,
                    state,
                    o,
                    cfg.log_path(id),
                    o.and_then(|o| o.plan.clone()),
                )
            })
            .collect();
        RunReport::new(
            cfg,
            modules,
            check_reports,
            checks.skipped.clone(),
            self.interrupted(),
            started.elapsed(),
            graph.topo_order().unwrap_or_default(),
        )
    }

    fn spawn_check(
        &self,
        id: String,
        cfg: Arc<RunConfig>,
        checks: Arc<Checks>,
        outputs: BTreeMap<String, String>,
        run_start: Instant,
    ) {
        let tx = self.tx.clone();
        let children = self.children.clone();
        std::thread::Builder::new()
            .name(format!("bankgen-{id}"))
            .spawn(move || {
                let started = Instant::now();
                let _ = tx.send(Msg::Step {
                    module: id.clone(),
                    step: "check",
                });
                let spec = checks.get(&id).expect("a check node has its spec");
                let (state, cause, result) =
                    super::checks::run(spec, &checks, &outputs, &cfg, &children);
                let outcome = Outcome {
                    state,
                    changes: None,
                    cause,
                    plan: None,
                    check: Some(result),
                    ssm_outputs: BTreeMap::new(),
                    started: started.duration_since(run_start),
                    duration: started.elapsed(),
                };
                let _ = tx.send(Msg::Done {
                    module: id,
                    outcome,
                });
            })
            .expect("spawn a check thread");
    }

    fn spawn_worker(
        &self,
        module: String,
        cfg: Arc<RunConfig>,
        init_lock: Arc<Mutex<()>>,
        reads_outputs: bool,
        run_start: Instant,
    ) {
        let tx = self.tx.clone();
        let children = self.children.clone();
        std::thread::Builder::new()
            .name(format!("bankgen-{module}"))
            .spawn(move || {
                let started = Instant::now();
                let mut outcome = Worker {
                    module: &module,
                    cfg: &cfg,
                    children: &children,
                    tx: &tx,
                    init_lock: &init_lock,
                    reads_outputs,
                }
                .run();
                outcome.duration = started.elapsed();
                outcome.started = started.duration_since(run_start);
                let _ = tx.send(Msg::Done { module, outcome });
            })
            .expect("spawn a worker thread");
    }
}

struct Worker<'a> {
    module: &'a str,
    cfg: &'a RunConfig,
    children: &'a Children,
    tx: &'a Sender<Msg>,
    init_lock: &'a Mutex<()>,
    /// Read the SSM parameters of the state at the end (a phase check gets them).
    reads_outputs: bool,
}

enum Step {
    Exit(i32),
    /// Not started: an interrupt came first.
    NotStarted,
    Error(String),
}

impl Worker<'_> {
    fn dir(&self) -> PathBuf {
        self.cfg.env_dir.join(self.module)
    }

    fn outcome(state: State, cause: Option<String>, changes: Option<Changes>) -> Outcome {
        Outcome {
            state,
            changes,
            cause,
            plan: None,
            check: None,
            ssm_outputs: BTreeMap::new(),
            started: Duration::ZERO,
            duration: Duration::ZERO,
        }
    }

    fn run(&self) -> Outcome {
        let log_path = self.cfg.log_path(self.module);
        let mut log = match File::create(&log_path) {
            Ok(f) => f,
            Err(e) => {
                return Self::outcome(
                    State::Failed,
                    Some(format!("cannot write the log {}: {e}", log_path.display())),
                    None,
                );
            }
        };
        if !self.dir().is_dir() {
            let msg = format!(
                "no rendered module at {} (render did not produce it)",
                self.dir().display()
            );
            let _ = writeln!(log, "bankgen: {msg}");
            return Self::outcome(State::Failed, Some(msg), None);
        }
        let _ = writeln!(
            log,
            "bankgen {} {} {} in {}",
            env!("CARGO_PKG_VERSION"),
            self.cfg.action.name(),
            self.module,
            self.dir().display()
        );
        match self.steps(&mut log) {
            Ok(mut o) => {
                if self.reads_outputs {
                    o.ssm_outputs = self.state_outputs(&mut log);
                }
                o
            }
            Err(o) => o,
        }
    }

    /// The SSM parameters in the module's state (`show -json`), for its phase's check. A state
    /// that cannot be read gives none: the check then sees them missing and says which.
    fn state_outputs(&self, log: &mut File) -> BTreeMap<String, String> {
        let path = self.cfg.logs.join(format!("{}.state.json", self.module));
        match self.exec(log, "outputs", &["show", "-json"], Some(&path)) {
            Step::Exit(0) => {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let found = super::checks::parameters_in_state(&text);
                let _ = writeln!(
                    log,
                    "bankgen: {} SSM parameter(s) in the state",
                    found.len()
                );
                found
            }
            _ => BTreeMap::new(),
        }
    }

    /// The steps; `Err` ends the module early (failed or interrupted).
    fn steps(&self, log: &mut File) -> Result<Outcome, Outcome> {
        let apply_saved = self
            .cfg
            .saved_plans
            .as_ref()
            .map(|d| plan_file(d, self.module));
        // init
        {
            let _guard = self
                .cfg
                .serial_init
                .as_ref()
                .map(|_| self.init_lock.lock().unwrap_or_else(|e| e.into_inner()));
            self.check(
                "init",
                self.exec(log, "init", &["init", "-input=false", "-no-color"], None),
                &[0],
            )?;
        }
        // destroy: a module without managed resources in its state has nothing to destroy (and
        // its destroy plan could fail reading contracts of modules that were never deployed).
        if self.cfg.action == Action::Destroy && apply_saved.is_none() {
            let state_path = self.cfg.logs.join(format!("{}.state.json", self.module));
            self.check(
                "state",
                self.exec(log, "state", &["show", "-json"], Some(&state_path)),
                &[0],
            )?;
            let text = std::fs::read_to_string(&state_path).unwrap_or_default();
            if managed_resources(&text) == Some(0) {
                let _ = writeln!(
                    log,
                    "bankgen: the state holds no resources: nothing to destroy"
                );
                return Ok(Self::outcome(
                    State::Succeeded,
                    None,
                    Some(Changes::default()),
                ));
            }
        }
        let plan_path: PathBuf;
        let mut changes;
        if let Some(saved) = &apply_saved {
            plan_path = saved.clone();
            changes = self.show(log, &plan_path)?;
        } else {
            let mut args = vec!["plan", "-input=false", "-no-color", "-detailed-exitcode"];
            if self.cfg.action == Action::Destroy {
                args.push("-destroy");
            }
            args.push("-out=tfplan");
            let code = self.check("plan", self.exec(log, "plan", &args, None), &[0, 2])?;
            plan_path = self.dir().join("tfplan");
            changes = Changes::default();
            if code == 2 {
                // No resource changes but exit 2: only outputs change; apply records them.
                changes = self.show(log, &plan_path)?;
            }
            if code == 0 {
                let _ = writeln!(log, "bankgen: no changes");
                return Ok(Self::outcome(State::Succeeded, None, Some(changes)));
            }
            if self.cfg.action == Action::Plan {
                let mut o = Self::outcome(State::Succeeded, None, Some(changes));
                if let Some(dir) = &self.cfg.keep_plans {
                    let dest = plan_file(dir, self.module);
                    if let Err(e) = std::fs::copy(&plan_path, &dest) {
                        return Err(Self::outcome(
                            State::Failed,
                            Some(format!("cannot save the plan to {}: {e}", dest.display())),
                            Some(changes),
                        ));
                    }
                    o.plan = Some(dest);
                } else {
                    o.plan = Some(plan_path);
                }
                return Ok(o);
            }
        }
        let plan_arg = plan_path.to_string_lossy().into_owned();
        let step = if self.cfg.action == Action::Destroy {
            "destroy"
        } else {
            "apply"
        };
        match self.exec(
            log,
            step,
            &["apply", "-input=false", "-no-color", &plan_arg],
            None,
        ) {
            Step::Exit(0) => {}
            other => {
                let mut o = self.failure(step, other);
                o.changes = Some(changes);
                return Err(o);
            }
        }
        let mut o = Self::outcome(State::Succeeded, None, Some(changes));
        o.plan = Some(plan_path);
        Ok(o)
    }

    /// `show -json PLAN` → what the plan changes.
    fn show(&self, log: &mut File, plan: &Path) -> Result<Changes, Outcome> {
        let json_path = self.cfg.logs.join(format!("{}.plan.json", self.module));
        let arg = plan.to_string_lossy().into_owned();
        self.check(
            "show",
            self.exec(log, "show", &["show", "-json", &arg], Some(&json_path)),
            &[0],
        )?;
        let text = std::fs::read_to_string(&json_path).unwrap_or_default();
        Changes::from_plan_json(&text).map_err(|e| {
            let _ = writeln!(log, "bankgen: {e}");
            Self::outcome(State::Failed, Some(format!("show: {e}")), None)
        })
    }

    /// Ok(exit code) when it is one of `ok`, else the module's outcome.
    fn check(&self, step: &str, r: Step, ok: &[i32]) -> Result<i32, Outcome> {
        match r {
            Step::Exit(c) if ok.contains(&c) => Ok(c),
            other => Err(self.failure(step, other)),
        }
    }

    fn failure(&self, step: &str, r: Step) -> Outcome {
        let interrupted = self.children.interrupts() > 0;
        match r {
            Step::NotStarted => Self::outcome(
                State::Interrupted,
                Some(format!("interrupted before {step}")),
                None,
            ),
            Step::Exit(c) if interrupted => Self::outcome(
                State::Interrupted,
                Some(format!("{step} interrupted (exit {c})")),
                None,
            ),
            Step::Exit(c) => Self::outcome(
                State::Failed,
                Some(format!("{step} failed (exit {c})")),
                None,
            ),
            Step::Error(e) => Self::outcome(State::Failed, Some(format!("{step}: {e}")), None),
        }
    }

    /// Run one `tofu` command in the module's folder, its output appended to the log (stdout
    /// to `stdout_to` when given).
    fn exec(
        &self,
        log: &mut File,
        step: &'static str,
        args: &[&str],
        stdout_to: Option<&Path>,
    ) -> Step {
        let _ = self.tx.send(Msg::Step {
            module: self.module.to_string(),
            step,
        });
        let _ = writeln!(log, "\n$ {} {}", self.cfg.tofu_name(), args.join(" "));
        let t0 = Instant::now();
        let (out, err) = match (log.try_clone(), log.try_clone()) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => return Step::Error(format!("cannot write the log: {e}")),
        };
        let stdout: Stdio = match stdout_to {
            Some(p) => match File::create(p) {
                Ok(f) => f.into(),
                Err(e) => return Step::Error(format!("cannot write {}: {e}", p.display())),
            },
            None => out.into(),
        };
        let mut cmd = Command::new(&self.cfg.tofu);
        cmd.args(args)
            .current_dir(self.dir())
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(err)
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1");
        let r = match self.children.spawn(self.module, &mut cmd) {
            Ok(Spawned::Interrupted) => {
                let _ = writeln!(log, "bankgen: not started: interrupted");
                return Step::NotStarted;
            }
            Ok(Spawned::Child(mut child)) => match self.children.wait(&mut child) {
                Ok(status) => {
                    use std::os::unix::process::ExitStatusExt;
                    let code = status
                        .code()
                        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
                    Step::Exit(code)
                }
                Err(e) => Step::Error(format!("waiting for {}: {e}", self.cfg.tofu_name())),
            },
            Err(e) => Step::Error(format!("cannot run {}: {e}", self.cfg.tofu.display())),
        };
        let what = match &r {
            Step::Exit(c) => format!("exit {c}"),
            Step::NotStarted => "not started".into(),
            Step::Error(e) => e.clone(),
        };
        let _ = writeln!(
            log,
            "bankgen: {step}: {what} after {:.1} s",
            t0.elapsed().as_secs_f64()
        );
        r
    }
}

/// Managed resources in `show -json` of a state (`None`: not such a document).
pub fn managed_resources(text: &str) -> Option<usize> {
    fn count(m: &serde_json::Value) -> usize {
        let own = m["resources"]
            .as_array()
            .map(|r| r.iter().filter(|x| x["mode"] == "managed").count())
            .unwrap_or(0);
        own + m["child_modules"]
            .as_array()
            .map(|c| c.iter().map(count).sum())
            .unwrap_or(0)
    }
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    v.get("format_version")?;
    Some(count(&v["values"]["root_module"]))
}

/// Where a saved plan of `module` lives in a plans folder.
pub fn plan_file(dir: &Path, module: &str) -> PathBuf {
    dir.join(format!("{module}.tfplan"))
}

/// The last `n` lines of a file.
pub fn tail(path: &Path, n: usize) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::managed_resources;

    #[test]
    fn counts_managed_resources_of_a_state() {
        assert_eq!(managed_resources(r#"{"format_version":"1.0"}"#), Some(0));
        let state = r#"{"format_version":"1.0","values":{"root_module":{
            "resources":[{"mode":"managed"},{"mode":"data"}],
            "child_modules":[{"resources":[{"mode":"managed"}]}]}}}"#;
        assert_eq!(managed_resources(state), Some(2));
        assert_eq!(managed_resources("not json"), None);
    }
}
