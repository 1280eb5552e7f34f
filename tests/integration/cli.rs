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

// ------------------------------------------------------------------ terminal manners

const BOX: &[char] = &['╭', '│', '─', '×', '╰'];

/// A catalogue with one misspelt field, so `check` prints one full report.
fn misspelt() -> Test {
    Test::new()
        .with_catalog()
        .edit("catalog/modules/MOD-001.yaml", "depends_on:", "dependson:")
}

#[test]
fn reports_into_a_pipe_have_no_colour_and_no_box_drawing_unless_asked() {
    let t = misspelt();
    type Vars = &'static [(&'static str, &'static str)];
    let cases: &[(&[&str], Vars, bool)] = &[
        (&[], &[], false),
        (&["--color", "auto"], &[], false),
        (&["--color", "never"], &[("CLICOLOR_FORCE", "1")], false),
        (&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], false),
        (&["--color", "always"], &[("NO_COLOR", "1")], true),
        (&[], &[("CLICOLOR_FORCE", "1")], true),
    ];
    for (flags, env, asked) in cases {
        let mut args = flags.to_vec();
        args.push("check");
        let run = t.cmd_in("", env, args);
        run.status(1).stderr_has("unknown field `dependson`");
        let err = run.stderr();
        let coloured = err.contains("\x1b[");
        let boxed = err.contains(BOX);
        assert_eq!(
            (coloured, boxed),
            (*asked, *asked),
            "{flags:?} {env:?}: colour {coloured}, box drawing {boxed}:\n{err}"
        );
        if !asked {
            assert!(
                err.contains(",-[catalog/modules/MOD-001.yaml:6:1]"),
                "an ASCII snippet:\n{err}"
            );
        }
    }
}

#[test]
fn a_snippet_of_a_very_long_line_is_cut_around_the_place() {
    // Before: the report printed the whole 800 KB line.
    let pad = " ".repeat(400_000);
    let t = Test::new().with_catalog().edit(
        "catalog/modules/MOD-001.yaml",
        "kind: runtime\n",
        &format!("kind: runtime\nruntime: {{memory_mb: 512, {pad}memroy_mb: 1, {pad}}}\n"),
    );
    let run = t.cmd(["check"]);
    run.status(1)
        .stderr_has("unknown field `memroy_mb`")
        .stderr_has("...")
        .stderr_has("memroy_mb: 1,");
    let err = run.stderr();
    assert!(err.len() < 4_000, "{} bytes of report", err.len());
    let place = format!("catalog/modules/MOD-001.yaml:{}:", line_of(&t, "memroy_mb"));
    assert!(err.contains(&place), "the place is the file's:\n{err}");
}

fn line_of(t: &Test, needle: &str) -> usize {
    let text = std::fs::read_to_string(t.path("catalog/modules/MOD-001.yaml")).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn the_error_of_a_utf16_file_prints_no_nul_bytes() {
    for bom in [true, false] {
        let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        for u in "id: MOD-001\ntitle: x\n".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let t = Test::new().with_catalog();
        std::fs::write(t.path("catalog/modules/MOD-001.yaml"), bytes).unwrap();
        for args in [&["check"][..], &["check", "--short"][..]] {
            let run = t.cmd(args.iter().copied());
            run.status(1).stderr_has("catalog/modules/MOD-001.yaml:1:");
            assert!(
                !run.output.stderr.contains(&0),
                "BOM {bom}, {args:?}: NUL bytes in\n{}",
                run.stderr()
            );
            if bom {
                run.stderr_has("UTF-16");
            }
        }
    }
}

#[test]
fn bootstrap_needs_an_s3_backend_and_credentials() {
    let t = Test::new().with_catalog();
    let no_creds = [
        ("AWS_ACCESS_KEY_ID", ""),
        ("AWS_SECRET_ACCESS_KEY", ""),
        ("AWS_SESSION_TOKEN", ""),
    ];
    t.cmd_in("", &no_creds, ["bootstrap", "--env", "local"])
        .success()
        .stdout_has("nothing to bootstrap: `local` keeps its state in local files");
    t.cmd_in("", &no_creds, ["bootstrap", "--env", "dev", "--dry-run"])
        .status(2)
        .stderr_has("no AWS credentials for `dev`");
    t.cmd_in("", &no_creds, ["bootstrap", "--env", "nowhere"])
        .status(2)
        .stderr_has("unknown environment `nowhere`");
    t.cmd_in(
        "",
        &no_creds,
        ["bootstrap", "--env", "dev", "--noncurrent-days", "0"],
    )
    .status(2);
}
