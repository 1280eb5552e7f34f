//! BGL706 (catalogue): no part of the stack is split by jurisdiction (ADR-042).
use super::prelude::*;
use crate::diag::Loc;

pub static RULE: Rule = Rule {
    code: "BGL706",
    name: "jurisdiction-split",
    title: "No module, repo or resource per jurisdiction",
    severity: Severity::Error,
    policy: "ADR-042",
    checkov: &[],
    covers: &["catalogue: modules"],
    doc: r#"## What it checks
In the catalogue, with ADR-042's `single_stack` in `policies/cognito.yaml`: no module's `repo`
and no resource name (of any kind: pools, buses, buckets, functions, clients, ...) has a
segment equal to one of `single_stack.jurisdictions` (`nz`, `au`; segments are split at
anything but letters and digits, so `bank-customers-nz`, `bank_nz_payments` and `nz-rail` are
split names, `bank-anzac` is not). Reported at the YAML line of the name.

## Why
ADR-042 (seed 003) chose a single stack, "jurisdiction as runtime context", over separate
stacks per jurisdiction (`bank-nz-{env}`, `bank-au-{env}`) with their own pools, functions and
buses. A resource named for one jurisdiction is the start of that second stack; "a NZ-specific
payment rail ... lives in the same stack, gated by jurisdiction at the call site".

## Example
```yaml
user_pools:
  - name: bank-customers-nz
```

## Fix
One resource for every jurisdiction; the jurisdiction is the `custom:jurisdiction` claim or the
account's `jurisdiction` column, and the code branches on it.
"#,
    terraform: None,
    catalogue: Some(check_catalogue),
};

fn check_catalogue(cx: &CatCtx, out: &mut Out) {
    let Some(stack) = &cx.p.cognito.single_stack else {
        return;
    };
    let split = |name: &str| -> Option<String> {
        name.split(|c: char| !c.is_ascii_alphanumeric())
            .find(|seg| stack.jurisdictions.iter().any(|j| j.eq_ignore_ascii_case(seg)))
            .map(str::to_uppercase)
    };
    let mut report = |loc: Loc, what: String, name: &str, j: String| {
        out.at_loc(
            &loc,
            Some(what.clone()),
            format!("{what} `{name}` is named for jurisdiction {j}: ADR-042 runs one stack for every jurisdiction"),
            "one resource serves every jurisdiction; branch on the custom:jurisdiction claim or the account's jurisdiction",
        );
    };
    for m in &cx.cat.modules {
        if let Some(j) = split(&m.repo) {
            report(m.loc.clone(), format!("{}'s repo", m.id), &m.repo, j);
        }
        for kind in crate::kinds::KINDS {
            for (noun, name) in kind.names(&m.resources) {
                if let Some(j) = split(&name.value) {
                    report(m.loc_of(&name.referenced), noun.to_string(), &name.value, j);
                }
            }
        }
        for p in &m.resources.user_pools {
            for c in &p.clients {
                if let Some(j) = split(&c.name.value) {
                    report(
                        m.loc_of(&c.name.referenced),
                        format!("client of {}", p.name.value),
                        &c.name.value,
                        j,
                    );
                }
            }
        }
    }
}
