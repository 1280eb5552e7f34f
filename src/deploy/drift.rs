//! Drift: what changed outside Terraform, from `show -json` of a `plan -refresh-only`. Each
//! entry of the plan's `resource_drift` is a resource whose state (`change.before`) differs from
//! what is there now (`change.after`); the attributes that differ are found by comparing the
//! two JSON values leaf by leaf (`after_unknown` is ignored: a refresh knows every value).

use serde::Serialize;
use serde_json::Value;

/// A resource changed (or deleted) outside Terraform.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drifted {
    pub address: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    /// `update`, or `delete` when it is gone.
    pub action: String,
    /// The attributes that differ, by path (`tags.owner`, `ingress[0].cidr_blocks[1]`).
    pub attributes: Vec<Attribute>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribute {
    pub path: String,
    /// In the state (what Terraform last wrote); `null` when sensitive.
    pub before: Value,
    /// What is there now; `null` when sensitive.
    pub after: Value,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

/// The drifted resources of `show -json` of a refresh-only plan.
pub fn from_plan_json(text: &str) -> Result<Vec<Drifted>, String> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("`show -json` is not JSON: {e}"))?;
    Ok(from_plan(&v))
}

/// Attributes a companion resource manages when the module has one (parent type, attribute,
/// companion type). The provider mirrors them on the parent: a change outside Terraform shows
/// on the companion too, and after an apply that changed the parent its copy in the state can
/// be stale (the companion wrote the value after the parent's own update was recorded). They
/// are reported on the companion only.
const MIRRORED: &[(&str, &str, &str)] = &[
    ("aws_sqs_queue", "policy", "aws_sqs_queue_policy"),
    (
        "aws_sqs_queue",
        "redrive_policy",
        "aws_sqs_queue_redrive_policy",
    ),
    (
        "aws_sqs_queue",
        "redrive_allow_policy",
        "aws_sqs_queue_redrive_allow_policy",
    ),
    ("aws_sns_topic", "policy", "aws_sns_topic_policy"),
    ("aws_iam_role", "inline_policy", "aws_iam_role_policy"),
    (
        "aws_iam_role",
        "managed_policy_arns",
        "aws_iam_role_policy_attachment",
    ),
    ("aws_s3_bucket", "policy", "aws_s3_bucket_policy"),
    ("aws_s3_bucket", "versioning", "aws_s3_bucket_versioning"),
    (
        "aws_s3_bucket",
        "server_side_encryption_configuration",
        "aws_s3_bucket_server_side_encryption_configuration",
    ),
    (
        "aws_s3_bucket",
        "lifecycle_rule",
        "aws_s3_bucket_lifecycle_configuration",
    ),
    ("aws_s3_bucket", "logging", "aws_s3_bucket_logging"),
    (
        "aws_s3_bucket",
        "replication_configuration",
        "aws_s3_bucket_replication_configuration",
    ),
    (
        "aws_s3_bucket",
        "object_lock_configuration",
        "aws_s3_bucket_object_lock_configuration",
    ),
    ("aws_security_group", "ingress", "aws_security_group_rule"),
    ("aws_security_group", "egress", "aws_security_group_rule"),
];

/// The resource types in the plan's prior state (the module's resources).
fn types_in_state(v: &Value) -> Vec<String> {
    fn walk(m: &Value, out: &mut Vec<String>) {
        for r in m["resources"].as_array().into_iter().flatten() {
            if let Some(t) = r["type"].as_str() {
                out.push(t.to_string());
            }
        }
        for c in m["child_modules"].as_array().into_iter().flatten() {
            walk(c, out);
        }
    }
    let mut out = Vec::new();
    walk(&v["prior_state"]["values"]["root_module"], &mut out);
    out.sort();
    out.dedup();
    out
}

