//! CloudTrail: on from day one, all regions, log-file validation, KMS, management and S3 data
//! events, delivered to `bank-artefacts/cloudtrail/` and to a CloudWatch log group.

use super::guard::{self, AllowReplace};
use super::md::code;
use super::names::ident;
use super::policy::{Stmt, policy, trust};
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api};
use super::{DocSection, Docs};
use super::{raw, tpl};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    pub name: Sp<String>,
    pub bucket: Sp<String>,
    pub prefix: String,
    pub classification: Sp<String>,
    pub multi_region: bool,
    pub data_events: bool,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "trails"
    }
    fn noun(&self) -> &'static str {
        "trail"
    }
    fn family(&self) -> &'static str {
        "cloudtrail"
    }
    fn template(&self) -> &'static str {
        "trail.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::CLOUDTRAIL, api::IAM, api::LOGS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_cloudtrail",
            "aws_cloudwatch_log_group",
            "aws_iam_role",
            "aws_iam_role_policy",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_cloudwatch_log_group"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL601", "BGL201"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.trails.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.trails.iter().map(|x| ("trail", &x.name)).collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.trails
            .iter()
            .map(|x| (format!("trail {}", x.name.value), &x.classification))
            .collect()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        None
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for t in &r.trails {
            guard::check_allow(
                t.allow_replace.as_ref(),
                &format!("trail `{}`", t.name.value),
                c,
            );
            c.name(&t.name, &n.resource);
            c.classification(&t.classification);
            c.bucket(&t.bucket);
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
        m.emit(kind, &loc, ctx);
        m.holds_data(
            format!("aws_cloudwatch_log_group.{id}"),
            format!("trail {}", t.name.value),
            &loc,
            guard::allowance(t.allow_replace.as_ref(), m),
        );
        m.export(
            format!("cloudtrail/{}/arn", t.name.value),
            "ARN of the platform trail",
            raw(format!("aws_cloudtrail.{id}.arn")),
            &loc,
        );
    }
}

fn docs(r: &Resources, d: &Docs) -> Option<DocSection> {
    let list = &r.trails;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|t| {
            vec![
                code(&t.name.value),
                code(&format!("{}/{}/", t.bucket.value, t.prefix)),
                code(&d.key_alias(&t.classification.value)),
                if t.multi_region { "yes" } else { "no" }.to_string(),
                if t.data_events {
                    "management + data events"
                } else {
                    "management events"
                }
                .to_string(),
            ]
        })
        .collect();
    Some(DocSection::new(
        "CloudTrail",
        "",
        &["Trail", "Logs to", "Key", "Multi-region", "Logged"],
        rows,
    ))
}
