//! The runner against `tests/stub-tofu`, a stand-in for Terraform that records every call with
//! timestamps, sleeps, fails or hangs on request and handles SIGINT the way Terraform does.
//! `Deploy` is a small fluent builder for a run of `bankgen plan|apply|destroy`
//! (and `rollback`, `promote`).

mod guard;

use crate::support::{Test, bankgen, copy_dir, repo};
use bankgen::model::Catalog;
use bankgen::model::graph::DeployGraph;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The shipped catalogue and its deployment graph, built once.
fn catalog() -> (&'static Catalog, &'static DeployGraph) {
    static G: OnceLock<DeployGraph> = OnceLock::new();
    let cat = crate::support::catalog();
    (cat, G.get_or_init(|| DeployGraph::build(cat)))
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

const PHASE0: [&str; 6] = [
    "MOD-104", "MOD-103", "MOD-102", "MOD-045", "MOD-076", "MOD-046",
];

/// One recorded stub call.
#[derive(Debug, Clone)]
struct Call {
    pid: u32,
    module: String,
    cmd: String,
    args: String,
    start: u64,
    end: Option<u64>,
    exit: Option<i32>,
    ints: u32,
}

struct Deploy {
    dir: tempfile::TempDir,
    action: &'static str,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    catalog: PathBuf,
    cwd: Option<PathBuf>,
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    calls: Vec<Call>,
    report: Value,
    out: PathBuf,
}

impl Deploy {
    /// A run on a copy of the shipped catalogue whose phase checks are `tests/stub-check`.
    fn new(action: &'static str) -> Deploy {
        let dir = tempfile::tempdir().expect("temp dir");
        let catalog = dir.path().join("catalog");
        copy_dir(&repo().join("catalog"), &catalog);
        stub_checks(&catalog);
        Deploy {
            dir,
            action,
            args: vec!["--env".into(), "local".into()],
            envs: Vec::new(),
            catalog,
            cwd: None,
        }
    }

    fn arg(mut self, a: &str) -> Deploy {
        self.args.push(a.to_string());
        self
    }

    fn args(mut self, a: &[&str]) -> Deploy {
        self.args.extend(a.iter().map(|s| s.to_string()));
        self
    }

    fn jobs(self, n: usize) -> Deploy {
        self.args(&["-j", &n.to_string()])
    }

    fn only(mut self, ids: &[&str]) -> Deploy {
        self.args.push("--only".into());
        self.args.extend(ids.iter().map(|s| s.to_string()));
        self
    }

    fn env(mut self, k: &str, v: &str) -> Deploy {
        self.envs.push((k.into(), v.into()));
        self
    }

    fn catalog(mut self, dir: &Path) -> Deploy {
        self.catalog = dir.to_path_buf();
        self
    }

    /// Change the run's copy of the catalogue.
    fn edit_catalog(self, f: impl FnOnce(&Path)) -> Deploy {
        f(&self.catalog);
        self
    }

    fn cwd(mut self, dir: &Path) -> Deploy {
        self.cwd = Some(dir.to_path_buf());
        self
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn calls_file(&self) -> PathBuf {
        self.dir.path().join("calls.log")
    }

    fn report_file(&self) -> PathBuf {
        self.dir.path().join("report.json")
    }

    fn command(&self) -> Command {
        let mut c = bankgen();
        c.arg(self.action)
            .args(&self.args)
            .arg("--catalog")
            .arg(&self.catalog)
            .arg("--out")
            .arg(self.out())
            .arg("--report")
            .arg(self.report_file())
            .env("STUB_TOFU_LOG", self.calls_file())
            .env("BANKGEN_TOFU", repo().join("tests/stub-tofu"))
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .stdin(Stdio::null());
        if let Some(d) = &self.cwd {
            c.current_dir(d);
        }
        if !self.args.iter().any(|a| a == "--tofu") {
            c.arg("--tofu").arg(repo().join("tests/stub-tofu"));
        }
        for (k, v) in &self.envs {
            c.env(k, v);
        }
        c
    }

    fn run(self) -> (Run, Deploy) {
        let out = self.command().output().expect("run bankgen");
        let run = self.collect(out);
        (run, self)
    }

    fn spawn(&self) -> Child {
        self.command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn bankgen")
    }

    fn collect(&self, out: Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            calls: read_calls(&self.calls_file()),
            report: std::fs::read_to_string(self.report_file())
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or(Value::Null),
            out: self.out(),
        }
    }
}

fn read_calls(path: &Path) -> Vec<Call> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut calls: BTreeMap<u32, Call> = BTreeMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.splitn(6, ' ').collect();
        if f.len() < 5 {
            continue;
        }
        let (t, pid) = (f[0].parse::<u64>().unwrap(), f[1].parse::<u32>().unwrap());
        let c = calls.entry(pid).or_insert_with(|| Call {
            pid,
            module: f[2].into(),
            cmd: f[3].into(),
            args: String::new(),
            start: t,
            end: None,
            exit: None,
            ints: 0,
        });
        match f[4] {
            "start" => {
                c.start = t;
                c.args = f.get(5).unwrap_or(&"").to_string();
            }
            "end" => {
                c.end = Some(t);
                c.exit = f.get(5).and_then(|x| x.parse().ok());
            }
            "int" => c.ints += 1,
            _ => {}
        }
    }
    let mut v: Vec<Call> = calls.into_values().collect();
    v.sort_by_key(|c| c.start);
    v
}

