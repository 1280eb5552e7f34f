//! `bankgen promote --from dev --to uat`: apply to one environment exactly the catalogue
//! revision that was last applied, fully green, to another. The revision comes from the source
//! environment's apply record (`OUT/<from>/.bankgen/last-apply.json`, or `--record FILE`, e.g.
//! an artefact of the source environment's CI job); the catalogue at that commit is exported
//! from git and applied like `bankgen apply` — to the same modules as the recorded run, so a
//! partial apply (`--only`) promotes just its modules.

use super::deploy::{self, Console, Pass, RunFlags, usage};
use super::{EXIT_FINDINGS, rollback};
use crate::catalog::CatalogSource;
use crate::deploy::Action;
use crate::deploy::record::{self, ApplyRecord};
use crate::deploy::revision::short;
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The environment whose last apply to promote
    #[arg(long, value_name = "ENV")]
    pub from: String,

    /// The environment to apply it to
    #[arg(long, value_name = "ENV")]
    pub to: String,

    /// The source environment's apply record [default: OUT/<from>/.bankgen/last-apply.json]
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    #[command(flatten)]
    pub guard: deploy::GuardFlags,

    #[command(flatten)]
    pub run: RunFlags,
}

pub fn run(source: &CatalogSource, short_diag: bool, args: Args) -> u8 {
    if args.from == args.to {
        return usage(format!(
            "--from and --to are both `{}`: promote applies one environment's revision to another",
            args.to
        ));
    }
    let path = args
        .record
        .clone()
        .unwrap_or_else(|| record::path(&args.run.out.join(&args.from)));
    let rec = match ApplyRecord::read(&path) {
        Ok(r) => r,
        Err(e) => {
            return usage(format!(
                "{e}: `bankgen apply --env {}` writes it (or pass --record FILE)",
                args.from
            ));
        }
    };
    if rec.env != args.from {
        return usage(format!(
            "{} records an apply to `{}`, not to `{}`",
            path.display(),
            rec.env,
            args.from
        ));
    }
    let rev = match rec.promotable() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot promote: {e}");
            return EXIT_FINDINGS;
        }
    };
    let (exported, cat) = match rollback::catalogue_at(source, &rev.commit, short_diag) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if let Err(code) = deploy::known_env(&cat, &args.to) {
        return code;
    }
    let modules: BTreeSet<String> = rec.modules.iter().map(|m| m.id.clone()).collect();
    if let Some(id) = modules.iter().find(|id| cat.module(id).is_none()) {
        return usage(format!(
            "{} names {id}, which is not in the catalogue at commit {}",
            path.display(),
            short(&rev.commit)
        ));
    }
    eprintln!(
        "promoting to `{}` the catalogue at commit {} (applied to `{}` {} by bankgen {})",
        args.to,
        short(&rev.commit),
        args.from,
        rec.time,
        rec.bankgen_version
    );
    if rec.partial {
        eprintln!(
            "note: the last apply to `{}` was partial: promoting its {} module(s) only: {}",
            args.from,
            modules.len(),
            modules.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    if rec.bankgen_version != env!("CARGO_PKG_VERSION") {
        eprintln!(
            "note: `{}` was applied by bankgen {}, this is {}: the templates may render differently",
            args.from,
            rec.bankgen_version,
            env!("CARGO_PKG_VERSION")
        );
    }

    let allow = match args.guard.allowances(&cat) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let session = match Console::open(&args.run, allow, &args.to, short_diag) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let report = match session.run(&Pass {
        source: &exported.source(),
        cat: &cat,
        action: Action::Apply,
        modules: &modules,
        keep_plans: None,
        saved_plans: None,
        report: args.run.report.as_deref(),
    }) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let record =
        ApplyRecord::new("promote", &args.to, Some(rev.clone()), rec.partial).with_run(&report);
    report.exit_code.max(session.write_record(&record))
}
