//! What every integration test shares: where the repository is, the one way to run the real
//! binary, and the library's view of the shipped catalogue.
//!
//! `Test::new().args(["check"]).run().success().stdout_has("modules 142")`: run the real
//! binary in a temporary folder holding an optional catalogue copy (or, `Test::in_repo()`, in
//! the repository's root, where relative paths such as `tests/fixtures/...` and `catalog` are
//! the repository's). Builders with more to set up (the deploy tests' `Deploy`) start from
//! `bankgen()`.

use bankgen::catalog::CatalogSource;
use bankgen::lint::{self, Finding, Policies, Report, Request};
use bankgen::model::Catalog;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository's root (the package folder; cargo runs the tests there).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path below the repository's root as an argument, e.g. `repo_path("catalog")`.
pub fn repo_path(rel: &str) -> String {
    repo().join(rel).to_str().expect("a UTF-8 path").to_string()
}

/// The command every run of the binary starts from: the executable cargo built, without a
/// `BANKGEN_CATALOG` of the caller's environment.
pub fn bankgen() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bankgen"));
    cmd.env_remove("BANKGEN_CATALOG");
    cmd
}

pub struct Test {
    pub dir: tempfile::TempDir,
    /// Where the runs happen: the temporary folder, or the repository's root.
    cwd: PathBuf,
    args: Vec<String>,
}

impl Test {
    pub fn new() -> Test {
        let dir = tempfile::tempdir().expect("temp dir");
        Test {
            cwd: dir.path().to_path_buf(),
            dir,
            args: Vec::new(),
        }
    }

    /// Runs in the repository's root (the temporary folder is still there, for outputs).
    pub fn in_repo() -> Test {
        Test {
            cwd: repo(),
            ..Test::new()
        }
    }

    /// A copy of the shipped catalogue at `./catalog`, which bankgen picks up by default.
    pub fn with_catalog(self) -> Test {
        copy_dir(&repo().join("catalog"), &self.dir.path().join("catalog"));
        self
    }

    /// A copy of a shipped example catalogue (`examples/NAME`) at `./catalog`.
    pub fn with_example(self, name: &str) -> Test {
        copy_dir(
            &repo().join("examples").join(name),
            &self.dir.path().join("catalog"),
        );
        self
    }

    /// Write a file below the test folder.
    pub fn file(self, rel: &str, text: &str) -> Test {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
        self
    }

    /// Change one catalogue file with a text replacement; panics when the text is not there.
    pub fn edit(self, rel: &str, from: &str, to: &str) -> Test {
        let path = self.dir.path().join(rel);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
        self
    }

    pub fn remove(self, rel: &str) -> Test {
        std::fs::remove_file(self.dir.path().join(rel)).expect("remove");
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn run(&self) -> Run {
        self.cmd(self.args.clone())
    }

    /// Run with these arguments, keeping the test folder for further runs.
    pub fn cmd<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.cmd_in("", &[], args)
    }

    /// Run in the subfolder `cwd` of the folder the runs happen in (made if missing), with
    /// extra environment variables.
    pub fn cmd_in<I, S>(&self, cwd: &str, env: &[(&str, &str)], args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let args: Vec<String> = args.into_iter().map(Into::into).collect();
        let dir = self.cwd.join(cwd);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let mut cmd = bankgen();
        cmd.current_dir(dir).args(&args).envs(env.iter().copied());
        Run {
            output: cmd.output().expect("bankgen runs"),
            args: args.join(" "),
        }
    }
}

impl Test {
    /// Run with stdout a pipe whose reading end is already closed (`bankgen … | head -0`).
    pub fn cmd_into_closed_pipe(&self, args: &[&str]) -> Run {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let output = bankgen()
            .current_dir(&self.cwd)
            .args(args)
            .stdout(writer)
            .output()
            .expect("bankgen runs");
        Run {
            output,
            args: args.join(" "),
        }
    }
}

pub struct Run {
    pub output: Output,
    args: String,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn status(&self, code: i32) -> &Run {
        assert_eq!(
            self.code(),
            code,
            "`bankgen {}` exited {}, expected {code}\nstdout:\n{}\nstderr:\n{}",
            self.args,
            self.code(),
            self.stdout(),
            self.stderr()
        );
        self
    }

    pub fn success(&self) -> &Run {
        self.status(0)
    }

    pub fn stdout_has(&self, needle: &str) -> &Run {
        assert!(
            self.stdout().contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout()
        );
        self
    }

    pub fn stderr_has(&self, needle: &str) -> &Run {
        assert!(
            self.stderr().contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr()
        );
        self
    }
}

/// Copy the folder `from`, with everything below it, to `to` (made if missing).
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(from).expect("prefix");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// Every file below `dir` as (relative path, contents), sorted.
pub fn read_tree(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .into_owned();
            out.push((rel, std::fs::read_to_string(entry.path()).expect("read")));
        }
    }
    out
}

