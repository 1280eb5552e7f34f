//! Facts the rules share, derived from the index: a resource's tags (with the provider's
//! default_tags), its data classification, and the classification of the KMS key a value
//! refers to.

use super::finding::ModCtx;
use super::index::{Mode, Provider, Resource};
use super::value::{Kind, Part, Val};
use std::collections::BTreeMap;

/// Where a tag's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagSource {
    Resource,
    Default,
}

#[derive(Debug, Clone)]
pub struct Tag<'a> {
    /// The literal value, when it is one.
    pub value: Option<&'a str>,
    pub val: &'a Val,
    pub source: TagSource,
}

/// The resource's tags: the provider's `default_tags` overlaid with its own `tags`. `None`
/// when its own tags are not a literal object (a variable, `merge(...)` of unknowns): then
/// nothing can be said.
pub fn tags<'a>(cx: &'a ModCtx, r: &'a Resource) -> Option<BTreeMap<&'a str, Tag<'a>>> {
    let mut out = BTreeMap::new();
    if let Some(p) = provider_of(cx, r)
        && let Some(d) = p.block.body.path(&["default_tags", "tags"])
        && let Some(o) = cx.m.resolve(&d.val).as_obj()
    {
        for (k, v) in o {
            out.insert(
                k.as_str(),
                Tag {
                    value: v.as_str(),
                    val: v,
                    source: TagSource::Default,
                },
            );
        }
    }
    if let Some(t) = r.get("tags") {
        let own = object_of(cx, t)?;
        for (k, v) in own {
            out.insert(
                k.as_str(),
                Tag {
                    value: v.as_str(),
                    val: v,
                    source: TagSource::Resource,
                },
            );
        }
    }
    Some(out)
}

/// A literal object, through locals and `merge(...)` of literal objects.
fn object_of<'a>(cx: &'a ModCtx, v: &'a Val) -> Option<Vec<&'a (String, Val)>> {
    let v = cx.m.resolve(v);
    match &v.kind {
        Kind::Obj(o) => Some(o.iter().collect()),
        Kind::Call(name, args) if name == "merge" => {
            let mut out = Vec::new();
            for a in args {
                out.extend(object_of(cx, a)?);
            }
            Some(out)
        }
        _ => None,
    }
}

/// The `aws` provider configuration a resource uses (`provider = aws.x`, else the default).
pub fn provider_of<'a>(cx: &'a ModCtx, r: &Resource) -> Option<&'a Provider> {
    let alias = r
        .get("provider")
        .and_then(|v| v.ref_path())
        .and_then(|p| p.get(1))
        .cloned();
    let ptype = r.rtype.split('_').next().unwrap_or("aws");
    cx.m.providers
        .iter()
        .find(|p| p.name == ptype && p.alias == alias)
}

/// How a resource's classification is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassSource {
    Tag,
    Name,
}

/// The data classification of a resource: its `data_classification` tag (own or default), or,
/// for hand-written Terraform without one, the policy's name patterns.
pub fn classification<'a>(cx: &'a ModCtx, r: &'a Resource) -> Option<(String, ClassSource)> {
    let tag = &cx.p.tags.classification_tag;
    if let Some(t) = tags(cx, r)
        && let Some(v) = t.get(tag.as_str()).and_then(|t| t.value)
    {
        return Some((v.to_string(), ClassSource::Tag));
    }
    let name = r.literal_name()?;
    cx.p.kms
        .class_of_name(name)
        .map(|c| (c.to_string(), ClassSource::Name))
}

/// What a key reference stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyClass {
    /// The CMK of this classification.
    Class(String),
    /// A key that is not a bank classification CMK (an AWS-managed key, another alias).
    Other(String),
    /// Cannot be known statically (a variable, a key without alias, a literal key id).
    Unknown,
}

