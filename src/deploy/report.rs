//! The run's result: per-module status, duration, changes and log; the summary; `--report FILE`
//! and the final table.

use super::RunConfig;
use super::drift::Drifted;
use super::guard::Finding;
use super::outcome::Outcome;
use super::sched::State;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Done: planned, applied or destroyed (see the changes).
    Ok,
    Failed,
    Skipped,
    Interrupted,
    NotStarted,
}

impl Status {
    /// The status of a module in this scheduler state (waiting or running: not started).
    pub fn of(state: &State) -> Status {
        match state {
            State::Succeeded => Status::Ok,
            State::Failed => Status::Failed,
            State::Interrupted => Status::Interrupted,
            State::Skipped(_) => Status::Skipped,
            State::NotStarted(_) | State::Waiting | State::Running => Status::NotStarted,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Interrupted => "interrupted",
            Status::NotStarted => "not-started",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ModuleReport {
    pub id: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    pub duration_s: f64,
    /// Start and end, in seconds from the start of the run (absent when it did not run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_s: Option<f64>,
    pub adds: Option<u32>,
    pub changes: Option<u32>,
    pub destroys: Option<u32>,
    pub log: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The plan guard: deletes and replacements of resources that hold data that stopped the
    /// module before apply.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocked: Vec<Finding>,
    /// The plan guard: deletes and replacements that were allowed, with who allowed them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<Finding>,
    /// drift: the resources changed outside Terraform (absent when the module was not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<Vec<Drifted>>,
}

impl ModuleReport {
    pub fn new(
        id: &str,
        state: &State,
        outcome: Option<&Outcome>,
        log: PathBuf,
        plan: Option<PathBuf>,
    ) -> ModuleReport {
        let (status, cause) = match state {
            State::Succeeded => (Status::Ok, None),
            State::Failed => (Status::Failed, outcome.and_then(|o| o.cause.clone())),
            State::Interrupted => (Status::Interrupted, outcome.and_then(|o| o.cause.clone())),
            State::Skipped(c) => (Status::Skipped, Some(c.clone())),
            State::NotStarted(c) => (Status::NotStarted, Some(c.clone())),
            State::Waiting | State::Running => (Status::NotStarted, None),
        };
        let ch = outcome.and_then(|o| o.changes);
        let verdict = outcome.and_then(|o| o.guard.clone()).unwrap_or_default();
        ModuleReport {
            id: id.to_string(),
            status,
            cause,
            duration_s: outcome.map(|o| round(o.duration)).unwrap_or(0.0),
            started_s: outcome.map(|o| round(o.started)),
            finished_s: outcome.map(|o| round(o.started + o.duration)),
            adds: ch.map(|c| c.adds),
            changes: ch.map(|c| c.changes),
            destroys: ch.map(|c| c.destroys),
            log: log.display().to_string(),
            plan: plan.map(|p| p.display().to_string()),
            blocked: verdict.blocked,
            allowed: verdict.allowed,
            drift: outcome.and_then(|o| o.drift.clone()),
        }
    }

    pub fn changes_text(&self) -> String {
        match (self.adds, self.changes, self.destroys) {
            (Some(a), Some(c), Some(d)) => format!("+{a} ~{c} -{d}"),
            _ => "-".to_string(),
        }
    }

    pub fn has_changes(&self) -> bool {
        self.adds.unwrap_or(0) + self.changes.unwrap_or(0) + self.destroys.unwrap_or(0) > 0
    }
}

/// A phase completion check in the run.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub phase: u32,
    pub command: Vec<String>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    pub attempts: u32,
    pub duration_s: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_s: Option<f64>,
    /// The SSM outputs of the phase it was given.
    pub ssm_outputs: usize,
    /// The last lines of the last attempt's output.
    pub output_tail: Vec<String>,
    pub log: String,
}

impl CheckReport {
    pub fn new(
        spec: &super::checks::Spec,
        state: &State,
        outcome: Option<&Outcome>,
        log: PathBuf,
    ) -> CheckReport {
        let m = ModuleReport::new(&spec.phase.to_string(), state, outcome, log, None);
        let r = outcome.and_then(|o| o.check.as_ref());
        CheckReport {
            phase: spec.phase,
            command: spec.check.run.clone(),
            status: m.status,
            cause: m.cause,
            attempts: r.map(|r| r.attempts).unwrap_or(0),
            duration_s: m.duration_s,
            started_s: m.started_s,
            finished_s: m.finished_s,
            ssm_outputs: r.map(|r| r.ssm_outputs).unwrap_or(0),
            output_tail: r.map(|r| r.output_tail.clone()).unwrap_or_default(),
            log: m.log,
        }
    }
}

fn round(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub total: usize,
    pub ok: usize,
    /// Modules that are ok and whose plan has changes (for apply and destroy: that were
    /// changed); `adds`, `changes` and `destroys` count theirs only.
    pub with_changes: usize,
    pub failed: usize,
    pub skipped: usize,
    pub interrupted: usize,
    pub not_started: usize,
    /// Modules the plan guard stopped (counted among the failed ones).
    pub blocked: usize,
    /// Deletes and replacements of resources that hold data that were allowed.
    pub allowed_replacements: usize,
    /// drift: modules with a resource changed outside Terraform, and those resources.
    pub drifted: usize,
    pub drifted_resources: usize,
    pub adds: u32,
    pub changes: u32,
    pub destroys: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub action: &'static str,
    pub env: String,
    pub bankgen_version: &'static str,
    pub jobs: usize,
    pub interrupted: bool,
    pub duration_s: f64,
    pub exit_code: u8,
    pub summary: Summary,
    /// In deployment order (reverse for destroy).
    pub modules: Vec<ModuleReport>,
    /// The phase completion checks that ran (or were skipped because of a failure), by phase.
    pub checks: Vec<CheckReport>,
    /// `--skip-checks`: the phases whose completion checks did not run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks_skipped: Vec<u32>,
    /// `--allow-replace` values that let nothing through.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowances_unused: Vec<String>,
}

impl RunReport {
    pub fn new(
        cfg: &RunConfig,
        mut modules: Vec<ModuleReport>,
        mut checks: Vec<CheckReport>,
        checks_skipped: Vec<u32>,
        interrupted: bool,
        duration: Duration,
        order: Vec<String>,
    ) -> RunReport {
        let pos = |id: &str| order.iter().position(|o| o == id).unwrap_or(usize::MAX);
        modules.sort_by_key(|m| (pos(&m.id), m.id.clone()));
        let mut s = Summary {
            total: modules.len(),
            ..Summary::default()
        };
        for m in &modules {
            match m.status {
                Status::Ok => s.ok += 1,
                Status::Failed => s.failed += 1,
                Status::Skipped => s.skipped += 1,
                Status::Interrupted => s.interrupted += 1,
                Status::NotStarted => s.not_started += 1,
            }
            if !m.blocked.is_empty() {
                s.blocked += 1;
            }
            s.allowed_replacements += m.allowed.len();
            if let Some(d) = m.drift.as_ref().filter(|d| !d.is_empty()) {
                s.drifted += 1;
                s.drifted_resources += d.len();
            }
            // The changes of the modules that are done: a failed or interrupted apply holds the
            // plan it did not (fully) apply, and those are not changes made.
            if m.status != Status::Ok {
                continue;
            }
            if m.has_changes() {
                s.with_changes += 1;
            }
            s.adds += m.adds.unwrap_or(0);
            s.changes += m.changes.unwrap_or(0);
            s.destroys += m.destroys.unwrap_or(0);
        }
        checks.sort_by_key(|c| c.phase);
        let checks_ok = checks.iter().all(|c| c.status == Status::Ok);
        let exit_code = if interrupted {
            super::EXIT_INTERRUPTED
        } else if s.ok == s.total && checks_ok && s.drifted == 0 {
            0
        } else {
            1
        };
        RunReport {
            action: cfg.action.name(),
            env: cfg.env.clone(),
            bankgen_version: env!("CARGO_PKG_VERSION"),
            jobs: cfg.jobs,
            interrupted,
            duration_s: round(duration),
            exit_code,
            summary: s,
            modules,
            checks,
            checks_skipped,
            allowances_unused: Vec::new(),
        }
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        crate::atomic::write_json(path, self)
    }

    /// The final table: module, status, changes, time.
    pub fn table(&self) -> String {
        let w = self
            .modules
            .iter()
            .map(|m| m.id.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let mut out = format!(
            "{:<w$}  {:<11}  {:<14}  {:>8}\n",
            "MODULE", "STATUS", "CHANGES", "TIME"
        );
        for m in &self.modules {
            let mut line = format!(
                "{:<w$}  {:<11}  {:<14}  {:>7.1}s",
                m.id,
                m.status.name(),
                m.changes_text(),
                m.duration_s
            );
            if let Some(c) = &m.cause {
                line.push_str(&format!("  {c}"));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        if !self.checks.is_empty() {
            out.push_str(&format!(
                "\n{:<w$}  {:<11}  {:<14}  {:>8}\n",
                "CHECK", "STATUS", "ATTEMPTS", "TIME"
            ));
            for c in &self.checks {
                let mut line = format!(
                    "{:<w$}  {:<11}  {:<14}  {:>7.1}s",
                    format!("phase {}", c.phase),
                    c.status.name(),
                    c.attempts,
                    c.duration_s
                );
                if let Some(cause) = &c.cause {
                    line.push_str(&format!("  {cause}"));
                }
                out.push_str(line.trim_end());
                out.push('\n');
                if c.status == Status::Failed {
                    out.push_str(&format!("    `{}`, log {}:\n", c.command.join(" "), c.log));
                    for l in &c.output_tail {
                        out.push_str(&format!("    | {l}\n"));
                    }
                }
            }
        }
        for m in &self.modules {
            if !m.blocked.is_empty() {
                let v = super::guard::Verdict {
                    blocked: m.blocked.clone(),
                    ..Default::default()
                };
                out.push_str(&format!("\nplan guard: {}", v.explain(&m.id)));
            }
        }
        let allowed: Vec<(&str, &Finding)> = self
            .modules
            .iter()
            .flat_map(|m| m.allowed.iter().map(move |f| (m.id.as_str(), f)))
            .collect();
        if !allowed.is_empty() {
            out.push_str(&format!(
                "\nplan guard: {} delete(s) or replacement(s) of resources that hold data allowed:\n",
                allowed.len()
            ));
            for (id, f) in allowed {
                let Some(a) = &f.allowed else { continue };
                let user = a
                    .user
                    .as_ref()
                    .map(|u| format!(", {u}"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "  {id}: {}\n    allowed by {}{user}: {}\n",
                    f.short(),
                    a.by,
                    a.reason
                ));
            }
        }
        for a in &self.allowances_unused {
            out.push_str(&format!(
                "warning: --allow-replace {a} matched no delete or replacement of a resource that holds data\n"
            ));
        }
        if !self.checks_skipped.is_empty() {
            let phases: Vec<String> = self.checks_skipped.iter().map(|p| p.to_string()).collect();
            out.push_str(&format!(
                "\n!!! --skip-checks: the completion checks of phase(s) {} DID NOT RUN; nothing verified that those phases work !!!\n",
                phases.join(", ")
            ));
        }
        let s = &self.summary;
        out.push_str(&format!(
            "{} {}: {} modules: {} ok ({} with changes: +{} ~{} -{}), {} failed, {} skipped, {} interrupted, {} not started in {:.1} s\n",
            self.action,
            self.env,
            s.total,
            s.ok,
            s.with_changes,
            s.adds,
            s.changes,
            s.destroys,
            s.failed,
            s.skipped,
            s.interrupted,
            s.not_started,
            self.duration_s
        ));
        if s.blocked > 0 {
            out.push_str(&format!(
                "{} module(s) stopped by the plan guard before apply (counted as failed)\n",
                s.blocked
            ));
        }
        if !self.checks.is_empty() {
            let count = |st: Status| self.checks.iter().filter(|c| c.status == st).count();
            out.push_str(&format!(
                "phase checks: {} passed, {} failed, {} not run\n",
                count(Status::Ok),
                count(Status::Failed),
                self.checks.len() - count(Status::Ok) - count(Status::Failed)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::tofu::Changes;
    use crate::deploy::{Action, sched::Weights};

    fn cfg() -> RunConfig {
        RunConfig {
            action: Action::Apply,
            env: "local".into(),
            env_dir: PathBuf::from("out/local"),
            logs: PathBuf::from("logs"),
            tofu: PathBuf::from("tofu"),
            jobs: 2,
            fail_fast: false,
            json: false,
            saved_plans: None,
            keep_plans: None,
            serial_init: None,
            weights: Weights::default(),
            refused: Default::default(),
            guard: None,
        }
    }

    fn module(id: &str, state: State, changes: Changes) -> ModuleReport {
        let o = Outcome::new(state.clone(), None, Some(changes));
        ModuleReport::new(id, &state, Some(&o), PathBuf::from("x.log"), None)
    }

    #[test]
    fn the_summary_counts_the_changes_of_done_modules_only() {
        let planned = Changes {
            adds: 2,
            changes: 1,
            destroys: 0,
        };
        let modules = vec![
            module("MOD-001", State::Succeeded, planned),
            // Its apply was interrupted: the plan it held was not applied.
            module("MOD-002", State::Interrupted, planned),
            module("MOD-003", State::Failed, planned),
        ];
        let r = RunReport::new(
            &cfg(),
            modules,
            Vec::new(),
            Vec::new(),
            true,
            Duration::ZERO,
            Vec::new(),
        );
        let s = &r.summary;
        assert_eq!((s.ok, s.interrupted, s.failed), (1, 1, 1));
        assert_eq!(
            (s.with_changes, s.adds, s.changes, s.destroys),
            (1, 2, 1, 0)
        );
        assert!(
            r.table().contains("1 ok (1 with changes: +2 ~1 -0)"),
            "{}",
            r.table()
        );
    }
}
