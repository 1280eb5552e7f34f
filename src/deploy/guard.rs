//! The plan guard: a plan that deletes or replaces a resource holding data stops its module
//! before apply, unless the replacement is allowed with a reason.
//!
//! What holds data is what render recorded for the module ([`crate::kinds::Stateful`]: the
//! address, the catalogue entry and its place, the entry's `allow_replace`), and, for a resource
//! whose entry is gone from the catalogue, any resource of a type some kind declares as holding
//! data ([`crate::kinds::stateful_types`]): removing an entry deletes what it held. Allowances
//! come from the entry (`allow_replace: {reason: …}`) or from the command line
//! (`--allow-replace [MOD-ID/]ADDRESS --reason TEXT`).

use crate::kinds::Stateful;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// `--allow-replace [MOD-ID/]ADDRESS` with its `--reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    /// Only in this module (addresses repeat across modules).
    pub module: Option<String>,
    /// A resource or module address; it covers the instances below it.
    pub address: String,
    pub reason: String,
}

impl Allowance {
    /// `MOD-ID/ADDRESS` or `ADDRESS`. A Terraform address starts with `TYPE.NAME` or
    /// `module.NAME`, so a `/` before its first `.` ends a module id.
    pub fn parse(
        text: &str,
        reason: &str,
        is_module: impl Fn(&str) -> bool,
    ) -> Result<Allowance, String> {
        let text = text.trim();
        let (module, address) = match text.split_once('/') {
            Some((m, rest)) if !m.contains('.') && !m.contains('[') => {
                if !is_module(m) {
                    return Err(format!(
                        "--allow-replace {text}: `{m}` is not a module of the catalogue (write MOD-ID/ADDRESS or ADDRESS)"
                    ));
                }
                (Some(m.to_string()), rest)
            }
            _ => (None, text),
        };
        let shape_ok = address.split_once('.').is_some_and(|(head, tail)| {
            !head.is_empty()
                && !tail.is_empty()
                && head
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        }) && !address.contains(char::is_whitespace);
        if !shape_ok {
            return Err(format!(
                "--allow-replace {text}: not a Terraform address (write e.g. aws_s3_bucket.bank_iceberg, \
                 MOD-104/aws_cognito_user_pool.customers, or module.x)"
            ));
        }
        if reason.trim().is_empty() {
            return Err(
                "--reason: say why the replacement is allowed (it goes into the report)".into(),
            );
        }
        Ok(Allowance {
            module,
            address: address.to_string(),
            reason: reason.trim().to_string(),
        })
    }

    /// As written on the command line.
    pub fn flag(&self) -> String {
        match &self.module {
            Some(m) => format!("{m}/{}", self.address),
            None => self.address.clone(),
        }
    }

    fn allows(&self, module: &str, address: &str) -> bool {
        self.module.as_deref().is_none_or(|m| m == module) && covers(&self.address, address)
    }
}

/// What the guard of a run knows: each module's resources that hold data, the command line's
/// allowances, and who runs it.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    pub stateful: BTreeMap<String, Vec<Stateful>>,
    pub allowances: Vec<Allowance>,
    /// Recorded with a command-line allowance.
    pub user: Option<String>,
}

/// A delete, or a replacement (delete and create, in either order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Loss {
    Replace,
    Delete,
}

impl Loss {
    pub fn name(self) -> &'static str {
        match self {
            Loss::Replace => "replace",
            Loss::Delete => "delete",
        }
    }
}

/// Who let a replacement through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allowed {
    pub reason: String,
    /// `catalogue FILE:LINE` or `command line`.
    pub by: String,
    /// The `--allow-replace` value that matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// A delete or replacement of a resource that holds data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub address: String,
    pub action: Loss,
    /// The catalogue entry (`user pool bank-customers`); none when it is no longer in the
    /// catalogue.
    pub entry: Option<String>,
    /// Where the entry is: `FILE:LINE`.
    pub catalogue: Option<String>,
    /// The attributes that force the replacement (Terraform's `replace_paths`).
    pub replace_paths: Vec<String>,
    /// Terraform's `action_reason` (`replace_because_tainted`, …), when it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Allowed>,
}

