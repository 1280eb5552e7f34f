//! BGL704 (catalogue): one customer pool per environment (ADR-042).
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL704",
    name: "customer-pool",
    title: "One customer pool per environment",
    severity: Severity::Error,
    policy: "ADR-042",
    checkov: &[],
    covers: &["catalogue: user pools"],
    doc: r#"## What it checks
In the catalogue, exactly one user pool is the customer pool (`audience: customers`), when
`policies/cognito.yaml` carries ADR-042's `single_stack`. Every module is rendered into every
environment, so one pool in the catalogue is one pool per environment. A second customer pool,
in the same module or another, is reported at its YAML line (naming the first: the one of the
module deployed first); a
catalogue whose pools are none of them the customer pool is reported at the first pool.

## Why
ADR-042 (seed 003): "One Cognito customer pool per environment." Separate NZ and AU pools were
evaluated and rejected: two pool IDs, two client IDs and two token issuers, with no security or
compliance benefit. `audience` is what says which pool that is: a pool's `users:` text is prose.

## Example
```yaml
user_pools:
  - name: bank-customers
    audience: customers
  - name: bank-customers-business
    audience: customers      # a second customer pool
```

## Fix
Serve every customer from the one pool; what differs between customers (jurisdiction, segment)
is a custom attribute and a claim. A pool for employees is `audience: staff`.
"#,
    terraform: None,
    catalogue: Some(check_catalogue),
};

fn check_catalogue(cx: &CatCtx, out: &mut Out) {
    if cx.p.cognito.single_stack.is_none() {
        return;
    }
    // In deployment order: the first deployed customer pool is the one, any later one a second.
    let order = crate::model::graph::DeployGraph::build(cx.cat).topo_order();
    let mut modules: Vec<_> = cx.cat.modules.iter().collect();
    if let Some(order) = order {
        modules.sort_by_key(|m| order.iter().position(|id| id == &m.id));
    }
    let pools: Vec<_> = modules
        .into_iter()
        .flat_map(|m| m.resources.user_pools.iter().map(move |p| (m, p)))
        .collect();
    let customers: Vec<_> = pools.iter().filter(|(_, p)| p.is_customer_pool()).collect();
    match customers.split_first() {
        None => {
            if let Some((m, p)) = pools.first() {
                out.at_loc(
                    &m.loc_of(&p.name.referenced),
                    Some(format!("user pool {}", p.name.value)),
                    format!(
                        "no user pool is the customer pool ({} pools, none with audience: customers)",
                        pools.len()
                    ),
                    "mark the pool customers sign in to with audience: customers (ADR-042)",
                );
            }
        }
        Some(((first_m, first), rest)) => {
            for (m, p) in rest {
                out.at_loc(
                    &m.loc_of(&p.name.referenced),
                    Some(format!("user pool {}", p.name.value)),
                    format!(
                        "{} declares a second customer pool, {}; {} of {} ({}:{}) is the one customer pool",
                        m.id,
                        p.name.value,
                        first.name.value,
                        first_m.id,
                        first_m.file.name,
                        first_m.loc_of(&first.name.referenced).line
                    ),
                    "ADR-042: one customer pool per environment; serve these customers from it",
                );
            }
        }
    }
}
