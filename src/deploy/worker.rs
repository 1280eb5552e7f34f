//! One module's `tofu` steps, run by the worker thread the runner starts for it: `init`,
//! `plan` (or the saved plan), `show -json`, `apply`; each command's output goes to the module's
//! log. What `show -json` says is read by [`super::tofu`].

use super::guard::Verdict;
use super::outcome::Outcome;
use super::process::{Children, Spawned};
use super::sched::State;
use super::tofu::{Changes, managed_resources, plan_file};
use super::{Action, RunConfig};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Instant;

/// What a worker tells the runner while it runs.
pub enum Progress {
    /// A step starts.
    Step(&'static str),
    /// The step's `tofu` runs as this pid.
    Child(u32),
}

pub struct Worker<'a> {
    pub module: &'a str,
    pub cfg: &'a RunConfig,
    pub children: &'a Children,
    /// Told each step as it starts, and each `tofu` it spawns (the runner shows and records
    /// them).
    pub on_progress: &'a dyn Fn(Progress),
    /// Held around `init` when inits run one at a time ([`RunConfig::serial_init`]).
    pub init_lock: &'a Mutex<()>,
    /// Read the SSM parameters of the state at the end (a phase check gets them).
    pub reads_outputs: bool,
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

    /// Every step of the module; the runner times the outcome.
    pub fn run(&self) -> Outcome {
        let log_path = self.cfg.log_path(self.module);
        let mut log = match File::create(&log_path) {
            Ok(f) => f,
            Err(e) => {
                return Outcome::new(
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
            return Outcome::new(State::Failed, Some(msg), None);
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
                return Ok(Outcome::new(
                    State::Succeeded,
                    None,
                    Some(Changes::default()),
                ));
            }
        }
        if self.cfg.action == Action::Drift {
            return self.drift(log);
        }
        let plan_path = match &apply_saved {
            Some(saved) => saved.clone(),
            None => {
                if self.plan(log, &[])? == 0 {
                    let _ = writeln!(log, "bankgen: no changes");
                    return Ok(Outcome::new(
                        State::Succeeded,
                        None,
                        Some(Changes::default()),
                    ));
                }
                // Exit 2: changes (maybe only to outputs; apply records them).
                self.dir().join("tfplan")
            }
        };
        let (mut changes, plan) = self.show(log, &plan_path)?;
        let mut verdict = self.guard(log, &plan, changes)?;
        // An allowed change that AWS refuses in place: plan it as the replacement it needs.
        if let Some(first) = verdict.as_ref().filter(|v| !v.replan.is_empty()).cloned() {
            if apply_saved.is_some() {
                let mut v = first.clone();
                v.blocked = std::mem::take(&mut v.replan);
                let cause = format!(
                    "{}; the saved plan updates it in place, which AWS refuses: plan again with the allowance",
                    v.cause()
                );
                let _ = writeln!(log, "bankgen: {cause}");
                let mut o = Outcome::new(State::Failed, Some(cause), Some(changes));
                o.guard = Some(v);
                return Err(o);
            }
            let replace: Vec<String> = first
                .replan
                .iter()
                .map(|f| format!("-replace={}", f.address))
                .collect();
            let _ = writeln!(
                log,
                "bankgen: plan guard: AWS refuses the update of {} in place; planning again with {}",
                first
                    .replan
                    .iter()
                    .map(|f| f.address.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                replace.join(" ")
            );
            let extra: Vec<&str> = replace.iter().map(String::as_str).collect();
            self.plan(log, &extra)?;
            let (c, plan) = self.show(log, &plan_path)?;
            changes = c;
            let mut v = self.guard(log, &plan, changes)?.unwrap_or_default();
            for f in v.allowed.iter_mut() {
                if let Some(was) = first.replan.iter().find(|r| r.address == f.address) {
                    f.replace_paths = was.replace_paths.clone();
                    f.action_reason = was.action_reason.clone();
                }
            }
            if !v.replan.is_empty() {
                v.blocked = std::mem::take(&mut v.replan);
                let mut o = Outcome::new(State::Failed, Some(v.cause()), Some(changes));
                o.guard = Some(v);
                return Err(o);
            }
            verdict = Some(v);
        }
        if self.cfg.action == Action::Plan {
            let mut o = Outcome::new(State::Succeeded, None, Some(changes));
            o.guard = verdict;
            o.plan = Some(plan_path.clone());
            if let Some(dir) = &self.cfg.keep_plans {
                let dest = plan_file(dir, self.module);
                if let Err(e) = std::fs::copy(&plan_path, &dest) {
                    o.state = State::Failed;
                    o.cause = Some(format!("cannot save the plan to {}: {e}", dest.display()));
                    o.plan = None;
                    return Err(o);
                }
                o.plan = Some(dest);
            }
            return Ok(o);
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
                o.guard = verdict;
                return Err(o);
            }
        }
        let mut o = Outcome::new(State::Succeeded, None, Some(changes));
        o.plan = Some(plan_path);
        o.guard = verdict;
        Ok(o)
    }

    /// `plan … -out=tfplan` with `extra` arguments (`-replace=…`): its exit code, 0 (no
    /// changes) or 2.
    fn plan(&self, log: &mut File, extra: &[&str]) -> Result<i32, Outcome> {
        let mut args = vec!["plan", "-input=false", "-no-color", "-detailed-exitcode"];
        if self.cfg.action == Action::Destroy {
            args.push("-destroy");
        }
        args.extend_from_slice(extra);
        args.push("-out=tfplan");
        self.check("plan", self.exec(log, "plan", &args, None), &[0, 2])
    }

    /// The plan guard over the plan just shown: `Err` (the module stops before apply) when it
    /// deletes or replaces a resource that holds data without an allowance; else what it
    /// allowed, if anything.
    fn guard(
        &self,
        log: &mut File,
        plan: &serde_json::Value,
        changes: Changes,
    ) -> Result<Option<Verdict>, Outcome> {
        let Some(guard) = &self.cfg.guard else {
            return Ok(None);
        };
        let v = super::guard::check(self.module, plan, guard);
        for f in &v.allowed {
            if let Some(a) = &f.allowed {
                let _ = writeln!(
                    log,
                    "bankgen: plan guard: {} allowed by {}{}: {}",
                    f.short(),
                    a.by,
                    a.user
                        .as_ref()
                        .map(|u| format!(" ({u})"))
                        .unwrap_or_default(),
                    a.reason
                );
            }
        }
        if v.blocked.is_empty() {
            return Ok((!v.allowed.is_empty() || !v.replan.is_empty()).then_some(v));
        }
        let _ = write!(log, "\nbankgen: {}", v.explain(self.module));
        let mut o = Outcome::new(State::Failed, Some(v.cause()), Some(changes));
        o.guard = Some(v);
        Err(o)
    }

    /// drift: `plan -refresh-only` and what it found changed outside Terraform.
    fn drift(&self, log: &mut File) -> Result<Outcome, Outcome> {
        let args = [
            "plan",
            "-refresh-only",
            "-input=false",
            "-no-color",
            "-detailed-exitcode",
            "-out=drift.tfplan",
        ];
        let code = self.check("plan", self.exec(log, "plan", &args, None), &[0, 2])?;
        let mut o = Outcome::new(State::Succeeded, None, None);
        if code == 0 {
            let _ = writeln!(log, "bankgen: no drift");
            o.drift = Some(Vec::new());
            return Ok(o);
        }
        let json_path = self.cfg.logs.join(format!("{}.drift.json", self.module));
        let plan = self.dir().join("drift.tfplan");
        let arg = plan.to_string_lossy().into_owned();
        self.check(
            "show",
            self.exec(log, "show", &["show", "-json", &arg], Some(&json_path)),
            &[0],
        )?;
        let text = std::fs::read_to_string(&json_path).unwrap_or_default();
        let drifted = super::drift::from_plan_json(&text).map_err(|e| {
            let _ = writeln!(log, "bankgen: {e}");
            Outcome::new(State::Failed, Some(format!("show: {e}")), None)
        })?;
        let _ = writeln!(
            log,
            "bankgen: {} resource(s) changed outside Terraform",
            drifted.len()
        );
        o.drift = Some(drifted);
        Ok(o)
    }

    /// `show -json PLAN` → what the plan changes, and the plan.
    fn show(&self, log: &mut File, plan: &Path) -> Result<(Changes, serde_json::Value), Outcome> {
        let json_path = self.cfg.logs.join(format!("{}.plan.json", self.module));
        let arg = plan.to_string_lossy().into_owned();
        self.check(
            "show",
            self.exec(log, "show", &["show", "-json", &arg], Some(&json_path)),
            &[0],
        )?;
        let text = std::fs::read_to_string(&json_path).unwrap_or_default();
        let plan: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            let e = format!("`show -json` is not JSON: {e}");
            let _ = writeln!(log, "bankgen: {e}");
            Outcome::new(State::Failed, Some(format!("show: {e}")), None)
        })?;
        Ok((Changes::from_plan(&plan), plan))
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
            Step::NotStarted => Outcome::new(
                State::Interrupted,
                Some(format!("interrupted before {step}")),
                None,
            ),
            Step::Exit(c) if interrupted => Outcome::new(
                State::Interrupted,
                Some(format!("{step} interrupted (exit {c})")),
                None,
            ),
            Step::Exit(c) => Outcome::new(
                State::Failed,
                Some(format!("{step} failed (exit {c})")),
                None,
            ),
            Step::Error(e) => Outcome::new(State::Failed, Some(format!("{step}: {e}")), None),
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
        (self.on_progress)(Progress::Step(step));
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
            Ok(Spawned::Child(mut child)) => {
                (self.on_progress)(Progress::Child(child.id()));
                match self.children.wait(&mut child) {
                    Ok(status) => {
                        use std::os::unix::process::ExitStatusExt;
                        let code = status
                            .code()
                            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
                        Step::Exit(code)
                    }
                    Err(e) => Step::Error(format!("waiting for {}: {e}", self.cfg.tofu_name())),
                }
            }
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