/// Whether `path` (of a `rtype` resource) is an attribute a companion in the module manages.
fn mirrored(rtype: &str, path: &str, companions: &[String]) -> bool {
    MIRRORED.iter().any(|(parent, attr, companion)| {
        *parent == rtype
            && path
                .strip_prefix(attr)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
            && companions.iter().any(|c| c == companion)
    })
}

pub fn from_plan(v: &Value) -> Vec<Drifted> {
    let companions = types_in_state(v);
    let mut out = Vec::new();
    for rd in v["resource_drift"].as_array().into_iter().flatten() {
        if rd["mode"].as_str().is_some_and(|m| m != "managed") {
            continue;
        }
        let change = &rd["change"];
        let actions: Vec<&str> = change["actions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if actions.is_empty() || actions == ["no-op"] {
            continue;
        }
        let action = if actions.contains(&"delete") && !actions.contains(&"create") {
            "delete"
        } else {
            "update"
        };
        let mut attributes = Vec::new();
        if action == "update" {
            let mut paths = Vec::new();
            diff(
                &change["before"],
                &change["after"],
                &mut String::new(),
                &mut paths,
            );
            for (path, steps, before, after) in paths {
                if mirrored(rd["type"].as_str().unwrap_or(""), &path, &companions) {
                    continue;
                }
                let sensitive = marked(&change["before_sensitive"], &steps)
                    || marked(&change["after_sensitive"], &steps);
                attributes.push(Attribute {
                    path,
                    before: if sensitive { Value::Null } else { before },
                    after: if sensitive { Value::Null } else { after },
                    sensitive,
                });
            }
        }
        // `tags_all` is the provider's copy of `tags` with the default tags merged in: a tag
        // changed outside Terraform differs in both. Only a default tag's change is its own.
        let in_tags: Vec<(String, Value, Value)> = attributes
            .iter()
            .filter(|a| a.path.starts_with("tags."))
            .map(|a| {
                (
                    a.path["tags".len()..].to_string(),
                    a.before.clone(),
                    a.after.clone(),
                )
            })
            .collect();
        attributes.retain(|a| {
            !a.path.strip_prefix("tags_all").is_some_and(|rest| {
                in_tags
                    .iter()
                    .any(|(k, b, af)| k == rest && *b == a.before && *af == a.after)
            })
        });
        // Terraform also lists values that only went from null to empty (`[]`, `{}`), which the
        // diff counts as equal: not drift.
        if action == "update" && attributes.is_empty() {
            continue;
        }
        out.push(Drifted {
            address: rd["address"].as_str().unwrap_or("?").to_string(),
            resource_type: rd["type"].as_str().unwrap_or("").to_string(),
            action: action.to_string(),
            attributes,
        });
    }
    out
}

/// The leaf paths where `a` and `b` differ (`tags.owner`, `rules[0].port`).
pub fn changed_paths(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(a, b, &mut String::new(), &mut out);
    out.into_iter().map(|(p, ..)| p).collect()
}

/// One step of a path into a JSON value.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

type Leaf = (String, Vec<Step>, Value, Value);

/// Every leaf path where `a` and `b` differ, with both values. A missing key is `null`; `null`
/// against an object or a list compares as an empty one, so a tag added to an untagged
/// resource is `tags.owner`, not `tags`.
fn diff(a: &Value, b: &Value, path: &mut String, out: &mut Vec<Leaf>) {
    let mut steps = Vec::new();
    walk(a, b, path, &mut steps, out);
}

