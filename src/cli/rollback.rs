//! `bankgen rollback --env ENV --to REV`: put an environment back to the catalogue as it was at
//! a git revision. The catalogue at REV is exported to a temporary folder (the working tree is
//! not touched) and rendered into the same `OUT/<env>/`, where the state of the local backends
//! lives; its modules are planned against the live state, the summary is shown, and after
//! confirmation exactly those plans are applied in deployment order. Modules of the working
//! catalogue that are absent at REV are destroyed first, in reverse deployment order, with the
//! working catalogue's configuration (the one they were deployed with).

use super::deploy::{self, Console, Pass, RunFlags, usage};
use super::{EXIT_USAGE, load_or_report, print_problems};
use crate::catalog::CatalogSource;
use crate::deploy::record::{self, ApplyRecord};
use crate::deploy::revision::{Exported, Repo, Revision, short};
use crate::deploy::{Action, PlansManifest};
use crate::model::Catalog;
use std::collections::BTreeSet;
use std::io::IsTerminal;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Environment to roll back (from platform.yaml)
    #[arg(long, value_name = "ENV")]
    pub env: String,

    /// The git revision whose catalogue to restore: a commit, tag, branch or `HEAD~1`
    #[arg(long, value_name = "REV")]
    pub to: String,

    /// Only these modules (space or comma separated), of the catalogue now or at REV
    #[arg(long, value_name = "MOD", num_args = 1.., value_delimiter = ',')]
    pub only: Vec<String>,

    /// Apply the rollback without asking
    #[arg(long)]
    pub auto_approve: bool,

    #[command(flatten)]
    pub guard: deploy::GuardFlags,

    #[command(flatten)]
    pub run: RunFlags,
}

/// Seed 001 on what a rollback does and does not undo.
const SEED_NOTE: &str = "note: seed 001: rollback restores what the catalogue at the revision \
    declares, among it the Lambda code version (the `live` alias) and the SSM contract \
    parameters; schema migrations are never rolled back (they are forward-only): a migration run \
    since then stays applied, and the code being restored must work with it";