/// The classification of the key that `v` (a `kms_key_id`, `kms_master_key_id`, `key_arn`...)
/// refers to: `aws_kms_key.X.arn` (through the alias that targets X), `aws_kms_alias.Y`,
/// `data.aws_kms_alias.Y`, `data.aws_ssm_parameter.Y.value` (by its SSM path), or a literal
/// alias or alias ARN.
pub fn key_class(cx: &ModCtx, v: &Val) -> KeyClass {
    let v = cx.m.resolve(v);
    match &v.kind {
        Kind::Str(s) => literal_key(cx, s),
        Kind::Tmpl(parts) => {
            let text: String = parts
                .iter()
                .map(|p| match p {
                    Part::Lit(s) => s.as_str(),
                    _ => "*",
                })
                .collect();
            if text.contains("alias/") {
                literal_key(cx, &text)
            } else {
                KeyClass::Unknown
            }
        }
        Kind::Ref(_) => {
            let Some((r, _)) = cx.m.target_of(v) else {
                return KeyClass::Unknown;
            };
            resource_key(cx, r)
        }
        _ => KeyClass::Unknown,
    }
}

/// The classification of a key resource, data source or SSM parameter.
pub fn resource_key(cx: &ModCtx, r: &Resource) -> KeyClass {
    match (r.mode, r.rtype.as_str()) {
        (Mode::Managed, "aws_kms_key") => {
            let alias =
                cx.m.referrers(&r.addr, "aws_kms_alias")
                    .find_map(|a| a.get("name").and_then(Val::as_str));
            match alias {
                Some(a) => alias_class(cx, a),
                None => KeyClass::Unknown,
            }
        }
        (_, "aws_kms_alias") => match r.get("name").and_then(Val::as_str) {
            Some(a) => alias_class(cx, a),
            None => KeyClass::Unknown,
        },
        (Mode::Data, "aws_kms_key") => match r.get("key_id").and_then(Val::as_str) {
            Some(k) => literal_key(cx, k),
            None => KeyClass::Unknown,
        },
        (Mode::Data, "aws_ssm_parameter") => match r.get("name").and_then(Val::as_str) {
            Some(path) => match cx.p.kms.ssm_key_path.0.captures(path) {
                Some(c) => {
                    let class = c.get(1).map(|m| m.as_str()).unwrap_or("");
                    if cx.p.kms.classifications.contains_key(class) {
                        KeyClass::Class(class.to_string())
                    } else {
                        KeyClass::Other(path.to_string())
                    }
                }
                None => KeyClass::Other(path.to_string()),
            },
            None => KeyClass::Unknown,
        },
        _ => KeyClass::Unknown,
    }
}

fn alias_class(cx: &ModCtx, alias: &str) -> KeyClass {
    match cx.p.kms.class_of_alias(alias) {
        Some(c) => KeyClass::Class(c.to_string()),
        None => KeyClass::Other(alias.to_string()),
    }
}

fn literal_key(cx: &ModCtx, s: &str) -> KeyClass {
    match s.find("alias/") {
        Some(i) => alias_class(cx, &s[i..]),
        None => KeyClass::Unknown,
    }
}

/// A key argument (`kms_key_id`, `kms_master_key_id`) that names a key: absent, `null` and `""`
/// (through locals) all mean the service's default encryption, not a customer-managed key.
pub fn key_arg<'a>(cx: &'a ModCtx, r: &'a Resource, key: &str) -> Option<&'a Val> {
    let v = r.get(key)?;
    match &cx.m.resolve(v).kind {
        Kind::Null => None,
        Kind::Str(s) if s.trim().is_empty() => None,
        _ => Some(v),
    }
}

/// What a value depends on when it cannot be known without a plan: the variables, locals,
/// data sources and resources it names after evaluation (`var.versioning`), or `None` when it
/// is a known literal.
pub fn depends_on(cx: &ModCtx, v: &Val) -> Option<String> {
    let v = cx.m.resolve(v);
    if v.is_known_literal() {
        return None;
    }
    let mut names: Vec<String> = v
        .refs()
        .into_iter()
        .map(|p| {
            let n = if p[0] == "data" { 3 } else { 2 };
            p[..p.len().min(n)].join(".")
        })
        .collect();
    names.dedup();
    Some(if names.is_empty() {
        format!("`{}`", v.canonical())
    } else {
        names.join(", ")
    })
}