impl Finding {
    /// `replace aws_x.y (bucket b, catalog/modules/MOD-1.yaml:12; forced by name)`.
    pub fn short(&self) -> String {
        let mut what = Vec::new();
        match (&self.entry, &self.catalogue) {
            (Some(e), Some(c)) => what.push(format!("{e}, {c}")),
            (Some(e), None) => what.push(e.clone()),
            _ => what.push("no longer in the catalogue".into()),
        }
        if !self.replace_paths.is_empty() {
            what.push(format!("forced by {}", self.replace_paths.join(", ")));
        }
        format!(
            "{} {} ({})",
            self.action.name(),
            self.address,
            what.join("; ")
        )
    }
}

/// What the guard found in one module's plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Not allowed: the module stops before apply.
    pub blocked: Vec<Finding>,
    /// Allowed, with who allowed it.
    pub allowed: Vec<Finding>,
    /// Allowed updates that AWS refuses in place ([`REFUSED_IN_PLACE`]): the module is planned
    /// again with `-replace=ADDRESS` for each, so the change is carried out by a replacement.
    pub replan: Vec<Finding>,
}

/// The `action_reason` of an update the provider plans but AWS refuses in place.
pub const REFUSED_IN_PLACE: &str = "update_refused_in_place";

impl Verdict {
    /// The module's cause in the table: every blocked resource, one line.
    pub fn cause(&self) -> String {
        let list: Vec<String> = self.blocked.iter().map(Finding::short).collect();
        format!("blocked by the plan guard: {}", list.join("; "))
    }

    /// What the module's log and the terminal say: each blocked resource, and how to let it
    /// through.
    pub fn explain(&self, module: &str) -> String {
        let mut s = format!(
            "{module}: stopped before apply: the plan would {} {} resource(s) that hold data\n",
            if self.blocked.iter().all(|f| f.action == Loss::Delete) {
                "delete"
            } else {
                "delete or replace"
            },
            self.blocked.len()
        );
        for f in &self.blocked {
            let entry = match (&f.entry, &f.catalogue) {
                (Some(e), Some(c)) => format!("{e} at {c}"),
                (Some(e), None) => e.clone(),
                _ => "its entry is no longer in the catalogue".into(),
            };
            s.push_str(&format!("  {} {}: {entry}\n", f.action.name(), f.address));
            if !f.replace_paths.is_empty() {
                s.push_str(&format!(
                    "    attributes forcing the replacement: {}\n",
                    f.replace_paths.join(", ")
                ));
            }
            match f.action_reason.as_deref() {
                Some(REFUSED_IN_PLACE) => s.push_str(
                    "    the plan updates it in place, but AWS cannot make this change in place: the apply would fail, and only a replacement carries it out\n",
                ),
                Some(r) => s.push_str(&format!("    terraform's reason: {r}\n")),
                None => {}
            }
        }
        s.push_str("  to go on, do one of:\n");
        if self.blocked.iter().any(|f| f.entry.is_some()) {
            s.push_str(
                "    - add `allow_replace: {reason: \"…\"}` to the entry in the catalogue (the data is lost)\n",
            );
        }
        let flags: Vec<String> = self
            .blocked
            .iter()
            .map(|f| format!("--allow-replace {module}/{}", f.address))
            .collect();
        s.push_str(&format!(
            "    - rerun with {} --reason \"…\" (the data is lost)\n",
            flags.join(" ")
        ));
        if self.blocked.iter().any(|f| {
            f.entry.is_none()
                || (f.action == Loss::Replace
                    && f.action_reason.as_deref() != Some(REFUSED_IN_PLACE))
        }) {
            s.push_str(
                "    - if the entry was only renamed in the catalogue, add `renamed_from: OLD` to it: the state moves, nothing is replaced\n",
            );
        }
        if self
            .blocked
            .iter()
            .any(|f| f.action_reason.as_deref() == Some(REFUSED_IN_PLACE))
        {
            s.push_str(
                "    - to add data to a user pool, keep its custom attributes as they are and add a new one (that is done in place)\n",
            );
        }
        s.push_str("    - or undo the catalogue change that forces it\n");
        s
    }
}

/// Whether the allowance or listed address `a` covers the plan's address `p`: the same, an
/// instance of it (`a[0]`, `a["k"]`), or something inside it (`module.x` covers
/// `module.x.aws_s3_bucket.y` and `module.x[0].…`).
pub fn covers(a: &str, p: &str) -> bool {
    match p.strip_prefix(a) {
        Some("") => true,
        Some(rest) => rest.starts_with('[') || rest.starts_with('.'),
        None => false,
    }
}

