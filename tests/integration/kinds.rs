//! One test over every registered resource kind: each decides every part of itself, and the
//! parts agree with the template, the lint rules and the compliance report.

use super::support::{load_catalog, repo};
use bankgen::kinds::{self, BASE_ENDPOINTS, KEYS, KINDS};
use bankgen::lint::rules::RULES;
use std::collections::BTreeSet;

/// The provider `endpoints` name (hashicorp/aws >= 4) of the API a resource type calls.
fn api_of(resource_type: &str) -> &'static str {
    const PREFIXES: &[(&str, &str)] = &[
        ("aws_acm_", "acm"),
        ("aws_api_gateway_", "apigateway"),
        ("aws_budgets_", "budgets"),
        ("aws_cloudfront_", "cloudfront"),
        ("aws_appautoscaling_", "applicationautoscaling"),
        ("aws_appmesh_", "appmesh"),
        ("aws_cloudtrail", "cloudtrail"),
        ("aws_cloudwatch_event_", "events"),
        ("aws_cloudwatch_log_", "logs"),
        ("aws_cloudwatch_metric_alarm", "cloudwatch"),
        ("aws_cognito_", "cognitoidp"),
        ("aws_config_", "configservice"),
        ("aws_db_", "rds"),
        ("aws_default_security_group", "ec2"),
        ("aws_cloudwatch_dashboard", "cloudwatch"),
        ("aws_dynamodb_", "dynamodb"),
        ("aws_ec2_", "ec2"),
        ("aws_ecs_", "ecs"),
        ("aws_eip", "ec2"),
        ("aws_elasticache_", "elasticache"),
        ("aws_flow_log", "ec2"),
        ("aws_globalaccelerator_", "globalaccelerator"),
        ("aws_guardduty_", "guardduty"),
        ("aws_iam_", "iam"),
        ("aws_internet_gateway", "ec2"),
        ("aws_kinesis_firehose_", "firehose"),
        ("aws_kinesis_stream", "kinesis"),
        ("aws_kms_", "kms"),
        ("aws_lambda_", "lambda"),
        ("aws_lb", "elbv2"),
        ("aws_nat_gateway", "ec2"),
        ("aws_network_acl", "ec2"),
        ("aws_rds_", "rds"),
        ("aws_route53_", "route53"),
        ("aws_route_table", "ec2"),
        ("aws_s3_", "s3"),
        ("aws_secretsmanager_", "secretsmanager"),
        ("aws_security_group", "ec2"),
        ("aws_sns_", "sns"),
        ("aws_sqs_", "sqs"),
        ("aws_ssm_", "ssm"),
        ("aws_subnet", "ec2"),
        ("aws_vpc", "ec2"),
        ("aws_wafv2_", "wafv2"),
        ("aws_xray_", "xray"),
    ];
    // Exact names that other types start with (`aws_route53_…` is not EC2).
    const EXACT: &[(&str, &str)] = &[("aws_route", "ec2")];
    EXACT
        .iter()
        .find(|(t, _)| resource_type == *t)
        .or_else(|| PREFIXES.iter().find(|(p, _)| resource_type.starts_with(p)))
        .map(|(_, api)| *api)
        .unwrap_or_else(|| panic!("add the API of {resource_type} to api_of"))
}

