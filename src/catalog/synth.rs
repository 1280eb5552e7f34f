//! Synthetic catalogues for benchmarks: the shipped platform, domains and Phase 0 modules, plus
//! N generated runtime modules with the shipped catalogue's mix (a function each; some with
//! their own log groups and policies; intra-domain dependency chains; events and cross-bus
//! subscriptions), reproducible from a seed.

use super::source::embedded_file;
use std::fmt::Write as _;
use std::path::Path;

const PHASE0: &[&str] = &[
    "MOD-104", "MOD-103", "MOD-102", "MOD-045", "MOD-076", "MOD-046",
];
const DOMAINS: &[(&str, &str, &str)] = &[
    ("SD01", "bank-core", "core"),
    ("SD02", "bank-kyc", "kyc"),
    ("SD03", "bank-aml", "aml"),
    ("SD04", "bank-payments", "payments"),
    ("SD05", "bank-credit", "credit"),
    ("SD06", "bank-risk-platform", "risk"),
    ("SD08", "bank-app", "app"),
];
/// Which domains' events a domain may consume (producer phase guaranteed before the consumer's).
const CONSUMES: &[(&str, &[&str])] = &[
    ("SD03", &["SD01", "SD02"]),
    ("SD04", &["SD01"]),
    ("SD05", &["SD01", "SD02"]),
    ("SD06", &["SD01"]),
    ("SD08", &["SD01", "SD02", "SD03", "SD04", "SD05", "SD06"]),
];

/// A small deterministic generator (SplitMix64): the same seed gives the same catalogue.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Write a catalogue of `modules` modules (at least the six of Phase 0) into `out`.
pub fn generate(out: &Path, modules: usize, seed: u64) -> std::io::Result<()> {
    let mut rng = Rng(seed);
    std::fs::create_dir_all(out.join("modules"))?;
    std::fs::create_dir_all(out.join("events"))?;
    for f in ["platform.yaml", "domains.yaml"] {
        std::fs::write(out.join(f), embedded_file(f).unwrap_or_default())?;
    }
    for id in PHASE0 {
        let rel = format!("modules/{id}.yaml");
        std::fs::write(out.join(&rel), embedded_file(&rel).unwrap_or_default())?;
    }
    let generated = modules.saturating_sub(PHASE0.len());
    // Module ids past MOD-999 take more digits; the convention allows up to five.
    let mut by_domain: Vec<Vec<String>> = vec![Vec::new(); DOMAINS.len()];
    let mut events: Vec<Vec<(String, String, String)>> = vec![Vec::new(); DOMAINS.len()];
    let mut subs: Vec<Vec<String>> = vec![Vec::new(); DOMAINS.len()];
    for i in 0..generated {
        let n = 1000 + i;
        let id = format!("MOD-{n}");
        let d = rng.below(DOMAINS.len());
        let (domain, _, short) = DOMAINS[d];
        let mut y = String::new();
        let _ = writeln!(
            y,
            "id: {id}\ntitle: \"Synthetic {short} service {n}\"\nsystem: {domain}\nkind: runtime"
        );
        y.push_str("depends_on:\n  - {module: MOD-104, contract: hard}\n  - {module: MOD-103, contract: hard}\n  - {module: MOD-045, contract: hard}\n");
        // Chains inside a domain: most modules build on an earlier one of their own domain.
        if !by_domain[d].is_empty() && rng.chance(60) {
            let k = by_domain[d].len();
            let dep = &by_domain[d][k - 1 - rng.below(k.min(8))];
            let _ = writeln!(y, "  - {{module: {dep}, contract: hard}}");
        }
        if rng.chance(30) {
            let _ = writeln!(y, "runtime: {{memory_mb: {}}}", 256 << rng.below(3));
        }
        if rng.chance(25) {
            let _ = writeln!(
                y,
                "resources:\n  log_groups:\n    - {{name: \"/bank/{{env}}/{short}/{n}/audit\", purpose: Audit trail, classification: financial, retention_days: 3653}}\n  iam_policies:\n    - name: bank-{short}-{n}-read\n      description: Read access for service {n}\n      statements:\n        - {{sid: Read, effect: Allow, actions: [\"secretsmanager:GetSecretValue\"], resources: [\"arn:aws:secretsmanager:{{region}}:{{account}}:secret:bank-{short}/{n}/*\"]}}"
            );
        }
        if rng.chance(40) {
            events[d].push((
                format!("svc{n}.changed"),
                id.clone(),
                format!("Svc{n}Changed"),
            ));
        }
        if let Some((_, from)) = CONSUMES.iter().find(|(c, _)| *c == domain)
            && rng.chance(35)
        {
            let src = from[rng.below(from.len())];
            let s = DOMAINS
                .iter()
                .position(|x| x.0 == src)
                .expect("known domain");
            if let Some((ev, _, _)) = events[s].last() {
                let target = if rng.chance(50) {
                    "{kind: function}".to_string()
                } else {
                    format!("{{kind: bus, name: {}}}", DOMAINS[d].1)
                };
                subs[s].push(format!(
                    "  - {{name: s{n}, consumer: {id}, events: [{ev}], target: {target}}}"
                ));
            }
        }
        by_domain[d].push(id.clone());
        std::fs::write(out.join(format!("modules/{id}.yaml")), y)?;
    }
    for (d, (_, bus, short)) in DOMAINS.iter().enumerate() {
        let mut y = format!("bus: {bus}\nevents:\n");
        if events[d].is_empty() {
            y = format!("bus: {bus}\nevents: []\n");
        }
        for (name, producer, dt) in &events[d] {
            let _ = writeln!(
                y,
                "  - {{name: {name}, producer: {producer}, source: bank.{short}, detail_type: {dt}, description: Synthetic}}"
            );
        }
        y.push_str(if subs[d].is_empty() {
            "subscriptions: []\n"
        } else {
            "subscriptions:\n"
        });
        for s in &subs[d] {
            let _ = writeln!(y, "{s}");
        }
        std::fs::write(out.join(format!("events/{bus}.yaml")), y)?;
    }
    let default = embedded_file("events/default.yaml").unwrap_or_default();
    std::fs::write(out.join("events/default.yaml"), default)?;
    Ok(())
}
