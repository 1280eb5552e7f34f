//! Event subscriptions, rendered in the consuming module: a rule on the source bus, its target
//! (another bus with a delivery role limited to `events:PutEvents` on it, a queue, a function's
//! `live` alias, or a Firehose stream), a retry policy and an SQS dead-letter queue.

use crate::kinds::function::CONVENTIONAL;
use crate::kinds::names::ident;
use crate::kinds::policy::{Stmt, policy, trust};
use crate::kinds::{Scope, raw};
use crate::model::{Delivery, Subscription, TargetKind};
use serde_json::{Value, json};

pub fn render(m: &mut Scope, subscriptions: &[&Subscription], delivery: &Delivery) {
    for &s in subscriptions {
        let id = ident(&s.name);
        let rule_name = m.env_name(&format!("{}-{}", m.name_prefix, s.name));
        let key = m.key_arn(m.operational);
        let region = m.region.to_string();
        let account = m.env.account_id.to_string();
        let rule_arn = format!(
            "arn:aws:events:{region}:{account}:rule/{}{rule_name}",
            if s.bus == "default" {
                String::new()
            } else {
                format!("{}/", s.bus)
            }
        );
        let dlq = raw(format!("aws_sqs_queue.{id}_dlq.arn"));
        // The source bus is looked up by its SSM contract, like every cross-module reference.
        let bus_name = if s.bus == "default" {
            Value::Null
        } else {
            m.import(&format!("eventbridge/{}/name", s.bus))
        };
        let (target, role, queue, permission) = match s.target.kind {
            TargetKind::Bus => {
                let bus = s.target.name.clone().unwrap_or_default();
                let arn = if s.target.dr {
                    m.dr_bus_arn(&bus)
                } else {
                    m.bus_arn(&bus)
                };
                let role_policy = policy(vec![
                    Stmt::allow("PutEventsOnTargetBus")
                        .action(&["events:PutEvents"])
                        .resource(vec![arn.clone()])
                        .build(),
                ]);
                (
                    arn,
                    Some(
                        json!({"name": format!("{rule_name}-delivery"), "trust": trust("events.amazonaws.com"), "policy": role_policy}),
                    ),
                    None,
                    None,
                )
            }
            TargetKind::Firehose => {
                let stream = s.target.name.clone().unwrap_or_default();
                let arn = m.firehose_arn(&stream);
                let role_policy = policy(vec![
                    Stmt::allow("PutRecordsOnStream")
                        .action(&["firehose:PutRecord", "firehose:PutRecordBatch"])
                        .resource(vec![arn.clone()])
                        .build(),
                ]);
                (
                    arn,
                    Some(
                        json!({"name": format!("{rule_name}-delivery"), "trust": trust("events.amazonaws.com"), "policy": role_policy}),
                    ),
                    None,
                    None,
                )
            }
            TargetKind::Queue => {
                let qname = m.env_name(s.target.name.as_deref().unwrap_or("queue"));
                let arn = raw(format!("aws_sqs_queue.{id}_target.arn"));
                let qpolicy = policy(vec![
                    Stmt::allow("EventBridgeSends")
                        .principal("Service", json!("events.amazonaws.com"))
                        .action(&["sqs:SendMessage"])
                        .resource(vec![arn.clone()])
                        .condition("ArnEquals", "aws:SourceArn", json!(rule_arn))
                        .build(),
                ]);
                (
                    arn,
                    None,
                    Some(json!({"name": qname, "policy": qpolicy})),
                    None,
                )
            }
            TargetKind::Function => {
                let fid = s
                    .target
                    .name
                    .as_deref()
                    .map(ident)
                    .unwrap_or_else(|| CONVENTIONAL.to_string());
                let arn = raw(format!("aws_lambda_alias.{fid}.arn"));
                (arn, None, None, Some(json!({"function": fid})))
            }
        };
        let dlq_policy = policy(vec![
            Stmt::allow("EventBridgeDeadLetters")
                .principal("Service", json!("events.amazonaws.com"))
                .action(&["sqs:SendMessage"])
                .resource(vec![dlq])
                .condition("ArnEquals", "aws:SourceArn", json!(rule_arn))
                .build(),
        ]);
        let consumers: Vec<String> = s.events.clone();
        let description = if s.target.dr {
            format!(
                "{} routes {} from {} to its copy in the DR region",
                s.consumer,
                if consumers.is_empty() {
                    "events".to_string()
                } else {
                    consumers.join(", ")
                },
                s.bus
            )
        } else if consumers.is_empty() {
            format!("{} consumes matching events from {}", s.consumer, s.bus)
        } else {
            format!(
                "{} consumes {} from {}",
                s.consumer,
                consumers.join(", "),
                s.bus
            )
        };
        // Its queues hold events: the dead letters, and a queue target's undelivered messages.
        let mut held = vec![format!("aws_sqs_queue.{id}_dlq")];
        if queue.is_some() {
            held.push(format!("aws_sqs_queue.{id}_target"));
        }
        let ctx = json!({
            "id": id,
            "name": rule_name,
            "description": description,
            "bus": if s.bus == "default" { Value::Null } else { bus_name },
            "pattern": s.pattern,
            "target": target,
            "target_id": s.name,
            "role": role,
            "queue": queue,
            "permission": permission,
            "dlq_name": format!("{rule_name}-dlq"),
            "dlq_policy": dlq_policy,
            "key": key,
            "retries": delivery.maximum_retry_attempts,
            "max_age": delivery.maximum_event_age_seconds,
            "tags": m.class_tags(m.operational),
        });
        m.emit_as(
            super::SUBSCRIPTION_FAMILY,
            "subscription.tf.j2",
            &s.loc,
            ctx,
        );
        for address in held {
            m.holds_data(address, format!("subscription {}", s.name), &s.loc, None);
        }
        // A queue target is read by its consumer and by the phase check's delivery probe.
        if s.target.kind == TargetKind::Queue {
            let name = s.target.name.as_deref().unwrap_or("queue");
            m.export(
                format!("sqs/{name}/url"),
                format!("URL of the queue subscription {} delivers to", s.name),
                raw(format!("aws_sqs_queue.{id}_target.id")),
                &s.loc,
            );
        }
    }
}
