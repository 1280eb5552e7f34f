//! Cognito: user pools with required MFA, the custom attributes of seed 000 (jurisdiction as a
//! claim, ADR-042), and app clients with 1 h ID/access and 30 d refresh tokens.

use crate::model::{ClientType, names::ident};
use crate::render::ctx::ModuleCtx;
use crate::render::hcl::raw;
use serde_json::json;

pub fn render(m: &mut ModuleCtx) {
    for p in &m.module.resources.user_pools {
        let id = ident(&p.name.value);
        let loc = m.loc(&p.name.referenced);
        let clients: Vec<_> = p
            .clients
            .iter()
            .map(|c| {
                json!({
                    "id": format!("{id}_{}", ident(&c.name.value)),
                    "name": format!("{}-{}", m.env_name(&p.name.value), c.name.value),
                    "purpose": c.purpose,
                    "public": c.client_type == ClientType::Public,
                    "callback_urls": c.callback_urls.iter().map(|u| m.subst(u)).collect::<Vec<_>>(),
                })
            })
            .collect();
        let attrs: Vec<_> = p
            .custom_attributes
            .iter()
            .map(|a| json!({"name": a.name.value, "max_length": a.max_length.unwrap_or(256), "mutable": a.mutable}))
            .collect();
        let ctx = json!({
            "id": id,
            "name": m.env_name(&p.name.value),
            "users": p.users,
            "mfa_required": p.mfa.required,
            "mfa": p.mfa.description,
            "attributes": attrs,
            "clients": clients,
            "id_hours": p.tokens.id_token_hours.value,
            "access_hours": p.tokens.access_token_hours.value,
            "refresh_days": p.tokens.refresh_token_days.value,
            "read_attributes": p.custom_attributes.iter().map(|a| format!("custom:{}", a.name.value)).chain(["email".to_string()]).collect::<Vec<_>>(),
            "tags": m.class_tags(&p.classification.value),
        });
        m.emit("cognito", "user_pool.tf.j2", &loc, ctx);
        m.export(
            format!("cognito/{}/id", p.name.value),
            format!("Id of the {} pool: {}", p.name.value, p.users),
            raw(format!("aws_cognito_user_pool.{id}.id")),
            &loc,
        );
        m.export(
            format!("cognito/{}/arn", p.name.value),
            format!("ARN of the {} pool", p.name.value),
            raw(format!("aws_cognito_user_pool.{id}.arn")),
            &loc,
        );
        for c in &p.clients {
            m.export(
                format!("cognito/{}/{}/client-id", p.name.value, c.name.value),
                format!("Client id of {}: {}", c.name.value, c.purpose),
                raw(format!(
                    "aws_cognito_user_pool_client.{id}_{}.id",
                    ident(&c.name.value)
                )),
                &loc,
            );
        }
    }
}
