//! CloudWatch log groups declared in the catalogue, encrypted with their classification's key.

use crate::model::names::env_ident;
use crate::render::ctx::ModuleCtx;
use serde_json::json;

pub fn render(m: &mut ModuleCtx) {
    for l in &m.module.resources.log_groups {
        let name = m.subst(&l.name.value);
        let loc = m.loc(&l.name.referenced);
        let key = m.key_arn(&l.classification.value);
        let ctx = json!({
            "id": env_ident(&l.name.value),
            "name": name,
            "purpose": l.purpose,
            "retention": l.retention_days.value,
            "key": key,
            "tags": m.class_tags(&l.classification.value),
        });
        m.emit("logs", "log_group.tf.j2", &loc, ctx);
    }
}