fn walk(a: &Value, b: &Value, path: &mut String, steps: &mut Vec<Step>, out: &mut Vec<Leaf>) {
    use serde_json::Map;
    let empty_map = Map::new();
    match (a, b) {
        (Value::Object(_) | Value::Null, Value::Object(_) | Value::Null)
            if a.is_object() || b.is_object() =>
        {
            let ma = a.as_object().unwrap_or(&empty_map);
            let mb = b.as_object().unwrap_or(&empty_map);
            let keys = ma.keys().chain(mb.keys().filter(|k| !ma.contains_key(*k)));
            for k in keys {
                let va = ma.get(k).unwrap_or(&Value::Null);
                let vb = mb.get(k).unwrap_or(&Value::Null);
                if va == vb {
                    continue;
                }
                let len = path.len();
                push_key(path, k);
                steps.push(Step::Key(k.clone()));
                walk(va, vb, path, steps, out);
                steps.pop();
                path.truncate(len);
            }
        }
        (Value::Array(_) | Value::Null, Value::Array(_) | Value::Null)
            if a.is_array() || b.is_array() =>
        {
            let none = Vec::new();
            let la = a.as_array().unwrap_or(&none);
            let lb = b.as_array().unwrap_or(&none);
            for i in 0..la.len().max(lb.len()) {
                let va = la.get(i).unwrap_or(&Value::Null);
                let vb = lb.get(i).unwrap_or(&Value::Null);
                if va == vb {
                    continue;
                }
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                steps.push(Step::Index(i));
                walk(va, vb, path, steps, out);
                steps.pop();
                path.truncate(len);
            }
        }
        _ if a != b => out.push((path.clone(), steps.clone(), a.clone(), b.clone())),
        _ => {}
    }
}

/// `tags` + `owner` → `tags.owner`; a key that is not an identifier is quoted
/// (`tags["cost centre"]`).
fn push_key(path: &mut String, k: &str) {
    let ident = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !k.starts_with(|c: char| c.is_ascii_digit());
    if ident {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(k);
    } else {
        path.push_str(&format!(
            "[{}]",
            serde_json::to_string(k).unwrap_or_default()
        ));
    }
}

/// Whether Terraform's sensitivity marks (`before_sensitive`: `true` for a sensitive value, an
/// object or list of marks inside) cover the value at `steps`.
fn marked(marks: &Value, steps: &[Step]) -> bool {
    let mut m = marks;
    if m == &Value::Bool(true) {
        return true;
    }
    for s in steps {
        m = match s {
            Step::Key(k) => &m[k.as_str()],
            Step::Index(i) => &m[*i],
        };
        if m == &Value::Bool(true) {
            return true;
        }
    }
    false
}

