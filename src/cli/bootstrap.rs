//! `bankgen bootstrap --env ENV [--dry-run]`: make the S3 backend's state bucket of an
//! environment (deploy/bootstrap.rs says which settings, and why SSE-S3), before the first apply.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, load_or_report};
use crate::catalog::CatalogSource;
use crate::deploy::aws::Credentials;
use crate::deploy::bootstrap::{self, Outcome, Plan};
use crate::deploy::s3::Bucket;
use crate::model::Backend;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Environment whose state bucket to make (from platform.yaml)
    #[arg(long, value_name = "ENV")]
    pub env: String,

    /// Read the bucket and say what would be made or changed; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Days an old version of a state file is kept before it expires
    #[arg(long, value_name = "DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..))]
    pub noncurrent_days: u32,
}

pub fn run(source: &CatalogSource, short: bool, args: Args) -> u8 {
    let cat = match load_or_report(source, short) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Err(code) = super::deploy::known_env(&cat, &args.env) {
        return code;
    }
    let env = cat.environment(&args.env).expect("a known environment");
    let Backend::S3 { bucket, region, .. } = &env.backend else {
        outln!(
            "nothing to bootstrap: `{}` keeps its state in local files (backend kind local)",
            env.name
        );
        return EXIT_OK;
    };
    let creds = match (Credentials::from_env(), &env.emulator) {
        (Some(c), _) => c,
        (None, Some(_)) => Credentials::emulator(),
        (None, None) => {
            eprintln!(
                "error: no AWS credentials for `{}`: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)",
                env.name
            );
            return EXIT_USAGE;
        }
    };
    let api = Bucket::new(bucket, region, env.emulator.as_deref(), &creds);
    let plan = Plan {
        bucket,
        region,
        noncurrent_days: args.noncurrent_days,
        dry_run: args.dry_run,
        plain_http: env.emulator.is_some(),
    };
    outln!(
        "state bucket of `{}` (its S3 backend): {bucket} in {region}{}",
        env.name,
        if args.dry_run { ", dry run" } else { "" }
    );
    let (steps, failure) = match bootstrap::run(&api, &plan) {
        Ok(steps) => (steps, None),
        Err((steps, e)) => (steps, Some(e)),
    };
    for s in &steps {
        outln!("  {:<12} {}: {}", s.outcome.word(), s.what, s.detail);
    }
    if let Some(e) = failure {
        eprintln!("error: bootstrap of `{}` stopped: {e}", env.name);
        return EXIT_FINDINGS;
    }
    let count = |o: &[Outcome]| steps.iter().filter(|s| o.contains(&s.outcome)).count();
    let (made, changed, found, skipped) = (
        count(&[Outcome::Made, Outcome::WouldMake]),
        count(&[Outcome::Changed, Outcome::WouldChange]),
        count(&[Outcome::Found]),
        count(&[Outcome::Skipped]),
    );
    let verb = if args.dry_run { "would be " } else { "" };
    outln!(
        "bootstrap of `{}`: {made} {verb}made, {changed} {verb}changed, {found} found{}",
        env.name,
        if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        }
    );
    EXIT_OK
}
