//! `bankgen render`.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, load_or_report, print_problems, report_check};
use crate::catalog::CatalogSource;
use crate::model::Profile;
use crate::render::{self, Options};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
    /// Remove the generated files of modules no longer in the catalogue even when their folder
    /// holds Terraform state (the state itself is kept)
    #[arg(long, conflicts_with = "check")]
    pub prune: bool,
}

pub fn run(source: &CatalogSource, short: bool, args: Args) -> u8 {
    // Which catalogue: ./catalog in a clone, the embedded copy elsewhere; it is easy to mistake.
    outln!("catalogue: {}", source.label());
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
    if !args.check && !args.prune {
        let ids: BTreeSet<&str> = cat.modules.iter().map(|m| m.id.as_str()).collect();
        let mut held = Vec::new();
        for env in &envs {
            match state_of_gone_modules(&args.out.join(env), &ids) {
                Ok(mut h) => held.append(&mut h),
                Err(e) => return cannot(&args, &[], e),
            }
        }
        if !held.is_empty() {
            for (dir, what) in &held {
                eprintln!(
                    "error: {} holds Terraform state ({what}), and its module is no longer in the catalogue",
                    dir.display()
                );
            }
            eprintln!(
                "render refuses to remove the generated files of {} module folder(s) with state: without them the resources in that state can no longer be planned or destroyed. Destroy them first (`bankgen destroy --only MOD`), or pass --prune to remove the generated files anyway (the state is kept)",
                held.len()
            );
            return EXIT_FINDINGS;
        }
    }
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
            outln!(
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

/// The module folders under an environment folder whose module is not in `ids`, which hold a
/// file bankgen generated (a render would remove it) and Terraform state: local state
/// (`terraform.tfstate`, workspaces in `terraform.tfstate.d/`) or a working folder initialised
/// with a remote backend. With what held it.
fn state_of_gone_modules(
    env_dir: &Path,
    ids: &BTreeSet<&str>,
) -> std::io::Result<Vec<(PathBuf, &'static str)>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(env_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_dir()
            || ids.contains(name.as_str())
            || !crate::model::names::MODULE_ID.matches(&name)
        {
            continue;
        }
        let dir = entry.path();
        let mut generated = false;
        for inner in std::fs::read_dir(&dir)? {
            generated |= is_generated(&inner?.path());
        }
        if !generated {
            continue;
        }
        let what = if dir.join("terraform.tfstate").is_file() {
            "terraform.tfstate"
        } else if dir.join("terraform.tfstate.d").is_dir() {
            "terraform.tfstate.d/"
        } else if remote_backend(&dir.join(".terraform/terraform.tfstate")) {
            ".terraform/ with a remote backend"
        } else {
            continue;
        };
        out.push((dir, what));
    }
    out.sort();
    Ok(out)
}

/// A `.terraform/terraform.tfstate` that records a backend other than the local one.
fn remote_backend(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        // Unreadable working state: assume the worst.
        return true;
    };
    json["backend"]["type"]
        .as_str()
        .is_some_and(|t| t != "local")
}

/// A `.tf` file that starts with the header bankgen writes.
fn is_generated(path: &Path) -> bool {
    use std::io::Read;
    if path.extension().is_none_or(|e| e != "tf") {
        return false;
    }
    let mut buf = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut buf))
        .unwrap_or(0);
    buf[..n].starts_with(render::HEADER_PREFIX.as_bytes())
}

/// The output folder cannot be read or written: nothing staged is swapped in.
fn cannot(args: &Args, staged: &[render::Staged], e: std::io::Error) -> u8 {
    let _ = render::discard(&args.out, staged);
    let what = if args.check { "read" } else { "write" };
    eprintln!("error: cannot {what} {}: {e}", args.out.display());
    EXIT_USAGE
}
