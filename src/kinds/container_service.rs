//! ECS Fargate services (seed 002, compute stack: "Services are defined with resource limits,
//! health checks, and auto-scaling policies ... Task definitions specify container images,
//! environment variables, and IAM permissions. CloudWatch Logs capture container output"): one
//! task definition (awsvpc, CPU/memory limits, the app container read-only, non-root, never
//! privileged, with a health check, and the mesh's Envoy sidecar as App Mesh proxy), logs to a
//! KMS-encrypted log group, an execution role and a task role each limited to what it needs, the
//! service in the VPC's private subnets under the app security group on Fargate capacity, and
//! Application Auto Scaling tracking CPU and memory ("ECS services scale task count based on CPU
//! and memory metrics").

use super::md::{code, esc};
use super::names::ident;
use super::policy::{Statement, Stmt, catalogue_statements, policy, trust};
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
    tpl,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One entry of a module's `resources: container_services:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: Sp<String>,
    pub purpose: String,
    /// The module's `ecs_clusters` entry it runs in.
    pub cluster: Sp<String>,
    /// The VPC (MOD-205's contract `network/<network>/…`): private subnets, app security group.
    pub network: String,
    /// Its logs' key and retention.
    pub classification: Sp<String>,
    pub log_retention_days: u32,
    /// The app's image; `{account}` and `{region}` are filled in.
    pub image: String,
    /// Task size (Fargate units: 256 = 0.25 vCPU; MiB).
    pub cpu: u32,
    pub memory: u32,
    /// The app container's port and its health check path.
    pub port: u16,
    pub health_path: String,
    /// The app's non-root user (`uid[:gid]`).
    pub user: Sp<String>,
    pub desired_count: u32,
    pub scaling: Scaling,
    /// The module's `service_meshes` entry whose virtual node of the same name it serves.
    pub mesh: Sp<String>,
    /// The load balancer whose target group of the same name it registers with (its contract
    /// `load-balancer/<lb>/target-groups/<service>/arn`); none: not behind a load balancer.
    #[serde(default)]
    pub target_group: Option<String>,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// IAM permissions of the task role beyond the mesh's, as IAM statements.
    #[serde(default)]
    pub statements: Vec<Statement>,
}

/// Application Auto Scaling of the desired count: target tracking on average CPU and memory.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scaling {
    pub min: Sp<u32>,
    pub max: Sp<u32>,
    pub cpu_target: u32,
    pub memory_target: u32,
}

