//! KMS: one CMK per data classification, rotation on, usage only for the roles of domains that
//! handle the classification, ARN exported at `/bank/{env}/kms/{classification}/arn`.

use super::{Stmt, policy};
use crate::model::{Permission, names::ident};
use crate::render::ctx::ModuleCtx;
use crate::render::hcl::raw;
use serde_json::json;

/// AWS services that encrypt with the platform's keys on the platform's behalf.
const SERVICES: &[&str] = &[
    "events.amazonaws.com",
    "sns.amazonaws.com",
    "cloudtrail.amazonaws.com",
];

pub fn render(m: &mut ModuleCtx) {
    for key in &m.module.resources.kms_keys {
        let class = key.classification.value.clone();
        let id = ident(&key.alias.value);
        let loc = m.loc(&key.alias.referenced);
        let users: Vec<serde_json::Value> = m
            .module
            .resources
            .iam_roles
            .iter()
            .filter(|r| {
                r.permissions.iter().any(|p| matches!(p, Permission::KmsDecrypt(cs) if cs.iter().any(|c| c.value == class)))
            })
            .map(|r| raw(format!("aws_iam_role.{}.arn", ident(&r.name.value))))
            .collect();
        let root = format!("arn:aws:iam::{}:root", m.env.account_id);
        let mut statements = vec![
            Stmt::allow("EnableRootAccount")
                .principal("AWS", json!(root))
                .action(&["kms:*"])
                .resource(vec![json!("*")])
                .build(),
        ];
        if !users.is_empty() {
            statements.push(
                Stmt::allow("DomainRolesUse")
                    .principal(
                        "AWS",
                        if users.len() == 1 {
                            users[0].clone()
                        } else {
                            json!(users)
                        },
                    )
                    .action(&["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"])
                    .resource(vec![json!("*")])
                    .build(),
            );
        }
        let logs = format!("logs.{}.amazonaws.com", m.cat.platform.region);
        let mut services: Vec<serde_json::Value> = SERVICES.iter().map(|s| json!(s)).collect();
        services.insert(0, json!(logs));
        statements.push(
            Stmt::allow("AwsServicesUse")
                .principal("Service", json!(services))
                .action(&[
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:DescribeKey",
                ])
                .resource(vec![json!("*")])
                .condition("StringEquals", "aws:SourceAccount", json!(m.env.account_id))
                .build(),
        );
        let ctx = json!({
            "id": id,
            "description": format!("{} ({})", key.description, key.used_by),
            "alias": format!("alias/{}", key.alias.value),
            "policy": policy(statements),
            "deletion_window": if m.env.emulator.is_some() { 7 } else { 30 },
        });
        m.emit("kms", "kms_key.tf.j2", &loc, ctx);
        let value = raw(format!("aws_kms_key.{id}.arn"));
        m.export(
            format!("kms/{class}/arn"),
            format!("ARN of the {} CMK", key.alias.value),
            value,
            &loc,
        );
    }
}
