//! Phase completion checks in an apply (seed 001: each phase ends with a signal that it works).
//!
//! A phase with a `check` in `domains.yaml` becomes one more node of the run's graph,
//! `phase-N-check`, when the run applies the whole phase or holds a module that waits for it:
//! after every module of the phase in the run, before every module of the run that waits for
//! the phase (directly or through a later gate). The scheduler treats it like a
//! module, so a failing check skips exactly what waits for it, and independent phases go on.
//!
//! The check's command runs with the environment and the phase's SSM outputs as environment
//! variables (see [`Context::vars`]), each attempt within the timeout (SIGTERM to its process
//! group, SIGKILL 5 s later: a probe holds no state worth a graceful stop), up to `1 + retries`
//! attempts with the delay between them. Its output goes to `<logs>/phase-N-check.log`.

use super::RunConfig;
use super::process::{Children, Spawned};
use super::sched::State;
use crate::model::graph::DeployGraph;
use crate::model::{Catalog, PhaseCheck};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// The graph node of a phase's check.
pub fn node_id(phase: u32) -> String {
    format!("phase-{phase}-check")
}

/// A first word of `run` that means the running bankgen.
pub const SELF: &str = "bankgen";

/// After a timeout's SIGTERM, how long the check may take to exit before SIGKILL.
const KILL_GRACE: Duration = Duration::from_secs(5);

/// One phase's check in a run.
#[derive(Debug, Clone)]
pub struct Spec {
    pub phase: u32,
    pub phase_name: String,
    pub check: PhaseCheck,
    /// The phase's modules in the run: the SSM parameters in their states are the phase's
    /// outputs (read by each module's worker when it succeeds, see [`Checks::reads_outputs`]).
    pub modules: Vec<String>,
}

/// What every check of a run is given besides its own spec.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub region: String,
    pub account_id: String,
    pub endpoint: Option<String>,
    /// `--catalog DIR`, absolute: a `bankgen` check reads the same catalogue.
    pub catalog_dir: Option<PathBuf>,
}

/// The checks of a run, by node id; empty with `--skip-checks` or for plan and destroy.
#[derive(Debug, Clone, Default)]
pub struct Checks {
    pub specs: BTreeMap<String, Spec>,
    pub context: Context,
    /// `--skip-checks`: the phases whose checks did not run.
    pub skipped: Vec<u32>,
}

impl Checks {
    pub fn get(&self, id: &str) -> Option<&Spec> {
        self.specs.get(id)
    }

    /// Whether a module's SSM parameters feed a check: its worker reads its state at the end.
    pub fn reads_outputs(&self, module: &str) -> bool {
        self.specs
            .values()
            .any(|s| s.modules.iter().any(|m| m == module))
    }
}

/// The phases a module waits for: those before its phase, or its `after_phase` and those before.
fn waits_for(cat: &Catalog, module: &str) -> BTreeSet<u32> {
    let Some(m) = cat.module(module) else {
        return BTreeSet::new();
    };
    match (m.phase, m.after_phase) {
        (Some(p), _) => cat.phases_before(p).into_iter().collect(),
        (None, Some(a)) => {
            let mut s: BTreeSet<u32> = cat.phases_before(a).into_iter().collect();
            s.insert(a);
            s
        }
        _ => BTreeSet::new(),
    }
}

/// The phases with a check that this run completes (every module of the phase is in it) or
/// that a module of the run waits for, as check nodes added to `graph`. `skip`: add none, and
/// list the phases skipped.
pub fn add(graph: &mut DeployGraph, cat: &Catalog, skip: bool, context: Context) -> Checks {
    let run: Vec<String> = graph.index.keys().cloned().collect();
    let mut checks = Checks {
        context,
        ..Checks::default()
    };
    for phase in cat.phases.iter() {
        let Some(check) = &phase.check else { continue };
        let members: Vec<&String> = run
            .iter()
            .filter(|m| cat.module(m).is_some_and(|x| x.phase == Some(phase.id)))
            .collect();
        let waiting: Vec<&String> = run
            .iter()
            .filter(|m| waits_for(cat, m).contains(&phase.id))
            .collect();
        // A run of part of a phase (one CI job per module) leaves the phase incomplete: its
        // check would fail for the modules still to come, and it gates nothing in the run.
        let whole_phase = !members.is_empty()
            && members.len()
                == cat
                    .modules
                    .iter()
                    .filter(|m| m.phase == Some(phase.id))
                    .count();
        if !whole_phase && waiting.is_empty() {
            continue;
        }
        if skip {
            checks.skipped.push(phase.id);
            continue;
        }
        let members_ids: Vec<String> = members.iter().map(|m| m.to_string()).collect();
        let id = node_id(phase.id);
        let node = graph.graph.add_node(id.clone());
        graph.index.insert(id.clone(), node);
        for m in members {
            let from = graph.index[m];
            graph
                .graph
                .add_edge(from, node, crate::model::graph::Why::PhaseGate);
        }
        for m in waiting {
            let to = graph.index[m];
            graph
                .graph
                .add_edge(node, to, crate::model::graph::Why::PhaseGate);
        }
        checks.specs.insert(
            id,
            Spec {
                phase: phase.id,
                phase_name: phase.name.clone(),
                check: check.clone(),
                modules: members_ids,
            },
        );
    }
    checks
}

