//! The command line: flags are defined once here (clap derive); completions and the man page
//! are generated from the same definitions.

/// `print!` and `println!` that end quietly when the reader of stdout went away (`bankgen graph |
/// head -1`), as ripgrep does: the output stops and the command ends with its own exit code,
/// where `print!` would panic.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!($($arg)*))
    };
}

macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod access;
mod bootstrap;
mod ci;
mod deploy;
mod docs;
mod drift;
mod graph;
mod lint;
mod promote;
mod render;
mod report;
mod rollback;
mod verify;

use crate::catalog::CatalogSource;
use crate::diag::{Problem, Style};
use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes, as CI reads them.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "bankgen",
    version,
    about = "Turn the bank's architecture catalogue into deployed AWS infrastructure, safely"
)]
pub struct Cli {
    /// Catalogue folder (default: ./catalog when present, else the catalogue embedded in bankgen)
    #[arg(long, global = true, value_name = "DIR", env = "BANKGEN_CATALOG")]
    pub catalog: Option<PathBuf>,

    /// Print diagnostics as one `file:line:col: error[CODE]: message` line each, without snippets
    #[arg(long, global = true)]
    pub short: bool,

    /// When to colour diagnostics: auto (on a terminal; NO_COLOR turns it off, CLICOLOR_FORCE
    /// on), always or never. Reports use box drawing only on a terminal or with colour
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// The report style for `--color` and stderr, as cargo and ripgrep decide it: `auto` colours
/// a terminal unless `NO_COLOR` is set (non-empty) or `CLICOLOR=0` or `TERM=dumb`, and
/// `CLICOLOR_FORCE` (non-empty, not `0`) colours even a pipe; `--color` overrides them all.
pub fn style(color: Color, terminal: bool, var: impl Fn(&str) -> Option<String>) -> Style {
    let set = |k: &str| var(k).filter(|v| !v.is_empty());
    let color = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto if set("NO_COLOR").is_some() => false,
        Color::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
        Color::Auto => {
            terminal
                && set("CLICOLOR").is_none_or(|v| v != "0")
                && set("TERM").is_none_or(|v| v != "dumb")
        }
    };
    Style {
        color,
        unicode: terminal || color,
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load and validate the catalogue; print its counts
    Check,
    /// Render Terraform for every module and environment
    Render(render::Args),
    /// Run the policy checks on the catalogue and on Terraform files
    Lint(lint::Args),
    /// Render, lint, then `tofu plan` every module in deployment order
    Plan(deploy::Args),
    /// Render, lint, then `tofu apply` every module in deployment order
    Apply(deploy::Args),
    /// Destroy every module in reverse deployment order
    Destroy(deploy::Args),
    /// The access matrix: every wire the catalogue implies, as AWS would evaluate its policies
    Access(access::Args),
    /// Report what changed outside Terraform: `plan -refresh-only` in every module
    Drift(drift::Args),
    /// Make the S3 backend's state bucket (versioned, encrypted, TLS only, private); idempotent
    Bootstrap(bootstrap::Args),
    /// Plan and apply the catalogue as it was at a git revision; destroy modules added since
    Rollback(rollback::Args),
    /// Apply to one environment the catalogue revision last applied to another
    Promote(promote::Args),
    /// Check that a phase is complete: its SSM contracts exist, its buses accept events
    Verify(verify::Args),
    /// Print the deployment graph
    Graph(graph::Args),
    /// List the lint rules
    Rules(lint::RulesArgs),
    /// Print the documentation of one lint rule
    Explain(lint::ExplainArgs),
    /// Write the catalogue's Markdown pages and pictures (docs/catalog/)
    Docs(docs::Args),
    /// Write a CI workflow that deploys every module in order (`bankgen ci github`)
    Ci(ci::Args),
    /// Reports for auditors (`bankgen report compliance`)
    Report(report::Args),
    /// Write shell completions to stdout
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man page to stdout
    Man,
    /// Write a synthetic catalogue of N modules (for benchmarks)
    #[command(hide = true)]
    Synth {
        #[arg(long)]
        modules: usize,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    ExitCode::from(run(cli))
}

pub fn run(cli: Cli) -> u8 {
    use std::io::IsTerminal;
    crate::diag::set_style(style(cli.color, std::io::stderr().is_terminal(), |k| {
        std::env::var(k).ok()
    }));
    let source = CatalogSource::resolve(cli.catalog.clone());
    match cli.command {
        Command::Check => check(&source, cli.short),
        Command::Render(args) => render::run(&source, cli.short, args),
        Command::Lint(args) => lint::run(&source, cli.short, args),
        Command::Rules(args) => lint::rules(args),
        Command::Explain(args) => lint::explain(args),
        Command::Plan(args) => deploy::run(&source, cli.short, deploy::Action::Plan, args),
        Command::Apply(args) => deploy::run(&source, cli.short, deploy::Action::Apply, args),
        Command::Destroy(args) => deploy::run(&source, cli.short, deploy::Action::Destroy, args),
        Command::Access(args) => access::run(&source, cli.short, args),
        Command::Drift(args) => drift::run(&source, cli.short, args),
        Command::Bootstrap(args) => bootstrap::run(&source, cli.short, args),
        Command::Rollback(args) => rollback::run(&source, cli.short, args),
        Command::Promote(args) => promote::run(&source, cli.short, args),
        Command::Verify(args) => verify::run(&source, cli.short, args),
        Command::Graph(args) => graph::run(&source, cli.short, args),
        Command::Docs(args) => docs::run(&source, cli.short, args),
        Command::Ci(args) => ci::run(&source, cli.short, args),
        Command::Report(args) => report::run(&source, cli.short, args),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "bankgen", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            EXIT_OK
        }
        Command::Synth { modules, out, seed } => {
            match crate::catalog::synth::generate(&out, modules, seed) {
                Ok(()) => EXIT_OK,
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", out.display());
                    EXIT_USAGE
                }
            }
        }
        Command::Man => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut page) {
                Ok(()) => {
                    out!("{}", String::from_utf8_lossy(&page));
                    EXIT_OK
                }
                Err(e) => {
                    eprintln!("error: cannot write the man page: {e}");
                    EXIT_USAGE
                }
            }
        }
    }
}

