//! IAM: one Lambda execution role per domain with exactly the permissions of its row in seed
//! 000, plus the guard every role carries (no calls outside the platform region; no secret
//! without a module_id tag).

use super::{Stmt, policy, trust};
use crate::model::{Permission, names::ident};
use crate::render::ctx::ModuleCtx;
use crate::render::hcl::{raw, tpl};
use serde_json::{Value, json};

/// Global services whose calls are signed for us-east-1 whatever the caller's region.
const GLOBAL_SERVICES: &[&str] = &[
    "iam:*",
    "sts:*",
    "organizations:*",
    "support:*",
    "cloudfront:*",
    "route53:*",
];

pub fn render(m: &mut ModuleCtx) {
    for role in &m.module.resources.iam_roles {
        let id = ident(&role.name.value);
        let loc = m.loc(&role.name.referenced);
        let repo = m
            .cat
            .domain(&role.domain.value)
            .map(|d| d.repo.clone())
            .unwrap_or_default();
        let (region, account) = (m.cat.platform.region.clone(), m.env.account_id.clone());
        let mut statements = vec![
            Stmt::allow("WriteOwnLogs")
                .action(&["logs:CreateLogStream", "logs:PutLogEvents"])
                .resource(vec![json!(format!(
                    "arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{repo}-*"
                ))])
                .build(),
        ];
        for (i, p) in role.permissions.iter().enumerate() {
            statements.push(permission(m, p, i));
        }
        let guard = policy(vec![
            Stmt::deny("DenyOutsidePlatformRegion")
                .not_actions(GLOBAL_SERVICES.iter().map(|s| json!(s)).collect())
                .resource(vec![json!("*")])
                .condition("StringNotEquals", "aws:RequestedRegion", json!(region))
                .build(),
            Stmt::deny("DenyUntaggedSecrets")
                .action(&["secretsmanager:GetSecretValue"])
                .resource(vec![json!("*")])
                .condition("Null", "aws:ResourceTag/module_id", json!("true"))
                .build(),
        ]);
        let ctx = json!({
            "id": id,
            "name": role.name.value,
            "domain": role.domain.value,
            "trust": trust("lambda.amazonaws.com"),
            "policy": policy(statements),
            "guard": guard,
        });
        m.emit("iam", "iam_role.tf.j2", &loc, ctx);
        m.export(
            format!("iam/{}/arn", role.name.value.to_lowercase()),
            format!(
                "ARN of {}, the Lambda execution role of {}",
                role.name.value, role.domain.value
            ),
            raw(format!("aws_iam_role.{id}.arn")),
            &loc,
        );
    }
}

fn permission(m: &mut ModuleCtx, p: &Permission, i: usize) -> Value {
    let (region, account) = (m.cat.platform.region.clone(), m.env.account_id.clone());
    let sid = |name: &str| format!("{name}{i}");
    match p {
        Permission::SecretsRead(prefixes) => Stmt::allow(&sid("SecretsRead"))
            .action(&[
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
            ])
            .resource(
                prefixes
                    .iter()
                    .map(|p| {
                        json!(format!(
                            "arn:aws:secretsmanager:{region}:{account}:secret:{}/*",
                            p.value
                        ))
                    })
                    .collect(),
            )
            .build(),
        Permission::EventsPut(buses) => {
            let arns = buses.iter().map(|b| m.bus_arn(&b.value)).collect();
            Stmt::allow(&sid("EventsPut"))
                .action(&["events:PutEvents"])
                .resource(arns)
                .build()
        }
        Permission::EventsRead(buses) => {
            let mut arns: Vec<Value> = Vec::new();
            for b in buses {
                arns.push(m.bus_arn(&b.value));
                arns.push(json!(format!(
                    "arn:aws:events:{region}:{account}:rule/{}/*",
                    b.value
                )));
            }
            Stmt::allow(&sid("EventsRead"))
                .action(&[
                    "events:DescribeEventBus",
                    "events:ListRules",
                    "events:DescribeRule",
                    "events:ListTargetsByRule",
                ])
                .resource(arns)
                .build()
        }
        Permission::S3Put(buckets) => Stmt::allow(&sid("S3Put"))
            .action(&["s3:PutObject"])
            .resource(buckets.iter().map(|b| objects(&b.value)).collect())
            .build(),
        Permission::S3ReadWrite(buckets) => {
            let mut arns = Vec::new();
            for b in buckets {
                arns.push(raw(format!("aws_s3_bucket.{}.arn", ident(&b.value))));
                arns.push(objects(&b.value));
            }
            Stmt::allow(&sid("S3ReadWrite"))
                .action(&[
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:ListBucket",
                ])
                .resource(arns)
                .build()
        }
        Permission::FirehosePut(streams) => {
            let arns = streams.iter().map(|s| m.firehose_arn(&s.value)).collect();
            Stmt::allow(&sid("FirehosePut"))
                .action(&["firehose:PutRecord", "firehose:PutRecordBatch"])
                .resource(arns)
                .build()
        }
        Permission::KmsDecrypt(classes) => {
            let arns = classes.iter().map(|c| m.key_arn(&c.value)).collect();
            Stmt::allow(&sid("KmsDecrypt"))
                .action(&["kms:Decrypt", "kms:DescribeKey"])
                .resource(arns)
                .build()
        }
        Permission::CognitoAdmin(pools) => Stmt::allow(&sid("CognitoAdmin"))
            .action(&[
                "cognito-idp:AdminGetUser",
                "cognito-idp:AdminCreateUser",
                "cognito-idp:AdminUpdateUserAttributes",
                "cognito-idp:AdminDisableUser",
                "cognito-idp:AdminEnableUser",
                "cognito-idp:AdminUserGlobalSignOut",
            ])
            .resource(
                pools
                    .iter()
                    .map(|p| raw(format!("aws_cognito_user_pool.{}.arn", ident(&p.value))))
                    .collect(),
            )
            .build(),
    }
}

fn objects(bucket: &str) -> Value {
    tpl(vec![
        raw(format!("aws_s3_bucket.{}.arn", ident(bucket))),
        json!("/*"),
    ])
}
