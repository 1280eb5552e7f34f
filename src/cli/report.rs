//! `bankgen report compliance`: where each bank policy is enforced.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, load_or_report, print_problems};
use crate::catalog::CatalogSource;
use crate::lint::Policies;
use crate::publish::{ci_github, compliance};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub report: Report,
}

#[derive(clap::Subcommand, Debug)]
pub enum Report {
    /// For each bank policy: the lint rules that enforce it, the resources they cover, the
    /// findings
    Compliance(ComplianceArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Md,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct ComplianceArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Md)]
    pub format: Format,
    /// The environment whose rendered Terraform is linted [default: the first one without an
    /// emulator]
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Policy parameter files replacing the embedded ones (as `bankgen lint --policies`)
    #[arg(long, value_name = "DIR")]
    pub policies: Option<PathBuf>,
    /// Write the report to FILE instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(source: &CatalogSource, short: bool, args: Args) -> u8 {
    let Report::Compliance(args) = args.report;
    let cat = match load_or_report(source, short) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let policies_dir = args.policies.clone().or_else(|| cat.policies_dir.clone());
    let policies = match Policies::load(policies_dir.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let env = match &args.env {
        Some(e) => e.clone(),
        None => match ci_github::deployable_envs(&cat).first() {
            Some(e) => e.to_string(),
            None => match cat.platform.environments.first() {
                Some(e) => e.name.clone(),
                None => {
                    eprintln!("error: platform.yaml has no environment");
                    return EXIT_USAGE;
                }
            },
        },
    };
    let report = match compliance::report(&cat, &env, &policies) {
        Ok(r) => r,
        Err(problems) => {
            print_problems(&problems, short);
            return EXIT_USAGE;
        }
    };
    let text = match args.format {
        Format::Md => report.markdown(),
        Format::Json => report.json(),
    };
    match &args.out {
        None => out!("{text}"),
        Some(path) => {
            if let Err(e) = crate::atomic::write_if_changed(path, text.as_bytes()) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return EXIT_USAGE;
            }
        }
    }
    if report.error_findings() > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
