//! Running the modules: one worker thread per running module drives its `tofu` steps
//! ([`super::worker`]); the main thread owns the scheduler and every line of output, so nothing
//! interleaves.

use super::RunConfig;
use super::checks::Checks;
use super::outcome::Outcome;
use super::process::Children;
use super::record::Journal;
use super::report::{CheckReport, ModuleReport, RunReport, Status};
use super::sched::{Scheduler, State};
use super::ui::Ui;
use super::worker::{Progress, Worker};
use crate::model::graph::DeployGraph;
use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub enum Msg {
    Step {
        module: String,
        step: &'static str,
    },
    Child {
        module: String,
        pid: u32,
    },
    Done {
        module: String,
        /// Boxed: an outcome is large, the other messages small.
        outcome: Box<Outcome>,
    },
    Signal {
        sig: i32,
        count: u32,
        signalled: Vec<String>,
    },
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
    /// checks among its nodes ([`super::checks::add`]), keeping `journal` (the run record) up
    /// to date as they start and end. A module of [`RunConfig::refused`] fails without running.
    pub fn run(
        &self,
        graph: &DeployGraph,
        cfg: &Arc<RunConfig>,
        checks: &Arc<Checks>,
        ui: &mut Ui,
        journal: &mut Journal,
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
                journal.started(&m);
                if let Some(cause) = cfg.refused.get(&m) {
                    let _ = self.tx.send(Msg::Done {
                        module: m,
                        outcome: Box::new(Outcome::new(State::Failed, Some(cause.clone()), None)),
                    });
                } else if let Some(spec) = checks.get(&m) {
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
            record(journal, ui);
            if running == 0 && sched.done() {
                break;
            }
            let Ok(msg) = self.rx.recv() else { break };
            match msg {
                Msg::Step { module, step } => {
                    ui.step(&module, step);
                    journal.step(&module, step);
                }
                Msg::Child { module, pid } => journal.child(&module, pid),
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
                    journal.finished(&module, Status::of(&outcome.state));
                    for (m, cause) in &skipped {
                        ui.skipped(m, cause);
                        journal.finished(m, Status::Skipped);
                    }
                    results.insert(module.clone(), *outcome);
                    if failed && cfg.fail_fast {
                        sched.stop(&format!("not started: --fail-fast after {module} failed"));
                    }
                }
            }
        }
        // A signal whose forwarding ended the last module can come after its Done: say it too.
        while let Ok(msg) = self.rx.try_recv() {
            if let Msg::Signal {
                sig,
                count,
                signalled,
            } = msg
            {
                ui.signal(sig, count, &signalled);
            }
        }
        for (m, cause) in sched.close() {
            ui.not_started(&m, &cause);
            journal.finished(&m, Status::NotStarted);
        }
        record(journal, ui);
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
                let mut outcome = Outcome::new(state, cause, None);
                outcome.check = Some(result);
                outcome.started = started.duration_since(run_start);
                outcome.duration = started.elapsed();
                let _ = tx.send(Msg::Done {
                    module: id,
                    outcome: Box::new(outcome),
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
                let on_progress = |p: Progress| {
                    let _ = tx.send(match p {
                        Progress::Step(step) => Msg::Step {
                            module: module.clone(),
                            step,
                        },
                        Progress::Child(pid) => Msg::Child {
                            module: module.clone(),
                            pid,
                        },
                    });
                };
                let mut outcome = Worker {
                    module: &module,
                    cfg: &cfg,
                    children: &children,
                    on_progress: &on_progress,
                    init_lock: &init_lock,
                    reads_outputs,
                }
                .run();
                outcome.duration = started.elapsed();
                outcome.started = started.duration_since(run_start);
                let _ = tx.send(Msg::Done {
                    module,
                    outcome: Box::new(outcome),
                });
            })
            .expect("spawn a worker thread");
    }
}

/// Write the run record if it changed; a record that cannot be written is said once.
fn record(journal: &mut Journal, ui: &Ui) {
    if let Err(e) = journal.flush() {
        ui.line(&format!(
            "warning: cannot write the run record {}: {e}",
            journal.path().display()
        ));
    }
}