/// A `replace_paths` entry as an attribute path: `["name"]` → `name`, `["tags","x"]` →
/// `tags["x"]`, `["schema",0,"name"]` → `schema[0].name`. A string after an index is a nested
/// block's attribute; after a name it is a map key.
pub fn path_text(steps: &[Value]) -> String {
    let mut s = String::new();
    let mut after_index = false;
    for (i, step) in steps.iter().enumerate() {
        match step {
            Value::Number(n) => {
                s.push_str(&format!("[{n}]"));
                after_index = true;
            }
            Value::String(k) if i == 0 => s.push_str(k),
            Value::String(k) if after_index => {
                s.push('.');
                s.push_str(k);
                after_index = false;
            }
            Value::String(k) => {
                s.push_str(&format!(
                    "[{}]",
                    serde_json::to_string(k).unwrap_or_default()
                ));
                after_index = false;
            }
            other => s.push_str(&format!("[{other}]")),
        }
    }
    s
}

/// The guard over one module's `show -json` of a plan.
pub fn check(module: &str, plan: &Value, guard: &Guard) -> Verdict {
    let listed = guard.stateful.get(module).map(Vec::as_slice).unwrap_or(&[]);
    let types = crate::kinds::stateful_types();
    let mut v = Verdict::default();
    for rc in plan["resource_changes"].as_array().into_iter().flatten() {
        if rc["mode"].as_str().is_some_and(|m| m != "managed") {
            continue;
        }
        let actions: Vec<&str> = rc["change"]["actions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let Some(address) = rc["address"].as_str() else {
            continue;
        };
        let rtype = rc["type"].as_str().unwrap_or_else(|| {
            // Older plans may lack `type`: the last `TYPE.NAME` of the address.
            address.rsplit('.').nth(1).unwrap_or("")
        });
        let mut refused = Vec::new();
        let loss = match actions.as_slice() {
            ["delete"] => Loss::Delete,
            a if a.contains(&"delete") && a.contains(&"create") => Loss::Replace,
            ["update"] => {
                refused = refused_in_place(rtype, &rc["change"]["before"], &rc["change"]["after"]);
                if refused.is_empty() {
                    continue;
                }
                Loss::Replace
            }
            _ => continue,
        };
        let held = listed.iter().find(|s| covers(&s.address, address));
        if held.is_none() && !types.contains(&rtype) {
            continue;
        }
        let mut replace_paths: Vec<String> = rc["change"]["replace_paths"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_array().map(|s| path_text(s)))
            .filter(|p| !p.is_empty())
            .collect();
        replace_paths.dedup();
        let action_reason = if refused.is_empty() {
            rc["action_reason"].as_str().map(str::to_string)
        } else {
            replace_paths = refused;
            Some(REFUSED_IN_PLACE.to_string())
        };
        let mut f = Finding {
            address: address.to_string(),
            action: loss,
            entry: held.map(|s| s.entry.clone()),
            catalogue: held.map(|s| s.loc.place()),
            replace_paths,
            action_reason,
            allowed: None,
        };
        if let Some((reason, loc)) = held.and_then(|s| s.allow_replace.as_ref()) {
            f.allowed = Some(Allowed {
                reason: reason.clone(),
                by: format!("catalogue {}", loc.place()),
                flag: None,
                user: None,
            });
        } else if let Some(a) = guard.allowances.iter().find(|a| a.allows(module, address)) {
            f.allowed = Some(Allowed {
                reason: a.reason.clone(),
                by: "command line".into(),
                flag: Some(a.flag()),
                user: guard.user.clone(),
            });
        }
        if f.allowed.is_some() && f.action_reason.as_deref() == Some(REFUSED_IN_PLACE) {
            v.replan.push(f);
        } else if f.allowed.is_some() {
            v.allowed.push(f);
        } else {
            v.blocked.push(f);
        }
    }
    v
}

