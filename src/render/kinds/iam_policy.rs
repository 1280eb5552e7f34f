//! IAM managed policies written in the catalogue as statements (seed 004's namespace policy).

use super::{catalogue_statements, policy};
use crate::model::names::ident;
use crate::render::ctx::ModuleCtx;
use crate::render::hcl::raw;
use serde_json::json;

pub fn render(m: &mut ModuleCtx) {
    for p in &m.module.resources.iam_policies {
        let id = ident(&p.name.value);
        let loc = m.loc(&p.name.referenced);
        let ctx = json!({
            "id": id,
            "name": m.env_name(&p.name.value),
            "description": p.description,
            "policy": policy(catalogue_statements(m, &p.statements)),
        });
        m.emit("iam", "iam_policy.tf.j2", &loc, ctx);
        // A module that publishes the policy under its own contract path does not need a second one.
        let published = format!("policy/{}.arn", p.name.value);
        if m.module
            .resources
            .exports
            .iter()
            .any(|e| e.value.as_ref().is_some_and(|v| v.value == published))
        {
            continue;
        }
        m.export(
            format!("iam/{}/arn", p.name.value),
            format!("ARN of the {} policy: {}", p.name.value, p.description),
            raw(format!("aws_iam_policy.{id}.arn")),
            &loc,
        );
    }
}
