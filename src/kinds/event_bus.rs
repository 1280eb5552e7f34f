//! EventBridge: one bus per domain with a resource policy for the domain's Lambda role, a
//! 30-day archive for replay, and an SQS dead-letter queue for undeliverable events.

use super::guard::{self, AllowReplace};
use super::md::{code, days, esc};
use super::names::ident;
use super::policy::{Stmt, policy};
use super::raw;
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api};
use super::{DocSection, Docs};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bus {
    pub name: Sp<String>,
    pub owner: Sp<String>,
    pub purpose: String,
    pub archive_retention_days: Sp<u32>,
    /// A copy of the bus in the platform's DR region (seed 002: "EventBridge can route events to
    /// other regions"), with its own archive and dead-letter queue there; a subscription routes
    /// events to it (`target: {kind: bus, name: <this bus>, region: dr}`). Exported as
    /// `eventbridge/{bus}/dr-arn`.
    #[serde(default)]
    pub dr: Option<Sp<bool>>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "event_buses"
    }
    fn noun(&self) -> &'static str {
        "event bus"
    }
    fn family(&self) -> &'static str {
        "eventbridge"
    }
    fn template(&self) -> &'static str {
        "event_bus.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::EVENTS, api::SQS, api::KMS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_cloudwatch_event_archive",
            "aws_cloudwatch_event_bus",
            "aws_cloudwatch_event_bus_policy",
            "aws_cloudwatch_event_permission",
            "aws_sqs_queue",
            "aws_sqs_queue_policy",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_cloudwatch_event_archive", "aws_sqs_queue"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL401"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.event_buses.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.event_buses
            .iter()
            .map(|x| ("event bus", &x.name))
            .collect()
    }
    fn classified<'r>(&self, _: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        Vec::new()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        None
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for bus in &r.event_buses {
            guard::check_allow(
                bus.allow_replace.as_ref(),
                &format!("event bus `{}`", bus.name.value),
                c,
            );
            c.name(&bus.name, &n.bus);
            c.domain(&bus.owner);
            if let Some(dr) = bus.dr.as_ref().filter(|d| d.value) {
                c.needs_dr_region(&dr.referenced, &format!("event bus `{}`", bus.name.value));
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        render(self, m)
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        docs(r, d)
    }
}

fn render(kind: &Kind, m: &mut Scope) {
    for bus in &m.module.resources.event_buses {
        let id = ident(&bus.name.value);
        let loc = m.loc(&bus.name.referenced);
        let role = m
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
        let dlq_policy = dead_letters(m, &format!("{id}_dlq"), m.region);
        // The copy's dead-letter queue has the same name, in its own region.
        let dlq_name = format!("{}-dlq-{}", bus.name.value, m.env.name);
        let key = m.key_arn(m.operational);
        let dr = m
            .dr_region
            .filter(|_| bus.dr.as_ref().is_some_and(|d| d.value));
        let dr_copy = dr.map(|region| {
            let dr_id = format!("{id}_dr");
            for address in [
                format!("aws_cloudwatch_event_bus.{dr_id}"),
                format!("aws_cloudwatch_event_archive.{dr_id}"),
                format!("aws_sqs_queue.{dr_id}_dlq"),
                format!("aws_sqs_queue_policy.{dr_id}_dlq"),
            ] {
                m.on_alias("dr", address);
            }
            json!({
                "id": dr_id,
                "dlq_name": dlq_name,
                "dlq_key": m.dr_key_arn(m.operational),
                "dlq_policy": dead_letters(m, &format!("{dr_id}_dlq"), region),
            })
        });
        let ctx = json!({
            "id": id,
            "name": bus.name.value,
            "purpose": bus.purpose,
            "archive_name": format!("{}-archive", bus.name.value),
            "archive_days": bus.archive_retention_days.value,
            "dlq_name": dlq_name,
            "dlq_key": key,
            "dlq_policy": dlq_policy,
            "policy": bus_policy,
            "statement_id": format!("{}-domain-role", bus.name.value),
            "tags": m.class_tags(m.operational),
            "dr": dr_copy,
        });
        m.emit(kind, &loc, ctx);
        let mut held = vec![
            format!("aws_cloudwatch_event_archive.{id}"),
            format!("aws_sqs_queue.{id}_dlq"),
        ];
        if dr.is_some() {
            held.push(format!("aws_cloudwatch_event_archive.{id}_dr"));
            held.push(format!("aws_sqs_queue.{id}_dr_dlq"));
            m.export(
                format!("eventbridge/{}/dr-arn", bus.name.value),
                format!("ARN of the {} bus's copy in the DR region", bus.name.value),
                raw(format!("aws_cloudwatch_event_bus.{id}_dr.arn")),
                &loc,
            );
        }
        for address in held {
            m.holds_data(
                address,
                format!("event bus {}", bus.name.value),
                &loc,
                guard::allowance(bus.allow_replace.as_ref(), m),
            );
        }
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

/// The policy of the dead-letter queue `queue` (its Terraform label): EventBridge rules of the
/// account in `region` may send to it.
fn dead_letters(m: &Scope, queue: &str, region: &str) -> serde_json::Value {
    policy(vec![
        Stmt::allow("EventBridgeDeadLetters")
            .principal("Service", json!("events.amazonaws.com"))
            .action(&["sqs:SendMessage"])
            .resource(vec![raw(format!("aws_sqs_queue.{queue}.arn"))])
            .condition(
                "ArnLike",
                "aws:SourceArn",
                json!(format!("arn:aws:events:{region}:{}:*", m.env.account_id)),
            )
            .build(),
    ])
}

fn docs(r: &Resources, d: &Docs) -> Option<DocSection> {
    let list = &r.event_buses;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|b| {
            vec![
                code(&b.name.value),
                d.domain_label(&b.owner.value),
                esc(&b.purpose),
                days(b.archive_retention_days.value),
            ]
        })
        .collect();
    Some(DocSection::new(
        "EventBridge buses",
        "Each bus: a resource policy for its owner domain's role, an archive, an SQS dead-letter queue.",
        &["Bus name", "Owner", "Purpose", "Archive"],
        rows,
    ))
}
