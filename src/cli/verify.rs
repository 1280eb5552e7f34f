//! `bankgen verify --env ENV --phase N`: bankgen's own completion check of a phase (the one the
//! catalogue's phase checks run after their modules are applied): the contracts and buses of the
//! phase, then the probes its check lists.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, load_or_report, print_problems};
use crate::catalog::CatalogSource;
use crate::deploy::aws::{Client, Credentials};
use crate::deploy::s3::Bucket;
use crate::deploy::{probe, verify};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Environment to verify (from platform.yaml); a phase check gets it from bankgen
    #[arg(long, value_name = "ENV", env = "BANKGEN_ENV")]
    pub env: String,

    /// The phase whose completion to verify
    #[arg(long, value_name = "N", env = "BANKGEN_PHASE")]
    pub phase: u32,
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
    if cat.phase(args.phase).is_none() {
        let ids: Vec<String> = cat.phases.iter().map(|p| p.id.to_string()).collect();
        eprintln!(
            "error: unknown phase {} (domains.yaml has: {})",
            args.phase,
            ids.join(", ")
        );
        return EXIT_USAGE;
    }
    let creds = match (Credentials::from_env(), &env.emulator) {
        (Some(c), _) => c,
        (None, Some(_)) => Credentials::emulator(),
        (None, None) => {
            eprintln!(
                "error: no AWS credentials for `{}`: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), as the CI job's role does",
                env.name
            );
            return EXIT_USAGE;
        }
    };
    // One render of the environment gives both the phase's contracts and the probes' resources.
    let contracts = match crate::render::contracts::ssm_contracts(&cat, Some(&env.name)) {
        Ok(c) => c,
        Err(problems) => {
            print_problems(&problems, short);
            return EXIT_USAGE;
        }
    };
    let targets = verify::targets(&cat, &contracts, &env.name, args.phase);
    let client = Client::new(&cat.platform.region, env.emulator.as_deref(), creds.clone());
    let mut findings = verify::verify(&targets, &client, &env.name, args.phase);
    let bucket_of =
        |name: &str| Bucket::new(name, &cat.platform.region, env.emulator.as_deref(), &creds);
    let probes = probe::run(&cat, &contracts, &env.name, args.phase, &client, &bucket_of);
    let probed = probes.len();
    findings.extend(probes);
    let failed = findings.iter().filter(|f| !f.ok).count();
    for f in &findings {
        outln!(
            "{} {} {}",
            if f.ok { "ok  " } else { "FAIL" },
            f.what,
            f.detail
        );
    }
    outln!(
        "phase {} in {}: {} SSM contract parameter(s), {} bus(es), {} probe(s): {}",
        args.phase,
        env.name,
        targets.parameters.len(),
        targets.buses.len(),
        probed,
        if failed == 0 {
            "complete".to_string()
        } else {
            format!("{failed} check(s) failed")
        }
    );
    if failed == 0 { EXIT_OK } else { EXIT_FINDINGS }
}
