//! One environment's rendered tree as the access check reads it: every module folder parsed
//! once, every resource given the ARN AWS would give it (a KMS key's random id stands as its
//! module and address), references across modules followed through the SSM contract, and the
//! identity, resource and key policies collected as [`eval::Statement`]s.

use super::eval::{self, Place, PolicyKind, Principal};
use crate::lint::iam;
use crate::lint::index::{self, Mode, Resource, TfModule};
use crate::lint::value::{Kind, Part, Val};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Secrets Manager appends six random characters to a secret's name in its ARN; any six stand
/// for them, so that a grant must use a wildcard to match (as it must in AWS).
pub const SECRET_SUFFIX: &str = "-AbCdEf";

pub struct Tree {
    pub env: String,
    pub account: String,
    pub region: String,
    pub modules: Vec<(String, TfModule)>,
    /// SSM parameter name → (module index, address of the `aws_ssm_parameter`).
    params: HashMap<String, (usize, String)>,
    /// Role ARN → its identity statements.
    pub identity: BTreeMap<String, Vec<eval::Statement>>,
    /// Role ARN → where its first identity policy is.
    pub identity_place: BTreeMap<String, Place>,
    /// Resource ARN → its resource (or key) policy statements.
    pub resource: BTreeMap<String, Vec<eval::Statement>>,
    pub resource_place: BTreeMap<String, Place>,
    /// Managed policies (ARN → place) and whether anything attaches them.
    pub managed: BTreeMap<String, (Place, bool)>,
}

/// A reference into the tree: module index and resource address.
pub type At = (usize, String);

