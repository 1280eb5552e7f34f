//! The apply record, `OUT/<env>/.bankgen/last-apply.json`: what the last `bankgen apply`
//! (or `rollback`, or `promote`) did to an environment — the catalogue's git revision, bankgen's
//! version, the time and each module's result — so that `bankgen promote` can apply exactly that
//! revision to the next environment. `.bankgen/` is not generated, so renders keep it.
//!
//! A run of some modules only (`--only`, `--changed-since`, `--plans`) is recorded as partial,
//! with the modules it ran: it replaces the record, and promoting it applies the same modules.
//!
//! The run record, `OUT/<env>/.bankgen/run.json` ([`RunRecord`]), is the other half: written
//! when a pass starts (status `running`, bankgen's pid) and rewritten as its modules start,
//! spawn a `tofu` (its pid) and finish, so a bankgen killed with SIGKILL (a CI timeout, the OOM
//! killer) leaves a record that says so. The next run on the environment finds it still
//! `running` while it holds the environment's lock itself: that run was killed.

use super::report::{RunReport, Status};
use super::revision::Revision;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
#[cfg(test)]
use std::time::UNIX_EPOCH;

pub const FILE: &str = "last-apply.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApplyRecord {
    pub env: String,
    /// `apply`, `rollback` or `promote`.
    pub command: String,
    /// None: the catalogue was not a folder in a git repository.
    pub revision: Option<Revision>,
    pub bankgen_version: String,
    /// UTC, RFC 3339.
    pub time: String,
    /// Only some of the catalogue's modules were in the run.
    pub partial: bool,
    pub exit_code: u8,
    /// The run's modules in deployment order.
    pub modules: Vec<ModuleResult>,
    /// The phase completion checks of the run (`phase-N-check`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<ModuleResult>,
    /// Rollback: the modules absent at the revision, destroyed (reverse deployment order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<ModuleResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModuleResult {
    pub id: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

pub fn results(report: &RunReport) -> Vec<ModuleResult> {
    report
        .modules
        .iter()
        .map(|m| ModuleResult {
            id: m.id.clone(),
            status: m.status,
            cause: m.cause.clone(),
        })
        .collect()
}

pub fn path(env_dir: &Path) -> PathBuf {
    env_dir.join(".bankgen").join(FILE)
}

impl ApplyRecord {
    /// A record of no module yet: see [`ApplyRecord::with_run`].
    pub fn new(command: &str, env: &str, revision: Option<Revision>, partial: bool) -> ApplyRecord {
        ApplyRecord {
            env: env.into(),
            command: command.into(),
            revision,
            bankgen_version: env!("CARGO_PKG_VERSION").into(),
            time: rfc3339(SystemTime::now()),
            partial,
            exit_code: 0,
            modules: Vec::new(),
            checks: Vec::new(),
            removed: Vec::new(),
        }
    }

    /// The run's modules and exit code.
    pub fn with_run(mut self, report: &RunReport) -> ApplyRecord {
        self.modules = results(report);
        self.checks = report
            .checks
            .iter()
            .map(|c| ModuleResult {
                id: super::checks::node_id(c.phase),
                status: c.status,
                cause: c.cause.clone(),
            })
            .collect();
        self.exit_code = report.exit_code;
        self
    }

    pub fn read(path: &Path) -> Result<ApplyRecord, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the apply record {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{} is not an apply record: {e}", path.display()))
    }

    /// Write `OUT/<env>/.bankgen/last-apply.json` (atomically: a half-written record must not
    /// be promoted).
    pub fn write(&self, env_dir: &Path) -> std::io::Result<PathBuf> {
        let path = path(env_dir);
        write_json(&path, self)?;
        Ok(path)
    }

    /// The revision to promote, or why this record cannot be promoted.
    pub fn promotable(&self) -> Result<&Revision, String> {
        let what = format!(
            "the last {} to `{}` ({})",
            self.command, self.env, self.time
        );
        let bad: Vec<String> = self
            .modules
            .iter()
            .chain(&self.checks)
            .chain(&self.removed)
            .filter(|m| m.status != Status::Ok)
            .map(|m| format!("{} {}", m.id, m.status.name()))
            .collect();
        if !bad.is_empty() {
            return Err(format!(
                "{what} was not fully green: {}; apply to `{}` again until every module is ok, then promote",
                bad.join(", "),
                self.env
            ));
        }
        if self.exit_code != 0 {
            return Err(format!(
                "{what} exited {} (see its report); apply to `{}` again until it succeeds, then promote",
                self.exit_code, self.env
            ));
        }
        let Some(rev) = &self.revision else {
            return Err(format!(
                "{what} was not from a catalogue in a git repository: apply to `{}` from a \
                 committed catalogue (--catalog DIR), then promote",
                self.env
            ));
        };
        if rev.dirty {
            return Err(format!(
                "{what} was from a catalogue with uncommitted changes (on commit {}): commit \
                 them, apply to `{}` again, then promote",
                super::revision::short(&rev.commit),
                self.env
            ));
        }
        Ok(rev)
    }
}

