//! The contract every command keeps: exit codes, a closed pipe, colour and terminal manners.

use crate::support::{Test, repo};

// ------------------------------------------------------------------ exit codes

/// The kinds of input every command is run on, and the exit code each must give.
#[derive(Debug, Clone, Copy)]
enum Input {
    Valid,
    /// A catalogue that loads but references a module that does not exist (BG011).
    Invalid,
    /// `--catalog` naming a folder that is not there.
    Missing,
    BadFlag,
}

impl Input {
    fn expected(self) -> i32 {
        match self {
            Input::Valid => 0,
            Input::Invalid => 1,
            Input::Missing | Input::BadFlag => 2,
        }
    }
}

#[test]
fn every_command_gives_one_exit_code_per_kind_of_input() {
    // Before: for the same invalid catalogue `check` and `lint` exited 1, while `render`,
    // `graph` and `plan` exited 2.
    let stub = repo()
        .join("tests/stub-tofu")
        .to_string_lossy()
        .into_owned();
    let commands: &[&[&str]] = &[
        &["check"],
        &["render", "--env", "dev", "--out", "out"],
        &["lint"],
        &["graph"],
        &[
            "plan", "--env", "local", "--only", "MOD-104", "--tofu", &stub,
        ],
        &["docs", "--out", "pages", "--no-svg"],
        &["ci", "github", "--out", "wf.yml"],
        &["report", "compliance", "--out", "c.md"],
    ];
    let mut wrong = Vec::new();
    for input in [Input::Valid, Input::Invalid, Input::Missing, Input::BadFlag] {
        let t = Test::new().with_catalog();
        let t = match input {
            Input::Invalid => t.edit(
                "catalog/modules/MOD-001.yaml",
                "module: MOD-007",
                "module: MOD-777",
            ),
            _ => t,
        };
        for command in commands {
            let mut args: Vec<&str> = Vec::new();
            match input {
                Input::Missing => args.extend(["--catalog", "no-such-catalogue"]),
                Input::BadFlag => args.push("--no-such-flag"),
                _ => {}
            }
            args.extend(command.iter().copied());
            let run = t.cmd_in("", &[("STUB_TOFU_LOG", "/dev/null")], args.clone());
            if run.code() != input.expected() {
                wrong.push(format!(
                    "`bankgen {}` ({input:?}): exit {}, expected {}\n{}",
                    args.join(" "),
                    run.code(),
                    input.expected(),
                    run.stderr().lines().last().unwrap_or("")
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_missing_catalogue_folder_is_named_as_unreadable() {
    Test::new()
        .args(["--catalog", "no-such-catalogue", "check", "--short"])
        .run()
        .status(2)
        .stderr_has("error[BG007]: cannot read the catalogue folder no-such-catalogue");
}

// ------------------------------------------------------------------ a closed pipe

#[test]
fn writing_into_a_closed_pipe_ends_quietly_with_the_commands_own_exit_code() {
    // Before: `bankgen graph | head -1` panicked (exit 101, "failed printing to stdout").
    let t = Test::new().with_catalog();
    t.cmd(["render", "--env", "dev"]).success();
    // A stale tree, so `render --check` has a long list to print.
    std::fs::remove_dir_all(t.path("out/dev/MOD-104")).unwrap();
    for (args, code) in [
        (&["graph"][..], 0),
        (&["graph", "--format", "json"][..], 0),
        (&["rules"][..], 0),
        (&["render", "--check"][..], 1),
        (&["lint", "--format", "json"][..], 0),
        (&["lint"][..], 0),
        (&["man"][..], 0),
        (&["completions", "bash"][..], 0),
    ] {
        let run = t.cmd_into_closed_pipe(args);
        run.status(code);
        assert!(
            !run.stderr().contains("panicked") && !run.stderr().contains("Broken pipe"),
            "`bankgen {}`:\n{}",
            args.join(" "),
            run.stderr()
        );
    }
}
