//! `bankgen render`.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, load_or_report, print_problems};
use crate::catalog::CatalogSource;
use crate::model::Profile;
use crate::render::{self, Options};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Environment to render (default: every environment)
    #[arg(long, conflicts_with = "all_envs")]
    pub env: Option<String>,
    /// Render every environment of platform.yaml (the default when --env is not given)
    #[arg(long)]
    pub all_envs: bool,
    /// Output folder
    #[arg(long, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Templates folder replacing the embedded templates
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Provider profile instead of the environment's: v6 (hashicorp/aws >= 4) or legacy (< 4)
    #[arg(long, value_parser = ["v6", "legacy"])]
    pub profile: Option<String>,
    /// Write nothing; exit 1 and list the files whose content differs (the tree is stale)
    #[arg(long)]
    pub check: bool,
}

pub fn run(source: &CatalogSource, short: bool, args: Args) -> u8 {
    let cat = match load_or_report(source, short) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let envs: Vec<String> = match &args.env {
        Some(e) => vec![e.clone()],
        None => cat
            .platform
            .environments
            .iter()
            .map(|e| e.name.clone())
            .collect(),
    };
    let opts = Options {
        templates: args.templates.clone(),
        profile: args.profile.as_deref().and_then(Profile::parse),
    };
    let trees = match render::render_envs(&cat, &envs, &opts) {
        Ok(t) => t,
        Err(problems) => {
            print_problems(&problems, short);
            return EXIT_USAGE;
        }
    };
    let files: usize = trees.iter().map(|t| t.files.len()).sum();
    if args.check {
        return match render::check_trees(&args.out, &trees) {
            Ok(stale) if stale.is_empty() => {
                println!(
                    "rendered tree is up to date ({files} files in {})",
                    args.out.display()
                );
                EXIT_OK
            }
            Ok(stale) => {
                eprintln!(
                    "the rendered tree is stale: {} file(s) differ; run `bankgen render`",
                    stale.len()
                );
                for s in stale {
                    println!("{}", args.out.join(s).display());
                }
                EXIT_FINDINGS
            }
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", args.out.display());
                EXIT_USAGE
            }
        };
    }
    match render::write_trees(&args.out, &trees) {
        Ok(s) => {
            println!(
                "rendered {} environment(s), {} modules each: {files} files in {} ({} written, {} unchanged, {} removed)",
                trees.len(),
                cat.modules.len(),
                args.out.display(),
                s.written,
                s.unchanged,
                s.removed.len()
            );
            for o in s.orphans {
                eprintln!(
                    "warning: {o} is no longer in the catalogue; its generated files are gone, its other files (state?) are kept"
                );
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.out.display());
            EXIT_USAGE
        }
    }
}
