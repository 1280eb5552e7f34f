//! `bankgen render`.

use super::{EXIT_OK, EXIT_USAGE, load_or_report, print_problems, report_check};
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
    let engine = match render::Engine::new(opts.templates.as_deref()) {
        Ok(e) => e,
        Err(p) => {
            print_problems(&[p], short);
            return EXIT_USAGE;
        }
    };
    // One environment at a time, and each in parts of MODULES_PER_PART modules: a part is
    // checked or staged, then dropped, so memory holds the catalogue and one part. Nothing is
    // swapped in unless every environment rendered; after a problem the rest still render, to
    // report all problems at once.
    let mut problems = Vec::new();
    let mut files = 0;
    let mut stale = Vec::new();
    let mut staged = Vec::new();
    for env in &envs {
        // After a problem the environments left are only rendered, for their problems.
        let mut target = if !problems.is_empty() {
            None
        } else if args.check {
            Some(Target::Check(render::Checker::new(&args.out, env)))
        } else {
            match render::Stager::new(&args.out, env) {
                Ok(s) => Some(Target::Stage(s)),
                Err(e) => return cannot(&args, &staged, e),
            }
        };
        let mut failed = None;
        let rendered =
            render::render_env_in_parts(&cat, env, &opts, &engine, MODULES_PER_PART, |part| {
                files += part.files.len();
                if failed.is_none()
                    && let Some(t) = &mut target
                    && let Err(e) = t.add(&part)
                {
                    failed = Some(e);
                }
            });
        let done = match (rendered, failed, target) {
            (Err(p), _, target) => {
                problems.extend(p);
                target.map_or(Ok(()), Target::abandon)
            }
            (Ok(()), _, None) => Ok(()),
            (Ok(()), Some(e), Some(t)) => {
                let _ = t.abandon();
                Err(e)
            }
            (Ok(()), None, Some(Target::Stage(s))) => s.finish().map(|s| staged.push(s)),
            (Ok(()), None, Some(Target::Check(c))) => c.finish().map(|mut s| stale.append(&mut s)),
        };
        if let Err(e) = done {
            return cannot(&args, &staged, e);
        }
    }
    if !problems.is_empty() {
        let _ = render::discard(&args.out, &staged);
        print_problems(&problems, short);
        return EXIT_USAGE;
    }
    if args.check {
        stale.sort();
        return report_check(
            &args.out,
            files,
            &stale,
            "rendered tree is up to date",
            "the rendered tree is stale",
            "bankgen render",
        );
    }
    match render::swap_in(&args.out, staged) {
        Ok(s) => {
            println!(
                "rendered {} environment(s), {} modules each: {files} files in {} ({} written, {} unchanged, {} removed)",
                envs.len(),
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

/// Modules rendered at a time: enough to keep the cores busy, few enough that a part's files
/// (about 10 KB per module and environment) stay small beside the catalogue.
const MODULES_PER_PART: usize = 512;

/// Where an environment's parts go.
enum Target {
    Check(render::Checker),
    Stage(render::Stager),
}

impl Target {
    fn add(&mut self, part: &render::Tree) -> std::io::Result<()> {
        match self {
            Target::Check(c) => {
                c.add(part);
                Ok(())
            }
            Target::Stage(s) => s.add(part),
        }
    }

    /// Drop what was staged (a check stages nothing).
    fn abandon(self) -> std::io::Result<()> {
        match self {
            Target::Check(_) => Ok(()),
            Target::Stage(s) => s.abandon(),
        }
    }
}

/// The output folder cannot be read or written: nothing staged is swapped in.
fn cannot(args: &Args, staged: &[render::Staged], e: std::io::Error) -> u8 {
    let _ = render::discard(&args.out, staged);
    let what = if args.check { "read" } else { "write" };
    eprintln!("error: cannot {what} {}: {e}", args.out.display());
    EXIT_USAGE
}