/// Set once stdout is found closed: nothing more is written to it.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Write to stdout (through [`out!`] and [`outln!`]). A closed pipe stops the output without a
/// word; another write error is reported once on stderr.
pub(crate) fn write_stdout(args: std::fmt::Arguments) {
    use std::io::Write;
    use std::sync::atomic::Ordering;
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write to stdout: {e}");
        }
    }
}

/// The answer of a `--check` of generated files: `fresh` and the count when nothing under `out`
/// is stale (exit 0), else `stale_what`, what to run, and the stale paths (exit 1).
pub(crate) fn report_check(
    out: &std::path::Path,
    files: usize,
    stale: &[String],
    fresh: &str,
    stale_what: &str,
    fix: &str,
) -> u8 {
    if stale.is_empty() {
        outln!("{fresh} ({files} files in {})", out.display());
        return EXIT_OK;
    }
    eprintln!("{stale_what}: {} file(s) differ; run `{fix}`", stale.len());
    for s in stale {
        outln!("{}", out.join(s).display());
    }
    EXIT_FINDINGS
}

/// Print problems to stderr: full miette reports, or one line each with `--short`.
pub fn print_problems(problems: &[Problem], short: bool) {
    for p in problems {
        if short {
            eprintln!("{}", p.short());
        } else {
            eprint!("{}", p.report());
        }
    }
}

/// The exit code of a catalogue that did not load: 2 when some of it could not be read, else 1
/// (the catalogue is invalid), the same for every command.
pub(crate) fn load_failure_code(problems: &[Problem]) -> u8 {
    if problems
        .iter()
        .any(|p| p.code == crate::catalog::UNREADABLE)
    {
        EXIT_USAGE
    } else {
        EXIT_FINDINGS
    }
}

/// Load the catalogue, or print every problem and give the exit code to return.
pub fn load_or_report(source: &CatalogSource, short: bool) -> Result<crate::model::Catalog, u8> {
    match crate::load_catalog(source) {
        Ok((cat, warnings)) => {
            print_problems(&warnings, short);
            Ok(cat)
        }
        Err(problems) => {
            print_problems(&problems, short);
            eprintln!(
                "the catalogue ({}) has {} problem(s); run `bankgen check`",
                source.describe(),
                problems.len()
            );
            Err(load_failure_code(&problems))
        }
    }
}

fn check(source: &CatalogSource, short: bool) -> u8 {
    match crate::load_catalog(source) {
        Ok((cat, warnings)) => {
            print_problems(&warnings, short);
            // The SSM contracts are known once rendered: each parameter read has a writer deployed first.
            if let Err(problems) = crate::render::contracts::ssm_contracts(&cat, None) {
                print_problems(&problems, short);
                let n = problems.len();
                eprintln!("catalogue has {n} problem{}", if n == 1 { "" } else { "s" });
                return load_failure_code(&problems);
            }
            let c = cat.counts();
            outln!(
                "catalogue OK ({}): modules {}, domains {}, phases {}, events {}, subscriptions {}",
                source.describe(),
                c.modules,
                c.domains,
                c.phases,
                c.events,
                c.subscriptions
            );
            EXIT_OK
        }
        Err(problems) => {
            print_problems(&problems, short);
            let n = problems.len();
            eprintln!("catalogue has {n} problem{}", if n == 1 { "" } else { "s" });
            load_failure_code(&problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(color: Color, terminal: bool, vars: &[(&str, &str)]) -> (bool, bool) {
        let s = style(color, terminal, |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        });
        (s.color, s.unicode)
    }

    #[test]
    fn colour_and_box_drawing_follow_the_flag_the_terminal_and_the_environment() {
        use Color::*;
        // (flag, on a terminal, environment) → (colour, box drawing)
        type Vars = &'static [(&'static str, &'static str)];
        let cases: &[(Color, bool, Vars, (bool, bool))] = &[
            (Auto, true, &[], (true, true)),
            (Auto, false, &[], (false, false)),
            (Auto, true, &[("NO_COLOR", "1")], (false, true)),
            (Auto, true, &[("NO_COLOR", "")], (true, true)),
            (Auto, true, &[("TERM", "dumb")], (false, true)),
            (Auto, true, &[("CLICOLOR", "0")], (false, true)),
            (Auto, false, &[("CLICOLOR_FORCE", "1")], (true, true)),
            (Auto, false, &[("CLICOLOR_FORCE", "0")], (false, false)),
            (
                Auto,
                false,
                &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
                (false, false),
            ),
            (Always, false, &[("NO_COLOR", "1")], (true, true)),
            (Never, true, &[("CLICOLOR_FORCE", "1")], (false, true)),
            (Never, false, &[], (false, false)),
        ];
        for (flag, terminal, vars, want) in cases {
            assert_eq!(
                decide(*flag, *terminal, vars),
                *want,
                "--color {flag:?}, terminal {terminal}, {vars:?}"
            );
        }
    }
}
