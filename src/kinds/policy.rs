//! IAM policy documents as template values: statements built in code, or written in the
//! catalogue with `{env}`, `{account}` and `{region}` placeholders.

use super::Scope;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// A catalogue-written IAM statement (functions' own roles, managed policies).
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub sid: String,
    pub effect: super::Sp<String>,
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub not_actions: Vec<String>,
    #[serde(default)]
    pub resources: Vec<String>,
    #[serde(default)]
    pub not_resources: Vec<String>,
    /// `{test: {variable: [values]}}`, as IAM writes conditions.
    #[serde(default)]
    pub condition: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// An IAM policy document.
/// Every function traces with X-Ray (`tracing_config { mode = "Active" }`): AWS refuses such a
/// function unless its role may write traces. The actions take no resource, hence `*`.
pub fn write_traces() -> Value {
    Stmt::allow("WriteTraces")
        .action(&["xray:PutTraceSegments", "xray:PutTelemetryRecords"])
        .resource(vec![serde_json::json!("*")])
        .build()
}

pub fn policy(statements: Vec<Value>) -> Value {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// One IAM statement; empty parts are left out.
pub struct Stmt {
    map: Map<String, Value>,
}

impl Stmt {
    pub fn allow(sid: &str) -> Stmt {
        Stmt::new(sid, "Allow")
    }

    pub fn deny(sid: &str) -> Stmt {
        Stmt::new(sid, "Deny")
    }

    pub fn new(sid: &str, effect: &str) -> Stmt {
        let mut map = Map::new();
        map.insert("Sid".into(), json!(sid));
        map.insert("Effect".into(), json!(effect));
        Stmt { map }
    }

    pub fn principal(mut self, kind: &str, who: Value) -> Stmt {
        self.map.insert("Principal".into(), json!({ kind: who }));
        self
    }

    pub fn any_principal(mut self) -> Stmt {
        self.map.insert("Principal".into(), json!("*"));
        self
    }

    pub fn action(mut self, actions: &[&str]) -> Stmt {
        self.map.insert(
            "Action".into(),
            one_or_list(actions.iter().map(|a| json!(a)).collect()),
        );
        self
    }

    pub fn actions(mut self, actions: Vec<Value>) -> Stmt {
        self.map.insert("Action".into(), one_or_list(actions));
        self
    }

    pub fn not_actions(mut self, actions: Vec<Value>) -> Stmt {
        self.map.insert("NotAction".into(), one_or_list(actions));
        self
    }

    pub fn resource(mut self, resources: Vec<Value>) -> Stmt {
        self.map.insert("Resource".into(), one_or_list(resources));
        self
    }

    pub fn not_resource(mut self, resources: Vec<Value>) -> Stmt {
        self.map
            .insert("NotResource".into(), one_or_list(resources));
        self
    }

    pub fn condition(mut self, test: &str, variable: &str, values: Value) -> Stmt {
        let cond = self.map.entry("Condition").or_insert_with(|| json!({}));
        if let Value::Object(c) = cond {
            let t = c.entry(test.to_string()).or_insert_with(|| json!({}));
            if let Value::Object(t) = t {
                t.insert(variable.to_string(), values);
            }
        }
        self
    }

    pub fn build(self) -> Value {
        Value::Object(self.map)
    }
}

fn one_or_list(mut items: Vec<Value>) -> Value {
    if items.len() == 1 {
        items.remove(0)
    } else {
        Value::Array(items)
    }
}

/// Catalogue-written IAM statements, with `{env}`, `{account}`, `{region}` filled in; a resource
/// that is exactly `{key:CLASS}` is the ARN of the classification's key (its ID is AWS's to
/// pick, so no literal ARN names it).
pub fn catalogue_statements(m: &mut Scope, statements: &[Statement]) -> Vec<Value> {
    let sub = |m: &mut Scope, v: &[String]| -> Vec<Value> {
        v.iter()
            .map(|s| match key_placeholder(s) {
                Some(class) => m.key_arn(class),
                None => json!(m.subst(s)),
            })
            .collect()
    };
    statements
        .iter()
        .map(|s| {
            let mut st = Stmt::new(&s.sid, &s.effect.value);
            if !s.actions.is_empty() {
                st = st.actions(sub(m, &s.actions));
            }
            if !s.not_actions.is_empty() {
                st = st.not_actions(sub(m, &s.not_actions));
            }
            if !s.resources.is_empty() {
                st = st.resource(sub(m, &s.resources));
            }
            if !s.not_resources.is_empty() {
                st = st.not_resource(sub(m, &s.not_resources));
            }
            for (test, vars) in &s.condition {
                for (var, values) in vars {
                    st = st.condition(test, var, Value::Array(sub(m, values)));
                }
            }
            st.build()
        })
        .collect()
}

/// `{key:operational}` → `operational`.
pub fn key_placeholder(s: &str) -> Option<&str> {
    s.strip_prefix("{key:")?.strip_suffix('}')
}

/// The trust policy of a role assumed by an AWS service.
pub fn trust(service: &str) -> Value {
    policy(vec![
        Stmt::allow("AssumeRole")
            .principal("Service", json!(service))
            .action(&["sts:AssumeRole"])
            .build(),
    ])
}
