//! EventBridge: one bus per domain with a resource policy for the domain's Lambda role, a
//! 30-day archive for replay, and an SQS dead-letter queue for undeliverable events.

use super::{Stmt, policy};
use crate::model::names::ident;
use crate::render::ctx::ModuleCtx;
use crate::render::hcl::raw;
use serde_json::json;

pub fn render(m: &mut ModuleCtx) {
    for bus in &m.module.resources.event_buses {
        let id = ident(&bus.name.value);
        let loc = m.loc(&bus.name.referenced);
        let role = m
            .cat
            .domain(&bus.owner.value)
            .map(|d| d.role.clone())
            .unwrap_or_default();
        let role_arn = m.role_arn(&role);
        let bus_arn = raw(format!("aws_cloudwatch_event_bus.{id}.arn"));
        let bus_policy = policy(vec![
            Stmt::allow("DomainRolePutEvents")
                .principal("AWS", role_arn)
                .action(&["events:PutEvents"])
                .resource(vec![bus_arn.clone()])
                .build(),
        ]);
        let dlq_arn = raw(format!("aws_sqs_queue.{id}_dlq.arn"));
        let dlq_policy = policy(vec![
            Stmt::allow("EventBridgeDeadLetters")
                .principal("Service", json!("events.amazonaws.com"))
                .action(&["sqs:SendMessage"])
                .resource(vec![dlq_arn])
                .condition(
                    "ArnLike",
                    "aws:SourceArn",
                    json!(format!(
                        "arn:aws:events:{}:{}:*",
                        m.cat.platform.region, m.env.account_id
                    )),
                )
                .build(),
        ]);
        let key = m.key_arn("operational");
        let ctx = json!({
            "id": id,
            "name": bus.name.value,
            "purpose": bus.purpose,
            "archive_name": format!("{}-archive", bus.name.value),
            "archive_days": bus.archive_retention_days.value,
            "dlq_name": format!("{}-dlq-{}", bus.name.value, m.env.name),
            "dlq_key": key,
            "dlq_policy": dlq_policy,
            "policy": bus_policy,
            "statement_id": format!("{}-domain-role", bus.name.value),
            "tags": m.class_tags("operational"),
        });
        m.emit("eventbridge", "event_bus.tf.j2", &loc, ctx);
        m.export(
            format!("eventbridge/{}/arn", bus.name.value),
            format!("ARN of the {} bus: {}", bus.name.value, bus.purpose),
            bus_arn,
            &loc,
        );
        m.export(
            format!("eventbridge/{}/name", bus.name.value),
            format!("Name of the {} bus", bus.name.value),
            raw(format!("aws_cloudwatch_event_bus.{id}.name")),
            &loc,
        );
        m.export(
            format!("eventbridge/{}/dlq-arn", bus.name.value),
            format!("Dead-letter queue of the {} bus", bus.name.value),
            raw(format!("aws_sqs_queue.{id}_dlq.arn")),
            &loc,
        );
    }
}
