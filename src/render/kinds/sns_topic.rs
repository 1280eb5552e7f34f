//! SNS: encrypted topics; the platform alerts topic accepts CloudWatch alarms, CloudTrail and
//! EventBridge deliveries from this account.

use super::{Stmt, policy};
use crate::model::names::ident;
use crate::render::ctx::ModuleCtx;
use crate::render::hcl::raw;
use serde_json::json;

pub fn render(m: &mut ModuleCtx) {
    for t in &m.module.resources.sns_topics {
        let id = ident(&t.name.value);
        let loc = m.loc(&t.name.referenced);
        let key = m.key_arn(&t.classification.value);
        let arn = raw(format!("aws_sns_topic.{id}.arn"));
        let topic_policy = policy(vec![
            Stmt::allow("AccountServicesPublish")
                .principal(
                    "Service",
                    json!([
                        "cloudwatch.amazonaws.com",
                        "cloudtrail.amazonaws.com",
                        "events.amazonaws.com"
                    ]),
                )
                .action(&["sns:Publish"])
                .resource(vec![arn.clone()])
                .condition("StringEquals", "aws:SourceAccount", json!(m.env.account_id))
                .build(),
        ]);
        let ctx = json!({
            "id": id,
            "name": m.env_name(&t.name.value),
            "purpose": t.purpose,
            "key": key,
            "policy": topic_policy,
            "tags": m.class_tags(&t.classification.value),
        });
        m.emit("sns", "sns_topic.tf.j2", &loc, ctx);
        m.export(
            format!("sns/{}/arn", t.name.value),
            format!("ARN of the {} topic: {}", t.name.value, t.purpose),
            arn,
            &loc,
        );
    }
}
