//! Raw catalogue → [`Catalog`], reporting every problem at once.

use super::names::{self, Convention};
use super::*;
use crate::catalog::RawCatalog;
use crate::catalog::raw::{self, PhaseCheckRaw, Sp};
use crate::diag::Problem;
use crate::kinds::{self, known};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

/// `catalog/modules/MOD-001.yaml` → `MOD-001`: the name a module or events file must have.
fn file_stem(name: &str) -> &str {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml")
}

/// Build the model and check it. The catalogue is returned only when there is no error.
pub fn build(raw: RawCatalog, mut problems: Vec<Problem>) -> (Option<Catalog>, Vec<Problem>) {
    let (Some((pfile, praw)), Some((dfile, draw))) = (raw.platform, raw.domains) else {
        return (None, problems);
    };
    let mut b = Builder {
        problems: &mut problems,
        broken_ids: HashSet::new(),
        shadow: Vec::new(),
    };
    for file in raw.unparsed_modules {
        b.set_aside(file, None);
    }
    let platform = b.platform(&pfile, praw);
    let (phases, mut domains) = b.domains(&dfile, draw, &platform);
    let mut modules = Vec::new();
    let mut seen_ids: HashMap<String, Loc> = HashMap::new();
    for (file, m) in raw.modules {
        if let Some(module) = b.module(&file, m, &platform, &phases, &domains, &mut seen_ids) {
            modules.push(module);
        }
    }
    modules.sort_by(|a, b| a.id.cmp(&b.id));
    b.unique_resource_names(&modules);
    for d in &mut domains {
        d.phase = phases
            .iter()
            .find(|p| p.domains.contains(&d.id) && p.kinds.is_none())
            .or_else(|| phases.iter().find(|p| p.domains.contains(&d.id)))
            .map(|p| p.id);
    }
    let (events, subscriptions) = b.events(raw.events, &modules, &domains, &platform.naming);
    let catalog = Catalog {
        platform,
        phases,
        domains,
        modules,
        events,
        subscriptions,
        files: raw.files,
        policies_dir: None,
    };
    b.references(&catalog);
    b.phase_order(&catalog);
    b.phase_members(&catalog);
    drop(b);
    problems.extend(graph::cycle_problems(&catalog));
    let ok = !problems
        .iter()
        .any(|p| p.severity == crate::diag::Severity::Error);
    (ok.then_some(catalog), problems)
}

struct Builder<'a> {
    problems: &'a mut Vec<Problem>,
    /// Ids of modules left out of the model (they did not parse, or name an unknown domain).
    broken_ids: HashSet<String>,
    /// Their files: what they declare is unknown, so a name found in them is not reported as
    /// unknown elsewhere (one broken file would otherwise bury its own problem under hundreds).
    shadow: Vec<Arc<SourceFile>>,
}