/// How a check ended.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub attempts: u32,
    /// The last lines of the last attempt's output.
    pub output_tail: Vec<String>,
    /// How many SSM outputs of the phase the check was given.
    pub ssm_outputs: usize,
}

/// The log's first line: how many SSM outputs the check gets, and from which modules. A run
/// that only waits for the phase holds none of its modules (the line used to end in "of ").
fn outputs_line(spec: &Spec, outputs: usize) -> String {
    let from = if spec.modules.is_empty() {
        "(none of the phase's modules is in this run)".to_string()
    } else {
        format!("from {}", spec.modules.join(", "))
    };
    format!(
        "bankgen: the check of phase {} gets {outputs} SSM output(s) {from}",
        spec.phase
    )
}

/// Lines of a check's output kept in the report.
pub const TAIL_LINES: usize = 20;

/// Run one check to its end. The state is `Succeeded`, `Failed` (with the cause) or
/// `Interrupted`.
pub fn run(
    spec: &Spec,
    checks: &Checks,
    outputs: &BTreeMap<String, String>,
    cfg: &RunConfig,
    children: &Children,
) -> (State, Option<String>, CheckResult) {
    let id = node_id(spec.phase);
    let log_path = cfg.log_path(&id);
    let mut result = CheckResult {
        attempts: 0,
        output_tail: Vec::new(),
        ssm_outputs: 0,
    };
    let mut log = match File::create(&log_path) {
        Ok(f) => f,
        Err(e) => {
            let cause = format!("cannot write the log {}: {e}", log_path.display());
            return (State::Failed, Some(cause), result);
        }
    };
    let _ = writeln!(log, "{}", outputs_line(spec, outputs.len()));
    result.ssm_outputs = outputs.len();
    let outputs_file = cfg.logs.join(format!("{id}.ssm.json"));
    let _ = std::fs::write(
        &outputs_file,
        serde_json::to_string_pretty(outputs).unwrap_or_default(),
    );
    let vars = checks.context.vars(cfg, spec, outputs, &outputs_file);
    let total = spec.check.retries + 1;
    let mut cause = None;
    for attempt in 1..=total {
        if attempt > 1 {
            let _ = writeln!(
                log,
                "bankgen: retrying in {} s",
                spec.check.retry_delay.as_secs()
            );
            if sleep_unless_interrupted(spec.check.retry_delay, children) {
                return (
                    State::Interrupted,
                    Some("interrupted between attempts".into()),
                    result,
                );
            }
        }
        result.attempts = attempt;
        let start = log_len(&log_path);
        let _ = writeln!(
            log,
            "\n$ {}    (attempt {attempt} of {total}, timeout {} s)",
            spec.check.run.join(" "),
            spec.check.timeout.as_secs()
        );
        let outcome = attempt_once(spec, attempt, &vars, &log, children);
        let _ = writeln!(log, "bankgen: {}", outcome.text());
        result.output_tail = tail_from(&log_path, start, TAIL_LINES);
        match outcome {
            Attempt::Passed => return (State::Succeeded, None, result),
            Attempt::Interrupted => {
                return (
                    State::Interrupted,
                    Some("the check was interrupted".into()),
                    result,
                );
            }
            other => cause = Some(other.text()),
        }
    }
    let cause = format!(
        "phase {} check failed after {} attempt(s): {}",
        spec.phase,
        result.attempts,
        cause.unwrap_or_default()
    );
    (State::Failed, Some(cause), result)
}

