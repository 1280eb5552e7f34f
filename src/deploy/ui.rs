//! What the terminal shows: a progress line (indicatif: done / running / waiting, elapsed) with
//! one line per finished module above it, the tail of a failed module's log, and, with
//! `--json`, one JSON object per line on stdout. Only the main thread calls this, so lines of
//! two modules never interleave.

use super::RunConfig;
use super::outcome::Outcome;
use super::sched::{Scheduler, State};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// Lines of a failed module's log printed on the terminal.
pub const TAIL_LINES: usize = 20;

pub struct Ui {
    bar: ProgressBar,
    json: bool,
    tty: bool,
    started: Instant,
    steps: std::collections::BTreeMap<String, &'static str>,
}

impl Ui {
    pub fn new(json: bool) -> Ui {
        let tty = std::io::stderr().is_terminal();
        let bar = if tty {
            let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {pos}/{len} done  {wide_msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b.enable_steady_tick(Duration::from_millis(200));
            b
        } else {
            ProgressBar::hidden()
        };
        Ui {
            bar,
            json,
            tty,
            started: Instant::now(),
            steps: Default::default(),
        }
    }

    /// A human line on stderr, above the progress line.
    pub fn line(&self, text: &str) {
        if self.tty {
            self.bar.println(text);
        } else {
            eprintln!("{text}");
        }
    }

    /// A JSON event on stdout (with `--json`).
    pub fn event(&self, kind: &str, mut fields: Value) {
        if !self.json {
            return;
        }
        if let Value::Object(m) = &mut fields {
            m.insert("event".into(), json!(kind));
            m.insert(
                "t".into(),
                json!((self.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0),
            );
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{fields}");
        let _ = out.flush();
    }

    pub fn begin(&mut self, cfg: &RunConfig, total: usize) {
        self.started = Instant::now();
        self.bar.set_length(total as u64);
        self.bar.reset_elapsed();
        self.event(
            "run",
            json!({"action": cfg.action.name(), "env": cfg.env, "modules": total, "jobs": cfg.jobs,
                   "tofu": cfg.tofu.display().to_string()}),
        );
    }

    pub fn started(&mut self, module: &str) {
        if !self.tty {
            eprintln!("start    {module}");
        }
        self.event("module_started", json!({"module": module}));
    }

    pub fn step(&mut self, module: &str, step: &'static str) {
        self.steps.insert(module.to_string(), step);
        self.event("step", json!({"module": module, "step": step}));
    }

    pub fn progress(&self, sched: &Scheduler) {
        let done = sched.count(State::is_final);
        self.bar.set_position(done as u64);
        let running: Vec<String> = sched
            .running()
            .iter()
            .map(|m| match self.steps.get(*m) {
                Some(s) => format!("{m} ({s})"),
                None => m.to_string(),
            })
            .collect();
        let waiting = sched.count(|s| *s == State::Waiting);
        self.bar.set_message(format!(
            "running {}: {}  waiting {waiting}",
            running.len(),
            running.join(", ")
        ));
    }

    pub fn finished(&mut self, module: &str, o: &Outcome, log: &Path) {
        self.steps.remove(module);
        let changes = o.changes.map(|c| c.text()).unwrap_or_else(|| "-".into());
        let secs = o.duration.as_secs_f64();
        let (mark, word) = match &o.state {
            State::Succeeded => ("ok  ", "ok".to_string()),
            State::Interrupted => ("int ", "interrupted".to_string()),
            _ => ("FAIL", "failed".to_string()),
        };
        let mut text = format!("{mark}     {module}  {changes}  ({secs:.1} s)");
        if let Some(c) = &o.cause {
            text.push_str(&format!("  {c}"));
        }
        if !matches!(o.state, State::Succeeded) {
            text.push_str(&format!("\n         log: {}", log.display()));
            if matches!(o.state, State::Failed) {
                for l in tail(log, TAIL_LINES) {
                    text.push_str(&format!("\n         | {l}"));
                }
            }
        }
        self.line(&text);
        self.event(
            "module_finished",
            json!({"module": module, "status": word, "cause": o.cause,
                   "adds": o.changes.map(|c| c.adds), "changes": o.changes.map(|c| c.changes),
                   "destroys": o.changes.map(|c| c.destroys),
                   "duration_s": (secs * 1000.0).round() / 1000.0, "log": log.display().to_string(),
                   "blocked": o.guard.as_ref().map(|v| &v.blocked),
                   "allowed": o.guard.as_ref().map(|v| &v.allowed),
                   "drift": o.drift}),
        );
    }

    pub fn skipped(&mut self, module: &str, cause: &str) {
        self.line(&format!("skip     {module}  {cause}"));
        self.event("module_skipped", json!({"module": module, "cause": cause}));
    }

    pub fn not_started(&mut self, module: &str, cause: &str) {
        self.event(
            "module_not_started",
            json!({"module": module, "cause": cause}),
        );
    }

    pub fn signal(&mut self, sig: i32, count: u32, signalled: &[String]) {
        let name = super::process::signal_name(sig);
        let text = if count == 1 {
            format!(
                "{name}: starting nothing new; sent SIGINT to {} running module(s){}; waiting for them to stop (again to forward another SIGINT)",
                signalled.len(),
                list(signalled)
            )
        } else {
            format!(
                "{name} #{count}: forwarded another SIGINT to {} running module(s){}; still waiting (bankgen never kills them)",
                signalled.len(),
                list(signalled)
            )
        };
        self.line(&text);
        self.event(
            "interrupt",
            json!({"signal": name, "count": count, "signalled": signalled}),
        );
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn list(m: &[String]) -> String {
    if m.is_empty() {
        String::new()
    } else {
        format!(" ({})", m.join(", "))
    }
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
