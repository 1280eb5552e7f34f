//! Lambda: the runtime convention (every runtime module is a function under its domain's role,
//! published and served through a `live` alias for blue-green deploys, seed 001) and the
//! functions a module declares itself (with their own role, e.g. MOD-045's rotation Lambda).

use super::RuntimeSettings;
use super::guard::{self, AllowReplace};
use super::md::{code, days, esc, statements};
use super::names::ident;
use super::policy::Statement;
use super::policy::{Stmt, catalogue_statements, policy, trust, write_traces};
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api};
use super::{DocSection, Docs};
use super::{raw, tpl};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    pub name: Sp<String>,
    pub purpose: String,
    #[serde(default)]
    pub handler: Option<String>,
    #[serde(default)]
    pub memory_mb: Option<u32>,
    #[serde(default)]
    pub timeout_seconds: Option<u32>,
    #[serde(default)]
    pub log_retention_days: Option<Sp<u32>>,
    /// IAM permissions of the function's own role, written as IAM statements.
    #[serde(default)]
    pub statements: Vec<Statement>,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// Lets Secrets Manager invoke it (rotation functions).
    #[serde(default)]
    pub invoked_by_secretsmanager: bool,
    /// The module's own `iam_policies` attached to the function's role (seed 004: the namespace
    /// policy is attached to the rotation role).
    #[serde(default)]
    pub attach_policies: Vec<Sp<String>>,
    /// Its code addressed by content (`{key, sha256}`, written by the CI step that uploads it);
    /// without it the code is `lambda/<module>/<name>.zip`, whichever build is there.
    #[serde(default)]
    pub artefact: Option<super::ArtefactRaw>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "functions"
    }
    fn noun(&self) -> &'static str {
        "function"
    }
    fn family(&self) -> &'static str {
        "lambda"
    }
    fn template(&self) -> &'static str {
        "function.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::LAMBDA, api::IAM, api::LOGS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_cloudwatch_log_group",
            "aws_cloudwatch_log_subscription_filter",
            "aws_iam_role",
            "aws_iam_role_policy",
            "aws_iam_role_policy_attachment",
            "aws_lambda_alias",
            "aws_lambda_function",
            "aws_lambda_permission",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_cloudwatch_log_group"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL504", "BGL505", "BGL201"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.functions.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.functions.iter().map(|x| ("function", &x.name)).collect()
    }
    fn classified<'r>(&self, _: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        Vec::new()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "function",
            resource_type: "aws_lambda_function",
            label: super::exports::label,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for f in &r.functions {
            guard::check_allow(
                f.allow_replace.as_ref(),
                &format!("function `{}`", f.name.value),
                c,
            );
            c.name(&f.name, &n.resource);
            let known = r.iam_policies.iter().map(|p| p.name.value.as_str());
            for p in &f.attach_policies {
                c.declared("BG013", "IAM policy", "policies", p, known.clone());
            }
            if let Some((at, msg, help)) = f.artefact.as_ref().and_then(|a| a.problem()) {
                c.err("BG005", &at.referenced, msg, help);
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        render(self, m)
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        docs(r, d)
    }
}

/// The label of a module's conventional function.
pub const CONVENTIONAL: &str = "app";

