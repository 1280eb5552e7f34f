//! IAM policy documents as statements the rules can read, whether written as
//! `jsonencode({ Version = ..., Statement = [...] })`, as a JSON string or heredoc, or as a
//! `data "aws_iam_policy_document"`.

use super::index::{Mode, TfModule};
use super::value::{Body, Kind, Span, Val, from_json};

#[derive(Debug, Clone)]
pub struct Principal {
    /// `AWS`, `Service`, `Federated`, or `*` for `Principal = "*"`.
    pub kind: String,
    pub id: Val,
}

#[derive(Debug, Clone)]
pub struct Condition {
    pub test: String,
    pub variable: String,
    pub values: Vec<Val>,
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub sid: Option<String>,
    pub allow: bool,
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub resources: Vec<Val>,
    pub not_resources: Vec<Val>,
    pub principals: Vec<Principal>,
    pub not_principals: Vec<Principal>,
    pub conditions: Vec<Condition>,
    /// Where the statement is written, and in which file of the module.
    pub span: Span,
    pub file: usize,
}

impl Statement {
    /// The statement grants (or denies) this action, by its `Action` list with IAM wildcards.
    pub fn covers_action(&self, action: &str) -> bool {
        if !self.not_actions.is_empty() {
            return !self.not_actions.iter().any(|a| action_matches(a, action));
        }
        self.actions.iter().any(|a| action_matches(a, action))
    }

    pub fn has_condition(&self, test: &str, variable: &str, value: &str) -> bool {
        self.conditions.iter().any(|c| {
            c.test.eq_ignore_ascii_case(test)
                && c.variable.eq_ignore_ascii_case(variable)
                && c.values.iter().any(|v| {
                    v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(value))
                        || v.as_bool().map(|b| b.to_string()).as_deref() == Some(value)
                })
        })
    }

    /// `Principal = "*"` or `{ AWS = "*" }`.
    pub fn any_principal(&self) -> bool {
        self.principals
            .iter()
            .any(|p| (p.kind == "*" || p.kind == "AWS") && p.id.as_str() == Some("*"))
    }
}

/// `pattern` (an IAM action with `*`/`?` wildcards) matches `action`, case-insensitively.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    wildcard(
        pattern.to_ascii_lowercase().as_bytes(),
        action.to_ascii_lowercase().as_bytes(),
    )
}

fn wildcard(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[derive(Debug, Clone)]
pub struct PolicyDoc {
    pub statements: Vec<Statement>,
}

/// The policy document an argument holds, when it can be read statically.
pub fn document(m: &TfModule, v: &Val, file: usize) -> Option<PolicyDoc> {
    let v = m.resolve(v);
    match &v.kind {
        Kind::Call(name, args) if name == "jsonencode" && args.len() == 1 => {
            from_object(m.resolve(&args[0]), file)
        }
        Kind::Obj(_) => from_object(v, file),
        Kind::Str(s) => {
            let json: serde_json::Value = serde_json::from_str(s).ok()?;
            from_object(&from_json(&json, v.span), file)
        }
        Kind::Ref(_) => {
            let t = v.ref_target()?;
            let r = m.resource(&t.addr)?;
            if r.mode == Mode::Data && r.rtype == "aws_iam_policy_document" {
                Some(from_data(r.body(), r.file))
            } else {
                None
            }
        }
        _ => None,
    }
}

fn strings(v: Option<&Val>) -> Vec<String> {
    v.map(|v| {
        v.items()
            .into_iter()
            .map(|x| {
                x.as_str()
                    .map(String::from)
                    .unwrap_or_else(|| x.canonical())
            })
            .collect()
    })
    .unwrap_or_default()
}

fn vals(v: Option<&Val>) -> Vec<Val> {
    v.map(|v| v.items().into_iter().cloned().collect())
        .unwrap_or_default()
}

fn principals(v: Option<&Val>) -> Vec<Principal> {
    let Some(v) = v else { return Vec::new() };
    match &v.kind {
        Kind::Obj(o) => o
            .iter()
            .flat_map(|(k, ids)| {
                ids.items().into_iter().map(move |id| Principal {
                    kind: k.clone(),
                    id: id.clone(),
                })
            })
            .collect(),
        _ => vec![Principal {
            kind: "*".into(),
            id: v.clone(),
        }],
    }
}

fn from_object(doc: &Val, file: usize) -> Option<PolicyDoc> {
    let st = doc.get("Statement")?;
    let statements = st
        .items()
        .into_iter()
        .map(|s| {
            let conditions = s
                .get("Condition")
                .and_then(Val::as_obj)
                .map(|tests| {
                    tests
                        .iter()
                        .flat_map(|(test, vars)| {
                            vars.as_obj()
                                .unwrap_or(&[])
                                .iter()
                                .map(move |(var, values)| Condition {
                                    test: test.clone(),
                                    variable: var.clone(),
                                    values: values.items().into_iter().cloned().collect(),
                                })
                        })
                        .collect()
                })
                .unwrap_or_default();
            Statement {
                sid: s.get("Sid").and_then(Val::as_str).map(String::from),
                allow: s.get("Effect").and_then(Val::as_str) != Some("Deny"),
                actions: strings(s.get("Action")),
                not_actions: strings(s.get("NotAction")),
                resources: vals(s.get("Resource")),
                not_resources: vals(s.get("NotResource")),
                principals: principals(s.get("Principal")),
                not_principals: principals(s.get("NotPrincipal")),
                conditions,
                span: s.span,
                file,
            }
        })
        .collect();
    Some(PolicyDoc { statements })
}

fn from_data(body: &Body, file: usize) -> PolicyDoc {
    let statements = body
        .blocks("statement")
        .map(|b| {
            let s = &b.body;
            let prin = |name: &str| -> Vec<Principal> {
                s.blocks(name)
                    .flat_map(|p| {
                        let kind = p
                            .body
                            .get("type")
                            .and_then(Val::as_str)
                            .unwrap_or("?")
                            .to_string();
                        vals(p.body.get("identifiers"))
                            .into_iter()
                            .map(move |id| Principal {
                                kind: if kind == "*" {
                                    "*".into()
                                } else {
                                    kind.clone()
                                },
                                id,
                            })
                    })
                    .collect()
            };
            Statement {
                sid: s.get("sid").and_then(Val::as_str).map(String::from),
                allow: s.get("effect").and_then(Val::as_str) != Some("Deny"),
                actions: strings(s.get("actions")),
                not_actions: strings(s.get("not_actions")),
                resources: vals(s.get("resources")),
                not_resources: vals(s.get("not_resources")),
                principals: prin("principals"),
                not_principals: prin("not_principals"),
                conditions: s
                    .blocks("condition")
                    .map(|c| Condition {
                        test: c
                            .body
                            .get("test")
                            .and_then(Val::as_str)
                            .unwrap_or("")
                            .into(),
                        variable: c
                            .body
                            .get("variable")
                            .and_then(Val::as_str)
                            .unwrap_or("")
                            .into(),
                        values: vals(c.body.get("values")),
                    })
                    .collect(),
                span: b.span,
                file,
            }
        })
        .collect();
    PolicyDoc { statements }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(action_matches("s3:*", "s3:GetObject"));
        assert!(action_matches("*", "kms:Decrypt"));
        assert!(action_matches(
            "kms:GenerateDataKey*",
            "kms:generatedatakeywithoutplaintext"
        ));
        assert!(!action_matches("kms:Decrypt", "kms:DecryptX"));
        assert!(action_matches("kms:?ecrypt", "kms:Decrypt"));
    }
}
