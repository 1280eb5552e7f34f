//! API Gateway: a regional REST API (seed 002: "API Gateway provides RESTful APIs with request
//! validation, throttling, and usage plans. Cognito authorizers protect endpoints and enforce
//! authentication").
//!
//! Each entry: the REST API, a Cognito user-pool authorizer (the catalogue's pool, by its SSM
//! contract), a request validator (body and parameters), one resource per route with its methods,
//! every method authorized by the pool and requiring an API key, each an HTTP proxy to the
//! catalogue load balancer's HTTPS name; a deployment and a stage with access logs to a
//! KMS-encrypted log group, X-Ray tracing, a client certificate for the backend, method settings
//! (throttling, metrics, INFO logs); the account's CloudWatch role; a usage plan with an API key;
//! the platform's web ACL associated with the stage.

use super::md::{code, days, esc};
use super::names::ident;
use super::policy::{Stmt, policy, trust};
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;

/// One entry of a module's `resources: rest_apis:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: Sp<String>,
    pub purpose: String,
    /// The classification of its access logs (their log group's key).
    pub classification: Sp<String>,
    /// The catalogue user pool whose tokens the authorizer accepts (contract `cognito/<pool>/arn`).
    pub user_pool: Sp<String>,
    /// The catalogue web ACL associated with the stage (contract `waf/<name>/arn`).
    pub web_acl: Sp<String>,
    /// The load balancer of the same module the methods proxy to (its certificate's name).
    pub backend: Sp<String>,
    pub stage: Sp<String>,
    pub log_retention_days: Sp<u32>,
    pub throttle: Throttle,
    pub quota_per_day: u32,
    pub routes: Vec<Route>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throttle {
    pub rate_limit: f64,
    pub burst_limit: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// A top-level path part (`transactions`).
    pub path: Sp<String>,
    pub methods: Vec<Sp<String>>,
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "rest_apis"
    }
    fn noun(&self) -> &'static str {
        "REST API"
    }
    fn family(&self) -> &'static str {
        "apigateway"
    }
    fn template(&self) -> &'static str {
        "rest_api.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::APIGATEWAY, api::IAM, api::LOGS, api::KMS, api::WAFV2]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_cloudwatch_log_group",
            "aws_iam_role",
            "aws_iam_role_policy",
            "aws_api_gateway_account",
            "aws_api_gateway_rest_api",
            "aws_api_gateway_authorizer",
            "aws_api_gateway_request_validator",
            "aws_api_gateway_resource",
            "aws_api_gateway_method",
            "aws_api_gateway_integration",
            "aws_api_gateway_deployment",
            "aws_api_gateway_client_certificate",
            "aws_api_gateway_stage",
            "aws_api_gateway_method_settings",
            "aws_api_gateway_usage_plan",
            "aws_api_gateway_api_key",
            "aws_api_gateway_usage_plan_key",
            "aws_wafv2_web_acl_association",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_cloudwatch_log_group"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL540", "BGL541", "BGL320", "BGL504", "BGL505"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.rest_apis.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.rest_apis.iter().map(|x| ("REST API", &x.name)).collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.rest_apis
            .iter()
            .map(|x| (format!("REST API {}", x.name.value), &x.classification))
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
        for x in &r.rest_apis {
            c.name(&x.name, &n.resource);
            c.classification(&x.classification);
            if !r
                .load_balancers
                .iter()
                .any(|l| l.name.value == x.backend.value)
            {
                c.err(
                    "BG001",
                    &x.backend.referenced,
                    format!(
                        "REST API `{}`: no load balancer `{}` in this module",
                        x.name.value, x.backend.value
                    ),
                    "name a load balancer of the same module's load_balancers:",
                );
            }
            if x.routes.is_empty() {
                c.err(
                    "BG001",
                    &x.name.referenced,
                    format!("REST API `{}` has no route", x.name.value),
                    "list its routes: [{path: transactions, methods: [GET]}]",
                );
            }
            for rt in &x.routes {
                if rt.path.value.is_empty()
                    || !rt
                        .path
                        .value
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                {
                    c.err(
                        "BG001",
                        &rt.path.referenced,
                        format!(
                            "route path `{}` is not one lower-case path part",
                            rt.path.value
                        ),
                        "e.g. transactions",
                    );
                }
                for meth in &rt.methods {
                    if !METHODS.contains(&meth.value.as_str()) {
                        c.err(
                            "BG001",
                            &meth.referenced,
                            format!("`{}` is not an HTTP method the API serves", meth.value),
                            format!("one of {}", METHODS.join(", ")),
                        );
                    }
                }
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.rest_apis {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let name = m.env_name(&x.name.value);
            let pool = m.import(&format!("cognito/{}/arn", x.user_pool.value));
            let waf = m.import(&format!("waf/{}/arn", x.web_acl.value));
            let backend = m
                .module
                .resources
                .load_balancers
                .iter()
                .find(|l| l.name.value == x.backend.value)
                .map(|l| m.subst(&l.certificate.domain.value))
                .unwrap_or_default();
            let routes: Vec<_> = x
                .routes
                .iter()
                .map(|rt| {
                    let rid = ident(&format!("{}-{}", x.name.value, rt.path.value));
                    json!({
                        "id": rid,
                        "path": rt.path.value,
                        "methods": rt.methods.iter().map(|mm| json!({
                            "id": ident(&format!("{rid}-{}", mm.value.to_lowercase())),
                            "method": mm.value,
                        })).collect::<Vec<_>>(),
                        "uri": format!("https://{backend}/{}", rt.path.value),
                    })
                })
                .collect();
            let group = format!("/aws/apigateway/{name}");
            let logs_arn = format!("arn:aws:logs:{}:{}:log-group:", m.region, m.env.account_id);
            let ctx = json!({
                "id": id,
                "name": name,
                "purpose": x.purpose,
                "pool": pool,
                "waf": waf,
                "stage": x.stage.value,
                // moto 5 answers GenerateClientCertificate with 404: not on the emulator.
                "client_certificate": !m.env.emulator,
                "routes": routes,
                "log_group": group,
                "retention": x.log_retention_days.value,
                "key": m.key_arn(&x.classification.value),
                "tags": m.class_tags(&x.classification.value),
                "rate": x.throttle.rate_limit,
                "burst": x.throttle.burst_limit,
                "quota": x.quota_per_day,
                "trust": trust("apigateway.amazonaws.com"),
                // What the AWS-managed AmazonAPIGatewayPushToCloudWatchLogs allows, scoped to the
                // execution logs and this API's access log group.
                "logs_policy": policy(vec![
                    Stmt::allow("DescribeLogGroups")
                        .action(&["logs:DescribeLogGroups"])
                        .resource(vec![json!("*")])
                        .build(),
                    Stmt::allow("WriteApiLogs")
                        .action(&[
                            "logs:CreateLogGroup",
                            "logs:CreateLogStream",
                            "logs:DescribeLogStreams",
                            "logs:PutLogEvents",
                            "logs:GetLogEvents",
                            "logs:FilterLogEvents",
                        ])
                        .resource(vec![
                            json!(format!("{logs_arn}API-Gateway-Execution-Logs_*")),
                            json!(format!("{logs_arn}{group}:*")),
                        ])
                        .build(),
                ]),
            });
            m.emit(self, &loc, ctx);
            m.holds_data(
                format!("aws_cloudwatch_log_group.{id}_access"),
                format!("REST API {} access logs", x.name.value),
                &loc,
                None,
            );
            let base = format!("apigateway/{}", x.name.value);
            m.export(
                format!("{base}/id"),
                format!("Id of the {} REST API: {}", x.name.value, x.purpose),
                raw(format!("aws_api_gateway_rest_api.{id}.id")),
                &loc,
            );
            m.export(
                format!("{base}/invoke-url"),
                format!("Invoke URL of the {} stage", x.stage.value),
                raw(format!("aws_api_gateway_stage.{id}.invoke_url")),
                &loc,
            );
            m.export(
                format!("{base}/stage/arn"),
                format!("ARN of the {} stage", x.stage.value),
                raw(format!("aws_api_gateway_stage.{id}.arn")),
                &loc,
            );
        }
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        if r.rest_apis.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "REST APIs",
            "Each REST API: regional, a Cognito user-pool authorizer on every method (and an API key of its usage plan), request validation of body and parameters, HTTP proxy integrations to the load balancer's HTTPS name; one stage with access logs to a KMS-encrypted log group, X-Ray tracing, throttling, metrics and INFO logs on every method, a client certificate for the backend, and the web ACL associated; the name gets `-{env}` appended.",
            &[
                "REST API",
                "Purpose",
                "Routes",
                "Authorizer",
                "Throttle",
                "Access logs kept",
            ],
            r.rest_apis
                .iter()
                .map(|x| {
                    vec![
                        code(&format!("{}-{{env}}", x.name.value)),
                        esc(&x.purpose),
                        x.routes
                            .iter()
                            .map(|rt| {
                                format!(
                                    "{} {}",
                                    rt.methods
                                        .iter()
                                        .map(|mm| mm.value.as_str())
                                        .collect::<Vec<_>>()
                                        .join("/"),
                                    code(&format!("/{}", rt.path.value))
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                        format!("Cognito {}", code(&x.user_pool.value)),
                        format!(
                            "{} req/s, burst {}, {} a day per key",
                            x.throttle.rate_limit, x.throttle.burst_limit, x.quota_per_day
                        ),
                        days(x.log_retention_days.value),
                    ]
                })
                .collect(),
        ))
    }
}