impl Builder<'_> {
    /// Leave a module out of the model without reporting every reference to it.
    fn set_aside(&mut self, file: Arc<SourceFile>, id: Option<&str>) {
        let stem = file_stem(&file.name).to_string();
        self.broken_ids.insert(stem);
        if let Some(id) = id {
            self.broken_ids.insert(id.to_string());
        }
        for line in file.text.lines() {
            if let Some(v) = line.strip_prefix("id:") {
                let v = v
                    .split('#')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches(['"', '\'']);
                if !v.is_empty() {
                    self.broken_ids.insert(v.to_string());
                }
            }
        }
        self.shadow.push(file);
    }

    /// Whether a module left out of the model may declare `name`.
    fn maybe_set_aside(&self, name: &str) -> bool {
        self.shadow.iter().any(|f| f.text.contains(name))
    }

    fn err(&mut self, code: &'static str, loc: Loc, message: String, help: impl Into<String>) {
        self.problems
            .push(Problem::error(code, Some(loc), message, help));
    }

    fn name(&mut self, file: &Arc<SourceFile>, value: &Sp<String>, conv: &Convention) -> bool {
        // `{env}` is filled in per environment when rendering.
        if conv.matches(&value.value.replace("{env}", "env")) {
            return true;
        }
        self.err(
            "BG030",
            Loc::from_saphyr(file, &value.referenced),
            format!(
                "{} `{}` breaks the naming convention",
                conv.what,
                value.value.escape_debug()
            ),
            conv.help(),
        );
        false
    }

    fn platform(&mut self, file: &Arc<SourceFile>, p: raw::PlatformFile) -> Platform {
        self.name(file, &p.name_prefix, &names::NAME_PREFIX);
        if let Some(dr) = &p.dr_region
            && dr.value == p.region.value
        {
            self.err(
                "BG001",
                Loc::from_saphyr(file, &dr.referenced),
                format!("dr_region `{}` is the primary region", dr.value),
                "the disaster-recovery region is another region (seed 002: replicas stand ready in case of regional failure)",
            );
        }
        if let Some(g) = &p.global_region
            && g.value != "us-east-1"
        {
            self.err(
                "BG001",
                Loc::from_saphyr(file, &g.referenced),
                format!("global_region `{}` is not us-east-1", g.value),
                "CloudFront accepts certificates and web ACLs only from us-east-1: global_region: us-east-1",
            );
        }
        let naming = names::Naming::new(&p.name_prefix.value);
        let profile = self
            .profile(file, &p.provider.profile)
            .unwrap_or(Profile::V6);
        let mut provider_versions = BTreeMap::new();
        for (k, v) in p.provider.versions {
            match Profile::parse(&k) {
                Some(pr) => {
                    provider_versions.insert(pr, v.value);
                }
                None => self.err(
                    "BG001",
                    Loc::from_saphyr(file, &v.referenced),
                    format!("unknown provider profile `{k}`"),
                    "profiles are `v6` (hashicorp/aws >= 4) and `legacy` (hashicorp/aws < 4)",
                ),
            }
        }
        for pr in [Profile::V6, Profile::Legacy] {
            if !provider_versions.contains_key(&pr) {
                self.err(
                    "BG005",
                    Loc::file_start(file),
                    format!(
                        "provider.versions has no constraint for profile `{}`",
                        pr.name()
                    ),
                    "give both `v6` and `legacy` a version constraint",
                );
            }
        }
        let mut environments: Vec<Environment> = Vec::new();
        for e in p.environments {
            self.name(file, &e.name, &names::ENV_NAME);
            self.name(file, &e.account_id, &names::ACCOUNT_ID);
            if let Some(prev) = environments.iter().find(|x| x.name == e.name.value) {
                let _ = prev;
                self.err(
                    "BG010",
                    Loc::from_saphyr(file, &e.name.referenced),
                    format!("environment `{}` is defined twice", e.name.value),
                    "each environment is defined once",
                );
                continue;
            }
            let backend = match e.backend.kind.value.as_str() {
                "s3" => {
                    let get = |o: &Option<Sp<String>>| o.as_ref().map(|s| s.value.clone());
                    match (get(&e.backend.bucket), get(&e.backend.region)) {
                        (Some(bucket), Some(region)) => Backend::S3 {
                            bucket,
                            key_prefix: get(&e.backend.key_prefix)
                                .unwrap_or_else(|| "bankgen".into()),
                            region,
                        },
                        _ => {
                            self.err(
                                "BG005",
                                Loc::from_saphyr(file, &e.backend.kind.referenced),
                                format!(
                                    "the s3 backend of `{}` needs `bucket` and `region`",
                                    e.name.value
                                ),
                                "add bucket: and region: to the backend",
                            );
                            Backend::Local {
                                path: "terraform.tfstate".into(),
                            }
                        }
                    }
                }
                "local" => Backend::Local {
                    path: e
                        .backend
                        .path
                        .map(|p| p.value)
                        .unwrap_or_else(|| "terraform.tfstate".into()),
                },
                other => {
                    self.err(
                        "BG001",
                        Loc::from_saphyr(file, &e.backend.kind.referenced),
                        format!("unknown backend kind `{other}`"),
                        "backend kinds are `s3` and `local`",
                    );
                    Backend::Local {
                        path: "terraform.tfstate".into(),
                    }
                }
            };
            if let Some(em) = &e.emulator {
                let ok = em.endpoint.value.starts_with("http://127.0.0.1:")
                    || em.endpoint.value.starts_with("http://localhost:");
                if !ok {
                    self.err(
                        "BG030",
                        Loc::from_saphyr(file, &em.endpoint.referenced),
                        format!(
                            "emulator endpoint `{}` is not on the loopback address",
                            em.endpoint.value
                        ),
                        "an emulator runs on this machine: use http://127.0.0.1:PORT",
                    );
                }
                for k in &em.unserved_kinds {
                    self.unserved_kind(file, k);
                }
            }
            // An emulator's resources go with the environment (force_destroy, a 7-day key
            // window, no deletion protection): protecting them would contradict that.
            let protected = e
                .protected
                .as_ref()
                .map_or(e.name.value == "prod", |p| p.value);
            if protected && e.emulator.is_some() {
                let loc = match &e.protected {
                    Some(p) => Loc::from_saphyr(file, &p.referenced),
                    None => Loc::from_saphyr(file, &e.name.referenced),
                };
                self.err(
                    "BG005",
                    loc,
                    format!(
                        "environment `{}` is protected{} and runs on an emulator",
                        e.name.value,
                        if e.protected.is_some() {
                            ""
                        } else {
                            " (the default for `prod`)"
                        }
                    ),
                    "an emulator environment is disposable: say `protected: false` or remove its `emulator:`",
                );
            }
            let env_profile = match &e.provider_profile {
                Some(p) => self.profile(file, p).unwrap_or(profile),
                None => profile,
            };
            environments.push(Environment {
                name: e.name.value,
                account_id: e.account_id.value,
                backend,
                unserved_kinds: e
                    .emulator
                    .as_ref()
                    .map(|em| em.unserved_kinds.iter().map(|k| k.value.clone()).collect())
                    .unwrap_or_default(),
                unserved_probes: e
                    .emulator
                    .as_ref()
                    .map(|em| em.unserved_probes.iter().map(|p| p.value).collect())
                    .unwrap_or_default(),
                emulator: e.emulator.map(|em| em.endpoint.value),
                profile: env_profile,
                protected,
            });
        }
        let mut classifications: Vec<Classification> = Vec::new();
        for c in p.classifications {
            self.name(file, &c.key_alias, &naming.key_alias);
            if classifications.iter().any(|x| x.name == c.name.value) {
                self.err(
                    "BG010",
                    Loc::from_saphyr(file, &c.name.referenced),
                    format!("classification `{}` is defined twice", c.name.value),
                    "each classification is defined once",
                );
                continue;
            }
            classifications.push(Classification {
                name: c.name.value,
                key_alias: c.key_alias.value,
                description: c.description,
                min_retention_days: c.min_retention_days.value,
            });
        }
        // `/bank/{env}/{service}/{parameter}`: the root, then the environment, then the contract.
        let ssm_root = p
            .ssm_convention
            .value
            .strip_suffix("/{env}/{service}/{parameter}")
            .filter(|root| {
                root.len() > 1
                    && root.starts_with('/')
                    && root[1..].split('/').all(|part| {
                        !part.is_empty()
                            && part
                                .bytes()
                                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    })
            })
            .map(str::to_string);
        if ssm_root.is_none() {
            self.err(
                "BG030",
                Loc::from_saphyr(file, &p.ssm_convention.referenced),
                format!(
                    "SSM convention `{}` is not `/<root>/{{env}}/{{service}}/{{parameter}}`",
                    p.ssm_convention.value
                ),
                "seed 000: parameters are named /bank/{env}/{service}/{parameter}; the root is lower-case words",
            );
        }
        if !classifications
            .iter()
            .any(|c| c.name == p.operational_classification.value)
        {
            self.err(
                "BG014",
                Loc::from_saphyr(file, &p.operational_classification.referenced),
                format!(
                    "unknown data classification `{}`",
                    p.operational_classification.value
                ),
                known(
                    "classifications",
                    classifications.iter().map(|c| c.name.as_str()),
                ),
            );
        }
        let d = p.runtime_defaults;
        if let Some(a) = &d.artefact {
            self.err(
                "BG005",
                Loc::from_saphyr(file, &a.key.referenced),
                "runtime_defaults cannot pin an artefact: it is one function's build".into(),
                "give `artefact:` in a module's `runtime:` or on a function's entry",
            );
        }
        let runtime_defaults = RuntimeSettings {
            runtime: d.runtime.unwrap_or_else(|| "nodejs20.x".into()),
            architecture: d.architecture.unwrap_or_else(|| "arm64".into()),
            handler: d.handler.unwrap_or_else(|| "index.handler".into()),
            memory_mb: d.memory_mb.unwrap_or(256),
            timeout_seconds: d.timeout_seconds.unwrap_or(30),
            log_retention_days: d.log_retention_days.map(|v| v.value).unwrap_or(365),
            artefact_key: d
                .artefact_key
                .unwrap_or_else(|| "lambda/{module}/current.zip".into()),
            artefact_bucket: d
                .artefact_bucket
                .unwrap_or_else(|| format!("{}-artefacts", p.name_prefix.value)),
            reserved_concurrency: d.reserved_concurrency,
            artefact: None,
        };
        Platform {
            tenant: p.tenant.value,
            dr_region: p.dr_region.map(|r| r.value),
            global_region: p.global_region.map(|r| r.value),
            region: p.region.value,
            terraform_version: p.provider.terraform_version.value,
            profile,
            provider_versions,
            environments,
            required_tags: p.required_tags.into_iter().map(|t| t.value).collect(),
            ssm_convention: p.ssm_convention.value,
            ssm_root: ssm_root.unwrap_or_default(),
            naming,
            classifications,
            operational_classification: p.operational_classification.value,
            runtime_defaults,
            delivery: Delivery {
                maximum_retry_attempts: p.event_delivery.maximum_retry_attempts,
                maximum_event_age_seconds: p.event_delivery.maximum_event_age_seconds,
            },
            file: file.clone(),
        }
    }

    /// An entry of `emulator.unserved_kinds`: a key of `resources:`, or `KIND.OPTION` where the
    /// kind declares that option as one an emulator may not serve.
    fn unserved_kind(&mut self, file: &Arc<SourceFile>, k: &Sp<String>) {
        let (key, option) = match k.value.split_once('.') {
            Some((key, option)) => (key, Some(option)),
            None => (k.value.as_str(), None),
        };
        let at = || Loc::from_saphyr(file, &k.referenced);
        let Some(kind) = crate::kinds::kind(key) else {
            let hint = crate::catalog::closest(key, crate::kinds::KEYS)
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            self.err(
                "BG001",
                at(),
                format!("unknown resource kind `{key}`{hint}"),
                format!(
                    "unserved_kinds names keys of `resources:` ({}), or KIND.OPTION",
                    crate::kinds::KEYS.join(", ")
                ),
            );
            return;
        };
        let Some(option) = option else { return };
        let options = kind.emulator_options();
        if !options.iter().any(|o| o.option == option) {
            let help = if options.is_empty() {
                format!(
                    "{key} has no option an emulator may leave out: name the whole kind (`{key}`)"
                )
            } else {
                format!(
                    "the options of {key} an emulator may leave out: {}",
                    options
                        .iter()
                        .map(|o| format!("`{key}.{}` ({})", o.option, o.renders))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            self.err(
                "BG001",
                at(),
                format!("`{option}` is not an option of {key} that an emulator may leave out"),
                help,
            );
        }
    }

    fn profile(&mut self, file: &Arc<SourceFile>, p: &Sp<String>) -> Option<Profile> {
        let parsed = Profile::parse(&p.value);
        if parsed.is_none() {
            self.err(
                "BG001",
                Loc::from_saphyr(file, &p.referenced),
                format!("unknown provider profile `{}`", p.value),
                "profiles are `v6` (hashicorp/aws >= 4) and `legacy` (hashicorp/aws < 4)",
            );
        }
        parsed
    }

    fn domains(
        &mut self,
        file: &Arc<SourceFile>,
        d: raw::DomainsFile,
        platform: &Platform,
    ) -> (Vec<Phase>, Vec<Domain>) {
        let mut domains: Vec<Domain> = Vec::new();
        for raw in d.domains {
            self.name(file, &raw.id, &names::DOMAIN_ID);
            self.name(file, &raw.bus, &platform.naming.bus);
            self.name(file, &raw.role, &platform.naming.role);
            if domains.iter().any(|x| x.id == raw.id.value) {
                self.err(
                    "BG010",
                    Loc::from_saphyr(file, &raw.id.referenced),
                    format!("domain `{}` is defined twice", raw.id.value),
                    "each domain is defined once",
                );
                continue;
            }
            for h in &raw.handles {
                if !platform.classifications.iter().any(|c| c.name == h.value) {
                    self.unknown_classification(file, h, platform);
                }
            }
            domains.push(Domain {
                loc: Loc::from_saphyr(file, &raw.id.referenced),
                id: raw.id.value,
                name: raw.name,
                repo: raw.repo.value,
                bus: raw.bus.value,
                role: raw.role.value,
                handles: raw.handles.into_iter().map(|h| h.value).collect(),
                phase: None,
            });
        }
        domains.sort_by(|a, b| a.id.cmp(&b.id));
        let mut phases: Vec<Phase> = Vec::new();
        for p in d.phases {
            if phases.iter().any(|x| x.id == p.id.value) {
                self.err(
                    "BG010",
                    Loc::from_saphyr(file, &p.id.referenced),
                    format!("phase {} is defined twice", p.id.value),
                    "each phase is defined once",
                );
                continue;
            }
            for dom in &p.domains {
                if !domains.iter().any(|x| x.id == dom.value) {
                    self.err(
                        "BG012",
                        Loc::from_saphyr(file, &dom.referenced),
                        format!("unknown domain `{}`", dom.value),
                        known("domains", domains.iter().map(|d| d.id.as_str())),
                    );
                }
            }
            let check = p.check.and_then(|c| self.phase_check(file, p.id.value, c));
            phases.push(Phase {
                id: p.id.value,
                name: p.name,
                domains: p.domains.into_iter().map(|d| d.value).collect(),
                kinds: p.kinds,
                module_locs: p
                    .modules
                    .iter()
                    .flatten()
                    .map(|m| Loc::from_saphyr(file, &m.referenced))
                    .collect(),
                modules: p
                    .modules
                    .map(|list| list.into_iter().map(|m| m.value).collect()),
                gate: p.gate.iter().map(|g| g.value).collect(),
                gate_text: p.gate_text,
                completion_signal: p.completion_signal,
                check,
            });
        }
        // Gates name phases that exist and come earlier: a gate on a later phase is a cycle.
        let ids: Vec<u32> = phases.iter().map(|p| p.id).collect();
        for p in &phases {
            for g in &p.gate {
                if !ids.contains(g) || *g >= p.id {
                    self.err(
                        "BG021",
                        Loc::file_start(file),
                        format!(
                            "phase {} is gated on phase {g}, which is not an earlier phase",
                            p.id
                        ),
                        "a phase's gate lists earlier phases only",
                    );
                }
            }
        }
        phases.sort_by_key(|p| p.id);
        (phases, domains)
    }

    fn phase_check(
        &mut self,
        file: &Arc<SourceFile>,
        phase: u32,
        c: Sp<PhaseCheckRaw>,
    ) -> Option<PhaseCheck> {
        let c_loc = Loc::from_saphyr(file, &c.referenced);
        let c = c.value;
        let mut ok = true;
        if c.run.value.first().is_none_or(|w| w.trim().is_empty()) {
            self.err(
                "BG042",
                Loc::from_saphyr(file, &c.run.referenced),
                format!("the completion check of phase {phase} has no command"),
                "`run` is the command and its arguments, e.g. `run: [bankgen, verify]`",
            );
            ok = false;
        }
        if c.timeout_seconds.value == 0 || c.timeout_seconds.value > 6 * 3600 {
            self.err(
                "BG042",
                Loc::from_saphyr(file, &c.timeout_seconds.referenced),
                format!(
                    "the completion check of phase {phase} has a timeout of {} s",
                    c.timeout_seconds.value
                ),
                "give `timeout_seconds` between 1 and 21600 (6 hours)",
            );
            ok = false;
        }
        if c.retries > 100 {
            self.err(
                "BG042",
                c_loc.clone(),
                format!(
                    "the completion check of phase {phase} retries {} times",
                    c.retries
                ),
                "give `retries` up to 100; a longer wait is a longer `retry_delay_seconds`",
            );
            ok = false;
        }
        let probes = c
            .probes
            .iter()
            .map(|p| {
                use raw::ProbeRaw as R;
                let (kind, target): (ProbeKind, &Sp<String>) = match &p.value {
                    R::ObjectRoundTrip(t) => (ProbeKind::ObjectRoundTrip, t),
                    R::ItemRoundTrip(t) => (ProbeKind::ItemRoundTrip, t),
                    R::FifoInOrder(t) => (ProbeKind::FifoInOrder, t),
                    R::RecordRoundTrip(t) => (ProbeKind::RecordRoundTrip, t),
                    R::EventDelivered(t) => (ProbeKind::EventDelivered, t),
                };
                Probe {
                    kind,
                    target: target.value.clone(),
                    loc: Loc::from_saphyr(file, &target.referenced),
                }
            })
            .collect();
        ok.then(|| PhaseCheck {
            run: c.run.value,
            timeout: Duration::from_secs(c.timeout_seconds.value.into()),
            retries: c.retries,
            retry_delay: Duration::from_secs(c.retry_delay_seconds.into()),
            probes,
            loc: c_loc,
        })
    }

    /// Each probe of a phase check names an entry of a module of that phase, of the right kind.
    fn probes(&mut self, cat: &Catalog) {
        for phase in &cat.phases {
            let Some(check) = &phase.check else { continue };
            let modules: Vec<&Module> = cat
                .modules
                .iter()
                .filter(|m| m.phase == Some(phase.id))
                .collect();
            for p in &check.probes {
                let t = p.target.as_str();
                let found = match p.kind {
                    ProbeKind::ObjectRoundTrip => modules
                        .iter()
                        .any(|m| m.resources.buckets.iter().any(|b| b.name.value == t)),
                    ProbeKind::ItemRoundTrip => modules.iter().any(|m| {
                        m.resources
                            .dynamodb_tables
                            .iter()
                            .any(|x| x.name.value == t)
                    }),
                    ProbeKind::FifoInOrder => modules.iter().any(|m| {
                        m.resources
                            .queues
                            .iter()
                            .any(|q| q.name.value == t && q.fifo)
                    }),
                    ProbeKind::RecordRoundTrip => modules.iter().any(|m| {
                        m.resources
                            .kinesis_streams
                            .iter()
                            .any(|x| x.name.value == t)
                    }),
                    ProbeKind::EventDelivered => cat.subscriptions.iter().any(|s| {
                        s.name == t
                            && s.target.kind == TargetKind::Queue
                            && modules.iter().any(|m| m.id == s.consumer)
                    }),
                };
                // A consumer would take (and act on) the probe's messages.
                let consumer = cat.modules.iter().find(|m| {
                    m.resources
                        .event_sources
                        .iter()
                        .any(|e| e.queue.as_ref().is_some_and(|q| q.value == t))
                });
                if let (ProbeKind::FifoInOrder, Some(c)) = (p.kind, consumer) {
                    self.problems.push(Problem::error(
                        "BG013",
                        Some(p.loc.clone()),
                        format!(
                            "the check of phase {} probes queue `{t}`, which {}'s event source consumes: it would take (and act on) the probe's messages",
                            phase.id, c.id
                        ),
                        "probe a queue no function consumes (a canary queue of the stack)",
                    ));
                }
                if !found {
                    let what = match p.kind {
                        ProbeKind::ObjectRoundTrip => "a bucket",
                        ProbeKind::ItemRoundTrip => "a DynamoDB table",
                        ProbeKind::FifoInOrder => "a FIFO queue (`fifo: true`)",
                        ProbeKind::RecordRoundTrip => "a Kinesis stream",
                        ProbeKind::EventDelivered => "a subscription with a queue target",
                    };
                    self.problems.push(Problem::error(
                        "BG013",
                        Some(p.loc.clone()),
                        format!(
                            "the check of phase {} probes `{t}`, which is not {what} of a module of the phase",
                            phase.id
                        ),
                        "name an entry that a module of this phase declares (a probe checks what the phase made)",
                    ));
                }
            }
        }
    }

    fn unknown_classification(
        &mut self,
        file: &Arc<SourceFile>,
        c: &Sp<String>,
        platform: &Platform,
    ) {
        self.err(
            "BG014",
            Loc::from_saphyr(file, &c.referenced),
            format!("unknown data classification `{}`", c.value),
            known(
                "classifications",
                platform.classifications.iter().map(|c| c.name.as_str()),
            ),
        );
    }

    fn module(
        &mut self,
        file: &Arc<SourceFile>,
        m: raw::ModuleRaw,
        platform: &Platform,
        phases: &[Phase],
        domains: &[Domain],
        seen: &mut HashMap<String, Loc>,
    ) -> Option<Module> {
        let loc = Loc::from_saphyr(file, &m.id.referenced);
        self.name(file, &m.id, &names::MODULE_ID);
        if let Some(prev) = seen.get(&m.id.value) {
            let p = Problem::error(
                "BG010",
                Some(loc.clone()),
                format!("module `{}` is defined twice", m.id.value),
                "each module has exactly one file; remove or renumber one of them",
            )
            .with_related(prev.clone(), "first defined here");
            self.problems.push(p);
            return None;
        }
        seen.insert(m.id.value.clone(), loc.clone());
        let stem = file_stem(&file.name);
        if stem != m.id.value {
            self.err(
                "BG031",
                loc.clone(),
                format!("module `{}` is in a file named `{stem}`", m.id.value),
                format!("name the file {}.yaml", m.id.value),
            );
        }
        let Some(domain) = domains.iter().find(|d| d.id == m.system.value) else {
            self.err(
                "BG012",
                Loc::from_saphyr(file, &m.system.referenced),
                format!("unknown system domain `{}`", m.system.value),
                known("domains", domains.iter().map(|d| d.id.as_str())),
            );
            self.set_aside(file.clone(), Some(&m.id.value));
            return None;
        };
        let kind = m.kind.value;
        let of_kinds = |p: &Phase| p.kinds.as_ref().is_none_or(|k| k.contains(&kind));
        let phase = phases
            .iter()
            .find(|p| match &p.modules {
                Some(list) => list.contains(&m.id.value),
                None => p.domains.contains(&domain.id) && of_kinds(p),
            })
            .map(|p| p.id);
        // A module of a phase's domain that the phase leaves out waits for it, except one of the
        // phase's kinds that a phase naming its modules does not name (seed 001 names Phase 0's
        // six infrastructure modules; MOD-156 is none of them): it waits only for its
        // dependencies and gates nothing.
        let after_phase = match phase {
            Some(_) => None,
            None => phases
                .iter()
                .find(|p| p.domains.contains(&domain.id) && !(p.modules.is_some() && of_kinds(p)))
                .map(|p| p.id),
        };
        let mut depends_on = Vec::new();
        for d in m.depends_on {
            depends_on.push(Dependency {
                loc: Loc::from_saphyr(file, &d.module.referenced),
                module: d.module.value,
                contract: d.contract,
            });
        }
        let conventional = match (&m.runtime, kind) {
            (Some(r), _) if r.function == Some(false) => false,
            (Some(r), _) if r.function == Some(true) => true,
            (_, ModuleKind::Runtime) => true,
            _ => false,
        };
        if let Some(a) = m.runtime.as_ref().and_then(|r| r.artefact.as_ref())
            && let Some((at, msg, help)) = a.problem()
        {
            self.err("BG005", Loc::from_saphyr(file, &at.referenced), msg, help);
        }
        let function =
            conventional.then(|| merge_runtime(&platform.runtime_defaults, m.runtime.as_ref()));
        if let Some(f) = &function
            && f.log_retention_days < 1
        {
            self.err(
                "BG001",
                loc.clone(),
                "log retention must be at least one day".into(),
                "set log_retention_days",
            );
        }
        self.resources(file, &m.resources, platform, domains);
        Some(Module {
            id: m.id.value,
            title: m.title.value,
            domain: domain.id.clone(),
            repo: m
                .repo
                .map(|r| r.value)
                .unwrap_or_else(|| domain.repo.clone()),
            kind,
            purpose: m.purpose,
            phase,
            after_phase,
            depends_on,
            policies: m.policies,
            function,
            resources: m.resources,
            file: file.clone(),
            loc,
        })
    }

    /// Each kind's checks of the resources a module declares (they need only the platform and
    /// the domains).
    fn resources(
        &mut self,
        file: &Arc<SourceFile>,
        r: &Resources,
        platform: &Platform,
        domains: &[Domain],
    ) {
        let classifications: Vec<kinds::ClassFacts> = platform
            .classifications
            .iter()
            .map(|c| kinds::ClassFacts {
                name: &c.name,
                key_alias: &c.key_alias,
            })
            .collect();
        let domain_ids: Vec<&str> = domains.iter().map(|d| d.id.as_str()).collect();
        let mut checker = kinds::Checker {
            file,
            resources: r,
            classifications: &classifications,
            domains: &domain_ids,
            naming: &platform.naming,
            dr_region: platform.dr_region.as_deref(),
            problems: self.problems,
        };
        for kind in kinds::KINDS {
            kind.check(r, &mut checker);
        }
        kinds::exports::check(r, &mut checker);
    }

    fn unknown_bus<'n>(
        &mut self,
        file: &Arc<SourceFile>,
        b: &Sp<String>,
        buses: impl Iterator<Item = &'n str>,
    ) {
        self.err(
            "BG013",
            Loc::from_saphyr(file, &b.referenced),
            format!("unknown event bus `{}`", b.value),
            known("buses", buses),
        );
    }

    /// AWS names are unique per account and region: two declarations of one bucket, bus,
    /// role, … would render two resources fighting over one name.
    fn unique_resource_names(&mut self, modules: &[Module]) {
        let mut seen: HashMap<(&'static str, String), Loc> = HashMap::new();
        for m in modules {
            let r = &m.resources;
            let names = kinds::KINDS
                .iter()
                .flat_map(|k| k.names(r))
                .chain(r.exports.iter().map(|x| ("SSM export", &x.path)));
            for (what, name) in names {
                let loc = m.loc_of(&name.referenced);
                match seen.entry((what, name.value.clone())) {
                    std::collections::hash_map::Entry::Occupied(first) => {
                        let p = Problem::error(
                            "BG010",
                            Some(loc),
                            format!("{what} `{}` is declared twice", name.value),
                            format!("AWS {what} names are unique: rename or remove one of them"),
                        )
                        .with_related(first.get().clone(), "first declared here");
                        self.problems.push(p);
                    }
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(loc);
                    }
                }
            }
        }
    }

    fn events(
        &mut self,
        files: Vec<(Arc<SourceFile>, raw::EventsFile)>,
        modules: &[Module],
        domains: &[Domain],
        naming: &names::Naming,
    ) -> (Vec<Event>, Vec<Subscription>) {
        let buses: Vec<String> = modules
            .iter()
            .flat_map(|m| m.resources.event_buses.iter().map(|b| b.name.value.clone()))
            .collect();
        // The buses with a copy in the DR region (`dr: true`): what a `region: dr` target may name.
        let dr_buses: Vec<&str> = modules
            .iter()
            .flat_map(|m| m.resources.event_buses.iter())
            .filter(|b| b.dr.as_ref().is_some_and(|d| d.value))
            .map(|b| b.name.value.as_str())
            .collect();
        let module_ids: HashSet<&str> = modules.iter().map(|m| m.id.as_str()).collect();
        let mut events: Vec<Event> = Vec::new();
        let mut subs: Vec<Subscription> = Vec::new();
        let mut pending = Vec::new();
        for (file, f) in files {
            let bus = f.bus.value.clone();
            let is_default = bus == "default";
            let stem = file_stem(&file.name);
            // An unknown bus is reported below; renaming the file after it would not help.
            if stem != bus && (is_default || buses.contains(&bus)) {
                self.err(
                    "BG031",
                    Loc::from_saphyr(&file, &f.bus.referenced),
                    format!("the events of bus `{bus}` are in a file named `{stem}`"),
                    format!("name the file events/{bus}.yaml: one file per bus, named after it"),
                );
            }
            if !is_default && !buses.contains(&bus) && !self.maybe_set_aside(&bus) {
                self.unknown_bus(&file, &f.bus, buses.iter().map(String::as_str));
            }
            let owner_domain = domains.iter().find(|d| d.bus == bus).map(|d| d.id.clone());
            for e in f.events {
                let loc = Loc::from_saphyr(&file, &e.name.referenced);
                self.name(&file, &e.name, &names::EVENT_NAME);
                self.name(&file, &e.source, &naming.event_source);
                self.name(&file, &e.detail_type, &names::DETAIL_TYPE);
                if events
                    .iter()
                    .any(|x| x.bus == bus && x.name == e.name.value)
                {
                    self.err(
                        "BG010",
                        loc,
                        format!("event `{}` is defined twice on {bus}", e.name.value),
                        "each event is defined once per bus",
                    );
                    continue;
                }
                match modules.iter().find(|m| m.id == e.producer.value) {
                    None => self.unknown_module(&file, &e.producer, &module_ids),
                    Some(m) if owner_domain.as_ref().is_some_and(|d| d != &m.domain) => self.err(
                        "BG015",
                        Loc::from_saphyr(&file, &e.producer.referenced),
                        format!("{} ({}) cannot produce on {bus}, the bus of another domain", m.id, m.domain),
                        "a module publishes on its own domain's bus; route across buses with a subscription",
                    ),
                    _ => {}
                }
                events.push(Event {
                    name: e.name.value,
                    bus: bus.clone(),
                    producer: e.producer.value,
                    source: e.source.value,
                    detail_type: e.detail_type.value,
                    description: e.description,
                    loc,
                });
            }
            for s in f.subscriptions {
                pending.push((file.clone(), bus.clone(), s));
            }
        }
        for (file, bus, s) in pending {
            let loc = Loc::from_saphyr(&file, &s.name.referenced);
            self.name(&file, &s.name, &names::SUBSCRIPTION);
            if let Some(prev) = subs.iter().find(|x| x.name == s.name.value) {
                let p = Problem::error(
                    "BG010",
                    Some(loc),
                    format!("subscription `{}` is defined twice", s.name.value),
                    "subscription names are unique across the event catalogue",
                )
                .with_related(prev.loc.clone(), "first defined here");
                self.problems.push(p);
                continue;
            }
            if !module_ids.contains(s.consumer.value.as_str())
                && !self.broken_ids.contains(&s.consumer.value)
            {
                self.err(
                    "BG015",
                    Loc::from_saphyr(&file, &s.consumer.referenced),
                    format!("unknown consumer `{}`", s.consumer.value),
                    "a subscription's consumer is a module id of the catalogue, e.g. MOD-016",
                );
            }
            let mut matched = Vec::new();
            for ev in &s.events {
                match events.iter().find(|e| e.bus == bus && e.name == ev.value) {
                    Some(e) => matched.push(e.clone()),
                    None => {
                        let on_bus: Vec<&str> = events
                            .iter()
                            .filter(|e| e.bus == bus)
                            .map(|e| e.name.as_str())
                            .collect();
                        self.err(
                            "BG016",
                            Loc::from_saphyr(&file, &ev.referenced),
                            format!("no module produces event `{}` on {bus}", ev.value),
                            known("events on this bus", on_bus.into_iter()),
                        );
                    }
                }
            }
            let pattern = match (&s.pattern, s.events.is_empty()) {
                (Some(p), true) => serde_json::to_value(p).unwrap_or_default(),
                (None, false) => {
                    let mut sources: Vec<String> =
                        matched.iter().map(|e| e.source.clone()).collect();
                    sources.sort();
                    sources.dedup();
                    let mut types: Vec<String> =
                        matched.iter().map(|e| e.detail_type.clone()).collect();
                    types.sort();
                    types.dedup();
                    serde_json::json!({ "source": sources, "detail-type": types })
                }
                _ => {
                    self.err(
                        "BG001",
                        loc.clone(),
                        format!("subscription `{}` needs either `events` or `pattern`, not both or neither", s.name.value),
                        "list the events it consumes; use `pattern` only for AWS service events",
                    );
                    serde_json::Value::Null
                }
            };
            let target_name = s.target.name.as_ref().map(|n| n.value.clone());
            // `region: dr` (its only value): where it is written.
            let dr = s.target.region.as_ref().map(|r| &r.referenced);
            match (s.target.kind.value, &s.target.name, dr) {
                (TargetKind::Bus, Some(n), Some(_))
                    if buses.contains(&n.value) && !dr_buses.contains(&n.value.as_str()) =>
                {
                    self.err(
                        "BG013",
                        Loc::from_saphyr(&file, &n.referenced),
                        format!(
                            "subscription `{}` routes to {}'s copy in the DR region, but that bus has none",
                            s.name.value, n.value
                        ),
                        format!("add `dr: true` to the `{}` entry of its module's event_buses", n.value),
                    );
                }
                (kind, _, Some(at)) if kind != TargetKind::Bus => self.err(
                    "BG001",
                    Loc::from_saphyr(&file, at),
                    format!(
                        "subscription `{}`: only a bus target has a `region`",
                        s.name.value
                    ),
                    "remove `region:`, or route to a bus's DR copy (`kind: bus`)",
                ),
                _ => {}
            }
            match (s.target.kind.value, &s.target.name) {
                (TargetKind::Bus, Some(n))
                    if !buses.contains(&n.value) && !self.maybe_set_aside(&n.value) =>
                {
                    self.unknown_bus(&file, n, buses.iter().map(String::as_str))
                }
                (TargetKind::Bus, Some(n)) if n.value == bus && dr.is_none() => self.err(
                    "BG016",
                    Loc::from_saphyr(&file, &n.referenced),
                    format!("subscription `{}` routes {bus} to itself", s.name.value),
                    "a cross-bus target is another domain's bus",
                ),
                (TargetKind::Queue, Some(n)) => {
                    self.name(&file, n, &names::QUEUE_NAME);
                }
                (TargetKind::Firehose, Some(n)) => {
                    let exists = modules.iter().any(|m| {
                        m.resources
                            .firehose_streams
                            .iter()
                            .any(|f| f.name.value == n.value)
                    });
                    if !exists && !self.maybe_set_aside(&n.value) {
                        self.err(
                            "BG013",
                            Loc::from_saphyr(&file, &n.referenced),
                            format!("unknown Firehose stream `{}`", n.value),
                            "name a stream declared in a module's firehose_streams",
                        );
                    }
                }
                (TargetKind::Function, _) => {}
                (kind, None) => self.err(
                    "BG005",
                    Loc::from_saphyr(&file, &s.target.kind.referenced),
                    format!("a `{}` target needs a name", target_kind_name(kind)),
                    "add `name:` to the target",
                ),
                _ => {}
            }
            subs.push(Subscription {
                name: s.name.value,
                bus,
                consumer: s.consumer.value,
                events: s.events.into_iter().map(|e| e.value).collect(),
                pattern,
                target: Target {
                    kind: s.target.kind.value,
                    name: target_name,
                    dr: dr.is_some(),
                },
                loc,
            });
        }
        (events, subs)
    }

    fn unknown_module(&mut self, file: &Arc<SourceFile>, id: &Sp<String>, ids: &HashSet<&str>) {
        let _ = ids;
        if self.broken_ids.contains(&id.value) {
            return;
        }
        self.err(
            "BG011",
            Loc::from_saphyr(file, &id.referenced),
            format!("unknown module `{}`", id.value),
            "refer to a module that has a file in catalog/modules/",
        );
    }

    /// A `renamed_from:` names no other entry of its kind anywhere in the catalogue (the two
    /// would share one physical resource), nor the same old name as another entry's.
    fn renames(&mut self, cat: &Catalog) {
        for kind in kinds::KINDS {
            let mut k = kinds::guard::KindRenames {
                noun: kind.noun(),
                renamed: Vec::new(),
                names: Vec::new(),
            };
            for m in &cat.modules {
                for (name, from) in kind.renames(&m.resources) {
                    k.renamed.push((name, from, m.loc_of(&from.referenced)));
                }
                for (_, name) in kind.names(&m.resources) {
                    k.names.push((name, m.loc_of(&name.referenced)));
                }
            }
            if !k.renamed.is_empty() {
                kinds::guard::check_renames(&k, self.problems);
            }
        }
    }

    /// A policy's `attach_to:` names a role of its own module or of one it depends on (the role
    /// must exist before the attachment).
    fn policy_attachments(&mut self, cat: &Catalog) {
        for m in &cat.modules {
            for p in &m.resources.iam_policies {
                for role in &p.attach_to {
                    let owner = cat.modules.iter().find(|o| {
                        o.resources
                            .iam_roles
                            .iter()
                            .any(|r| r.name.value == role.value)
                    });
                    let at = Some(Loc::from_saphyr(&m.file, &role.referenced));
                    match owner {
                        // A module that did not load may declare it: say nothing more.
                        None if !self.broken_ids.is_empty() => {}
                        None => self.problems.push(Problem::error(
                            "BG013",
                            at,
                            format!(
                                "policy `{}` is attached to role `{}`, which no module declares",
                                p.name.value, role.value
                            ),
                            "name a role of `iam_roles:` (a domain role), or use `attached_outside:`",
                        )),
                        Some(o)
                            if o.id != m.id && !m.depends_on.iter().any(|d| d.module == o.id) =>
                        {
                            self.problems.push(Problem::error(
                                "BG013",
                                at,
                                format!(
                                    "policy `{}` is attached to role `{}` of {}, which {} does not depend on",
                                    p.name.value, role.value, o.id, m.id
                                ),
                                format!("add `- module: {}` to depends_on", o.id),
                            ))
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }

    /// Checks that need the whole catalogue.
    fn references(&mut self, cat: &Catalog) {
        let modules: Vec<_> = cat
            .modules
            .iter()
            .map(|m| (&m.resources, &m.file))
            .collect();
        kinds::bucket::check_catalogue(&modules, cat.platform.dr_region.is_some(), self.problems);
        self.renames(cat);
        self.policy_attachments(cat);
        self.probes(cat);
        for m in &cat.modules {
            let mut seen = HashSet::new();
            for d in &m.depends_on {
                if cat.module(&d.module).is_none() {
                    if self.broken_ids.contains(&d.module) {
                        continue;
                    }
                    self.err(
                        "BG011",
                        d.loc.clone(),
                        format!("{} depends on unknown module `{}`", m.id, d.module),
                        "refer to a module that has a file in catalog/modules/",
                    );
                } else if d.module == m.id {
                    self.err(
                        "BG020",
                        d.loc.clone(),
                        format!("{} depends on itself", m.id),
                        "remove the entry",
                    );
                } else if !seen.insert(d.module.as_str()) {
                    self.err(
                        "BG010",
                        d.loc.clone(),
                        format!("{} lists {} twice in depends_on", m.id, d.module),
                        "list each dependency once",
                    );
                }
            }
            if let Some(f) = &m.function {
                let _ = f;
                let domain = cat.domain(&m.domain);
                if domain.is_some_and(|d| {
                    cat.bus_owner_module(&d.bus).is_none() && !self.maybe_set_aside(&d.bus)
                }) {
                    self.err(
                        "BG013",
                        m.loc.clone(),
                        format!("{}'s domain bus is declared by no module", m.id),
                        "declare the bus in MOD-104's event_buses",
                    );
                }
            }
        }
        for s in &cat.subscriptions {
            if let (TargetKind::Function, Some(name)) = (s.target.kind, &s.target.name)
                && let Some(consumer) = cat.module(&s.consumer)
                && !consumer
                    .resources
                    .functions
                    .iter()
                    .any(|f| &f.name.value == name)
            {
                self.err(
                    "BG011",
                    s.loc.clone(),
                    format!("subscription `{}` targets function `{name}`, which {} does not declare", s.name, s.consumer),
                    "omit the name to target the module's conventional function, or declare the function",
                );
            }
            if s.target.kind == TargetKind::Function
                && s.target.name.is_none()
                && let Some(consumer) = cat.module(&s.consumer)
                && consumer.function.is_none()
            {
                self.err(
                    "BG011",
                    s.loc.clone(),
                    format!(
                        "subscription `{}` targets {}'s function, but {} has none",
                        s.name, s.consumer, s.consumer
                    ),
                    "target a named function or a queue",
                );
            }
        }
    }

    /// BG060: a phase's `modules` names modules of its domains and kinds, each once, in an order
    /// its dependencies allow (seed 001's sequence is a deployment order: no module before one
    /// it depends on).
    fn phase_members(&mut self, cat: &Catalog) {
        let mut seen: HashMap<&str, u32> = HashMap::new();
        for p in &cat.phases {
            let Some(list) = &p.modules else { continue };
            for (i, (id, loc)) in list.iter().zip(&p.module_locs).enumerate() {
                let Some(m) = cat.module(id) else {
                    if self.maybe_set_aside(id) {
                        continue;
                    }
                    self.err(
                        "BG060",
                        loc.clone(),
                        format!("phase {} names `{id}`, which is no module", p.id),
                        "name a module of the catalogue",
                    );
                    continue;
                };
                if let Some(other) = seen.insert(id, p.id) {
                    self.err(
                        "BG060",
                        loc.clone(),
                        format!(
                            "`{id}` is named by phase {other} and again by phase {}",
                            p.id
                        ),
                        "a module belongs to one phase",
                    );
                }
                if !p.domains.contains(&m.domain)
                    || p.kinds.as_ref().is_some_and(|k| !k.contains(&m.kind))
                {
                    self.err(
                        "BG060",
                        loc.clone(),
                        format!(
                            "phase {} names `{id}` ({}, {:?}), which is not of its domains and kinds",
                            p.id, m.domain, m.kind
                        ),
                        "a phase names modules of its own domains and kinds",
                    );
                }
                for d in &m.depends_on {
                    if list[i + 1..].contains(&d.module) {
                        self.err(
                            "BG060",
                            loc.clone(),
                            format!(
                                "phase {} names `{id}` before `{}`, which it depends on",
                                p.id, d.module
                            ),
                            "list the phase's modules in an order their dependencies allow",
                        );
                    }
                }
            }
        }
    }

    /// A dependency must be on a module that is guaranteed to be deployed first by the phases.
    fn phase_order(&mut self, cat: &Catalog) {
        for m in &cat.modules {
            let (own, before) = match (m.phase, m.after_phase) {
                (Some(p), _) => (Some(p), cat.phases_before(p)),
                (None, Some(a)) => {
                    let mut b = cat.phases_before(a);
                    b.push(a);
                    (None, b)
                }
                // In no phase and waiting for none: its dependencies alone order it.
                (None, None) => continue,
            };
            for d in &m.depends_on {
                let Some(dep) = cat.module(&d.module) else {
                    continue;
                };
                let ok = match dep.phase {
                    Some(p) => Some(p) == own || before.contains(&p),
                    // Both outside the phase table and waiting for the same phase.
                    None => own.is_none() && dep.after_phase == m.after_phase,
                };
                if !ok {
                    let describe = |p: Option<u32>, a: Option<u32>| match (p, a) {
                        (Some(p), _) => format!("phase {p}"),
                        (None, Some(a)) => format!("no phase (after phase {a})"),
                        _ => "no phase".into(),
                    };
                    self.err(
                        "BG021",
                        d.loc.clone(),
                        format!(
                            "{} ({}) depends on {} ({}), which is not deployed before it",
                            m.id,
                            describe(m.phase, m.after_phase),
                            dep.id,
                            describe(dep.phase, dep.after_phase)
                        ),
                        "seed 001's gates decide what runs first; depend only on modules of the same phase or of a phase in its gate",
                    );
                }
            }
        }
    }
}

fn merge_runtime(d: &RuntimeSettings, o: Option<&raw::RuntimeRaw>) -> RuntimeSettings {
    let Some(o) = o else { return d.clone() };
    RuntimeSettings {
        runtime: o.runtime.clone().unwrap_or_else(|| d.runtime.clone()),
        architecture: o
            .architecture
            .clone()
            .unwrap_or_else(|| d.architecture.clone()),
        handler: o.handler.clone().unwrap_or_else(|| d.handler.clone()),
        memory_mb: o.memory_mb.unwrap_or(d.memory_mb),
        timeout_seconds: o.timeout_seconds.unwrap_or(d.timeout_seconds),
        log_retention_days: o
            .log_retention_days
            .as_ref()
            .map(|v| v.value)
            .unwrap_or(d.log_retention_days),
        artefact_key: o
            .artefact_key
            .clone()
            .unwrap_or_else(|| d.artefact_key.clone()),
        artefact_bucket: o
            .artefact_bucket
            .clone()
            .unwrap_or_else(|| d.artefact_bucket.clone()),
        reserved_concurrency: o.reserved_concurrency.or(d.reserved_concurrency),
        // A build is one function's: never inherited.
        artefact: o.artefact.as_ref().map(Into::into),
    }
}

fn target_kind_name(k: TargetKind) -> &'static str {
    match k {
        TargetKind::Bus => "bus",
        TargetKind::Queue => "queue",
        TargetKind::Function => "function",
        TargetKind::Firehose => "firehose",
    }
}
