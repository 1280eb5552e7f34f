//! `bankgen access [--env ENV] [--format human|json]`: the access matrix of one environment.
//! Renders the environment (into a temporary folder, as `report compliance` does) and prints
//! every wire the catalogue implies (principal × resource × actions) with AWS's answer and the
//! statements it rests on ([`crate::lint::access`]). Exit 1 when a wire is refused.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, load_or_report, print_problems};
use crate::catalog::CatalogSource;
use crate::lint::access::{self, Outcome};
use crate::publish::ci_github;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Environment to check [default: the first one without an emulator]
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,

    /// human: one line per wire and action; json: one document
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(serde::Serialize)]
struct Matrix<'a> {
    env: &'a str,
    wires: usize,
    allowed: usize,
    refused: usize,
    unknown: usize,
    absent: usize,
    external: usize,
    matrix: &'a [Outcome],
}

pub fn run(source: &CatalogSource, short: bool, args: Args) -> u8 {
    let cat = match load_or_report(source, short) {
        Ok(c) => c,
        Err(code) => return code,
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
    if cat.environment(&env).is_none() {
        eprintln!(
            "error: unknown environment '{env}' (platform.yaml has: {})",
            cat.environment_names().join(", ")
        );
        return EXIT_USAGE;
    }
    let tree = match crate::render::render_env(&cat, &env, &crate::render::Options::default()) {
        Ok(t) => t,
        Err(problems) => {
            print_problems(&problems, short);
            return EXIT_USAGE;
        }
    };
    let outcomes = match tempfile::tempdir()
        .map_err(|e| e.to_string())
        .and_then(|tmp| {
            crate::render::write_trees(tmp.path(), std::slice::from_ref(&tree))
                .map_err(|e| e.to_string())?;
            access::check_dir(&cat, &env, &tmp.path().join(&env), Some(tmp.path()))
        }) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let count = |s: &str| outcomes.iter().filter(|o| o.status == s).count();
    let m = Matrix {
        env: &env,
        wires: outcomes.len(),
        allowed: count("allowed"),
        refused: count("refused"),
        unknown: count("unknown"),
        absent: count("absent"),
        external: count("external"),
        matrix: &outcomes,
    };
    match args.format {
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&m).expect("the matrix serializes")
        ),
        Format::Human => {
            outln!(
                "access matrix of {env}: {} wires, {} allowed, {} refused, {} unknown, {} absent, {} external",
                m.wires,
                m.allowed,
                m.refused,
                m.unknown,
                m.absent,
                m.external
            );
            for o in &outcomes {
                outln!(
                    "{:<8} {:<17} {} → {}  [{}]",
                    o.status,
                    o.kind,
                    o.principal,
                    o.what,
                    o.catalogue
                );
                if let Some(n) = &o.note {
                    outln!("           {n}");
                }
                for a in &o.actions {
                    let why = match a.allowed {
                        access::eval::Tri::Yes => format!("by {}", a.allowed_by.join(", ")),
                        access::eval::Tri::No if !a.denied_by.is_empty() => {
                            format!("denied by {}", a.denied_by.join(", "))
                        }
                        access::eval::Tri::No => format!("no grant in {}", a.missing.join("; ")),
                        access::eval::Tri::Unknown => a.unknown.join("; "),
                    };
                    let mark = match a.allowed {
                        access::eval::Tri::Yes => "allow",
                        access::eval::Tri::No => "REFUSE",
                        access::eval::Tri::Unknown => "unknown",
                    };
                    outln!("           {mark:<7} {:<40} {why}", a.action);
                }
            }
        }
    }
    if m.refused + m.absent > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