/// A value for a table cell: JSON, cut to `max` characters.
pub fn cell(v: &Value, max: usize) -> String {
    let s = match v {
        Value::Null => "(none)".to_string(),
        other => other.to_string(),
    };
    if s.chars().count() <= max {
        s
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The shape of Terraform's `show -json` of a refresh-only plan after a tag of a bucket and
    /// the retention of a queue were changed in the console, and a log group was deleted.
    const REFRESH_ONLY_PLAN: &str = r#"{
      "format_version": "1.2",
      "terraform_version": "1.9.8",
      "planned_values": {"root_module": {}},
      "resource_drift": [
        {
          "address": "aws_s3_bucket.bank_iceberg",
          "mode": "managed",
          "type": "aws_s3_bucket",
          "name": "bank_iceberg",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "change": {
            "actions": ["update"],
            "before": {
              "arn": "arn:aws:s3:::bank-iceberg-local",
              "bucket": "bank-iceberg-local",
              "force_destroy": false,
              "tags": {"classification": "pii", "module_id": "MOD-104"},
              "tags_all": {"classification": "pii", "environment": "local", "module_id": "MOD-104"},
              "versioning": [{"enabled": true, "mfa_delete": false}]
            },
            "after": {
              "arn": "arn:aws:s3:::bank-iceberg-local",
              "bucket": "bank-iceberg-local",
              "force_destroy": false,
              "tags": {"classification": "pii", "module_id": "MOD-104", "owner": "someone"},
              "tags_all": {"classification": "pii", "environment": "local", "module_id": "MOD-104", "owner": "someone"},
              "versioning": [{"enabled": true, "mfa_delete": false}]
            },
            "after_unknown": {},
            "before_sensitive": {"tags": {}, "tags_all": {}, "versioning": [{}]},
            "after_sensitive": {"tags": {}, "tags_all": {}, "versioning": [{}]}
          }
        },
        {
          "address": "aws_sqs_queue.payments_dlq",
          "mode": "managed",
          "type": "aws_sqs_queue",
          "name": "payments_dlq",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "change": {
            "actions": ["update"],
            "before": {"name": "bank-payments-dlq-local", "message_retention_seconds": 1209600, "policy": "", "tags": null},
            "after": {"name": "bank-payments-dlq-local", "message_retention_seconds": 86400, "policy": "{\"Statement\":[]}", "tags": null},
            "after_unknown": {"id": true},
            "before_sensitive": {},
            "after_sensitive": {}
          }
        },
        {
          "address": "aws_cloudwatch_log_group.audit",
          "mode": "managed",
          "type": "aws_cloudwatch_log_group",
          "name": "audit",
          "change": {
            "actions": ["delete"],
            "before": {"name": "/bank/audit", "retention_in_days": 365},
            "after": null,
            "after_unknown": {},
            "before_sensitive": {},
            "after_sensitive": false
          }
        },
        {
          "address": "aws_cognito_user_pool_client.web",
          "mode": "managed",
          "type": "aws_cognito_user_pool_client",
          "name": "web",
          "change": {
            "actions": ["update"],
            "before": {"name": "web-app", "logout_urls": null, "write_attributes": null},
            "after": {"name": "web-app", "logout_urls": [], "write_attributes": []},
            "after_unknown": {},
            "before_sensitive": {"client_secret": true},
            "after_sensitive": {"client_secret": true, "logout_urls": [], "write_attributes": []}
          }
        },
        {
          "address": "data.aws_caller_identity.current",
          "mode": "data",
          "type": "aws_caller_identity",
          "name": "current",
          "change": {"actions": ["update"], "before": {"id": "1"}, "after": {"id": "2"}}
        }
      ],
      "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": [
        {"address": "aws_sqs_queue_policy.payments_dlq", "mode": "managed", "type": "aws_sqs_queue_policy"}
      ]}}},
      "resource_changes": []
    }"#;

    #[test]
    fn reads_the_drifted_resources_and_attributes_of_a_refresh_only_plan() {
        let d = from_plan_json(REFRESH_ONLY_PLAN).unwrap();
        let summary: Vec<(&str, &str, Vec<&str>)> = d
            .iter()
            .map(|r| {
                (
                    r.address.as_str(),
                    r.action.as_str(),
                    r.attributes.iter().map(|a| a.path.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("aws_s3_bucket.bank_iceberg", "update", vec!["tags.owner"]),
                (
                    "aws_sqs_queue.payments_dlq",
                    "update",
                    vec!["message_retention_seconds"]
                ),
                ("aws_cloudwatch_log_group.audit", "delete", vec![]),
            ]
        );
        let q = &d[1].attributes[0];
        assert_eq!(
            (q.before.clone(), q.after.clone()),
            (json!(1209600), json!(86400))
        );
        let tag = &d[0].attributes[0];
        assert_eq!(
            (tag.before.clone(), tag.after.clone()),
            (Value::Null, json!("someone"))
        );
        assert_eq!(d[0].resource_type, "aws_s3_bucket");
        assert!(from_plan_json("{}").unwrap().is_empty());
        assert!(from_plan_json("not json").is_err());
    }

    fn paths(a: Value, b: Value) -> Vec<String> {
        let mut out = Vec::new();
        diff(&a, &b, &mut String::new(), &mut out);
        out.into_iter().map(|(p, ..)| p).collect()
    }

    #[test]
    fn the_diff_walks_objects_lists_and_odd_keys() {
        assert!(paths(json!({"a": 1}), json!({"a": 1})).is_empty());
        assert_eq!(paths(json!({"a": 1}), json!({"a": 2})), ["a"]);
        assert_eq!(paths(json!({"a": 1}), json!({})), ["a"]);
        assert_eq!(
            paths(
                json!({"ingress": [{"cidr_blocks": ["10.0.0.0/8"], "port": 443}]}),
                json!({"ingress": [{"cidr_blocks": ["10.0.0.0/8", "0.0.0.0/0"], "port": 443}, {"port": 22}]})
            ),
            ["ingress[0].cidr_blocks[1]", "ingress[1].port"]
        );
        assert_eq!(
            paths(
                json!({"tags": null}),
                json!({"tags": {"cost centre": "x", "2x": "y"}})
            ),
            ["tags[\"cost centre\"]", "tags[\"2x\"]"]
        );
        // a value that changes shape is one leaf
        assert_eq!(paths(json!({"a": "x"}), json!({"a": {"b": 1}})), ["a"]);
        assert_eq!(paths(json!("x"), json!("y")), [""]);
    }

    #[test]
    fn an_attribute_a_companion_manages_is_reported_on_the_companion_only() {
        let plan = |companion: &str| {
            json!({"prior_state": {"values": {"root_module": {"child_modules": [{"resources": [
                    {"type": companion}]}]}}},
                "resource_drift": [{"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role",
                "change": {"actions": ["update"],
                    "before": {"inline_policy": [{"name": "p", "policy": "a"}], "max_session_duration": 3600},
                    "after": {"inline_policy": [{"name": "p", "policy": "b"}], "max_session_duration": 7200}}}]})
        };
        let paths = |v: Value| -> Vec<String> {
            from_plan(&v)[0]
                .attributes
                .iter()
                .map(|a| a.path.clone())
                .collect()
        };
        assert_eq!(paths(plan("aws_iam_role_policy")), ["max_session_duration"]);
        assert_eq!(
            paths(plan("aws_kms_key")),
            ["inline_policy[0].policy", "max_session_duration"]
        );
        assert!(!mirrored(
            "aws_sqs_queue",
            "policy_x",
            &["aws_sqs_queue_policy".into()]
        ));
    }

    #[test]
    fn a_tag_is_reported_once_not_again_in_tags_all_a_default_tag_is_its_own() {
        let plan = json!({"resource_drift": [{
            "address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket",
            "change": {"actions": ["update"],
                "before": {"tags": {"a": "1"}, "tags_all": {"a": "1", "env": "dev"}},
                "after": {"tags": {"a": "1", "owner": "x"}, "tags_all": {"a": "1", "env": "prod", "owner": "x"}}}}]});
        let d = from_plan(&plan);
        let got: Vec<&str> = d[0].attributes.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(got, ["tags.owner", "tags_all.env"]);
    }

    #[test]
    fn sensitive_values_are_not_reported() {
        let plan = json!({"resource_drift": [{
            "address": "aws_db_instance.x", "mode": "managed", "type": "aws_db_instance",
            "change": {"actions": ["update"],
                "before": {"password": "old", "port": 5432, "nested": [{"token": "a"}]},
                "after": {"password": "new", "port": 5433, "nested": [{"token": "b"}]},
                "before_sensitive": {"password": true, "nested": [{"token": true}]},
                "after_sensitive": {"password": true, "nested": [{"token": true}]}}}]});
        let d = from_plan(&plan);
        let attrs: Vec<(&str, bool, &Value)> = d[0]
            .attributes
            .iter()
            .map(|a| (a.path.as_str(), a.sensitive, &a.after))
            .collect();
        assert_eq!(
            attrs,
            vec![
                ("password", true, &Value::Null),
                ("port", false, &json!(5433)),
                ("nested[0].token", true, &Value::Null)
            ]
        );
    }

    #[test]
    fn cells_are_cut() {
        assert_eq!(cell(&json!("abc"), 10), "\"abc\"");
        assert_eq!(cell(&Value::Null, 10), "(none)");
        assert_eq!(cell(&json!("abcdefghij"), 6), "\"abcd…");
    }
}