/// Changes the provider plans as an in-place update that the AWS API refuses: the apply would
/// fail, and only a replacement carries them out. The changed paths; none when the update can
/// be made.
fn refused_in_place(rtype: &str, before: &Value, after: &Value) -> Vec<String> {
    match rtype {
        // Cognito adds custom attributes to a pool (AddCustomAttributes) but has no API to
        // change or remove one: the provider plans the update and fails with "cannot modify or
        // remove schema items".
        "aws_cognito_user_pool" => changed_set_items(&before["schema"], &after["schema"], "name")
            .into_iter()
            .map(|p| format!("schema{p}"))
            .collect(),
        _ => Vec::new(),
    }
}

/// The items of a set of blocks (keyed by `key`) that `after` changes or drops: `["k"]` for a
/// dropped item, `["k"].path` for each changed attribute of one. Added items are not changes.
fn changed_set_items(before: &Value, after: &Value, key: &str) -> Vec<String> {
    let after_items = after.as_array().map(Vec::as_slice).unwrap_or(&[]);
    let mut out = Vec::new();
    for b in before.as_array().into_iter().flatten() {
        let Some(k) = b[key].as_str() else { continue };
        let quoted = serde_json::to_string(k).unwrap_or_default();
        match after_items.iter().find(|a| a[key].as_str() == Some(k)) {
            None => out.push(format!("[{quoted}] (removed)")),
            Some(a) if a != b => out.extend(
                super::drift::changed_paths(b, a)
                    .into_iter()
                    .map(|p| format!("[{quoted}].{p}")),
            ),
            Some(_) => {}
        }
    }
    out
}

/// The command line's allowances (as written) that let nothing through in `modules`.
pub fn unused(allowances: &[Allowance], modules: &[super::report::ModuleReport]) -> Vec<String> {
    let used: Vec<&str> = modules
        .iter()
        .flat_map(|m| &m.allowed)
        .filter_map(|f| f.allowed.as_ref()?.flag.as_deref())
        .collect();
    let mut out: Vec<String> = allowances
        .iter()
        .map(Allowance::flag)
        .filter(|f| !used.contains(&f.as_str()))
        .collect();
    out.dedup();
    out
}