impl Tree {
    /// Parse every `MOD-*` folder of `dir` (an environment's folder of a rendered tree).
    pub fn load(
        dir: &Path,
        strip: Option<&Path>,
        env: &str,
        account: &str,
        region: &str,
    ) -> Result<Tree, String> {
        let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir() && crate::lint::facts::module_of(p).is_some())
            .collect();
        folders.sort();
        let mut modules = Vec::new();
        for f in folders {
            let mut parsed = Vec::new();
            let mut files: Vec<PathBuf> = std::fs::read_dir(&f)
                .map_err(|e| format!("cannot read {}: {e}", f.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "tf"))
                .collect();
            files.sort();
            for p in files {
                let text = std::fs::read_to_string(&p)
                    .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
                let shown = strip.and_then(|s| p.strip_prefix(s).ok()).unwrap_or(&p);
                let name = shown.display().to_string();
                let name = name.strip_prefix("./").map(String::from).unwrap_or(name);
                let src = Arc::new(crate::diag::SourceFile { name, text });
                // A file that does not parse is BGL001's; its module is read without it.
                if let Ok(x) = index::parse_file(src, p.clone()) {
                    parsed.push(x);
                }
            }
            let id = crate::lint::facts::module_of(&f).unwrap_or_default();
            modules.push((id, index::build_module(f, parsed)));
        }
        Ok(Tree::build(modules, env, account, region))
    }

    pub fn build(modules: Vec<(String, TfModule)>, env: &str, account: &str, region: &str) -> Tree {
        let mut t = Tree {
            env: env.into(),
            account: account.into(),
            region: region.into(),
            modules,
            params: HashMap::new(),
            identity: BTreeMap::new(),
            identity_place: BTreeMap::new(),
            resource: BTreeMap::new(),
            resource_place: BTreeMap::new(),
            managed: BTreeMap::new(),
        };
        for (i, (_, m)) in t.modules.iter().enumerate() {
            for r in m.of_type("aws_ssm_parameter") {
                if let Some(n) = r.get("name").and_then(|v| t.string(i, v)) {
                    t.params.insert(n, (i, r.addr.clone()));
                }
            }
        }
        t.collect_policies();
        t
    }

    pub fn module(&self, i: usize) -> &TfModule {
        &self.modules[i].1
    }

    pub fn resource(&self, at: &At) -> Option<&Resource> {
        self.module(at.0).resource(&at.1)
    }

    /// The region a resource is created in: its provider's (`provider = aws.dr`), else the
    /// environment's.
    pub fn region_of(&self, at: &At) -> String {
        let m = self.module(at.0);
        let alias = self
            .resource(at)
            .and_then(|r| r.get("provider"))
            .and_then(|v| v.ref_path())
            .and_then(|p| p.get(1))
            .cloned();
        m.providers
            .iter()
            .filter(|p| p.name == "aws" && alias.is_some() && p.alias == alias)
            .find_map(|p| self.string(at.0, p.block.body.get("region")?))
            .unwrap_or_else(|| self.region.clone())
    }

    /// Every managed resource of a type, with where it is.
    pub fn all<'a>(&'a self, rtype: &'a str) -> impl Iterator<Item = (usize, &'a Resource)> + 'a {
        self.modules
            .iter()
            .enumerate()
            .flat_map(move |(i, (_, m))| m.of_type(rtype).map(move |r| (i, r)))
    }

    /// Where a resource is written: `MOD-104/kms.tf:4`.
    pub fn place(&self, i: usize, r: &Resource, kind: PolicyKind) -> Place {
        let m = self.module(i);
        let f = m.file_of(r);
        Place {
            kind,
            policy: format!("{} {}", self.modules[i].0, r.addr),
            file: f.source.name.clone(),
            line: f.line_col(r.block.span.start).0,
        }
    }

    /// A value as a string, when it can be known from the tree: literals, templates, and
    /// references to resources (their names and ARNs) in this module or, through
    /// `data.aws_ssm_parameter.X.value`, in the module that exports the parameter.
    pub fn string(&self, i: usize, v: &Val) -> Option<String> {
        self.string_within(i, v, 12)
    }

    fn string_within(&self, i: usize, v: &Val, budget: u32) -> Option<String> {
        if budget == 0 {
            return None;
        }
        let m = self.module(i);
        let v = m.resolve(v);
        match &v.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Num(n) => Some(format!("{n}")),
            Kind::Bool(b) => Some(b.to_string()),
            Kind::Tmpl(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Lit(s) => Some(s.clone()),
                    Part::Interp(x) => self.string_within(i, x, budget - 1),
                    Part::Directive => None,
                })
                .collect(),
            Kind::Ref(path) => {
                let t = v.ref_target()?;
                let attr = t.attr.unwrap_or("id");
                if path.first().map(String::as_str) == Some("data") {
                    let d = m.resource(&t.addr)?;
                    if d.rtype != "aws_ssm_parameter" || attr != "value" {
                        return None;
                    }
                    let name = self.string_within(i, d.get("name")?, budget - 1)?;
                    let (j, addr) = self.params.get(&name)?;
                    let p = self.module(*j).resource(addr)?;
                    return self.string_within(*j, p.get("value")?, budget - 1);
                }
                self.attr(i, &t.addr, attr, budget - 1)
            }
            _ => None,
        }
    }

    /// The ARN of a managed resource in module `i`.
    pub fn arn_of(&self, i: usize, r: &Resource) -> Option<String> {
        self.attr(i, &r.addr, "arn", 8)
    }

    /// An attribute of a resource as AWS would set it: `arn`, `name`, `id`, `url`.
    fn attr(&self, i: usize, addr: &str, attr: &str, budget: u32) -> Option<String> {
        let m = self.module(i);
        let r = m.resource(addr)?;
        if r.mode != Mode::Managed {
            return None;
        }
        let acct = &self.account;
        let reg = &self.region_of(&(i, r.addr.clone()));
        let get = |k: &str| r.get(k).and_then(|v| self.string_within(i, v, budget));
        let name = || get("name");
        let key_id = || format!("{}-{}", self.modules[i].0, r.name);
        Some(match (r.rtype.as_str(), attr) {
            ("aws_iam_role", "arn") => format!("arn:aws:iam::{acct}:role/{}", name()?),
            ("aws_iam_role", "id" | "name") => name()?,
            ("aws_iam_policy", "arn" | "id") => format!("arn:aws:iam::{acct}:policy/{}", name()?),
            ("aws_kms_key", "arn") => format!("arn:aws:kms:{reg}:{acct}:key/{}", key_id()),
            ("aws_kms_key", "id" | "key_id") => key_id(),
            ("aws_kms_alias", "arn") => format!("arn:aws:kms:{reg}:{acct}:{}", name()?),
            ("aws_kms_alias", "target_key_arn") => {
                let k = r.get("target_key_id")?;
                let t = m.resolve(k).ref_target()?;
                self.attr(i, &t.addr, "arn", budget)?
            }
            ("aws_sns_topic", "arn" | "id") => format!("arn:aws:sns:{reg}:{acct}:{}", name()?),
            ("aws_sqs_queue", "arn") => format!("arn:aws:sqs:{reg}:{acct}:{}", name()?),
            ("aws_sqs_queue", "id" | "url") => {
                format!("https://sqs.{reg}.amazonaws.com/{acct}/{}", name()?)
            }
            ("aws_cloudwatch_event_bus", "arn") => {
                format!("arn:aws:events:{reg}:{acct}:event-bus/{}", name()?)
            }
            ("aws_cloudwatch_event_rule", "arn") => {
                let bus = get("event_bus_name").unwrap_or_else(|| "default".into());
                let bus = bus.rsplit('/').next().unwrap_or("default").to_string();
                if bus == "default" {
                    format!("arn:aws:events:{reg}:{acct}:rule/{}", name()?)
                } else {
                    format!("arn:aws:events:{reg}:{acct}:rule/{bus}/{}", name()?)
                }
            }
            ("aws_s3_bucket", "arn") => format!("arn:aws:s3:::{}", get("bucket")?),
            ("aws_s3_bucket", "id" | "bucket") => get("bucket")?,
            ("aws_secretsmanager_secret", "arn" | "id") => {
                format!(
                    "arn:aws:secretsmanager:{reg}:{acct}:secret:{}{SECRET_SUFFIX}",
                    name()?
                )
            }
            ("aws_lambda_function", "arn") => {
                format!(
                    "arn:aws:lambda:{reg}:{acct}:function:{}",
                    get("function_name")?
                )
            }
            ("aws_lambda_function", "function_name" | "id") => get("function_name")?,
            ("aws_lambda_alias", "arn") => {
                let f = get("function_name")?;
                let f = f.rsplit(':').next().unwrap_or(&f).to_string();
                format!("arn:aws:lambda:{reg}:{acct}:function:{f}:{}", name()?)
            }
            ("aws_kinesis_firehose_delivery_stream", "arn") => {
                format!("arn:aws:firehose:{reg}:{acct}:deliverystream/{}", name()?)
            }
            ("aws_cloudwatch_log_group", "arn") => {
                format!("arn:aws:logs:{reg}:{acct}:log-group:{}", name()?)
            }
            ("aws_cloudwatch_metric_alarm", "arn") => {
                format!(
                    "arn:aws:cloudwatch:{reg}:{acct}:alarm:{}",
                    get("alarm_name")?
                )
            }
            ("aws_cloudtrail", "arn") => {
                format!("arn:aws:cloudtrail:{reg}:{acct}:trail/{}", name()?)
            }
            ("aws_kinesis_stream", "arn") => {
                format!("arn:aws:kinesis:{reg}:{acct}:stream/{}", name()?)
            }
            ("aws_dynamodb_table", "arn") => {
                format!("arn:aws:dynamodb:{reg}:{acct}:table/{}", name()?)
            }
            (_, "name") => name()?,
            _ => return None,
        })
    }

    /// The resource a value refers to (through the SSM contract when it is a parameter).
    pub fn target(&self, i: usize, v: &Val) -> Option<At> {
        let m = self.module(i);
        let v = m.resolve(v);
        let t = v.ref_target()?;
        let r = m.resource(&t.addr)?;
        if r.mode == Mode::Data && r.rtype == "aws_ssm_parameter" {
            let name = self.string(i, r.get("name")?)?;
            let (j, addr) = self.params.get(&name)?;
            let p = self.module(*j).resource(addr)?;
            return self.target(*j, p.get("value")?);
        }
        (r.mode == Mode::Managed).then(|| (i, r.addr.clone()))
    }

    /// The resource whose ARN this is, anywhere in the tree.
    pub fn by_arn(&self, arn: &str) -> Option<At> {
        for (i, (_, m)) in self.modules.iter().enumerate() {
            for r in m.resources.iter().filter(|r| r.mode == Mode::Managed) {
                if self.arn_of(i, r).as_deref() == Some(arn) {
                    return Some((i, r.addr.clone()));
                }
            }
        }
        None
    }

    /// The tags AWS would hold on a resource: its own and the provider's default tags.
    pub fn tags(&self, at: &At) -> Option<BTreeMap<String, String>> {
        let (i, r) = (at.0, self.resource(at)?);
        let m = self.module(i);
        let mut out = BTreeMap::new();
        for p in m
            .providers
            .iter()
            .filter(|p| p.name == "aws" && p.alias.is_none())
        {
            if let Some(d) = p.block.body.block("default_tags")
                && let Some(tags) = d.body.get("tags").map(|v| m.resolve(v))
            {
                for (k, v) in tags.as_obj()? {
                    out.insert(k.clone(), self.string(i, v)?);
                }
            }
        }
        if let Some(tags) = r.get("tags").map(|v| m.resolve(v)) {
            for (k, v) in tags.as_obj()? {
                out.insert(k.clone(), self.string(i, v)?);
            }
        }
        Some(out)
    }

    /// A policy document held by `r`'s argument, as evaluator statements.
    fn statements(
        &self,
        i: usize,
        r: &Resource,
        arg: &str,
        kind: PolicyKind,
    ) -> Vec<eval::Statement> {
        let m = self.module(i);
        let Some(v) = r.get(arg) else {
            return Vec::new();
        };
        let Some(doc) = iam::document(m, v, r.file) else {
            return Vec::new();
        };
        let policy = format!("{} {}", self.modules[i].0, r.addr);
        doc.statements
            .iter()
            .map(|s| {
                let f = &m.files[s.file];
                let line = if s.span == Default::default() {
                    m.file_of(r).line_col(r.block.span.start).0
                } else {
                    f.line_col(s.span.start).0
                };
                let strs = |vals: &[Val]| -> Vec<Option<String>> {
                    vals.iter().map(|v| self.string(i, v)).collect()
                };
                let prins = |ps: &[iam::Principal]| -> Vec<Principal> {
                    ps.iter()
                        .map(|p| Principal {
                            kind: p.kind.clone(),
                            id: self.string(i, &p.id),
                        })
                        .collect()
                };
                eval::Statement {
                    sid: s.sid.clone(),
                    allow: s.allow,
                    actions: (s.not_actions.is_empty()).then(|| s.actions.clone()),
                    not_actions: s.not_actions.clone(),
                    resources: if kind == PolicyKind::Key && s.resources.is_empty() {
                        Some(vec![Some("*".into())])
                    } else {
                        (s.not_resources.is_empty() || !s.resources.is_empty())
                            .then(|| strs(&s.resources))
                    },
                    not_resources: strs(&s.not_resources),
                    principals: (!s.principals.is_empty()).then(|| prins(&s.principals)),
                    not_principals: prins(&s.not_principals),
                    conditions: s
                        .conditions
                        .iter()
                        .map(|c| eval::Condition {
                            op: c.test.clone(),
                            key: c.variable.clone(),
                            values: strs(&c.values),
                        })
                        .collect(),
                    place: Place {
                        kind,
                        policy: policy.clone(),
                        file: f.source.name.clone(),
                        line,
                    },
                }
            })
            .collect()
    }

    fn add_resource_policy(&mut self, arn: String, place: Place, mut st: Vec<eval::Statement>) {
        self.resource_place.entry(arn.clone()).or_insert(place);
        self.resource.entry(arn).or_default().append(&mut st);
    }

    fn collect_policies(&mut self) {
        // Managed policies first: attachments refer to them by ARN.
        let mut managed_st: BTreeMap<String, Vec<eval::Statement>> = BTreeMap::new();
        let mut adds: Vec<(String, Place, Vec<eval::Statement>, bool)> = Vec::new();
        let mut identity: Vec<(String, Place, Vec<eval::Statement>)> = Vec::new();
        let mut attach: Vec<(String, String)> = Vec::new();
        for (i, (_, m)) in self.modules.iter().enumerate() {
            for r in m.resources.iter().filter(|r| r.mode == Mode::Managed) {
                match r.rtype.as_str() {
                    "aws_iam_policy" => {
                        if let Some(arn) = self.arn_of(i, r) {
                            let p = self.place(i, r, PolicyKind::Identity);
                            managed_st.insert(
                                arn.clone(),
                                self.statements(i, r, "policy", PolicyKind::Identity),
                            );
                            adds.push((arn, p, Vec::new(), false));
                        }
                    }
                    "aws_iam_role_policy" => {
                        if let Some(role) = r.get("role").and_then(|v| self.string(i, v)) {
                            let arn = format!("arn:aws:iam::{}:role/{role}", self.account);
                            let st = self.statements(i, r, "policy", PolicyKind::Identity);
                            identity.push((arn, self.place(i, r, PolicyKind::Identity), st));
                        }
                    }
                    "aws_iam_role_policy_attachment" => {
                        let role = r.get("role").and_then(|v| self.string(i, v));
                        let pol = r.get("policy_arn").and_then(|v| self.string(i, v));
                        if let (Some(role), Some(pol)) = (role, pol) {
                            attach
                                .push((format!("arn:aws:iam::{}:role/{role}", self.account), pol));
                        }
                    }
                    "aws_iam_policy_attachment" => {
                        if let Some(pol) = r.get("policy_arn").and_then(|v| self.string(i, v)) {
                            for role in r.get("roles").map(|v| v.items()).unwrap_or_default() {
                                if let Some(role) = self.string(i, role) {
                                    attach.push((
                                        format!("arn:aws:iam::{}:role/{role}", self.account),
                                        pol.clone(),
                                    ));
                                }
                            }
                        }
                    }
                    "aws_iam_role" => {
                        // An inline `inline_policy` block, and managed policies by ARN.
                        if let Some(arn) = self.arn_of(i, r) {
                            for pol in r
                                .get("managed_policy_arns")
                                .map(|v| v.items())
                                .unwrap_or_default()
                            {
                                if let Some(p) = self.string(i, pol) {
                                    attach.push((arn.clone(), p));
                                }
                            }
                        }
                    }
                    "aws_kms_key" => {
                        if let Some(arn) = self.arn_of(i, r) {
                            let st = self.statements(i, r, "policy", PolicyKind::Key);
                            adds.push((arn, self.place(i, r, PolicyKind::Key), st, true));
                        }
                    }
                    "aws_sns_topic" | "aws_sqs_queue" | "aws_s3_bucket" => {
                        if r.get("policy").is_some()
                            && let Some(arn) = self.arn_of(i, r)
                        {
                            let st = self.statements(i, r, "policy", PolicyKind::Resource);
                            adds.push((arn, self.place(i, r, PolicyKind::Resource), st, true));
                        }
                    }
                    "aws_sns_topic_policy"
                    | "aws_sqs_queue_policy"
                    | "aws_s3_bucket_policy"
                    | "aws_secretsmanager_secret_policy"
                    | "aws_cloudwatch_event_bus_policy" => {
                        let arg = match r.rtype.as_str() {
                            "aws_sns_topic_policy" => "arn",
                            "aws_sqs_queue_policy" => "queue_url",
                            "aws_s3_bucket_policy" => "bucket",
                            "aws_secretsmanager_secret_policy" => "secret_arn",
                            _ => "event_bus_name",
                        };
                        let target = r.get(arg).and_then(|v| self.target(i, v));
                        let arn = target.and_then(|at| {
                            let x = self.resource(&at)?;
                            self.arn_of(at.0, x)
                        });
                        if let Some(arn) = arn {
                            let st = self.statements(i, r, "policy", PolicyKind::Resource);
                            adds.push((arn, self.place(i, r, PolicyKind::Resource), st, true));
                        }
                    }
                    "aws_lambda_permission" => {
                        if let Some((arn, st)) = self.lambda_permission(i, r) {
                            adds.push((
                                arn,
                                self.place(i, r, PolicyKind::Resource),
                                vec![st],
                                true,
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
        for (arn, place, st, resource) in adds {
            if resource {
                self.add_resource_policy(arn, place, st);
            } else {
                self.managed.insert(arn, (place, false));
            }
        }
        for (role, place, mut st) in identity {
            self.identity_place.entry(role.clone()).or_insert(place);
            self.identity.entry(role).or_default().append(&mut st);
        }
        for (role, pol) in attach {
            if let Some((place, used)) = self.managed.get_mut(&pol) {
                *used = true;
                self.identity_place
                    .entry(role.clone())
                    .or_insert(place.clone());
            }
            if let Some(st) = managed_st.get(&pol) {
                self.identity
                    .entry(role)
                    .or_default()
                    .extend(st.iter().cloned());
            }
        }
    }

    /// A Lambda permission as the resource-policy statement AWS adds to the function.
    fn lambda_permission(&self, i: usize, r: &Resource) -> Option<(String, eval::Statement)> {
        let m = self.module(i);
        let f = self.target(i, r.get("function_name")?)?;
        let fr = self.resource(&f)?;
        let mut arn = self.arn_of(f.0, fr)?;
        if fr.rtype == "aws_lambda_function"
            && let Some(q) = r.get("qualifier").and_then(|v| self.string(i, v))
        {
            arn = format!("{arn}:{q}");
        }
        let principal = self.string(i, r.get("principal")?);
        let kind = match &principal {
            Some(p) if p.ends_with(".amazonaws.com") => "Service",
            _ => "AWS",
        };
        let mut conditions = Vec::new();
        if let Some(v) = r.get("source_arn") {
            conditions.push(eval::Condition {
                op: "ArnLike".into(),
                key: "AWS:SourceArn".into(),
                values: vec![self.string(i, v)],
            });
        }
        if let Some(v) = r.get("source_account") {
            conditions.push(eval::Condition {
                op: "StringEquals".into(),
                key: "AWS:SourceAccount".into(),
                values: vec![self.string(i, v)],
            });
        }
        let f = m.file_of(r);
        Some((
            arn.clone(),
            eval::Statement {
                sid: r.get("statement_id").and_then(|v| self.string(i, v)),
                allow: true,
                actions: Some(vec![
                    r.get("action")
                        .and_then(|v| self.string(i, v))
                        .unwrap_or_else(|| "lambda:InvokeFunction".into()),
                ]),
                not_actions: vec![],
                resources: Some(vec![Some(arn)]),
                not_resources: vec![],
                principals: Some(vec![Principal {
                    kind: kind.into(),
                    id: principal,
                }]),
                not_principals: vec![],
                conditions,
                place: Place {
                    kind: PolicyKind::Resource,
                    policy: format!("{} {}", self.modules[i].0, r.addr),
                    file: f.source.name.clone(),
                    line: f.line_col(r.block.span.start).0,
                },
            },
        ))
    }
}