/// The Envoy proxy's user (App Mesh's `IgnoredUID`) and ports.
const ENVOY_UID: &str = "1337";
const ENVOY_INGRESS: u16 = 15000;
const ENVOY_EGRESS: u16 = 15001;

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "container_services"
    }
    fn noun(&self) -> &'static str {
        "container service"
    }
    fn family(&self) -> &'static str {
        "ecs"
    }
    fn template(&self) -> &'static str {
        "container_service.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[
            api::ECS,
            api::IAM,
            api::LOGS,
            api::KMS,
            api::APPLICATION_AUTOSCALING,
        ]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_appautoscaling_policy",
            "aws_appautoscaling_target",
            "aws_cloudwatch_log_group",
            "aws_ecs_service",
            "aws_ecs_task_definition",
            "aws_iam_role",
            "aws_iam_role_policy",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_cloudwatch_log_group"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL530", "BGL531", "BGL532", "BGL533", "BGL504", "BGL505"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.container_services.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.container_services
            .iter()
            .map(|x| ("container service", &x.name))
            .collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.container_services
            .iter()
            .map(|x| {
                (
                    format!("container service {}", x.name.value),
                    &x.classification,
                )
            })
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
        for x in &r.container_services {
            c.name(&x.name, &n.resource);
            c.classification(&x.classification);
            let clusters = r.ecs_clusters.iter().map(|k| k.name.value.as_str());
            c.declared("BG013", "ECS cluster", "ecs_clusters", &x.cluster, clusters);
            let meshes = r.service_meshes.iter().map(|k| k.name.value.as_str());
            c.declared("BG013", "service mesh", "service_meshes", &x.mesh, meshes);
            if let Some(mesh) = r
                .service_meshes
                .iter()
                .find(|k| k.name.value == x.mesh.value)
                && !mesh.nodes.iter().any(|nd| nd.name.value == x.name.value)
            {
                c.err(
                    "BG013",
                    &x.mesh.referenced,
                    format!(
                        "mesh `{}` has no virtual node `{}` for service `{}`",
                        x.mesh.value, x.name.value, x.name.value
                    ),
                    "add a node of the service's name to the mesh's `nodes:`",
                );
            }
            let uid = x.user.value.split(':').next().unwrap_or("");
            if uid.is_empty() || uid == "0" || uid == "root" || uid == ENVOY_UID {
                c.err(
                    "BG001",
                    &x.user.referenced,
                    format!("service `{}` runs as `{}`", x.name.value, x.user.value),
                    "a non-root uid other than Envoy's 1337 (e.g. 1000:1000)",
                );
            }
            if x.scaling.min.value > x.scaling.max.value {
                c.err(
                    "BG001",
                    &x.scaling.min.referenced,
                    format!(
                        "service `{}` scales from {} to {}",
                        x.name.value, x.scaling.min.value, x.scaling.max.value
                    ),
                    "min must not exceed max",
                );
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.container_services {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let name = m.env_name(&x.name.value);
            let Some(mesh) = m
                .module
                .resources
                .service_meshes
                .iter()
                .find(|k| k.name.value == x.mesh.value)
            else {
                continue;
            };
            let node = raw(format!(
                "aws_appmesh_virtual_node.{}.arn",
                ident(&format!("{}_{}", mesh.name.value, x.name.value))
            ));
            let key = m.key_arn(&x.classification.value);
            let cluster = ident(&x.cluster.value);
            let subnets = m.import(&format!("network/{}/private_subnet_ids", x.network));
            let sg = m.import(&format!("network/{}/sg/app", x.network));
            let target_group = x.target_group.as_ref().map(|lb| {
                m.import(&format!(
                    "load-balancer/{lb}/target-groups/{}/arn",
                    x.name.value
                ))
            });
            let image = m.subst(&x.image);
            let envoy_image = m.subst(&mesh.envoy_image);
            let log_group = format!("/ecs/{name}");
            let log_group_arn = raw(format!("aws_cloudwatch_log_group.{id}.arn"));
            let logs = |prefix: &str| {
                json!({
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": raw(format!("aws_cloudwatch_log_group.{id}.name")),
                        "awslogs-region": m.region,
                        "awslogs-stream-prefix": prefix,
                    },
                })
            };
            // Where the emulator serves no App Mesh, the task runs without the sidecar and proxy.
            let meshed = m.serves("service_meshes");
            let mut env: Vec<Value> = x
                .environment
                .iter()
                .map(|(k, v)| json!({"name": k, "value": m.subst(v)}))
                .collect();
            env.push(json!({"name": "ENVIRONMENT", "value": m.env.name}));
            let mut app = json!({
                "name": "app",
                "image": image,
                "essential": true,
                "user": x.user.value,
                "privileged": false,
                "readonlyRootFilesystem": true,
                "portMappings": [{"containerPort": x.port, "protocol": "tcp"}],
                "environment": env,
                "healthCheck": {
                    "command": ["CMD-SHELL", format!("curl -fs http://localhost:{}{} || exit 1", x.port, x.health_path)],
                    "interval": 30,
                    "timeout": 5,
                    "retries": 3,
                    "startPeriod": 30,
                },
                "logConfiguration": logs("app"),
            });
            if meshed {
                app["dependsOn"] = json!([{"containerName": "envoy", "condition": "HEALTHY"}]);
            }
            let envoy = json!({
                "name": "envoy",
                "image": envoy_image,
                "essential": true,
                "user": ENVOY_UID,
                "privileged": false,
                "readonlyRootFilesystem": true,
                "environment": [{"name": "APPMESH_RESOURCE_ARN", "value": node.clone()}],
                // Envoy writes its bootstrap file to /tmp: a task-scoped volume, the root stays read-only.
                "mountPoints": [{"sourceVolume": "envoy-tmp", "containerPath": "/tmp", "readOnly": false}],
                "healthCheck": {
                    "command": ["CMD-SHELL", "curl -s http://localhost:9901/server_info | grep state | grep -q LIVE"],
                    "interval": 5,
                    "timeout": 2,
                    "retries": 3,
                    "startPeriod": 10,
                },
                "logConfiguration": logs("envoy"),
            });
            // Execution role: pull the two images, write the two log streams.
            let images: &[&String] = if meshed {
                &[&image, &envoy_image]
            } else {
                &[&image]
            };
            let mut repos: Vec<Value> = images
                .iter()
                .filter_map(|i| ecr_repository_arn(i))
                .map(Value::String)
                .collect();
            repos.dedup();
            let mut exec = vec![
                Stmt::allow("WriteTaskLogs")
                    .action(&["logs:CreateLogStream", "logs:PutLogEvents"])
                    .resource(vec![tpl(vec![log_group_arn.clone(), json!(":*")])])
                    .build(),
            ];
            if !repos.is_empty() {
                exec.push(
                    Stmt::allow("PullImages")
                        .action(&[
                            "ecr:BatchCheckLayerAvailability",
                            "ecr:BatchGetImage",
                            "ecr:GetDownloadUrlForLayer",
                        ])
                        .resource(repos)
                        .build(),
                );
                // AWS authorises GetAuthorizationToken only on `*`.
                exec.push(
                    Stmt::allow("RegistryLogin")
                        .action(&["ecr:GetAuthorizationToken"])
                        .resource(vec![json!("*")])
                        .build(),
                );
            }
            let mut task = catalogue_statements(m, &x.statements);
            if meshed {
                task.insert(
                    0,
                    Stmt::allow("MeshConfiguration")
                        .action(&["appmesh:StreamAggregatedResources"])
                        .resource(vec![node.clone()])
                        .build(),
                );
            }
            let containers = if meshed {
                json!([envoy, app])
            } else {
                json!([app])
            };
            let cluster_name = raw(format!("aws_ecs_cluster.{cluster}.name"));
            let ctx = json!({
                "id": id,
                "name": name,
                "purpose": x.purpose,
                "key": key,
                "log_group": log_group,
                "log_retention": x.log_retention_days,
                "cpu": x.cpu,
                "memory": x.memory,
                "containers": containers,
                "meshed": meshed,
                // moto's CreateService drops capacityProviderStrategy: every plan would replace.
                "emulator": m.env.emulator,
                "app_port": x.port,
                "envoy_uid": ENVOY_UID,
                "envoy_ingress": ENVOY_INGRESS,
                "envoy_egress": ENVOY_EGRESS,
                "exec_role": format!("{name}-execution"),
                "task_role": format!("{name}-task"),
                "trust": trust("ecs-tasks.amazonaws.com"),
                "exec_policy": policy(exec),
                // No statement (no mesh here, none in the catalogue): a role with no policy.
                "task_policy": (!task.is_empty()).then(|| policy(task)),
                "cluster": cluster,
                "desired_count": x.desired_count,
                "subnets": raw(format!("split(\",\", {})", raw_text(&subnets))),
                "security_group": sg,
                "target_group": target_group,
                "min": x.scaling.min.value,
                "max": x.scaling.max.value,
                "cpu_target": x.scaling.cpu_target,
                "memory_target": x.scaling.memory_target,
                "resource_id": tpl(vec![json!("service/"), cluster_name, json!("/"), raw(format!("aws_ecs_service.{id}.name"))]),
                "tags": m.class_tags(&x.classification.value),
            });
            m.emit(self, &loc, ctx);
            m.holds_data(
                format!("aws_cloudwatch_log_group.{id}"),
                format!("container service {} (logs)", x.name.value),
                &loc,
                None,
            );
            m.export(
                format!("ecs/services/{}/name", x.name.value),
                format!("Name of the {} ECS service: {}", x.name.value, x.purpose),
                raw(format!("aws_ecs_service.{id}.name")),
                &loc,
            );
        }
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        if r.container_services.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "Container services",
            "Each service: a Fargate task definition (awsvpc; the app read-only, non-root, unprivileged, health-checked, behind the mesh's Envoy sidecar), logs to a KMS-encrypted log group, an execution role and a task role of its own, the private subnets and the app security group, and target tracking on CPU and memory.",
            &[
                "Service",
                "Purpose",
                "Task",
                "Tasks",
                "Scaling targets",
                "Load balancer",
            ],
            r.container_services
                .iter()
                .map(|x| {
                    vec![
                        code(&format!("{}-{{env}}", x.name.value)),
                        esc(&x.purpose),
                        format!("{} CPU / {} MiB, port {}", x.cpu, x.memory, x.port),
                        format!(
                            "{} ({}–{})",
                            x.desired_count, x.scaling.min.value, x.scaling.max.value
                        ),
                        format!(
                            "CPU {} %, memory {} %",
                            x.scaling.cpu_target, x.scaling.memory_target
                        ),
                        x.target_group
                            .as_deref()
                            .map(code)
                            .unwrap_or_else(|| "none".into()),
                    ]
                })
                .collect(),
        ))
    }
}

/// The HCL expression of a `raw` value.
fn raw_text(v: &Value) -> String {
    v.get("$raw")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG` → the repository's ARN (ECR images only).
pub fn ecr_repository_arn(image: &str) -> Option<String> {
    let (host, path) = image.split_once('/')?;
    let mut parts = host.split('.');
    let account = parts.next()?;
    if parts.next()? != "dkr" || parts.next()? != "ecr" {
        return None;
    }
    let region = parts.next()?;
    let repo = path.split([':', '@']).next()?;
    Some(format!("arn:aws:ecr:{region}:{account}:repository/{repo}"))
}