/// Who runs bankgen, for the record of a command-line allowance: the CI actor, else the login.
pub fn user() -> Option<String> {
    ["GITHUB_ACTOR", "USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Loc, SourceFile};
    use serde_json::json;
    use std::sync::Arc;

    const MODULE: &str = "MOD-104";

    fn file() -> Arc<SourceFile> {
        Arc::new(SourceFile {
            name: "catalog/modules/MOD-104.yaml".into(),
            text: (1..=60).map(|i| format!("line {i}\n")).collect(),
        })
    }

    fn held(address: &str, entry: &str, line: u64, allow: Option<(&str, u64)>) -> Stateful {
        let f = file();
        Stateful {
            address: address.into(),
            entry: entry.into(),
            loc: Loc::at_line(&f, line, 5),
            allow_replace: allow.map(|(r, l)| (r.to_string(), Loc::at_line(&f, l, 7))),
        }
    }

    fn guard(listed: Vec<Stateful>, allowances: Vec<Allowance>) -> Guard {
        Guard {
            stateful: [(MODULE.to_string(), listed)].into_iter().collect(),
            allowances,
            user: Some("alice".into()),
        }
    }

    /// One `resource_changes` entry as `terraform show -json` writes it.
    fn rc(address: &str, actions: &[&str], replace_paths: Value) -> Value {
        let (head, name) = address.rsplit_once('.').unwrap();
        let rtype = head.rsplit('.').next().unwrap();
        let name = name.split('[').next().unwrap();
        let mut change = json!({
            "actions": actions,
            "before": {"name": "bank-customers-local", "schema": []},
            "after": {"name": "bank-customers-local", "schema": []},
            "after_unknown": {"arn": true, "id": true},
            "before_sensitive": {}, "after_sensitive": {}
        });
        if !replace_paths.is_null() {
            change["replace_paths"] = replace_paths;
        }
        let mut v = json!({
            "address": address, "mode": "managed", "type": rtype, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws", "change": change
        });
        if actions.len() == 2 {
            v["action_reason"] = json!("replace_because_cannot_update");
        }
        v
    }

    fn plan(changes: Vec<Value>) -> Value {
        json!({"format_version": "1.2", "terraform_version": "1.9.8", "resource_changes": changes})
    }

    fn pool() -> Stateful {
        held(
            "aws_cognito_user_pool.customers",
            "user pool bank-customers",
            31,
            None,
        )
    }

    #[test]
    fn a_replacement_of_a_listed_resource_is_blocked_with_its_entry_and_attributes() {
        let p = plan(vec![rc(
            "aws_cognito_user_pool.customers",
            &["delete", "create"],
            json!([["schema"]]),
        )]);
        let v = check(MODULE, &p, &guard(vec![pool()], vec![]));
        assert!(v.allowed.is_empty());
        assert_eq!(
            v.blocked,
            vec![Finding {
                address: "aws_cognito_user_pool.customers".into(),
                action: Loss::Replace,
                entry: Some("user pool bank-customers".into()),
                catalogue: Some("catalog/modules/MOD-104.yaml:31".into()),
                replace_paths: vec!["schema".into()],
                action_reason: Some("replace_because_cannot_update".into()),
                allowed: None,
            }]
        );
        // create before destroy is a replacement too
        let p = plan(vec![rc(
            "aws_cognito_user_pool.customers",
            &["create", "delete"],
            Value::Null,
        )]);
        let v = check(MODULE, &p, &guard(vec![pool()], vec![]));
        assert_eq!(v.blocked[0].action, Loss::Replace);
        let text = v.explain(MODULE);
        for want in [
            "MOD-104: stopped before apply",
            "replace aws_cognito_user_pool.customers: user pool bank-customers at catalog/modules/MOD-104.yaml:31",
            "allow_replace: {reason:",
            "--allow-replace MOD-104/aws_cognito_user_pool.customers --reason",
            "renamed_from: OLD",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
        assert!(v.cause().starts_with(
            "blocked by the plan guard: replace aws_cognito_user_pool.customers (user pool bank-customers, catalog/modules/MOD-104.yaml:31)"
        ));
    }

    #[test]
    fn a_delete_is_blocked() {
        let p = plan(vec![rc(
            "aws_cognito_user_pool.customers",
            &["delete"],
            Value::Null,
        )]);
        let v = check(MODULE, &p, &guard(vec![pool()], vec![]));
        assert_eq!(v.blocked.len(), 1);
        assert_eq!(v.blocked[0].action, Loss::Delete);
        assert!(!v.explain(MODULE).contains("renamed_from"));
    }

    #[test]
    fn creates_updates_and_reads_pass() {
        let mut read = rc("aws_cognito_user_pool.customers", &["read"], Value::Null);
        read["mode"] = json!("data");
        let p = plan(vec![
            rc("aws_cognito_user_pool.customers", &["update"], Value::Null),
            rc("aws_s3_bucket.new", &["create"], Value::Null),
            rc("aws_s3_bucket.same", &["no-op"], Value::Null),
            read,
        ]);
        assert_eq!(
            check(MODULE, &p, &guard(vec![pool()], vec![])),
            Verdict::default()
        );
    }

    #[test]
    fn resources_that_hold_no_data_pass_and_a_removed_entry_is_caught_by_its_type() {
        let p = plan(vec![
            rc(
                "aws_iam_role.reader",
                &["delete", "create"],
                json!([["name"]]),
            ),
            rc("aws_s3_bucket.gone", &["delete"], Value::Null),
        ]);
        let v = check(MODULE, &p, &guard(vec![pool()], vec![]));
        assert_eq!(v.blocked.len(), 1, "{v:?}");
        let f = &v.blocked[0];
        assert_eq!(
            (f.address.as_str(), &f.entry),
            ("aws_s3_bucket.gone", &None)
        );
        assert!(f.short().contains("no longer in the catalogue"));
        assert!(!v.explain(MODULE).contains("allow_replace: {reason"));
    }

    #[test]
    fn instances_of_counted_and_for_each_resources_and_modules_are_covered() {
        let listed = vec![
            held("aws_s3_bucket.raw", "bucket bank-raw", 12, None),
            held("module.vault", "secret bank-vault", 40, None),
            held("aws_iam_role.listed", "role x", 44, None),
        ];
        let p = plan(vec![
            rc(
                "aws_s3_bucket.raw[0]",
                &["delete", "create"],
                json!([["bucket"]]),
            ),
            rc("aws_s3_bucket.raw[\"eu\"]", &["delete"], Value::Null),
            rc(
                "module.vault[\"a\"].aws_secretsmanager_secret.this",
                &["delete", "create"],
                json!([["name"]]),
            ),
            // a neighbour whose name starts the same is not an instance
            rc("aws_iam_role.listed_too", &["delete"], Value::Null),
        ]);
        let v = check(MODULE, &p, &guard(listed, vec![]));
        let got: Vec<(&str, Option<&str>)> = v
            .blocked
            .iter()
            .map(|f| (f.address.as_str(), f.entry.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("aws_s3_bucket.raw[0]", Some("bucket bank-raw")),
                ("aws_s3_bucket.raw[\"eu\"]", Some("bucket bank-raw")),
                (
                    "module.vault[\"a\"].aws_secretsmanager_secret.this",
                    Some("secret bank-vault")
                ),
            ]
        );
        assert!(covers("aws_x.y", "aws_x.y"));
        assert!(covers("aws_x.y", "aws_x.y[3]"));
        assert!(covers("module.m", "module.m.aws_x.y"));
        assert!(!covers("aws_x.y", "aws_x.yz"));
        assert!(!covers("aws_x.y[0]", "aws_x.y[1]"));
    }

    #[test]
    fn the_catalogue_allows_with_its_reason_and_place() {
        let listed = vec![held(
            "aws_cognito_user_pool.customers",
            "user pool bank-customers",
            31,
            Some(("new schema, users re-imported", 33)),
        )];
        let p = plan(vec![rc(
            "aws_cognito_user_pool.customers",
            &["delete", "create"],
            json!([["schema"]]),
        )]);
        let v = check(MODULE, &p, &guard(listed, vec![]));
        assert!(v.blocked.is_empty());
        assert_eq!(
            v.allowed[0].allowed,
            Some(Allowed {
                reason: "new schema, users re-imported".into(),
                by: "catalogue catalog/modules/MOD-104.yaml:33".into(),
                flag: None,
                user: None,
            })
        );
    }

    #[test]
    fn the_command_line_allows_in_its_module_only_and_an_unused_allowance_is_listed() {
        let is_module = |m: &str| m == "MOD-104" || m == "MOD-105";
        let parse = |t: &str| Allowance::parse(t, "re-import", is_module).unwrap();
        let p = plan(vec![
            rc(
                "aws_cognito_user_pool.customers",
                &["delete", "create"],
                json!([["schema"]]),
            ),
            rc("aws_s3_bucket.raw[0]", &["delete"], Value::Null),
        ]);
        let listed = vec![
            pool(),
            held("aws_s3_bucket.raw", "bucket bank-raw", 12, None),
        ];
        let allow = vec![
            parse("MOD-104/aws_cognito_user_pool.customers"),
            parse("aws_s3_bucket.raw"),
            parse("MOD-105/aws_s3_bucket.raw"),
            parse("aws_kms_key.nothing"),
        ];
        let v = check(MODULE, &p, &guard(listed.clone(), allow.clone()));
        assert!(v.blocked.is_empty(), "{v:?}");
        let by: Vec<(&str, Option<&str>, Option<&str>)> = v
            .allowed
            .iter()
            .map(|f| {
                let a = f.allowed.as_ref().unwrap();
                (a.by.as_str(), a.flag.as_deref(), a.user.as_deref())
            })
            .collect();
        assert_eq!(
            by,
            vec![
                (
                    "command line",
                    Some("MOD-104/aws_cognito_user_pool.customers"),
                    Some("alice")
                ),
                ("command line", Some("aws_s3_bucket.raw"), Some("alice")),
            ]
        );
        // another module's allowance lets nothing through here
        let only_other = vec![parse("MOD-105/aws_cognito_user_pool.customers")];
        let v = check(MODULE, &p, &guard(listed, only_other));
        assert_eq!(v.blocked.len(), 2);

        let mut report = crate::deploy::report::ModuleReport::new(
            MODULE,
            &crate::deploy::sched::State::Succeeded,
            None,
            "x.log".into(),
            None,
        );
        report.allowed = check(MODULE, &p, &guard(vec![pool()], allow.clone())).allowed;
        assert_eq!(
            unused(&allow, &[report]),
            vec!["MOD-105/aws_s3_bucket.raw", "aws_kms_key.nothing"]
        );
    }

    #[test]
    fn allowances_are_parsed_strictly() {
        let is_module = |m: &str| m == "MOD-104";
        let a = Allowance::parse(" MOD-104/aws_s3_bucket.x ", "why", is_module).unwrap();
        assert_eq!(
            (a.module.as_deref(), a.address.as_str()),
            (Some("MOD-104"), "aws_s3_bucket.x")
        );
        // a `/` inside an instance key is not a module id
        let a = Allowance::parse("aws_s3_bucket.x[\"a/b\"]", "why", is_module).unwrap();
        assert_eq!(
            (a.module, a.address.as_str()),
            (None, "aws_s3_bucket.x[\"a/b\"]")
        );
        let err = |t: &str, r: &str| Allowance::parse(t, r, is_module).unwrap_err();
        assert!(err("MOD-999/aws_s3_bucket.x", "why").contains("`MOD-999` is not a module"));
        assert!(err("bucket", "why").contains("not a Terraform address"));
        assert!(err("aws_s3_bucket.x", "  ").contains("--reason"));
    }

    /// The `schema` of `aws_cognito_user_pool` in `show -json`, as hashicorp/aws writes it.
    fn schema(items: &[(&str, &str)]) -> Value {
        Value::Array(
            items
                .iter()
                .map(|(name, max)| {
                    json!({"attribute_data_type": "String", "developer_only_attribute": false,
                           "mutable": true, "name": name, "number_attribute_constraints": [],
                           "required": false,
                           "string_attribute_constraints": [{"max_length": max, "min_length": "1"}]})
                })
                .collect(),
        )
    }

    fn pool_update(before: &[(&str, &str)], after: &[(&str, &str)]) -> Value {
        let mut c = rc("aws_cognito_user_pool.customers", &["update"], Value::Null);
        c["change"]["before"]["schema"] = schema(before);
        c["change"]["after"]["schema"] = schema(after);
        plan(vec![c])
    }

    #[test]
    fn a_custom_attribute_change_aws_refuses_in_place_is_blocked_and_when_allowed_replanned() {
        let was = [("jurisdiction", "2"), ("party_id", "64")];
        // changed max length, and a removed attribute: the provider plans an update that fails
        let p = pool_update(&was, &[("jurisdiction", "3")]);
        let v = check(MODULE, &p, &guard(vec![pool()], vec![]));
        assert_eq!(v.blocked.len(), 1, "{v:?}");
        let f = &v.blocked[0];
        assert_eq!(f.action, Loss::Replace);
        assert_eq!(f.action_reason.as_deref(), Some(REFUSED_IN_PLACE));
        assert_eq!(
            f.replace_paths,
            vec![
                "schema[\"jurisdiction\"].string_attribute_constraints[0].max_length",
                "schema[\"party_id\"] (removed)"
            ]
        );
        let text = v.explain(MODULE);
        assert!(
            text.contains("AWS cannot make this change in place"),
            "{text}"
        );
        assert!(text.contains("add a new one"), "{text}");
        assert!(!text.contains("renamed_from"), "{text}");
        // an added attribute is made in place
        let p_add = pool_update(
            &was,
            &[("jurisdiction", "2"), ("party_id", "64"), ("tier", "8")],
        );
        assert_eq!(
            check(MODULE, &p_add, &guard(vec![pool()], vec![])),
            Verdict::default()
        );
        // allowed: planned again as a replacement
        let allow = vec![
            Allowance::parse("aws_cognito_user_pool.customers", "re-import", |_| true).unwrap(),
        ];
        let v = check(MODULE, &p, &guard(vec![pool()], allow));
        assert!(v.blocked.is_empty() && v.allowed.is_empty());
        assert_eq!(v.replan[0].address, "aws_cognito_user_pool.customers");
    }

    #[test]
    fn replace_paths_read_as_attributes() {
        let p = |v: Value| path_text(v.as_array().unwrap());
        assert_eq!(p(json!(["name"])), "name");
        assert_eq!(p(json!(["tags", "x"])), "tags[\"x\"]");
        assert_eq!(p(json!(["schema", 0, "name"])), "schema[0].name");
        assert_eq!(p(json!(["a", 0, "b", "k"])), "a[0].b[\"k\"]");
    }
}
