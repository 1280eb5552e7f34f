//! Secrets Manager: secrets in the `bank-*` namespace, encrypted with their classification's
//! key, rotated every 90 days by the module's rotation function. Never a secret value.

use crate::model::names::{env_ident, ident};
use crate::render::ctx::ModuleCtx;
use serde_json::{Value, json};

pub fn render(m: &mut ModuleCtx) {
    for s in &m.module.resources.secrets {
        let name = m.subst(&s.name.value);
        let id = env_ident(&s.name.value);
        let loc = m.loc(&s.name.referenced);
        let key = m.key_arn(&s.classification.value);
        let mut tags = m.class_tags(&s.classification.value);
        if let Value::Object(t) = &mut tags {
            for (k, v) in &s.tags {
                t.insert(k.clone(), json!(v));
            }
        }
        let ctx = json!({
            "id": id,
            "name": name,
            "purpose": s.purpose,
            "key": key,
            "rotation_days": s.rotation_days.value,
            "rotation_fn": ident(&s.rotation_function.value),
            // An emulator's secrets are recreated with the environment; real ones keep the
            // 30-day recovery window.
            "recovery_days": if m.env.emulator.is_some() { 0 } else { 30 },
            "tags": tags,
        });
        m.emit("secrets", "secret.tf.j2", &loc, ctx);
    }
}