/// Every problem of one kind, so a new kind's author sees all blanks at once.
fn problems(kind: &dyn kinds::ResourceKind, index: usize) -> Vec<String> {
    let mut out = Vec::new();
    let key = kind.key();
    if KEYS.get(index) != Some(&key) {
        out.push(format!(
            "key() is `{key}`, its registry line says `{:?}`",
            KEYS.get(index)
        ));
    }
    if kind.noun().is_empty() {
        out.push("noun() is empty".into());
    }
    if kind.family().is_empty()
        || !kind
            .family()
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        out.push(format!("family() `{}` is not a file stem", kind.family()));
    }
    let template = repo().join("templates").join(kind.template());
    match std::fs::read_to_string(&template) {
        Err(_) => out.push(format!("no template {}", template.display())),
        Ok(text) => {
            let in_template: BTreeSet<&str> = text
                .match_indices("resource \"")
                .filter_map(|(i, m)| {
                    let rest = &text[i + m.len()..];
                    rest.split('"').next()
                })
                .collect();
            let declared: BTreeSet<&str> = kind.resource_types().iter().copied().collect();
            if in_template != declared {
                out.push(format!(
                    "resource_types() {declared:?} differ from the template's {in_template:?}"
                ));
            }
        }
    }
    for t in kind.stateful_types() {
        if !kind.resource_types().contains(t) {
            out.push(format!(
                "stateful_types() names {t}, which resource_types() does not"
            ));
        }
    }
    if kind.endpoints().is_empty() {
        out.push("endpoints() is empty: the emulator would serve none of its APIs".into());
    }
    let served: BTreeSet<&str> = kind
        .endpoints()
        .iter()
        .chain(BASE_ENDPOINTS)
        .map(|e| e.v6)
        .collect();
    for t in kind.resource_types() {
        let api = api_of(t);
        if !served.contains(api) {
            out.push(format!(
                "{t} calls `{api}`, which endpoints() does not list"
            ));
        }
    }
    if kind.rules().is_empty() {
        out.push("rules() is empty: the compliance report would not cover it".into());
    }
    let plural = format!("catalogue: {}s", kind.noun());
    for code in kind.rules() {
        if !RULES.iter().any(|r| r.code == *code) {
            out.push(format!("rules() names {code}, which is not a rule"));
            continue;
        }
        let covers = RULES.iter().find(|r| r.code == *code).map(|r| r.covers);
        let covered = covers.is_some_and(|what| {
            what.iter().any(|w| {
                kind.resource_types().contains(w) || *w == plural || w.contains(&plural[11..])
            })
        });
        if !covered {
            out.push(format!(
                "{code}'s compliance coverage (its rule's `covers`) names none of its resources"
            ));
        }
    }
    out
}

#[test]
fn every_kind_decides_every_part() {
    assert_eq!(KINDS.len(), KEYS.len());
    let mut all = Vec::new();
    for (i, kind) in KINDS.iter().enumerate() {
        for p in problems(*kind, i) {
            all.push(format!("{}: {p}", kind.key()));
        }
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}

/// The shipped catalogues, loaded as bankgen loads them.
fn shipped() -> Vec<bankgen::model::Catalog> {
    ["catalog", "examples/global-platform"]
        .iter()
        .map(|c| repo().join(c))
        .filter(|c| c.is_dir())
        .map(|c| load_catalog(&c))
        .collect()
}

#[test]
fn every_kind_is_used_and_documented_by_a_shipped_catalogue() {
    let cats = shipped();
    let mut missing = Vec::new();
    for kind in KINDS {
        let mut entries = 0;
        for cat in &cats {
            let facts = bankgen::publish::resources::DocFacts::new(cat);
            let docs = facts.docs(cat);
            for m in &cat.modules {
                let n = kind.count(&m.resources);
                entries += n;
                let section = kind.docs(&m.resources, &docs);
                match (n, section) {
                    (0, None) => {}
                    (0, Some(_)) => missing.push(format!(
                        "{}: a docs section for {} without entries",
                        kind.key(),
                        m.id
                    )),
                    (_, None) => missing.push(format!(
                        "{}: no docs section for {}'s {n} entries",
                        kind.key(),
                        m.id
                    )),
                    (_, Some(s)) if s.rows.len() != n || s.title.is_empty() => {
                        missing.push(format!(
                            "{}: {}'s docs section has {} rows for {n} entries",
                            kind.key(),
                            m.id,
                            s.rows.len()
                        ))
                    }
                    _ => {}
                }
            }
        }
        if entries == 0 {
            missing.push(format!(
                "{}: no shipped catalogue declares one, so nothing renders, lints or documents it",
                kind.key()
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_provider_endpoints_are_the_kinds() {
    let v6 = kinds::endpoints(true);
    let legacy = kinds::endpoints(false);
    assert_eq!(v6.len(), legacy.len());
    for k in KINDS {
        for e in k.endpoints() {
            assert!(
                v6.contains(&e.v6) && legacy.contains(&e.legacy),
                "{}",
                k.key()
            );
        }
    }
}