enum Attempt {
    Passed,
    Exit(i32),
    TimedOut(Duration),
    Interrupted,
    CannotStart(String),
}

impl Attempt {
    fn text(&self) -> String {
        match self {
            Attempt::Passed => "passed".into(),
            Attempt::Exit(c) => format!("exit {c}"),
            Attempt::TimedOut(t) => format!("timed out after {} s", t.as_secs()),
            Attempt::Interrupted => "interrupted".into(),
            Attempt::CannotStart(e) => format!("cannot start: {e}"),
        }
    }
}

fn attempt_once(
    spec: &Spec,
    attempt: u32,
    vars: &[(String, String)],
    log: &File,
    children: &Children,
) -> Attempt {
    let program = match spec.check.run[0].as_str() {
        SELF => match std::env::current_exe() {
            Ok(p) => p,
            Err(e) => return Attempt::CannotStart(format!("cannot find bankgen itself: {e}")),
        },
        other => PathBuf::from(other),
    };
    let (out, err) = match (log.try_clone(), log.try_clone()) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Attempt::CannotStart(format!("log: {e}")),
    };
    let mut cmd = Command::new(&program);
    cmd.args(&spec.check.run[1..])
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .env("BANKGEN_ATTEMPT", attempt.to_string());
    let name = node_id(spec.phase);
    let mut child = match children.spawn(&name, &mut cmd) {
        Ok(Spawned::Child(c)) => c,
        Ok(Spawned::Interrupted) => return Attempt::Interrupted,
        Err(e) => {
            return Attempt::CannotStart(format!("{}: {e}", program.display()));
        }
    };
    let pid = child.id();
    let timeout = spec.check.timeout;
    let (done_tx, done_rx) = channel::<()>();
    let timed_out = std::thread::scope(|s| {
        let watchdog = s.spawn(move || {
            if done_rx.recv_timeout(timeout) != Err(RecvTimeoutError::Timeout) {
                return false;
            }
            children.signal(pid, libc::SIGTERM);
            if done_rx.recv_timeout(KILL_GRACE) == Err(RecvTimeoutError::Timeout) {
                children.signal(pid, libc::SIGKILL);
            }
            true
        });
        let status = children.wait(&mut child);
        let _ = done_tx.send(());
        let timed_out = watchdog.join().unwrap_or(false);
        (timed_out, status)
    });
    match timed_out {
        (true, _) => Attempt::TimedOut(timeout),
        (false, Ok(s)) if s.success() => Attempt::Passed,
        (false, _) if children.interrupts() > 0 => Attempt::Interrupted,
        (false, Ok(s)) => {
            use std::os::unix::process::ExitStatusExt;
            Attempt::Exit(s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0)))
        }
        (false, Err(e)) => Attempt::CannotStart(format!("waiting: {e}")),
    }
}

/// Sleep `d`; true when an interrupt arrived (checked every 100 ms).
fn sleep_unless_interrupted(d: Duration, children: &Children) -> bool {
    let until = Instant::now() + d;
    while Instant::now() < until {
        if children.interrupts() > 0 {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100).min(until - Instant::now()));
    }
    children.interrupts() > 0
}

fn log_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn tail_from(p: &Path, offset: u64, n: usize) -> Vec<String> {
    let bytes = std::fs::read(p).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes[(offset as usize).min(bytes.len())..]).into_owned();
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

/// `aws_ssm_parameter` resources of a `show -json` state: name → value.
pub fn parameters_in_state(text: &str) -> BTreeMap<String, String> {
    fn walk(m: &serde_json::Value, out: &mut BTreeMap<String, String>) {
        for r in m["resources"].as_array().into_iter().flatten() {
            if r["mode"] == "managed" && r["type"] == "aws_ssm_parameter" {
                let v = &r["values"];
                if let (Some(n), Some(val)) = (v["name"].as_str(), v["value"].as_str()) {
                    out.insert(n.to_string(), val.to_string());
                }
            }
        }
        for c in m["child_modules"].as_array().into_iter().flatten() {
            walk(c, out);
        }
    }
    let mut out = BTreeMap::new();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        walk(&v["values"]["root_module"], &mut out);
    }
    out
}