fn render(kind: &Kind, m: &mut Scope) {
    if let Some(settings) = m.module.function {
        let domain = m.domain(m.module.domain).cloned();
        let role = domain
            .as_ref()
            .map(|d| m.role_arn(&d.role))
            .unwrap_or(Value::Null);
        let mut env = BTreeMap::new();
        env.insert("MODULE_ID".to_string(), m.module.id.to_string());
        env.insert("ENVIRONMENT".to_string(), m.env.name.to_string());
        if let Some(d) = &domain {
            env.insert("EVENT_BUS".to_string(), d.bus.clone());
        }
        let name = m.env_name(&m.module.function_base_name());
        let purpose = m.module.purpose.unwrap_or(m.module.title).to_string();
        let loc = m.module.loc.clone();
        let ctx = function_ctx(
            m,
            CONVENTIONAL,
            &name,
            &purpose,
            settings,
            role,
            env,
            None,
            false,
        );
        m.emit(kind, &loc, ctx);
        m.holds_data(
            format!("aws_cloudwatch_log_group.{CONVENTIONAL}"),
            format!("function {}", m.module.function_base_name()),
            &loc,
            None,
        );
        m.export(
            format!("lambda/{}/live-arn", m.module.id.to_lowercase()),
            format!(
                "ARN of the live alias of {} ({})",
                m.module.id, m.module.title
            ),
            raw(format!("aws_lambda_alias.{CONVENTIONAL}.arn")),
            &loc,
        );
    }
    for f in &m.module.resources.functions {
        let id = ident(&f.name.value);
        let loc = m.loc(&f.name.referenced);
        let name = m.env_name(&f.name.value);
        let d = m.runtime_defaults;
        let settings = RuntimeSettings {
            handler: f.handler.clone().unwrap_or_else(|| d.handler.clone()),
            memory_mb: f.memory_mb.unwrap_or(d.memory_mb),
            timeout_seconds: f.timeout_seconds.unwrap_or(d.timeout_seconds),
            log_retention_days: f
                .log_retention_days
                .as_ref()
                .map(|v| v.value)
                .unwrap_or(d.log_retention_days),
            artefact_key: format!("lambda/{}/{}.zip", m.module.id, f.name.value),
            artefact: f.artefact.as_ref().map(Into::into),
            ..d.clone()
        };
        let mut statements = catalogue_statements(m, &f.statements);
        statements.insert(
            0,
            Stmt::allow("WriteOwnLogs")
                .action(&["logs:CreateLogStream", "logs:PutLogEvents"])
                .resource(vec![tpl(vec![
                    raw(format!("aws_cloudwatch_log_group.{id}.arn")),
                    json!(":*"),
                ])])
                .build(),
        );
        statements.insert(1, write_traces());
        let attached: Vec<Value> = f
            .attach_policies
            .iter()
            .map(|p| json!(ident(&p.value)))
            .collect();
        let own_role = json!({
            "name": name,
            "trust": trust("lambda.amazonaws.com"),
            "policy": policy(statements),
            "attached": attached,
        });
        let mut env: BTreeMap<String, String> = f
            .environment
            .iter()
            .map(|(k, v)| (k.clone(), m.subst(v)))
            .collect();
        // Every function says where it runs; this also keeps the environment block (and its KMS
        // encryption, CKV_AWS_173) from being empty, which aws 3.39.0 rejects.
        env.entry("MODULE_ID".to_string())
            .or_insert_with(|| m.module.id.to_string());
        env.entry("ENVIRONMENT".to_string())
            .or_insert_with(|| m.env.name.to_string());
        let role = raw(format!("aws_iam_role.{id}.arn"));
        let ctx = function_ctx(
            m,
            &id,
            &name,
            &f.purpose,
            &settings,
            role,
            env,
            Some(own_role),
            f.invoked_by_secretsmanager,
        );
        m.emit(kind, &loc, ctx);
        m.holds_data(
            format!("aws_cloudwatch_log_group.{id}"),
            format!("function {}", f.name.value),
            &loc,
            guard::allowance(f.allow_replace.as_ref(), m),
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn function_ctx(
    m: &mut Scope,
    id: &str,
    name: &str,
    purpose: &str,
    s: &RuntimeSettings,
    role: Value,
    env: BTreeMap<String, String>,
    own_role: Option<Value>,
    secretsmanager: bool,
) -> Value {
    let key = m.key_arn(m.operational);
    let bucket = m.bucket_name(&s.artefact_bucket);
    // Pinned code: its own key, and its hash as Lambda reports it (base64), so a new build, or
    // an old one restored by a rollback, is a code update that publishes a version.
    let (key_path, code_hash) = match &s.artefact {
        Some(a) => (a.key.clone(), Some(code_sha256(&a.sha256))),
        None => (s.artefact_key.replace("{module}", m.module.id), None),
    };
    // Log routing (MOD-076): the log group is subscribed to the routing stream.
    let routing = if m.fleet.routes_logs_of(m.module.id) {
        json!({
            "destination": m.import("observability/log-routing/destination-arn"),
            "role": m.import("observability/log-routing/role-arn"),
        })
    } else {
        Value::Null
    };
    json!({
        "id": id,
        "name": name,
        "purpose": purpose,
        "role": role,
        "own_role": own_role,
        "runtime": m.features.lambda_runtime.map(str::to_string).unwrap_or_else(|| s.runtime.clone()),
        "architecture": s.architecture,
        "handler": s.handler,
        "memory": s.memory_mb,
        "timeout": s.timeout_seconds,
        "concurrency": s.reserved_concurrency,
        "bucket": bucket,
        "key_path": key_path,
        "code_hash": code_hash,
        "kms": key,
        "environment": env,
        "log_group": format!("/aws/lambda/{name}"),
        "log_retention": s.log_retention_days,
        "routing": routing,
        "secretsmanager": secretsmanager,
        "tags": m.class_tags(m.operational),
    })
}

/// Lambda's `CodeSha256` of a ZIP whose SHA-256 is `hex` (checked: 64 hex digits).
fn code_sha256(hex: &str) -> String {
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    crate::base64::encode(&bytes)
}

/// Functions declared as resources (not the runtime convention's): the platform's runtime
/// defaults fill in what they leave out.
fn docs(r: &Resources, d: &Docs) -> Option<DocSection> {
    let list = &r.functions;
    if list.is_empty() {
        return None;
    }
    let rt = d.runtime_defaults;
    let rows = list
        .iter()
        .map(|f| {
            vec![
                code(&format!("{}-{{env}}", f.name.value)),
                esc(&f.purpose),
                format!(
                    "{} MB / {} s",
                    f.memory_mb.unwrap_or(rt.memory_mb),
                    f.timeout_seconds.unwrap_or(rt.timeout_seconds)
                ),
                days(
                    f.log_retention_days
                        .as_ref()
                        .map(|d| d.value)
                        .unwrap_or(rt.log_retention_days),
                ),
                statements(&f.statements),
            ]
        })
        .collect();
    Some(DocSection::new(
        "Functions",
        "Each with its own role, limited to the statements listed.",
        &[
            "Function",
            "Purpose",
            "Memory / timeout",
            "Log retention",
            "Permissions",
        ],
        rows,
    ))
}