/// A literal string value of an argument, through locals.
pub fn lit<'a>(cx: &'a ModCtx, r: &'a Resource, key: &str) -> Option<&'a str> {
    r.get(key).map(|v| cx.m.resolve(v)).and_then(Val::as_str)
}

/// A literal bool of an argument (`true`, `"true"`), through locals.
pub fn flag(cx: &ModCtx, r: &Resource, path: &[&str]) -> Option<bool> {
    r.body()
        .path(path)
        .map(|a| cx.m.resolve(&a.val))
        .and_then(Val::as_bool)
}

/// A literal number of an argument, through locals.
pub fn num(cx: &ModCtx, body: &super::value::Body, path: &[&str]) -> Option<f64> {
    body.path(path)
        .map(|a| cx.m.resolve(&a.val))
        .and_then(Val::as_num)
}

/// An IAM statement together with the resource whose policy holds it.
pub struct HeldStatement<'a> {
    pub holder: &'a Resource,
    pub statement: super::iam::Statement,
}

/// Every statement of the identity policies attached to a role: `aws_iam_role_policy` (by
/// reference or literal role name), the role's `inline_policy` blocks, and `aws_iam_policy`s of
/// the module attached through `aws_iam_role_policy_attachment` or `managed_policy_arns`.
pub fn role_statements<'a>(cx: &'a ModCtx, role: &'a Resource) -> Vec<HeldStatement<'a>> {
    use super::iam::document;
    let m = cx.m;
    let role_name = role.get("name").and_then(Val::as_str);
    let mut out = Vec::new();
    let mut push = |holder: &'a Resource, v: &Val| {
        if let Some(doc) = document(m, v, holder.file) {
            for s in doc.statements {
                out.push(HeldStatement {
                    holder,
                    statement: s,
                });
            }
        }
    };
    let is_role = |v: Option<&Val>| match v {
        Some(v) => match v.ref_target() {
            Some(t) => t.addr == role.addr,
            None => role_name.is_some() && v.as_str() == role_name,
        },
        None => false,
    };
    for rp in m.of_type("aws_iam_role_policy") {
        if is_role(rp.get("role"))
            && let Some(p) = rp.get("policy")
        {
            push(rp, p);
        }
    }
    for ip in role.body().blocks("inline_policy") {
        if let Some(p) = ip.body.get("policy") {
            push(role, p);
        }
    }
    let mut attached: Vec<&Val> = Vec::new();
    for at in m.of_type("aws_iam_role_policy_attachment") {
        if is_role(at.get("role"))
            && let Some(a) = at.get("policy_arn")
        {
            attached.push(a);
        }
    }
    if let Some(arns) = role.get("managed_policy_arns") {
        attached.extend(arns.items());
    }
    for a in attached {
        if let Some((pol, _)) = m.target_of(a)
            && pol.rtype == "aws_iam_policy"
            && pol.mode == Mode::Managed
            && let Some(p) = pol.get("policy")
        {
            push(pol, p);
        }
    }
    out
}

/// The text a value stands for, with references replaced by what they name when that is
/// known: an SSM parameter by its path, a resource by its literal name. For matching
/// resource ARNs against catalogue names.
pub fn resolved_text(cx: &ModCtx, v: &Val) -> String {
    let v = cx.m.resolve(v);
    match &v.kind {
        Kind::Ref(_) => match cx.m.target_of(v) {
            Some((r, _)) => r
                .literal_name()
                .map(String::from)
                .unwrap_or_else(|| v.canonical()),
            None => v.canonical(),
        },
        Kind::Tmpl(parts) => parts
            .iter()
            .map(|p| match p {
                Part::Lit(s) => s.clone(),
                Part::Interp(x) => resolved_text(cx, x),
                Part::Directive => String::new(),
            })
            .collect(),
        _ => v.canonical(),
    }
}