/// The line (1-based) of byte offset `at` in `text`.
pub fn line_of(text: &str, at: usize) -> u64 {
    text[..at].matches('\n').count() as u64 + 1
}

// ------------------------------------------------------------------ in process: the library

/// The repository's catalogue, loaded once.
pub fn catalog() -> &'static Catalog {
    static CAT: OnceLock<Catalog> = OnceLock::new();
    CAT.get_or_init(|| load_catalog(&repo().join("catalog")))
}

/// The catalogue in the folder `dir`; panics when it does not load.
pub fn load_catalog(dir: &Path) -> Catalog {
    match bankgen::load_catalog(&CatalogSource::Dir(dir.to_path_buf())) {
        Ok((c, _)) => c,
        Err(p) => panic!("the catalogue in {} does not load: {p:?}", dir.display()),
    }
}

pub fn policies() -> &'static Policies {
    static P: OnceLock<Policies> = OnceLock::new();
    P.get_or_init(Policies::embedded)
}

/// Lint Terraform paths with the repository's catalogue as context (no catalogue rules).
pub fn lint_paths(paths: &[&Path]) -> Report {
    lint_paths_with(paths, policies())
}

/// The same with other policies (a fixture's own `policies/` folder).
pub fn lint_paths_with(paths: &[&Path], policies: &Policies) -> Report {
    let req = Request {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
        catalog: lint::Catalogue::Ready(Some(catalog())),
        catalogue_rules: false,
        policies,
        inputs: Default::default(),
    };
    lint::lint(&req).unwrap_or_else(|e| panic!("lint: {}", e.0))
}

/// `file:line: CODE message` per finding, paths relative to `base`.
pub fn lines(findings: &[Finding], base: &Path) -> String {
    let base = format!("{}/", base.display());
    findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}: {}[{}] {}",
                f.file.strip_prefix(&base).unwrap_or(&f.file),
                f.line,
                f.column,
                f.severity,
                f.code,
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A folder holding `out/`, the rendered trees of every environment: rendered once per test
/// run by the real `bankgen render` in the repository's root.
pub fn rendered() -> &'static Path {
    static T: OnceLock<Test> = OnceLock::new();
    T.get_or_init(|| {
        let t = Test::in_repo();
        let out = t.path("out").to_str().expect("a UTF-8 path").to_string();
        t.cmd(["render", "--all-envs", "--out", &out]).success();
        t
    })
    .dir
    .path()
}

/// The wires BGL804 refused on the shipped trees before issue 19's fixes, by defect: each entry
/// is the texts a finding's message holds. The shipped trees refuse none of them now; access.rs
/// re-introduces each as a mutation of the rendered tree and expects exactly its finding.
pub const KNOWN_ACCESS_DEFECTS: &[(&str, &[&str])] = &[
    // 1. The alarms publish to the encrypted alerts topic; the key policy lacks CloudWatch.
    (
        "alarm",
        &[
            "cloudwatch.amazonaws.com (alarm",
            "key of topic bank-platform-alerts-",
        ],
    ),
    // 2. MOD-045's anomaly function publishes to the encrypted topic without the key grants.
    (
        "anomaly",
        &[
            "bank-secrets-anomaly-",
            "key of topic bank-platform-alerts-",
        ],
    ),
    // 3. MOD-045's namespace policy is attached to nothing.
    (
        "namespace",
        &["policy bank-secrets-namespace-", "attached to no"],
    ),
    // 4. `secret:NAME/*` does not match the secret NAME (its ARN ends NAME-XXXXXX).
    ("neon", &["→ secret bank-", "/neon "]),
    // 5. The Firehose streams' dead-letter queues: no producer may send to them.
    ("firehose-dlq", &["BankPlatformRole →", "-dlq ("]),
    // Found by the check beyond the five: a policy published for workloads and attached to none.
    ("unattached", &["policy bank-", "attached to no"]),
    // Found by the check: functions trace actively, their roles could not write traces.
    (
        "trace",
        &["→ xray:PutTraceSegments", "X-Ray traces of function"],
    ),
    // The log routing role without its Kinesis grant: no function's logs reach the stream.
    (
        "log-routing",
        &["→ kinesis:PutRecord", "→ stream bank-log-routing-"],
    ),
];

/// The known defect a BGL804 finding is, if it is one.
pub fn known_access_defect(f: &Finding) -> Option<&'static str> {
    (f.code == "BGL804")
        .then(|| {
            KNOWN_ACCESS_DEFECTS
                .iter()
                .find(|(_, texts)| texts.iter().all(|t| f.message.contains(t)))
                .map(|(name, _)| *name)
        })
        .flatten()
}
