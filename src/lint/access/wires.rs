//! The wires the catalogue implies: who must be able to do what to which resource, each with
//! the catalogue line that says so. The catalogue gives the intent (a role's `secrets_read`, a
//! subscription's target, a secret's rotation function, a stream's bucket); the rendered tree
//! gives the blocks that carry it out (found by their `# bankgen:source` line) and their ARNs.

use super::eval::Who;
use super::tree::{At, SECRET_SUFFIX, Tree};
use crate::diag::{Loc, SourceFile};
use crate::kinds::iam_role::Permission;
use crate::lint::index::Resource;
use crate::model::{Catalog, Module};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The kinds of wire, as named in reports (and in the rule's documentation).
pub const KINDS: &[&str] = &[
    "secret-read",
    "bus-put",
    "firehose-put",
    "firehose-dlq",
    "key-decrypt",
    "rule-target",
    "rule-dlq",
    "alarm-topic",
    "budget-topic",
    "function-topic",
    "firehose-delivery",
    "trail-bucket",
    "log-group-key",
    "rotation",
    "policy-attached",
    "function-trace",
    "log-routing",
];

#[derive(Debug, Clone)]
pub struct Wire {
    pub kind: &'static str,
    pub who: Who,
    /// A name for people: `BankCoreRole`, `cloudwatch.amazonaws.com (alarm x)`.
    pub who_label: String,
    pub actions: Vec<String>,
    pub resource: String,
    /// A name for people: `secret bank-core/neon`, `key of topic bank-platform-alerts-dev`.
    pub what: String,
    /// The resource is a KMS key (its policy is a key policy).
    pub kms: bool,
    pub context: BTreeMap<String, Vec<String>>,
    pub complete: Vec<String>,
    pub loc: Loc,
    /// Something the wire needs is not in the tree (said instead of an evaluation).
    pub absent: Option<String>,
    /// The catalogue says the wire's other end is outside the tree (`attached_outside:`).
    pub external: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WireId {
    pub kind: &'static str,
    pub principal: String,
    pub resource: String,
}

struct Cx<'a> {
    cat: &'a Catalog,
    t: &'a Tree,
    out: Vec<Wire>,
}

/// Every wire of the catalogue in one environment's tree.
pub fn wires(cat: &Catalog, t: &Tree) -> Vec<Wire> {
    let mut cx = Cx {
        cat,
        t,
        out: Vec::new(),
    };
    for m in &cat.modules {
        cx.roles(m);
        cx.functions(m);
        cx.secrets(m);
        cx.firehose(m);
        cx.trails(m);
        cx.policies(m);
    }
    cx.subscriptions();
    cx.alarms();
    cx.budgets();
    cx.log_groups();
    cx.traces();
    cx.log_routing();
    cx.out
}

/// A catalogue location from a rendered block's `# bankgen:source` comment.
fn origin_loc(cat: &Catalog, r: &Resource) -> Option<Loc> {
    let o = r.origin.as_ref()?;
    let file = cat
        .files
        .iter()
        .chain(cat.modules.iter().map(|m| &m.file))
        .find(|f| f.name == o.file || f.name.ends_with(&o.file) || o.file.ends_with(&f.name))?;
    Some(loc_at(file, o.line, o.column))
}

fn loc_at(file: &Arc<SourceFile>, line: u64, column: u64) -> Loc {
    let offset = file
        .text
        .split_inclusive('\n')
        .take(line.saturating_sub(1) as usize)
        .map(str::len)
        .sum::<usize>()
        + column.saturating_sub(1) as usize;
    let len = file.text[offset.min(file.text.len())..]
        .find('\n')
        .unwrap_or(0);
    Loc {
        file: file.clone(),
        line,
        column,
        offset: offset.min(file.text.len()),
        len,
    }
}

fn same_place(r: &Resource, loc: &Loc) -> bool {
    r.origin.as_ref().is_some_and(|o| {
        o.line == loc.line
            && (o.file == loc.file.name
                || o.file.ends_with(&loc.file.name)
                || loc.file.name.ends_with(&o.file))
    })
}

impl Cx<'_> {
    fn env_sub(&self, s: &str) -> String {
        s.replace("{env}", &self.t.env)
            .replace("{region}", &self.t.region)
            .replace("{account}", &self.t.account)
    }

    fn module_index(&self, id: &str) -> Option<usize> {
        self.t.modules.iter().position(|(m, _)| m == id)
    }

    /// The rendered blocks of a catalogue entry (its `name:` line), of one type.
    fn blocks(&self, module: &str, loc: &Loc, rtype: &str) -> Vec<At> {
        let Some(i) = self.module_index(module) else {
            return Vec::new();
        };
        self.t
            .module(i)
            .of_type(rtype)
            .filter(|r| same_place(r, loc))
            .map(|r| (i, r.addr.clone()))
            .collect()
    }

    fn arn(&self, at: &At) -> Option<String> {
        let r = self.t.resource(at)?;
        self.t.arn_of(at.0, r)
    }

    /// The first resource of a type anywhere in the tree with this name (`name`, `bucket`).
    fn named(&self, rtype: &str, name: &str) -> Option<At> {
        self.t.all(rtype).find_map(|(i, r)| {
            let n = ["name", "bucket", "function_name"]
                .iter()
                .find_map(|k| r.get(k).and_then(|v| self.t.string(i, v)))?;
            (n == name).then(|| (i, r.addr.clone()))
        })
    }

    fn role_who(&self, at: &At) -> Option<(Who, String)> {
        let r = self.t.resource(at)?;
        let arn = self.t.arn_of(at.0, r)?;
        let name = arn.rsplit('/').next().unwrap_or(&arn).to_string();
        Some((Who::Role(arn), name))
    }

    fn base_context(&self, who: &Who) -> BTreeMap<String, Vec<String>> {
        let mut c = BTreeMap::new();
        c.insert("aws:requestedregion".into(), vec![self.t.region.clone()]);
        c.insert("aws:securetransport".into(), vec!["true".into()]);
        match who {
            Who::Role(arn) => {
                c.insert("aws:principalarn".into(), vec![arn.clone()]);
                c.insert("aws:principalaccount".into(), vec![self.t.account.clone()]);
                c.insert("kms:calleraccount".into(), vec![self.t.account.clone()]);
            }
            Who::Service(_) => {
                c.insert("aws:sourceaccount".into(), vec![self.t.account.clone()]);
            }
        }
        c
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: &'static str,
        who: Who,
        who_label: String,
        actions: &[&str],
        resource: &At,
        what: String,
        loc: &Loc,
        extra: &[(&str, String)],
    ) {
        let Some(arn) = self.arn(resource) else {
            return self.absent(
                kind,
                who,
                who_label,
                actions,
                what,
                loc,
                "its ARN cannot be known from the tree",
            );
        };
        let r = self.t.resource(resource);
        let kms = r.is_some_and(|r| r.rtype == "aws_kms_key");
        let mut context = self.base_context(&who);
        let mut complete = Vec::new();
        if let Some(tags) = self.t.tags(resource) {
            for (k, v) in tags {
                context.insert(
                    format!("aws:resourcetag/{}", k.to_ascii_lowercase()),
                    vec![v],
                );
            }
            complete.push("aws:resourcetag/".into());
        }
        for (k, v) in extra {
            context.insert(k.to_ascii_lowercase(), vec![v.clone()]);
        }
        self.out.push(Wire {
            kind,
            who,
            who_label,
            actions: actions.iter().map(|s| s.to_string()).collect(),
            resource: arn,
            what,
            kms,
            context,
            complete,
            loc: loc.clone(),
            absent: None,
            external: None,
        });
    }

    /// A wire to a resource known only by its physical ARN (not created by the tree).
    #[allow(clippy::too_many_arguments)]
    fn push_arn(
        &mut self,
        kind: &'static str,
        who: Who,
        who_label: String,
        actions: &[&str],
        arn: String,
        what: String,
        loc: &Loc,
    ) {
        let context = self.base_context(&who);
        self.out.push(Wire {
            kind,
            who,
            who_label,
            actions: actions.iter().map(|s| s.to_string()).collect(),
            resource: arn,
            what,
            kms: false,
            context,
            complete: Vec::new(),
            loc: loc.clone(),
            absent: None,
            external: None,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn absent(
        &mut self,
        kind: &'static str,
        who: Who,
        who_label: String,
        actions: &[&str],
        what: String,
        loc: &Loc,
        why: &str,
    ) {
        self.out.push(Wire {
            kind,
            who,
            who_label,
            actions: actions.iter().map(|s| s.to_string()).collect(),
            resource: String::new(),
            what,
            kms: false,
            context: BTreeMap::new(),
            complete: Vec::new(),
            loc: loc.clone(),
            absent: Some(why.into()),
            external: None,
        });
    }

    /// The key a resource is encrypted with (`kms_key_id`, `kms_master_key_id`, ...).
    fn key_of(&self, at: &At, arg: &[&str]) -> Option<At> {
        let r = self.t.resource(at)?;
        let v = arg
            .iter()
            .find_map(|a| r.body().path(&a.split('.').collect::<Vec<_>>()))?;
        let k = self.t.target(at.0, &v.val)?;
        let kr = self.t.resource(&k)?;
        match kr.rtype.as_str() {
            "aws_kms_key" => Some(k),
            "aws_kms_alias" => self.t.target(k.0, kr.get("target_key_id")?),
            _ => None,
        }
    }

    /// The key wire of an encrypted resource used through a service on the principal's behalf.
    #[allow(clippy::too_many_arguments)]
    fn key_wire(
        &mut self,
        kind: &'static str,
        who: &Who,
        who_label: &str,
        resource: &At,
        args: &[&str],
        actions: &[&str],
        via: Option<&str>,
        what: &str,
        loc: &Loc,
        extra: &[(&str, String)],
    ) {
        let Some(key) = self.key_of(resource, args) else {
            return;
        };
        let mut extra: Vec<(&str, String)> = extra.to_vec();
        if let Some(v) = via {
            extra.push((
                "kms:viaservice",
                format!("{v}.{}.amazonaws.com", self.t.region),
            ));
        }
        self.push(
            kind,
            who.clone(),
            who_label.into(),
            actions,
            &key,
            format!("key of {what}"),
            loc,
            &extra,
        );
    }

    fn roles(&mut self, m: &Module) {
        for role in &m.resources.iam_roles {
            let loc = m.loc_of(&role.name.referenced);
            let Some(at) = self.named("aws_iam_role", &role.name.value) else {
                continue;
            };
            let Some((who, label)) = self.role_who(&at) else {
                continue;
            };
            for p in &role.permissions {
                match p {
                    Permission::SecretsRead(names) => {
                        for n in names {
                            let loc = m.loc_of(&n.referenced);
                            let name = self.env_sub(&n.value);
                            self.secret_read(&who, &label, &name, &loc);
                        }
                    }
                    Permission::EventsPut(buses) => {
                        for b in buses {
                            let loc = m.loc_of(&b.referenced);
                            let what = format!("bus {}", b.value);
                            match self.named("aws_cloudwatch_event_bus", &b.value) {
                                Some(bus) => self.push(
                                    "bus-put",
                                    who.clone(),
                                    label.clone(),
                                    &["events:PutEvents"],
                                    &bus,
                                    what,
                                    &loc,
                                    &[],
                                ),
                                None => self.absent(
                                    "bus-put",
                                    who.clone(),
                                    label.clone(),
                                    &["events:PutEvents"],
                                    what,
                                    &loc,
                                    "no such bus in the tree",
                                ),
                            }
                        }
                    }
                    Permission::FirehosePut(streams) => {
                        for s in streams {
                            let loc = m.loc_of(&s.referenced);
                            let name = format!("{}-{}", s.value, self.t.env);
                            let Some(st) =
                                self.named("aws_kinesis_firehose_delivery_stream", &name)
                            else {
                                continue;
                            };
                            self.push(
                                "firehose-put",
                                who.clone(),
                                label.clone(),
                                &["firehose:PutRecord", "firehose:PutRecordBatch"],
                                &st,
                                format!("stream {name}"),
                                &loc,
                                &[],
                            );
                            // The stream's dead-letter queue: its producers send what the stream refuses.
                            let dlq = format!("{name}-dlq");
                            if let Some(q) = self.named("aws_sqs_queue", &dlq) {
                                let what = format!("queue {dlq}");
                                self.push(
                                    "firehose-dlq",
                                    who.clone(),
                                    label.clone(),
                                    &["sqs:SendMessage"],
                                    &q,
                                    what.clone(),
                                    &loc,
                                    &[],
                                );
                                self.key_wire(
                                    "firehose-dlq",
                                    &who,
                                    &label,
                                    &q,
                                    &["kms_master_key_id"],
                                    &["kms:GenerateDataKey", "kms:Decrypt"],
                                    Some("sqs"),
                                    &what,
                                    &loc,
                                    &[],
                                );
                            }
                        }
                    }
                    Permission::KmsDecrypt(classes) => {
                        for c in classes {
                            let loc = m.loc_of(&c.referenced);
                            let Some(cl) = self.cat.platform.classification(&c.value) else {
                                continue;
                            };
                            let alias = format!("alias/{}", cl.key_alias);
                            if let Some(a) = self.named("aws_kms_alias", &alias)
                                && let Some(k) = self
                                    .t
                                    .resource(&a)
                                    .and_then(|r| r.get("target_key_id"))
                                    .and_then(|v| self.t.target(a.0, v))
                            {
                                self.push(
                                    "key-decrypt",
                                    who.clone(),
                                    label.clone(),
                                    &["kms:Decrypt"],
                                    &k,
                                    format!("key {alias}"),
                                    &loc,
                                    &[],
                                );
                            }
                        }
                    }
                    _ => {}
                }
            }
            let _ = loc;
        }
    }

    /// A role reading a secret, and the secret's key through Secrets Manager.
    fn secret_read(&mut self, who: &Who, label: &str, name: &str, loc: &Loc) {
        let actions = [
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
        ];
        // The name of a secret, or a namespace: the tree's secrets under `name/` when it has any.
        let under = format!("{name}/");
        let found: Vec<(At, String)> = self
            .t
            .all("aws_secretsmanager_secret")
            .filter_map(|(i, r)| {
                let n = self.t.string(i, r.get("name")?)?;
                (n == name || n.starts_with(&under)).then(|| ((i, r.addr.clone()), n))
            })
            .collect();
        let what = format!("secret {name}");
        match found.is_empty() {
            false => {
                for (s, n) in found {
                    let what = format!("secret {n}");
                    self.push(
                        "secret-read",
                        who.clone(),
                        label.into(),
                        &actions,
                        &s,
                        what.clone(),
                        loc,
                        &[],
                    );
                    self.key_wire(
                        "secret-read",
                        who,
                        label,
                        &s,
                        &["kms_key_id"],
                        &["kms:Decrypt"],
                        Some("secretsmanager"),
                        &what,
                        loc,
                        &[],
                    );
                }
            }
            true => {
                // Not created by the tree (populated by another system): its ARN is still
                // what AWS makes of its name.
                let arn = format!(
                    "arn:aws:secretsmanager:{}:{}:secret:{name}{SECRET_SUFFIX}",
                    self.t.region, self.t.account
                );
                self.push_arn(
                    "secret-read",
                    who.clone(),
                    label.into(),
                    &actions,
                    arn,
                    what,
                    loc,
                );
            }
        }
    }

    fn functions(&mut self, m: &Module) {
        for f in &m.resources.functions {
            let loc = m.loc_of(&f.name.referenced);
            let Some(role) = self.blocks(&m.id, &loc, "aws_iam_role").into_iter().next() else {
                continue;
            };
            let Some((who, label)) = self.role_who(&role) else {
                continue;
            };
            for s in &f.statements {
                if !s
                    .actions
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case("sns:Publish"))
                {
                    continue;
                }
                for pat in &s.resources {
                    let pat = self.env_sub(pat);
                    let topics: Vec<At> = self
                        .t
                        .all("aws_sns_topic")
                        .filter(|(i, r)| {
                            self.t
                                .arn_of(*i, r)
                                .is_some_and(|a| super::eval::glob(&pat, &a))
                        })
                        .map(|(i, r)| (i, r.addr.clone()))
                        .collect();
                    for t in topics {
                        let what = format!(
                            "topic {}",
                            self.arn(&t)
                                .unwrap_or_default()
                                .rsplit(':')
                                .next()
                                .unwrap_or("")
                        );
                        self.push(
                            "function-topic",
                            who.clone(),
                            label.clone(),
                            &["sns:Publish"],
                            &t,
                            what.clone(),
                            &loc,
                            &[],
                        );
                        self.key_wire(
                            "function-topic",
                            &who,
                            &label,
                            &t,
                            &["kms_master_key_id"],
                            &["kms:GenerateDataKey", "kms:Decrypt"],
                            Some("sns"),
                            &what,
                            &loc,
                            &[],
                        );
                    }
                }
            }
        }
    }

    /// Rotation: Secrets Manager invokes the function; the function's role reads and writes the
    /// secret and its key.
    fn secrets(&mut self, m: &Module) {
        for s in &m.resources.secrets {
            let loc = m.loc_of(&s.rotation_function.referenced);
            let Some(sec) = self
                .blocks(
                    &m.id,
                    &m.loc_of(&s.name.referenced),
                    "aws_secretsmanager_secret",
                )
                .into_iter()
                .next()
            else {
                continue;
            };
            let fname = self.env_sub(&s.rotation_function.value);
            let Some(func) = self
                .named("aws_lambda_function", &format!("{fname}-{}", self.t.env))
                .or_else(|| self.named("aws_lambda_function", &fname))
            else {
                continue;
            };
            let secret_arn = self.arn(&sec).unwrap_or_default();
            let what = format!("secret {}", self.env_sub(&s.name.value));
            let sm = Who::Service("secretsmanager.amazonaws.com".into());
            let fwhat = format!(
                "function {}",
                self.arn(&func)
                    .unwrap_or_default()
                    .rsplit(':')
                    .next()
                    .unwrap_or("")
            );
            self.push(
                "rotation",
                sm,
                "secretsmanager.amazonaws.com".into(),
                &["lambda:InvokeFunction"],
                &func,
                fwhat,
                &loc,
                &[("aws:sourcearn", secret_arn)],
            );
            let role = self
                .t
                .resource(&func)
                .and_then(|r| r.get("role"))
                .and_then(|v| self.t.target(func.0, v));
            if let Some(role) = role
                && let Some((who, label)) = self.role_who(&role)
            {
                let actions = [
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ];
                self.push(
                    "rotation",
                    who.clone(),
                    label.clone(),
                    &actions,
                    &sec,
                    what.clone(),
                    &loc,
                    &[],
                );
                self.key_wire(
                    "rotation",
                    &who,
                    &label,
                    &sec,
                    &["kms_key_id"],
                    &["kms:Decrypt", "kms:GenerateDataKey"],
                    Some("secretsmanager"),
                    &what,
                    &loc,
                    &[],
                );
            }
        }
    }

    /// Firehose: the delivery role writes the bucket with the stream's key.
    fn firehose(&mut self, m: &Module) {
        for s in &m.resources.firehose_streams {
            let loc = m.loc_of(&s.name.referenced);
            for st in self.blocks(&m.id, &loc, "aws_kinesis_firehose_delivery_stream") {
                let Some(r) = self.t.resource(&st) else {
                    continue;
                };
                let Some(cfg) = r.body().block("extended_s3_configuration") else {
                    continue;
                };
                let i = st.0;
                let role = cfg.body.get("role_arn").and_then(|v| self.t.target(i, v));
                let bucket = cfg.body.get("bucket_arn").and_then(|v| self.t.target(i, v));
                let prefix = cfg
                    .body
                    .get("prefix")
                    .and_then(|v| self.t.string(i, v))
                    .unwrap_or_default();
                let (Some(role), Some(bucket)) = (role, bucket) else {
                    continue;
                };
                let Some((who, label)) = self.role_who(&role) else {
                    continue;
                };
                let Some(barn) = self.arn(&bucket) else {
                    continue;
                };
                let object = format!("{barn}/{prefix}bankgen-probe");
                let what = format!("bucket {}", barn.trim_start_matches("arn:aws:s3:::"));
                self.push_arn(
                    "firehose-delivery",
                    who.clone(),
                    label.clone(),
                    &["s3:PutObject"],
                    object,
                    what.clone(),
                    &loc,
                );
                self.key_wire(
                    "firehose-delivery",
                    &who,
                    &label,
                    &st,
                    &["extended_s3_configuration.kms_key_arn"],
                    &["kms:GenerateDataKey"],
                    Some("s3"),
                    &what,
                    &loc,
                    &[],
                );
            }
        }
    }

    /// CloudTrail writes its bucket (under its prefix) with its key.
    fn trails(&mut self, m: &Module) {
        for tr in &m.resources.trails {
            let loc = m.loc_of(&tr.name.referenced);
            for at in self.blocks(&m.id, &loc, "aws_cloudtrail") {
                let Some(r) = self.t.resource(&at) else {
                    continue;
                };
                let i = at.0;
                let Some(trail_arn) = self.arn(&at) else {
                    continue;
                };
                let bucket = r.get("s3_bucket_name").and_then(|v| self.t.string(i, v));
                let prefix = r.get("s3_key_prefix").and_then(|v| self.t.string(i, v));
                let Some(bucket) = bucket else { continue };
                let ct = Who::Service("cloudtrail.amazonaws.com".into());
                let object = match prefix {
                    Some(p) => {
                        format!("arn:aws:s3:::{bucket}/{p}/AWSLogs/{}/probe", self.t.account)
                    }
                    None => format!("arn:aws:s3:::{bucket}/AWSLogs/{}/probe", self.t.account),
                };
                let extra = [
                    ("aws:sourcearn", trail_arn.clone()),
                    ("s3:x-amz-acl", "bucket-owner-full-control".to_string()),
                ];
                let what = format!("bucket {bucket}");
                let mut ctx = self.base_context(&ct);
                for (k, v) in &extra {
                    ctx.insert(k.to_string(), vec![v.clone()]);
                }
                for (actions, res) in [
                    (["s3:PutObject"], object),
                    (["s3:GetBucketAcl"], format!("arn:aws:s3:::{bucket}")),
                ] {
                    self.out.push(Wire {
                        kind: "trail-bucket",
                        who: ct.clone(),
                        who_label: "cloudtrail.amazonaws.com".into(),
                        actions: actions.iter().map(|s| s.to_string()).collect(),
                        resource: res,
                        what: what.clone(),
                        kms: false,
                        context: ctx.clone(),
                        complete: Vec::new(),
                        loc: loc.clone(),
                        absent: None,
                        external: None,
                    });
                }
                self.key_wire(
                    "trail-bucket",
                    &ct,
                    "cloudtrail.amazonaws.com",
                    &at,
                    &["kms_key_id"],
                    &["kms:GenerateDataKey*"],
                    None,
                    &format!("trail {}", tr.name.value),
                    &loc,
                    &[("aws:sourcearn", trail_arn)],
                );
            }
        }
    }

    /// A customer-managed policy the catalogue declares grants nothing until it is attached.
    fn policies(&mut self, m: &Module) {
        for p in &m.resources.iam_policies {
            let loc = m.loc_of(&p.name.referenced);
            for at in self.blocks(&m.id, &loc, "aws_iam_policy") {
                let Some(arn) = self.arn(&at) else { continue };
                let attached = self.t.managed.get(&arn).is_some_and(|(_, used)| *used);
                if let Some(outside) = &p.attached_outside {
                    self.out.push(Wire {
                        kind: "policy-attached",
                        who: Who::Role("(outside the tree)".into()),
                        who_label: "outside the tree".into(),
                        actions: Vec::new(),
                        resource: arn.clone(),
                        what: format!("policy {}", arn.rsplit('/').next().unwrap_or("")),
                        kms: false,
                        context: BTreeMap::new(),
                        complete: Vec::new(),
                        loc: loc.clone(),
                        absent: None,
                        external: Some(format!("attached outside the tree: {}", outside.value)),
                    });
                } else if !attached {
                    self.absent(
                        "policy-attached",
                        Who::Role("(none)".into()),
                        "no principal".into(),
                        &[],
                        format!("policy {}", arn.rsplit('/').next().unwrap_or("")),
                        &loc,
                        "the policy is attached to no role, user or group: it grants nothing",
                    );
                }
            }
        }
    }

    /// A function that traces actively: Lambda refuses it unless its role may write traces.
    fn traces(&mut self) {
        let t = self.t;
        for (i, r) in t.all("aws_lambda_function") {
            let active = r
                .body()
                .block("tracing_config")
                .and_then(|b| b.body.get("mode"))
                .and_then(|v| t.string(i, v))
                .is_some_and(|m| m == "Active");
            if !active {
                continue;
            }
            let Some(loc) = origin_loc(self.cat, r) else {
                continue;
            };
            let name = r
                .get("function_name")
                .and_then(|v| t.string(i, v))
                .unwrap_or_else(|| r.addr.clone());
            let role = r.get("role").and_then(|v| t.string(i, v));
            let Some(role) = role.filter(|a| a.starts_with("arn:aws:iam::")) else {
                self.absent(
                    "function-trace",
                    Who::Role("(unknown)".into()),
                    format!("role of function {name}"),
                    &["xray:PutTraceSegments"],
                    "X-Ray".into(),
                    &loc,
                    "the function's role cannot be known from the tree",
                );
                continue;
            };
            let label = role.rsplit('/').next().unwrap_or(&role).to_string();
            self.push_arn(
                "function-trace",
                Who::Role(role),
                label,
                &["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                "*".into(),
                format!("X-Ray traces of function {name}"),
                &loc,
            );
        }
    }

    /// A log group subscribed to a stream: CloudWatch Logs, as the filter's role, puts the log
    /// events on the stream with its key.
    fn log_routing(&mut self) {
        let t = self.t;
        for (i, r) in t.all("aws_cloudwatch_log_subscription_filter") {
            let Some(loc) = origin_loc(self.cat, r) else {
                continue;
            };
            let role = r.get("role_arn").and_then(|v| t.target(i, v));
            let dest = r.get("destination_arn").and_then(|v| t.target(i, v));
            let (Some(role), Some(dest)) = (role, dest) else {
                self.absent(
                    "log-routing",
                    Who::Role("(unknown)".into()),
                    format!("role of {}", r.addr),
                    &["kinesis:PutRecord"],
                    "the routing stream".into(),
                    &loc,
                    "the filter's role or destination cannot be known from the tree",
                );
                continue;
            };
            let Some((who, label)) = self.role_who(&role) else {
                continue;
            };
            let what = format!(
                "stream {}",
                self.arn(&dest)
                    .unwrap_or_default()
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
            );
            self.push(
                "log-routing",
                who.clone(),
                label.clone(),
                &["kinesis:PutRecord", "kinesis:PutRecords"],
                &dest,
                what.clone(),
                &loc,
                &[],
            );
            self.key_wire(
                "log-routing",
                &who,
                &label,
                &dest,
                &["kms_key_id"],
                &["kms:GenerateDataKey"],
                None,
                &what,
                &loc,
                &[],
            );
        }
    }

    /// Each subscription's rule delivers to its target and, on failure, to its dead-letter queue.
    fn subscriptions(&mut self) {
        for s in &self.cat.subscriptions {
            let loc = s.loc.clone();
            let targets = self.blocks(&s.consumer, &loc, "aws_cloudwatch_event_target");
            let rules = self.blocks(&s.consumer, &loc, "aws_cloudwatch_event_rule");
            let rule_arn = rules.first().and_then(|r| self.arn(r)).unwrap_or_default();
            let events = Who::Service("events.amazonaws.com".into());
            let elabel = format!(
                "events.amazonaws.com (rule {})",
                rule_arn.rsplit('/').next().unwrap_or("")
            );
            for at in targets {
                let Some(r) = self.t.resource(&at) else {
                    continue;
                };
                let i = at.0;
                let target = r.get("arn").and_then(|v| self.t.target(i, v));
                let role = r.get("role_arn").and_then(|v| self.t.target(i, v));
                let dlq = r
                    .body()
                    .block("dead_letter_config")
                    .and_then(|b| b.body.get("arn"))
                    .and_then(|v| self.t.target(i, v));
                let src = [("aws:sourcearn", rule_arn.clone())];
                if let Some(target) = target {
                    let trt = self
                        .t
                        .resource(&target)
                        .map(|r| r.rtype.clone())
                        .unwrap_or_default();
                    let tname = self.arn(&target).unwrap_or_default();
                    // The ARN's resource part: `event-bus/x`, `function:x:live`, a queue's name.
                    let short = tname.splitn(6, ':').nth(5).unwrap_or(&tname);
                    let what = match tname.split(':').nth(3) {
                        Some(r) if !r.is_empty() && r != self.t.region => {
                            format!("target {short} in {r}")
                        }
                        _ => format!("target {short}"),
                    };
                    let (actions, key_args): (&[&str], &[&str]) = match trt.as_str() {
                        "aws_cloudwatch_event_bus" => (&["events:PutEvents"], &[]),
                        "aws_sqs_queue" => (&["sqs:SendMessage"], &["kms_master_key_id"]),
                        "aws_kinesis_firehose_delivery_stream" => {
                            (&["firehose:PutRecord", "firehose:PutRecordBatch"], &[])
                        }
                        "aws_lambda_function" | "aws_lambda_alias" => {
                            (&["lambda:InvokeFunction"], &[])
                        }
                        "aws_sns_topic" => (&["sns:Publish"], &["kms_master_key_id"]),
                        _ => (&[], &[]),
                    };
                    if !actions.is_empty() {
                        let (who, label) = match role.as_ref().and_then(|r| self.role_who(r)) {
                            Some(x) => x,
                            None => (events.clone(), elabel.clone()),
                        };
                        self.push(
                            "rule-target",
                            who.clone(),
                            label.clone(),
                            actions,
                            &target,
                            what.clone(),
                            &loc,
                            &src,
                        );
                        if !key_args.is_empty() {
                            self.key_wire(
                                "rule-target",
                                &who,
                                &label,
                                &target,
                                key_args,
                                &["kms:GenerateDataKey", "kms:Decrypt"],
                                None,
                                &what,
                                &loc,
                                &src,
                            );
                        }
                    }
                }
                if let Some(q) = dlq {
                    let what = format!(
                        "queue {}",
                        self.arn(&q)
                            .unwrap_or_default()
                            .rsplit(':')
                            .next()
                            .unwrap_or("")
                    );
                    self.push(
                        "rule-dlq",
                        events.clone(),
                        elabel.clone(),
                        &["sqs:SendMessage"],
                        &q,
                        what.clone(),
                        &loc,
                        &src,
                    );
                    self.key_wire(
                        "rule-dlq",
                        &events,
                        &elabel,
                        &q,
                        &["kms_master_key_id"],
                        &["kms:GenerateDataKey", "kms:Decrypt"],
                        None,
                        &what,
                        &loc,
                        &src,
                    );
                }
            }
        }
    }

    /// Every alarm publishes to its topics (and through their keys) as CloudWatch.
    fn alarms(&mut self) {
        let alarms: Vec<(usize, String)> = self
            .t
            .all("aws_cloudwatch_metric_alarm")
            .map(|(i, r)| (i, r.addr.clone()))
            .collect();
        let cw = Who::Service("cloudwatch.amazonaws.com".into());
        for at in alarms {
            let Some(r) = self.t.resource(&at) else {
                continue;
            };
            let Some(loc) = origin_loc(self.cat, r) else {
                continue;
            };
            let alarm_arn = self.arn(&at).unwrap_or_default();
            let label = format!(
                "cloudwatch.amazonaws.com (alarm {})",
                alarm_arn.rsplit(':').next().unwrap_or("")
            );
            let topics: Vec<At> = r
                .get("alarm_actions")
                .map(|v| v.items())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|v| self.t.target(at.0, v))
                .filter(|t| {
                    self.t
                        .resource(t)
                        .is_some_and(|r| r.rtype == "aws_sns_topic")
                })
                .collect();
            let src = [("aws:sourcearn", alarm_arn.clone())];
            for t in topics {
                let what = format!(
                    "topic {}",
                    self.arn(&t)
                        .unwrap_or_default()
                        .rsplit(':')
                        .next()
                        .unwrap_or("")
                );
                self.push(
                    "alarm-topic",
                    cw.clone(),
                    label.clone(),
                    &["sns:Publish"],
                    &t,
                    what.clone(),
                    &loc,
                    &src,
                );
                self.key_wire(
                    "alarm-topic",
                    &cw,
                    &label,
                    &t,
                    &["kms_master_key_id"],
                    &["kms:GenerateDataKey*", "kms:Decrypt"],
                    None,
                    &what,
                    &loc,
                    &src,
                );
            }
        }
    }

    /// AWS Budgets publishes each notification to its topics (and encrypts with their keys).
    fn budgets(&mut self) {
        let budgets: Vec<(usize, String)> = self
            .t
            .all("aws_budgets_budget")
            .map(|(i, r)| (i, r.addr.clone()))
            .collect();
        let who = Who::Service("budgets.amazonaws.com".into());
        for at in budgets {
            let Some(r) = self.t.resource(&at) else {
                continue;
            };
            let Some(loc) = origin_loc(self.cat, r) else {
                continue;
            };
            let label = format!(
                "budgets.amazonaws.com (budget {})",
                r.literal_name().unwrap_or(&r.addr)
            );
            let mut topics: Vec<At> = Vec::new();
            for n in r.body().blocks("notification") {
                for v in n
                    .body
                    .get("subscriber_sns_topic_arns")
                    .map(|v| v.items())
                    .unwrap_or_default()
                {
                    if let Some(t) = self.t.target(at.0, v)
                        && self
                            .t
                            .resource(&t)
                            .is_some_and(|x| x.rtype == "aws_sns_topic")
                        && !topics.contains(&t)
                    {
                        topics.push(t);
                    }
                }
            }
            for t in topics {
                let what = format!(
                    "topic {}",
                    self.arn(&t)
                        .unwrap_or_default()
                        .rsplit(':')
                        .next()
                        .unwrap_or("")
                );
                self.push(
                    "budget-topic",
                    who.clone(),
                    label.clone(),
                    &["sns:Publish"],
                    &t,
                    what.clone(),
                    &loc,
                    &[],
                );
                self.key_wire(
                    "budget-topic",
                    &who,
                    &label,
                    &t,
                    &["kms_master_key_id"],
                    &["kms:GenerateDataKey*", "kms:Decrypt"],
                    None,
                    &what,
                    &loc,
                    &[],
                );
            }
        }
    }

    /// CloudWatch Logs encrypts each log group with its key.
    fn log_groups(&mut self) {
        let groups: Vec<(usize, String)> = self
            .t
            .all("aws_cloudwatch_log_group")
            .map(|(i, r)| (i, r.addr.clone()))
            .collect();
        for at in groups {
            let Some(r) = self.t.resource(&at) else {
                continue;
            };
            // CloudWatch Logs of the group's own region (a DR network's flow logs are in the DR one).
            let who = Who::Service(format!("logs.{}.amazonaws.com", self.t.region_of(&at)));
            let Some(loc) = origin_loc(self.cat, r) else {
                continue;
            };
            let arn = self.arn(&at).unwrap_or_default();
            let what = format!(
                "log group {}",
                arn.split(":log-group:").nth(1).unwrap_or("")
            );
            let label = who.id().to_string();
            self.key_wire(
                "log-group-key",
                &who,
                &label,
                &at,
                &["kms_key_id"],
                &["kms:Encrypt", "kms:GenerateDataKey*", "kms:Decrypt"],
                None,
                &what,
                &loc,
                &[("kms:encryptioncontext:aws:logs:arn", arn.clone())],
            );
        }
    }
}