/// Write `value` as JSON to `path` through a temporary file and a rename: a reader (or a run
/// killed halfway) sees the old record or the new one, never half of one.
fn write_json(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    crate::atomic::write_json(path, value)
}

pub const RUN_FILE: &str = "run.json";

pub fn run_path(env_dir: &Path) -> PathBuf {
    env_dir.join(".bankgen").join(RUN_FILE)
}

/// The last run of `plan`, `apply` or `destroy` on an environment, as far as it got.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    pub env: String,
    /// `plan`, `apply` or `destroy`.
    pub action: String,
    /// `running` until the run ends; still `running` once its bankgen is gone: killed.
    pub status: RunStatus,
    /// bankgen's own pid.
    pub pid: u32,
    /// UTC, RFC 3339.
    pub started: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<u8>,
    /// The run's modules (and phase checks) in deployment order.
    pub modules: Vec<ModuleRun>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    Running,
    Finished,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModuleRun {
    pub id: String,
    /// `waiting`, `running`, or how it ended (a report status).
    pub status: String,
    /// The step it was at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The `tofu` it ran last (while `running`: may still run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tofu_pid: Option<u32>,
    /// When that process started ([`super::process::start_time`]): a pid that the system has
    /// given to another process since is not that `tofu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tofu_start: Option<u64>,
}

pub const WAITING: &str = "waiting";
pub const RUNNING: &str = "running";

impl ModuleRun {
    pub fn unfinished(&self) -> bool {
        self.status == WAITING || self.status == RUNNING
    }
}

impl RunRecord {
    /// The record of the last run on the environment, if there is one that can be read.
    pub fn read(env_dir: &Path) -> Option<RunRecord> {
        let text = std::fs::read_to_string(run_path(env_dir)).ok()?;
        serde_json::from_str(&text).ok()
    }
}

/// The run record of the running pass, rewritten as it changes.
pub struct Journal {
    path: PathBuf,
    record: RunRecord,
    index: BTreeMap<String, usize>,
    dirty: bool,
    /// A write failed already (said once).
    failed: bool,
}

impl Journal {
    /// A pass of `modules` (in deployment order), all waiting: not written yet.
    pub fn new(env_dir: &Path, env: &str, action: &str, modules: &[String]) -> Journal {
        let record = RunRecord {
            env: env.into(),
            action: action.into(),
            status: RunStatus::Running,
            pid: std::process::id(),
            started: rfc3339(SystemTime::now()),
            exit_code: None,
            modules: modules
                .iter()
                .map(|id| ModuleRun {
                    id: id.clone(),
                    status: WAITING.into(),
                    step: None,
                    tofu_pid: None,
                    tofu_start: None,
                })
                .collect(),
        };
        let index = modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.clone(), i))
            .collect();
        Journal {
            path: run_path(env_dir),
            record,
            index,
            dirty: true,
            failed: false,
        }
    }

    fn module(&mut self, id: &str) -> Option<&mut ModuleRun> {
        self.dirty = true;
        let i = *self.index.get(id)?;
        self.record.modules.get_mut(i)
    }

    pub fn started(&mut self, id: &str) {
        if let Some(m) = self.module(id) {
            m.status = RUNNING.into();
        }
    }

    pub fn step(&mut self, id: &str, step: &str) {
        if let Some(m) = self.module(id) {
            m.step = Some(step.into());
        }
    }

    /// `id` runs `tofu` as `pid`.
    pub fn child(&mut self, id: &str, pid: u32) {
        let start = super::process::start_time(pid);
        if let Some(m) = self.module(id) {
            m.tofu_pid = Some(pid);
            m.tofu_start = start;
        }
    }

    pub fn finished(&mut self, id: &str, status: Status) {
        if let Some(m) = self.module(id) {
            m.status = status.name().into();
        }
    }

    /// The run ended (every module is final): its exit code.
    pub fn close(&mut self, exit_code: u8) {
        self.record.status = RunStatus::Finished;
        self.record.exit_code = Some(exit_code);
        self.dirty = true;
    }

    /// Write the record if it changed since the last write. `Err` for the first failure only.
    pub fn flush(&mut self) -> std::io::Result<()> {
        if !self.dirty {
            return Ok(());
        }
        self.dirty = false;
        match write_json(&self.path, &self.record) {
            Err(e) if !self.failed => {
                self.failed = true;
                Err(e)
            }
            _ => Ok(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `2025-12-01T10:48:00Z`.
fn rfc3339(t: SystemTime) -> String {
    let (y, m, d, hh, mm, ss) = super::clock::utc(t);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_utc_rfc3339() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096); // a leap day
        assert_eq!(rfc3339(t), "2024-02-29T12:34:56Z");
    }
}
