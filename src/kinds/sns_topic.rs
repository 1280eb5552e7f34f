//! SNS: encrypted topics; the platform alerts topic accepts CloudWatch alarms, CloudTrail and
//! EventBridge deliveries from this account.

use super::md::{code, esc};
use super::names::ident;
use super::policy::{Stmt, policy};
use super::raw;
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api};
use super::{DocSection, Docs};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub name: Sp<String>,
    pub purpose: String,
    pub classification: Sp<String>,
    /// Who receives what is published (seed 002: "SNS topics distribute alerts to operations
    /// teams"): catalogue data, `{protocol, endpoint}`; `{env}`, `{account}` and `{region}` in
    /// the endpoint are filled in.
    #[serde(default)]
    pub subscriptions: Vec<Subscriber>,
}

/// One subscription of a topic.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscriber {
    /// `email`, `https` or `sqs` (an SQS queue's ARN as endpoint).
    pub protocol: Sp<String>,
    pub endpoint: Sp<String>,
}

/// The protocols a subscription may use.
pub const PROTOCOLS: &[&str] = &["email", "https", "sqs"];

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "sns_topics"
    }
    fn noun(&self) -> &'static str {
        "SNS topic"
    }
    fn family(&self) -> &'static str {
        "sns"
    }
    fn template(&self) -> &'static str {
        "sns_topic.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::SNS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_sns_topic",
            "aws_sns_topic_policy",
            "aws_sns_topic_subscription",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL503", "BGL201"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.sns_topics.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.sns_topics
            .iter()
            .map(|x| ("SNS topic", &x.name))
            .collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.sns_topics
            .iter()
            .map(|x| (format!("topic {}", x.name.value), &x.classification))
            .collect()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "topic",
            resource_type: "aws_sns_topic",
            label: super::exports::label,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for t in &r.sns_topics {
            c.name(&t.name, &n.resource);
            c.classification(&t.classification);
            for sub in &t.subscriptions {
                if !PROTOCOLS.contains(&sub.protocol.value.as_str()) {
                    c.err(
                        "BG001",
                        &sub.protocol.referenced,
                        format!(
                            "topic `{}`: unknown subscription protocol `{}`",
                            t.name.value, sub.protocol.value
                        ),
                        format!("one of {}", PROTOCOLS.join(", ")),
                    );
                }
                let ok = match sub.protocol.value.as_str() {
                    "email" => sub.endpoint.value.contains('@'),
                    "https" => sub.endpoint.value.starts_with("https://"),
                    "sqs" => sub.endpoint.value.starts_with("arn:"),
                    _ => true,
                };
                if !ok {
                    c.err(
                        "BG001",
                        &sub.endpoint.referenced,
                        format!(
                            "topic `{}`: `{}` is not a {} endpoint",
                            t.name.value, sub.endpoint.value, sub.protocol.value
                        ),
                        "an e-mail address, an https:// URL, or an SQS queue's ARN",
                    );
                }
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

/// The services the topic policy lets publish. Each encrypts the message with the topic's key,
/// so the key policy lets them use it too (kms_key.rs).
pub const PUBLISHERS: &[&str] = &[
    "cloudwatch.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "events.amazonaws.com",
];

/// The service that publishes a budget's notifications (to the topics a budget names only).
pub const BUDGETS: &str = "budgets.amazonaws.com";

fn render(kind: &Kind, m: &mut Scope) {
    for t in &m.module.resources.sns_topics {
        let id = ident(&t.name.value);
        let loc = m.loc(&t.name.referenced);
        let key = m.key_arn(&t.classification.value);
        let arn = raw(format!("aws_sns_topic.{id}.arn"));
        let mut statements = vec![
            Stmt::allow("AccountServicesPublish")
                .principal("Service", json!(PUBLISHERS))
                .action(&["sns:Publish"])
                .resource(vec![arn.clone()])
                .condition("StringEquals", "aws:SourceAccount", json!(m.env.account_id))
                .build(),
        ];
        // A budget of the catalogue notifies this topic (budget.rs): AWS Budgets publishes.
        if m.fleet.budget_topics.contains(&t.name.value) {
            statements.push(
                Stmt::allow("BudgetsPublish")
                    .principal("Service", json!(BUDGETS))
                    .action(&["sns:Publish"])
                    .resource(vec![arn.clone()])
                    .condition("StringEquals", "aws:SourceAccount", json!(m.env.account_id))
                    .build(),
            );
        }
        let topic_policy = policy(statements);
        let subscriptions: Vec<_> = t
            .subscriptions
            .iter()
            .map(|s| json!({"protocol": s.protocol.value, "endpoint": m.subst(&s.endpoint.value)}))
            .collect();
        let ctx = json!({
            "id": id,
            "name": m.env_name(&t.name.value),
            "subscriptions": subscriptions,
            "purpose": t.purpose,
            "key": key,
            "policy": topic_policy,
            "tags": m.class_tags(&t.classification.value),
        });
        m.emit(kind, &loc, ctx);
        m.export(
            format!("sns/{}/arn", t.name.value),
            format!("ARN of the {} topic: {}", t.name.value, t.purpose),
            arn,
            &loc,
        );
    }
}

fn docs(r: &Resources, d: &Docs) -> Option<DocSection> {
    let list = &r.sns_topics;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|t| {
            vec![
                code(&t.name.value),
                esc(&t.purpose),
                code(&d.key_alias(&t.classification.value)),
                t.subscriptions
                    .iter()
                    .map(|s| format!("{} {}", esc(&s.protocol.value), code(&s.endpoint.value)))
                    .collect::<Vec<_>>()
                    .join("<br>"),
            ]
        })
        .collect();
    Some(DocSection::new(
        "SNS topics",
        "",
        &["Topic", "Purpose", "Key", "Subscriptions"],
        rows,
    ))
}
