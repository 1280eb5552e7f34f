//! `Test::new().args(["check"]).run().success().stdout_has("modules 142")`: run the real
//! binary in a temporary folder holding an optional catalogue copy.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Test {
    pub dir: tempfile::TempDir,
    args: Vec<String>,
}

impl Test {
    pub fn new() -> Test {
        Test {
            dir: tempfile::tempdir().expect("temp dir"),
            args: Vec::new(),
        }
    }

    /// A copy of the shipped catalogue at `./catalog`, which bankgen picks up by default.
    pub fn with_catalog(self) -> Test {
        copy_dir(&repo().join("catalog"), &self.dir.path().join("catalog"));
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

    /// Run in the subfolder `cwd` of the test folder (made if missing), with extra
    /// environment variables.
    pub fn cmd_in<I, S>(&self, cwd: &str, env: &[(&str, &str)], args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let args: Vec<String> = args.into_iter().map(Into::into).collect();
        let dir = self.dir.path().join(cwd);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bankgen"));
        cmd.current_dir(dir)
            .args(&args)
            .env_remove("BANKGEN_CATALOG")
            .envs(env.iter().copied());
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
        let output = Command::new(env!("CARGO_BIN_EXE_bankgen"))
            .current_dir(self.dir.path())
            .args(args)
            .env_remove("BANKGEN_CATALOG")
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
