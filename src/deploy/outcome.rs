//! How a module's worker (or a phase check) ended: what the runner collects, the terminal shows
//! ([`super::ui`]) and the report counts ([`super::report`]).

use super::checks::CheckResult;
use super::sched::State;
use super::tofu::Changes;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

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
    /// What the plan guard found (plan and apply, when the plan deletes or replaces something
    /// that holds data).
    pub guard: Option<super::guard::Verdict>,
    /// drift: the resources changed outside Terraform (`None`: the module was not read).
    pub drift: Option<Vec<super::drift::Drifted>>,
    /// When the module started, from the start of the run.
    pub started: Duration,
    pub duration: Duration,
}

impl Outcome {
    /// An outcome without plan, check or outputs, timed by the caller.
    pub fn new(state: State, cause: Option<String>, changes: Option<Changes>) -> Outcome {
        Outcome {
            state,
            changes,
            cause,
            plan: None,
            check: None,
            ssm_outputs: BTreeMap::new(),
            guard: None,
            drift: None,
            started: Duration::ZERO,
            duration: Duration::ZERO,
        }
    }
}