/// The dead-letter queue of a bus or stream, by the naming convention in the policy: a queue
/// labelled `<label><dlq_label_suffix>`, or named `<name><dlq_name_suffix>`.
pub fn conventional_dlq<'a>(cx: &'a ModCtx, r: &Resource) -> Option<&'a Resource> {
    let e = &cx.p.eventbridge;
    let label = format!("{}{}", r.name, e.dlq_label_suffix);
    let name = r
        .literal_name()
        .map(|n| format!("{n}{}", e.dlq_name_suffix));
    cx.m.of_type("aws_sqs_queue")
        .find(|q| q.name == label || (name.is_some() && q.literal_name().map(String::from) == name))
}

/// The catalogue's environment the folder belongs to (`out/<env>/...`), if any.
fn catalogue_env<'a>(cx: &'a ModCtx) -> Option<&'a crate::model::Environment> {
    cx.cat?.environment(cx.env.as_deref()?)
}

/// The folder belongs to an emulator environment of the catalogue (`local`), whose resources go
/// with the environment: the deletion protections are not wanted there.
pub fn emulated(cx: &ModCtx) -> bool {
    catalogue_env(cx).is_some_and(|e| e.emulator.is_some())
}

/// The folder belongs to a protected environment of the catalogue (`protected:`, default
/// `prod`). Hand-written Terraform outside a catalogue environment is neither.
pub fn protected(cx: &ModCtx) -> bool {
    catalogue_env(cx).is_some_and(|e| e.protected)
}

/// The environment a folder belongs to: the folder itself when it is named like one of the
/// catalogue's (or the policy's) environments (`envs/dev`), or its parent when the folder is a
/// module folder (`out/dev/MOD-104`). Farther ancestors are not read: a checkout under
/// `/home/dev/...` says nothing about the environment.
pub fn env_of<S: AsRef<str>>(dir: &std::path::Path, envs: &[S]) -> Option<String> {
    let is_env = |p: &std::path::Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .filter(|n| envs.iter().any(|e| e.as_ref() == *n))
            .map(String::from)
    };
    is_env(dir).or_else(|| {
        module_of(dir)?;
        is_env(dir.parent()?)
    })
}

/// The catalogue module a folder renders: a folder named `MOD-NNN`.
pub fn module_of(dir: &std::path::Path) -> Option<String> {
    let n = dir.file_name()?.to_str()?;
    crate::model::names::MODULE_ID
        .matches(n)
        .then(|| n.to_string())
}

/// The containers of an `aws_ecs_task_definition`: its `container_definitions` as
/// `jsonencode([...])` (read through locals like a policy document) or a JSON string. `None` when
/// it cannot be read statically (a variable, `file(...)`, `templatefile(...)`).
pub fn containers(cx: &ModCtx, r: &Resource) -> Option<Vec<Val>> {
    let v = cx.m.resolve(r.get("container_definitions")?);
    let list = match &v.kind {
        Kind::Call(name, args) if name == "jsonencode" && args.len() == 1 => {
            cx.m.resolve(&args[0]).clone()
        }
        Kind::Str(s) => {
            let json: serde_json::Value = serde_json::from_str(s).ok()?;
            super::value::from_json(&json, v.span)
        }
        _ => return None,
    };
    Some(
        list.as_list()?
            .iter()
            .map(|c| cx.m.resolve(c).clone())
            .collect(),
    )
}

/// A container's name, for messages.
pub fn container_name(c: &Val) -> String {
    c.get("name")
        .and_then(Val::as_str)
        .unwrap_or("(unnamed)")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn env_and_module_come_from_the_folder_and_its_parent() {
        let envs = vec!["dev".to_string(), "prod".to_string()];
        assert_eq!(
            env_of(Path::new("out/dev/MOD-104"), &envs).as_deref(),
            Some("dev")
        );
        assert_eq!(
            env_of(Path::new("/home/dev/repo/envs/prod"), &envs).as_deref(),
            Some("prod")
        );
        assert_eq!(env_of(Path::new("/home/dev/repo/modules/x"), &envs), None);
        assert_eq!(
            module_of(Path::new("out/dev/MOD-104")).as_deref(),
            Some("MOD-104")
        );
        assert_eq!(module_of(Path::new("out/dev/modules")), None);
    }
}