/// `/bank/dev/kms/pii/arn` → `BANKGEN_SSM_KMS_PII_ARN` (the SSM root and the environment dropped,
/// so one check script serves every environment, whatever the tenant's root).
pub fn var_name(env: &str, parameter: &str) -> String {
    let rest = parameter
        .strip_prefix('/')
        .and_then(|p| p.split_once(&format!("/{env}/")))
        .filter(|(root, _)| !root.is_empty())
        .map_or(parameter, |(_, rest)| rest);
    let mut name = String::from("BANKGEN_SSM_");
    for c in rest.chars() {
        name.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        });
    }
    name
}

impl Context {
    /// The check's environment variables.
    pub fn vars(
        &self,
        cfg: &RunConfig,
        spec: &Spec,
        outputs: &BTreeMap<String, String>,
        outputs_file: &Path,
    ) -> Vec<(String, String)> {
        let mut v = vec![
            ("BANKGEN_ENV".to_string(), cfg.env.clone()),
            ("BANKGEN_PHASE".into(), spec.phase.to_string()),
            ("BANKGEN_PHASE_NAME".into(), spec.phase_name.clone()),
            ("BANKGEN_REGION".into(), self.region.clone()),
            ("BANKGEN_ACCOUNT_ID".into(), self.account_id.clone()),
            ("BANKGEN_RENDERED".into(), cfg.env_dir.display().to_string()),
            (
                "BANKGEN_SSM_OUTPUTS".into(),
                outputs_file.display().to_string(),
            ),
        ];
        if let Some(e) = &self.endpoint {
            v.push(("BANKGEN_ENDPOINT".into(), e.clone()));
        }
        if let Some(d) = &self.catalog_dir {
            v.push(("BANKGEN_CATALOG".into(), d.display().to_string()));
        }
        for (name, value) in outputs {
            v.push((var_name(&cfg.env, name), value.clone()));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outputs_line_names_the_modules_or_says_there_are_none() {
        let mut spec = Spec {
            phase: 3,
            phase_name: "AML monitoring".into(),
            check: PhaseCheck {
                run: vec!["true".into()],
                timeout: std::time::Duration::from_secs(1),
                retries: 0,
                retry_delay: std::time::Duration::ZERO,
                probes: Vec::new(),
                loc: crate::diag::Loc::file_start(&std::sync::Arc::new(crate::diag::SourceFile {
                    name: "catalog/domains.yaml".into(),
                    text: String::new(),
                })),
            },
            modules: Vec::new(),
        };
        assert_eq!(
            outputs_line(&spec, 0),
            "bankgen: the check of phase 3 gets 0 SSM output(s) (none of the phase's modules is in this run)"
        );
        spec.modules = vec!["MOD-016".into(), "MOD-017".into()];
        assert_eq!(
            outputs_line(&spec, 2),
            "bankgen: the check of phase 3 gets 2 SSM output(s) from MOD-016, MOD-017"
        );
    }

    #[test]
    fn variable_names_drop_the_environment() {
        assert_eq!(
            var_name("dev", "/bank/dev/kms/pii/arn"),
            "BANKGEN_SSM_KMS_PII_ARN"
        );
        assert_eq!(
            var_name("dev", "/bank/dev/s3/bank-artefacts/name"),
            "BANKGEN_SSM_S3_BANK_ARTEFACTS_NAME"
        );
        assert_eq!(var_name("dev", "/other/x"), "BANKGEN_SSM__OTHER_X");
        assert_eq!(
            var_name("dev", "/gbp/dev/kinesis/tx/arn"),
            "BANKGEN_SSM_KINESIS_TX_ARN"
        );
    }

    #[test]
    fn reads_parameters_of_a_state() {
        let state = r#"{"format_version":"1.0","values":{"root_module":{"resources":[
            {"mode":"managed","type":"aws_ssm_parameter","values":{"name":"/bank/dev/a","value":"1"}},
            {"mode":"data","type":"aws_ssm_parameter","values":{"name":"/bank/dev/b","value":"2"}}],
            "child_modules":[{"resources":[
            {"mode":"managed","type":"aws_ssm_parameter","values":{"name":"/bank/dev/c","value":"3"}}]}]}}}"#;
        let p = parameters_in_state(state);
        assert_eq!(
            p.into_iter().collect::<Vec<_>>(),
            [
                ("/bank/dev/a".to_string(), "1".to_string()),
                ("/bank/dev/c".to_string(), "3".to_string())
            ]
        );
        assert!(parameters_in_state("nonsense").is_empty());
    }
}
