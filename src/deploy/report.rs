//! The run's result: per-module status, duration, changes and log; the summary; `--report FILE`
//! and the final table.

use super::RunConfig;
use super::runner::Outcome;
use super::sched::State;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

fn round(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub total: usize,
    pub ok: usize,
    /// Modules whose plan has changes (for apply and destroy: that were changed).
    pub with_changes: usize,
    pub failed: usize,
    pub skipped: usize,
    pub interrupted: usize,
    pub not_started: usize,
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
}

impl RunReport {
    pub fn new(
        cfg: &RunConfig,
        mut modules: Vec<ModuleReport>,
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
            if m.has_changes() {
                s.with_changes += 1;
            }
            s.adds += m.adds.unwrap_or(0);
            s.changes += m.changes.unwrap_or(0);
            s.destroys += m.destroys.unwrap_or(0);
        }
        let exit_code = if interrupted {
            super::EXIT_INTERRUPTED
        } else if s.ok == s.total {
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
        }
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        let mut text = serde_json::to_string_pretty(self).expect("report serialises");
        text.push('\n');
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)
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
        out
    }
}
