//! How long each module took last time, so the scheduler can start the longest remaining path
//! by time, not by module count. Every run merges its modules' durations into
//! `OUT/<env>/.bankgen/durations.json` (per action: a plan takes less than an apply); the next
//! run of that action reads them. `--durations REPORT` takes them from a `--report` file instead.

use super::Action;
use super::report::{RunReport, Status};
use super::sched::Weights;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn path(env_dir: &Path) -> PathBuf {
    env_dir.join(".bankgen").join("durations.json")
}

type Table = BTreeMap<String, BTreeMap<String, f64>>;

fn read_table(file: &Path) -> Table {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// The durations recorded for `action` (none when there is no readable file: a first run
/// weighs every module alike).
pub fn recorded(env_dir: &Path, action: Action) -> Weights {
    Weights(
        read_table(&path(env_dir))
            .remove(action.name())
            .unwrap_or_default(),
    )
}

/// Merge the durations of the modules that succeeded in `report` into the file.
pub fn record(env_dir: &Path, action: Action, report: &RunReport) -> std::io::Result<()> {
    let file = path(env_dir);
    let mut table = read_table(&file);
    let entry = table.entry(action.name().to_string()).or_default();
    for m in report.modules.iter().filter(|m| m.status == Status::Ok) {
        entry.insert(m.id.clone(), m.duration_s);
    }
    crate::atomic::write_json(&file, &table)
}