pub fn run(source: &CatalogSource, short_diag: bool, args: Args) -> u8 {
    let now = match load_or_report(source, short_diag) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (exported, then) = match catalogue_at(source, &args.to, short_diag) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if let Err(code) = deploy::known_env(&then, &args.env) {
        return code;
    }
    let (kept, removed) = match select(&now, &then, &args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if !removed.is_empty()
        && let Err(code) = deploy::known_env(&now, &args.env)
    {
        return code;
    }
    let rev_source = exported.source();
    let rev = format!("{} (commit {})", args.to, short(&exported.commit));
    // Refuse before planning: there would be nobody to ask after it.
    if !args.auto_approve && !std::io::stdin().is_terminal() {
        return usage(format!(
            "rollback asks for confirmation and stdin is not a terminal: pass --auto-approve to roll `{}` back to {rev}",
            args.env
        ));
    }
    eprintln!(
        "rolling `{}` back to {rev}: planning {} module(s) as they were then{}",
        args.env,
        kept.len(),
        if removed.is_empty() {
            String::new()
        } else {
            format!(
                "; {} module(s) absent then will be destroyed",
                removed.len()
            )
        }
    );

    let allow = match args.guard.allowances(&then) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let session = match Console::open(&args.run, allow, &args.env, short_diag) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let plans = deploy::absolute(&session.env_dir().join(".bankgen").join("rollback-plans"));
    if let Err(e) = deploy::prepare_plans_dir(&plans) {
        return usage(format!("cannot prepare {}: {e}", plans.display()));
    }

    // 1. Plan the revision's modules against the live state; keep the plans to apply.
    let plan = if kept.is_empty() {
        None
    } else {
        let plan = match session.run(&Pass {
            source: &rev_source,
            cat: &then,
            action: Action::Plan,
            modules: &kept,
            keep_plans: Some(plans.clone()),
            saved_plans: None,
            report: None,
        }) {
            Ok(r) => r,
            Err(code) => return code,
        };
        if plan.exit_code != 0 {
            eprintln!("the plan of {rev} did not succeed: nothing was rolled back");
            return plan.exit_code;
        }
        Some(plan)
    };
    let with_plans: BTreeSet<String> = match &plan {
        None => BTreeSet::new(),
        Some(_) => match PlansManifest::read(&plans) {
            Ok(m) => m.plans.into_keys().collect(),
            Err(e) => return usage(e),
        },
    };
    if !removed.is_empty() {
        eprintln!(
            "to destroy, absent at {rev} (reverse deployment order): {}",
            removed.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    eprintln!("{SEED_NOTE}");
    if with_plans.is_empty() && removed.is_empty() {
        outln!("nothing to roll back: `{}` already matches {rev}", args.env);
        return 0;
    }
    if !args.auto_approve {
        let question = format!(
            "Roll `{}` back to {rev}: apply {} plan(s), destroy {} module(s)?",
            args.env,
            with_plans.len(),
            removed.len()
        );
        match deploy::confirm(&question, &args.env, "stdin is not a terminal") {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("rollback cancelled: nothing was changed");
                return EXIT_USAGE;
            }
            Err(e) => return usage(e),
        }
    }

    let mut record = ApplyRecord::new(
        "rollback",
        &args.env,
        Some(Revision {
            commit: exported.commit.clone(),
            dirty: false,
        }),
        kept.len() < then.modules.len(),
    );
    if let Some(plan) = &plan {
        record = record.with_run(plan);
    }
    // 2. Destroy what the revision does not have, with the configuration it was deployed with.
    if !removed.is_empty() {
        let destroy = match session.run(&Pass {
            source,
            cat: &now,
            action: Action::Destroy,
            modules: &removed,
            keep_plans: None,
            saved_plans: None,
            report: None,
        }) {
            Ok(r) => r,
            Err(code) => return code,
        };
        record.removed = record::results(&destroy);
        record.exit_code = destroy.exit_code;
        if destroy.exit_code != 0 {
            eprintln!(
                "destroying the modules absent at {rev} did not succeed: nothing of {rev} was applied"
            );
            return destroy.exit_code.max(session.write_record(&record));
        }
    }
    // 3. Apply exactly the plans that were shown.
    if with_plans.is_empty() {
        // Leave the tree rendered from the revision, as after an apply.
        if let Err(code) = session.prepare(&then) {
            return code;
        }
    } else {
        let apply = match session.run(&Pass {
            source: &rev_source,
            cat: &then,
            action: Action::Apply,
            modules: &with_plans,
            keep_plans: None,
            saved_plans: Some(plans),
            report: args.run.report.as_deref(),
        }) {
            Ok(r) => r,
            Err(code) => return code,
        };
        // Modules without changes keep their (ok) plan result.
        for r in &mut record.modules {
            if let Some(m) = apply.modules.iter().find(|m| m.id == r.id) {
                r.status = m.status;
                r.cause = m.cause.clone();
            }
        }
        record.exit_code = apply.exit_code;
    }
    let code = record.exit_code.max(session.write_record(&record));
    if code == 0 {
        eprintln!("`{}` is back at {rev}", args.env);
    }
    code
}

/// The modules to plan and apply from the revision, and those of the working catalogue absent
/// at the revision (to destroy); both narrowed by `--only`.
fn select(
    now: &Catalog,
    then: &Catalog,
    args: &Args,
) -> Result<(BTreeSet<String>, BTreeSet<String>), u8> {
    let at_rev: BTreeSet<String> = then.modules.iter().map(|m| m.id.clone()).collect();
    let mut kept = at_rev.clone();
    let mut removed: BTreeSet<String> = now
        .modules
        .iter()
        .map(|m| m.id.clone())
        .filter(|id| !at_rev.contains(id))
        .collect();
    if !args.only.is_empty() {
        let mut only = BTreeSet::new();
        for id in &args.only {
            let id = id.trim();
            if now.module(id).is_none() && then.module(id).is_none() {
                return Err(usage(format!(
                    "--only: `{id}` is neither in the catalogue nor in the catalogue at {}",
                    args.to
                )));
            }
            only.insert(id.to_string());
        }
        kept.retain(|id| only.contains(id));
        removed.retain(|id| only.contains(id));
    }
    Ok((kept, removed))
}

/// The catalogue folder of `source` as committed at `rev`, loaded. Every failure is said with
/// what to do, and gives exit 2.
pub(super) fn catalogue_at(
    source: &CatalogSource,
    rev: &str,
    short_diag: bool,
) -> Result<(Exported, Catalog), u8> {
    let repo = Repo::locate(source).map_err(|e| {
        usage(format!(
            "{e}: the catalogue at a revision is read from git; pass --catalog DIR with the catalogue folder of a git checkout"
        ))
    })?;
    let commit = repo.resolve(rev).map_err(usage)?;
    let exported = repo.export(&commit).map_err(|e| {
        usage(format!(
            "{e}: was the catalogue in this repository at {rev}?"
        ))
    })?;
    match crate::load_catalog(&exported.source()) {
        Ok((cat, _warnings)) => Ok((exported, cat)),
        Err(problems) => {
            print_problems(&problems, short_diag);
            Err(usage(format!(
                "the catalogue at {rev} (commit {}) has {} problem(s), listed above: pick another revision",
                short(&commit),
                problems.len()
            )))
        }
    }
}
