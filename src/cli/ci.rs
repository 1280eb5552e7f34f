//! `bankgen ci github`: the GitHub Actions workflow that deploys the catalogue in order.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, load_or_report};
use crate::catalog::CatalogSource;
use crate::publish::ci_github;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub target: Target,
}

#[derive(clap::Subcommand, Debug)]
pub enum Target {
    /// A GitHub Actions workflow: one job per module, needs = the deployment graph, phase gates
    /// as jobs, plan on pull requests, apply on main behind an environment approval
    Github(GithubArgs),
}

#[derive(clap::Args, Debug)]
pub struct GithubArgs {
    /// The workflow file to write
    #[arg(long, default_value = ci_github::DEFAULT_PATH, value_name = "FILE")]
    pub out: PathBuf,
    /// Write nothing; exit 1 when the file differs from what would be written
    #[arg(long)]
    pub check: bool,
    /// The environment pull requests plan and pushes to main apply [default: the last
    /// environment of platform.yaml without an emulator]
    #[arg(long, value_name = "ENV")]
    pub main_env: Option<String>,
}

pub fn run(source: &CatalogSource, short: bool, args: Args) -> u8 {
    let Target::Github(args) = args.target;
    let cat = match load_or_report(source, short) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let opts = ci_github::Options {
        main_env: args.main_env.clone(),
        path: Some(workflow_path(&args.out)),
        catalog: match source {
            CatalogSource::Dir(d) => Some(repo_relative(d, &args.out)),
            CatalogSource::Embedded => None,
        },
    };
    let text = match ci_github::workflow(&cat, &opts) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    if args.check {
        return match std::fs::read(&args.out) {
            Ok(have) if have == text.as_bytes() => {
                outln!("{} is up to date", args.out.display());
                EXIT_OK
            }
            Ok(_) => {
                eprintln!("{} is stale; run `bankgen ci github`", args.out.display());
                outln!("{}", args.out.display());
                EXIT_FINDINGS
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!(
                    "{} does not exist; run `bankgen ci github`",
                    args.out.display()
                );
                outln!("{}", args.out.display());
                EXIT_FINDINGS
            }
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", args.out.display());
                EXIT_USAGE
            }
        };
    }
    match crate::atomic::write_if_changed(&args.out, text.as_bytes()) {
        Ok(changed) => {
            outln!(
                "{} {} ({} module jobs)",
                if changed { "wrote" } else { "unchanged:" },
                args.out.display(),
                cat.modules.len()
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.out.display());
            EXIT_USAGE
        }
    }
}

/// The workflow's path as its `paths:` filter names it: GitHub runs workflows from
/// `.github/workflows/`, whatever folder it is written to.
/// The catalogue folder as the workflow's jobs see it: relative to the repository root, which is
/// the folder holding the workflow's `.github/` (else the current folder), always with `/`.
fn repo_relative(catalog: &std::path::Path, out: &std::path::Path) -> String {
    let out = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    let root = out
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == ".github"))
        .and_then(|github| github.parent())
        .map(std::path::Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok());
    let canonical =
        |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let rel = root
        .and_then(|r| {
            canonical(catalog)
                .strip_prefix(canonical(&r))
                .ok()
                .map(std::path::Path::to_path_buf)
        })
        .unwrap_or_else(|| catalog.to_path_buf());
    rel.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn workflow_path(out: &std::path::Path) -> String {
    let s = out.to_string_lossy().replace('\\', "/");
    match s.find(".github/") {
        Some(i) => s[i..].to_string(),
        None => format!(
            ".github/workflows/{}",
            out.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "bankgen-deploy.yml".into())
        ),
    }
}
