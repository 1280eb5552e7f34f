//! CloudTrail: on from day one, all regions, log-file validation, KMS, management and S3 data
//! events, delivered to `bank-artefacts/cloudtrail/` and to a CloudWatch log group.

use super::{Stmt, policy, trust};
use crate::model::names::ident;
use crate::render::ctx::ModuleCtx;
use crate::render::hcl::{raw, tpl};
use serde_json::json;

pub fn render(m: &mut ModuleCtx) {
    for t in &m.module.resources.trails {
        let id = ident(&t.name.value);
        let loc = m.loc(&t.name.referenced);
        let key = m.key_arn(&t.classification.value);
        let name = m.env_name(&t.name.value);
        let logs_policy = policy(vec![
            Stmt::allow("DeliverToLogGroup")
                .action(&["logs:CreateLogStream", "logs:PutLogEvents"])
                .resource(vec![tpl(vec![
                    raw(format!("aws_cloudwatch_log_group.{id}.arn")),
                    json!(":*"),
                ])])
                .build(),
        ]);
        let ctx = json!({
            "id": id,
            "name": name,
            "bucket": raw(format!("aws_s3_bucket.{}.id", ident(&t.bucket.value))),
            "bucket_policy": raw(format!("aws_s3_bucket_policy.{}", ident(&t.bucket.value))),
            "prefix": t.prefix,
            "key": key,
            "multi_region": t.multi_region,
            "data_events": t.data_events,
            "log_group": format!("/aws/cloudtrail/{name}"),
            "role_name": format!("{name}-logs"),
            "trust": trust("cloudtrail.amazonaws.com"),
            "logs_policy": logs_policy,
            "topic": m.module.resources.sns_topics.first().map(|s| raw(format!("aws_sns_topic.{}.name", ident(&s.name.value)))),
            "tags": m.class_tags(&t.classification.value),
        });
        m.emit("cloudtrail", "trail.tf.j2", &loc, ctx);
        m.export(
            format!("cloudtrail/{}/arn", t.name.value),
            "ARN of the platform trail",
            raw(format!("aws_cloudtrail.{id}.arn")),
            &loc,
        );
    }
}
