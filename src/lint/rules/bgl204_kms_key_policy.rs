//! BGL204: only the account root holds `kms:*` in a key policy.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL204",
    name: "kms-key-policy-admin",
    title: "Key policies give kms:* only to the account root",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV_AWS_33"],
    covers: &["aws_kms_key", "aws_kms_key_policy"],
    doc: r#"## What it checks
In the policy of every `aws_kms_key` (and `aws_kms_key_policy`), an Allow statement whose
actions include `kms:*` (or `*`) names only the account root as principal
(`arn:<partition>:iam::<account>:root`, or the bare account id). Every other principal gets
the specific actions it needs.

## Why
`kms:*` includes `kms:PutKeyPolicy` and `kms:ScheduleKeyDeletion`: a role holding it can lock
the bank out of its own key or destroy the data it protects. Seed 000 grants roles usage rights
only.

## Example
```hcl
Statement = [{
  Effect    = "Allow"
  Principal = { AWS = aws_iam_role.app.arn }
  Action    = "kms:*"
  Resource  = "*"
}]
```

## Fix
Give the root `kms:*` and the role only `kms:Decrypt` / `kms:GenerateDataKey*` /
`kms:DescribeKey` as it needs.
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    let root = &cx.p.kms.root_principal.0;
    let keys = cx.m.of_type("aws_kms_key").map(|k| (k, "policy"));
    let kps = cx.m.of_type("aws_kms_key_policy").map(|k| (k, "policy"));
    for (k, attr) in keys.chain(kps) {
        let Some(doc) = k
            .get(attr)
            .and_then(|v| crate::lint::iam::document(cx.m, v, k.file))
        else {
            continue;
        };
        for s in &doc.statements {
            if !s.allow
                || !s
                    .actions
                    .iter()
                    .any(|a| a == "*" || a.eq_ignore_ascii_case("kms:*"))
            {
                continue;
            }
            let others: Vec<String> = s
                .principals
                .iter()
                .filter_map(|p| {
                    let id = cx.m.resolve(&p.id);
                    // No principal at all (a list that evaluates empty): nobody is given anything.
                    if id.as_list().is_some_and(<[_]>::is_empty) {
                        return None;
                    }
                    let text = id.canonical();
                    let is_root = p.kind == "AWS"
                        && (root.is_match(&text)
                            || (text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())));
                    let shown = text
                        .strip_prefix("${")
                        .and_then(|t| t.strip_suffix('}'))
                        .unwrap_or(&text);
                    (!is_root).then(|| format!("{} {shown}", p.kind))
                })
                .collect();
            if !others.is_empty() {
                out.on_statement(
                    cx.m,
                    k,
                    s,
                    format!("the key policy of {} gives kms:* to {}", k.addr, others.join(", ")),
                    "give kms:* only to the account root; grant other principals the specific kms actions they use",
                );
            }
        }
    }
}
