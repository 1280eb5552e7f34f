//! The apply record, `OUT/<env>/.bankgen/last-apply.json`: what the last `bankgen apply`
//! (or `rollback`, or `promote`) did to an environment — the catalogue's git revision, bankgen's
//! version, the time and each module's result — so that `bankgen promote` can apply exactly that
//! revision to the next environment. `.bankgen/` is not generated, so renders keep it.
//!
//! A run of some modules only (`--only`, `--changed-since`, `--plans`) is recorded as partial,
//! with the modules it ran: it replaces the record, and promoting it applies the same modules.

use super::report::{RunReport, Status};
use super::revision::Revision;
use serde::{Deserialize, Serialize};
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
        std::fs::create_dir_all(path.parent().expect("the record has a folder"))?;
        let mut text = serde_json::to_string_pretty(self).expect("record serialises");
        text.push('\n');
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)?;
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
