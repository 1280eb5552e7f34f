//! BGL705 (catalogue): the customer pool carries the jurisdiction attribute, and every client
//! of it reads it (ADR-042).
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL705",
    name: "jurisdiction-claim",
    title: "The customer pool carries custom:jurisdiction and every client reads it",
    severity: Severity::Error,
    policy: "ADR-042",
    checkov: &[],
    covers: &["catalogue: user pools"],
    doc: r#"## What it checks
In the catalogue, with ADR-042's `single_stack` in `policies/cognito.yaml`: the customer pool
(`audience: customers`) declares the custom attribute `single_stack.jurisdiction_attribute`
(`jurisdiction`), reported at the pool's line; and every client of that pool may read
`custom:jurisdiction` (a client's `read_attributes`, which default to every custom attribute
and `email`), reported at the client's line.

## Why
ADR-042 (seed 003): "custom:jurisdiction is a custom user attribute and flows as a JWT claim on
every request"; every Lambda that applies jurisdiction-specific logic reads it from the request
context. A client that may not read the attribute gets tokens without the claim, and the single
stack cannot tell an NZ customer from an AU one.

## Example
```yaml
user_pools:
  - name: bank-customers
    audience: customers
    custom_attributes:
      - {name: jurisdiction, max_length: 2}
    clients:
      - name: mobile-app
        read_attributes: [email]     # no custom:jurisdiction
```

## Fix
Declare `- {name: jurisdiction, max_length: 2}` on the customer pool, and leave `read_attributes`
out (every custom attribute) or list `custom:jurisdiction` in it.
"#,
    terraform: None,
    catalogue: Some(check_catalogue),
};

fn check_catalogue(cx: &CatCtx, out: &mut Out) {
    let Some(stack) = &cx.p.cognito.single_stack else {
        return;
    };
    let attr = &stack.jurisdiction_attribute;
    let claim = format!("custom:{attr}");
    for m in &cx.cat.modules {
        for p in m.resources.user_pools.iter().filter(|p| p.is_customer_pool()) {
            if !p.custom_attributes.iter().any(|a| &a.name.value == attr) {
                out.at_loc(
                    &m.loc_of(&p.name.referenced),
                    Some(format!("user pool {}", p.name.value)),
                    format!(
                        "customer pool {} has no custom attribute `{attr}`: tokens carry no {claim} claim",
                        p.name.value
                    ),
                    format!("add `- {{name: {attr}, max_length: 2}}` to its custom_attributes (ADR-042)"),
                );
                continue;
            }
            for c in &p.clients {
                if !p.read_attributes(c).contains(&claim) {
                    let at = c
                        .read_attributes
                        .as_ref()
                        .map(|r| &r.referenced)
                        .unwrap_or(&c.name.referenced);
                    out.at_loc(
                        &m.loc_of(at),
                        Some(format!("user pool client {}", c.name.value)),
                        format!(
                            "client {} of customer pool {} may not read {claim}",
                            c.name.value, p.name.value
                        ),
                        format!("add {claim} to its read_attributes, or leave read_attributes out"),
                    );
                }
            }
        }
    }
}