impl Run {
    fn ok(&self) -> &Run {
        assert_eq!(
            self.code,
            Some(0),
            "bankgen failed\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// The modules that ran a `tofu` command (phase checks are not modules).
    fn modules(&self) -> BTreeSet<String> {
        self.calls
            .iter()
            .filter(|c| c.cmd != "check")
            .map(|c| c.module.clone())
            .collect()
    }

    /// The attempts of a phase's check, in order.
    fn check_calls(&self, phase: u32) -> Vec<&Call> {
        let id = format!("phase-{phase}-check");
        self.calls.iter().filter(|c| c.module == id).collect()
    }

    fn check_report(&self, phase: u32) -> &Value {
        self.report["checks"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["phase"] == phase))
            .unwrap_or_else(|| panic!("no check of phase {phase} in the report\n{}", self.stderr))
    }

    /// `[first start, last end]` of each module's calls, in µs.
    fn spans(&self) -> BTreeMap<String, (u64, u64)> {
        let mut m: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for c in &self.calls {
            let end = c.end.unwrap_or(u64::MAX);
            let e = m.entry(c.module.clone()).or_insert((c.start, end));
            e.0 = e.0.min(c.start);
            e.1 = e.1.max(end);
        }
        m
    }

    fn status(&self) -> BTreeMap<String, String> {
        self.report["modules"]
            .as_array()
            .unwrap_or_else(|| panic!("no report\nstderr:\n{}", self.stderr))
            .iter()
            .map(|m| {
                (
                    m["id"].as_str().unwrap().to_string(),
                    m["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn with_status(&self, s: &str) -> BTreeSet<String> {
        self.status()
            .into_iter()
            .filter(|(_, st)| st == s)
            .map(|(m, _)| m)
            .collect()
    }

    fn cmds(&self, module: &str) -> Vec<&str> {
        self.calls
            .iter()
            .filter(|c| c.module == module)
            .map(|c| c.cmd.as_str())
            .collect()
    }

    /// Most modules ever running at once.
    fn max_parallel(&self) -> usize {
        let mut ev: Vec<(u64, i32)> = Vec::new();
        for (s, e) in self.spans().values() {
            ev.push((*s, 1));
            ev.push((*e, -1));
        }
        ev.sort(); // an end (-1) sorts before a start (+1) at the same instant
        let (mut cur, mut best) = (0i32, 0i32);
        for (_, d) in ev {
            cur += d;
            best = best.max(cur);
        }
        best as usize
    }
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Wait until `f` holds (polling), up to `secs`.
fn wait_for(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(secs) {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    f()
}

fn sigint(child: &Child) {
    // SAFETY: a signal to the bankgen process this test spawned.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
}

// ------------------------------------------------------------------------------------- order

/// The whole catalogue applied with -j 4: shared by the order and parallelism tests.
fn full_apply() -> &'static (Run, Deploy) {
    static R: OnceLock<(Run, Deploy)> = OnceLock::new();
    R.get_or_init(|| Deploy::new("apply").jobs(4).env("STUB_SLEEP", "0.01").run())
}

#[test]
fn apply_runs_every_module_init_plan_show_apply() {
    let (run, _) = full_apply();
    run.ok();
    let (cat, _) = catalog();
    assert_eq!(run.modules().len(), cat.modules.len());
    for m in &cat.modules {
        // Phase 0 has a completion check: its modules' states are read for their SSM outputs.
        let want: &[&str] = if m.phase == Some(0) {
            &["init", "plan", "show", "apply", "show"]
        } else {
            &["init", "plan", "show", "apply"]
        };
        assert_eq!(run.cmds(&m.id), want, "{}", m.id);
    }
    assert_eq!(run.check_calls(0).len(), 1, "the Phase 0 check ran once");
    assert_eq!(run.check_report(0)["status"], "ok");
    let apply = run.calls.iter().find(|c| c.cmd == "apply").unwrap();
    assert!(
        apply
            .args
            .ends_with(&format!("/local/{}/tfplan", apply.module)),
        "apply applies the saved plan: {}",
        apply.args
    );
    let plan = run.calls.iter().find(|c| c.cmd == "plan").unwrap();
    for flag in [
        "-input=false",
        "-no-color",
        "-detailed-exitcode",
        "-out=tfplan",
    ] {
        assert!(plan.args.contains(flag), "plan has {flag}");
    }
    assert_eq!(run.report["summary"]["ok"], cat.modules.len());
}

#[test]
fn order_respects_every_edge() {
    let (run, _) = full_apply();
    run.ok();
    let spans = run.spans();
    let (_, g) = catalog();
    let edges = g.edge_list();
    assert!(edges.len() > 1000);
    for e in &edges {
        let (a, b) = (spans[&e.from], spans[&e.to]);
        assert!(
            a.1 <= b.0,
            "{} ({:?}) must finish before {} starts ({:?} edge)",
            e.from,
            a,
            e.to,
            e.why
        );
    }
}

#[test]
fn parallelism_never_exceeds_jobs() {
    let (run, _) = full_apply();
    let n = run.max_parallel();
    assert!(n <= 4, "{n} modules ran at once with -j 4");
    assert!(n >= 2, "independent modules do run in parallel ({n})");
}

#[test]
fn parallelism_of_one_is_sequential() {
    let (run, _) = Deploy::new("plan")
        .jobs(1)
        .only(&PHASE0)
        .env("STUB_SLEEP", "0.05")
        .run();
    run.ok();
    assert_eq!(run.max_parallel(), 1);
    assert_eq!(run.modules(), set(&PHASE0));
}

#[test]
fn phase0_siblings_run_in_parallel_after_104() {
    let (run, _) = Deploy::new("apply")
        .jobs(4)
        .only(&PHASE0)
        .env("STUB_SLEEP", "0.3")
        .run();
    run.ok();
    let s = run.spans();
    for m in ["MOD-103", "MOD-102", "MOD-045", "MOD-076"] {
        assert!(s["MOD-104"].1 <= s[m].0, "{m} after MOD-104");
    }
    assert!(s["MOD-103"].1 <= s["MOD-046"].0 && s["MOD-045"].1 <= s["MOD-046"].0);
    assert_eq!(run.max_parallel(), 4, "103, 102, 045 and 076 overlap");
}

#[test]
fn critical_path_starts_first() {
    // With one slot, MOD-103 (on the way to MOD-046) starts before MOD-102 and MOD-076.
    let (run, _) = Deploy::new("plan").jobs(1).only(&PHASE0).run();
    run.ok();
    let s = run.spans();
    assert!(s["MOD-103"].0 < s["MOD-102"].0);
    assert!(s["MOD-045"].0 < s["MOD-076"].0);
}

// ----------------------------------------------------------------------------------- failure

#[test]
fn a_failure_skips_exactly_the_downstream_modules() {
    let (run, _) = Deploy::new("apply")
        .jobs(4)
        .env("STUB_FAIL", "MOD-007:plan")
        .run();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let (cat, g) = catalog();
    let mut downstream = g.downstream(["MOD-007"]);
    downstream.remove("MOD-007");
    assert!(!downstream.is_empty());
    assert_eq!(run.with_status("failed"), set(&["MOD-007"]));
    assert_eq!(run.with_status("skipped"), downstream);
    let ok = run.with_status("ok");
    assert_eq!(ok.len() + downstream.len() + 1, cat.modules.len());
    // Skipped modules never ran; independent branches did (Phase 2 does not need MOD-007).
    for m in &downstream {
        assert!(run.cmds(m).is_empty(), "{m} did not run");
    }
    let phase2: Vec<&str> = cat
        .modules
        .iter()
        .filter(|m| m.phase == Some(2))
        .map(|m| m.id.as_str())
        .collect();
    assert!(phase2.iter().all(|m| ok.contains(*m)));
    // The cause names the failed module; the terminal shows the tail of its log.
    let skipped = run.report["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["status"] == "skipped")
        .unwrap();
    assert!(skipped["cause"].as_str().unwrap().contains("MOD-007"));
    assert!(
        run.stderr.contains("something went wrong in MOD-007"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("MOD-007") && run.stdout.contains("failed"));
}

#[test]
fn fail_fast_starts_nothing_after_a_failure() {
    let (run, _) = Deploy::new("apply")
        .jobs(2)
        .arg("--fail-fast")
        .only(&PHASE0)
        .env("STUB_FAIL", "MOD-103:plan")
        .env("STUB_SLEEP", "0.2")
        .run();
    assert_eq!(run.code, Some(1));
    let failed_at = run
        .calls
        .iter()
        .find(|c| c.module == "MOD-103" && c.cmd == "plan")
        .and_then(|c| c.end)
        .unwrap();
    let s = run.spans();
    for (m, (start, _)) in &s {
        assert!(*start < failed_at, "{m} started after the failure");
    }
    assert!(!run.with_status("not-started").is_empty());
    assert_eq!(run.with_status("failed"), set(&["MOD-103"]));
}

#[test]
fn plan_with_no_changes_does_not_apply() {
    let (run, _) = Deploy::new("apply")
        .only(&["MOD-104"])
        .env("STUB_NOCHANGES", "all")
        .run();
    run.ok();
    // no apply; MOD-104 alone is part of Phase 0, so no check reads its state
    assert_eq!(run.cmds("MOD-104"), ["init", "plan"]);
    assert!(run.stdout.contains("+0 ~0 -0"));
}

/// Most `init` calls ever running at once.
fn max_parallel_inits(run: &Run) -> usize {
    let inits: Vec<&Call> = run.calls.iter().filter(|c| c.cmd == "init").collect();
    inits
        .iter()
        .map(|a| {
            inits
                .iter()
                .filter(|b| b.start <= a.start && a.start < b.end.unwrap_or(u64::MAX))
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn init_runs_in_parallel_without_a_plugin_cache_and_one_at_a_time_with_one() {
    let siblings = ["MOD-103", "MOD-102", "MOD-045", "MOD-076"];
    let (run, _) = Deploy::new("plan")
        .jobs(4)
        .only(&siblings)
        .env("STUB_INIT_SLEEP", "0.4")
        .run();
    run.ok();
    assert!(
        max_parallel_inits(&run) >= 2,
        "inits overlap with a filesystem mirror"
    );
    let cache = tempfile::tempdir().unwrap();
    let (run, _) = Deploy::new("plan")
        .jobs(4)
        .only(&siblings)
        .env("STUB_INIT_SLEEP", "0.2")
        .env("STUB_SLEEP", "0.6")
        .env("TF_PLUGIN_CACHE_DIR", cache.path().to_str().unwrap())
        .run();
    run.ok();
    assert_eq!(
        max_parallel_inits(&run),
        1,
        "the plugin cache is not safe for concurrent init"
    );
    assert!(run.stderr.contains("one module at a time"));
    assert!(run.max_parallel() >= 2, "plans still run in parallel");
}

// --------------------------------------------------------------------------------- interrupts

#[test]
fn ctrl_c_stops_gracefully_and_leaves_no_child() {
    let d = Deploy::new("apply")
        .jobs(4)
        .only(&PHASE0)
        .env("STUB_HANG", "MOD-102:apply MOD-076:apply")
        .env("STUB_SLEEP", "0.2");
    let child = d.spawn();
    let calls = d.calls_file();
    assert!(
        wait_for(60, || {
            let c = read_calls(&calls);
            ["MOD-102", "MOD-076"]
                .iter()
                .all(|m| c.iter().any(|x| x.module == *m && x.cmd == "apply"))
        }),
        "the hanging applies started"
    );
    sigint(&child);
    let out = child.wait_with_output().expect("bankgen exits");
    let run = d.collect(out);
    assert_eq!(run.code, Some(130), "stderr:\n{}", run.stderr);
    // Each running child got exactly one SIGINT (its own process group: not twice) and exited
    // by itself with Terraform's graceful code.
    for m in ["MOD-102", "MOD-076"] {
        let apply = run
            .calls
            .iter()
            .find(|c| c.module == m && c.cmd == "apply")
            .unwrap();
        assert_eq!(apply.ints, 1, "{m} got one SIGINT");
        assert_eq!(apply.exit, Some(1), "{m} stopped gracefully");
    }
    for c in &run.calls {
        assert!(c.end.is_some(), "{} {} ended", c.module, c.cmd);
        assert!(!alive(c.pid), "no stub left running ({})", c.pid);
    }
    let st = run.status();
    assert_eq!(st["MOD-102"], "interrupted");
    assert_eq!(st["MOD-076"], "interrupted");
    assert_eq!(run.report["interrupted"], true);
    // Nothing started after the interrupt: MOD-046 never ran.
    assert!(run.cmds("MOD-046").is_empty());
    assert!(run.stderr.contains("starting nothing new"));
}

#[test]
fn sigterm_is_forwarded_as_one_sigint() {
    let d = Deploy::new("apply")
        .only(&["MOD-104"])
        .env("STUB_HANG", "MOD-104:apply");
    let child = d.spawn();
    let calls = d.calls_file();
    assert!(wait_for(60, || read_calls(&calls)
        .iter()
        .any(|c| c.cmd == "apply")));
    // SAFETY: a signal to the bankgen process this test spawned.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let out = child.wait_with_output().expect("bankgen exits");
    let run = d.collect(out);
    assert_eq!(run.code, Some(130), "{}", run.stderr);
    let apply = run.calls.iter().find(|c| c.cmd == "apply").unwrap();
    assert_eq!((apply.ints, apply.exit), (1, Some(1)));
    assert!(!alive(apply.pid));
    assert!(run.stderr.contains("SIGTERM"));
    assert_eq!(run.status()["MOD-104"], "interrupted");
}

#[test]
fn a_second_ctrl_c_forwards_a_second_sigint() {
    let d = Deploy::new("apply")
        .only(&["MOD-104"])
        .env("STUB_HANG", "MOD-104:apply")
        .env("STUB_STUBBORN", "1");
    let mut child = d.spawn();
    let calls = d.calls_file();
    assert!(wait_for(60, || read_calls(&calls)
        .iter()
        .any(|c| c.cmd == "apply")));
    sigint(&child);
    assert!(wait_for(10, || read_calls(&calls)
        .iter()
        .any(|c| c.ints == 1)));
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "bankgen waits for the child after the first Ctrl-C"
    );
    sigint(&child);
    let out = child.wait_with_output().expect("bankgen exits");
    let run = d.collect(out);
    assert_eq!(run.code, Some(130));
    let apply = run.calls.iter().find(|c| c.cmd == "apply").unwrap();
    assert_eq!(apply.ints, 2);
    assert!(!alive(apply.pid));
    assert!(run.stderr.contains("forwarded another SIGINT"));
}

fn sigkill(child: &Child) {
    // SAFETY: a signal to the bankgen process this test spawned.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGKILL);
    }
}

fn run_record(out: &Path) -> Value {
    let path = out.join("local/.bankgen/run.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Start `d` with MOD-104's apply hanging, wait until that apply runs, then kill -9 bankgen.
/// Returns the apply's call.
fn kill_mid_apply(d: &Deploy) -> Call {
    let mut child = d.spawn();
    let calls = d.calls_file();
    assert!(wait_for(60, || read_calls(&calls)
        .iter()
        .any(|c| c.module == "MOD-104" && c.cmd == "apply")));
    let apply = read_calls(&calls)
        .into_iter()
        .find(|c| c.module == "MOD-104" && c.cmd == "apply")
        .unwrap();
    // The record names the running apply (it is written before the apply is waited for).
    assert!(wait_for(10, || {
        let r = run_record(&d.out());
        r["modules"][0]["tofu_pid"] == apply.pid
    }));
    sigkill(&child);
    let status = child.wait().expect("bankgen was killed");
    assert_eq!(status.code(), None, "killed by a signal");
    let r = run_record(&d.out());
    assert_eq!(
        r["status"], "running",
        "the record of a killed run stays `running`"
    );
    assert_eq!(r["action"], "apply");
    assert_eq!(r["pid"], child.id());
    assert_eq!(r["modules"][0]["id"], "MOD-104");
    assert_eq!(r["modules"][0]["status"], "running");
    assert_eq!(r["modules"][0]["step"], "apply");
    assert_eq!(r["modules"][1]["status"], "waiting");
    apply
}

#[test]
fn a_killed_run_is_reported_by_the_next_run_with_the_modules_it_left() {
    let d = Deploy::new("apply")
        .only(&["MOD-104", "MOD-103"])
        .env("STUB_HANG", "MOD-104:apply");
    let apply = kill_mid_apply(&d);
    // The orphaned apply was told to stop (SIGTERM when its parent died) and stopped gracefully.
    assert!(
        wait_for(10, || read_calls(&d.calls_file())
            .iter()
            .any(|c| c.pid == apply.pid && c.end.is_some())),
        "the orphaned apply stops with bankgen"
    );
    let orphan = read_calls(&d.calls_file())
        .into_iter()
        .find(|c| c.pid == apply.pid)
        .unwrap();
    // SIGTERM, once per bankgen thread the orphan was handed to as they died.
    assert!(orphan.ints >= 1, "{orphan:?}");
    assert_eq!(orphan.exit, Some(1));

    let (run, d) = d.env("STUB_HANG", "").run();
    run.ok();
    assert!(
        run.stderr.contains(&format!(
            "the last apply of `local` (bankgen pid {}",
            run_record_pid_of_killed(&run.stderr)
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("was killed"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "it left unfinished: MOD-104 (at apply, tofu pid {})",
            apply.pid
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 module(s) it never started"),
        "{}",
        run.stderr
    );
    // Its tofu was gone: nothing to wait for, and this run applied both modules.
    assert!(!run.stderr.contains("waiting up to"), "{}", run.stderr);
    assert_eq!(run.with_status("ok"), set(&["MOD-104", "MOD-103"]));
    let r = run_record(&d.out());
    assert_eq!(
        (&r["status"], &r["exit_code"]),
        (&"finished".into(), &0.into())
    );
    assert!(
        r["modules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["status"] == "ok")
    );
}

/// The bankgen pid in the "was killed" warning.
fn run_record_pid_of_killed(stderr: &str) -> String {
    let i = stderr.find("(bankgen pid ").expect("a killed-run warning") + 13;
    stderr[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect()
}

#[test]
fn a_tofu_the_killed_run_left_running_is_waited_for_then_its_module_refused() {
    // An apply stuck past the SIGTERM it gets when bankgen dies.
    let d = Deploy::new("apply")
        .only(&["MOD-104", "MOD-103"])
        .env("STUB_HANG", "MOD-104:apply")
        .env("STUB_IGNORE_TERM", "1");
    let apply = kill_mid_apply(&d);
    let ignored = |c: &Path| {
        std::fs::read_to_string(c)
            .unwrap_or_default()
            .lines()
            .any(|l| l.contains(&format!(" {} ", apply.pid)) && l.ends_with("ignored TERM"))
    };
    assert!(wait_for(10, || ignored(&d.calls_file())));
    let before = read_calls(&d.calls_file()).len();
    let (run, d) = d
        .env("STUB_HANG", "")
        .env("STUB_IGNORE_TERM", "0")
        .args(&["--wait-killed", "1"])
        .run();
    let still = alive(apply.pid);
    // SAFETY: the stub this test's bankgen started, still running (stopped here).
    unsafe {
        libc::kill(apply.pid as libc::pid_t, libc::SIGKILL);
    }
    assert!(still, "the stubborn apply outlived the second run");
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("waiting up to 1 s"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "MOD-104: refused: the killed run's `tofu apply` (pid {})",
            apply.pid
        )),
        "{}",
        run.stderr
    );
    // Never two tofu on one state: no command ran for MOD-104 (nor MOD-103, which needs it).
    let after: Vec<&Call> = run.calls[before..].iter().collect();
    assert!(after.is_empty(), "{after:?}");
    let st = run.status();
    assert_eq!(st["MOD-104"], "failed");
    assert_eq!(st["MOD-103"], "skipped");
    drop(d);
}

// ------------------------------------------------------------------------------ destroy, plans

#[test]
fn destroy_runs_in_reverse_order() {
    let (run, _) = Deploy::new("destroy")
        .jobs(4)
        .only(&PHASE0)
        .arg("--auto-approve")
        .env("STUB_SLEEP", "0.05")
        .run();
    run.ok();
    let s = run.spans();
    for m in ["MOD-103", "MOD-102", "MOD-045", "MOD-076", "MOD-046"] {
        assert!(s[m].1 <= s["MOD-104"].0, "{m} destroyed before MOD-104");
    }
    assert!(s["MOD-046"].1 <= s["MOD-103"].0);
    let plan = run.calls.iter().find(|c| c.cmd == "plan").unwrap();
    assert!(plan.args.contains("-destroy"));
    assert_eq!(run.report["summary"]["destroys"], 18);
    assert_eq!(
        run.cmds("MOD-104"),
        ["init", "show", "plan", "show", "apply"]
    );
}

#[test]
fn destroy_skips_modules_whose_state_is_empty() {
    let (run, _) = Deploy::new("destroy")
        .only(&PHASE0)
        .arg("--auto-approve")
        .env("STUB_EMPTY_STATE", "MOD-046 MOD-102")
        .run();
    run.ok();
    assert_eq!(
        run.cmds("MOD-046"),
        ["init", "show"],
        "nothing to destroy: no plan"
    );
    assert_eq!(run.cmds("MOD-102"), ["init", "show"]);
    assert_eq!(
        run.cmds("MOD-103"),
        ["init", "show", "plan", "show", "apply"]
    );
    assert_eq!(run.report["summary"]["destroys"], 12);
}

#[test]
fn destroy_without_a_terminal_asks_for_auto_approve() {
    let (run, _) = Deploy::new("destroy").only(&["MOD-104"]).run();
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--auto-approve"), "{}", run.stderr);
    assert!(run.calls.is_empty());
}

#[test]
fn apply_with_plans_applies_exactly_the_saved_plans() {
    let plans = tempfile::tempdir().unwrap();
    let p = plans.path().to_str().unwrap();
    let (plan, d) = Deploy::new("plan")
        .only(&PHASE0)
        .args(&["--plans", p])
        .env("STUB_NOCHANGES", "MOD-102 MOD-076")
        .run();
    plan.ok();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(plans.path().join("plans.json")).unwrap())
            .unwrap();
    let saved: BTreeSet<String> = manifest["plans"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(saved, set(&["MOD-104", "MOD-103", "MOD-045", "MOD-046"]));
    drop(d);
    let (apply, _) = Deploy::new("apply").args(&["--plans", p]).run();
    apply.ok();
    assert_eq!(apply.modules(), saved);
    for c in &apply.calls {
        assert_ne!(c.cmd, "plan", "apply --plans never plans again");
        if c.cmd == "apply" {
            assert!(
                c.args.ends_with(&format!("{p}/{}.tfplan", c.module)),
                "{}",
                c.args
            );
        }
    }
    let s = apply.spans();
    assert!(s["MOD-104"].1 <= s["MOD-103"].0);
}

// -------------------------------------------------------------------------------- selection

#[test]
fn only_runs_exactly_those_and_names_what_they_need() {
    let (run, _) = Deploy::new("plan").only(&["MOD-001", "MOD-007"]).run();
    run.ok();
    assert_eq!(run.modules(), set(&["MOD-001", "MOD-007"]));
    let s = run.spans();
    assert!(
        s["MOD-007"].1 <= s["MOD-001"].0,
        "MOD-001 depends on MOD-007"
    );
    assert!(run.stderr.contains("must already be deployed"));
    assert!(run.stderr.contains("MOD-104"));
}

#[test]
fn unknown_module_and_missing_binary_are_usage_errors() {
    let (run, _) = Deploy::new("plan").only(&["MOD-999"]).run();
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("MOD-999"));
    let (run, _) = Deploy::new("plan")
        .args(&["--tofu", "/nonexistent/tofu"])
        .run();
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("cannot find the Terraform CLI"),
        "{}",
        run.stderr
    );
    // Neither --tofu nor BANKGEN_TOFU, and no tofu on PATH.
    let empty = tempfile::tempdir().unwrap();
    let mut bare = bankgen();
    bare.args(["plan", "--env", "local", "--catalog"])
        .arg(repo().join("catalog"))
        .env("PATH", empty.path())
        .env_remove("BANKGEN_TOFU");
    let out = bare.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`tofu`"));
}

#[test]
fn json_streams_one_event_per_line_and_logs_go_to_files() {
    let (run, _keep) = Deploy::new("plan")
        .arg("--json")
        .only(&["MOD-104", "MOD-103"])
        .run();
    run.ok();
    let events: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"run"));
    assert_eq!(kinds.last(), Some(&"summary"));
    assert_eq!(kinds.iter().filter(|k| **k == "module_finished").count(), 2);
    let log = run.out.join("local/.bankgen/logs/MOD-104.log");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("init -input=false -no-color"));
    assert!(text.contains("Terraform has been successfully initialized"));
    let m = &run.report["modules"][0];
    assert_eq!(m["id"], "MOD-104");
    assert_eq!(m["adds"], 2);
    assert_eq!(m["changes"], 1);
    assert_eq!(m["destroys"], 0);
    assert!(m["log"].as_str().unwrap().ends_with("MOD-104.log"));
    assert!(m["duration_s"].as_f64().is_some());
}

#[test]
fn lint_errors_stop_the_run_before_any_tofu() {
    // A policy the rendered tree does not meet: the trail must deliver under another prefix.
    let pol = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("policies"), pol.path());
    let f = pol.path().join("cloudtrail.yaml");
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(
        &f,
        text.replace("key_prefix: cloudtrail", "key_prefix: elsewhere"),
    )
    .unwrap();
    let (run, _) = Deploy::new("apply")
        .only(&["MOD-104"])
        .args(&["--policies", pol.path().to_str().unwrap(), "--short"])
        .run();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("BGL601"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was planned"));
    assert!(run.calls.is_empty(), "no tofu ran");
}

// ---------------------------------------------------------------------------- --changed-since

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Point every phase check of the catalogue in `dir` at `tests/stub-check` (the shipped
/// `bankgen verify` needs a live AWS API).
fn stub_checks(dir: &Path) {
    let path = dir.join("domains.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let stub = format!("run: [\"{}\"]", repo().join("tests/stub-check").display());
    assert!(
        text.contains("run: [bankgen, verify]"),
        "domains.yaml has the Phase 0 check"
    );
    let text = text
        .replace("run: [bankgen, verify]", &stub)
        .replace("retry_delay_seconds: 10", "retry_delay_seconds: 0");
    std::fs::write(&path, text).unwrap();
}

/// A git repository holding a copy of the catalogue (and a templates folder), committed.
fn git_repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("catalog"), &d.path().join("catalog"));
    stub_checks(&d.path().join("catalog"));
    std::fs::create_dir_all(d.path().join("templates")).unwrap();
    std::fs::write(d.path().join("templates/README"), "templates\n").unwrap();
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "-A"]);
    git(d.path(), &["commit", "-qm", "catalogue"]);
    d
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn graph_selection(repo: &Path, rev: &str) -> BTreeSet<String> {
    let catalog = repo.join("catalog");
    let run = Test::in_repo().cmd([
        "graph",
        "--format",
        "json",
        "--changed-since",
        rev,
        "--catalog",
        catalog.to_str().expect("a UTF-8 path"),
    ]);
    let v: Value = serde_json::from_slice(&run.success().output.stdout).unwrap();
    v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn changed_since_selects_the_changed_module_and_its_downstream() {
    let r = git_repo();
    assert!(
        graph_selection(r.path(), "HEAD").is_empty(),
        "nothing changed yet"
    );
    append(
        &r.path().join("catalog/modules/MOD-007.yaml"),
        "# a change\n",
    );
    let (_, g) = catalog();
    let expected = g.downstream(["MOD-007"]);
    assert!(expected.len() > 10 && expected.len() < 140);
    assert_eq!(graph_selection(r.path(), "HEAD"), expected);
    // The runner picks the same set.
    let (run, _) = Deploy::new("plan")
        .catalog(&r.path().join("catalog"))
        .args(&["--changed-since", "HEAD"])
        .jobs(4)
        .run();
    run.ok();
    assert_eq!(run.modules(), expected);
}

#[test]
fn changed_since_platform_files_and_templates_select_everything() {
    let (cat, _) = catalog();
    let r = git_repo();
    append(&r.path().join("catalog/domains.yaml"), "# a change\n");
    assert_eq!(graph_selection(r.path(), "HEAD").len(), cat.modules.len());
    git(r.path(), &["commit", "-qam", "domains"]);
    assert!(graph_selection(r.path(), "HEAD").is_empty());
    std::fs::write(r.path().join("templates/new.tf.j2"), "x\n").unwrap();
    assert_eq!(graph_selection(r.path(), "HEAD").len(), cat.modules.len());
}

#[test]
fn changed_since_an_events_file_selects_its_consumers() {
    let (cat, g) = catalog();
    let r = git_repo();
    append(
        &r.path().join("catalog/events/bank-kyc.yaml"),
        "# a change\n",
    );
    let consumers: Vec<&str> = cat
        .subscriptions
        .iter()
        .filter(|s| s.loc.file.name.ends_with("bank-kyc.yaml") || s.bus == "bank-kyc")
        .map(|s| s.consumer.as_str())
        .collect();
    assert!(!consumers.is_empty());
    let expected = g.downstream(consumers.iter().copied());
    assert_eq!(graph_selection(r.path(), "HEAD"), expected);
}

#[test]
fn changed_since_a_bad_revision_is_a_usage_error() {
    let r = git_repo();
    let (run, _) = Deploy::new("plan")
        .catalog(&r.path().join("catalog"))
        .args(&["--changed-since", "no-such-rev"])
        .cwd(r.path())
        .run();
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("no-such-rev"), "{}", run.stderr);
}

// ------------------------------------------------------------------------ phase completion checks

/// Give phase `phase` of the catalogue in `dir` a check (the stub), with `timeout` and `retries`.
fn add_check(dir: &Path, phase: u32, timeout: u32, retries: u32) {
    let path = dir.join("domains.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text
        .find(&format!("  - id: {phase}\n"))
        .expect("the phase is in domains.yaml");
    let signal = start + text[start..].find("    completion_signal:").unwrap();
    let end = signal + text[signal..].find('\n').unwrap() + 1;
    let check = format!(
        "    check:\n      run: [\"{}\"]\n      timeout_seconds: {timeout}\n      retries: {retries}\n      retry_delay_seconds: 0\n",
        repo().join("tests/stub-check").display()
    );
    std::fs::write(&path, format!("{}{check}{}", &text[..end], &text[end..])).unwrap();
}

/// Modules of the shipped catalogue that wait for `phase` (through any gate).
fn waiting_for(phase: u32) -> BTreeSet<String> {
    let (cat, _) = catalog();
    cat.modules
        .iter()
        .filter(|m| match (m.phase, m.after_phase) {
            (Some(p), _) => cat.phases_before(p).contains(&phase),
            (None, Some(a)) => a == phase || cat.phases_before(a).contains(&phase),
            _ => false,
        })
        .map(|m| m.id.clone())
        .collect()
}

fn in_phase(phase: u32) -> BTreeSet<String> {
    let (cat, _) = catalog();
    cat.modules
        .iter()
        .filter(|m| m.phase == Some(phase))
        .map(|m| m.id.clone())
        .collect()
}

#[test]
fn a_passing_check_runs_between_its_phase_and_the_phases_it_gates() {
    let env_file = tempfile::NamedTempFile::new().unwrap();
    let (run, _dir) = full_apply_with_env(env_file.path());
    run.ok();
    let check = run.check_calls(0);
    assert_eq!(check.len(), 1);
    let (start, end) = (check[0].start, check[0].end.unwrap());
    let spans = run.spans();
    for m in in_phase(0) {
        assert!(
            spans[&m].1 <= start,
            "{m} finished before the Phase 0 check"
        );
    }
    for m in waiting_for(0) {
        assert!(
            end <= spans[&m].0,
            "{m} started after the Phase 0 check passed"
        );
    }
    let c = run.check_report(0);
    assert_eq!(
        (c["status"].as_str(), c["attempts"].as_u64()),
        (Some("ok"), Some(1))
    );
    // The check gets the environment and the phase's SSM outputs (from the modules' states).
    let env = std::fs::read_to_string(env_file.path()).unwrap();
    for line in [
        "BANKGEN_ENV=local",
        "BANKGEN_PHASE=0",
        "BANKGEN_PHASE_NAME=Foundation",
        "BANKGEN_REGION=ap-southeast-2",
        "BANKGEN_ATTEMPT=1",
        "BANKGEN_SSM_STUB_MOD_104_ARN=arn:stub:MOD-104",
        "BANKGEN_SSM_STUB_MOD_045_ARN=arn:stub:MOD-045",
    ] {
        assert!(env.lines().any(|l| l == line), "{line} in\n{env}");
    }
    let outputs = env
        .lines()
        .find_map(|l| l.strip_prefix("BANKGEN_SSM_OUTPUTS="))
        .unwrap();
    let outputs: Value = serde_json::from_str(&std::fs::read_to_string(outputs).unwrap()).unwrap();
    assert_eq!(outputs["/bank/local/stub/MOD-104/arn"], "arn:stub:MOD-104");
    assert_eq!(c["ssm_outputs"].as_u64(), Some(in_phase(0).len() as u64));
}

fn full_apply_with_env(env_file: &Path) -> (Run, Deploy) {
    Deploy::new("apply")
        .jobs(4)
        .env("STUB_CHECK_ENV", &env_file.display().to_string())
        .run()
}

#[test]
fn a_failing_check_stops_exactly_the_phases_gated_on_it() {
    // Phase 1's check fails: phases 3-7 wait for Phase 1; Phase 2 and SD07's runtime modules
    // wait for Phase 0 only and go on.
    let (run, _) = Deploy::new("apply")
        .jobs(4)
        .edit_catalog(|d| add_check(d, 1, 30, 1))
        .env("STUB_CHECK_FAIL", "1")
        .run();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let (_, g) = catalog();
    let gated = g.downstream(waiting_for(1).iter().map(String::as_str));
    assert!(!gated.is_empty());
    assert!(gated.is_disjoint(&in_phase(2)));
    assert_eq!(run.with_status("skipped"), gated);
    assert!(run.with_status("failed").is_empty(), "no module failed");
    let (cat, _) = catalog();
    assert_eq!(run.with_status("ok").len() + gated.len(), cat.modules.len());
    for m in &gated {
        assert!(run.cmds(m).is_empty(), "{m} did not run");
    }
    assert!(in_phase(2).is_subset(&run.with_status("ok")));
    // Both attempts ran; the report names the check, its cause and its output.
    assert_eq!(run.check_calls(1).len(), 2);
    let c = run.check_report(1);
    assert_eq!(c["status"], "failed");
    assert_eq!(c["attempts"], 2);
    assert!(
        c["cause"]
            .as_str()
            .unwrap()
            .contains("phase 1 check failed after 2 attempt(s): exit 1")
    );
    let tail: Vec<&str> = c["output_tail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        tail.iter()
            .any(|l| l.contains("FAIL SSM /bank/local/stub/contract")),
        "{tail:?}"
    );
    let skipped = run.report["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["status"] == "skipped")
        .unwrap();
    assert!(skipped["cause"].as_str().unwrap().contains("phase-1-check"));
    assert!(
        run.stdout.contains("CHECK") && run.stdout.contains("FAIL SSM"),
        "{}",
        run.stdout
    );
    assert_eq!(run.check_report(0)["status"], "ok");
}

#[test]
fn a_check_is_retried_until_it_passes() {
    let (run, _) = Deploy::new("apply")
        .only(&["MOD-104", "MOD-007"])
        .edit_catalog(|d| {
            let p = d.join("domains.yaml");
            let t = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, t.replace("retries: 2", "retries: 3")).unwrap();
        })
        .env("STUB_CHECK_PASS_ON", "3")
        .run();
    run.ok();
    let calls = run.check_calls(0);
    let attempts: Vec<&str> = calls.iter().map(|c| c.args.as_str()).collect();
    assert_eq!(attempts, ["attempt=1", "attempt=2", "attempt=3"]);
    assert_eq!(run.check_report(0)["attempts"], 3);
    assert_eq!(run.with_status("ok"), set(&["MOD-104", "MOD-007"]));
    assert!(run.spans()["MOD-007"].0 >= calls[2].end.unwrap());
}

#[test]
fn a_check_past_its_timeout_is_stopped_and_fails() {
    let t = Instant::now();
    let (run, _) = Deploy::new("apply")
        .only(&["MOD-104", "MOD-007"])
        .edit_catalog(|d| {
            let p = d.join("domains.yaml");
            let t = std::fs::read_to_string(&p).unwrap();
            let t = t
                .replace("timeout_seconds: 120", "timeout_seconds: 1")
                .replace("retries: 2", "retries: 0");
            std::fs::write(&p, t).unwrap();
        })
        .env("STUB_CHECK_HANG", "0")
        .run();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let c = run.check_report(0);
    assert_eq!(c["status"], "failed");
    assert!(
        c["cause"].as_str().unwrap().contains("timed out after 1 s"),
        "{c}"
    );
    assert_eq!(run.with_status("skipped"), set(&["MOD-007"]));
    // The stub saw the SIGTERM (exit 143); no check process is left.
    assert_eq!(run.check_calls(0)[0].exit, Some(143));
    assert!(!alive(run.check_calls(0)[0].pid));
    assert!(t.elapsed() < Duration::from_secs(60));
}

#[test]
fn skip_checks_runs_none_and_says_so_loudly() {
    let (run, _) = Deploy::new("apply")
        .only(&["MOD-104", "MOD-007"])
        .arg("--skip-checks")
        .env("STUB_CHECK_FAIL", "0")
        .run();
    run.ok();
    assert!(run.check_calls(0).is_empty(), "no check ran");
    assert_eq!(run.report["checks_skipped"], serde_json::json!([0]));
    assert_eq!(run.report["checks"], serde_json::json!([]));
    assert!(
        run.stderr.contains("WARNING: --skip-checks"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("--skip-checks: the completion checks of phase(s) 0 DID NOT RUN"),
        "{}",
        run.stdout
    );
    // Without a check, nothing reads the states for outputs.
    assert_eq!(run.cmds("MOD-104"), ["init", "plan", "show", "apply"]);
}

#[test]
fn plan_and_destroy_run_no_checks() {
    let (run, _) = Deploy::new("plan").only(&["MOD-104", "MOD-007"]).run();
    run.ok();
    assert!(run.check_calls(0).is_empty());
    assert_eq!(run.report["checks"], serde_json::json!([]));
}

#[test]
fn part_of_a_phase_runs_no_check_the_whole_phase_does() {
    // One CI job per module: MOD-104 alone leaves Phase 0 incomplete and gates nothing here.
    let (run, _) = Deploy::new("apply").only(&["MOD-104"]).run();
    run.ok();
    assert!(run.check_calls(0).is_empty());
    let whole: Vec<String> = in_phase(0).into_iter().collect();
    let whole: Vec<&str> = whole.iter().map(String::as_str).collect();
    let (run, _) = Deploy::new("apply").only(&whole).run();
    run.ok();
    assert_eq!(run.check_calls(0).len(), 1);
    assert_eq!(run.check_report(0)["status"], "ok");
}

// ------------------------------------------------------------------- rollback and promotion

impl Deploy {
    /// Another bankgen command on the same output folder, with a fresh call log and report.
    fn then(mut self, action: &'static str, args: &[&str]) -> Deploy {
        let _ = std::fs::remove_file(self.calls_file());
        let _ = std::fs::remove_file(self.report_file());
        self.action = action;
        self.args = args.iter().map(|s| s.to_string()).collect();
        self.envs.clear();
        self
    }
}

const LANDING: &str = "catalog/modules/MOD-104.yaml";

/// The expiration of bank-firehose-landing's `expire-24h` rule as rendered for `env`.
fn landing_expiry(out: &Path, env: &str) -> u32 {
    let text = std::fs::read_to_string(out.join(env).join("MOD-104/s3.tf")).unwrap();
    let rule = &text[text
        .find("\"expire-24h\"")
        .expect("the landing rule is rendered")..];
    let days = &rule[rule.find("expiration {").unwrap()..];
    let days = &days[days.find("days = ").unwrap() + 7..];
    days[..days.find('\n').unwrap()].trim().parse().unwrap()
}

fn set_landing_expiry(repo: &Path, days: u32) {
    let path = repo.join(LANDING);
    let text = std::fs::read_to_string(&path).unwrap();
    let rule = text.find("id: expire-24h").unwrap();
    let at = rule + text[rule..].find("expiration_days: ").unwrap() + "expiration_days: ".len();
    let end = at + text[at..].find('\n').unwrap();
    std::fs::write(&path, format!("{}{days}{}", &text[..at], &text[end..])).unwrap();
}

/// Two modules added to the repository's catalogue: MOD-178 depends on MOD-177.
fn add_two_modules(repo: &Path) {
    let base = std::fs::read_to_string(crate::support::repo().join("catalog/modules/MOD-173.yaml"))
        .unwrap();
    let dir = repo.join("catalog/modules");
    std::fs::write(dir.join("MOD-177.yaml"), base.replace("MOD-173", "MOD-177")).unwrap();
    let dependent =
        base.replace("MOD-173", "MOD-178") + "  - module: MOD-177\n    contract: hard\n";
    std::fs::write(dir.join("MOD-178.yaml"), dependent).unwrap();
}

fn record(out: &Path, env: &str) -> Value {
    let path = out.join(env).join(".bankgen/last-apply.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn head(repo: &Path) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn rollback_renders_the_old_revision_destroys_what_it_lacks_and_applies_in_order() {
    let r = git_repo();
    let before = head(r.path());
    set_landing_expiry(r.path(), 3);
    add_two_modules(r.path());
    git(r.path(), &["add", "-A"]);
    git(
        r.path(),
        &["commit", "-qm", "landing expiry 3 days; MOD-177, MOD-178"],
    );
    let cat = r.path().join("catalog");
    let selection = ["MOD-104", "MOD-103", "MOD-177", "MOD-178"];
    let (run, d) = Deploy::new("apply").catalog(&cat).only(&selection).run();
    run.ok();
    assert_eq!(landing_expiry(&run.out, "local"), 3);
    assert_eq!(
        record(&run.out, "local")["revision"]["commit"],
        head(r.path())
    );

    let mut args = vec![
        "--env",
        "local",
        "--to",
        "HEAD~1",
        "--auto-approve",
        "--only",
    ];
    args.extend(selection);
    let (run, _d) = d.then("rollback", &args).run();
    run.ok();
    // The catalogue as it was, rendered into the same tree; the working tree is untouched.
    assert_eq!(landing_expiry(&run.out, "local"), 1);
    assert!(r.path().join("catalog/modules/MOD-177.yaml").is_file());
    // Plan (kept plans) → destroy the modules added since, dependent first → apply the plans.
    let order: Vec<(String, String)> = run
        .calls
        .iter()
        .filter(|c| c.cmd == "plan" || c.cmd == "apply")
        .map(|c| (c.module.clone(), c.cmd.clone()))
        .collect();
    let pos = |m: &str, cmd: &str, destroy: bool| {
        run.calls
            .iter()
            .position(|c| c.module == m && c.cmd == cmd && c.args.contains("-destroy") == destroy)
            .unwrap_or_else(|| panic!("{m} {cmd}: {order:?}"))
    };
    for m in ["MOD-104", "MOD-103"] {
        assert!(
            pos(m, "plan", false) < pos("MOD-178", "plan", true),
            "{m} planned first"
        );
        assert!(
            pos("MOD-177", "apply", false) < pos(m, "apply", false),
            "removals first"
        );
        assert!(
            run.calls[pos(m, "apply", false)]
                .args
                .ends_with(&format!("rollback-plans/{m}.tfplan")),
            "applies the plan that was shown"
        );
    }
    assert!(pos("MOD-178", "apply", false) < pos("MOD-177", "plan", true));
    assert!(pos("MOD-104", "apply", false) < pos("MOD-103", "apply", false));
    assert_eq!(
        run.cmds("MOD-104").iter().filter(|c| **c == "plan").count(),
        1
    );
    assert!(
        run.stderr
            .contains("schema migrations are never rolled back"),
        "{}",
        run.stderr
    );
    let rec = record(&run.out, "local");
    assert_eq!(rec["command"], "rollback");
    assert_eq!(rec["revision"]["commit"], before);
    assert_eq!(rec["removed"].as_array().unwrap().len(), 2);
    assert!(
        rec["modules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["status"] == "ok")
    );
}

#[test]
fn rollback_refuses_what_it_cannot_do_before_any_tofu() {
    let r = git_repo();
    let cat = r.path().join("catalog");
    let rollback = |args: &[&str]| {
        let mut all = vec!["--env", "local"];
        all.extend(args);
        Deploy::new("plan").then("rollback", &all)
    };
    let (run, _) = rollback(&["--to", "no-such-rev", "--auto-approve"])
        .catalog(&cat)
        .run();
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("`no-such-rev` is not a commit"),
        "{}",
        run.stderr
    );
    assert!(run.calls.is_empty());
    // A catalogue outside git.
    let plain = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("catalog"), &plain.path().join("catalog"));
    let (run, _) = rollback(&["--to", "HEAD", "--auto-approve"])
        .catalog(&plain.path().join("catalog"))
        .run();
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("not in a git repository"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--catalog DIR"));
    // Without a terminal to ask on.
    let (run, _) = rollback(&["--to", "HEAD"]).catalog(&cat).run();
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--auto-approve"), "{}", run.stderr);
    assert!(run.calls.is_empty());
    // A revision whose catalogue is invalid.
    std::fs::write(
        r.path().join("catalog/platform.yaml"),
        "tenant: [unclosed\n",
    )
    .unwrap();
    git(r.path(), &["commit", "-qam", "broken"]);
    git(r.path(), &["revert", "--no-edit", "HEAD"]);
    let (run, _) = rollback(&["--to", "HEAD~1", "--auto-approve"])
        .catalog(&cat)
        .run();
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("the catalogue at HEAD~1"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("pick another revision"));
    assert!(run.calls.is_empty());
}

#[test]
fn promote_refuses_a_dev_apply_that_was_not_green() {
    let r = git_repo();
    let cat = r.path().join("catalog");
    let (run, d) = Deploy::new("plan")
        .then(
            "apply",
            &["--env", "dev", "--only", "MOD-104", "MOD-103", "MOD-046"],
        )
        .catalog(&cat)
        .env("STUB_FAIL", "MOD-103:apply")
        .run();
    assert_eq!(run.code, Some(1));
    let rec = record(&run.out, "dev");
    assert_eq!(rec["partial"], true);
    assert_eq!(rec["revision"]["dirty"], false);
    let (run, _) = d.then("promote", &["--from", "dev", "--to", "uat"]).run();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("not fully green"), "{}", run.stderr);
    assert!(run.stderr.contains("MOD-103 failed"), "{}", run.stderr);
    assert!(run.stderr.contains("MOD-046 skipped"), "{}", run.stderr);
    assert!(run.calls.is_empty());
    assert!(!run.out.join("uat").exists());
}

#[test]
fn promote_applies_the_recorded_revision_not_the_working_tree() {
    let r = git_repo();
    let cat = r.path().join("catalog");
    set_landing_expiry(r.path(), 5);
    git(r.path(), &["commit", "-qam", "landing expiry 5 days"]);
    let promoted = head(r.path());
    let (run, d) = Deploy::new("plan")
        .then("apply", &["--env", "dev", "--only", "MOD-104"])
        .catalog(&cat)
        .run();
    run.ok();
    assert_eq!(record(&run.out, "dev")["revision"]["commit"], promoted);
    // The catalogue moves on, committed and not.
    set_landing_expiry(r.path(), 7);
    git(r.path(), &["commit", "-qam", "landing expiry 7 days"]);
    set_landing_expiry(r.path(), 9);
    // From the record in a folder of its own, as a CI artefact.
    let artefact = tempfile::tempdir().unwrap();
    let copy = artefact.path().join("dev-last-apply.json");
    std::fs::copy(run.out.join("dev/.bankgen/last-apply.json"), &copy).unwrap();
    let (run, d) = d
        .then(
            "promote",
            &[
                "--from",
                "dev",
                "--to",
                "uat",
                "--record",
                copy.to_str().unwrap(),
            ],
        )
        .run();
    run.ok();
    assert_eq!(landing_expiry(&run.out, "uat"), 5);
    assert_eq!(
        run.modules(),
        set(&["MOD-104"]),
        "the partial run's modules only"
    );
    // Part of Phase 0: no completion check, as for apply.
    assert_eq!(run.cmds("MOD-104"), ["init", "plan", "show", "apply"]);
    assert!(run.check_calls(0).is_empty());
    assert!(run.stderr.contains("partial"), "{}", run.stderr);
    let rec = record(&run.out, "uat");
    assert_eq!(rec["command"], "promote");
    assert_eq!(rec["revision"]["commit"], promoted);
    // An apply from uncommitted changes is recorded as dirty and cannot be promoted.
    let (run, d) = d
        .then("apply", &["--env", "dev", "--only", "MOD-104"])
        .run();
    run.ok();
    assert_eq!(record(&run.out, "dev")["revision"]["dirty"], true);
    assert!(run.stderr.contains("cannot be promoted"), "{}", run.stderr);
    let (run, _) = d.then("promote", &["--from", "dev", "--to", "uat"]).run();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("uncommitted changes"), "{}", run.stderr);
    assert!(run.calls.is_empty());
}

#[test]
fn a_rollback_whose_plan_fails_changes_nothing() {
    let r = git_repo();
    set_landing_expiry(r.path(), 3);
    git(r.path(), &["commit", "-qam", "landing expiry 3 days"]);
    let (run, _) = Deploy::new("plan")
        .then(
            "rollback",
            &[
                "--env",
                "local",
                "--to",
                "HEAD~1",
                "--auto-approve",
                "--only",
                "MOD-104",
                "MOD-103",
            ],
        )
        .catalog(&r.path().join("catalog"))
        .env("STUB_FAIL", "MOD-103:plan")
        .run();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("nothing was rolled back"),
        "{}",
        run.stderr
    );
    assert!(
        run.calls.iter().all(|c| c.cmd != "apply"),
        "nothing applied"
    );
    assert!(!run.out.join("local/.bankgen/last-apply.json").exists());
}

// ------------------------------------------------------------------------- durations

#[test]
fn the_longest_remaining_time_starts_first_and_durations_are_recorded() {
    // Two modules of one phase with no order between them: by module count the lower id
    // starts first (-j 1); with the other one known to take longer, it starts first.
    let (_, g) = catalog();
    let phase2: Vec<String> = in_phase(2).into_iter().collect();
    let (a, b) = phase2
        .iter()
        .flat_map(|a| phase2.iter().map(move |b| (a, b)))
        .find(|(a, b)| a < b && !g.before(a, b) && !g.before(b, a))
        .expect("two independent Phase 2 modules");
    let first = |run: &Run| {
        let s = run.spans();
        if s[a].0 < s[b].0 {
            a.clone()
        } else {
            b.clone()
        }
    };
    let (run, d) = Deploy::new("plan").jobs(1).only(&[a, b]).run();
    run.ok();
    assert_eq!(&first(&run), a, "unit weights: ties by id");
    // The run recorded its durations for the next plan.
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(d.out().join("local/.bankgen/durations.json")).unwrap(),
    )
    .unwrap();
    assert!(recorded["plan"][a].as_f64().is_some() && recorded["plan"][b].as_f64().is_some());
    // The next run of the same environment uses the recorded durations.
    let slow_b = serde_json::json!({"plan": {a.as_str(): 1.0, b.as_str(): 30.0}});
    std::fs::write(
        d.out().join("local/.bankgen/durations.json"),
        slow_b.to_string(),
    )
    .unwrap();
    std::fs::remove_file(d.calls_file()).unwrap();
    let (run, d) = d.run();
    run.ok();
    assert_eq!(&first(&run), b, "recorded durations rank the paths");
    let report = d.dir.path().join("slow-b.json");
    let modules = serde_json::json!({"modules": [
        {"id": a, "status": "ok", "duration_s": 1.0},
        {"id": b, "status": "ok", "duration_s": 30.0}]});
    std::fs::write(&report, modules.to_string()).unwrap();
    let (run, _) = Deploy::new("plan")
        .jobs(1)
        .only(&[a, b])
        .args(&["--durations", &report.display().to_string()])
        .run();
    run.ok();
    assert_eq!(
        &first(&run),
        b,
        "the module known to take longer starts first"
    );
}
